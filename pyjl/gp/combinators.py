"""Kernel composition: sums, products and scaling of any :class:`~pyjl.gp.Kernel`.

* ``Sum([k1, k2, ...])``: ``k(x, x') = sum_i k_i(x, x')``;
* ``Product([k1, k2, ...])``: ``k(x, x') = prod_i k_i(x, x')``;
* ``Scaled(k, c)``: ``c * k(x, x')`` with ``c`` a log-space hyperparameter.

Nested sums and products flatten (``k1 + (k2 + k3)`` is one ``Sum`` of three),
and ``theta`` is the concatenation of the parts' ``theta``: one slot per occurrence, so a
kernel object met twice (``k + k * Periodic()``) is deep-copied where it comes again, and
each occurrence has hyperparameters of its own (as scikit-learn's ``clone`` unties them).
Gradients follow the sum and product rules; :meth:`contract` of a product contracts each
factor with ``W`` times the other factors, so no ``(p, n, n)`` tensor is formed.

>>> from pyjl.gp import RBF, White, Periodic
>>> k = RBF(1.0) * Periodic(1.0, period=2.0) + White(0.1)
>>> type(k).__name__, len(k.parts), k.theta.shape
('Sum', 2, (6,))
"""

from __future__ import annotations

import copy

import numpy as np

from .._validate import describe, error
from ._checks import as_points, bounds_pair, check_variance, log_values, positive
from .interface import Kernel, KernelBase, contract, grad_quad, matvec, names

__all__ = ["Sum", "Product", "Scaled", "scale", "grad_rows", "one_kernel", "kernels_in"]


def _theta_error(owner: str, want: int, got: int):
    return error(
        f"{owner}.theta",
        f"must hold {want} values (one per free hyperparameter)",
        f"{got} values",
        "assign a vector of the length of the kernel's theta",
    )


def kernels_in(kernel):
    """``kernel`` and every kernel inside it (through sums, products and wrappers of one
    kernel), depth first, each before its parts."""
    yield kernel
    inner = kernel.parts if isinstance(kernel, _Composite) else []
    if isinstance(getattr(kernel, "kernel", None), Kernel):  # Scaled, Exponentiation
        inner = [kernel.kernel]
    for k in inner:
        yield from kernels_in(k)


def _members(kernel) -> set[int]:
    """The ids of ``kernel`` and of every kernel inside it."""
    return {id(k) for k in kernels_in(kernel)}


def _untied(parts: list) -> list:
    """``parts`` with each one that holds a kernel object already met in an earlier one
    deep-copied.

    ``theta`` and the gradient count one slot per occurrence of a kernel; an object met
    twice would take the last of its slots' values while the gradient moves each slot on
    its own (scikit-learn's ``clone`` unties them alike)."""
    seen: set[int] = set()
    out = []
    for k in parts:
        ids = _members(k)
        if ids & seen:
            k = copy.deepcopy(k)
            ids = _members(k)
        seen |= ids
        out.append(k)
    return out


def one_kernel(
    kernel,
    name: str = "kernel",
    *,
    at: str = "",
    fix: str = "pass a kernel instance such as RBF(1.0)",
):
    """``kernel``, refused unless it is a kernel instance (of a wrapper such as
    :class:`Scaled`, or ``at`` an index of a list of parts)."""
    if not isinstance(kernel, Kernel) or isinstance(kernel, type):
        raise error(
            name,
            "must implement the pyjl.gp.Kernel protocol (theta, bounds, __call__, diag, gradient)",
            f"{describe(kernel)} of type {type(kernel).__name__}{at}",
            fix,
        )
    return kernel


def grad_rows(kernel, dK, shape) -> np.ndarray:
    """``kernel``'s gradient ``dK`` as ``(p, *shape)``, one slice per entry of its theta
    (also for zero points, where ``-1`` cannot be inferred)."""
    return np.asarray(dK, dtype=np.float64).reshape((np.asarray(kernel.theta).size, *shape))


