"""The iterative GP's local (neighbourhood) variances against exact Cholesky (SciPy): where
the variance cache cannot hold within its cap, each test point conditioned on its most
correlated training points gives every variance within 1 %, never below the exact one;
where that cannot hold either, the exact solves answer with a warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.linalg import cho_factor, cho_solve, solve_triangular

from pyjl.exceptions import NumericalWarning
from pyjl.gp import RBF, GaussianProcess, Linear, Matern52, Periodic
from pyjl.gp.iterative import local, variances


def _exact(kernel, X, noise, Xs, y):
    """``(var, mean)``: the latent predictive variances and mean by SciPy's Cholesky."""
    A = kernel(X) + np.diag(np.broadcast_to(noise, (len(X),)))
    c = cho_factor(A, lower=True)
    Ks = kernel(Xs, X)
    W = solve_triangular(c[0], Ks.T, lower=True)
    return kernel.diag(Xs) - np.einsum("ij,ij->j", W, W), Ks @ cho_solve(c, y)


def _data(rng, n=2000, d=2):
    X = rng.uniform(0, 1, (n, d))
    y = np.sin(5 * X[:, 0]) + np.cos(3 * X[:, -1]) + 0.03 * rng.standard_normal(n)
    return X, y, rng.uniform(0, 1, (400, d))


def _small_cap(monkeypatch, n, columns=60):
    """A cache cap of ``columns`` columns: the cache cannot hold at these kernels."""
    monkeypatch.setattr(variances, "CACHE_ENTRIES", n * columns)


