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
from scipy.linalg import blas, cho_solve, cholesky, lapack, solve_triangular

from ..._threads import thread_limit
from ..likelihood import blas_threads

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

    The search goes a column at a time (each pivot depends on the last); ``L`` itself is
    computed from its pivots ``P`` in one block, ``L = K[:, P] chol(K[P, P])^-T`` (one
    kernel block, one Cholesky, one triangular solve: BLAS 3), the column loop's factor
    to rounding, so the same pivots give the same ``L`` to the last bit whether they
    were searched or given.

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
    # built as rows (m_max, n): each update reads the first m rows contiguously
    Lt = np.zeros((m_max, n))
    piv = np.zeros(m_max, dtype=np.intp)
    stop = max(rel_tol * max(float(d.sum()), np.finfo(float).tiny), abs_tol)
    floor = 1e-12 * float(d.max()) if n else 0.0
    m = 0
    if order is not None and min(len(order), m_max):
        given = np.asarray(order[:m_max], dtype=np.intp)
        m = _given(d, rows, given, floor, Lt)
        piv[:m] = given[:m]
        if m < given.size:  # a given pivot fell to the floor: the loop stops there too
            return Lt[:m].T, piv[:m]
    searched_from = m
    with thread_limit(1):  # one GEMV per column: threads only wait for each other
        m = _search(d, rows, m, m_max, stop, Lt, piv)
    if m > searched_from:  # the same arithmetic as a later call given these pivots
        m = _given(np.array(diag, dtype=np.float64), rows, piv[:m], floor, Lt)
    return Lt[:m].T, piv[:m]


def _search(d, rows, m: int, m_max: int, stop: float, Lt, piv) -> int:
    """The greedy column loop from column ``m``: the largest remaining diagonal is the
    next pivot, until ``m_max`` columns or the trace left is ``<= stop``; returns the
    column count (``Lt``, ``piv`` and ``d`` updated in place)."""
    while m < m_max:
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
    return m


#: Kernel rows computed per call while the given pivots' rows are gathered.
_ROW_BLOCK = 256


def _given(d, rows, P, floor: float, Lt) -> int:
    """Take the pivots ``P`` at once: ``L = K[:, P] chol(K[P, P])^-T`` (``Lt[:m]``, its
    transpose) and ``d`` less the squares of its rows, where ``m`` (returned) counts the
    leading pivots whose remaining diagonal -- the Cholesky factor's squared diagonal --
    stays above ``floor``: the column-by-column loop's result, by one kernel block, one
    Cholesky and one triangular solve."""
    g = P.size
    for s in range(0, g, _ROW_BLOCK):
        Lt[s : s + _ROW_BLOCK][: g - s] = rows(P[s : min(g, s + _ROW_BLOCK)])
    with blas_threads(d.size):  # blocked: threads where the cores are free
        C, info = lapack.dpotrf(Lt[:g, P].T.copy(order="F"), lower=1, clean=1, overwrite_a=1)
        m = g if info == 0 else int(info) - 1
        if info and m:  # a failed factorisation leaves its leading block unspecified: redone
            C, _ = lapack.dpotrf(Lt[:m, P[:m]].T.copy(order="F"), lower=1, clean=1)
        low = np.flatnonzero(~(np.diag(C)[:m] ** 2 > floor))
        m = int(low[0]) if low.size else m
        if m:  # (n, m) x (m, m)
            blas.dtrsm(1.0, C[:m, :m], Lt[:m].T, side=1, lower=1, trans_a=1, overwrite_b=1)
    d -= np.einsum("ij,ij->j", Lt[:m], Lt[:m])
    np.maximum(d, 0.0, out=d)
    d[P[:m]] = 0.0
    return m


#: Rows of ``L`` per rank-k update of the Woodbury core (a few MiB of scaled copy each).
_CORE_ROWS = 4096


def _woodbury_core(L: np.ndarray, D: np.ndarray) -> np.ndarray:
    """``I + L^T D^-1 L`` ``(m, m)``, its lower triangle (the upper is not read): by
    symmetric rank-k updates over blocks of rows."""
    C = np.eye(L.shape[1], order="F")
    for s in range(0, L.shape[0] if L.shape[1] else 0, _CORE_ROWS):
        W = L[s : s + _CORE_ROWS] / np.sqrt(D[s : s + _CORE_ROWS])[:, None]
        C = blas.dsyrk(1.0, W, beta=1.0, c=C, trans=1, lower=1, overwrite_c=1)
    return C


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
        with blas_threads(L.shape[0]):  # blocked: threads where the cores are free
            self.Cc = cholesky(_woodbury_core(L, self.D), lower=True, check_finite=False)
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
