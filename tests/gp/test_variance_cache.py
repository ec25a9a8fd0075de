"""The iterative GP's variance cache against exact Cholesky: a cache that fails its check
grows until it holds on every test point, is kept for later calls, and past its cap
gives way to exact solves (preconditioned by the grown cache) with a warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pyjl.exceptions import NumericalWarning
from pyjl.gp import RBF, GaussianProcess, Matern12, Matern32, Matern52
from pyjl.gp.iterative import VarianceCache, model, variances


def _exact_var(kernel, X, noise, Xs):
    """Predictive variances of the latent function by a dense Cholesky (NumPy)."""
    A = kernel(X) + noise * np.eye(len(X))
    Ks = kernel(Xs, X)
    L = np.linalg.cholesky(A)
    W = np.linalg.solve(L, Ks.T)
    return kernel.diag(Xs) - np.einsum("ij,ij->j", W, W), Ks, A


def _rough(rng, n=400):
    """Matern-5/2 in 4-D against a noise of 1.4e-3 of its variance: a high numerical rank."""
    X = rng.uniform(0, 1, (n, 4))
    y = np.sin(6 * X @ np.array([0.3, 0.5, 0.7, 0.4])) + 0.1 * rng.standard_normal(n)
    return X, y, rng.uniform(0, 1, (300, 4)), Matern52([0.97, 0.61, 0.45, 0.35], variance=9.9)


@pytest.mark.parametrize(
    "kernel, noise", [(RBF(0.15), 1e-3), (Matern52(0.3), 1e-3)], ids=["rbf", "matern52"]
)
def test_a_cache_that_fails_its_check_grows_until_every_point_holds(
    rng, monkeypatch, kernel, noise
):
    """At the sizes above ``AUTO_CG_ABOVE`` (lowered to 0 here), where the cache grows to
    its memory cap and the check's solves are by CG."""
    monkeypatch.setattr(model, "AUTO_CG_ABOVE", 0)
    n = 1500
    X = rng.uniform(0, 1, (n, 2))
    y = np.sin(5 * X[:, 0]) + np.cos(3 * X[:, 1]) + 0.03 * rng.standard_normal(n)
    Xs, Xs2 = rng.uniform(0, 1, (500, 2)), rng.uniform(0, 1, (200, 2))
    var, Ks, A = _exact_var(kernel, X, noise, Xs)
    gp = GaussianProcess(kernel, noise=noise, solver="cg", pred_rank=8, random_state=0)
    gp.fit(X, y, method=None)
    start = gp._cg.variances.cache
    assert gp.solver_info_["pred_rank"] == 8 + variances.CACHE_LANCZOS
    assert np.max(np.abs(start.quad(Ks) - (kernel.diag(Xs) - var)) / var) > 1.0  # fails
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        mean, sd = gp.predict(Xs, return_std=True)
    info = gp.solver_info_
    assert info["variance_path"] == "cache" and info["pred_rank"] > 8 + variances.CACHE_LANCZOS
    np.testing.assert_allclose(sd**2, var, rtol=0.01)  # every test point, not just the checked
    np.testing.assert_allclose(mean, gp.kernel_(Xs, X) @ np.linalg.solve(A, y), rtol=1e-4,
                               atol=1e-4 * np.abs(mean).max())  # fmt: skip
    grown = gp._cg.variances.cache
    var2, _, _ = _exact_var(kernel, X, noise, Xs2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        _, sd2 = gp.predict(Xs2, return_std=True)
    assert gp._cg.variances.cache is grown and gp.solver_info_["pred_rank"] == info["pred_rank"]
    assert gp.solver_info_["variance_path"] == "cache"
    np.testing.assert_allclose(sd2**2, var2, rtol=0.01)
    Xn = rng.uniform(0, 1, (10, 2))  # update(): the new state's cache starts at the grown size
    gp.update(Xn, np.sin(5 * Xn[:, 0]))
    assert gp._cg.variances.cache.n_pivots >= grown.n_pivots
    var3, _, _ = _exact_var(kernel, np.vstack([X, Xn]), noise, Xs2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        np.testing.assert_allclose(gp.predict(Xs2, return_std=True)[1] ** 2, var3, rtol=0.01)


def test_lanczos_vectors_grow_where_the_pivots_stop(rng, monkeypatch):
    """Pivots stopped early (a loose trace stop): the Lanczos part doubles until the check
    holds, and the variances hold on every test point."""
    monkeypatch.setattr(variances, "CACHE_TRACE", 30.0)
    monkeypatch.setattr(model, "AUTO_CG_ABOVE", 0)
    n, noise, kernel = 1000, 1e-2, Matern52(0.4)
    X = rng.uniform(0, 1, (n, 2))
    y = np.sin(5 * X[:, 0]) + 0.1 * rng.standard_normal(n)
    Xs = rng.uniform(0, 1, (300, 2))
    var, _, _ = _exact_var(kernel, X, noise, Xs)
    kw = dict(precond_rank=20, pred_rank=400, random_state=0)
    gp = GaussianProcess(kernel, noise=noise, solver="cg", **kw).fit(X, y, method=None)
    pivots = gp._cg.variances.cache.n_pivots
    assert pivots < 400  # stopped by the trace
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        _, sd = gp.predict(Xs, return_std=True)
    cache = gp._cg.variances.cache
    assert cache.n_pivots == pivots and cache.rank > variances.CACHE_LANCZOS
    assert gp.solver_info_["pred_rank"] == pivots + cache.rank
    np.testing.assert_allclose(sd**2, var, rtol=0.01)


@pytest.mark.parametrize("factor_up_to", [None, 0], ids=["cholesky", "cg"])
def test_past_the_cap_variances_come_from_exact_solves(rng, monkeypatch, factor_up_to):
    """A rough kernel whose cache cannot hold within a (lowered) cap: the prediction grows
    the cache to the cap, says so, and solves exactly -- by a Cholesky factor up to
    ``factor_up_to`` training points (default: the sizes "auto" factorises), by CG
    preconditioned with the grown cache above."""
    X, y, Xs, k = _rough(rng)
    monkeypatch.setattr(variances, "CACHE_ENTRIES", len(X) * 120)
    exact = GaussianProcess(k, noise=0.0137, solver="cholesky").fit(X, y, method=None)
    monkeypatch.setattr(variances, "EXACT_CHEAP", 0)  # else the kept factor answers quietly
    cg = GaussianProcess(
        k, noise=0.0137, solver="cg", pred_rank=20, random_state=0, factor_up_to=factor_up_to
    )
    cg.fit(X, y, method=None)
    m1, s1 = exact.predict(Xs, return_std=True)
    with pytest.warns(NumericalWarning, match="variance cache, grown to its cap"):
        m2, s2 = cg.predict(Xs, return_std=True)
    cap = 120 if factor_up_to == 0 else len(X) // 4  # the exact factor is cheaper past n / 4
    assert cg.solver_info_["variance_path"] == "cg" and cg.solver_info_["pred_rank"] == cap
    if factor_up_to is None:  # the factor's variances are exact, to rounding
        np.testing.assert_allclose(s2**2, s1**2, rtol=1e-9)
        # the kept factor (8 n^2 bytes) does not travel with a pickled model; the copy
        # makes it again and predicts the same
        import pickle

        blob = pickle.dumps(cg)
        assert len(blob) < 8 * len(X) ** 2
        np.testing.assert_allclose(
            pickle.loads(blob).predict(Xs, return_std=True)[1], s2, rtol=1e-12
        )
    np.testing.assert_allclose(s2**2, s1**2, rtol=1e-2)
    np.testing.assert_allclose(m2, m1, rtol=1e-4, atol=1e-6 * np.abs(m1).max())
    _, c1 = exact.predict(Xs[:20], return_cov=True)
    _, c2 = cg.predict(Xs[:20], return_cov=True)
    np.testing.assert_allclose(c2, c1, rtol=1e-2, atol=1e-2 * np.diag(c1).min())


def test_a_rough_kernel_grows_to_the_exact_factor_above_auto_cg(rng, monkeypatch):
    """Without a cap in the way the pivots grow to every point: the cache is then exact."""
    monkeypatch.setattr(model, "AUTO_CG_ABOVE", 0)
    X, y, Xs, k = _rough(rng)
    exact = GaussianProcess(k, noise=0.0137, solver="cholesky").fit(X, y, method=None)
    cg = GaussianProcess(k, noise=0.0137, solver="cg", pred_rank=20, random_state=0)
    cg.fit(X, y, method=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        _, s2 = cg.predict(Xs, return_std=True)
    assert cg.solver_info_["variance_path"] == "cache"
    assert cg._cg.variances.cache.n_pivots == len(X)
    np.testing.assert_allclose(s2**2, exact.predict(Xs, return_std=True)[1] ** 2, rtol=1e-2)


@pytest.mark.parametrize("kernel", [Matern12(0.1), Matern32(0.1)], ids=["matern12", "matern32"])
def test_the_check_finds_the_points_inside_the_data(kernel):
    """A plotting grid much wider than the data: most test points lie far outside it,
    where any cache is right.  The check must look where the data reduce the variance
    (it used to check 8 evenly spaced grid points, all outside, and the cache answered
    inside the data with variances below 0, clipped to 0, or 2 % off); the points inside
    get the same answers in one call with the others as alone, in any order, and as the
    diagonal of ``return_cov``."""
    g = np.random.default_rng(9)
    X = g.uniform(0, 1, (2000, 1))
    y = np.sin(20 * X[:, 0]) + 0.05 * g.standard_normal(2000)
    grid = np.linspace(-10, 10, 400)[:, None]
    inside = (grid[:, 0] >= 0) & (grid[:, 0] <= 1)
    var, _, _ = _exact_var(kernel, X, 1e-3, grid)
    gp = GaussianProcess(kernel, noise=1e-3, solver="cg", random_state=0).fit(X, y, method=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        sd = gp.predict(grid, return_std=True)[1]
        sd_in = gp.predict(grid[inside], return_std=True)[1]
        perm = g.permutation(len(grid))
        sd_perm = gp.predict(grid[perm], return_std=True)[1]
        cov = gp.predict(grid, return_cov=True)[1]
    np.testing.assert_allclose(sd**2, var, rtol=0.01)
    np.testing.assert_allclose(sd_in**2, var[inside], rtol=0.01)
    np.testing.assert_allclose(sd_perm**2, var[perm], rtol=0.01)
    np.testing.assert_allclose(np.diag(cov), var, rtol=0.01)


@pytest.mark.parametrize("want", ["std", "cov"])
def test_the_grown_cache_is_checked_again_on_the_points_it_picks(want):
    """A grid wider than the data: the small cache's check passes once grown (rank 370),
    but on points the small cache had rated as well known, not those the grown one is
    most wrong at; 10 of 300 first-call variances were up to 20 % low (a second call, whose
    check starts from the grown cache, was exact).  The grown cache is checked again."""
    g = np.random.default_rng(9)
    X = g.uniform(0, 1, (400, 3))
    y = np.sin(6 * X[:, 0]) + 0.1 * g.standard_normal(400)
    Xs = g.uniform(-0.5, 1.5, (300, 3))
    kernel = Matern32(0.2)
    var, _, _ = _exact_var(kernel, X, 0.05, Xs)
    gp = GaussianProcess(kernel, noise=0.05, noise_bounds="fixed", solver="cg",
                         random_state=0, pred_rank=0, factor_up_to=0)  # fmt: skip
    gp.fit(X, y, method=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        if want == "std":
            got = gp.predict(Xs, return_std=True)[1] ** 2
        else:
            got = np.diag(gp.predict(Xs, return_cov=True)[1])
    assert gp.solver_info_["variance_path"] == "cache"
    np.testing.assert_allclose(got, var, rtol=0.01)


def test_a_cache_variance_below_zero_is_never_taken(rng, monkeypatch):
    """A cache that puts variances below 0 inside the data (here by construction): even a
    single check point goes where they are, the check fails, and the variances come from
    a path that holds; none is clipped to 0 (the old check looked at the first point,
    outside the data, and the clipped zeros came back with a misleading warning)."""
    monkeypatch.setattr(variances, "CHECK_POINTS", 1)
    X = rng.uniform(0, 1, (300, 1))
    y = np.sin(6 * X[:, 0])
    kernel = Matern12(0.1)  # prior variance 1
    Xs = np.r_[[5.0], np.linspace(0, 1, 40)][:, None]
    var, _, _ = _exact_var(kernel, X, 1e-3, Xs)
    gp = GaussianProcess(kernel, noise=1e-3, solver="cg", random_state=0).fit(X, y, method=None)
    quad = VarianceCache.quad
    monkeypatch.setattr(
        VarianceCache, "quad", lambda c, Ks: np.where(quad(c, Ks) > 0.5, 2.0, quad(c, Ks))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        sd = gp.predict(Xs, return_std=True)[1]
    np.testing.assert_allclose(sd**2, var, rtol=0.01)


def test_exact_variances_by_a_small_factor_do_not_warn(rng):
    """n = 800, a rough kernel against a small noise: the cache gives way to the exact
    factor, which the check made anyway and which is cheap at this size: no warning
    ("slow for many points" was raised on every such prediction)."""
    X = rng.uniform(0, 1, (800, 2))
    y = np.sin(6 * X[:, 0]) * np.cos(4 * X[:, 1]) + 0.05 * rng.standard_normal(800)
    Xs = rng.uniform(0, 1, (200, 2))
    kernel = Matern32(0.2)
    var, _, _ = _exact_var(kernel, X, 1e-3, Xs)
    gp = GaussianProcess(kernel, noise=1e-3, solver="cg", random_state=0).fit(X, y, method=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        sd = gp.predict(Xs, return_std=True)[1]
        cov = gp.predict(Xs, return_cov=True)[1]
    np.testing.assert_allclose(sd**2, var, rtol=0.01)
    np.testing.assert_allclose(np.diag(cov), var, rtol=0.01)


def test_the_covariance_warning_does_not_name_local_variances(rng, monkeypatch):
    """``return_cov=True`` skips the neighbourhoods, so its warning does not say they
    failed; it points at the caller's line."""
    X, y, Xs, k = _rough(rng)
    monkeypatch.setattr(variances, "CACHE_ENTRIES", len(X) * 120)
    cg = GaussianProcess(
        k, noise=0.0137, solver="cg", pred_rank=20, random_state=0, factor_up_to=0
    )
    cg.fit(X, y, method=None)
    with pytest.warns(NumericalWarning, match="grown to its cap") as caught:
        cg.predict(Xs[:20], return_cov=True)
    message = [w for w in caught if "grown to its cap" in str(w.message)][0]
    assert "local" not in str(message.message)
    assert message.filename == __file__
