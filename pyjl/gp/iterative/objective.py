"""The log marginal likelihood and its gradient by the iterative solver (BBMM).

One batched CG run per evaluation solves ``A [alpha, U] = [y, Z]`` with ``A = K + noise``
and ``m`` probes ``Z ~ N(0, P)`` (``P`` the pivoted-Cholesky preconditioner); then::

    LML      ~ -1/2 y^T alpha - 1/2 logdet_SLQ(A) - n/2 log 2 pi
    dLML/dq  =  1/2 alpha^T dK_q alpha - 1/2 tr(A^-1 dK_q),
    tr(A^-1 dK_q) = c tr(Q^-1 dK_q) + tr((A^-1 - c Q^-1) dK_q)
                  ~ c tr(Q^-1 dK_q) + 1/m sum_i (A^-1 z_i - c Q^-1 z_i)^T dK_q (P^-1 z_i).

``Q`` is ``P`` cut to its first :data:`CONTROL_RANK` pivots (itself a pivoted-Cholesky
preconditioner).  The first trace is exact (``Q^-1 = D^-1 - F F^T``: the diagonal of
``dK_q`` over ``D`` less ``sum_c F_c^T dK_q F_c``); Hutchinson's estimator
(``E[P^-1 z z^T] = I``) takes only the remainder: ``c Q^-1`` is a control variate, with
``c = sum z^T A^-1 z / sum z^T Q^-1 z`` (from the same solves; 1 where ``Q = A``, damped
where ``Q`` leaves much of the kernel out, see :func:`control_weight`), so the gradient's
noise falls as the preconditioner improves instead of staying at Hutchinson's.  All the
contractions are one ``kernel.grad_quad`` call.  The probes are common random numbers:
the standard normal draws behind ``Z`` are taken once per fit and reused at every
``theta`` (only ``P`` changes), so the objective is a deterministic function of
``theta`` and the search's line search sees one surface, not fresh noise at each step.
It is not the gradient's surface: the gradient is its own estimate, not the derivative of
the value (see :mod:`pyjl.gp._trust` for where that shows).

Several targets ``Y (n, t)`` (one kernel for every column) join the same run, ``A [alpha,
U] = [Y, Z]``: the LML sums the columns' quadratic terms less ``t/2`` log-determinants,
and the gradient's trace term counts ``t`` times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ... import _warn
from ..._threads import thread_limit
from ...exceptions import ConvergenceWarning, NumericalWarning
from ..interface import contract, grad_quad
from ..likelihood import minimisable, noise_diagonal
from .cg import CGResult, mbcg
from .operator import KernelOperator
from .pivoted_cholesky import Preconditioner, pivoted
from .slq import slq_terms

__all__ = ["Settings", "IterativeObjective", "preconditioned", "warn_unconverged", "NOISE_FLOOR"]

_LOG2PI = math.log(2.0 * math.pi)
#: The least noise variance the iterative solver works with, relative to the mean of the
#: kernel's diagonal: CG needs ``K + noise`` well conditioned (a noiseless model is the
#: Cholesky solver's business).
NOISE_FLOOR = 1e-6
#: The preconditioner's pivoted Cholesky stops before ``precond_rank`` once the trace it
#: leaves out is below this fraction of the smallest noise (``P`` is then ``A`` to within
#: it, and more columns would only cost).
PRECOND_TRACE = 1e-3
#: CG's relative residual while the optimiser searches (``cg_tol`` if that is looser):
#: the SLQ log-determinant and the Hutchinson trace need few Lanczos steps, and the
#: gradient's error at this tolerance is below the probes' own sampling noise.  The
#: reported likelihood and ``alpha`` are recomputed at ``cg_tol`` (BBMM trains the same
#: way: GPyTorch's training tolerance is 1, its evaluation tolerance 0.01).
TRAIN_TOL = 1e-2
#: The most any log-hyperparameter moves from the accepted point to a trial point of the
#: search (:func:`pyjl.gp._trust.minimize_within`): a trial point far away can cost tens of
#: times the CG iterations of the accepted one, where the kernel is ill-conditioned.
TRUST_RADIUS = 1.0


@dataclass(frozen=True)
class Settings:
    """The iterative solver's parameters (see :class:`~pyjl.gp.GaussianProcess`)."""

    cg_tol: float
    max_cg_iter: int
    n_probes: int
    precond_rank: int | None  # None: by the size (see model.auto_precond_rank)
    factor_up_to: int | None = None  # None: model.AUTO_CG_ABOVE
    #: Whether ``precond_rank`` was resolved from ``None`` for the size (model.for_size):
    #: a state that ``update`` extends resolves it again for its own size.
    auto_rank: bool = False


