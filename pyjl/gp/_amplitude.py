"""Kernels whose one hyperparameter is their variance: ``K = s2 B(X1, X2)``.

``Linear`` (``B = X1 X2^T``), ``White`` (``B = I`` on ``k(X)``, zero between two sets) and
``Constant`` (``B = 1``); their public home is :mod:`pyjl.gp.kernels`.
"""

from __future__ import annotations

import numpy as np

from ._base import DEFAULT_BOUNDS, Parametric
from ._checks import as_points


class _Amplitude(Parametric):
    """A kernel with one hyperparameter, its variance ``s2``: ``K = s2 * B(X1, X2)``."""

    def __init__(self, variance=1.0, *, variance_bounds=DEFAULT_BOUNDS):
        self._add("variance", variance, variance_bounds)

    def _base(self, X1, X2, same: bool) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, X1, X2=None) -> np.ndarray:
        X1 = as_points(X1, "X1")
        X2b = X1 if X2 is None else as_points(X2, "X2", X1.shape[1])
        return float(self._values["variance"][0]) * self._base(X1, X2b, X2 is None)

    def gradient(self, X):
        K = self(X)
        return K, (K[None] if self._mask()[0] else np.empty((0,) + K.shape))

    def contract(self, X, W) -> np.ndarray:
        if not self._mask()[0]:
            return np.empty(0)
        return np.array([np.vdot(np.asarray(W), self(X))])

    def grad_quad(self, X, U, V) -> np.ndarray:
        # dK/dlog s2 = K, so the sum is sum_i U_i^T K V_i
        if not self._mask()[0]:
            return np.empty(0)
        return np.array([float(np.vdot(np.asarray(U), self.matvec(X, None, V)))])


class Linear(_Amplitude):
    """Dot-product kernel ``s2 x . x'`` (add a :class:`Constant` for an offset).

    Parameters
    ----------
    variance : float, default 1.0
        Variance (the slope's prior variance) ``s2``, ``> 0`` and ``<= 1e150``.
    variance_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``variance`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    variance : float
        The current variance (the slope's prior variance) ``s2``.
    theta : ndarray of shape (1,) (``(0,)`` when fixed), dtype float64
        ``[log(variance)]``; assigning a vector sets it.
    bounds : ndarray of shape (1, 2) (``(0, 2)`` when fixed), dtype float64
        ``log`` of ``variance_bounds``.
    hyperparameter_names : list of str
        ``["variance"]`` (``[]`` when fixed).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.distance import cdist
    >>> from pyjl.gp import Linear
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> r = cdist(X, X)
    >>> bool(np.allclose(Linear(variance=2.0)(X), 2.0 * X @ X.T))
    True
    """

    def _base(self, X1, X2, same):
        return X1 @ X2.T

    def matvec(self, X1, X2, V):
        X1 = as_points(X1, "X1")
        X2b = X1 if X2 is None else as_points(X2, "X2", X1.shape[1])
        V = np.asarray(V, dtype=np.float64).reshape(X2b.shape[0], -1)
        return float(self._values["variance"][0]) * (X1 @ (X2b.T @ V))

    def diag(self, X):
        X = as_points(X, "X")
        return float(self._values["variance"][0]) * np.einsum("ij,ij->i", X, X)


class White(_Amplitude):
    """White noise ``s2 I`` on ``k(X)``; zero between two point sets (as scikit-learn).

    Parameters
    ----------
    variance : float, default 1.0
        Noise variance ``s2``, ``> 0`` and ``<= 1e150``.
    variance_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``variance`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    variance : float
        The current noise variance ``s2``.
    theta : ndarray of shape (1,) (``(0,)`` when fixed), dtype float64
        ``[log(variance)]``; assigning a vector sets it.
    bounds : ndarray of shape (1, 2) (``(0, 2)`` when fixed), dtype float64
        ``log`` of ``variance_bounds``.
    hyperparameter_names : list of str
        ``["variance"]`` (``[]`` when fixed).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.distance import cdist
    >>> from pyjl.gp import White
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> r = cdist(X, X)
    >>> bool(np.allclose(White(variance=0.1)(X), 0.1 * np.eye(5)))
    True
    """

    def _base(self, X1, X2, same):
        return np.eye(X1.shape[0]) if same else np.zeros((X1.shape[0], X2.shape[0]))

    def matvec(self, X1, X2, V):
        X1 = as_points(X1, "X1")
        n2 = X1.shape[0] if X2 is None else as_points(X2, "X2", X1.shape[1]).shape[0]
        V = np.asarray(V, dtype=np.float64).reshape(n2, -1)
        if X2 is not None:
            return np.zeros((X1.shape[0], V.shape[1]))
        return float(self._values["variance"][0]) * V

    def diag(self, X):
        return np.full(as_points(X, "X").shape[0], float(self._values["variance"][0]))

    def contract(self, X, W) -> np.ndarray:
        if not self._mask()[0]:
            return np.empty(0)
        return np.array([float(self._values["variance"][0]) * np.trace(np.asarray(W))])


class Constant(_Amplitude):
    """Constant covariance ``s2`` everywhere.

    Parameters
    ----------
    variance : float, default 1.0
        Constant value ``s2``, ``> 0`` and ``<= 1e150``.
    variance_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``variance`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    variance : float
        The current constant value ``s2``.
    theta : ndarray of shape (1,) (``(0,)`` when fixed), dtype float64
        ``[log(variance)]``; assigning a vector sets it.
    bounds : ndarray of shape (1, 2) (``(0, 2)`` when fixed), dtype float64
        ``log`` of ``variance_bounds``.
    hyperparameter_names : list of str
        ``["variance"]`` (``[]`` when fixed).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.distance import cdist
    >>> from pyjl.gp import Constant
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> r = cdist(X, X)
    >>> bool(np.allclose(Constant(variance=3.0)(X), np.full((5, 5), 3.0)))
    True
    """

    def _base(self, X1, X2, same):
        return np.ones((X1.shape[0], X2.shape[0]))

    def matvec(self, X1, X2, V):
        X1 = as_points(X1, "X1")
        n2 = X1.shape[0] if X2 is None else as_points(X2, "X2", X1.shape[1]).shape[0]
        V = np.asarray(V, dtype=np.float64).reshape(n2, -1)
        s2 = float(self._values["variance"][0])
        return np.repeat(s2 * V.sum(axis=0, keepdims=True), X1.shape[0], axis=0)

    def diag(self, X):
        return np.full(as_points(X, "X").shape[0], float(self._values["variance"][0]))

    def contract(self, X, W) -> np.ndarray:
        if not self._mask()[0]:
            return np.empty(0)
        return np.array([float(self._values["variance"][0]) * float(np.sum(W))])
