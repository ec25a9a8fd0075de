"""The pieces of :class:`~pyjl.bo.search.BayesSearchCV` that touch scikit-learn's machinery.

* :func:`fit_fold`: one fold of one candidate, the logic of scikit-learn's
  ``_fit_and_score`` through its helpers (clone, ``set_params``, ``_safe_split``: a
  precomputed kernel or distance matrix is cut by rows and columns, ``error_score``); a
  module-level function, so process pools can run it.
* :func:`fit_folds`: the folds of several candidates in lockstep, reporting the running
  mean of each one's negated test score after each fold and stopping it when the pruner
  says.

The arguments are checked in :mod:`pyjl.bo._search_args`; the records become
``cv_results_`` in :mod:`pyjl.bo._search_results`.
"""

from __future__ import annotations

import contextlib
import numbers
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from sklearn import config_context
from sklearn.base import clone
from sklearn.utils import _safe_indexing
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _num_samples

from .. import _validate
from .._warn import warn

__all__ = ["fit_fold", "fit_fold_under", "fit_folds"]


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


def _score(
    est: Any, X: Any, y: Any, scorer: Any, error_score: Any, params: Mapping[str, dict]
) -> dict[str, float]:
    items = scorer.items() if isinstance(scorer, dict) else [("score", scorer)]
    out = {}
    for name, s in items:
        kw = params.get(name, {})
        try:
            value = s(est, X, **kw) if y is None else s(est, X, y, **kw)
        except Exception:
            if error_score == "raise":
                raise
            warn(  # scikit-learn's words, which users' filters match
                "Scoring failed. The score on this train-test partition for these "
                f"parameters will be set to {error_score}. Details: \n" + traceback.format_exc(),
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
    score_params: dict[str, dict],
    error_score: Any,
    return_train_score: bool,
) -> dict:
    """Fit a clone of ``estimator`` with ``params`` on ``train``, score it on ``test``:
    ``{"test": {name: score}, "train": {...} or None, "fit_time", "score_time", "error"}``.
    ``fit_params`` go to ``fit`` and ``score_params[name]`` to scorer ``name``
    (:func:`pyjl.bo._search_routing.routed`), their sample-aligned arrays cut by the fold.

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

    def cut(rows: np.ndarray) -> dict[str, dict]:
        return {k: {p: _index(v, rows, n) for p, v in d.items()} for k, d in score_params.items()}

    test_scores = _score(est, X_test, y_test, scorer, error_score, cut(test))
    score_time = time.time() - t0 - fit_time
    train_scores = (
        _score(est, X_train, y_train, scorer, error_score, cut(train))
        if return_train_score
        else None
    )
    return {
        "test": test_scores,
        "train": train_scores,
        "fit_time": fit_time,
        "score_time": score_time,
        "error": None,
    }


def fit_fold_under(config: dict, *job: Any) -> dict:
    """:func:`fit_fold` of ``job`` under scikit-learn's configuration ``config`` (the
    caller's: a worker thread or process starts from the defaults, metadata routing off,
    as scikit-learn's own ``delayed`` knows)."""
    with config_context(**config):
        return fit_fold(*job)


def fit_folds(
    opt: Any,
    asked: list[tuple[int, dict]],
    jobs: list[list[tuple]],
    objective: str,
    run: Callable[[list[tuple]], list[dict]],
    stopped: Callable[[int, list[dict]], None],
) -> list[tuple[list[dict], bool]]:
    """``[(records, pruned), ...]`` of the ``asked`` candidates (``jobs``: their folds'
    :func:`fit_fold` arguments), in lockstep: fold ``k`` of every candidate still going
    runs at once (``run(list of jobs) -> list of records``); then, candidate by candidate
    in the asked order, ``opt.report(number, k, -mean test score so far)`` (the step is the
    folds scored, the resource spent) and, but after the last fold, a stop if
    ``opt.should_prune(number)``, told at once by ``stopped(index in asked, its records)``.
    The pruner's decisions so follow one order however the folds are spread over workers.
    A non-finite running mean (a failed fit) is not reported."""
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
                    stopped(i, records[i])
                    continue
            still.append(i)
        going = still
    return list(zip(records, pruned))


#: set on an exception a fold raised (``error_score="raise"``): its candidate's params
RAISED_BY = "_pyjl_raised_by"


def fit_jobs(jobs: list[tuple], pool: Any, config: dict) -> list[dict]:
    """:func:`fit_fold` of each job (its arguments), on ``pool`` under scikit-learn's
    configuration ``config``, or here; an exception a job raises names its candidate's
    params in its attribute :data:`RAISED_BY`, so that only that trial is failed."""
    tasks = None if pool is None else [pool.submit(fit_fold_under, config, *j) for j in jobs]
    out = []
    for i, job in enumerate(jobs):
        try:
            out.append(fit_fold(*job) if tasks is None else tasks[i].result())
        except Exception as exc:
            with contextlib.suppress(AttributeError):  # an exception with __slots__
                setattr(exc, RAISED_BY, job[5])  # (estimator, X, y, train, test, params, ...)
            raise
    return out
