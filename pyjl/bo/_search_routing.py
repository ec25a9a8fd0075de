"""Where :class:`~pyjl.bo.search.BayesSearchCV`'s metadata go: to the estimator's ``fit``,
the splitter's ``split`` and each scorer, as in scikit-learn's own searches.

With scikit-learn's metadata routing on (``sklearn.set_config(enable_metadata_routing=
True)``) the requests decide (``set_fit_request``, ``set_score_request``, a splitter's
``groups``), and metadata no one requested are refused, as ``GridSearchCV`` refuses them;
without it ``groups`` go to the splitter, everything else to ``fit``, and
``sample_weight`` also to each scorer that takes it (scikit-learn 1.7 on), with
scikit-learn's warning for those that do not.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)

from .._warn import warn

__all__ = ["metadata_routing", "routed", "score_params"]

#: scikit-learn's searches (1.7 on) pass ``sample_weight`` to the scorers that take it
_WEIGHTED_SCORES = hasattr(BaseSearchCV, "_check_scorers_accept_sample_weight")


def _takes_weights(scorer: Any) -> bool:
    """Whether ``scorer`` takes ``sample_weight`` (scikit-learn's test for it)."""
    accept = getattr(scorer, "_accept_sample_weight", None)
    if callable(accept):
        return bool(accept())
    try:
        return "sample_weight" in inspect.signature(scorer).parameters
    except (TypeError, ValueError):
        return False


def _items(scorer: Any, multimetric: bool) -> list[tuple[str, Any]]:
    return list(scorer.items()) if multimetric else [("score", scorer)]


def _as_router(scorer: Any, multimetric: bool) -> Any:
    """The scorer as scikit-learn routes to it: several metrics as one multimetric scorer."""
    return _MultimetricScorer(scorers=scorer, raise_exc=True) if multimetric else scorer


def metadata_routing(search: Any, scorer: Any, multimetric: bool) -> MetadataRouter:
    """``search``'s router, ``BaseSearchCV.get_metadata_routing``'s: ``fit`` routes to the
    estimator's ``fit``, the scorer's ``score`` and the splitter's ``split``; ``score`` to
    the scorer's ``score``."""
    router = MetadataRouter(owner=search)
    router.add(
        estimator=search.estimator,
        method_mapping=MethodMapping().add(caller="fit", callee="fit"),
    )
    router.add(
        scorer=_as_router(scorer, multimetric),
        method_mapping=MethodMapping()
        .add(caller="score", callee="score")
        .add(caller="fit", callee="score"),
    )
    router.add(
        splitter=search.cv,
        method_mapping=MethodMapping().add(caller="fit", callee="split"),
    )
    return router


def routed(
    search: Any, scorer: Any, multimetric: bool, groups: Any, params: Mapping[str, Any]
) -> tuple[dict, dict, dict[str, dict]]:
    """``(fit, split, score)``: the metadata of ``search.fit(X, y, groups, **params)`` for
    the estimator's ``fit``, the splitter's ``split`` and each scorer by name (``"score"``
    for one metric)."""
    if _routing_enabled():
        given = dict(params) if groups is None else {**params, "groups": groups}
        r = process_routing(search, "fit", **given)
        to_scorers = dict(r.scorer.score)
        if multimetric:
            each = process_routing(_as_router(scorer, True), "score", **to_scorers)
            score = {name: dict(each[name].score) for name in scorer}
        else:
            score = {"score": to_scorers}
        return dict(r.estimator.fit), dict(r.splitter.split), score
    w = params.get("sample_weight") if _WEIGHTED_SCORES else None
    score = {}
    for name, s in _items(scorer, multimetric):
        takes = _takes_weights(s)
        if w is not None and not takes:
            shown = s if not multimetric else f"{name}={s}"
            warn(
                f"The scoring {shown} does not support sample_weight, which may lead to "
                f"statistically incorrect results when fitting {search} with sample_weight. ",
                UserWarning,
            )
        score[name] = {"sample_weight": w} if w is not None and takes else {}
    return dict(params), {"groups": groups}, score


def score_params(search: Any, params: Mapping[str, Any]) -> dict:
    """The metadata of ``search.score(X, y, **params)`` for its scorer: routed where
    routing is on, else refused (scikit-learn's words) unless there are none."""
    if _routing_enabled():
        return dict(process_routing(search, "score", **params).scorer["score"])
    _raise_for_params(params, search, "score")
    return {}
