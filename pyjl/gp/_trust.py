"""A bounded quasi-Newton search whose every trial point lies within a trust radius.

L-BFGS-B tries points far from its current one: with every variable bounded its first
step is the whole projected gradient, and a line search may start from a long
quasi-Newton step.  For the iterative solver each such point is costly, since CG's
iterations grow with the conditioning of ``K + noise`` at that point (a tiny noise and a
long lengthscale take tens of times the iterations of the optimum).  This search moves
no coordinate by more than ``radius`` from the accepted point, so each trial's kernel is
close to one already solved: BFGS (dense inverse Hessian; the log-hyperparameters are
few) with the step cut to the radius, bounds by projection, and an Armijo backtracking
line search (Nocedal & Wright, *Numerical Optimization*, 2nd ed., algorithms 3.1 and
6.1; the projection as in Bertsekas, *Projected Newton methods*, 1982).

The iterative solver's value and gradient are separate estimates (stochastic Lanczos
quadrature and Hutchinson's trace), and the gradient is not the derivative of the value:
near the optimum, where the true gradient falls to the estimate's error, a direction the
gradient calls descending can climb the estimated value at every step length, and
backtracking would go on to ``_XTOL`` (about ten evaluations) for nothing.  The line search
stops once two trial points in a row rise above the accepted value while the gradient
at both ends still points down the step: a function with that gradient would need a
local maximum inside the shorter step as well, so the estimates have reached their noise
level there.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import OptimizeResult

__all__ = ["minimize_within"]

#: Armijo's sufficient-decrease constant.
_ARMIJO = 1e-4
#: The most trial points per iteration (as L-BFGS-B's ``maxls``).
_MAX_TRIALS = 20
#: Stop when the projected gradient's largest entry is below this (L-BFGS-B's ``pgtol``).
_GTOL = 1e-5
#: ... or the objective's relative reduction is below this (L-BFGS-B's ``factr * eps``).
_FTOL = 1e7 * np.finfo(float).eps
#: ... or no coordinate of a trial point moves by more than this from the accepted one (the
#: estimated gradient of the iterative solver points nowhere better below it).
_XTOL = 1e-5
#: ... or this many trial points in a row rose above ``f`` with the gradient at both ends
#: of the step pointing down it (the gradient disagrees with the value: see above).
_STRIKES = 2
#: The most iterations when the caller sets none (L-BFGS-B's ``maxiter``).
_MAX_ITER = 15_000


def minimize_within(fun, x0, bounds, radius: float, max_iter: int | None = None):
    """Minimise ``fun`` over the box ``bounds`` by steps of at most ``radius`` per
    coordinate.

    Parameters
    ----------
    fun : callable
        ``x -> (f, gradient)``; a non-finite ``f`` is a failed point (stepped back from).
    x0 : ndarray, shape (p,)
        The start; clipped into the box.
    bounds : ndarray, shape (p, 2)
        Lower and upper bounds.
    radius : float
        The largest move of any coordinate from the accepted point to a trial point.
    max_iter : int or None
        The most iterations (accepted steps); ``None``: 15,000.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``fun``, ``jac``, ``nit``, ``nfev``, ``success`` and ``status`` as
        L-BFGS-B's: 0 converged, 1 ``max_iter`` reached, 2 no trial point decreased ``f``.

    Examples
    --------
    >>> import numpy as np
    >>> quad = lambda x: (float(x @ x), 2 * x)
    >>> res = minimize_within(quad, np.array([5.0, -3.0]), np.array([[-10, 10], [1, 10]]), 1.0)
    >>> np.round(res.x, 6).tolist(), res.nit >= 5
    ([0.0, 1.0], True)
    """
    lo, hi = bounds[:, 0], bounds[:, 1]
    x = np.clip(np.asarray(x0, dtype=np.float64), lo, hi)
    f, g = _call(fun, x)
    nfev, nit, H = 1, 0, None
    limit = _MAX_ITER if max_iter is None else max_iter
    status, message = 2, "the objective is not finite at the start"
    while np.isfinite(f):
        if np.max(np.abs(x - np.clip(x - g, lo, hi)), initial=0.0) <= _GTOL:
            status, message = 0, "the projected gradient is below its tolerance"
            break
        if nit >= limit:
            status, message = 1, "the iteration limit is reached"
            break
        d = _direction(x, g, H, lo, hi)
        if d is None:
            status, message = 0, "no descent direction is left inside the bounds"
            break
        step, small, strikes = min(1.0, radius / np.max(np.abs(d))), False, 0
        for _ in range(_MAX_TRIALS):
            xt = np.clip(x + step * d, lo, hi)
            small = np.max(np.abs(xt - x)) <= _XTOL
            if small:
                break
            slope = float(g @ (xt - x))
            ft, gt = _call(fun, xt)
            nfev += 1
            if np.isfinite(ft) and ft <= f + _ARMIJO * slope:
                break
            strikes = strikes + 1 if _disagrees(f, ft, gt, xt - x) else 0
            if strikes >= _STRIKES:
                break
            step *= _backtrack(f, ft, slope)
        else:
            status, message = 2, "no trial point along the search direction decreased f"
            break
        if small:
            status, message = 0, "the step is below its tolerance"
            break
        if strikes >= _STRIKES:
            status = 0
            message = "f rose along the direction its gradient calls descending (noise level)"
            break
        nit += 1
        H = _bfgs(H, xt - x, gt - g)
        f_old, x, f, g = f, xt, ft, gt
        if f_old - f <= _FTOL * max(abs(f_old), abs(f), 1.0):
            status, message = 0, "the relative reduction of f is below its tolerance"
            break
    return OptimizeResult(
        x=x,
        fun=f,
        jac=g,
        nit=nit,
        nfev=nfev,
        status=status,
        success=status == 0,
        message=message,
    )


def _call(fun, x):
    f, g = fun(x)
    f = float(f)
    g = np.asarray(g, dtype=np.float64)
    if not np.all(np.isfinite(g)):
        f = np.inf
    return f, g


def _disagrees(f, ft, gt, s):
    """Whether the trial rose above ``f`` while its gradient ``gt`` still points down the
    step ``s`` (the accepted point's does by construction)."""
    return bool(np.isfinite(ft) and ft > f and float(gt @ s) < 0.0)


def _backtrack(f, ft, slope):
    """The factor (0.1 to 0.5) that shortens a failed step: the minimiser of the quadratic
    through ``f``, the ``slope`` and ``ft`` (Nocedal & Wright eq. 3.58), safeguarded."""
    if not np.isfinite(ft):
        return 0.1
    factor = -slope / (2.0 * (ft - f - slope))
    return float(np.clip(factor, 0.1, 0.5))


def _direction(x, g, H, lo, hi):
    """The quasi-Newton direction with the coordinates held at a bound they would leave
    set to zero, or the projected steepest descent where that is no descent; ``None``
    if neither descends."""
    for d in (-g if H is None else -(H @ g), -g):
        d = np.where(((x <= lo) & (d < 0)) | ((x >= hi) & (d > 0)), 0.0, d)
        if g @ d < 0:
            return d
    return None


def _bfgs(H, s, y):
    """The BFGS update of the inverse Hessian ``H`` (``None``: the first, scaled by
    ``s^T y / y^T y``); skipped where the curvature ``s^T y`` is not positive."""
    sy = float(s @ y)
    if sy <= 1e-10 * np.linalg.norm(s) * np.linalg.norm(y):
        return H
    if H is None:
        H = np.eye(s.size) * (sy / float(y @ y))
    rho = 1.0 / sy
    V = np.eye(s.size) - rho * np.outer(s, y)
    return V @ H @ V.T + rho * np.outer(s, s)
