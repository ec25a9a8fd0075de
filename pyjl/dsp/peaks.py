"""Peak finding: ``find_peaks``, ``peak_prominences`` and ``peak_widths``, as
:func:`scipy.signal.find_peaks` and its helpers.

pyjl checks every argument first (each refusal an :class:`~pyjl.exceptions.InputError`
naming the argument), then SciPy computes, so peaks and properties are SciPy's to the
bit.  The signal must be finite: beside a NaN SciPy misses peaks and cuts prominence
searches short (``NaN < a`` and ``NaN > a`` are both false), a silently wrong answer.
A peak is a local maximum (of a flat top, its middle sample, rounded down); its
prominence is its height above the higher of the lowest points that separate it from
higher ground on either side (topographic prominence), and its width is measured where
the signal crosses ``x[peak] - rel_height * prominence``, interpolated linearly.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import scipy.signal as _ss

from .. import _validate, data
from ..exceptions import InputError
from ._design_args import call_scipy, scalar
from ._inputs import TABLE_KINDS

__all__ = ["find_peaks", "peak_prominences", "peak_widths"]

_CONDITIONS = ("height", "threshold", "prominence", "width", "plateau_size")


def find_peaks(
    x,
    height=None,
    threshold=None,
    distance=None,
    prominence=None,
    width=None,
    wlen=None,
    rel_height=0.5,
    plateau_size=None,
):
    """Find the peaks (local maxima) of a 1-D signal that meet the given conditions.

    Parameters
    ----------
    x : array_like, pandas Series, one-column DataFrame or Arrow array
        The signal, 1-D and finite: NaN or infinity raises
        :class:`~pyjl.exceptions.InputError` naming its index (SciPy misses peaks
        beside a NaN).
    height, threshold, prominence, width, plateau_size : number, array or pair, optional
        Conditions on each peak's height ``x[peak]``, its vertical distance to its
        neighbours (both must meet it), its prominence, its width (in samples) and the
        length of its flat top: a minimum, or a ``(min, max)`` pair where either side may
        be None; an array of ``x``'s length gives a bound per sample.  A condition given
        (even ``(None, None)``) adds its property to ``properties``.  Bounds must be
        finite (None is no bound), and a ``min`` above ``max`` is refused.
    distance : number >= 1, optional
        Minimal horizontal distance (in samples, rounded up) between kept peaks; the
        smaller peaks are removed first.
    wlen : number > 1, optional
        Window length (in samples, rounded up) limiting where the prominence looks for
        bases; by default the whole signal.  Used with ``prominence`` or ``width``.
    rel_height : float >= 0, default 0.5
        Where widths are measured, as a fraction of the prominence below the peak
        (0.5: full width at half prominence).  Used with ``width``.

    Returns
    -------
    peaks : ndarray of intp
        Positions of the peaks in ``x`` (positions, not a Series' index labels).
    properties : dict
        The properties of the conditions given, each an array per peak, with SciPy's
        keys: ``plateau_sizes``, ``left_edges``, ``right_edges``, ``peak_heights``,
        ``left_thresholds``, ``right_thresholds``, ``prominences``, ``left_bases``,
        ``right_bases``, ``widths``, ``width_heights``, ``left_ips``, ``right_ips``.

    See Also
    --------
    peak_prominences, peak_widths

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import find_peaks
    >>> x = np.array([0, 2, 1, 3, 0, 1, 1, 0, 5, 0.0])
    >>> find_peaks(x)[0]
    array([1, 3, 5, 8])
    >>> peaks, props = find_peaks(x, height=1.5, prominence=(2, None))
    >>> peaks, props["peak_heights"], props["prominences"]
    (array([3, 8]), array([3., 5.]), array([3., 5.]))
    >>> find_peaks(x, distance=4)[0]
    array([3, 8])
    """
    values = _signal(x)
    n = values.size
    kwargs: dict[str, Any] = {
        name: _condition(value, name, n)
        for name, value in zip(_CONDITIONS, (height, threshold, prominence, width, plateau_size))
    }
    if distance is not None:
        d = _validate.real(scalar(distance), "distance", low=1, fix="pass distance >= 1 samples")
        kwargs["distance"] = min(d, float(n + 1))  # any distance beyond n keeps one peak
    # wlen and rel_height act through prominence and width only: unused, SciPy takes any
    measured = prominence is not None or width is not None
    rel = _rel_height(rel_height) if width is not None else rel_height
    window = _wlen(wlen, n) if measured else wlen
    peaks, props = call_scipy(_ss.find_peaks, values, wlen=window, rel_height=rel, **kwargs)
    return _finite(peaks, props, rel), props


def peak_prominences(x, peaks, wlen=None):
    """The prominence of each peak of ``x``, and the bases that define it.

    Parameters
    ----------
    x : array_like, pandas Series, one-column DataFrame or Arrow array
        The signal, 1-D and finite (NaN or infinity is refused, naming its index).
    peaks : array_like of int
        Indices into ``x`` (usually from :func:`find_peaks`); any order.
    wlen : number > 1, optional
        Window length (in samples, rounded up) centred on each peak where the bases
        are looked for; by default the whole signal.

    Returns
    -------
    prominences : ndarray of float64
        Each peak's height above the higher of its two bases (0 warns, as SciPy, with
        ``PeakPropertyWarning``).
    left_bases, right_bases : ndarray of intp
        The lowest points on each side, before higher ground or the window's end.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import peak_prominences
    >>> x = np.array([-1, 1.2, 1.2, 1, 3.2, 1.3, 2.88, 2.1])
    >>> prominences, left, right = peak_prominences(x, [1, 4, 6])
    >>> prominences.round(2), left, right
    (array([0.2 , 1.9 , 0.78]), array([0, 0, 5]), array([3, 5, 7]))
    """
    values = _signal(x)
    idx = _peaks(peaks, values.size)
    out = call_scipy(_ss.peak_prominences, values, idx, wlen=_wlen(wlen, values.size))
    _finite(idx, {"prominences": out[0]}, 0.0)
    return out


def peak_widths(x, peaks, rel_height=0.5, prominence_data=None, wlen=None):
    """The width of each peak of ``x`` at a height relative to its prominence.

    Parameters
    ----------
    x : array_like, pandas Series, one-column DataFrame or Arrow array
        The signal, 1-D and finite (NaN or infinity is refused, naming its index).
    peaks : array_like of int
        Indices into ``x`` (usually from :func:`find_peaks`).
    rel_height : float >= 0, default 0.5
        The height of the measure below each peak, as a fraction of its prominence:
        0.5 gives the full width at half prominence, 1 the width at the higher base.
    prominence_data : tuple of 3 arrays, optional
        ``(prominences, left_bases, right_bases)`` as returned by
        :func:`peak_prominences` for these ``peaks``; computed when not given.
    wlen : number > 1, optional
        The prominence window (see :func:`peak_prominences`); used only when
        ``prominence_data`` is None.

    Returns
    -------
    widths : ndarray of float64
        The widths in samples (0 warns, as SciPy, with ``PeakPropertyWarning``).
    width_heights : ndarray of float64
        The heights at which the widths were measured.
    left_ips, right_ips : ndarray of float64
        The interpolated positions where each peak crosses its width height.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import peak_widths
    >>> x = np.array([1, 0, 1, 2, 1, 0, -1.0])
    >>> peak_widths(x, [3])
    (array([2.]), array([1.]), array([2.]), array([4.]))
    >>> peak_widths(x, [3], rel_height=1.0)[0]
    array([4.])
    """
    values = _signal(x)
    n = values.size
    idx = _peaks(peaks, n)
    rel = _rel_height(rel_height)
    window = _wlen(wlen, n)
    if prominence_data is None:
        out = call_scipy(_ss.peak_widths, values, idx, rel_height=rel, wlen=window)
    else:
        data3 = _bases(prominence_data, idx, n)
        out = call_scipy(_ss.peak_widths, values, idx, rel_height=rel, prominence_data=data3)
    _finite(idx, dict(zip(("widths", "width_heights", "left_ips", "right_ips"), out)), rel)
    return out


def _finite(peaks: np.ndarray, props: dict, rel: float) -> np.ndarray:
    """``peaks``, once every float property is finite: SciPy's differences and heights
    overflow silently for data spanning more than the float64 range (or a huge
    ``rel_height``)."""
    for key, arr in props.items():
        bad = np.flatnonzero(~np.isfinite(arr)) if arr.dtype.kind == "f" else np.empty(0, int)
        if bad.size:
            i = int(bad[0])
            own = key == "width_heights" and rel > 1
            raise _validate.error(
                "rel_height" if own else "x",
                "must keep every peak property finite in float64",
                f"{key} {arr[i]} for the peak at {peaks[i]}",
                "pass a smaller rel_height (1 measures at the higher base)"
                if own
                else "rescale `x`, e.g. divide it by its largest magnitude",
            )
    return peaks


# ---- argument checks --------------------------------------------------------------------


def _signal(x, name: str = "x") -> np.ndarray:
    """``x`` as a finite, C-contiguous float64 vector (a one-column table flattened);
    messages name it ``name``."""
    if isinstance(x, numbers.Number) or (isinstance(x, np.ndarray) and x.ndim == 0):
        _not_1d(name, ())
    values = data.as_array(x, name=name, allow_empty=True)
    if values.ndim == 2 and values.shape[1] == 1 and data.origin(x).kind in TABLE_KINDS:
        values = np.ascontiguousarray(values[:, 0])
    if values.ndim != 1:
        _not_1d(name, values.shape)
    return values


def _not_1d(name: str, shape) -> None:
    raise _validate.error(
        name,
        "must be a 1-D array (SciPy's rule)",
        f"shape {tuple(shape)}",
        "pass one signal; for several, call the function on each column",
    )


def _peaks(peaks, n: int) -> np.ndarray:
    """``peaks`` as a 1-D intp array of indices in ``[0, n)``."""
    raw = data.as_raw(peaks, "peaks")
    if raw.size == 0 and raw.dtype.kind in "biufO":
        return np.array([], dtype=np.intp)
    if raw.dtype.kind not in "iu":
        raise _validate.error(
            "peaks",
            "must hold integer indices into `x`",
            f"values of dtype {raw.dtype} (they cannot safely cast to intp)",
            "pass indices such as find_peaks(x)[0]",
            wrong_type=True,
        )
    if raw.ndim != 1:
        _not_1d("peaks", raw.shape)
    bad = np.flatnonzero((raw < 0) | (raw >= n))
    if bad.size:
        i = int(bad[0])
        raise _validate.error(
            "peaks",
            f"must hold indices into `x` in [0, {n - 1}] (`x` has {n} samples)",
            f"{raw[i]} at index {i}, not a valid index for `x`",
            f"pass positions 0 to {n - 1} of `x`" if n else "find peaks in a non-empty `x`",
        )
    return raw.astype(np.intp)


def _wlen(wlen, n: int) -> int | None:
    """SciPy's ``wlen`` (> 1, rounded up); a window beyond ``2 n`` spans the signal."""
    if wlen is None:
        return None
    w = _validate.real(scalar(wlen), "wlen", low=1, low_open=True, fix="pass wlen > 1 samples")
    return min(math.ceil(w), 2 * n + 3)


