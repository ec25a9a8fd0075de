"""The ``K + diag(noise)`` operator of a GP, matrix-free.

``K = kernel(X, X)`` is never formed: products go through the kernel's ``matvec``
(:func:`pyjl.gp.interface.matvec`), the preconditioner reads the diagonal and a few rows.
"""

from __future__ import annotations

import numpy as np

from ..interface import matvec, writable

__all__ = ["KernelOperator"]


class KernelOperator:
    """``A = k(X, X) + diag(noise)`` as products, its diagonal and selected rows.

    Parameters
    ----------
    kernel : Kernel
        The covariance function.
    X : ndarray of shape (n, d), dtype float64
        The points.
    noise : ndarray of shape (n,), dtype float64
        The diagonal added to ``k(X, X)``.

    Attributes
    ----------
    n : int
        The size of ``A``.
    n_matvecs : int
        Columns multiplied so far (a column of an ``(n, k)`` block counts once).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import RBF
    >>> X = np.random.default_rng(0).uniform(0, 1, (50, 2))
    >>> A = KernelOperator(RBF(0.5), X, np.full(50, 0.1))
    >>> V = np.ones((50, 1))
    >>> bool(np.allclose(A @ V, (RBF(0.5)(X) + 0.1 * np.eye(50)) @ V))
    True
    """

    def __init__(self, kernel, X: np.ndarray, noise: np.ndarray):
        self.kernel, self.X = kernel, X
        self.noise = np.asarray(noise, dtype=np.float64)
        self.n = X.shape[0]
        self.n_matvecs = 0

    def __matmul__(self, V: np.ndarray) -> np.ndarray:
        """``A @ V`` for ``V`` ``(n, k)``: ``(n, k)``."""
        V = np.ascontiguousarray(V, dtype=np.float64)
        self.n_matvecs += V.shape[1]
        out = writable(self.kernel, matvec(self.kernel, self.X, None, V))
        out += self.noise[:, None] * V
        return out

    def kernel_diag(self) -> np.ndarray:
        """``(n,)``: the diagonal of ``k(X, X)`` (noise excluded)."""
        return np.asarray(self.kernel.diag(self.X), dtype=np.float64)

    def kernel_rows(self, idx: np.ndarray) -> np.ndarray:
        """``(len(idx), n)``: rows ``idx`` of ``k(X, X)`` (noise excluded); the entries on
        the diagonal are ``kernel.diag``, so a kernel that is nonzero only for identical
        points (``White``) keeps its value there."""
        idx = np.asarray(idx, dtype=np.intp)
        R = np.array(self.kernel(self.X[idx], self.X), dtype=np.float64)
        R[np.arange(idx.size), idx] = np.asarray(self.kernel.diag(self.X[idx]))
        return R
