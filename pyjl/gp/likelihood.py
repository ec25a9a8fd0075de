"""Objectives for GP hyperparameters: log marginal likelihood and leave-one-out.

With ``K = k(X, X) + diag(noise)``, ``L`` its lower Cholesky factor and
``alpha = K^{-1} y``:

* log marginal likelihood (R&W eq. 2.30, 5.9)::

      LML = -1/2 y^T alpha - sum_i log L_ii - n/2 log(2 pi)
      dLML/dtheta_q = 1/2 sum_ij (alpha alpha^T - K^{-1})_ij dK_ij/dtheta_q

* leave-one-out log predictive probability (R&W §5.4.2, eqs. 5.10-5.13)::

      mu_i = y_i - alpha_i / [K^{-1}]_ii,   s2_i = 1 / [K^{-1}]_ii
      LOO = sum_i -1/2 log s2_i - (y_i - mu_i)^2 / (2 s2_i) - 1/2 log(2 pi)

Both gradients are one contraction ``sum_ij W_ij dK_ij/dtheta`` with a
symmetric ``W`` (the kernel's ``contract``), so no ``(p, n, n)`` tensor is formed.
Near-singular ``K`` goes through a jitter ladder (:func:`factor`).  While the
optimiser runs, :func:`blas_threads` keeps BLAS off cores that other work holds.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
from scipy.linalg import blas

from .. import engines
from .._threads import thread_limit
from .._validate import describe, error
from ..exceptions import InputError
from .interface import contract, writable

__all__ = [
    "factor",
    "JITTERS",
    "Objective",
    "blas_threads",
    "free_cores",
    "lml_from_factor",
    "loo_terms",
    "noise_diagonal",
]

#: Jitter added to the diagonal, relative to its mean, until the Cholesky succeeds.
JITTERS = (0.0, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2)

_LOG2PI = math.log(2.0 * math.pi)


#: Below this many training points the optimiser's Cholesky factorisations run on one
#: BLAS thread: each takes a millisecond or less, so threads save little, while waking
#: them at every call costs more than the call on a busy machine.
_BLAS_SERIAL_BELOW = 512


def free_cores() -> int:
    """Cores not busy with other work: usable cores minus the 1-minute load average, less
    what this process itself put into that average (:func:`own_load`, at least one core),
    at least 1; all of them where the load average is unknown -- the rule of libgomp's
    ``OMP_DYNAMIC``, counting ourselves out."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    own = max(1.0, own_load())
    try:
        others = os.getloadavg()[0] - own
    except (AttributeError, OSError):  # pragma: no cover - Windows
        return cores
    return max(1, min(cores, int(cores - others + 0.5)))


#: this process's CPU seconds per second, averaged as the 1-minute load average is (``t``
#: of the last call, negative before the first; ``cpu``: the process time then)
_OWN: dict[str, float] = {"t": -1.0, "cpu": 0.0, "load": 1.0}


def own_load() -> float:
    """This process's part of the 1-minute load average: the CPU time of all its threads
    per second of wall time since the last call, folded into a running average with the
    load average's one-minute decay (1.0 at the first call).  A fit that kept both cores
    busy for minutes raises the load average to about 2 by itself; counting it as 1 left
    the next fit or prediction one core short."""
    t, cpu = time.monotonic(), time.process_time()
    last_t, last_cpu = _OWN["t"], _OWN["cpu"]
    _OWN["t"], _OWN["cpu"] = t, cpu
    if last_t >= 0.0 and t > last_t:
        keep = math.exp(-(t - last_t) / 60.0)
        _OWN["load"] = keep * _OWN["load"] + (1.0 - keep) * (cpu - last_cpu) / (t - last_t)
    return _OWN["load"]


def blas_threads(n: int):
    """BLAS threads while fitting: ``pyjl.get_num_threads()`` at most (the one bound on
    every threaded kernel), one for small ``n`` (see :data:`_BLAS_SERIAL_BELOW`), where
    waking threads costs more than the factorisation, and no more than
    :func:`free_cores`: a blocked Cholesky synchronises its threads many times per
    call, and a thread waiting for a core that other jobs hold stalls all of them.
    The BLAS setting is restored afterwards (:func:`pyjl._threads.thread_limit`)."""
    limit = 1 if n < _BLAS_SERIAL_BELOW else min(engines.get_num_threads(), free_cores())
    return thread_limit(limit)


