"""The surrogate's model and the fit of its hyperparameters.

Model: a :class:`pyjl.gp.GaussianProcess` on the unit cube, ``Matern52`` with one
lengthscale per coordinate (ARD) and a variance, learned homoscedastic noise (or the
known per-trial ``noise_var``), ``normalize_y=True``.
Hyperparameters ``theta = (log l_1..l_d, log s2[, log noise])`` maximise the GP's
own evidence — ``fit="ml"``: :meth:`~pyjl.gp.GaussianProcess.log_marginal_likelihood`,
``fit="loo"``: :meth:`~pyjl.gp.GaussianProcess.loo_log_predictive` — plus, with
``prior=True`` (the default), weak log-priors that keep a handful of points from
declaring a coordinate irrelevant or the data pure noise: ``-0.1 (l^2 + 1/l^2)``
per lengthscale, Gamma(2, 1) on ``s2`` and Gamma(1.1, 30) on the noise (the priors
of Optuna's GPSampler, so the two fit the same model).  The fit is
``GaussianProcess.fit(method=..., prior=...)``: one L-BFGS-B per start over the
log posterior.  Each refit starts from the previous optimum (warm start), and from
the default ``l = 1, s2 = 1`` as well while the study is young and every tenth
fit (:class:`~pyjl.bo.surrogate.Surrogate` decides).  ``prior=False`` is plain
type-II maximum likelihood.
"""

from __future__ import annotations

import numpy as np

from .._warn import quiet, warn
from ..exceptions import ConvergenceWarning, NumericalWarning

__all__ = [
    "log_prior",
    "fit_surrogate",
    "gp_at",
    "LENGTHSCALE_BOUNDS",
    "VARIANCE_BOUNDS",
    "NOISE_BOUNDS",
]

#: bounds in the unit cube and in units of the standardised y
LENGTHSCALE_BOUNDS, VARIANCE_BOUNDS, NOISE_BOUNDS = (1e-2, 1e2), (1e-2, 1e2), (1e-6, 1.0)
_QUIET = (NumericalWarning, ConvergenceWarning)
#: the noise variance a cold fit starts from (standardised units)
NOISE0 = 1e-2


def log_prior(theta: np.ndarray, d: int, learn_noise: bool) -> tuple[float, np.ndarray]:
    """Log-prior (up to a constant) of ``theta`` and its gradient ``(p,)``."""
    t = theta[:d]
    e2, em2 = np.exp(2 * t), np.exp(-2 * t)
    val = -0.1 * float(np.sum(e2 + em2))
    grad = np.zeros_like(theta)
    grad[:d] = -0.2 * (e2 - em2)
    s2 = np.exp(theta[d])
    val += theta[d] - s2
    grad[d] = 1 - s2
    if learn_noise:
        nz = np.exp(theta[-1])
        val += 0.1 * theta[-1] - 30 * nz
        grad[-1] = 0.1 - 30 * nz
    return val, grad


