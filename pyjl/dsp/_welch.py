"""The cross-spectral density of Welch's method, shared by :func:`~pyjl.dsp.csd` and
:func:`~pyjl.dsp.welch` (the formula is in :mod:`pyjl.dsp.spectral`): segment arguments,
the pairing of ``x`` and ``y``, and the averaged modified periodograms.
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from .. import _validate
from .._warn import warn
from ..data import as_raw
from ._frames import (
    check_size,
    detrend_code,
    frame_groups,
    framed_fft,
    rescale,
    scale_down,
    window_array,
)
from ._inputs import channels, default_axis, from_channels, read_signal, spectrum_dtype
from ._short_time import _noverlap


def _median_bias(n: int) -> float:
    ii_2 = 2 * np.arange(1.0, (n - 1) // 2 + 1)
    return 1 + np.sum(1.0 / (ii_2 + 1) - 1.0 / ii_2)


def asked_nperseg(window, nperseg):
    """The segment length asked for, before a shorter signal cuts it: ``nperseg``, else
    256 for a window by name, else the length of the window given as an array (SciPy's)."""
    if nperseg is not None:
        return nperseg
    return 256 if isinstance(window, (str, tuple)) else window_array(window, 0).size


def empty_spectrum(sig, at: int):
    """``(freqs, spectrum)`` of a signal with no values: SciPy's empty arrays of its shape,
    the spectrum in the input's kind (:func:`empty_in_kind`)."""
    empty = np.empty(sig.values.shape)
    return empty, empty_in_kind(sig, empty.copy(), at)


def empty_in_kind(sig, spectrum: np.ndarray, at: int):
    """An empty ``spectrum`` in the input's kind (an empty Series, table or Arrow array):
    no frequencies where its frequency axis ``at`` is the empty one, else (a table with
    no column: SciPy's spectrum has the input's shape) the input's rows."""
    if spectrum.ndim > at and spectrum.shape[at] == 0:
        return sig.restore_spectrum(spectrum, np.empty(0), at)
    return sig.restore(spectrum)


def _segment_args(window, nperseg, noverlap, nfft, n):
    if isinstance(window, (str, tuple)):
        nperseg = _validate.integer(asked_nperseg(window, nperseg), "nperseg", low=1)
        if n < nperseg:
            warn(
                f"nperseg={nperseg} is greater than signal length max(len(x), "
                f"len(y)) = {n}, using nperseg = {n}",
                UserWarning,
            )
            nperseg = n
        win = window_array(window, nperseg)
    else:
        win = window_array(window, 0)
        if win.size > n:
            raise _validate.error(
                "window",
                f"must not be longer than the signal ({n} samples)",
                f"a window of length {win.size}",
                "pass a shorter window or a longer signal",
            )
        if nperseg is None:
            nperseg = win.size
        nperseg = _validate.integer(nperseg, "nperseg", low=1)
    if nperseg != win.size:
        raise _validate.error(
            "nperseg",
            f"must equal len(window) = {win.size}",
            nperseg,
            "drop nperseg or pass a window of that length",
        )
    nfft = nperseg if nfft is None else _validate.integer(nfft, "nfft")
    if nfft < nperseg:
        raise _validate.error(
            "nfft",
            f"must be >= nperseg = {nperseg}",
            nfft,
            "pass nfft >= nperseg (zero padding) or leave it None",
        )
    noverlap = nperseg // 2 if noverlap is None else _noverlap(noverlap, nperseg)
    return win, nperseg, noverlap, nfft


def _is_empty(v, name: str) -> bool:
    if isinstance(v, np.ndarray):
        return v.size == 0
    return isinstance(v, (list, tuple)) and as_raw(v, name).size == 0


def pair_axis(x, y, axis):
    """The one time axis of ``x`` and ``y`` read together: ``axis`` as given, else 0
    when either is a table (time down its rows), else -1 (SciPy's); both signals are read
    along it, as SciPy reads both along its ``axis``."""
    return default_axis(x, y) if axis is None else axis


def freq_axis(axis, sig) -> int:
    """Where the frequencies of a spectrum of ``sig`` (read along ``axis``, maybe paired
    with a broadcast partner) go, as SciPy puts them: at ``axis`` if it is >= 0, else
    that far from the end of the (broadcast) result."""
    axis = int(axis)
    return axis if axis >= 0 else sig.axis - sig.values.ndim


def _pair(x, y, axis):
    """Two validated signals read along one ``axis`` (:func:`pair_axis`, already
    resolved), broadcast over their outer axes and zero-padded to one length, as ``(x2,
    y2 or None, outer, sig, y_dtype)``; ``x2`` is None when either is empty, and
    ``outer`` is then the shape of SciPy's empty result."""
    if y is not None and (_is_empty(x, "x") or _is_empty(y, "y")):
        # an empty spectrum: only the shapes matter (SciPy does not read the values)
        x, y = (v if _is_empty(v, n) else np.zeros(np.shape(v)) for v, n in ((x, "x"), (y, "y")))
    sx = read_signal(x, name="x", axis=axis, min_len=0)
    if y is None:
        x2, outer = channels(sx.values, sx.axis)
        return (None if sx.values.size == 0 else x2), None, outer, sx, None
    sy = read_signal(y, name="y", axis=axis, min_len=0)
    xv, yv = np.moveaxis(sx.values, sx.axis, -1), np.moveaxis(sy.values, sy.axis, -1)
    try:
        outer = np.broadcast_shapes(xv.shape[:-1], yv.shape[:-1])
    except ValueError:
        raise _validate.error(
            "y",
            f"must broadcast with `x` outside the time axis {axis} (x and y cannot be "
            "broadcast together: their other axes, aligned from the end, must match or be 1)",
            f"shapes {sx.values.shape} and {sy.values.shape}",
            "lay out both with time along that axis (a table's runs down its rows) and "
            "their other axes matching (or 1)",
        ) from None
    if sx.values.size == 0 or sy.values.size == 0:
        return None, None, outer + (min(xv.shape[-1], yv.shape[-1]),), sx, sy.dtype
    n = max(xv.shape[-1], yv.shape[-1])
    xv = np.broadcast_to(xv, outer + (xv.shape[-1],))
    yv = np.broadcast_to(yv, outer + (yv.shape[-1],))
    x2, y2 = (np.zeros(outer + (n,), dtype=v.dtype) for v in (xv, yv))
    x2[..., : xv.shape[-1]] = xv
    y2[..., : yv.shape[-1]] = yv
    m = int(np.prod(outer))
    return x2.reshape(m, n), y2.reshape(m, n), outer, sx, sy.dtype


def _per_segment(detrend, outer):
    """A callable ``detrend`` called as SciPy's ``csd`` calls it (through ``ShortTimeFFT``):
    once per segment, on that segment of every channel, shaped ``outer + (nperseg,)``;
    the kernels' frames are ``(C, n_frames, nperseg)``."""

    def call(raw):
        out = np.empty(raw.shape, dtype=raw.dtype)
        for p in range(raw.shape[1]):
            seg = raw[:, p].reshape(outer + raw.shape[2:])
            out[:, p] = np.asarray(detrend(seg)).reshape(raw.shape[0], raw.shape[2])
        return out

    return call


def _as_float(x2):
    return x2 if np.iscomplexobj(x2) else np.ascontiguousarray(x2, dtype=np.float64)


def _csd(
    x,
    y,
    fs,
    window,
    nperseg,
    noverlap,
    nfft,
    detrend,
    return_onesided,
    scaling,
    axis,
    average,
    same,
):
    _validate.choice(scaling, "scaling", ("density", "spectrum"))
    _validate.choice(average, "average", ("mean", "median"))
    return_onesided = _validate.boolean(return_onesided, "return_onesided")
    fs = _validate.real(fs, "fs", low=0, low_open=True)
    axis = pair_axis(x, x if same else y, axis)
    x2, y2, outer, sig, y_dt = _pair(x, None if same else y, axis)
    out_dt = spectrum_dtype(sig.dtype, *([] if same else [y_dt]), real=same)
    # x and y broadcast: the frequencies go where SciPy puts them in the broadcast result
    at = freq_axis(axis, sig)
    if x2 is None:
        if same:
            return empty_spectrum(sig, at)
        empty = np.moveaxis(np.empty(outer), -1, at)
        return empty, empty_in_kind(sig, empty.copy(), at)
    n = x2.shape[1]
    win, nperseg, noverlap, nfft = _segment_args(window, nperseg, noverlap, nfft, n)
    check_size(nfft * x2.shape[0], "nfft", nfft)
    det = detrend_code(detrend)
    if callable(det):
        det = _per_segment(det, outer)
    onesided = (
        bool(return_onesided)
        and not np.iscomplexobj(x2)
        and not (y2 is not None and np.iscomplexobj(y2))
    )
    step = nperseg - noverlap
    n_frames = (n - noverlap) // step
    scale = 1.0 / (fs * np.sum(win * win)) if scaling == "density" else 1.0 / np.sum(win) ** 2
    x2, y2 = _as_float(x2), (None if y2 is None else _as_float(y2))
    # data near the float64 limits are scaled by exact powers of two, scaled back last
    x2, sx = scale_down(x2)
    sy = sx
    if y2 is not None:
        y2, sy = scale_down(y2)
    keep_all = average == "median"
    total, parts = {}, {}
    groups = (  # a callable sees every channel of a segment at once: one group
        [(slice(0, x2.shape[0]), slice(0, n_frames))]
        if callable(det)
        else frame_groups(n_frames, max(nperseg, nfft), x2.shape[0])
    )
    for rows, g in groups:
        X = framed_fft(x2[rows], win, step, nfft, det, onesided, g)
        if y2 is None:
            # |X|^2 on the (re, im) pairs of the fresh spectra, squared in place: two
            # contiguous passes instead of strided .real/.imag temporaries
            v = X.view(X.real.dtype)
            np.multiply(v, v, out=v)
            if not keep_all:
                v = np.add.reduce(v, axis=1)
            P = v[..., 0::2] + v[..., 1::2]
        else:
            P = np.conjugate(X) * framed_fft(y2[rows], win, step, nfft, det, onesided, g)
        key = (rows.start, rows.stop)
        if keep_all:
            parts.setdefault(key, []).append(P)
        else:
            s = P if y2 is None else P.sum(axis=1)
            total[key] = s if key not in total else total[key] + s
    if keep_all:
        P = (
            np.concatenate([np.concatenate(parts[k], axis=1) for k in sorted(parts)], axis=0)
            * scale
        )
        if n_frames > 1:
            if np.iscomplexobj(P):
                P = np.median(P.real, axis=1) + 1j * np.median(P.imag, axis=1)
            else:
                P = np.median(P, axis=1)
            P = P / _median_bias(n_frames)
        else:
            P = P[:, 0]
    else:
        P = np.concatenate([total[k] for k in sorted(total)], axis=0) * (scale / n_frames)
    if onesided:
        P[:, 1 : -1 if nfft % 2 == 0 else None] *= 2
    freqs = sfft.rfftfreq(nfft, 1 / fs) if onesided else sfft.fftfreq(nfft, 1 / fs)
    if same:
        P = P.real
    P = rescale(P, (sx, sy), "The spectral density", out_dt)
    P = from_channels(P, outer, at)
    return freqs, sig.restore_spectrum(P, freqs, at)
