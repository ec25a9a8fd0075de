"""Built-in emissions of discrete observations: Poisson counts and Categorical symbols.

Same conventions as :mod:`pyjl.hmm.emissions` (per-state parameter arrays, weighted
maximum likelihood ``fit_stats(suff_stats(X, w))``, empty states kept or pooled).

>>> import numpy as np
>>> e = Poisson(rate=[1.0, 4.0])
>>> np.exp(e.log_likelihood(np.array([0]))).round(4)
array([[0.3679, 0.0183]])
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from scipy.special import gammaln

from .. import engines
from .._validate import error, integer
from ._common import as_int_obs, as_obs, check_prob_table, count_log_dot, drawn_from
from ._independent import _c, _Independent

__all__ = ["Poisson", "Categorical"]


class Poisson(_Independent):
    """Poisson emission, ``p_k(x) = rate_k^x exp(-rate_k) / x!`` for counts ``x``.

    Parameters
    ----------
    rate : array-like of shape (n_states,) or (n_states, n_features), optional
        Per-state rates, ``>= 0`` (mean counts); ``None``: set by ``initialize``/``fit``.

    Attributes
    ----------
    rate : ndarray of shape (n_states, n_features) or (n_states,), dtype float64, or None
        The rates (mean counts), one row per state; ``None`` until given or fitted.
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
    >>> from pyjl.hmm import Poisson
    >>> e = Poisson(rate=[1.0, 4.0])
    >>> x = np.array([[0], [3]])
    >>> bool(np.allclose(e.log_likelihood(x), stats.poisson.logpmf(x, [1.0, 4.0])))
    True
    """

    _params = ("rate",)
    _rules = {"rate": (lambda a: a >= 0, "must be >= 0 (a mean count)", "pass non-negative rates")}

    def __init__(self, rate: Any = None) -> None:
        self._set(rate=rate)

    def check_input(self, X: Any) -> np.ndarray:
        """Validate the observations ``X`` for this emission; returns them as ``(T, d)``."""
        return _Independent.check_input(self, as_int_obs(X, "X", what="counts"))

    def log_likelihood(self, X: Any) -> np.ndarray:
        """``(T, K)`` log-densities (log-probabilities for discrete data) of ``X``."""
        x = as_obs(X, finite=False)
        r = self._arr("rate")
        out = count_log_dot(x, r) - r.sum(1)
        ok = ((x >= 0) & (x == np.floor(x))).all(1, keepdims=True)
        out -= gammaln(np.where(ok, x, 0.0) + 1.0).sum(1, keepdims=True)
        return np.where(ok, out, -np.inf)

    def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """Additive sufficient statistics of ``(X, weights)`` (``weights``: ``(T, K)``)."""
        x = as_obs(X, finite=False)
        stats: tuple[np.ndarray, ...] = engines.current().weighted_moments(
            x, _c(weights), np.zeros(x.shape[1])
        )[:2]
        return stats

    def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Any:
        """Weighted maximum-likelihood update from summed :meth:`suff_stats`."""
        N, S = (np.asarray(s, dtype=np.float64) for s in stats)
        rate = S / np.maximum(N, 1e-300)[:, None]
        pooled = S.sum(0) / max(N.sum(), 1e-300)
        return self._update(N, {"rate": rate}, {"rate": pooled})

    def sample(self, state: int, n: int, rng: np.random.Generator) -> Any:
        """``n`` draws from state ``state`` with generator ``rng``."""
        r = self._arr("rate")[state]
        return self._sample_shape(rng.poisson(r, size=(n, r.size)))  # int64, as hmmlearn


class Categorical(_Independent):
    """Categorical emission over symbols ``0 .. n_symbols-1``: ``p_k(x) = probs[k, x]``.

    ``probs`` is ``(K, n_symbols)`` with rows summing to 1; observations are
    integers ``(T,)`` or ``(T, 1)`` (hmmlearn's ``CategoricalHMM`` layout).  Samples are
    ``(n, 1)``, as hmmlearn's, or ``(n,)`` once initialised from ``(T,)`` symbols.

    Parameters
    ----------
    probs : array-like of shape (n_states, n_symbols), optional
        Per-state symbol probabilities, rows non-negative and summing to 1;
        ``None``: set by ``initialize``/``fit``.
    n_symbols : int, optional
        The number of symbols, ``>= 1``; ``None``: the columns of ``probs``, or
        ``max(X) + 1`` at the first fit.

    Attributes
    ----------
    probs : ndarray of shape (n_states, n_symbols), dtype float64, or None
        The symbol probabilities; ``None`` until given or set by ``initialize``/``fit``.
    n_symbols : int or None
        The number of symbols.
    n_states : int
        The number of states ``K`` the parameters describe
        (:class:`~pyjl.exceptions.NotFittedError` before they are set).
    n_parameters : int
        The free scalar parameters over all states.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.hmm import Categorical
    >>> e = Categorical(probs=[[0.5, 0.5], [0.9, 0.1]])
    >>> np.round(np.exp(e.log_likelihood(np.array([0, 1]))), 2)
    array([[0.5, 0.9],
           [0.5, 0.1]])
    """

    _params = ("probs",)

    def __init__(self, probs: Any = None, n_symbols: int | None = None) -> None:
        self.probs = None if probs is None else np.asarray(probs, dtype=np.float64)
        self.n_symbols = (
            n_symbols
            if n_symbols is not None
            else None
            if self.probs is None or self.probs.ndim != 2
            else self.probs.shape[1]
        )
        self._squeeze = False

    def check_params(self, name: str = "emission") -> Self:
        """Validate ``probs`` (finite, >= 0, rows summing to 1, ``(K, n_symbols)``) and
        ``n_symbols``, raising :class:`InputError` naming the element."""
        if self.n_symbols is not None:
            self.n_symbols = integer(self.n_symbols, f"{name}.n_symbols", low=1)
        if self.probs is not None:
            P = check_prob_table(self.probs, f"{name}.probs", "symbol")
            if self.n_symbols is not None and P.shape[1] != self.n_symbols:
                raise error(
                    f"{name}.n_symbols",
                    f"must equal probs' {P.shape[1]} columns",
                    self.n_symbols,
                    "omit n_symbols or give probs one column per symbol",
                )
        return self

    @property
    def n_parameters(self) -> Any:
        """Free scalar parameters over all states."""
        return self._get("probs").shape[0] * (self._get("probs").shape[1] - 1)

    def check_input(self, X: Any) -> np.ndarray:
        """Validate the observations ``X`` for this emission; returns them as ``(T, d)``."""
        if self.n_symbols is not None:
            self.n_symbols = integer(self.n_symbols, "n_symbols", low=1)
        x = as_int_obs(X, "X", what="symbols", high=self.n_symbols)
        if x.shape[1] != 1:
            raise error(
                "X",
                "must be (T,) or (T, 1) symbols for Categorical",
                f"shape {x.shape}",
                "encode several features as one symbol",
            )
        return x

    def log_likelihood(self, X: Any) -> np.ndarray:
        """``(T, K)`` log-densities (log-probabilities for discrete data) of ``X``."""
        x = as_obs(X, finite=False).ravel()
        P = self._get("probs")
        ok = (x >= 0) & (x < P.shape[1]) & (x == np.floor(x))
        with np.errstate(divide="ignore"):
            out = np.log(P).T[np.where(ok, x, 0).astype(np.intp)]
        if not ok.all():
            out[~ok] = -np.inf  # outside the support
        return np.asarray(out)

    def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """Additive sufficient statistics of ``(X, weights)`` (``weights``: ``(T, K)``)."""
        x = as_obs(X, finite=False).ravel().astype(np.intp)
        S = self.n_symbols if self.n_symbols is not None else int(x.max()) + 1
        counts = np.stack(
            [np.bincount(x, weights=weights[:, k], minlength=S) for k in range(weights.shape[1])]
        )
        return (weights.sum(0), counts)

    def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Any:
        """Weighted maximum-likelihood update from summed :meth:`suff_stats`."""
        N, C = (np.asarray(s, dtype=np.float64) for s in stats)
        self.n_symbols = C.shape[1]
        probs = C / np.maximum(C.sum(1, keepdims=True), 1e-300)
        pooled = C.sum(0) / max(C.sum(), 1e-300)
        return self._update(N, {"probs": probs}, {"probs": pooled})

    def _store(self, name: str, value: Any) -> None:
        setattr(self, name, value)

    def initialize(self, X: Any, n_states: int, rng: np.random.Generator) -> Self:
        """Empirical symbol frequencies, perturbed per state by Dirichlet noise."""
        x = self.check_input(X).ravel().astype(np.intp)
        S = self.n_symbols if self.n_symbols is not None else int(x.max()) + 1
        freq = (np.bincount(x, minlength=S) + 1.0) / (x.size + S)
        noise = rng.dirichlet(np.ones(S), size=n_states)
        self.probs = 0.5 * freq + 0.5 * noise
        self.probs /= self.probs.sum(1, keepdims=True)
        self.n_symbols = S
        self._squeeze = np.ndim(X) == 1
        return self

    def sample(self, state: int, n: int, rng: np.random.Generator) -> Any:
        """``n`` draws from state ``state`` with generator ``rng``."""
        p = drawn_from(self._get("probs")[state])
        return self._sample_shape(rng.choice(p.size, size=(n, 1), p=p))  # int64, as hmmlearn

    def __repr__(self) -> str:
        return f"Categorical(n_symbols={self.n_symbols}, probs={self.probs!r})"
