"""The arguments of :class:`~pyjl.bo.search.BayesSearchCV`, checked when ``fit`` starts.

* :func:`check_args`: the scalar arguments.
* :func:`callbacks`: ``fit(callback=...)`` as a list of callables.
* :func:`optimizer_kwargs`: the studies' further :class:`~pyjl.bo.Optimizer` settings.
* :func:`spaces`: the search spaces as ``[(Space, n_iter), ...]``, their names checked
  against the estimator's parameters.
* :func:`scorers`: ``scoring`` as scikit-learn reads it (``check_scoring``,
  ``get_scorer``), an unknown name refused with the close matches; :func:`objective`: the
  metric the studies optimise.
"""

from __future__ import annotations

import difflib
import inspect
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.metrics import check_scoring, get_scorer_names

from .. import _validate
from .callbacks import callbacks as callbacks
from .dimension_tables import from_tuple
from .optimizer import ASK_MAX
from .space import Space

__all__ = ["check_args", "callbacks", "optimizer_kwargs", "spaces", "objective", "scorers"]


def _close(name: str, options: list[str]) -> str:
    near = difflib.get_close_matches(name, options, n=3, cutoff=0.5)
    return f"; close matches: {', '.join(map(repr, near))}" if near else ""


def check_args(search: Any) -> tuple[int, int, int, int | None]:
    """``(n_iter, n_points, n_jobs, seed)`` of a ``BayesSearchCV``; the other arguments
    checked."""
    if not (hasattr(search.estimator, "fit") and hasattr(search.estimator, "get_params")):
        raise _validate.error(
            "estimator",
            "must be a scikit-learn estimator (with fit and get_params)",
            _validate.describe(search.estimator),
            "pass e.g. HistGradientBoostingClassifier()",
        )
    n_iter = _validate.integer(search.n_iter, "n_iter", low=1)
    n_points = _validate.integer(search.n_points, "n_points", low=1, high=ASK_MAX)
    # None is scikit-learn's default: one job (outside a joblib context); negative ones
    # count back from the CPUs, as joblib's
    n_jobs = 1 if search.n_jobs is None else _validate.jobs(search.n_jobs, "n_jobs")
    es = search.error_score
    if not (es == "raise" or isinstance(es, numbers.Real) and not isinstance(es, bool)):
        raise _validate.error(
            "error_score",
            "must be 'raise' or a number (np.nan by default)",
            _validate.describe(es),
            "pass np.nan, 0.0 or 'raise'",
        )
    _validate.boolean(search.return_train_score, "return_train_score")
    if not isinstance(search.verbose, (bool, np.bool_)):  # True is 1, as in scikit-learn
        _validate.integer(search.verbose, "verbose", low=0)
    rs = search.random_state
    if isinstance(rs, np.random.RandomState):  # as RandomizedSearchCV: one draw seeds it
        rs = int(rs.randint(2**31 - 1))
    return n_iter, n_points, n_jobs, _validate.seed(rs, "random_state")


def optimizer_kwargs(kwargs: Any) -> dict:
    """``BayesSearchCV(optimizer_kwargs=...)`` as a dict of :class:`Optimizer` settings."""

    from .optimizer import Optimizer

    if kwargs is None:
        return {}
    allowed = set(inspect.signature(Optimizer).parameters) - {
        "space",
        "storage",
        "study",
        "seed",
        "pruner",
        "direction",  # it maximises the score by minimising minus it
    }
    bad = [] if isinstance(kwargs, Mapping) else [kwargs]
    bad = bad or [k for k in kwargs if k not in allowed]
    if bad:
        raise _validate.error(
            "optimizer_kwargs",
            "must be None or a dict of Optimizer settings BayesSearchCV does not set itself",
            _validate.describe(bad[0]),
            f"use keys among {sorted(allowed)}",
        )
    return dict(kwargs)


def _one_space(spec: Any, where: str) -> Space:
    if isinstance(spec, Space):
        return spec
    if isinstance(spec, Mapping) and spec and all(isinstance(k, str) for k in spec):
        return Space({k: from_tuple(d, f"{where}[{k!r}]") for k, d in spec.items()})
    raise _validate.error(
        where,
        "must be a Space or a dict {name: Real(...) | Integer(...) | Categorical(...)}",
        _validate.describe(spec),
        "pass e.g. {'max_depth': Integer(2, 8)}",
    )


