"""The hmmlearn-suite plugin really hands pyjl's HMM to hmmlearn's tests."""

import builtins
import functools
import itertools
import sys

import hmmlearn.hmm
import numpy as np
import pytest

import pyjl.hmm
from pyjl.hmm import HMM, Categorical, Mixture, MvNormal, Poisson

from . import adapters
from . import conftest as plugin

_load = functools.cache(plugin._load)

ADAPTED = ["GaussianHMM", "GMMHMM", "CategoricalHMM", "MultinomialHMM", "PoissonHMM"]


def test_hmmlearn_test_modules_bind_the_adapters_in_every_import_form():
    gaussian = _load("test_gaussian_hmm")  # `from .. import hmm`
    assert gaussian.hmm.GaussianHMM is adapters.GaussianHMM
    categorical = _load("test_categorical_hmm")  # `from hmmlearn import hmm`
    assert categorical.hmm.CategoricalHMM is adapters.CategoricalHMM
    gmm = _load("test_gmm_hmm_new")  # `from ..hmm import GMMHMM`, a helper test module
    assert gmm.GMMHMM is adapters.GMMHMM
    assert plugin._helper("test_gmm_hmm").hmm.GMMHMM is adapters.GMMHMM
    base = _load("test_base")  # `from hmmlearn.base import ...`, `from hmmlearn import _hmmc`
    assert (
        base.BaseHMM is adapters.BaseHMM and base.ConvergenceMonitor is pyjl.hmm.ConvergenceMonitor
    )
    with pytest.raises(AttributeError, match="not translated"):
        base._hmmc.forward_log  # noqa: B018 - hmmlearn's kernels are never handed over
    helpers = plugin._helper("__init__")  # `from . import assert_log_likelihood_increasing`
    assert gaussian.assert_log_likelihood_increasing is helpers.assert_log_likelihood_increasing
    assert helpers.normalize is hmmlearn.utils.normalize  # the tests' input builder stays
    scope = {"__builtins__": {**vars(builtins), "__import__": plugin._import}}
    exec("import hmmlearn.hmm\nfrom hmmlearn.hmm import PoissonHMM as P", scope)
    assert scope["hmmlearn"].hmm.MultinomialHMM is adapters.MultinomialHMM
    assert scope["P"] is adapters.PoissonHMM
    with pytest.raises(ImportError):  # a name the adapters do not give: never hmmlearn's
        exec("from hmmlearn.hmm import COVARIANCE_TYPES", scope)


def test_hmmlearn_itself_is_untouched(monkeypatch):
    _load("test_gaussian_hmm")
    for name in ADAPTED:
        assert getattr(hmmlearn.hmm, name).__module__ == "hmmlearn.hmm"
    assert sys.modules["hmmlearn.hmm"] is hmmlearn.hmm
    fits = _spy(monkeypatch, "fit")
    X = np.random.default_rng(0).normal(size=(50, 2))
    hmmlearn.hmm.GaussianHMM(2, n_iter=2, random_state=0).fit(X)  # hmmlearn's own code
    assert fits == []


def test_loading_hmmlearns_test_helpers_keeps_numpys_error_state():
    before = np.geterr()
    plugin._load("__init__")  # hmmlearn's tests/__init__.py sets np.seterr(all="warn")
    assert np.geterr() == before


def _spy(monkeypatch, name):
    calls = []
    real = getattr(HMM, name)

    def spy(self, *args, **kwargs):
        calls.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(HMM, name, spy)
    return calls


def _gaussian(covariance_type, rng):
    K, d = 3, 2
    h = adapters.GaussianHMM(K, covariance_type, init_params="", n_iter=3)
    h.startprob_ = np.full(K, 1 / K)
    h.transmat_ = rng.dirichlet(np.ones(K), size=K)
    h.means_ = 4 * rng.normal(size=(K, d))
    cov = {
        "spherical": rng.uniform(0.5, 2, K),
        "diag": rng.uniform(0.5, 2, (K, d)),
        "full": np.array([np.eye(d) + 0.3 * np.ones((d, d))] * K),
        "tied": np.eye(d) + 0.3 * np.ones((d, d)),
    }[covariance_type]
    h.covars_ = cov
    return h, cov


