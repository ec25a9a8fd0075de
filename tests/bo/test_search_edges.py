"""BayesSearchCV at the edges scikit-learn's own search tests probe: resuming a study that
another setup scored, empty folds, a callable refit's answer, live executors in clones and
pickles, and the argument values scikit-learn accepts."""

from __future__ import annotations

import concurrent.futures as cf
import pickle
import warnings
from dataclasses import asdict

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.svm import SVC
from sklearn.utils import get_tags

from pyjl.bo import Categorical, Optimizer, Real
from pyjl.bo.search import BayesSearchCV
from pyjl.exceptions import InputError, NotFittedError

SPACE = {"C": Real(1e-3, 10.0, log=True)}


@pytest.fixture(scope="module")
def data():
    return make_classification(90, 5, random_state=0)


def _search(**kw):
    return BayesSearchCV(LogisticRegression(), SPACE, **{"n_iter": 2, "cv": 3, **kw})


@pytest.mark.parametrize(
    "change, differ",
    [
        ({"scoring": "neg_log_loss"}, "metrics"),
        ({"cv": 4}, "folds"),
        ({"return_train_score": True}, "train_scores"),
        ({"estimator": SVC()}, "estimator"),
    ],
)
def test_a_study_scored_by_another_setup_is_refused_not_mixed(data, tmp_path, change, differ):
    # accuracy rows were mixed with log losses (and best_score_ taken across them), or the
    # fit crashed after running its new trials
    X, y = data
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = _search(storage=url, study="e", scoring="accuracy").fit(X, y)
    kw = {"storage": url, "study": "e", "scoring": "accuracy", "n_iter": 3, **change}
    est = kw.pop("estimator", LogisticRegression())
    with pytest.raises(InputError, match=f"`study` must hold candidates.*differ in .*{differ}"):
        BayesSearchCV(est, SPACE, **{"cv": 3, **kw}).fit(X, y)
    again = _search(storage=url, study="e", scoring="accuracy", n_iter=3).fit(X, y)
    n = len(first.cv_results_["params"])
    np.testing.assert_array_equal(
        again.cv_results_["mean_test_score"][:n], first.cv_results_["mean_test_score"]
    )
    # the resumed rows are GridSearchCV's on the same folds
    grid = GridSearchCV(
        LogisticRegression(),
        {"C": [p["C"] for p in again.cv_results_["params"]]},
        cv=3,
        scoring="accuracy",
    ).fit(X, y)
    np.testing.assert_allclose(
        again.cv_results_["mean_test_score"], grid.cv_results_["mean_test_score"], rtol=1e-12
    )


def test_no_folds_is_refused(data):
    # GridSearchCV: "No fits were performed. Was the CV iterator empty?"
    with pytest.raises(InputError, match="`cv` must give at least one"):
        _search(cv=[]).fit(*data)


@pytest.mark.parametrize("answer, builtin", [(-1, IndexError), (99, IndexError), (1.0, TypeError)])
def test_a_callable_refits_answer_is_checked(data, answer, builtin):
    # the built-in exception scikit-learn raises, as an InputError naming `refit`
    with pytest.raises(builtin):
        GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, refit=lambda r: answer).fit(
            *data
        )
    with pytest.raises(builtin, match="`refit` must return") as got:
        _search(refit=lambda results: answer).fit(*data)
    assert isinstance(got.value, InputError)
    assert _search(refit=lambda r: np.int64(1)).fit(*data).best_index_ == 1


def test_numpy_false_does_not_refit(data):
    s = _search(refit=np.False_).fit(*data)
    assert not hasattr(s, "best_estimator_")


def test_arguments_scikit_learn_accepts(data):
    s = _search(n_jobs=None, verbose=False, random_state=np.random.RandomState(0)).fit(*data)
    t = _search(random_state=np.random.RandomState(0)).fit(*data)
    assert s.cv_results_["params"] == t.cv_results_["params"]


def test_score_before_fit_is_not_fitted():
    with pytest.raises(NotFittedError):
        _search().score(np.zeros((3, 5)), [0, 1, 0])


