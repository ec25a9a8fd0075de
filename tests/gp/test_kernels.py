"""Kernels against scikit-learn's, closed forms, and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.gaussian_process import kernels as sk

from pyjl.exceptions import InputError
from pyjl.gp import (
    RBF,
    Constant,
    Linear,
    Matern12,
    Matern32,
    Matern52,
    Periodic,
    RationalQuadratic,
    Scaled,
    Sum,
    White,
)
from pyjl.gp.interface import KernelBase
from pyjl.testing import check_kernel

ARD = [0.4, 1.1, 2.5]


@pytest.fixture
def X(rng):
    """25 points in three dimensions, uniform in [-1.5, 1.5]."""
    return rng.uniform(-1.5, 1.5, (25, 3))


@pytest.fixture
def Y(rng):
    """7 other points in three dimensions."""
    return rng.uniform(-1.5, 1.5, (7, 3))


# (ours, scikit-learn equivalent)
PAIRS = [
    (1.7 * RBF(0.8), sk.ConstantKernel(1.7) * sk.RBF(0.8)),
    (RBF(ARD), sk.RBF(ARD)),
    (Matern12(ARD, variance=0.6), sk.ConstantKernel(0.6) * sk.Matern(ARD, nu=0.5)),
    (Matern32(0.9), sk.Matern(0.9, nu=1.5)),
    (2.5 * Matern32(ARD), sk.ConstantKernel(2.5) * sk.Matern(ARD, nu=1.5)),
    (Matern52(0.7), sk.Matern(0.7, nu=2.5)),
    (3.0 * Matern52(ARD), sk.ConstantKernel(3.0) * sk.Matern(ARD, nu=2.5)),
    (RationalQuadratic(0.8, alpha=0.3), sk.RationalQuadratic(0.8, alpha=0.3)),
    (Linear(0.7), sk.ConstantKernel(0.7) * sk.DotProduct(sigma_0=0.0, sigma_0_bounds="fixed")),
    (Linear(1.0) + Constant(0.5), sk.DotProduct(sigma_0=np.sqrt(0.5))),
    (White(0.3), sk.WhiteKernel(0.3)),
    (Constant(2.2), sk.ConstantKernel(2.2)),
    (
        2.0 * (Matern52(ARD) + RationalQuadratic(1.0, alpha=2.0)),
        sk.ConstantKernel(2.0) * (sk.Matern(ARD, nu=2.5) + sk.RationalQuadratic(1.0, 2.0)),
    ),
]


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("ours,ref", PAIRS, ids=[repr(p[0]) for p in PAIRS])
def test_matrix_and_diag_equal_scikit_learn(ours, ref, X, Y):
    np.testing.assert_allclose(ours(X), ref(X), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours(X, Y), ref(X, Y), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.diag(X), ref.diag(X), rtol=1e-12, atol=1e-14)


# scikit-learn's ExpSineSquared uses the Euclidean distance: equal to ours in one dimension
# (in several it is not positive semi-definite; ours is a product over features)
PAIRS_1D = [
    (
        Periodic(0.9, period=1.3, variance=1.4),
        sk.ConstantKernel(1.4) * sk.ExpSineSquared(0.9, periodicity=1.3),
    ),
    (
        RBF(0.6) * Periodic(1.0, period=2.0) + White(0.1),
        sk.RBF(0.6) * sk.ExpSineSquared(1.0, 2.0) + sk.WhiteKernel(0.1),
    ),
    (
        Matern32(0.5) + RationalQuadratic(0.4, alpha=5.0),
        sk.Matern(0.5, nu=1.5) + sk.RationalQuadratic(0.4, 5.0),
    ),
]


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("ours,ref", PAIRS_1D, ids=[repr(p[0]) for p in PAIRS_1D])
def test_one_dimensional_kernels_equal_scikit_learn(ours, ref, X, Y):
    X1, Y1 = X[:, :1], Y[:, :1]
    np.testing.assert_allclose(ours(X1), ref(X1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours(X1, Y1), ref(X1, Y1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.diag(X1), ref.diag(X1), rtol=1e-12, atol=1e-14)


@pytest.mark.usefixtures("engine")
def test_periodic_is_a_product_over_features(X):
    k = Periodic([0.7, 1.3], period=1.9, variance=1.2)
    want = 1.2 * Periodic(0.7, period=1.9)(X[:, :1]) * Periodic(1.3, period=1.9)(X[:, 1:2])
    np.testing.assert_allclose(k(X[:, :2]), want, rtol=1e-12)


CHECKED = [k for k, _ in PAIRS + PAIRS_1D] + [
    Periodic(0.9, period=1.3, variance=1.4),
    RationalQuadratic(ARD, alpha=1.7, variance=0.8),
    Periodic(ARD, period=1.7, variance=0.8),
    Matern12(0.5) * Linear(0.3) + 0.5,
    3.0 * (Linear(0.5) * Periodic(1.0, period=0.8)),
    Matern52(ARD, variance_bounds="fixed") * RBF(0.8),
]


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("kernel", CHECKED, ids=[repr(k) for k in CHECKED])
def test_check_kernel_gradients_symmetry_psd(kernel, X):
    check_kernel(kernel, X)


@pytest.mark.usefixtures("engine")
def test_gradient_order_matches_sklearn_in_log_space(X):
    ours = 3.0 * Matern52(ARD)
    ref = sk.ConstantKernel(3.0) * sk.Matern(ARD, nu=2.5)
    _, dK = ours.gradient(X)
    _, G = ref(X, eval_gradient=True)  # sklearn: [constant, lengthscales]
    np.testing.assert_allclose(dK[:3], np.moveaxis(G[:, :, 1:], 2, 0), atol=1e-12)
    np.testing.assert_allclose(dK[3], G[:, :, 0], atol=1e-12)


def test_theta_bounds_and_fixed_hyperparameters():
    k = Matern52([0.5, 2.0], variance=3.0, variance_bounds="fixed", lengthscale_bounds=(1e-2, 10))
    np.testing.assert_allclose(k.theta, np.log([0.5, 2.0]))
    np.testing.assert_allclose(k.bounds, np.log([[1e-2, 10], [1e-2, 10]]))
    k.theta = np.log([1.0, 4.0])
    assert k.lengthscale.tolist() == pytest.approx([1.0, 4.0]) and k.variance == 3.0
    assert k.hyperparameter_names == ["lengthscale[0]", "lengthscale[1]"]


def test_scalar_scaling_folds_into_variance_and_composites_flatten(X):
    k = 2.0 * (3.0 * RBF(1.0))
    assert isinstance(k, RBF) and k.variance == pytest.approx(6.0)
    s = RBF(1.0) + (Matern52(1.0) + (White(0.1) + Constant(1.0)))
    assert type(s).__name__ == "Sum" and len(s.parts) == 4
    p = RBF(1.0) * (Matern52(1.0) * Periodic(1.0, period=2.0))
    assert type(p).__name__ == "Product" and len(p.parts) == 3
    sc = 2.0 * (RBF(1.0) + White(0.1))
    assert type(sc).__name__ == "Scaled" and sc.theta.size == 4
    np.testing.assert_allclose((4.0 * sc)(X), 4.0 * sc(X))


@pytest.mark.parametrize("bad", [np.array([[np.nan, 1.0, 1.0]]), np.ones((2, 2, 2))])
def test_bad_points_raise_input_error(bad):
    with pytest.raises(InputError, match="X1"):
        Matern52(1.0)(bad)


def test_bad_hyperparameters_raise_input_error(X):
    with pytest.raises(InputError, match="lengthscale"):
        Matern52(-1.0)
    with pytest.raises(InputError, match="variance_bounds"):
        RBF(1.0, variance_bounds=(2.0, 1.0))
    with pytest.raises(InputError, match="lengthscales"):
        Matern52([1.0, 2.0])(X)
    with pytest.raises(InputError, match="scalar"):
        -2.0 * RBF(1.0)


def test_user_kernel_through_protocol_composes(X):
    k = RBF(1.0) * _Cosine(2.0) + White(0.01)
    check_kernel(k, X)
    np.testing.assert_allclose(
        k(X), RBF(1.0)(X) * 2.0 * np.cos(X[:, :1] - X[:, :1].T) + 0.01 * np.eye(len(X))
    )


class _Cosine:
    """A user's kernel with the bare protocol (no pyjl base class, no matvec/grad_quad)."""

    def __init__(self, s=1.0):
        self.s = s

    @property
    def theta(self):
        return np.log([self.s])

    @theta.setter
    def theta(self, t):
        self.s = float(np.exp(t[0]))

    bounds = property(lambda self: np.log([[1e-3, 1e3]]))

    def __call__(self, X1, X2=None):
        X2 = X1 if X2 is None else X2
        return self.s * np.cos(X1[:, :1] - X2[:, :1].T)

    def diag(self, X):
        return np.full(len(X), self.s)

    def gradient(self, X):
        K = self(X)
        return K, K[None]


