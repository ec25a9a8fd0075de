"""The data layer's vocabulary: what an object is, where a bad value sits, and the checks
that refuse values a kernel cannot take (wrong kind, not whole, NaN/inf, a refused copy)."""

from __future__ import annotations

import decimal
import fractions
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import describe, position
from .._validate import error as _err

#: a host array of any dtype
Array = NDArray[Any]
#: ``(array, copied)`` and ``(array, copied, column labels)``
Column = tuple[Array, bool]
Tabular = tuple[Array, bool, list[Any] | None]

_BLOCK = 1 << 20  # elements scanned per block when locating a bad value
_F64 = np.dtype(np.float64)
_OK_KINDS = {"f": "biuf", "c": "biufc", "i": "biuf", "u": "biuf", "b": "b"}
_KIND_WORDS = {
    "c": "complex numbers",
    "O": "Python objects (mixed types, None or strings)",
    "U": "strings",
    "S": "bytes",
    "M": "datetimes",
    "m": "timedeltas",
}


def _root(obj: object) -> str:
    return type(obj).__module__.partition(".")[0]


def _refuse_sparse(obj: Any, name: str) -> None:
    """A SciPy sparse matrix or array refused by name (NumPy would read it as one object)."""
    if _root(obj) == "scipy" and hasattr(obj, "toarray") and hasattr(obj, "nnz"):
        raise _err(
            name,
            "must be a dense array",
            f"a SciPy sparse {type(obj).__name__} of shape {obj.shape}",
            f"pass {name}.toarray() (the kernels read every entry)",
            wrong_type=True,
        )


def _describe(obj: Any) -> str:
    kind = f"{_root(obj)}.{type(obj).__name__}" if _root(obj) != "builtins" else type(obj).__name__
    shape = getattr(obj, "shape", None)
    if shape is None and hasattr(obj, "__len__"):
        shape = (len(obj),)
    return f"a {kind}" + (f" of shape {tuple(shape)}" if shape is not None else "")


def _refuse(name: str, copy: bool | None, reason: str, obj: Any) -> None:
    if copy is False:
        raise _err(
            name,
            "cannot be used without a copy (copy=False was asked)",
            f"{_describe(obj)}, which needs one because {reason}",
            "pass copy=None to allow this one copy, or hand over data that needs "
            "none (a C-contiguous array of the wanted dtype, or a single-chunk, "
            "null-free Arrow column)",
        )


#: the element types an object array may hold to be read as numbers
_EXACT = (bool, int, float, np.bool_, np.integer, np.floating)
_INEXACT = (complex, np.complexfloating, decimal.Decimal, fractions.Fraction)


def _object_numbers(
    a: Array, name: str, dtype: np.dtype[Any], labels: list[Any] | None = None, column: Any = None
) -> Array:
    """An object array of numbers (as pandas and database drivers give them: ints, floats,
    ``Decimal``) as a numeric array: int64 where every value is a whole number that fits
    (whole ``Decimal`` and ``Fraction`` values too, exactly), complex128 where one is
    complex, else float64; anything else in it (``None``, strings, containers) refused,
    naming the first such value and where it is.  For an integer ``dtype``, integers
    beyond its range (int64's for any signed one) and ``Decimal`` or ``Fraction`` values
    that are not whole are refused rather than rounded to floats (which a float64 past
    2**53 would make whole)."""
    flat = a.reshape(-1)
    kinds = set(map(type, flat))
    if not all(issubclass(t, _EXACT + _INEXACT) for t in kinds):
        i = next(i for i, v in enumerate(flat) if not isinstance(v, _EXACT + _INEXACT))
        v = flat[i]
        raise _err(
            name,
            "must hold numbers",
            f"{v!r} (of type {type(v).__name__}) at {position(i, a.shape, labels, column)}",
            "drop or fill missing values and convert text to numbers first "
            "(e.g. pandas.to_numeric)",
            wrong_type=True,
        )
    whole = dtype.kind in "iu"
    lo, hi = (0, 2**64 - 1) if dtype.kind == "u" else (-(2**63), 2**63 - 1)

    def beyond(v: Any) -> bool:
        """Whether ``v`` lies past the target's range (float64's, or the integers'), or is a
        ``Decimal`` or ``Fraction`` that is not whole where integers are wanted."""
        try:
            p = _plain(v)
            if whole:
                if isinstance(v, (decimal.Decimal, fractions.Fraction)) and type(p) is not int:
                    return True
                return type(p) is int and not lo <= p <= hi
            c = complex(p)
            return math.isinf(c.real) or math.isinf(c.imag)
        except OverflowError:
            return True

    def far() -> Exception:
        i = next((i for i, v in enumerate(flat) if beyond(v)), 0)
        return _err(
            name,
            f"must hold whole numbers that fit {'uint64' if dtype.kind == 'u' else 'int64'}"
            if whole
            else "must hold numbers within float64's range (|x| < 1.8e308)",
            f"{describe(flat[i])} at {position(i, a.shape, labels, column)}",
            "round or cast the values explicitly before passing them"
            if whole
            else "rescale the values",
        )

    try:
        values = [_plain(v) for v in flat] if kinds - set(_EXACT) else flat.tolist()
    except OverflowError:  # a Fraction or Decimal beyond float64
        raise far() from None
    floats = (bool, float, np.bool_, np.floating)  # checked exactly later (_check_kind)
    if whole and any(beyond(v) for v in flat if not isinstance(v, floats)):
        raise far()  # as a float it would round into the range, or round whole
    ints = whole and all(type(v) is int for v in values)  # NumPy infers float64 past int64
    out = np.array(values, dtype=np.uint64 if ints and dtype.kind == "u" else None)
    if out.dtype.kind == "O":  # integers beyond int64: float64 for a float dtype
        complex_ = any(issubclass(t, (complex, np.complexfloating)) for t in kinds)
        try:
            out = np.array(values, dtype=np.complex128 if complex_ else np.float64)
        except OverflowError:
            raise far() from None
    return out.reshape(a.shape)


