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

The stationary kernels (one class each, computed by the engine's kernel of their ``kind``)
are defined here; ``Linear``, ``White`` and ``Constant`` in ``pyjl.gp._amplitude`` and the
base classes (``Parametric``, ``Stationary``) in ``pyjl.gp._base``, all exported here.

>>> import numpy as np
>>> k = 2.0 * Matern52(lengthscale=[0.3, 0.7])
>>> k
Matern52(lengthscale=[0.3, 0.7], variance=2.0)
>>> float(k(np.zeros((1, 2)))[0, 0])
2.0
"""

from __future__ import annotations

from ._amplitude import Constant, Linear, White
from ._base import DEFAULT_BOUNDS, Stationary

__all__ = [
    "RBF",
    "Matern12",
    "Matern32",
    "Matern52",
    "RationalQuadratic",
    "Periodic",
    "Linear",
    "White",
    "Constant",
]


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

    def __init__(
        self,
        lengthscale=1.0,
        alpha=1.0,
        variance=1.0,
        *,
        lengthscale_bounds=DEFAULT_BOUNDS,
        alpha_bounds=DEFAULT_BOUNDS,
        variance_bounds=DEFAULT_BOUNDS,
    ):
        super().__init__(
            lengthscale,
            variance,
            lengthscale_bounds=lengthscale_bounds,
            variance_bounds=variance_bounds,
        )
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
    _scales_points = False
    _extras = ("period",)

    def __init__(
        self,
        lengthscale=1.0,
        period=1.0,
        variance=1.0,
        *,
        lengthscale_bounds=DEFAULT_BOUNDS,
        period_bounds=DEFAULT_BOUNDS,
        variance_bounds=DEFAULT_BOUNDS,
    ):
        super().__init__(
            lengthscale,
            variance,
            lengthscale_bounds=lengthscale_bounds,
            variance_bounds=variance_bounds,
        )
        self._add("period", period, period_bounds)

    @property
    def period(self) -> float:
        return self._get("period")
