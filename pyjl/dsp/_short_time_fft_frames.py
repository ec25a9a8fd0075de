"""The frame arithmetic of :class:`~pyjl.dsp.ShortTimeFFT`: SciPy's padding of the
slices, the frames from the engine's ``stft_frames`` kernel (windowed and detrended,
channels across threads), SciPy's ``_fft_func`` and ``_ifft_func`` on a block of frames
in one call, and the inverse's overlap-add by residue classes of the hop.  Functions of
the transform object ``sft`` (its window, hop, FFT mode and axes), whose arguments
:mod:`pyjl.dsp.short_time_fft` has checked.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.fft as sfft

from .. import _validate
from ..engines import current
from ._frames import frame_groups, workers

__all__ = ["padded", "spectra", "overlap_add"]

#: np.pad's arguments for SciPy's paddings
_PAD: dict[str, dict[str, Any]] = {
    "zeros": {"mode": "constant", "constant_values": (0, 0)},
    "edge": {"mode": "edge"},
    "even": {"mode": "reflect", "reflect_type": "even"},
    "odd": {"mode": "reflect", "reflect_type": "odd"},
}
#: the engine kernel's detrend codes
_DETREND = {None: 0, "constant": 1, "linear": 2}


def padded(sft, x: np.ndarray, p0: int, p1: int, k_off: int, padding: str) -> np.ndarray:
    """The samples the slices ``p0 .. p1 - 1`` read (and one hop more), padded as
    SciPy pads them."""
    n = x.shape[-1]
    k0 = p0 * sft.hop - sft.m_num_mid + k_off
    k1 = k0 + (p1 - p0) * sft.hop + sft.m_num
    i0, i1 = max(k0, 0), min(k1, n)
    if i1 <= i0:  # every slice off the signal: only padding
        if padding == "zeros":
            return np.zeros(x.shape[:-1] + (k1 - k0,), dtype=x.dtype)
        raise _validate.error(
            "k_offset",
            f"must leave a sample of the signal in a slice for padding={padding!r}",
            k_off,
            "pass a k_offset within the signal, or padding='zeros'",
        )
    width = [(0, 0)] * (x.ndim - 1) + [(-min(k0, 0), max(k1 - n, 0))]
    return np.pad(x[..., i0:i1], width, **_PAD[padding])


def spectra(sft, x1: np.ndarray, n_slices: int, detr) -> np.ndarray:
    """``(..., f_pts, n_slices)`` transforms of the frames of ``x1 (..., len)``."""
    if callable(detr):
        return spectra_detrended_by(sft, x1, n_slices, detr)
    outer, m, hop = x1.shape[:-1], sft.m_num, sft.hop
    x2 = x1.reshape(-1, x1.shape[-1])
    S = np.empty((x2.shape[0], sft.f_pts, n_slices), dtype=np.complex128)
    win = sft.win
    real_win = not np.iscomplexobj(win)
    # the kernel's window: a real one of any float type in float64 (the products SciPy
    # forms with a float64 signal), else ones and the complex window after
    kernel_win = np.ascontiguousarray(win, dtype=np.float64) if real_win else np.ones(m)
    for rows, frames in frame_groups(n_slices, m, x2.shape[0]):
        part = x2[rows, frames.start * hop : (frames.stop - 1) * hop + m]
        fr = framed(sft, part, kernel_win, _DETREND[detr])
        if not real_win:
            fr = fr * win.conj()
        S[rows, :, frames] = np.swapaxes(fft_frames(sft, fr), -1, -2)
    return S.reshape(outer + S.shape[1:])


def framed(sft, part: np.ndarray, win: np.ndarray, code: int) -> np.ndarray:
    """``(rows, frames, m)``: the frames of ``part`` at the hop, detrended
    (``code``), times the real ``win``; a complex signal's parts framed apiece."""
    eng = current()
    if not np.iscomplexobj(part):
        return eng.stft_frames(np.ascontiguousarray(part, np.float64), win, sft.hop, code)
    re = eng.stft_frames(np.ascontiguousarray(part.real, np.float64), win, sft.hop, code)
    im = eng.stft_frames(np.ascontiguousarray(part.imag, np.float64), win, sft.hop, code)
    return re + 1j * im


def spectra_detrended_by(sft, x1: np.ndarray, n_slices: int, detr) -> np.ndarray:
    """As :meth:`_spectra`, each slice ``(..., m)`` detrended by the function ``detr``
    (SciPy's calls, one per slice); the transforms still in one call."""
    m = sft.m_num
    view = np.lib.stride_tricks.sliding_window_view(x1, m, axis=-1)[..., :: sft.hop, :]
    parts = []
    for p in range(n_slices):
        part = np.asarray(detr(view[..., p, :]))
        if part.shape != view.shape[:-2] + (m,):
            raise _validate.error(
                "detr",
                f"must return a slice of the same shape {view.shape[:-2] + (m,)}",
                f"shape {part.shape}",
                "return the detrended slice",
            )
        parts.append(part)
    fr = np.stack(parts, axis=-2) * sft.win.conj()
    return np.swapaxes(fft_frames(sft, fr), -1, -2).astype(np.complex128, copy=False)


