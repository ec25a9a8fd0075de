"""The base classes of the built-in kernels.

:class:`Parametric` keeps a kernel's hyperparameters as named positive arrays, each with
bounds or ``"fixed"``, and derives ``theta`` (their logs), ``bounds``,
``hyperparameter_names``, ``c * kernel`` and the ``repr`` from them.  :class:`Stationary`
adds the lengthscale(s) and computes ``k``, its gradient and its contraction with the
engine's kernel of the subclass's ``kind``, on the points less the centre of their box
(a built-in stationary kernel in :mod:`pyjl.gp.kernels` only names its ``kind`` and its
extra hyperparameters).
"""

from __future__ import annotations

import copy

import numpy as np

from .. import engines
from .._validate import describe, error
from ._checks import as_points, bounds_pair, check_variance, log_values
from .interface import KernelBase

DEFAULT_BOUNDS = (1e-5, 1e5)


def _fmt(v: np.ndarray, scalar: bool) -> str:
    return repr(float(v[0])) if scalar else repr([float(x) for x in v])


class Parametric(KernelBase):
    """A kernel whose hyperparameters are named positive arrays kept in ``_values``.

    ``_values`` is ordered as the engine orders parameters (lengthscale,
    variance, extras); ``_bounds`` maps each name to ``(low, high)`` or ``"fixed"``.
    """

    _scalar: dict

    def _add(self, name: str, value, bounds, *, vector_ok: bool = False) -> None:
        if not hasattr(self, "_values"):
            self._values, self._bounds, self._scalar = {}, {}, {}
        label = f"{type(self).__name__}.{name}"
        what = "a finite number > 0" + (
            " or a 1-D array of them (one per feature)" if vector_ok else ""
        )
        raw = np.asarray(value) if not isinstance(value, str) else np.asarray(value, dtype=object)
        if (
            raw.dtype.kind not in "iuf"
            or raw.ndim > 1
            or raw.size == 0
            or (raw.size > 1 and not vector_ok)
        ):
            raise error(
                label,
                f"must be {what}",
                describe(value),
                f"pass e.g. {name}=1.0" + (f" or {name}=[1.0, 1.0]" if vector_ok else ""),
            )
        arr = np.atleast_1d(raw.astype(np.float64)).copy()
        if not np.all(np.isfinite(arr) & (arr > 0)):
            raise error(
                label,
                f"must be {what}",
                describe(value),
                f"pass positive finite values (it is a {name}, fitted in log space)",
            )
        if name == "variance":
            check_variance(float(arr[0]), label)
        self._values[name] = arr
        self._scalar[name] = np.ndim(value) == 0
        self._bounds[name] = bounds_pair(bounds, f"{label}_bounds")
        if name == "variance" and self._bounds[name] != "fixed":
            check_variance(self._bounds[name][1], f"{label}_bounds[1]")

    def _mask(self) -> np.ndarray:
        return np.concatenate(
            [np.full(v.size, self._bounds[k] != "fixed") for k, v in self._values.items()]
        )

    @property
    def theta(self) -> np.ndarray:
        parts = [np.log(v) for k, v in self._values.items() if self._bounds[k] != "fixed"]
        return np.concatenate(parts) if parts else np.empty(0)

    @theta.setter
    def theta(self, theta) -> None:
        theta = np.asarray(theta, dtype=np.float64).ravel()
        if theta.size != self.theta.size:
            raise error(
                f"{type(self).__name__}.theta",
                f"must hold {self.theta.size} values (one per free hyperparameter)",
                f"{theta.size} values",
                "assign a vector of the length of the kernel's theta",
            )
        values, i = log_values(theta, f"{type(self).__name__}.theta"), 0
        new = dict(self._values)
        for k, v in self._values.items():
            if self._bounds[k] != "fixed":
                new[k] = values[i : i + v.size]
                i += v.size
        self._values = new

    @property
    def bounds(self) -> np.ndarray:
        rows = [
            np.log(np.tile(self._bounds[k], (v.size, 1)))
            for k, v in self._values.items()
            if self._bounds[k] != "fixed"
        ]
        return np.vstack(rows) if rows else np.empty((0, 2))

    @property
    def hyperparameter_names(self) -> list[str]:
        names = []
        for k, v in self._values.items():
            if self._bounds[k] != "fixed":
                names += [k] if self._scalar[k] else [f"{k}[{i}]" for i in range(v.size)]
        return names

    def _get(self, name):
        v = self._values[name]
        return float(v[0]) if self._scalar[name] else v.copy()

    def _param_value(self, name: str):
        if name in self._values:
            return self._get(name)
        if name.endswith("_bounds") and name[: -len("_bounds")] in self._bounds:
            return self._bounds[name[: -len("_bounds")]]
        return getattr(self, name)

    @property
    def variance(self):
        return self._get("variance")

    def _scaled_by(self, c: float) -> Parametric:
        new = copy.deepcopy(self)
        new._values["variance"] = new._values["variance"] * c
        v = float(new._values["variance"][0])
        check_variance(
            v,
            "c (the scalar in c * kernel)",
            got=f"{c:g}, giving {type(self).__name__}.variance = {v:g}",
            fix="use a smaller scalar, or rescale y",
        )
        return new

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_fmt(v, self._scalar[k])}" for k, v in self._values.items())
        return f"{type(self).__name__}({args})"


