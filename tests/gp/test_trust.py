"""The trust-radius search of the iterative solver's fits (``pyjl.gp._trust``), against
closed forms and SciPy's L-BFGS-B, and the GP fit that uses it."""

import numpy as np
import pytest
from scipy.optimize import minimize, rosen, rosen_der

from pyjl.gp import GaussianProcess, Matern52
from pyjl.gp._trust import minimize_within
from pyjl.gp.iterative import objective as iterative


class Recorder:
    """``fun`` with every evaluated point, value and gradient kept."""

    def __init__(self, fun):
        self.fun, self.points, self.values, self.grads = fun, [], [], []

    def __call__(self, x):
        f, g = self.fun(x)
        self.points.append(np.array(x))
        self.values.append(f)
        self.grads.append(np.array(g))
        return f, g

    def longest_climb(self):
        """The most evaluations in a row above the lowest value before them whose gradient
        still points down the step from that lowest point (the value rose where the
        gradient says it falls)."""
        return longest_climb(self.points, self.values, self.grads)

    def within(self, radius):
        """Each point within ``radius`` (per coordinate) of the lowest point before it."""
        for i in range(1, len(self.points)):
            j = int(np.argmin(self.values[:i]))
            if np.max(np.abs(self.points[i] - self.points[j])) > radius * (1 + 1e-12):
                return False
        return True


def longest_climb(points, values, grads):
    run = best_run = 0
    for i in range(1, len(points)):
        j = int(np.argmin(values[:i]))
        step = points[i] - points[j]
        climb = values[i] > values[j] and float(grads[i] @ step) < 0
        run = run + 1 if climb else 0
        best_run = max(best_run, run)
    return best_run


def quadratic(rng, p):
    A = rng.standard_normal((p, p))
    H = A @ A.T + p * np.eye(p)
    c = rng.uniform(-4, 4, p)
    return H, c, lambda x: (0.5 * (x - c) @ H @ (x - c), H @ (x - c))


@pytest.mark.parametrize("p", [1, 3, 8])
def test_bounded_quadratic_matches_lbfgsb(rng, p):
    H, c, fun = quadratic(rng, p)
    bounds = np.column_stack([rng.uniform(-3, -1, p), rng.uniform(1, 3, p)])
    x0 = rng.uniform(bounds[:, 0], bounds[:, 1])
    ref = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-15})
    rec = Recorder(fun)
    res = minimize_within(rec, x0, bounds, radius=0.5)
    assert res.success and res.status == 0
    np.testing.assert_allclose(res.x, ref.x, atol=1e-4)
    assert np.all(res.x >= bounds[:, 0]) and np.all(res.x <= bounds[:, 1])
    assert rec.within(0.5)


def test_rosenbrock_reaches_its_minimum_by_short_steps():
    bounds = np.array([[-5.0, 5.0]] * 4)
    x0 = np.array([-3.0, 4.0, -2.0, 3.0])
    rec = Recorder(lambda x: (rosen(x), rosen_der(x)))
    res = minimize_within(rec, x0, bounds, radius=0.25, max_iter=5000)
    np.testing.assert_allclose(res.x, np.ones(4), atol=1e-3)
    assert rec.within(0.25)
    assert res.nfev == len(rec.points)


def test_minimum_on_a_bound_is_the_projection():
    # f = |x - c|^2 with c outside the box: the minimiser is c clipped to the box
    c = np.array([3.0, -7.0, 0.25])
    bounds = np.array([[-1.0, 1.0], [-2.0, 2.0], [-1.0, 1.0]])
    res = minimize_within(
        lambda x: (float((x - c) @ (x - c)), 2 * (x - c)), np.zeros(3), bounds, 1.0
    )
    np.testing.assert_allclose(res.x, [1.0, -2.0, 0.25], atol=1e-6)
    assert res.success


def test_iteration_limit_stops_with_status_one(rng):
    _, _, fun = quadratic(rng, 4)
    res = minimize_within(fun, np.full(4, 3.0), np.array([[-10.0, 10.0]] * 4), 0.1, max_iter=3)
    assert res.status == 1 and not res.success and res.nit == 3


def test_non_finite_region_is_stepped_back_from():
    # f is infinite for x > 1.5; the minimum (x = 1) is inside, reached from x = 0
    def fun(x):
        if x[0] > 1.5:
            return np.inf, np.zeros(1)
        return float((x[0] - 1.0) ** 2), 2 * (x - 1.0)

    res = minimize_within(fun, np.zeros(1), np.array([[-10.0, 10.0]]), 5.0)
    np.testing.assert_allclose(res.x, [1.0], atol=1e-6)
    assert res.success


