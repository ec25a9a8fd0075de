"""Pivoted Cholesky of a kernel matrix and the preconditioner ``P = L L^T + D`` it gives.

The partial pivoted Cholesky (Harbrecht, Peters & Schneider 2012) picks, ``rank`` times,
the row with the largest remaining diagonal; ``L L^T`` then matches ``K`` on those rows and
columns and the trace of the remainder ``K - L L^T`` falls fast for smooth kernels.  With
``D`` the noise, ``P = L L^T + D`` is solved, sampled and its log-determinant taken in
``O(n rank^2)`` through the Woodbury identity (``C = I + L^T D^-1 L``, ``rank x rank``)::

    P^-1 R = D^-1 R - D^-1 L C^-1 L^T D^-1 R,     log det P = log det C + sum log D.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular

__all__ = ["pivoted_cholesky", "pivoted", "Preconditioner"]


def pivoted_cholesky(
    diag: np.ndarray,
    rows,
    rank: int,
    rel_tol: float = 1e-10,
    abs_tol: float = 0.0,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """``L`` ``(n, m)``, ``m <= rank``, with ``K ~ L L^T`` by diagonal pivoting.

    Parameters
    ----------
    diag : ndarray of shape (n,)
        The diagonal of ``K``.
    rows : callable
        ``rows(idx) -> (len(idx), n)``, rows of ``K``.
    rank : int
        The most columns.
    rel_tol : float, default 1e-10
        Stop once the remaining trace is below ``rel_tol`` times the trace of ``K``...
    abs_tol : float, default 0.0
        ... or below ``abs_tol``.
    order : ndarray of int, optional
        Take these pivots in this order (see :func:`pivoted`).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import RBF
    >>> X = np.linspace(0, 1, 30)[:, None]
    >>> K = RBF(0.5)(X)
    >>> L = pivoted_cholesky(np.diag(K).copy(), lambda i: K[i], rank=12)
    >>> bool(np.abs(K - L @ L.T).max() < 1e-6)
    True
    """
    return pivoted(diag, rows, rank, rel_tol, abs_tol, order)[0]


def pivoted(diag, rows, rank: int, rel_tol=1e-10, abs_tol=0.0, order=None):
    """``(L, pivots)``: :func:`pivoted_cholesky` and the rows it pivoted on, in order.

    With ``order`` the first pivots are ``order[:rank]`` (no search, no trace stop; it
    stops only where a pivot's remaining diagonal falls to rounding), then the search
    continues up to ``rank`` while the trace left is above the tolerances.  ``L`` on the
    given pivots is a smooth function of ``K``: with the pivots of one ``theta`` kept, the
    preconditioner -- and so the likelihood estimate -- moves smoothly with ``theta``
    (the search adds pivots only where the kept ones no longer resolve the kernel).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import RBF
    >>> X = np.linspace(0, 1, 30)[:, None]
    >>> K = RBF(0.5)(X)
    >>> L, piv = pivoted(np.diag(K).copy(), lambda i: K[i], 12)
    >>> L2, _ = pivoted(np.diag(K).copy(), lambda i: K[i], 12, order=piv)
    >>> bool(np.array_equal(L, L2))
    True
    """
    d = np.array(diag, dtype=np.float64)
    n = d.size
    m_max = int(min(rank, n))
    given = 0 if order is None else min(len(order), m_max)
    # built as rows (m_max, n): each update reads the first m rows contiguously
    Lt = np.zeros((m_max, n))
    piv = np.zeros(m_max, dtype=np.intp)
    stop = max(rel_tol * max(float(d.sum()), np.finfo(float).tiny), abs_tol)
    floor = 1e-12 * float(d.max()) if n else 0.0
    m = 0
    while m < m_max:
        if m < given:
            i = int(order[m])
            if d[i] <= floor:
                break
        else:
            i = int(np.argmax(d))
            if d[i] <= 0.0 or d.sum() <= stop:
                break
        row = np.asarray(rows(np.array([i])), dtype=np.float64)[0]
        col = Lt[m]
        np.subtract(row, Lt[:m, i] @ Lt[:m], out=col)
        col /= np.sqrt(d[i])
        d -= col**2
        d[i] = 0.0
        np.maximum(d, 0.0, out=d)
        piv[m] = i
        m += 1
    return Lt[:m].T, piv[:m]


class Preconditioner:
    """``P = L L^T + diag(D)``: solves, products, draws ``N(0, P)`` and ``log det P``.

    Parameters
    ----------
    L : ndarray of shape (n, m)
        The low-rank factor (``m`` may be 0: ``P = D``).
    D : ndarray of shape (n,)
        The diagonal, ``> 0``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> L, D = rng.standard_normal((20, 3)), np.full(20, 0.5)
    >>> P = Preconditioner(L, D)
    >>> Pd = L @ L.T + np.diag(D)
    >>> R = rng.standard_normal((20, 2))
    >>> bool(np.allclose(P.solve(R), np.linalg.solve(Pd, R)))
    True
    >>> bool(np.isclose(P.logdet, np.linalg.slogdet(Pd)[1]))
    True
    """

    def __init__(self, L: np.ndarray, D: np.ndarray):
        self.L, self.D = L, np.asarray(D, dtype=np.float64)
        self.rank = L.shape[1]
        self.pivots: np.ndarray | None = None  # set by whoever knows them
        C = np.eye(self.rank) + L.T @ (L / self.D[:, None])
        self.Cc = cholesky(C, lower=True, check_finite=False)
        self.logdet = float(2.0 * np.log(np.diag(self.Cc)).sum() + np.log(self.D).sum())

    def solve(self, R: np.ndarray) -> np.ndarray:
        """``P^-1 R`` for ``R`` ``(n, k)``."""
        out = R / self.D[:, None]
        if self.rank:
            W = cho_solve((self.Cc, True), self.L.T @ out, check_finite=False)
            out -= (self.L @ W) / self.D[:, None]
        return out

    def __matmul__(self, V: np.ndarray) -> np.ndarray:
        """``P @ V`` for ``V`` ``(n, k)``."""
        return self.L @ (self.L.T @ V) + self.D[:, None] * V

    def sample(self, E1: np.ndarray, E2: np.ndarray) -> np.ndarray:
        """``L E1[:m] + sqrt(D) E2`` ``(n, k)``: ``N(0, P)`` draws from standard normal
        ``E1`` ``(rank_max, k)`` and ``E2`` ``(n, k)`` (common random numbers: the same
        ``E1``, ``E2`` give the same draws' randomness for every ``P``)."""
        return self.L @ E1[: self.rank] + np.sqrt(self.D)[:, None] * E2

    def whitened_factor(self) -> np.ndarray:
        """``F`` ``(n, m)`` with ``k^T P^-1 k = sum(k^2 / D) - |F^T k|^2``."""
        if not self.rank:
            return np.zeros((self.D.size, 0))
        At = self.L.T / self.D  # (D^-1 L)^T
        return solve_triangular(self.Cc, At, lower=True, check_finite=False, overwrite_b=True).T