def warn_unconverged(res: CGResult, settings: Settings) -> None:
    """A :class:`ConvergenceWarning` naming what to raise when a column of the CG run
    ``res`` did not converge, attributed to the user's call."""
    if res.converged.all():
        return
    _warn.warn(
        f"CG did not reach cg_tol={settings.cg_tol:g} in max_cg_iter="
        f"{settings.max_cg_iter} iterations (worst relative residual "
        f"{float(res.residual.max()):.3g}); raise max_cg_iter, raise precond_rank "
        f"(now {settings.precond_rank}) or loosen cg_tol",
        ConvergenceWarning,
    )


def floored(noise: np.ndarray, kernel_diag: np.ndarray) -> tuple[np.ndarray, float]:
    """``(noise, floor)``: ``noise`` raised to ``NOISE_FLOOR * mean(kernel_diag)``."""
    scale = float(np.mean(kernel_diag)) if kernel_diag.size else 1.0
    floor = NOISE_FLOOR * (scale if np.isfinite(scale) and scale > 0 else 1.0)
    return np.maximum(noise, floor), floor


def preconditioned(kernel, X, noise, rank: int, *, warn: bool = False, order=None):
    """``(operator, preconditioner)`` of ``kernel(X) + diag(noise)``; ``order``: the
    pivots to take (see :func:`~pyjl.gp.iterative.pivoted_cholesky.pivoted`), else
    searched; the preconditioner's ``pivots`` are those it took."""
    op = KernelOperator(kernel, X, noise)
    kd = op.kernel_diag()
    eff, floor = floored(op.noise, kd)
    if warn and np.any(op.noise < floor):
        _warn.warn(
            f"the iterative solver needs noise >= {floor:.3g} (K + noise must be well "
            "conditioned for CG); the noise was raised to that on the diagonal",
            NumericalWarning,
        )
    op.noise = eff
    L, piv = pivoted(
        kd, op.kernel_rows, rank, abs_tol=PRECOND_TRACE * float(eff.min()), order=order
    )
    P = Preconditioner(L, eff)
    P.pivots = piv
    return op, P


#: The remaining kernel trace (relative to the noise's) at which the control variate's
#: weight halves: beyond it the variate's own noise outweighs what it removes.
CONTROL_RHO = 0.1
#: Below this weight the control variate is left out (its exact part costs ``grad_quad``
#: columns, up to :data:`CONTROL_RANK`).
CONTROL_MIN = 0.01
#: The control variate uses the preconditioner's leading columns, at most this many (the
#: pivoted Cholesky of that rank): its exact part costs ``grad_quad`` columns, one each.
#: A preconditioner that resolves the kernel (:func:`resolves`; the default rank does up to
#: 2,000 points) is taken whole instead, where the dense contraction makes its columns cheap
#: (``n^2 <= DENSE_ENTRIES``, about 5,800 points): ``c P^-1`` is then ``A^-1`` to the pivoted
#: Cholesky's stopping tolerance, the probes' remainder vanishes, and the gradient is
#: exact, not an estimate (docs/gp.md has the cost).
CONTROL_RANK = 100


