"""GaussianProcess(solver="cg") against the exact Cholesky solver (itself checked against
scikit-learn in test_regression.py): likelihood, fitted hyperparameters, predictions,
updates, composite and user kernels, reproducibility, warnings and refusals."""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest

from pyjl.exceptions import ConvergenceWarning, InputError
from pyjl.gp import (
    RBF,
    GaussianProcess,
    Linear,
    Matern12,
    Matern32,
    Matern52,
    Periodic,
    Scaled,
    White,
)
from pyjl.gp.interface import KernelBase
from pyjl.gp.iterative import model


@pytest.fixture(scope="module")
def big():
    """n = 2,000 draws of a GP (RBF, lengthscales 0.2 and 0.3, noise 0.01) in 2-D, the exact
    fit and the CG fit at default settings, both from the generating hyperparameters."""
    g = np.random.default_rng(zlib.crc32(b"test_iterative_gp.big"))
    n = 2000
    X = g.uniform(0, 1, (n, 2))
    K = RBF([0.2, 0.3])(X) + 1e-8 * np.eye(n)
    y = np.linalg.cholesky(K) @ g.standard_normal(n) + 0.1 * g.standard_normal(n)
    start = RBF([0.2, 0.3])
    exact = GaussianProcess(start, noise=0.01, solver="cholesky").fit(X, y)
    cg = GaussianProcess(start, noise=0.01, solver="cg", random_state=0).fit(X, y)
    return X, y, g.uniform(0, 1, (500, 2)), exact, cg


def test_defaults_at_n_2000_agree_with_cholesky(big):
    X, y, Xs, exact, cg = big
    assert cg.solver_info_["solver"] == "cg" and cg.solver_info_["converged"]
    assert not hasattr(cg, "L_")
    # fitted hyperparameters within 5 %
    np.testing.assert_allclose(np.exp(cg.kernel_.theta), np.exp(exact.kernel_.theta), rtol=0.05)
    assert cg.noise_ == pytest.approx(exact.noise_, rel=0.05)
    # the SLQ log marginal likelihood at the exact optimum, within 1e-3
    th = np.append(exact.kernel_.theta, np.log(exact.noise_))
    assert cg.log_marginal_likelihood(th) == pytest.approx(
        exact.log_marginal_likelihood_value_, rel=1e-3
    )
    # predictions at the same hyperparameters: mean within 1e-4, std within 1 %
    same = GaussianProcess(exact.kernel_, noise=exact.noise_, solver="cg", random_state=1)
    same.fit(X, y, method=None)
    mu, sd = same.predict(Xs, return_std=True)
    mu_ex, sd_ex = exact.predict(Xs, return_std=True)
    assert np.abs(mu - mu_ex).max() <= 1e-4 * np.abs(mu_ex).max()
    np.testing.assert_allclose(sd, sd_ex, rtol=0.01)
    np.testing.assert_allclose(same.predict(Xs), mu, rtol=1e-12, atol=1e-12)  # mean alone


def _small(rng, n=300):
    X = rng.uniform(0, 1, (n, 2))
    y = np.sin(5 * X[:, 0]) + np.cos(3 * X[:, 1]) + 0.1 * rng.standard_normal(n)
    return X, y, rng.uniform(0, 1, (40, 2))


class Cosine(KernelBase):
    """A user's kernel: only the protocol's primary members (tiled matvec and grad_quad)."""

    def __init__(self, s=1.0):
        self.s = float(s)

    theta = property(
        lambda self: np.log([self.s]), lambda self, t: setattr(self, "s", float(np.exp(t[0])))
    )
    bounds = property(lambda self: np.log([[1e-5, 1e5]]))

    def __call__(self, X1, X2=None):
        X2 = X1 if X2 is None else X2
        return self.s * np.cos(3 * (X1[:, :1] - X2[:, :1].T))

    def diag(self, X):
        return np.full(len(X), self.s)

    def gradient(self, X):
        K = self(X)
        return K, K[None]


COMPOSITES = [
    Matern52([0.3, 0.5]) + White(0.05),
    RBF(0.4) * Periodic(1.0, period=1.5),
    Scaled(Matern32(0.3), scale=2.0),
    RBF(0.5) * Cosine(0.5) + Linear(0.2),
]