def _bounds(d: int, learn: bool) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of ``theta`` (log lengthscales, log variance[, log noise])."""
    lo = np.r_[np.full(d, np.log(LENGTHSCALE_BOUNDS[0])), np.log(VARIANCE_BOUNDS[0])]
    hi = np.r_[np.full(d, np.log(LENGTHSCALE_BOUNDS[1])), np.log(VARIANCE_BOUNDS[1])]
    if learn:
        lo, hi = np.r_[lo, np.log(NOISE_BOUNDS[0])], np.r_[hi, np.log(NOISE_BOUNDS[1])]
    return lo, hi


def _fitted(X, y, nv, theta, d, random_state=None, **fit):
    """The surrogate's GP started at ``theta`` (noise learned when ``nv`` is None), fitted
    with ``GaussianProcess.fit(**fit)`` and its warnings silenced."""
    from ..gp import GaussianProcess, Matern52

    k = Matern52(
        lengthscale=np.exp(theta[:d]),
        variance=float(np.exp(theta[d])),
        lengthscale_bounds=LENGTHSCALE_BOUNDS,
        variance_bounds=VARIANCE_BOUNDS,
    )
    gp = GaussianProcess(
        kernel=k,
        noise=float(np.exp(theta[-1])) if nv is None else 1e-6,
        normalize_y=True,
        noise_bounds=NOISE_BOUNDS,
        solver="cholesky",  # exact at BO's sizes, and LOO fitting needs it
        random_state=random_state,
    )
    with quiet(*_QUIET):
        gp.fit(X, y, noise_var=nv, **fit)
    return gp


def gp_at(X, y, nv, theta, d, method=None, prior=None):
    """The GP at ``theta`` (clipped to the bounds), fitted from there with ``method``
    (``None``: kept) and the log ``prior``."""
    theta = np.clip(theta, *_bounds(d, nv is None))
    return _fitted(X, y, nv, theta, d, method=method, n_restarts=0, prior=prior)


def _theta(gp, learn: bool) -> np.ndarray:
    """The fitted ``theta`` of ``gp`` (with its log noise when it was learned)."""
    theta = np.asarray(gp.kernel_.theta, dtype=np.float64)
    return np.append(theta, np.log(gp.noise_)) if learn else theta


def _evidence(gp, method: str) -> float:
    """The evidence ``method`` maximises, at ``gp``'s fitted hyperparameters."""
    return gp.loo_log_predictive() if method == "loo" else gp.log_marginal_likelihood()


def fit_surrogate(
    X: np.ndarray,
    y: np.ndarray,
    nv: np.ndarray | None,
    *,
    method: str = "ml",
    prior: bool = True,
    theta0: np.ndarray | None = None,
    cold_start: bool = True,
    seed: int | None = None,
):
    """Fit the surrogate to ``X (n, d)``, ``y (n,)`` (``nv``: known noise variances or None).

    Returns ``(gp, theta)``; pass ``theta`` back as ``theta0`` to warm-start the next fit.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(0.0, 1.0, 6)[:, None]
    >>> gp, theta = fit_surrogate(X, np.sin(6 * X[:, 0]), None)
    >>> theta.shape  # log lengthscale, log variance, log noise
    (3,)
    """
    d = X.shape[1]
    learn = nv is None
    default = np.r_[np.zeros(d), 0.0, np.log(NOISE0)] if learn else np.zeros(d + 1)
    warm = theta0 is not None and len(theta0) == len(default)
    if not prior:
        # cold: two starts, a noisy and a nearly noiseless one (the likelihood often has a
        # "it is all noise" local optimum); warm: the previous optimum
        inits = (
            [np.asarray(theta0)]
            if warm
            else [default, np.r_[default[:-1], np.log(1e-5)] if learn else default]
        )
        best = None
        for th in inits[: 1 if warm or not learn else 2]:
            gp = _fitted(X, y, nv, th, d, seed, method=method, n_restarts=0 if warm else 2)
            score = _evidence(gp, method)
            if best is None or score > best[0]:
                best = (score, gp)
        assert best is not None
        return best[1], _theta(best[1], learn)
    starts = ([theta0] if warm else []) + ([default] if cold_start or not warm else [])
    found = None
    for th0 in starts:  # the MAP fit, one L-BFGS-B run per start, in GaussianProcess.fit
        gp = gp_at(X, y, nv, th0, d, method=method, prior=lambda t: log_prior(t, d, learn))
        theta = _theta(gp, learn)
        score = _evidence(gp, method) + log_prior(theta, d, learn)[0]
        if np.isfinite(score) and (found is None or score > found[0]):
            found = (score, gp, theta)
    if found is None:
        warn(
            "the surrogate's hyperparameters could not be fitted; using defaults",
            ConvergenceWarning,
        )
        return gp_at(X, y, nv, default, d), default
    return found[1], found[2]
