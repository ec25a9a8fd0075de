"""`as_array`: the one door from a user's object to the array a kernel reads."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .._validate import describe, row_index, row_labels
from .._validate import error as _err
from ._checks import (
    _F64,
    _check_finite,
    _check_kind,
    _describe,
    _object_numbers,
    _refuse,
    _refuse_sparse,
    _root,
    all_finite,
)
from ._convert import _contiguous, _to_numpy


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
    order: str = "C",
) -> Any:
    """Return the contiguous array a kernel reads, copying only where needed.

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
    order : {"C", "F"}, default "C"
        The memory layout returned: C-contiguous (rows contiguous), or F-contiguous
        (columns contiguous: a table's columns gathered side by side, each in one
        run of memory, as a kernel reading columns as channels wants them).

    Returns
    -------
    numpy.ndarray (cupy.ndarray for CuPy input)
        Zero-copy (possibly read-only) for an array of ``dtype`` contiguous in
        ``order``, a null-free single-chunk Arrow column, a one-block DataFrame that
        pandas lays out in ``order`` (``"F"`` for a frame built from columns, which
        pandas stores one column after another), and columns of memory-mapped Arrow
        files.  Tables/DataFrames give ``(n_rows, n_cols)``.

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
    plain = _plain_f64(obj, dtype, ndim, copy, finite, allow_empty, order)
    if plain is not None:
        return plain
    index = row_index(obj)
    if index is None:
        return _general(obj, name, dtype, ndim, copy, finite, device, allow_empty, order)
    with row_labels(index):
        return _general(obj, name, dtype, ndim, copy, finite, device, allow_empty, order)


def _general(
    obj: Any,
    name: str,
    dtype: Any,
    ndim: Any,
    copy: Any,
    finite: Any,
    device: Any,
    allow_empty: Any,
    order: Any,
) -> Any:
    """:func:`as_array` past its fast path for plain float64 arrays."""
    dtype, allowed = _as_array_options(dtype, ndim, copy, finite, order)
    _refuse_sparse(obj, name)
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
        a, copied, labels = _to_numpy(obj, name, dtype, copy, finite, order)
        if a.dtype.kind == "O" and dtype.kind in "biufc":
            _refuse(name, copy, "its Python objects must be converted to numbers", obj)
            a, copied = _object_numbers(a, name, dtype, labels), True
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
    if a.dtype != dtype or not _contiguous(a, order):
        _refuse(
            name,
            copy,
            f"dtype {a.dtype} must be cast to {dtype.name}"
            if a.dtype != dtype
            else "it is not C-contiguous (strided or Fortran-ordered)"
            if order == "C"
            else "it is not F-contiguous (strided or C-ordered)",
            obj,
        )
        a, copied = a.astype(dtype, order=order), True
    elif copy and (not copied or not a.flags.writeable):  # fresh and writable, as promised
        a = a.copy(order=order)
    if finite:
        one = labels[0] if labels is not None and a.ndim == 1 else None
        _check_finite(a, name, labels, xp, column=one)
    return a


def _plain_f64(
    obj: Any, dtype: Any, ndim: Any, copy: Any, finite: Any, allow_empty: Any, order: Any
) -> Any:
    """:func:`as_array`'s result for the common case, a float64 NumPy array wanted as
    float64 whose every check passes (``obj`` itself when contiguous in ``order``, else its
    copy in that order where ``copy=None`` allows one), or None: the general path decides."""
    if not (
        type(obj) is np.ndarray
        and (dtype is np.float64 or dtype is _F64)
        and obj.dtype == _F64
        and (ndim is None or (type(ndim) is int and ndim == obj.ndim))
        and (obj.size or allow_empty)
        and (finite is True or finite is False)
        and isinstance(order, str)
        and order in ("C", "F")
    ):
        return None
    if _contiguous(obj, order) and (copy is None or copy is False):
        a = obj
    elif copy is None:
        a = obj.astype(_F64, order="F" if order == "F" else "C")
    else:
        return None
    return a if finite is False or all_finite(a) else None


def _as_array_options(
    dtype: Any, ndim: Any, copy: Any, finite: Any, order: Any
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
    if not (isinstance(order, str) and order in ("C", "F")):
        raise _err("order", 'must be "C" or "F"', describe(order), 'pass order="C" or "F"')
    return dtype, allowed
