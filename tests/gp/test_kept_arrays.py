"""A kernel of one's own may hand back an array it keeps (here: one memoised per input, a
:class:`~pyjl.gp.KernelBase` subclass that passes ``check_kernel``): nothing in
``pyjl.gp`` may change it in place.  References: scikit-learn and SciPy distances."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.gaussian_process import GaussianProcessRegressor as GPR
from sklearn.gaussian_process import kernels as sk

from pyjl.gp import GaussianProcess, KernelBase
from pyjl.gp.iterative.local import conditioned
from pyjl.gp.iterative.operator import KernelOperator
from pyjl.testing import check_kernel


def _rbf(X1, X2, s):
    """``s exp(-|x - x'|^2 / 2)`` by SciPy."""
    return s * np.exp(-0.5 * cdist(X1, X2, "sqeuclidean"))


class Memo(KernelBase):
    """``s exp(-r^2 / 2)`` that keeps each matrix (and product) it returns, per input."""

    def __init__(self, s=1.0):
        self.s = float(s)
        self.kept = {}

    theta = property(
        lambda self: np.log([self.s]),
        lambda self, t: setattr(self, "s", float(np.exp(np.ravel(t)[0]))),
    )
    bounds = property(lambda self: np.log([[1e-5, 1e5]]))

    def _keep(self, X1, X2, V=None):
        """The kept array for these inputs, made (and kept with a copy of them) if new."""
        key = (self.s, X1.tobytes(), X2.tobytes(), None if V is None else V.tobytes())
        if key not in self.kept:
            K = _rbf(X1, X2, self.s)
            inputs = (self.s, X1.copy(), X2.copy(), None if V is None else V.copy())
            self.kept[key] = (inputs, K if V is None else K @ V)
        return self.kept[key][1]

    def __call__(self, X1, X2=None):
        return self._keep(X1, X1 if X2 is None else X2)

    def matvec(self, X1, X2, V):
        return self._keep(X1, X1 if X2 is None else X2, V)

    def diag(self, X):
        return np.full(len(X), self.s)

    def gradient(self, X):
        K = np.array(self(X))
        return K, K[None]

    def check_unchanged(self):
        """Every kept array still what it was made as."""
        assert self.kept
        for (s, X1, X2, V), arr in self.kept.values():
            ref = _rbf(X1, X2, s)
            np.testing.assert_array_equal(arr, ref if V is None else ref @ V)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 2, (30, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] + 0.1 * rng.standard_normal(30)
    return X, y


def test_memo_passes_check_kernel(data):
    assert check_kernel(Memo(1.3), data[0][:10]) < 1e-5


def test_fit_leaves_the_kept_matrix_alone_and_equals_scikit_learn(data):
    X, y = data
    gp = GaussianProcess(Memo(1.0), noise=1e-2).fit(X, y)
    ref = GPR(
        sk.ConstantKernel(1.0) * sk.RBF(1.0, length_scale_bounds="fixed") + sk.WhiteKernel(1e-2)
    ).fit(X, y)
    assert gp.log_marginal_likelihood() == pytest.approx(ref.log_marginal_likelihood_value_)
    np.testing.assert_allclose(gp.kernel_.s, np.exp(ref.kernel_.theta[0]), rtol=1e-3)
    gp.kernel_.check_unchanged()
    np.testing.assert_array_equal(gp.kernel_(X), _rbf(X, X, gp.kernel_.s))


def test_cg_predictions_leave_the_kept_matrix_alone(data):
    # the variance check solves exactly by a Cholesky factor of k(X) + noise
    X, y = data
    Xs = np.random.default_rng(1).uniform(0, 2, (5, 2))
    k = Memo(1.0)
    gp = GaussianProcess(k, noise=1e-2, solver="cg").fit(X, y, method=None)
    for _ in range(2):
        mu, std = gp.predict(Xs, return_std=True)
    A = _rbf(X, X, 1.0) + 1e-2 * np.eye(len(X))
    Ks = _rbf(Xs, X, 1.0)
    np.testing.assert_allclose(mu, Ks @ np.linalg.solve(A, y), rtol=1e-4, atol=1e-6)
    var = 1.0 - np.sum(Ks * np.linalg.solve(A, Ks.T).T, axis=1)
    np.testing.assert_allclose(std**2, var, rtol=1e-2, atol=1e-8)
    gp.kernel_.check_unchanged()


def test_local_neighbourhoods_leave_the_kept_matrix_alone(data):
    X, _ = data
    Xs = np.random.default_rng(2).uniform(0, 2, (3, 2))
    k, noise, idx = Memo(1.0), np.full(len(X), 1e-2), np.arange(0, 30, 2)
    Ks, prior = _rbf(Xs, X, 1.0), np.ones(3)
    A = _rbf(X[idx], X[idx], 1.0) + 1e-2 * np.eye(idx.size)
    ref = prior - np.sum(Ks[:, idx] * np.linalg.solve(A, Ks[:, idx].T).T, axis=1)
    for _ in range(2):  # the second call gets the kept matrix back
        np.testing.assert_allclose(conditioned(k, X, noise, Ks, prior, idx), ref, rtol=1e-10)
    k.check_unchanged()


def test_operator_leaves_a_kept_product_alone(data):
    X, _ = data
    k, V = Memo(1.0), np.random.default_rng(3).standard_normal((30, 2))
    op = KernelOperator(k, X, np.full(30, 0.5))
    for _ in range(2):
        np.testing.assert_allclose(op @ V, _rbf(X, X, 1.0) @ V + 0.5 * V, rtol=1e-12)
    k.check_unchanged()
