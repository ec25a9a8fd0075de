"""Arguments to Julia and results back, without copies: the orientation rule of
:mod:`pyjl.julia.bridge`, as code.

:func:`to_julia` passes an array as its transpose view (juliacall wraps that
F-order view as a column-major ``PyArray`` over the same memory);
:func:`from_julia` takes a Julia array through ``to_numpy(copy=False)`` and
returns the transpose of that view.  One-dimensional arrays pass unchanged.

>>> import numpy as np
>>> x = np.arange(6.0).reshape(3, 2)
>>> to_julia(x).shape, np.shares_memory(to_julia(x), x)
((2, 3), True)
>>> back = from_julia(to_julia(x))
>>> back.shape, back.flags.c_contiguous, np.shares_memory(back, x)
((3, 2), True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["to_julia", "from_julia"]


def to_julia(value: Any) -> Any:
    """One argument, ready for a Julia call: arrays as reversed-axes views, numpy
    scalars as Python scalars, tuples and lists element-wise; the rest unchanged."""
    if isinstance(value, np.ndarray):
        return value.T if value.ndim > 1 else value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return type(value)(to_julia(v) for v in value)
    return value


def from_julia(value: Any) -> Any:
    """One result, back in NumPy terms: a Julia array as a reversed-axes NumPy view
    (``to_numpy(copy=False)``; a copy only where Julia's element type has no NumPy
    equivalent), a tuple element-wise; scalars and ``None`` unchanged."""
    if isinstance(value, tuple):
        return tuple(from_julia(v) for v in value)
    if hasattr(value, "to_numpy"):  # juliacall ArrayValue (a Julia array)
        try:
            value = value.to_numpy(copy=False)
        except Exception:  # element type NumPy cannot view
            value = np.asarray(value.to_numpy())
    if isinstance(value, np.ndarray):
        return value.T if value.ndim > 1 else value
    return value
