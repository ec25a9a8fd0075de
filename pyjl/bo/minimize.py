"""Run a study: :func:`minimize` (Bayesian optimisation), :func:`random_search`, :func:`grid_search`.

``func(params: dict) -> float`` is minimised.  The loop keeps ``n_workers``
evaluations in flight on the chosen executor (none: in this thread;
``n_workers > 1`` with no executor: a thread pool; any
:class:`concurrent.futures.Executor`; ``"dask"`` or a ``dask.distributed.Client``),
asks for a new point as soon as one finishes (pending points are fantasised,
so the workers never receive duplicates), and records every trial in the
optimiser's storage as it happens.  ``n_calls`` is the size of the *study*:
trials already there (from an earlier run or from other processes working on
the same study) count, so re-running a study that was interrupted finishes it.
An objective that raises, or returns something that is not a finite number, is
recorded as failed with its message and the study continues.  A storage that
cannot be written (a full disk, a read-only file, a lock held past the timeout)
stops the study with :class:`~pyjl.exceptions.StorageError`; every evaluated value
it could not store is logged (logger ``pyjl.bo``) and kept in the error's
``unsaved`` list, so no evaluation is lost.

>>> from pyjl.bo import Space, Real
>>> res = minimize(lambda p: (p["x"] - 1.0) ** 2, Space({"x": Real(-3.0, 3.0)}),
...                n_calls=12, n_initial=4, progress=False, seed=1)
>>> abs(res.best_params["x"] - 1.0) < 0.05, len(res.history), res.n_failed
(True, 12, 0)
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import itertools
import logging
import math
import time
from typing import Any, Callable, Mapping

import numpy as np

from .. import _validate as check
from ..exceptions import StorageError
from .optimizer import Optimizer
from .space import Categorical, Integer, Space, SpaceExhausted
from .storage import ABANDONED, Trial

__all__ = ["Result", "minimize", "random_search", "grid_search", "history_frame", "grid_points"]

_HEARTBEAT_S = 10.0
_GRID_MAX = 1_000_000          # grid_search materialises its grid
log = logging.getLogger("pyjl.bo")


@dataclasses.dataclass
class Result:
    """The outcome of a study.

    ``best_params``/``best_value``: the best observed value; ``best_mean_params``/
    ``best_mean_value``: the evaluated point with the lowest GP posterior mean (the
    one to trust when evaluations are noisy; ``None`` for random and grid search);
    ``history``: one row per trial (``number, state, value, noise_var``, one column
    per parameter, ``error, created, finished, duration_s, worker, best_so_far``);
    ``n_failed``: failed evaluations; ``optimizer``: to ask for more.

    Examples
    --------
    >>> from pyjl.bo import Space, Real, random_search
    >>> f = lambda p: (p["x"] - 1.0) ** 2
    >>> res = random_search(f, Space({"x": Real(-3.0, 3.0)}), n_calls=5, seed=0, progress=False)
    >>> bool(res.best_value == res.history["value"].min()), res.n_failed
    (True, 0)
    """

    best_params: dict | None
    best_value: float | None
    history: Any
    n_failed: int
    best_mean_params: dict | None = None
    best_mean_value: float | None = None
    optimizer: Optimizer | None = dataclasses.field(default=None, repr=False)
    elapsed_s: float = 0.0


def history_frame(trials: list[Trial], space: Space):
    """One row per trial, as :attr:`Result.history` (a pandas DataFrame)."""
    import pandas as pd
    rows = []
    for t in trials:
        row = {"number": t.number, "state": t.state, "value": t.value, "noise_var": t.noise_var}
        row.update({k: t.params.get(k) for k in space.names})
        row.update(error=t.error, created=t.created, finished=t.finished, worker=t.worker)
        rows.append(row)
    cols = (["number", "state", "value", "noise_var"] + space.names
            + ["error", "created", "finished", "worker"])
    df = pd.DataFrame(rows, columns=cols)
    df["value"] = df["value"].astype(float)
    df["noise_var"] = df["noise_var"].astype(float)
    df["duration_s"] = (df["finished"].astype(float) - df["created"].astype(float))
    for c in ("created", "finished"):
        df[c] = pd.to_datetime(df[c].astype(float), unit="s", utc=True)
    done = df["value"].where(df["state"] == "complete")
    df["best_so_far"] = done.cummin()
    return df


def _result(opt: Optimizer, t0: float, with_mean: bool) -> Result:
    trials = opt.trials
    params, value = opt.best
    mp = mv = None
    if with_mean and sum(t.state == "complete" for t in trials) >= 2:
        try:
            mp, mv = opt.best_mean
        except Exception:  # a surrogate that cannot be fitted must not lose the result
            mp = mv = None
    n_failed = sum(t.state == "failed" and not t.abandoned for t in trials)
    return Result(params, value, history_frame(trials, opt.space), n_failed, mp, mv, opt,
                  time.monotonic() - t0)


def _evaluate(func: Callable[[dict], Any], params: dict) -> float:
    value = func(dict(params))
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"the objective returned {value!r} of type {type(value).__name__}, "
                        "not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"the objective returned {v!r}, not a finite number")
    return v


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
            raise check.error("executor", "must be an Executor, or 'dask' with "
                              "dask.distributed installed", "'dask' (dask.distributed is "
                              "not installed)", "pip install 'pyjl[dask]', or pass another "
                              "executor") from None
        try:
            client, owned = get_client(), []
        except ValueError:
            client = Client(n_workers=n_workers, threads_per_worker=1, processes=False,
                            dashboard_address=None)
            owned = [client.close]
        return client.get_executor(), owned
    if hasattr(executor, "get_executor") and hasattr(executor, "submit"):
        return executor.get_executor(), []
    raise check.error("executor", _EXECUTOR_RULE, check.describe(executor), _EXECUTOR_FIX)


def _check_args(func, n_calls, n_workers, callback, max_time, progress, *,
                calls_optional: bool = False) -> tuple:
    """The loop's arguments, checked before a study is opened or created."""
    if not callable(func):
        raise check.error("func", "must be callable (params dict -> float)", check.describe(func),
                          "pass a function such as lambda p: (p['x'] - 1) ** 2")
    if n_calls is not None or not calls_optional:
        n_calls = check.integer(n_calls, "n_calls", low=1)
    n_workers = check.integer(n_workers, "n_workers", low=1)
    check.boolean(progress, "progress")
    if max_time is not None:
        max_time = check.real(max_time, "max_time", low=0, low_open=True,
                              fix="pass a positive number of seconds, or None for no limit")
    if callback is not None and not callable(callback):
        raise check.error("callback", "must be callable (result -> bool) or None",
                          check.describe(callback),
                          "pass a function that returns True to stop the study")
    return n_calls, n_workers, max_time


