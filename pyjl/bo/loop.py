"""The evaluation loop of a study: executors, evaluations in flight, heartbeats.

:func:`run` keeps ``n_workers`` evaluations in flight on the chosen executor (none:
in this thread; ``n_workers > 1`` with no executor: a thread pool; any
:class:`concurrent.futures.Executor`; ``"dask"`` or a ``dask.distributed.Client``),
asks the optimiser for a new point as soon as one finishes, records every trial as
it ends, and beats the heartbeat of those in flight.  An objective that takes a trial
handle (:func:`pyjl.bo.handle.takes_trial`) is called ``func(params, trial)``; one that
raises :class:`~pyjl.exceptions.TrialPruned` ends its trial as ``pruned``.  It drives the
:class:`~pyjl.bo.Optimizer` through its public methods only (``ask_trials``,
``tell_trial``, ``fail_trial``, ``tell_pruned``, ``handle``, ``abandon``, ``heartbeat``,
``trials``, ``best``).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from .. import _validate as check
from .._warn import warn
from ..exceptions import InputError, PyjlWarning, StorageError, TrialPruned
from .handle import TrialHandle, takes_trial
from .liveness import HEARTBEAT_S
from .optimizer import Optimizer
from .space import SpaceExhausted
from .trial import TrialState

__all__ = ["run", "beating", "warn_exhausted"]

log = logging.getLogger("pyjl.bo")


def _evaluate(func: Callable[..., Any], params: dict, trial: TrialHandle | None = None) -> float:
    """The objective's value at ``params`` by the rule ``Optimizer.tell`` applies (a number,
    a NumPy scalar or 0-d array, not a string or a bool); anything else raises, and the
    trial is recorded as failed with the message.  Optuna's ``TrialPruned`` (an objective
    written for Optuna) ends the trial as pruned, as pyjl's does."""
    try:
        value = func(dict(params)) if trial is None else func(dict(params), trial)
    except Exception as exc:
        kind = type(exc)
        if kind.__name__ == "TrialPruned" and kind.__module__.split(".")[0] == "optuna":
            raise TrialPruned(str(exc)) from exc
        raise
    return check.finite(
        value,
        "the objective's value",
        fix="return a float (a loss to minimise)",
        finite_fix="return a finite loss, or raise to record the trial as failed",
    )


