"""BayesSearchCV against scikit-learn: GridSearchCV on the same folds gives the same scores
for the same parameters; the meta-estimator contract (clone, get/set_params, delegation);
executors, storage, bad input; real models (HistGradientBoosting, XGBoost) tuned."""

import concurrent.futures as cf
import json
import random
import time
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from pyjl.bo import (
    Categorical,
    Integer,
    MedianPruner,
    Real,
    Space,
    SuccessiveHalvingPruner,
    TrialState,
)
from pyjl.bo.search import BayesSearchCV
from pyjl.exceptions import InputError, NotFittedError

GRID = {"C": [0.01, 0.1, 1.0, 10.0], "fit_intercept": [True, False]}


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    rows = np.random.default_rng(0).permutation(len(y))[:200]
    return X[rows], y[rows]


def _by_params(results: dict, key: str) -> dict:
    return {
        json.dumps(p, sort_keys=True): results[key][i] for i, p in enumerate(results["params"])
    }


def _same_as_grid(search, grid, keys):
    """Every candidate of ``grid`` has the same values of ``keys`` in ``search``."""
    assert set(grid.cv_results_) <= set(search.cv_results_)
    for key in keys:
        ours, theirs = _by_params(search.cv_results_, key), _by_params(grid.cv_results_, key)
        assert ours.keys() == theirs.keys()
        for p, v in theirs.items():
            np.testing.assert_allclose(ours[p], v, rtol=0, atol=1e-12, err_msg=f"{key} {p}")


def test_same_scores_as_gridsearchcv_on_the_same_folds(cancer):
    X, y = cancer
    cv = KFold(4, shuffle=True, random_state=0)
    space = {k: Categorical(v) for k, v in GRID.items()}
    est = LogisticRegression(max_iter=500)
    search = BayesSearchCV(est, space, n_iter=20, cv=cv, scoring="neg_log_loss", random_state=0)
    with pytest.warns(UserWarning, match="space of parameters 8 is smaller than n_iter=20"):
        search.fit(X, y)
    grid = GridSearchCV(est, GRID, cv=cv, scoring="neg_log_loss").fit(X, y)
    assert len(search.cv_results_["params"]) == 8  # the space is exhausted: every candidate
    keys = [f"split{k}_test_score" for k in range(4)] + ["mean_test_score", "std_test_score"]
    _same_as_grid(search, grid, keys + ["rank_test_score"])
    assert search.best_params_ == grid.best_params_
    assert search.best_score_ == pytest.approx(grid.best_score_, abs=1e-12)
    df = pd.DataFrame(search.cv_results_)
    assert list(df.columns[: len(grid.cv_results_)]) == list(grid.cv_results_)
    assert df["param_C"].dtype == pd.DataFrame(grid.cv_results_)["param_C"].dtype
    assert search.n_splits_ == 4 and not search.multimetric_
    np.testing.assert_array_equal(search.predict(X), grid.predict(X))
    assert search.score(X, y) == pytest.approx(grid.score(X, y), abs=1e-12)
    assert [t.value for t in search.study_.trials] == pytest.approx(
        [-s for s in search.cv_results_["mean_test_score"]], abs=1e-15
    )


def test_meta_estimator_contract(cancer):
    X, y = cancer
    search = BayesSearchCV(DecisionTreeClassifier(), {"max_depth": Integer(1, 4)}, n_iter=3)
    twin = clone(search)
    assert twin.get_params()["estimator__max_depth"] is None and twin.n_iter == 3
    twin.set_params(estimator__max_depth=2, n_iter=2, cv=3)
    assert twin.estimator.max_depth == 2 and twin.cv == 3
    assert search.estimator.max_depth is None  # clone copied it
    assert hasattr(search, "predict") and hasattr(search, "predict_proba")
    assert not hasattr(search, "transform")  # a tree has none: hasattr is truthful
    with pytest.raises(NotFittedError, match="not fitted"):
        search.predict(X)
    with pytest.raises(AttributeError):
        search.classes_  # noqa: B018
    twin.fit(X, y)
    np.testing.assert_array_equal(twin.classes_, [0, 1])
    assert twin.n_features_in_ == X.shape[1] and twin.refit_time_ >= 0
    assert twin.predict_proba(X).shape == (len(y), 2)


