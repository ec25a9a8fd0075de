"""``k ** p`` and kernel equality against scikit-learn's ``Exponentiation`` and ``==``."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor as GPR
from sklearn.gaussian_process import kernels as sk

from pyjl.exceptions import InputError
from pyjl.gp import (
    RBF,
    Constant,
    Exponentiation,
    GaussianProcess,
    Linear,
    Matern12,
    Matern32,
    Periodic,
    RationalQuadratic,
    White,
)
from pyjl.gp.interface import KernelBase
from pyjl.testing import check_kernel

# (ours, scikit-learn's, the permutation of scikit-learn's gradient axis into ours)
PAIRS = [
    (RBF([0.7, 1.3], 2.0) ** 2.5, sk.Exponentiation(2.0 * sk.RBF([0.7, 1.3]), 2.5), [1, 2, 0]),
    (
        Matern32(0.6, variance_bounds="fixed") ** 3,
        sk.Exponentiation(sk.Matern(0.6, nu=1.5), 3.0),
        [0],
    ),
    (Linear(0.8) ** 2, sk.Exponentiation(0.8 * sk.DotProduct(0.0, "fixed"), 2.0), [0]),
    (
        RationalQuadratic(0.9, alpha=0.7, variance_bounds="fixed") ** 0.5,
        sk.Exponentiation(sk.RationalQuadratic(0.9, 0.7), 0.5),
        [1, 0],
    ),
    (
        (RBF(0.8, variance_bounds="fixed") + Constant(0.3)) ** 2 + White(0.1),
        sk.Exponentiation(sk.RBF(0.8) + sk.ConstantKernel(0.3), 2.0) + sk.WhiteKernel(0.1),
        [0, 1, 2],
    ),
]


@pytest.fixture
def X(rng):
    return rng.uniform(-1.5, 1.5, (20, 2))


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("ours,ref,order", PAIRS, ids=[repr(p[0]) for p in PAIRS])
def test_values_and_gradient_equal_scikit_learn(ours, ref, order, X, rng):
    Y = rng.uniform(-1.5, 1.5, (6, 2))
    Xs, Ys = (X[:, :1], Y[:, :1]) if "Matern32" in repr(ours) else (X, Y)
    np.testing.assert_allclose(ours(Xs), ref(Xs), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours(Xs, Ys), ref(Xs, Ys), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.diag(Xs), ref.diag(Xs), rtol=1e-12, atol=1e-14)
    K, dK = ours.gradient(Xs)
    rK, rdK = ref(Xs, eval_gradient=True)
    np.testing.assert_allclose(K, rK, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dK, np.moveaxis(rdK[:, :, order], 2, 0), rtol=1e-10, atol=1e-12)
    check_kernel(ours, Xs)  # symmetry, PSD, gradient and contraction by finite differences


@pytest.mark.usefixtures("engine")
def test_fixed_and_fitted_model_equal_scikit_learn(X):
    y = np.sin(2 * X[:, 0]) * X[:, 1]
    ours = GaussianProcess(RBF([0.7, 1.3]) ** 2 + Constant(0.5), noise=1e-2, noise_bounds="fixed")
    ref = sk.Exponentiation(sk.RBF([0.7, 1.3]), 2.0) + sk.ConstantKernel(0.5)
    fixed = ours.fit(X, y, method=None)
    sk_fixed = GPR(ref, alpha=1e-2, optimizer=None).fit(X, y)
    assert fixed.log_marginal_likelihood() == pytest.approx(
        sk_fixed.log_marginal_likelihood_value_, rel=1e-10
    )
    for got, want in zip(fixed.predict(X[:5], return_std=True), sk_fixed.predict(X[:5], True)):
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)
    fitted = ours.fit(X, y)
    sk_fitted = GPR(ref, alpha=1e-2, random_state=0).fit(X, y)
    assert fitted.log_marginal_likelihood() >= sk_fitted.log_marginal_likelihood_value_ - 1e-6


def test_fractional_power_of_negative_values_and_bad_exponents_are_refused(X):
    with pytest.raises(InputError, match=r"`Exponentiation.exponent`.*whole number.*Linear"):
        (Linear() ** 0.5)(X)
    (Linear() ** 2)(X)  # a whole power of a dot product is a kernel
    for bad in (0.0, -1.0, np.nan):
        with pytest.raises(InputError, match="`Exponentiation.exponent`"):
            RBF() ** bad
    with pytest.raises(InputError, match="`kernel`"):
        Exponentiation("rbf", 2.0)
    with pytest.raises(TypeError):
        RBF() ** "2"
    with pytest.raises(TypeError):
        RBF() ** True  # a bool is not a number here, as for c * k


def test_power_is_a_known_closed_form(X):
    # RBF(l)^p = RBF(l / sqrt(p)) and Matern12(l)^p = Matern12(l / p), for any p > 0
    np.testing.assert_allclose((RBF(0.8) ** 0.3)(X), RBF(0.8 / np.sqrt(0.3))(X), rtol=1e-12)
    np.testing.assert_allclose((Matern12(0.8) ** 2.5)(X), Matern12(0.8 / 2.5)(X), rtol=1e-12)


def test_theta_is_the_inner_kernels_and_a_shared_object_is_untied():
    k = RBF(0.5)
    both = k + k**2
    assert both.theta.size == 4
    both.theta = np.log([0.1, 1.0, 0.2, 1.0])
    assert [
        p.kernel.lengthscale if hasattr(p, "kernel") else p.lengthscale for p in both.parts
    ] == [
        pytest.approx(0.1),
        pytest.approx(0.2),
    ]
    e = Exponentiation(RBF(0.5, variance_bounds="fixed"), 2)
    assert e.hyperparameter_names == ["k.lengthscale"]
    np.testing.assert_array_equal(e.bounds, np.log([[1e-5, 1e5]]))


# (ours a, ours b, scikit-learn a, scikit-learn b): == must agree with scikit-learn's
EQUALITY = [
    (RBF(1.0), RBF(1.0), sk.RBF(1.0), sk.RBF(1.0)),
    (RBF(1.0), RBF(2.0), sk.RBF(1.0), sk.RBF(2.0)),
    (RBF([1.0, 2.0]), RBF([1.0, 2.0]), sk.RBF([1.0, 2.0]), sk.RBF([1.0, 2.0])),
    (RBF(1.0, lengthscale_bounds="fixed"), RBF(1.0), sk.RBF(1.0, "fixed"), sk.RBF(1.0)),
    (RBF() + White(), RBF() + White(), sk.RBF() + sk.WhiteKernel(), sk.RBF() + sk.WhiteKernel()),
    (RBF() + White(), White() + RBF(), sk.RBF() + sk.WhiteKernel(), sk.WhiteKernel() + sk.RBF()),
    (RBF() ** 2, RBF() ** 2, sk.Exponentiation(sk.RBF(), 2), sk.Exponentiation(sk.RBF(), 2)),
    (RBF() ** 2, RBF() ** 3, sk.Exponentiation(sk.RBF(), 2), sk.Exponentiation(sk.RBF(), 3)),
    (Matern32(), RBF(), sk.Matern(nu=1.5), sk.RBF()),
    (
        Periodic(1.0, period=2.0),
        Periodic(1.0, period=2.0),
        sk.ExpSineSquared(1.0, 2.0),
        sk.ExpSineSquared(1.0, 2.0),
    ),
]


@pytest.mark.parametrize("a,b,ra,rb", EQUALITY, ids=[f"{p[0]!r}=={p[1]!r}" for p in EQUALITY])
def test_equality_agrees_with_scikit_learn(a, b, ra, rb):
    assert (a == b) is (ra == rb)
    assert (a != b) is (ra != rb)


def test_equality_follows_the_values_and_survives_copies(X):
    k = RBF([0.7, 1.3]) ** 2 + White(0.1)
    assert copy.deepcopy(k) == k and pickle.loads(pickle.dumps(k)) == k
    fitted = GaussianProcess(k, noise=1e-2).fit(X, np.sin(X[:, 0])).kernel_
    assert fitted != k  # the fit moved the hyperparameters
    assert fitted == k.clone_with_theta(fitted.theta)
    assert RBF() != "RBF()" and RBF() != 1.0
    with pytest.raises(TypeError, match="unhashable"):
        hash(RBF())  # as scikit-learn's kernels


class _Cos(KernelBase):
    """A user kernel keeping its argument under another name: no readable settings."""

    def __init__(self, s=1.0):
        self._s = float(s)

    theta = property(lambda self: np.log([self._s]))
    bounds = property(lambda self: np.log([[1e-5, 1e5]]))

    def __call__(self, X1, X2=None):
        X2 = X1 if X2 is None else X2
        return self._s * np.cos(X1.sum(1)[:, None] - X2.sum(1)[None, :])

    def diag(self, X):
        return np.full(len(X), self._s)

    def gradient(self, X):
        K = self(X)
        return K, K[None]


def test_a_kernel_whose_settings_cannot_be_read_back_equals_only_itself():
    # get_params() is {} for it: equal settings would make every two instances equal
    a, b = _Cos(1.0), _Cos(100.0)
    assert a == a and a != b and (a + RBF()) != (b + RBF())


def test_repr_of_a_power_builds_the_same_kernel():
    # ** binds tighter than * and associates to the right: a powered or scaled base keeps
    # its parentheses ((RBF ** 2) ** 0.5 read back as RBF ** 1.414 before)
    from pyjl.gp import RBF, Linear, White
    from pyjl.gp.combinators import Scaled

    X = np.linspace(-1.0, 1.0, 7)[:, None]
    namespace = {"RBF": RBF, "Linear": Linear, "White": White}
    for k in ((RBF(0.7) ** 2) ** 0.5, Scaled(Linear(), 2.0) ** 3, (RBF() + White(0.1)) ** 2):
        again = eval(repr(k), namespace)
        np.testing.assert_allclose(again(X), k(X), rtol=1e-14)


def test_a_fractional_power_that_is_not_positive_definite_is_named():
    # the reviewer's case: (Matern32 + Periodic) ** 0.5 has a negative eigenvalue (as in
    # scikit-learn); the refusal said "not positive definite" without the cause
    from pyjl.gp import GaussianProcess, Matern32, Periodic

    rng = np.random.default_rng(0)
    X = rng.uniform(0.0, 5.0, (40, 1))
    kernel = (Matern32() + Periodic()) ** 0.5
    assert np.linalg.eigvalsh(kernel(X))[0] < -0.01
    gp = GaussianProcess(2.0 * kernel, noise=1e-10, noise_bounds="fixed")
    with pytest.raises(np.linalg.LinAlgError, match="raises Sum to the fractional power 0.5"):
        gp.fit(X, np.sin(X[:, 0]), method=None)
