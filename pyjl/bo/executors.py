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


def check_executor(executor, workers: str = "n_workers") -> None:
    """Refuse an ``executor`` argument :func:`executor_of` cannot use, before anything is
    created (a study, a cluster); ``workers``: the caller's name for the worker count."""
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
    if not isinstance(executor, str) and (
        hasattr(executor, "get_executor") and hasattr(executor, "submit")
    ):
        if getattr(executor, "status", None) in ("closing", "closed"):  # as HMM.fit's
            raise check.error(
                "executor", "must be running", "a closed Client", "start a new Client"
            )
        return
    raise check.error(
        "executor",
        _EXECUTOR_RULE,
        check.describe(executor),
        f"pass e.g. concurrent.futures.ProcessPoolExecutor(4), or None with {workers}",
    )


def executor_of(executor, n_workers: int, workers: str = "n_workers"):
    """(executor or None for inline, owned resources to close), for an ``executor`` that
    :func:`check_executor` accepts."""
    check_executor(executor, workers)
    if executor is None:
        if n_workers == 1:
            return None, []
        pool = cf.ThreadPoolExecutor(n_workers)
        return pool, [pool.shutdown]
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
    # a Client; pure=False: Dask would merge two evaluations of one point in flight at once
    return executor.get_executor(pure=False), []


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