def test_pipeline_step_names_and_refit_false(cancer):
    X, y = cancer
    pipe = Pipeline([("scale", StandardScaler()), ("clf", DecisionTreeClassifier(random_state=0))])
    space = Space({"clf__max_depth": Integer(1, 6), "clf__criterion": Categorical(["gini"])})
    search = BayesSearchCV(pipe, space, n_iter=4, cv=3, random_state=1).fit(X, y)
    best = search.best_estimator_
    assert isinstance(best, Pipeline)
    assert best.named_steps["clf"].max_depth == search.best_params_["clf__max_depth"]
    expected = cross_val_score(clone(pipe).set_params(**search.best_params_), X, y, cv=3).mean()
    assert search.best_score_ == pytest.approx(expected, abs=1e-12)
    off = BayesSearchCV(pipe, space, n_iter=3, cv=3, refit=False, random_state=1).fit(X, y)
    assert off.best_params_ and not hasattr(off, "best_estimator_")
    assert not hasattr(off, "predict")


@pytest.mark.parametrize("kind", ["precomputed kernel", "sparse"])
def test_precomputed_and_sparse_x_scored_as_gridsearchcv(cancer, kind):
    # a pairwise estimator's folds are cut by rows and columns (scikit-learn's _safe_split)
    from scipy import sparse
    from sklearn.metrics.pairwise import rbf_kernel
    from sklearn.svm import SVC

    X, y = cancer
    cv = KFold(3, shuffle=True, random_state=0)
    if kind == "sparse":
        est, X = LogisticRegression(max_iter=500), sparse.csr_matrix(np.where(X > 0.5, X, 0.0))
    else:
        est, X = SVC(kernel="precomputed"), rbf_kernel(X, gamma=0.02)
    grid_space = {"C": [0.1, 1.0, 10.0]}
    search = BayesSearchCV(est, {"C": Categorical(grid_space["C"])}, n_iter=3, cv=cv)
    grid = GridSearchCV(est, grid_space, cv=cv).fit(X, y)
    _same_as_grid(search.fit(X, y), grid, [f"split{k}_test_score" for k in range(3)])
    np.testing.assert_array_equal(search.predict(X), grid.predict(X))


def test_scorers_as_gridsearchcv_reads_them(cancer):
    X, y = cancer
    est, space = LogisticRegression(max_iter=500), {"C": Categorical([0.1, 1.0])}

    def zero_d(est, X, y):  # a 0-d array, unwrapped as scikit-learn's _score does
        return np.asarray(np.mean(est.predict(X) == y))

    grid = GridSearchCV(est, {"C": [0.1, 1.0]}, cv=3, scoring=zero_d).fit(X, y)
    search = BayesSearchCV(est, space, n_iter=2, cv=3, scoring=zero_d).fit(X, y)
    assert search.best_score_ == pytest.approx(grid.best_score_, abs=1e-12)
    # one metric: a name in refit refits, as True does
    named = BayesSearchCV(est, space, n_iter=2, cv=3, scoring="accuracy", refit="accuracy")
    grid = GridSearchCV(est, {"C": [0.1, 1.0]}, cv=3, scoring="accuracy", refit="accuracy")
    assert named.fit(X, y).best_score_ == pytest.approx(grid.fit(X, y).best_score_, abs=1e-12)
    assert named.score(X, y) == pytest.approx(grid.score(X, y), abs=1e-12)

    def several(est, X, y):  # a dict of metrics from one callable: refused with the fix
        return {"acc": float(np.mean(est.predict(X) == y)), "neg_err": 0.0}

    with pytest.raises(InputError, match="dict of single-metric scorers"):
        BayesSearchCV(est, space, n_iter=1, cv=3, scoring=several, refit="acc").fit(X, y)
    off = BayesSearchCV(est, space, n_iter=2, cv=3, refit=False).fit(X, y)
    with pytest.raises(NotFittedError, match="refit=False"):
        off.score(X, y)


