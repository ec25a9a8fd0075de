"""Sequences that the scaled kernels find impossible although they are not.

The forward recursion in probability space scales each step's emission factors by the
largest log-density over all states.  When the states the chain can be in (those with a
nonzero forward probability) lie more than ~745 nats below a state it cannot reach
(a zero start or transition probability), their factors underflow to zero and the kernel
reports probability zero (hmmlearn's log-space recursion gives a finite value).  For such
a sequence the log-densities of unreachable states are set to ``-inf``: this changes no
forward, backward or posterior quantity (an unreachable state has forward probability
zero, and no reachable state moves to a state unreachable at the next step), and the
scaling then takes its largest density over the reachable ones.  The kernel is run again
on that sequence.  One still at ``-inf`` is impossible under the model, or its reachable
states' own forward probabilities underflow (start or transition probabilities below
~1e-300), which this does not mend.  The search for the reachable states is a loop over
the rows in Python (about 6 s per million rows), run only for sequences at ``-inf`` in a
model with zero start or transition probabilities.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["dead", "reachable_only", "forward", "forward_backward"]


def dead(ll: np.ndarray) -> np.ndarray:
    """Indices of the sequences whose log-likelihood is ``-inf``."""
    return np.flatnonzero(np.isneginf(ll))


def reachable_only(log_pi: np.ndarray, log_A: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """``lb`` (one sequence, ``(T, K)``) with ``-inf`` where the state cannot be reached:
    outside the support of the forward probabilities at that step."""
    moves = log_A > -np.inf
    if moves.all() and (log_pi > -np.inf).all():  # every state reachable: nothing to mask
        return lb
    possible = lb > -np.inf
    out = np.full_like(lb, -np.inf)
    support = (log_pi > -np.inf) & possible[0]
    for t in range(lb.shape[0]):
        if t:
            support = (support @ moves) & possible[t]
        if not support.any():  # impossible from here on: the kernel says so
            break
        out[t, support] = lb[t, support]
    return out


def forward(engine: Any, log_pi: np.ndarray, log_A: np.ndarray, lb: np.ndarray) -> float:
    """The log-likelihood of one sequence with log-densities ``lb``, rescued."""
    masked = reachable_only(log_pi, log_A, lb)
    return float(engine.forward(log_pi, log_A, masked, np.array([lb.shape[0]]))[0])


def forward_backward(engine: Any, log_pi: np.ndarray, log_A: np.ndarray, lb: np.ndarray) -> Any:
    """``(loglik, gamma (T, K), xi_sum (K, K))`` of one sequence, rescued."""
    masked = reachable_only(log_pi, log_A, lb)
    ll, gamma, xi = engine.forward_backward(log_pi, log_A, masked, np.array([lb.shape[0]]))
    return float(np.asarray(ll)[0]), gamma, xi
