"""A study's trials as its sampler is shown them, and as the Optimizer reports them.

:func:`propose` asks a sampler for points.  A :class:`~pyjl.bo.samplers.GPSampler` is
told of the pruned trials (:mod:`pyjl.bo.fidelity`): with ``pruned_as="rank"`` each one
is fantasised at the quantile of its rank among the completed trials where it stopped
(:func:`~pyjl.bo.fidelity.surrogate_view` also models an earlier step while too few
trials completed); with ``pruned_as="mean"`` they are fitted as observations of their
final values with extra noise (:func:`~pyjl.bo.fidelity.partial_means`).  Any other
sampler sees the trials as they are.

:class:`StudyViews` is the read side of :class:`~pyjl.bo.Optimizer`: the trials, the
best point and the surrogate fitted to the completed trials.  Trials are ranked, and the
surrogate fitted, on losses (:mod:`pyjl.bo.direction`: minus the values of a maximised
study); values, best values and the surrogate's values in the objective's units
(:meth:`StudyViews.to_objective`) are the objective's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import _validate
from ..exceptions import NotFittedError
from .direction import best_index, loss_trials
from .fidelity import partial_means, surrogate_view
from .samplers import GPSampler, Sampler
from .space import Space
from .trial import Trial, TrialState

__all__ = ["propose", "StudyViews"]


def propose(
    sampler: Sampler,
    space: Space,
    trials: list[Trial],
    n: int,
    seed: int,
    curves: Callable[[], Mapping[int, Mapping[int, float]]],
    pruned_as: str,
    seen: set[str],
) -> list[dict]:
    """``sampler``'s ``n`` points for a study with ``trials``; ``curves()`` gives the
    study's ``{number: {step: value}}``, read only when a GP sampler meets a pruned trial.
    The points are checked against the trials' keys ``seen`` (:func:`checked`): a sampler
    of one's own is held to the protocol."""
    if not isinstance(sampler, GPSampler) or not any(t.state == TrialState.PRUNED for t in trials):
        return checked(sampler, space, seen, n, sampler.propose(space, trials, n, seed))
    reported = curves()
    means = partial_means(trials, reported) if pruned_as == "mean" else {}
    if means:
        points = sampler.propose(space, trials, n, seed, partial=means)
    else:
        view, ranks = surrogate_view(trials, reported, space.n_encoded + 1)
        points = sampler.propose(space, view, n, seed, pruned=ranks)
    return checked(sampler, space, seen, n, points)


def checked(sampler: Sampler, space: Space, seen: set[str], n: int, points) -> list[dict]:
    """``points``, refused unless they are what the :class:`Sampler` protocol promises:
    1 to ``n`` dicts inside ``space`` (validated and completed as :meth:`Space.validate` does),
    distinct, none of the keys ``seen`` (the trials that count: not abandoned)."""
    who = f"{type(sampler).__name__}.propose"
    points = list(points)
    if not 0 < len(points) <= n:
        raise _validate.error(
            who,
            f"must return 1 to {n} points (n={n} asked for; fewer only where no more are "
            "left, as in a grid)",
            f"{len(points)} points",
            "return up to n distinct unseen parameter dicts, or raise SpaceExhausted when "
            "none is left",
        )
    out, keys = [], set(seen)
    for i, p in enumerate(points):
        p = space.validate(p, f"{who}'s point {i}")
        key = space.key(p)
        if key in keys:
            raise _validate.error(
                f"{who}'s point {i}",
                "must be a point no trial of the study has and not repeated in the batch",
                _validate.describe(p),
                "skip the points of the trials given to propose (samplers.seen_keys)",
            )
        keys.add(key)
        out.append(p)
    return out


