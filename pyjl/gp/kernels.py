"""Covariance kernels: RBF, Matérn (1/2, 3/2, 5/2), rational quadratic, periodic,
linear, white noise and constant.

With the scaled distance ``r^2 = sum_k (x_k - x'_k)^2 / l_k^2`` (``l`` a scalar or
one lengthscale per feature, "ARD"):

==========================  ====================================================
``RBF``                     ``s2 exp(-r^2 / 2)``
``Matern12``                ``s2 exp(-r)``
``Matern32``                ``s2 (1 + sqrt3 r) exp(-sqrt3 r)``
``Matern52``                ``s2 (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)``
``RationalQuadratic``       ``s2 (1 + r^2 / (2 alpha))^(-alpha)``
``Periodic``                ``s2 exp(-2 sum_k sin^2(pi (x_k - x'_k) / p) / l_k^2)``: a
                            product over features, equal to scikit-learn's ExpSineSquared
                            in one dimension (its Euclidean form is not positive
                            semi-definite in several)
``Linear``                  ``s2 x . x'``
``White``                   ``s2 [x is x']`` (``s2 I`` on ``k(X)``, zero between two sets)
``Constant``                ``s2``
==========================  ====================================================

Every hyperparameter lives in log space (``theta``) with bounds (default
``(1e-5, 1e5)``) or ``"fixed"``.  Reference: Rasmussen & Williams (2006), ch. 4.

>>> import numpy as np
>>> k = 2.0 * Matern52(lengthscale=[0.3, 0.7])
>>> k
Matern52(lengthscale=[0.3, 0.7], variance=2.0)
>>> float(k(np.zeros((1, 2)))[0, 0])
2.0
"""

from __future__ import annotations

import copy

import numpy as np

from .. import engines
from .._validate import describe, error
from ._checks import as_points, bounds_pair
from .interface import KernelBase

__all__ = ["RBF", "Matern12", "Matern32", "Matern52", "RationalQuadratic", "Periodic",
           "Linear", "White", "Constant", "Parametric", "Stationary"]

DEFAULT_BOUNDS = (1e-5, 1e5)
#: The largest kernel variance: a Cholesky factorisation sums squares of kernel values,
#: which overflow float64 (1.8e308) beyond about 1e154; 1e150 leaves room for n terms.
MAX_VARIANCE = 1e150


def _fmt(v: np.ndarray, scalar: bool) -> str:
    return repr(float(v[0])) if scalar else repr([float(x) for x in v])


def _check_variance(value: float, label: str) -> None:
    if value > MAX_VARIANCE:
        raise error(label, f"must be <= {MAX_VARIANCE:g} (larger kernel values overflow "
                    "float64 in the Cholesky factorisation)", describe(value),
                    "rescale y, e.g. fit with normalize_y=True")


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
        what = "a finite number > 0" + (" or a 1-D array of them (one per feature)"
                                         if vector_ok else "")
        raw = np.asarray(value) if not isinstance(value, str) else np.asarray(value, dtype=object)
        if raw.dtype.kind not in "iuf" or raw.ndim > 1 or raw.size == 0 or (
                raw.size > 1 and not vector_ok):
            raise error(label, f"must be {what}", describe(value),
                        f"pass e.g. {name}=1.0" + (f" or {name}=[1.0, 1.0]" if vector_ok else ""))
        arr = np.atleast_1d(raw.astype(np.float64)).copy()
        if not np.all(np.isfinite(arr) & (arr > 0)):
            raise error(label, f"must be {what}", describe(value),
                        f"pass positive finite values (it is a {name}, fitted in log space)")
        if name == "variance":
            _check_variance(float(arr[0]), label)
        self._values[name] = arr
        self._scalar[name] = np.ndim(value) == 0
        self._bounds[name] = bounds_pair(bounds, f"{type(self).__name__}.{name}_bounds")

    def _mask(self) -> np.ndarray:
        return np.concatenate([np.full(v.size, self._bounds[k] != "fixed")
                               for k, v in self._values.items()])

    @property
    def theta(self) -> np.ndarray:
        parts = [np.log(v) for k, v in self._values.items() if self._bounds[k] != "fixed"]
        return np.concatenate(parts) if parts else np.empty(0)

    @theta.setter
    def theta(self, theta) -> None:
        theta = np.asarray(theta, dtype=np.float64).ravel()
        if theta.size != self.theta.size:
            raise error(f"{type(self).__name__}.theta", f"must hold {self.theta.size} values "
                        "(one per free hyperparameter)", f"{theta.size} values",
                        "assign a vector of the length of the kernel's theta")
        i = 0
        for k, v in self._values.items():
            if self._bounds[k] != "fixed":
                self._values[k] = np.exp(theta[i:i + v.size])
                i += v.size

    @property
    def bounds(self) -> np.ndarray:
        rows = [np.log(np.tile(self._bounds[k], (v.size, 1)))
                for k, v in self._values.items() if self._bounds[k] != "fixed"]
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

    @property
    def variance(self):
        return self._get("variance")

    def _scaled_by(self, c: float) -> "Parametric":
        new = copy.deepcopy(self)
        new._values["variance"] = new._values["variance"] * c
        v = float(new._values["variance"][0])
        if v > MAX_VARIANCE:
            raise error("c (the scalar in c * kernel)", f"must keep {type(self).__name__}"
                        f".variance <= {MAX_VARIANCE:g} (float64 overflow beyond)",
                        f"{c:g}, giving {v:g}", "use a smaller scalar, or rescale y")
        return new

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_fmt(v, self._scalar[k])}" for k, v in self._values.items())
        return f"{type(self).__name__}({args})"