def test_multimetric_refit_names_the_optimised_metric(cancer):
    X, y = cancer
    cv = KFold(3, shuffle=True, random_state=0)
    space = {"C": Categorical([0.01, 1.0]), "fit_intercept": Categorical([True, False])}
    est = LogisticRegression(max_iter=500)
    scoring = ["accuracy", "neg_log_loss"]
    search = BayesSearchCV(est, space, n_iter=4, cv=cv, scoring=scoring, refit="neg_log_loss")
    search.fit(X, y)
    grid = GridSearchCV(
        est, {k: d.choices for k, d in space.items()}, cv=cv, scoring=scoring, refit="neg_log_loss"
    ).fit(X, y)
    keys = [f"mean_test_{m}" for m in scoring] + ["split2_test_accuracy"]
    _same_as_grid(search, grid, keys)
    assert search.multimetric_ and search.best_params_ == grid.best_params_
    assert search.score(X, y) == pytest.approx(grid.score(X, y), abs=1e-12)
    with pytest.raises(InputError, match="refit"):
        BayesSearchCV(est, space, scoring=scoring, refit=True).fit(X, y)


def test_error_score_nan_and_raise(cancer):
    X, y = cancer
    cv = KFold(3, shuffle=True, random_state=0)
    est = LogisticRegression(max_iter=500)
    space = {"solver": Categorical(["lbfgs", "no-such-solver"])}
    search = BayesSearchCV(est, space, n_iter=2, cv=cv, random_state=0)
    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 6"):
        search.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = GridSearchCV(est, {"solver": ["lbfgs", "no-such-solver"]}, cv=cv).fit(X, y)
    _same_as_grid(search, grid, ["split0_test_score", "mean_test_score", "rank_test_score"])
    states = {t.params["solver"]: t.state for t in search.study_.trials}
    assert states == {"lbfgs": TrialState.COMPLETE, "no-such-solver": TrialState.FAILED}
    assert search.best_params_ == {"solver": "lbfgs"}
    with pytest.raises(ValueError, match="solver"):
        BayesSearchCV(est, {"solver": Categorical(["no-such-solver"])}, n_iter=1, cv=cv).fit(X, y)
    raising = BayesSearchCV(
        est, {"solver": Categorical(["no-such-solver"])}, n_iter=1, cv=cv, error_score="raise"
    )
    with pytest.raises(ValueError, match="solver"):
        raising.fit(X, y)


def test_train_scores_and_groups_as_gridsearchcv(cancer, rng):
    X, y = cancer
    groups = rng.integers(0, 6, len(y))
    est = DecisionTreeClassifier(random_state=0)
    space = {"max_depth": Categorical([1, 2, 3])}
    search = BayesSearchCV(est, space, n_iter=3, cv=GroupKFold(3), return_train_score=True)
    search.fit(X, y, groups=groups)
    grid = GridSearchCV(est, {"max_depth": [1, 2, 3]}, cv=GroupKFold(3), return_train_score=True)
    grid.fit(X, y, groups=groups)
    keys = ["split1_test_score", "split1_train_score", "mean_train_score", "std_train_score"]
    _same_as_grid(search, grid, keys)


