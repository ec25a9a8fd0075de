"""Results computed once per argument value: designs, windows, responses, verdicts.

Filter designs, windows and the checks of filter coefficients are pure functions of a few
numbers, names and short arrays; a repeated call (a window per frame, a design per block,
the same filter applied to chunk after chunk) would pay them again.  :func:`by_value`
keeps the results of successful calls whose arguments are all plain scalars, strings or
numeric arrays of at most ``longest`` values (:data:`KEY_VALUES` unless the function's
arrays are only coefficients), keyed on each scalar's type and ``repr`` (``True`` and
``1``, ``0.0`` and ``-0.0`` stay apart, so a value the checks refuse never meets a kept
result) and each array's dtype, shape and bytes (its values now: an array changed in
place is a new key), and hands out copies: the caller owns its arrays, as with SciPy
(or, ``shared``, the kept arrays themselves, read-only).  Errors are never kept (the next
call checks again), nor entries whose key arrays and result exceed :data:`KEPT_VALUES`
numbers; each function keeps its latest ``entries`` results, and all kept entries together
stay within :data:`TOTAL_VALUES` numbers (the oldest go first).  A function that can warn
is not wrapped whole: it returns its warning, which its caller raises on every call.

A caller on a per-call path (the filters' coefficient checks) that has already checked its
arguments' types keys the call itself, ``kept.keyed(key, *args)`` with the arrays' bytes and
shapes in ``key``: the same store, limits and copy rules, without the per-argument
dispatch, which costs more than the filtering of a short signal.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, Protocol, cast

import numpy as np

__all__ = ["by_value", "clear", "KEY_VALUES", "KEPT_VALUES", "TOTAL_VALUES", "ENTRIES"]

#: the longest array (numbers) in a key by default: coefficients, not signals
KEY_VALUES = 4096
#: the largest entry (numbers in its key arrays and result) that is kept
KEPT_VALUES = 1 << 16
#: the numbers kept in all (32 MB of float64); the oldest entries go first
TOTAL_VALUES = 1 << 22
#: the results one function keeps by default (its oldest go first)
ENTRIES = 256
#: every kept entry by (function's name, key), oldest first: its size
_ALL: dict[tuple[str, tuple], int] = {}
#: each function's kept results by key, oldest first
_MINE: dict[str, dict[tuple, Any]] = {}
_total = 0
_lock = threading.Lock()
_MISSING = object()
_SCALARS = (type(None), bool, int, float, complex, str, np.generic)
#: the native-order numeric dtypes (others are checked by kind)
_NUMERIC = frozenset(np.dtype(c) for c in "?bBhHiIlLqQefdgFDG")


def _part(value: Any, longest: int) -> tuple | None:
    """One argument's share of a key: its dtype, shape and bytes (a numeric NumPy array of
    at most ``longest`` values), its type and ``repr`` (a scalar) or its items' shares (a
    tuple or list); None for anything else."""
    if type(value) is np.ndarray:
        dt = value.dtype
        if (dt in _NUMERIC or dt.kind in "biufc") and value.size <= longest:
            return (dt, value.shape, value.tobytes())
        return None
    if type(value) is str or isinstance(value, _SCALARS):
        return (type(value), repr(value))
    if type(value) is tuple or type(value) is list:  # the values now, not the object
        parts = tuple([_part(v, longest) for v in value])
        return None if None in parts else (type(value), parts)
    return None


def _key(args: tuple, kwargs: dict, longest: int = KEY_VALUES) -> tuple | None:
    """The cache key of a call, or None when an argument cannot be part of one."""
    parts: list[tuple] = []
    for value in args:
        if type(value) is np.ndarray and value.dtype in _NUMERIC and value.size <= longest:
            parts.append((value.dtype, value.shape, value.tobytes()))  # _part's, faster
            continue
        part = _part(value, longest)
        if part is None:
            return None
        parts.append(part)
    if kwargs:
        for name in sorted(kwargs):
            part = _part(kwargs[name], longest)
            if part is None:
                return None
            parts.append((name, part))
    return tuple(parts)


def _key_size(key: Any) -> int:
    """The numbers (8-byte units) a key's arrays hold."""
    if type(key) is bytes:
        return len(key) // 8
    if type(key) is tuple:
        return sum(_key_size(part) for part in key)
    return 0


def _copy(result: Any) -> Any:
    if isinstance(result, np.ndarray):
        return result.copy(order="K")  # SciPy's memory layout too
    if isinstance(result, tuple):
        parts = []
        for part in result:
            parts.append(part.copy(order="K") if isinstance(part, np.ndarray) else _copy(part))
        return tuple(parts)
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


class Kept(Protocol):
    """A function wrapped by :func:`by_value`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    def keyed(self, key: tuple, *args: Any) -> Any: ...


def by_value(
    func: Callable[..., Any],
    shared: bool = False,
    *,
    entries: int = ENTRIES,
    longest: int = KEY_VALUES,
) -> Kept:
    """``func`` with its results kept per argument value (see the module docstring).

    ``shared``: hand out the kept arrays themselves, read-only (for pyjl's own callers,
    which never write into them), instead of copies.  ``entries`` (at least 1): the results
    this function keeps.  ``longest``: the longest array in a key, in values (raise it to
    :data:`KEPT_VALUES` for a function whose arrays are only coefficients and whose work
    grows faster than their length: roots, linear solves)."""
    name = f"{func.__module__}.{func.__qualname__}"
    mine = _MINE.setdefault(name, {})

    def compute(key: tuple, args: tuple, kwargs: dict) -> Any:
        result = func(*args, **kwargs)
        size = _size(result) + _key_size(key)
        if size <= KEPT_VALUES:
            _keep(name, key, _freeze(result) if shared else _copy(result), size, entries)
        return result

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        key = _key(args, kwargs, longest)
        if key is None:
            return func(*args, **kwargs)
        found = mine.get(key, _MISSING)
        if found is not _MISSING:
            return found if shared else _copy(found)
        return compute(key, args, kwargs)

    def keyed(key: tuple, *args: Any) -> Any:
        """``func(*args)`` kept under ``key``: the arguments' values as the caller, which has
        already checked their types, reads them (float64 arrays: their bytes and shapes)."""
        found = mine.get(key, _MISSING)
        if found is not _MISSING:
            return found if shared else _copy(found)
        return compute(key, args, {})

    call.__wrapped__ = inspect.unwrap(func)  # the documented function, not a wrapper
    call.keyed = keyed  # type: ignore[attr-defined]
    return cast(Kept, call)


def _keep(name: str, key: tuple, result: Any, size: int, entries: int) -> None:
    """Keep ``result``, dropping the function's oldest results beyond ``entries`` and the
    oldest of all while all of them together would exceed :data:`TOTAL_VALUES` numbers."""
    global _total
    mine = _MINE[name]
    with _lock:
        if key in mine:  # another thread kept it meanwhile
            return
        while mine and len(mine) >= entries:
            _drop((name, next(iter(mine))))
        while _ALL and _total + size > TOTAL_VALUES:
            _drop(next(iter(_ALL)))
        mine[key] = result
        _ALL[name, key] = size
        _total += size


def _drop(entry: tuple[str, tuple]) -> None:
    """Forget one kept entry (the lock held)."""
    global _total
    _total -= _ALL.pop(entry)
    del _MINE[entry[0]][entry[1]]


def clear() -> None:
    """Forget every kept result."""
    global _total
    with _lock:
        _ALL.clear()
        for mine in _MINE.values():
            mine.clear()
        _total = 0
