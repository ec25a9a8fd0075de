"""The data layer: what a kernel receives, and what the user gets back.

:func:`as_array` turns NumPy arrays, lists, pandas Series/DataFrames, pyarrow
Arrays/ChunkedArrays/Tables/RecordBatches (memory-mapped Arrow files included)
and CuPy arrays into the C-contiguous array a kernel reads.  No copy is made
where none is needed; a needed copy (cast, nulls, chunks, several columns) is
made once, and ``copy=False`` refuses it.  The array returned may be read-only
(Arrow buffers, pandas copy-on-write, memory maps): kernels must not write into
their inputs.  :func:`origin` and :func:`restore` make the output mirror the
input; :func:`read_arrow` opens an Arrow IPC file memory-mapped.  pandas and
pyarrow are imported only when such an object is passed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._validate import describe, integer
from ._validate import error as _err

__all__ = ["as_array", "origin", "restore", "Origin", "read_arrow", "write_arrow"]

#: a host array of any dtype
Array = NDArray[Any]
#: ``(array, copied)`` and ``(array, copied, column labels)``
Column = tuple[Array, bool]
Tabular = tuple[Array, bool, list[Any] | None]

_BLOCK = 1 << 20  # elements scanned per block when locating a bad value
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


def _describe(obj: Any) -> str:
    kind = f"{_root(obj)}.{type(obj).__name__}" if _root(obj) != "builtins" else type(obj).__name__
    shape = getattr(obj, "shape", None)
    if shape is None and hasattr(obj, "__len__"):
        shape = (len(obj),)
    return f"a {kind}" + (f" of shape {tuple(shape)}" if shape is not None else "")


def _at(
    flat: int, shape: tuple[int, ...], labels: list[Any] | None = None, column: Any = None
) -> str:
    """Where flat index ``flat`` of an array of ``shape`` is, in words."""
    if column is not None:
        return f"row {flat}, column {column!r}"
    if len(shape) < 2:
        return f"index {flat}"
    r, c, *rest = (int(i) for i in np.unravel_index(flat, shape))
    if rest:
        return f"index {(r, c, *rest)}"
    return f"row {r}, column {labels[c]!r}" if labels is not None else f"row {r}, column {c}"


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
        with np.errstate(invalid="ignore"):
            if src == "f":
                bad = ~((xp.floor(a) == a) & (a >= info.min) & (a < info.max + 1.0))
            else:
                bad = (a < info.min) | (a > info.max)
        if bool(bad.any()):
            i = int(xp.flatnonzero(bad.reshape(-1))[0])
            raise _err(
                name,
                f"must hold whole numbers that fit {dtype.name}",
                f"{a.reshape(-1)[i].item()!r} at {_at(offset + i, a.shape, column=column)}",
                "round or cast the values explicitly before passing them",
            )


def _check_finite(
    a: Any, name: str, labels: list[Any] | None = None, xp: Any = np, column: Any = None
) -> None:
    """Raise on the first NaN/inf; one pass with no temporary when all are finite."""
    if a.dtype.kind not in "fc" or a.size == 0:
        return
    flat = a.reshape(-1)
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
                f"{flat[i].item()} at {_at(i, a.shape, labels, column)}",
                "remove or impute the missing or infinite values first "
                "(e.g. dropna() or interpolate())",
            )


def _arrow_column(
    col: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool, column: Any = None
) -> Column:
    """A pyarrow Array/ChunkedArray as a 1-D array: ``(array, copied)``."""
    import pyarrow as pa

    t = col.type
    if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)):
        where = f"column {column!r} of " if column is not None else ""
        raise _err(
            name,
            f"must hold {dtype.name} values",
            f"{where}Arrow type {t}",
            "cast it to a numeric type first (pyarrow.compute.cast)",
        )
    chunks = [c for c in (col.chunks if isinstance(col, pa.ChunkedArray) else [col]) if len(c)]
    if col.null_count and (finite or dtype.kind not in "fc"):
        valid = np.concatenate([c.is_valid().to_numpy(zero_copy_only=False) for c in chunks])
        i = int(np.flatnonzero(~valid)[0])
        raise _err(
            name,
            "must not hold nulls (missing values)",
            f"{col.null_count} null(s), the first at {_at(i, (len(col),), column=column)}",
            "drop or fill them first (e.g. pyarrow.compute.fill_null)",
        )
    if len(chunks) == 1 and not col.null_count and not pa.types.is_boolean(t):
        return chunks[0].to_numpy(zero_copy_only=True), False
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


def _series(
    s: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool, column: Any = None
) -> Column:
    """A pandas Series as a 1-D array: ``(array, copied)``."""
    import pandas as pd

    if isinstance(s.dtype, pd.ArrowDtype):
        return _arrow_column(s.array.__arrow_array__(), name, dtype, copy, finite, column)
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
        )
    _refuse(name, copy, f"pandas dtype {s.dtype} is stored with a separate mask", s)
    missing = s.isna().to_numpy()
    if missing.any():
        if finite or dtype.kind not in "fc":
            i = int(np.flatnonzero(missing)[0])
            raise _err(
                name,
                "must not hold missing values (pd.NA)",
                f"{int(missing.sum())} missing, the first at {_at(i, s.shape, column=column)}",
                "drop or fill them first",
            )
        return s.to_numpy(dtype=np.float64, na_value=np.nan), True
    return s.to_numpy(dtype=npdt), True


def _frame(df: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool) -> Tabular:
    """A DataFrame as an (n_rows, n_cols) array: ``(array, copied, labels)``."""
    labels = list(df.columns)
    if len(labels) == 1:
        a, copied = _series(df.iloc[:, 0], name, dtype, copy, finite, labels[0])
        return a.reshape(-1, 1), copied, labels
    dts = set(df.dtypes)
    if len(dts) == 1 and isinstance(next(iter(dts)), np.dtype) and next(iter(dts)).kind in "biufc":
        v = df.to_numpy()  # a view when pandas keeps one block
        if v.flags.c_contiguous and np.may_share_memory(v, df.iloc[:, 0].to_numpy()):
            return v, False, labels
    _refuse(
        name,
        copy,
        f"its {len(labels)} columns become one C-ordered ({len(df)}, {len(labels)}) array",
        df,
    )
    out = np.empty(df.shape, dtype)
    for j, lab in enumerate(labels):
        col, _ = _series(df.iloc[:, j], name, dtype, None, finite, lab)
        _check_kind(col, dtype, name, column=lab)
        out[:, j] = col
    return out, True, labels


def _table(tab: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool) -> Tabular:
    """A pyarrow Table/RecordBatch as an (n_rows, n_cols) array."""
    labels = list(tab.column_names)
    if len(labels) == 1:
        a, copied = _arrow_column(tab.column(0), name, dtype, copy, finite, labels[0])
        return a.reshape(-1, 1), copied, labels
    _refuse(
        name,
        copy,
        f"its {len(labels)} columns become one C-ordered ({tab.num_rows}, {len(labels)}) array",
        tab,
    )
    out = np.empty((tab.num_rows, len(labels)), dtype)
    for j, lab in enumerate(labels):
        col, _ = _arrow_column(tab.column(j), name, dtype, None, finite, lab)
        out[:, j] = col
    return out, True, labels


def _to_numpy(
    obj: Any, name: str, dtype: np.dtype[Any], copy: bool | None, finite: bool
) -> Tabular:
    """Any accepted host object as an ndarray: ``(array, copied, column labels)``."""
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
        return _frame(obj, name, dtype, copy, finite)
    if kind in ("arrow_array", "arrow_chunked"):
        return (*_arrow_column(obj, name, dtype, copy, finite), None)
    if kind in ("arrow_table", "arrow_batch"):
        return _table(obj, name, dtype, copy, finite)
    try:
        return np.asarray(obj, copy=False), False, None  # buffer protocol / __array__
    except (ValueError, TypeError):
        pass
    _refuse(name, copy, f"a {type(obj).__name__} is converted to a NumPy array", obj)
    try:
        return np.asarray(obj), True, None
    except (ValueError, TypeError) as exc:
        raise _err(
            name,
            "must be array-like (a regular nesting of numbers)",
            _describe(obj),
            f"pass a NumPy array, pandas or pyarrow object ({exc})",
        ) from None


def as_array(
    obj: Any,
    *,
    name: str,
    dtype: Any = np.float64,
    ndim: int | tuple[int, ...] | None = None,
    copy: bool | None = None,
    finite: bool = True,
    device: bool = False,
    allow_empty: bool = False,
) -> Any:
    """Return the C-contiguous array a kernel reads, copying only where needed.

    Parameters
    ----------
    obj : array-like
        NumPy array, list or scalar, pandas Series/DataFrame, pyarrow
        Array/ChunkedArray/Table/RecordBatch, or a CuPy array (``device=True``).
    name : str
        The argument's name, quoted in every error.
    dtype : numpy dtype, default float64
        Wanted dtype.  Integer dtypes accept floats only when they are whole.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.  A one-column table is flattened when
        ``1`` is allowed and ``2`` is not.
    copy : {None, False, True}
        ``None`` copies once where needed, ``False`` raises :class:`InputError`
        instead, ``True`` always returns fresh, writable memory.
    finite : bool, default True
        Refuse NaN, infinity and nulls, naming the first bad index (and column).
    device : bool, default False
        Accept CuPy arrays, returned as CuPy arrays (for the ``cuda`` engine).
    allow_empty : bool, default False
        Accept arrays with no element.

    Returns
    -------
    numpy.ndarray (cupy.ndarray for CuPy input)
        Zero-copy (possibly read-only) for a C-contiguous array of ``dtype``, a
        null-free single-chunk Arrow column, a one-block DataFrame that pandas
        lays out C-ordered, and columns of memory-mapped Arrow files.
        Tables/DataFrames give ``(n_rows, n_cols)``.

    Examples
    --------
    >>> x = np.arange(3.0)
    >>> as_array(x, name="x") is x
    True
    >>> as_array([1, 2], name="x", dtype=np.int64)
    array([1, 2])
    >>> as_array([1.0, np.nan], name="x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pyjl.exceptions.InputError: `x` must be finite (no NaN or infinity); got nan at index 1. ...
    """
    dtype, allowed = _as_array_options(dtype, ndim, copy, finite)
    if _root(obj) == "cupy":
        if not device:
            raise _err(
                name,
                "must be in host memory for this engine",
                _describe(obj),
                "copy it to the host with x.get(), or run on the GPU with "
                "pyjl.set_backend('cuda')",
            )
        xp, a, copied, labels = sys.modules["cupy"], obj, False, None
    else:
        xp = np
        a, copied, labels = _to_numpy(obj, name, dtype, copy, finite)
    _check_kind(a, dtype, name, xp)
    if allowed is not None and a.ndim not in allowed:
        if labels is not None and a.ndim == 2 and a.shape[1] == 1 and 1 in allowed:
            a = a[:, 0]
        else:
            fix = (
                "for a single feature use x.reshape(-1, 1)"
                if a.ndim == 1 and 2 in allowed
                else "wrap a single value in a list"
                if a.ndim == 0
                else "reshape it"
            )
            raise _err(
                name,
                "must be " + " or ".join(f"{d}-D" for d in allowed),
                f"a {a.ndim}-D array of shape {tuple(a.shape)}",
                fix,
            )
    if a.size == 0 and not allow_empty:
        raise _err(
            name,
            "must not be empty",
            f"{_describe(obj)} with no element",
            "pass at least one value",
        )
    if a.dtype != dtype or not a.flags.c_contiguous:
        _refuse(
            name,
            copy,
            f"dtype {a.dtype} must be cast to {dtype.name}"
            if a.dtype != dtype
            else "it is not C-contiguous (strided or Fortran-ordered)",
            obj,
        )
        a, copied = a.astype(dtype, order="C"), True
    elif copy and not copied:
        a = a.copy()
    if finite:
        one = labels[0] if labels is not None and a.ndim == 1 else None
        _check_finite(a, name, labels, xp, column=one)
    return a


def _as_array_options(
    dtype: Any, ndim: Any, copy: Any, finite: Any
) -> tuple[np.dtype[Any], tuple[int, ...] | None]:
    """The checked ``dtype`` and allowed ``ndim`` of :func:`as_array` (its other options
    are flags)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise _err(
            "dtype",
            "must be a NumPy dtype",
            describe(dtype),
            "pass e.g. numpy.float64 or 'float32'",
        ) from None
    allowed = None if ndim is None else ((ndim,) if isinstance(ndim, int) else ndim)
    if allowed is not None and not (
        isinstance(allowed, tuple)
        and allowed
        and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in allowed)
    ):
        raise _err(
            "ndim",
            "must be None, an integer >= 0 or a tuple of them",
            describe(ndim),
            "pass e.g. ndim=2 or ndim=(1, 2)",
        )
    if copy not in (None, False, True):
        raise _err(
            "copy",
            "must be None, False or True",
            describe(copy),
            "pass copy=None (copy where needed), False or True",
        )
    if finite is not True and finite is not False:
        raise _err("finite", "must be True or False", describe(finite), "pass True or False")
    return dtype, allowed


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


