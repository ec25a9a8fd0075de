"""The pieces of :class:`~pyjl.bo.search.BayesSearchCV` that touch scikit-learn's machinery.

* :func:`check_args`: the scalar arguments, checked when ``fit`` starts.
* :func:`optimizer_kwargs`: the studies' further :class:`~pyjl.bo.Optimizer` settings.
* :func:`spaces`: the search spaces as ``[(Space, n_iter), ...]``, their names checked
  against the estimator's parameters.
* :func:`scorers`: ``scoring`` as scikit-learn reads it (``check_scoring``,
  ``get_scorer``), an unknown name refused with the close matches.
* :func:`fit_fold`: one fold of one candidate, the logic of scikit-learn's
  ``_fit_and_score`` through its helpers (clone, ``set_params``, ``_safe_split``: a
  precomputed kernel or distance matrix is cut by rows and columns, ``error_score``); a
  module-level function, so process pools can run it.
* :func:`fit_folds`: the folds of several candidates in lockstep, reporting the running
  mean of each one's negated test score after each fold and stopping it when the pruner
  says.

The records become ``cv_results_`` in :mod:`pyjl.bo._search_results`.
"""

from __future__ import annotations

import difflib
import inspect
import numbers
import os
import time
import traceback
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import _safe_indexing
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _num_samples

from .. import _validate
from .._warn import warn
from .dimensions import Dimension
from .optimizer import ASK_MAX
from .space import Space

