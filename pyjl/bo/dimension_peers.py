"""Dimensions of the peers a search space is migrated from, read as pyjl's:
scikit-optimize's ``skopt.space.Real``/``Integer``/``Categorical`` (``BayesSearchCV``
search spaces) and Optuna's ``FloatDistribution``/``IntDistribution``/
``CategoricalDistribution`` (``OptunaSearchCV`` distributions).  Recognised by their
class and module, never imported here."""

from __future__ import annotations

from typing import Any

from .. import _validate
from .dimensions import Categorical, Dimension, Integer, Real

__all__ = ["from_peer"]


def from_peer(spec: Any, where: str) -> Dimension | None:
    """The pyjl dimension of a scikit-optimize dimension or an Optuna distribution,
    or None for anything else; what has no equivalent is refused, naming ``where``."""
    for cls in type(spec).__mro__:  # the deprecated ones subclass them: UniformDistribution...
        kind, module = cls.__name__, cls.__module__ or ""
        if module.startswith("skopt.space"):
            found = _from_skopt(spec, kind, where)
        elif module.startswith("optuna.distributions"):
            found = _from_optuna(spec, kind, where)
        else:
            continue
        if found is not None:
            return found
    return None


def _from_skopt(spec: Any, kind: str, where: str) -> Dimension | None:
    if kind in ("Real", "Integer"):
        cls = Real if kind == "Real" else Integer
        return cls(spec.low, spec.high, prior=spec.prior)
    if kind == "Categorical":
        prior = getattr(spec, "prior", None)
        if prior is not None and len(set(map(float, prior))) > 1:
            raise _validate.error(
                where,
                "must draw its choices uniformly (scikit-optimize's Categorical prior, "
                "sampling probabilities, has no equivalent here)",
                f"prior={list(prior)!r}",
                "drop the prior: the GP learns which choices pay",
            )
        return Categorical(list(spec.categories))
    return None


def _from_optuna(spec: Any, kind: str, where: str) -> Dimension | None:
    if kind in ("FloatDistribution", "IntDistribution"):
        step = getattr(spec, "step", None)
        if step is not None and not (kind == "IntDistribution" and step == 1):
            raise _validate.error(
                where,
                "must be a range without a step (a stepped range is a Categorical of its "
                "values, or an Integer over the step count scaled in the objective)",
                f"{type(spec).__name__}(low={spec.low!r}, high={spec.high!r}, step={step!r})",
                "pass Categorical([...]) of the values, or drop the step",
            )
        cls = Real if kind == "FloatDistribution" else Integer
        return cls(spec.low, spec.high, log=bool(spec.log))
    if kind == "CategoricalDistribution":
        return Categorical(list(spec.choices))
    return None