def test_a_live_executor_is_shared_by_clones_and_left_behind_by_pickle(data):
    X, y = data
    with cf.ThreadPoolExecutor(2) as pool:
        s = _search(executor=pool)
        assert clone(s).executor is pool
        scores = cross_val_score(s, X, y, cv=2)  # nested CV clones the search
        assert scores.shape == (2,) and np.isfinite(scores).all()
        s.fit(X, y)
    copy = pickle.loads(pickle.dumps(s))
    assert copy.executor is None
    np.testing.assert_array_equal(copy.predict(X), s.predict(X))


def test_pickling_leaves_the_searchs_own_executor_alone(data):
    with cf.ThreadPoolExecutor(2) as pool:
        s = _search(executor=pool)
        pickle.dumps(s)
        assert s.executor is pool


def test_a_search_beats_for_the_candidates_it_scores(data, tmp_path, monkeypatch):
    # another worker's stale_after must not abandon a candidate whose folds take long
    import time

    from sklearn.base import BaseEstimator, ClassifierMixin

    from pyjl.bo import Optimizer
    from pyjl.bo import executors as bo_executors

    monkeypatch.setattr(bo_executors, "HEARTBEAT_S", 0.1)
    url = f"sqlite:///{tmp_path / 'h.db'}"
    seen = []

    class Slow(ClassifierMixin, BaseEstimator):
        def __init__(self, C=1.0):
            self.C = C

        def fit(self, X, y):
            time.sleep(0.4)
            t = Optimizer(None, storage=url, study="h").trials[-1]
            seen.append(t.heartbeat - t.created)
            self.classes_ = np.unique(y)
            return self

        def predict(self, X):
            return np.full(len(X), self.classes_[0])

    BayesSearchCV(Slow(), SPACE, n_iter=1, cv=2, storage=url, study="h", refit=False).fit(*data)
    assert max(seen) > 0.2


def test_failed_fits_are_reported_in_scikit_learns_words(data):
    # the same warning text as GridSearchCV on the same failing candidate
    import warnings

    from sklearn.exceptions import FitFailedWarning

    from pyjl.bo import Categorical

    def messages(search, category=FitFailedWarning):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            search.fit(*data)
        return [str(w.message) for w in got if w.category is category]

    grid = GridSearchCV(LogisticRegression(), {"solver": ["lbfgs", "bad"]}, cv=3)
    ours = BayesSearchCV(
        LogisticRegression(), {"solver": Categorical(["lbfgs", "bad"])}, n_iter=2, cv=3
    )
    theirs, mine = messages(grid), messages(ours)
    head = theirs[0].split("Below are more details")[0]
    assert mine and mine[0].startswith(head)
    # and the "non-finite scores" warning, test and train, as GridSearchCV gives it
    grid.set_params(return_train_score=True)
    ours.set_params(return_train_score=True)
    theirs, mine = messages(grid, UserWarning), messages(ours, UserWarning)
    assert [m.split(":")[0] for m in mine] == [m.split(":")[0] for m in theirs]
    assert len(mine) == 2 and "test scores are non-finite: [" in mine[0]
    with pytest.raises(ValueError, match=r"All the 3 fits failed\.\nIt is very likely"):
        BayesSearchCV(LogisticRegression(), {"solver": Categorical(["bad"])}, n_iter=1, cv=3).fit(
            *data
        )


def test_a_space_smaller_than_n_iter_is_searched_whole_with_the_warning(data):
    # RandomizedSearchCV's warning, in its words, and every point scored once
    from sklearn.model_selection import RandomizedSearchCV

    from pyjl.bo import Categorical

    grid = {"C": [0.1, 1.0], "fit_intercept": [True, False]}
    with pytest.warns(UserWarning) as theirs:
        RandomizedSearchCV(LogisticRegression(), grid, n_iter=10, cv=3).fit(*data)
    space = {k: Categorical(v) for k, v in grid.items()}
    with pytest.warns(UserWarning) as mine:
        search = BayesSearchCV(LogisticRegression(), space, n_iter=10, cv=3).fit(*data)
    assert [str(w.message) for w in mine] == [str(w.message) for w in theirs]
    assert sorted(map(str, search.cv_results_["params"])) == sorted(
        str({"C": c, "fit_intercept": f}) for c in grid["C"] for f in grid["fit_intercept"]
    )