class _Composite(KernelBase):
    _sym = "?"

    def __init__(self, parts):
        fix = "pass kernel instances, e.g. [RBF(1.0), Linear()]"
        try:
            parts = list(parts)
        except TypeError:
            raise error("parts", "must be a list of kernels", describe(parts), fix) from None
        if not parts:
            raise error("parts", "must hold at least one kernel", "[]", fix)
        flat = []
        for i, k in enumerate(parts):
            one_kernel(k, "parts", at=f" at index {i}", fix=fix)
            flat += list(k.parts) if type(k) is type(self) else [k]
        self.parts = _untied(flat)

    def _sizes(self) -> list[int]:
        return [np.asarray(k.theta).size for k in self.parts]

    @property
    def theta(self) -> np.ndarray:
        return (
            np.concatenate([np.asarray(k.theta, dtype=np.float64).ravel() for k in self.parts])
            if self.parts
            else np.empty(0)
        )

    @theta.setter
    def theta(self, theta) -> None:
        theta = np.asarray(theta, dtype=np.float64).ravel()
        sizes = self._sizes()
        if theta.size != sum(sizes):
            raise _theta_error(type(self).__name__, sum(sizes), theta.size)
        before, i = self.theta, 0
        try:
            for k, s in zip(self.parts, sizes):
                k.theta = theta[i : i + s]
                i += s
        except BaseException:  # a part refused its values: none of them changes
            self.theta = before
            raise

    @property
    def bounds(self) -> np.ndarray:
        rows = [np.asarray(k.bounds, dtype=np.float64).reshape(-1, 2) for k in self.parts]
        return np.vstack(rows) if rows else np.empty((0, 2))

    @property
    def hyperparameter_names(self) -> list[str]:
        return [f"{i}.{n}" for i, k in enumerate(self.parts) for n in names(k)]

    def __eq__(self, other):
        """The same type and equal parts in any order (``k1 + k2 == k2 + k1``, as in
        scikit-learn)."""
        if type(self) is not type(other):
            return False
        rest = list(other.parts)
        for k in self.parts:
            j = next((j for j, o in enumerate(rest) if k == o), None)
            if j is None:
                return False
            rest.pop(j)
        return not rest

    __hash__ = None

    def __repr__(self) -> str:
        return "(" + f" {self._sym} ".join(repr(k) for k in self.parts) + ")"


class Sum(_Composite):
    """``sum_i k_i``; see the module docstring.

    Parameters
    ----------
    parts : iterable of Kernel
        The kernels to add, at least one; a nested ``Sum`` is flattened into its parts.

    Attributes
    ----------
    parts : list of Kernel
        The flattened sum's kernels, in order: the kernels themselves, but a deep copy of
        one that holds a kernel object already in an earlier part (``k + k``), so that
        each occurrence has hyperparameters of its own.
    theta : ndarray of shape (n_theta,), dtype float64
        The parts' ``theta`` concatenated in order; assigning a vector sets each part's.
    bounds : ndarray of shape (n_theta, 2), dtype float64
        The parts' ``bounds`` stacked in order.
    hyperparameter_names : list of str
        ``"i.name"`` for the hyperparameter ``name`` of part ``i`` (``"0.lengthscale"``).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import RBF, White, Linear, Sum, Product, Scaled
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> k = RBF(0.5) + White(0.1)
    >>> isinstance(k, Sum), bool(np.allclose(k(X), RBF(0.5)(X) + 0.1 * np.eye(5)))
    (True, True)
    """

    _sym = "+"

    def __call__(self, X1, X2=None):
        return sum(k(X1, X2) for k in self.parts)

    def diag(self, X):
        return sum(np.asarray(k.diag(X), dtype=np.float64) for k in self.parts)

    def gradient(self, X):
        K, grads = 0.0, []
        for k in self.parts:
            Ki, dKi = k.gradient(X)
            K = K + Ki
            grads.append(grad_rows(k, dKi, np.shape(Ki)))
        return K, np.concatenate(grads, axis=0)

    def contract(self, X, W):
        return np.concatenate([contract(k, X, W) for k in self.parts])

    def matvec(self, X1, X2, V):
        return sum(matvec(k, X1, X2, V) for k in self.parts)

    def grad_quad(self, X, U, V):
        return np.concatenate([grad_quad(k, X, U, V) for k in self.parts])


