"""The iterative solver's algebra against dense references: LAPACK's pivoted Cholesky
(``dpstrf``), ``numpy.linalg.solve`` / ``slogdet`` / ``eigvalsh``, and the exact likelihood
and gradient of the Cholesky solver (itself checked against scikit-learn)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy.linalg import eigvalsh_tridiagonal, lapack

import pyjl.engines as engines
from pyjl.gp import RBF, Linear, Matern12, Matern32, Matern52
from pyjl.gp.iterative import (
    IterativeObjective,
    KernelOperator,
    Preconditioner,
    VarianceCache,
    logdet_slq,
    mbcg,
    pivoted_cholesky,
)
from pyjl.gp.iterative.objective import CONTROL_RANK, TRAIN_TOL, Settings, preconditioned
from pyjl.gp.iterative.pivoted_cholesky import pivoted
from pyjl.gp.likelihood import Objective


def _dense(kernel, X, noise):
    return kernel(X) + noise * np.eye(len(X))


def test_pivoted_cholesky_equals_lapack_dpstrf(rng):
    """The first ``k`` columns of LAPACK's complete-pivoting Cholesky (the same greedy
    rule: the largest remaining diagonal) are our rank-``k`` factor."""
    X = rng.uniform(-1, 1, (60, 2))
    kernel = RBF(0.6) + Linear(0.8)  # a non-constant diagonal: no ties between pivots
    K = kernel(X)
    op = KernelOperator(kernel, X, np.zeros(60))
    c, piv, _, info = lapack.dpstrf(K, lower=1, tol=-1)
    assert info >= 0
    Lp = np.tril(c)
    full = np.zeros_like(Lp)
    full[piv - 1] = Lp  # rows back in the original order
    for k in (1, 5, 12):
        L = pivoted_cholesky(op.kernel_diag(), op.kernel_rows, k)
        np.testing.assert_allclose(np.abs(L), np.abs(full[:, :k]), atol=1e-10)
    L = pivoted_cholesky(op.kernel_diag(), op.kernel_rows, 60, rel_tol=0.0)
    np.testing.assert_allclose(L @ L.T, K, atol=1e-8)


def test_pivoted_cholesky_stops_at_the_trace_tolerance(rng):
    X = rng.uniform(0, 1, (80, 1))
    K = RBF(0.5)(X)
    L = pivoted_cholesky(np.diag(K).copy(), lambda i: K[i], 80, abs_tol=1e-6)
    assert L.shape[1] < 20
    assert np.trace(K - L @ L.T) <= 1e-6


def _column_loop(K, rank, order=(), stop=0.0):
    """The pivoted Cholesky one column at a time (the reference for the blocked path): the
    given pivots while their remaining diagonal is above rounding, then the greedy search."""
    d, n = np.diag(K).copy(), len(K)
    L, piv, floor = np.zeros((n, rank)), [], 1e-12 * np.diag(K).max()
    for m in range(rank):
        if m < len(order):
            i = int(order[m])
            if d[i] <= floor:
                break
        else:
            i = int(np.argmax(d))
            if d[i] <= 0 or d.sum() <= stop:
                break
        L[:, m] = (K[:, i] - L[:, :m] @ L[i, :m]) / np.sqrt(d[i])
        d = np.maximum(d - L[:, m] ** 2, 0.0)
        d[i] = 0.0
        piv.append(i)
    return L[:, : len(piv)], np.array(piv, dtype=int)


@pytest.mark.parametrize(
    "kernel, d, given",
    [(RBF(0.6) + Linear(0.8), 2, 40), (Matern32([0.3, 0.5]), 2, 25), (Linear(0.8), 3, 8)],
    ids=["rbf+linear", "matern32", "rank-3 linear"],
)
def test_given_pivots_in_one_block_equal_the_column_loop(rng, kernel, d, given):
    """With the pivots given, ``L = K[:, P] chol(K[P, P])^-T`` (one triangular solve) is the
    column loop's factor to rounding -- cut where a pivot's remaining diagonal falls to
    rounding (the rank-3 kernel: three of eight), then searched on up to ``rank``."""
    X = rng.uniform(-1, 1, (90, d))
    K = kernel(X)
    op = KernelOperator(kernel, X, np.zeros(90))
    order = rng.permutation(90)[:given]
    for rank in (given, given + 10):
        L, piv = pivoted(op.kernel_diag(), op.kernel_rows, rank, rel_tol=0.0, order=order)
        ref, ref_piv = _column_loop(K, rank, order)
        assert np.array_equal(piv, ref_piv)
        np.testing.assert_allclose(L, ref, rtol=0, atol=1e-10 * np.abs(ref).max())
        np.testing.assert_allclose(L @ L.T, ref @ ref.T, rtol=0, atol=1e-10 * np.abs(K).max())
    if kernel.__class__ is Linear:
        assert piv.size == 3
    # a duplicated pivot has nothing left: the loop stops there, and so does the block
    dup = np.concatenate([order[:5], order[2:3], order[5:]])
    L, piv = pivoted(op.kernel_diag(), op.kernel_rows, 30, order=dup)
    assert np.array_equal(piv, _column_loop(K, 30, dup)[1]) and piv.size <= 5


def test_preconditioner_solve_product_logdet_and_draws_equal_dense(rng):
    L, D = rng.standard_normal((50, 4)), rng.uniform(0.1, 1.0, 50)
    P = Preconditioner(L, D)
    Pd = L @ L.T + np.diag(D)
    R = rng.standard_normal((50, 3))
    np.testing.assert_allclose(P.solve(R), np.linalg.solve(Pd, R), rtol=1e-10)
    np.testing.assert_allclose(P @ R, Pd @ R, rtol=1e-12)
    assert P.logdet == pytest.approx(np.linalg.slogdet(Pd)[1], rel=1e-12)
    Z = P.sample(rng.standard_normal((4, 40_000)), rng.standard_normal((50, 40_000)))
    np.testing.assert_allclose(np.cov(Z), Pd, atol=0.1 * np.abs(Pd).max())
    F = P.whitened_factor()
    k = rng.standard_normal(50)
    assert np.sum(k**2 / D) - np.sum((F.T @ k) ** 2) == pytest.approx(k @ np.linalg.solve(Pd, k))


@pytest.mark.parametrize("rank", [0, 3])
def test_batched_cg_solves_several_right_hand_sides(rng, rank):
    X = rng.uniform(0, 1, (150, 2))
    kernel = Matern52(0.3)
    op = KernelOperator(kernel, X, np.full(150, 0.05))
    P = Preconditioner(pivoted_cholesky(op.kernel_diag(), op.kernel_rows, rank), op.noise)
    B = rng.standard_normal((150, 5))
    res = mbcg(op.__matmul__, B, P.solve, tol=1e-10, max_iter=500)
    A = _dense(kernel, X, 0.05)
    np.testing.assert_allclose(res.x, np.linalg.solve(A, B), rtol=1e-7, atol=1e-9)
    assert res.converged.all() and np.all(res.residual <= 1e-10)
    true = np.linalg.norm(B - A @ res.x, axis=0) / np.linalg.norm(B, axis=0)
    assert np.all(true < 1e-8)
    warm = mbcg(op.__matmul__, B, P.solve, tol=1e-10, max_iter=500, x0=res.x)
    assert warm.iterations <= 2  # started at the answer


def test_cg_tolerance_per_column_and_a_bad_start(rng):
    X = rng.uniform(0, 1, (150, 2))
    op = KernelOperator(Matern52(0.3), X, np.full(150, 0.01))
    B = rng.standard_normal((150, 2))
    res = mbcg(op.__matmul__, B, lambda R: R, tol=np.array([1e-10, 1e-2]), max_iter=500)
    assert res.residual[0] <= 1e-10 and 1e-10 < res.residual[1] <= 1e-2
    assert res.steps[1] < res.steps[0] and res.converged.all()
    ref = np.linalg.solve(_dense(Matern52(0.3), X, 0.01), B[:, 0])
    np.testing.assert_allclose(res.x[:, 0], ref, rtol=1e-7, atol=1e-9)
    # a start far worse than zero is dropped: the run is the one from zero
    bad = mbcg(op.__matmul__, B, lambda R: R, 1e-8, 500, x0=1e6 * np.ones((150, 2)))
    zero = mbcg(op.__matmul__, B, lambda R: R, 1e-8, 500)
    assert bad.iterations == zero.iterations
    np.testing.assert_allclose(bad.x, zero.x, rtol=1e-12, atol=1e-12)


def test_cg_solves_right_hand_sides_from_1e_200_to_1e300(rng):
    # columns near 1e-200 had norms that underflow (a zero solution reported converged),
    # near 1e160 norms that overflow (NaN); each runs at a power-of-two scale now
    X = rng.uniform(0, 1, (60, 2))
    op = KernelOperator(Matern52(0.3), X, np.full(60, 0.05))
    B = rng.standard_normal((60, 5))
    scales = np.array([1e-200, 1e-160, 1.0, 1e160, 1e300])
    res = mbcg(op.__matmul__, B * scales, lambda R: R, tol=1e-10, max_iter=500)
    ref = np.linalg.solve(_dense(Matern52(0.3), X, 0.05), B)
    np.testing.assert_allclose(res.x / scales, ref, rtol=1e-7, atol=1e-9)
    assert res.converged.all() and np.all(res.residual <= 1e-10)
    unit = mbcg(op.__matmul__, B, lambda R: R, tol=1e-10, max_iter=500)
    np.testing.assert_allclose(res.alphas[:3], unit.alphas[:3], rtol=1e-9)  # the same run
    assert res.rz0[2] == pytest.approx(unit.rz0[2], rel=1e-14) and res.rz0[3] == np.inf
    # entries past 2**1023 (a scale of 2**1024 was inf: NaN reported converged)
    big = KernelOperator(Matern52(0.3), X, np.full(60, 10.0))
    b = B[:, :1] / np.abs(B[:, 0]).max() * 1.5
    res = mbcg(big.__matmul__, b * 2.0**1023, lambda R: R, tol=1e-10, max_iter=500)
    ref = np.linalg.solve(_dense(Matern52(0.3), X, 10.0), b)
    np.testing.assert_allclose(res.x / 2.0**1023, ref, rtol=1e-7, atol=1e-9)


def test_cg_tridiagonal_holds_the_lanczos_spectrum(rng):
    """Run to the end, a column's tridiagonal has the eigenvalues of ``A`` (the Lanczos
    matrix of an ``n``-step run is similar to ``A``)."""
    Q, _ = np.linalg.qr(rng.standard_normal((12, 12)))
    ref = np.linspace(1.0, 4.0, 12)
    A = (Q * ref) @ Q.T
    res = mbcg(lambda V: A @ V, rng.standard_normal((12, 2)), lambda R: R, 1e-13, 12)
    for c in range(2):
        np.testing.assert_allclose(eigvalsh_tridiagonal(*res.tridiagonal(c)), ref, rtol=1e-6)


def _slq_error(X, kernel, noise, rank, n_probes, seed):
    op = KernelOperator(kernel, X, np.full(len(X), noise))
    P = Preconditioner(pivoted_cholesky(op.kernel_diag(), op.kernel_rows, rank), op.noise)
    g = np.random.default_rng(seed)
    Z = P.sample(g.standard_normal((P.rank, n_probes)), g.standard_normal((len(X), n_probes)))
    res = mbcg(op.__matmul__, Z, P.solve, 1e-8, 1000)
    ref = np.linalg.slogdet(_dense(kernel, X, noise))[1]
    return logdet_slq(res, range(n_probes), P.logdet) - ref


def test_slq_logdet_converges_as_probes_and_rank_grow(rng):
    X = rng.uniform(0, 1, (200, 2))
    kernel = Matern32(0.3)
    err = {
        (r, m): np.sqrt(np.mean([_slq_error(X, kernel, 0.05, r, m, s) ** 2 for s in range(6)]))
        for r, m in [(5, 4), (5, 64), (60, 4)]
    }
    assert err[(5, 64)] < 0.5 * err[(5, 4)]  # probes: the variance falls as 1/m
    assert err[(60, 4)] < 0.5 * err[(5, 4)]  # rank: the preconditioned log is smaller
    assert abs(_slq_error(X, kernel, 0.05, 200, 2, 0)) < 1e-6  # P = A: exact


def _objectives(X, y, kernel, rank, n_probes, tol=1e-8, seed=0):
    g = np.random.default_rng(seed)
    st = Settings(cg_tol=tol, max_cg_iter=1000, n_probes=n_probes, precond_rank=rank)
    E1, E2 = g.standard_normal((rank, n_probes)), g.standard_normal((len(X), n_probes))
    it = IterativeObjective(
        copy.deepcopy(kernel), X, y, learn_noise=True, noise_diag=None, settings=st, E1=E1, E2=E2
    )
    ex = Objective(
        copy.deepcopy(kernel), X, y, method="ml", learn_noise=True, noise_diag=None,
        engine=engines.current(),
    )  # fmt: skip
    return it, ex


def test_gradient_estimate_matches_exact_gradient_and_finite_differences(rng):
    X = rng.uniform(0, 1, (250, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1] + 0.1 * rng.standard_normal(250)
    kernel = Matern52([0.4, 0.6], variance=1.3)
    theta = np.append(kernel.theta, np.log(0.02))
    ex = _objectives(X, y, kernel, 5, 1)[1]
    v_ex, g_ex = ex.value_and_grad(theta)
    h = 1e-5
    fd = [
        (ex.value_and_grad(theta + h * e, False)[0] - ex.value_and_grad(theta - h * e, False)[0])
        / (2 * h)
        for e in np.eye(theta.size)
    ]
    np.testing.assert_allclose(g_ex, fd, rtol=1e-5, atol=1e-5)
    errs = {}
    for m in (4, 400):
        it = _objectives(X, y, kernel, 5, m)[0]
        v, g = it.value_and_grad(theta)
        errs[m] = np.abs(g - g_ex).max() / np.abs(g_ex).max()
        if m == 400:
            assert v == pytest.approx(v_ex, rel=1e-2)
    assert errs[400] < 0.03 and errs[400] < errs[4]


def test_control_variate_cut_to_its_rank_keeps_the_gradient_unbiased(rng):
    """A preconditioner above ``CONTROL_RANK`` columns: the control variate uses its leading
    pivots; the estimate still converges to the exact gradient."""
    X = rng.uniform(0, 1, (300, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1] + 0.1 * rng.standard_normal(300)
    kernel = Matern52([0.2, 0.3], variance=1.3)
    theta = np.append(kernel.theta, np.log(0.01))
    it, ex = _objectives(X, y, kernel, 160, 400)
    assert it.operator(theta)[1].rank > CONTROL_RANK
    g_ex = ex.value_and_grad(theta)[1]
    g = it.value_and_grad(theta)[1]
    assert np.abs(g - g_ex).max() < 0.03 * np.abs(g_ex).max()


def test_training_solves_loosely_and_the_report_tightly(rng):
    X = rng.uniform(0, 1, (200, 2))
    y = np.cos(4 * X[:, 0]) + 0.1 * rng.standard_normal(200)
    it = _objectives(X, y, Matern32([0.3, 0.3]), 0, 5, tol=1e-6)[0]
    th = np.append(it.kernel.theta, np.log(0.01))
    it(th)  # the optimiser's call
    assert 1e-6 < it.last.residual.max() <= TRAIN_TOL
    it.value_and_grad(th)  # the reported value (log_marginal_likelihood, the fitted state)
    assert it.last.residual.max() <= 1e-6


def test_kept_pivots_make_the_estimate_smooth_in_the_lengthscales(rng):
    """The first evaluation's pivots serve the fit: the SLQ estimate then has a derivative
    (finite differences at two steps agree) instead of jumping where a pivot switches."""
    X = rng.uniform(0, 1, (400, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1] + 0.1 * rng.standard_normal(400)
    it = _objectives(X, y, Matern52([0.2, 0.3]), 60, 5, tol=1e-10)[0]
    th = np.append(it.kernel.theta, np.log(0.01))
    it(th)
    first = it.pivots.copy()
    e = np.eye(th.size)[0]
    fd = [
        (it.value_and_grad(th + h * e, False)[0] - it.value_and_grad(th - h * e, False)[0])
        / (2 * h)
        for h in (1e-2, 1e-4)
    ]
    assert fd[1] == pytest.approx(fd[0], rel=0.05)
    assert np.array_equal(it.pivots[: first.size], first)
    # a fresh search at a moved theta takes other pivots: what the kept ones avoid
    _, P = preconditioned(Matern52([0.1, 0.3]), X, np.full(400, 0.01), 60)
    assert not np.array_equal(P.pivots, first)


def test_the_objective_is_deterministic_for_fixed_draws(rng):
    """Common random numbers: one objective gives one value per ``theta``."""
    X = rng.uniform(0, 1, (120, 1))
    y = np.cos(4 * X[:, 0])
    it, _ = _objectives(X, y, Matern32(0.3), 3, 5, tol=1e-4)
    th = np.append(it.kernel.theta, np.log(0.05))
    a = it(th)
    it(th + 0.3)
    b = it(th)
    assert a[0] == b[0] and np.array_equal(a[1], b[1])


def test_variance_cache_equals_the_exact_quadratic_form(rng):
    X = rng.uniform(0, 1, (400, 2))
    kernel = RBF([0.25, 0.4])
    op = KernelOperator(kernel, X, np.full(400, 0.01))
    Xs = rng.uniform(0, 1, (50, 2))
    Ks = kernel(Xs, X)
    A = _dense(kernel, X, 0.01)
    ref = np.einsum("ij,ji->i", Ks, np.linalg.solve(A, Ks.T))
    for rank, lanczos, tol in [(150, 50, 1e-6), (40, 60, 5e-2)]:
        L = pivoted_cholesky(op.kernel_diag(), op.kernel_rows, rank)
        cache = VarianceCache(
            op, Preconditioner(L, op.noise), lanczos, rng.standard_normal((400, 10))
        )
        var, var_ref = kernel.diag(Xs) - cache.quad(Ks), kernel.diag(Xs) - ref
        assert np.abs(var - var_ref).max() <= tol * var_ref.min()
        np.testing.assert_allclose(np.diag(cache.inner(Ks)), cache.quad(Ks), rtol=1e-10)


@pytest.mark.parametrize("kernel", [Matern12([0.3, 0.5]), Matern52(0.3)], ids=["m12", "m52"])
def test_a_resolving_preconditioner_gives_the_exact_gradient(rng, kernel):
    """Default rank (every column at this size): the control variate takes the whole
    factor, so the gradient is the exact one, not a Hutchinson estimate."""
    X = rng.uniform(0, 1, (500, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1] + 0.1 * rng.standard_normal(500)
    theta = np.append(kernel.theta, np.log(1e-2))
    for seed in (0, 1):
        it, ex = _objectives(X, y, kernel, 500, 10, tol=1e-4, seed=seed)
        v_ex, g_ex = ex.value_and_grad(theta)
        v, g = it.value_and_grad(theta)
        assert v == pytest.approx(v_ex, rel=1e-6)
        np.testing.assert_allclose(g, g_ex, rtol=1e-6, atol=1e-6 * np.abs(g_ex).max())
