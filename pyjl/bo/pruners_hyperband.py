"""Hyperband: successive halving in several brackets (``optuna.pruners.HyperbandPruner``).

Each trial belongs to one bracket, chosen as Optuna chooses it: ``crc32(f"{study
name}_{number}")`` modulo the brackets' total trial budget, the budgets taken in bracket
order.  Bracket ``b`` is a :class:`~pyjl.bo.pruners.SuccessiveHalvingPruner` with
``min_early_stopping_rate=b`` whose competing trials are only the bracket's own.  The
study name comes with the curves (``curves.study_name``: the stored study's name,
read from the storage when asked through :meth:`~pyjl.bo.pruners.Pruner.prune_stored`;
``"default"`` when ``prune`` is handed a mapping), so a pyjl study and an Optuna study of
the same name put each trial number in the same bracket.

>>> from pyjl.bo.trial import Trial
>>> hb = HyperbandPruner(min_resource=1, max_resource=9)
>>> curves = {0: {0: 1.0, 1: 0.5}}
>>> hb.prune([Trial(0, {}, "pending")], curves, 0), hb.n_brackets
(False, 3)
"""

from __future__ import annotations

import binascii
import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

from .. import _validate
from . import _auto_resource
from .curves import Curves, MappingCurves, StoredCurves
from .pruners import SuccessiveHalvingPruner, _count, _ReadingPruner
from .trial import Trial

__all__ = ["HyperbandPruner"]


class _BracketCurves(MappingCurves):
    """The curves and notes of one bracket's trials (the trials that ended before the
    brackets were made have no notes, so no values at its rungs, as in Optuna)."""

    def __init__(self, base: MappingCurves, members: set[int]):
        self._base, self._members = base, members
        self.direction = base.direction
        self._name = base.study_name

    def curve(self, number: int) -> Mapping[int, float]:
        return self._base.curve(number) if number in self._members else {}

    def at(self, step: int, exact: bool = True) -> dict[int, float]:
        return {n: v for n, v in self._base.at(step, exact).items() if n in self._members}

    def marks(self) -> dict[int, dict[str, Any]]:
        return {n: m for n, m in self._base.marks().items() if n in self._members}

    def mark(self, number: int, notes: dict[str, Any]) -> None:
        self._base.mark(number, notes)

    def all(self) -> Curves:
        return {n: self.curve(n) for n in self._base.all() if n in self._members}


