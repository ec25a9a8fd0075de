"""GP kernels of the ``cuda`` engine: covariance matrices, gradients, Cholesky algebra, EI.

The covariance kernels are one CUDA thread per matrix entry (grid-stride),
with the same formulas and parameter order as the native engine
(``bindings/gp.pyx``): kinds ``rbf, matern12, matern32, matern52, rq,
periodic`` (``variance exp(-2 sum_k sin^2(pi (x_k - x'_k) / period) / l_k^2)``);
log-parameters ``log lengthscale[...]``, ``log variance``, ``log extra[...]``;
a ``(1,)`` lengthscale means isotropic.  Differences ``x_k - x'_k`` are taken
on the device (no ``|a|^2 + |b|^2 - 2ab`` expansion), so entries near the
diagonal keep full relative precision.
``kernel_grad_contract`` fuses ``sum_ij W_ij dK_ij`` in one pass (warp sums,
one atomic add per warp and parameter) without the ``(p, n, n)`` tensor.

Cholesky, triangular solves and the inverse are cuSOLVER/cuBLAS through CuPy
(``cupy.linalg.cholesky``, ``cupyx.scipy.linalg.solve_triangular``), float64.

Reference: Rasmussen & Williams, *Gaussian Processes for Machine Learning*
(2006), ch. 4-5; log-EI: Ament et al., "Unexpected improvements to expected
improvement" (NeurIPS 2023), eq. 9.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .cuda_common import THREADS, cupy, f64, grid_for, i32, i64, module

__all__ = ["kernel_matrix", "kernel_matrix_grad", "kernel_grad_contract", "cholesky",
           "cho_solve", "cho_inverse", "expected_improvement", "log_expected_improvement",
           "SOURCE", "KERNELS", "KINDS"]

KINDS = {"rbf": 0, "matern12": 1, "matern32": 2, "matern52": 3, "rq": 4, "periodic": 5}
#: Most log-parameters the fused contraction keeps per thread.
MAX_P = 64

SOURCE = r"""
#define PJ_SQRT3 1.7320508075688772935
#define PJ_SQRT5 2.2360679774997896964
#define PJ_MAXP 64

PJ_DEVICE double pj_kappa(int kind, double r2, double a) {
    if (kind == 0) return exp(-0.5 * r2);
    double r = sqrt(r2);
    if (kind == 1) return exp(-r);
    if (kind == 2) return (1.0 + PJ_SQRT3 * r) * exp(-PJ_SQRT3 * r);
    if (kind == 3) return (1.0 + PJ_SQRT5 * r + (5.0 / 3.0) * r2) * exp(-PJ_SQRT5 * r);
    return pow(1.0 + r2 / (2.0 * a), -a);
}

// -2 dkappa/d(r2): dk/dlog l_k = sigma2 * gscale * D_k
PJ_DEVICE double pj_gscale(int kind, double r2, double a) {
    if (kind == 0) return exp(-0.5 * r2);
    if (kind == 4) return pow(1.0 + r2 / (2.0 * a), -a - 1.0);
    double r = sqrt(r2);
    if (kind == 1) return r > 0.0 ? exp(-r) / r : 0.0;
    if (kind == 2) return 3.0 * exp(-PJ_SQRT3 * r);
    return (5.0 / 3.0) * (1.0 + PJ_SQRT5 * r) * exp(-PJ_SQRT5 * r);
}

PJ_DEVICE double pj_dlog_alpha(double r2, double a) {
    double u = r2 / (2.0 * a);
    return pow(1.0 + u, -a) * a * (u / (1.0 + u) - log1p(u));
}

// S = sum_k sin^2(pi (a_k - b_k) / p) / l_k^2 (one l for every k when isotropic)
PJ_DEVICE double pj_periodic_sum(const double* a, const double* b, int d, const double* ls,
                                 int nls, double p) {
    double S = 0.0;
    for (int k = 0; k < d; ++k) {
        double s = sin(PJ_PI * (a[k] - b[k]) / p), l = nls > 1 ? ls[k] : ls[0];
        S += s * s / (l * l);
    }
    return S;
}

// k(a, b) for rows a, b of the scaled inputs (periodic: unscaled)
PJ_DEVICE double pj_pair(int kind, const double* a, const double* b, int d, const double* ls,
                         int nls, double var, double ex) {
    if (kind == 5) return var * exp(-2.0 * pj_periodic_sum(a, b, d, ls, nls, ex));
    double r2 = 0.0;
    for (int k = 0; k < d; ++k) r2 += (a[k] - b[k]) * (a[k] - b[k]);
    return var * pj_kappa(kind, r2, ex);
}

