"""The objectives at a given or the fitted ``theta`` -- ``log_marginal_likelihood`` and
``loo_log_predictive`` -- against brute-force NumPy, finite differences and scikit-learn:
with per-point noise from ``update``, where ``K`` does not factorise, and the fit's warning
for hyperparameters at a bound."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor as GPR
from sklearn.gaussian_process import kernels as sk

from pyjl.exceptions import ConvergenceWarning, NumericalWarning
from pyjl.gp import RBF, GaussianProcess, Linear, White

LOG2PI = np.log(2 * np.pi)


def _rbf(X, lengthscales, variance):
    """``variance exp(-r^2 / 2)`` with one lengthscale per feature, from SciPy's distances."""
    return variance * np.exp(-0.5 * cdist(X / lengthscales, X / lengthscales, "sqeuclidean"))


def _brute(theta, X, y, noise_of):
    """``(LML, LOO)`` for an ARD RBF at ``theta = log(l_1, ..., l_d, variance, noise)``;
    ``noise_of(noise)``: the ``(n,)`` noise on the diagonal."""
    d = X.shape[1]
    K = _rbf(X, np.exp(theta[:d]), np.exp(theta[d])) + np.diag(noise_of(np.exp(theta[-1])))
    Kinv = np.linalg.inv(K)
    alpha = Kinv @ y
    lml = -0.5 * y @ alpha - 0.5 * np.linalg.slogdet(K)[1] - 0.5 * len(y) * LOG2PI
    kd = np.diag(Kinv)
    loo = np.sum(0.5 * np.log(kd) - 0.5 * alpha**2 / kd - 0.5 * LOG2PI)
    return lml, loo


def _central(f, theta, eps=1e-6):
    """The central-difference gradient of ``f`` at ``theta``."""
    out = np.empty(theta.size)
    for q in range(theta.size):
        e = np.zeros(theta.size)
        e[q] = eps
        out[q] = (f(theta + e) - f(theta - e)) / (2 * eps)
    return out


@pytest.fixture
def updated(request):
    """A fit with learned noise, then five points added with their own noise 0.5, and the
    ``(n,)`` noise of ``noise``: the learned one on the fit's 30 points, 0.5 on the rest."""
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, (30, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1] + 0.1 * rng.standard_normal(30)
    gp = GaussianProcess(RBF([0.5, 0.5]), solver=request.param, random_state=0).fit(X, y)
    gp.update(X[:5] + 0.01, y[:5], noise_var=0.5)
    return gp, lambda noise: np.r_[np.full(30, noise), np.full(5, 0.5)]


@pytest.mark.parametrize("updated", ["cholesky", "cg"], indirect=True)
def test_lml_after_an_update_with_noise_var_keeps_the_per_point_noise(updated):
    gp, noise_of = updated
    X, y = gp.X_train_, gp.y_train_
    # CG: the log-determinant by stochastic Lanczos quadrature, the gradient's trace by
    # Hutchinson's estimator: 1e-2 absolute (the bug was 1,700 off)
    rel, atol = (1e-8, 1e-5) if gp._cg is None else (0.0, 1e-2)

    def lml(t):
        return _brute(t, X, y, noise_of)[0]

    theta = np.r_[gp.kernel_.theta, np.log(gp.noise_)]
    value, grad = gp.log_marginal_likelihood(eval_gradient=True)
    assert value == pytest.approx(lml(theta), rel=rel, abs=atol)
    assert gp.log_marginal_likelihood() == pytest.approx(lml(theta), rel=rel, abs=atol)
    np.testing.assert_allclose(grad, _central(lml, theta, 1e-5), rtol=1e-3, atol=atol)
    # away from the optimum; the log noise moves the learned noise only
    value, grad = gp.log_marginal_likelihood(theta + 0.3, eval_gradient=True)
    assert value == pytest.approx(lml(theta + 0.3), rel=rel, abs=atol)
    np.testing.assert_allclose(grad, _central(lml, theta + 0.3, 1e-5), rtol=1e-3, atol=atol)
    # the kernel's theta alone: the noise stays as it is, every point's
    assert gp.log_marginal_likelihood(theta[:-1]) == pytest.approx(lml(theta), rel=rel, abs=atol)


@pytest.mark.parametrize("updated", ["cholesky"], indirect=True)
def test_loo_after_an_update_with_noise_var_keeps_the_per_point_noise(updated):
    gp, noise_of = updated
    X, y = gp.X_train_, gp.y_train_

    def loo(t):
        return _brute(t, X, y, noise_of)[1]

    theta = np.r_[gp.kernel_.theta, np.log(gp.noise_)]
    assert gp.loo_log_predictive() == pytest.approx(loo(theta), rel=1e-8)
    value, grad = gp.loo_log_predictive(theta + 0.3, eval_gradient=True)
    assert value == pytest.approx(loo(theta + 0.3), rel=1e-8)
    np.testing.assert_allclose(grad, _central(loo, theta + 0.3, 1e-5), rtol=1e-4)


