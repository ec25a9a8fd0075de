"""The one place that limits native thread pools (BLAS, OpenMP) for a block of code.

pyjl's own kernels take their thread count from ``pyjl.get_num_threads()``; the
thread pools of the libraries underneath (OpenBLAS/MKL behind NumPy and SciPy,
the OpenMP runtime of a tree learner) are limited here, with threadpoolctl.
"""

from __future__ import annotations

import contextlib
import sys
from contextlib import AbstractContextManager

from threadpoolctl import ThreadpoolController

__all__ = ["thread_limit"]

#: the controller and the ``len(sys.modules)`` it was built at
_CACHE: tuple[ThreadpoolController, int] | None = None


def _controller() -> ThreadpoolController:
    """The shared controller, built on first use and again after any new import.

    A controller sees the libraries loaded when it was built; an import since then
    may have loaded a new thread pool (a tree learner's OpenMP runtime).
    """
    global _CACHE
    if _CACHE is None or _CACHE[1] != len(sys.modules):
        _CACHE = (ThreadpoolController(), len(sys.modules))
    return _CACHE[0]


def thread_limit(limit: int, user_api: str = "blas") -> AbstractContextManager[object]:
    """A context in which the native thread pools of ``user_api`` run ``limit`` threads at most.

    The previous thread counts are restored on exit.  When every selected library
    already runs at most ``limit`` threads, the context does nothing.

    Parameters
    ----------
    limit : int
        The most threads each selected library may run (at least 1).
    user_api : {"blas", "openmp"}, default "blas"
        The kind of thread pool to limit, as threadpoolctl names it.

    Returns
    -------
    contextlib.AbstractContextManager
        Use it in a ``with`` statement.

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> with thread_limit(1):
    ...     all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")
    True
    """
    libs = _controller().select(user_api=user_api)
    if all(lib.num_threads <= limit for lib in libs.lib_controllers):
        return contextlib.nullcontext()
    limiter: AbstractContextManager[object] = libs.limit(limits=limit)
    return limiter