@pytest.mark.parametrize("kernel", COMPOSITES, ids=[repr(k) for k in COMPOSITES])
def test_composite_and_user_kernels_agree_with_cholesky(kernel, rng):
    X, y, Xs = _small(rng)
    exact = GaussianProcess(kernel, noise=0.02, solver="cholesky").fit(X, y, method=None)
    cg = GaussianProcess(kernel, noise=0.02, solver="cg", n_probes=100, random_state=0)
    cg.fit(X, y, method=None)
    lml = exact.log_marginal_likelihood_value_  # SLQ's error: about 0.5 here (100 probes)
    assert cg.log_marginal_likelihood_value_ == pytest.approx(lml, abs=0.01 * abs(lml) + 1.0)
    mu, sd = cg.predict(Xs, return_std=True)
    mu_ex, sd_ex = exact.predict(Xs, return_std=True)
    assert np.abs(mu - mu_ex).max() <= 1e-4 * np.abs(mu_ex).max()
    np.testing.assert_allclose(sd, sd_ex, rtol=0.01)
    th = exact._theta_full()
    _, g = cg.log_marginal_likelihood(th, eval_gradient=True)
    _, g_ex = exact.log_marginal_likelihood(th, eval_gradient=True)
    assert np.abs(g - g_ex).max() <= 0.05 * np.abs(g_ex).max()


def test_fit_moves_the_hyperparameters_like_cholesky(rng):
    X, y, _ = _small(rng, 400)
    kw = dict(noise=0.1, normalize_y=True)
    exact = GaussianProcess(Matern52([1.0, 1.0]), solver="cholesky", **kw).fit(X, y)
    cg = GaussianProcess(Matern52([1.0, 1.0]), solver="cg", random_state=3, **kw).fit(X, y)
    np.testing.assert_allclose(np.exp(cg.kernel_.theta), np.exp(exact.kernel_.theta), rtol=0.05)
    assert cg.noise_ == pytest.approx(exact.noise_, rel=0.05)


def test_default_rank_follows_the_kernels_error(rng):
    """``precond_rank=None``: pivoting goes on while the kernel's remaining trace is large
    against the noise -- to the full, exact factor for a rough kernel at small n (the
    estimate is then the exact likelihood; the gradient's trace stays a Hutchinson estimate
    past the control variate's columns), a few columns for a smooth one."""
    X = rng.uniform(0, 1, (500, 4))
    y = np.sin(6 * X @ np.linspace(0.5, 1.5, 4)) + 0.03 * rng.standard_normal(500)
    rough = Matern52([0.5, 0.4, 0.3, 0.3], variance=2.0)
    kw = dict(noise=1e-3, normalize_y=False)
    exact = GaussianProcess(rough, solver="cholesky", **kw).fit(X, y, method=None)
    cg = GaussianProcess(rough, solver="cg", random_state=0, **kw).fit(X, y, method=None)
    assert cg.solver_info_["precond_rank"] > 400
    th = exact._theta_full()
    lml, g = cg.log_marginal_likelihood(th, eval_gradient=True)
    lml_ex, g_ex = exact.log_marginal_likelihood(th, eval_gradient=True)
    assert lml == pytest.approx(lml_ex, rel=1e-8)
    assert np.abs(g - g_ex).max() <= 0.1 * np.abs(g_ex).max()
    low = GaussianProcess(rough, solver="cg", random_state=0, precond_rank=100, **kw)
    assert abs(low.fit(X, y, method=None).log_marginal_likelihood(th) - lml_ex) > 1e-3
    smooth = GaussianProcess(RBF([2.0, 2.0, 2.0, 2.0]), solver="cg", random_state=0, **kw)
    assert smooth.fit(X, y, method=None).solver_info_["precond_rank"] < 200


