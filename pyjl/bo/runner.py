"""Run a study: :func:`minimize` (Bayesian optimisation), :func:`random_search`,
:func:`grid_search`.

Each opens an :class:`~pyjl.bo.Optimizer` with its sampler and hands it to the
evaluation loop (:mod:`pyjl.bo.loop`), which drives it through its public methods.
``func(params: dict) -> float`` is minimised; ``func(params, trial)`` -- an objective
with two positional parameters -- gets a :class:`~pyjl.bo.TrialHandle` to report
intermediate values to and ask the ``pruner`` whether to stop
(:mod:`pyjl.bo.handle`); a pruned trial counts toward ``n_calls``.  The loop keeps ``n_workers``
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

import itertools
import math
import time
from collections.abc import Callable, Mapping

import numpy as np

from .. import _validate as check
from . import loop, warm_start
from .callbacks import combined
from .executors import check_executor
from .history import history_frame, param_columns
from .optimizer import Optimizer
from .result import Result as Result
from .result import study_result
from .samplers import GridSampler, RandomSampler, require_engine
from .samplers.base import seen_keys
from .space import Categorical, Integer, Space
from .trial import TrialState

__all__ = [
    "Result",
    "minimize",
    "random_search",
    "grid_search",
    "history_frame",
    "param_columns",
    "grid_points",
]

_GRID_MAX = 1_000_000  # grid_search materialises its grid

#: other tools' names for minimize's arguments (Optuna's, scikit-optimize's), refused
#: with pyjl's name rather than as an unknown Optimizer setting
_OTHER_NAMES = {
    "n_trials": "n_calls (the study's total size, trials already stored included)",
    "timeout": "max_time (seconds)",
    "n_jobs": "n_workers (or executor=)",
    "random_state": "seed",
    "n_initial_points": "n_initial",
    "acq_func": "acquisition ('ei', 'logei', 'pi', 'ucb')",
    "study_name": "study",
    "callbacks": "callback (one callable or a list)",
    "dimensions": "space",
    "load_if_exists": "nothing: a named study always resumes",
}


def _check_options(options: Mapping) -> None:
    """Refuse :func:`minimize` keywords that are no :class:`Optimizer` setting, naming
    pyjl's argument where the keyword is another tool's name for it."""
    import inspect

    settings = set(inspect.signature(Optimizer).parameters)
    for name in options:
        if name in settings:
            continue
        if name in _OTHER_NAMES:
            raise check.error(
                name,
                "is not an argument of pyjl's minimize (it is Optuna's or scikit-optimize's name)",
                check.describe(options[name]),
                f"pass it as {_OTHER_NAMES[name]}",
            )
        raise check.error(
            name,
            "must be an argument of minimize or an Optimizer setting",
            check.describe(options[name]),
            f"use one of {sorted(settings - {'space', 'storage', 'study', 'seed'})}",
        )


def _check_args(
    func,
    n_calls,
    n_workers,
    callback,
    max_time,
    progress,
    executor,
    *,
    calls_optional: bool = False,
) -> tuple:
    """The loop's arguments, checked before a study is opened or created."""
    if not callable(func):
        raise check.error(
            "func",
            "must be callable (params dict -> float, or (params, trial) -> float)",
            check.describe(func),
            "pass a function such as lambda p: (p['x'] - 1) ** 2",
        )
    if n_calls is not None or not calls_optional:
        n_calls = check.integer(n_calls, "n_calls", low=1)
    n_workers = check.jobs(n_workers, "n_workers")  # -1: one per CPU
    check.boolean(progress, "progress")
    check_executor(executor, func=func)
    if max_time is not None:
        max_time = check.real(
            max_time,
            "max_time",
            low=0,
            low_open=True,
            fix="pass a positive number of seconds, or None for no limit",
        )
    return n_calls, n_workers, max_time, combined(callback)


def _run(
    opt: Optimizer,
    func,
    n_calls,
    executor,
    n_workers,
    callback,
    progress,
    max_time,
    with_mean: bool,
) -> Result:
    t0 = time.monotonic()
    exhausted = loop.run(
        opt,
        func,
        n_calls,
        executor,
        n_workers,
        callback,
        progress,
        max_time,
        lambda: study_result(opt, t0, False),
    )
    if exhausted:
        loop.warn_exhausted(opt, n_calls, "n_calls", "grid_search without n_calls")
    return study_result(opt, t0, with_mean)