@dataclass(frozen=True, eq=False)
class Origin:
    """What :func:`restore` needs to give results the input's form.

    ``kind`` is one of numpy, series, dataframe, arrow_array, arrow_chunked,
    arrow_table, arrow_batch, cupy, other; ``index``/``columns``/``name`` come
    from pandas (``columns`` also from Arrow tables); ``arrow_type`` is the
    Arrow type (arrays) or schema (tables).

    Examples
    --------
    >>> import pandas as pd
    >>> from pyjl.data import origin
    >>> o = origin(pd.Series([1.0, 2.0], index=["a", "b"], name="y"))
    >>> o.kind, list(o.index), o.name
    ('series', ['a', 'b'], 'y')
    """

    kind: str
    index: Any = None
    columns: Any = None
    name: Any = None
    arrow_type: Any = None


def origin(obj: Any) -> Origin:
    """Remember the form of ``obj`` (call before :func:`as_array`).

    >>> origin(np.zeros(2)).kind
    'numpy'
    """
    kind = _kind(obj)
    if kind == "series":
        return Origin(kind, index=obj.index, name=obj.name)
    if kind == "dataframe":
        return Origin(kind, index=obj.index, columns=obj.columns)
    if kind in ("arrow_array", "arrow_chunked"):
        return Origin(kind, arrow_type=obj.type)
    if kind in ("arrow_table", "arrow_batch"):
        return Origin(kind, columns=tuple(obj.column_names), arrow_type=obj.schema)
    return Origin(kind)