def _message(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_EXECUTOR_RULE = "must be None, 'dask', a dask.distributed.Client or a concurrent.futures.Executor"
_EXECUTOR_FIX = "pass e.g. concurrent.futures.ProcessPoolExecutor(4), or None with n_workers"


def _executor(executor, n_workers: int):
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


def warn_exhausted(opt: Optimizer, budget: int, argument: str, instead: str) -> None:
    """scikit-learn's warning (``RandomizedSearchCV``'s words) when ``opt``'s finite space
    holds fewer points than a budget of ``budget`` trials: the search ends early."""
    size = opt.space.size()
    if size < budget:
        warn(
            f"The total space of parameters {size:g} is smaller than {argument}={budget}. "
            f"Running {size:g} iterations. For exhaustive searches, use {instead}.",
            PyjlWarning,
        )


def _keep_unsaved(err: StorageError, in_flight: dict) -> None:
    """Wait for the evaluations still running, log and keep their values on ``err``."""
    running = [f for f in in_flight if not f.cancel()]
    cf.wait(running)
    for fut in running:
        number, params = in_flight[fut]
        if fut.exception() is None:
            log.error(
                "trial %s evaluated but not stored after the storage fault "
                "(%s): params %r, value %r",
                number,
                err.reason,
                params,
                fut.result(),
            )
            err.unsaved.append((number, params, fut.result()))


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


class _Loop:
    """One run of a study: keeps ``n_workers`` evaluations in flight, records each as it
    ends, and stops on the budget, ``max_time``, the callback or an exhausted space."""

    def __init__(
        self,
        opt: Optimizer,
        func,
        pool,
        n_calls: int,
        n_workers: int,
        callback,
        progress: bool,
        max_time: float | None,
        t0: float,
        on_trial,
    ):
        from tqdm.auto import tqdm

        self.opt, self.func, self.pool = opt, func, pool
        self.with_trial = takes_trial(func)
        self.n_calls, self.n_workers = n_calls, n_workers
        self.callback, self.max_time, self.t0 = callback, max_time, t0
        self.on_trial = on_trial  # () -> what the callback is given
        self.in_flight: dict[Any, tuple[int, dict]] = {}
        self.inline: int | None = None  # the trial being evaluated in this thread
        self.unstarted: list[tuple[int, dict]] = []  # asked, not yet handed to a worker
        self.stop = False
        self.exhausted = False  # the space ran out of unseen points
        self.ended = 0  # evaluations of this run that completed or were pruned
        self.failures: list[tuple[int, str]] = []  # this run's failed ones: (number, error)
        # a Dask executor's future accepts cancel() while its task runs: wait for those
        self.cancels = pool is not None and not type(pool).__module__.startswith("distributed")
        start = sum(t.state.is_finished() and t.state != TrialState.ABANDONED for t in opt.trials)
        self.bar = tqdm(
            total=n_calls,
            initial=min(start, n_calls),
            disable=not progress,
            desc=f"study {opt.study_name}",
            unit="trial",
        )

    def run(self) -> None:
        """Ask, evaluate and record until the study stops; what is in flight on an
        interrupt is abandoned (redone by the next run)."""
        with beating(self.opt, self._running):
            self._run()
        if not (self.stop or self.exhausted):
            self._warn_orphans()
        if self.failures and not self.ended:
            number, error = self.failures[0]
            warn(
                f"every evaluation of this run failed ({len(self.failures)}; trial {number}: "
                f"{error}). Failed trials stay in the study and count towards n_calls: fix "
                "the objective, then raise n_calls or start a new study",
                PyjlWarning,
            )

    def _warn_orphans(self) -> None:
        """Say so when the budget was reached with trials of this process still pending
        that this run did not ask (an ``ask`` never told, e.g. in an interrupted notebook
        cell): they count towards ``n_calls`` and no one will end them."""
        me = self.opt._worker
        pending = [
            t.number for t in self.opt.trials if t.state == TrialState.RUNNING and t.worker == me
        ]
        if pending:
            warn(
                f"trial(s) {pending} of this process are still pending (asked, never told) "
                f"and count towards n_calls={self.n_calls}: unless another thread is "
                "evaluating them, tell them (tell_trial) or abandon them (abandon), then "
                "run again",
                PyjlWarning,
            )

    def _running(self) -> list[int]:
        """The trials being evaluated (read from the heartbeat thread: one snapshot)."""
        numbers = [n for n, _ in list(self.in_flight.values())]
        inline = self.inline
        return numbers + ([] if inline is None else [inline])

    def _run(self) -> None:
        try:
            while self._step():
                pass
        except StorageError as err:  # nothing more can be written: keep what is evaluated
            _keep_unsaved(err, self.in_flight)
            raise
        except BaseException:  # KeyboardInterrupt, a broken pool...: redone later
            for fut in self.in_flight:
                fut.cancel()
            for number in self._running() + [n for n, _ in self.unstarted]:
                self.opt.abandon(number, "interrupted")  # a trial told meanwhile stays
            raise
        finally:
            self.bar.close()

    def _step(self) -> bool:
        """Start what the free workers can take, then collect what ends; False when done."""
        if self.max_time is not None and time.monotonic() - self.t0 > self.max_time:
            self.stop = True
        if not self.stop:
            got = self._ask()
            self.unstarted = list(got)
            while self.unstarted:
                self._start(*self.unstarted[0])
            if not got and not self.in_flight:
                return False
        elif not self.in_flight:
            return False
        if self.in_flight:
            self._collect()
        return True

    def _ask(self) -> list[tuple[int, dict]]:
        free = self.n_workers - len(self.in_flight)
        if free <= 0:
            return []
        try:
            return self.opt.ask_trials(free, budget=self.n_calls)
        except SpaceExhausted:
            self.stop = self.exhausted = True
            return []

    def _start(self, number: int, params: dict) -> None:
        """Evaluate inline (no pool), or submit to the pool."""
        trial = self.opt.handle(number, params) if self.with_trial else None
        if self.pool is not None:
            fut = self.pool.submit(_evaluate, self.func, params, trial)
            self.in_flight[fut] = (number, params)
            self.unstarted.pop(0)
            return
        self.inline = number
        self.unstarted.pop(0)
        payload: float | str | None
        try:
            ok, payload = True, _evaluate(self.func, params, trial)
        except TrialPruned:
            ok, payload = None, None
        except Exception as exc:  # noqa: BLE001 - the study goes on
            ok, payload = False, _message(exc)
        self._record(number, params, ok, payload)
        self.inline = None  # only now: an interrupt while it is stored abandons it

    def _collect(self) -> None:
        """Wait for the first evaluation to end (at most a heartbeat), record those done."""
        timeout = HEARTBEAT_S
        if self.max_time is not None and not self.stop:
            timeout = max(0.01, min(timeout, self.max_time - (time.monotonic() - self.t0)))
        done, _ = cf.wait(list(self.in_flight), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        for fut in done:
            number, params = self.in_flight[fut]
            try:
                ok, payload = True, fut.result()
            except TrialPruned:
                ok, payload = None, None
            except cf.BrokenExecutor as exc:
                if not getattr(self.pool, "_broken", False):  # the objective's own error
                    ok, payload = False, _message(exc)
                else:  # the pool died under it: not the trial's fault
                    self.opt.abandon(number, f"the executor broke: {_message(exc)}")
                    del self.in_flight[fut]
                    continue
            except Exception as exc:  # noqa: BLE001
                ok, payload = False, _message(exc)
            try:
                self._record(number, params, ok, payload)
            except StorageError:  # its value is kept on the error already
                del self.in_flight[fut]
                raise
            del self.in_flight[fut]  # only now: an interrupt while it is stored abandons it
        if self.stop and self.cancels:
            for fut in list(self.in_flight):
                if fut.cancel():
                    self.opt.abandon(self.in_flight.pop(fut)[0], "cancelled")

    def _record(self, number: int, params: dict, ok: bool | None, payload) -> None:
        """Store one evaluation (``ok``: True complete, False failed, None pruned), update
        the bar, and ask the callback whether to stop."""
        if ok:
            try:
                self.opt.tell_trial(number, payload, params=params)
            except InputError:
                # reaped as silent, then its point told by someone else: this evaluation
                # is kept as a trial of its own (tell re-checks the value)
                now = next((t.state for t in self.opt.trials if t.number == number), None)
                if now in (None, TrialState.RUNNING, TrialState.ABANDONED):
                    raise
                self.opt.tell(params, payload)
        elif ok is None:
            self.opt.tell_pruned(number)
        else:
            self.opt.fail_trial(number, payload)
            self.failures.append((number, payload))
            # as Optuna logs them: the study goes on, the reason is not lost
            log.warning("trial %d failed with parameters %s: %s", number, params, payload)
        self.ended += ok is not False
        self.bar.update(1)
        best = self.opt.best[1]
        if best is not None:
            self.bar.set_postfix(best=f"{best:.6g}")
        if self.callback is not None and self.callback(self.on_trial()):
            self.stop = True


def run(
    opt: Optimizer,
    func,
    n_calls: int,
    executor,
    n_workers: int,
    callback,
    progress: bool,
    max_time: float | None,
    on_trial: Callable[[], Any],
) -> bool:
    """Evaluate ``func`` on the optimiser's proposals until the study holds ``n_calls``
    trials (abandoned ones not counted), ``max_time`` has passed, ``callback(on_trial())``
    returns True, or the space is exhausted; returns whether it was."""
    t0 = time.monotonic()
    pool, owned = _executor(executor, int(n_workers))
    try:
        study = _Loop(
            opt,
            func,
            pool,
            int(n_calls),
            int(n_workers),
            callback,
            progress,
            max_time,
            t0,
            on_trial,
        )
        study.run()
        return study.exhausted
    finally:
        for close in owned:
            close()
