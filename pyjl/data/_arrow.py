"""Arrow IPC files: `read_arrow` opens one memory-mapped, `write_arrow` writes one."""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from .._validate import describe, integer
from .._validate import error as _err
from ._as_array import as_array
from ._checks import _kind
from ._convert import as_raw


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
    if columns is not None:
        columns = _column_keys(columns)
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
    twice = [c for c in columns if isinstance(c, str) and names.count(c) > 1]
    if twice:
        raise _err(
            "columns",
            "must name columns the file holds once (a name it repeats is ambiguous)",
            f"{twice}; the file has {names}",
            "select those columns by position instead, e.g. columns=[0, 1]",
        )
    return table.select(columns)


def _column_keys(columns: Any) -> list[str | int]:
    """``columns`` of :func:`read_arrow` as a list of names and positions (a NumPy integer
    is a position; a bool, a float or anything else is refused)."""
    one = isinstance(columns, (str, numbers.Integral))
    keys = [columns] if one else columns if isinstance(columns, (list, tuple)) else None
    if keys is not None:
        ok = [
            isinstance(c, str) or (isinstance(c, numbers.Integral) and not isinstance(c, bool))
            for c in keys
        ]
        if all(ok):
            return [c if isinstance(c, str) else int(c) for c in keys]
    raise _err(
        "columns",
        "must be None, a column name or position (an int, not a bool), or a list of them",
        describe(columns),
        "pass e.g. columns=['a', 'b'] or columns=[0, 1]",
    )


def write_arrow(
    path: str | os.PathLike[str],
    data: Any,
    *,
    names: Any = None,
    max_rows_per_chunk: int | None = None,
) -> str:
    """Write ``data`` to an Arrow IPC file (readable by :func:`read_arrow`).

    ``data`` is a pyarrow Table/RecordBatch, a pandas DataFrame (index not
    written) or Series, a dict of columns of one length, a pyarrow Array or
    ChunkedArray (one column, its type kept), or a 1-D/2-D NumPy array (columns
    ``names`` or ``"0"``, ``"1"``, ...; no row is fine).  ``max_rows_per_chunk`` bounds the rows of
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
        seen: set[str] = set()
        for label in frame.columns:  # as the names Arrow stores: str(label)
            if str(label) in seen:  # a file could not tell them apart on reading
                raise _err(
                    "data",
                    "must have distinct column names (as text)",
                    f"a DataFrame with the column {str(label)!r} more than once",
                    "rename the columns, e.g. df.columns = [f'c{i}' for i in range(df.shape[1])]",
                )
            seen.add(str(label))
        frame = frame.apply(_native) if any(_swapped(d) for d in frame.dtypes) else frame
        table = pa.Table.from_pandas(frame, preserve_index=False)
    elif isinstance(data, dict):
        lengths = {}
        for key, column in data.items():
            if np.ndim(column) != 1:
                raise _err(
                    f"data[{key!r}]",
                    "must be one column (1-D)",
                    f"shape {np.shape(column)}",
                    "give each column its own key, e.g. {'a0': x[:, 0], 'a1': x[:, 1]}",
                )
            lengths[key] = len(column)
        if len(set(lengths.values())) > 1:
            raise _err(
                "data",
                "must hold columns of one length (the rows of a table)",
                f"lengths {lengths}",
                "pad or cut the columns to the same number of rows",
            )
        table = pa.table({k: _native(v) for k, v in data.items()})
    elif kind in ("arrow_table", "arrow_batch"):
        table = pa.table(data)
    elif kind in ("arrow_array", "arrow_chunked"):  # one column, written as it is
        table = pa.table([data], names=_column_names(names, 1))
    else:
        raw = as_raw(data, "data").dtype
        a = as_array(data, name="data", dtype=raw, ndim=(1, 2), finite=False, allow_empty=True)
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
    if max_rows_per_chunk is None:  # one batch: a chunked input's boundaries would each start one
        try:
            table = table.combine_chunks()
        except pa.ArrowInvalid:  # columns past a 32-bit offset (text over 2 GB) stay chunked
            pass
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table, max_chunksize=max_rows_per_chunk)
    return path


def _swapped(dtype: Any) -> bool:
    """Whether ``dtype`` is a NumPy dtype in the other byte order (Arrow takes native)."""
    return isinstance(dtype, np.dtype) and not dtype.isnative


def _native(column: Any) -> Any:
    """A column (array or Series) of a byte-swapped dtype in native order, else itself."""
    dt = getattr(column, "dtype", None)
    if not isinstance(dt, np.dtype) or dt.isnative:
        return column
    return column.astype(dt.newbyteorder("="))


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
