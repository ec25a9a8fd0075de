"""Optuna's study and trial API over :class:`pyjl.bo.Optimizer`, for Optuna's pruner tests.

Optuna's pruner tests build a study with ``optuna.study.create_study(direction=...,
pruner=...)``, ask trials, ``trial.report(value, step)``, ``trial.should_prune()`` and
``study.tell``.  Here the study is a pyjl :class:`~pyjl.bo.Optimizer` (in memory, random
sampler, one real parameter ``x`` the tests never read) with the pruner the test made --
pyjl's own class of Optuna's name, from :mod:`pyjl.bo` -- and each call goes to its public
method: ``ask_trials``, ``report``, ``should_prune``, ``tell_trial``, ``tell_pruned``,
``fail_trial``.  The pruner so decides from what pyjl's storage holds, as it does for a
user.

What a test reads back is translated, nothing recomputed: a trial's state, value,
params and intermediate values from :attr:`Optimizer.trials` and
:meth:`Optimizer.intermediate_values`; the values a trial recorded at ASHA's rungs
(pyjl's note ``"pyjl.asha.rungs"`` with the trial) as Optuna's ``completed_rung_<k>``
system attributes.  Optuna's storage methods a test calls directly
(``create_new_trial``, ``set_trial_intermediate_value``, ...) are not translated and
raise ``AttributeError`` saying so.  ``study.add_trial(optuna.trial.create_trial(...))``
(Optuna's record of a finished trial) asks a pyjl trial, reports its intermediate values
and tells it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from optuna.study import StudyDirection
from optuna.trial import TrialState

from pyjl.bo import Optimizer, Real, Space, TrialPruned

__all__ = ["Study", "Trial", "FrozenTrial", "create_study", "STATES"]

#: pyjl's trial states as Optuna's (an abandoned trial reads as Optuna's failed one)
STATES = {
    "pending": TrialState.RUNNING,
    "complete": TrialState.COMPLETE,
    "pruned": TrialState.PRUNED,
    "failed": TrialState.FAIL,
    "abandoned": TrialState.FAIL,
}

#: the trial attribute where pyjl's ASHA notes the values a trial recorded at its rungs
RUNGS = "pyjl.asha.rungs"


class FrozenTrial:
    """What Optuna's ``FrozenTrial`` tells of one pyjl trial (read when made)."""

    def __init__(self, study: Study, trial: Any):
        self.number = self._trial_id = trial.number
        self.state = STATES[str(trial.state)]
        self.value = trial.value
        self.values = None if trial.value is None else [trial.value]
        self.params = dict(trial.params)
        self.intermediate_values = dict(study._opt.intermediate_values().get(trial.number, {}))
        self.last_step = max(self.intermediate_values, default=None)
        self.system_attrs = study._storage.get_trial_system_attrs(trial.number)


class _Storage:
    """The reads of Optuna's storage the tests make, over the pyjl study."""

    def __init__(self, study: Study):
        self._study = study

    def get_trial(self, trial_id: int) -> FrozenTrial:
        return next(t for t in self._study.get_trials() if t.number == trial_id)

    def get_trial_system_attrs(self, trial_id: int) -> dict[str, Any]:
        opt = self._study._opt
        notes = opt.storage.attributes(opt._study_id).get(trial_id, {})
        return {f"completed_rung_{k}": v for k, v in enumerate(notes.get(RUNGS, []))}

    def __getattr__(self, name: str):
        raise AttributeError(
            f"Optuna's storage method {name!r} is not translated to pyjl "
            "(tests/peers/optuna/adapters.py)"
        )


class Trial:
    """A trial asked of the pyjl study (Optuna's ``Trial``: report, should_prune)."""

    def __init__(self, study: Study, number: int, params: dict):
        self.study = study
        self.number = self._trial_id = number
        self.params = params
        self.storage = study._storage

    def report(self, value: float, step: int) -> None:
        self.study._opt.report(self.number, step, value)

    def should_prune(self) -> bool:
        return self.study._opt.should_prune(self.number)

    def __getattr__(self, name: str):
        raise AttributeError(
            f"Optuna's Trial.{name} is not translated to pyjl (a pyjl trial's parameters "
            "come from its space, not from suggest_* calls; tests/peers/optuna/adapters.py)"
        )


class Study:
    """An Optuna study over a pyjl :class:`~pyjl.bo.Optimizer` (see the module docstring)."""

    def __init__(self, direction: str = "minimize", pruner: Any = None, study_name: str = ""):
        self.pruner = pruner
        self.study_name = study_name
        self._opt = Optimizer(
            Space({"x": Real(0.0, 1.0)}),
            sampler="random",
            seed=0,
            pruner=pruner,
            direction=direction,
            study=study_name or None,
        )
        self._storage = _Storage(self)
        self._study_id = self._opt._study_id

    @property
    def direction(self) -> StudyDirection:
        return StudyDirection[self._opt.direction.upper()]

    def ask(self) -> Trial:
        ((number, params),) = self._opt.ask_trials(1)
        return Trial(self, number, params)

    def tell(
        self, trial: Trial | int, values: float | None = None, state: TrialState | None = None
    ) -> None:
        number = trial if isinstance(trial, int) else trial.number
        if state == TrialState.PRUNED:
            self._opt.tell_pruned(number)
        elif state == TrialState.FAIL or (values is not None and math.isnan(values)):
            self._opt.fail_trial(number, "told failed")
        else:
            self._opt.tell_trial(number, float(values))  # type: ignore[arg-type]

    def add_trial(self, trial: Any) -> None:
        """Optuna's ``add_trial`` of a finished trial (``optuna.trial.create_trial``'s):
        asked of the pyjl study, its intermediate values reported in step order, told."""
        ((number, _),) = self._opt.ask_trials(1)
        for step, value in sorted(trial.intermediate_values.items()):
            self._opt.report(number, step, value)
        self.tell(number, trial.value, trial.state)

    def optimize(self, func: Callable[[Trial], float], n_trials: int) -> None:
        for _ in range(n_trials):
            trial = self.ask()
            try:
                value = func(trial)
            except TrialPruned:
                self.tell(trial, state=TrialState.PRUNED)
            else:
                self.tell(trial, value)

    def get_trials(
        self, deepcopy: bool = True, states: Sequence[TrialState] | None = None
    ) -> list[FrozenTrial]:
        trials = [FrozenTrial(self, t) for t in self._opt.trials]
        return [t for t in trials if states is None or t.state in states]

    @property
    def trials(self) -> list[FrozenTrial]:
        return self.get_trials()

    def __getattr__(self, name: str):
        raise AttributeError(
            f"Optuna's Study.{name} is not translated to pyjl (tests/peers/optuna/adapters.py)"
        )


def create_study(
    *, direction: str = "minimize", pruner: Any = None, sampler: Any = None, study_name=None
) -> Study:
    """Optuna's ``create_study`` over pyjl.  A sampler other than Optuna's
    ``RandomSampler`` (pyjl's study samples at random too) is refused: the tests that pass
    one check Optuna's samplers with its pruners."""
    if sampler is not None and type(sampler).__name__ != "RandomSampler":
        raise TypeError(
            f"Optuna's sampler {type(sampler).__name__} is not translated to pyjl "
            "(tests/peers/optuna/adapters.py)"
        )
    return Study(direction, pruner, study_name or "")
