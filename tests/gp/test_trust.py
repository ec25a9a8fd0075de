"""The trust-radius search of the iterative solver's fits (``pyjl.gp._trust``), against
closed forms and SciPy's L-BFGS-B, and the GP fit that uses it."""

import numpy as np
import pytest
from scipy.optimize import minimize, rosen, rosen_der

from pyjl.gp import GaussianProcess, Matern52
from pyjl.gp._trust import minimize_within
from pyjl.gp.iterative import objective as iterative


class Recorder:
    """``fun`` with every evaluated point and value kept."""

    def __init__(self, fun):
        self.fun, self.points, self.values = fun, [], []

    def __call__(self, x):
        f, g = self.fun(x)
        self.points.append(np.array(x))
        self.values.append(f)
        return f, g

    def within(self, radius):
        """Each point within ``radius`` (per coordinate) of the lowest point before it."""
        for i in range(1, len(self.points)):
            j = int(np.argmin(self.values[:i]))
            if np.max(np.abs(self.points[i] - self.points[j])) > radius * (1 + 1e-12):
                return False
        return True


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
