"""Where a study's evaluations run, and the heartbeat that says they are alive.

:func:`executor_of` turns the ``executor`` argument (none: inline; ``n_workers > 1`` with
none: a thread pool; any :class:`concurrent.futures.Executor`; ``"dask"`` or a
``dask.distributed.Client``) into an executor and what to close after the run;
:func:`beating` beats the heartbeat of the trials in flight from a thread.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

from .. import _validate as check
from .liveness import HEARTBEAT_S
from .optimizer import Optimizer

__all__ = ["check_executor", "executor_of", "beating"]

log = logging.getLogger("pyjl.bo")


_EXECUTOR_RULE = "must be None, 'dask', a dask.distributed.Client or a concurrent.futures.Executor"


def check_executor(executor, workers: str = "n_workers", func=None) -> None:
    """Refuse an ``executor`` argument :func:`executor_of` cannot use, before anything is
    created (a study, a cluster); ``workers``: the caller's name for the worker count.
    With ``func``, a process pool's objective must pickle (else every trial would fail
    with the same error, the budget spent)."""
    if isinstance(executor, cf.ProcessPoolExecutor) and func is not None:
        _check_picklable(func)
    client = _client_of(executor)
    if client is not None and getattr(client, "status", None) in ("closing", "closed"):
        raise check.error("executor", "must be running", "a closed Client", "start a new Client")
    if executor is None or isinstance(executor, cf.Executor):
        return
    if isinstance(executor, str) and executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise check.error(
                "executor",
                "must be an Executor, or 'dask' with dask.distributed installed",
                "'dask' (dask.distributed is not installed)",
                "pip install 'pyjl[dask]', or pass another executor",
            ) from None
        return
    if client is not None:
        return
    raise check.error(
        "executor",
        _EXECUTOR_RULE,
        check.describe(executor),
        f"pass e.g. concurrent.futures.ProcessPoolExecutor(4), or None with {workers}",
    )


def _client_of(executor):
    """The Dask ``Client`` of ``executor`` (a Client, or the executor one hands out,
    whose own tasks default to ``pure=True``), else None."""
    if isinstance(executor, str) or not type(executor).__module__.startswith("distributed"):
        return None
    if hasattr(executor, "get_executor") and hasattr(executor, "submit"):
        return executor
    return getattr(executor, "_client", None)


def _check_picklable(func) -> None:
    """Refuse an objective a process pool cannot send."""
    from multiprocessing.reduction import ForkingPickler  # the pool's own pickler

    try:
        ForkingPickler(_Discard()).dump(func)
    except Exception as exc:  # noqa: BLE001 - pickling raises many kinds
        raise check.error(
            "func",
            "must be picklable to run in a process pool",
            f"{check.describe(func)} ({type(exc).__name__}: {exc})",
            "define it at module level (not a lambda or a closure over locks, files or "
            "clients), or use threads (n_workers, no executor)",
        ) from None


class _Discard:
    """A file that keeps nothing (what is pickled is only checked, not held)."""

    def write(self, data) -> int:
        return len(data)


def executor_of(executor, n_workers: int, workers: str = "n_workers"):
    """(executor or None for inline, owned resources to close), for an ``executor`` that
    :func:`check_executor` accepts."""
    check_executor(executor, workers)
    if executor is None:
        if n_workers == 1:
            return None, []
        pool = cf.ThreadPoolExecutor(n_workers)
        return pool, [pool.shutdown]
    client = _client_of(executor)
    if client is not None:  # pure=False: Dask would merge two evaluations of one point
        return client.get_executor(pure=False), []
    if isinstance(executor, cf.Executor):
        return executor, []
    if isinstance(executor, str):  # "dask"
        from distributed import Client, get_client

        try:
            client, owned = get_client(), []
        except ValueError:
            client = Client(
                n_workers=n_workers, threads_per_worker=1, processes=False, dashboard_address=None
            )
            owned = [client.close]
        return client.get_executor(pure=False), owned
    raise AssertionError(f"check_executor accepted {executor!r}")  # pragma: no cover


@contextlib.contextmanager
def beating(opt: Optimizer, running: Callable[[], list[int]]) -> Iterator[None]:
    """Within it, a thread says every :data:`HEARTBEAT_S` seconds that the trials
    ``running()`` names are alive (so that no other worker's ``stale_after`` abandons
    them)."""
    done = threading.Event()

    def beat() -> None:
        while not done.wait(HEARTBEAT_S):
            numbers = running()
            try:
                opt.heartbeat(numbers)
            except Exception as exc:  # noqa: BLE001 - the next beat may get through
                log.warning("heartbeat of trials %s not stored: %s", numbers, exc)

    thread = threading.Thread(target=beat, daemon=True, name="pyjl-heartbeat")
    thread.start()
    try:
        yield
    finally:
        done.set()