class Product(_Composite):
    """``prod_i k_i``; see the module docstring.

    Parameters
    ----------
    parts : iterable of Kernel
        The kernels to multiply, at least one; a nested ``Product`` is flattened into its parts.

    Attributes
    ----------
    parts : list of Kernel
        The flattened product's kernels, in order: the kernels themselves, but a deep copy
        of one that holds a kernel object already in an earlier part (``k * k``), so that
        each occurrence has hyperparameters of its own.
    theta : ndarray of shape (n_theta,), dtype float64
        The parts' ``theta`` concatenated in order; assigning a vector sets each part's.
    bounds : ndarray of shape (n_theta, 2), dtype float64
        The parts' ``bounds`` stacked in order.
    hyperparameter_names : list of str
        ``"i.name"`` for the hyperparameter ``name`` of part ``i`` (``"0.lengthscale"``).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import RBF, White, Linear, Sum, Product, Scaled
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> k = RBF(0.5) * Linear()
    >>> isinstance(k, Product), bool(np.allclose(k(X), RBF(0.5)(X) * (X @ X.T)))
    (True, True)
    """

    _sym = "*"

    def __call__(self, X1, X2=None):
        K = np.array(self.parts[0](X1, X2), dtype=np.float64)  # a new array, always
        for k in self.parts[1:]:
            K = K * k(X1, X2)
        return K

    def diag(self, X):
        out = np.asarray(self.parts[0].diag(X), dtype=np.float64)
        for k in self.parts[1:]:
            out = out * np.asarray(k.diag(X), dtype=np.float64)
        return out

    def _others(self, X):
        Ks = [k(X) for k in self.parts]
        out = []
        for i in range(len(Ks)):
            P = np.ones_like(Ks[0])
            for j, Kj in enumerate(Ks):
                if j != i:
                    P = P * Kj
            out.append(P)
        return Ks, out

    def gradient(self, X):
        X = as_points(X, "X")
        Ks, others = self._others(X)
        grads = []
        for k, P in zip(self.parts, others):
            _, dKi = k.gradient(X)
            grads.append(grad_rows(k, dKi, P.shape) * P[None])
        return Ks[0] * others[0], np.concatenate(grads, axis=0)

    def contract(self, X, W):
        X = as_points(X, "X")
        W = np.asarray(W, dtype=np.float64)
        _, others = self._others(X)
        return np.concatenate(
            [contract(k, X, np.ascontiguousarray(W * P)) for k, P in zip(self.parts, others)]
        )