def test_threads_give_the_same_scores_as_serial(cancer):
    X, y = cancer
    space = {"max_depth": Integer(1, 8), "min_samples_leaf": Integer(1, 20)}
    est = DecisionTreeClassifier(random_state=0)
    runs = [
        BayesSearchCV(est, space, n_iter=7, cv=3, n_points=2, random_state=4, **kw).fit(X, y)
        for kw in ({}, {"n_jobs": 2}, {"executor": cf.ThreadPoolExecutor(2)})
    ]
    for other in runs[1:]:
        assert other.cv_results_["params"] == runs[0].cv_results_["params"]
        for k in range(3):
            key = f"split{k}_test_score"
            np.testing.assert_array_equal(other.cv_results_[key], runs[0].cv_results_[key])


def test_sqlite_study_resumes_and_seed_repeats(cancer, tmp_path):
    X, y = cancer
    space = {"max_depth": Integer(1, 10), "min_samples_leaf": Integer(1, 30)}
    url = f"sqlite:///{tmp_path / 'search.db'}"
    est = DecisionTreeClassifier(random_state=0)
    first = BayesSearchCV(est, space, n_iter=4, cv=3, storage=url, study="tree", random_state=2)
    first.fit(X, y)
    again = clone(first).set_params(n_iter=6).fit(X, y)
    assert len(again.study_.trials) == 6
    res = again.cv_results_
    assert res["params"][:4] == first.cv_results_["params"]
    np.testing.assert_allclose(res["mean_test_score"][:4], first.cv_results_["mean_test_score"])
    # the fold scores and times are stored with the trials: the earlier rows come back
    for key in ("split0_test_score", "split2_test_score", "std_test_score", "mean_fit_time"):
        np.testing.assert_array_equal(res[key][:4], first.cv_results_[key])
    assert np.isfinite(res["split0_test_score"]).all()
    assert again.best_score_ == pytest.approx(np.max(res["mean_test_score"]))
    twin = BayesSearchCV(est, space, n_iter=4, cv=3, random_state=2).fit(X, y)
    assert twin.cv_results_["params"] == first.cv_results_["params"]


def test_several_spaces_with_their_own_budgets():
    X, y = load_iris(return_X_y=True)
    est = DecisionTreeClassifier(random_state=0)
    spaces = [({"max_depth": Integer(1, 4)}, 2), {"min_samples_leaf": Integer(1, 40)}]
    search = BayesSearchCV(est, spaces, n_iter=3, cv=3, random_state=0).fit(X, y)
    assert [len(o.trials) for o in search.study_] == [2, 3]
    res = search.cv_results_
    assert res["param_max_depth"].mask.tolist() == [False] * 2 + [True] * 3
    assert res["param_min_samples_leaf"].mask.tolist() == [True] * 2 + [False] * 3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"search_spaces": {"max_dept": Integer(1, 3)}}, "'max_depth'"),
        ({"scoring": "acurracy"}, "'accuracy'"),
        ({"n_iter": 0}, "n_iter"),
        ({"cv": "five"}, "cv"),
        ({"cv": 1}, "cv"),
        ({"error_score": "ignore"}, "error_score"),
        ({"search_spaces": {"max_depth": [1, 2]}}, "search_spaces"),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    X, y = load_iris(return_X_y=True)
    args = {"search_spaces": {"max_depth": Integer(1, 3)}, "n_iter": 2, **kwargs}
    search = BayesSearchCV(DecisionTreeClassifier(), **args)  # the constructor only stores
    with pytest.raises(InputError, match=match):
        search.fit(X, y)


def _beats_weak_default(est, weak: dict, space: dict, X, y, n_iter: int) -> None:
    cv = KFold(3, shuffle=True, random_state=0)
    bad = cross_val_score(clone(est).set_params(**weak), X, y, cv=cv).mean()
    search = BayesSearchCV(est, space, n_iter=n_iter, cv=cv, random_state=0).fit(X, y)
    assert search.best_score_ > bad + 0.05
    assert accuracy_score(y, search.predict(X)) > bad


