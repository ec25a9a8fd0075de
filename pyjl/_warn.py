"""Every pyjl warning, attributed to the user's line.

A warning raised deep in pyjl is reached from public calls through call chains of
different depths (``fit``, ``predict``, a stream's ``process``, a lambda passed to a
search), so no fixed ``stacklevel`` points at the caller from all of them: :func:`warn`
counts the frames inside the ``pyjl`` package instead, and every module of pyjl warns
through it.  It names the first frame outside pyjl: the user's line, or, where pyjl
runs as a callback of another library (an optimiser of SciPy's, a pool's thread), that
library's.

:func:`quiet` silences pyjl's own warnings of some categories in the calling thread,
where pyjl calls itself and reports the outcome once (a fit's restarts, a surrogate's
refits): unlike ``warnings.catch_warnings``, which rewrites the process's filter list
and, entered from several threads, restores it out of order (leaving a filter behind),
it changes nothing another thread sees.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from types import FrameType
from typing import Any

from .exceptions import as_issued

__all__ = ["warn", "quiet", "collect"]

_local = threading.local()

#: The ``pyjl`` package's directory: frames of files under it are pyjl's own.
_ROOT = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn(message, category)`` attributed to the first caller outside pyjl.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("checked", UserWarning)
    >>> caught[0].filename.endswith("_warn.py")
    False
    """
    if issubclass(category, getattr(_local, "quiet", ())):
        return
    kept = getattr(_local, "kept", None)
    if kept is not None:
        kept.append((message, category))
        return
    frame: FrameType | None = sys._getframe(1)
    level = 2  # the caller's frame is stacklevel 2
    while frame is not None and _inside(frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, as_issued(category), stacklevel=level)


@contextlib.contextmanager
def quiet(*categories: type[Warning]) -> Iterator[None]:
    """pyjl's warnings of ``categories`` (and their subclasses) are not issued by this
    thread inside the block; other threads, and other libraries' warnings, are untouched.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     with quiet(UserWarning):
    ...         warn("dropped", UserWarning)
    ...     warn("kept", UserWarning)
    >>> [str(w.message) for w in caught]
    ['kept']
    """
    with _swapped("quiet", getattr(_local, "quiet", ()) + categories):
        yield


@contextlib.contextmanager
def collect() -> Iterator[list[tuple[str, type[Warning]]]]:
    """pyjl's warnings in this thread are kept, as ``(message, category)``, in the list
    the block receives instead of issued: work done elsewhere (a Dask worker's, whose
    warnings its process would only print) hands them back to be issued by the caller.

    Examples
    --------
    >>> with collect() as kept:
    ...     warn("later", UserWarning)
    >>> kept
    [('later', <class 'UserWarning'>)]
    """
    kept: list[tuple[str, type[Warning]]] = []
    with _swapped("kept", kept):
        yield kept


@contextlib.contextmanager
def _swapped(name: str, value: Any) -> Iterator[None]:
    """This thread's ``name`` setting is ``value`` inside the block, as before after it."""
    missing = object()
    saved = getattr(_local, name, missing)
    setattr(_local, name, value)
    try:
        yield
    finally:
        if saved is missing:
            delattr(_local, name)
        else:
            setattr(_local, name, saved)


@functools.lru_cache(maxsize=1024)
def _inside(filename: str) -> bool:
    """Whether ``filename`` is a file of the pyjl package (asked once per file)."""
    return os.path.abspath(filename).startswith(_ROOT)