#: The most entries of an ``n x n`` matrix :func:`contraction` forms (256 MiB of float64;
#: 512 MiB at the peak, while its transpose is added).
DENSE_ENTRIES = 1 << 25


def dense(kernel, n: int) -> bool:
    """Whether :func:`contraction` may form ``n x n`` matrices for ``kernel``: within
    :data:`DENSE_ENTRIES`, and the kernel has a fused ``contract``."""
    return n * n <= DENSE_ENTRIES and hasattr(kernel, "contract")


def contraction(kernel, X, U, V) -> np.ndarray:
    """``(p,)``: ``sum_i U[:, i]^T dK/dtheta_q V[:, i]`` for ``U``, ``V`` ``(n, k)``.

    By ``grad_quad`` (``n^2`` kernel derivatives times ``k`` columns), or, where the
    columns outnumber :data:`CONTROL_RANK` (a control variate of a whole preconditioner),
    ``n^2 <= DENSE_ENTRIES`` and the kernel has a ``contract``, as ``sum_ab W_ab dK_ab``
    with ``W`` the symmetric part of ``U V^T`` (``dK`` is symmetric): one BLAS product
    and one fused ``contract`` pass, several times faster there (docs/gp.md)."""
    n, k = U.shape
    if k <= CONTROL_RANK or not dense(kernel, n):
        return grad_quad(kernel, X, U, V)
    W = U @ V.T
    W += W.T
    W *= 0.5
    return contract(kernel, X, W)


def left_out(op, P) -> float:
    """The kernel's trace that the pivoted Cholesky ``P`` leaves out, ``tr(K - L L^T)``."""
    return max(float(op.kernel_diag().sum() - np.sum(P.L**2)), 0.0)


def resolves(op, P, total: bool = False) -> bool:
    """Whether ``P`` resolves the kernel: all ``n`` columns, or a trace left out within
    :data:`PRECOND_TRACE` of the smallest noise (where the pivoted Cholesky stops) or,
    with ``total``, of the noise's trace (``P`` is then ``A`` to that fraction: as a
    control variate it leaves the probes a remainder that small, and the gradient is
    exact to it; against one point's noise, a factor short of ``n`` columns by a trace of
    2e-4 over 2,500 points fell back to :data:`CONTROL_RANK` columns and a gradient off by
    several nats)."""
    scale = float(np.sum(op.noise)) if total else float(np.min(op.noise))
    return P.rank >= op.n or left_out(op, P) <= PRECOND_TRACE * scale


def control_weight(Z, U, PZ, op, P) -> float:
    """The weight ``c`` of the control variate ``c P^-1`` in the trace estimate:
    ``z^T A^-1 z / z^T P^-1 z`` (a mean of the eigenvalues of ``P^1/2 A^-1 P^1/2``, 1
    where ``P = A``), damped by ``1 / (1 + (rho / CONTROL_RHO)^2)`` with ``rho`` the
    kernel's trace that ``P`` leaves out over the noise's (measured: the variate removes
    most of Hutchinson's noise for ``rho <~ 0.1`` and multiplies it for ``rho >~ 1``)."""
    ratio = float(np.einsum("ij,ij->", Z, U) / np.einsum("ij,ij->", Z, PZ))
    rho = left_out(op, P) / float(np.sum(op.noise))
    return max(ratio, 0.0) / (1.0 + (rho / CONTROL_RHO) ** 2)


def diag_gradient(kernel, X, h: float = 1e-5) -> np.ndarray:
    """``(p, n)``: the derivatives of ``kernel.diag(X)`` in ``theta``, by central
    differences (a kernel's diagonal is smooth in ``theta``; pyjl's are its variance, where
    the difference is exact to rounding); ``kernel.theta`` is left as it was."""
    theta = np.array(kernel.theta, dtype=np.float64)
    out = np.empty((theta.size, X.shape[0]))
    try:
        for q in range(theta.size):
            step = np.zeros_like(theta)
            step[q] = h
            kernel.theta = theta + step
            up = np.asarray(kernel.diag(X), dtype=np.float64)
            kernel.theta = theta - step
            out[q] = (up - np.asarray(kernel.diag(X), dtype=np.float64)) / (2 * h)
    finally:
        kernel.theta = theta
    return out


