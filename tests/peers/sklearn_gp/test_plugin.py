"""The scikit-learn GP plugin really hands pyjl.gp, through the adapters, to scikit-learn's
tests, and every entry of sklearn_gp.toml names a test it collects."""

import ast
import functools
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn.gaussian_process
import sklearn.gaussian_process.kernels as sk_kernels
from sklearn.base import clone

import pyjl.gp

from . import adapters
from . import conftest as plugin

ROOT = Path(__file__).resolve().parents[3]
_load = functools.cache(plugin._load)
X = np.random.default_rng(0).normal(size=(6, 2))
y = np.sin(X[:, 0]) + X[:, 1]


def test_scikit_learn_names_are_the_adapters_and_scikit_learn_is_untouched():
    for name, obj in vars(sk_kernels).items():
        if isinstance(obj, type) and issubclass(obj, sk_kernels.Kernel):
            assert getattr(plugin.KERNELS, name) is getattr(adapters, name), name
    assert plugin.GAUSSIAN_PROCESS.GaussianProcessRegressor is adapters.GaussianProcessRegressor
    with pytest.raises(adapters.NoPyjlEquivalent, match="no Gaussian-process classifier"):
        plugin.GAUSSIAN_PROCESS.GaussianProcessClassifier()  # never scikit-learn's in its place
    assert plugin.GAUSSIAN_PROCESS.kernels is plugin.KERNELS
    assert plugin.KERNELS._approx_fprime is sk_kernels._approx_fprime  # a test helper
    gpr = sklearn.gaussian_process.GaussianProcessRegressor
    assert gpr.__module__ == "sklearn.gaussian_process._gpr"  # scikit-learn itself
    assert sk_kernels.RBF.__module__ == "sklearn.gaussian_process.kernels"
    assert sys.modules["sklearn.gaussian_process.kernels"] is sk_kernels


def test_scikit_learn_test_modules_bind_the_adapters():
    gpr = _load("test_gpr")
    assert gpr.GaussianProcessRegressor is adapters.GaussianProcessRegressor
    assert gpr.C is adapters.ConstantKernel and gpr.RBF is adapters.RBF
    assert issubclass(gpr.CustomKernel, adapters.ConstantKernel)  # `class CustomKernel(C)`
    assert gpr.clone is clone  # scikit-learn's own helpers stay
    assert gpr.MiniSeqKernel.__module__ == "sklearn.gaussian_process.tests._mini_sequence_kernel"
    kernels = _load("test_kernels")
    for name in ("RBF", "Matern", "PairwiseKernel", "KernelOperator", "Exponentiation"):
        assert getattr(kernels, name) is getattr(adapters, name), name
    assert kernels.pairwise_kernels.__module__ == "sklearn.metrics.pairwise"


