"""BayesSearchCV's ``fit(callback=...)`` and ``total_iterations``: scikit-optimize's own
tests (``skopt/tests/test_searchcv.py``: ``test_searchcv_callback``,
``test_searchcv_total_iterations``), ported, and the contract they imply."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from pyjl.bo import Categorical, Integer, Real, Result
from pyjl.bo.search import BayesSearchCV
from pyjl.exceptions import InputError


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_callback_is_called_per_candidate_and_can_stop_the_search(iris):
    # skopt's test_searchcv_callback: a callback that would stop after 10 calls is called
    # once per candidate of an n_iter=5 search, and the refitted model scores
    X, y = iris
    search = BayesSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Categorical([3]), "min_samples_split": Real(0.1, 0.9)},
        n_iter=5,
        cv=3,
        random_state=0,
    )
    calls = []

    def callback(result):
        calls.append(result)
        return len(calls) > 10

    search.fit(X, y, callback=callback)
    assert len(calls) == 5
    assert search.score(X, y) > 0.5
    # each call sees the study so far: one more trial each time, best = -best mean score
    assert [len(r.history) for r in calls] == [1, 2, 3, 4, 5]
    assert all(isinstance(r, Result) for r in calls)
    best = max(search.cv_results_["mean_test_score"])
    assert calls[-1].best_value == pytest.approx(-best)

    stopped = []
    search.fit(X, y, callback=lambda r: stopped.append(r) or len(stopped) == 2)
    assert len(stopped) == 2 and len(search.cv_results_["params"]) == 2


def test_a_stop_ends_its_space_only_and_every_callback_is_called(iris):
    X, y = iris
    spaces = [({"max_depth": Integer(1, 6)}, 4), {"min_samples_leaf": Integer(1, 30)}]
    search = BayesSearchCV(
        DecisionTreeClassifier(random_state=0), spaces, n_iter=3, cv=3, random_state=1
    )
    first, second = [], []
    # as skopt: a True from one callback ends the space being searched; all are called
    search.fit(X, y, callback=[lambda r: first.append(r) or True, second.append])
    assert len(first) == len(second) == 2  # one candidate of each space
    assert len(search.cv_results_["params"]) == 2
    names = [sorted(p) for p in search.cv_results_["params"]]
    assert names == [["max_depth"], ["min_samples_leaf"]]


def test_n_points_candidates_per_call(iris):
    X, y = iris
    search = BayesSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Integer(1, 8)},
        n_iter=6,
        n_points=3,
        cv=3,
        random_state=0,
    )
    sizes = []
    search.fit(X, y, callback=lambda r: sizes.append(len(r.history)))
    assert sizes == [3, 6]


@pytest.mark.parametrize(
    "spaces, n_iter, expected",
    [
        ({"max_depth": Integer(1, 5)}, 10, 10),
        ([({"max_depth": Integer(1, 5)}, 15)], 10, 15),
        ([({"max_depth": Integer(1, 5)}, 15), {"min_samples_leaf": Integer(1, 5)}], 10, 25),
    ],
)
def test_total_iterations(spaces, n_iter, expected):
    # skopt's test_searchcv_total_iterations
    search = BayesSearchCV(DecisionTreeClassifier(), spaces, n_iter=n_iter)
    assert search.total_iterations == expected


@pytest.mark.parametrize(
    "callback, name", [("stop", "callback"), ([print, 3], "callback[1]"), (7, "callback")]
)
def test_a_callback_that_is_not_callable_is_refused_before_any_fit(iris, callback, name):
    X, y = iris
    search = BayesSearchCV(DecisionTreeClassifier(), {"max_depth": Integer(1, 5)}, n_iter=2)
    with pytest.raises(InputError, match=re.escape(f"`{name}`")):
        search.fit(X, y, callback=callback)
    assert not hasattr(search, "cv_results_")
    np.testing.assert_equal(search.n_iter, 2)
