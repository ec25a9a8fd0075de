"""More of Optuna's pruners: thresholds, patience, and a signed-rank test against the best.

* :class:`ThresholdPruner` -- prune a value outside ``[lower, upper]`` (or NaN)
  (``optuna.pruners.ThresholdPruner``).
* :class:`PatientPruner` -- ask another pruner only once the trial's curve has not
  improved for ``patience`` steps (``optuna.pruners.PatientPruner``).
* :class:`WilcoxonPruner` -- prune when a Wilcoxon signed-rank test over the steps both
  share says the trial is worse than the best completed one
  (``optuna.pruners.WilcoxonPruner``).

:class:`~pyjl.bo.pruners_hyperband.HyperbandPruner` is in :mod:`pyjl.bo.pruners_hyperband`;
all are importable from :mod:`pyjl.bo`.  Like the others they
read losses (a maximised study's values negated); the two that Optuna decides on the
objective's own values -- the thresholds, and the test's alternative and mean -- read
them back through ``curves.direction`` (:class:`~pyjl.bo.curves.MappingCurves`), so the
decisions are Optuna's for ``direction="maximize"`` too.

>>> from pyjl.bo.trial import Trial
>>> ThresholdPruner(upper=1.0).prune([Trial(0, {}, "pending")], {0: {0: 0.5, 1: 1.5}}, 0)
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import _validate
from .._warn import warn
from ..exceptions import PyjlWarning
from .curves import Curves, MappingCurves, StoredCurves
from .direction import best_index, sign
from .pruners import Pruner, _count, _ReadingPruner
from .trial import Trial, TrialState

__all__ = ["ThresholdPruner", "PatientPruner", "WilcoxonPruner"]


def _first_in_interval(curve: Mapping[int, float], warm: int, every: int) -> bool:
    """Whether the trial's last step is the first reported in its interval of
    ``every`` steps from ``warm`` on (Optuna's ``_is_first_in_interval_step``)."""
    step = max(curve)
    check_step = (step - warm) // every * every + warm
    previous = max((s for s in curve if s != step), default=-1)
    return previous < check_step


def _bound(value: Any, name: str) -> float | None:
    if value is None:
        return None
    return _validate.real(value, name, fix="pass a finite number, or None for no bound")


class ThresholdPruner(_ReadingPruner):
    """Prune when the value just reported is below ``lower``, above ``upper`` or NaN
    (``optuna.pruners.ThresholdPruner``).

    The bounds are on the objective's own values, in either direction: a maximised
    study with ``lower=0.5`` prunes a score below 0.5, as Optuna does.

    Parameters
    ----------
    lower : float or None, default None
        Prune a value below it (``None``: no lower bound).
    upper : float or None, default None
        Prune a value above it; at least one of ``lower``, ``upper`` is needed, and
        ``lower <= upper``.
    n_warmup_steps : int, default 0
        No pruning at steps below it.
    interval_steps : int, default 1
        Checks every ``interval_steps`` steps from ``n_warmup_steps`` on (a check falls
        on the first step reported at or past each such step).

    Examples
    --------
    >>> from pyjl.bo.trial import Trial
    >>> p = ThresholdPruner(lower=0.0, upper=1.0, n_warmup_steps=1)
    >>> trials = [Trial(0, {}, "pending")]
    >>> p.prune(trials, {0: {0: 5.0}}, 0), p.prune(trials, {0: {0: 5.0, 1: 5.0}}, 0)
    (False, True)
    >>> p.prune(trials, {0: {0: 0.5, 1: float("nan")}}, 0)
    True
    """

    def __init__(
        self,
        lower: float | None = None,
        upper: float | None = None,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
    ):
        if lower is None and upper is None:
            raise _validate.error(
                "lower",
                "or `upper` must be given (a threshold pruner needs a bound)",
                "lower=None and upper=None",
                "pass lower=..., upper=... or both",
                wrong_type=True,  # a TypeError too, as Optuna raises
            )
        self.lower, self.upper = _bound(lower, "lower"), _bound(upper, "upper")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise _validate.error(
                "lower",
                f"must be <= upper ({self.upper:g})",
                self.lower,
                "pass lower <= upper",
            )
        self.n_warmup_steps = _count(n_warmup_steps, "n_warmup_steps", 0)
        self.interval_steps = _count(interval_steps, "interval_steps", 1)

    def _decide(self, trials: Sequence[Trial], curves: MappingCurves, number: int) -> bool:
        curve = curves.curve(number)
        if not curve or max(curve) < self.n_warmup_steps:
            return False
        if not _first_in_interval(curve, self.n_warmup_steps, self.interval_steps):
            return False
        value = sign(curves.direction) * curve[max(curve)]  # the objective's own value
        if math.isnan(value):
            return True
        low = -math.inf if self.lower is None else self.lower
        high = math.inf if self.upper is None else self.upper
        return value < low or value > high

    def __repr__(self) -> str:
        return (
            f"ThresholdPruner(lower={self.lower!r}, upper={self.upper!r}, n_warmup_steps="
            f"{self.n_warmup_steps}, interval_steps={self.interval_steps})"
        )


def _wrapped(pruner: Any) -> Any:
    """``pruner`` checked as :func:`~pyjl.bo.pruners.check_pruner` does (``None`` kept)."""
    optuna = type(pruner).__module__.split(".")[0] == "optuna"  # prune(study, trial)
    if pruner is None or (callable(getattr(pruner, "prune", None)) and not optuna):
        return pruner
    raise _validate.error(
        "wrapped_pruner",
        "must be None or a pruner (an object with prune(trials, intermediate, number))",
        f"Optuna's {type(pruner).__name__}" if optuna else _validate.describe(pruner),
        "pass a pyjl pruner, e.g. PatientPruner(MedianPruner(), patience=3), or None",
    )


class PatientPruner(Pruner):
    """Ask ``wrapped_pruner`` only when the trial has not improved for ``patience``
    steps (``optuna.pruners.PatientPruner``).

    With the trial's reported steps in order, it waits while the best value of the last
    ``patience + 1`` steps beats the best value before them by more than ``min_delta``
    (NaNs ignored), and while it has reported ``patience + 1`` steps or fewer.

    Parameters
    ----------
    wrapped_pruner : pruner or None
        Any pruner (pyjl's, or one's own with ``prune(trials, intermediate, number)``),
        asked once patience has run out; ``None``: prune then.
    patience : int
        ``>= 0``: how many steps without improvement are tolerated.
    min_delta : float, default 0.0
        ``>= 0``: an improvement by no more than this is none.

    Notes
    -----
    The wrapped pruner is asked only when patience has run out, as in Optuna, with the
    same trials and curves.  Optuna's successive halving (and so Hyperband) records a
    trial's value at a rung when it is asked at or past the rung's step, and so does
    pyjl's (a note with the trial): wrapped here, only when patience has run out, so the
    rung values, and the decisions, are Optuna's.

    Examples
    --------
    >>> from pyjl.bo.trial import Trial
    >>> p = PatientPruner(None, patience=2)
    >>> trials = [Trial(0, {}, "pending")]
    >>> p.prune(trials, {0: {0: 1.0, 1: 0.9, 2: 0.95, 3: 0.92}}, 0)
    False
    >>> p.prune(trials, {0: {0: 1.0, 1: 0.9, 2: 0.95, 3: 0.92, 4: 0.91}}, 0)
    True
    """

    def __init__(self, wrapped_pruner: Any, patience: int, min_delta: float = 0.0):
        self.wrapped_pruner = _wrapped(wrapped_pruner)
        self.patience = _count(patience, "patience", 0)
        self.min_delta = _validate.real(
            min_delta, "min_delta", low=0.0, fix="pass a number >= 0 (0: any improvement)"
        )

    def _out_of_patience(self, curve: Mapping[int, float]) -> bool:
        steps = sorted(curve)
        if len(steps) <= self.patience + 1:
            return False
        before = np.array([curve[s] for s in steps[: -self.patience - 1]], dtype=float)
        after = np.array([curve[s] for s in steps[-self.patience - 1 :]], dtype=float)
        return bool(np.nanmin(before) + self.min_delta < np.nanmin(after))

    def prune(self, trials: Sequence[Trial], intermediate: Curves, number: int) -> bool:
        if not self._out_of_patience(intermediate.get(number, {})):
            return False
        if self.wrapped_pruner is None:
            return True
        return bool(self.wrapped_pruner.prune(trials, intermediate, number))

    def prune_stored(self, trials: Sequence[Trial], curves: StoredCurves, number: int) -> bool:
        if type(self).prune is not PatientPruner.prune:  # a subclass's own prune
            return super().prune_stored(trials, curves, number)
        if not self._out_of_patience(curves.curve(number)):
            return False
        wrapped = self.wrapped_pruner
        if wrapped is None:
            return True
        if hasattr(wrapped, "prune_stored"):
            return bool(wrapped.prune_stored(trials, curves, number))
        return bool(wrapped.prune(trials, curves.all(), number))

    def __repr__(self) -> str:
        return (
            f"PatientPruner({self.wrapped_pruner!r}, patience={self.patience}, "
            f"min_delta={self.min_delta:g})"
        )


class WilcoxonPruner(_ReadingPruner):
    """Prune when the Wilcoxon signed-rank test says the trial is worse than the best
    completed trial (``optuna.pruners.WilcoxonPruner``).

    For objectives that are a mean over instances (folds, problems, questions): each
    step is an instance, and the trial's values are paired with the best completed
    trial's at the steps both reported (steps the best lacks are left out, with a
    warning, as in Optuna).  With
    ``scipy.stats.wilcoxon`` of the differences (trial minus best; ``zero_method=
    "zsplit"``, the alternative "the trial is worse"), the trial is pruned when ``p <
    p_threshold`` -- unless its mean over all its steps is no worse than the best
    trial's mean over all of the best's, a safety Optuna has too.

    Parameters
    ----------
    p_threshold : float, default 0.1
        In ``[0, 1]``; larger prunes sooner.  Keyword only, as in Optuna.
    n_startup_steps : int, default 2
        ``>= 0``: no pruning with fewer paired steps (nor with fewer than 2).

    Notes
    -----
    pyjl's ``report`` takes the steps of a trial in increasing order, where Optuna
    suggests evaluating the instances in a shuffled order per trial: to pair instances
    across trials, report instance ``i`` of a fixed order (shuffled once) as step ``i``.
    A trial whose values (or the best trial's) are not all finite is not pruned, with a
    warning, as in Optuna (pyjl's ``report`` refuses them; ``prune`` may be handed them).

    Examples
    --------
    >>> from pyjl.bo.trial import Trial
    >>> best = {s: 1.0 + 0.1 * s for s in range(8)}
    >>> worse = {s: v + 0.5 for s, v in best.items()}
    >>> trials = [Trial(0, {}, "complete", 1.35), Trial(1, {}, "pending")]
    >>> WilcoxonPruner().prune(trials, {0: best, 1: worse}, 1)
    True
    >>> WilcoxonPruner(p_threshold=0.001).prune(trials, {0: best, 1: worse}, 1)
    False
    """

    def __init__(self, *, p_threshold: float = 0.1, n_startup_steps: int = 2):
        self.p_threshold = _validate.real(
            p_threshold, "p_threshold", low=0.0, high=1.0, fix="pass a number in [0, 1]"
        )
        self.n_startup_steps = _count(n_startup_steps, "n_startup_steps", 0)

    @staticmethod
    def _values(curve: Mapping[int, float], s: float, whose: str) -> dict[int, float] | None:
        """The objective's own values ``{step: value}`` in step order; None (with
        Optuna's warning) when one is not finite."""
        values = {k: s * curve[k] for k in sorted(curve)}
        if not all(math.isfinite(v) for v in values.values()):
            warn(
                f"the intermediate values of {whose} contain infinity or NaN: "
                "WilcoxonPruner does not prune the trial",
                PyjlWarning,
            )
            return None
        return values

    def _decide(self, trials: Sequence[Trial], curves: MappingCurves, number: int) -> bool:
        from scipy import stats

        curve = curves.curve(number)
        if not curve:
            return False
        s = sign(curves.direction)
        mine = self._values(curve, s, f"trial {number}")
        if mine is None:
            return False
        done = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
        if not done:
            return False
        best = done[best_index(done, "minimize")]  # trials arrive as losses
        best_curve = curves.curve(best.number)
        if not best_curve:
            warn(
                f"the best trial ({best.number}) reported no intermediate values: "
                "WilcoxonPruner cannot prune",
                PyjlWarning,
            )
            return False
        theirs = self._values(best_curve, s, f"the best trial ({best.number})")
        if theirs is None:
            return False
        shared = [k for k in mine if k in theirs]
        if len(shared) < len(mine):  # one text, so that a filter shows it once (Optuna's)
            warn(
                "a trial reported steps the best trial did not: WilcoxonPruner leaves them "
                "out of the comparison",
                PyjlWarning,
            )
        if len(shared) < max(2, self.n_startup_steps):
            return False
        diff = np.array([mine[k] - theirs[k] for k in shared])
        mean_mine = sum(mine.values()) / len(mine)
        mean_best = sum(theirs.values()) / len(theirs)
        if curves.direction == "maximize":
            alternative, average_is_best = "less", mean_best <= mean_mine
        else:
            alternative, average_is_best = "greater", mean_best >= mean_mine
        p = stats.wilcoxon(diff, alternative=alternative, zero_method="zsplit").pvalue
        return bool(p < self.p_threshold) and not average_is_best

    def __repr__(self) -> str:
        return (
            f"WilcoxonPruner(p_threshold={self.p_threshold:g}, "
            f"n_startup_steps={self.n_startup_steps})"
        )
