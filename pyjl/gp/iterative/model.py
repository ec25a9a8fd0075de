"""The fitted state of a :class:`~pyjl.gp.GaussianProcess` under ``solver="cg"``.

:class:`CGState` keeps what prediction needs -- ``alpha = A^-1 y`` by CG, the log marginal
likelihood by SLQ, the solver's report and the variance cache
(:class:`~pyjl.gp.iterative.variances.Variances`: ``pred_rank`` pivoted-Cholesky columns to
start with, grown where a prediction's check finds it off) -- and answers the estimator's
questions in model units (the estimator maps them to the units of ``y``).
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial

import numpy as np

from ... import _warn, engines
from ..._threads import thread_limit
from ..._validate import choice, error, integer, real
from ...exceptions import ConvergenceWarning
from .._posterior import clip, target_units
from ..interface import matvec
from ..likelihood import Objective
from .cg import mbcg
from .objective import IterativeObjective, Settings, preconditioned, warn_unconverged
from .variances import CACHE_BLOCK, Variances

__all__ = [
    "AUTO_CG_ABOVE", "CGState", "auto_precond_rank", "check_settings", "resolve", "probe_draws",
]  # fmt: skip

#: ``solver="auto"`` uses CG above this many training points and Cholesky up to it (the
#: size where one CG likelihood-and-gradient evaluation becomes the cheaper; docs/gp.md).
AUTO_CG_ABOVE = 8_000
#: ``alpha`` (the predictive mean's weights) is solved to ``cg_tol`` times this, from the
#: likelihood's solution: the mean is then as exact as the training needs are loose.
ALPHA_TOL = 1e-2
#: ``precond_rank=None`` caps the preconditioner at ``sqrt(PRECOND_PER_N * n)`` columns
#: (all ``n`` up to ``PRECOND_PER_N`` points, where it is the exact factor); the pivoted
#: Cholesky stops earlier once the kernel's remaining trace is below a thousandth of the
#: noise (``objective.PRECOND_TRACE``), so the rank follows the error and this cap bounds
#: the cost: ``n rank^2`` BLAS-3 multiply-adds per evaluation, at most ``PRECOND_PER_N``
#: times the ``n^2`` kernel entries of one CG product (docs/gp.md) ...
PRECOND_PER_N = 2000
#: ... and at most this many entries of the factor (256 MiB of float64).
PRECOND_ENTRIES = 1 << 25


def check_settings(
    solver, cg_tol, max_cg_iter, n_probes, precond_rank, pred_rank, factor_up_to=None
):
    """The solver arguments checked: ``(solver, Settings, pred_rank)``."""
    solver = choice(solver, "solver", ("cholesky", "cg", "auto"))
    settings = Settings(
        cg_tol=real(cg_tol, "cg_tol", low=0, high=1, low_open=True, high_open=True),
        max_cg_iter=integer(max_cg_iter, "max_cg_iter", low=1),
        n_probes=integer(n_probes, "n_probes", low=1),
        precond_rank=(
            None if precond_rank is None else integer(precond_rank, "precond_rank", low=0)
        ),
        factor_up_to=(
            None if factor_up_to is None else integer(factor_up_to, "factor_up_to", low=0)
        ),
    )
    return solver, settings, integer(pred_rank, "pred_rank", low=0)


def auto_precond_rank(n: int) -> int:
    """The preconditioner's rank for ``n`` points under ``precond_rank=None``.

    Examples
    --------
    >>> auto_precond_rank(1_000), auto_precond_rank(8_000), auto_precond_rank(20_000)
    (1000, 4000, 1677)
    """
    return int(min(n, math.isqrt(PRECOND_PER_N * n), PRECOND_ENTRIES // max(n, 1)))


def for_size(settings: Settings, n: int) -> Settings:
    """``settings`` with ``precond_rank=None`` resolved for ``n`` points (again, for a new
    ``n``, where it was resolved so before)."""
    if settings.precond_rank is not None and not settings.auto_rank:
        return settings
    return dataclasses.replace(settings, precond_rank=auto_precond_rank(n), auto_rank=True)


def resolve(solver: str, n: int) -> str:
    """``"cholesky"`` or ``"cg"`` for ``n`` training points."""
    if solver == "auto":
        return "cg" if n > AUTO_CG_ABOVE else "cholesky"
    return solver


def probe_draws(rng, n: int, settings: Settings):
    """``(E1, E2, start)``: the standard normal draws of one fit (probes ``L E1 + sqrt(D)
    E2`` and the variance cache's start block)."""
    E1 = rng.standard_normal((settings.precond_rank, settings.n_probes))
    E2 = rng.standard_normal((n, settings.n_probes))
    return E1, E2, rng.standard_normal((n, CACHE_BLOCK))


def no_loo(name: str, got: str):
    """The refusal of the leave-one-out objective under ``solver="cg"``."""
    return error(
        name,
        'needs the diagonal of K^-1, which solver="cg" does not form',
        got,
        'use solver="cholesky" for leave-one-out (feasible up to a few 10,000 points)',
    )


def objective(solver, kernel, X, y, method, learn_noise, noise_diag, settings, prior, rng):
    """``(objective, start)``: the fit's objective for ``solver`` (``start``: the variance
    cache's draws under ``"cg"``, else ``None``)."""
    if solver == "cg":
        settings = for_size(settings, X.shape[0])
        E1, E2, start = probe_draws(rng, X.shape[0], settings)
        obj = IterativeObjective(
            kernel, X, y, learn_noise=learn_noise, noise_diag=noise_diag,
            settings=settings, E1=E1, E2=E2, log_prior=prior,
        )  # fmt: skip
        return obj, start
    obj = Objective(
        kernel, X, y, method=method or "ml", learn_noise=learn_noise,
        noise_diag=noise_diag, engine=engines.current(), log_prior=prior,
    )  # fmt: skip
    return obj, None


class CGState:
    """``alpha``, the SLQ log marginal likelihood, the report and the variance cache."""

    def __init__(self, obj: IterativeObjective, theta, start, pred_rank: int, rng, x0=None):
        self.obj, self.start, self.pred_rank, self.rng = obj, start, pred_rank, rng
        op, P, _ = obj.operator(theta, warn=True)
        with thread_limit(1):  # small products only (see IterativeObjective.value_and_grad)
            self._build(obj, op, P, start, pred_rank, x0)

    def _build(self, obj, op, P, start, pred_rank, x0):
        self.settings = obj.settings
        self.kernel, self.X, self.y, self.noise = obj.kernel, obj.X, obj.y, op.noise
        evaluations, total = obj.n_evaluations, obj.total_cg_iterations
        value, _ = obj.evaluate(op, P, want_grad=False, x0=x0)
        res = obj.last
        assert res is not None
        warn_unconverged(res, self.settings)
        max_iter = self.settings.max_cg_iter
        Y = self.y.reshape(self.y.shape[0], -1)  # (n, t): several targets share A
        t = Y.shape[1]
        fine = mbcg(op.__matmul__, Y, P.solve, self.alpha_tol, max_iter, x0=res.x[:, :t])
        self.alpha, self.lml = (fine.x[:, 0] if self.y.ndim == 1 else fine.x), np.float64(value)
        self.info = {
            "solver": "cg",
            "cg_iterations": int(res.iterations),
            "residual": float(res.residual.max()),
            "converged": bool(res.converged.all()),
            "alpha_residual": float(fine.residual.max()),
            "lml_std_error": obj.last_lml_se,
            "precond_rank": int(P.rank),
            "n_probes": self.settings.n_probes,
            "n_iterations": obj.n_iterations,
            "n_evaluations": evaluations,
            "total_cg_iterations": total,
        }
        factor_up_to = self.settings.factor_up_to
        self.variances = Variances(
            op, P, start, pred_rank, self.settings,
            AUTO_CG_ABOVE if factor_up_to is None else factor_up_to,
            partial(warn_unconverged, settings=self.settings),  # picklable
            self.alpha_tol,
        )  # fmt: skip
        self.info.update(self.variances.info)

    def extended(self, Xn: np.ndarray, yn: np.ndarray, noise: np.ndarray) -> CGState:
        """The state with points ``Xn`` (targets ``yn``, noise variances ``noise`` ``(n+k,)``
        for all points) added, hyperparameters kept: the one a fit of those hyperparameters
        on all the points builds (the preconditioner's rank resolved for the new size, the
        probes' draws extended to it), except that ``alpha`` warm-starts the solve, and a
        variance cache grown until it held starts the new one at its pivots (and a
        neighbourhood size that held, the new one's)."""
        obj, k = self.obj, Xn.shape[0]
        rank = self.pred_rank
        if self.info.get("variance_path") == "cache":
            rank = max(rank, self.variances.cache.n_pivots)
        settings = for_size(self.settings, self.X.shape[0] + k)
        m = obj.E2.shape[1]
        grow = max(settings.precond_rank - obj.E1.shape[0], 0)
        E1 = np.vstack([obj.E1, self.rng.standard_normal((grow, m))])[: settings.precond_rank]
        E2 = np.vstack([obj.E2, self.rng.standard_normal((k, m))])
        start = np.vstack([self.start, self.rng.standard_normal((k, self.start.shape[1]))])
        new = IterativeObjective(
            obj.kernel,
            np.vstack([self.X, Xn]),
            np.concatenate([self.y, yn]),
            learn_noise=False,
            noise_diag=noise,
            settings=settings,
            E1=E1,
            E2=E2,
        )
        theta = np.asarray(obj.kernel.theta, dtype=np.float64)
        x0 = np.concatenate([self.alpha, np.zeros((k,) + self.alpha.shape[1:])])
        state = CGState(new, theta, start, rank, self.rng, x0=x0)
        state.pred_rank = self.pred_rank  # the user's starting rank, for later updates
        state.variances.local.m = self.variances.local.m  # checked first, as after a call
        return state

    @property
    def alpha_tol(self) -> float:
        """CG's tolerance for ``alpha`` and every later solve with ``A``:
        ``cg_tol * ALPHA_TOL``."""
        return self.settings.cg_tol * ALPHA_TOL

    def recentred(self, y: np.ndarray) -> tuple[np.ndarray, float]:
        """``(alpha, lml)`` for new targets ``y`` (same points; the log-det is kept)."""
        alpha = self.solve(y.reshape(y.shape[0], -1)).reshape(y.shape)
        self.info["alpha_residual"] = self.last_residual
        old = float(np.vdot(self.y, self.alpha))
        return alpha, np.float64(self.lml + 0.5 * old - 0.5 * float(np.vdot(y, alpha)))

    def solve(self, B: np.ndarray, tol: float | None = None) -> np.ndarray:
        """``A^-1 B`` for ``B`` ``(n, k)`` by CG to ``tol`` (default :attr:`alpha_tol`, as
        ``alpha``; warns when it does not converge; ``last_residual``: its worst relative
        residual)."""
        tol = self.alpha_tol if tol is None else tol
        op, P = preconditioned(
            self.kernel, self.X, self.noise, self.settings.precond_rank, order=self.obj.pivots
        )
        with thread_limit(1):
            res = mbcg(op.__matmul__, B, P.solve, tol, self.settings.max_cg_iter)
        warn_unconverged(res, self.settings)
        self.last_residual = float(res.residual.max())
        return res.x

    def _warn_alpha(self) -> None:
        """A :class:`ConvergenceWarning` for a prediction whose ``alpha`` (the mean's
        weights, also in every variance) is from a CG solve that stopped short of
        :attr:`alpha_tol`: the fit warned once, each prediction says so again."""
        r, tol = self.info["alpha_residual"], self.alpha_tol
        if r <= tol * (1 + 1e-12):
            return
        _warn.warn(
            f"GaussianProcess.predict: the fit's solve for alpha = A^-1 y stopped at "
            f"relative residual {r:.3g}, above its tolerance {tol:g} (cg_tol / "
            f"{1 / ALPHA_TOL:g}), within max_cg_iter={self.settings.max_cg_iter}, so the "
            "predictive mean is that far from converged; raise max_cg_iter or precond_rank "
            f"(now {self.settings.precond_rank}) and fit again",
            ConvergenceWarning,
        )

    def objective_at(self, kernel, learn: bool, noise_var: np.ndarray, learned=None):
        """The fit's objective (same probes) on a copy ``kernel`` of the fitted one, with
        the noise ``noise_var`` ``(n,)`` and, where ``learn``, the learned noise (the last
        of ``theta``) on the points ``learned`` (see :class:`IterativeObjective`)."""
        o = self.obj
        return IterativeObjective(
            kernel, self.X, self.y, learn_noise=learn, noise_diag=noise_var,
            settings=o.settings, E1=o.E1, E2=o.E2, learned=learned,
        )  # fmt: skip

    def moments(self, Xs, want: str, extra: float, y_mean: float, y_std: float):
        """:meth:`predict`'s outputs in the units of ``y``: the mean, and the std
        (``want="std"``) or covariance (``"cov"``); ``extra``: noise added to them."""
        mean, second = self.predict(Xs, want)
        mean = mean * y_std + y_mean
        if want == "mean":
            return mean
        if want == "cov":
            second[np.diag_indices_from(second)] += extra
            return mean, target_units(second, y_std**2)
        return mean, target_units(np.sqrt(clip(second + extra)), y_std)

    def predict(self, Xs: np.ndarray, want: str):
        """``(mean, var or cov or None)`` in model units; ``want``: "mean", "std", "cov".

        Variances come from the low-rank cache, checked on a few test points against exact
        solves and grown where it does not hold (:class:`Variances`); past the cache's cap
        (a kernel of high numerical rank against a small noise) from local neighbourhoods,
        checked alike (:class:`~pyjl.gp.iterative.local.LocalVariances`); where neither
        holds, every variance of the call is computed by exact solves, with a
        :class:`~pyjl.NumericalWarning`.  ``solver_info_["pred_rank"]``,
        ``["variance_path"]`` (``"cache"``, ``"local"`` or ``"cg"``) and
        ``["local_neighbours"]`` report the path used.  Covariances
        (``want="cov"``) take the cache or the exact solves only.
        """
        self._warn_alpha()
        if want == "mean":
            A = self.alpha.reshape(self.alpha.shape[0], -1)
            return matvec(self.kernel, Xs, self.X, A).reshape((-1,) + self.alpha.shape[1:]), None
        out = self.variances.predict(Xs, self.alpha, want)
        self.info.update(self.variances.info)
        return out
