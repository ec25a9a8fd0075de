"""Framed FFTs shared by the spectral estimators and the STFT.

A frame ``k`` of a channel is ``detrend(x[k*step : k*step + nperseg]) * win``
(the engine's ``stft_frames`` kernel, threaded over frames); its spectrum is
``scipy.fft.rfft`` (real data, one-sided) or ``fft`` (two-sided) with
``workers`` set to the thread bound.  Long signals are framed and transformed
in groups of frames, so memory stays bounded when only an average is kept.
"""

from __future__ import annotations

import decimal
import functools
import os

import numpy as np
import scipy.fft as sfft
from scipy.signal import get_window

from .. import _config, _validate
from .._warn import warn
from ..data import all_finite, as_raw
from ..engines import current
from ..exceptions import NumericalWarning
from ._memo import by_value
from .windows import WARNS, check_finite

__all__ = [
    "window_array",
    "window_of_length",
    "detrend_code",
    "framed_fft",
    "frame_groups",
    "workers",
    "power_of_two_scale",
    "scale_down",
    "filter_finite",
    "rescale",
    "check_size",
]

_DETREND = {False: 0, None: 0, "constant": 1, "linear": 2}
_F64, _C128 = np.dtype(np.float64), np.dtype(np.complex128)
#: values one BLAS dot product takes on the calling thread (OpenBLAS threads above 10,000)
_DOT = 8192
#: inputs whose magnitude stays within [2**-400, 2**400] square and sum without
#: overflow or subnormal loss; beyond it data are scaled by a power of two (exact)
_SAFE_EXP = 400


def workers(n_values: int, n_fft: int) -> int:
    """Threads for ``scipy.fft`` transforms of ``n_values`` values in all, each of length
    ``n_fft``: the ``pyjl.set_num_threads`` bound, and at most one thread per ``2**19``
    multiply-adds (about ``2 n log2(n_fft)``), as the kernels, so that a small transform
    stays on the caller's thread.  Threads change no bit of the result."""
    work = 2 * int(n_values) * max(1, int(n_fft).bit_length())
    if work >> 19 < 2:
        return 1
    return max(1, min(int(_config.get("num_threads")), work >> 19))


def _check_values(win: np.ndarray, name: str, spec) -> np.ndarray:
    """A 1-D, real, finite window that is not all zeros, as float64."""
    if win.ndim != 1:
        raise _validate.error(
            name,
            "must be 1-D",
            f"an array of shape {win.shape}",
            "pass a flat array of window values",
        )
    if win.dtype.kind not in "biuf":
        raise _validate.error(
            name, "must be real", f"values of dtype {win.dtype}", "pass float window values"
        )
    bad = np.flatnonzero(~np.isfinite(win))
    if bad.size:
        raise _validate.error(
            name,
            "must be finite",
            f"{win[bad[0]].item()} at index {bad[0]}",
            "pass finite window values",
        )
    if win.size and not np.any(win):
        raise _validate.error(
            name,
            "must not be all zeros (every frame would vanish)",
            f"{spec!r} of length {win.size}"
            if isinstance(spec, (str, tuple))
            else f"{win.size} zeros",
            "pass a window with non-zero weights, e.g. 'hann'",
        )
    return np.asarray(win, dtype=np.float64)


def window_array(window, nperseg: int, name: str = "window") -> np.ndarray:
    """``get_window(window, nperseg)`` for a name/tuple (NaN, infinite or complex
    parameters refused), else the validated array; either way 1-D, real, finite and
    not all zeros (float64)."""
    if isinstance(window, (str, tuple)):
        kind = window if isinstance(window, str) else window[0] if window else None
        if kind in WARNS:  # computed (and warning) every time
            return _make_window(window, nperseg, name)
        return _named_window(window, nperseg, name)
    return _check_values(as_raw(window, name), name, window)


def window_of_length(window, nperseg: int) -> np.ndarray:
    """:func:`window_array` of a window that must have ``nperseg`` values (a name or
    tuple gives them; an array must have them)."""
    win = window_array(window, nperseg)
    if win.size != nperseg:
        raise _validate.error(
            "window",
            f"must have length nperseg = {nperseg}",
            f"length {win.size}",
            "pass a window of nperseg values (or a window name)",
        )
    return win


def _make_window(window, nperseg: int, name: str) -> np.ndarray:
    """The window ``get_window(window, nperseg)``, checked."""
    check_finite(window, name)
    try:
        win = np.array(get_window(window, nperseg), dtype=np.float64)
    except (ValueError, TypeError, IndexError) as exc:  # IndexError: an empty tuple
        raise _validate.error(
            name,
            "must be a window SciPy knows",
            repr(window),
            f"use a name from pyjl.dsp.windows, e.g. 'hann' ({exc})",
        ) from exc
    return _check_values(win, name, window)


_named_window = by_value(_make_window, shared=True)  # once per value, read-only


@functools.lru_cache(maxsize=1)
def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 40


