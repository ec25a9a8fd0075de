"""Built-in emissions with independent features: Normal, Exponential, Gamma (continuous).

Poisson and Categorical (discrete observations) live in :mod:`pyjl.hmm.emissions_discrete`
and are re-exported here; the shared per-state machinery is in ``pyjl.hmm._independent``.

Parameters are per-state arrays: ``(K,)`` for one feature, ``(K, d)`` for ``d``
independent features (observations ``(T,)`` or ``(T, d)``).  Every family
implements the :class:`pyjl.hmm.Emission` protocol plus the optional
``suff_stats``/``fit_stats``/``check_input`` members; ``fit(X, w)`` is weighted
maximum likelihood, ``fit_stats(suff_stats(X, w))``.  A state that receives no
weight keeps its parameters (or, at the first fit, takes the pooled estimate)
with a :class:`~pyjl.exceptions.NumericalWarning`.

>>> import numpy as np
>>> e = Normal(mean=[0.0, 5.0], var=[1.0, 4.0])
>>> e.log_likelihood(np.array([0.0])).round(4)
array([[-0.9189, -4.7371]])
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from scipy.special import digamma, gammaln, polygamma

from .. import engines
from .._validate import error
from .._warn import warn
from ..exceptions import NumericalWarning
from ._common import (
    INIT_ROWS,
    as_obs,
    covars_log_prior,
    covars_map,
    empty_states,
    floor_collapsed,
    gaussian_finite,
    gaussian_range,
    value_at,
)
from ._common import min_covar as _min_covar
from ._fused import FusedGaussian
from ._independent import _c, _Independent, _same_d
from .emissions_discrete import Categorical, Poisson

__all__ = ["Normal", "Exponential", "Poisson", "Gamma", "Categorical"]


class Normal(FusedGaussian, _Independent):
    """Gaussian emission, ``x | k ~ N(mean_k, var_k)`` per feature (diagonal).

    Parameters
    ----------
    mean : array-like of shape (n_states,) or (n_states, n_features), optional
        Per-state means (one column per feature); ``None``: set by ``initialize``/``fit``.
    var : array-like of shape (n_states,) or (n_states, n_features), optional
        Per-state variances, ``> 0``; ``None``: set by ``initialize``/``fit``.
    min_covar : float, default 1e-3
        hmmlearn's ``min_covar``, in the data's squared units: the data-driven
        initialisation adds it to the pooled variance (``np.cov(X.T) + min_covar``, as
        hmmlearn).  The M-step keeps hmmlearn's variances as they are; only a variance
        that is zero to rounding (a state collapsed onto equal values, possible with
        ``covars_prior=0``) is raised to it.
    covars_prior : float or array-like, default 1e-2
        hmmlearn's inverse-gamma prior on the variances: the M-step gives
        ``(covars_prior + c_n) / max(max(covars_weight - 1, 0) + N_k, 1e-5)`` with
        ``c_n`` the state's weighted scatter.  ``covars_prior=0`` (with
        ``covars_weight <= 1``) gives maximum likelihood.
    covars_weight : float, default 1.0
        The prior's weight in that formula.  Both defaults are hmmlearn's
        ``GaussianHMM`` defaults.

    Attributes
    ----------
    mean : ndarray of shape (n_states, n_features) or (n_states,), dtype float64, or None
        The means, one row per state; ``None`` until given or set by ``initialize``/``fit``.
        A given one keeps its layout, ``(n_states,)`` (one feature) or ``(n_states,
        n_features)``; a fit stores ``(n_states,)`` when the observations (or the given
        parameters) are 1-D.
    var : ndarray of shape (n_states, n_features) or (n_states,), dtype float64, or None
        The variances, one row per state; ``None`` until given or set by ``initialize``/``fit``.
        A given one keeps its layout, ``(n_states,)`` (one feature) or ``(n_states,
        n_features)``; a fit stores ``(n_states,)`` when the observations (or the given
        parameters) are 1-D.
    min_covar : float
        As given (checked by ``fit``).
    covars_prior : float or ndarray
        As given (checked by ``fit``).
    covars_weight : float
        As given (checked by ``fit``).
    n_states : int
        The number of states ``K`` the parameters describe
        (:class:`~pyjl.exceptions.NotFittedError` before they are set).
    n_parameters : int
        The free scalar parameters over all states.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from pyjl.hmm import Normal
    >>> e = Normal(mean=[0.0, 2.0], var=[1.0, 4.0])
    >>> x = np.array([[0.5], [1.5]])
    >>> bool(np.allclose(e.log_likelihood(x), stats.norm.logpdf(x, [0.0, 2.0], [1.0, 2.0])))
    True
    """

    _params = ("mean", "var")
    mean: np.ndarray | None
    var: np.ndarray | None
    _rules = {
        "var": (
            lambda a: a > 0,
            "must be > 0 (a variance)",
            "pass positive variances (squared standard deviations)",
        )
    }

    def __init__(
        self,
        mean: Any = None,
        var: Any = None,
        min_covar: float = 1e-3,
        covars_prior: float = 1e-2,
        covars_weight: float = 1.0,
    ) -> None:
        self._set(mean=mean, var=var)
        self.min_covar = min_covar
        self.covars_prior, self.covars_weight = covars_prior, covars_weight

    def log_likelihood(self, X: Any) -> np.ndarray:
        """``(T, K)`` log-densities (log-probabilities for discrete data) of ``X``."""
        x, m = as_obs(X, finite=False), self._arr("mean")
        _same_d(x, m)
        loglik: np.ndarray = engines.current().gaussian_loglik(x, _c(m), _c(self._arr("var")))
        return loglik

    def _shift(self, d: int) -> Any:
        # == mean(axis=0), without np.mean's Python-level overhead (called every batch)
        m = self._arr("mean") if self.mean is not None else None
        return np.add.reduce(m, axis=0) / m.shape[0] if m is not None else np.zeros(d)

    def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """Additive sufficient statistics of ``(X, weights)`` (``weights``: ``(T, K)``)."""
        x = as_obs(X, finite=False)
        stats: tuple[np.ndarray, ...] = engines.current().weighted_moments(
            x, _c(weights), _c(self._shift(x.shape[1]))
        )
        return stats

    @property
    def supports_estep(self) -> bool:
        """The fused passes (``estep_stats``, ``forward_loglik``, ``viterbi_path``) compute
        this class's log-density: a subclass that overrides ``log_likelihood`` goes
        through it instead."""
        return type(self).log_likelihood is Normal.log_likelihood

    def _diag(self, X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x, m = as_obs(X, finite=False), self._arr("mean")
        _same_d(x, m)
        return x, m, self._arr("var")

    def log_prior(self) -> float:
        """Log-density, up to a constant, of the variances' prior (``covars_prior``,
        ``covars_weight``): EM increases the log-likelihood plus this."""
        var = self._arr("var")
        return covars_log_prior(var, self.covars_prior, self.covars_weight, "diag", var.shape[1])

    def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Any:
        """Weighted maximum-likelihood update from summed :meth:`suff_stats`."""
        N, S1, S2 = (np.asarray(s, dtype=np.float64) for s in stats)
        c = self._shift(S1.shape[1])
        Ns = np.maximum(N, 1e-300)[:, None]
        mc = S1 / Ns
        var = S2 / Ns - mc**2
        tot = max(N.sum(), 1e-300)
        pm = S1.sum(0) / tot
        pvar = S2.sum(0) / tot - pm**2
        floor = _min_covar(self.min_covar)
        gaussian_finite(np.where(empty_states(N)[:, None], 1.0, var))
        var = covars_map(var, N[:, None], self.covars_prior, self.covars_weight, 1, var.shape)
        return self._update(
            N,
            {"mean": mc + c, "var": floor_collapsed(var, S2 / Ns, floor)},
            {"mean": pm + c, "var": floor_collapsed(pvar, S2.sum(0) / tot, floor)},
        )

    def initialize(self, X: Any, n_states: int, rng: np.random.Generator) -> Self:
        """k-means means; every state starts with the pooled variance plus ``min_covar``
        (hmmlearn's ``np.cov(X.T) + min_covar * I``)."""
        floor = _min_covar(self.min_covar)
        gaussian_range(self.check_input(X))
        super().initialize(X, n_states, rng)
        x = as_obs(X, finite=False)[: INIT_ROWS * 5]
        pooled = x.var(axis=0, ddof=1 if x.shape[0] > 1 else 0) + floor
        self._store("var", np.repeat(pooled[None], n_states, 0))
        return self

    def sample(self, state: int, n: int, rng: np.random.Generator) -> Any:
        """``n`` draws from state ``state`` with generator ``rng``."""
        m, v = self._arr("mean")[state], self._arr("var")[state]
        return self._sample_shape(m + np.sqrt(v) * rng.standard_normal((n, m.size)))


class Exponential(_Independent):
    """Exponential emission, ``p_k(x) = rate_k exp(-rate_k x)``, ``x >= 0``.

    Parameters
    ----------
    rate : array-like of shape (n_states,) or (n_states, n_features), optional
        Per-state rates, ``> 0`` (1 / mean); ``None``: set by ``initialize``/``fit``.

    Attributes
    ----------
    rate : ndarray of shape (n_states, n_features) or (n_states,), dtype float64, or None
        The rates, one row per state; ``None`` until given or set by ``initialize``/``fit``.
        A given one keeps its layout, ``(n_states,)`` (one feature) or ``(n_states,
        n_features)``; a fit stores ``(n_states,)`` when the observations (or the given
        parameters) are 1-D.
    n_states : int
        The number of states ``K`` the parameters describe
        (:class:`~pyjl.exceptions.NotFittedError` before they are set).
    n_parameters : int
        The free scalar parameters over all states.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from pyjl.hmm import Exponential
    >>> e = Exponential(rate=[1.0, 2.0])
    >>> x = np.array([[0.5], [1.5]])
    >>> bool(np.allclose(e.log_likelihood(x), stats.expon.logpdf(x, scale=[1.0, 0.5])))
    True
    """

    _params = ("rate",)
    _rules = {"rate": (lambda a: a > 0, "must be > 0", "pass positive rates (1 / mean)")}

    def __init__(self, rate: Any = None) -> None:
        self._set(rate=rate)

    def check_input(self, X: Any) -> np.ndarray:
        """Validate the observations ``X`` for this emission; returns them as ``(T, d)``."""
        return _Independent.check_input(self, _nonneg(X))

    def log_likelihood(self, X: Any) -> np.ndarray:
        """``(T, K)`` log-densities (log-probabilities for discrete data) of ``X``."""
        x = as_obs(X, finite=False)
        r = self._arr("rate")
        out = np.log(r).sum(1) - x @ r.T
        return np.where((x >= 0).all(1, keepdims=True), out, -np.inf)

    def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """Additive sufficient statistics of ``(X, weights)`` (``weights``: ``(T, K)``)."""
        x = as_obs(X, finite=False)
        stats: tuple[np.ndarray, ...] = engines.current().weighted_moments(
            x, _c(weights), np.zeros(x.shape[1])
        )[:2]
        return stats

    #: a state's mean below this fraction of the data's is a point mass at 0 (its rate's
    #: maximum-likelihood estimate is unbounded there), and the rate is capped at
    #: ``1 / (MEAN_FLOOR * the data's mean)``: thirty decades, past any two states' scales
    MEAN_FLOOR = 1e-30

    def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Any:
        """Weighted maximum-likelihood update from summed :meth:`suff_stats`."""
        N, S = (np.asarray(s, dtype=np.float64) for s in stats)
        pooled_mean = S.sum(0) / max(N.sum(), 1e-300)
        floor = self.MEAN_FLOOR * np.where(pooled_mean > 0, pooled_mean, 1.0)
        mean = S / np.maximum(N, 1e-300)[:, None]
        collapsed = ~empty_states(N) & (mean <= floor).any(1)
        if collapsed.any():
            warn(
                f"Exponential: state(s) {np.flatnonzero(collapsed).tolist()} collapsed onto "
                "zeros (to rounding): the rate's maximum-likelihood estimate is unbounded, "
                f"so it is capped at {1 / self.MEAN_FLOOR:.0e} / the data's mean (or "
                f"{1 / self.MEAN_FLOOR:.0e} where the data are all 0), a near "
                "point mass whose density grows without bound; use fewer states, or keep "
                "exact zeros out of X",
                NumericalWarning,
            )
        # N / S where it is kept: the MLE's own digits (0 / 0 of an empty state is not kept)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(mean > floor, N[:, None] / S, 1.0 / floor)
            pooled = np.where(pooled_mean > floor, N.sum() / S.sum(0), 1.0 / floor)
        return self._update(N, {"rate": rate}, {"rate": pooled})

    def sample(self, state: int, n: int, rng: np.random.Generator) -> Any:
        """``n`` draws from state ``state`` with generator ``rng``."""
        r = self._arr("rate")[state]
        return self._sample_shape(rng.exponential(1.0 / r, size=(n, r.size)))


def _nonneg(X: Any) -> Any:
    x = as_obs(X, "X")
    bad = np.flatnonzero((x < 0).ravel())
    if bad.size:
        raise error(
            "X",
            "must be non-negative for this emission",
            value_at(x, bad[0], X),
            "shift the data or pick another emission (Normal)",
        )
    return x


class Gamma(_Independent):
    """Gamma emission, ``p_k(x) = rate^shape x^(shape-1) exp(-rate x) / Gamma(shape)``, ``x > 0``.

    The shape MLE solves ``log a - digamma(a) = log(mean) - mean(log x)`` by
    Newton's method from Minka's (2002) closed-form start; ``rate = a / mean``.

    Parameters
    ----------
    shape : array-like of shape (n_states,) or (n_states, n_features), optional
        Per-state shapes ``a > 0``; ``None``: set by ``initialize``/``fit``.
    rate : array-like of shape (n_states,) or (n_states, n_features), optional
        Per-state rates ``> 0`` (1 / scale); ``None``: set by ``initialize``/``fit``.

    Attributes
    ----------
    shape : ndarray of shape (n_states, n_features) or (n_states,), dtype float64, or None
        The shapes, one row per state; ``None`` until given or set by ``initialize``/``fit``.
        A given one keeps its layout, ``(n_states,)`` (one feature) or ``(n_states,
        n_features)``; a fit stores ``(n_states,)`` when the observations (or the given
        parameters) are 1-D.
    rate : ndarray of shape (n_states, n_features) or (n_states,), dtype float64, or None
        The rates, one row per state; ``None`` until given or set by ``initialize``/``fit``.
        A given one keeps its layout, ``(n_states,)`` (one feature) or ``(n_states,
        n_features)``; a fit stores ``(n_states,)`` when the observations (or the given
        parameters) are 1-D.
    n_states : int
        The number of states ``K`` the parameters describe
        (:class:`~pyjl.exceptions.NotFittedError` before they are set).
    n_parameters : int
        The free scalar parameters over all states.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from pyjl.hmm import Gamma
    >>> e = Gamma(shape=[2.0, 3.0], rate=[1.0, 2.0])
    >>> x = np.array([[0.5], [1.5]])
    >>> ref = stats.gamma.logpdf(x, [2.0, 3.0], scale=[1.0, 0.5])
    >>> bool(np.allclose(e.log_likelihood(x), ref))
    True
    """

    _params = ("shape", "rate")
    _rules = {
        "shape": (lambda a: a > 0, "must be > 0", "pass positive shapes"),
        "rate": (lambda a: a > 0, "must be > 0", "pass positive rates (1 / scale)"),
    }

    def __init__(self, shape: Any = None, rate: Any = None) -> None:
        self._set(shape=shape, rate=rate)

    def check_input(self, X: Any) -> np.ndarray:
        """Validate the observations ``X`` for this emission; returns them as ``(T, d)``."""
        x = as_obs(X, "X")
        bad = np.flatnonzero((x <= 0).ravel())
        if bad.size:
            raise error(
                "X",
                "must be positive for a Gamma emission",
                value_at(x, bad[0], X),
                "drop or shift non-positive values",
            )
        return _Independent.check_input(self, x)

    def log_likelihood(self, X: Any) -> np.ndarray:
        """``(T, K)`` log-densities (log-probabilities for discrete data) of ``X``."""
        x = as_obs(X, finite=False)
        a, b = self._arr("shape"), self._arr("rate")
        ok = (x > 0).all(1, keepdims=True)
        x = np.where(ok, x, 1.0)
        out = (a * np.log(b) - gammaln(a)).sum(1) + np.log(x) @ (a - 1.0).T - x @ b.T
        return np.where(ok, out, -np.inf)

    def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """Additive sufficient statistics of ``(X, weights)`` (``weights``: ``(T, K)``)."""
        x = as_obs(X, finite=False)
        # rows outside the support (x <= 0, reached inside a Mixture) carry no weight:
        # their log is left out, not 0 * -inf = nan
        return (weights.sum(0), weights.T @ x, weights.T @ np.log(np.where(x > 0, x, 1.0)))

    #: the floor of ``log(mean) - mean(log x)``, zero for equal values: the shape's cap,
    #: about ``1 / (2 S_FLOOR)`` = 5e11
    S_FLOOR = 1e-12

    @staticmethod
    def _mle(N: np.ndarray, S: np.ndarray, L: np.ndarray) -> Any:
        N = np.maximum(N, 1e-300)
        mean = np.maximum(S / N, 1e-300)  # an empty state is replaced by the caller
        s = np.maximum(np.log(mean) - L / N, Gamma.S_FLOOR)
        a = (3.0 - s + np.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)
        for _ in range(50):
            f = np.log(a) - digamma(a) - s
            step = f / (1.0 / a - polygamma(1, a))
            a = np.where(a - step > 0, a - step, a / 2.0)
            if np.all(np.abs(step) <= 1e-12 * a):
                break
        with np.errstate(over="ignore", divide="ignore"):
            return a, a / mean

    def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Any:
        """Weighted maximum-likelihood update from summed :meth:`suff_stats`."""
        N, S, L = (np.asarray(s, dtype=np.float64) for s in stats)
        a, b = self._mle(N[:, None], S, L)
        pa, pb = self._mle(N.sum(), S.sum(0), L.sum(0))
        Ns = np.maximum(N, 1e-300)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = np.log(np.maximum(S / Ns, 1e-300)) - L / Ns
        collapsed = ~empty_states(N) & (spread <= self.S_FLOOR).any(1)
        if collapsed.any():
            warn(
                f"Gamma: state(s) {np.flatnonzero(collapsed).tolist()} collapsed onto equal "
                "values (to rounding): the shape's maximum-likelihood estimate is "
                "unbounded, so it is capped at about 5e11, a near point "
                "mass whose density grows without bound; use fewer states, or keep "
                "repeated values out of X",
                NumericalWarning,
            )
        return self._update(N, {"shape": a, "rate": b}, {"shape": pa, "rate": pb})

    def sample(self, state: int, n: int, rng: np.random.Generator) -> Any:
        """``n`` draws from state ``state`` with generator ``rng``."""
        a, b = self._arr("shape")[state], self._arr("rate")[state]
        return self._sample_shape(rng.gamma(a, 1.0 / b, size=(n, a.size)))
