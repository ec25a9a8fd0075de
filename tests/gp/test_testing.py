"""pyjl.testing.check_kernel must pass good kernels and catch broken ones."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.gp import RBF, KernelBase, Matern32
from pyjl.testing import check_kernel


@pytest.fixture
def X(rng):
    """10 points in two dimensions, uniform in [-1, 1]."""
    return rng.uniform(-1, 1, (10, 2))


class _Broken(KernelBase):
    """RBF-like kernel with configurable defects."""

    def __init__(self, defect, s=1.3):
        self.defect, self.s = defect, s

    theta = property(
        lambda self: np.log([self.s]), lambda self, t: setattr(self, "s", float(np.exp(t[0])))
    )
    bounds = property(lambda self: np.log([[1e-3, 1e3]]))

    def __call__(self, X1, X2=None):
        X2 = X1 if X2 is None else X2
        K = self.s * np.exp(-0.5 * ((X1[:, None, :] - X2[None, :, :]) ** 2).sum(-1))
        if self.defect == "asymmetric" and K.shape[0] == K.shape[1]:
            K = K + np.triu(np.full_like(K, 1e-3), 1)
        if self.defect == "indefinite" and K.shape[0] == K.shape[1]:
            K = K - 2.0 * self.s * np.eye(len(K))
        return K

    def diag(self, X):
        d = np.full(len(X), self.s)
        return d + 1.0 if self.defect == "diag" else d

    def gradient(self, X):
        K = self(X)
        return K, (2.0 * K if self.defect == "gradient" else K)[None]


@pytest.mark.parametrize(
    "defect,message",
    [
        ("gradient", "finite differences"),
        ("asymmetric", "symmetric"),
        ("indefinite", "positive semi-definite"),
        ("diag", "diag"),
    ],
)
def test_check_kernel_catches_defects(defect, message, X):
    with pytest.raises(AssertionError, match=message):
        check_kernel(_Broken(defect), X)


def test_check_kernel_passes_sound_kernels_and_reports_error_size(X):
    assert check_kernel(_Broken("none"), X) < 1e-5
    assert check_kernel(RBF([0.5, 2.0]) * Matern32(0.7), X) < 1e-5


class _BadProducts(_Broken):
    """A sound kernel whose matrix-free products are wrong: one drops the diagonal of
    K @ V, the other halves the gradient's quadratic form."""

    def matvec(self, X1, X2, V):
        K = self(X1, X2)
        return (K - np.diag(np.diag(K)) if X2 is None else K) @ V

    def grad_quad(self, X, U, V):
        return 0.5 * np.einsum("ia,ij,ja->", U, self(X), V)[None]


def test_check_kernel_catches_a_wrong_matvec(X):
    with pytest.raises(AssertionError, match=r"matvec\(X, None, V\)"):
        check_kernel(_BadProducts("none"), X)


def test_check_kernel_catches_a_wrong_grad_quad(X):
    class HalfQuad(_BadProducts):
        matvec = KernelBase.matvec  # the tiled default, correct

    with pytest.raises(AssertionError, match="grad_quad"):
        check_kernel(HalfQuad("none"), X)


class _PlainRBF:
    """A user's kernel of the plain protocol, with the defects a review found check_kernel
    blind to: a derivative in l instead of log l (equal at l = 1), a cross-covariance that
    forgets to scale X2, a doubled gradient at a small variance."""

    def __init__(self, s=1.0, l=1.0, defect="none"):
        self.s, self.l, self.defect = s, l, defect

    @property
    def theta(self):
        return np.log([self.s, self.l])

    @theta.setter
    def theta(self, t):
        self.s, self.l = np.exp(t)

    bounds = property(lambda self: np.log([[1e-9, 1e3], [1e-2, 1e2]]))

    def __call__(self, X1, X2=None):
        cross = X2 is not None
        X2 = X1 if X2 is None else X2
        l2 = 1.0 if cross and self.defect == "cross" else self.l
        return self.s * np.exp(-0.5 * ((X1[:, None] / self.l - X2[None] / l2) ** 2).sum(-1))

    def diag(self, X):
        return np.full(len(X), self.s)

    def gradient(self, X):
        K = self(X)
        dl = K * (((X[:, None] - X[None]) / self.l) ** 2).sum(-1)
        if self.defect == "chain":
            dl = dl / self.l
        if self.defect == "double":
            dl = 2.0 * dl
        return K, np.stack([K, dl])


def test_check_kernel_sees_cross_covariance_chain_rule_and_small_scale_defects(X):
    assert check_kernel(_PlainRBF(), X) < 1e-5
    with pytest.raises(AssertionError, match="cross-covariance"):
        check_kernel(_PlainRBF(l=0.8, defect="cross"), X)
    with pytest.raises(AssertionError, match="gradient"):
        check_kernel(_PlainRBF(defect="chain"), X)  # right at l = 1, checked elsewhere too
    with pytest.raises(AssertionError, match="gradient"):
        check_kernel(_PlainRBF(s=1e-7, defect="double"), X)  # the tolerance scales with k


