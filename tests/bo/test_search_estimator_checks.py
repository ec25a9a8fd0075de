"""scikit-learn's estimator checks on BayesSearchCV fail only where they fail on
scikit-learn's own GridSearchCV around the same estimator."""

from __future__ import annotations

import warnings

import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import check_estimator

from pyjl.bo import BayesSearchCV, Real


def _failed(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None)
    return {r["check_name"] for r in results if r["status"] == "failed"}, len(results)


@pytest.mark.parametrize(
    "estimator, name, grid",
    [(Ridge(), "alpha", [0.1, 1.0]), (LogisticRegression(), "C", [0.1, 1.0])],
    ids=["Ridge", "LogisticRegression"],
)
def test_bayes_search_fails_no_check_grid_search_passes(estimator, name, grid):
    ours, n = _failed(
        BayesSearchCV(estimator, {name: Real(0.01, 10, log=True)}, n_iter=3, cv=2, random_state=0)
    )
    theirs, _ = _failed(GridSearchCV(estimator, {name: grid}, cv=2))
    assert n > 45
    assert ours <= theirs, ours - theirs