@pytest.mark.parametrize("covariance_type", ["spherical", "diag", "full", "tied"])
def test_gaussian_adapter_is_pyjls_hmm_at_the_same_parameters(covariance_type, rng):
    h, cov = _gaussian(covariance_type, rng)
    ours = HMM(
        MvNormal(h.means_, cov, covariance_type=covariance_type),
        3,
        init="given",
        startprob=h.startprob_,
        transmat=h.transmat_,
    )
    X = ours.sample(200, random_state=1)[0]
    # pyjl renormalises a given startprob/transmat; the adapter sets them as fitted ones
    assert h.score(X) == pytest.approx(ours.score(X), rel=1e-14)
    np.testing.assert_allclose(h.predict_proba(X), ours.predict_proba(X), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(h.decode(X)[1], ours.decode(X)[1])
    np.testing.assert_array_equal(h._covars_, cov)  # pyjl's compact layout
    full = h.covars_  # hmmlearn's getter: (n_components, d, d)
    assert full.shape == (3, 2, 2)
    np.testing.assert_array_equal(full, hmmlearn.utils.fill_covars(cov, covariance_type, 3, 2))


def test_fitting_through_the_adapter_is_pyjls_fit(monkeypatch, rng):
    fits = _spy(monkeypatch, "fit")
    h, _ = _gaussian("diag", rng)
    h.tol = -np.inf  # all n_iter iterations
    X, _ = h.sample(300, random_state=0)
    assert h.fit(X, [100, 200]) is h
    assert len(fits) == 1 and fits[0] is h._pyjl and fits[0].init == "given"
    assert h.monitor_ is h._pyjl.monitor_ and h.monitor_.iter == 3
    assert isinstance(h._pyjl.emission_, MvNormal) and h.means_ is h._pyjl.emission_.mean
    h._init(X)  # hmmlearn's private _init: pyjl's fit without EM iterations
    assert len(fits) == 2 and h.monitor_.iter == 0


def test_init_params_and_params_become_pyjls_init_and_params(rng):
    h, _ = _gaussian("diag", rng)
    X, _ = h.sample(300, random_state=0)
    h.init_params, h.params = "mc", "tmc"  # keep the chain, initialise the emission
    h.fit(X)
    assert (h._pyjl.init, h._pyjl.params) == ("kmeans", "te")
    np.testing.assert_array_equal(h._pyjl.startprob, np.full(3, 1 / 3))
    h.params = "stm"  # part of the emission: pyjl refits an emission whole
    with pytest.raises(NotImplementedError, match="whole"):
        h.fit(X)
    h.params, h.init_params = "stmc", "st"  # a kept emission with the chain initialised
    means = h.means_.copy()
    h._init(X)  # hmmlearn's _init: pyjl's fit with n_iter=0
    assert (h._pyjl.init, h._pyjl.init_params) == ("kmeans", "st")
    np.testing.assert_array_equal(h.means_, means)  # kept, not estimated anew


def test_each_adapter_holds_its_pyjl_emission():
    c = adapters.CategoricalHMM(2, n_features=3)
    c.emissionprob_ = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]
    assert isinstance(c._pyjl.emission_, Categorical) and c._pyjl.emission_.n_symbols == 3
    p = adapters.PoissonHMM(2)
    p.lambdas_ = [[1.0, 2.0], [3.0, 4.0]]
    assert isinstance(p._pyjl.emission_, Poisson) and p.n_features == 2
    m = adapters.MultinomialHMM(2, n_trials=5)
    m.emissionprob_ = [[0.5, 0.5], [0.1, 0.9]]
    assert m._pyjl.emission_.n_trials == 5
    g = adapters.GMMHMM(2, n_mix=3, covariance_type="diag")
    g.means_ = np.arange(12.0).reshape(2, 3, 2)
    g.covars_ = np.ones((2, 3, 2))
    g.weights_ = np.full((2, 3), 1 / 3)
    em = g._pyjl.emission_
    assert isinstance(em, Mixture) and len(em.components) == 3
    np.testing.assert_array_equal(em.components[1].mean, [[2.0, 3.0], [8.0, 9.0]])
    np.testing.assert_array_equal(g.means_, np.arange(12.0).reshape(2, 3, 2))
    with pytest.raises(NotImplementedError, match="tied"):
        adapters.GMMHMM(2, n_mix=3, covariance_type="tied").weights_ = g.weights_
    assert not hasattr(adapters.GaussianHMM(2), "means_")  # unset, as in hmmlearn


def test_sampling_without_a_seed_draws_from_numpys_global_generator():
    h, _ = _gaussian("diag", np.random.default_rng(0))
    np.random.seed(5)  # noqa: NPY002 - hmmlearn's None is NumPy's global RandomState
    first = h.sample(10)[0]
    np.random.seed(5)  # noqa: NPY002
    np.testing.assert_array_equal(h.sample(10)[0], first)


def test_seeds_depend_on_the_test_and_hmmlearn_seed(monkeypatch):
    monkeypatch.delenv("HMMLEARN_SEED", raising=False)
    a, b = plugin.seed("test_base::test_x"), plugin.seed("test_base::test_y")
    assert a != b and a == plugin.seed("test_base::test_x")
    monkeypatch.setenv("HMMLEARN_SEED", "7")
    assert plugin.seed("test_base::test_x") == (a + 7) % 2**32


def _ids(func):
    """The parametrisation ids of ``func`` (string values, as hmmlearn's tests have them)."""
    values = [
        [str(v) for v in m.args[1]]
        for m in getattr(func, "pytestmark", ())
        if m.name == "parametrize"
    ]
    return {"-".join(p) for p in itertools.product(*values)} if values else set()


@pytest.mark.parametrize("table", ["internals", "slow", "thin"])
def test_config_entries_name_existing_hmmlearn_tests(table):
    for key in plugin._config().get(table, {}):
        name, _, param = key.partition("[")
        module, *path = name.split("::")
        obj = _load(module)
        for part in path:
            obj = getattr(obj, part)
        assert callable(obj), key
        assert not param or param[:-1] in _ids(obj), key


def test_every_reason_names_its_category():
    for key, reason in plugin._config()["internals"].items():
        assert plugin.TALLY.category(reason) is not None, key
        assert reason.endswith("."), key
