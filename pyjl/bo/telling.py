"""The write side of :class:`~pyjl.bo.Optimizer`: telling a study what its trials gave.

:class:`StudyTells` completes, fails, abandons and prunes trials and stores their
intermediate values; a value told for a point ends this worker's pending trial of that
point, else an abandoned one, else adds a trial (never another worker's trial in
progress).  The read side is :class:`~pyjl.bo.views.StudyViews`; asking, and opening the
study, are :class:`~pyjl.bo.Optimizer`'s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import _validate
from . import ending
from . import handle as _handle
from .pruners import Pruner
from .space import Space
from .trial import Trial, TrialState

__all__ = ["StudyTells"]


class StudyTells:
    """Telling a study: the base of :class:`~pyjl.bo.Optimizer`, whose constructor sets
    the attributes below (``trials`` comes from :class:`~pyjl.bo.views.StudyViews`).

    Attributes
    ----------
    storage : MemoryStorage or SQLiteStorage or PostgreSQLStorage
        The open storage of the trials.
    space : Space
        The study's search space.
    study_name : str
        The study's name.
    pruner : Pruner
        What :meth:`should_prune` asks.
    direction : str
        ``"minimize"`` or ``"maximize"`` (what the pruner reads as losses).

    Examples
    --------
    >>> from pyjl.bo import Optimizer, Real
    >>> opt = Optimizer({"x": Real(0.0, 1.0)}, seed=0)
    >>> opt.tell({"x": 0.25}, 1.5), opt.tell_failed({"x": 0.5}, "diverged")
    (0, 1)
    >>> [str(t.state) for t in opt.trials]
    ['complete', 'failed']
    """

    storage: Any
    space: Space
    study_name: str
    pruner: Pruner
    direction: str
    _study_id: int

    if TYPE_CHECKING:  # given by StudyViews and Optimizer

        @property
        def trials(self) -> list[Trial]: ...

        @property
        def _worker(self) -> str: ...

    def tell(self, params: Mapping[str, Any], value: float, noise_var: float | None = None) -> int:
        """Record ``value = f(params)`` (``noise_var``: its known noise variance); returns
        the trial number.  ``params`` need not have been asked for: a dict, or a pandas
        Series such as a row of :meth:`history`'s parameter columns (0-d arrays are the
        values they hold; :meth:`Space.validate`)."""
        params = self.space.validate(params)
        value = self._check_value(value, "value")
        if noise_var is not None:
            noise_var = self._check_value(noise_var, "noise_var")
            if noise_var < 0:
                raise _validate.error(
                    "noise_var",
                    "must be >= 0 (a variance)",
                    noise_var,
                    "pass the evaluation's noise variance, or None",
                )
        with self.storage.keeping(self._study_id, None, params, value):
            return self._finish_params(params, TrialState.COMPLETE, value, noise_var, None)

    def tell_failed(self, params: Mapping[str, Any], error: str = "") -> int:
        """Record that evaluating ``params`` failed (``error``: the message kept with it)."""
        params = self.space.validate(params)
        return self._finish_params(params, TrialState.FAILED, None, None, _text(error))

    def tell_trial(self, number: int, value: float, *, params: dict | None = None) -> None:
        """Complete trial ``number`` (from :meth:`ask_trials`) with ``value``.  Should the
        storage fail, the value is kept in the error with ``params`` (default: read back).
        Raises :class:`~pyjl.exceptions.InputError` for a trial that has already ended
        (an abandoned one may still be told) or that the study does not hold."""
        value = self._check_value(value, "value")
        with self.storage.keeping(self._study_id, number, params, value):
            ending.end(self, number, TrialState.COMPLETE, value)

    def fail_trial(self, number: int, error: str) -> None:
        """Mark trial ``number`` failed, with the message ``error`` (refused, as
        :meth:`tell_trial`, for a trial that has ended)."""
        ending.end(self, number, TrialState.FAILED, error=_text(error))

    def abandon(self, number: int, reason: str) -> bool:
        """Mark pending trial ``number`` abandoned (``reason``: why); its point may be asked
        again and it does not count towards a budget.  Returns False, changing nothing,
        when the trial has ended meanwhile."""
        number = ending.number(number)
        before = self.storage.finish(
            self._study_id,
            number,
            TrialState.ABANDONED,
            error=str(reason),
            only_from=(TrialState.RUNNING,),
        )
        if before is None:
            raise ending.no_trial(number, self.study_name, len(self.trials))
        return before == TrialState.RUNNING

    def heartbeat(self, numbers: list[int]) -> None:
        """Say that this worker is still evaluating trials ``numbers``."""
        self.storage.heartbeat(self._study_id, list(numbers))

    # --- pruning (pyjl.bo.handle) ------------------------------------------------------
    def report(self, number: int, step: int, value: float) -> None:
        """Store the intermediate ``value`` of trial ``number`` at ``step`` (a whole number
        ``>= 0`` above the trial's earlier steps; ``value`` finite).  The trial is running,
        complete (a told trial may be given its curve) or abandoned; a pruned or failed
        trial's curve is final."""
        _handle.report(self.storage, self._study_id, number, step, value)

    def should_prune(self, number: int) -> bool:
        """Whether :attr:`pruner` says to stop trial ``number`` now."""
        return _handle.should_prune(
            self.storage, self._study_id, number, self.pruner, self.direction
        )

    def tell_pruned(self, number: int) -> None:
        """End trial ``number`` as pruned; its value is the last one it reported."""
        value = _handle.last_value(self.storage, self._study_id, ending.number(number))
        ending.end(self, number, TrialState.PRUNED, value)

    def handle(self, number: int, params: dict) -> _handle.TrialHandle:
        """The :class:`~pyjl.bo.TrialHandle` of trial ``number`` (its ``params``)."""
        return _handle.TrialHandle(
            self.storage, self._study_id, number, params, self.pruner, self.direction
        )

    @staticmethod
    def _check_value(value: Any, name: str) -> float:
        """``value`` as a finite float (see :func:`pyjl._validate.finite`)."""
        fix = "report a failed evaluation with tell_failed(params, error)"
        return _validate.finite(value, name, fix="pass a float, or " + fix, finite_fix=fix)

    def _finish_params(self, params: dict, state: TrialState, value, noise_var, error) -> int:
        """End this worker's pending trial of ``params``, else an abandoned one (this
        worker's first), else add a finished trial; returns its number.  Another worker's
        pending trial is never ended here: that worker is still evaluating it and will
        tell it by its number."""
        key = self.space.key(params)
        with self.storage.transaction("tell"):
            trials = [t for t in self.trials if self.space.key(t.params) == key]
            mine = [
                t for t in trials if t.state == TrialState.RUNNING and t.worker == self._worker
            ]
            match = mine or [t for t in trials if t.state == TrialState.ABANDONED]
            match.sort(key=lambda t: (t.worker != self._worker, t.number))
            if match:
                self.storage.finish(
                    self._study_id, match[0].number, state, value, noise_var, error
                )
                return match[0].number
            return self.storage.add_trial(
                self._study_id, json.dumps(params), state, value, noise_var, error, self._worker
            )


def _text(error: Any) -> str:
    """The message kept with a failed trial: ``str(error)``, and ``""`` for ``None`` (not
    the word "None")."""
    return "" if error is None else str(error)
