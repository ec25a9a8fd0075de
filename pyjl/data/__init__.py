"""The data layer: what a kernel receives, and what the user gets back.

:func:`as_array` turns NumPy arrays, lists, pandas Series/DataFrames, pyarrow
Arrays/ChunkedArrays/Tables/RecordBatches (memory-mapped Arrow files included)
and CuPy arrays into the C-contiguous array a kernel reads.  No copy is made
where none is needed; a needed copy (cast, nulls, chunks, several columns) is
made once, and ``copy=False`` refuses it.  The array returned may be read-only
(Arrow buffers, pandas copy-on-write, memory maps): kernels must not write into
their inputs.  :func:`origin` and :func:`restore` make the output mirror the
input; :func:`read_arrow` opens an Arrow IPC file memory-mapped; :func:`all_finite` is
the one finiteness test of every layer.  pandas and
pyarrow are imported only when such an object is passed.
"""

from ._arrow import read_arrow, write_arrow
from ._as_array import as_array
from ._checks import all_finite
from ._convert import as_raw
from ._origin import Origin, origin, restore

__all__ = [
    "as_array",
    "as_raw",
    "all_finite",
    "origin",
    "restore",
    "Origin",
    "read_arrow",
    "write_arrow",
]