def restore(
    result: Any, origin: Origin, *, index: Any = None, columns: Any = None, name: Any = None
) -> Any:
    """Give ``result`` the form of the input described by ``origin``.

    NumPy in → NumPy out; Series/DataFrame in → Series (1-D result) or
    DataFrame (2-D) keeping the input's index when the row count matches and
    its columns when the column count matches, unless ``index``, ``columns``
    or ``name`` are given; Arrow in → ``pyarrow.Array`` (1-D) or
    ``pyarrow.Table`` (2-D), except complex results, which Arrow cannot hold and
    which come back as NumPy arrays.  1-D results and F-ordered 2-D results are
    wrapped without a copy; Arrow columns of a C-ordered 2-D result are copied
    (Arrow columns are contiguous).  Results of other ndim come back as is.

    >>> import pandas as pd
    >>> s = pd.Series([1.0, 2.0], index=["a", "b"], name="y")
    >>> restore(as_array(s, name="s") * 2, origin(s))
    a    2.0
    b    4.0
    Name: y, dtype: float64
    """
    kind = origin.kind
    if kind == "cupy":
        return result
    if _root(result) == "cupy":
        result = result.get()
    if kind in ("numpy", "other") or np.ndim(result) not in (1, 2):
        return result
    result = np.asarray(result)
    n = result.shape[0]
    if kind in ("series", "dataframe"):
        import pandas as pd

        if index is None and origin.index is not None and len(origin.index) == n:
            index = origin.index
        if result.ndim == 1:
            if name is None:
                name = (
                    origin.name
                    if kind == "series"
                    else origin.columns[0]
                    if len(origin.columns) == 1
                    else None
                )
            return pd.Series(result, index=index, name=name, copy=False)
        if columns is None and kind == "dataframe" and len(origin.columns) == result.shape[1]:
            columns = origin.columns
        return pd.DataFrame(result, index=index, columns=columns, copy=False)
    if result.dtype.kind == "c":
        return result
    import pyarrow as pa

    if result.ndim == 1:
        return pa.array(result)
    if columns is None:
        same = origin.columns is not None and len(origin.columns) == result.shape[1]
        columns = origin.columns if same else range(result.shape[1])
    return pa.table(
        [pa.array(result[:, j]) for j in range(result.shape[1])], names=[str(c) for c in columns]
    )