def _rel_height(rel_height) -> float:
    return _validate.real(scalar(rel_height), "rel_height", low=0, fix="pass rel_height >= 0")


def _condition(value, name: str, n: int) -> tuple | None:
    """A condition as SciPy's ``(min, max)`` pair of None, floats or arrays of length n."""
    if value is None:
        return None
    if isinstance(value, (tuple, list)) and len(value) == 2:
        lo, hi = value
    elif _pair_array(value, name):
        lo, hi = data.as_raw(value, name)
    else:
        return (_bound(value, name, n), None)
    lo, hi = _bound(lo, f"{name}[0]", n), _bound(hi, f"{name}[1]", n)
    if isinstance(lo, float) and isinstance(hi, float) and lo > hi:
        raise _validate.error(
            name,
            "must be a (min, max) interval with min <= max",
            _validate.describe(value),
            "swap the bounds (no peak can meet an empty interval)",
        )
    return (lo, hi)


def _pair_array(value, name: str) -> bool:
    """Whether ``value`` is an array-like SciPy unpacks as a pair: 2 numbers, or ``(2,
    n)`` bounds per sample (a 0-d array is a number)."""
    if isinstance(value, (str, bytes, numbers.Number)) or not hasattr(value, "__len__"):
        return False
    ndim = np.ndim(data.as_raw(value, name))
    return ndim in (1, 2) and len(value) == 2


