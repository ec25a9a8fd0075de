"""``GaussianProcess.fit(prior=...)``: the MAP fit the BO surrogate uses, checked against the
log marginal likelihood written out by hand (R&W eq. 2.30) plus a Gaussian log prior."""

import copy

import numpy as np
import pytest
from scipy.optimize import minimize

from pyjl.exceptions import InputError
from pyjl.gp import RBF, GaussianProcess

MEAN, SD = np.array([np.log(0.3), 0.0]), np.array([0.5, 0.5])  # over (log l, log s2)
#: a fitted hyperparameter at a bound of its search warns (as scikit-learn)
AT_BOUND = "ignore:the fitted .* bound:pyjl.exceptions.ConvergenceWarning"


def gaussian_prior(theta):
    z = (theta - MEAN) / SD
    return -0.5 * float(z @ z), -z / SD


def lml_by_hand(theta, X, y, noise):
    """R&W eq. 2.30 for ``s2 exp(-r^2 / (2 l^2))`` on the standardised ``y``."""
    ell, s2 = np.exp(theta)
    yn = (y - y.mean()) / y.std()
    r2 = (X[:, None, 0] - X[None, :, 0]) ** 2
    K = s2 * np.exp(-0.5 * r2 / ell**2) + noise * np.eye(len(y))
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, yn))
    return -0.5 * yn @ alpha - np.log(np.diag(L)).sum() - 0.5 * len(y) * np.log(2 * np.pi)


# the ML fit (without the prior) sends the lengthscale to its lower bound
@pytest.mark.filterwarnings(AT_BOUND)
def test_map_equals_the_optimum_of_likelihood_plus_prior(rng):
    X = rng.uniform(0.0, 1.0, (15, 1))
    y = np.sin(6.0 * X[:, 0]) + 0.1 * rng.standard_normal(15)
    noise = 1e-2
    gp = GaussianProcess(
        RBF(lengthscale=1.0, variance=1.0), noise=noise, normalize_y=True, noise_bounds="fixed"
    )
    gp.fit(X, y, prior=gaussian_prior)
    got = np.asarray(gp.kernel_.theta)
    ref = minimize(
        lambda t: -(lml_by_hand(t, X, y, noise) + gaussian_prior(t)[0]),
        np.zeros(2),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 4000},
    )
    np.testing.assert_allclose(got, ref.x, atol=1e-3)
    # and it is not the ML optimum: the prior pulls the lengthscale towards 0.3
    ml = GaussianProcess(
        RBF(lengthscale=1.0, variance=1.0), noise=noise, normalize_y=True, noise_bounds="fixed"
    ).fit(X, y)
    assert np.abs(np.asarray(ml.kernel_.theta) - got).max() > 1e-2


def test_prior_gradient_reaches_the_learned_noise(rng):
    # with the noise learned, the prior sees (log l, log s2, log noise): a tight prior on the
    # noise pins it
    X = rng.uniform(0.0, 1.0, (12, 1))
    y = np.cos(4.0 * X[:, 0]) + 0.05 * rng.standard_normal(12)

    def pin_noise(theta):
        g = np.zeros_like(theta)
        g[-1] = -1e4 * (theta[-1] - np.log(0.05))
        return -0.5e4 * (theta[-1] - np.log(0.05)) ** 2, g

    gp = GaussianProcess(RBF(0.5), noise=1e-3, normalize_y=True).fit(X, y, prior=pin_noise)
    assert gp.noise_ == pytest.approx(0.05, rel=1e-2)


def test_prior_must_be_callable():
    with pytest.raises(InputError, match="`prior` must be None or a callable"):
        GaussianProcess(RBF(0.5)).fit(np.zeros((2, 1)) + [[0.0], [1.0]], [0.0, 1.0], prior=3)


@pytest.mark.parametrize(
    "returns, got",
    [
        (lambda t: (-(t[0] ** 2), np.array([-2.0 * t[0]])), r"an array of shape \(1,\)"),
        (lambda t: (-(t[0] ** 2), np.zeros(7)), r"an array of shape \(7,\)"),
        (lambda t: -(t[0] ** 2), r"got np\.float64"),
        (lambda t: (np.zeros(2), np.zeros(3)), r"got \(an array of shape \(2,\)"),
        (lambda t: (0.0, None), r"None\)"),
        (lambda t: (0.0, "abc"), r"'abc'\)"),
        (lambda t: (0.0, {"a": 1.0}), r"got \(0\.0, "),
    ],
)
def test_a_prior_returning_the_wrong_shapes_is_refused(returns, got):
    # the reviewer's case: a gradient of one value was broadcast over the three
    # hyperparameters (theta of RBF, then log noise), a silently wrong MAP fit
    rng = np.random.default_rng(0)
    X = rng.uniform(0.0, 1.0, (20, 2))
    y = np.sin(X.sum(1))
    gp = GaussianProcess(RBF(0.5))
    says = r"`prior` must return \(log p, gradient\).* 3 values.*" + got
    with pytest.raises(InputError, match=says):
        gp.fit(X, y, prior=returns)
    flat = GaussianProcess(RBF(0.5)).fit(X, y, prior=lambda t: (0.0, np.zeros(3)))
    plain = GaussianProcess(RBF(0.5)).fit(X, y)
    np.testing.assert_allclose(flat.kernel_.theta, plain.kernel_.theta, rtol=1e-12)


@pytest.mark.parametrize("gradient", [None, "abc"])
def test_one_hyperparameters_gradient_must_be_a_number(gradient):
    # None read as a NaN gradient: "every optimisation start failed", not a named refusal
    X = np.linspace(0.0, 1.0, 12)[:, None]
    one = GaussianProcess(RBF(0.5, variance_bounds="fixed"), noise=1e-2, noise_bounds="fixed")
    with pytest.raises(InputError, match=r"`prior` must return .* 1 values"):
        one.fit(X, np.sin(6 * X[:, 0]), prior=lambda t: (0.0, gradient))


def test_a_list_pair_and_a_number_for_one_gradient_are_read_as_before():
    # the reviewer's cases: both fitted correctly before the returns were checked
    rng = np.random.default_rng(0)
    X = rng.uniform(0.0, 1.0, (20, 2))
    y = np.sin(X.sum(1))
    one = GaussianProcess(RBF(0.5, variance_bounds="fixed"), noise=1e-3, noise_bounds="fixed")
    a = copy.deepcopy(one).fit(X, y, prior=lambda t: (-(t[0] ** 2), -2.0 * t[0]))
    b = copy.deepcopy(one).fit(X, y, prior=lambda t: (-(t[0] ** 2), np.array([-2.0 * t[0]])))
    np.testing.assert_allclose(a.kernel_.theta, b.kernel_.theta, rtol=1e-12)
    c = GaussianProcess(RBF(0.5)).fit(X, y, prior=lambda t: [-(t @ t), -2.0 * t])
    d = GaussianProcess(RBF(0.5)).fit(X, y, prior=lambda t: (-(t @ t), -2.0 * t))
    np.testing.assert_allclose(c.kernel_.theta, d.kernel_.theta, rtol=1e-12)