def read_arrow(
    path: str | os.PathLike[str],
    columns: str | int | list[str | int] | tuple[str | int, ...] | None = None,
) -> Any:
    """Open an Arrow IPC file (file or stream format) memory-mapped.

    The returned ``pyarrow.Table``'s columns point into the mapped file, so
    ``as_array(table.column(0), name=...)`` reads the file without loading it
    (compressed files are decompressed into memory instead).  ``columns``
    (names or positions) selects columns.

    Examples
    --------
    >>> import tempfile
    >>> path = write_arrow(tempfile.mkdtemp() + "/t.arrow", {"a": [1.0, 2.0], "b": [3, 4]})
    >>> read_arrow(path, columns=["a"]).column_names
    ['a']
    """
    import pyarrow as pa
    import pyarrow.ipc

    path = _path(path)
    if columns is not None and not isinstance(columns, (str, int, list, tuple)):
        raise _err(
            "columns",
            "must be None, a column name or position, or a list of them",
            describe(columns),
            "pass e.g. columns=['a', 'b']",
        )
    if not os.path.isfile(path):
        raise _err(
            "path",
            "must name an existing Arrow IPC file",
            repr(path),
            "check the path (pyjl.data.write_arrow writes such files)",
        )
    source = pa.memory_map(path, "r")
    try:
        table = pa.ipc.open_file(source).read_all()
    except pa.ArrowInvalid:
        try:
            source.seek(0)
            table = pa.ipc.open_stream(source).read_all()
        except pa.ArrowInvalid as exc:
            raise _err(
                "path",
                "must be an Arrow IPC file (file or stream format)",
                f"{path!r} ({exc})",
                "write it with pyarrow.ipc.new_file, "
                "pyarrow.feather.write_feather or pyjl.data.write_arrow",
            ) from None
    if columns is None:
        return table
    columns = [columns] if isinstance(columns, (str, int)) else list(columns)
    names = table.column_names
    missing = [
        c
        for c in columns
        if not (c in names if isinstance(c, str) else -len(names) <= c < len(names))
    ]
    if missing:
        raise _err(
            "columns",
            "must name columns of the file",
            f"{missing}; the file has {names}",
            "pick column names (or positions) from that list",
        )
    return table.select(columns)