def _sklearn_lml(ref, theta, eval_gradient=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ref.log_marginal_likelihood(theta, eval_gradient=eval_gradient)


def test_lml_where_k_does_not_factorise_is_scikit_learns_minus_inf():
    X = np.arange(12.0).reshape(6, 2)
    y = np.ones(6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)  # y is constant
        gp = GaussianProcess(Linear(1.0), noise=1e-2).fit(X, y, method=None)
    ref = GPR(
        sk.ConstantKernel(1.0) * sk.DotProduct(0.0, sigma_0_bounds="fixed") + sk.WhiteKernel(1e-2),
        alpha=0.0,
        optimizer=None,
    ).fit(X, y)
    theta = np.array([0.0, -40.0])  # (log variance, log noise) in both
    assert _sklearn_lml(ref, theta) == -np.inf
    with pytest.warns(NumericalWarning, match="returned -inf"):
        assert gp.log_marginal_likelihood(theta) == -np.inf
    with pytest.warns(NumericalWarning, match="returned -inf"):
        assert gp.loo_log_predictive(theta) == -np.inf


@pytest.mark.parametrize("seed", range(3))
def test_lml_and_gradient_where_k_does_not_factorise_equal_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (30, 1))
    y = np.sin(5 * X[:, 0])
    gp = GaussianProcess(RBF(1.0), noise=1e-2).fit(X, y, method=None)
    ref = GPR(
        sk.ConstantKernel(1.0) * sk.RBF(1.0) + sk.WhiteKernel(1e-2), alpha=0.0, optimizer=None
    ).fit(X, y)
    theta = np.array([0.0, 0.0, -40.0])  # ours (l, s2, noise), scikit-learn's (s2, l, noise)
    sval, sgrad = _sklearn_lml(ref, theta, eval_gradient=True)
    with pytest.warns(NumericalWarning, match="returned -inf"):
        value, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    assert value == sval == -np.inf
    np.testing.assert_array_equal(grad, sgrad)


def test_fitted_model_with_jitter_is_evaluated_as_it_stands():
    # noise 0: the fit needs the jitter ladder; theta=None is that model (K + jitter_ I)
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (30, 1))
    y = np.sin(6 * X[:, 0])
    with pytest.warns(NumericalWarning, match="jitter"):
        gp = GaussianProcess(RBF(0.5), noise=0).fit(X, y, method=None)
    assert gp.jitter_ > 0
    theta = gp.kernel_.theta
    lml, _ = _brute(np.r_[theta, 0.0], X, y, lambda _: np.full(30, gp.jitter_))
    value, _ = gp.log_marginal_likelihood(eval_gradient=True)
    assert value == pytest.approx(gp.log_marginal_likelihood(), rel=1e-10)
    assert value == pytest.approx(lml, rel=1e-5)  # K's condition number: about 1e12


# scikit-learn's test_warning_bounds, with its data (x sin x at six points) and starts
X_B = np.atleast_2d([1.0, 3.0, 5.0, 6.0, 7.0, 8.0]).T
Y_B = (X_B * np.sin(X_B)).ravel()
BOUND_CASES = [
    (
        RBF(1.0, variance_bounds="fixed", lengthscale_bounds=(1e-5, 1e-3)),
        sk.RBF(length_scale_bounds=[1e-5, 1e-3]),
        X_B,
        ["lengthscale is at its upper bound 0.001"],
    ),
    (
        White(1e-4, variance_bounds=(1e-5, 1e-3))
        + RBF(1.0, variance_bounds="fixed", lengthscale_bounds=(1e3, 1e5)),
        sk.WhiteKernel(noise_level_bounds=[1e-5, 1e-3]) + sk.RBF(length_scale_bounds=[1e3, 1e5]),
        X_B,
        ["0.variance is at its upper bound 0.001", "1.lengthscale is at its lower bound 1000"],
    ),
    (
        RBF([1.0, 1.0], variance_bounds="fixed", lengthscale_bounds=(1e3, 1e5)),
        sk.RBF([1.0, 1.0], length_scale_bounds=[1e3, 1e5]),
        np.tile(X_B, 2),
        ["lengthscale[0] is at its lower bound 1000", "lengthscale[1] is at its lower bound 1000"],
    ),
]


@pytest.mark.parametrize("ours,ref,X,expected", BOUND_CASES)
def test_fitted_hyperparameters_at_a_bound_warn_as_scikit_learn(ours, ref, X, expected):
    with pytest.warns(SkConvergenceWarning) as sk_record:
        GPR(ref).fit(X, Y_B)
    sides = [("lower" if "lower bound" in str(w.message) else "upper") for w in sk_record]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        GaussianProcess(ours, noise=1e-10, noise_bounds="fixed").fit(X, Y_B)
    got = [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)]
    assert len(got) == len(expected) == len(sides)
    for message, want, side in zip(got, expected, sides):
        assert want in message and side in want


def test_a_fit_inside_its_bounds_or_pinned_does_not_warn():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (30, 1))
    y = np.sin(6 * X[:, 0]) + 0.1 * rng.standard_normal(30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GaussianProcess(RBF(0.3), noise=1e-2).fit(X, y)
        GaussianProcess(RBF(0.3, variance_bounds=(2.0, 2.0)), noise=1e-2).fit(X, y)


def test_learned_noise_at_its_bound_warns_by_name():
    X = np.linspace(0, 1, 20)[:, None]
    y = np.sin(6 * X[:, 0])  # noiseless: the noise runs to its lower bound
    with pytest.warns(ConvergenceWarning, match="the fitted noise is at its lower bound 1e-06"):
        GaussianProcess(RBF(0.3)).fit(X, y)
