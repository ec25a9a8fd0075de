"""Output mirrors input: `origin` remembers the input's form, `restore` gives it to a result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import _kind, _root


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
    >>> from pyjl.data import as_array
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
