"""The sampler protocol, the draws every sampler shares, and uniform draws.

A sampler is an object with one method (and an optional hook):

* ``propose(space, trials, n, seed) -> list of n dicts``: ``n`` distinct parameter
  dicts, none of them the point of a trial in ``trials`` (abandoned ones excepted);
  raise :class:`~pyjl.bo.SpaceExhausted` when no unseen point is left.  The draws
  for the trial that will get number ``k`` come from :func:`point_rng` ``(seed, k)``,
  so a study's random draws are the same whichever process asks (a GP's proposals also
  depend on its hyperparameters, whose fit starts from the process's previous one, so a
  resumed study may propose slightly other points than an uninterrupted one).
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

import json
import math
import random
from collections.abc import Sequence

import numpy as np

from ...exceptions import InputError
from .._sobol import sobol_rows
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


def _ranks(space: Space, seen: set[str]) -> set[int]:
    """The :meth:`Space.rank` of each key in ``seen`` that is a point of ``space``."""
    out = set()
    for key in seen:
        try:
            out.add(space.rank(json.loads(key)))
        except InputError:  # not a point of this space: it takes none of its points
            pass
    return out


#: uniform draws :func:`random_unseen` tries before it lists the unseen points
N_DRAWS = 1000


def random_unseen(space: Space, rng: np.random.Generator, seen: set[str]) -> dict:
    """A uniform draw (rounded) whose key is not in ``seen``.

    When :data:`N_DRAWS` draws all land on seen points (the end of a finite space, or
    the narrow bins of a log-scale ``Integer``), one of the unseen points of a finite
    space, each as likely (:meth:`Space.point` of a uniform number, skipping the
    :meth:`Space.rank` of the seen ones: ``len(seen)`` steps, whatever the space's size).
    :class:`SpaceExhausted` only when no unseen point is left.
    """
    for _ in range(N_DRAWS):
        p = space.decode(space.round(rng.random((1, space.n_encoded)))[0])
        if space.key(p) not in seen:
            return p
    if math.isfinite(space.size()):
        taken = sorted(_ranks(space, seen))
        left = math.prod(space.radices()) - len(taken)
        if left > 0:
            i = random.Random(int(rng.integers(2**63))).randrange(left)  # any size of int
            for t in taken:  # the i-th number that is not taken
                if t > i:
                    break
                i += 1
            return space.point(i)
    raise SpaceExhausted(
        f"every point of {space!r} ({space.size():g} points) has been asked already"
        if math.isfinite(space.size())
        else f"no unseen point found in {space!r} after {N_DRAWS} draws "
        f"({len(seen)} points are taken)"
    )


def sobol_unseen(
    space: Space, seed: int, number: int, rng: np.random.Generator, seen: set[str]
) -> dict:
    """Point ``number`` of the study's scrambled Sobol sequence, or the next unseen one of
    the 16 from there (a uniform draw when all are seen)."""
    U = space.round(sobol_rows(space.n_encoded, seed, number, 16))
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
        """``n`` distinct parameter dicts inside ``space``, none of them seen in ``trials``
        (fewer only where no more are left, as in a grid; :class:`SpaceExhausted` when
        none is).  The optimiser checks them and refuses any other answer."""
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