class HyperbandPruner(_ReadingPruner):
    """Hyperband (``optuna.pruners.HyperbandPruner``; Li et al. 2018), asynchronous:
    several :class:`~pyjl.bo.pruners.SuccessiveHalvingPruner` brackets, each trial in one.

    There are ``n_brackets = floor(log(max_resource / min_resource, reduction_factor)) +
    1`` brackets; bracket ``b`` has its first rung at ``min_resource * reduction_factor **
    b`` and a trial budget of ``ceil(n_brackets * reduction_factor ** s / (s + 1))``, ``s =
    n_brackets - 1 - b``.  A trial's bracket is Optuna's: ``crc32(f"{study_name}_{number}")
    % sum(budgets)`` counted off against the budgets in order (the study name comes with
    the curves: :mod:`pyjl.bo.pruners_hyperband`).  In its bracket a trial competes with
    that bracket's trials only.

    Parameters
    ----------
    min_resource : int, default 1
        ``>= 1``: the first rung's step in bracket 0.
    max_resource : "auto" or int, default "auto"
        The most steps a trial runs, ``>= min_resource``; ``"auto"``: the last step + 1
        of the completed trials when this pruner is first asked after one completed (no
        pruning before; noted in the study; the trials running then record their rung
        values when they next ask, those ended never, as in Optuna).
    reduction_factor : int, default 3
        ``>= 2``: about ``1 / reduction_factor`` of a bracket's trials pass each rung.
    bootstrap_count : int, default 0
        Prune at a rung until more than this many of the bracket's trials recorded a
        value there (needs an integer ``max_resource``).

    Examples
    --------
    >>> from pyjl.bo.trial import Trial
    >>> hb = HyperbandPruner(min_resource=1, max_resource=4, reduction_factor=2)
    >>> [hb.bracket("default", n) for n in range(6)], hb.n_brackets
    ([0, 2, 1, 0, 0, 0], 3)
    >>> hb.prune([Trial(0, {}, "pending")], {0: {0: 1.0, 1: 0.8}}, 0)  # records 0.8
    False
    >>> curves = {0: {0: 1.0, 1: 0.8}, 3: {0: 2.0, 1: 1.9}}
    >>> trials = [Trial(0, {}, "complete", 0.8), Trial(3, {}, "pending")]
    >>> hb.prune(trials, curves, 3)  # bracket 0, as trial 0: its first rung is at step 1
    True
    """

    _keeps_notes = True  # its brackets' ASHA notes

    def __init__(
        self,
        min_resource: int = 1,
        max_resource: str | int = "auto",
        reduction_factor: int = 3,
        bootstrap_count: int = 0,
    ):
        self.min_resource = _count(min_resource, "min_resource", 1)
        self._max_resource: int | None = None
        if isinstance(max_resource, str):
            _validate.choice(max_resource, "max_resource", ("auto",))
        else:
            self._max_resource = _validate.integer(
                max_resource,
                "max_resource",
                low=self.min_resource,
                fix=f"pass a whole number >= min_resource ({self.min_resource}), or 'auto'",
            )
        self.max_resource = max_resource
        self.reduction_factor = _count(reduction_factor, "reduction_factor", 2)
        self.bootstrap_count = _count(bootstrap_count, "bootstrap_count", 0)
        if self.bootstrap_count > 0 and self._max_resource is None:
            raise _validate.error(
                "bootstrap_count",
                "must be 0 when max_resource is 'auto'",
                self.bootstrap_count,
                "pass an integer max_resource, or bootstrap_count=0",
            )
        self.n_brackets: int | None = None  # known once max_resource is
        self._brackets: list[SuccessiveHalvingPruner] = []
        self._budgets: list[int] = []

    def _make_brackets(self) -> None:
        assert self._max_resource is not None
        n = math.floor(math.log(self._max_resource / self.min_resource, self.reduction_factor)) + 1
        budgets, brackets = [], []
        for b in range(n):
            s = n - 1 - b
            budgets.append(math.ceil(n * (self.reduction_factor**s) / (s + 1)))
            brackets.append(
                SuccessiveHalvingPruner(
                    min_resource=self.min_resource,
                    reduction_factor=self.reduction_factor,
                    min_early_stopping_rate=b,
                    bootstrap_count=self.bootstrap_count,
                )
            )
        # whole, at once: threads of one study share the pruner
        self._budgets, self._brackets, self.n_brackets = budgets, brackets, n

    def bracket(self, study_name: str, number: int) -> int:
        """The bracket of trial ``number`` of study ``study_name`` (0 while there are no
        brackets yet: ``max_resource="auto"`` before a trial completed)."""
        if not self._brackets:
            if self.n_brackets is None and self._max_resource is not None:
                self._make_brackets()
            if not self._brackets:
                return 0
        n = binascii.crc32(f"{study_name}_{number}".encode()) % sum(self._budgets)
        for b, budget in enumerate(self._budgets):
            n -= budget
            if n < 0:
                return b
        raise AssertionError("unreachable: the budgets add up to the modulus")

    def _decide(self, trials: Sequence[Trial], curves: MappingCurves, number: int) -> bool:
        if self.n_brackets is None:
            if self._max_resource is None and not self._infer(trials, curves, number):
                return False
            self._make_brackets()
        if not self._brackets:  # max_resource ("auto") below min_resource: none, as Optuna
            return False
        name = curves.study_name
        mine = self.bracket(name, number)
        members = {t.number for t in trials if self.bracket(name, t.number) == mine}
        members.add(number)
        view = _BracketCurves(curves, members)
        theirs = [t for t in trials if t.number in members]
        return self._brackets[mine].prune_stored(theirs, cast(StoredCurves, view), number)

    def _infer(self, trials: Sequence[Trial], curves: MappingCurves, number: int) -> bool:
        """``max_resource="auto"``: the completed trials' last step + 1 (False while no
        completed trial reported)."""
        fixed = _auto_resource.settle("hyperband", trials, curves, number, lambda last: last + 1)
        if fixed is None:
            return False
        self._max_resource = fixed
        return True

    def __repr__(self) -> str:
        return (
            f"HyperbandPruner(min_resource={self.min_resource}, max_resource="
            f"{self.max_resource!r}, reduction_factor={self.reduction_factor}, "
            f"bootstrap_count={self.bootstrap_count})"
        )
