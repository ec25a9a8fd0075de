"""The multinomial emission: rows of counts over a fixed set of categories (hmmlearn's
``MultinomialHMM``).

Same conventions as :mod:`pyjl.hmm.emissions` (per-state parameter arrays, weighted
maximum likelihood ``fit_stats(suff_stats(X, w))``, empty states kept or pooled).

>>> import numpy as np
>>> from scipy import stats
>>> e = Multinomial(probs=[[0.2, 0.8], [0.5, 0.5]])
>>> x = np.array([[1, 3]])
>>> ref = [stats.multinomial.logpmf(x[0], 4, p) for p in e.probs]
>>> bool(np.allclose(e.log_likelihood(x)[0], ref))
True
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from scipy.special import gammaln

from .._validate import error, integer
from ._common import (
    INIT_ROWS,
    as_int_obs,
    as_obs,
    check_prob_table,
    count_log_dot,
    drawn_from,
    hard_weights,
    kmeans,
)
from ._independent import _Independent

__all__ = ["Multinomial"]


class Multinomial(_Independent):
    """Multinomial emission over ``n_features`` categories:
    ``p_k(x) = n! / prod_j x_j! * prod_j probs[k, j] ** x_j`` for a row of counts ``x``
    with ``n = sum_j x_j`` trials.

    Each row is scored with its own total, as hmmlearn's ``MultinomialHMM`` scores it;
    with ``n_trials`` given, every row must sum to it (a row that does not has
    probability 0 in :meth:`log_likelihood`, and is refused by ``fit`` and ``score``).

    Parameters
    ----------
    probs : array-like of shape (n_states, n_features), optional
        Per-state category probabilities, rows non-negative and summing to 1; ``None``:
        set by ``initialize``/``fit``.
    n_trials : int, optional
        The total of every row, ``>= 0``; ``None``: rows may have any totals (``sample``
        then needs it set).

    Attributes
    ----------
    probs : ndarray of shape (n_states, n_features), dtype float64, or None
        The category probabilities; ``None`` until given or set by ``initialize``/``fit``.
    n_trials : int or None
        As given.
    n_states : int
        The number of states ``K`` the parameters describe.
    n_parameters : int
        ``K * (n_features - 1)`` free scalar parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.hmm import HMM, Multinomial
    >>> model = HMM(Multinomial([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]], n_trials=5), 2,
    ...             init="given", startprob=[0.5, 0.5], transmat=[[0.9, 0.1], [0.1, 0.9]])
    >>> X, states = model.sample(4, random_state=0)
    >>> X.shape, X.sum(axis=1).tolist()
    ((4, 3), [5, 5, 5, 5])
    """

    _params = ("probs",)

    def __init__(self, probs: Any = None, n_trials: int | None = None) -> None:
        self.probs = None if probs is None else np.asarray(probs, dtype=np.float64)
        self.n_trials = n_trials
        self._squeeze = False

    def _trials(self, name: str = "n_trials") -> int | None:
        if self.n_trials is None:
            return None
        return integer(self.n_trials, name, low=0, fix="pass the total of every row, or None")

    def check_params(self, name: str = "emission") -> Self:
        """Validate ``probs`` (finite, >= 0, rows summing to 1, ``(K, n_features)``) and
        ``n_trials``, raising :class:`InputError` naming the element."""
        self._trials(f"{name}.n_trials")
        if self.probs is not None:
            check_prob_table(self.probs, f"{name}.probs", "feature")
        return self

    @property
    def n_parameters(self) -> Any:
        """Free scalar parameters over all states."""
        P = self._get("probs")
        return P.shape[0] * (P.shape[1] - 1)

    def check_input(self, X: Any) -> np.ndarray:
        """Validate the observations ``X`` (``(T, n_features)`` non-negative integer
        counts, each row summing to ``n_trials`` where it is given); returns them."""
        if np.ndim(X) == 1:
            raise error(
                "X",
                "must be (T, n_features) counts, one column per category",
                "a 1-D array",
                "pass a 2-D array; for one draw per row use Categorical",
            )
        x = _Independent.check_input(self, as_int_obs(X, "X", what="counts"))
        n = self._trials()
        if n is not None:
            bad = np.flatnonzero(x.sum(1) != n)
            if bad.size:
                raise error(
                    "X",
                    f"must have rows summing to n_trials={n}",
                    f"row {bad[0]} summing to {x[bad[0]].sum():g}",
                    "pass counts of n_trials draws per row, or n_trials=None",
                )
        return x

    def log_likelihood(self, X: Any) -> np.ndarray:
        """``(T, K)`` log-probabilities of the rows of counts ``X``."""
        x = as_obs(X, finite=False)
        P = self._get("probs")
        total = x.sum(1)
        ok = ((x >= 0) & (x == np.floor(x))).all(1)
        n = self._trials()
        if n is not None:
            ok &= total == n
        xs = np.where(ok[:, None], x, 0.0)
        out = count_log_dot(xs, P)
        out += (gammaln(xs.sum(1) + 1.0) - gammaln(xs + 1.0).sum(1))[:, None]
        out[~ok] = -np.inf
        return out

    def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """Additive sufficient statistics of ``(X, weights)`` (``weights``: ``(T, K)``):
        the states' weights and their weighted category counts."""
        x = as_obs(X, finite=False)
        w = np.asarray(weights, dtype=np.float64)
        return (w.sum(0), w.T @ x)

    def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Any:
        """Weighted maximum-likelihood update from summed :meth:`suff_stats`:
        ``probs[k] = counts[k] / sum(counts[k])`` (hmmlearn's M-step)."""
        N, C = (np.asarray(s, dtype=np.float64) for s in stats)
        rows = C.sum(1, keepdims=True)
        probs = C / np.maximum(rows, 1e-300)
        pooled = C.sum(0) / max(C.sum(), 1e-300)
        # a state that saw no counts at all (its rows all-zero) keeps or pools its row
        return self._update(np.where(rows[:, 0] > 0, N, 0.0), {"probs": probs}, {"probs": pooled})

    def initialize(self, X: Any, n_states: int, rng: np.random.Generator) -> Self:
        """k-means on the rows' proportions, then each cluster's category frequencies
        with one pseudo-count per category (so that no probability starts at 0, which
        EM could never leave)."""
        x = self.check_input(X)
        if x.shape[0] > INIT_ROWS:
            x = x[np.sort(rng.choice(x.shape[0], INIT_ROWS, replace=False))]
        total = x.sum(1, keepdims=True)
        shares = np.where(total > 0, x / np.maximum(total, 1.0), 1.0 / x.shape[1])
        _, labels = kmeans(shares, n_states, rng)
        counts = hard_weights(labels, n_states).T @ x + 1.0
        self.probs = counts / counts.sum(1, keepdims=True)
        return self

    def sample(self, state: int, n: int, rng: np.random.Generator) -> Any:
        """``n`` rows of ``n_trials`` draws from state ``state`` with generator ``rng``."""
        trials = self._trials()
        if trials is None:
            raise error(
                "n_trials",
                "must be set to sample from a Multinomial",
                None,
                "pass Multinomial(..., n_trials=...) or set model.emission_.n_trials",
            )
        p = drawn_from(self._get("probs")[state])
        return rng.multinomial(trials, p, size=n)  # int64, as hmmlearn

    def __repr__(self) -> str:
        return f"Multinomial(n_trials={self.n_trials}, probs={self.probs!r})"
