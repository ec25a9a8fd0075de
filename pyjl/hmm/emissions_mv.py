"""Multivariate normal emission with full, diagonal, spherical or tied covariances.

``x | k ~ N(mean_k, cov_k)``; ``mean`` is ``(K, d)``; ``cov`` follows
hmmlearn's ``covars_`` layout: ``"full"`` ``(K, d, d)``, ``"diag"`` ``(K, d)``,
``"spherical"`` ``(K,)``, ``"tied"`` ``(d, d)`` (one matrix shared by all
states).  Weighted MLE (Bishop 2006, 9.2.2): ``mean_k = sum_t w_tk x_t / N_k``,
``cov_k = sum_t w_tk (x_t - mean_k)(x_t - mean_k)^T / N_k`` (tied: pooled
over states; diag/spherical: its diagonal / the average of its diagonal).
The (co)variances are hmmlearn's M-step as it is (with its ``covars_prior``);
``min_covar`` (hmmlearn's name and default, in the data's squared units) is added at
the data-driven initialisation, every state starting at ``np.cov(X.T) + min_covar * I``
as in hmmlearn, and otherwise only stands in for a degenerate update -- a state
collapsed onto equal values or onto a subspace, possible with ``covars_prior=0``: a
variance zero to rounding is raised to it (diag, spherical), and a matrix singular to
rounding gets ``(min_covar - lambda_min) I`` added to its diagonal (full, tied).

>>> import numpy as np
>>> e = MvNormal(mean=[[0.0, 0.0]], cov=[[[1.0, 0.0], [0.0, 1.0]]])
>>> round(float(e.log_likelihood(np.zeros((1, 2)))[0, 0]), 4)
-1.8379
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from scipy.linalg import cholesky

from .. import engines
from .._validate import choice, error
from ..exceptions import InputError, NotFittedError
from ._common import (
    INIT_ROWS,
    as_obs,
    check_values,
    covars_log_prior,
    covars_map,
    empty_states,
    floor_collapsed,
    gaussian_finite,
    gaussian_range,
    kmeans,
    min_covar,
    warn_empty,
)
from ._covariance import (
    TYPES,
    check_matrices,
    floor_eig,
    full_covs,
    full_loglik,
    initial,
    n_cov_parameters,
)
from ._fused import FusedGaussian

__all__ = ["MvNormal"]


def _fits(cov: Any, covariance_type: str, K: int, d: int) -> bool:
    """Whether ``cov`` has the layout of ``covariance_type`` for ``K`` states of ``d``
    features."""
    try:
        full_covs(cov, covariance_type, K, d)
    except InputError:
        return False
    return True


class MvNormal(FusedGaussian):
    """Multivariate Gaussian emission (see the module docstring).

    Parameters
    ----------
    mean : array-like of shape (n_states, n_features), optional
        The state means; ``None``: set by ``initialize``/``fit``.
    cov : array-like, optional
        The covariances in hmmlearn's ``covars_`` layout: shape
        ``(n_states, n_features, n_features)`` for ``"full"``, ``(n_states,
        n_features)`` for ``"diag"``, ``(n_states,)`` for ``"spherical"``,
        ``(n_features, n_features)`` for ``"tied"``; ``None``: set by
        ``initialize``/``fit``.
    covariance_type : {"full", "diag", "spherical", "tied"}, default "full"
        The form of the covariances (see the module docstring).
    min_covar : float, default 1e-3
        Added to the pooled covariance at initialisation, as hmmlearn does; in the
        M-step it only stands in for a variance zero to rounding or a matrix singular to
        rounding (see the module docstring).
    covars_prior : float or array-like, default 1e-2
        hmmlearn's prior on the covariances (inverse gamma for diag/spherical,
        inverse Wishart for full/tied): the M-step gives ``(covars_prior + c_n) /
        (max(covars_weight - o, 0) + N_k)`` with ``c_n`` the weighted scatter, ``o = 1``
        for diag/spherical and ``d`` for full/tied (tied: summed over states).  A scalar
        prior is added to every entry, as in hmmlearn.  ``covars_prior=0`` gives maximum
        likelihood.
    covars_weight : float, default 1.0
        The prior's weight in that formula.  Both defaults are hmmlearn's
        ``GaussianHMM`` defaults.

    Attributes
    ----------
    mean : ndarray of shape (n_states, n_features), dtype float64, or None
        The state means; ``None`` until given or set by ``initialize``/``fit``.
    cov : ndarray, dtype float64, or None
        The covariances in the layout of ``covariance_type`` (see ``cov`` above):
        ``(n_states, n_features, n_features)``, ``(n_states, n_features)``,
        ``(n_states,)`` or ``(n_features, n_features)``.
    covariance_type : str
        As given, checked.
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
    >>> from pyjl.hmm import MvNormal
    >>> cov = np.array([[[1.0, 0.3], [0.3, 1.0]], [[2.0, 0.0], [0.0, 0.5]]])
    >>> e = MvNormal(mean=[[0.0, 0.0], [1.0, 1.0]], cov=cov)
    >>> x = np.random.default_rng(0).standard_normal((4, 2))
    >>> ref = np.column_stack([stats.multivariate_normal.logpdf(x, m, c)
    ...                        for m, c in zip([[0.0, 0.0], [1.0, 1.0]], cov)])
    >>> bool(np.allclose(e.log_likelihood(x), ref))
    True
    """

    def __init__(
        self,
        mean: Any = None,
        cov: Any = None,
        covariance_type: str = "full",
        min_covar: float = 1e-3,
        covars_prior: float = 1e-2,
        covars_weight: float = 1.0,
    ) -> None:
        self.covariance_type = choice(covariance_type, "covariance_type", TYPES)
        self.mean: Any = (
            None if mean is None else np.atleast_2d(np.asarray(mean, dtype=np.float64))
        )
        self.cov: Any = None if cov is None else np.asarray(cov, dtype=np.float64)
        self.min_covar = min_covar
        self.covars_prior, self.covars_weight = covars_prior, covars_weight
        if self.mean is not None and self.cov is not None:
            try:
                self._full_covs()  # validates shapes
            except InputError as err:
                n = len(self.mean[0])  # a 1-D mean reads as one state of that many features
                if np.ndim(mean) != 1 or not _fits(self.cov, self.covariance_type, n, 1):
                    raise
                raise error(
                    "mean",
                    "must be (n_states, n_features) where `cov` does not fit one state of "
                    f"{n} features",
                    f"shape ({n},), with `cov` of shape {self.cov.shape}",
                    "for one feature per state pass mean as a column, np.reshape(mean, (-1, 1))",
                ) from err

    # -- parameters ---------------------------------------------------------------
    def _mean(self) -> Any:
        if self.mean is None:
            raise NotFittedError("MvNormal.mean is not set; pass it or fit the model first.")
        return self.mean

    def _full_covs(self, name: str = "cov") -> Any:
        """Every state's covariance as ``(K, d, d)`` (a wrong layout's error names ``name``)."""
        K, d = self._mean().shape
        c = self.cov
        if c is None:
            raise NotFittedError("MvNormal.cov is not set; pass it or fit the model first.")
        return full_covs(c, self.covariance_type, K, d, name)

    def check_params(self, name: str = "emission") -> Self:
        """Validate the parameters that are set: finite means; positive variances;
        symmetric positive-definite matrices (full, tied).  Raises :class:`InputError`
        naming the element (``emission.cov[1]``), the rule, the value and the fix."""
        choice(self.covariance_type, f"{name}.covariance_type", TYPES)  # may be set by hand
        if self.mean is not None:
            m = check_values(self.mean, f"{name}.mean", lambda a: a == a, "", "pass finite means")
            if m.ndim != 2:
                raise error(
                    f"{name}.mean",
                    "must be (n_states, n_features)",
                    f"shape {m.shape}",
                    "give one row of means per state",
                )
        if self.cov is None:
            return self
        c = check_values(self.cov, f"{name}.cov", lambda a: a == a, "", "pass finite covariances")
        if self.mean is not None:
            self._full_covs(f"{name}.cov")  # shapes
        if self.covariance_type in ("diag", "spherical"):
            check_values(
                c,
                f"{name}.cov",
                lambda a: a > 0,
                "must be > 0 (a variance)",
                "pass positive variances",
            )
            return self
        check_matrices(c, self.covariance_type, name)
        return self

    @property
    def n_states(self) -> int:
        """Number of hidden states ``K`` (:class:`NotFittedError` before ``mean`` is set)."""
        return int(self._mean().shape[0])

    @property
    def n_parameters(self) -> int:
        """Free scalar parameters over all states."""
        K, d = self._mean().shape
        return int(K * d + n_cov_parameters(self.covariance_type, K, d))

    def check_input(self, X: Any) -> np.ndarray:
        """Validate the observations ``X`` for this emission; returns them as ``(T, d)``."""
        x = as_obs(X, "X")
        if self.mean is not None and x.shape[1] != self.mean.shape[1]:
            raise error(
                "X",
                f"must have {self.mean.shape[1]} features (columns) to match the emission",
                x.shape[1],
                "pass (T, d) data",
            )
        return x

    # -- protocol -----------------------------------------------------------------
    def log_likelihood(self, X: Any) -> np.ndarray:
        """``(T, K)`` log-densities (log-probabilities for discrete data) of ``X``."""
        x = as_obs(X, finite=False)
        m = self._mean()
        K, d = m.shape
        if x.shape[1] != d:
            self.check_input(x)  # raises the InputError
        if self.covariance_type in ("diag", "spherical"):
            v = self.cov if self.covariance_type == "diag" else np.repeat(self.cov[:, None], d, 1)
            loglik: np.ndarray = engines.current().gaussian_loglik(x, _c(m), _c(v))
            return loglik
        with np.errstate(over="ignore"):  # -inf: below the double range (HMM reports it)
            return full_loglik(x, m, self._full_covs(), self.covariance_type == "tied")

    def _shift(self, d: int) -> Any:
        # == mean(axis=0), without np.mean's Python-level overhead (called every batch)
        return (
            np.add.reduce(self.mean, axis=0) / self.mean.shape[0]
            if self.mean is not None
            else np.zeros(d)
        )

    @property
    def supports_estep(self) -> bool:
        """The fused passes (``estep_stats``, ``forward_loglik``, ``viterbi_path``) apply to
        diagonal and spherical covariances, with this class's log-density (a subclass that
        overrides ``log_likelihood`` goes through it instead)."""
        return (
            self.covariance_type in ("diag", "spherical")
            and type(self).log_likelihood is MvNormal.log_likelihood
        )

    def _diag(self, X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = as_obs(X, finite=False)
        m = self._mean()
        d = m.shape[1]
        if x.shape[1] != d:
            self.check_input(x)  # raises the InputError
        v = self.cov if self.covariance_type == "diag" else np.repeat(self.cov[:, None], d, 1)
        return x, m, v

    def _shifts(self, K: int, d: int) -> Any:
        """The centres ``(K, d)`` of the full/tied moments: each state's current mean, so
        that a state's scatter is summed about (nearly) its own mean and the update
        ``S2 / N - mc mc^T`` does not cancel however far apart the states are; zeros
        before the means are set."""
        m = self.mean
        return m if m is not None and m.shape == (K, d) else np.zeros((K, d))

    def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """Additive sufficient statistics of ``(X, weights)`` (``weights``: ``(T, K)``):
        ``(N (K,), S1 (K, d), S2)``, the moments about the centres that :meth:`fit_stats`
        assumes (one ``(d,)`` centre for diag/spherical, each state's mean for full/tied)."""
        x = as_obs(X, finite=False)
        w = np.asarray(weights, dtype=np.float64)
        if self.covariance_type in ("diag", "spherical"):
            stats: tuple[np.ndarray, ...] = engines.current().weighted_moments(
                x, _c(w), _c(self._shift(x.shape[1]))
            )
            return stats
        K, d = w.shape[1], x.shape[1]
        c = self._shifts(K, d)
        S1, S2 = np.empty((K, d)), np.empty((K, d, d))
        for k in range(K):
            xc = x - c[k]
            S1[k] = w[:, k] @ xc
            S2[k] = (xc * w[:, k : k + 1]).T @ xc
        return (w.sum(0), S1, S2)

    def log_prior(self) -> float:
        """Log-density, up to a constant, of the covariances' prior (``covars_prior``,
        ``covars_weight``): EM increases the log-likelihood plus this."""
        d = self._mean().shape[1]
        return covars_log_prior(
            self.cov, self.covars_prior, self.covars_weight, self.covariance_type, d
        )

    def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Self:
        """Weighted maximum-likelihood update from summed :meth:`suff_stats`."""
        N, S1, S2 = (np.asarray(s, dtype=np.float64) for s in stats)
        K, d = S1.shape
        mask = empty_states(N)
        fresh = self.mean is None
        floor = min_covar(self.min_covar)
        prior = (self.covars_prior, self.covars_weight)
        if self.covariance_type not in ("diag", "spherical"):
            mean, cov = self._fit_matrices(N, S1, S2, mask, fresh, floor, prior)
        else:
            c = self._shift(d)
            Ns = np.maximum(N, 1e-300)
            tot = max(N.sum(), 1e-300)
            mc = S1 / Ns[:, None]
            pm = S1.sum(0) / tot
            pooled = np.maximum(S2.sum(0) / tot - pm**2, 0.0)
            if mask.any():
                mc[mask] = pm if fresh else (self.mean - c)[mask]
            v = covars_map(S2 / Ns[:, None] - mc**2, N[:, None], *prior, 1, (K, d))
            v[mask] = pooled if fresh else self._full_covs()[mask].diagonal(0, 1, 2)
            square = np.where(mask[:, None], np.abs(v), S2 / Ns[:, None])
            if self.covariance_type == "spherical":
                v, square = v.mean(1), square.mean(1)
            mean, cov = mc + c, floor_collapsed(v, square, floor)
            gaussian_finite(np.where(mask.reshape((-1,) + (1,) * (cov.ndim - 1)), 1.0, cov))
        self.mean, self.cov = mean, cov
        warn_empty(
            mask,
            "MvNormal",
            "set to the pooled estimate" if fresh else "kept from the previous iteration",
        )
        return self

    def _fit_matrices(
        self,
        N: np.ndarray,
        S1: np.ndarray,
        S2: np.ndarray,
        mask: np.ndarray,
        fresh: bool,
        floor: float,
        prior: tuple[Any, Any],
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(mean, cov)`` of a full or tied update from moments about :meth:`_shifts`;
        an empty state keeps its parameters, or (``fresh``) takes the pooled ones."""
        K, d = S1.shape
        c = self._shifts(K, d)
        mc = S1 / np.maximum(N, 1e-300)[:, None]  # each state's mean less its centre
        scatter = S2 - N[:, None, None] * np.einsum("ki,kj->kij", mc, mc)
        tot = max(N.sum(), 1e-300)
        if mask.any():  # the pooled mean and covariance, for the empty states
            pm = (S1 + N[:, None] * c).sum(0) / tot
            e = c - pm  # S2 + S1 e^T + e S1^T + N e e^T: each state's moments about pm
            pooled = (S2.sum(0) + S1.T @ e + e.T @ S1 + np.einsum("k,ki,kj->ij", N, e, e)) / tot
            mc[mask] = (pm - c[mask]) if fresh else 0.0
        if self.covariance_type == "tied":
            keep = ~mask
            n_keep = N[keep].sum()
            tied = scatter[keep].sum(0) / max(n_keep, 1e-300)
            full = covars_map(tied[None], n_keep, *prior, d, (1, d, d))
        else:
            full = covars_map(
                scatter / np.maximum(N, 1e-300)[:, None, None],
                N[:, None, None],
                *prior,
                d,
                (K, d, d),
            )
            if mask.any():
                full[mask] = pooled if fresh else self.cov[mask]
        cov = np.stack([floor_eig(f, floor) for f in full])
        if self.covariance_type == "tied":
            gaussian_finite(cov)
            return mc + c, cov[0]
        gaussian_finite(np.where(mask[:, None, None], 1.0, cov))
        return mc + c, cov

    def fit(self, X: Any, weights: np.ndarray) -> Any:
        """Weighted maximum likelihood; returns ``self``."""
        return self.fit_stats(self.suff_stats(self.check_input(X), np.asarray(weights, float)))

    def initialize(self, X: Any, n_states: int, rng: np.random.Generator) -> Self:
        """k-means means and the pooled data covariance for every state (as hmmlearn)."""
        choice(self.covariance_type, "emission.covariance_type", TYPES)  # may be set by hand
        x = gaussian_range(self.check_input(X))
        if x.shape[0] > INIT_ROWS:
            x = x[np.sort(rng.choice(x.shape[0], INIT_ROWS, replace=False))]
        centers, _ = kmeans(x, n_states, rng)
        d = x.shape[1]
        cv = np.atleast_2d(np.cov(x.T)) if x.shape[0] > 1 else np.zeros((d, d))
        cv = cv + min_covar(self.min_covar) * np.eye(d)
        self.mean = centers
        self.cov = initial(cv, self.covariance_type, n_states)
        return self

    def sample(self, state: int, n: int, rng: np.random.Generator) -> Any:
        """``n`` draws from state ``state`` with generator ``rng``."""
        m = self._mean()[state]
        L = cholesky(self._full_covs()[state], lower=True)
        return m + rng.standard_normal((n, m.size)) @ L.T

    def __repr__(self) -> str:
        return (
            f"MvNormal(covariance_type={self.covariance_type!r}, mean={self.mean!r}, "
            f"cov={self.cov!r})"
        )


def _c(a: Any) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)
