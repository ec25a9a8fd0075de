"""Matrix-free kernel products for any :class:`~pyjl.gp.Kernel`, in tiles of its own calls.

* :func:`matvec_tiled`: ``K(X1, X2) @ V`` over row blocks of ``kernel(X1[rows], X2)``;
  with ``X2 = None`` (``K(X1, X1)``) each block's square part is ``kernel(X1[rows])``,
  so a kernel whose value depends on identity (``White``) keeps its diagonal.
* :func:`grad_quad_tiled`: ``g[q] = sum_i U[:, i]^T dK/dtheta_q V[:, i]`` as contractions
  of ``W = U V^T`` tile by tile: a diagonal tile ``s`` through ``contract(X[s], sym W[s, s])``,
  a pair of tiles ``s < t`` through ``contract`` on ``X[s + t]`` with only the off-diagonal
  blocks of ``W`` filled (``dK`` is symmetric, so ``W`` counts through ``W + W^T``).

Memory is ``O(tile * n)`` for the products and ``O(p tile^2)`` for the gradient, never
``O(n^2)``; the work is that of the dense evaluation.  pyjl's own kernels override both
(engine kernels, closed forms); these are the defaults for users' kernels.
"""

from __future__ import annotations

import numpy as np

from .interface import contract

__all__ = ["matvec_tiled", "grad_quad_tiled", "TILE_ENTRIES", "GRAD_TILE"]

#: Kernel values per row block of :func:`matvec_tiled` (2 MiB of float64).
TILE_ENTRIES = 1 << 18
#: Points per tile of :func:`grad_quad_tiled` (a contraction on ``2 * GRAD_TILE`` points).
GRAD_TILE = 256


def _rows(n1: int, n2: int) -> int:
    return int(max(1, min(max(n1, 1), TILE_ENTRIES // max(n2, 1))))


def matvec_tiled(kernel, X1: np.ndarray, X2: np.ndarray | None, V: np.ndarray) -> np.ndarray:
    """``K(X1, X2) @ V``, ``(n1, k)``, from row blocks of ``kernel`` (``X2=None``: ``X1``)."""
    same = X2 is None
    X2b = X1 if X2 is None else X2
    n1 = X1.shape[0]
    out = np.empty((n1, V.shape[1]))
    step = _rows(n1, X2b.shape[0])
    for s in range(0, n1, step):
        e = min(n1, s + step)
        Kb = np.array(kernel(X1[s:e], X2b), dtype=np.float64)
        if same:
            Kb[:, s:e] = kernel(X1[s:e])
        out[s:e] = Kb @ V
    return out


def grad_quad_tiled(kernel, X: np.ndarray, U: np.ndarray, V: np.ndarray) -> np.ndarray:
    """``(p,)``: ``sum_i U[:, i]^T dK/dtheta_q V[:, i]`` through ``contract`` on tiles."""
    n = X.shape[0]
    b = GRAD_TILE
    starts = list(range(0, n, b))
    g = np.zeros(np.asarray(kernel.theta).size)
    for a, s in enumerate(starts):
        es = min(n, s + b)
        Wss = U[s:es] @ V[s:es].T
        g += contract(kernel, X[s:es], np.ascontiguousarray(0.5 * (Wss + Wss.T)))
        for t in starts[a + 1 :]:
            et = min(n, t + b)
            M = U[s:es] @ V[t:et].T + V[s:es] @ U[t:et].T  # W[s, t] + W[t, s]^T
            ns = es - s
            W = np.zeros((ns + et - t, ns + et - t))
            W[:ns, ns:] = 0.5 * M
            W[ns:, :ns] = 0.5 * M.T
            g += contract(kernel, np.concatenate([X[s:es], X[t:et]]), W)
    return g