def test_histgradientboosting_tuned_beats_a_weak_setting():
    X, y = load_digits(return_X_y=True)
    X, y = X[:250], y[:250]
    est = HistGradientBoostingClassifier(max_iter=10, early_stopping=False, random_state=0)
    weak = {"learning_rate": 0.01, "max_depth": 2}
    space = {"learning_rate": Real(0.01, 0.5, log=True), "max_depth": Integer(2, 6)}
    _beats_weak_default(est, weak, space, X, y, n_iter=5)


def test_xgboost_tuned_beats_a_weak_setting():
    xgboost = pytest.importorskip("xgboost")
    X, y = load_breast_cancer(return_X_y=True)
    est = xgboost.XGBClassifier(n_estimators=20, n_jobs=1, tree_method="hist", random_state=0)
    weak = {"learning_rate": 0.001, "max_depth": 1}
    space = {"learning_rate": Real(0.001, 0.5, log=True), "max_depth": Integer(1, 6)}
    _beats_weak_default(est, weak, space, X, y, n_iter=6)


def test_pruner_stops_candidates_across_folds(cancer):
    X, y = cancer
    space = {"max_depth": Integer(1, 12), "min_samples_leaf": Integer(1, 60)}
    est = DecisionTreeClassifier(random_state=0)
    pruner = MedianPruner(n_startup_trials=3)
    search = BayesSearchCV(est, space, n_iter=12, cv=5, pruner=pruner, random_state=0)
    with warnings.catch_warnings():  # the folds a pruned candidate skipped are not failures
        warnings.filterwarnings("error", "One or more of the test scores are non-finite")
        search.fit(X, y)
    trials, curves = search.study_.trials, search.study_.intermediate_values()
    res = search.cv_results_
    splits = np.column_stack([res[f"split{k}_test_score"] for k in range(5)])
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    assert pruned and len(trials) == 12
    assert search.study_.pruned_as == "mean"  # fold means: pruned trials fitted as such
    for t in trials:  # each step: the running mean of the negated fold scores so far
        ran = splits[t.number][~np.isnan(splits[t.number])]
        expected = {k: -float(np.mean(ran[:k])) for k in range(1, len(ran) + 1)}
        assert curves[t.number] == pytest.approx(expected, abs=1e-12)
    for t in pruned:  # Optuna's median rule at the step it stopped, from the stored curves
        step = max(curves[t.number])
        earlier = [
            curves[s.number][step]
            for s in trials
            if s.state == TrialState.COMPLETE and s.finished < t.finished
        ]
        assert min(curves[t.number].values()) > np.median(earlier)
        assert t.value == curves[t.number][step] and step < 5
        assert np.isnan(res["mean_test_score"][t.number])
    assert res["rank_test_score"][search.best_index_] == 1
    assert trials[search.best_index_].state == TrialState.COMPLETE


def test_process_pool_gives_the_same_scores(cancer):
    X, y = cancer
    space = {"max_depth": Integer(1, 8)}
    est = DecisionTreeClassifier(random_state=0)
    serial = BayesSearchCV(est, space, n_iter=3, cv=3, random_state=5).fit(X, y)
    with cf.ProcessPoolExecutor(2) as pool:
        procs = BayesSearchCV(est, space, n_iter=3, cv=3, random_state=5, executor=pool)
        procs.fit(X, y)
    assert procs.cv_results_["params"] == serial.cv_results_["params"]
    np.testing.assert_array_equal(
        procs.cv_results_["split2_test_score"], serial.cv_results_["split2_test_score"]
    )


def _fit_in_two(est, space, X, y, url, **kw):
    """A search stopped after 4 candidates, then resumed to 8 from the storage."""
    BayesSearchCV(est, space, n_iter=4, storage=url, study="s", **kw).fit(X, y)
    return BayesSearchCV(est, space, n_iter=8, storage=url, study="s", **kw).fit(X, y)


