"""Samplers: what the next points of a study are, given its trials.

* :class:`Sampler` (:mod:`pyjl.bo.samplers.base`): the protocol -- ``propose(space,
  trials, n, seed)`` and an optional ``check(space)`` -- and the draws every sampler
  shares.
* :class:`RandomSampler`: uniform draws in the unit cube (:meth:`Space.round`-ed).
* :class:`GridSampler` (:mod:`pyjl.bo.samplers.grid`): the given parameter dicts, in
  order.
* :class:`GPSampler` (:mod:`pyjl.bo.samplers.gp`): Bayesian optimisation -- an initial
  design, then the maximiser of an acquisition on a GP surrogate.
"""

from .base import (
    RandomSampler,
    Sampler,
    point_rng,
    random_unseen,
    seen_keys,
    sobol_unseen,
)
from .gp import GPSampler, require_engine
from .grid import GridSampler

__all__ = [
    "Sampler",
    "RandomSampler",
    "GridSampler",
    "GPSampler",
    "require_engine",
    "point_rng",
    "seen_keys",
    "random_unseen",
    "sobol_unseen",
]