def test_the_adapter_imports_no_scikit_learn():
    tree = ast.parse(Path(adapters.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert not any(n.split(".")[0] == "sklearn" for n in names), ast.unparse(node)


def test_fitting_runs_pyjl_gaussian_process(monkeypatch):
    fitted = []
    real = pyjl.gp.GaussianProcess.fit

    def spy(self, *args, **kwargs):
        fitted.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pyjl.gp.GaussianProcess, "fit", spy)
    kernel = adapters.ConstantKernel(1.0) * adapters.RBF([1.0, 1.0])
    gpr = adapters.GaussianProcessRegressor(kernel, alpha=1e-3, random_state=0).fit(X, y)
    assert fitted == [gpr._gp]
    gp = gpr._gp
    assert gp.noise_ == 1e-3 and gp.noise_bounds == "fixed"
    assert np.array_equal(gpr.kernel_.theta, gp.kernel_.theta)  # C * RBF: pyjl's order
    assert gpr.log_marginal_likelihood() == gp.log_marginal_likelihood_value_
    Xs = X + 0.1
    mean, std = gpr.predict(Xs, return_std=True)
    ref_mean, ref_std = gp.predict(Xs, return_std=True)
    assert np.array_equal(mean, ref_mean) and np.array_equal(std, ref_std)
    assert gpr.alpha_ is gp.alpha_ and gpr.L_ is gp.L_


def test_kernel_values_and_gradients_are_pyjl_kernels(monkeypatch):
    ours = adapters.ConstantKernel(2.0) * adapters.RBF([0.5, 2.0])
    theirs = pyjl.gp.Constant(2.0) * pyjl.gp.RBF([0.5, 2.0], variance_bounds="fixed")
    assert np.array_equal(ours(X), theirs(X))
    assert np.array_equal(ours(X, X + 1), theirs(X, X + 1))
    assert np.array_equal(ours.diag(X), theirs.diag(X))
    K, dK = ours(X, eval_gradient=True)
    pK, pdK = theirs.gradient(X)
    assert np.array_equal(K, pK) and np.array_equal(dK, np.moveaxis(pdK, 0, -1))
    sentinel = np.full((6, 6), 7.0)
    monkeypatch.setattr(pyjl.gp.RBF, "__call__", lambda self, X1, X2=None: sentinel, False)
    assert adapters.RBF(1.0)(X) is sentinel  # the value is pyjl's, whatever it is


def test_theta_is_reordered_and_rescaled_not_recomputed():
    rq = adapters.RationalQuadratic(length_scale=0.5, alpha=1.5)  # scikit-learn: alpha first
    prq = rq._pyjl()
    assert prq.hyperparameter_names == ["lengthscale", "alpha"]
    assert np.array_equal(rq.theta, prq.theta[::-1])
    assert np.array_equal(rq.bounds, prq.bounds[::-1])
    dot = adapters.DotProduct(sigma_0=2.0)  # log sigma_0 = log(sigma_0 ** 2) / 2
    pdot = dot._pyjl()
    assert np.array_equal(dot.theta, pdot.theta / 2)
    _, dK = dot(X, eval_gradient=True)
    assert np.array_equal(dK[..., 0], 2 * pdot.gradient(X)[1][0])
    dot.theta = [np.log(3.0)]  # set through pyjl and read back from it
    assert dot.sigma_0 == pytest.approx(3.0, rel=1e-15)
    with pytest.raises(pyjl.InputError):
        dot.theta = [np.inf]  # pyjl refuses the value, in its words


def test_a_kernel_pyjl_lacks_is_refused_once_used():
    pairwise = adapters.PairwiseKernel(metric="rbf")  # built while a test module loads
    assert not pairwise.is_stationary() and repr(pairwise) == "PairwiseKernel(metric='rbf')"
    for use in (lambda: pairwise(X), lambda: pairwise.theta, lambda: clone(pairwise)):
        with pytest.raises(adapters.NoPyjlEquivalent, match="no PairwiseKernel"):
            use()
    with pytest.raises(adapters.NoPyjlEquivalent, match="nu = 0.7"):
        adapters.Matern(nu=0.7)(X)
    with pytest.raises(adapters.NoPyjlEquivalent, match="one feature only"):
        adapters.ExpSineSquared()(X)  # 2 features
    assert adapters.ExpSineSquared()(X[:, :1]).shape == (6, 6)


def test_a_reach_of_pyjl_is_recorded_for_the_running_test():
    adapters.reached = set()
    try:
        adapters.GaussianProcessRegressor(adapters.RBF(), optimizer=None).fit(X, y)
        assert adapters.reached == {"GaussianProcess", "RBF"}
    finally:
        adapters.reached = None


def test_config_reasons_name_their_category():
    for key, reason in plugin._config()["internals"].items():
        assert reason.startswith(plugin.CATEGORIES), key
        assert reason.endswith("."), key  # a full sentence


@functools.cache
def _collected():
    """The ids below ``sklearn_gp.toml::`` that pytest collects, [slow] and [thin] too."""
    return plugin._suite.collected_ids(plugin.CONFIG, ROOT)


@pytest.mark.parametrize("table", ["internals", "slow", "thin"])
def test_config_entries_name_collected_tests(table):
    ids = _collected()
    assert len(ids) > 400
    bases = {i.split("[", 1)[0] for i in ids}
    for key in plugin._config().get(table, {}):
        assert key in (ids if "[" in key else bases), key
