"""HMM emission kernels of the ``cuda`` engine: Gaussian log-densities and weighted moments.

``gaussian_loglik`` is one CUDA thread per ``(t, k)`` entry with the native
engine's arithmetic (differences, not the ``x^2 - 2 x m + m^2`` expansion, so
no cancellation far from the origin); ``weighted_moments`` is three cuBLAS
products ``W^T 1``, ``W^T (X - shift)``, ``W^T (X - shift)^2``.

Layout (trusted): ``X (T, d)``, ``mean``/``var`` ``(K, d)``, ``W (T, K)``,
``shift (d,)``, float64 C-contiguous device arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .cuda_common import THREADS, cupy, grid_for, i32, i64, module

__all__ = ["gaussian_loglik", "weighted_moments", "SOURCE", "KERNELS"]

SOURCE = r"""
// out[t, k] = cst[k] - 0.5 sum_j ((X[t, j] - mean[k, j]) siv[k, j])^2, siv = 1 / sd:
// scaling before squaring keeps it finite wherever it is representable
PJ_KERNEL void pj_gauss_ll(long long T, int K, int d, const double* X, const double* mean,
                           const double* siv, const double* cst, double* out) {
    PJ_GRID_STRIDE(idx, T * K) {
        long long t = idx / K;
        int k = (int)(idx % K);
        double acc = 0.0;
        for (int j = 0; j < d; ++j) {
            double z = (X[t * d + j] - mean[k * d + j]) * siv[k * d + j];
            acc = acc + z * z;
        }
        out[idx] = cst[k] - 0.5 * acc;
    }
}
"""

KERNELS = ("pj_gauss_ll",)


def _kernels() -> Any:
    return module("emissions", SOURCE, KERNELS)


def gaussian_loglik(X, mean, var, *, xp=None, kern=None):
    """``out[t, k] = sum_j log N(X[t, j]; mean[k, j], var[k, j])``, ``(T, K)``."""
    xp = xp or cupy()
    kern = kern or _kernels()
    T, d, K = int(X.shape[0]), int(X.shape[1]), int(mean.shape[0])
    siv = xp.ascontiguousarray(1.0 / xp.sqrt(var))
    cst = xp.ascontiguousarray(-0.5 * (d * np.log(2.0 * np.pi) + xp.log(var).sum(axis=1)))
    out = xp.empty((T, K))
    if T * K:
        kern.pj_gauss_ll((grid_for(T * K),), (THREADS,),
                         (i64(T), i32(K), i32(d), xp.ascontiguousarray(X),
                          xp.ascontiguousarray(mean), siv, cst, out))
    return out


def weighted_moments(X, W, shift, *, xp=None):
    """``(N (K,), S1 (K, d), S2 (K, d))``: ``N = W.sum(0)``, ``S1 = W.T (X - shift)``,
    ``S2 = W.T (X - shift)^2``."""
    xp = xp or cupy()
    Xc = X - xp.asarray(shift)[None, :]
    return (xp.ascontiguousarray(W.sum(axis=0)), xp.ascontiguousarray(W.T @ Xc),
            xp.ascontiguousarray(W.T @ (Xc * Xc)))
