"""The M-step of :meth:`pyjl.hmm.HMM.fit` and the log-density of its Dirichlet priors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._warn import warn
from ..exceptions import NumericalWarning
from ._em import Stats

if TYPE_CHECKING:
    from .model import HMM

__all__ = ["mstep", "log_prior"]


def _unit_max(counts: np.ndarray) -> Any:
    """Rows of ``counts`` divided by their maximum (so that huge Dirichlet priors do not
    overflow the row sums); all-zero rows stay zero."""
    m = counts.max(-1, keepdims=True)
    return counts / np.where(m > 0, m, 1.0)


def log_prior(model: HMM) -> float:
    """Log-density (up to a constant) of the current parameters' priors: the Dirichlet
    priors of the start/transition rows and the emission's own (its optional
    ``log_prior``, e.g. the covariances' of a Gaussian)."""
    own = getattr(model.emission_, "log_prior", None)
    value = float(own()) if callable(own) else 0.0
    priors = (model.startprob_prior, model.transmat_prior)
    if all(isinstance(p, (int, float)) and p == 1 for p in priors):
        return value  # concentrations of 1: every term is 0 (or 0 * log 0, dropped)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        terms = [
            (np.asarray(model.startprob_prior, float) - 1.0) * np.log(model.startprob_),
            (np.asarray(model.transmat_prior, float) - 1.0) * np.log(model.transmat_),
        ]
        return value + float(sum(np.where(np.isfinite(t), t, 0.0).sum() for t in terms))


def mstep(model: HMM, stats: Stats, src: Any) -> bool:
    """The M-step of Baum-Welch: start and transition rows from the expected counts
    ``stats`` (with their Dirichlet priors; zeros stay zero), the emission refitted; only
    what ``model.params`` names (``s``, ``t``, ``e``).  Returns whether a start or
    transition probability became 0 (a Dirichlet prior below 1 can do it: that prior's
    log-density, infinite there, is then not comparable with the step before)."""
    before = (model.startprob_ > 0, model.transmat_ > 0)
    if "s" in model.params:
        _start(model, stats)
    if "t" in model.params:
        _transitions(model, stats)
    if "e" in model.params:
        if stats.gammas:
            model.emission_.fit(src.all_rows(), np.concatenate(stats.gammas))
        else:
            model.emission_.fit_stats(stats.emission)
    return bool(
        np.any(before[0] & ~(model.startprob_ > 0)) or np.any(before[1] & ~(model.transmat_ > 0))
    )


def _start(model: HMM, stats: Stats) -> None:
    """Start probabilities from the expected first states and their Dirichlet prior."""
    pi = np.maximum(np.asarray(model.startprob_prior, float) - 1.0 + stats.start, 0.0)
    pi = _unit_max(np.where(model.startprob_ == 0, 0.0, pi))
    if pi.sum() > 0:
        model.startprob_ = pi / pi.sum()
    elif stats.n_possible:
        warn(
            "HMM: startprob_prior took away every expected first state "
            f"({stats.start.sum():.4g} in all; a Dirichlet prior below 1 subtracts from the "
            "counts); startprob_ was kept. Fix: use startprob_prior >= 1 or more sequences",
            NumericalWarning,
        )


def _transitions(model: HMM, stats: Stats) -> None:
    """Transition rows from the expected counts and their Dirichlet prior; a row with no
    transition out of its state keeps its values."""
    T = np.maximum(np.asarray(model.transmat_prior, float) - 1.0 + stats.trans, 0.0)
    T = _unit_max(np.where(model.transmat_ == 0, 0.0, T))
    rows = T.sum(1)
    dead = ~(rows > 0)
    if dead.any():
        seen = np.where(model.transmat_ == 0, 0.0, stats.trans).sum(1)
        taken = dead & (seen > 1e-12 * max(float(stats.trans.sum()), 1e-300))
        if (dead & ~taken).any():
            warn(
                f"HMM: no transition out of state(s) {np.flatnonzero(dead & ~taken).tolist()} "
                "was observed; their transition rows were kept.",
                NumericalWarning,
            )
        if taken.any():
            warn(
                f"HMM: transmat_prior took away all expected transitions out of state(s) "
                f"{np.flatnonzero(taken).tolist()} ({np.round(seen[taken], 4).tolist()}; a "
                "Dirichlet prior below 1 subtracts from the counts); their transition rows "
                "were kept. Fix: use transmat_prior >= 1 or more data",
                NumericalWarning,
            )
    model.transmat_ = np.where(
        dead[:, None], model.transmat_, T / np.where(dead, 1.0, rows)[:, None]
    )
