"""BayesSearchCV under scikit-learn's metadata routing, against GridSearchCV on the same
folds: the requests decide what the estimator's fit, the scorers and the splitter get.
It passed sample_weight to fit and to every scorer that takes it, whatever was requested
(scores 0.997 where GridSearchCV's were 0.480, and another best_estimator_)."""

import concurrent.futures as cf
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer, recall_score
from sklearn.model_selection import GridSearchCV, GroupKFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from pyjl.bo import Categorical
from pyjl.bo.search import BayesSearchCV

CS = [0.01, 1.0]


@pytest.fixture(scope="module")
def data():
    X, y = load_breast_cancer(return_X_y=True)
    X, y = StandardScaler().fit_transform(X[:200]), y[:200]
    weights = np.where(y == 1, 20.0, 0.05)  # far from uniform: weighted scores differ
    return X, y, weights


@pytest.fixture(autouse=True)
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _pair(estimator, scoring=None, refit=True, executor=None, **fit_kw):
    X, y = fit_kw.pop("X"), fit_kw.pop("y")
    cv = fit_kw.pop("cv", StratifiedKFold(3))
    grid = GridSearchCV(estimator, {"C": CS}, cv=cv, scoring=scoring, refit=refit)
    ours = BayesSearchCV(
        estimator, {"C": Categorical(CS)}, n_iter=2, cv=cv, scoring=scoring, refit=refit,
        random_state=0, executor=executor,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the search's "whole space" warning
        return grid.fit(X, y, **fit_kw), ours.fit(X, y, **fit_kw)


def _same(grid, ours, names=("score",)):
    order = np.argsort([p["C"] for p in ours.cv_results_["params"]])
    for name in names:
        for k in range(3):
            key = f"split{k}_test_{name}"
            np.testing.assert_allclose(ours.cv_results_[key][order], grid.cv_results_[key])


@pytest.mark.parametrize(("fit_req", "score_req"), [(True, False), (False, True), (True, True)])
def test_the_requests_decide_where_sample_weight_goes(data, fit_req, score_req):
    X, y, w = data
    lr = (
        LogisticRegression()
        .set_fit_request(sample_weight=fit_req)
        .set_score_request(sample_weight=score_req)
    )
    grid, ours = _pair(lr, X=X, y=y, sample_weight=w)
    _same(grid, ours)
    np.testing.assert_allclose(ours.best_estimator_.coef_, grid.best_estimator_.coef_, rtol=1e-8)
    if score_req:
        assert ours.score(X, y, sample_weight=w) == pytest.approx(
            grid.score(X, y, sample_weight=w)
        )
    else:  # scikit-learn's refusal: routed to no one
        for search in (grid, ours):
            with pytest.raises(TypeError, match="not routed to any object"):
                search.score(X, y, sample_weight=w)


def test_a_scorers_own_request_and_several_metrics(data):
    X, y, w = data
    lr = LogisticRegression().set_fit_request(sample_weight=False)
    scoring = {
        "acc": make_scorer(accuracy_score).set_score_request(sample_weight=True),
        "rec": make_scorer(recall_score).set_score_request(sample_weight=False),
    }
    grid, ours = _pair(lr, scoring=scoring, refit="acc", X=X, y=y, sample_weight=w)
    _same(grid, ours, names=("acc", "rec"))
    assert not np.allclose(grid.cv_results_["mean_test_acc"], grid.cv_results_["mean_test_rec"])


def test_groups_reach_the_splitter_and_a_thread_pool_keeps_the_routing(data):
    # a worker thread starts from scikit-learn's default configuration, routing off: a
    # Pipeline there refuses sample_weight ("use the stepname__parameter format")
    X, y, w = data
    groups = np.arange(len(y)) % 7
    pipe = Pipeline(
        [
            ("scale", StandardScaler().set_fit_request(sample_weight=False)),
            ("lr", LogisticRegression().set_fit_request(sample_weight=True)),
        ]
    )
    scoring = make_scorer(accuracy_score).set_score_request(sample_weight=True)
    kw = dict(cv=GroupKFold(3), scoring=scoring)
    grid = GridSearchCV(pipe, {"lr__C": CS}, **kw).fit(X, y, groups=groups, sample_weight=w)
    with cf.ThreadPoolExecutor(2) as pool, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = BayesSearchCV(
            pipe, {"lr__C": Categorical(CS)}, n_iter=2, random_state=0, executor=pool, **kw
        ).fit(X, y, groups=groups, sample_weight=w)
    order = np.argsort([p["lr__C"] for p in ours.cv_results_["params"]])
    for k in range(3):
        key = f"split{k}_test_score"
        assert np.all(np.isfinite(grid.cv_results_[key]))
        np.testing.assert_allclose(ours.cv_results_[key][order], grid.cv_results_[key])


def test_metadata_no_one_requested_are_refused_as_by_gridsearchcv(data):
    X, y, w = data
    for lr in (LogisticRegression(), LogisticRegression().set_score_request(sample_weight=True)):
        with pytest.raises(UnsetMetadataPassedError):
            _pair(lr, X=X, y=y, sample_weight=w)
    ours = BayesSearchCV(LogisticRegression(), {"C": Categorical(CS)}, n_iter=1, cv=3)
    with pytest.raises(UnsetMetadataPassedError):
        ours.fit(X, y, sample_weight=w)


def test_score_takes_metadata_only_with_routing_on(data):
    X, y, w = data
    lr = LogisticRegression().set_score_request(sample_weight=True)
    ours = BayesSearchCV(lr, {"C": Categorical(CS)}, n_iter=1, cv=3, random_state=0).fit(X, y)
    weighted = ours.score(X, y, sample_weight=w)
    assert weighted == pytest.approx(accuracy_score(y, ours.predict(X), sample_weight=w))
    with sklearn.config_context(enable_metadata_routing=False):
        with pytest.raises(ValueError, match="only supported if enable_metadata_routing=True"):
            ours.score(X, y, sample_weight=w)