def _keep_unsaved(err: StorageError, in_flight: dict) -> None:
    """Wait for the evaluations still running, log and keep their values on ``err``."""
    running = [f for f in in_flight if not f.cancel()]
    cf.wait(running)
    for fut in running:
        number, params = in_flight[fut]
        if fut.exception() is None:
            log.error("trial %s evaluated but not stored after the storage fault "
                      "(%s): params %r, value %r", number, err.reason, params, fut.result())
            err.unsaved.append((number, params, fut.result()))


def _run(opt: Optimizer, func, n_calls, executor, n_workers, callback, progress, max_time,
         with_mean: bool) -> Result:
    t0 = time.monotonic()
    pool, owned = _executor(executor, int(n_workers))
    from tqdm.auto import tqdm
    start = sum(t.state != "pending" and not t.abandoned for t in opt.trials)
    bar = tqdm(total=n_calls, initial=min(start, n_calls), disable=not progress,
               desc=f"study {opt.study_name}", unit="trial")
    in_flight: dict[Any, tuple[int, dict]] = {}
    stop, last_beat, inline = False, time.monotonic(), None

    def record(number, params, ok, payload) -> bool:
        if ok:
            with opt.storage.keeping(opt._study_id, number, params, payload):
                opt._finish(number, "complete", value=payload)
        else:
            opt._finish(number, "failed", error=payload)
        bar.update(1)
        best = opt.best[1]
        if best is not None:
            bar.set_postfix(best=f"{best:.6g}")
        if callback is not None:
            return bool(callback(_result(opt, t0, False)))
        return False

    try:
        while True:
            if max_time is not None and time.monotonic() - t0 > max_time:
                stop = True
            if not stop:
                free = int(n_workers) - len(in_flight)
                try:
                    got = []
                    if free > 0:
                        with opt.storage.transaction("ask"):
                            got = opt._ask_trials(free, budget=int(n_calls))
                except SpaceExhausted:
                    got, stop = [], True
                for number, params in got:
                    if pool is None:
                        inline = number
                        try:
                            ok, payload = True, _evaluate(func, params)
                        except Exception as exc:  # noqa: BLE001 - the study goes on
                            ok, payload = False, _message(exc)
                        inline = None
                        stop = record(number, params, ok, payload) or stop
                    else:
                        in_flight[pool.submit(_evaluate, func, params)] = (number, params)
                if not got and not in_flight:
                    break
            elif not in_flight:
                break
            if in_flight:
                timeout = _HEARTBEAT_S
                if max_time is not None and not stop:
                    timeout = max(0.01, min(timeout, max_time - (time.monotonic() - t0)))
                done, _ = cf.wait(list(in_flight), timeout=timeout,
                                  return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    number, params = in_flight.pop(fut)
                    try:
                        ok, payload = True, fut.result()
                    except Exception as exc:  # noqa: BLE001
                        ok, payload = False, _message(exc)
                    stop = record(number, params, ok, payload) or stop
                if stop:
                    for fut in list(in_flight):
                        if fut.cancel():
                            number, _ = in_flight.pop(fut)
                            opt._finish(number, "failed", error=f"{ABANDONED}cancelled")
                if time.monotonic() - last_beat > _HEARTBEAT_S:
                    opt.storage.heartbeat(opt._study_id, [n for n, _ in in_flight.values()])
                    last_beat = time.monotonic()
    except StorageError as err:   # nothing more can be written: keep what is evaluated
        _keep_unsaved(err, in_flight)
        raise
    except BaseException:   # KeyboardInterrupt, ...: what was in flight is redone later
        for fut, (number, _) in in_flight.items():
            fut.cancel()
            opt._finish(number, "failed", error=f"{ABANDONED}interrupted")
        if inline is not None:
            opt._finish(inline, "failed", error=f"{ABANDONED}interrupted")
        raise
    finally:
        bar.close()
        for close in owned:
            close()
    return _result(opt, t0, with_mean)


def minimize(func: Callable[[dict], float], space: Space | Mapping | None = None,
             n_calls: int = 50, n_initial: int | None = None, executor=None, n_workers: int = 1,
             storage=None, study: str | None = None, callback=None, progress: bool = True,
             seed: int | None = None, *, acquisition: str = "ei",
             batch: str = "kriging_believer", max_time: float | None = None,
             **optimizer_options) -> Result:
    """Minimise ``func`` over ``space`` by Bayesian optimisation; returns a :class:`Result`.

    ``callback(result) -> bool`` runs after every finished trial; returning True
    stops the study.  ``max_time`` (seconds) stops asking for new points after it
    has passed.  Other keywords go to :class:`Optimizer` (``fit``, ``liar``, ``xi``,
    ``kappa``, ``stale_after``).

    Examples
    --------
    >>> from pyjl.bo import Space, Real, minimize
    >>> f = lambda p: (p["x"] - 1.0) ** 2
    >>> res = minimize(f, Space({"x": Real(-3.0, 3.0)}), n_calls=12, n_initial=4, seed=0,
    ...                progress=False)
    >>> abs(res.best_params["x"] - 1.0) < 0.05, len(res.history), res.n_failed
    (True, 12, 0)
    """
    n_calls, n_workers, max_time = _check_args(func, n_calls, n_workers, callback, max_time,
                                               progress)
    opt = Optimizer(space, acquisition=acquisition, n_initial=n_initial, batch=batch,
                    storage=storage, study=study, seed=check.seed(seed), **optimizer_options)
    return _run(opt, func, n_calls, executor, n_workers, callback, progress, max_time, True)


def random_search(func: Callable[[dict], float], space: Space | Mapping | None = None,
                  n_calls: int = 50, executor=None, n_workers: int = 1, storage=None,
                  study: str | None = None, callback=None, progress: bool = True,
                  seed: int | None = None, *, max_time: float | None = None) -> Result:
    """Evaluate ``n_calls`` independent uniform draws from ``space`` (same loop as
    :func:`minimize`).

    Examples
    --------
    >>> from pyjl.bo import Space, Real, random_search
    >>> f = lambda p: (p["x"] - 1.0) ** 2
    >>> res = random_search(f, Space({"x": Real(-3.0, 3.0)}), n_calls=20, seed=0, progress=False)
    >>> len(res.history), bool(res.best_value < 0.5)
    (20, True)
    """
    n_calls, n_workers, max_time = _check_args(func, n_calls, n_workers, callback, max_time,
                                               progress)
    opt = Optimizer(space, sampler="random", storage=storage, study=study, seed=check.seed(seed))
    return _run(opt, func, n_calls, executor, n_workers, callback, progress, max_time, False)


def _axes(space: Space, n_points: int) -> list[list]:
    axes = []
    for dim in space.dimensions.values():
        if isinstance(dim, Categorical):
            axes.append(list(dim.choices))
        elif isinstance(dim, Integer):
            k = min(n_points, dim.n_values)
            v = (np.geomspace if dim.log else np.linspace)(dim.lo, dim.hi, k) if k > 1 else \
                np.array([(dim.lo + dim.hi) / 2])
            axes.append(sorted({int(x) for x in np.round(v)}))
        else:
            t = np.linspace(0.0, 1.0, n_points) if n_points > 1 else np.array([0.5])
            axes.append([dim.decode(np.array([x])) for x in t])
    return axes


def grid_points(space: Space, n_points: int) -> list[dict]:
    """A full grid: ``n_points`` evenly spaced values per ``Real`` and ``Integer`` (log-spaced
    when ``log``; an integer axis keeps its distinct rounded values), every choice of a
    ``Categorical``; ends included."""
    return [dict(zip(space.names, combo)) for combo in itertools.product(*_axes(space, n_points))]


def _largest_grid(space: Space, n_calls: int) -> int:
    """The largest ``n_points`` whose grid has at most ``n_calls`` points (at least 1)."""
    def size(k):
        return math.prod(len(a) for a in _axes(space, k))
    k = 1
    while k < 10_000 and size(k + 1) <= n_calls and size(k + 1) > size(k):
        k += 1
    return k


def grid_search(func: Callable[[dict], float], space: Space | Mapping | None = None,
                n_calls: int | None = None, n_points: int | None = None, executor=None,
                n_workers: int = 1, storage=None, study: str | None = None, callback=None,
                progress: bool = True, *, max_time: float | None = None) -> Result:
    """Evaluate a full grid (:func:`grid_points`).  ``n_points`` per axis; by default the
    largest grid with at most ``n_calls`` points (5 per axis when ``n_calls`` is None).

    Examples
    --------
    >>> from pyjl.bo import Space, Real, grid_search
    >>> f = lambda p: (p["x"] - 1.0) ** 2
    >>> res = grid_search(f, Space({"x": Real(-3.0, 3.0)}), n_points=7, progress=False)
    >>> res.best_params["x"], res.best_value
    (1.0, 0.0)
    """
    n_calls, n_workers, max_time = _check_args(func, n_calls, n_workers, callback, max_time,
                                               progress, calls_optional=True)
    if n_points is not None:
        n_points = check.integer(n_points, "n_points", low=1, high=_GRID_MAX)
    if space is not None and not isinstance(space, Space):
        space = Space(space)
    opt0 = Optimizer(space, sampler="random", storage=storage, study=study)
    if n_points is None:
        n_points = 5 if n_calls is None else _largest_grid(opt0.space, n_calls)
    size = math.prod(len(a) for a in _axes(opt0.space, n_points))
    if size > _GRID_MAX:
        raise check.error("n_points", f"must give a grid of at most {_GRID_MAX:,} points",
                          f"{n_points} ({size:,} points over {opt0.space.n_dims} axes)",
                          "pass a smaller n_points, or use random_search or minimize")
    grid = grid_points(opt0.space, n_points)
    opt = Optimizer(opt0.space, sampler=grid, storage=opt0.storage, study=opt0.study_name)
    return _run(opt, func, len(grid) if n_calls is None else min(n_calls, len(grid)), executor,
                n_workers, callback, progress, max_time, False)