def check_size(n_values, name: str, value, itemsize: int = 16, what: str = "result") -> None:
    """Refuse an argument whose ``what`` (``n_values`` numbers: the result, a filter)
    cannot fit in this machine's memory, before NumPy fails to allocate it."""
    need, have = int(n_values) * itemsize, _memory_bytes()
    if need > have:
        raise _validate.error(
            name,
            f"must give a{'n' if what[0] in 'aeiou' else ''} {what} "
            f"that fits in memory ({_gib(need)} GiB needed, {_gib(have)} GiB here)",
            value,
            "pass a smaller value",
        )


def _gib(n_bytes: int) -> str:
    """``n_bytes`` in GiB to 3 digits (in decimal arithmetic: a count past the float range
    has no float quotient)."""
    return f"{decimal.Decimal(n_bytes) / 2**30:.3g}"


def _in_safe_range(x: np.ndarray, axis: int) -> bool:
    """Whether every channel's peak along ``axis`` is shown inside ``[2**-400, 2**400]``
    (so every value finite) by its sum of squares: per channel ``max|x|^2 <= sum|x|^2 <=
    n max|x|^2``, so sums within ``[n 2**-798, 2**798]`` do.  One dot product for one
    short channel (BLAS runs it on this thread), else one pass of them; complex values as
    their real and imaginary parts (``n`` counting both).  False: not shown (other
    dtypes and axes, zeros, NaN or infinity, or a peak outside)."""
    real = x.dtype == _F64
    if not (
        (real or (x.dtype == _C128 and x.flags.c_contiguous))
        and (axis == -1 or axis == x.ndim - 1)
    ):
        return False
    xr = x if real else x.view(_F64)
    n, lo, hi = xr.shape[-1], 2.0 ** (2 - 2 * _SAFE_EXP), 2.0 ** (2 * _SAFE_EXP - 2)
    if xr.size <= _DOT:
        total = float(np.vdot(xr, xr))
        if not total <= hi:
            return False
        if xr.size == n:
            return n * lo <= total
        # every row's sum lies below the finite total: no overflow, no NaN to look for
        return n * lo <= min(np.vecdot(xr, xr).ravel().tolist())
    if xr.size == n and n <= 8 * _DOT and xr.flags.c_contiguous:  # a few dot products
        flat = xr.reshape(-1)
        total = sum(
            float(np.vdot(flat[i : i + _DOT], flat[i : i + _DOT])) for i in range(0, n, _DOT)
        )
        return n * lo <= total <= hi
    with np.errstate(over="ignore", invalid="ignore"):
        if xr.size == n and xr.flags.c_contiguous:  # one long channel: its sum by pieces
            flat = xr.reshape(-1)
            m = n // 4096 * 4096
            head, tail = flat[:m].reshape(-1, 4096), flat[m:]
            total = float(np.vecdot(head, head).sum()) + float(np.vdot(tail, tail))
            return n * lo <= total <= hi
        # rows of at most 4,096 values by BLAS dot products (on this thread), longer by einsum
        ss = (np.vecdot(xr, xr) if n <= 4096 else np.einsum("...i,...i->...", xr, xr)).ravel()
    return bool(n * lo <= ss.min() and ss.max() <= hi)


def power_of_two_scale(x: np.ndarray, axis: int = -1):
    """Powers of two ``s`` (``x``'s shape with ``axis`` kept as 1) with ``max|x| / s``
    in [1, 2) along ``axis``, for the channels whose peak lies outside
    ``[2**-400, 2**400]`` (their squares and long sums over- or underflow; other
    channels get 1), or None when no channel needs it.  Dividing by ``s`` is exact,
    so results scaled back are unchanged.  ``s`` is never below ``2**-1022`` (a peak
    below it, subnormal, is divided into ``[2**-52, 1)``): NumPy divides a complex
    value by ``s`` through ``1 / s``, infinite for a subnormal ``s``."""
    if x.size == 0 or _in_safe_range(x, axis):
        return None
    return _exact_scale(x, axis)


def _exact_scale(x: np.ndarray, axis: int):
    if np.iscomplexobj(x):
        peak = np.max(np.abs(x), axis=axis, keepdims=True).astype(np.float64)
    else:  # two reductions, no |x| temporary of the data's size
        peak = np.maximum(
            np.max(x, axis=axis, keepdims=True), -np.min(x, axis=axis, keepdims=True)
        ).astype(np.float64)
    odd = (peak > 0) & ((peak < 2.0**-_SAFE_EXP) | (peak > 2.0**_SAFE_EXP))
    if not np.any(odd):
        return None
    return np.where(odd, np.ldexp(1.0, np.maximum(np.frexp(peak)[1] - 1, -1022)), 1.0)


def scale_down(x: np.ndarray, axis: int = -1, require_finite=None):
    """``(x / s, s)`` with ``s`` from :func:`power_of_two_scale` (``x`` itself if None).

    ``require_finite``: for ``x`` read without the finiteness check, a callable that raises
    the reader's error on NaN or infinity; called unless the range check has shown every
    value finite (one pass for both checks)."""
    if x.size == 0 or _in_safe_range(x, axis):
        return x, None
    if require_finite is not None:
        require_finite()
    s = _exact_scale(x, axis)
    return (x if s is None else x / s), s