def factor(K: np.ndarray, engine) -> tuple[np.ndarray, float]:
    """``(L, jitter)``: the first ladder step whose ``K + jitter I`` factorises.

    Raises ``numpy.linalg.LinAlgError`` when even the largest step fails."""
    scale = float(np.mean(np.diag(K))) if K.size else 1.0
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0
    err = None
    for rel in JITTERS:
        try:
            return engine.cholesky(K, rel * scale), rel * scale
        except np.linalg.LinAlgError as exc:  # try the next, larger jitter
            err = exc
    raise np.linalg.LinAlgError(
        f"kernel matrix is not positive definite even with jitter "
        f"{JITTERS[-1] * scale:.3g} ({err})"
    )


def condition_bound(K: np.ndarray | None, L: np.ndarray, engine=None, steps: int = 3) -> float:
    """A lower bound of the condition number ``lambda_max / lambda_min`` of ``K = L L'``
    (``K=None``: products with ``K`` through ``L``, as an update that only extends ``L`` has).

    ``lambda_max >= ||K u||`` and ``1 / lambda_min >= ||K^-1 v||`` for any unit ``u``,
    ``v``: ``steps`` of power iteration on ``K`` (from the constant vector) and of inverse
    iteration through ``L`` (from the row of the smallest ``L_ii``, where
    ``||K^-1 e_i|| >= (K^-1)_ii >= 1 / L_ii^2``) raise the two bounds toward the extreme
    eigenvalues, starting from ``max diag K / min L_ii^2``; ``O(steps n^2)``, the solves
    by ``engine``'s ``cho_solve`` (the current engine's by default).  Duplicate points
    leave a small eigenvalue that no single ``L_ii`` shows: there the first bound alone
    read 5e11 for a condition number of 8.6e12."""
    n = L.shape[0]
    if n == 0:
        return 1.0
    solve = (engine or engines.current()).cho_solve
    d2 = np.diag(L) ** 2
    i = int(np.argmin(d2))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        diag = np.diag(K) if K is not None else np.einsum("ij,ij->i", L, L)
        top, inv = float(np.max(diag)), 1.0 / float(d2[i])
        u = np.full(n, 1.0 / math.sqrt(n))
        v = np.zeros(n)
        v[i] = 1.0
        for _ in range(steps):
            u = K @ u if K is not None else L @ (L.T @ u)
            v = np.asarray(solve(L, v))
            nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
            if not (math.isfinite(nu) and math.isfinite(nv) and nu > 0 and nv > 0):
                break
            top, inv = max(top, nu), max(inv, nv)
            u, v = u / nu, v / nv
        return top * inv


def lml_from_factor(L: np.ndarray, alpha: np.ndarray, y: np.ndarray) -> np.float64:
    """``-1/2 y^T alpha - sum log diag L - n/2 log 2 pi``, summed over the columns of an
    ``(n, t)`` ``y`` (several targets); a ``numpy.float64``, scikit-learn's type (NumPy 2
    computes a Python float minus a float32 in float32)."""
    logdet = (1 if y.ndim == 1 else y.shape[1]) * float(np.log(np.diag(L)).sum())
    return np.float64(-0.5 * _quad(y, alpha) - logdet - 0.5 * y.size * _LOG2PI)


def _quad(y: np.ndarray, alpha: np.ndarray) -> float:
    """``sum y * alpha`` (``y^T K^-1 y``, >= 0), summed at the scale of ``y`` and
    ``alpha`` so that targets near the double limits give ``inf`` (the LML ``-inf``),
    not ``inf - inf = nan`` inside the dot product."""
    sy, sa = float(np.max(np.abs(y), initial=0.0)), float(np.max(np.abs(alpha), initial=0.0))
    if np.isnan(sy) or np.isnan(sa):  # a failed solve stays NaN, not "very unlikely"
        return np.nan
    if not (0.0 < sy < np.inf and 0.0 < sa < np.inf):
        return float(np.sum(y * alpha)) if sy * sa == 0.0 else np.inf
    return float(np.vdot(y / sy, alpha / sa)) * sy * sa


