"""GP kernels of the ``cuda`` engine: covariance matrices, gradients, Cholesky algebra, EI.

The covariance kernels (CUDA C in ``gp.cu``) are one CUDA thread per matrix
entry (grid-stride), with the same formulas and parameter order as the native
engine: the kinds of :data:`pyjl.engines.contract.GP_KINDS`, passed to the
device as their code :func:`~pyjl.engines.contract.gp_kind_code`;
log-parameters ``log lengthscale[...]``, ``log variance``, ``log extra[...]``;
a ``(1,)`` lengthscale means isotropic.  Differences ``x_k - x'_k`` are taken
on the device (no ``|a|^2 + |b|^2 - 2ab`` expansion), so entries near the
diagonal keep full relative precision.
``kernel_grad_contract`` fuses ``sum_ij W_ij dK_ij`` in one pass (warp sums,
one atomic add per warp and parameter) without the ``(p, n, n)`` tensor.
``kernel_matvec`` and ``kernel_grad_quad`` never form an ``(n1, n2)`` matrix: one
thread per row, the rows of a block sharing tiles of ``X2`` and ``V`` in shared
memory; the columns are split into spans when there are few row tiles, and the
partial results (per span, per block) are summed in a fixed order, so a result
does not depend on scheduling.

Cholesky, triangular solves and the inverse are cuSOLVER/cuBLAS through CuPy
(``cupy.linalg.cholesky``, ``cupyx.scipy.linalg.solve_triangular``), float64.

Reference: Rasmussen & Williams, *Gaussian Processes for Machine Learning*
(2006), ch. 4-5; log-EI: Ament et al., "Unexpected improvements to expected
improvement" (NeurIPS 2023), eq. 9.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..contract import GP_KINDS, gp_args, gp_kind_code
from .common import THREADS, Array, cupy, f64, grid_for, i32, i64, module

__all__ = [
    "kernel_matrix",
    "kernel_matrix_grad",
    "kernel_grad_contract",
    "kernel_matvec",
    "kernel_grad_quad",
    "cholesky",
    "cho_solve",
    "cho_inverse",
    "expected_improvement",
    "log_expected_improvement",
    "NAME",
    "KERNELS",
    "MAX_P",
]

#: The kernel source, ``gp.cu``, and its kernels.
NAME = "gp"
KERNELS = ("pj_kmat", "pj_kgrad", "pj_kcontract", "pj_kmatvec", "pj_kquad", "pj_ei")
#: Most log-parameters the fused contraction keeps per thread (``PJ_MAXP`` in gp.cu).
MAX_P = 64
#: Most columns of ``V`` one matrix-free launch carries per thread (``PJ_MAXK`` in gp.cu).
MAX_K = 32
#: Dynamic shared memory a matrix-free launch may use (the default limit, 48 KiB), in doubles.
_SHARED = 48 * 1024 // 8
#: Work items (row tile, column span) a matrix-free launch aims at: enough blocks to fill
#: every multiprocessor of a large GPU several times over when n1 alone gives few tiles.
_ITEMS = 1024
_PERIODIC = gp_kind_code("periodic")


def _kernels() -> Any:
    return module(NAME, KERNELS)


def _prepare(
    xp: Any, kind: int, X: Array, lengthscale: Array, extra: Array
) -> tuple[Array, Array, int, float, int]:
    """Scaled inputs (the periodic kind keeps X), ``nls``, the extra parameter, ``p``."""
    ls = xp.ascontiguousarray(lengthscale, dtype=np.float64)
    nls = int(ls.shape[0])
    X = xp.asarray(X, dtype=np.float64)
    A = X if kind == _PERIODIC else (X / ls[None, :] if nls > 1 else X / ls[0])
    ex = float(extra[0]) if int(extra.shape[0]) > 0 else 0.0
    return xp.ascontiguousarray(A), ls, nls, ex, nls + 1 + len(GP_KINDS[kind].extra)


def kernel_matrix(
    kind: str,
    X1: Array,
    X2: Array | None,
    lengthscale: Array,
    variance: float,
    extra: Array,
    *,
    xp: Any = None,
    kern: Any = None,
) -> Array:
    """``K[i, j] = k(X1[i], X2[j])``, ``(n1, n2)``."""
    xp = xp or cupy()
    kern = kern or _kernels()
    kd = gp_args(kind, X1, X2, lengthscale, extra)
    A, ls, nls, ex, _ = _prepare(xp, kd, X1, lengthscale, extra)
    B = A if X2 is X1 or X2 is None else _prepare(xp, kd, X2, lengthscale, extra)[0]
    n1, n2, d = int(A.shape[0]), int(B.shape[0]), int(A.shape[1])
    K = xp.empty((n1, n2))
    if n1 * n2:
        kern.pj_kmat(
            (grid_for(n1 * n2),),
            (THREADS,),
            (i32(kd), A, B, i64(n1), i64(n2), i32(d), ls, i32(nls), f64(variance), f64(ex), K),
        )
    return K


def kernel_matrix_grad(
    kind: str,
    X: Array,
    lengthscale: Array,
    variance: float,
    extra: Array,
    *,
    xp: Any = None,
    kern: Any = None,
) -> tuple[Array, Array]:
    """``(K (n, n), dK (p, n, n))`` with respect to the log-parameters."""
    xp = xp or cupy()
    kern = kern or _kernels()
    kd = gp_args(kind, X, None, lengthscale, extra)
    A, ls, nls, ex, p = _prepare(xp, kd, X, lengthscale, extra)
    n, d = int(A.shape[0]), int(A.shape[1])
    K = xp.empty((n, n))
    G = xp.zeros((p, n, n))
    if n:
        kern.pj_kgrad(
            (grid_for(n * n),),
            (THREADS,),
            (i32(kd), A, i64(n), i32(d), ls, i32(nls), f64(variance), f64(ex), K, G),
        )
    return K, G


def kernel_grad_contract(
    kind: str,
    X: Array,
    lengthscale: Array,
    variance: float,
    extra: Array,
    W: Array,
    *,
    xp: Any = None,
    kern: Any = None,
) -> Array:
    """``g[q] = sum_ij W[i, j] dK[i, j] / dlog-param[q]``, ``(p,)``, for symmetric ``W``."""
    xp = xp or cupy()
    kern = kern or _kernels()
    kd = gp_args(kind, X, None, lengthscale, extra, W=W)
    A, ls, nls, ex, p = _prepare(xp, kd, X, lengthscale, extra)
    n, d = int(A.shape[0]), int(A.shape[1])
    if p > MAX_P:
        _, G = kernel_matrix_grad(kind, X, lengthscale, variance, extra, xp=xp, kern=kern)
        return (G * xp.asarray(W)[None]).sum(axis=(1, 2))
    out = xp.zeros(p)
    if n:
        kern.pj_kcontract(
            (grid_for(n * n, cap=2048),),
            (THREADS,),
            (
                i32(kd),
                A,
                i64(n),
                i32(d),
                ls,
                i32(nls),
                f64(variance),
                f64(ex),
                i32(p),
                xp.ascontiguousarray(W, dtype=np.float64),
                out,
            ),
        )
    return out


def _tiling(n_rows: int, n_cols: int, d: int, kc: int, reserve: int) -> tuple[int, int, int]:
    """``(tc, span, n_spans)``: points per shared tile, columns per span, spans."""
    tc = min(THREADS, (_SHARED - reserve) // (d + kc))
    if tc < 1:
        raise ValueError(f"d = {d} features do not fit a shared-memory tile of the cuda engine")
    tiles = (n_rows + THREADS - 1) // THREADS
    wanted = max(1, min(_ITEMS // tiles, (n_cols + tc - 1) // tc))
    span = (n_cols + wanted - 1) // wanted
    span = (span + tc - 1) // tc * tc
    return tc, span, (n_cols + span - 1) // span


def kernel_matvec(
    kind: str,
    X1: Array,
    X2: Array | None,
    lengthscale: Array,
    variance: float,
    extra: Array,
    V: Array,
    *,
    xp: Any = None,
    kern: Any = None,
) -> Array:
    """``K(X1, X2) @ V``, ``(n1, k)`` for ``V (n2, k)``; no ``(n1, n2)`` matrix."""
    xp = xp or cupy()
    kern = kern or _kernels()
    kd = gp_args(kind, X1, X2, lengthscale, extra, V=V)
    A, ls, nls, ex, _ = _prepare(xp, kd, X1, lengthscale, extra)
    B = A if X2 is X1 or X2 is None else _prepare(xp, kd, X2, lengthscale, extra)[0]
    V = xp.ascontiguousarray(V, dtype=np.float64)
    n1, n2, d, k = int(A.shape[0]), int(B.shape[0]), int(A.shape[1]), int(V.shape[1])
    R = xp.zeros((n1, k))
    for c0 in range(0, k if n1 and n2 else 0, MAX_K):
        kc = min(MAX_K, k - c0)
        tc, span, ns = _tiling(n1, n2, d, kc, 0)
        part = xp.empty((ns, n1, kc))
        kern.pj_kmatvec(
            (grid_for(n1 * ns),),
            (THREADS,),
            (i32(kd), A, B, i64(n1), i64(n2), i32(d), ls, i32(nls), f64(variance), f64(ex))
            + (V, i32(k), i32(c0), i32(kc), i32(tc), i64(span), part),
            shared_mem=8 * tc * (d + kc),
        )
        R[:, c0 : c0 + kc] = part.sum(axis=0)
    return R


def kernel_grad_quad(
    kind: str,
    X: Array,
    lengthscale: Array,
    variance: float,
    extra: Array,
    U: Array,
    V: Array,
    *,
    xp: Any = None,
    kern: Any = None,
) -> Array:
    """``g[q] = sum_c U[:, c]^T dK/dlog-param[q] V[:, c]``, ``(p,)``, ``U``, ``V`` ``(n, k)``."""
    xp = xp or cupy()
    kern = kern or _kernels()
    kd = gp_args(kind, X, None, lengthscale, extra, U=U, V=V)
    A, ls, nls, ex, p = _prepare(xp, kd, X, lengthscale, extra)
    U = xp.ascontiguousarray(U, dtype=np.float64)
    V = xp.ascontiguousarray(V, dtype=np.float64)
    n, d, k = int(A.shape[0]), int(A.shape[1]), int(V.shape[1])
    if p > MAX_P:
        _, G = kernel_matrix_grad(kind, X, lengthscale, variance, extra, xp=xp, kern=kern)
        return xp.einsum("ac,qab,bc->q", U, G, V)
    grid = 0
    part = xp.zeros((0, p))
    for c0 in range(0, k if n else 0, MAX_K):
        kc = min(MAX_K, k - c0)
        tc, span, ns = _tiling(n, n, d, kc, (THREADS // 32) * p)
        if not grid:
            grid = grid_for(n * ns)
            part = xp.zeros((grid, p))
        kern.pj_kquad(
            (grid,),
            (THREADS,),
            (i32(kd), A, i64(n), i32(d), ls, i32(nls), f64(variance), f64(ex), i32(p))
            + (U, V, i32(k), i32(c0), i32(kc), i32(tc), i64(span), part),
            shared_mem=8 * (tc * (d + kc) + (THREADS // 32) * p),
        )
    return part.sum(axis=0) if grid else xp.zeros(p)


def cholesky(K: Array, jitter: float) -> Array:
    """Lower ``L`` with ``L L^T = K + jitter I``; ``numpy.linalg.LinAlgError`` if not PD."""
    cp = cupy()
    import cupyx

    A = cp.array(K, dtype=np.float64, copy=True)
    n = int(A.shape[0])
    if n == 0:
        return A
    if jitter:
        A[cp.arange(n), cp.arange(n)] += jitter
    try:
        with cupyx.errstate(linalg="raise"):
            L = cp.linalg.cholesky(A)
    except Exception as exc:  # CuPy raises its LinAlgError (numpy's) or a CUDA error
        raise np.linalg.LinAlgError(f"matrix is not positive definite ({exc})") from None
    if not bool(cp.isfinite(L[n - 1, n - 1])):
        raise np.linalg.LinAlgError("matrix is not positive definite (non-finite factor)")
    return cp.ascontiguousarray(cp.tril(L))


def _solve_tri() -> Any:
    from cupyx.scipy.linalg import solve_triangular

    return solve_triangular


def cho_solve(L: Array, B: Array) -> Array:
    """``(L L^T)^{-1} B`` for ``B`` of shape ``(n,)`` or ``(n, k)``."""
    solve = _solve_tri()
    Y = solve(L, B, lower=True)
    return solve(L, Y, trans="T", lower=True)


def cho_inverse(L: Array) -> Array:
    """``(L L^T)^{-1}``, full symmetric ``(n, n)``: ``V = L^{-1}`` (cuBLAS trsm), then
    ``V^T V`` by a symmetric rank-k update (syrk, half a GEMM)."""
    cp = cupy()
    n = int(L.shape[0])
    Linv = _solve_tri()(L, cp.eye(n), lower=True)
    try:
        from cupy import cublas

        T = cublas.syrk("T", Linv, lower=True)  # one triangle of Linv^T Linv, the other zero
        out = T + T.T
        idx = cp.arange(n)
        out[idx, idx] = T[idx, idx]
    except Exception:  # a CuPy without cublas.syrk: the full product
        out = Linv.T @ Linv
        out = 0.5 * (out + out.T)
    return cp.ascontiguousarray(out)


def _ei(
    mu: Array, sigma: Array, best: float, xi: float, logspace: int, xp: Any, kern: Any
) -> Array:
    xp = xp or cupy()
    kern = kern or _kernels()
    mu = xp.ascontiguousarray(mu, dtype=np.float64)
    sigma = xp.ascontiguousarray(sigma, dtype=np.float64)
    n = int(mu.shape[0])
    out = xp.empty(n)
    if n:
        kern.pj_ei(
            (grid_for(n),), (THREADS,), (i64(n), mu, sigma, f64(best), f64(xi), i32(logspace), out)
        )
    return out


def expected_improvement(
    mu: Array, sigma: Array, best: float, xi: float, *, xp: Any = None, kern: Any = None
) -> Array:
    """EI for minimisation, ``E[max(best - xi - f, 0)]``, ``f ~ N(mu, sigma^2)``."""
    return _ei(mu, sigma, best, xi, 0, xp, kern)


def log_expected_improvement(
    mu: Array, sigma: Array, best: float, xi: float, *, xp: Any = None, kern: Any = None
) -> Array:
    """``log EI``, accurate far in the tail (Ament et al. 2023)."""
    return _ei(mu, sigma, best, xi, 1, xp, kern)