// out[q * stride] += w * dk(a, b)/dtheta_q for every log-parameter q
PJ_DEVICE void pj_pair_grad(int kind, const double* a, const double* b, int d, const double* ls,
                            int nls, double var, double ex, double w, double* out,
                            long long stride) {
    if (kind == 5) {
        double kap = var * exp(-2.0 * pj_periodic_sum(a, b, d, ls, nls, ex)), r = 0.0;
        for (int k = 0; k < d; ++k) {
            double arg = PJ_PI * (a[k] - b[k]) / ex, s = sin(arg), c = cos(arg);
            double l = nls > 1 ? ls[k] : ls[0];
            out[(nls > 1 ? k : 0) * stride] += w * kap * 4.0 * s * s / (l * l);
            r += arg * s * c / (l * l);
        }
        out[nls * stride] += w * kap;
        out[(nls + 1) * stride] += w * kap * 4.0 * r;
        return;
    }
    double r2 = 0.0;
    for (int k = 0; k < d; ++k) r2 += (a[k] - b[k]) * (a[k] - b[k]);
    double gs = w * var * pj_gscale(kind, r2, ex);
    if (nls == 1) {
        out[0] += gs * r2;
    } else {
        for (int k = 0; k < d; ++k) out[k * stride] += gs * (a[k] - b[k]) * (a[k] - b[k]);
    }
    out[nls * stride] += w * var * pj_kappa(kind, r2, ex);
    if (kind == 4) out[(nls + 1) * stride] += w * var * pj_dlog_alpha(r2, ex);
}

PJ_KERNEL void pj_kmat(int kind, const double* A, const double* B, long long n1, long long n2,
                       int d, const double* ls, int nls, double var, double ex, double* K) {
    PJ_GRID_STRIDE(idx, n1 * n2) {
        long long i = idx / n2, j = idx % n2;
        K[idx] = pj_pair(kind, A + i * d, B + j * d, d, ls, nls, var, ex);
    }
}

// K and dK (p, n, n); dK must be zero on entry
PJ_KERNEL void pj_kgrad(int kind, const double* A, long long n, int d, const double* ls,
                        int nls, double var, double ex, double* K, double* G) {
    PJ_GRID_STRIDE(idx, n * n) {
        long long i = idx / n, j = idx % n;
        K[idx] = pj_pair(kind, A + i * d, A + j * d, d, ls, nls, var, ex);
        pj_pair_grad(kind, A + i * d, A + j * d, d, ls, nls, var, ex, 1.0, G + idx, n * n);
    }
}

// out[q] += sum_ij W[i, j] dK[i, j]/dtheta_q; out must be zero on entry, p <= PJ_MAXP,
// blockDim.x a multiple of 32
PJ_KERNEL void pj_kcontract(int kind, const double* A, long long n, int d, const double* ls,
                            int nls, double var, double ex, int p, const double* W,
                            double* out) {
    double acc[PJ_MAXP];
    for (int q = 0; q < p; ++q) acc[q] = 0.0;
    PJ_GRID_STRIDE(idx, n * n) {
        long long i = idx / n, j = idx % n;
        pj_pair_grad(kind, A + i * d, A + j * d, d, ls, nls, var, ex, W[idx], acc, 1);
    }
    for (int q = 0; q < p; ++q) {
        double v = pj_warp_sum(acc[q]);
        if ((threadIdx.x & 31) == 0) PJ_ATOMIC_ADD(out + q, v);
    }
}

#define PJ_INV_SQRT2 0.70710678118654752440
#define PJ_INV_SQRT2PI 0.39894228040143267794
#define PJ_C1 0.91893853320467274178   // 0.5 log(2 pi)
#define PJ_C2 0.22579135264472743236   // 0.5 log(pi / 2)

PJ_DEVICE double pj_h(double z) { return exp(-0.5 * z * z) * PJ_INV_SQRT2PI + z * normcdf(z); }

PJ_DEVICE double pj_log1mexp(double x) {
    return x > -0.6931471805599453 ? log(-expm1(x)) : log1p(-exp(x));
}

PJ_DEVICE double pj_log_h(double z) {
    if (z > -1.0) return log(pj_h(z));
    if (z > -1e8)
        return -0.5 * z * z - PJ_C1
               + pj_log1mexp(log(erfcx(-z * PJ_INV_SQRT2) * fabs(z)) + PJ_C2);
    return -0.5 * z * z - PJ_C1 - 2.0 * log(fabs(z));
}

