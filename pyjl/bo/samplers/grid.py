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
        The points to ask, ``{name: value}`` each; checked against the study's space.

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
        self.points = [dict(p) for p in points]

    def check(self, space: Space) -> None:
        """Each point, checked and completed by :meth:`Space.validate`."""
        self.points = [space.validate(p, f"sampler[{i}]") for i, p in enumerate(self.points)]

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