MATRIX_FREE = CHECKED + [
    RBF(ARD) + White(0.2),
    Scaled(Matern32(0.7) + White(0.1), scale=2.5),
    Scaled(RBF(0.9), scale=1.5, scale_bounds="fixed"),
    RBF(1.0) * _Cosine(2.0) + White(0.01),
    Sum([_Cosine(0.5), Linear(0.3)]),
]


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("kernel", MATRIX_FREE, ids=[repr(k) for k in MATRIX_FREE])
def test_matvec_and_grad_quad_equal_the_dense_products(kernel, rng, monkeypatch):
    """``matvec`` against ``K @ V`` (``X2=None`` keeps White's diagonal, a second set does
    not) and ``grad_quad`` against the einsum of the dense ``gradient`` -- with tiles
    smaller than the data, so the tiled defaults cross tile borders."""
    from pyjl.gp import _tiled
    from pyjl.gp.interface import grad_quad, matvec

    monkeypatch.setattr(_tiled, "TILE_ENTRIES", 100)
    monkeypatch.setattr(_tiled, "GRAD_TILE", 7)
    X = rng.uniform(-1.5, 1.5, (40, 3))
    Xs = rng.uniform(-1.5, 1.5, (9, 3))
    V, U = rng.standard_normal((40, 3)), rng.standard_normal((40, 3))
    K, dK = kernel.gradient(X)
    np.testing.assert_allclose(matvec(kernel, X, None, V), K @ V, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(matvec(kernel, Xs, X, V), kernel(Xs, X) @ V, rtol=1e-10, atol=1e-10)
    W = rng.standard_normal((9, 2))
    np.testing.assert_allclose(matvec(kernel, X, Xs, W), kernel(X, Xs) @ W, rtol=1e-10, atol=1e-10)
    ref = np.einsum("ia,qij,ja->q", U, np.asarray(dK), V)
    np.testing.assert_allclose(grad_quad(kernel, X, U, V), ref, rtol=1e-9, atol=1e-9)
    if isinstance(kernel, KernelBase):  # the methods themselves, not only the dispatch
        np.testing.assert_allclose(kernel.grad_quad(X, U, V), ref, rtol=1e-9, atol=1e-9)


def test_stationary_matvec_uses_no_dense_kernel_call(rng, monkeypatch):
    """The built-in stationary kernels multiply through the engine's ``kernel_matvec``:
    with ``kernel_matrix`` disabled they still do."""
    import pyjl.engines as engines

    k = 2.0 * Matern52(ARD) + RBF(0.5)
    X, V = rng.uniform(-1, 1, (30, 3)), rng.standard_normal((30, 2))
    ref = k(X) @ V
    engine = engines.current()

    def refuse(*args, **kwargs):
        raise AssertionError("kernel_matrix called")

    monkeypatch.setattr(type(engine), "kernel_matrix", refuse)
    np.testing.assert_allclose(k.matvec(X, None, V), ref, rtol=1e-12)


#: expressions that use one kernel object ``k`` (or ``s = k + White``) more than once
SHARED = {
    "k + k * Periodic": lambda k, s: k + k * Periodic(1.0, period=0.6),
    "k * k": lambda k, s: k * k,
    "s + s": lambda k, s: s + s,
    "s * s": lambda k, s: s * s,
    "Scaled(k) + k": lambda k, s: Scaled(k, scale=2.0) + k,
    "Sum([k, Matern32, k])": lambda k, s: Sum([k, Matern32(0.8), k]),
}


@pytest.mark.parametrize("build", SHARED.values(), ids=SHARED.keys())
def test_each_occurrence_of_a_kernel_object_has_its_own_hyperparameters(build, X):
    """``theta`` has a slot per occurrence: assigning it keeps every value, and the
    gradient is the derivative of ``k(X)`` (central differences) in each slot."""
    k = RBF(0.5)
    kernel = build(k, k + White(0.1))
    theta = kernel.theta + 0.1 * np.arange(1, kernel.theta.size + 1)
    kernel.theta = theta
    np.testing.assert_allclose(kernel.theta, theta, rtol=1e-14)
    K, dK = kernel.gradient(X)
    eps = 1e-6
    for q in range(theta.size):
        e = np.zeros_like(theta)
        e[q] = eps
        fd = (kernel.clone_with_theta(theta + e)(X) - kernel.clone_with_theta(theta - e)(X)) / (
            2 * eps
        )
        np.testing.assert_allclose(dK[q], fd, rtol=1e-6, atol=1e-8)


def _closed_form(kernel, D):
    """``k`` from the differences ``D`` ``(..., d)`` of two sets of points (the formulas of
    :mod:`pyjl.gp.kernels`)."""
    ls, var = kernel.lengthscale, kernel.variance
    if isinstance(kernel, Periodic):
        return var * np.exp(-2 * np.sum(np.sin(np.pi * D / kernel.period) ** 2 / ls**2, -1))
    r2 = np.sum((D / ls) ** 2, -1)
    r = np.sqrt(r2)
    if isinstance(kernel, RationalQuadratic):
        return var * (1 + r2 / (2 * kernel.alpha)) ** -kernel.alpha
    return (
        var
        * {
            RBF: lambda: np.exp(-r2 / 2),
            Matern12: lambda: np.exp(-r),
            Matern32: lambda: (1 + np.sqrt(3) * r) * np.exp(-np.sqrt(3) * r),
            Matern52: lambda: (1 + np.sqrt(5) * r + 5 * r2 / 3) * np.exp(-np.sqrt(5) * r),
        }[type(kernel)]()
    )


STATIONARY = [
    RationalQuadratic(0.1, alpha=2.0),
    RationalQuadratic([0.1, 0.3], alpha=0.7, variance=1.5),
    RBF([0.1, 0.4]),
    Matern12(0.1),
    Matern32(0.2),
    Matern52([0.3, 0.1]),
    Periodic(0.5, period=0.37),
]


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("offset", [1e6, 1e10])
@pytest.mark.parametrize("kernel", STATIONARY, ids=[repr(k) for k in STATIONARY])
def test_stationary_kernels_keep_their_digits_far_from_the_origin(kernel, offset, rng):
    """Points ``offset + uniform(0, 1)``: ``k``, its gradient (central differences of the
    closed form) and the matrix-free products against the closed form on the differences
    taken first (scaling first lost up to 10 digits at ``1e10``)."""
    from pyjl.gp.interface import contract, grad_quad, matvec

    X = offset + rng.uniform(0, 1, (30, 2))
    Y = offset + rng.uniform(0, 1, (9, 2))
    DX = X[:, None] - X[None]
    ref = _closed_form(kernel, DX)
    np.testing.assert_allclose(kernel(X), ref, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(
        kernel(X, Y), _closed_form(kernel, X[:, None] - Y[None]), rtol=1e-13, atol=1e-14
    )
    theta, eps = kernel.theta, 1e-6
    fd = np.empty((theta.size,) + ref.shape)
    for q in range(theta.size):
        e = np.zeros_like(theta)
        e[q] = eps
        up, down = kernel.clone_with_theta(theta + e), kernel.clone_with_theta(theta - e)
        fd[q] = (_closed_form(up, DX) - _closed_form(down, DX)) / (2 * eps)
    K, dK = kernel.gradient(X)
    np.testing.assert_allclose(K, ref, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dK, fd, rtol=1e-7, atol=1e-8)
    W = rng.standard_normal((30, 30))
    W = W + W.T
    U, V = rng.standard_normal((30, 3)), rng.standard_normal((30, 3))
    np.testing.assert_allclose(contract(kernel, X, W), np.einsum("ij,qij->q", W, fd), rtol=1e-7)
    np.testing.assert_allclose(matvec(kernel, X, None, V), ref @ V, rtol=1e-12, atol=1e-12)
    quad = np.einsum("ia,qij,ja->q", U, fd, V)
    np.testing.assert_allclose(grad_quad(kernel, X, U, V), quad, rtol=1e-7, atol=1e-8)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("kernel", STATIONARY, ids=[repr(k) for k in STATIONARY])
def test_points_1e140_and_1e155_lengthscales_apart(kernel, rng):
    """Points 1e140 lengthscales apart: ``k`` equals the closed form (``var`` on the
    diagonal, 0 below the float64 range elsewhere but for the rational quadratic's
    heavy tail) and the gradient is finite (0 off the diagonal: the limit of ``r^2
    exp(-r^2/2)`` and the like).  At 1e155 the squares of the scaled distances overflow
    and the formulas read ``inf * 0`` (scikit-learn's ``Matern`` returns NaN there): the
    values and gradients are their limits, 0 off the diagonal, never NaN.  Points whose
    scaled coordinates themselves overflow are refused, naming the lengthscale."""
    X = rng.uniform(0, 1, (6, 2))
    X[:, 0] += np.arange(6)  # every pair at least 0.5 apart in feature 0
    ls = np.atleast_1d(kernel.lengthscale)
    off = ~np.eye(6, dtype=bool)
    near = kernel.clone_with_theta(np.r_[np.log(ls * 1e-140), kernel.theta[ls.size :]])
    ref = _closed_form(near, X[:, None] - X[None])
    assert np.all(np.isfinite(ref))
    K, dK = near.gradient(X)
    np.testing.assert_allclose(K, ref, rtol=1e-12, atol=0)
    np.testing.assert_allclose(near(X), ref, rtol=1e-12, atol=0)
    assert np.all(np.isfinite(dK))
    if not isinstance(kernel, RationalQuadratic):
        assert np.all(dK[:, off] == 0.0)
    far = kernel.clone_with_theta(np.r_[np.log(ls * 1e-155), kernel.theta[ls.size :]])
    var = far.diag(X[:1])[0]
    K, dK = far.gradient(X)
    for got in (K, far(X)):
        np.testing.assert_allclose(got, var * np.eye(6), rtol=1e-15, atol=1e-200)
    np.testing.assert_allclose(far(X[:3], X[3:]), np.zeros((3, 3)), atol=1e-200)
    assert np.all(np.isfinite(dK)) and np.all(np.abs(dK[:, off]) < 1e-200)
    # the sums of the fit and the iterative solver, which no NaN may enter
    from pyjl.gp.interface import contract, grad_quad, matvec

    W, U, V = rng.standard_normal((6, 6)), rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    np.testing.assert_allclose(contract(far, X, W), np.einsum("ij,qij->q", W, dK), atol=1e-200)
    np.testing.assert_allclose(matvec(far, X, None, V), K @ V, rtol=1e-15, atol=1e-200)
    quad = np.einsum("ia,qij,ja->q", U, dK, V)
    np.testing.assert_allclose(grad_quad(far, X, U, V), quad, rtol=1e-13, atol=1e-200)
    tiny = kernel.clone_with_theta(np.r_[np.log(ls * 1e-10), kernel.theta[ls.size :]])
    if isinstance(kernel, Periodic):  # its points are not divided by the lengthscale
        assert np.all(np.isfinite(tiny(1e300 * X)))
    else:  # the scaled points themselves overflow
        with pytest.raises(InputError, match="`lengthscale` must keep the points' distances"):
            tiny(1e300 * X)


@pytest.mark.parametrize("far", [1e16, -1e100, 1e300])
@pytest.mark.parametrize("kernel", STATIONARY, ids=[repr(k) for k in STATIONARY])
def test_an_outlier_leaves_the_other_points_kernel_values_as_they_were(kernel, far, rng):
    """One point far out (a sentinel value, a typo) moved the centre the points are taken
    from halfway to it, and the rest lost their differences to rounding: at 1e16 every
    point in [0, 3] fell on one float, a silently wrong kernel matrix."""
    X = rng.uniform(0, 3, (10, 2))
    with_outlier = np.r_[X, [[far, 1.0]]]
    np.testing.assert_allclose(kernel(with_outlier)[:10, :10], kernel(X), rtol=1e-13, atol=1e-15)
    K, dK = kernel.gradient(with_outlier)
    K0, dK0 = kernel.gradient(X)
    np.testing.assert_allclose(dK[:, :10, :10], dK0, rtol=1e-12, atol=1e-14)
    Y = np.r_[X[:3] + 0.01, [[far, 2.0]]]
    np.testing.assert_allclose(
        kernel(with_outlier, Y)[:10, :3], kernel(X, Y[:3]), rtol=1e-13, atol=1e-15
    )


def test_a_rational_quadratic_of_small_alpha_far_apart_has_finite_gradients():
    # (1 + r^2 / (2 alpha)) overflows for alpha below 0.006 at the capped distance; the
    # alpha derivative k alpha (u / (1 + u) - log1p(u)) is then its limit, 0, not 0 * inf
    from pyjl.gp.interface import contract

    X = np.array([[0.0], [1.0], [1e160]])
    k = RationalQuadratic(1.0, alpha=1e-3)
    K, dK = k.gradient(X)
    assert np.all(np.isfinite(dK)) and np.all(dK[:, :2, 2] == 0.0)
    W = np.ones((3, 3))
    np.testing.assert_allclose(contract(k, X, W), np.einsum("ij,qij->q", W, dK), rtol=1e-12)


def test_a_point_1e160_away_is_fitted_as_an_independent_one(rng):
    """A GP with one point 1e160 lengthscales from the rest: its covariance with them is
    0, so the fit equals the fit of the rest with that point's own term added (the
    likelihood of an independent N(0, var + noise) draw); every start of the search is a
    finite objective (scikit-learn's Matern32 gives NaN here)."""
    import warnings

    from pyjl.gp import GaussianProcess

    X = np.r_[rng.uniform(0, 3, (12, 1)), [[1e160]]]
    y = np.r_[np.sin(X[:12, 0]), 0.3]
    k = Matern32(1.0, variance_bounds="fixed")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gp = GaussianProcess(k, noise=1e-2, noise_bounds="fixed", normalize_y=False).fit(X, y)
        rest = GaussianProcess(gp.kernel_, noise=1e-2, normalize_y=False)
        rest = rest.fit(X[:12], y[:12], method=None)
    alone = -0.5 * (0.3**2 / 1.01 + np.log(2 * np.pi * 1.01))
    lml, grad = gp.log_marginal_likelihood(gp.kernel_.theta, eval_gradient=True)
    assert lml == pytest.approx(rest.log_marginal_likelihood() + alone, rel=1e-10)
    assert np.all(np.isfinite(grad))


def test_a_search_through_lengthscales_too_short_steps_back(rng):
    """Bounds down to 1e-300 with points 1e10 apart: restarts drawn there meet the
    refusal above, and the search treats them as failed points (as a Cholesky that
    fails), not as a failed fit."""
    from pyjl.gp import GaussianProcess

    X, y = 1e10 * rng.standard_normal((30, 2)), rng.standard_normal(30)
    k = Matern52(1e10, lengthscale_bounds=(1e-300, 1e300))
    gp = GaussianProcess(kernel=k, n_restarts=4, random_state=0).fit(X, y)
    assert np.isfinite(gp.log_marginal_likelihood())
    with pytest.raises(InputError, match="`lengthscale`"):  # asked for there, it is refused
        gp.log_marginal_likelihood(np.r_[np.log(1e-300), gp.kernel_.theta[1:]])


@pytest.mark.parametrize("flag", [True, False])
def test_a_bool_is_not_a_kernel_scale_or_constant(flag):
    # True * k read as a scale of 1 (bool is an int in Python): almost surely a slip
    for combine in (
        lambda k: flag * k,
        lambda k: k * flag,
        lambda k: k + flag,
        lambda k: flag + k,
    ):
        with pytest.raises(TypeError):
            combine(RBF(1.0))
    assert (2 * RBF(1.0)).theta.size == RBF(1.0).theta.size  # numbers still scale