def fft_frames(sft, fr: np.ndarray) -> np.ndarray:
    """SciPy's ``_fft_func`` on the last axis of ``fr``, in one call."""
    mfft = sft.mfft
    if sft.phase_shift is not None:
        if fr.shape[-1] < mfft:
            fr = np.concatenate(
                [fr, np.zeros(fr.shape[:-1] + (mfft - fr.shape[-1],), fr.dtype)], axis=-1
            )
        fr = np.roll(fr, -((sft.phase_shift + sft.m_num_mid) % sft.m_num), axis=-1)
    w = workers(fr.size // max(1, fr.shape[-1]) * mfft, mfft)
    if sft.fft_mode in ("twosided", "centered"):
        X = sfft.fft(fr, n=mfft, axis=-1, workers=w)
        return sfft.fftshift(X, axes=-1) if sft.fft_mode == "centered" else X
    X = sfft.rfft(fr, n=mfft, axis=-1, workers=w)
    if sft.fft_mode == "onesided2X":
        X[..., 1 : -1 if mfft % 2 == 0 else None] *= math.sqrt(2) if sft.scaling == "psd" else 2
    return X


def overlap_add(sft, S: np.ndarray, k0: int, k1: int) -> np.ndarray:
    """Samples ``k0 .. k1 - 1`` from ``S (..., f_pts, slices)``, SciPy's slices
    ``q0 .. q1 - 1`` added by residue classes of the hop (no slice overlaps another
    of its class)."""
    hop, m, mid = sft.hop, sft.m_num, sft.m_num_mid
    q_max = S.shape[-1] + sft.p_min
    # SciPy's q0 for k0 < 0 may lie before the first slice p_min, whose index
    # S[q0 - p_min] is then negative and reads the last slices: slices start at p_min
    q0 = max(k0 // hop + sft.p_min if k0 >= 0 else k0 // hop, sft.p_min)
    q1 = min(sft.p_max(k1), q_max)
    k_q0, k_q1 = sft.nearest_k_p(k0), sft.nearest_k_p(k1, left=False)
    n_pts = k_q1 - k_q0 + m - mid
    outer = S.shape[:-2]
    xs = ifft_frames(sft, np.swapaxes(S[..., q0 - sft.p_min : q1 - sft.p_min], -1, -2))
    xs = xs * sft.dual_win
    n_q = q1 - q0
    R = -(-m // hop)  # slices q and q + R do not overlap
    span = R * hop
    first = q0 * hop - mid - k0  # where slice q0 starts, relative to k0
    lead = max(0, -first)
    buf_len = lead + max(n_pts, first + (n_q + R) * hop + span) + span
    # SciPy sums into float64 (complex128 for two-sided modes), whatever S's precision
    dt: Any = np.float64 if sft.onesided_fft else np.complex128
    buf = np.zeros(outer + (buf_len,), dtype=dt)
    padded = np.zeros(outer + (n_q, span), dtype=dt)
    padded[..., :m] = xs
    for r in range(min(R, n_q)):
        cls = padded[..., r::R, :]
        start = lead + first + r * hop
        stop = start + cls.shape[-2] * span
        buf[..., start:stop] += cls.reshape(outer + (cls.shape[-2] * span,))
    x = buf[..., lead : lead + n_pts]
    return x[..., : k1 - k0]


def ifft_frames(sft, X: np.ndarray) -> np.ndarray:
    """SciPy's ``_ifft_func`` on the last axis of ``X``, in one call."""
    mfft = sft.mfft
    w = workers(X.size // max(1, X.shape[-1]) * mfft, mfft)
    if sft.fft_mode == "twosided":
        x = sfft.ifft(X, n=mfft, axis=-1, workers=w)
    elif sft.fft_mode == "centered":
        x = sfft.ifft(sfft.ifftshift(X, axes=-1), n=mfft, axis=-1, workers=w)
    else:
        if sft.fft_mode == "onesided2X":
            X = X.copy()
            X[..., 1 : -1 if mfft % 2 == 0 else None] /= (
                math.sqrt(2) if sft.scaling == "psd" else 2
            )
        x = sfft.irfft(X, n=mfft, axis=-1, workers=w)
    if sft.phase_shift is None:
        return x[..., : sft.m_num]
    p_s = (sft.phase_shift + sft.m_num_mid) % sft.m_num
    return np.roll(x, p_s, axis=-1)[..., : sft.m_num]
