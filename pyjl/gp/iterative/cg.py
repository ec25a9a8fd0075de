"""Batched preconditioned conjugate gradients (mBCG) with the Lanczos tridiagonals.

Solves ``A X = B`` for every column of ``B`` at once: each iteration is one product of
``A`` with an ``(n, k)`` block, so the kernel is evaluated once for all right-hand sides
(Gardner et al. 2018, Alg. 2).  With ``a_j``, ``b_j`` the step and direction coefficients
of column ``c`` (``x_{j+1} = x_j + a_j p_j``, ``p_{j+1} = z_{j+1} + b_j p_j``), the Lanczos
tridiagonal of the preconditioned matrix ``P^-1/2 A P^-1/2`` started at
``P^-1/2 r_0 / |.|`` is (Saad 2003, §6.7.3)::

    T[j, j] = 1 / a_j + b_{j-1} / a_{j-1},    T[j, j+1] = sqrt(b_j) / a_j.

A column stops (its ``x`` and its tridiagonal freeze) once ``|r| <= tol |b|``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CGResult", "mbcg"]


@dataclass
class CGResult:
    """What :func:`mbcg` returns.

    Attributes
    ----------
    x : ndarray of shape (n, k)
        The solutions.
    iterations : int
        Iterations run (products with ``A``).
    residual : ndarray of shape (k,)
        ``|b - A x| / |b|`` per column (the recurrence's residual).
    converged : ndarray of shape (k,), dtype bool
        Columns that met the tolerance.
    alphas, betas : ndarray of shape (iterations, k)
        The CG coefficients (``0`` after a column stopped).
    steps : ndarray of shape (k,), dtype int
        Iterations each column took.
    rz0 : ndarray of shape (k,)
        ``r_0^T P^-1 r_0`` per column (``|P^-1/2 r_0|^2``).
    """

    x: np.ndarray
    iterations: int
    residual: np.ndarray
    converged: np.ndarray
    alphas: np.ndarray
    betas: np.ndarray
    steps: np.ndarray
    rz0: np.ndarray

    def tridiagonal(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        """``(diagonal, off-diagonal)`` of column ``c``'s Lanczos tridiagonal."""
        m = int(self.steps[c])
        a, b = self.alphas[:m, c], self.betas[:m, c]
        diag = 1.0 / a
        diag[1:] += b[: m - 1] / a[: m - 1]
        off = np.sqrt(b[: m - 1]) / a[: m - 1]
        return diag, off


def mbcg(matmul, B: np.ndarray, solve, tol, max_iter: int, x0=None) -> CGResult:
    """Solve ``A X = B`` by preconditioned CG on all columns at once.

    Parameters
    ----------
    matmul : callable
        ``V (n, k) -> A V``, ``A`` symmetric positive definite.
    B : ndarray of shape (n, k)
        Right-hand sides.
    solve : callable
        ``R (n, k) -> P^-1 R``, the preconditioner.
    tol : float or ndarray of shape (k,)
        Relative residual ``|r| / |b|`` at which a column stops (one for all, or per
        column).
    max_iter : int
        The most iterations.
    x0 : ndarray of shape (n, k), optional
        Starting guesses (default zero); a column whose residual exceeds ``|b|`` starts at
        zero instead.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> M = rng.standard_normal((30, 30)); A = M @ M.T + 30 * np.eye(30)
    >>> B = rng.standard_normal((30, 3))
    >>> res = mbcg(lambda V: A @ V, B, lambda R: R, tol=1e-10, max_iter=100)
    >>> bool(np.allclose(res.x, np.linalg.solve(A, B))), bool(res.converged.all())
    (True, True)
    """
    B = np.asarray(B, dtype=np.float64)
    n, k = B.shape
    tol = np.broadcast_to(np.asarray(tol, dtype=np.float64), (k,))
    # each column run at a power-of-two scale bringing its largest entry near 1, exactly
    # undone at the end: the norms and inner products of columns near 1e-160 underflow
    # (a zero "converged" solution), of columns near 1e154 overflow
    top = np.max(np.abs(B), axis=0) if n else np.zeros(k)
    exponent = np.frexp(np.where(np.isfinite(top) & (top > 0), top, 1.0))[1]
    scale = np.ldexp(1.0, exponent - 1)  # the largest entry in [1, 2); 2**1023 at most
    B = B / scale
    X = np.zeros((n, k)) if x0 is None else np.array(x0, dtype=np.float64) / scale
    R = B - matmul(X) if x0 is not None else B.copy()
    bnorm = np.linalg.norm(B, axis=0)
    bnorm[bnorm == 0] = 1.0
    worse = np.linalg.norm(R, axis=0) > bnorm  # a guess worse than zero: start at zero
    X[:, worse], R[:, worse] = 0.0, B[:, worse]
    Z = solve(R)
    Pd = Z.copy()
    rz = np.einsum("ij,ij->j", R, Z)
    rz0 = rz.copy()
    active = np.linalg.norm(R, axis=0) > tol * bnorm
    steps = np.zeros(k, dtype=int)
    alphas, betas = [], []
    it = 0
    while active.any() and it < max_iter:
        AP = matmul(Pd)
        pap = np.einsum("ij,ij->j", Pd, AP)
        ok = active & (pap > 0)
        a = np.where(ok, rz / np.where(ok, pap, 1.0), 0.0)
        X += a * Pd
        R -= a * AP
        steps += ok
        done = ~ok | (np.linalg.norm(R, axis=0) <= tol * bnorm)
        Z = solve(R)
        rz_new = np.einsum("ij,ij->j", R, Z)
        b = np.where(ok, rz_new / np.where(rz > 0, rz, 1.0), 0.0)
        alphas.append(a)
        betas.append(np.where(done, 0.0, b))
        Pd = Z + b * Pd
        rz = rz_new
        active = active & ~done
        it += 1
    residual = np.linalg.norm(R, axis=0) / bnorm
    with np.errstate(over="ignore"):  # |r0|^2 of a column near 1e160 is past float64: inf
        rz0 = rz0 * scale**2
    return CGResult(
        x=X * scale,
        iterations=it,
        residual=residual,
        converged=residual <= tol * (1 + 1e-12),
        alphas=np.array(alphas).reshape(it, k),
        betas=np.array(betas).reshape(it, k),
        steps=steps,
        rz0=rz0,
    )
