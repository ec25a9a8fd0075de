"""A GP with normalize_y is equivariant in the scale of y: s * y fits and predicts as y,
times s, at any magnitude (np.std squares values: 1e200 overflows, 1e-200 underflows)."""

import numpy as np
import pytest

from pyjl.gp import RBF, GaussianProcess


@pytest.mark.parametrize("scale", [1e-300, 1e-200, 1e200, 1e300])
def test_normalized_fit_and_prediction_scale_with_y(scale):
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (12, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1]
    Xs = rng.uniform(0, 1, (5, 2))

    def fit(s):
        gp = GaussianProcess(RBF([0.5, 0.5]), noise=1e-2, normalize_y=True)
        gp.fit(X, y * s)
        mean, std = gp.predict(Xs, return_std=True)
        return gp.kernel_.theta, mean / s, std / s, gp.log_marginal_likelihood()

    theta, mean, std, lml = fit(scale)
    theta1, mean1, std1, lml1 = fit(1.0)
    np.testing.assert_allclose(theta, theta1, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(mean, mean1, rtol=1e-6)
    np.testing.assert_allclose(std, std1, rtol=1e-6)  # small ones: noise-floor cancellation
    # the likelihood of the standardised y: the same number at every scale
    assert lml == pytest.approx(lml1, rel=1e-8)