def _local_predict(gp, Xs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        return gp.predict(Xs, return_std=True)


@pytest.mark.parametrize(
    "kernel, d",
    [(Matern52(0.3), 2), (Linear(variance=0.5) + Matern52(0.3), 2), (Periodic(0.1), 1)],
    ids=["matern52", "linear+matern52", "periodic"],
)
def test_local_variances_hold_where_the_capped_cache_cannot(rng, monkeypatch, kernel, d):
    """Every test point (not only the checked ones) within 1 % of the exact variance and
    never below it; the mean is the CG mean.  Under Linear + Matern (not stationary) and
    Periodic (inputs over five periods) the most correlated points are not the nearest:
    the neighbours are chosen by correlation."""
    X, y, Xs = _data(rng, d=d)
    if d == 1:
        X, Xs = 5 * X, 5 * Xs
    noise = 1e-3
    _small_cap(monkeypatch, len(X))
    var, mean = _exact(kernel, X, noise, Xs, y)
    gp = GaussianProcess(kernel, noise=noise, solver="cg", pred_rank=8, random_state=0)
    gp.fit(X, y, method=None)
    m, sd = _local_predict(gp, Xs)
    info = gp.solver_info_
    assert info["variance_path"] == "local"
    assert info["local_neighbours"] == gp._cg.variances.local.m <= local.LOCAL_MAX
    np.testing.assert_allclose(sd**2, var, rtol=0.01)
    assert np.all(sd**2 >= var * (1 - 1e-9))  # conditioning on fewer points: var_m >= var
    np.testing.assert_allclose(m, mean, rtol=1e-4, atol=1e-4 * np.abs(mean).max())


def test_heteroscedastic_noise(rng, monkeypatch):
    """Per-point noise variances enter each neighbourhood's matrix."""
    X, y, Xs = _data(rng)
    noise = rng.uniform(1e-4, 1e-2, len(X))
    _small_cap(monkeypatch, len(X))
    kernel = Matern52(0.3)
    var, _ = _exact(kernel, X, noise, Xs, y)
    gp = GaussianProcess(kernel, solver="cg", pred_rank=8, random_state=0)
    gp.fit(X, y, noise_var=noise, method=None)
    _, sd = _local_predict(gp, Xs)
    assert gp.solver_info_["variance_path"] == "local"
    np.testing.assert_allclose(sd**2, var, rtol=0.01)
    assert np.all(sd**2 >= var * (1 - 1e-9))


def test_the_bound_shrinks_to_the_variance_as_m_grows(rng):
    """``var_m >= var`` on every point for every ``m``, the worst error falling with ``m``,
    and all ``n`` neighbours give the exact variance."""
    X, y, Xs = _data(rng, n=1000)
    kernel, noise = Matern52(0.2), np.full(1000, 1e-3)
    var, _ = _exact(kernel, X, noise, Xs, y)
    lv = local.LocalVariances(kernel, X, noise)
    Ks, prior = kernel(Xs, X), kernel.diag(Xs)
    worst = []
    for m in (32, 128, 512, 1000):
        vm = np.empty(len(Xs))
        for g in lv.groups(Xs):
            vm[g] = lv.variances(Ks[g], prior[g], m)
        assert np.all(vm >= var * (1 - 1e-9))
        worst.append(np.max(vm / var - 1))
    assert worst[0] > 0.05 and worst[0] > worst[1] > worst[2] > worst[3]
    assert worst[3] < 1e-8


def test_a_second_predict_starts_at_the_kept_m(rng, monkeypatch):
    """The ``m`` that held is kept: the next call checks it first (and it holds again)."""
    X, y, Xs = _data(rng)
    _small_cap(monkeypatch, len(X))
    kernel = Matern52(0.3)
    gp = GaussianProcess(kernel, noise=1e-3, solver="cg", pred_rank=8, random_state=0)
    gp.fit(X, y, method=None)
    monkeypatch.setattr(local, "LOCAL_START", 64)  # too few here: the first call grows m
    sizes = []
    conditioned = local.conditioned

    def spy(kernel, X, noise, Ks, prior, idx):
        sizes.append(len(idx))
        return conditioned(kernel, X, noise, Ks, prior, idx)

    monkeypatch.setattr(local, "conditioned", spy)
    _local_predict(gp, Xs[:200])
    kept = gp.solver_info_["local_neighbours"]
    assert kept > 64 and sizes[0] == 64  # grown from the start
    sizes.clear()
    _, sd = _local_predict(gp, Xs[200:])
    assert sizes[:8] == [kept] * 8  # the check starts at the kept m and holds there
    assert gp.solver_info_["variance_path"] == "local"
    assert gp.solver_info_["local_neighbours"] == kept
    var, _ = _exact(kernel, X, 1e-3, Xs[200:], y)
    np.testing.assert_allclose(sd**2, var, rtol=0.01)
    Xn = rng.uniform(0, 1, (20, 2))  # update(): the new state starts at the kept m too
    gp.update(Xn, np.sin(5 * Xn[:, 0]))
    sizes.clear()
    _, sd = _local_predict(gp, Xs[:100])
    assert sizes[:8] == [kept] * 8 and gp.solver_info_["variance_path"] == "local"
    var, _ = _exact(kernel, np.vstack([X, Xn]), 1e-3, Xs[:100], np.zeros(len(X) + 20))
    np.testing.assert_allclose(sd**2, var, rtol=0.01)


def test_where_neither_holds_the_exact_solves_answer(rng, monkeypatch):
    """RBF against a noise of 1e-4 of its variance: neither the capped cache nor a quarter
    of the points as neighbours holds; exact solves, a warning naming all three paths."""
    X, y, Xs = _data(rng, n=1500)
    Xs = Xs[:150]
    _small_cap(monkeypatch, len(X))
    kernel, noise = RBF(0.3), 1e-4
    var, _ = _exact(kernel, X, noise, Xs, y)
    monkeypatch.setattr(variances, "EXACT_CHEAP", 0)  # else the kept factor answers quietly
    gp = GaussianProcess(kernel, noise=noise, solver="cg", pred_rank=8, random_state=0)
    gp.fit(X, y, method=None)
    with pytest.warns(NumericalWarning, match="cap .* and so are local variances"):
        _, sd = gp.predict(Xs, return_std=True)
    assert gp.solver_info_["variance_path"] == "cg"
    np.testing.assert_allclose(sd**2, var, rtol=0.01)


def test_covariances_keep_the_exact_solves(rng, monkeypatch):
    """``return_cov=True`` does not take the local path (it gives variances only): past
    the cache's cap the covariances come from exact solves, with the warning."""
    X, y, Xs = _data(rng)
    Xs = Xs[:30]
    _small_cap(monkeypatch, len(X))
    monkeypatch.setattr(variances, "EXACT_CHEAP", 0)  # else the kept factor answers quietly
    kernel = Matern52(0.3)
    gp = GaussianProcess(kernel, noise=1e-3, solver="cg", pred_rank=8, random_state=0)
    gp.fit(X, y, method=None)
    with pytest.warns(NumericalWarning, match="variance cache, grown to its cap"):
        _, cov = gp.predict(Xs, return_cov=True)
    assert gp.solver_info_["variance_path"] == "cg"
    A = kernel(X) + 1e-3 * np.eye(len(X))
    Ks = kernel(Xs, X)
    exact = kernel(Xs) - Ks @ cho_solve(cho_factor(A, lower=True), Ks.T)
    np.testing.assert_allclose(cov, exact, rtol=1e-2, atol=1e-2 * np.diag(exact).min())
    _, sd = _local_predict(gp, Xs)  # variances alone then take the local path
    assert gp.solver_info_["variance_path"] == "local"
    np.testing.assert_allclose(sd**2, np.diag(exact), rtol=0.01)


def test_a_singular_neighbourhood_takes_jitter_and_stays_an_upper_bound(rng):
    # training points repeated without noise: K_NN is singular; the jitter ladder adds to
    # the noise (with a warning), and the variance stays at or above the exact one, which
    # conditions on the distinct points alone (repeats carry no information)
    k = RBF(0.3)
    U = rng.uniform(0, 1, (40, 2))
    X = np.vstack([U, U])
    Xs = rng.uniform(0, 1, (5, 2))
    Ks, prior = k(Xs, X), k.diag(Xs)
    with pytest.warns(NumericalWarning, match="jitter"):
        got = local.conditioned(k, X, np.zeros(len(X)), Ks, prior, np.arange(len(X)))
    W = np.linalg.solve(np.linalg.cholesky(k(U) + 1e-12 * np.eye(40)), k(Xs, U).T)
    exact = prior - np.einsum("ij,ij->j", W, W)
    assert np.all(got >= exact - 1e-9) and np.all(got <= exact + 1e-4 * prior)