def _bound(value, name: str, n: int) -> float | np.ndarray | None:
    """One side of an interval: None, a finite real number or a finite real array of
    ``x``'s length (None, not infinity, means no bound: pyjl's rule for bounds)."""
    value = scalar(value)
    if value is None:
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return _validate.real(value, name, fix="pass a finite number, or None for no bound")
    rule = f"must be None, a number, or an array of `x`'s length {n}"
    if isinstance(value, (str, bytes, bool, np.bool_, complex, np.complexfloating)):
        raise _validate.error(
            name, rule, _validate.describe(value), "pass e.g. 0.5", wrong_type=True
        )
    arr = data.as_array(value, name=name, allow_empty=True)
    if arr.ndim != 1 or arr.size != n:
        raise _validate.error(
            name, rule, f"shape {arr.shape}", "pass a bound per sample of `x`, or one number"
        )
    return arr


def _bases(
    prominence_data, peaks: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(prominences, left_bases, right_bases)`` checked against ``peaks``: non-negative
    finite prominences, and bases with ``0 <= left_base <= peak <= right_base < n``."""
    if not isinstance(prominence_data, (tuple, list)) or len(prominence_data) != 3:
        raise _validate.error(
            "prominence_data",
            "must be a tuple (prominences, left_bases, right_bases)",
            _validate.describe(prominence_data),
            "pass the result of peak_prominences(x, peaks), or None",
            wrong_type=True,
        )
    names = [f"prominence_data[{i}]" for i in range(3)]
    raws = [data.as_raw(v, nm) for v, nm in zip(prominence_data, names)]
    for raw, nm, kinds in zip(raws, names, ("biuf", "iu", "iu")):
        if raw.dtype.kind not in kinds and not (raw.size == 0 and raw.dtype.kind in "biufO"):
            raise _validate.error(
                nm,
                "must hold " + ("real prominences" if kinds == "biuf" else "integer indices"),
                f"{_validate.describe(prominence_data[names.index(nm)])} of dtype {raw.dtype}",
                "pass the result of peak_prominences(x, peaks)",
                wrong_type=True,
            )
        if raw.shape != peaks.shape:
            # SciPy's own words (its tests match them), naming the array at fault
            raise InputError(
                f"The arrays in `prominence_data` must have the same shape as `peaks`, "
                f"{peaks.shape}; got shape {raw.shape} for `{nm}`. Fix: pass the result "
                "of peak_prominences(x, peaks) for these peaks."
            )
    prom = data.as_array(raws[0], name=names[0], allow_empty=True)
    left, right = (r.astype(np.intp) for r in raws[1:])
    bad = np.flatnonzero(prom < 0)
    if bad.size:
        i = int(bad[0])
        raise _validate.error(
            names[0],
            "must hold prominences >= 0",
            f"{prom[i]} for peak {peaks[i]}",
            "pass the result of peak_prominences(x, peaks)",
        )
    bad = np.flatnonzero((left < 0) | (left > peaks) | (peaks > right) | (right >= n))
    if bad.size:
        i = int(bad[0])
        raise _validate.error(
            "prominence_data",
            f"must give bases with 0 <= left_base <= peak <= right_base < {n}",
            f"bases ({left[i]}, {right[i]}) for peak {peaks[i]} at index {i}: the prominence "
            f"data is invalid for peak {peaks[i]}",
            "pass the result of peak_prominences(x, peaks)",
        )
    return prom, left, right
