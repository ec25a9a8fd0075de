"""The log-determinant by stochastic Lanczos quadrature from the CG tridiagonals.

With probes ``z ~ N(0, P)`` the whitened probe ``P^-1/2 z`` is ``N(0, I)``, so
(Hutchinson) ``log det A = log det P + E[z^T P^-1/2 log(P^-1/2 A P^-1/2) P^-1/2 z]``, and
each term is Gauss quadrature on the Lanczos tridiagonal ``T`` that CG built from that
start (Ubaru, Chen & Saad 2017; Gardner et al. 2018)::

    z^T P^-1/2 log(.) P^-1/2 z  ~  |P^-1/2 z|^2 sum_k (e_1^T s_k)^2 log(lambda_k),

``lambda_k``, ``s_k`` the eigenpairs of ``T`` and ``|P^-1/2 z|^2 = z^T P^-1 z``.  A good
preconditioner makes ``P^-1/2 A P^-1/2`` close to ``I``, its log close to zero and so the
estimator's variance small.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import eigh_tridiagonal

from .cg import CGResult

__all__ = ["logdet_slq", "slq_terms", "quadrature"]


def quadrature(diag: np.ndarray, off: np.ndarray) -> float:
    """``e_1^T log(T) e_1`` for the symmetric tridiagonal ``T`` (``diag``, ``off``).

    Examples
    --------
    >>> import numpy as np
    >>> bool(np.isclose(quadrature(np.array([2.0]), np.array([])), np.log(2.0)))
    True
    """
    if diag.size == 0:
        return 0.0
    if diag.size == 1:
        return float(np.log(max(diag[0], np.finfo(float).tiny)))
    lam, S = eigh_tridiagonal(diag, off)
    lam = np.maximum(lam, np.finfo(float).tiny)
    return float(np.sum(S[0] ** 2 * np.log(lam)))


def logdet_slq(res: CGResult, columns, logdet_p: float) -> float:
    """``log det A`` from the probe ``columns`` of a :func:`~pyjl.gp.iterative.mbcg` run
    started at zero on ``N(0, P)`` probes; ``logdet_p = log det P``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp.iterative import mbcg
    >>> rng = np.random.default_rng(0)
    >>> M = rng.standard_normal((40, 40)); A = M @ M.T / 40 + np.eye(40)
    >>> res = mbcg(lambda V: A @ V, rng.standard_normal((40, 200)), lambda R: R, 1e-10, 80)
    >>> est = logdet_slq(res, range(200), 0.0)
    >>> bool(abs(est - np.linalg.slogdet(A)[1]) < 0.05 * np.linalg.slogdet(A)[1])
    True
    """
    terms = slq_terms(res, columns)
    return float(logdet_p + np.mean(terms)) if terms.size else float(logdet_p)


def slq_terms(res: CGResult, columns) -> np.ndarray:
    """The probes' terms of :func:`logdet_slq` (``log det A - log det P`` is their mean;
    their spread over ``sqrt(m)`` is the estimate's standard error)."""
    return np.array([res.rz0[c] * quadrature(*res.tridiagonal(c)) for c in columns])