class _Plain2(_PlainRBF):
    """``_PlainRBF`` with theta = [log s, log l] and the defects of a second review, each
    invisible at the default s = l = 1 (checked only at the kernel's own theta before)."""

    def diag(self, X):
        return np.ones(len(X)) if self.defect == "diag" else super().diag(X)

    def __call__(self, X1, X2=None):
        K = super().__call__(X1, X2)
        return K / self.s if X2 is not None and self.defect == "cross_var" else K


@pytest.mark.parametrize(
    "defect, message",
    [("diag", "diag"), ("cross_var", "cross-covariance"), ("chain", "linear space")],
)
def test_value_checks_run_at_another_theta_too(defect, message, X):
    with pytest.raises(AssertionError, match=message):
        check_kernel(_Plain2(defect=defect), X)


def test_bounds_must_contain_theta_with_a_hint(X):
    class Transposed(_PlainRBF):
        bounds = property(lambda self: np.log([[1e-5, 1e5], [1e-5, 1e5]]).T)

    class Linear(_PlainRBF):
        bounds = property(lambda self: np.array([[1e-5, 1e5], [1e-2, 1e2]]))

    with pytest.raises(AssertionError, match="transposed"):
        check_kernel(Transposed(), X)
    with pytest.raises(AssertionError, match="linear values"):
        check_kernel(Linear(s=0.8, l=1.2), X)


def test_a_broken_theta_setter_is_named(X):
    class Noop(_PlainRBF):
        theta = property(lambda self: np.log([self.s, self.l]), lambda self, t: None)

    class Ignored(_PlainRBF):
        theta = property(
            lambda self: getattr(self, "_t", np.log([self.s, self.l])),
            lambda self, t: setattr(self, "_t", np.asarray(t)),
        )

    class NoSetter(_PlainRBF):
        theta = property(lambda self: np.log([self.s, self.l]))

    with pytest.raises(AssertionError, match="setter does nothing"):
        check_kernel(Noop(), X)
    with pytest.raises(AssertionError, match="ignores theta"):
        check_kernel(Ignored(), X)
    with pytest.raises(AssertionError, match="settable theta"):
        check_kernel(NoSetter(), X)


@pytest.mark.parametrize("n", [1, 2])
def test_few_points_are_enough(n, rng):
    assert check_kernel(RBF([0.5, 2.0]), rng.uniform(-1, 1, (n, 2))) < 1e-5


def test_steep_kernel_gradient_passes_and_a_wrong_one_still_fails():
    from pyjl.gp import Periodic

    X = 300 * np.random.default_rng(0).standard_normal((30, 1))
    check_kernel(Periodic(1.0, period=1.7), X)  # truncation error at eps: failed before

    class Off(_PlainRBF):
        def gradient(self, X):
            K, dK = super().gradient(X)
            return K, dK * 1.01

    for seed in range(5):
        with pytest.raises(AssertionError, match="finite differences"):
            check_kernel(Off(s=1.3, l=0.8), random_state=seed)


def test_a_1d_x_is_one_feature_per_point():
    assert check_kernel(RBF(0.5), np.linspace(0.0, 1.0, 10)) < 1e-5


@pytest.mark.parametrize(
    "broken, what",
    [
        ("sklearn_layout", r"`kernel\.gradient\(X\)\[1\]` must have shape \(2, 3, 3\)"),
        ("column_diag", r"`kernel\.diag\(X\)` must have shape \(3,\)"),
    ],
)
def test_a_kernel_of_the_wrong_layout_is_refused_by_name_in_fit(broken, what):
    # the reviewer's case: scikit-learn's (n, n, p) gradient or an (n, 1) diag failed deep in
    # NumPy (an einsum's "size of label 'j'"; a broadcast in predict)
    from pyjl.exceptions import InputError
    from pyjl.gp import GaussianProcess

    class Broken(RBF):
        def gradient(self, X):
            K, dK = super().gradient(X)
            return (
                (K, np.moveaxis(np.asarray(dK), 0, -1)) if broken == "sklearn_layout" else (K, dK)
            )

        def diag(self, X):
            d = super().diag(X)
            return d[:, None] if broken == "column_diag" else d

    X = np.random.default_rng(0).uniform(size=(30, 2))
    with pytest.raises(InputError, match=what):
        GaussianProcess(Broken()).fit(X, X[:, 0])
    GaussianProcess(RBF()).fit(X, X[:, 0])  # the built-in's layout passes


def test_the_layout_check_takes_a_list_pair_and_asks_no_gradient_of_nothing():
    # a gradient given as [K, dK] fitted before; a kernel with no hyperparameters is not
    # asked for a gradient (nothing to optimise), so one that has none still fits
    from pyjl.gp import GaussianProcess

    class ListPair(RBF):
        def gradient(self, X):
            return list(super().gradient(X))

    class Fixed(RBF):
        theta = property(lambda self: np.empty(0), lambda self, t: None)
        bounds = property(lambda self: np.empty((0, 2)))

        def gradient(self, X):
            raise NotImplementedError("nothing to differentiate")

    X = np.random.default_rng(0).uniform(size=(30, 2))
    a = GaussianProcess(ListPair()).fit(X, X[:, 0])
    b = GaussianProcess(RBF()).fit(X, X[:, 0])
    np.testing.assert_allclose(a.kernel_.theta, b.kernel_.theta, rtol=1e-9)
    GaussianProcess(Fixed(), noise=1e-2, noise_bounds="fixed").fit(X, X[:, 0])
