"""The fused passes of diagonal-Gaussian emissions (``Normal``, diagonal and spherical
``MvNormal``): the E-step, the forward pass (scores) and Viterbi each in one engine call
(``gaussian_estep``, ``gaussian_forward``, ``gaussian_viterbi``) that computes the
log-densities from the observations inside its recursion, so that no ``(T, K)`` array
of log-densities (or posteriors) is held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import engines
from .._params import Params

__all__ = ["FusedGaussian"]


def _c(a: Any) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


class FusedGaussian(Params):
    """Mixin of the optional members ``estep_stats``, ``forward_loglik`` and
    ``viterbi_path`` (see :mod:`pyjl.hmm.interface`) on a class that provides
    ``_diag(X) -> (x (T, d), mean (K, d), var (K, d))`` and ``_shift(d) -> (d,)`` (the
    centre of the moments); they apply where its ``supports_estep`` is true."""

    if TYPE_CHECKING:

        def _diag(self, X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

        def _shift(self, d: int) -> Any: ...

    def estep_stats(self, X: Any, lengths: Any, log_pi: np.ndarray, log_A: np.ndarray) -> Any:
        """The fused E-step (engine ``gaussian_estep``): ``(loglik (n_seq,), start (K,),
        trans (K, K), suff_stats)`` with no ``(T, K)`` array held."""
        x, m, v = self._diag(X)
        ll, start, xi, N, S1, S2 = engines.current().gaussian_estep(
            log_pi, log_A, x, _c(m), _c(v), _c(self._shift(x.shape[1])), lengths
        )
        return ll, start, xi, (N, S1, S2)

    def forward_loglik(
        self, X: Any, lengths: Any, log_pi: np.ndarray, log_A: np.ndarray
    ) -> np.ndarray:
        """The forward pass (engine ``gaussian_forward``): ``loglik (n_seq,)`` of each
        sequence, with no ``(T, K)`` array held."""
        x, m, v = self._diag(X)
        ll: np.ndarray = engines.current().gaussian_forward(
            log_pi, log_A, x, _c(m), _c(v), lengths
        )
        return ll

    def viterbi_path(
        self, X: Any, lengths: Any, log_pi: np.ndarray, log_A: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Viterbi (engine ``gaussian_viterbi``): ``(path (T,) int64, logprob (n_seq,))``,
        with no ``(T, K)`` array of log-densities held."""
        x, m, v = self._diag(X)
        out: tuple[np.ndarray, np.ndarray] = engines.current().gaussian_viterbi(
            log_pi, log_A, x, _c(m), _c(v), lengths
        )
        return out