class StudyViews:
    """What a study says: its trials, its best point, its surrogate (read from the storage).

    The base of :class:`~pyjl.bo.Optimizer`, whose constructor sets the attributes below.

    Attributes
    ----------
    storage : MemoryStorage or SQLiteStorage or PostgreSQLStorage
        The open storage of the trials.
    space : Space
        The study's search space.
    seed : int
        The study's seed.
    direction : {"minimize", "maximize"}
        Which way the study optimises (the stored one).

    Examples
    --------
    >>> from pyjl.bo import Optimizer, Real
    >>> opt = Optimizer({"x": Real(0.0, 1.0)}, seed=0)
    >>> for x in (0.1, 0.5, 0.9):
    ...     _ = opt.tell({"x": x}, (x - 0.4) ** 2)
    >>> len(opt.trials), opt.best[0], round(opt.best[1], 6)
    (3, {'x': 0.5}, 0.01)
    """

    storage: Any
    space: Space
    seed: int
    direction: str
    _study_id: int
    _model: GPSampler  # the GP of best_mean, surrogate(), acquisition_function()

    @property
    def trials(self) -> list[Trial]:
        """Every trial of this study, in order (read from the storage)."""
        trials = self.storage.trials(self._study_id)
        for t in trials:  # a tuple choice comes back from JSON as a list
            t.params = self.space.as_chosen(t.params)
        return trials

    def intermediate_values(self) -> dict[int, dict[int, float]]:
        """``{number: {step: value}}`` reported by the study's trials."""
        return self.storage.intermediate_values(self._study_id)

    @property
    def best(self) -> tuple[dict | None, float | None]:
        """``(params, value)`` of the best observed value: the lowest, or the highest in a
        maximised study (``(None, None)`` before any)."""
        done = [t for t in self.trials if t.state == TrialState.COMPLETE]
        if not done:
            return None, None
        t = done[best_index(done, self.direction)]
        return t.params, t.value

    @property
    def best_mean(self) -> tuple[dict | None, float | None]:
        """``(params, posterior mean)`` of the evaluated point with the best posterior
        mean (the lowest; the highest in a maximised study): the best to report when
        evaluations are noisy."""
        done = [t for t in self.trials if t.state == TrialState.COMPLETE]
        if len(done) < 2:
            return self.best
        gp, X, _ = self._model.fit(self.space, loss_trials(done, self.direction), self.seed)
        mu = np.asarray(gp.predict(X)).reshape(-1)
        i = int(np.argmin(mu))
        return done[i].params, float(self.to_objective(mu[i]))

    @property
    def output_warp(self):
        """The :class:`~pyjl.bo.surrogate.OutputWarp` the surrogate sees the values
        through (``None``: the values themselves); set by each refit."""
        return self._model.surrogate.warp

    def to_objective(self, values):
        """Surrogate values (posterior means, quantiles) in the objective's units: the
        inverse of the output warp (``warp_y``), or the values themselves, times
        :func:`~pyjl.bo.direction.sign` (the surrogate models losses)."""
        out = self._model.surrogate.to_objective(values)
        return out if self.direction == "minimize" else -np.asarray(out)

    def surrogate(self):
        """The GP fitted to the completed trials' losses (their values; minus them in a
        maximised study), inputs the :meth:`Space.round`-ed unit cube."""
        return self._model.fit(self.space, self._completed(), self.seed)[0]

    def acquisition_function(self, model=None):
        """The acquisition object (``acq(X) -> (n,)``) on ``model`` (default: the surrogate)."""
        gp, X, y = self._model.fit(self.space, self._completed(), self.seed)
        return self._model.acquisition_function(gp if model is None else model, X, y)

    def history(self):
        """A pandas DataFrame, one row per trial (see :func:`pyjl.bo.minimize`)."""
        from .history import history_frame

        return history_frame(self.trials, self.space, self.direction)

    def _completed(self) -> list[Trial]:
        """The completed trials, their values as losses; :class:`~pyjl.exceptions.NotFittedError`
        below the 2 the surrogate needs."""
        done = [t for t in self.trials if t.state == TrialState.COMPLETE]
        if len(done) < 2:
            raise NotFittedError(
                f"the surrogate needs at least 2 completed trials; got "
                f"{len(done)}. Fix: tell more values first."
            )
        return loss_trials(done, self.direction)
