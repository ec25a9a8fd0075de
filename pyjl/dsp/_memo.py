"""Designs and windows computed once per argument value.

Filter designs and windows are pure functions of a few numbers and names, checked by pyjl
and then computed by SciPy; a repeated call (a window per frame, a design per block)
would pay both again.  :func:`by_value` keeps the results of successful calls whose
arguments are all plain scalars, strings or short numeric arrays (coefficients), keyed on
each scalar's type and ``repr`` (``True`` and ``1``, ``0.0`` and ``-0.0`` stay apart, so
a value the checks refuse never meets a kept result) and each array's dtype, shape and
bytes, and hands out copies: the caller owns its arrays, as with SciPy.  Errors are never
kept (the next call checks again), nor results that exceed :data:`KEPT_VALUES` numbers
(all kept results together stay within :data:`TOTAL_VALUES`);
a function that can warn is not wrapped whole (its callers keep the warning outside).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["by_value", "clear", "KEPT_VALUES", "TOTAL_VALUES"]

#: the largest result (numbers in all) that is kept
KEPT_VALUES = 1 << 16
#: the numbers kept in all (32 MB of float64); the oldest results go first
TOTAL_VALUES = 1 << 22
_KEPT: dict[tuple, tuple[Any, int]] = {}
_total = 0
_SCALARS = (type(None), bool, int, float, complex, str, np.generic)
_KEY_VALUES = 4096  # the longest array (coefficients) that is part of a key


def _part(value: Any) -> tuple | None:
    """One argument's share of a key: its type and ``repr`` (a scalar), its items' shares (a
    tuple or list), or its dtype, shape and bytes (a NumPy array of at most ``_KEY_VALUES``
    numbers); None for anything else."""
    if isinstance(value, _SCALARS):
        return (type(value), repr(value))
    if type(value) is tuple or type(value) is list:  # the values now, not the object
        parts = tuple(_part(v) for v in value)
        return None if None in parts else (type(value), parts)
    if type(value) is np.ndarray and value.dtype.kind in "biufc" and value.size <= _KEY_VALUES:
        return (value.dtype.str, value.shape, value.tobytes())
    return None


def _key(args: tuple, kwargs: dict) -> tuple | None:
    """The cache key of a call, or None when an argument cannot be part of one."""
    parts = []
    for value in args:
        part = _part(value)
        if part is None:
            return None
        parts.append(part)
    for name in sorted(kwargs):
        part = _part(kwargs[name])
        if part is None:
            return None
        parts.append((name,) + part)
    return tuple(parts)


def _copy(result: Any) -> Any:
    if isinstance(result, np.ndarray):
        return result.copy(order="K")  # SciPy's memory layout too
    if isinstance(result, tuple):
        return tuple(_copy(part) for part in result)
    return result


def _freeze(result: Any) -> Any:
    """``result`` with its arrays made read-only."""
    if isinstance(result, np.ndarray):
        result.flags.writeable = False
    elif isinstance(result, tuple):
        for part in result:
            _freeze(part)
    return result


def _size(result: Any) -> int:
    if isinstance(result, np.ndarray):
        return int(result.size)
    if isinstance(result, tuple):
        return sum(_size(part) for part in result)
    return 1


def by_value(func: Callable[..., Any], shared: bool = False) -> Callable[..., Any]:
    """``func`` with its results kept per argument value (see the module docstring).
    ``shared``: hand out the kept arrays themselves, read-only (for pyjl's own callers,
    which never write into them), instead of copies."""
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        key = _key(args, kwargs)
        if key is None:
            return func(*args, **kwargs)
        key = (name,) + key
        found = _KEPT.get(key)
        if found is not None:
            return found[0] if shared else _copy(found[0])
        result = func(*args, **kwargs)
        size = _size(result)
        if size <= KEPT_VALUES:
            _keep(key, _freeze(result) if shared else _copy(result), size)
        return result

    call.__wrapped__ = inspect.unwrap(func)  # the documented function, not a wrapper
    return call


def _keep(key: tuple, result: Any, size: int) -> None:
    """Keep ``result``, dropping the oldest results while all of them together would
    exceed :data:`TOTAL_VALUES` numbers."""
    global _total
    try:
        while _KEPT and _total + size > TOTAL_VALUES:
            _total -= _KEPT.pop(next(iter(_KEPT)))[1]
    except (RuntimeError, StopIteration, KeyError):  # another thread changed it
        pass
    _KEPT[key] = (result, size)
    _total += size


def clear() -> None:
    """Forget every kept result."""
    global _total
    _KEPT.clear()
    _total = 0