def write_arrow(
    path: str | os.PathLike[str],
    data: Any,
    *,
    names: Any = None,
    max_rows_per_chunk: int | None = None,
) -> str:
    """Write ``data`` to an Arrow IPC file (readable by :func:`read_arrow`).

    ``data`` is a pyarrow Table/RecordBatch, a pandas DataFrame (index not
    written) or Series, a dict of columns, or a 1-D/2-D NumPy array (columns
    ``names`` or ``"0"``, ``"1"``, ...).  ``max_rows_per_chunk`` bounds the rows of
    each record batch (``None``: one batch).  Returns ``path`` as a string.  Arrow
    has no complex type: write the real and imaginary parts as two columns.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from pyjl.data import read_arrow, write_arrow
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = write_arrow(os.path.join(d, "x.arrow"), np.arange(6.0).reshape(3, 2),
    ...                        names=["a", "b"])
    ...     table = read_arrow(path)
    >>> table.column_names, table.num_rows
    (['a', 'b'], 3)
    """
    import pyarrow as pa
    import pyarrow.ipc

    path = _path(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise _err(
            "path",
            "must be in an existing folder",
            repr(path),
            f"create the folder {folder} first",
        )
    if max_rows_per_chunk is not None:
        max_rows_per_chunk = integer(
            max_rows_per_chunk,
            "max_rows_per_chunk",
            low=1,
            high=2**63 - 1,
            fix="pass None (one batch) or a whole number of rows >= 1",
        )
    kind = _kind(data)
    if kind in ("series", "dataframe"):
        frame = data.to_frame() if kind == "series" else data
        table = pa.Table.from_pandas(frame, preserve_index=False)
    elif kind in ("arrow_table", "arrow_batch") or isinstance(data, dict):
        table = pa.table(data)
    else:
        a = as_array(data, name="data", dtype=np.asarray(data).dtype, ndim=(1, 2), finite=False)
        if a.dtype.kind == "c":
            raise _err(
                "data",
                "must be real (Arrow has no complex type)",
                f"dtype {a.dtype}",
                "write the real and imaginary parts as two columns",
            )
        a = a.reshape(-1, 1) if a.ndim == 1 else a
        a = a.astype(a.dtype.newbyteorder("="), copy=False)  # Arrow is native-endian
        table = pa.table(
            [pa.array(a[:, j]) for j in range(a.shape[1])], names=_column_names(names, a.shape[1])
        )
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table, max_chunksize=max_rows_per_chunk)
    return path


def _path(path: Any) -> str:
    """``path`` as a string; it must be a ``str`` or an ``os.PathLike``."""
    if not isinstance(path, (str, os.PathLike)):
        raise _err(
            "path",
            "must be a file path (str or os.PathLike)",
            describe(path),
            "pass e.g. 'data/signal.arrow'",
        )
    return os.fspath(path)


def _column_names(names: Any, n_columns: int) -> list[str]:
    """``names`` checked against ``n_columns`` (default ``"0"``, ``"1"``, ...)."""
    if names is None:
        return [str(j) for j in range(n_columns)]
    if (
        isinstance(names, str)
        or not all(isinstance(n, str) for n in names)
        or len(names) != n_columns
    ):
        raise _err(
            "names",
            f"must be a list of {n_columns} column names (strings), one per column",
            describe(names),
            f"pass {n_columns} names, e.g. {[f'x{j}' for j in range(min(n_columns, 3))]}",
        )
    return list(names)
