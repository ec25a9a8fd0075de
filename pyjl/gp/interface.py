"""The ``Kernel`` protocol: what a covariance function must provide to plug into pyjl.

A kernel is a positive semi-definite function ``k(x, x')`` with hyperparameters
kept in log space.  :class:`~pyjl.gp.GaussianProcess` needs only this protocol,
so a user's own kernel plugs in with no change to pyjl (check it with
:func:`pyjl.testing.check_kernel`):

========================  ===============================================================
member                    meaning
========================  ===============================================================
``theta``                 ``(p,)`` float64, the free hyperparameters as ``log`` values;
                          settable (assigning a new vector changes the kernel)
``bounds``                ``(p, 2)`` float64, lower/upper bounds of ``theta`` (log space)
``__call__(X1, X2=None)`` ``(n1, n2)`` covariance; ``X2=None`` means ``X2 = X1``
``diag(X)``               ``(n,)``, the diagonal of ``k(X, X)`` without forming it
``gradient(X)``           ``(K (n, n), dK (p, n, n))``, ``dK[q] = dK/dtheta[q]``
========================  ===============================================================

Optional members (:class:`KernelBase` has defaults for all three):

=============================  ==========================================================
member                         meaning
=============================  ==========================================================
``contract(X, W)``             ``(p,)``: ``sum_ij W_ij dK_ij/dtheta_q`` for a symmetric
                               ``W`` ``(n, n)`` (the exact likelihood gradient needs only
                               this; default: from ``gradient``)
``matvec(X1, X2, V)``          ``(n1, k)``: ``K(X1, X2) @ V`` for ``V`` ``(n2, k)``;
                               ``X2=None`` means ``K(X1, X1)`` as in ``__call__``
                               (default: row tiles of ``__call__``, memory ``O(tile n)``)
``grad_quad(X, U, V)``         ``(p,)``: ``sum_i U[:, i]^T dK/dtheta_q V[:, i]`` for
                               ``U, V`` ``(n, k)`` (default: tiles through ``contract``)
=============================  ==========================================================

The iterative solver (``GaussianProcess(solver="cg")``) needs only ``matvec``,
``grad_quad``, ``diag`` and ``__call__`` on row blocks, so a kernel that overrides the two
products never forms an ``(n, n)`` matrix.  Deriving from :class:`KernelBase` gives ``+``,
``*``, scalar scaling, the three defaults and ``clone_with_theta`` for free.

Example
-------
>>> import numpy as np
>>> class Cosine(KernelBase):
...     '''k(x, x') = s * cos(sum(x - x')), hyperparameter s (log space).'''
...     def __init__(self, s=1.0):
...         self.s = float(s)
...     theta = property(lambda self: np.log([self.s]),
...                      lambda self, t: setattr(self, "s", float(np.exp(t[0]))))
...     bounds = property(lambda self: np.log([[1e-5, 1e5]]))
...     def __call__(self, X1, X2=None):
...         X2 = X1 if X2 is None else X2
...         return self.s * np.cos(X1.sum(1)[:, None] - X2.sum(1)[None, :])
...     def diag(self, X):
...         return np.full(len(X), self.s)
...     def gradient(self, X):
...         K = self(X)
...         return K, K[None]
>>> k = 2.0 * Cosine(0.5)     # composes with pyjl kernels and scalars
>>> round(float(k(np.zeros((1, 1)))[0, 0]), 6)
1.0
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from .._params import Params

__all__ = ["Kernel", "KernelBase", "names", "returns_new_arrays", "writable"]


@runtime_checkable
class Kernel(Protocol):
    """A covariance function with log-space hyperparameters (see the module docstring).

    Examples
    --------
    >>> from pyjl.gp import Kernel, Matern52
    >>> isinstance(Matern52(), Kernel), isinstance(object(), Kernel)
    (True, False)
    """

    @property
    def theta(self) -> np.ndarray: ...

    @property
    def bounds(self) -> np.ndarray: ...

    def __call__(self, X1: np.ndarray, X2: np.ndarray | None = None) -> np.ndarray: ...

    def diag(self, X: np.ndarray) -> np.ndarray: ...

    def gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


def names(kernel: Kernel) -> list[str]:
    """The names of ``kernel``'s ``theta``: its ``hyperparameter_names`` where it has them,
    else ``theta[0]``, ``theta[1]``, ...

    Examples
    --------
    >>> from pyjl.gp import RBF
    >>> names(RBF([1.0, 2.0]))
    ['lengthscale[0]', 'lengthscale[1]', 'variance']
    """
    return list(getattr(kernel, "hyperparameter_names", None) or []) or [
        f"theta[{j}]" for j in range(np.asarray(kernel.theta).size)
    ]


def returns_new_arrays(kernel: Kernel) -> bool:
    """Whether ``kernel``'s outputs are new arrays at each call, free to change in place:
    only pyjl's own kernel classes are trusted to be (a kernel of one's own, a
    :class:`KernelBase` subclass included, may keep and hand back the same array).

    Examples
    --------
    >>> from pyjl.gp import RBF
    >>> returns_new_arrays(RBF()), returns_new_arrays(2.0 * RBF() + RBF())
    (True, True)
    """
    return type(kernel).__module__.startswith("pyjl.gp.")


def writable(kernel: Kernel, K) -> np.ndarray:
    """``K``, an output of ``kernel``, as a C-contiguous float64 array that may be changed in
    place: itself where :func:`returns_new_arrays` trusts ``kernel`` and ``K`` is such an
    array already, else a copy."""
    K = np.asarray(K, dtype=np.float64)
    if returns_new_arrays(kernel) and K.flags.c_contiguous and K.flags.writeable:
        return K
    return np.array(K, order="C")


def contract(kernel: Kernel, X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``sum_ij W_ij dK_ij/dtheta_q`` through ``kernel.contract`` when it exists."""
    fn = getattr(kernel, "contract", None)
    if fn is not None:
        return np.asarray(fn(X, W), dtype=np.float64)
    _, dK = kernel.gradient(X)
    return np.einsum("ij,qij->q", W, np.asarray(dK), optimize=True)


