"""Pruners: whether a running trial should stop early, from the study's learning curves.

A pruner is asked by :meth:`pyjl.bo.TrialHandle.should_prune` (or
:meth:`pyjl.bo.Optimizer.should_prune`) with every trial of the study and every
intermediate value reported so far (``{number: {step: value}}``, read from the storage,
so it sees what other workers and processes reported).  pyjl minimises: lower
intermediate values are better.  The decisions are Optuna's, step for step:

* :class:`MedianPruner` -- prune when the trial's best value so far is worse than the
  median of the completed trials' values at the same step (``optuna.pruners.MedianPruner``).
* :class:`SuccessiveHalvingPruner` -- asynchronous successive halving, ASHA
  (``optuna.pruners.SuccessiveHalvingPruner``): at each rung step ``min_resource *
  reduction_factor ** (min_early_stopping_rate + rung)`` a trial goes on only if its
  value is among the best ``1 / reduction_factor`` of the values recorded at that rung.
* :class:`NopPruner` -- never prunes (the default).
* ``ThresholdPruner``, ``PatientPruner``, ``WilcoxonPruner`` (:mod:`pyjl.bo.pruners_more`)
  and ``HyperbandPruner`` (:mod:`pyjl.bo.pruners_hyperband`), built on these; every
  pruner is importable from :mod:`pyjl.bo`.

:meth:`~pyjl.bo.TrialHandle.should_prune` asks :meth:`Pruner.prune_stored`, which
reads only what the decision needs from the storage (:class:`StoredCurves`: the trial's
own curve and the values at one step across trials); the built-in pruners decide the
same either way.

Optuna keeps the value each trial had when it reached a rung as an attribute of the
trial, written when it asks; so does :class:`SuccessiveHalvingPruner` (a note with the
trial, :meth:`MappingCurves.mark`), and a trial that has not asked has no value at a rung,
whatever it reported (nor, so, the trials of a study written by a pyjl that did not note
them).

>>> from pyjl.bo.trial import Trial
>>> curves = {0: {0: 1.0, 1: 0.5}, 1: {0: 2.0, 1: 1.5}}
>>> trials = [Trial(0, {}, "complete", 0.5), Trial(1, {}, "pending")]
>>> MedianPruner(n_startup_trials=1).prune(trials, curves, 1)
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import _validate
from . import _auto_resource
from .curves import Curves, MappingCurves, StoredCurves
from .trial import Trial, TrialState

__all__ = [
    "Pruner",
    "NopPruner",
    "MedianPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "StoredCurves",
]


class Pruner:
    """Base class: ``prune(trials, intermediate, number) -> bool``.

    ``trials`` are the study's trials (:class:`~pyjl.bo.trial.Trial`, states included),
    ``intermediate`` the reported values ``{number: {step: value}}`` and ``number`` the
    trial asking.

    Examples
    --------
    >>> class Never(Pruner):
    ...     def prune(self, trials, intermediate, number):
    ...         return False
    >>> Never().prune([], {}, 0)
    False
    """

    def prune(self, trials: Sequence[Trial], intermediate: Curves, number: int) -> bool:
        """Whether trial ``number`` should stop now (it has just reported its last step)."""
        raise NotImplementedError

    def prune_stored(self, trials: Sequence[Trial], curves: StoredCurves, number: int) -> bool:
        """:meth:`prune` with the curves read from the storage; the built-in pruners read
        only what they need, one of one's own every curve (``curves.all()``)."""
        return self.prune(trials, curves.all(), number)


class NopPruner(Pruner):
    """Never prunes.

    Examples
    --------
    >>> NopPruner().prune([], {0: {0: 1.0}}, 0)
    False
    """

    def prune(self, trials: Sequence[Trial], intermediate: Curves, number: int) -> bool:
        return False

    def __repr__(self) -> str:
        return "NopPruner()"


def _count(value, name: str, low: int) -> int:
    return _validate.integer(value, name, low=low, fix=f"pass a whole number >= {low}")


