"""``GaussianProcess.sample_y`` at and near the training points of (nearly) noiseless fits,
where the posterior covariance is a rounding error of the prior's: the draws' moments
against scikit-learn's posterior and a brute-force NumPy one."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor as GPR
from sklearn.gaussian_process import kernels as sk

from pyjl.gp import RBF, GaussianProcess


def _data(seed, beyond, scale=1.0):
    """30 points in [0, 1], ``scale * sin(6 x)``, and 25 test points: ten training points,
    five a hair from training points, five new ones among them and five more, among them
    too or, with ``beyond``, in [1, 2] (where the posterior variance is not all rounding)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (30, 1))
    new = np.r_[rng.uniform(0, 1, 5), rng.uniform(0, 1, 5) + beyond][:, None]
    Xs = np.vstack([X[:10], X[:5] + 1e-9, new])
    return X, scale * np.sin(6 * X[:, 0]), Xs


def _check_moments(draws, mean, cov, rounding=1e-9):
    """The draws' mean and covariance within 5 standard errors of ``(mean, cov)`` (entry
    ``ij`` of a sample covariance of ``n`` draws: ``sqrt((C_ii C_jj + C_ij^2) / n)``), each
    variance taken ``rounding`` larger (a posterior covariance is exact to about that
    fraction of the prior variance, 1 here)."""
    n = draws.shape[1]
    var = np.clip(np.diag(cov), 0, None) + rounding
    assert np.all(np.abs(draws.mean(axis=1) - mean) <= 5 * np.sqrt(var / n))
    se = np.sqrt((np.outer(var, var) + cov**2) / n)
    assert np.all(np.abs(np.cov(draws) - cov) <= 5 * se + rounding)


@pytest.mark.parametrize("beyond", [False, True])
@pytest.mark.parametrize("seed", range(20))
def test_draws_of_a_nearly_noiseless_fit_have_scikit_learns_moments(seed, beyond):
    X, y, Xs = _data(seed, beyond)
    gp = GaussianProcess(RBF(0.5), noise=1e-10).fit(X, y, method=None)
    ref = GPR(sk.RBF(0.5), alpha=1e-10, optimizer=None).fit(X, y)
    mean, cov = gp.predict(Xs, return_cov=True)
    sk_mean, sk_cov = ref.predict(Xs, return_cov=True)
    # K's condition number (about 1e10) amplifies rounding: the two agree to it
    np.testing.assert_allclose(mean, sk_mean, atol=1e-6)
    np.testing.assert_allclose(cov, sk_cov, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rounding, not a numerical problem: no warning
        draws = gp.sample_y(Xs, 4000, random_state=seed)
    _check_moments(draws, mean, cov)


@pytest.mark.parametrize("normalize,scale", [(False, 1.0), (True, 1e8)])
@pytest.mark.parametrize("beyond", [False, True])
@pytest.mark.parametrize("seed", range(20))
def test_draws_of_a_noiseless_fit_have_the_posterior_moments(seed, beyond, normalize, scale):
    # noise 0: the fit adds the jitter of its ladder; the reference is the posterior of K
    # with that jitter, in NumPy (scikit-learn's alpha=0 does not factorise this K)
    X, y, Xs = _data(seed, beyond, scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fit's jitter warning
        gp = GaussianProcess(RBF(0.5), noise=0, normalize_y=normalize).fit(X, y, method=None)
    k = RBF(0.5)
    K = k(X) + gp.jitter_ * np.eye(len(X))
    Ks = k(Xs, X)
    m, s = (y.mean(), y.std()) if normalize else (0.0, 1.0)
    mean, cov = gp.predict(Xs, return_cov=True)
    np.testing.assert_allclose(mean, m + s * Ks @ np.linalg.solve(K, (y - m) / s), atol=1e-4 * s)
    ref_cov = s**2 * (k(Xs) - Ks @ np.linalg.solve(K, Ks.T))
    np.testing.assert_allclose(cov, ref_cov, atol=1e-4 * s**2)  # K's condition: about 1e12
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draws = gp.sample_y(Xs, 4000, random_state=seed)
    _check_moments(draws / s, mean / s, cov / s**2)