def test_seeded_fits_are_reproducible(rng):
    X, y, Xs = _small(rng, 200)
    fits = [
        GaussianProcess(
            Matern32(0.5), noise=0.05, solver="cg", precond_rank=5, random_state=s
        ).fit(X, y, max_iter=5)
        for s in (7, 7, 8)
    ]
    a, b, c = fits
    assert np.array_equal(a.kernel_.theta, b.kernel_.theta) and a.noise_ == b.noise_
    assert a.log_marginal_likelihood_value_ == b.log_marginal_likelihood_value_
    assert np.array_equal(a.predict(Xs, return_std=True)[1], b.predict(Xs, return_std=True)[1])
    assert c.log_marginal_likelihood_value_ != a.log_marginal_likelihood_value_  # other probes


def test_too_few_cg_iterations_warn_and_say_what_to_raise(rng):
    X, y, _ = _small(rng, 200)
    gp = GaussianProcess(Matern32(0.3), noise=1e-3, solver="cg", max_cg_iter=2, precond_rank=0)
    with pytest.warns(ConvergenceWarning, match="max_cg_iter.*precond_rank"):
        gp.fit(X, y, method=None)
    assert not gp.solver_info_["converged"] and gp.solver_info_["residual"] > gp.cg_tol


def test_predictions_from_an_unconverged_fit_warn_each_time(rng):
    # the mean's weights alpha come from the fit's last solve: where it stopped short,
    # every prediction is that far off (38 % here) and says so, not only the fit
    X, y, Xs = _small(rng, 400)
    kw = dict(noise=1e-3, random_state=0)
    exact = GaussianProcess(Matern32(0.3), solver="cholesky", **kw).fit(X, y, method=None)
    gp = GaussianProcess(Matern32(0.3), solver="cg", max_cg_iter=20, precond_rank=0, **kw)
    with pytest.warns(ConvergenceWarning):
        gp.fit(X, y, method=None)
    assert gp.solver_info_["alpha_residual"] > gp.cg_tol / 100
    for _ in range(2):
        with pytest.warns(ConvergenceWarning, match="alpha = A\\^-1 y.*max_cg_iter"):
            mean = gp.predict(Xs)
    assert np.abs(mean - exact.predict(Xs)).max() > 1e-3  # the warning is not idle
    with pytest.warns(ConvergenceWarning, match="alpha = A"):
        gp.predict(Xs, return_std=True)
    fine = GaussianProcess(Matern32(0.3), solver="cg", **kw).fit(X, y, method=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        np.testing.assert_allclose(fine.predict(Xs), exact.predict(Xs), rtol=1e-4, atol=1e-5)


def test_the_lml_standard_error_measures_the_estimates_spread():
    # a rank-20 preconditioner leaves a rough kernel unresolved: the 10-probe estimate
    # spreads by many nats, and solver_info_ says by how much; full rank: none
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, (600, 2))
    y = np.sin(6 * X[:, 0]) + 0.1 * rng.standard_normal(600)
    kw = dict(noise=1e-2)
    exact = GaussianProcess(Matern12(0.3), solver="cholesky", **kw).fit(X, y, method=None)
    z = []
    for seed in range(8):
        gp = GaussianProcess(Matern12(0.3), solver="cg", precond_rank=20, random_state=seed, **kw)
        gp.fit(X, y, method=None)
        se = gp.solver_info_["lml_std_error"]
        assert se > 1.0
        z.append((gp.log_marginal_likelihood_value_ - exact.log_marginal_likelihood_value_) / se)
    assert np.abs(z).max() < 4 and 0.1 < np.mean(np.square(z)) < 4, z
    full = GaussianProcess(Matern12(0.3), solver="cg", random_state=0, **kw).fit(X, y, method=None)
    assert full.solver_info_["precond_rank"] == 600
    assert full.solver_info_["lml_std_error"] < 1e-8