def spaces(search_spaces: Any, n_iter: int, estimator: Any) -> list[tuple[Space, int]]:
    """``[(space, budget), ...]`` of ``search_spaces``: a space, a dict of dimensions, or a
    list of spaces and ``(space, n_iter)`` pairs; every name a parameter of ``estimator``."""
    if isinstance(search_spaces, (Space, Mapping)):
        items = [search_spaces]
    elif isinstance(search_spaces, (list, tuple)) and search_spaces:
        items = list(search_spaces)
    else:
        raise _validate.error(
            "search_spaces",
            "must be a Space, a dict of dimensions, or a non-empty list of them "
            "and (space, n_iter) pairs",
            _validate.describe(search_spaces),
            "pass e.g. {'C': Real(1e-3, 1e3, log=True)}",
        )
    out = []
    for i, item in enumerate(items):
        where = "search_spaces" if len(items) == 1 else f"search_spaces[{i}]"
        if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[0], str):
            space = _one_space(item[0], where + "[0]")
            budget = _validate.integer(item[1], where + "[1]", low=1)
        else:
            space, budget = _one_space(item, where), n_iter
        out.append((space, budget))
    known = sorted(estimator.get_params(deep=True))
    for space, _ in out:
        for name in space.names:
            if name not in known:
                raise _validate.error(
                    "search_spaces",
                    f"must name parameters of {type(estimator).__name__} (estimator.get_params())",
                    f"{name!r}{_close(name, known)}",
                    "use a name estimator.get_params() lists; a Pipeline step's as 'step__param'",
                )
    return out


def objective(refit: Any, scorers: Any, multi: bool) -> str:
    """The metric a ``BayesSearchCV`` study optimises: ``"score"``, or the one ``refit``
    names among ``scorers`` (several metrics)."""
    if not multi:  # a name refits too, as in GridSearchCV
        if not (isinstance(refit, (bool, np.bool_, str)) or callable(refit)):
            raise _validate.error(
                "refit",
                "must be True, False, a metric's name or a callable",
                _validate.describe(refit),
                "pass refit=True, or name a metric of a multi-metric scoring",
            )
        return "score"
    names = list(scorers)
    if not isinstance(refit, str) or refit not in names:
        raise _validate.error(
            "refit",
            f"must name the metric to optimise among {names} when scoring has several",
            _validate.describe(refit),
            f"pass refit={names[0]!r}",
        )
    return refit


def _scorer(estimator: Any, scoring: Any, name: str) -> Any:
    try:
        return check_scoring(estimator, scoring=scoring)
    except (ValueError, TypeError) as exc:
        if isinstance(scoring, str):
            near = _close(scoring, sorted(get_scorer_names()))
            raise _validate.error(
                name,
                "must be a scoring name scikit-learn knows, a callable or None",
                f"{scoring!r}{near}",
                "pick one of sklearn.metrics.get_scorer_names()",
            ) from None
        raise _validate.error(
            name, f"must be a valid scorer ({exc})", _validate.describe(scoring), "see above"
        ) from None


def scorers(estimator: Any, scoring: Any) -> tuple[Any, bool]:
    """``(scorer, False)`` for one metric, ``({name: scorer}, True)`` for several."""
    if scoring is None or isinstance(scoring, str) or callable(scoring):
        return _scorer(estimator, scoring, "scoring"), False
    if isinstance(scoring, (list, tuple, set)) and scoring:
        names = list(scoring)
        if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
            raise _validate.error(
                "scoring",
                "must list distinct scoring names",
                _validate.describe(scoring),
                "pass e.g. ['accuracy', 'roc_auc']",
            )
        return {n: _scorer(estimator, n, f"scoring[{n!r}]") for n in names}, True
    if isinstance(scoring, Mapping) and scoring:
        return {str(n): _scorer(estimator, s, f"scoring[{n!r}]") for n, s in scoring.items()}, True
    raise _validate.error(
        "scoring",
        "must be None, a scoring name, a callable, or a non-empty list or dict of them",
        _validate.describe(scoring),
        "pass e.g. 'accuracy' or ['accuracy', 'roc_auc']",
    )