class _ReadingPruner(Pruner):
    """A built-in pruner: one decision, :meth:`_decide`, over curves read whole
    (:meth:`prune`) or only as far as it needs from the storage (:meth:`prune_stored`)."""

    #: whether it notes things with the trials (ASHA's rung values): given a mapping, it
    #: then keeps them from call to call, as a storage keeps them for prune_stored
    _keeps_notes = False

    def prune(self, trials: Sequence[Trial], intermediate: Curves, number: int) -> bool:
        marks = self.__dict__.setdefault("_marks", {}) if self._keeps_notes else None
        return self._decide(trials, MappingCurves(intermediate, marks=marks), number)

    def __getstate__(self) -> dict:
        """A copy (an ``Optimizer``'s own, a worker's) starts without the notes this one
        kept for the trials it was asked about: they are of another study, or in the
        storage, read again where needed."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_marks", "_own")}

    def prune_stored(self, trials: Sequence[Trial], curves: StoredCurves, number: int) -> bool:
        if type(self).prune is not _ReadingPruner.prune:  # a subclass's own prune
            return super().prune_stored(trials, curves, number)
        return self._decide(trials, curves, number)

    def _decide(self, trials: Sequence[Trial], curves: MappingCurves, number: int) -> bool:
        raise NotImplementedError


class PercentilePruner(_ReadingPruner):
    """Prune when the trial's best value so far is above the ``percentile``-th percentile
    of the completed trials' values at the same step (``optuna.pruners.PercentilePruner``
    for minimisation).

    Parameters
    ----------
    percentile : float
        In ``[0, 100]``; ``25`` keeps the trials in the best quarter.
    n_startup_trials : int, default 5
        No pruning before this many trials are complete.
    n_warmup_steps : int, default 0
        No pruning at steps below it.
    interval_steps : int, default 1
        Checks every ``interval_steps`` steps from ``n_warmup_steps`` on (a check falls
        on the first step reported at or past each such step).
    n_min_trials : int, default 1
        No pruning while fewer completed trials reported a value at the step.

    Examples
    --------
    >>> from pyjl.bo.trial import Trial
    >>> done = [Trial(i, {}, "complete", v) for i, v in enumerate([1.0, 2.0, 3.0])]
    >>> curves = {0: {0: 1.0}, 1: {0: 2.0}, 2: {0: 3.0}, 3: {0: 1.6}}
    >>> p = PercentilePruner(25.0, n_startup_trials=1)
    >>> p.prune(done + [Trial(3, {}, "pending")], curves, 3)
    True
    """

    def __init__(
        self,
        percentile: float,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ):
        self.percentile = _validate.real(
            percentile, "percentile", low=0.0, high=100.0, fix="pass a number in [0, 100]"
        )
        self.n_startup_trials = _count(n_startup_trials, "n_startup_trials", 0)
        self.n_warmup_steps = _count(n_warmup_steps, "n_warmup_steps", 0)
        self.interval_steps = _count(interval_steps, "interval_steps", 1)
        self.n_min_trials = _count(n_min_trials, "n_min_trials", 1)

    def _decide(self, trials: Sequence[Trial], curves: MappingCurves, number: int) -> bool:
        done = [t.number for t in trials if t.state == TrialState.COMPLETE]
        if not done or len(done) < self.n_startup_trials:
            return False
        curve = curves.curve(number)
        if not curve:
            return False
        step = max(curve)
        if step < self.n_warmup_steps:
            return False
        warm, every = self.n_warmup_steps, self.interval_steps
        check_step = (step - warm) // every * every + warm
        previous = max((s for s in curve if s != step), default=-1)
        if previous >= check_step:  # this interval was checked already
            return False
        best = min(curve.values())
        values = curves.at(step)
        at_step = [values[n] for n in done if n in values]
        if len(at_step) < self.n_min_trials:
            return False
        if curves.direction == "maximize":  # Optuna's percentile of the raw values, exactly
            return best > -float(np.percentile([-v for v in at_step], 100 - self.percentile))
        return best > float(np.percentile(at_step, self.percentile))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(percentile={self.percentile:g}, n_startup_trials="
            f"{self.n_startup_trials}, n_warmup_steps={self.n_warmup_steps}, interval_steps="
            f"{self.interval_steps}, n_min_trials={self.n_min_trials})"
        )


class MedianPruner(PercentilePruner):
    """Prune when the trial's best value so far is worse than the median of the completed
    trials' values at the same step (``optuna.pruners.MedianPruner``, minimisation).

    Parameters
    ----------
    n_startup_trials : int, default 5
        No pruning before this many trials are complete.
    n_warmup_steps : int, default 0
        No pruning at steps below it.
    interval_steps : int, default 1
        Checks every ``interval_steps`` steps from ``n_warmup_steps`` on.
    n_min_trials : int, default 1
        No pruning while fewer completed trials reported a value at the step.

    Examples
    --------
    >>> from pyjl.bo.trial import Trial
    >>> done = [Trial(i, {}, "complete", v) for i, v in enumerate([1.0, 3.0])]
    >>> curves = {0: {0: 1.0}, 1: {0: 3.0}, 2: {0: 2.5}}
    >>> MedianPruner(n_startup_trials=2).prune(done + [Trial(2, {}, "pending")], curves, 2)
    True
    >>> MedianPruner(n_startup_trials=3).prune(done + [Trial(2, {}, "pending")], curves, 2)
    False
    """

    def __init__(
        self,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        n_min_trials: int = 1,
    ):
        super().__init__(
            50.0, n_startup_trials, n_warmup_steps, interval_steps, n_min_trials=n_min_trials
        )

    def __repr__(self) -> str:
        return (
            f"MedianPruner(n_startup_trials={self.n_startup_trials}, n_warmup_steps="
            f"{self.n_warmup_steps}, interval_steps={self.interval_steps}, "
            f"n_min_trials={self.n_min_trials})"
        )


#: the trial attribute holding the values a trial recorded at the rungs (Optuna's
#: ``completed_rung_k`` system attributes), written when it asks ``should_prune``
_RUNGS = "pyjl.asha.rungs"


class SuccessiveHalvingPruner(_ReadingPruner):
    """Asynchronous successive halving, ASHA (``optuna.pruners.SuccessiveHalvingPruner``,
    minimisation; Li et al. 2020).

    Rung ``k`` is reached at step ``min_resource * reduction_factor **
    (min_early_stopping_rate + k)``; there a trial goes on only if its value is at most
    the ``len(values) // reduction_factor``-th smallest of the values recorded at that rung
    (its own included; the smallest while fewer than ``reduction_factor`` are recorded).

    Parameters
    ----------
    min_resource : "auto" or int, default "auto"
        The first rung's step; ``"auto"``: ``max(last step // 100, 1)`` of the completed
        trials when this pruner is first asked after one completed, kept from then on
        (noted in the study: every worker, and a resumed study, uses it) -- as Optuna
        does; the trials that had ended by then take no part in the rungs, those running
        record their values when they next ask.
    reduction_factor : int, default 4
        ``>= 2``: about ``1 / reduction_factor`` of the trials pass each rung.
    min_early_stopping_rate : int, default 0
        ``>= 0``: the first rung is ``reduction_factor ** min_early_stopping_rate`` times
        further out.
    bootstrap_count : int, default 0
        Prune at a rung until more than this many trials recorded a value there (needs an
        integer ``min_resource``).

    Notes
    -----
    The values a trial records at the rungs are noted with it (in the study's storage
    through ``should_prune``; given a mapping, :meth:`prune` keeps them in the pruner from
    call to call): use one pruner object per study.

    Examples
    --------
    >>> from pyjl.bo.trial import Trial
    >>> asha = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    >>> asha.prune([Trial(0, {}, "pending")], {0: {0: 1.0, 1: 0.8}}, 0)  # records 0.8 at rung 0
    False
    >>> curves = {0: {0: 1.0, 1: 0.8}, 1: {0: 2.0, 1: 1.9}}
    >>> trials = [Trial(0, {}, "complete", 0.8), Trial(1, {}, "pending")]
    >>> asha.prune(trials, curves, 1)  # 1.9 against 0.8: not in the best half
    True
    """

    _keeps_notes = True

    def __init__(
        self,
        min_resource: str | int = "auto",
        reduction_factor: int = 4,
        min_early_stopping_rate: int = 0,
        bootstrap_count: int = 0,
    ):
        self._min_resource: int | None = None
        # the values each trial recorded at the rungs, as this pruner read or noted them
        self._own: dict[int, list[float]] = {}  # (not copied: see __getstate__)
        if isinstance(min_resource, str):
            _validate.choice(min_resource, "min_resource", ("auto",))
        else:
            self._min_resource = _validate.integer(
                min_resource, "min_resource", low=1, fix="pass a whole number >= 1, or 'auto'"
            )
        self.min_resource = min_resource
        self.reduction_factor = _count(reduction_factor, "reduction_factor", 2)
        self.min_early_stopping_rate = _count(
            min_early_stopping_rate, "min_early_stopping_rate", 0
        )
        self.bootstrap_count = _count(bootstrap_count, "bootstrap_count", 0)
        if self.bootstrap_count > 0 and self._min_resource is None:
            raise _validate.error(
                "bootstrap_count",
                "must be 0 when min_resource is 'auto'",
                self.bootstrap_count,
                "pass an integer min_resource, or bootstrap_count=0",
            )

    def _rung_step(self, rung: int) -> int:
        assert self._min_resource is not None
        return self._min_resource * self.reduction_factor ** (self.min_early_stopping_rate + rung)

    def _decide(self, trials: Sequence[Trial], curves: MappingCurves, number: int) -> bool:
        curve = curves.curve(number)
        if not curve:
            return False
        step = max(curve)
        value = curve[step]
        if self._min_resource is None:
            fixed = _auto_resource.settle(
                "asha", trials, curves, number, lambda last: max(last // 100, 1)
            )
            if fixed is None:
                return False
            self._min_resource = fixed  # the trials that ended before have no notes
        own = self.__dict__.setdefault("_own", {})  # (unpickled: see __getstate__)
        recorded, marks = own.get(number), None
        if recorded is None:  # first asked here: its notes, read once, kept from then on
            marks = curves.marks()
            recorded = list(marks.get(number, {}).get(_RUNGS, []))
            if _RUNGS not in marks.get(number, {}):  # it has asked: no curve read for it
                curves.mark(number, {_RUNGS: []})
        if step < self._rung_step(len(recorded)):  # between rungs: nothing else to read
            own[number] = recorded
            return False
        if marks is None:
            marks = curves.marks()
            stored = marks.get(number, {}).get(_RUNGS, [])
            if len(stored) > len(recorded):  # noted meanwhile through another pruner object
                recorded = stored
        recorded = list(recorded)
        start, prune = len(recorded), False  # Optuna's current rung: the values recorded
        while not prune and step >= self._rung_step(len(recorded)):
            if math.isnan(value):  # pruned before its value is recorded, as in Optuna
                prune = True
                break
            competing = [*self._competing(marks, number, len(recorded)), value]
            recorded.append(value)
            k = max(len(competing) // self.reduction_factor - 1, 0)
            # a report past several rungs records values up to the one where the trial is
            # pruned; one told to stop that goes on records the rungs above when it asks again
            prune = len(competing) <= self.bootstrap_count or not value <= sorted(competing)[k]
        if len(recorded) > start:
            curves.mark(number, {_RUNGS: recorded})
        own[number] = recorded
        return prune

    @staticmethod
    def _competing(marks: Mapping[int, Mapping[str, Any]], number: int, rung: int) -> list[float]:
        """The values the other trials recorded at ``rung`` when they asked (their notes),
        as Optuna's ``completed_rung_k`` attributes: a trial that has not asked has none."""
        return [
            float(notes[_RUNGS][rung])
            for n, notes in marks.items()
            if n != number and _RUNGS in notes and len(notes[_RUNGS]) > rung
        ]

    def __repr__(self) -> str:
        return (
            f"SuccessiveHalvingPruner(min_resource={self.min_resource!r}, reduction_factor="
            f"{self.reduction_factor}, min_early_stopping_rate={self.min_early_stopping_rate}, "
            f"bootstrap_count={self.bootstrap_count})"
        )


def check_pruner(pruner) -> Pruner:
    """``pruner`` as a pruner object: ``None`` is :class:`NopPruner`."""
    if pruner is None:
        return NopPruner()
    optuna = type(pruner).__module__.split(".")[0] == "optuna"  # prune(study, trial)
    if callable(getattr(pruner, "prune", None)) and not optuna:
        return pruner
    raise _validate.error(
        "pruner",
        "must be None or a pruner (an object with prune(trials, intermediate, number))",
        f"Optuna's {type(pruner).__name__}" if optuna else _validate.describe(pruner),
        "pass e.g. pyjl.bo.MedianPruner() or pyjl.bo.SuccessiveHalvingPruner() (Optuna's "
        "semantics and arguments)",
    )