def test_update_and_recentre_agree_with_cholesky(rng):
    X, y, Xs = _small(rng, 300)
    Xn, yn = rng.uniform(0, 1, (20, 2)), rng.standard_normal(20)
    kw = dict(noise=0.02, normalize_y=True)
    exact = GaussianProcess(Matern52(0.3), solver="cholesky", **kw).fit(X, y, method=None)
    cg = GaussianProcess(Matern52(0.3), solver="cg", random_state=0, **kw).fit(X, y, method=None)
    for gp in (exact, cg):
        gp.update(Xn, yn, noise_var=0.05)
    assert len(cg.X_train_) == 320 and cg.solver_info_["converged"]
    np.testing.assert_allclose(cg.alpha_, exact.alpha_, rtol=1e-3, atol=1e-3)
    mu, sd = cg.predict(Xs, return_std=True)
    mu_ex, sd_ex = exact.predict(Xs, return_std=True)
    assert np.abs(mu - mu_ex).max() <= 1e-4 * np.abs(mu_ex).max()
    np.testing.assert_allclose(sd, sd_ex, rtol=0.01)
    # the preconditioner's rank resolved for 320 points, as a refit's (the first fit's 300
    # capped it): the pivoted Cholesky stops at 312, leaving out a trace of 1e-3 times the
    # noise, and the log-determinant is within 1.2e-5 of Cholesky's (the bound: 1e-3)
    assert cg.solver_info_["precond_rank"] > 300
    lml = exact.log_marginal_likelihood_value_
    assert cg.log_marginal_likelihood_value_ == pytest.approx(lml, abs=1e-4)
    far = np.array([[30.0, 30.0]])
    gls, gls_ex = cg.recentre().predict(far)[0], exact.recentre().predict(far)[0]
    assert gls == pytest.approx(gls_ex, rel=1e-2)  # K^-1 1 by CG


def test_update_builds_the_state_of_a_refit_on_all_points():
    """100 points, then 300 more: the preconditioner resolved for 400 points (the exact
    factor), so the likelihood, and at another theta its gradient, are Cholesky's (the
    state kept the first fit's rank 100 and missed by up to 5 nats, the gradient by 3-9 %)."""
    rng = np.random.default_rng(21)
    X = rng.uniform(0, 1, (400, 2))
    y = np.sin(6 * X[:, 0]) + X[:, 1] + 0.05 * rng.standard_normal(400)
    k = 1.0 * Matern32([0.2, 0.3])
    exact = GaussianProcess(k, noise=1e-2, solver="cholesky").fit(X, y, method=None)
    for seed in range(3):
        cg = GaussianProcess(k, noise=1e-2, solver="cg", random_state=seed)
        cg.fit(X[:100], y[:100], method=None).update(X[100:], y[100:])
        assert cg.solver_info_["precond_rank"] == 400
        lml = exact.log_marginal_likelihood_value_
        assert cg.log_marginal_likelihood_value_ == pytest.approx(lml, rel=1e-10)
        theta = exact._theta_full() + 0.2
        value, grad = cg.log_marginal_likelihood(theta, eval_gradient=True)
        value_ex, grad_ex = exact.log_marginal_likelihood(theta, eval_gradient=True)
        assert value == pytest.approx(value_ex, rel=1e-10)
        np.testing.assert_allclose(grad, grad_ex, rtol=1e-6)


def test_recentre_is_solved_as_finely_as_the_fits_alpha(rng):
    # ordinary kriging in NumPy: the GLS mean m = 1'A^-1 y / 1'A^-1 1, then k*'A^-1 (y - m)
    n, k = 400, Matern52([0.3, 0.5])
    X = rng.uniform(0, 1, (n, 2))
    y = np.sin(6 * X[:, 0]) + X[:, 1] + 0.05 * rng.standard_normal(n) + 3.0
    Xs = rng.uniform(0, 1, (50, 2))
    gp = GaussianProcess(k, noise=1e-2, solver="cg", precond_rank=40, random_state=0)
    gp.fit(X, y, method=None)
    A, Ks = k(X) + 1e-2 * np.eye(n), k(Xs, X)
    assert np.abs(gp.predict(Xs) - Ks @ np.linalg.solve(A, y)).max() <= 1e-5
    a = np.linalg.solve(A, np.ones(n))
    m = a @ y / a.sum()
    # solved to cg_tol / 100 as the fit's alpha: 9e-7 here, 8e-5 with the solves at cg_tol
    err = np.abs(gp.recentre().predict(Xs) - (m + Ks @ np.linalg.solve(A, y - m))).max()
    assert err <= 1e-5


