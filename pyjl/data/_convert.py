"""Host objects (pandas, pyarrow, NumPy, anything array-like) as NumPy arrays.

Each reader returns the array with a flag saying whether it copied; a needed copy happens
once, and ``copy=False`` refuses it through :func:`~pyjl.data._checks._refuse`.  pandas and
pyarrow are imported only when such an object arrives.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from .._validate import error as _err
from .._validate import position
from ..exceptions import InputError
from ._checks import (
    Column,
    Tabular,
    _check_kind,
    _describe,
    _kind,
    _object_numbers,
    _refuse,
    _refuse_sparse,
)

#: a 2-D array's memory layout: rows contiguous ("C") or columns contiguous ("F")
Order = Literal["C", "F"]


def _contiguous(a: Any, order: str) -> bool:
    """Whether ``a`` is contiguous in memory ``order`` ("C" or "F")."""
    return bool(a.flags.c_contiguous if order == "C" else a.flags.f_contiguous)


def _arrow_column(
    col: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool, column: Any = None
) -> Column:
    """A pyarrow Array/ChunkedArray as a 1-D array: ``(array, copied)``."""
    import pyarrow as pa

    t = col.type
    inner = t.value_type if pa.types.is_dictionary(t) else t
    numeric = pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean, pa.types.is_decimal
    if not any(kind(inner) for kind in numeric):
        where = f"column {column!r} of " if column is not None else ""
        raise _err(
            name,
            f"must hold {dtype.name} values",
            f"{where}Arrow type {t}",
            "cast it to a numeric type first (pyarrow.compute.cast)",
            wrong_type=True,  # text, dates, ...: a TypeError too, as from a NumPy array
        )
    decoded = inner is not t or pa.types.is_decimal(t)
    if decoded:  # values kept as indices into a dictionary, or as decimals: read as numbers
        _refuse(name, copy, f"its Arrow type {t} must be decoded", col)
        col, t = col.cast(inner), inner
    chunks = [c for c in (col.chunks if isinstance(col, pa.ChunkedArray) else [col]) if len(c)]
    if col.null_count and (finite or dtype.kind not in "fc"):
        valid = np.concatenate([c.is_valid().to_numpy(zero_copy_only=False) for c in chunks])
        i = int(np.flatnonzero(~valid)[0])
        raise _err(
            name,
            "must not hold nulls (missing values)",
            f"{col.null_count} null(s), the first at {position(i, (len(col),), column=column)}",
            "drop or fill them first (e.g. pyarrow.compute.fill_null)",
        )
    if pa.types.is_decimal(t):
        v = _decimals(col, chunks, name, dtype, column)
        _check_kind(v, dtype, name, column=column)
        return v, True
    if len(chunks) == 1 and not col.null_count and not pa.types.is_boolean(t):
        v = chunks[0].to_numpy(zero_copy_only=True)
        _check_kind(v, dtype, name, column=column)  # whole and in range for an int dtype
        return v, decoded
    if len(chunks) == 0:
        return np.empty(0, dtype), False
    reason = (
        f"its {len(chunks)} Arrow chunks must be concatenated"
        if len(chunks) > 1
        else "its nulls become NaN"
        if col.null_count
        else "Arrow booleans are bit-packed"
    )
    _refuse(name, copy, reason, col)
    out, start = np.empty(len(col), dtype), 0
    for c in chunks:
        v = c.to_numpy(zero_copy_only=False)  # nulls -> NaN (finite=False only)
        _check_kind(v, dtype, name, column=column, offset=start)
        out[start : start + len(v)] = v
        start += len(v)
    return out, True


def _decimals(col: Any, chunks: list[Any], name: str, dtype: np.dtype[Any], column: Any) -> Any:
    """Arrow decimals as numbers, exactly as the same ``Decimal`` values in an object array
    (:func:`_object_numbers`: whole ones as int64, others rounded once to float64).

    ``decimal128`` values whose unscaled integers fit int64 are read from Arrow's buffer:
    with scale 0 they are those integers, and below 2**53 with ``|scale| <= 22`` one
    division or product by the exact ``10**|scale|`` rounds them once.  Others go through
    Python's ``Decimal``; those it cannot hold (a scale beyond its context) through Arrow's
    own cast to float64."""
    import pyarrow as pa

    t = col.type
    if pa.types.is_decimal128(t) and not col.null_count and abs(t.scale) <= 22:
        parts = []
        for c in chunks:  # 16-byte little-endian two's complement: (low, high) int64 words
            words = np.frombuffer(c.buffers()[1], dtype="<i8")[2 * c.offset :][: 2 * len(c)]
            parts.append(words.reshape(-1, 2))
        words = np.concatenate(parts) if parts else np.empty((0, 2), np.int64)
        low, high = words[:, 0], words[:, 1]
        if np.array_equal(high, low >> 63):  # every value fits int64
            if t.scale == 0:
                return low.copy()
            if dtype.kind not in "iu" and bool(np.all(np.abs(low) < 2**53)):
                unit = 10.0 ** abs(t.scale)
                return low / unit if t.scale > 0 else low * unit
    try:
        items = [math.nan if v is None else v for v in col.to_pylist()]
    except ArithmeticError:  # decimal.InvalidOperation: a scale Python cannot format
        return col.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return _object_numbers(np.array(items, dtype=object), name, dtype, column=column)


def _series(
    s: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool, column: Any = None
) -> Column:
    """A pandas Series as a 1-D array: ``(array, copied)``."""
    import pandas as pd

    if isinstance(s.dtype, pd.ArrowDtype):
        return _arrow_column(s.array.__arrow_array__(), name, dtype, copy, finite, column)
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.categories.dtype.kind in "biufc":
        # numbers kept as codes into categories (as an Arrow dictionary): decoded, one copy
        _refuse(name, copy, "pandas dtype category must be decoded", s)
        target = s.cat.categories.dtype
        if s.isna().any() and isinstance(target, np.dtype) and target.kind in "biu":
            target = "Float64"  # missing values kept as missing (pd.NA), read as such
        values, _ = _series(s.astype(target), name, dtype, None, finite, column)
        return values, True
    if isinstance(s.dtype, np.dtype):
        return s.to_numpy(), False  # a view of the Series' memory
    npdt = getattr(s.dtype, "numpy_dtype", None)  # nullable dtypes: Float64, Int64, boolean
    if npdt is None or np.dtype(npdt).kind not in "biufc":
        where = f" in column {column!r}" if column is not None else ""
        raise _err(
            name,
            f"must hold {dtype.name} values",
            f"pandas dtype {s.dtype}{where}",
            "convert it to numbers first (e.g. pd.to_numeric)",
            wrong_type=True,  # text, dates, ...: a TypeError too, as from a NumPy array
        )
    _refuse(name, copy, f"pandas dtype {s.dtype} is stored with a separate mask", s)
    missing = s.isna().to_numpy()
    if missing.any():
        if finite or dtype.kind not in "fc":
            i = int(np.flatnonzero(missing)[0])
            raise _err(
                name,
                "must not hold missing values (pd.NA)",
                f"{int(missing.sum())} missing, "
                f"the first at {position(i, s.shape, column=column)}",
                "drop or fill them first",
            )
        return s.to_numpy(dtype=np.float64, na_value=np.nan), True
    return s.to_numpy(dtype=npdt, copy=True), True  # (without copy=True: pandas' own memory)


def _frame(
    df: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool, order: Order
) -> Tabular:
    """A DataFrame as an (n_rows, n_cols) array in memory ``order``: ``(array, copied,
    labels)``."""
    labels = list(df.columns)
    if len(labels) == 1:
        a, copied = _series(df.iloc[:, 0], name, dtype, copy, finite, labels[0])
        return a.reshape(-1, 1), copied, labels
    dts = set(df.dtypes)
    if len(dts) == 1 and isinstance(next(iter(dts)), np.dtype) and next(iter(dts)).kind in "biufc":
        v = df.to_numpy()  # a view when pandas keeps one block
        if _contiguous(v, order) and np.may_share_memory(v, df.iloc[:, 0].to_numpy()):
            return v, False, labels
    _refuse(
        name,
        copy,
        f"its {len(labels)} columns become one {order}-ordered ({len(df)}, {len(labels)}) array",
        df,
    )
    out = np.empty(df.shape, dtype, order=order)
    for j, lab in enumerate(labels):
        col, _ = _series(df.iloc[:, j], name, dtype, None, finite, lab)
        if col.dtype.kind == "O" and dtype.kind in "biufc":
            col = _object_numbers(col, name, dtype, column=lab)
        _check_kind(col, dtype, name, column=lab)
        out[:, j] = col
    return out, True, labels


def _table(
    tab: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool, order: Order
) -> Tabular:
    """A pyarrow Table/RecordBatch as an (n_rows, n_cols) array in memory ``order``."""
    labels = list(tab.column_names)
    if len(labels) == 1:
        a, copied = _arrow_column(tab.column(0), name, dtype, copy, finite, labels[0])
        return a.reshape(-1, 1), copied, labels
    _refuse(
        name,
        copy,
        f"its {len(labels)} columns become one {order}-ordered ({tab.num_rows}, {len(labels)}) "
        "array",
        tab,
    )
    out = np.empty((tab.num_rows, len(labels)), dtype, order=order)
    for j, lab in enumerate(labels):
        col, _ = _arrow_column(tab.column(j), name, dtype, None, finite, lab)
        out[:, j] = col
    return out, True, labels


def _to_numpy(
    obj: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool, order: Order = "C"
) -> Tabular:
    """Any accepted host object as an ndarray: ``(array, copied, column labels)``; a table
    is gathered in memory ``order``."""
    kind = _kind(obj)
    if kind == "numpy":
        if isinstance(obj, np.ma.MaskedArray) and np.ma.is_masked(obj):
            raise _err(
                name,
                "must not hold masked values",
                f"{int(np.count_nonzero(obj.mask))} masked value(s)",
                "fill them first (x.filled(...)) or drop them",
            )
        return np.asarray(obj), False, None
    if kind == "series":
        return (*_series(obj, name, dtype, copy, finite), None)
    if kind == "dataframe":
        return _frame(obj, name, dtype, copy, finite, order)
    if kind in ("arrow_array", "arrow_chunked"):
        return (*_arrow_column(obj, name, dtype, copy, finite), None)
    if kind in ("arrow_table", "arrow_batch"):
        return _table(obj, name, dtype, copy, finite, order)
    try:
        return np.asarray(obj, copy=False), False, None  # buffer protocol / __array__
    except (ValueError, TypeError):
        pass
    _refuse(name, copy, f"a {type(obj).__name__} is converted to a NumPy array", obj)
    return as_raw(obj, name), True, None


def as_raw(obj: Any, name: str) -> Any:
    """``np.asarray(obj)``, any dtype; a ragged nesting of lists (or anything else NumPy
    cannot read) refused with an :class:`InputError` naming ``name``, and so is an Arrow
    array with nulls (NumPy would read them as NaN).

    Examples
    --------
    >>> as_raw([[1, 2], [3, 4]], "b").dtype
    dtype('int64')
    >>> as_raw([[1.0, 2.0], [3.0]], "b")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pyjl.exceptions.InputError: `b` must be array-like (a regular nesting of numbers); ...
    """
    _refuse_sparse(obj, name)
    nulls = getattr(obj, "null_count", 0)
    if type(nulls) is int and nulls > 0:
        raise _err(
            name,
            "must not hold nulls (missing values)",
            f"{_describe(obj)} with {nulls} null(s)",
            "drop or fill them first (e.g. pyarrow.compute.fill_null)",
        )
    try:
        out = np.asarray(obj)
    except (ValueError, TypeError) as exc:
        ragged = isinstance(obj, (list, tuple)) and "inhomogeneous" in str(exc)
        raise _err(
            name,
            "must be array-like (a regular nesting of numbers)",
            _describe(obj) + (" whose items differ in length or nesting" if ragged else ""),
            f"pass a NumPy array, pandas or pyarrow object ({exc})",
        ) from None
    if out.dtype.kind == "O" and type(obj).__module__.split(".")[0] in ("pandas", "pyarrow"):
        # nullable, decimal and dictionary columns, which NumPy reads as Python objects:
        # the data layer reads them as numbers (what it cannot read stays objects)
        from ._as_array import as_array

        try:
            return as_array(obj, name=name, finite=False, allow_empty=True)
        except InputError:
            pass
    return out
