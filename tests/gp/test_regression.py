"""GaussianProcess against scikit-learn, brute force and finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.gaussian_process import GaussianProcessRegressor as GPR
from sklearn.gaussian_process import kernels as sk

from pyjl.exceptions import InputError, NotFittedError, NumericalWarning
from pyjl.gp import (
    RBF,
    Constant,
    GaussianProcess,
    Linear,
    Matern12,
    Matern32,
    Matern52,
    Periodic,
    RationalQuadratic,
    White,
)

N, D = 40, 3
ARD = [0.3, 0.6, 1.2]
#: a fitted hyperparameter at a bound of its search warns (as scikit-learn)
AT_BOUND = "ignore:the fitted .* bound:pyjl.exceptions.ConvergenceWarning"


@pytest.fixture
def X(rng):
    """Training inputs, ``(N, D)``, uniform in the unit cube."""
    return rng.uniform(0, 1, (N, D))


@pytest.fixture
def Y(X, rng):
    """Targets ``(N,)``: a smooth function of ``X`` plus a little noise, mean about 3."""
    return np.sin(5 * X[:, 0]) + X[:, 1] ** 2 - X[:, 2] + 0.05 * rng.standard_normal(N) + 3.0


@pytest.fixture
def XS(rng):
    """Test inputs, ``(15, D)``."""
    return rng.uniform(0, 1, (15, D))


@pytest.fixture
def X1D(rng):
    """One-dimensional training inputs, ``(30, 1)`` in [0, 3]."""
    return rng.uniform(0, 3, (30, 1))


@pytest.fixture
def Y1D(X1D, rng):
    """Targets for ``X1D``: a sine on a slope plus a little noise."""
    return np.sin(4 * X1D[:, 0]) + 0.3 * X1D[:, 0] + 0.05 * rng.standard_normal(30)


CASES = [
    (2.0 * Matern52(ARD), sk.ConstantKernel(2.0) * sk.Matern(ARD, nu=2.5)),
    (Matern32(0.5), sk.Matern(0.5, nu=1.5)),
    (0.7 * Matern12(ARD), sk.ConstantKernel(0.7) * sk.Matern(ARD, nu=0.5)),
    (1.5 * RBF(ARD), sk.ConstantKernel(1.5) * sk.RBF(ARD)),
    (RationalQuadratic(0.5, alpha=1.5), sk.RationalQuadratic(0.5, 1.5)),
    (RBF(0.4) + White(0.05), sk.RBF(0.4) + sk.WhiteKernel(0.05)),
]


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("ours,ref", CASES, ids=[repr(c[0]) for c in CASES])
def test_fixed_hyperparameters_equal_scikit_learn(ours, ref, normalize, X, Y, XS):
    gp = GaussianProcess(ours, noise=1e-2, normalize_y=normalize).fit(X, Y, method=None)
    skg = GPR(ref, alpha=1e-2, optimizer=None, normalize_y=normalize).fit(X, Y)
    assert gp.log_marginal_likelihood() == pytest.approx(
        skg.log_marginal_likelihood_value_, rel=1e-8
    )
    mu, std = gp.predict(XS, return_std=True)
    smu, sstd = skg.predict(XS, return_std=True)
    np.testing.assert_allclose(mu, smu, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(std, sstd, rtol=1e-6, atol=1e-9)
    _, cov = gp.predict(XS, return_cov=True)
    _, scov = skg.predict(XS, return_cov=True)
    np.testing.assert_allclose(cov, scov, rtol=1e-6, atol=1e-9)


CASES_1D = [
    (1.4 * Periodic(0.9, period=1.6), sk.ConstantKernel(1.4) * sk.ExpSineSquared(0.9, 1.6)),
    (
        RBF(1.0) * Periodic(1.0, period=1.5) + Linear(0.3),
        sk.RBF(1.0) * sk.ExpSineSquared(1.0, 1.5)
        + sk.ConstantKernel(0.3) * sk.DotProduct(0.0, sigma_0_bounds="fixed"),
    ),
    (
        Linear(0.5) + Constant(0.2),
        sk.ConstantKernel(0.5) * sk.DotProduct(0.0, "fixed") + sk.ConstantKernel(0.2),
    ),
]


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("ours,ref", CASES_1D, ids=[repr(c[0]) for c in CASES_1D])
def test_fixed_hyperparameters_equal_scikit_learn_in_one_dimension(ours, ref, X1D, Y1D):
    xs = np.linspace(-0.5, 3.5, 9)[:, None]
    gp = GaussianProcess(ours, noise=1e-2, normalize_y=True).fit(X1D, Y1D, method=None)
    skg = GPR(ref, alpha=1e-2, optimizer=None, normalize_y=True).fit(X1D, Y1D)
    assert gp.log_marginal_likelihood() == pytest.approx(
        skg.log_marginal_likelihood_value_, rel=1e-8
    )
    mu, cov = gp.predict(xs, return_cov=True)
    smu, scov = skg.predict(xs, return_cov=True)
    np.testing.assert_allclose(mu, smu, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(cov, scov, rtol=1e-6, atol=1e-9)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# RationalQuadratic's alpha runs to its upper bound (the RBF limit)
@pytest.mark.filterwarnings(AT_BOUND)
@pytest.mark.parametrize(
    "ours,ref",
    [
        (RBF(np.ones(D)), sk.ConstantKernel(1.0) * sk.RBF(np.ones(D))),
        (
            RationalQuadratic(1.0, alpha=1.0),
            sk.ConstantKernel(1.0) * sk.RationalQuadratic(1.0, 1.0),
        ),
    ],
)
@pytest.mark.usefixtures("engine")
def test_ml_fit_other_kernels_reach_scikit_learn_lml(ours, ref, X, Y):
    gp = GaussianProcess(ours, noise=1e-2, normalize_y=True).fit(X, Y)
    skg = GPR(ref + sk.WhiteKernel(1e-2), normalize_y=True, n_restarts_optimizer=0).fit(X, Y)
    assert gp.log_marginal_likelihood() >= skg.log_marginal_likelihood_value_ - 1e-6


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings(AT_BOUND)
def test_one_kernel_object_twice_in_a_composite_is_two_sets_of_hyperparameters():
    # scikit-learn's clone unties the two occurrences of `k`; a fit that kept them tied
    # moved one set while the gradient counted two, and stopped at 37.46 against 37.61
    rng = np.random.default_rng(8)
    X = rng.uniform(0, 2, (40, 1))
    y = np.sin(5 * X[:, 0]) + X[:, 0] ** 2 + 0.05 * rng.standard_normal(40)
    k = RBF(1.0)
    gp = GaussianProcess(k + k * Periodic(1.0, period=0.6), noise=1e-2).fit(X, y, method=None)
    theta = gp._theta_full()
    _, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    _check_by_differences(gp, theta, grad)
    gp.fit(X, y)
    ks = sk.RBF(1.0)
    skg = GPR(
        sk.ConstantKernel() * ks
        + sk.ConstantKernel() * ks * sk.ExpSineSquared(1.0, 0.6)
        + sk.WhiteKernel(1e-2),
        alpha=0.0,
    ).fit(X, y)
    assert gp.log_marginal_likelihood() >= skg.log_marginal_likelihood_value_ - 1e-4
    # and the stored value is scikit-learn's likelihood at the fitted hyperparameters
    a, (b, c) = gp.kernel_.parts[0], gp.kernel_.parts[1].parts
    ref = GPR(
        sk.ConstantKernel(a.variance) * sk.RBF(a.lengthscale)
        + sk.ConstantKernel(b.variance * c.variance)
        * sk.RBF(b.lengthscale)
        * sk.ExpSineSquared(c.lengthscale, c.period),
        alpha=gp.noise_,
        optimizer=None,
    ).fit(X, y)
    assert gp.log_marginal_likelihood() == pytest.approx(
        ref.log_marginal_likelihood_value_, rel=1e-8
    )


@pytest.mark.usefixtures("engine")
def test_known_per_point_noise_equals_scikit_learn_alpha(rng, X, Y, XS):
    nv = rng.uniform(0.001, 0.05, N)
    gp = GaussianProcess(Matern52(ARD), normalize_y=True).fit(X, Y, noise_var=nv, method=None)
    skg = GPR(
        sk.Matern(ARD, nu=2.5), alpha=nv / Y.std() ** 2, optimizer=None, normalize_y=True
    ).fit(X, Y)
    assert gp.log_marginal_likelihood() == pytest.approx(
        skg.log_marginal_likelihood_value_, rel=1e-8
    )
    np.testing.assert_allclose(gp.predict(XS), skg.predict(XS), rtol=1e-9)
    assert gp.noise_ is None
    with pytest.raises(InputError, match="include_noise"):
        gp.predict(XS, include_noise=True)


@pytest.mark.usefixtures("engine")
def test_lml_gradient_equals_scikit_learn_and_finite_differences(X, Y):
    gp = GaussianProcess(2.0 * Matern52(ARD), noise=0.05).fit(X, Y, method=None)
    theta = gp._theta_full()
    value, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    ref = GPR(
        sk.ConstantKernel(2.0) * sk.Matern(ARD, nu=2.5) + sk.WhiteKernel(0.05),
        alpha=0.0,
        optimizer=None,
    ).fit(X, Y)
    sval, sgrad = ref.log_marginal_likelihood(ref.kernel_.theta, eval_gradient=True)
    assert value == pytest.approx(sval, rel=1e-10)
    # sklearn orders [constant, lengthscales..., noise]; ours [lengthscales..., variance, noise]
    np.testing.assert_allclose(grad, sgrad[[1, 2, 3, 0, 4]], rtol=1e-7, atol=1e-9)
    _check_by_differences(gp, theta, grad)


def _check_by_differences(gp, theta, grad, eps=1e-6):
    """``grad`` against central differences of the LML at ``theta``."""
    for q in range(theta.size):
        e = np.zeros_like(theta)
        e[q] = eps
        fd = (gp.log_marginal_likelihood(theta + e) - gp.log_marginal_likelihood(theta - e)) / (
            2 * eps
        )
        assert grad[q] == pytest.approx(fd, rel=1e-5, abs=1e-6)


def _brute_loo(kernel, noise, X, y):
    total = 0.0
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        gp = GaussianProcess(kernel, noise=noise, noise_bounds="fixed").fit(
            X[keep], y[keep], method=None
        )
        mu, std = gp.predict(X[i : i + 1], return_std=True, include_noise=True)
        total += norm.logpdf(y[i], mu[0], std[0])
    return total


@pytest.mark.usefixtures("engine")
def test_loo_closed_form_equals_brute_force_refits(X, Y):
    k = 1.3 * Matern32(ARD)
    gp = GaussianProcess(k, noise=0.02, noise_bounds="fixed").fit(X, Y, method=None)
    assert gp.loo_log_predictive() == pytest.approx(_brute_loo(k, 0.02, X, Y), rel=1e-9)


@pytest.mark.usefixtures("engine")
def test_loo_gradient_equals_finite_differences(X, Y):
    gp = GaussianProcess(1.3 * RationalQuadratic(ARD, alpha=2.0), noise=0.02).fit(
        X, Y, method=None
    )
    theta = gp._theta_full()
    _, grad = gp.loo_log_predictive(theta, eval_gradient=True)
    eps = 1e-6
    for q in range(theta.size):
        e = np.zeros_like(theta)
        e[q] = eps
        fd = (gp.loo_log_predictive(theta + e) - gp.loo_log_predictive(theta - e)) / (2 * eps)
        assert grad[q] == pytest.approx(fd, rel=1e-5, abs=1e-6)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("normalize", [False, True])
def test_ml_fit_reaches_at_least_scikit_learn_lml(normalize, X, Y):
    gp = GaussianProcess(Matern52(np.ones(D)), noise=1e-2, normalize_y=normalize).fit(X, Y)
    skg = GPR(
        sk.ConstantKernel(1.0) * sk.Matern(np.ones(D), nu=2.5) + sk.WhiteKernel(1e-2),
        normalize_y=normalize,
        n_restarts_optimizer=0,
    ).fit(X, Y)
    assert gp.log_marginal_likelihood() >= skg.log_marginal_likelihood_value_ - 1e-6
    # the stored value is the likelihood at the fitted hyperparameters
    ref = GPR(
        sk.ConstantKernel(gp.kernel_.variance) * sk.Matern(gp.kernel_.lengthscale, nu=2.5),
        alpha=gp.noise_,
        optimizer=None,
        normalize_y=normalize,
    ).fit(X, Y)
    assert gp.log_marginal_likelihood() == pytest.approx(
        ref.log_marginal_likelihood_value_, rel=1e-8
    )


def test_restarts_and_warm_start_never_lose_likelihood(X, Y):
    gp = GaussianProcess(RBF(np.ones(D)), noise=0.1, random_state=0)
    gp.fit(X, Y)
    first = gp.log_marginal_likelihood()
    gp.fit(X, Y, n_restarts=3)
    assert gp.log_marginal_likelihood() >= first - 1e-8


@pytest.mark.parametrize("change", ["noise", "normalize_y"])
def test_a_refit_after_set_params_starts_from_the_values_given(change):
    # warm starts reused the previous optimum whatever set_params changed: after
    # set_params(noise=0.5) a fit with method=None kept the old noise_ (means 0.23 off a
    # fresh model), and after normalize_y=True it read raw-unit variances as normalised
    rng = np.random.default_rng(15)
    X = rng.uniform(0, 3, (20, 1))
    y = 10 * (np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=20)) + 50
    gp = GaussianProcess(RBF(1.0), noise=0.01).fit(X, y)
    assert gp.noise_ != pytest.approx(0.5)
    gp.set_params(**{"noise": 0.5} if change == "noise" else {"normalize_y": True})
    gp.fit(X, y, method=None)
    fresh = GaussianProcess(gp.kernel, noise=gp.noise, normalize_y=gp.normalize_y)
    fresh.fit(X, y, method=None)
    assert gp.noise_ == fresh.noise_
    np.testing.assert_array_equal(gp.kernel_.theta, fresh.kernel_.theta)
    np.testing.assert_allclose(gp.predict(X), fresh.predict(X), rtol=1e-12)
    again = GaussianProcess(RBF(1.0), noise=0.01).fit(X, y)
    kept = again.kernel_.theta
    again.fit(X, y, method=None)  # nothing changed: the optimum is kept
    np.testing.assert_array_equal(again.kernel_.theta, kept)


# LOO sends the variance to its upper bound
@pytest.mark.filterwarnings(AT_BOUND)
def test_loo_fit_improves_the_loo_objective(X, Y):
    gp = GaussianProcess(Matern52(np.ones(D)), noise=0.1)
    start = gp.fit(X, Y, method=None).loo_log_predictive()
    gp2 = GaussianProcess(Matern52(np.ones(D)), noise=0.1).fit(X, Y, method="loo")
    assert gp2.loo_log_predictive() > start


@pytest.mark.usefixtures("engine")
def test_update_equals_refit_with_the_same_hyperparameters(X, Y, XS):
    gp = GaussianProcess(2.0 * Matern52(ARD), noise=0.01).fit(X[:30], Y[:30], method=None)
    gp.predict(XS, return_std=True)  # builds the cached inverse factor too
    gp.update(X[30:], Y[30:])
    ref = GaussianProcess(2.0 * Matern52(ARD), noise=0.01).fit(X, Y, method=None)
    np.testing.assert_allclose(gp.L_, ref.L_, rtol=1e-9, atol=1e-12)
    assert gp.log_marginal_likelihood() == pytest.approx(ref.log_marginal_likelihood(), rel=1e-10)
    for a, b in zip(gp.predict(XS, return_std=True), ref.predict(XS, return_std=True)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_update_with_near_duplicate_points_is_still_a_refit(X, Y, XS):
    # with zero noise a repeated point needs jitter: jittering only the new block gave
    # another model than a refit (LML -1e8 against -5e7, means 8e-4 apart, jitter_ 0)
    gp = GaussianProcess(Matern52(ARD), noise=0.0).fit(X[:30], Y[:30], method=None)
    with pytest.warns(NumericalWarning, match="added jitter"):
        gp.update(X[:3], Y[:3])
    with pytest.warns(NumericalWarning, match="added jitter"):
        ref = GaussianProcess(Matern52(ARD), noise=0.0).fit(
            np.vstack([X[:30], X[:3]]), np.concatenate([Y[:30], Y[:3]]), method=None
        )
    assert gp.jitter_ == ref.jitter_ > 0
    assert gp.log_marginal_likelihood() == pytest.approx(ref.log_marginal_likelihood(), rel=1e-10)
    for a, b in zip(gp.predict(XS, return_std=True), ref.predict(XS, return_std=True)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_update_into_an_ill_conditioned_matrix_warns_as_a_refit_does():
    # the reviewer's case: the condition check ran in fit only, so an update that left
    # the matrix as ill-conditioned as a refit's said nothing
    rng = np.random.default_rng(0)
    X0 = rng.uniform(0.0, 1.0, (10, 2))
    y0 = np.sin(4.0 * X0.sum(1))
    Xn, yn = X0[:2] + 1e-9, y0[:2] + 1e-3
    both = np.vstack([X0, Xn])
    assert np.linalg.cond(RBF(0.4)(both) + 1e-14 * np.eye(12)) > 1e12  # NumPy's SVD
    gp = GaussianProcess(RBF(0.4), noise=1e-14, noise_bounds="fixed").fit(X0, y0, method=None)
    with pytest.warns(NumericalWarning, match="ill-conditioned"):
        gp.update(Xn, yn)
    with pytest.warns(NumericalWarning, match="ill-conditioned"):
        GaussianProcess(RBF(0.4), noise=1e-14, noise_bounds="fixed").fit(
            both, np.r_[y0, yn], method=None
        )
    near = np.vstack([X0, X0[:2] + 1e-9])  # old near-duplicates, then one far new point
    gp = GaussianProcess(RBF(0.4), noise=1e-14, noise_bounds="fixed")
    with pytest.warns(NumericalWarning, match="ill-conditioned"):
        gp.fit(near, np.r_[y0, y0[:2]], method=None)
    with pytest.warns(NumericalWarning, match="ill-conditioned"):  # as a refit warns again
        gp.update([[5.0, 5.0]], [0.0])
    calm = GaussianProcess(RBF(0.4), noise=1e-2, noise_bounds="fixed").fit(X0, y0, method=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        calm.update(X0[:2] + 0.1, y0[:2])


def test_update_with_normalize_y_keeps_the_first_fits_scale(X, Y, XS):
    # the first fit's mean and std of y are part of the prior: the closed form in NumPy
    kernel = 2.0 * Matern52(ARD)
    gp = GaussianProcess(kernel, noise=0.01, normalize_y=True).fit(X[:30], Y[:30], method=None)
    m, s = Y[:30].mean(), Y[:30].std()
    gp.update(X[30:], Y[30:])
    K = np.asarray(gp.kernel_(X)) + 0.01 * np.eye(len(X))
    Ks = np.asarray(gp.kernel_(XS, X))
    mean = m + s * Ks @ np.linalg.solve(K, (Y - m) / s)
    var = s**2 * (np.diag(np.asarray(gp.kernel_(XS))) - np.sum(Ks * np.linalg.solve(K, Ks.T).T, 1))
    mu, std = gp.predict(XS, return_std=True)
    np.testing.assert_allclose(mu, mean, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(std**2, var, rtol=1e-7, atol=1e-10)


def test_include_noise_adds_the_noise_variance(X, Y, XS):
    gp = GaussianProcess(Matern52(ARD), noise=0.04).fit(X, Y, method=None)
    _, s0 = gp.predict(XS, return_std=True)
    _, s1 = gp.predict(XS, return_std=True, include_noise=True)
    np.testing.assert_allclose(s1**2, s0**2 + 0.04, rtol=1e-10)


def test_sample_y_has_the_posterior_moments(X, Y, XS):
    gp = GaussianProcess(Matern52(ARD), noise=0.01).fit(X, Y, method=None)
    xs = XS[:4]
    draws = gp.sample_y(xs, n_samples=20000, random_state=1)
    mu, cov = gp.predict(xs, return_cov=True)
    assert draws.shape == (4, 20000)
    se = np.sqrt(np.diag(cov) / 20000)
    assert np.all(np.abs(draws.mean(axis=1) - mu) < 5 * se + 1e-12)
    np.testing.assert_allclose(np.cov(draws), cov, atol=0.06 * np.max(np.diag(cov)))


def test_prior_before_fit_and_not_fitted_errors(XS):
    gp = GaussianProcess(2.0 * RBF(0.5))
    mu, std = gp.predict(XS, return_std=True)
    assert np.all(mu == 0) and np.allclose(std, np.sqrt(2.0))
    with pytest.raises(NotFittedError):
        gp.log_marginal_likelihood()


# each case builds fit's arguments from the data fixtures X, Y
@pytest.mark.parametrize(
    "fit_args,arg",
    [
        (lambda X, Y: dict(X=np.where(np.arange(N * D).reshape(N, D) == 7, np.nan, X), y=Y), "X"),
        (lambda X, Y: dict(X=X, y=np.where(np.arange(N) == 3, np.inf, Y)), "y"),
        (lambda X, Y: dict(X=X, y=Y[:-1]), "y"),
        (lambda X, Y: dict(X=X[None], y=Y), "X"),
        (lambda X, Y: dict(X=X, y=Y, noise_var=-np.ones(N)), "noise_var"),
        (lambda X, Y: dict(X=X, y=Y, noise_var=np.ones(N - 2)), "noise_var"),
        (lambda X, Y: dict(X=X, y=Y, method="map"), "method"),
    ],
)
def test_bad_input_names_the_argument(fit_args, arg, X, Y):
    with pytest.raises(InputError, match=arg):
        GaussianProcess(Matern52(ARD)).fit(**fit_args(X, Y))


def test_bad_constructor_and_predict_arguments(X, Y, XS):
    with pytest.raises(InputError, match="noise"):
        GaussianProcess(noise=-1.0)
    with pytest.raises(InputError, match="kernel"):
        GaussianProcess(kernel="rbf")
    gp = GaussianProcess(Matern52(ARD)).fit(X, Y, method=None)
    with pytest.raises(InputError, match="3 columns"):
        gp.predict(XS[:, :2])
    with pytest.raises(InputError, match="finite"):
        gp.predict(np.full((2, D), np.nan))


def test_nan_message_gives_first_bad_index(X, Y):
    bad = X.copy()
    bad[5, 1] = np.nan
    with pytest.raises(InputError, match="row 5, column 1"):
        GaussianProcess().fit(bad, Y)


# a flat y sends the lengthscale to its upper bound
@pytest.mark.filterwarnings(AT_BOUND)
@pytest.mark.parametrize("normalize", [True, False])
def test_constant_y_gives_finite_results_with_a_warning(normalize, X, XS):
    with pytest.warns(NumericalWarning, match="constant"):
        gp = GaussianProcess(Matern52(ARD), normalize_y=normalize).fit(X, np.full(N, 2.5))
    mu, std = gp.predict(XS, return_std=True)
    assert np.all(np.isfinite(mu)) and np.all(np.isfinite(std))
    assert np.isfinite(gp.log_marginal_likelihood())
    if normalize:
        np.testing.assert_allclose(mu, 2.5, atol=1e-6)


def test_duplicate_points_with_zero_noise_warn_and_stay_finite(X, Y, XS):
    Xd = np.vstack([X, X[:5]])
    yd = np.concatenate([Y, Y[:5]])
    with pytest.warns(NumericalWarning, match="jitter"):
        gp = GaussianProcess(Matern52(ARD), noise=0.0).fit(Xd, yd, method=None)
    mu, std = gp.predict(XS, return_std=True)
    assert np.isfinite(gp.log_marginal_likelihood())
    assert np.all(np.isfinite(mu)) and np.all(np.isfinite(std))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)
        gp2 = GaussianProcess(Matern52(ARD), noise=0.0).fit(Xd, yd)
    assert np.isfinite(gp2.log_marginal_likelihood())


def test_pandas_and_list_inputs_give_the_numpy_results(X, Y, XS):
    import pandas as pd

    df = pd.DataFrame(X, columns=["a", "b", "c"])
    gp1 = GaussianProcess(Matern52(ARD), noise=0.01).fit(df, pd.Series(Y), method=None)
    gp2 = GaussianProcess(Matern52(ARD), noise=0.01).fit(X.tolist(), list(Y), method=None)
    ref = GaussianProcess(Matern52(ARD), noise=0.01).fit(X, Y, method=None)
    for g in (gp1, gp2):
        assert g.log_marginal_likelihood() == pytest.approx(
            ref.log_marginal_likelihood(), rel=1e-12
        )
        np.testing.assert_allclose(np.asarray(g.predict(XS)), ref.predict(XS), rtol=1e-12)


def test_predict_mirrors_pandas_and_arrow_inputs(X, Y, XS):
    import pandas as pd
    import pyarrow as pa

    gp = GaussianProcess(Matern52(ARD), noise=0.01).fit(X, Y, method=None)
    df = pd.DataFrame(XS, columns=list("abc"), index=[f"p{i}" for i in range(len(XS))])
    mu, std = gp.predict(df, return_std=True)
    ref_mu, ref_std = gp.predict(XS, return_std=True)
    assert isinstance(mu, pd.Series) and list(mu.index) == list(df.index)
    np.testing.assert_allclose(mu.to_numpy(), ref_mu)
    np.testing.assert_allclose(std.to_numpy(), ref_std)
    _, cov = gp.predict(df, return_cov=True)
    assert isinstance(cov, pd.DataFrame) and list(cov.columns) == list(df.index)
    table = pa.table({"a": XS[:, 0], "b": XS[:, 1], "c": XS[:, 2]})
    amu = gp.predict(table)
    assert isinstance(amu, pa.Array)
    np.testing.assert_allclose(np.asarray(amu), ref_mu)
    _, acov = gp.predict(table, return_cov=True)  # Arrow in, Arrow out: the covariance too
    assert isinstance(acov, pa.Table) and acov.num_columns == len(XS)
    np.testing.assert_allclose(np.column_stack(acov.columns), np.asarray(cov))
    # sample_y: one column per draw, on the input's index (never the input's columns)
    draws = gp.sample_y(df.iloc[:, :3], n_samples=3, random_state=0)
    assert isinstance(draws, pd.DataFrame) and list(draws.index) == list(df.index)
    assert list(draws.columns) == [0, 1, 2]
    np.testing.assert_array_equal(draws.to_numpy(), gp.sample_y(XS, 3, random_state=0))
    adraws = gp.sample_y(table, n_samples=2, random_state=0)
    assert isinstance(adraws, pa.Table) and adraws.column_names == ["0", "1"]


@pytest.mark.usefixtures("engine")
def test_predict_over_several_row_blocks_equals_scikit_learn(rng):
    # 8000 points cross the block boundaries of both the mean and the std pass
    Xb = rng.uniform(0, 1, (300, D))
    yb = np.sin(4 * Xb[:, 0]) + Xb[:, 1] * Xb[:, 2] + 0.05 * rng.standard_normal(300)
    Xq = rng.uniform(-0.2, 1.2, (8000, D))
    gp = GaussianProcess(1.3 * Matern52(ARD), noise=0.02, normalize_y=True).fit(
        Xb, yb, method=None
    )
    skg = GPR(
        sk.ConstantKernel(1.3) * sk.Matern(ARD, nu=2.5),
        alpha=0.02,
        optimizer=None,
        normalize_y=True,
    ).fit(Xb, yb)
    smu, sstd = skg.predict(Xq, return_std=True)
    np.testing.assert_allclose(gp.predict(Xq), smu, rtol=1e-8, atol=1e-10)
    mu, std = gp.predict(Xq, return_std=True)
    np.testing.assert_allclose(mu, smu, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(std, sstd, rtol=1e-6, atol=1e-9)


class _KeepsItsMatrix:
    """A user kernel (protocol only) that hands back an array it keeps and reuses."""

    def __init__(self):
        self.inner = Matern52(ARD)
        self.kept = None

    theta = property(lambda self: self.inner.theta)
    bounds = property(lambda self: self.inner.bounds)

    @theta.setter
    def theta(self, value):
        self.inner.theta = value

    def __call__(self, X1, X2=None):
        self.kept = np.asarray(self.inner(X1, X2))
        return self.kept

    def diag(self, X):
        return self.inner.diag(X)

    def gradient(self, X):
        return self.inner.gradient(X)


def test_predict_leaves_a_user_kernels_arrays_alone(X, Y, XS):
    k = _KeepsItsMatrix()
    gp = GaussianProcess(k, noise=0.01).fit(X, Y, method=None)
    ref = GaussianProcess(Matern52(ARD), noise=0.01).fit(X, Y, method=None)
    mu, std = gp.predict(XS, return_std=True)
    np.testing.assert_array_equal(gp.kernel_.kept, Matern52(ARD)(XS, X))
    for a, b in zip((mu, std), ref.predict(XS, return_std=True)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.usefixtures("engine")
def test_recentre_is_ordinary_kriging_with_the_gls_mean(X, Y, XS):
    # reference: the kriging predictor with a constant mean m estimated by generalised least
    # squares, K built by scikit-learn's Matern at the same hyperparameters (y units)
    ls = np.array(ARD)
    gp = GaussianProcess(2.0 * Matern52(ls), noise=0.01, normalize_y=True).fit(X, Y, method=None)
    s2 = gp._y_std**2
    k = 2.0 * s2 * sk.Matern(length_scale=ls, nu=2.5)
    K = k(X) + 0.01 * s2 * np.eye(len(X))
    Ki1, Kiy = np.linalg.solve(K, np.ones(len(X))), np.linalg.solve(K, Y)
    m = Kiy.sum() / Ki1.sum()
    ref = k(XS, X) @ np.linalg.solve(K, Y - m) + m
    gp.recentre()
    assert gp._y_mean == pytest.approx(m, rel=1e-9)
    np.testing.assert_allclose(gp.predict(XS), ref, rtol=1e-8, atol=1e-10)
    # an explicit mean, and the fitted state stays usable (update extends the same model)
    gp.recentre(0.0)
    np.testing.assert_allclose(
        gp.predict(XS), k(XS, X) @ np.linalg.solve(K, Y), rtol=1e-8, atol=1e-10
    )


@pytest.mark.parametrize(
    "fit_args,words",
    [
        (lambda X, Y: dict(X=X + 1j, y=Y), ["`X`", "complex"]),
        (lambda X, Y: dict(X=X, y=Y.astype(complex)), ["`y`", "complex"]),
        (lambda X, Y: dict(X=X.astype(str), y=Y), ["`X`", "strings"]),
        (lambda X, Y: dict(X=X, y=Y.astype(str)), ["`y`", "strings"]),
        (lambda X, Y: dict(X=X, y=Y, n_restarts=1.5), ["`n_restarts`", "integer", "1.5"]),
        (lambda X, Y: dict(X=X, y=Y, n_restarts=-1), ["`n_restarts`", ">= 0"]),
    ],
)
def test_fit_refuses_non_real_data_and_fractional_restarts(fit_args, words, X, Y):
    with pytest.raises(InputError) as err:
        GaussianProcess(Matern52(ARD)).fit(**fit_args(X, Y))
    for w in words:
        assert w in str(err.value)
    assert "Fix:" in str(err.value)


def test_table_columns_are_checked_against_the_fitted_names(X, Y, XS):
    # points are matched to features by position: a reordered table would be silently wrong
    import pandas as pd
    import pyarrow as pa

    from pyjl.exceptions import InputError

    cols = [f"f{j}" for j in range(X.shape[1])]
    gp = GaussianProcess(Matern52(ARD), noise=0.01).fit(pd.DataFrame(X, columns=cols), Y)
    assert list(gp.feature_names_in_) == cols
    want = gp.predict(XS)
    np.testing.assert_allclose(np.asarray(gp.predict(pd.DataFrame(XS, columns=cols))), want)
    table = pa.table({c: XS[:, j] for j, c in enumerate(cols)})
    np.testing.assert_allclose(np.asarray(gp.predict(table)), want)
    with pytest.raises(InputError, match="in that order"):
        gp.predict(pd.DataFrame(XS, columns=cols)[cols[::-1]])
    with pytest.raises(InputError, match="X_new"):
        gp.update(pd.DataFrame(XS[:2], columns=cols[::-1]), Y[:2])
    assert not hasattr(GaussianProcess(Matern52(ARD), noise=0.01).fit(X, Y), "feature_names_in_")
