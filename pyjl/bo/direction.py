"""Which way a study optimises: ``"minimize"`` (the default) or ``"maximize"``.

A study stores its objective's values as they were told, and its direction with it
(the ``settings`` of its row, ``{"direction": "maximize"}``; a study stored before
directions existed reads as ``"minimize"``).  Everything that ranks trials -- the
sampler, the surrogate, the pruners, the best trial -- works on *losses*: the values
times :func:`sign`, so a maximised study runs exactly as the minimisation of minus its
values (Optuna's pruners decide the same way for ``direction="maximize"``), while what
a user reads (values, ``best_value``, ``best_so_far``) is in the objective's own units.

>>> sign("maximize"), losses([1.0, None, 3.0], "maximize")
(-1.0, [-1.0, None, -3.0])
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
    "losses",
    "loss_trials",
    "loss_curves",
    "best_index",
    "settings_json",
]

DIRECTIONS = ("minimize", "maximize")


def check_direction(direction: Any, optional: bool = False) -> str | None:
    """``direction`` checked: one of :data:`DIRECTIONS` (``None`` too where ``optional``:
    a stored study's own)."""
    if direction is None and optional:
        return None
    return _validate.choice(direction, "direction", DIRECTIONS)


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


def losses(values: Sequence[float | None], direction: str) -> list[float | None]:
    """``values`` as losses (``None`` kept)."""
    s = sign(direction)
    return [None if v is None else s * v for v in values]


def loss_trials(trials: Sequence[Trial], direction: str) -> list[Trial]:
    """``trials`` with their values as losses: the trials themselves when minimising,
    copies otherwise (the stored trials keep the objective's values)."""
    if direction != "maximize":
        return list(trials)
    return [t if t.value is None else dataclasses.replace(t, value=-t.value) for t in trials]


def loss_curves(
    curves: Mapping[int, Mapping[int, float]], direction: str
) -> Mapping[int, Mapping[int, float]]:
    """Learning curves ``{number: {step: value}}`` as losses."""
    if direction != "maximize":
        return curves
    return {n: {s: -v for s, v in c.items()} for n, c in curves.items()}


def best_index(trials: Sequence[Trial], direction: str) -> int:
    """The index in ``trials`` (completed ones: each has a value) of the best: the lowest
    loss, the earliest of equal ones."""
    s = sign(direction)
    return min(
        range(len(trials)), key=lambda i: (s * cast(float, trials[i].value), trials[i].number)
    )