def _plain(v: Any) -> Any:
    """A ``Decimal`` or ``Fraction`` as an int when whole (exact), else a float; others as
    they are."""
    if isinstance(v, fractions.Fraction):
        return int(v) if v.denominator == 1 else float(v)
    if isinstance(v, decimal.Decimal):
        if v.is_nan():
            return math.nan  # float() refuses a signalling NaN
        return int(v) if v.is_finite() and v == v.to_integral_value() else float(v)
    return v


def _check_kind(
    a: Any, dtype: np.dtype[Any], name: str, xp: Any = np, column: Any = None, offset: int = 0
) -> None:
    """Refuse values of a kind ``dtype`` cannot hold; check integrality for int targets."""
    src = a.dtype.kind
    if src not in _OK_KINDS.get(dtype.kind, dtype.kind):
        what = _KIND_WORDS.get(src, f"dtype {a.dtype}")
        where = f" in column {column!r}" if column is not None else ""
        fix = (
            "take the real part or the magnitude explicitly (x.real, abs(x))"
            if src == "c"
            else f"convert it to numbers first, e.g. np.asarray(x, dtype={dtype.name})"
        )
        raise _err(
            name,
            f"must hold {dtype.name} values",
            f"{what}{where}",
            fix,
            wrong_type=src in "OSUVM",
        )
    if dtype.kind in "iu" and not np.can_cast(a.dtype, dtype, "safe"):
        info = np.iinfo(dtype)
        with np.errstate(invalid="ignore", over="ignore"):  # bounds past float16's: inf
            if src == "f":
                bad = ~((xp.floor(a) == a) & (a >= info.min) & (a < info.max + 1.0))
            else:
                bad = (a < info.min) | (a > info.max)
        if bool(bad.any()):
            i = int(xp.flatnonzero(bad.reshape(-1))[0])
            raise _err(
                name,
                f"must hold whole numbers that fit {dtype.name}",
                f"{a.reshape(-1)[i].item()!r} at {position(offset + i, a.shape, column=column)}",
                "round or cast the values explicitly before passing them",
            )


def _check_finite(
    a: Any, name: str, labels: list[Any] | None = None, xp: Any = np, column: Any = None
) -> None:
    """Raise on the first NaN/inf; one pass with no temporary when all are finite."""
    if a.dtype.kind not in "fc" or a.size == 0:
        return
    if xp is np and all_finite(a):  # in memory order: an F-ordered array is not copied
        return
    flat = a.reshape(-1)  # in C order, for the position of the first bad value
    if xp is not np:
        with np.errstate(all="ignore"):  # a finite sum proves every element finite
            if bool(xp.isfinite(flat.sum())):
                return
    for start in range(0, flat.size, _BLOCK):
        bad = xp.flatnonzero(~xp.isfinite(flat[start : start + _BLOCK]))
        if bad.size:
            i = start + int(bad[0])
            raise _err(
                name,
                "must be finite (no NaN or infinity)",
                f"{flat[i].item()} at {position(i, a.shape, labels, column)}",
                "remove or impute the missing or infinite values first "
                "(e.g. dropna() or interpolate())",
            )


def all_finite(a: Any) -> bool:
    """Whether every value of the array ``a`` (or array-like of numbers) is finite.

    A float64 array of up to 4,096 values is tried by its sum of squares first (one dot
    product on this thread, no floating-point warning); otherwise, or when that overflows,
    by its sum with the warnings off: one pass and no temporary.  A finite sum proves
    every value finite; only when it is not (a NaN or infinity, or finite values whose sum
    overflows) is each value tested.

    Examples
    --------
    >>> import numpy as np
    >>> all_finite(np.array([1.0, 2.0])), all_finite(np.array([1.0, np.nan]))
    (True, False)
    >>> all_finite(np.array([1e200, 1e200]))  # the squares overflow, the sum does not
    True
    >>> all_finite(np.array([1e308, 1e308]))  # the sum overflows too: tested one by one
    True
    """
    if type(a) is np.ndarray and a.dtype == _F64 and a.size <= 4096:
        if math.isfinite(np.vdot(a, a)):  # the kernels' outputs and states: the hot path
            return True
    elif not isinstance(a, np.ndarray):
        a = np.asarray(a)
    if a.dtype.kind not in "biufc":
        raise _err("a", "must hold numbers", f"dtype {a.dtype}", "pass a numeric NumPy array")
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(a, axis=None)):
            return True
    return bool(np.isfinite(a).all())


def _kind(obj: object) -> str:
    if isinstance(obj, np.ndarray):
        return "numpy"
    root = _root(obj)
    if root == "pandas":
        import pandas as pd

        return (
            "series"
            if isinstance(obj, pd.Series)
            else "dataframe"
            if isinstance(obj, pd.DataFrame)
            else "other"
        )
    if root == "pyarrow":
        import pyarrow as pa

        for cls, kind in (
            (pa.ChunkedArray, "arrow_chunked"),
            (pa.Array, "arrow_array"),
            (pa.Table, "arrow_table"),
            (pa.RecordBatch, "arrow_batch"),
        ):
            if isinstance(obj, cls):
                return kind
    return "cupy" if root == "cupy" else "other"
