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

__all__ = ["executor_of", "beating"]

log = logging.getLogger("pyjl.bo")


_EXECUTOR_RULE = "must be None, 'dask', a dask.distributed.Client or a concurrent.futures.Executor"
_EXECUTOR_FIX = "pass e.g. concurrent.futures.ProcessPoolExecutor(4), or None with n_workers"


def executor_of(executor, n_workers: int):
    """(executor or None for inline, owned resources to close)."""
    if executor is None:
        if n_workers == 1:
            return None, []
        pool = cf.ThreadPoolExecutor(n_workers)
        return pool, [pool.shutdown]
    if isinstance(executor, cf.Executor):
        return executor, []
    if isinstance(executor, str):
        if executor != "dask":
            raise check.error("executor", _EXECUTOR_RULE, check.describe(executor), _EXECUTOR_FIX)
        try:
            from distributed import Client, get_client
        except ImportError:
            raise check.error(
                "executor",
                "must be an Executor, or 'dask' with dask.distributed installed",
                "'dask' (dask.distributed is not installed)",
                "pip install 'pyjl[dask]', or pass another executor",
            ) from None
        try:
            client, owned = get_client(), []
        except ValueError:
            client = Client(
                n_workers=n_workers, threads_per_worker=1, processes=False, dashboard_address=None
            )
            owned = [client.close]
        return client.get_executor(), owned
    if hasattr(executor, "get_executor") and hasattr(executor, "submit"):
        return executor.get_executor(), []
    raise check.error("executor", _EXECUTOR_RULE, check.describe(executor), _EXECUTOR_FIX)


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