class IterativeObjective:
    """``theta -> (-LML, -gradient)`` for the hyperparameter search, by batched CG and SLQ.

    Same interface as :class:`pyjl.gp.likelihood.Objective` (``split``, ``kernel``,
    ``learn_noise``, ``learned``, ``value_and_grad``, ``__call__``); ``E1``
    ``(precond_rank, m)`` and ``E2`` ``(n, m)`` are the fixed standard normal draws behind
    the probes.
    """

    trust_radius: float | None = TRUST_RADIUS

    def __init__(
        self,
        kernel,
        X,
        y,
        *,
        learn_noise,
        noise_diag,
        settings,
        E1,
        E2,
        log_prior=None,
        learned=None,
    ):
        self.kernel, self.X, self.y = kernel, X, y
        self.method, self.learn_noise = "ml", learn_noise
        self.noise_diag, self.settings, self.learned = noise_diag, settings, learned
        self.E1, self.E2 = E1, E2
        self.log_prior = log_prior
        self.n_kernel = np.asarray(kernel.theta).size
        self.last: CGResult | None = None
        self.last_lml_se = math.nan  #: the last evaluation's standard error (LML units)
        self.pivots: np.ndarray | None = None
        self.n_evaluations = 0
        self.n_iterations = 0  # the search's accepted steps (set by pyjl.gp._fit.optimise)
        self.total_cg_iterations = 0

    def split(self, theta):
        theta = np.asarray(theta, dtype=np.float64)
        if self.learn_noise:
            return theta[: self.n_kernel], float(np.exp(theta[-1]))
        return theta[: self.n_kernel], None

    def operator(self, theta, *, warn: bool = False):
        """``(operator, preconditioner, noise)`` at ``theta`` (the kernel is set to it)."""
        th, noise = self.split(theta)
        self.kernel.theta = th
        n = self.X.shape[0]
        diag = np.broadcast_to(noise_diagonal(noise, self.noise_diag, self.learned), n)
        op, P = preconditioned(
            self.kernel, self.X, diag, self.settings.precond_rank, warn=warn, order=self.pivots
        )
        self.pivots = P.pivots  # kept for the fit; the search only appends to them
        return op, P, noise

    def value_and_grad(self, theta, want_grad: bool = True, x0=None, tol=None):
        """``(LML estimate, gradient estimate or None)`` at ``theta``; ``x0`` ``(n,)``: a
        starting guess of ``alpha`` (the probes' solves start at zero, as SLQ needs);
        ``tol``: CG's tolerance (default ``cg_tol``).  A CG run that does not converge
        warns (:func:`warn_unconverged`): this is the evaluation for callers outside the
        hyperparameter search (``log_marginal_likelihood(theta)``), whose estimate
        would otherwise be silently unconverged; the search's own evaluations
        (:meth:`__call__`) stop at :data:`TRAIN_TOL` and do not warn.

        BLAS runs on one thread after the preconditioner is built (whose triangular solve
        and rank-k update are threaded where the size pays): the CG products are
        ``(n, rank) x (rank, k)`` and smaller, where waking threads costs more than the
        work (the kernel products, the bulk, are threaded by the engine).  A noise below
        the iterative solver's floor warns that it is raised, as at ``fit``."""
        op, P, _ = self.operator(theta, warn=True)
        out = self.evaluate(op, P, want_grad, x0, tol)
        assert self.last is not None
        warn_unconverged(self.last, self.settings)
        return out

    def _value_and_grad(self, theta, want_grad: bool = True, x0=None, tol=None):
        """:meth:`value_and_grad` without the warning (the search's evaluations)."""
        op, P, _ = self.operator(theta)
        return self.evaluate(op, P, want_grad, x0, tol)

    def evaluate(self, op, P, want_grad: bool = True, x0=None, tol=None):
        """:meth:`value_and_grad` on ``(op, P)`` from :meth:`operator` (at the kernel's
        ``theta``)."""
        with thread_limit(1):
            return self._evaluate(op, P, want_grad, x0, tol)

    def _evaluate(self, op, P, want_grad, x0, tol):
        s = self.settings
        Z = P.sample(self.E1, self.E2)
        Y = self.y.reshape(self.y.shape[0], -1)  # (n, t): t targets share A
        t = Y.shape[1]
        B = np.column_stack([Y, Z])
        X0 = None if x0 is None else np.column_stack([x0, np.zeros_like(Z)])
        res = mbcg(op.__matmul__, B, P.solve, tol or s.cg_tol, s.max_cg_iter, x0=X0)
        self.last = res
        self.n_evaluations += 1
        self.total_cg_iterations += res.iterations
        alpha, U = res.x[:, :t], res.x[:, t:]
        m = U.shape[1]
        terms = slq_terms(res, range(t, t + m))
        logdet = float(P.logdet + terms.mean()) if m else float(P.logdet)
        # the estimate's standard error, in LML units (t halves of the log-determinant's)
        self.last_lml_se = 0.5 * t * float(terms.std(ddof=1)) / math.sqrt(m) if m > 1 else math.nan
        n = Y.shape[0]
        quad = float(np.einsum("ij,ij->", Y, alpha))
        value = -0.5 * quad - 0.5 * t * logdet - 0.5 * n * t * _LOG2PI
        if not want_grad:
            return value, None
        PZ = P.solve(Z)
        # the whole factor where it resolves the kernel and its columns are cheap (the
        # dense contraction); past DENSE_ENTRIES, grad_quad would pay n^2 per column
        whole = P.rank <= CONTROL_RANK or (dense(self.kernel, n) and resolves(op, P, total=True))
        Pc = P if whole else Preconditioner(P.L[:, :CONTROL_RANK], P.D)
        PcZ = PZ if Pc is P else Pc.solve(Z)
        c = control_weight(Z, U, PcZ, op, Pc)
        # c Pc^-1 = c D^-1 - F F^T; F's columns cost a product each, worth it only if c counts
        F = np.sqrt(c) * Pc.whitened_factor() if c > CONTROL_MIN else np.zeros((n, 0))
        c = c if c > CONTROL_MIN else 0.0
        # sum_j alpha_j' dK alpha_j - t tr(A^-1 dK): the trace's columns carry t
        Ua = np.column_stack([alpha, -t * (U - c * PcZ) / m, t * F])
        Va = np.column_stack([alpha, PZ, F])
        grad = 0.5 * contraction(self.kernel, self.X, Ua, Va)
        grad -= 0.5 * t * c * (diag_gradient(self.kernel, self.X) @ (1.0 / op.noise))
        if self.learn_noise:  # dA/dlog(noise) = diag(w): the noise, where it is the learned one
            w = noise_diagonal(1.0, 0.0, self.learned) * op.noise
            tr = c * float(np.sum(w / op.noise)) - float(w @ np.sum(F**2, axis=1))
            tr += float(np.einsum("ij,ij,i->", U - c * PcZ, PZ, w)) / m
            grad = np.append(grad, 0.5 * (w @ np.sum(alpha**2, axis=1) - t * tr))
        return value, grad

    def __call__(self, theta):
        """``(-LML, -gradient)`` for the optimiser, solved to :data:`TRAIN_TOL`."""
        tol = max(self.settings.cg_tol, TRAIN_TOL)
        return minimisable(lambda t: self._value_and_grad(t, tol=tol), self.log_prior, theta)