class Stationary(Parametric):
    """A stationary kernel computed by the engine's ``kind`` kernel."""

    kind = ""
    _extras: tuple[str, ...] = ()
    #: whether the engines divide the points by the lengthscales (periodic: the sines)
    _scales_points = True

    def __init__(
        self,
        lengthscale=1.0,
        variance=1.0,
        *,
        lengthscale_bounds=DEFAULT_BOUNDS,
        variance_bounds=DEFAULT_BOUNDS,
    ):
        self._add("lengthscale", lengthscale, lengthscale_bounds, vector_ok=True)
        self._add("variance", variance, variance_bounds)

    @property
    def lengthscale(self):
        return self._get("lengthscale")

    def _args(self, X: np.ndarray):
        ls = self._values["lengthscale"]
        if ls.size > 1 and X.shape[1] != ls.size:
            raise error(
                f"{type(self).__name__}.lengthscale",
                "must have one value per feature of X, or be a scalar",
                f"{ls.size} lengthscales for {X.shape[1]} features",
                "pass one lengthscale per column of X",
            )
        extra = (
            np.concatenate([self._values[k] for k in self._extras])
            if self._extras
            else np.empty(0)
        )
        return self.kind, ls, float(self._values["variance"][0]), extra

    def __call__(self, X1, X2=None) -> np.ndarray:
        X1 = as_points(X1, "X1")
        X2b = X1 if X2 is None else as_points(X2, "X2", X1.shape[1], "of X1")
        kind, ls, var, extra = self._args(X1)
        X1, X2b = _centred(X1, X2b, ls, self._scales_points)
        return engines.current().kernel_matrix(kind, X1, X2b, ls, var, extra)

    def diag(self, X) -> np.ndarray:
        X = as_points(X, "X")
        _, _, var, _ = self._args(X)  # refuses lengthscales that do not match X
        return np.full(X.shape[0], var)

    def gradient(self, X):
        X = as_points(X, "X")
        kind, ls, var, extra = self._args(X)
        X, _ = _centred(X, X, ls, self._scales_points)
        K, dK = engines.current().kernel_matrix_grad(kind, X, ls, var, extra)
        return K, dK[self._mask()]

    def contract(self, X, W) -> np.ndarray:
        X = as_points(X, "X")
        kind, ls, var, extra = self._args(X)
        X, _ = _centred(X, X, ls, self._scales_points)
        g = engines.current().kernel_grad_contract(
            kind, X, ls, var, extra, np.ascontiguousarray(W, dtype=np.float64)
        )
        return np.asarray(g)[self._mask()]

    def matvec(self, X1, X2, V) -> np.ndarray:
        """``(n1, k)``: ``K(X1, X2) @ V`` by the engine's ``kernel_matvec`` (no ``n1 x n2``
        matrix); ``X2=None`` means ``X1``."""
        X1 = as_points(X1, "X1")
        X2b = X1 if X2 is None else as_points(X2, "X2", X1.shape[1], "of X1")
        V2 = _columns(V, X2b.shape[0], "V", "X1" if X2 is None else "X2")
        kind, ls, var, extra = self._args(X1)
        X1, X2b = _centred(X1, X2b, ls, self._scales_points)
        return np.asarray(engines.current().kernel_matvec(kind, X1, X2b, ls, var, extra, V2))

    def grad_quad(self, X, U, V) -> np.ndarray:
        """``(p,)``: ``sum_i U[:, i]^T dK/dtheta_q V[:, i]`` by the engine's
        ``kernel_grad_quad``, for the free hyperparameters."""
        X = as_points(X, "X")
        U2, V2 = _columns(U, X.shape[0], "U", "X"), _columns(V, X.shape[0], "V", "X")
        if U2.shape != V2.shape:
            raise error(
                "V",
                f"must have U's shape {U2.shape}",
                f"shape {V2.shape}",
                "pass U and V with one column per pair",
            )
        kind, ls, var, extra = self._args(X)
        X, _ = _centred(X, X, ls, self._scales_points)
        g = engines.current().kernel_grad_quad(kind, X, ls, var, extra, U2, V2)
        return np.asarray(g)[self._mask()]


