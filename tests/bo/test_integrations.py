"""The pruning callbacks: XGBoost's TrainingCallback and the scikit-learn helper report
what the libraries themselves measure, and stop training when the pruner says so."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import log_loss
from sklearn.svm import SVC

from pyjl.bo import MedianPruner, Optimizer, Real, Space, TrialPruned, TrialState, random_search
from pyjl.bo.integrations.sklearn import fit_with_pruning
from pyjl.exceptions import InputError

SPACE = Space({"eta": Real(1e-3, 0.5, log=True)})


def _digits(rng, n=300):
    X, y = load_digits(return_X_y=True)
    idx = rng.permutation(len(y))[:n]
    half = n // 2
    return X[idx[:half]], y[idx[:half]], X[idx[half:]], y[idx[half:]]


def _trial(pruner=None):
    opt = Optimizer(SPACE, seed=0, sampler="random", pruner=pruner)
    [(number, params)] = opt.ask_trials(1)
    return opt, number, opt.handle(number, params)


# --- XGBoost ------------------------------------------------------------------------
def test_xgboost_callback_reports_the_eval_metric_each_round(rng):
    xgb = pytest.importorskip("xgboost")
    from pyjl.bo.integrations.xgboost import XGBoostPruningCallback

    X, y, Xv, yv = _digits(rng)
    opt, number, trial = _trial()
    cb = XGBoostPruningCallback(trial, "validation_0-mlogloss")
    model = xgb.XGBClassifier(
        n_estimators=8, max_depth=2, learning_rate=0.3, callbacks=[cb], n_jobs=1
    )
    model.fit(X, y, eval_set=[(Xv, yv)], verbose=False)
    reported = opt.intermediate_values()[number]
    expected = model.evals_result()["validation_0"]["mlogloss"]
    assert list(reported) == list(range(8))
    np.testing.assert_allclose(list(reported.values()), expected, rtol=1e-6)
    # and the metric is the multi-class log loss of the model's own probabilities
    assert expected[-1] == pytest.approx(log_loss(yv, model.predict_proba(Xv)), rel=1e-4)


def test_xgboost_callback_prunes_and_stops_training(rng):
    xgb = pytest.importorskip("xgboost")
    from pyjl.bo.integrations.xgboost import XGBoostPruningCallback

    X, y, Xv, yv = _digits(rng)
    opt = Optimizer(SPACE, seed=0, sampler="random", pruner=MedianPruner(n_startup_trials=1))
    results = []
    for eta in (0.5, 0.001):  # a good trial completes, then a hopeless one
        [(number, params)] = opt.ask_trials(1)
        cb = XGBoostPruningCallback(opt.handle(number, params), "validation_0-mlogloss")
        model = xgb.XGBClassifier(
            n_estimators=20, max_depth=2, learning_rate=eta, callbacks=[cb], n_jobs=1
        )
        try:
            model.fit(X, y, eval_set=[(Xv, yv)], verbose=False)
            opt.tell_trial(number, model.evals_result()["validation_0"]["mlogloss"][-1])
            results.append("complete")
        except TrialPruned:
            opt.tell_pruned(number)
            results.append("pruned")
    assert results == ["complete", "pruned"]
    curve = opt.intermediate_values()[1]
    assert len(curve) == 1  # stopped at the first round, not 20
    assert (opt.trials[1].state, opt.trials[1].value) == (TrialState.PRUNED, curve[0])


def test_xgboost_callback_with_cv_reports_the_mean_over_folds(rng):
    xgb = pytest.importorskip("xgboost")
    from pyjl.bo.integrations.xgboost import XGBoostPruningCallback

    X, y, _, _ = _digits(rng)
    opt, number, trial = _trial()
    frame = xgb.cv(
        {"objective": "multi:softprob", "num_class": 10, "max_depth": 2, "nthread": 1},
        xgb.DMatrix(X, label=y),
        num_boost_round=5,
        nfold=3,
        seed=0,
        callbacks=[XGBoostPruningCallback(trial, "test-mlogloss")],
    )
    reported = opt.intermediate_values()[number]
    np.testing.assert_allclose(list(reported.values()), frame["test-mlogloss-mean"], rtol=1e-6)


def test_xgboost_callback_bad_input(rng):
    xgb = pytest.importorskip("xgboost")
    from pyjl.bo.integrations.xgboost import XGBoostPruningCallback

    _, _, trial = _trial()
    with pytest.raises(InputError, match="trial"):
        XGBoostPruningCallback(object())
    with pytest.raises(InputError, match="observation_key"):
        XGBoostPruningCallback(trial, "logloss")
    X, y, Xv, yv = _digits(rng)
    model = xgb.XGBClassifier(n_estimators=3, callbacks=[XGBoostPruningCallback(trial)])
    with pytest.raises(InputError, match="validation_0-mlogloss"):  # the keys it has
        model.fit(X, y, eval_set=[(Xv, yv)], verbose=False)


# --- scikit-learn ---------------------------------------------------------------------
def test_partial_fit_reports_the_validation_loss_of_each_step(rng):
    X, y = load_iris(return_X_y=True)
    idx = rng.permutation(len(y))
    tr, va = idx[:100], idx[100:]
    opt, number, trial = _trial()
    loss = fit_with_pruning(
        SGDClassifier(random_state=0), X[tr], y[tr], X[va], y[va], trial, steps=5
    )
    # the same partial_fit sequence, measured independently
    ref = SGDClassifier(random_state=0)
    expected = []
    for _ in range(5):
        ref.partial_fit(X[tr], y[tr], classes=np.unique(y))
        expected.append(-ref.score(X[va], y[va]))
    assert list(opt.intermediate_values()[number]) == [1, 2, 3, 4, 5]  # the steps done
    assert list(opt.intermediate_values()[number].values()) == pytest.approx(expected)
    assert loss == expected[-1]


def test_warm_start_grows_the_resource_to_its_full_value(rng):
    X, y, Xv, yv = _digits(rng, 200)
    opt, number, trial = _trial()
    est = GradientBoostingClassifier(n_estimators=12, max_depth=1, random_state=0)
    fit_with_pruning(est, X, y, Xv, yv, trial, steps=4, scoring="neg_log_loss")
    assert est.n_estimators == 12 and len(est.estimators_) == 12
    # warm-started boosting equals boosting refitted from scratch with as many stages
    expected = []
    for n in (3, 6, 9, 12):
        ref = GradientBoostingClassifier(n_estimators=n, max_depth=1, random_state=0).fit(X, y)
        expected.append(log_loss(yv, ref.predict_proba(Xv), labels=np.arange(10)))
    assert list(opt.intermediate_values()[number].values()) == pytest.approx(expected, rel=1e-9)


def _sgd_objective(params, trial):
    X, y = load_iris(return_X_y=True)
    est = SGDClassifier(alpha=params["eta"] * 100, random_state=0)
    return fit_with_pruning(est, X[::2], y[::2], X[1::2], y[1::2], trial, steps=6)


def test_study_prunes_through_the_helper():
    res = random_search(
        _sgd_objective,
        SPACE,
        n_calls=10,
        seed=4,
        pruner=MedianPruner(n_startup_trials=2),
        progress=False,
    )
    states = res.history["state"].tolist()
    assert "pruned" in states and "complete" in states and len(states) == 10
    curves = res.optimizer.intermediate_values()
    for t in res.optimizer.trials:
        assert (len(curves[t.number]) < 6) == (t.state == TrialState.PRUNED)


def test_helper_bad_input(rng):
    X, y = load_iris(return_X_y=True)
    _, _, trial = _trial()
    with pytest.raises(InputError, match="scoring"):
        fit_with_pruning(SGDClassifier(), X, y, X, y, trial, scoring="not_a_metric")
    with pytest.raises(InputError, match="estimator"):
        fit_with_pruning(SVC(), X, y, X, y, trial)
    with pytest.raises(InputError, match="steps"):
        fit_with_pruning(GradientBoostingClassifier(n_estimators=3), X, y, X, y, trial, steps=4)
    assert not math.isnan(
        fit_with_pruning(SGDClassifier(random_state=0), X, y, X, y, trial, steps=1)
    )
