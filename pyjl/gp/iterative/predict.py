"""Predictive variances without a solve per test point: a low-rank cache of ``A^-1``.

A block Lanczos run in the ``P``-inner product (``P`` the preconditioner) builds ``Q``
``(n, r)`` with ``Q^T P Q = I`` spanning a Krylov space of ``P^-1 A``, and
``T = Q^T A Q``.  ``P^-1 A`` is ``I`` plus a few outlying directions (its spectrum starts
at 1 and the preconditioner removes the largest part), which the Krylov space catches
first; taking ``T^-1`` on them and the identity elsewhere gives (the idea of LOVE,
Pleiss et al. 2018, with the preconditioner as the base)::

    A^-1  ~  C = P^-1 + Q (T^-1 - I) Q^T,

so for a test point with ``k* = k(X, x*)``::

    var(x*) = k(x*, x*) - |k~ - U U^T k~|^2 - |Cl^-1 U^T k~|^2 - sum_j w_j (G^T k*)_j^2

with ``k~ = D^-1/2 k*``, ``D^-1/2 L = U R`` (``U`` orthonormal), ``Cl Cl^T = I + R R^T``,
``G = Q S`` and ``w = 1 / lambda - 1`` from ``T = S diag(lambda) S^T``.  The two ``P^-1``
terms are sums of squares: the Woodbury form ``k*^T D^-1 k* - |F^T k*|^2`` subtracts two
numbers of order ``|k*|^2 / noise`` whose difference is ``k(x*, x*)`` at most, and where
the noise is a ten-thousandth of the kernel's variance (``n`` in the 10,000s) its
rounding alone is several percent of a variance.  A test block costs products with
``k(X*, X)`` only: ``O(m n (d + rank))``, no solve.  ``C`` is symmetric positive definite
(whitened by ``P``, it is ``I`` with the Krylov space's part replaced by ``T^-1``), so it
also preconditions the solves where the cache alone is not accurate enough.

The cache is exact where ``P^-1 A`` has no eigenvalue far from 1 outside the Krylov
space.  A kernel of high numerical rank against a small noise (a rough kernel, or a
smooth one in several dimensions whose noise is a thousandth of its variance) leaves
hundreds to thousands of eigenvalues of ``P^-1 A`` well above 1 after any affordable
``P``; a Krylov space from random starts catches the largest, but a test point's
variance -- a small difference of large terms there -- is then off by far more than
1 %.  :mod:`pyjl.gp.iterative.variances` checks and grows the cache.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_solve, cholesky, qr, solve_triangular

from ..likelihood import blas_threads

__all__ = ["VarianceCache", "check_errors", "check_rows", "implausible"]


def check_errors(quad: np.ndarray, exact: np.ndarray, prior: np.ndarray, rtol: float):
    """How far estimates ``quad`` of ``k*^T A^-1 k*`` are from the ``exact`` ones, over what
    a check allows: ``rtol`` of the variance ``prior - exact`` plus ``1e-9`` of the prior
    variance ``prior`` (all ``(c,)``; ``> 1``: the point fails).  The one rule of the
    variance cache's and the neighbourhoods' checks.

    Examples
    --------
    >>> import numpy as np
    >>> quad, exact, prior = np.array([0.995, 0.98]), np.ones(2), np.full(2, 2.0)
    >>> np.round(check_errors(quad, exact, prior, 0.01), 3)  # the second point fails
    array([0.5, 2. ])
    """
    allowed = rtol * np.abs(prior - exact) + 1e-9 * np.abs(prior)
    return np.abs(quad - exact) / np.maximum(allowed, np.finfo(float).tiny)


def implausible(quad: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """``(m,)`` bool: estimates ``quad`` of ``k*^T A^-1 k*`` that put the variance
    ``prior - quad`` below 0 or above the prior variance ``prior`` (both ``(m,)``).  The
    exact value lies in ``[0, prior]`` (``A`` is positive definite and the variance is), so
    such an estimate is wrong at that point whatever a check elsewhere found.

    Examples
    --------
    >>> import numpy as np
    >>> implausible(np.array([0.5, 1.2, -0.1]), np.ones(3))
    array([False,  True,  True])
    """
    return (quad > prior) | (quad < 0)


def check_rows(quad: np.ndarray, prior: np.ndarray, k: int) -> np.ndarray:
    """The (at most ``k``) test points whose variances a check should compare with exact
    solves, from the cache's estimates ``quad`` of ``k*^T A^-1 k*`` and the prior
    variances ``prior`` (``(m,)``).

    A cache's error in ``k*^T A^-1 k*`` is largest relative to the variance where the data
    reduce the variance most (``quad / prior`` near 1: among the training points), and
    nil far from the data, so the points are ranked by ``quad / prior``, an implausible
    estimate (:func:`implausible`) first: half of them are the top of that ranking, the
    other half spread evenly over the rest of it down to the last point whose ratio is
    still a hundredth of the largest (so that several regions of the data are checked).

    Examples
    --------
    >>> import numpy as np
    >>> quad = np.r_[np.zeros(90), np.linspace(0.5, 0.99, 10)]   # 10 points in the data
    >>> sorted(check_rows(quad, np.ones(100), 4).tolist())
    [90, 97, 98, 99]
    """
    m = quad.size
    if m <= k:
        return np.arange(m)
    ratio = quad / np.maximum(np.abs(prior), np.finfo(float).tiny)
    ratio = np.where(implausible(quad, prior), np.inf, ratio)
    order = np.argsort(-ratio, kind="stable")
    top = k // 2
    finite = ratio[np.isfinite(ratio)]
    largest = float(finite.max()) if finite.size else 0.0
    informative = int(np.sum(ratio >= 0.01 * largest)) if largest > 0 else m
    last = int(min(m - 1, max(informative - 1, k - 1)))
    spread = order[np.linspace(top, last, k - top).round().astype(int)]
    return np.unique(np.concatenate([order[:top], spread]))


def _whitened_basis(L: np.ndarray, Dh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(U, Cl)``: ``D^-1/2 L = U R`` (``U`` ``(n, p)`` orthonormal) and the lower
    Cholesky factor ``Cl`` of ``I + R R^T``, so that
    ``P^-1 = D^-1/2 [(I - U U^T) + U (Cl Cl^T)^-1 U^T] D^-1/2``; ``L`` is overwritten."""
    n, p = L.shape
    if not p:
        return np.zeros((n, 0)), np.zeros((0, 0))
    L /= Dh[:, None]
    with blas_threads(n):  # blocked Householder QR (n p^2): threads where the cores are free
        U, R = qr(L, mode="economic", overwrite_a=True, check_finite=False)
    return U, cholesky(np.eye(p) + R @ R.T, lower=True, check_finite=False)


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
        Its preconditioner, taken over: its factor ``L`` is overwritten (the cache holds
        ``U``, ``Cl``, ``G``, ``w``), so ``P`` is of no further use.
    rank : int
        The most Lanczos vectors ``r``.
    start : ndarray of shape (n, b)
        ``N(0, P)`` draws starting the block Krylov space (``b`` columns per step).

    Attributes
    ----------
    rank : int
        The Lanczos vectors kept (fewer than asked where the Krylov space ends).
    n_pivots : int
        The columns of ``P``'s pivoted Cholesky.

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
    >>> bool(np.allclose(cache.apply(Ks.T), np.linalg.solve(A, Ks.T), atol=1e-6))
    True
    """

    def __init__(self, op, P, rank: int, start: np.ndarray):
        self.Dh, self.n_pivots = np.sqrt(P.D), P.rank
        n = op.n
        rank = int(min(rank, n))
        Qa = np.empty((n, rank))  # the P-orthonormal Lanczos vectors, filled block by block
        T = np.zeros((rank, rank))
        V = P.solve(start)
        Q, _ = _p_orthonormal(V, start, float(np.max(np.einsum("ij,ij->j", V, start))))
        total = 0
        while Q.shape[1] and total < rank:
            Q = Q[:, : rank - total]
            b = Q.shape[1]
            AQ = op @ Q
            Qa[:, total : total + b] = Q
            total += b
            T[:total, total - b : total] = Qa[:, :total].T @ AQ
            T[total - b : total, :total] = T[:total, total - b : total].T
            W = P.solve(AQ)
            ref = float(np.max(np.einsum("ij,ij->j", W, AQ)))  # |W|_P^2 = W^T A Q
            PW = AQ
            for _ in range(2):  # full reorthogonalisation, twice (Kahan: twice is enough)
                W -= Qa[:, :total] @ (Qa[:, :total].T @ PW)
                PW = P @ W
            Q, _ = _p_orthonormal(W, PW, ref)
        T = T[:total, :total]
        lam, S = np.linalg.eigh(0.5 * (T + T.T))
        self.G = Qa[:, :total] @ S
        self.w = 1.0 / lam - 1.0
        self.rank = total
        self.U, self.Cl = _whitened_basis(P.L, self.Dh)

    def _p_parts(self, Ks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(Kp, Z)`` with ``Ks P^-1 Ks^T = Kp Kp^T + Z^T Z``: ``Kp`` ``(m, n)`` the
        whitened rows less their part in ``span(U)``, ``Z`` ``(p, m)``."""
        Kt = Ks / self.Dh
        Y = Kt @ self.U
        Kt -= Y @ self.U.T
        Z = solve_triangular(self.Cl, Y.T, lower=True, check_finite=False) if Y.size else Y.T
        return Kt, Z

    def quad(self, Ks: np.ndarray) -> np.ndarray:
        """``(m,)``: ``k*^T C k*`` for the rows of ``Ks = k(X*, X)`` ``(m, n)``."""
        Kp, Z = self._p_parts(Ks)
        KG = Ks @ self.G
        return (
            np.einsum("ij,ij->i", Kp, Kp)
            + np.einsum("ij,ij->j", Z, Z)
            + np.einsum("ij,ij,j->i", KG, KG, self.w)
        )

    def inner(self, Ks: np.ndarray) -> np.ndarray:
        """``(m, m)``: ``Ks C Ks^T``."""
        Kp, Z = self._p_parts(Ks)
        KG = Ks @ self.G
        return Kp @ Kp.T + Z.T @ Z + (KG * self.w) @ KG.T

    def p_solve(self, R: np.ndarray) -> np.ndarray:
        """``(n, k)``: ``P^-1 R`` for ``R`` ``(n, k)``."""
        Rt = R / self.Dh[:, None]
        Y = self.U.T @ Rt
        Rt -= self.U @ (Y - cho_solve((self.Cl, True), Y, check_finite=False)) if Y.size else 0
        return Rt / self.Dh[:, None]

    def apply(self, R: np.ndarray) -> np.ndarray:
        """``(n, k)``: ``C R`` for ``R`` ``(n, k)`` (a preconditioner's solve)."""
        return self.p_solve(R) + (self.G * self.w) @ (self.G.T @ R)
