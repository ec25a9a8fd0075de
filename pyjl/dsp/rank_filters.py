"""Rank filters with zero padding: ``medfilt``, ``medfilt2d`` and ``order_filter``.

Each output sample is the ``rank``-th smallest of the samples under a window (a box of
``kernel_size``, or the nonzero entries of ``domain``) centred on it, the array
extended by zeros beyond its edges, as :func:`scipy.signal.medfilt`.  The windows are a
strided view of the zero-padded array, copied a block at a time and partitioned by
:func:`numpy.partition`, which selects the exact sample: the values are those of
:func:`scipy.ndimage.rank_filter` (``mode="constant"``, the engine of SciPy's
``medfilt`` and ``order_filter``) and of ``medfilt2d``'s C median, in about half their
time for small windows.  The result has the input's dtype; integers and float32/float64
are taken, as by SciPy (other dtypes are refused).  NaN or infinite samples are
refused: their order is undefined.

>>> import numpy as np
>>> from pyjl.dsp import medfilt
>>> medfilt(np.array([2.0, 80.0, 6.0, 3.0, 1.0]), 3).tolist()
[2.0, 6.0, 6.0, 3.0, 1.0]
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import _validate, data
from .._warn import warn
from ..exceptions import PyjlWarning
from ._frames import check_size
from ._inputs import input_dtype

__all__ = ["medfilt", "medfilt2d", "order_filter"]

#: window samples copied and partitioned at a time (32 MB of float64)
_BLOCK = 1 << 22


def _volume(obj, name: str, ndim: int | None = None):
    """``(values, origin)``: ``obj`` read in its own dtype (integers, float32 or float64;
    numbers held as Python objects as float64), finite, at least 1-D."""
    org = data.origin(obj)
    raw = data.as_raw(obj, name) if isinstance(obj, (list, tuple)) else obj
    own = input_dtype(raw)
    if own is None and getattr(raw, "dtype", None) is not None and raw.dtype.kind != "O":
        own = raw.dtype
    if own is not None and not (own.kind in "iu" or own in (np.float32, np.float64)):
        raise _validate.error(
            name,
            f"must hold integers or float32/float64 values (dtype {own} is not supported, "
            "as by SciPy)",
            f"dtype {own}",
            "convert it first, e.g. x.astype(np.float64)",
            wrong_type=True,
        )
    values = data.as_array(
        raw, name=name, dtype=np.float64 if own is None else own, allow_empty=True
    )
    if ndim is not None and values.ndim != ndim:
        raise _validate.error(
            name,
            f"must be {ndim}-D",
            f"a {values.ndim}-D array of shape {values.shape}",
            "pass a 2-D array, or use medfilt for other shapes",
        )
    return np.atleast_1d(values), org


def _kernel(kernel_size, ndim: int, shape) -> list[int]:
    """``kernel_size`` as ``ndim`` odd positive sizes (one size repeated, or one per axis)."""
    if kernel_size is None:
        kernel_size = 3
    sizes = np.asarray(kernel_size, dtype=object) if not isinstance(kernel_size, str) else None
    if sizes is None or sizes.ndim > 1 or (sizes.ndim == 1 and sizes.size != ndim):
        raise _validate.error(
            "kernel_size",
            f"must be one odd size or {ndim} of them (one per axis)",
            _validate.describe(kernel_size),
            f"pass an odd integer or a list of {ndim}",
        )
    items = [sizes.item()] * ndim if sizes.ndim == 0 else list(sizes)
    out = []
    for k, v in enumerate(items):
        size = _validate.integer(
            v, "kernel_size" if sizes.ndim == 0 else f"kernel_size[{k}]", low=1
        )
        if size % 2 != 1:
            raise _validate.error(
                "kernel_size",
                "must hold odd sizes (the window is centred on each sample)",
                _validate.describe(kernel_size),
                f"pass {size - 1} or {size + 1}",
            )
        out.append(size)
    check_size(math.prod(out), "kernel_size", _validate.describe(kernel_size), 8, "window")
    if any(k > n for k, n in zip(out, shape)):
        warn(
            f"kernel_size {out} exceeds the input's shape {tuple(shape)}: the input is "
            "padded with zeros, which the median then counts. Pass a smaller kernel.",
            PyjlWarning,
        )
    return out


def _rank(values, rank: int, footprint=None, size=None):
    """The ``rank``-th smallest of the samples under ``footprint`` (or a box of ``size``)
    centred on each sample, zero-padded: the windows as a strided view, copied a block of
    rows at a time (:data:`_BLOCK` values) and partitioned (:func:`numpy.partition`
    selects the exact sample, as :func:`scipy.ndimage.rank_filter`)."""
    if values.size == 0:
        return values.copy()
    if footprint is None and any(k > 2 * n - 1 for k, n in zip(size, values.shape)):
        return _rank_of_wide_box(values, rank, size)
    fp = np.ones(size, dtype=bool) if footprint is None else footprint
    padded = np.pad(values, [(k // 2, k // 2) for k in fp.shape])
    windows = sliding_window_view(padded, fp.shape)
    picked = None if fp.all() else np.flatnonzero(fp)
    count = fp.size if picked is None else picked.size
    out = np.empty_like(values)
    rows = max(1, _BLOCK // (count * (values.size // values.shape[0])))
    for r in range(0, values.shape[0], rows):
        block = windows[r : r + rows].reshape(-1, fp.size)
        if picked is not None:
            block = block[:, picked]
        out[r : r + rows] = np.partition(block, rank, axis=1)[:, rank].reshape(
            out[r : r + rows].shape
        )
    return out


def _rank_of_wide_box(values, rank: int, size):
    """:func:`_rank` for a box wider than ``2 n - 1`` along some axis: there every window
    covers the whole axis and only more padding zeros, so the box is cut to ``2 n - 1``
    and the ``z`` zeros it drops, as many in every window, are ranked by count: below the
    window's negative samples the rank is the cut box's own, within them and the ``z``
    zeros it is 0, above it is the cut box's rank less ``z`` (a window of ``10**9``
    samples over 8 made SciPy's and the plain path's ``10**9``-sample windows)."""
    cut = [min(k, 2 * n - 1) for k, n in zip(size, values.shape)]
    total, kept = math.prod(size), math.prod(cut)
    z = total - kept
    below = _rank(values, rank, size=cut) if rank < kept else np.zeros_like(values)
    above = _rank(values, rank - z, size=cut) if rank >= z else np.zeros_like(values)
    pads = [(k // 2, k // 2) for k in cut]
    negative = sliding_window_view(np.pad(values < 0, pads), cut)
    neg = negative.sum(axis=tuple(range(values.ndim, 2 * values.ndim)))
    zero = np.zeros((), values.dtype)
    return np.where(rank < neg, below, np.where(rank < neg + z, zero, above)).astype(values.dtype)


def medfilt(volume, kernel_size=None):
    """Median filter an N-D array (:func:`scipy.signal.medfilt`), zero-padded.

    Parameters
    ----------
    volume : array_like, Series, DataFrame or Arrow array/table
        Integers, float32 or float64 (as SciPy; booleans, float16 and complex are
        refused), finite.  A scalar is read as a 1-sample array, as by SciPy.
    kernel_size : int or sequence of int, optional
        The window's odd size in every dimension, or one per dimension (default 3).
        A window larger than the input warns (:class:`~pyjl.exceptions.PyjlWarning`):
        the zeros beyond the edges are counted.

    Returns
    -------
    ndarray, Series, DataFrame or Arrow array/table
        The medians, of ``volume``'s shape, dtype and kind.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> x = np.arange(25).reshape(5, 5)
    >>> dsp.medfilt(x, 3)[1].tolist()
    [1, 6, 7, 8, 4]
    """
    values, org = _volume(volume, "volume")
    size = _kernel(kernel_size, values.ndim, values.shape)
    return data.restore(_rank(values, math.prod(size) // 2, size=size), org)


def medfilt2d(input, kernel_size=3):  # noqa: A002 - SciPy's name
    """Median filter a 2-D array (:func:`scipy.signal.medfilt2d`), zero-padded: as
    :func:`medfilt` for 2-D ``input`` (a DataFrame gives a DataFrame).

    Parameters
    ----------
    input : array_like (2-D), DataFrame or Arrow table
        As :func:`medfilt`'s ``volume``, 2-D.
    kernel_size : int or sequence of 2 int
        Odd window sizes (default 3 x 3).

    Returns
    -------
    ndarray, DataFrame or Arrow table
        The medians, of ``input``'s shape, dtype and kind.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> img = np.full((5, 5), 10.0)
    >>> img[2, 2] = 255.0  # an outlier
    >>> float(dsp.medfilt2d(img)[2, 2])
    10.0
    """
    values, org = _volume(input, "input", ndim=2)
    size = _kernel(kernel_size, 2, values.shape)
    return data.restore(_rank(values, math.prod(size) // 2, size=size), org)


def order_filter(a, domain, rank):
    """The ``rank``-th smallest sample under a mask (:func:`scipy.signal.order_filter`),
    zero-padded.

    Parameters
    ----------
    a : array_like, Series, DataFrame or Arrow array/table
        As :func:`medfilt`'s ``volume``.
    domain : array_like
        The mask, centred on each sample: its nonzero entries select the samples ranked.
        As many dimensions as ``a``, each of odd size, finite, at least one nonzero.
    rank : int
        0 for the smallest, up to the number of nonzero entries of ``domain`` minus one.

    Notes
    -----
    For 1-D ``a`` and a ``domain`` with zeros, SciPy 1.17 runs ndimage's 1-D fast path,
    whose last samples are not the ranks of their windows
    (``order_filter([1, 2, 3, 4], [1, 1, 0, 0, 1], 1)`` ends in 0; the window of the last
    sample holds 2, 3 and a padding zero, so 2): pyjl gives the windows' ranks, those of
    SciPy's N-D path (``a`` as one row of a 2-D array).

    Returns
    -------
    ndarray, Series, DataFrame or Arrow array/table
        Of ``a``'s shape, dtype and kind.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> x = np.arange(25).reshape(5, 5)
    >>> dsp.order_filter(x, np.identity(3), 0)[2].tolist()
    [0, 5, 6, 7, 0]
    """
    values, org = _volume(a, "a")
    mask = data.as_array(domain, name="domain", dtype=np.float64)
    if mask.ndim != values.ndim or any(n % 2 != 1 for n in mask.shape):
        raise _validate.error(
            "domain",
            f"must have the {values.ndim} dimensions of `a`, each of odd size",
            f"shape {mask.shape}",
            "pass a mask such as np.ones((3,) * a.ndim)",
        )
    footprint = mask != 0
    count = int(footprint.sum())
    if count == 0:
        raise _validate.error(
            "domain", "must have a nonzero entry", "all zeros", "mark the samples to rank with 1"
        )
    r = _validate.integer(rank, "rank", low=0, high=count - 1)
    return data.restore(_rank(values, r, footprint=footprint), org)