PJ_KERNEL void pj_ei(long long n, const double* mu, const double* sigma, double best, double xi,
                     int logspace, double* out) {
    PJ_GRID_STRIDE(i, n) {
        double imp = best - xi - mu[i];
        if (sigma[i] > 0.0) {
            double z = imp / sigma[i];
            out[i] = logspace ? log(sigma[i]) + pj_log_h(z) : sigma[i] * pj_h(z);
        } else if (logspace) {
            out[i] = imp > 0.0 ? log(imp) : -INFINITY;
        } else {
            out[i] = imp > 0.0 ? imp : 0.0;
        }
    }
}
"""

KERNELS = ("pj_kmat", "pj_kgrad", "pj_kcontract", "pj_ei")


def _kernels() -> Any:
    return module("gp", SOURCE, KERNELS)


def _kind(kind: str) -> int:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown kernel kind {kind!r}; one of {sorted(KINDS)}") from None


def _prepare(xp, kind: int, X, lengthscale, extra):
    """Scaled inputs (the periodic kinds keep X), ``nls``, the extra parameter, ``p``."""
    ls = xp.ascontiguousarray(lengthscale, dtype=np.float64)
    nls = int(ls.shape[0])
    X = xp.asarray(X, dtype=np.float64)
    A = X if kind == 5 else (X / ls[None, :] if nls > 1 else X / ls[0])
    ex = float(extra[0]) if int(extra.shape[0]) > 0 else 0.0
    return xp.ascontiguousarray(A), ls, nls, ex, nls + 1 + (1 if kind >= 4 else 0)


def kernel_matrix(kind, X1, X2, lengthscale, variance, extra, *, xp=None, kern=None):
    """``K[i, j] = k(X1[i], X2[j])``, ``(n1, n2)``."""
    xp = xp or cupy()
    kern = kern or _kernels()
    kd = _kind(kind)
    A, ls, nls, ex, _ = _prepare(xp, kd, X1, lengthscale, extra)
    B = A if X2 is X1 or X2 is None else _prepare(xp, kd, X2, lengthscale, extra)[0]
    n1, n2, d = int(A.shape[0]), int(B.shape[0]), int(A.shape[1])
    K = xp.empty((n1, n2))
    if n1 * n2:
        kern.pj_kmat((grid_for(n1 * n2),), (THREADS,),
                     (i32(kd), A, B, i64(n1), i64(n2), i32(d), ls, i32(nls), f64(variance),
                      f64(ex), K))
    return K


def kernel_matrix_grad(kind, X, lengthscale, variance, extra, *, xp=None, kern=None):
    """``(K (n, n), dK (p, n, n))`` with respect to the log-parameters."""
    xp = xp or cupy()
    kern = kern or _kernels()
    kd = _kind(kind)
    A, ls, nls, ex, p = _prepare(xp, kd, X, lengthscale, extra)
    n, d = int(A.shape[0]), int(A.shape[1])
    K = xp.empty((n, n))
    G = xp.zeros((p, n, n))
    if n:
        kern.pj_kgrad((grid_for(n * n),), (THREADS,),
                      (i32(kd), A, i64(n), i32(d), ls, i32(nls), f64(variance), f64(ex), K, G))
    return K, G


def kernel_grad_contract(kind, X, lengthscale, variance, extra, W, *, xp=None, kern=None):
    """``g[q] = sum_ij W[i, j] dK[i, j] / dlog-param[q]``, ``(p,)``, for symmetric ``W``."""
    xp = xp or cupy()
    kern = kern or _kernels()
    kd = _kind(kind)
    A, ls, nls, ex, p = _prepare(xp, kd, X, lengthscale, extra)
    n, d = int(A.shape[0]), int(A.shape[1])
    if p > MAX_P:
        _, G = kernel_matrix_grad(kind, X, lengthscale, variance, extra, xp=xp, kern=kern)
        return (G * xp.asarray(W)[None]).sum(axis=(1, 2))
    out = xp.zeros(p)
    if n:
        kern.pj_kcontract((grid_for(n * n, cap=2048),), (THREADS,),
                          (i32(kd), A, i64(n), i32(d), ls, i32(nls), f64(variance), f64(ex),
                           i32(p), xp.ascontiguousarray(W, dtype=np.float64), out))
    return out


def cholesky(K, jitter):
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


def _solve_tri():
    from cupyx.scipy.linalg import solve_triangular

    return solve_triangular


def cho_solve(L, B):
    """``(L L^T)^{-1} B`` for ``B`` of shape ``(n,)`` or ``(n, k)``."""
    solve = _solve_tri()
    Y = solve(L, B, lower=True)
    return solve(L, Y, trans="T", lower=True)


def cho_inverse(L):
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


def _ei(mu, sigma, best, xi, logspace, xp, kern):
    xp = xp or cupy()
    kern = kern or _kernels()
    mu = xp.ascontiguousarray(mu, dtype=np.float64)
    sigma = xp.ascontiguousarray(sigma, dtype=np.float64)
    n = int(mu.shape[0])
    out = xp.empty(n)
    if n:
        kern.pj_ei((grid_for(n),), (THREADS,),
                   (i64(n), mu, sigma, f64(best), f64(xi), i32(logspace), out))
    return out


def expected_improvement(mu, sigma, best, xi, *, xp=None, kern=None):
    """EI for minimisation, ``E[max(best - xi - f, 0)]``, ``f ~ N(mu, sigma^2)``."""
    return _ei(mu, sigma, best, xi, 0, xp, kern)


def log_expected_improvement(mu, sigma, best, xi, *, xp=None, kern=None):
    """``log EI``, accurate far in the tail (Ament et al. 2023)."""
    return _ei(mu, sigma, best, xi, 1, xp, kern)
