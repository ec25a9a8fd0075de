"""The outcome of a study (:class:`Result`), as :func:`pyjl.bo.minimize`,
:func:`~pyjl.bo.random_search`, :func:`~pyjl.bo.grid_search` and ``BayesSearchCV`` return
it, with scikit-optimize's names for the same fields."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

from .history import history_frame, param_columns
from .optimizer import Optimizer
from .space import Space
from .trial import TrialState

__all__ = ["Result", "study_result"]


@dataclasses.dataclass
class Result:
    """The outcome of a study.

    ``best_params``/``best_value``: the best observed value (the lowest; the highest in
    a study with ``direction="maximize"``); ``best_mean_params``/``best_mean_value``: the
    evaluated point with the best GP posterior mean (the one to trust when evaluations
    are noisy; ``None`` for random and grid search, and
    before two trials have completed); ``history``: one row per trial (``number, state,
    value, noise_var``, one column per parameter, ``error, created, finished, worker,
    duration_s, best_so_far``);
    ``n_failed``: failed evaluations; ``optimizer``: to ask for more.

    scikit-optimize's names read the same study: ``x`` (the best parameters as a list, in
    the space's order), ``fun`` (the best value), ``x_iters`` and ``func_vals`` (the
    completed trials' parameters and values, in trial order) and ``space``; so its
    ``DeltaYStopper``, ``DeltaXStopper`` (through :meth:`Space.distance`) and
    ``DeadlineStopper`` callbacks work unchanged (scikit-optimize
    minimises: ``DeltaYStopper`` reads the lowest values, so it is for minimised studies).

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

    # -- scikit-optimize's names ------------------------------------------------------
    @property
    def x(self) -> list | None:
        """The best parameters as a list in the space's order (scikit-optimize's ``x``)."""
        if self.best_params is None:
            return None
        names = self.optimizer.space.names if self.optimizer is not None else self.best_params
        return [self.best_params[n] for n in names]

    @property
    def fun(self) -> float | None:
        """The best value (scikit-optimize's ``fun``)."""
        return self.best_value

    @property
    def x_iters(self) -> list[list]:
        """The completed trials' parameters, as lists in the space's order."""
        done = self._completed()
        if self.optimizer is not None:
            columns = list(param_columns(self.optimizer.space).values())
        else:
            columns = list(self.best_params or {})
        return done[columns].to_numpy(dtype=object).tolist()

    @property
    def func_vals(self) -> np.ndarray:
        """The completed trials' values, in trial order (scikit-optimize's ``func_vals``)."""
        return self._completed()["value"].to_numpy(dtype=np.float64)

    @property
    def direction(self) -> str:
        """``"minimize"`` or ``"maximize"``: which way the study optimised."""
        return "minimize" if self.optimizer is None else self.optimizer.direction

    @property
    def space(self) -> Space | None:
        """The study's search space."""
        return None if self.optimizer is None else self.optimizer.space

    def _completed(self) -> Any:
        h = self.history
        return h[h["state"] == TrialState.COMPLETE.value]


def study_result(opt: Optimizer, t0: float, with_mean: bool) -> Result:
    """The :class:`Result` of ``opt``'s study as it stands (``t0``: when it started, by
    ``time.monotonic``; ``with_mean``: also the lowest posterior mean, fitting the GP)."""
    trials = opt.trials
    params, value = opt.best
    mp = mv = None
    if with_mean and sum(t.state == TrialState.COMPLETE for t in trials) >= 2:
        try:
            mp, mv = opt.best_mean
        except Exception:  # a surrogate that cannot be fitted must not lose the result
            mp = mv = None
    n_failed = sum(t.state == TrialState.FAILED for t in trials)
    return Result(
        params,
        value,
        history_frame(trials, opt.space, opt.direction),
        n_failed,
        mp,
        mv,
        opt,
        time.monotonic() - t0,
    )
