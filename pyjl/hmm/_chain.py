"""Which recursion a chain needs: scaled, or in log space.

The scaled recursions (the engines' ``forward`` and ``forward_backward``, and the fused
Gaussian passes) renormalise the forward probabilities at every step and take each step's
emission factors ``exp(log_B - max_k log_B)`` relative to the best state's, so a state
whose factor falls below ~``e^-708`` (subnormal, then zero) or whose share falls below
~``1e-308`` loses digits, then is zero.  At a step ``t >= 1`` the others re-enter that
state at the next step with at least ``min(A)`` of their probability, while what was lost
is at most ``e^-708 / min(A)`` of it (the best-fitting state has at least ``min(A)`` of the
predicted probability): with every transition probability at least ``e^-320`` the loss is
below ``e^-68`` of what comes back, and the scaled results are exact to double precision.
The first step has no such bound where the best-fitting state's start probability is tiny
or zero: it is checked on the first rows of the sequences (:func:`first_steps_lose`).

A chain with a smaller (or zero) transition probability can leave a state behind for good
(a left-right model), and data that favour it later would be explained without it (a
score hundreds of nats too low, posteriors on the wrong path); so can one whose
best-fitting state at some step is ``e^-708`` less probable than another.  Such chains
run the log-space kernels (``forward_log``, ``forward_backward_log``), as hmmlearn's
``implementation="log"``; Viterbi is in log space for every chain.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["LOG_FLOOR", "needs_log_space", "first_steps_lose", "log_route"]

#: The smallest log transition (and start) probability for which the scaled recursions
#: are exact without a look at the data.
LOG_FLOOR = -320.0
#: Below this log-density under a row's best the scaled kernels' factor loses digits.
FACTOR_LOW = -708.0
#: The margin (nats) by which what a first step loses must stay below what comes back.
MARGIN = 70.0


def needs_log_space(log_A: np.ndarray) -> bool:
    """Whether some transition probability is below ``e^LOG_FLOOR`` (zero included)."""
    return not bool((log_A >= LOG_FLOOR).all())


def first_steps_lose(log_pi: np.ndarray, log_A: np.ndarray, lb0: np.ndarray) -> bool:
    """Whether the scaled first step of some sequence loses what matters: ``lb0`` holds
    the log-densities ``(n_seq, K)`` of each sequence's first row.  The states whose
    factor is below ``e^FACTOR_LOW`` are lost; what they hold (``log_pi + lb0``) must stay
    ``MARGIN`` nats below what the kept states pass back at the next step (``min(A)`` of
    theirs); and the largest kept term (``log_pi + lb0`` less the row's best) must be at
    least ``e^FACTOR_LOW``, or the first step's sum is subnormal (a start probability
    below ~1e-308) and its reciprocal overflows."""
    if (log_pi >= LOG_FLOOR).all() or lb0.size == 0:
        return False
    with np.errstate(invalid="ignore"):
        best = lb0.max(axis=1, keepdims=True)
        kept = lb0 - best >= FACTOR_LOW  # False in a row that is -inf everywhere
        a0 = log_pi + lb0
        lost = np.where(kept, -np.inf, a0).max(axis=1)
        held = np.where(kept, a0, -np.inf).max(axis=1)
        small = held - best[:, 0] < FACTOR_LOW  # False where the row is -inf
    return bool((lost > held + float(log_A.min()) - MARGIN).any() or small.any())


def log_route(log_pi: np.ndarray, log_A: np.ndarray, first_rows: Callable[[], np.ndarray]) -> bool:
    """Whether a pass runs in log space: :func:`needs_log_space`, or
    :func:`first_steps_lose` on ``first_rows()`` (the first rows' log-densities, computed
    only where a start probability is below ``e^LOG_FLOOR``)."""
    if needs_log_space(log_A):
        return True
    if (log_pi >= LOG_FLOOR).all():
        return False
    return first_steps_lose(log_pi, log_A, first_rows())