def filter_finite(y, zf, recursive: bool) -> bool:
    """Whether a filter's output ``y (n_channels, n)`` is finite, from its final state
    ``zf (n_channels, ...)`` where that is exact.

    In a recursion (a second-order section, an IIR direct form) an infinite or NaN
    value of the output or of the input feeds the state through ``a_k * y`` or
    ``b_k * x`` (``0 * inf`` is NaN too) and every later state stays non-finite, so
    a finite ``zf`` proves the whole output, and the input, finite: no pass over
    ``y``.  FIR filters (``recursive=False``) or an empty state check ``y``."""
    if recursive and y.shape[-1] > 0 and zf.size > 0 and zf.shape[0] == y.shape[0]:
        return all_finite(zf)
    return all_finite(y)


def rescale(res: np.ndarray, factors, what: str, dtype=None, bounded: bool = False) -> np.ndarray:
    """``res`` multiplied by each factor in turn (scaled data scaled back) and cast to
    ``dtype``, with a :class:`~pyjl.exceptions.NumericalWarning` if the result is not
    finite: the true value exceeds the range of the result's dtype.  ``bounded``: the
    caller has shown the result cannot overflow (no factor, and inputs far inside the
    float64 range), so the check's pass over the result is skipped."""
    factors = [f for f in factors if f is not None]
    if factors or (dtype is not None and res.dtype != dtype):
        with np.errstate(over="ignore"):
            for f in factors:
                res = res * (
                    f if np.ndim(f) == 0 else f.reshape(f.shape + (1,) * (res.ndim - f.ndim))
                )
            if dtype is not None:
                res = res.astype(dtype, copy=False)
    if not bounded and res.size and not all_finite(res) and not np.all(np.isfinite(res)):
        warn(
            f"{what} is not finite for {int(np.sum(~np.isfinite(res)))} of "
            f"{res.size} values: the result exceeds the range of {res.dtype}. "
            "Rescale the input (e.g. divide it by its maximum) and scale the "
            "result back.",
            NumericalWarning,
        )
    return res


def detrend_code(detrend):
    """0/1/2 for none/constant/linear, or the callable itself."""
    if callable(detrend):
        return detrend
    if isinstance(detrend, (str, bool, np.bool_)) or detrend is None:
        if detrend in _DETREND:
            return _DETREND[detrend]
    raise _validate.error(
        "detrend",
        "must be 'constant', 'linear', False or a callable",
        _validate.describe(detrend),
        "pick one of those",
    )


def frame_groups(n_frames: int, frame_len: int, n_channels: int, budget: int = 1 << 18):
    """``(rows, frames)`` slice pairs covering every channel and frame, each group
    about ``budget`` samples (2 MB: frames, spectra and their squares stay in
    cache): blocks of whole channels (contiguous rows, no copy) or, for long
    channels, runs of frames of one channel (a contiguous piece of its row)."""
    per_channel = max(1, n_frames * frame_len)
    if per_channel <= budget:
        rows = max(1, budget // per_channel)
        return [
            (slice(c, min(n_channels, c + rows)), slice(0, n_frames))
            for c in range(0, n_channels, rows)
        ]
    per = max(1, budget // max(1, frame_len))
    return [
        (slice(c, c + 1), slice(a, min(n_frames, a + per)))
        for c in range(n_channels)
        for a in range(0, n_frames, per)
    ]


def _frames_real(x2, win, step, det, frames):
    """Windowed, detrended frames ``frames`` (a slice) of real ``x2 (C, n)``."""
    L = win.size
    if frames.start == 0 and frames.stop == (x2.shape[1] - L) // step + 1:
        part = x2  # every frame: no slicing, no copy
    else:
        lo, hi = frames.start * step, (frames.stop - 1) * step + L
        part = np.ascontiguousarray(x2[:, lo:hi])  # a view for one channel
    eng = current()
    if callable(det):
        raw = eng.stft_frames(part, np.ones(L), step, 0)
        return np.asarray(det(raw), dtype=np.float64) * win
    return eng.stft_frames(part, win, step, det)


def framed_fft(x2, win, step, nfft, det, onesided, frames=None):
    """Spectra ``(C, n_frames, n_freq)`` of the frames of ``x2`` (real or complex)."""
    L = win.size
    n_frames = (x2.shape[1] - L) // step + 1
    if frames is None:
        frames = slice(0, n_frames)
    if np.iscomplexobj(x2):
        fr = _frames_real(
            np.ascontiguousarray(x2.real, dtype=np.float64), win, step, det, frames
        ) + 1j * _frames_real(
            np.ascontiguousarray(x2.imag, dtype=np.float64), win, step, det, frames
        )
    else:
        fr = _frames_real(np.ascontiguousarray(x2, dtype=np.float64), win, step, det, frames)
    w = workers(fr.size // max(1, L) * nfft, nfft)
    if onesided:
        return sfft.rfft(fr, n=nfft, axis=-1, workers=w)
    return sfft.fft(fr, n=nfft, axis=-1, workers=w)