def test_a_resumed_pruned_trial_without_folds_is_not_a_failure(data, tmp_path):
    # a study that minimize wrote, with a pruned trial: NaN in cv_results_, but no
    # "non-finite scores" warning, which is for failed candidates
    import warnings

    from pyjl.bo import Optimizer, Space

    url = f"sqlite:///{tmp_path / 's.db'}"
    space = {"C": Real(1e-3, 10.0, log=True)}
    opt = Optimizer(Space(space), storage=url, study="s")
    [(number, _)] = opt.ask_trials(1)
    opt.report(number, 1, -0.5)
    opt.tell_pruned(number)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "One or more of the test scores are non-finite")
        search = _search(n_iter=3, storage=url, study="s").fit(*data)
    assert np.isnan(search.cv_results_["mean_test_score"][0])


@pytest.mark.parametrize(
    "estimator, name",
    [(LogisticRegression(), "C"), (Ridge(), "alpha"), (PCA(), "n_components")]
    + [(SVC(kernel="precomputed"), "C")],
)
def test_tags_are_handed_on_as_gridsearchcv_hands_them(estimator, name):
    grid = get_tags(GridSearchCV(estimator, {name: [1]}))
    ours = get_tags(BayesSearchCV(estimator, {name: Categorical([1])}))
    assert asdict(ours) == asdict(grid)


def _warned(search, X, y, **fit_params) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y, **fit_params)
    return sorted({str(w.message).split(".")[0] for w in caught if w.category is UserWarning})


def test_scoring_warnings_are_scikit_learns(data):
    # a scorer that fails for C=1 and takes no sample_weight: the same two warnings
    def accuracy(est, X, y):
        if est.C == 1:
            raise ZeroDivisionError("fails")
        return float(np.mean(est.predict(X) == y))

    kw = {"scoring": accuracy, "cv": 3, "error_score": -5.0}
    w = np.ones(len(data[1]))
    grid = GridSearchCV(LogisticRegression(), {"C": [0.1, 1]}, **kw)
    ours = BayesSearchCV(LogisticRegression(), {"C": Categorical([0.1, 1])}, n_iter=2, **kw)
    expected = _warned(grid, *data, sample_weight=w)
    assert len(expected) == 2
    assert _warned(ours, *data, sample_weight=w) == expected


class _FailsAtTen(LogisticRegression):
    """LogisticRegression that raises on C = 10 (a candidate that cannot fit)."""

    def fit(self, X, y, sample_weight=None):
        if self.C == 10.0:
            raise ValueError("C = 10 cannot fit")
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_error_score_raise_fails_only_the_candidate_that_raised(data, tmp_path, n_jobs):
    # its batch partner was stored failed with the other's error, counted in n_iter and
    # never evaluated on resume; it is abandoned, asked again, and scores as GridSearchCV
    X, y = data
    url = f"sqlite:///{tmp_path / 's.db'}"
    space = {"C": Categorical([0.1, 1.0, 10.0, 100.0])}
    kw = {"n_iter": 4, "cv": 3, "storage": url, "study": "e", "random_state": 0, "n_points": 2}
    with pytest.raises(ValueError, match="C = 10 cannot fit"):
        BayesSearchCV(_FailsAtTen(), space, error_score="raise", n_jobs=n_jobs, **kw).fit(X, y)
    history = Optimizer(None, storage=url, study="e").history()
    states = dict(zip(history["C"], history["state"]))
    assert states[10.0] == "failed"
    assert [s for c, s in states.items() if c != 10.0 and s not in ("complete",)] == ["abandoned"]
    resumed = BayesSearchCV(_FailsAtTen(), space, **kw).fit(X, y)
    grid = GridSearchCV(_FailsAtTen(), {"C": [0.1, 1.0, 100.0]}, cv=3).fit(X, y)
    ours = dict(
        zip(
            [p["C"] for p in resumed.cv_results_["params"]], resumed.cv_results_["mean_test_score"]
        )
    )
    for c, score in zip(grid.cv_results_["param_C"], grid.cv_results_["mean_test_score"]):
        assert ours[c] == pytest.approx(score, rel=1e-12)
    assert np.isnan(ours[10.0])


