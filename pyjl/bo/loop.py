"""The evaluation loop of a study: evaluations in flight, recorded as they end.

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
import logging
import time
from collections.abc import Callable
from typing import Any

from .. import _validate as check
from .._progress import progress_bar
from .._warn import warn
from ..exceptions import InputError, PyjlWarning, StorageError, TrialPruned
from .executors import beating, executor_of
from .handle import TrialHandle, takes_trial
from .liveness import HEARTBEAT_S
from .optimizer import Optimizer
from .space import SpaceExhausted
from .trial import TrialState

__all__ = ["run", "warn_exhausted"]

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


def _run(func: Callable[..., Any], params: dict, trial: TrialHandle | None = None) -> tuple:
    """``(ok, payload)`` of one evaluation for :meth:`_Loop._record`: ``(True, value)``,
    ``(None, None)`` pruned, ``(False, message)`` where the objective raised.  Plain data,
    so that a worker process hands back what its objective raised even where the
    exception cannot be pickled (that broke a process pool and stopped the study)."""
    try:
        return True, _evaluate(func, params, trial)
    except TrialPruned:
        return None, None
    except Exception as exc:  # noqa: BLE001 - the study goes on
        return False, _message(exc)


def _why(exc: BaseException) -> str:
    """Why the trials in flight are abandoned when the run stops on ``exc``."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, cf.BrokenExecutor):
        return f"the executor broke: {_message(exc)}"
    return f"interrupted: the run stopped on {_message(exc)}"


def _pool_broken(pool: Any) -> bool:
    """Whether ``pool`` died (a worker process killed): concurrent.futures' flag, or
    loky's (joblib's reusable executor)."""
    flags = getattr(pool, "_flags", None)
    return bool(getattr(pool, "_broken", False) or getattr(flags, "broken", False))


def _message(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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
        if fut.exception() is None and fut.result()[0]:
            value = fut.result()[1]
            log.error(
                "trial %s evaluated but not stored after the storage fault "
                "(%s): params %r, value %r",
                number,
                err.reason,
                params,
                value,
            )
            err.unsaved.append((number, params, value))


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
        owns_threads: bool = False,
    ):
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
        self.broken: BaseException | None = None  # the pool died (a worker process was killed)
        self.ended = 0  # evaluations of this run that completed or were pruned
        self.failures: list[tuple[int, str]] = []  # this run's failed ones: (number, error)
        # a Dask executor's future accepts cancel() while its task runs: wait for those
        self.cancels = pool is not None and not type(pool).__module__.startswith("distributed")
        self.waits = owns_threads  # its shutdown waits for the running evaluations
        start = sum(t.state.is_finished() and t.state != TrialState.ABANDONED for t in opt.trials)
        self.bar = progress_bar(
            total=n_calls,
            initial=min(start, n_calls),
            disable=not progress,
            desc=f"study {opt.study_name}",
            unit="trial",
        )

    def run(self) -> None:
        """Ask, evaluate and record until the study stops; what is in flight on an
        interrupt is abandoned (the next run asks another trial in its place)."""
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
            if self.broken is not None:  # raised once what was in flight is recorded
                raise self.broken
        except StorageError as err:  # nothing more can be written: keep what is evaluated
            _keep_unsaved(err, self.in_flight)
            raise
        except BaseException as exc:  # a raising callback, Ctrl-C, a broken pool...
            self._wind_down(_why(exc))
            raise
        finally:
            self.bar.close()

    def _wind_down(self, reason: str) -> None:
        """On an error or interrupt: cancel the evaluations not started, store those that
        ended (and, on a thread pool of this run, whose shutdown waits for them anyway,
        those still running), and abandon the rest (not counted: the next run asks anew).
        A second Ctrl-C meanwhile stops neither (an evaluation it keeps from being stored
        is logged with its parameters and outcome)."""
        for fut in self.in_flight:
            fut.cancel()
        try:
            self._keep_ended()
        except KeyboardInterrupt:  # between two evaluations: abandon the rest
            pass
        for number in self._running() + [n for n, _ in self.unstarted]:
            try:
                self.opt.abandon(number, reason)  # a trial told meanwhile stays
            except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the first wins
                log.warning("trial %d left pending (not abandoned: %r)", number, exc)

    def _keep_ended(self) -> None:
        """Store the evaluations in flight that have ended (see :meth:`_wind_down`)."""
        if self.waits:
            try:
                cf.wait([f for f in self.in_flight if not f.cancelled()])
            except KeyboardInterrupt:  # a second Ctrl-C: store what has ended by now
                pass
        for fut, (number, params) in list(self.in_flight.items()):
            if not fut.done() or fut.cancelled():
                continue
            try:
                outcome = self._outcome(fut, number)
            except BaseException:  # noqa: BLE001 - the evaluation was interrupted: abandoned
                continue
            try:
                if outcome is not None:
                    self._record(number, params, *outcome)
            except BaseException as exc:  # noqa: BLE001 - the first error is the one raised
                log.error(
                    "trial %d evaluated but not stored (%s): params %r, outcome %r",
                    number,
                    exc,
                    params,
                    outcome,
                )
                continue
            del self.in_flight[fut]

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
            fut = self.pool.submit(_run, self.func, params, trial)
            self.in_flight[fut] = (number, params)
            self.unstarted.pop(0)
            return
        self.inline = number
        self.unstarted.pop(0)
        self._record(number, params, *_run(self.func, params, trial))
        self.inline = None  # only now: an interrupt while it is stored abandons it
        self._ask_callback()

    def _collect(self) -> None:
        """Wait for the first evaluation to end (at most a heartbeat), record those done."""
        timeout = HEARTBEAT_S
        if self.max_time is not None and not self.stop:
            timeout = max(0.01, min(timeout, self.max_time - (time.monotonic() - self.t0)))
        done, _ = cf.wait(list(self.in_flight), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        for fut in done:
            number, params = self.in_flight[fut]
            outcome = self._outcome(fut, number)
            if outcome is None:
                del self.in_flight[fut]
                continue
            try:
                self._record(number, params, *outcome)
            except StorageError:  # its value is kept on the error already
                del self.in_flight[fut]
                raise
            del self.in_flight[fut]  # only now: an interrupt while it is stored abandons it
            self._ask_callback()
        if self.stop and self.cancels:
            for fut in list(self.in_flight):
                if fut.cancel():
                    self.opt.abandon(self.in_flight.pop(fut)[0], "cancelled")

    def _outcome(self, fut, number: int) -> tuple[bool | None, Any] | None:
        """``(ok, payload)`` of an ended evaluation for :meth:`_record`, or None when the
        pool died under it (then abandoned here: not the trial's fault)."""
        try:
            return fut.result()  # (ok, payload): _run's
        except cf.BrokenExecutor as exc:
            if not _pool_broken(self.pool):  # the objective's own error
                return False, _message(exc)
            self.opt.abandon(number, _why(exc))
            self.broken, self.stop = exc, True  # no more trials asked of a dead pool
            return None
        except Exception as exc:  # noqa: BLE001
            return False, _message(exc)

    def _record(self, number: int, params: dict, ok: bool | None, payload) -> None:
        """Store one evaluation (``ok``: True complete, False failed, None pruned) and
        update the bar."""
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

    def _ask_callback(self) -> None:
        """Stop when the callback, given the study after a trial ended, says so."""
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
    pool, owned = executor_of(executor, int(n_workers))
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
            owns_threads=bool(owned) and isinstance(pool, cf.ThreadPoolExecutor),
        )
        study.run()
        return study.exhausted
    finally:
        for close in owned:
            close()
