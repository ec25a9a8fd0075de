"""DSP kernels of the ``cuda`` engine: IIR filters, resampling, FFT filtering, framing.

Where ``cupyx.scipy.signal`` already does the job it is used (``upfirdn``;
``sosfilt`` of few, long channels, whose block-parallel recursion beats one
thread per channel).  Our own CUDA kernels (CUDA C in ``dsp.cu``) cover what
it does not do the way the contract needs: ``sosfilt`` and ``lfilter`` with
SciPy's direct-form II transposed state (``zi``/``zf``), one thread per
channel, the same arithmetic as ``scipy.signal`` -- the kernel streaming
objects and many-channel arrays use.  ``fftfilt`` is one batched real FFT product (``cupy.fft``);
``stft_frames`` a strided view times the window.

``sosfilt`` picks the path by ``PYJL_CUDA_SOSFILT`` = ``auto`` (default: own
kernel for ``>= OWN_MIN_CHANNELS`` channels or ``<= OWN_MAX_SAMPLES`` samples,
CuPy's otherwise), ``own`` or ``cupyx``.  CuPy's sosfilt keeps a direct-form I
state per section ``(x[-2], x[-1], y[-2], y[-1])``; SciPy's ``(z0, z1)`` maps
to it by the minimum-norm solution of ``z0 = b1 x[-1] + b2 x[-2] - a1 y[-1] -
a2 y[-2]``, ``z1 = b2 x[-1] - a2 y[-1]``, and back exactly.

Layout (trusted): ``x (n_channels, n)`` float64 C-contiguous device arrays;
``sos (n_sections, 6)`` with ``a0 = 1``; ``a[0] == 1`` for ``lfilter``.
Reference: Oppenheim & Schafer, *Discrete-Time Signal Processing* (3rd ed.),
sec. 6.5 (transposed forms).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ... import _validate
from .common import Array, cupy, grid_for, i32, i64, module

__all__ = [
    "sosfilt",
    "lfilter",
    "upfirdn",
    "fftfilt",
    "stft_frames",
    "NAME",
    "KERNELS",
    "df2t_to_df1",
    "df1_to_df2t",
]

#: The kernel source, ``dsp.cu``, and its kernels.
NAME = "dsp"
KERNELS = ("pj_sosfilt", "pj_lfilter")
OWN_MIN_CHANNELS = 512
OWN_MAX_SAMPLES = 4096


def _kernels() -> Any:
    return module(NAME, KERNELS)


def _map_matrix(q: np.ndarray) -> np.ndarray:
    """``M`` with ``(z0, z1) = M (x[-2], x[-1], y[-2], y[-1])`` for one section ``q``."""
    b1, b2, a1, a2 = q[1], q[2], q[4], q[5]
    return np.array([[b2, b1, -a2, -a1], [0.0, b2, 0.0, -a2]])


def df2t_to_df1(sos: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """SciPy state ``(C, S, 2)`` -> CuPy's ``(S, C, 4)`` (host arrays, minimum norm).

    >>> sos = np.array([[1.0, 0.5, 0.25, 1.0, -0.3, 0.1]])
    >>> zi = np.array([[[0.2, -0.1]]])
    >>> np.allclose(df1_to_df2t(sos, df2t_to_df1(sos, zi)), zi)
    True
    """
    out = np.empty((sos.shape[0], zi.shape[0], 4))
    for s in range(sos.shape[0]):
        out[s] = zi[:, s, :] @ np.linalg.pinv(_map_matrix(sos[s])).T
    return out


def df1_to_df2t(sos: np.ndarray, z4: np.ndarray) -> np.ndarray:
    """CuPy's state ``(S, C, 4)`` -> SciPy's ``(C, S, 2)``."""
    out = np.empty((z4.shape[1], sos.shape[0], 2))
    for s in range(sos.shape[0]):
        out[:, s, :] = z4[s] @ _map_matrix(sos[s]).T
    return out


def _sosfilt_path(n_channels: int, n: int) -> str:
    raw = os.environ.get("PYJL_CUDA_SOSFILT", "auto")
    mode = raw.strip().lower()
    if mode not in ("auto", "own", "cupyx"):
        raise _validate.error(
            "PYJL_CUDA_SOSFILT",
            "must be 'auto', 'own' or 'cupyx'",
            f"PYJL_CUDA_SOSFILT={raw!r} (from the environment)",
            "correct or unset the variable",
        )
    if n < 2:
        return "own"
    if mode == "auto":
        return "own" if n_channels >= OWN_MIN_CHANNELS or n <= OWN_MAX_SAMPLES else "cupyx"
    return mode


def sosfilt(
    sos: Array,
    x: Array,
    zi: Array | None,
    *,
    xp: Any = None,
    kern: Any = None,
    path: str | None = None,
) -> tuple[Array, Array]:
    """``(y (C, n), zf (C, S, 2))`` of the cascade ``sos`` over each row of ``x``."""
    xp = xp or cupy()
    C, n = int(x.shape[0]), int(x.shape[1])
    S = int(sos.shape[0])
    path = path or _sosfilt_path(C, n)
    if path == "cupyx":
        import cupyx.scipy.signal as cusig

        sos_h = np.asarray(sos.get() if hasattr(sos, "get") else sos, dtype=np.float64)
        zi_h = (
            np.zeros((C, S, 2))
            if zi is None
            else np.asarray(zi.get() if hasattr(zi, "get") else zi, dtype=np.float64)
        )
        z4 = xp.asarray(df2t_to_df1(sos_h, zi_h))
        y, zf4 = cusig.sosfilt(xp.asarray(sos_h), x, axis=-1, zi=z4)
        z = xp.asnumpy(zf4)
        # CuPy 13-14 hand the state back as (S, 4, C) for a 2-D x; the last section's
        # output half is y's last two samples, which tells the orientation
        if z.shape != (S, C, 4) or not np.array_equal(z[-1, :, 2:], xp.asnumpy(y[:, -2:])):
            z = z.transpose(0, 2, 1)
        return xp.ascontiguousarray(y), xp.asarray(df1_to_df2t(sos_h, z))
    kern = kern or _kernels()
    z = xp.zeros((C, S, 2)) if zi is None else xp.array(zi, dtype=np.float64, copy=True)
    y = xp.empty((C, n))
    if C and n:
        kern.pj_sosfilt(
            (grid_for(C, 64),),
            (64,),
            (
                i64(C),
                i64(n),
                i32(S),
                xp.ascontiguousarray(sos, dtype=np.float64),
                xp.ascontiguousarray(x, dtype=np.float64),
                y,
                z,
            ),
        )
    return y, z


def lfilter(
    b: Array, a: Array, x: Array, zi: Array | None, *, xp: Any = None, kern: Any = None
) -> tuple[Array, Array]:
    """``(y (C, n), zf (C, N))``, ``N = max(len(a), len(b)) - 1``, direct form II transposed."""
    xp = xp or cupy()
    kern = kern or _kernels()
    C, n = int(x.shape[0]), int(x.shape[1])
    N = max(int(a.shape[0]), int(b.shape[0])) - 1
    bp = xp.zeros(N + 1)
    ap = xp.zeros(N + 1)
    bp[: int(b.shape[0])] = b
    ap[: int(a.shape[0])] = a
    z = xp.zeros((C, N)) if zi is None else xp.array(zi, dtype=np.float64, copy=True)
    y = xp.empty((C, n))
    if C and n:
        kern.pj_lfilter(
            (grid_for(C, 64),),
            (64,),
            (i64(C), i64(n), i32(N), bp, ap, xp.ascontiguousarray(x, dtype=np.float64), y, z),
        )
    return y, z


def upfirdn(h: Array, x: Array, up: int, down: int) -> Array:
    """Upsample, FIR filter, downsample each row (``cupyx.scipy.signal.upfirdn``)."""
    import cupyx.scipy.signal as cusig

    cp = cupy()
    y = cusig.upfirdn(cp.asarray(h, dtype=np.float64), x, int(up), int(down), axis=-1)
    return cp.ascontiguousarray(y)


def fftfilt(h: Array, x: Array) -> Array:
    """Full linear convolution of each row with ``h``, ``(C, n + len(h) - 1)``."""
    cp = cupy()
    import cupyx.scipy.fft as cufft

    n, m = int(x.shape[1]), int(h.shape[0])
    n_out = n + m - 1
    if n == 0 or m == 0:
        return cp.zeros((int(x.shape[0]), max(n_out, 0)))
    nfft = cufft.next_fast_len(n_out, real=True)
    H = cp.fft.rfft(cp.asarray(h, dtype=np.float64), nfft)
    y = cp.fft.irfft(cp.fft.rfft(x, nfft, axis=-1) * H[None, :], nfft, axis=-1)
    return cp.ascontiguousarray(y[:, :n_out])


def stft_frames(x: Array, window: Array, step: int, detrend: int = 0, *, xp: Any = None) -> Array:
    """Frames ``(C, n_frames, L)``: frame ``k`` is ``detrend(x[:, k*step : k*step+L]) * window``
    with ``detrend`` 0 (none), 1 (frame mean removed) or 2 (least-squares line removed)."""
    xp = xp or cupy()
    x = xp.ascontiguousarray(x, dtype=np.float64)
    C, n, w = int(x.shape[0]), int(x.shape[1]), int(window.shape[0])
    nf = max(0, (n - w) // int(step) + 1) if n >= w else 0
    if nf == 0 or C == 0:
        return xp.zeros((C, nf, w))
    view = xp.lib.stride_tricks.as_strided(
        x, shape=(C, nf, w), strides=(x.strides[0], int(step) * x.strides[1], x.strides[1])
    )
    win = xp.asarray(window, dtype=np.float64)[None, None, :]
    if not detrend:
        return xp.ascontiguousarray(view * win)
    fr = view - view.mean(axis=-1, keepdims=True)
    if detrend == 2:
        tc = xp.arange(w, dtype=np.float64) - (w - 1) / 2.0
        cc = float((tc * tc).sum())
        if cc > 0:
            fr -= ((fr @ tc) / cc)[..., None] * tc
    return xp.ascontiguousarray(fr * win)