def loo_terms(Kinv_diag: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``log p(y_i | y_-i)`` for each ``i`` (R&W eq. 5.10-5.11); ``(n, t)`` for an
    ``alpha`` of several targets."""
    kd = Kinv_diag if alpha.ndim == 1 else Kinv_diag[:, None]
    return 0.5 * np.log(kd) - 0.5 * alpha**2 / kd - 0.5 * _LOG2PI


def ml_weights(Kinv: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``W = (alpha alpha^T - t K^-1) / 2`` (``t`` targets, the columns of ``alpha``),
    whose contraction with ``dK/dtheta`` is the LML's gradient (R&W eq. 5.9); computed in
    ``Kinv``'s memory."""
    if alpha.ndim == 1:
        Kinv *= -0.5  # in place: one scale, one rank-1 update
        return blas.dger(0.5, alpha, alpha, a=Kinv.T, overwrite_a=1).T
    Kinv *= -0.5 * alpha.shape[1]  # in place: one scale, one rank-t update (no n x n copy)
    return blas.dgemm(0.5, alpha, alpha, beta=1.0, c=Kinv.T, trans_b=1, overwrite_c=1).T


def loo_weights(Kinv: np.ndarray, kd: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``W`` whose contraction with ``dK/dtheta`` is the gradient of the LOO log predictive
    probability (R&W eq. 5.13), summed over the columns of ``alpha`` (several targets):
    ``-K^-1 diag(b) K^-1 + (u alpha^T + alpha u^T) / 2`` with ``u = K^-1 (alpha / kd)``
    and ``b = sum_targets (1 + alpha^2 / kd) / (2 kd)``; ``kd`` the diagonal of ``K^-1``."""
    A = alpha if alpha.ndim == 2 else alpha[:, None]
    u = Kinv @ (A / kd[:, None])
    b = 0.5 * (A.shape[1] + np.sum(A**2, axis=1) / kd) / kd
    W = Kinv @ (Kinv * b[:, None])
    W *= -1.0
    Wsym = u @ A.T
    W += 0.5 * (Wsym + Wsym.T)
    return W


def noise_diagonal(noise, noise_diag, learned):
    """The noise on the diagonal of ``K``: the learned ``noise`` (``None``: none learned)
    on the entries where ``learned`` is true (``None``: on all of them), ``noise_diag``
    on the others.

    Examples
    --------
    >>> noise_diagonal(0.1, np.array([0.5, 0.5]), np.array([True, False])).tolist()
    [0.1, 0.5]
    >>> noise_diagonal(None, 0.5, None), noise_diagonal(0.1, 0.5, None)
    (0.5, 0.1)
    """
    if noise is None:
        return noise_diag
    if learned is None:
        return noise
    return np.where(learned, noise, noise_diag)


def minimisable(value_and_grad, log_prior, theta) -> tuple[float, np.ndarray]:
    """``(-value, -gradient)`` of ``value_and_grad(theta)`` plus ``log_prior(theta)``
    (``None``: none), for a minimiser; ``(inf, 0)`` where the factorisation fails, the
    value or its gradient is not finite, or the kernel refuses the data at this
    ``theta`` alone (an :class:`~pyjl.exceptions.InputError` marked ``at_theta``: a
    lengthscale so short that the scaled points overflow), so the optimiser steps
    back; any other refusal is raised."""
    try:
        value, grad = value_and_grad(theta)
    except np.linalg.LinAlgError:
        return np.inf, np.zeros(len(theta))
    except InputError as exc:
        if not exc.at_theta:
            raise
        return np.inf, np.zeros(len(theta))
    if log_prior is not None:
        lp, lg = prior_at(log_prior, theta)
        value, grad = value + lp, grad + lg
    if not np.isfinite(value) or not np.all(np.isfinite(grad)):
        return np.inf, np.zeros(len(theta))
    return -value, -grad


def prior_at(log_prior, theta) -> tuple[float, np.ndarray]:
    """``log_prior(theta)`` as ``(log p, gradient)``: a real number and ``len(theta)``
    floats, else an :class:`~pyjl.exceptions.InputError` naming ``prior`` (a gradient of
    another length would be broadcast over the hyperparameters, a wrong fit)."""
    p = len(theta)
    out = log_prior(np.array(theta, dtype=np.float64))
    if isinstance(out, (tuple, list)) and len(out) == 2 and out[1] is not None:
        lp, lg = out
        try:
            lg = np.asarray(lg, dtype=np.float64)
            lp = float(lp) if np.ndim(lp) == 0 and not isinstance(lp, (str, bytes)) else None
        except (TypeError, ValueError):
            lp = lg = None
        if lg is not None and lg.shape == () and p == 1:  # one hyperparameter: a number
            lg = lg.reshape(1)
        if lp is not None and lg is not None and lg.shape == (p,):
            return lp, lg
        got = f"({describe(out[0])}, {describe(out[1])})"
    else:
        got = describe(out)
    raise error(
        "prior",
        f"must return (log p, gradient): a real number and an array of {p} values, one per "
        "hyperparameter the optimiser moves (the kernel's theta, then log noise when the "
        "noise is learned)",
        got,
        "return a tuple (float, numpy array of that length)",
    )


class Objective:
    """``theta -> (-objective, -gradient)`` for L-BFGS-B.

    ``theta`` is the kernel's ``theta`` followed by ``log noise`` when the
    homoscedastic noise is learned; ``noise_diag`` is the fixed per-point
    noise variance otherwise, and with a learned noise that of the points outside
    ``learned`` (a boolean ``(n,)`` mask of the points the learned noise applies to;
    ``None``: all).  ``method`` is ``"ml"`` or ``"loo"``.  With
    ``log_prior`` (``theta -> (log p(theta), gradient)``), the objective is the
    log posterior ``objective + log p(theta)`` (a MAP fit).  ``jitter``: ``None`` for
    the search's jitter ladder (:func:`factor`; the step taken is kept as ``self.jitter``),
    or a number added to the diagonal as it is, with ``numpy.linalg.LinAlgError`` where
    ``K`` still does not factorise (an evaluation at a given ``theta``, as
    scikit-learn's).
    """

    #: No trust radius: the search is L-BFGS-B (see :func:`pyjl.gp._fit.optimise`).
    trust_radius: float | None = None

    def __init__(
        self,
        kernel,
        X,
        y,
        *,
        method: str,
        learn_noise: bool,
        noise_diag: np.ndarray | None,
        engine,
        log_prior=None,
        learned: np.ndarray | None = None,
        jitter: float | None = None,
    ):
        self.kernel, self.X, self.y = kernel, X, y
        self.method, self.learn_noise = method, learn_noise
        self.noise_diag, self.engine = noise_diag, engine
        self.log_prior, self.learned = log_prior, learned
        self.n_kernel = np.asarray(kernel.theta).size
        self.fixed_jitter = jitter
        self.jitter = 0.0 if jitter is None else jitter

    def split(self, theta):
        theta = np.asarray(theta, dtype=np.float64)
        if self.learn_noise:
            return theta[: self.n_kernel], float(np.exp(theta[-1]))
        return theta[: self.n_kernel], None

    def covariance(self, theta):
        """``K`` with its noise on the diagonal, for hyperparameters ``theta``."""
        th, noise = self.split(theta)
        self.kernel.theta = th
        K = writable(self.kernel, self.kernel(self.X))
        K[np.diag_indices_from(K)] += noise_diagonal(noise, self.noise_diag, self.learned)
        return K, noise

    def value_and_grad(self, theta, want_grad: bool = True):
        """``(objective, gradient)`` (to maximise) at ``theta``."""
        K, noise = self.covariance(theta)
        if self.fixed_jitter is None:
            L, self.jitter = factor(K, self.engine)
        else:
            L = self.engine.cholesky(K, self.fixed_jitter)
        y = self.y
        alpha = self.engine.cho_solve(L, y)
        if self.method == "ml" and not want_grad:
            return lml_from_factor(L, alpha, y), None
        Kinv = self.engine.cho_inverse(L)
        if self.method == "ml":
            value = lml_from_factor(L, alpha, y)
            if not want_grad:
                return value, None
            W = ml_weights(Kinv, alpha)
        else:
            kd = np.diag(Kinv).copy()
            value = np.float64(loo_terms(kd, alpha).sum())
            if not want_grad:
                return value, None
            W = loo_weights(Kinv, kd, alpha)
        grad = contract(self.kernel, self.X, np.ascontiguousarray(W))
        if self.learn_noise:  # dK/dlog(noise): the noise, where it is the learned one
            d_noise = noise_diagonal(noise, 0.0, self.learned) * np.diagonal(W)
            grad = np.append(grad, np.sum(d_noise))
        return value, grad

    def __call__(self, theta):
        return minimisable(self.value_and_grad, self.log_prior, theta)
