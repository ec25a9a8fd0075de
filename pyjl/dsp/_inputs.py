"""The inputs of ``pyjl.dsp``'s public functions: validation, channel layout, dtypes.

Every public function follows the same path: remember the input's form
(:func:`pyjl.data.origin`), read it as a NumPy view (:func:`pyjl.data.as_array`),
move the filtered ``axis`` last and fold the other axes into channels so the
kernel sees a C-contiguous float64 ``(n_channels, n)`` array, and on the way
back unfold, move the axis home and give the result the input's form
(DataFrame in, DataFrame out).  For tables (pandas DataFrames, Arrow tables)
columns are channels and time runs down the rows, so the default axis is 0;
for arrays it is -1, as in SciPy.  Two signals read together (``csd``,
``coherence``) share one axis: 0 when either is a table (:func:`default_axis`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _validate, data
from .._warn import warn
from ..exceptions import InputError, InputIndexError, NumericalWarning
from ._memo import KEPT_VALUES, by_value

__all__ = [
    "Signal",
    "read_signal",
    "own_values",
    "want_dtype",
    "coefficients",
    "recursive_pair",
    "leading_nonzero",
    "validate_sos",
    "check_stable",
    "unstable_message",
    "channels",
    "from_channels",
    "out_dtype",
    "TABLE_KINDS",
    "default_axis",
    "input_dtype",
]

_F64 = np.dtype(np.float64)
_REALS = (np.float64, np.float32, _F64, np.dtype(np.float32))
_NUMPY = data.origin(np.empty(0))

#: the :func:`pyjl.data.origin` kinds read as time x channels (time down the rows)
TABLE_KINDS = ("dataframe", "arrow_table", "arrow_batch")


def _origin(x) -> Any:
    return _NUMPY if type(x) is np.ndarray else data.origin(x)


def default_axis(*signals) -> int:
    """The time axis that ``axis=None`` means for ``signals`` read together: 0 (time
    down the rows) when any of them is a table (DataFrame, Arrow table or record batch),
    else -1 (SciPy's default)."""
    return 0 if any(_origin(x).kind in TABLE_KINDS for x in signals) else -1


@dataclass
class Signal:
    """A validated input signal: ``values`` (NumPy), its ``origin`` and the axis."""

    values: np.ndarray
    origin: Any
    axis: int
    #: the input as given and its name, while its finiteness is still unchecked
    unchecked: Any = None
    name: str = "x"
    #: the input's own dtype where it has a NumPy one (int16, bool, float16, ...: read as
    #: float64, but SciPy's result dtypes follow it), else that of ``values``
    dtype: Any = None

    @property
    def n(self) -> int:
        return self.values.shape[self.axis]

    def require_finite(self) -> None:
        """Raise :func:`pyjl.data.as_array`'s InputError (the first bad index) if the
        signal read with ``finite=False`` holds NaN, infinity or nulls."""
        if self.unchecked is not None:
            data.as_array(
                self.unchecked, name=self.name, dtype=self.values.dtype, allow_empty=True
            )

    def restore_spectrum(self, result, freqs, freq_axis: int):
        """A spectrum ``result`` in the input's form, its frequencies labelling the axis
        they run along: the rows (``index``) or, for a table's ``axis=1``, the columns."""
        if np.ndim(result) == 2 and freq_axis % 2 == 1:
            return self.restore(result, columns=freqs)
        return self.restore(result, index=freqs)

    def restore_resampled(self, result):
        """A resampled ``result`` in the input's form, its samples labelled 0, 1, ... (they
        are taken at other times than the input's, even where as many)."""
        n = np.shape(result)[self.axis] if np.ndim(result) else 0
        if np.ndim(result) == 2 and self.axis % 2 == 1:
            return self.restore(result, columns=range(n))
        return self.restore(result, index=range(n))

    def restore(self, result, **kwargs):
        """``result`` in the input's form (only when the shape maps onto it)."""
        if self.origin is _NUMPY and type(result) is np.ndarray:
            return result  # NumPy in, NumPy out
        return data.restore(result, self.origin, **kwargs)


def want_dtype(obj, name: str = "x") -> Any:
    """The dtype a signal (or state) ``name`` is read as: complex64/complex128, float32, else
    float64 (a table's columns promoted together)."""
    if isinstance(obj, (list, tuple)):
        obj = data.as_raw(obj, name)
    dt = input_dtype(obj)
    if dt is not None and dt.kind == "c":
        return np.complex128 if dt != np.complex64 else np.complex64
    if dt == np.float32:
        return np.float32
    return np.float64


def read_signal(
    x,
    *,
    name: str = "x",
    axis=None,
    min_len: int = 1,
    finite: bool = True,
    by_channel: bool = True,
) -> Signal:
    """Validate a signal and pick its axis (``None``: 0 for tables, -1 otherwise).

    ``finite=False`` skips the pass that refuses NaN and infinity: for filters whose
    output shows any non-finite input (see :func:`pyjl.dsp._frames.filter_finite`),
    which then call :meth:`Signal.require_finite` before trusting a non-finite result.
    ``by_channel``: the values are read channel by channel (:func:`channels`), so a
    table read down its rows is gathered column after column; else in C order.
    """
    if axis is None:
        axis = default_axis(x)
    org = _origin(x)
    if isinstance(x, (list, tuple)):
        x = data.as_raw(x, name)
    # a table filtered down its rows is gathered column after column, so that its
    # channels-first view (:func:`channels`) needs no second copy; so is a 2-D array laid
    # out that way (one such table read by a function that calls another)
    columns = org.kind in TABLE_KINDS or (
        type(x) is np.ndarray and x.ndim == 2 and x.flags.f_contiguous
    )
    order = "F" if by_channel and columns and _is_first(axis) else "C"
    values = data.as_array(
        x, name=name, dtype=want_dtype(x), allow_empty=True, finite=finite, order=order
    )
    if values.ndim == 0:
        raise _validate.error(
            name, "must be at least 1-D", f"a scalar {values!r}", "pass an array of samples"
        )
    ax = axis_index(axis, values.shape, name)
    if values.shape[ax] < min_len:
        raise _validate.error(
            name,
            f"must have at least {min_len} sample(s) along axis {ax}",
            f"shape {values.shape}",
            "pass a longer signal",
        )
    return Signal(values, org, ax, None if finite else x, name, _own_dtype(x, values))


def _is_first(axis) -> bool:
    """Whether ``axis`` names the rows of a 2-D table (0 or -2)."""
    return isinstance(axis, (int, np.integer)) and not isinstance(axis, bool) and axis in (0, -2)


def axis_index(axis, shape: tuple[int, ...], name: str, arg: str = "axis") -> int:
    """``axis`` (argument ``arg``) as an index ``0 <= ax < len(shape)`` into the
    dimensions of array ``name``; a negative one counts from the end, as NumPy's do."""
    ax = axis if type(axis) is int else _validate.integer(axis, arg)
    if not -len(shape) <= ax < len(shape):
        raise _validate.error(
            arg,
            f"must index one of the {len(shape)} dimensions of `{name}` (shape {shape})",
            axis,
            f"pass an axis in [{-len(shape)}, {len(shape) - 1}]",
            cls=InputIndexError,
        )
    return ax % len(shape)


def own_values(x, sig: Signal) -> np.ndarray:
    """A copy of ``sig.values`` (read from ``x``) in the input's own dtype: integers
    read again as they are (through float64 they round beyond 2**53)."""
    if sig.dtype.kind in "iu":
        return data.as_array(x, name=sig.name, dtype=sig.dtype, copy=True, allow_empty=True)
    return sig.values.astype(sig.dtype, copy=True)


def input_dtype(x) -> np.dtype | None:
    """The numeric NumPy dtype the input holds (a DataFrame's or Arrow table's columns
    promoted together), or None (no such dtype: object columns, Arrow types without one)."""
    try:
        if hasattr(x, "dtypes") and not hasattr(x, "dtype"):  # a DataFrame
            kinds = list(x.dtypes)
        elif hasattr(x, "schema"):  # an Arrow table or record batch
            kinds = [f.type.to_pandas_dtype() for f in x.schema]
        elif hasattr(x, "type") and not hasattr(x, "dtype"):  # an Arrow (chunked) array
            kinds = [x.type.to_pandas_dtype()]
        elif hasattr(x, "dtype"):
            kinds = [x.dtype]
        else:
            return None
        own = np.result_type(*[np.dtype(getattr(k, "numpy_dtype", k)) for k in kinds])
    except (TypeError, NotImplementedError, ValueError):
        return None
    return own if own.kind in "biufc" else None


def _own_dtype(x, values: np.ndarray) -> np.dtype:
    """:func:`input_dtype`, else that of the values read."""
    own = input_dtype(x)
    return values.dtype if own is None else own


def coefficients(c, name: str) -> np.ndarray:
    """A non-empty, finite, 1-D coefficient vector (float64 or complex128)."""
    if type(c) is np.ndarray and c.dtype == _F64 and c.ndim == 1 and c.size:
        try:  # the data layer's finiteness check; a failure is worded below
            return data.as_array(c, name=name)
        except InputError:
            pass
    arr = np.atleast_1d(data.as_raw(c, name))
    if arr.dtype.kind not in "biufc":
        raise _validate.error(
            name,
            "must be numeric filter coefficients",
            f"dtype {arr.dtype}",
            "pass a float array",
            wrong_type=arr.dtype.kind in "OSUVM",
        )
    if arr.ndim != 1 or arr.size == 0:
        raise _validate.error(
            name,
            "must be a non-empty 1-D array of coefficients",
            f"shape {arr.shape}",
            "pass a flat array such as [1.0, -0.5]",
        )
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise _validate.error(
            name,
            "must be finite",
            f"{arr[bad[0]]} at index {bad[0]}",
            "redesign the filter or remove NaN/inf coefficients",
        )
    return arr


def leading_nonzero(a: np.ndarray) -> None:
    """Refuse a denominator ``a`` whose leading coefficient ``a[0]`` is zero (it
    normalises the filter)."""
    if a[0] == 0:
        raise _validate.error(
            "a[0]",
            "must be non-zero (it normalises the filter)",
            a[0],
            "pass a denominator whose leading coefficient is non-zero",
        )


def recursive_pair(b, a) -> tuple[np.ndarray, np.ndarray]:
    """``b`` and ``a`` read by :func:`coefficients`, with ``a[0]`` non-zero: the
    recursion divides by it (``lfilter``, ``lfiltic``)."""
    b, a = coefficients(b, "b"), coefficients(a, "a")
    leading_nonzero(a)
    return b, a


def check_stable(a: np.ndarray, name: str, b: np.ndarray | None = None, tol: float = 1e-9) -> None:
    """Warn (:class:`~pyjl.exceptions.NumericalWarning`) if the denominator ``a`` has a
    pole outside the unit circle that no zero of ``b`` cancels.

    SciPy filters with any denominator, so pyjl does too: the output of an
    unstable filter grows geometrically (and may overflow to inf).  Poles on
    the circle (an integrator, ``a = [1, -1]``) are allowed silently.  The answer
    is cached per coefficient set: a filter applied again and again (chunks, an
    optimiser's loop) finds its roots once."""
    msg = unstable_message(a, name, b, tol)
    if msg is not None:
        warn(msg, NumericalWarning)


def unstable_message(
    a: np.ndarray, name: str, b: np.ndarray | None = None, tol: float = 1e-9
) -> str | None:
    """:func:`check_stable`'s warning for ``a`` (and ``b``), or None when it is stable."""
    if a.size <= 1:
        return None
    worst = _unstable_pole(a, None if b is None or b.size <= 1 else b, tol)
    if worst is None:
        return None
    return (
        f"`{name}` describes an unstable filter: pole {worst:.6g} has "
        f"|p| = {abs(worst):.6g} > 1, so the output grows without bound "
        "(SciPy filters it the same way). Fix: design a stable filter (for "
        "high orders use output='sos', which keeps poles accurate)."
    )


def _largest_unstable_pole(a: np.ndarray, b: np.ndarray | None, tol: float) -> complex | None:
    """The largest pole of ``a`` outside the unit circle that no zero of ``b`` cancels."""
    if a.size <= 3 and a.dtype.kind == "f" and _low_order_radius(a) <= 1.0 + tol:
        return None  # a stable biquad, the common case, without numpy.roots (15 us)
    poles = np.roots(a)
    out = poles[np.abs(poles) > 1.0 + tol]
    if out.size and b is not None:
        zeros = np.roots(b)
        out = [p for p in out if not np.any(np.abs(zeros - p) <= 1e-8 * abs(p))]
    return complex(max(out, key=abs)) if len(out) else None


def _low_order_radius(a: np.ndarray) -> float:
    """The largest pole radius of a real denominator ``a`` of 2 or 3 coefficients (``a[0]
    != 0``): :func:`_section_radius` of ``a / a[0]``."""
    a1 = a[1] / a[0]
    return float(_section_radius(a1, a[2] / a[0] if a.size == 3 else 0.0))


def _section_radius(a1, a2):
    """The largest pole radius of ``z^2 + a1 z + a2`` (arrays or numbers, real), by the
    quadratic formula."""
    root = np.sqrt(np.asarray(a1, dtype=np.complex128) ** 2 - 4 * a2)
    return np.maximum(np.abs(-a1 + root), np.abs(-a1 - root)) / 2


#: keyed on coefficient sets as long as a kept entry (the roots cost ``len(a) ** 3``)
_unstable_pole = by_value(_largest_unstable_pole, longest=KEPT_VALUES)


def validate_sos(sos, name: str = "sos") -> np.ndarray:
    """A ``(n_sections, 6)`` float64 (complex128 if any coefficient is complex) array
    with ``a0 == 1``; an unstable section warns, as in :func:`check_stable`.

    A float64 array's verdict is cached under its bytes (its values: an array changed
    in place is checked again), so a filter applied again and again is checked once;
    the caller always gets its own copy."""
    if type(sos) is np.ndarray and sos.dtype == np.float64 and sos.ndim == 2:
        arr, unstable = _kept_sos((sos.tobytes(), sos.shape, name), sos, name)
        arr = arr.copy()  # the caller's own
    else:
        arr, unstable = _checked_sos(sos, name)
    if unstable is not None:
        warn(unstable, NumericalWarning)
    return arr


def _checked_sos(sos, name: str) -> tuple[np.ndarray, str | None]:
    """:func:`validate_sos`'s array and the warning for an unstable section (or None)."""
    arr = data.as_raw(sos, name)
    if arr.dtype.kind not in "biufc":
        raise _validate.error(
            name,
            "must be a float array of second-order sections",
            f"dtype {arr.dtype}",
            "design it with output='sos'",
            wrong_type=arr.dtype.kind in "OSUVM",
        )
    cplx = arr.dtype.kind == "c" and bool(np.any(np.imag(arr)))
    arr = np.atleast_2d(arr if cplx else np.real(arr)).astype(
        np.complex128 if cplx else np.float64
    )
    if arr.ndim != 2 or arr.shape[1] != 6 or arr.shape[0] < 1:
        raise _validate.error(
            name,
            "must have shape (n_sections, 6)",
            f"shape {np.shape(sos)}",
            "design it with output='sos' (each row is b0, b1, b2, a0, a1, a2)",
        )
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        raise _validate.error(
            name,
            "must be finite",
            f"{arr[tuple(bad[0])]} at index {tuple(int(i) for i in bad[0])}",
            "redesign the filter",
        )
    if not np.all(arr[:, 3] == 1.0):
        k = int(np.flatnonzero(arr[:, 3] != 1.0)[0])
        raise _validate.error(
            f"{name}[:, 3]",
            "(a0 of every section) must be 1",
            f"{arr[k, 3]} in section {k}",
            "divide that row by its a0",
        )
    unstable = _section_radius(arr[:, 4], arr[:, 5]) > 1.0 + 1e-9
    arr = np.ascontiguousarray(arr)
    if not np.any(unstable):
        return arr, None
    k = int(np.flatnonzero(unstable)[0])
    p = np.roots(arr[k, 3:])
    return arr, (
        f"`{name}` describes an unstable filter: section {k} has poles "
        f"{np.round(p, 6).tolist()} outside the unit circle, so the output "
        "grows without bound (SciPy filters it the same way). Fix: design a "
        "stable filter (poles inside |z| < 1)."
    )


_kept_sos = by_value(_checked_sos, shared=True).keyed


def channels(values: np.ndarray, axis: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """``values`` with ``axis`` last and the other axes folded into channels: a
    C-contiguous ``(n_channels, n)`` array (a view when the layout allows), plus
    the outer shape to unfold with.  The dtype is kept (complex data stays complex)."""
    moved = values if axis in (-1, values.ndim - 1) else np.moveaxis(values, axis, -1)
    outer = moved.shape[:-1]
    return np.ascontiguousarray(moved.reshape(math.prod(outer), moved.shape[-1])), outer


def from_channels(y2: np.ndarray, outer: tuple[int, ...], axis: int) -> np.ndarray:
    """Undo :func:`channels` for a 2-D result whose last axis may have a new length."""
    y = y2.reshape(outer + (y2.shape[-1],))
    return y if axis in (-1, len(outer)) else np.moveaxis(y, -1, axis)


def spectrum_dtype(*dtypes, real: bool = False) -> np.dtype:
    """SciPy's dtype of a spectrum of data of ``dtypes``: their promotion with complex64
    (int16 or float32 data: complex64; float64 or int32: complex128); ``real``: the
    matching real dtype (a power spectrum)."""
    dt = np.result_type(*dtypes, np.complex64)
    return np.dtype(dt.type(0).real.dtype) if real else dt


def out_dtype(*arrays) -> np.dtype:
    """SciPy's result dtype for a filter: float32/complex64 stay single, the rest double."""
    if _real_double(arrays):
        return _F64
    dt = np.result_type(
        *[np.dtype(a) if isinstance(a, (type, np.dtype)) else np.asarray(a).dtype for a in arrays]
    )
    if dt.kind == "c":
        return np.dtype(np.complex64 if dt == np.complex64 else np.complex128)
    return np.dtype(np.float32 if dt == np.float32 else np.float64)


def _real_double(arrays) -> bool:
    """Whether ``arrays`` are float32/float64 arrays or dtypes, one a float64 array."""
    double = False
    for a in arrays:
        if type(a) is np.ndarray:
            if a.dtype == _F64:
                double = True
            elif a.dtype != np.float32:
                return False
        elif not (isinstance(a, (type, np.dtype)) and a in _REALS):
            return False
    return double
