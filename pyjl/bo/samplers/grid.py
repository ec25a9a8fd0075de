"""Grid search: the given parameter dicts, in order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ... import _validate
from ..space import Space, SpaceExhausted
from ..trial import Trial
from .base import Sampler, seen_keys

__all__ = ["GridSampler"]


class GridSampler(Sampler):
    """The given parameter dicts, in order, each once (grid search).

    Parameters
    ----------
    points : list of dict
        The points to ask (at least one), ``{name: value}`` each; checked against the
        study's space, where duplicates (equal once validated) are kept once, first place.

    Examples
    --------
    >>> from pyjl.bo import Integer, Space
    >>> from pyjl.bo.samplers import GridSampler
    >>> g = GridSampler([{"k": 1}, {"k": 2}])
    >>> g.check(Space({"k": Integer(1, 3)}))
    >>> g.propose(Space({"k": Integer(1, 3)}), [], 2, seed=0)
    [{'k': 1}, {'k': 2}]
    """

    name = "grid"

    def __init__(self, points: Any):
        fix = "pass 'gp', 'random' or a list of parameter dicts"
        if isinstance(points, Mapping) or not hasattr(points, "__iter__"):
            raise _validate.error(
                "sampler",
                "must be 'gp', 'random' or a list of parameter dicts",
                _validate.describe(points),
                fix,
            )
        points = list(points)
        for i, p in enumerate(points):
            if not isinstance(p, Mapping):
                raise _validate.error(
                    f"sampler[{i}]",
                    "must be a parameter dict {name: value}",
                    _validate.describe(p),
                    fix,
                )
        if not points:
            raise _validate.error(
                "sampler",
                "must hold at least one parameter dict (a grid of no points asks nothing)",
                "an empty list",
                fix,
            )
        self.points = [dict(p) for p in points]

    def check(self, space: Space) -> None:
        """Each point, checked and completed by :meth:`Space.validate`; a point equal to an
        earlier one once validated (``{"k": 1.0}`` after ``{"k": 1}`` for an ``Integer``)
        is dropped, as it would be asked once anyway."""
        points = [space.validate(p, f"sampler[{i}]") for i, p in enumerate(self.points)]
        unique: dict[str, dict] = {}
        for p in points:
            unique.setdefault(space.key(p), p)
        self.points = list(unique.values())

    def propose(self, space: Space, trials: Sequence[Trial], n: int, seed: int) -> list[dict]:
        seen = seen_keys(space, trials)
        out: list[dict] = []
        for _ in range(n):
            p = next((g for g in self.points if space.key(g) not in seen), None)
            if p is None and out:  # a batch larger than what is left gets what is left
                break
            if p is None:
                raise SpaceExhausted(f"all {len(self.points)} grid points have been asked")
            seen.add(space.key(p))
            out.append(p)
        return out