__all__ = [
    "check_args",
    "optimizer_kwargs",
    "spaces",
    "scorers",
    "fit_fold",
    "fit_folds",
]


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
    # None is scikit-learn's default: one job (outside a joblib context)
    n_jobs = 1 if search.n_jobs is None else _validate.integer(search.n_jobs, "n_jobs", low=-1)
    if n_jobs == 0:
        raise _validate.error("n_jobs", "must be >= 1 or -1", 0, "pass 1, 2, ... or -1")
    n_jobs = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
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
    import inspect

    from .optimizer import Optimizer

    if kwargs is None:
        return {}
    allowed = set(inspect.signature(Optimizer).parameters) - {
        "space",
        "storage",
        "study",
        "seed",
        "pruner",
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
    if isinstance(spec, Mapping) and spec and all(isinstance(d, Dimension) for d in spec.values()):
        return Space(spec)
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


def _n_samples(value: Any) -> int | None:
    """The number of samples of an array-like (sparse matrices included), else None."""
    if value is None or isinstance(value, (str, dict)):
        return None
    try:
        return int(_num_samples(value))
    except TypeError:
        return None


def _index(value: Any, rows: np.ndarray, n_samples: int) -> Any:
    """``value[rows]`` for a sample-aligned array (a fit parameter), else ``value``."""
    if _n_samples(value) == n_samples:
        return _safe_indexing(value, rows)
    return value


def _number(value: Any, name: str) -> float:
    """A scorer's result as a float: NumPy scalars and 0-d arrays unwrapped, as
    scikit-learn's ``_score`` does; a dict of metrics refused with the fix."""
    if isinstance(value, Mapping):
        raise _validate.error(
            "scoring",
            "must be a callable that returns one number (one that returns a dict of metrics "
            "is not supported)",
            f"a callable that returned {sorted(value)}",
            "pass scoring as a dict of single-metric scorers, e.g. {'acc': "
            "make_scorer(accuracy_score), ...}, with refit naming the one to optimise",
        )
    if hasattr(value, "item"):
        try:
            value = value.item()
        except ValueError:
            pass
    if not isinstance(value, numbers.Real):
        raise ValueError(f"scoring must return a number, got {value!r} for {name!r}")
    return float(value)


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


def _score(
    est: Any, X: Any, y: Any, scorer: Any, error_score: Any, weights: Any = None
) -> dict[str, float]:
    items = scorer.items() if isinstance(scorer, dict) else [("score", scorer)]
    out = {}
    for name, s in items:
        kw = {"sample_weight": weights} if weights is not None and _takes_weights(s) else {}
        try:
            value = s(est, X, **kw) if y is None else s(est, X, y, **kw)
        except Exception:
            if error_score == "raise":
                raise
            warn(
                f"scoring failed; the score of this fold is {error_score}. Details:\n"
                + traceback.format_exc(),
                UserWarning,
            )
            value = error_score
        out[name] = _number(value, name)
    return out


def fit_fold(
    estimator: Any,
    X: Any,
    y: Any,
    train: np.ndarray,
    test: np.ndarray,
    params: dict,
    scorer: Any,
    fit_params: dict,
    error_score: Any,
    return_train_score: bool,
) -> dict:
    """Fit a clone of ``estimator`` with ``params`` on ``train``, score it on ``test``:
    ``{"test": {name: score}, "train": {...} or None, "fit_time", "score_time", "error"}``.

    A fit that raises gives ``error_score`` for every score (``"raise"``: re-raised),
    as scikit-learn's ``_fit_and_score``."""
    est = clone(estimator).set_params(**{k: clone(v, safe=False) for k, v in params.items()})
    n = _num_samples(X)
    fp = {k: _index(v, train, n) for k, v in fit_params.items()}
    X_train, y_train = _safe_split(est, X, y, train)
    X_test, y_test = _safe_split(est, X, y, test, train)
    names = list(scorer) if isinstance(scorer, dict) else ["score"]
    t0 = time.time()
    try:
        if y_train is None:
            est.fit(X_train, **fp)
        else:
            est.fit(X_train, y_train, **fp)
    except Exception:
        if error_score == "raise":
            raise
        failed = dict.fromkeys(names, float(error_score))
        return {
            "test": failed,
            "train": dict(failed) if return_train_score else None,
            "fit_time": time.time() - t0,
            "score_time": 0.0,
            "error": traceback.format_exc(),
        }
    fit_time = time.time() - t0
    w = fit_params.get("sample_weight") if _WEIGHTED_SCORES else None
    w_test, w_train = (None, None) if w is None else (_index(w, test, n), _index(w, train, n))
    test_scores = _score(est, X_test, y_test, scorer, error_score, w_test)
    score_time = time.time() - t0 - fit_time
    train_scores = (
        _score(est, X_train, y_train, scorer, error_score, w_train) if return_train_score else None
    )
    return {
        "test": test_scores,
        "train": train_scores,
        "fit_time": fit_time,
        "score_time": score_time,
        "error": None,
    }


def fit_folds(
    opt: Any, asked: list[tuple[int, dict]], jobs: list[list[tuple]], objective: str, run
) -> list[tuple[list[dict], bool]]:
    """``[(records, pruned), ...]`` of the ``asked`` candidates (``jobs``: their folds'
    :func:`fit_fold` arguments), in lockstep: fold ``k`` of every candidate still going
    runs at once (``run(list of jobs) -> list of records``); then, candidate by candidate
    in the asked order, ``opt.report(number, k, -mean test score so far)`` (the step is the
    folds scored, the resource spent) and, but after the last fold, a stop if
    ``opt.should_prune(number)``.  The pruner's decisions so follow one order however the
    folds are spread over workers.  A non-finite running mean (a failed fit) is not
    reported."""
    records: list[list[dict]] = [[] for _ in asked]
    pruned = [False] * len(asked)
    going = list(range(len(asked)))
    n_folds = len(jobs[0]) if jobs else 0
    for k in range(1, n_folds + 1):
        for i, record in zip(going, run([jobs[i][k - 1] for i in going])):
            records[i].append(record)
        still = []
        for i in going:
            number = asked[i][0]
            running = -float(np.mean([r["test"][objective] for r in records[i]]))
            if np.isfinite(running):
                opt.report(number, k, running)
                if k < n_folds and opt.should_prune(number):
                    pruned[i] = True
                    continue
            still.append(i)
        going = still
    return list(zip(records, pruned))
