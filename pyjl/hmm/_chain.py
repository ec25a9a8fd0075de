"""Which recursion a chain needs: scaled, or in log space.

The scaled recursions (the engines' ``forward`` and ``forward_backward``, and the fused
Gaussian passes) renormalise the forward probabilities at every step, so a state whose
share falls below ~1e-308 (745 nats under the others) is zero from then on.  Where every
transition probability is at least ``e^-600``, the others re-enter that state at the next
step with at least ``e^-600`` of their own probability, so what was rounded away is below
``1e-62`` of what comes back: the scaled results are exact to double precision.  With a
smaller (or zero) transition probability the chain can leave a state behind for good (a
left-right model), and data that favour that state later would then be explained
without it: a score hundreds of nats too low, posteriors on the wrong path.  Such chains
run the log-space kernels (``forward_log``, ``forward_backward_log``), as hmmlearn's
``implementation="log"``; Viterbi is in log space for every chain.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LOG_FLOOR", "needs_log_space"]

#: The smallest log transition probability for which the scaled recursions are exact.
LOG_FLOOR = -600.0


def needs_log_space(log_A: np.ndarray) -> bool:
    """Whether some transition probability is below ``e^LOG_FLOOR`` (zero included)."""
    return not bool((log_A >= LOG_FLOOR).all())