def minimize(
    func: Callable[[dict], float],
    space: Space | Mapping | None = None,
    n_calls: int = 50,
    n_initial: int | None = None,
    executor=None,
    n_workers: int = 1,
    storage=None,
    study: str | None = None,
    callback=None,
    progress: bool = True,
    seed: int | None = None,
    *,
    acquisition: str = "ei",
    batch: str = "kriging_believer",
    max_time: float | None = None,
    pruner=None,
    direction: str | None = None,
    x0=None,
    y0=None,
    **optimizer_options,
) -> Result:
    """Minimise ``func`` over ``space`` by Bayesian optimisation (or maximise it, with
    ``direction="maximize"``); returns a :class:`Result`.

    ``callback(result) -> bool`` (or a list of them, as scikit-optimize's) runs after
    every finished trial; returning True
    stops the study.  ``max_time`` (seconds) stops asking for new points after it
    has passed.  ``pruner`` (:mod:`pyjl.bo.pruners`) is what ``trial.should_prune()``
    asks, for an objective ``func(params, trial)``.  ``direction`` (``"minimize"`` or
    ``"maximize"``, Optuna's ``create_study(direction=...)``) is stored with a new study;
    ``None`` resumes a stored one in its own.  ``x0`` (scikit-optimize's: one point or
    a list, each a dict or a list in the space's order) are evaluated first, or with
    ``y0`` (their values) told without evaluating; they are trials of the study and count
    towards ``n_calls``, and points the study holds already are skipped
    (:mod:`pyjl.bo.warm_start`).  Other keywords go to :class:`Optimizer` (``fit``,
    ``liar``, ``xi``, ``kappa``, ``stale_after``).  ``n_workers`` evaluations are kept in
    flight; a negative one counts back from the CPUs, as joblib's ``n_jobs`` (``-1``: one
    per CPU, as Optuna's ``n_jobs=-1``; ``-2``: all but one).

    Examples
    --------
    >>> from pyjl.bo import Space, Real, minimize
    >>> f = lambda p: (p["x"] - 1.0) ** 2
    >>> res = minimize(f, Space({"x": Real(-3.0, 3.0)}), n_calls=12, n_initial=4, seed=0,
    ...                progress=False)
    >>> abs(res.best_params["x"] - 1.0) < 0.05, len(res.history), res.n_failed
    (True, 12, 0)
    """
    n_calls, n_workers, max_time, callback = _check_args(
        func, n_calls, n_workers, callback, max_time, progress, executor
    )
    _check_options(optimizer_options)
    require_engine(optimizer_options.get("sampler", "gp"))
    opt = Optimizer(
        space,
        acquisition=acquisition,
        n_initial=n_initial,
        batch=batch,
        storage=storage,
        study=study,
        seed=check.seed(seed),
        pruner=pruner,
        direction=direction,
        **optimizer_options,
    )
    warm_start.start(opt, x0, y0, n_calls)
    return _run(opt, func, n_calls, executor, n_workers, callback, progress, max_time, True)


def random_search(
    func: Callable[[dict], float],
    space: Space | Mapping | None = None,
    n_calls: int = 50,
    executor=None,
    n_workers: int = 1,
    storage=None,
    study: str | None = None,
    callback=None,
    progress: bool = True,
    seed: int | None = None,
    *,
    max_time: float | None = None,
    pruner=None,
    stale_after: float | None = None,
    direction: str | None = None,
    x0=None,
    y0=None,
) -> Result:
    """Evaluate ``n_calls`` independent uniform draws from ``space`` (same loop as
    :func:`minimize`; ``pruner``, ``stale_after``, ``direction``, ``x0`` and ``y0`` too).

    Examples
    --------
    >>> from pyjl.bo import Space, Real, random_search
    >>> f = lambda p: (p["x"] - 1.0) ** 2
    >>> res = random_search(f, Space({"x": Real(-3.0, 3.0)}), n_calls=20, seed=0, progress=False)
    >>> len(res.history), bool(res.best_value < 0.5)
    (20, True)
    """
    n_calls, n_workers, max_time, callback = _check_args(
        func, n_calls, n_workers, callback, max_time, progress, executor
    )
    opt = Optimizer(
        space,
        sampler=RandomSampler(),
        storage=storage,
        study=study,
        seed=check.seed(seed),
        pruner=pruner,
        stale_after=stale_after,
        direction=direction,
    )
    warm_start.start(opt, x0, y0, n_calls)
    return _run(opt, func, n_calls, executor, n_workers, callback, progress, max_time, False)


