"""The learning curves a pruner reads: from a mapping, or queried from a storage.

:class:`StoredCurves` reads only what a decision needs (one trial's curve, the values at
one step across trials) instead of every value of the study, and keeps what a pruner
notes with a trial (``mark``: the values ASHA recorded at its rungs) with the study's
trial attributes; :class:`MappingCurves` answers the same reads from ``{number: {step:
value}}`` and keeps its notes in the dict it is given (a pruner's own, from call to
call).  A pruner reads losses: the values of a maximised study are read negated
(:mod:`pyjl.bo.direction`).  Both also say which study
the curves are of: ``direction`` (a pruner with thresholds on the objective's own values,
:class:`~pyjl.bo.pruners_more.ThresholdPruner`, reads them back as
``sign(direction) * loss``) and ``study_name``
(:class:`~pyjl.bo.pruners_hyperband.HyperbandPruner` hashes it into its brackets, as
Optuna does); curves given as a mapping are a minimised study's named ``"default"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .direction import check_direction, loss_curve, loss_curves

__all__ = ["Curves", "MappingCurves", "StoredCurves"]

Curves = Mapping[int, Mapping[int, float]]


class MappingCurves:
    """The reads of :class:`StoredCurves`, from a mapping ``{number: {step: value}}``.

    Examples
    --------
    >>> c = MappingCurves({0: {0: 1.0, 5: 0.5}, 1: {0: 2.0}})
    >>> c.curve(0), c.at(0), c.at(1, exact=False), c.curve(7)
    ({0: 1.0, 5: 0.5}, {0: 1.0, 1: 2.0}, {0: 0.5}, {})
    >>> c.direction, c.study_name
    ('minimize', 'default')
    """

    def __init__(
        self,
        curves: Curves,
        direction: str = "minimize",
        study_name: str = "default",
        marks: dict[int, dict[str, Any]] | None = None,
    ):
        self._curves = curves
        self._marks: dict[int, dict[str, Any]] = {} if marks is None else marks
        self.direction = check_direction(direction) or "minimize"
        self._name = str(study_name)

    @property
    def study_name(self) -> str:
        """The name of the study the curves are of (``"default"`` for a mapping)."""
        return self._name

    def curve(self, number: int) -> Mapping[int, float]:
        return self._curves.get(number, {})

    def marks(self) -> dict[int, dict[str, Any]]:
        """What pruners noted with the trials (``mark``): ``{number: {key: value}}``."""
        return self._marks

    def mark(self, number: int, notes: dict[str, Any]) -> None:
        """Note ``notes`` with trial ``number`` (in ``marks``, the dict given, which a
        pruner keeps from call to call; stored by :class:`StoredCurves`, so that other
        workers read them)."""
        self._marks.setdefault(number, {}).update(notes)

    def at(self, step: int, exact: bool = True) -> dict[int, float]:
        out = {}
        for n, c in self._curves.items():
            reached = [s for s in c if s == step or (not exact and s >= step)]
            if reached:
                out[n] = c[min(reached)]
        return out

    def all(self) -> Curves:
        return self._curves


class StoredCurves(MappingCurves):
    """The learning curves of study ``study_id`` as a pruner reads them: queried from
    ``storage`` on demand (``curve(number)``: one trial's; ``at(step, exact=True)``: every
    trial's value at ``step``, or at its first step ``>= step``; ``all()``: everything).

    Examples
    --------
    >>> from pyjl.bo.storage import MemoryStorage
    >>> st = MemoryStorage()
    >>> for n, curve in enumerate([[1.0, 0.5, 0.4], [2.0, 1.5]]):
    ...     for step, value in enumerate(curve):
    ...         st.report(1, n, 2 * step, value)
    >>> c = StoredCurves(st, 1)
    >>> c.curve(1), c.at(2), c.at(3, exact=False)
    ({0: 2.0, 2: 1.5}, {0: 0.5, 1: 1.5}, {0: 0.4})
    """

    def __init__(self, storage, study_id: int, direction: str = "minimize"):
        self._storage, self._study_id, self._direction = storage, study_id, direction
        self.direction = direction
        self._name = ""  # read from the storage when first asked

    @property
    def study_name(self) -> str:
        """The study's name, read from the storage (once) when a pruner asks for it."""
        if not self._name:
            studies = self._storage.studies()
            self._name = next(str(s["name"]) for s in studies if s["id"] == self._study_id)
        return self._name

    def curve(self, number: int) -> Mapping[int, float]:
        curve = self._storage.intermediate_curve(self._study_id, number)
        return loss_curve(curve, self._direction)

    def marks(self) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = self._storage.attributes(self._study_id)
        return out

    def mark(self, number: int, notes: dict[str, Any]) -> None:
        self._storage.set_attributes(self._study_id, number, notes)

    def at(self, step: int, exact: bool = True) -> dict[int, float]:
        values = self._storage.intermediate_at(self._study_id, step, exact)
        return dict(loss_curve(values, self._direction))

    def all(self) -> Curves:
        return loss_curves(self._storage.intermediate_values(self._study_id), self._direction)