class Stationary(Parametric):
    """A stationary kernel computed by the engine's ``kind`` kernel."""

    kind = ""
    _extras: tuple[str, ...] = ()

    def __init__(self, lengthscale=1.0, variance=1.0, *, lengthscale_bounds=DEFAULT_BOUNDS,
                 variance_bounds=DEFAULT_BOUNDS):
        self._add("lengthscale", lengthscale, lengthscale_bounds, vector_ok=True)
        self._add("variance", variance, variance_bounds)

    @property
    def lengthscale(self):
        return self._get("lengthscale")

    def _args(self, X: np.ndarray):
        ls = self._values["lengthscale"]
        if ls.size > 1 and X.shape[1] != ls.size:
            raise error(f"{type(self).__name__}.lengthscale", "must have one value per "
                        "feature of X, or be a scalar", f"{ls.size} lengthscales for "
                        f"{X.shape[1]} features", "pass one lengthscale per column of X")
        extra = np.concatenate([self._values[k] for k in self._extras]) if self._extras \
            else np.empty(0)
        return self.kind, ls, float(self._values["variance"][0]), extra

    def __call__(self, X1, X2=None) -> np.ndarray:
        X1 = as_points(X1, "X1")
        X2b = X1 if X2 is None else as_points(X2, "X2", X1.shape[1])
        kind, ls, var, extra = self._args(X1)
        return engines.current().kernel_matrix(kind, X1, X2b, ls, var, extra)

    def diag(self, X) -> np.ndarray:
        return np.full(as_points(X, "X").shape[0], float(self._values["variance"][0]))

    def gradient(self, X):
        X = as_points(X, "X")
        kind, ls, var, extra = self._args(X)
        K, dK = engines.current().kernel_matrix_grad(kind, X, ls, var, extra)
        return K, dK[self._mask()]

    def contract(self, X, W) -> np.ndarray:
        X = as_points(X, "X")
        kind, ls, var, extra = self._args(X)
        g = engines.current().kernel_grad_contract(kind, X, ls, var, extra,
                                                   np.ascontiguousarray(W, dtype=np.float64))
        return np.asarray(g)[self._mask()]


class RBF(Stationary):
    """Squared exponential ``s2 exp(-r^2 / 2)``.

    Parameters
    ----------
    lengthscale : float or array-like of shape (n_features,), default 1.0
        Lengthscale ``l > 0``: one for all features, or one per feature ("ARD").
    variance : float, default 1.0
        Signal variance ``s2``, ``> 0`` and ``<= 1e150``.
    lengthscale_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``lengthscale`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).
    variance_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``variance`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    lengthscale : float or ndarray of shape (n_features,), dtype float64
        The current lengthscale (a copy; a float when given as a scalar).
    variance : float
        The current signal variance ``s2``.
    theta : ndarray of shape (n_theta,), dtype float64
        ``log`` of the free hyperparameters (those not ``"fixed"``), in the order
        lengthscale(s), variance; assigning a vector sets them.
    bounds : ndarray of shape (n_theta, 2), dtype float64
        ``log`` of each free hyperparameter's ``(low, high)``, row by row as ``theta``.
    hyperparameter_names : list of str
        One name per entry of ``theta``:
        ``"lengthscale"`` (or ``"lengthscale[0]"``, ...), ``"variance"``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.distance import cdist
    >>> from pyjl.gp import RBF
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> r = cdist(X, X)
    >>> ref = 2.0 * np.exp(-r**2 / (2 * 0.5**2))
    >>> bool(np.allclose(RBF(lengthscale=0.5, variance=2.0)(X), ref))
    True
    """

    kind = "rbf"


