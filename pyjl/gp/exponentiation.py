"""A kernel raised to a fixed power, ``k ** p`` (scikit-learn's ``Exponentiation``).

``k(x, x')^p`` is positive semi-definite for a whole ``p`` (a Schur product of ``k``
with itself), and for any ``p > 0`` when ``k`` is infinitely divisible (``RBF^p`` is an
``RBF`` of lengthscale ``l / sqrt(p)``, ``Matern12^p`` a ``Matern12`` of ``l / p``).
The gradient is ``p k^(p-1) dk/dtheta``; ``theta`` is the inner kernel's (the exponent
is fixed, as in scikit-learn).

>>> import numpy as np
>>> from pyjl.gp import RBF
>>> X = np.random.default_rng(0).uniform(0, 1, (4, 2))
>>> k = RBF(0.8) ** 2
>>> bool(np.allclose(k(X), RBF(0.8 / np.sqrt(2))(X)))
True
"""

from __future__ import annotations

import numpy as np

from .._validate import error
from ._checks import as_points, positive
from .combinators import Scaled, grad_rows, one_kernel
from .interface import KernelBase, contract, names

__all__ = ["Exponentiation"]


class Exponentiation(KernelBase):
    """``k(x, x')^exponent``; see the module docstring.

    Parameters
    ----------
    kernel : Kernel
        The kernel raised to the power.
    exponent : float
        The power, ``> 0`` and fixed; a fractional one needs a kernel whose values are
        ``>= 0`` (not :class:`~pyjl.gp.Linear`'s).

    Attributes
    ----------
    theta : ndarray of shape (n_theta,), dtype float64
        ``kernel.theta``; assigning a vector sets it.
    bounds : ndarray of shape (n_theta, 2), dtype float64
        ``kernel.bounds``.
    hyperparameter_names : list of str
        ``"k.name"`` for each of ``kernel``'s.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import Exponentiation, Linear
    >>> X = np.array([[1.0], [2.0]])
    >>> (Linear() ** 2)(X).tolist(), Exponentiation(Linear(), 3)(X)[0].tolist()
    ([[1.0, 4.0], [4.0, 16.0]], [1.0, 8.0])
    """

    def __init__(self, kernel, exponent):
        self.kernel = one_kernel(kernel)
        self.exponent = positive(exponent, "Exponentiation.exponent")

    @property
    def theta(self) -> np.ndarray:
        return np.asarray(self.kernel.theta, dtype=np.float64).ravel()

    @theta.setter
    def theta(self, theta) -> None:
        self.kernel.theta = theta

    @property
    def bounds(self) -> np.ndarray:
        return np.asarray(self.kernel.bounds, dtype=np.float64).reshape(-1, 2)

    @property
    def hyperparameter_names(self) -> list[str]:
        return [f"k.{n}" for n in names(self.kernel)]

    def _power(self, K) -> np.ndarray:
        K = self._checked(K)
        return K**self.exponent

    def _checked(self, K) -> np.ndarray:
        """``K`` as float64, refused where a fractional power meets a negative value."""
        K = np.asarray(K, dtype=np.float64)
        p = self.exponent
        if not float(p).is_integer() and K.size and K.min() < 0:
            raise error(
                "Exponentiation.exponent",
                "must be a whole number for a kernel with negative values "
                f"({type(self.kernel).__name__} gives {float(K.min()):.3g})",
                repr(p),
                "use a whole exponent, or a kernel whose values are >= 0",
            )
        return K

    def _slope(self, K0: np.ndarray) -> np.ndarray:
        """``p k^(p-1)``, with 0 where ``k`` is 0 (its gradient is 0 there too: the
        kernel underflowed) so that ``p < 1`` gives no ``0 * inf``."""
        p = self.exponent
        with np.errstate(divide="ignore", invalid="ignore"):
            out = p * K0 ** (p - 1.0)
        return np.where(K0 == 0, 0.0 if p != 1 else 1.0, out)

    def __call__(self, X1, X2=None):
        return self._power(self.kernel(X1, X2))

    def diag(self, X):
        return self._power(self.kernel.diag(X))

    def gradient(self, X):
        X = as_points(X, "X")
        K0, dK0 = self.kernel.gradient(X)
        K0 = np.asarray(K0, dtype=np.float64)
        K = self._power(K0)
        return K, grad_rows(self.kernel, dK0, K.shape) * self._slope(K0)[None]

    def contract(self, X, W):
        X = as_points(X, "X")
        K0 = self._checked(self.kernel(X))  # the power itself is not needed here
        W = np.asarray(W, dtype=np.float64)
        return contract(self.kernel, X, np.ascontiguousarray(W * self._slope(K0)))

    def __repr__(self) -> str:
        # ** binds tighter than * and is right-associative: a scaled or powered base needs
        # its parentheses for the text to build this kernel again
        base = repr(self.kernel)
        if isinstance(self.kernel, (Exponentiation, Scaled)):
            base = f"({base})"
        return f"{base} ** {self.exponent!r}"