def test_non_finite_start_reports_failure():
    res = minimize_within(
        lambda x: (np.inf, np.zeros(2)), np.zeros(2), np.array([[-1.0, 1.0]] * 2), 1.0
    )
    assert not res.success and res.status == 2 and res.nfev == 1


@pytest.mark.parametrize("p", [2, 4, 6])
def test_gradient_that_disagrees_with_the_value_stops_after_two_climbs(rng, p):
    """An exact quadratic value with a gradient off by a deterministic ripple (as the
    iterative solver's estimates are near the optimum): the search ends within the ripple's
    reach of the minimiser after at most two trial points that climb where the gradient
    says descend, and with fewer evaluations than L-BFGS-B, whose line search runs out."""
    H, c, exact = quadratic(rng, p)
    W, phase, eps = 40 * rng.standard_normal((p, p)), rng.uniform(0, 6, p), 0.05

    def fun(x):
        f, g = exact(x)
        return f, g + eps * np.sin(W @ x + phase)

    bounds = np.array([[-8.0, 8.0]] * p)
    x0 = rng.uniform(-4, 4, p)
    rec = Recorder(fun)
    res = minimize_within(rec, x0, bounds, radius=1.0)
    ref = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds)
    assert res.success and res.status == 0
    # the gradient's error is at most eps * sqrt(p), H's eigenvalues at least p
    assert np.linalg.norm(res.x - c) <= eps / np.sqrt(p) * 1.01
    assert rec.longest_climb() <= 2
    assert res.nfev < ref.nfev


def test_iterative_fit_stops_at_its_estimates_noise_level(rng):
    """With a rank-30 preconditioner the estimated likelihood and gradient disagree near
    the optimum: the fit stops after two climbing trial points instead of backtracking to
    the step tolerance (eight in a row here), reports its iterations, and ends where the
    exact log marginal likelihood is within a fraction of a nat of its maximum."""
    n = 400
    X = rng.uniform(0, 1, (n, 2))
    y = np.sin(6 * X @ [0.7, 1.3]) + 0.1 * rng.standard_normal(n)
    points, values, grads = [], [], []
    call = iterative.IterativeObjective.__call__

    def recording(self, theta):
        f, g = call(self, theta)
        points.append(np.array(theta))
        values.append(f)
        grads.append(np.array(g))
        return f, g

    kw = dict(noise=0.5, normalize_y=True, random_state=0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(iterative.IterativeObjective, "__call__", recording)
        cg = GaussianProcess(Matern52([1.0, 1.0]), solver="cg", precond_rank=30, **kw).fit(X, y)
    exact = GaussianProcess(Matern52([1.0, 1.0]), solver="cholesky", **kw).fit(X, y)
    assert longest_climb(points, values, grads) <= 2
    info = cg.solver_info_
    assert info["n_evaluations"] == len(points)
    assert 1 <= info["n_iterations"] < info["n_evaluations"]
    theta = np.append(cg.kernel_.theta, np.log(cg.noise_))
    assert exact.log_marginal_likelihood(theta) > exact.log_marginal_likelihood() - 0.5


def test_iterative_fit_keeps_trial_points_near_and_agrees_with_cholesky(rng, monkeypatch):
    """L-BFGS-B's first step from these defaults lands in a corner of the box (|log| above
    10 here); the iterative fit's trial points stay within the trust radius, and it ends
    where the exact fit does."""
    n = 300
    X = rng.uniform(0, 1, (n, 2))
    y = np.sin(6 * X @ [0.7, 1.3]) + 0.1 * rng.standard_normal(n)
    rec = []
    call = iterative.IterativeObjective.__call__

    def recording(self, theta):
        out = call(self, theta)
        rec.append((np.array(theta), out[0]))
        return out

    monkeypatch.setattr(iterative.IterativeObjective, "__call__", recording)
    kw = dict(noise=0.5, normalize_y=True, random_state=0)
    cg = GaussianProcess(Matern52([1.0, 1.0]), solver="cg", **kw).fit(X, y)
    exact = GaussianProcess(Matern52([1.0, 1.0]), solver="cholesky", **kw).fit(X, y)
    radius = iterative.TRUST_RADIUS
    for i in range(1, len(rec)):
        best = min(rec[:i], key=lambda r: r[1])[0]
        assert np.max(np.abs(rec[i][0] - best)) <= radius * (1 + 1e-12)
    np.testing.assert_allclose(cg.kernel_.theta, exact.kernel_.theta, atol=0.05)
    np.testing.assert_allclose(np.log(cg.noise_), np.log(exact.noise_), atol=0.05)
    assert cg.solver_info_["n_evaluations"] >= len(rec)