class Matern12(Stationary):
    """Matérn nu=1/2 (exponential) ``s2 exp(-r)``.

    Parameters
    ----------
    lengthscale : float or array-like of shape (n_features,), default 1.0
        Lengthscale ``l > 0``: one for all features, or one per feature ("ARD").
    variance : float, default 1.0
        Signal variance ``s2``, ``> 0`` and ``<= 1e150``.
    lengthscale_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``lengthscale`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).
    variance_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``variance`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    lengthscale : float or ndarray of shape (n_features,), dtype float64
        The current lengthscale (a copy; a float when given as a scalar).
    variance : float
        The current signal variance ``s2``.
    theta : ndarray of shape (n_theta,), dtype float64
        ``log`` of the free hyperparameters (those not ``"fixed"``), in the order
        lengthscale(s), variance; assigning a vector sets them.
    bounds : ndarray of shape (n_theta, 2), dtype float64
        ``log`` of each free hyperparameter's ``(low, high)``, row by row as ``theta``.
    hyperparameter_names : list of str
        One name per entry of ``theta``:
        ``"lengthscale"`` (or ``"lengthscale[0]"``, ...), ``"variance"``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.distance import cdist
    >>> from pyjl.gp import Matern12
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> r = cdist(X, X)
    >>> bool(np.allclose(Matern12(lengthscale=0.5)(X), np.exp(-r / 0.5)))
    True
    """

    kind = "matern12"


class Matern32(Stationary):
    """Matérn nu=3/2 ``s2 (1 + sqrt3 r) exp(-sqrt3 r)``.

    Parameters
    ----------
    lengthscale : float or array-like of shape (n_features,), default 1.0
        Lengthscale ``l > 0``: one for all features, or one per feature ("ARD").
    variance : float, default 1.0
        Signal variance ``s2``, ``> 0`` and ``<= 1e150``.
    lengthscale_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``lengthscale`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).
    variance_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``variance`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    lengthscale : float or ndarray of shape (n_features,), dtype float64
        The current lengthscale (a copy; a float when given as a scalar).
    variance : float
        The current signal variance ``s2``.
    theta : ndarray of shape (n_theta,), dtype float64
        ``log`` of the free hyperparameters (those not ``"fixed"``), in the order
        lengthscale(s), variance; assigning a vector sets them.
    bounds : ndarray of shape (n_theta, 2), dtype float64
        ``log`` of each free hyperparameter's ``(low, high)``, row by row as ``theta``.
    hyperparameter_names : list of str
        One name per entry of ``theta``:
        ``"lengthscale"`` (or ``"lengthscale[0]"``, ...), ``"variance"``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.distance import cdist
    >>> from pyjl.gp import Matern32
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> r = cdist(X, X)
    >>> ref = (1 + np.sqrt(3) * r / 0.5) * np.exp(-np.sqrt(3) * r / 0.5)
    >>> bool(np.allclose(Matern32(lengthscale=0.5)(X), ref))
    True
    """

    kind = "matern32"


class Matern52(Stationary):
    """Matérn nu=5/2 ``s2 (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)``.

    Parameters
    ----------
    lengthscale : float or array-like of shape (n_features,), default 1.0
        Lengthscale ``l > 0``: one for all features, or one per feature ("ARD").
    variance : float, default 1.0
        Signal variance ``s2``, ``> 0`` and ``<= 1e150``.
    lengthscale_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``lengthscale`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).
    variance_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``variance`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    lengthscale : float or ndarray of shape (n_features,), dtype float64
        The current lengthscale (a copy; a float when given as a scalar).
    variance : float
        The current signal variance ``s2``.
    theta : ndarray of shape (n_theta,), dtype float64
        ``log`` of the free hyperparameters (those not ``"fixed"``), in the order
        lengthscale(s), variance; assigning a vector sets them.
    bounds : ndarray of shape (n_theta, 2), dtype float64
        ``log`` of each free hyperparameter's ``(low, high)``, row by row as ``theta``.
    hyperparameter_names : list of str
        One name per entry of ``theta``:
        ``"lengthscale"`` (or ``"lengthscale[0]"``, ...), ``"variance"``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.distance import cdist
    >>> from pyjl.gp import Matern52
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> r = cdist(X, X)
    >>> s = np.sqrt(5) * r / 0.5
    >>> bool(np.allclose(Matern52(lengthscale=0.5)(X), (1 + s + s**2 / 3) * np.exp(-s)))
    True
    """

    kind = "matern52"