def test_a_resumed_search_has_the_cv_results_of_an_uninterrupted_one(cancer, storage_url):
    # pruned candidates and train scores included; only the timings differ between runs
    X, y = cancer
    space = {"max_depth": Integer(1, 10), "min_samples_leaf": Integer(1, 30)}
    est = DecisionTreeClassifier(random_state=0)
    kw = dict(cv=4, random_state=3, return_train_score=True, pruner=MedianPruner(2))
    resumed = _fit_in_two(est, space, X, y, storage_url, **kw).cv_results_
    whole = BayesSearchCV(est, space, n_iter=8, **kw).fit(X, y).cv_results_
    assert sorted(resumed) == sorted(whole)
    assert resumed["params"] == whole["params"]
    for key, column in whole.items():
        if key == "params" or "time" in key:
            continue
        np.testing.assert_array_equal(np.asarray(resumed[key]), np.asarray(column), key)
    for key in ("mean_fit_time", "std_score_time"):  # stored: NaN only where pruned
        np.testing.assert_array_equal(np.isnan(resumed[key]), np.isnan(whole[key]))
        assert np.isfinite(resumed[key][:4]).any()
    assert np.isnan(resumed["split3_test_score"]).any()  # a pruned candidate's skipped fold


def test_optimizer_kwargs_reach_the_study(cancer):
    X, y = cancer
    space = {"max_depth": Integer(1, 10)}
    est = DecisionTreeClassifier(random_state=0)
    search = BayesSearchCV(est, space, n_iter=4, cv=3, optimizer_kwargs={"n_initial": 2})
    assert clone(search).get_params()["optimizer_kwargs"] == {"n_initial": 2}
    search.fit(X, y)
    assert search.study_._sampler.n_initial == 2
    for bad in ({"seed": 1}, {"n_initail": 2}, [("n_initial", 2)]):
        with pytest.raises(InputError, match="optimizer_kwargs"):
            BayesSearchCV(est, space, n_iter=2, optimizer_kwargs=bad).fit(X, y)


def test_sample_weight_weights_the_scores_as_gridsearchcv(cancer, rng):
    # scikit-learn's searches pass sample_weight to the scorer as well as to fit
    X, y = cancer
    w = rng.uniform(0.1, 3.0, len(y))
    cv = KFold(3, shuffle=True, random_state=0)
    est, grid_space = LogisticRegression(max_iter=500), {"C": [0.1, 1.0]}
    search = BayesSearchCV(est, {"C": Categorical([0.1, 1.0])}, n_iter=2, cv=cv)
    search.fit(X, y, sample_weight=w)
    grid = GridSearchCV(est, grid_space, cv=cv).fit(X, y, sample_weight=w)
    _same_as_grid(search, grid, [f"split{k}_test_score" for k in range(3)])


class _Jittery(DecisionTreeClassifier):
    """A tree whose fits take a random while, so that parallel folds end in any order."""

    def fit(self, X, y, sample_weight=None):
        time.sleep(random.random() * 0.01)
        return super().fit(X, y, sample_weight=sample_weight)


def test_a_pruned_search_is_the_same_on_any_number_of_workers(cancer):
    # the docs promise a serial run's candidates and scores with the same random_state;
    # with a pruner the folds run in lockstep and are reported in the asked order
    X, y = cancer
    space = {"max_depth": Integer(1, 12), "min_samples_leaf": Integer(1, 80)}
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)

    def run(**kw):
        search = BayesSearchCV(
            _Jittery(random_state=0),
            space,
            n_iter=8,
            n_points=4,
            cv=5,
            pruner=pruner,
            random_state=0,
            **kw,
        ).fit(X, y)
        res = search.cv_results_
        return res["params"], np.asarray(res["mean_test_score"]), search.study_.history()["state"]

    serial = run(n_jobs=1)
    assert "pruned" in set(serial[2])
    with cf.ProcessPoolExecutor(2) as pool:  # an in-memory study: reports stay in this process
        runs = [run(n_jobs=4), run(n_jobs=4), run(executor=pool)]
    for params, means, states in runs:
        assert params == serial[0]
        np.testing.assert_array_equal(means, serial[1])
        assert list(states) == list(serial[2])