def test_a_fitted_cg_model_pickles(rng):
    # joblib.dump / a Dask worker's copy: the state round-trips, predicts the same and
    # still updates (a lambda in the state made pickle fail)
    import pickle

    X, y, Xs = _small(rng, 300)
    gp = GaussianProcess(Matern52(0.3), noise=0.02, solver="cg", random_state=0)
    gp.fit(X, y, method=None).predict(Xs[:8], return_std=True)
    copy = pickle.loads(pickle.dumps(gp))
    for got, want in zip(copy.predict(Xs, return_std=True), gp.predict(Xs, return_std=True)):
        np.testing.assert_array_equal(got, want)
    exact = GaussianProcess(Matern52(0.3), noise=0.02, solver="cholesky").fit(X, y, method=None)
    Xn, yn = rng.uniform(0, 1, (5, 2)), rng.standard_normal(5)
    copy.update(Xn, yn)
    exact.update(Xn, yn)
    mu, mu_ex = copy.predict(Xs), exact.predict(Xs)
    assert np.abs(mu - mu_ex).max() <= 1e-4 * np.abs(mu_ex).max()


def test_covariance_and_samples_under_cg(rng):
    X, y, Xs = _small(rng, 300)
    exact = GaussianProcess(RBF(0.3), noise=0.02, solver="cholesky").fit(X, y, method=None)
    cg = GaussianProcess(RBF(0.3), noise=0.02, solver="cg", random_state=0).fit(X, y, method=None)
    _, cov = cg.predict(Xs[:10], return_cov=True)
    _, cov_ex = exact.predict(Xs[:10], return_cov=True)
    np.testing.assert_allclose(cov, cov_ex, atol=1e-3 * np.abs(cov_ex).max())
    draws = cg.sample_y(Xs[:3], 4000, random_state=0)
    np.testing.assert_allclose(np.cov(draws), cov_ex[:3, :3], atol=0.1 * cov_ex.max())


def test_auto_picks_cholesky_up_to_its_threshold(rng, monkeypatch):
    X, y, _ = _small(rng, 120)
    gp = GaussianProcess(RBF(0.3), noise=0.02).fit(X, y, method=None)
    assert gp.solver == "auto" and gp.solver_info_["solver"] == "cholesky" and hasattr(gp, "L_")
    monkeypatch.setattr(model, "AUTO_CG_ABOVE", 100)
    gp.fit(X, y, method=None)
    assert gp.solver_info_["solver"] == "cg" and not hasattr(gp, "L_")


@pytest.mark.parametrize("solver", ["cholesky", "cg"])
def test_max_iter_bounds_the_optimiser(rng, solver):
    X, y, _ = _small(rng, 150)
    calls = []

    def flat_prior(theta):  # counts the objective's evaluations, changes nothing
        calls.append(1)
        return 0.0, np.zeros_like(theta)

    gp = GaussianProcess(Matern52([2.0, 2.0]), noise=0.5, solver=solver, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a bound asked for: no warning
        gp.fit(X, y, prior=flat_prior, max_iter=2)
    bounded = len(calls)
    calls.clear()
    gp.fit(X, y, prior=flat_prior)
    assert bounded < len(calls) and bounded <= 2 * 20 + 1


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(solver="qr"), ["`solver`", "'qr'"]),
        (dict(cg_tol=0.0), ["`cg_tol`", "> 0"]),
        (dict(cg_tol=2.0), ["`cg_tol`", "< 1"]),
        (dict(cg_tol=1.0), ["`cg_tol`", "< 1"]),  # every column "solved" before a step
        (dict(max_cg_iter=0), ["`max_cg_iter`", ">= 1"]),
        (dict(n_probes=1.5), ["`n_probes`", "integer"]),
        (dict(precond_rank=-1), ["`precond_rank`", ">= 0"]),
        (dict(pred_rank="a"), ["`pred_rank`"]),
        (dict(factor_up_to=-1), ["`factor_up_to`", ">= 0"]),
    ],
)
def test_bad_solver_arguments_are_refused(kwargs, words):
    with pytest.raises(InputError) as info:
        GaussianProcess(RBF(1.0), **kwargs)
    for w in words:
        assert w in str(info.value)