def _centred(
    X1: np.ndarray, X2: np.ndarray, ls: np.ndarray, scales: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """``X1`` and ``X2`` less one point, their per-feature median (``X2 is X1`` stays so,
    which the engines read as ``k(X, X)``), where they lie far from the origin against
    the lengthscales ``ls``, else the points as they are.  (Points more than 1e153
    lengthscales apart are the engines' to cap: ``PYJL_R2_MAX`` in
    bindings/include/pyjl_gp.h, the same in CUDA and Julia.)

    A stationary kernel depends on differences only, but the engines divide the inputs by
    the lengthscale before they subtract them, so a scaled difference carries an error of
    about ``eps * |x - centre| / l``: ``1e10 + uniform(0, 1)`` at lengthscale ``0.1``
    keeps six digits uncentred.  Less the median (of the larger set), the differences of
    most points are as exact as those of points at the origin, and a far outlier moves it
    little (the centre of the box would sit halfway to the outlier, and the other points
    lose their differences to rounding; the box's centre stays where the median would put
    a point beyond float64 lengthscales).  Points within :data:`_OFFSET_LENGTHSCALES`
    lengthscales of the origin (BO's unit cube) lose at most ten bits of 53 in ``r`` and
    are passed on as they are: the test is four whole-array reductions, where the median
    costs a partition.
    Where the engines divide the points by the lengthscales (``scales``), points whose
    scaled distance from the centre overflows float64 itself are refused (an
    :class:`~pyjl.exceptions.InputError` naming ``lengthscale``): the scaled inputs would
    be infinite, and a point's distance from itself NaN.  Such a refusal depends on the
    hyperparameters: a hyperparameter search steps back from it
    (:func:`pyjl.gp.likelihood.minimisable`)."""
    same = X2 is X1
    if not (X1.shape[0] and X2.shape[0]):
        return X1, X2
    far = max(X1.max(), -X1.min()) if same else max(X1.max(), -X1.min(), X2.max(), -X2.min())
    if far <= _OFFSET_LENGTHSCALES * float(np.min(ls)):
        return X1, X2
    lo, hi = X1.min(axis=0), X1.max(axis=0)
    if not same:
        lo, hi = np.minimum(lo, X2.min(axis=0)), np.maximum(hi, X2.max(axis=0))
    with np.errstate(over="ignore", invalid="ignore"):
        # of the larger set (a one-point prediction does not move it), without a copy
        centre = np.median(X1 if same or X1.shape[0] >= X2.shape[0] else X2, axis=0)
        half = np.maximum(hi - centre, centre - lo)  # the largest |x - centre| per feature
        scaled = half / ls
        if not np.all(np.isfinite(scaled)):  # the box's centre: half the extent away
            centre = 0.5 * lo + 0.5 * hi  # not (lo + hi) / 2: that overflows near the limit
            half = 0.5 * hi - 0.5 * lo
            scaled = half / ls
    if scales and not np.all(np.isfinite(scaled)):
        j = int(np.argmax(~np.isfinite(scaled)))
        exc = error(
            "lengthscale",
            "must keep the points' distances from their centre, in lengthscales, within "
            "float64 (the kernels divide the points by it)",
            f"{float(ls[j if ls.size > 1 else 0]):.3g} for feature {j}, whose points lie "
            f"{float(half[j]):.3g} from their centre",
            "raise the lengthscale (and its lower bound, lengthscale_bounds) or rescale X",
        )
        exc.at_theta = True  # the search steps back from such a theta (minimisable)
        raise exc
    A = X1 - centre
    return A, A if same else X2 - centre


#: how many lengthscales from the origin points may lie before they are centred
#: (:func:`_centred`)
_OFFSET_LENGTHSCALES = 1024.0


def _columns(V, n: int, name: str, of: str) -> np.ndarray:
    """``V`` as a C-contiguous float64 ``(n, k)`` array (a vector is one column); an
    :class:`~pyjl.exceptions.InputError` naming ``name`` unless it has one row per point
    of ``of`` (a transposed ``(k, n)`` is refused, not reshaped)."""
    arr = np.asarray(V, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise error(
            name,
            f"must be ({n},) or ({n}, k): one row per point of {of}",
            f"shape {np.shape(V)}",
            f"pass one row per point of {of} (transpose a (k, {n}) array)",
        )
    return np.ascontiguousarray(arr)
