"""The BO surrogate: the prior's gradient, MAP vs ML, and ML against scikit-learn."""

import warnings

import numpy as np
import pytest
from scipy.optimize import check_grad

from pyjl.bo.surrogate import fit_surrogate, log_prior

RNG = np.random.default_rng(17)


def _data(n=25, d=3):
    X = RNG.random((n, d))
    y = np.sin(5 * X[:, 0]) + 0.5 * X[:, 1] ** 2 + 0.01 * RNG.standard_normal(n)
    return X, y


@pytest.mark.parametrize("learn", [True, False])
def test_log_prior_gradient(learn):
    d = 4
    theta = RNG.normal(0.0, 0.7, d + 1 + learn)
    err = check_grad(lambda t: log_prior(t, d, learn)[0], lambda t: log_prior(t, d, learn)[1],
                     theta)
    assert err < 1e-5


def test_prior_mode_is_unit_lengthscale():
    # -0.1 (l^2 + 1/l^2) is largest at l = 1; Gamma(2, 1) on s2 (in log space) at s2 = 1
    vals = [log_prior(np.array([np.log(l), 0.0]), 1, False)[0] for l in (0.5, 1.0, 2.0)]
    assert vals[1] > vals[0] and vals[1] > vals[2]


def test_ml_matches_or_beats_sklearn():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
    X, y = _data()
    gp, theta = fit_surrogate(X, y, None, method="ml", prior=False, seed=0)
    sk = GaussianProcessRegressor(ConstantKernel(1.0, (1e-2, 1e2))
                                  * Matern(np.ones(3), (1e-2, 1e2), nu=2.5)
                                  + WhiteKernel(1e-2, (1e-6, 1.0)),
                                  normalize_y=True, n_restarts_optimizer=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk.fit(X, y)
    assert gp.log_marginal_likelihood() >= sk.log_marginal_likelihood_value_ - 1e-2


def test_map_fit_maximises_evidence_plus_prior():
    X, y = _data()
    gp, theta = fit_surrogate(X, y, None, method="ml", prior=True)
    d = X.shape[1]

    def post(t):
        return gp.log_marginal_likelihood(t) + log_prior(t, d, True)[0]

    best = post(theta)
    for _ in range(20):                    # no nearby point is better
        assert post(theta + RNG.normal(0, 0.05, theta.size)) <= best + 1e-6
    # warm start from the optimum lands on the same optimum
    _, theta2 = fit_surrogate(X, y, None, prior=True, theta0=theta, cold_start=False)
    np.testing.assert_allclose(theta2, theta, atol=0.05)


def test_known_noise_and_loo():
    X, y = _data()
    nv = np.full(len(y), 1e-4)
    gp, theta = fit_surrogate(X, y, nv, method="loo")
    assert theta.size == X.shape[1] + 1 and gp.noise_ is None
    mu = gp.predict(X)
    assert np.max(np.abs(mu - y)) < 0.1
