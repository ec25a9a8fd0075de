"""Convergence monitor of Baum-Welch (the ``monitor_`` of a fitted HMM)."""

from __future__ import annotations

import sys

import numpy as np

from .._warn import warn
from ..exceptions import NumericalWarning

__all__ = ["ConvergenceMonitor"]


class ConvergenceMonitor:
    """Log-likelihood history of an EM run and whether it converged.

    ``history[i]`` is the total log-likelihood under the parameters *before*
    the ``i``-th M-step (hmmlearn's convention).  The run has converged when an
    iteration gains less than ``tol`` nats, hmmlearn's absolute test, or (a positive
    ``tol``) less than the rounding of a sum of the log-likelihood's size
    (``1e-9 * max(1, |log L|)``),
    so a long series (|log L| ~ 1e8) is not held to a threshold below its rounding
    error.  The test is not relative to ``|log L|``: on a long series gains of a few
    nats per iteration still add up to a different fit (see the HMM guide).  With priors
    (Dirichlet, or an emission's ``log_prior``) the gain is that of the log-likelihood
    plus the log prior, which EM increases.  A decrease is reported
    (:class:`~pyjl.exceptions.NumericalWarning`) only when it exceeds that rounding.
    Unlike hmmlearn's, ``converged`` stays False when EM stopped at ``n_iter``
    without meeting ``tol`` (hmmlearn counts reaching ``n_iter`` as converged):
    raise ``n_iter``.

    ``verbose=True`` prints each iteration to ``sys.stderr`` as hmmlearn's monitor does:
    its number, the log-likelihood and the gain (``nan`` at the first).

    Attributes: ``tol``, ``n_iter``, ``verbose``, ``history`` (list of floats), ``iter``,
    ``converged`` (bool), ``delta`` (last gain or ``nan``).

    Examples
    --------
    >>> from pyjl.hmm import ConvergenceMonitor
    >>> m = ConvergenceMonitor(tol=1e-2, n_iter=100)
    >>> m.report(-1000.0); m.report(-900.0)
    >>> m.converged
    False
    >>> m.report(-899.995)
    >>> m.converged, m.iter
    (True, 3)
    """

    verbose = False  # a monitor pickled before ``verbose`` existed
    #: hmmlearn's line: iteration, log-likelihood, gain
    _template = "{iter:>10d} {log_prob:>16.8f} {delta:>+16.8f}"

    def __init__(self, tol: float, n_iter: int, verbose: bool = False):
        self.tol = float(tol)
        self.n_iter = int(n_iter)
        self.verbose = bool(verbose)
        self.history: list[float] = []
        self._objectives: list[float] = []
        self._comparable: list[bool] = []
        self.iter = 0

    def report(
        self, loglik: float, objective: float | None = None, comparable: bool = True
    ) -> None:
        """Record ``loglik``; ``objective`` (log-likelihood plus log-prior, what EM
        with Dirichlet priors increases) is checked for decreases instead when given.
        ``comparable=False``: the objective is not comparable with the previous one (a
        Dirichlet prior below 1 whose M-step set a probability to 0, where the prior's
        density is infinite and its term is left out), so this step neither warns nor
        converges."""
        loglik = float(loglik)
        if self.verbose:
            delta = loglik - self.history[-1] if self.history else np.nan
            print(
                self._template.format(iter=self.iter + 1, log_prob=loglik, delta=delta),
                file=sys.stderr,
            )
        objective = loglik if objective is None else float(objective)
        self._comparable.append(bool(comparable))
        if self._objectives and comparable:
            delta = objective - self._objectives[-1]
            if delta < -self._rounding(objective):
                warn(
                    f"EM objective decreased by {-delta:.6g} at iteration "
                    f"{self.iter + 1} (from {self._objectives[-1]:.10g} to "
                    f"{objective:.10g}); a variance floor or re-seeded state can do "
                    "this.",
                    NumericalWarning,
                )
        self._objectives.append(objective)
        self.history.append(loglik)
        self.iter += 1

    @staticmethod
    def _rounding(loglik: float) -> float:
        return 1e-9 * max(1.0, abs(loglik))

    @property
    def delta(self) -> float:
        return self.history[-1] - self.history[-2] if len(self.history) >= 2 else np.nan

    @property
    def converged(self) -> bool:
        """True when the last gain of what EM increases (the log-likelihood, plus the log
        prior where the model has priors) is below ``tol``, or (``tol > 0``) below the
        rounding of the log-likelihood's sum; a decrease counts as converged, as in
        hmmlearn, and ``tol=-inf`` never converges.  With priors the log-likelihood alone
        may dip on the way up: that is not convergence."""
        if len(self._objectives) < 2 or not self._comparable[-1]:
            return False
        gain = self._objectives[-1] - self._objectives[-2]
        floor = self._rounding(self.history[-1]) if self.tol > 0 else -np.inf
        return gain < max(self.tol, floor)

    def __repr__(self) -> str:
        return (
            f"ConvergenceMonitor(tol={self.tol}, n_iter={self.n_iter}, iter={self.iter}, "
            f"converged={self.converged}, last={self.history[-1] if self.history else None})"
        )
