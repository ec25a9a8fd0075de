"""HMM and its emissions under scikit-learn's parameter protocol (hmmlearn's models are
scikit-learn estimators): clone, get_params / set_params, and cross-validation scored
against hmmlearn fitted fold by fold from the same starting parameters."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from pyjl.exceptions import InputError
from pyjl.hmm import HMM, Categorical, Mixture, MvNormal, Normal

hmm = pytest.importorskip("hmmlearn.hmm")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import KFold, cross_val_score  # noqa: E402


def _series(seed=0, T=600):
    rng = np.random.default_rng(seed)
    z = np.repeat(rng.integers(0, 2, T // 50), 50)
    return np.array([[-1.0, 0.5], [1.5, -0.5]])[z] + rng.normal(size=(T, 2))


def test_cross_validation_scores_equal_hmmlearn_fold_by_fold():
    X = _series()
    K = 2
    pi, A = np.array([0.6, 0.4]), np.array([[0.9, 0.1], [0.2, 0.8]])
    mu, var = np.array([[-0.5, 0.0], [0.5, 0.0]]), np.ones((K, 2))
    ours = HMM(Normal(mu, var), K, n_iter=15, init="given", startprob=pi, transmat=A)
    folds = KFold(3)  # contiguous blocks: each fold's rows are one sequence
    got = cross_val_score(ours, X, cv=folds)
    want = []
    for train, test in folds.split(X):
        theirs = hmm.GaussianHMM(K, "diag", n_iter=15, init_params="")
        theirs.startprob_, theirs.transmat_, theirs.means_, theirs.covars_ = pi, A, mu, var
        want.append(theirs.fit(X[train]).score(X[test]))
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert not hasattr(ours, "startprob_")  # cross_val_score fitted clones


def test_clone_is_unfitted_with_equal_settings_and_its_own_emission():
    X = _series()
    model = HMM(MvNormal(covariance_type="tied"), 2, n_iter=7, tol=1e-3, random_state=3)
    model.fit(X)
    twin = clone(model)
    assert not hasattr(twin, "startprob_") and not hasattr(twin, "monitor_")
    assert twin.emission is not model.emission
    assert twin.get_params(deep=True).keys() == model.get_params(deep=True).keys()
    for k, v in model.get_params(deep=False).items():
        if k != "emission":
            assert twin.get_params(deep=False)[k] == v
    twin.fit(X)
    np.testing.assert_allclose(twin.transmat_, model.transmat_, rtol=1e-12)
    assert twin.score(X) == pytest.approx(model.score(X), rel=1e-12)


def test_nested_settings_reach_the_emission():
    model = HMM(Mixture(Normal(), n_components=2), 3)
    params = model.get_params()
    assert params["n_states"] == 3
    assert params["emission__n_components"] == 2 and params["emission__n_inner"] == 1
    model.set_params(n_states=4, emission__n_components=3, emission__components__min_covar=0.5)
    assert model.n_states == 4 and len(model.emission.components) == 3
    assert all(c.min_covar == 0.5 for c in model.emission.components)
    X = _series()
    model.set_params(n_iter=3, random_state=0).fit(X)
    assert model.transmat_.shape == (4, 4) and model.emission_.weights.shape == (4, 3)


def test_set_params_names_the_setting_and_fit_checks_it():
    model = HMM(Categorical(), 2, n_iter=10)
    model.set_params(n_iter=50, n_states=0)  # checked by fit, as the constructor's
    with pytest.raises(InputError, match="n_states"):
        model.fit(np.array([[0], [1], [1]]))
    with pytest.raises(InputError, match="set_params.*'n_components'"):
        model.set_params(n_components=3)  # hmmlearn's name; pyjl's is n_states
    with pytest.raises(InputError, match="n_components"):
        Mixture([Normal(), Normal()], n_components=3)


def test_a_mixture_pickled_before_get_params_still_lists_its_settings():
    mix = Mixture([Normal(), Normal()])
    state = mix.__dict__.copy()
    del state["_given"]
    old = Mixture.__new__(Mixture)
    old.__dict__.update(state)
    old = pickle.loads(pickle.dumps(old))
    params = old.get_params(deep=False)
    assert len(params["components"]) == 2 and params["n_components"] is None
    assert len(clone(old).components) == 2


def test_set_params_keeps_a_fitted_mixtures_components():
    X = _series()
    model = HMM(Mixture(Normal(), n_components=2), 2, random_state=0, n_iter=5).fit(X)
    before = model.score(X)
    model.emission_.set_params(n_inner=1)  # a setting, not the components
    assert model.score(X) == before
    mix = Mixture([Normal(), Normal()])
    mix.components = [Normal(), Normal(), Normal()]  # a documented attribute
    assert len(mix.get_params()["components"]) == 3
    mix.set_params(components__2__min_covar=0.5)  # a list's items, by index
    assert [c.min_covar for c in mix.components] == [1e-3, 1e-3, 0.5]


def test_an_hmm_pickled_before_its_newer_settings_keeps_its_parameters():
    # models pickled before params/verbose/init_params/algorithm/implementation existed
    model = HMM(Normal(mean=[0.0, 1.0], var=[1.0, 1.0]), 2, init="given", n_iter=7,
                startprob=[0.5, 0.5], transmat=[[0.9, 0.1], [0.1, 0.9]])  # fmt: skip
    old = HMM.__new__(HMM)
    old.__dict__.update(model.__dict__)
    for name in ("params", "verbose", "init_params", "algorithm", "implementation"):
        del old.__dict__[name]
    old = pickle.loads(pickle.dumps(old))
    got, want = old.get_params(deep=False), model.get_params(deep=False)
    assert repr(got.pop("emission")) == repr(want.pop("emission"))
    assert repr(got) == repr(want)  # arrays among them
    X = np.array([0.1, 0.9, 1.2, -0.3])
    np.testing.assert_array_equal(old.predict(X), model.predict(X))
    assert old.set_params(n_iter=5).n_iter == 5