def test_leave_one_out_and_bad_max_iter_are_refused_under_cg(rng):
    X, y, _ = _small(rng, 60)
    gp = GaussianProcess(RBF(0.3), noise=0.02, solver="cg")
    with pytest.raises(InputError, match='`method`.*solver="cholesky"'):
        gp.fit(X, y, method="loo")
    with pytest.raises(InputError, match="`max_iter`"):
        gp.fit(X, y, max_iter=0)
    gp.fit(X, y, method=None)
    with pytest.raises(InputError, match="`loo_log_predictive`.*diagonal of K"):
        gp.loo_log_predictive()


def test_an_unconverged_likelihood_at_a_given_theta_warns_at_the_callers_line(rng):
    """``log_marginal_likelihood(theta)`` runs out of CG iterations: a ConvergenceWarning
    (it returned unconverged numbers silently), attributed to this file."""
    X, y, _ = _small(rng, 300)
    kw = dict(noise=1e-3, solver="cg", precond_rank=10, max_cg_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp = GaussianProcess(Matern32(0.3), **kw).fit(X, y, method=None)
    theta = gp._theta_full() + 0.3
    for grad in (True, False):
        with pytest.warns(ConvergenceWarning, match="max_cg_iter") as caught:
            gp.log_marginal_likelihood(theta, eval_gradient=grad)
        assert [w.filename for w in caught] == [__file__]


@pytest.mark.parametrize("known", [False, True])
def test_a_raised_noise_is_the_noise_the_model_reports_and_adds(rng, known):
    # the floor raised the noise for the posterior while noise_ / noise_var_ kept 1e-9 and
    # include_noise added 1e-9: the model is that of the floor's noise, Cholesky's twin
    from pyjl.exceptions import NumericalWarning

    X, y, Xs = _small(rng, 300)
    fit = {"noise_var": np.full(len(y), 1e-9)} if known else {}
    kw = {} if known else {"noise": 1e-9, "noise_bounds": "fixed"}
    with pytest.warns(NumericalWarning, match="needs noise"):
        gp = GaussianProcess(Matern32(0.2), solver="cg", random_state=0, **kw)
        gp.fit(X, y, method=None, **fit)
    floor = 1e-6  # NOISE_FLOOR times the mean of the kernel's diagonal, 1
    np.testing.assert_allclose(gp.noise_var_, floor, rtol=1e-12)
    assert gp.noise_ == (None if known else pytest.approx(floor, rel=1e-12))
    twin = GaussianProcess(Matern32(0.2), noise=floor, noise_bounds="fixed", solver="cholesky")
    twin.fit(X, y, method=None)
    assert gp.log_marginal_likelihood() == pytest.approx(twin.log_marginal_likelihood(), 1e-6)
    if not known:
        got = gp.predict(Xs, return_std=True, include_noise=True)[1]
        want = twin.predict(Xs, return_std=True, include_noise=True)[1]
        np.testing.assert_allclose(got, want, rtol=1e-3)


def test_noise_floor_and_clipped_variances_warn_at_the_callers_line(rng, monkeypatch):
    from pyjl.exceptions import NumericalWarning
    from pyjl.gp import _posterior

    X, y, Xs = _small(rng, 200)
    gp = GaussianProcess(RBF(0.3), noise=1e-12, noise_bounds="fixed", solver="cg")
    with pytest.warns(NumericalWarning, match="needs noise") as caught:
        gp.fit(X, y, method=None)
    assert {w.filename for w in caught} == {__file__}
    monkeypatch.setattr(gp._cg, "predict", lambda Xs, want: (np.zeros(len(Xs)), -np.ones(len(Xs))))
    with pytest.warns(NumericalWarning, match="below 0") as caught:
        gp.predict(Xs, return_std=True)
    assert {w.filename for w in caught} == {__file__}
    exact = GaussianProcess(RBF(0.3), noise=1e-2, solver="cholesky").fit(X, y, method=None)
    blocks = _posterior.blocks
    monkeypatch.setattr(
        _posterior, "blocks", lambda *a: (blocks(*a)[0], blocks(*a)[1] + 10.0)
    )  # quadratic forms above the prior: variances below 0
    with pytest.warns(NumericalWarning, match="below 0") as caught:
        exact.predict(Xs, return_std=True)
    assert {w.filename for w in caught} == {__file__}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_resolving_preconditioner_makes_the_fit_exact(seed):
    """Up to 2,000 points the default preconditioner is the whole factor: the control
    variate then takes all of it and the gradient is exact (Hutchinson's noise with 100
    pivots moved the fitted hyperparameters by 19-40 % with the seed)."""
    g = np.random.default_rng(14)
    n = 1000
    X = g.uniform(0, 1, (n, 2))
    y = np.sin(6 * X[:, 0]) * np.cos(4 * X[:, 1]) + 0.1 * g.standard_normal(n)
    kernel = Matern32([0.5, 0.5])
    exact = GaussianProcess(kernel, noise=0.05, solver="cholesky").fit(X, y)
    cg = GaussianProcess(kernel, noise=0.05, solver="cg", random_state=seed).fit(X, y)
    np.testing.assert_allclose(np.exp(cg._theta_full()), np.exp(exact._theta_full()), rtol=0.05)


def test_the_likelihood_at_a_noise_below_the_floor_warns_as_fit_does(rng):
    # the reviewer's case: log_marginal_likelihood(theta) evaluated the model at the raised
    # noise (14x off the exact value) without the warning fit gives
    from pyjl.exceptions import NumericalWarning

    X, y, _ = _small(rng, 200)
    gp = GaussianProcess(Matern52([0.3, 0.3]), noise=0.01, solver="cg", random_state=0)
    gp.fit(X, y, method=None)
    theta = np.r_[gp.kernel_.theta, np.log(1e-9)]
    with pytest.warns(NumericalWarning, match="needs noise"):
        gp.log_marginal_likelihood(theta, True)


def test_a_factor_short_of_n_columns_that_resolves_the_noise_gives_the_exact_gradient():
    # the reviewer's case: 2,100 points, a default factor of 2,049 columns leaving out a
    # trace of about 2e-4 -- small against the noise's trace, large against one point's
    # noise -- fell back to 100 pivots, and the gradient was off by up to 6.7 nats
    g = np.random.default_rng(5)
    n, d = 2100, 4
    X = g.uniform(0, 1, (n, d))
    y = np.sin(5 * X[:, 0]) * np.cos(3 * X[:, -1]) + np.sqrt(0.001) * g.standard_normal(n)
    theta = np.log([1.87, 1e5, 1123.0, 3.64, 18.69, 3.995e-3])
    kernel = 1.0 * Matern32([0.5] * d)
    exact = GaussianProcess(kernel, noise=0.1, normalize_y=True, solver="cholesky")
    want = exact.fit(X, y, method=None).log_marginal_likelihood(theta, True)[1]
    cg = GaussianProcess(kernel, noise=0.1, normalize_y=True, solver="cg", random_state=0)
    got = cg.fit(X, y, method=None).log_marginal_likelihood(theta, True)[1]
    assert cg.solver_info_["precond_rank"] < n
    np.testing.assert_allclose(got, want, atol=0.05)


@pytest.mark.parametrize("scale", [1e-200, 1e160])
def test_targets_of_extreme_scale_predict_as_cholesky(scale):
    # CG's norms underflowed (a zero mean, reported converged) or overflowed (a zero mean
    # and a "nan residual" warning); the predictions of both solvers are those of y * scale
    g = np.random.default_rng(0)
    X = g.uniform(0, 1, (20, 2))
    y = np.sin(5 * X[:, 0]) * scale
    kw = {"kernel": RBF(0.5), "noise": 0.01, "noise_bounds": "fixed"}
    ch = GaussianProcess(**kw, solver="cholesky").fit(X, y, method=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        cg = GaussianProcess(**kw, solver="cg", random_state=0).fit(X, y, method=None)
        mean = cg.predict(X[:3] + 0.05)
    np.testing.assert_allclose(mean / scale, ch.predict(X[:3] + 0.05) / scale, rtol=1e-6)
