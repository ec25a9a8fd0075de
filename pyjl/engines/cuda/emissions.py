"""HMM emission kernels of the ``cuda`` engine: Gaussian log-densities and weighted moments.

``gaussian_loglik`` (CUDA C in ``emissions.cu``) is one CUDA thread per
``(t, k)`` entry with the native engine's arithmetic (differences, not the
``x^2 - 2 x m + m^2`` expansion, so no cancellation far from the origin);
``weighted_moments`` is three cuBLAS products ``W^T 1``, ``W^T (X - shift)``,
``W^T (X - shift)^2``.

Layout (trusted): ``X (T, d)``, ``mean``/``var`` ``(K, d)``, ``W (T, K)``,
``shift (d,)``, float64 C-contiguous device arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .common import THREADS, Array, cupy, grid_for, i32, i64, module

__all__ = ["gaussian_loglik", "weighted_moments", "NAME", "KERNELS"]

#: The kernel source, ``emissions.cu``, and its kernels.
NAME = "emissions"
KERNELS = ("pj_gauss_ll",)


def _kernels() -> Any:
    return module(NAME, KERNELS)


def gaussian_loglik(
    X: Array, mean: Array, var: Array, *, xp: Any = None, kern: Any = None
) -> Array:
    """``out[t, k] = sum_j log N(X[t, j]; mean[k, j], var[k, j])``, ``(T, K)``."""
    xp = xp or cupy()
    kern = kern or _kernels()
    T, d, K = int(X.shape[0]), int(X.shape[1]), int(mean.shape[0])
    siv = xp.ascontiguousarray(1.0 / xp.sqrt(var))
    cst = xp.ascontiguousarray(-0.5 * (d * np.log(2.0 * np.pi) + xp.log(var).sum(axis=1)))
    out = xp.empty((T, K))
    if T * K:
        kern.pj_gauss_ll(
            (grid_for(T * K),),
            (THREADS,),
            (
                i64(T),
                i32(K),
                i32(d),
                xp.ascontiguousarray(X),
                xp.ascontiguousarray(mean),
                siv,
                cst,
                out,
            ),
        )
    return out


def weighted_moments(
    X: Array, W: Array, shift: Array, *, xp: Any = None
) -> tuple[Array, Array, Array]:
    """``(N (K,), S1 (K, d), S2 (K, d))``: ``N = W.sum(0)``, ``S1 = W.T (X - shift)``,
    ``S2 = W.T (X - shift)^2``."""
    xp = xp or cupy()
    Xc = X - xp.asarray(shift)[None, :]
    return (
        xp.ascontiguousarray(W.sum(axis=0)),
        xp.ascontiguousarray(W.T @ Xc),
        xp.ascontiguousarray(W.T @ (Xc * Xc)),
    )
