"""Trend removal: ``detrend``, as :func:`scipy.signal.detrend`.

A linear detrend removes from each segment ``[b_k, b_{k+1})`` between breakpoints the
least-squares line; with ``t`` the sample index centred on the segment's middle
(``sum(t) = 0``) that line is ``mean(x) + s t`` with slope ``s = sum(t x) / sum(t^2)``
(Bendat & Piersol, *Random Data*, 4th ed., 11.1.2).  A constant detrend removes the
mean.  Tables (pandas DataFrames, Arrow tables) are detrended down their rows and
come back as tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _validate
from ..data import as_raw
from ._frames import rescale, scale_down
from ._inputs import channels, from_channels, read_signal

__all__ = ["detrend"]

_TYPES = ("linear", "l", "constant", "c")
#: the dtypes SciPy keeps (float32, float64, complex64, complex128); others become float64
_KEPT = frozenset(np.dtype(c) for c in "fdFD")


def detrend(data, axis=None, type="linear", bp=0, overwrite_data=False):
    """Remove the least-squares line (or the mean) from ``data`` along ``axis``.

    Parameters
    ----------
    data : array_like, DataFrame or Arrow data
        The signal, of any shape (at least 1-D); detrended along ``axis``.  It must be
        finite: NaN or infinity raises :class:`~pyjl.exceptions.InputError` naming its
        position (SciPy returns NaN for the whole segment), as every ``pyjl.dsp`` function.
    axis : int, optional
        The axis detrended: -1 for arrays (SciPy's default), 0 (time down the rows)
        for tables.
    type : {'linear', 'constant'}, default 'linear'
        ``'linear'`` (or ``'l'``) subtracts a least-squares line fitted to each
        segment; ``'constant'`` (or ``'c'``) subtracts the mean.
    bp : int or array_like of int, default 0
        Breakpoints (sample indices in ``[0, N]``, ``N = data.shape[axis]``, any order,
        repeats allowed): a line is fitted to each segment between consecutive sorted
        breakpoints, ``0`` and ``N`` always included.  A one-sample segment becomes 0.
        Used only when ``type='linear'``.
    overwrite_data : bool, default False
        With ``type='linear'`` and a NumPy array of float32, float64, complex64 or
        complex128, detrend it in place (the result is ``data``'s memory).  A pandas
        or Arrow input is never modified.

    Returns
    -------
    ret : ndarray, DataFrame or Arrow data, shape of ``data``
        The detrended signal, in ``data``'s form and dtype when that is float32, float64,
        complex64 or complex128 (float16 too for ``'constant'``, as SciPy), else float64;
        a big-endian array keeps its byte order with ``'linear'`` (SciPy's dtypes).
        An empty input gives an empty result.

    Notes
    -----
    The line and the mean are computed in double precision and the result rounded to
    single where the data are single (SciPy fits in single precision), so results agree
    with SciPy's to rounding.  Breakpoints beyond ``N``, negative, fractional or
    nested are refused with :class:`~pyjl.exceptions.InputError`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl.dsp import detrend
    >>> x = 3.0 + 0.5 * np.arange(8) + np.array([1, -1] * 4)
    >>> detrend(x).round(3)
    array([ 0.667, -1.238,  0.857, -1.048,  1.048, -0.857,  1.238, -0.667])
    >>> bool(np.allclose(detrend(x), signal.detrend(x)))
    True
    >>> detrend(x, type="constant")[:3]
    array([-0.75, -2.25,  0.25])

    Two lines meeting at sample 3 are removed exactly with a breakpoint there:

    >>> t = np.arange(6.0)
    >>> detrend(np.where(t < 3, t, 10 - 2 * t), bp=3).round(12) + 0.0
    array([0., 0., 0., 0., 0., 0.])
    """
    kind = _validate.choice(type, "type", _TYPES)
    overwrite = _validate.boolean(overwrite_data, "overwrite_data")
    sig = read_signal(data, name="data", axis=axis, min_len=0)
    linear = kind in ("linear", "l")
    dt = _result_dtype(sig.dtype, linear)
    if linear and isinstance(data, np.ndarray) and data.dtype.newbyteorder("=") == dt:
        dt = data.dtype  # SciPy's linear detrend keeps the byte order too
    breaks = _breakpoints(bp, sig.n, sig.axis) if linear else []
    if sig.values.size == 0:
        return sig.restore(np.zeros(sig.values.shape, dt))
    x2, outer = channels(sig.values, sig.axis)
    x2, s = scale_down(x2)  # peaks near the float64 limits: a power of two per channel
    if linear:
        y2 = np.empty(x2.shape, np.result_type(x2.dtype, np.float64))
        for start, stop in zip(breaks[:-1], breaks[1:]):
            y2[:, start:stop] = _residual(x2[:, start:stop])
    else:
        # the mean accumulates in double: float32 and float16 round once, at the end
        y2 = x2.astype(np.result_type(x2.dtype, np.float64))
        y2 -= y2.mean(axis=-1, keepdims=True)
    y = from_channels(rescale(y2, (s,), "detrend's output", dt), outer, sig.axis)
    if linear and overwrite and _writable_self(data):
        data[...] = y
        return data
    return sig.restore(y)


def _result_dtype(own: np.dtype, linear: bool) -> np.dtype:
    """SciPy's result dtype: a kept one stays, float16 stays for ``'constant'`` (SciPy
    subtracts a float16 mean), any other (integers, bools) is float64."""
    if own in _KEPT or (not linear and own == np.float16):
        return np.dtype(own)
    return np.dtype(np.float64)


def _writable_self(data: Any) -> bool:
    """Whether ``data`` is a writable NumPy array of a kept dtype (detrended in place)."""
    return (
        type(data) is np.ndarray and data.dtype.newbyteorder("=") in _KEPT and data.flags.writeable
    )


def _residual(seg: np.ndarray) -> np.ndarray:
    """``seg`` less its least-squares line along the last axis, in double precision."""
    n = seg.shape[-1]
    wide = seg.astype(np.result_type(seg.dtype, np.float64))
    wide -= wide.mean(axis=-1, keepdims=True)
    if n > 1:
        t = np.arange(n, dtype=np.float64) - (n - 1) / 2.0
        slope = (wide @ t) / (t @ t)
        wide -= slope[..., None] * t
    return wide


def _breakpoints(bp, n: int, axis: int) -> list[int]:
    """The sorted unique breakpoints ``[0, *bp, n]``, or InputError naming ``bp``."""
    arr = np.asarray(as_raw(bp, "bp"))
    integral = arr.dtype.kind in "iu" or (
        arr.dtype.kind == "f" and bool(np.all(np.isfinite(arr) & (arr == np.round(arr))))
    )
    if arr.ndim > 1 or not integral:
        raise _validate.error(
            "bp",
            "must be an integer or a 1-D sequence of integer sample indices",
            _validate.describe(bp),
            "pass breakpoints such as bp=[100, 250]",
            wrong_type=arr.ndim <= 1,
        )
    points = np.atleast_1d(arr).astype(np.int64)
    bad = points[(points < 0) | (points > n)]
    if bad.size:
        raise _validate.error(
            "bp",
            f"must hold sample indices in [0, {n}] ({n}: the length of `data` along axis {axis})",
            f"{int(bad[0])}",
            f"pass breakpoints between 0 and {n}",
        )
    return [int(p) for p in np.unique(np.concatenate(([0], points, [n])))]