class Scaled(KernelBase):
    """``c * k`` with ``c`` (``scale``) a hyperparameter of its own (log space).

    Parameters
    ----------
    kernel : Kernel
        The kernel to scale (kept, not copied).
    scale : float, default 1.0
        The factor ``c > 0``.
    scale_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``scale`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    kernel : Kernel
        The scaled kernel.
    scale : float
        The current factor ``c``.
    scale_bounds : tuple of 2 floats or "fixed"
        As given, checked.
    theta : ndarray of shape (1 + n_theta_kernel,), dtype float64
        ``log(scale)`` (left out when fixed) followed by ``kernel.theta``; assigning a
        vector sets both.
    bounds : ndarray of shape (1 + n_theta_kernel, 2), dtype float64
        ``log(scale_bounds)`` (left out when fixed) above ``kernel.bounds``.
    hyperparameter_names : list of str
        ``"scale"`` (left out when fixed), then ``"k.name"`` for each of ``kernel``'s.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import RBF, White, Linear, Sum, Product, Scaled
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> k = Scaled(RBF(0.5), scale=3.0)
    >>> bool(np.allclose(k(X), 3.0 * RBF(0.5)(X)))
    True
    """

    def __init__(self, kernel, scale=1.0, *, scale_bounds=(1e-5, 1e5)):
        self.kernel = one_kernel(kernel)
        self.scale = positive(scale, "Scaled.scale")
        check_variance(self.scale, "Scaled.scale")
        self.scale_bounds = bounds_pair(scale_bounds, "Scaled.scale_bounds")
        if self.scale_bounds != "fixed":
            check_variance(self.scale_bounds[1], "Scaled.scale_bounds[1]")

    @property
    def theta(self):
        own = np.empty(0) if self.scale_bounds == "fixed" else np.log([self.scale])
        return np.concatenate([own, np.asarray(self.kernel.theta, dtype=np.float64).ravel()])

    @theta.setter
    def theta(self, theta):
        theta = np.asarray(theta, dtype=np.float64).ravel()
        if theta.size != self.theta.size:
            raise _theta_error("Scaled", self.theta.size, theta.size)
        if self.scale_bounds != "fixed":
            scale = float(log_values(theta[:1], "Scaled.theta")[0])
            self.kernel.theta = theta[1:]
            self.scale = scale
        else:
            self.kernel.theta = theta

    @property
    def bounds(self):
        own = np.empty((0, 2)) if self.scale_bounds == "fixed" else np.log([self.scale_bounds])
        return np.vstack([own, np.asarray(self.kernel.bounds, dtype=np.float64).reshape(-1, 2)])

    @property
    def hyperparameter_names(self):
        own = [] if self.scale_bounds == "fixed" else ["scale"]
        return own + [f"k.{n}" for n in names(self.kernel)]

    def __call__(self, X1, X2=None):
        return self.scale * self.kernel(X1, X2)

    def diag(self, X):
        return self.scale * np.asarray(self.kernel.diag(X), dtype=np.float64)

    def gradient(self, X):
        K0, dK0 = self.kernel.gradient(X)
        K = self.scale * K0
        parts = [] if self.scale_bounds == "fixed" else [K[None]]
        return K, np.concatenate(parts + [self.scale * grad_rows(self.kernel, dK0, K.shape)])

    def contract(self, X, W):
        W = np.asarray(W, dtype=np.float64)
        sub = contract(self.kernel, X, np.ascontiguousarray(self.scale * W))
        if self.scale_bounds == "fixed":
            return sub
        return np.concatenate([[np.vdot(W, self(X))], sub])

    def matvec(self, X1, X2, V):
        return self.scale * matvec(self.kernel, X1, X2, V)

    def grad_quad(self, X, U, V):
        sub = self.scale * grad_quad(self.kernel, X, U, V)
        if self.scale_bounds == "fixed":
            return sub
        own = np.vdot(np.asarray(U, dtype=np.float64), self.matvec(X, None, V))
        return np.concatenate([[own], sub])

    def __repr__(self):
        return f"{self.scale!r} * {self.kernel!r}"


def scale(kernel, c: float):
    """``c * kernel``: folded into the kernel's own variance when it has one."""
    c = positive(c, "c (the scalar in c * kernel)")
    if isinstance(kernel, Scaled):
        new = copy.deepcopy(kernel)
        new.scale *= c
        check_variance(new.scale, "c (the scalar in c * kernel)")
        return new
    values = getattr(kernel, "_values", None)
    if isinstance(values, dict) and "variance" in values and hasattr(kernel, "_scaled_by"):
        return kernel._scaled_by(c)
    check_variance(c, "c (the scalar in c * kernel)")
    return Scaled(kernel, c)
