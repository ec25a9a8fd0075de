"""The sampler protocol, the draws every sampler shares, and uniform draws.

A sampler is an object with one method (and an optional hook):

* ``propose(space, trials, n, seed) -> list of n dicts``: ``n`` distinct parameter
  dicts, none of them the point of a trial in ``trials`` (abandoned ones excepted);
  raise :class:`~pyjl.bo.SpaceExhausted` when no unseen point is left.  The draws
  for the trial that will get number ``k`` come from :func:`point_rng` ``(seed, k)``,
  so a study replays the same points whichever process asks.
* ``check(space)``: called once the study's space is known; refuses settings that
  do not fit it (the base class accepts everything).

The :class:`~pyjl.bo.Optimizer` keeps the trials (ask/tell, the storage, the
workers) and asks its sampler for points; it never decides how they are chosen.

>>> from pyjl.bo import Integer, Space
>>> space = Space({"k": Integer(1, 3)})
>>> sorted(p["k"] for p in RandomSampler().propose(space, [], 3, seed=0))
[1, 2, 3]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from ..space import Space, SpaceExhausted
from ..trial import Trial, TrialState

__all__ = [
    "Sampler",
    "RandomSampler",
    "point_rng",
    "seen_keys",
    "random_unseen",
    "sobol_unseen",
]


def point_rng(seed: int, number: int) -> np.random.Generator:
    """The generator of the draws for trial ``number`` of a study with ``seed``."""
    return np.random.default_rng([seed, number])


def seen_keys(space: Space, trials: Sequence[Trial]) -> set[str]:
    """The :meth:`Space.key` texts of the points that must not be proposed again."""
    return {space.key(t.params) for t in trials if t.state != TrialState.ABANDONED}


def random_unseen(space: Space, rng: np.random.Generator, seen: set[str]) -> dict:
    """A uniform draw (rounded) whose key is not in ``seen``."""
    for _ in range(1000):
        p = space.decode(space.round(rng.random((1, space.n_encoded)))[0])
        if space.key(p) not in seen:
            return p
    raise SpaceExhausted(
        f"no unseen point found in {space!r} after 1000 draws: the "
        f"space has {space.size():g} points and {len(seen)} are taken"
    )


def sobol_unseen(
    space: Space, seed: int, number: int, rng: np.random.Generator, seen: set[str]
) -> dict:
    """Point ``number`` of the study's scrambled Sobol sequence, or the next unseen one of
    the 16 from there (a uniform draw when all are seen)."""
    from scipy.stats import qmc

    sob = qmc.Sobol(space.n_encoded, scramble=True, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if number:
            sob.fast_forward(number)
        U = space.round(sob.random(16))
    for u in U:
        p = space.decode(u)
        if space.key(p) not in seen:
            return p
    return random_unseen(space, rng, seen)


class Sampler:
    """Base of the samplers: :meth:`propose` points, :meth:`check` settings.

    Examples
    --------
    >>> from pyjl.bo import Integer, Optimizer, Sampler, Space
    >>> class Ascending(Sampler):            # the smallest values not asked yet
    ...     name = "ascending"
    ...     def propose(self, space, trials, n, seed):
    ...         seen = {t.params["k"] for t in trials}
    ...         return [{"k": k} for k in range(1, 10) if k not in seen][:n]
    >>> Optimizer(Space({"k": Integer(1, 9)}), sampler=Ascending()).ask(3)
    [{'k': 1}, {'k': 2}, {'k': 3}]
    """

    #: the sampler's name (:attr:`pyjl.bo.Optimizer.sampler`)
    name = "sampler"

    def check(self, space: Space) -> None:
        """Refuse settings that do not fit ``space`` (here: none)."""

    def propose(
        self, space: Space, trials: Sequence[Trial], n: int, seed: int
    ) -> list[dict]:  # pragma: no cover - interface
        """``n`` distinct parameter dicts, none of them seen in ``trials``."""
        raise NotImplementedError


class RandomSampler(Sampler):
    """Independent uniform draws from the unit cube, each rounded to a point of the space.

    Examples
    --------
    >>> from pyjl.bo import Real, Space
    >>> from pyjl.bo.samplers import RandomSampler
    >>> ps = RandomSampler().propose(Space({"x": Real(0.0, 1.0)}), [], 2, seed=0)
    >>> len(ps), all(0.0 <= p["x"] <= 1.0 for p in ps)
    (2, True)
    """

    name = "random"

    def propose(self, space: Space, trials: Sequence[Trial], n: int, seed: int) -> list[dict]:
        seen, out = seen_keys(space, trials), []
        for i in range(n):
            p = random_unseen(space, point_rng(seed, len(trials) + i), seen)
            seen.add(space.key(p))
            out.append(p)
        return out
