"""Predictive variances without a solve per test point: a low-rank cache of ``A^-1``.

A block Lanczos run in the ``P``-inner product (``P`` the preconditioner) builds ``Q``
``(n, r)`` with ``Q^T P Q = I`` spanning a Krylov space of ``P^-1 A``, and
``T = Q^T A Q``.  ``P^-1 A`` is ``I`` plus a few outlying directions (its spectrum starts
at 1 and the preconditioner removes the largest part), which the Krylov space catches
first; taking ``T^-1`` on them and the identity elsewhere gives (the idea of LOVE,
Pleiss et al. 2018, with the preconditioner as the base)::

    A^-1  ~  P^-1 + Q (T^-1 - I) Q^T,

so for a test point with ``k* = k(X, x*)``::

    var(x*) = k(x*, x*) - k*^T D^-1 k* + |F^T k*|^2 - sum_j w_j (G^T k*)_j^2

(``P^-1`` by Woodbury with ``F`` from :meth:`Preconditioner.whitened_factor`; ``G = Q S``
and ``w = 1 / lambda - 1`` from ``T = S diag(lambda) S^T``).  A test block costs products
with ``k(X*, X)`` only: ``O(m n (d + rank))``, no solve.
"""

from __future__ import annotations

import numpy as np

__all__ = ["VarianceCache"]


def _p_orthonormal(W: np.ndarray, PW: np.ndarray, ref: float) -> tuple[np.ndarray, np.ndarray]:
    """``(W C, PW C)`` with ``(W C)^T P (W C) = I``, dropping the directions whose squared
    ``P``-norm is below ``1e-10 ref`` (``ref``: before the projection that shrank them)."""
    G = W.T @ PW
    lam, S = np.linalg.eigh(0.5 * (G + G.T))
    keep = lam > 1e-10 * max(ref, np.finfo(float).tiny)
    C = S[:, keep] / np.sqrt(lam[keep])
    return W @ C, PW @ C


class VarianceCache:
    """The low-rank ``A^-1`` of the module docstring, built by block Lanczos.

    Parameters
    ----------
    op : KernelOperator
        ``A = K + noise``.
    P : Preconditioner
        Its preconditioner.
    rank : int
        The most Lanczos vectors ``r``.
    start : ndarray of shape (n, b)
        ``N(0, P)`` draws starting the block Krylov space (``b`` columns per step).

    Attributes
    ----------
    rank : int
        The vectors kept.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import RBF
    >>> from pyjl.gp.iterative import KernelOperator, Preconditioner, pivoted_cholesky
    >>> X = np.random.default_rng(0).uniform(0, 1, (200, 1))
    >>> op = KernelOperator(RBF(0.2), X, np.full(200, 0.01))
    >>> P = Preconditioner(pivoted_cholesky(op.kernel_diag(), op.kernel_rows, 40), op.noise)
    >>> cache = VarianceCache(op, P, 60, np.random.default_rng(1).standard_normal((200, 10)))
    >>> Ks = RBF(0.2)(X[:3], X)
    >>> A = RBF(0.2)(X) + 0.01 * np.eye(200)
    >>> ref = np.einsum("ij,ji->i", Ks, np.linalg.solve(A, Ks.T))
    >>> bool(np.allclose(cache.quad(Ks), ref, rtol=1e-8))
    True
    """

    def __init__(self, op, P, rank: int, start: np.ndarray):
        self.P, self.D = P, P.D
        self.F = P.whitened_factor()
        V = P.solve(start)
        Q, PQ = _p_orthonormal(V, start, float(np.max(np.einsum("ij,ij->j", V, start))))
        Qs, PQs, AQs = [], [], []
        total = 0
        while Q.shape[1] and total < rank:
            Q, PQ = Q[:, : rank - total], PQ[:, : rank - total]
            AQ = op @ Q
            Qs.append(Q)
            PQs.append(PQ)
            AQs.append(AQ)
            total += Q.shape[1]
            W = P.solve(AQ)
            ref = float(np.max(np.einsum("ij,ij->j", W, AQ)))  # |W|_P^2 = W^T A Q
            for _ in range(2):  # full reorthogonalisation, twice (Kahan: twice is enough)
                for Qj, PQj in zip(Qs, PQs):
                    W -= Qj @ (PQj.T @ W)
            Q, PQ = _p_orthonormal(W, P @ W, ref)
        Qall = np.hstack(Qs) if Qs else np.zeros((op.n, 0))
        T = Qall.T @ (np.hstack(AQs) if AQs else np.zeros((op.n, 0)))
        lam, S = np.linalg.eigh(0.5 * (T + T.T))
        self.G = Qall @ S
        self.w = 1.0 / lam - 1.0
        self.rank = Qall.shape[1]

    def quad(self, Ks: np.ndarray) -> np.ndarray:
        """``(m,)``: ``k*^T A^-1 k*`` for the rows of ``Ks = k(X*, X)`` ``(m, n)``."""
        KF, KG = Ks @ self.F, Ks @ self.G
        return (
            np.einsum("ij,ij->i", Ks / self.D, Ks)
            - np.einsum("ij,ij->i", KF, KF)
            + np.einsum("ij,ij,j->i", KG, KG, self.w)
        )

    def inner(self, Ks: np.ndarray) -> np.ndarray:
        """``(m, m)``: ``Ks A^-1 Ks^T``."""
        KF, KG = Ks @ self.F, Ks @ self.G
        return (Ks / self.D) @ Ks.T - KF @ KF.T + (KG * self.w) @ KG.T