def matvec(kernel: Kernel, X1: np.ndarray, X2: np.ndarray | None, V: np.ndarray) -> np.ndarray:
    """``K(X1, X2) @ V`` ``(n1, k)`` through ``kernel.matvec`` when it exists, else in tiles."""
    fn = getattr(kernel, "matvec", None)
    if fn is not None:
        return np.asarray(fn(X1, X2, V), dtype=np.float64)
    from ._tiled import matvec_tiled

    return matvec_tiled(kernel, X1, X2, V)


def grad_quad(kernel: Kernel, X: np.ndarray, U: np.ndarray, V: np.ndarray) -> np.ndarray:
    """``sum_i U[:, i]^T dK/dtheta_q V[:, i]`` ``(p,)`` through ``kernel.grad_quad`` when
    it exists, else in tiles through ``contract``."""
    fn = getattr(kernel, "grad_quad", None)
    if fn is not None:
        return np.asarray(fn(X, U, V), dtype=np.float64)
    from ._tiled import grad_quad_tiled

    return grad_quad_tiled(kernel, X, U, V)


class KernelBase(Params):
    """Mixin giving any :class:`Kernel` composition operators and helpers.

    ``k1 + k2`` is a :class:`~pyjl.gp.combinators.Sum`, ``k1 * k2`` a
    :class:`~pyjl.gp.combinators.Product` (both flatten nested sums/products),
    ``c * k`` scales the kernel's variance (folded into a built-in kernel's own
    ``variance``; a :class:`~pyjl.gp.combinators.Scaled` wrapper around any other kernel,
    a user's with a ``variance`` of its own too), ``c + k`` adds a
    :class:`~pyjl.gp.kernels.Constant`, ``k ** p`` is an
    :class:`~pyjl.gp.exponentiation.Exponentiation`; ``==`` compares the type and the
    constructor arguments, as scikit-learn's kernels do.

    Examples
    --------
    >>> from pyjl.gp import KernelBase, RBF
    >>> isinstance(RBF(), KernelBase), isinstance(2.0 * RBF() + RBF(), KernelBase)
    (True, True)
    """

    if TYPE_CHECKING:  # the primary members a subclass implements (see Kernel)
        theta: Any

        def gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    # -- derived members -------------------------------------------------------------
    @property
    def n_dims(self) -> int:
        """Number of free hyperparameters (``len(theta)``)."""
        return int(np.asarray(self.theta).size)

    @property
    def hyperparameter_names(self) -> list[str]:
        return [f"theta[{i}]" for i in range(self.n_dims)]

    def contract(self, X: np.ndarray, W: np.ndarray) -> np.ndarray:
        """``(p,)``: ``sum_ij W_ij dK_ij/dtheta_q`` (default: from :meth:`gradient`)."""
        _, dK = self.gradient(X)
        return np.einsum("ij,qij->q", W, np.asarray(dK), optimize=True)

    def matvec(self, X1: np.ndarray, X2: np.ndarray | None, V: np.ndarray) -> np.ndarray:
        """``(n1, k)``: ``K(X1, X2) @ V`` (``X2=None``: ``X1``), in row tiles of ``__call__``."""
        from ._tiled import matvec_tiled

        return matvec_tiled(self, X1, X2, V)

    def grad_quad(self, X: np.ndarray, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        """``(p,)``: ``sum_i U[:, i]^T dK/dtheta_q V[:, i]``, in tiles through ``contract``."""
        from ._tiled import grad_quad_tiled

        return grad_quad_tiled(self, X, U, V)

    def clone_with_theta(self, theta) -> KernelBase:
        """A deep copy of this kernel with hyperparameters ``theta`` (log space)."""
        new = copy.deepcopy(self)
        new.theta = np.asarray(theta, dtype=np.float64)
        return new

    # -- operators ---------------------------------------------------------------------
    # a number adds a Constant or scales; a bool is refused (True * k read as 1 * k)
    def __add__(self, other):
        from .combinators import Sum
        from .kernels import Constant

        if _number(other):
            return Sum([self, Constant(float(other))])
        if isinstance(other, Kernel):
            return Sum([self, other])
        return NotImplemented

    def __radd__(self, other):
        from .combinators import Sum
        from .kernels import Constant

        if _number(other):
            return Sum([Constant(float(other)), self])
        if isinstance(other, Kernel):
            return Sum([other, self])
        return NotImplemented

    def __mul__(self, other):
        from .combinators import Product, scale

        if _number(other):
            return scale(self, float(other))
        if isinstance(other, Kernel):
            return Product([self, other])
        return NotImplemented

    def __rmul__(self, other):
        from .combinators import Product, scale

        if _number(other):
            return scale(self, float(other))
        if isinstance(other, Kernel):
            return Product([other, self])
        return NotImplemented

    def __pow__(self, other):
        from .exponentiation import Exponentiation

        if _number(other):
            return Exponentiation(self, float(other))
        return NotImplemented

    def __eq__(self, other):
        """Same type and the same constructor arguments, as read back now (kernels inside
        compared alike, arrays by value): scikit-learn's kernel equality.  Kernels are
        therefore unhashable, as scikit-learn's are."""
        if self is other:
            return True
        if type(self) is not type(other) or self._held() is None or other._held() is None:
            return False  # a kernel whose settings cannot be read back is only itself
        mine, theirs = self.get_params(deep=False), other.get_params(deep=False)
        return mine.keys() == theirs.keys() and all(_same(mine[k], theirs[k]) for k in mine)

    __hash__ = None  # type: ignore[assignment]


def _same(a, b) -> bool:
    """Whether two constructor arguments of kernels are equal (see ``__eq__``)."""
    if isinstance(a, Kernel) or isinstance(b, Kernel):
        return bool(a == b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return a is b


def _number(other) -> bool:
    """Whether ``other`` is a real number a kernel can be added to or scaled by (a bool
    is not: Python's ``True`` is an ``int``)."""
    return isinstance(other, (int, float, np.floating, np.integer)) and not isinstance(other, bool)
