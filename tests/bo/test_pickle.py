"""Optimizers, results and fitted searches pickle (``joblib.dump``, a process pool, a Dask
worker's copy): an in-memory study travels as an independent copy, a stored one as the
place it is stored, which the copy reopens."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest

from pyjl.bo import BayesSearchCV, Integer, Optimizer, Real, Space, minimize


def _bowl(p):
    return (p["a"] - 0.3) ** 2 + 0.01 * p["b"]


SPACE = Space({"a": Real(0.0, 1.0), "b": Integer(1, 5)})


def _told(opt, n):
    for _ in range(n):
        x = opt.ask()
        opt.tell(x, _bowl(x))
    return opt


def test_an_in_memory_optimizer_pickles_as_an_independent_copy():
    opt = _told(Optimizer(SPACE, seed=0, n_initial=4), 8)
    copy = pickle.loads(pickle.dumps(opt))
    pd.testing.assert_frame_equal(copy.history(), opt.history())
    assert copy.best == opt.best
    nxt, nxt_copy = opt.ask(), copy.ask()  # the same state: the same next point
    assert nxt_copy == nxt
    copy.tell(nxt_copy, _bowl(nxt_copy))
    _told(copy, 2)
    assert len(copy.history()) == 11 and len(opt.history()) == 9  # 8 told + 1 pending
    opt.tell(nxt, _bowl(nxt))
    assert len(opt.history()) == 9


def test_a_stored_optimizer_pickles_onto_the_same_study(storage_url, raw_trials):
    opt = _told(Optimizer(SPACE, seed=0, n_initial=4, storage=storage_url, study="s"), 5)
    copy = pickle.loads(pickle.dumps(opt))
    assert copy.storage is not opt.storage and copy.storage.url == opt.storage.url
    _told(copy, 2)
    rows = raw_trials(storage_url)
    assert len(rows) == 7 and all(r[2] == "complete" for r in rows)
    reopened = Optimizer(SPACE, storage=storage_url, study="s")
    assert len(reopened.history()) == 7


def test_a_minimize_result_pickles():
    res = minimize(_bowl, SPACE, n_calls=8, n_initial=4, progress=False, seed=0)
    copy = pickle.loads(pickle.dumps(res))
    assert copy.best_params == res.best_params and copy.best_value == res.best_value
    pd.testing.assert_frame_equal(copy.history, res.history)


def test_a_fitted_search_dumps_and_loads_with_joblib(tmp_path):
    # scikit-learn's way to keep a fitted estimator
    datasets = pytest.importorskip("sklearn.datasets")
    linear = pytest.importorskip("sklearn.linear_model")
    X, y = datasets.load_iris(return_X_y=True)
    search = BayesSearchCV(
        linear.LogisticRegression(max_iter=500),
        {"C": Real(1e-2, 10.0, log=True)},
        n_iter=6,
        cv=3,
        random_state=0,
    ).fit(X, y)
    joblib.dump(search, tmp_path / "search.joblib")
    copy = joblib.load(tmp_path / "search.joblib")
    assert copy.best_params_ == search.best_params_ and copy.best_score_ == search.best_score_
    np.testing.assert_array_equal(copy.predict_proba(X), search.predict_proba(X))
    for key, values in search.cv_results_.items():
        got = copy.cv_results_[key]
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            np.testing.assert_array_equal(got, values)
        else:
            assert list(got) == list(values), key
