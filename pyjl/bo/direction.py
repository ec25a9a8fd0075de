"""Which way a study optimises: ``"minimize"`` (the default) or ``"maximize"``.

A study stores its objective's values as they were told, and its direction with it
(the ``settings`` of its row, ``{"direction": "maximize"}``; a study stored before
directions existed reads as ``"minimize"``).  Everything that ranks trials -- the
sampler, the surrogate, the pruners, the best trial -- works on *losses*: the values
times :func:`sign`, so a maximised study runs exactly as the minimisation of minus its
values (Optuna's pruners decide the same way for ``direction="maximize"``), while what
a user reads (values, ``best_value``, ``best_so_far``) is in the objective's own units.

>>> sign("maximize"), loss_curve({0: 0.5, 1: 0.75}, "maximize")
(-1.0, {0: -0.5, 1: -0.75})
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

from .. import _validate
from .trial import Trial

__all__ = [
    "DIRECTIONS",
    "check_direction",
    "direction_of",
    "sign",
    "loss_trials",
    "loss_curve",
    "loss_curves",
    "best_index",
    "settings_json",
]

DIRECTIONS = ("minimize", "maximize")


def check_direction(direction: Any) -> str | None:
    """``direction`` checked: one of :data:`DIRECTIONS`, or ``None`` (a stored study's
    own, ``"minimize"`` for a new one)."""
    return None if direction is None else _validate.choice(direction, "direction", DIRECTIONS)


def direction_of(settings: str | None) -> str:
    """The direction a study's stored ``settings`` (JSON) name (``"minimize"`` when they
    name none: studies stored before directions existed)."""
    stored = json.loads(settings or "{}").get("direction", "minimize")
    return stored if stored in DIRECTIONS else "minimize"


def settings_json(direction: str) -> str:
    """The ``settings`` JSON a new study is stored with."""
    return json.dumps({"direction": direction})


def sign(direction: str) -> float:
    """``1.0`` for ``"minimize"``, ``-1.0`` for ``"maximize"``: loss = sign * value."""
    return -1.0 if direction == "maximize" else 1.0


def loss_trials(trials: Sequence[Trial], direction: str) -> list[Trial]:
    """``trials`` with their values as losses: the trials themselves when minimising,
    copies otherwise (the stored trials keep the objective's values)."""
    if direction != "maximize":
        return list(trials)
    return [t if t.value is None else dataclasses.replace(t, value=-t.value) for t in trials]


def loss_curve(curve: Mapping[int, float], direction: str) -> Mapping[int, float]:
    """A learning curve ``{step: value}`` (or trials' values ``{number: value}``) as
    losses."""
    return curve if direction != "maximize" else {k: -v for k, v in curve.items()}


def loss_curves(
    curves: Mapping[int, Mapping[int, float]], direction: str
) -> Mapping[int, Mapping[int, float]]:
    """Learning curves ``{number: {step: value}}`` as losses."""
    if direction != "maximize":
        return curves
    return {n: loss_curve(c, direction) for n, c in curves.items()}


def best_index(trials: Sequence[Trial], direction: str) -> int:
    """The index in ``trials`` (completed ones: each has a value) of the best: the lowest
    loss, the earliest of equal ones."""
    s = sign(direction)
    return min(
        range(len(trials)), key=lambda i: (s * cast(float, trials[i].value), trials[i].number)
    )