class RationalQuadratic(Stationary):
    """``s2 (1 + r^2 / (2 alpha))^(-alpha)``, a scale mixture of RBFs.

    Parameters
    ----------
    lengthscale : float or array-like of shape (n_features,), default 1.0
        Lengthscale ``l > 0``: one for all features, or one per feature ("ARD").
    alpha : float, default 1.0
        Shape ``alpha > 0``: the mixture's scale parameter (large ``alpha`` tends to the RBF).
    variance : float, default 1.0
        Signal variance ``s2``, ``> 0`` and ``<= 1e150``.
    lengthscale_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``lengthscale`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).
    alpha_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``alpha`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).
    variance_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``variance`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    lengthscale : float or ndarray of shape (n_features,), dtype float64
        The current lengthscale (a copy; a float when given as a scalar).
    alpha : float
        The current ``alpha``.
    variance : float
        The current signal variance ``s2``.
    theta : ndarray of shape (n_theta,), dtype float64
        ``log`` of the free hyperparameters (those not ``"fixed"``), in the order
        lengthscale(s), variance, alpha; assigning a vector sets them.
    bounds : ndarray of shape (n_theta, 2), dtype float64
        ``log`` of each free hyperparameter's ``(low, high)``, row by row as ``theta``.
    hyperparameter_names : list of str
        One name per entry of ``theta``:
        ``"lengthscale"`` (or ``"lengthscale[0]"``, ...), ``"variance"`` and ``"alpha"``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.distance import cdist
    >>> from pyjl.gp import RationalQuadratic
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> r = cdist(X, X)
    >>> ref = (1 + r**2 / (2 * 2.0 * 0.5**2)) ** -2.0
    >>> bool(np.allclose(RationalQuadratic(lengthscale=0.5, alpha=2.0)(X), ref))
    True
    """

    kind = "rq"
    _extras = ("alpha",)

    def __init__(self, lengthscale=1.0, alpha=1.0, variance=1.0, *,
                 lengthscale_bounds=DEFAULT_BOUNDS, alpha_bounds=DEFAULT_BOUNDS,
                 variance_bounds=DEFAULT_BOUNDS):
        super().__init__(lengthscale, variance, lengthscale_bounds=lengthscale_bounds,
                         variance_bounds=variance_bounds)
        self._add("alpha", alpha, alpha_bounds)

    @property
    def alpha(self) -> float:
        return self._get("alpha")


class Periodic(Stationary):
    """``s2 exp(-2 sum_k sin^2(pi (x_k - x'_k) / period) / l_k^2)`` (``l`` scalar or ARD).

    Parameters
    ----------
    lengthscale : float or array-like of shape (n_features,), default 1.0
        Lengthscale ``l > 0``: one for all features, or one per feature ("ARD").
    period : float, default 1.0
        Period ``p > 0``, in the units of ``X``, shared by all features.
    variance : float, default 1.0
        Signal variance ``s2``, ``> 0`` and ``<= 1e150``.
    lengthscale_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``lengthscale`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).
    period_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``period`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).
    variance_bounds : tuple of 2 floats or "fixed", default (1e-5, 1e5)
        ``(low, high)`` bounds of ``variance`` while fitting, ``0 < low <= high``, or
        ``"fixed"`` to keep it as given (it then leaves ``theta``).

    Attributes
    ----------
    lengthscale : float or ndarray of shape (n_features,), dtype float64
        The current lengthscale (a copy; a float when given as a scalar).
    period : float
        The current period.
    variance : float
        The current signal variance ``s2``.
    theta : ndarray of shape (n_theta,), dtype float64
        ``log`` of the free hyperparameters (those not ``"fixed"``), in the order
        lengthscale(s), variance, period; assigning a vector sets them.
    bounds : ndarray of shape (n_theta, 2), dtype float64
        ``log`` of each free hyperparameter's ``(low, high)``, row by row as ``theta``.
    hyperparameter_names : list of str
        One name per entry of ``theta``:
        ``"lengthscale"`` (or ``"lengthscale[0]"``, ...), ``"variance"`` and ``"period"``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import Periodic
    >>> X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    >>> d = X[:, None, :] - X[None, :, :]
    >>> ref = np.exp(-2 * (np.sin(np.pi * d / 0.7) ** 2).sum(-1) / 0.5**2)
    >>> bool(np.allclose(Periodic(lengthscale=0.5, period=0.7)(X), ref))
    True
    """

    kind = "periodic"
    _extras = ("period",)

    def __init__(self, lengthscale=1.0, period=1.0, variance=1.0, *,
                 lengthscale_bounds=DEFAULT_BOUNDS, period_bounds=DEFAULT_BOUNDS,
                 variance_bounds=DEFAULT_BOUNDS):
        super().__init__(lengthscale, variance, lengthscale_bounds=lengthscale_bounds,
                         variance_bounds=variance_bounds)
        self._add("period", period, period_bounds)

    @property
    def period(self) -> float:
        return self._get("period")


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

    def diag(self, X):
        return np.full(as_points(X, "X").shape[0], float(self._values["variance"][0]))

    def contract(self, X, W) -> np.ndarray:
        if not self._mask()[0]:
            return np.empty(0)
        return np.array([float(self._values["variance"][0]) * float(np.sum(W))])