def test_fit_leaves_the_pruner_and_sampler_as_given(cancer):
    # scikit-learn's check_estimators_overwrite_params; a refit and a clone of a fitted
    # search reproduce the first fit (skopt's test_searchcv_reproducibility)
    from pyjl.bo import GPSampler

    X, y = cancer
    space = {"max_depth": Integer(1, 12), "min_samples_leaf": Integer(1, 80)}
    search = BayesSearchCV(
        DecisionTreeClassifier(random_state=0),
        space,
        n_iter=8,
        n_points=2,
        cv=5,
        pruner=SuccessiveHalvingPruner(reduction_factor=2),
        random_state=0,
        optimizer_kwargs={"sampler": GPSampler(n_initial=2)},
    )
    before = joblib.hash(search.get_params())
    first = search.fit(X, y).cv_results_
    assert joblib.hash(search.get_params()) == before
    for again in (search.fit(X, y).cv_results_, clone(search).fit(X, y).cv_results_):
        assert again["params"] == first["params"]
        np.testing.assert_array_equal(again["mean_test_score"], first["mean_test_score"])


def test_tuple_choices_score_as_gridsearchcv():
    # hidden_layer_sizes is a tuple: a categorical of tuples, as GridSearchCV lists them
    from sklearn.neural_network import MLPClassifier

    X, y = load_iris(return_X_y=True)
    sizes = [(3,), (3, 3), (5,)]
    cv = KFold(3, shuffle=True, random_state=0)
    est = MLPClassifier(max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the MLPs stop before converging
        ours = BayesSearchCV(
            est, {"hidden_layer_sizes": Categorical(sizes)}, n_iter=3, cv=cv, random_state=0
        ).fit(X, y)
        grid = GridSearchCV(est, {"hidden_layer_sizes": sizes}, cv=cv).fit(X, y)
    got = dict(zip(map(str, ours.cv_results_["params"]), ours.cv_results_["mean_test_score"]))
    want = dict(zip(map(str, grid.cv_results_["params"]), grid.cv_results_["mean_test_score"]))
    assert got == want
    assert sorted(ours.cv_results_["param_hidden_layer_sizes"].tolist()) == sorted(sizes)
    assert type(ours.best_params_["hidden_layer_sizes"]) is tuple
    assert ours.best_estimator_.hidden_layer_sizes == ours.best_params_["hidden_layer_sizes"]


def test_optimizer_results_are_scikit_optimizes_view_of_each_space():
    # func_vals are the negated mean test scores of that space's candidates, as in skopt
    from sklearn.svm import SVC

    X, y = load_iris(return_X_y=True)
    spaces = [({"C": Real(0.1, 10.0, log=True)}, 3), {"gamma": Real(1e-3, 1.0, log=True)}]
    search = BayesSearchCV(SVC(), spaces, n_iter=4, cv=3, random_state=0)
    with pytest.raises(NotFittedError, match="optimizer_results_"):
        _ = search.optimizer_results_
    search.fit(X, y)
    results = search.optimizer_results_
    assert len(results) == 2
    cv = search.cv_results_
    for name, res in zip(["C", "gamma"], results, strict=True):
        mine = [i for i, p in enumerate(cv["params"]) if name in p]
        scores = cv["mean_test_score"][mine]
        np.testing.assert_allclose(np.sort(-res.func_vals), np.sort(scores), rtol=1e-15)
        assert sorted(x[0] for x in res.x_iters) == sorted(cv["params"][i][name] for i in mine)
        assert res.fun == -scores.max() and res.x == [
            cv["params"][mine[int(np.argmax(scores))]][name]
        ]