def _axes(space: Space, n_points: int) -> list[list]:
    axes = []
    for dim in space.dimensions.values():
        if isinstance(dim, Categorical):
            axes.append(list(dim.choices))
        elif isinstance(dim, Integer):
            k = min(n_points, dim.n_values)
            v = (
                (np.geomspace if dim.log else np.linspace)(dim.lo, dim.hi, k)
                if k > 1
                else np.array([np.sqrt(dim.lo * dim.hi) if dim.log else (dim.lo + dim.hi) / 2])
            )
            axes.append(sorted({int(x) for x in np.round(v)}))
        else:
            t = np.linspace(0.0, 1.0, n_points) if n_points > 1 else np.array([0.5])
            # distinct values: a Real(lo, lo) is one point, however many are asked for
            axes.append(list(dict.fromkeys(dim.decode(np.array([x])) for x in t)))
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

    # rounded integer axes can stall for a few k and then grow again: go on until the
    # grid passes n_calls or holds the whole (discrete) space
    best, best_size, whole = 1, size(1), space.size()
    k = 1
    while k < 10_000 and best_size < whole:
        k += 1
        s = size(k)
        if s > n_calls:
            break
        if s > best_size:
            best, best_size = k, s
    return best


def grid_search(
    func: Callable[[dict], float],
    space: Space | Mapping | None = None,
    n_calls: int | None = None,
    n_points: int | None = None,
    executor=None,
    n_workers: int = 1,
    storage=None,
    study: str | None = None,
    callback=None,
    progress: bool = True,
    *,
    max_time: float | None = None,
    pruner=None,
    stale_after: float | None = None,
    direction: str | None = None,
) -> Result:
    """Evaluate a full grid (:func:`grid_points`).  ``n_points`` per axis; by default the
    largest grid with at most ``n_calls`` points (5 per axis when ``n_calls`` is None).
    Without ``n_calls``, every point of the grid that the study has not evaluated yet is
    (``n_calls`` counts the trials stored, as for :func:`minimize`).  ``pruner``,
    ``stale_after`` and ``direction`` as in :func:`minimize`.

    Examples
    --------
    >>> from pyjl.bo import Space, Real, grid_search
    >>> f = lambda p: (p["x"] - 1.0) ** 2
    >>> res = grid_search(f, Space({"x": Real(-3.0, 3.0)}), n_points=7, progress=False)
    >>> res.best_params["x"], res.best_value
    (1.0, 0.0)
    """
    n_calls, n_workers, max_time, callback = _check_args(
        func, n_calls, n_workers, callback, max_time, progress, executor, calls_optional=True
    )
    if n_points is not None:
        n_points = check.integer(n_points, "n_points", low=1, high=_GRID_MAX)
    if space is not None and not isinstance(space, Space):
        space = Space(space)
    opt0 = Optimizer(
        space, sampler=RandomSampler(), storage=storage, study=study, direction=direction
    )
    if n_points is None:
        n_points = 5 if n_calls is None else _largest_grid(opt0.space, n_calls)
    size = math.prod(len(a) for a in _axes(opt0.space, n_points))
    if size > _GRID_MAX:
        raise check.error(
            "n_points",
            f"must give a grid of at most {_GRID_MAX:,} points",
            f"{n_points} ({size:,} points over {len(opt0.space)} axes)",
            "pass a smaller n_points, or use random_search or minimize",
        )
    grid = grid_points(opt0.space, n_points)
    opt = Optimizer(
        opt0.space,
        sampler=GridSampler(grid),
        storage=opt0.storage,
        study=opt0.study_name,
        pruner=pruner,
        stale_after=stale_after,
        direction=opt0.direction,
    )
    if n_calls is None:  # the whole grid, on top of what the study holds already
        trials = opt.trials
        seen = seen_keys(opt.space, trials)
        held = sum(t.state != TrialState.ABANDONED for t in trials)
        n_calls = held + sum(opt.space.key(p) not in seen for p in grid)
    return _run(
        opt,
        func,
        n_calls,
        executor,
        n_workers,
        callback,
        progress,
        max_time,
        False,
    )
