"""All or nothing: a call that raises leaves its object's attributes as they were."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def unchanged_on_error(obj: object) -> Iterator[None]:
    """Restore ``obj``'s attributes (``vars(obj)``, rebinding only: arrays a call
    mutates in place are not copied) when the block raises, so that a refused ``fit``
    or ``update`` leaves the model that was fitted before, not half of a new one.

    >>> class M:
    ...     x = None
    >>> m = M(); m.x = 1
    >>> try:
    ...     with unchanged_on_error(m):
    ...         m.x, m.y = 2, 3
    ...         raise ValueError("refused")
    ... except ValueError:
    ...     pass
    >>> m.x, hasattr(m, "y")
    (1, False)
    """
    saved = dict(vars(obj))
    try:
        yield
    except BaseException:
        state = vars(obj)
        state.clear()
        state.update(saved)
        raise