class _FailsAtTenOnSecondFold(LogisticRegression):
    """LogisticRegression that raises on C = 10 when trained on 61 rows (fold 2 below)."""

    def fit(self, X, y, sample_weight=None):
        if self.C == 10.0 and len(X) == 61:
            raise ValueError("C = 10 cannot fit fold 2")
        return super().fit(X, y, sample_weight=sample_weight)


def test_error_score_raise_keeps_a_partner_pruned_before_the_raise(data, tmp_path):
    # the partner pruned after fold 1 was abandoned when the other raised at fold 2, so
    # the resumed study evaluated it again; it is stored pruned, with its fold-1 score
    from pyjl.bo import ThresholdPruner

    X, y = data
    idx = np.arange(len(y))
    cv = [(idx[30:], idx[:30]), (idx[np.r_[0:30, 59:90]], idx[30:59]), (idx[:60], idx[60:])]
    url = f"sqlite:///{tmp_path / 's.db'}"
    space = {"C": Categorical([1e-6, 10.0])}
    kw = {"n_iter": 2, "cv": cv, "storage": url, "study": "p", "random_state": 0}
    pruner = ThresholdPruner(upper=-0.6)  # reports are minus the accuracy so far
    search = BayesSearchCV(
        _FailsAtTenOnSecondFold(), space, error_score="raise", n_points=2, pruner=pruner, **kw
    )
    with pytest.raises(ValueError, match="cannot fit fold 2"):
        search.fit(X, y)
    opt = Optimizer(None, storage=url, study="p")
    states = dict(zip(opt.history()["C"], opt.history()["state"]))
    assert states == {1e-6: "pruned", 10.0: "failed"}
    pruned = next(t for t in opt.trials if t.params["C"] == 1e-6)
    first = cross_val_score(LogisticRegression(C=1e-6), X, y, cv=cv[:1])[0]
    assert pruned.value == pytest.approx(-first, rel=1e-12)


@pytest.mark.parametrize("refit", [False, ""])
def test_a_false_refit_fits_no_best_estimator_as_gridsearchcv(data, refit):
    # refit="" refitted (only False itself was read as off), while predict said "refit=False"
    X, y = data
    grid = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, refit=refit).fit(X, y)
    ours = BayesSearchCV(
        LogisticRegression(), {"C": Categorical([0.1, 1.0])}, n_iter=2, cv=3, refit=refit
    ).fit(X, y)
    for name in ("best_estimator_", "refit_time_", "predict"):
        assert hasattr(ours, name) is hasattr(grid, name) is False, name
    assert ours.best_params_ == grid.best_params_


def test_every_candidate_pruned_warns_that_the_best_is_not_measured():
    # all four pruned after one fold: the ranks tie (all 1, as scikit-learn ranks all NaN)
    # and the first candidate was refitted as the best without a word
    from pyjl.bo import ThresholdPruner

    X, y = make_classification(80, 4, random_state=2, flip_y=0.2)
    search = BayesSearchCV(
        LogisticRegression(), {"C": Real(1e-3, 10, log=True)}, n_iter=4, cv=4,
        pruner=ThresholdPruner(upper=-0.99), random_state=0,
    )  # fmt: skip
    with pytest.warns(UserWarning, match="no candidate has a mean test score"):
        search.fit(X, y)
    assert np.isnan(search.cv_results_["mean_test_score"]).all()
    assert list(search.cv_results_["rank_test_score"]) == [1, 1, 1, 1]


def test_a_bad_executor_names_n_jobs_in_its_fix(data):
    # the fix said "or None with n_workers", minimize's argument, not BayesSearchCV's
    with pytest.raises(InputError, match=r"`executor` must be None.*or None with n_jobs\."):
        BayesSearchCV(LogisticRegression(), SPACE, n_iter=1, cv=2, executor="Dask").fit(*data)
