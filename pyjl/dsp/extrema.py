"""Relative extrema (``argrelmin``, ``argrelmax``, ``argrelextrema``) and the vector
strength of event times (``vectorstrength``), as :mod:`scipy.signal`'s.

Sample ``i`` is a relative extremum of order ``k`` when ``comparator(x[i], x[i +- j])``
holds for every ``j = 1 ... k`` (``np.greater``: a maximum).  Beyond the ends the signal
repeats its end sample (``mode='clip'``, so a strict comparator never picks an end) or
wraps around (``'wrap'``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .. import _validate, data
from ._design_args import scalar
from ._frames import check_size
from ._inputs import own_values, read_signal

__all__ = ["argrelmin", "argrelmax", "argrelextrema", "vectorstrength"]

_MODES = ("clip", "wrap")


def argrelmin(data, axis=0, order=1, mode="clip"):
    """The indices of the relative minima of ``data`` along ``axis``.

    :func:`argrelextrema` with ``comparator=np.less``: a sample strictly below its
    ``order`` neighbours on either side (a flat minimum is not one).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import argrelmin
    >>> argrelmin(np.array([2, 1, 2, 3, 2, 0, 1, 0]))
    (array([1, 5]),)
    """
    return argrelextrema(data, np.less, axis, order, mode)


def argrelmax(data, axis=0, order=1, mode="clip"):
    """The indices of the relative maxima of ``data`` along ``axis``.

    :func:`argrelextrema` with ``comparator=np.greater``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import argrelmax
    >>> x = np.array([[1, 2, 1, 3], [4, 3, 5, 2]])
    >>> argrelmax(x, axis=1)
    (array([0, 1]), array([1, 2]))
    >>> argrelmax(np.array([3, 1, 2, 1.0]), mode="wrap")
    (array([0, 2]),)
    """
    return argrelextrema(data, np.greater, axis, order, mode)


def argrelextrema(data, comparator, axis=0, order=1, mode="clip"):
    """The indices of the relative extrema of ``data`` along ``axis``.

    Parameters
    ----------
    data : array_like, pandas Series/DataFrame or Arrow data
        Real, finite samples of any shape (NaN is refused naming its position: SciPy's
        comparisons with NaN are silently false).  Integers are compared as they are.
    comparator : callable
        ``comparator(a, b)`` returns a boolean array, True where ``a`` beats ``b``
        elementwise (``np.greater``, ``np.less_equal``, ...).
    axis : int or None, default 0
        The axis searched (SciPy's default 0, also for arrays); None follows pyjl's
        time-axis rule (-1 for arrays, 0 for tables), where SciPy fails.
    order : int >= 1, default 1
        How many neighbours on each side must lose to the sample (an order beyond the
        length along ``axis`` compares nothing more: SciPy loops on, pyjl stops there).
    mode : {'clip', 'wrap'}, default 'clip'
        Beyond the ends: the end sample repeated, or the other end (periodic data).

    Returns
    -------
    extrema : tuple of ndarray of intp
        The indices of the extrema, one array per dimension of ``data``
        (``numpy.nonzero``'s form, so ``data[extrema]`` are their values).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import argrelextrema
    >>> x = np.array([1, 3, 3, 1, 4, 2.0])
    >>> argrelextrema(x, np.greater)
    (array([4]),)
    >>> argrelextrema(x, np.greater_equal)
    (array([1, 2, 4]),)
    >>> argrelextrema(x, np.greater, order=2)
    (array([4]),)
    """
    if not callable(comparator):
        raise _validate.error(
            "comparator",
            "must be a callable comparing two arrays elementwise",
            _validate.describe(comparator),
            "pass e.g. np.greater or np.less",
            wrong_type=True,
        )
    n_order = _validate.integer(scalar(order), "order", low=1, fix="pass a whole number >= 1")
    how = _validate.choice(mode, "mode", _MODES)
    sig = read_signal(data, name="data", axis=axis, min_len=0, by_channel=False)
    if sig.dtype.kind == "c":
        raise _validate.error(
            "data",
            "must be real (extrema compare values; complex numbers have no order)",
            f"dtype {sig.dtype}",
            "pass the real part or the magnitude (abs(x))",
        )
    values = own_values(data, sig) if sig.dtype.kind in "iu" else sig.values
    wrap = how == "wrap"
    return np.nonzero(_extrema(values, comparator, sig.axis, n_order, "wrap" if wrap else "clip"))


def _extrema(
    x: np.ndarray, comparator, axis: int, order: int, mode: Literal["clip", "wrap"]
) -> np.ndarray:
    """Where ``comparator(x, neighbour)`` holds for all ``2 * order`` neighbours."""
    n = x.shape[axis]
    locs = np.arange(n)
    result = np.ones(x.shape, dtype=bool)
    # shifts beyond n repeat comparisons made (clipped to the ends, or wrapped around)
    for shift in range(1, min(order, max(n, 1)) + 1):
        for side in (locs + shift, locs - shift):
            neighbour = x.take(side, axis=axis, mode=mode)
            result &= _compared(comparator, x, neighbour)
        if not result.any():
            break
    return result


def _compared(comparator, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    got = np.asarray(comparator(a, b))
    if got.shape != a.shape or got.dtype.kind not in "bi":
        raise _validate.error(
            "comparator",
            f"must return a boolean array of data's shape {a.shape}",
            f"{got.dtype} values of shape {got.shape}",
            "pass an elementwise comparison such as np.greater",
        )
    return got.astype(bool, copy=False)


def vectorstrength(events, period):
    """The vector strength and phase of event times relative to a period.

    Each event at time ``t`` is the unit vector ``exp(2j pi t / period)``; their mean has
    length ``strength`` (1: every event at the same phase, 0: none preferred) and angle
    ``phase`` (radians, in ``(-pi, pi]``).  Several periods give the resonating vector
    strength, one value per period (van Hemmen, Longtin & Vollmayr, *Chaos* 21, 047508,
    2011).

    Parameters
    ----------
    events : 1-D array_like or pandas/Arrow data
        Event times, finite, at least one.
    period : float or 1-D array_like
        Period(s), finite and > 0, in the units of ``events``.  Float32 periods compute in
        float32, as SciPy (events are cast to the period's dtype).

    Returns
    -------
    strength, phase : float, or ndarrays of shape (n_periods,) when ``period`` is an array

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import vectorstrength
    >>> s, p = vectorstrength([0.1, 1.1, 2.1, 4.1], 1.0)
    >>> round(float(s), 6), round(float(p / (2 * np.pi)), 6)
    (1.0, 0.1)
    >>> s, p = vectorstrength([0.0, 0.25, 0.5, 0.75], [1.0, 2.0])
    >>> s.round(6)
    array([0.      , 0.653281])
    """
    per = _periods(period)
    ev = data.as_array(events, name="events", dtype=per.dtype, allow_empty=True)
    if ev.ndim > 1 or ev.size == 0:
        raise _validate.error(
            "events",
            "must be a non-empty 1-D array of event times",
            f"shape {ev.shape}",
            "pass a flat array such as [0.1, 1.1, 2.1]",
        )
    ev = np.atleast_1d(ev)
    check_size(per.size * ev.size, "events", f"{ev.size} events x {per.size} periods")
    with np.errstate(over="ignore", invalid="ignore"):
        vectors = np.exp(2j * np.multiply.outer(np.pi / np.atleast_1d(per), ev))
    if not np.all(np.isfinite(vectors)):
        raise _validate.error(
            "events",
            "must stay within a finite number of periods (2 pi events / period finite)",
            f"max |events| = {np.max(np.abs(ev))!r}, min period = {np.min(per)!r}",
            "shift the events towards 0 (subtract a multiple of the period)",
        )
    mean = vectors.mean(axis=1)
    strength, phase = np.abs(mean), np.arctan2(mean.imag, mean.real)
    if per.ndim == 0:
        return strength[0], phase[0]
    return strength, phase


def _periods(period) -> np.ndarray:
    """``period`` checked: a 0-d or 1-D float64 (float32 kept) array of values > 0."""
    raw = data.as_raw(period, "period")
    dtype = np.float32 if raw.dtype == np.float32 else np.float64
    per = data.as_array(period, name="period", dtype=dtype)
    if per.ndim > 1:
        raise _validate.error(
            "period",
            "must be a number or a 1-D array of periods",
            f"shape {per.shape}",
            "pass e.g. 1.0 or [1.0, 2.0]",
        )
    bad = np.flatnonzero(np.ravel(per) <= 0)
    if bad.size:
        raise _validate.error(
            "period",
            "must be > 0",
            f"{np.ravel(per)[bad[0]]!r}" + (f" at index {bad[0]}" if per.ndim else ""),
            "pass positive periods",
        )
    return per
