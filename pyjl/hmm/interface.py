"""The emission protocol: what a distribution needs to plug into :class:`pyjl.hmm.HMM`.

An HMM with ``K`` hidden states draws each observation ``x_t`` from the
emission distribution of the current state ``z_t``: ``x_t | z_t = k ~ p_k``.
:class:`HMM` never looks inside the emission; it uses exactly five members:

``log_likelihood(X) -> (T, K)``
    ``out[t, k] = log p_k(X[t])`` for every observation and state, vectorised.
``fit(X, weights)``
    Weighted maximum likelihood, state by state: for each ``k`` maximise
    ``sum_t weights[t, k] * log p_k(X[t])``.  ``weights`` is ``(T, K)`` (the
    state posteriors of the E-step); a state whose weights are all ~0 must not
    become NaN (keep its parameters or re-seed it, with a warning).
``sample(state, n, rng) -> (n, ...)``
    ``n`` independent draws from ``p_state`` using the ``numpy.random.Generator``.
``n_parameters``
    The number of free scalar parameters over all states (for AIC/BIC).
``initialize(X, n_states, rng)``
    Set starting parameters for ``n_states`` states from the data.

That is the whole contract: a user's Student-t or von Mises emission written
against it works with ``HMM`` unchanged (``HMM`` refuses an emission lacking one of
the five, naming it), and :func:`pyjl.testing.check_emission` verifies one (weighted
fit recovers the parameters, the density integrates to 1 over the range its draws
cover, so a von Mises density needs no cut-off outside ``[-pi, pi]``, and sampling
matches the density).

Optional members make the built-in emissions faster and the model more scalable;
``HMM`` uses them when present and falls back otherwise:

``suff_stats(X, weights) -> tuple of arrays`` and ``fit_stats(stats)``
    Additive sufficient statistics: the statistics of two batches are the
    element-wise sum of each batch's, and ``fit_stats(suff_stats(X, w))`` equals
    ``fit(X, w)``.  With them ``HMM.fit`` streams batches of sequences (memory
    bounded by the longest sequence) and sums statistics across Dask workers;
    without them it keeps the ``(T, K)`` posteriors and calls ``fit`` once.
``estep_stats(X, lengths, log_pi, log_A) -> (loglik, start, trans, stats)``
    The whole E-step of a batch in one engine call: per-sequence log-likelihoods,
    the start and summed transition posteriors, and ``suff_stats`` of the state
    posteriors, which are never materialised (``Normal`` and diagonal/spherical
    ``MvNormal`` use the engine's fused ``gaussian_estep``).  An emission sets
    ``supports_estep = False`` where its fused members do not apply.
``forward_loglik(X, lengths, log_pi, log_A) -> loglik``
    The forward pass of ``score`` in one engine call, the log-densities computed
    inside the recursion rather than held as a ``(T, K)`` array (the engine's
    ``gaussian_forward`` for the same emissions).
``viterbi_path(X, lengths, log_pi, log_A) -> (path, logprob)``
    Viterbi (``predict``, ``decode``) in one engine call likewise
    (``gaussian_viterbi``).
``log_prior() -> float``
    The log-density, up to a constant, of a prior on the parameters whose mode ``fit``
    takes (a MAP update, such as the Gaussians' ``covars_prior``): EM then increases the
    log-likelihood plus this, and the convergence monitor checks that sum for decreases.
``check_input(X) -> X``
    Validate and convert observations (e.g. non-negative integer counts), raising
    :class:`pyjl.exceptions.InputError`; without it ``HMM`` requires finite floats.

Example -- a user's Student-t emission (fixed degrees of freedom ``df``), written
against the five members only; ``HMM(StudentT(), n_states=2).fit(X)`` then works::

    import numpy as np
    from scipy import stats

    class StudentT:
        def __init__(self, loc=None, scale=None, df=4.0):
            self.loc, self.scale, self.df = loc, scale, df
        def log_likelihood(self, X):                       # (T, K)
            x = np.asarray(X, float).reshape(-1, 1)
            return stats.t.logpdf(x, self.df, loc=self.loc, scale=self.scale)
        def fit(self, X, weights):   # weighted MLE: EM for the t (Liu & Rubin 1995)
            x = np.asarray(X, float).reshape(-1, 1)
            on = weights.sum(0) > 0    # a state with no weight keeps its parameters
            w, loc, scale = weights[:, on], self.loc[on], self.scale[on]
            for _ in range(100):
                z = (x - loc) / scale
                u = w * (self.df + 1) / (self.df + z * z)
                loc = (u * x).sum(0) / u.sum(0)
                scale = np.sqrt((u * (x - loc) ** 2).sum(0) / w.sum(0))
            self.loc, self.scale = self.loc.copy(), self.scale.copy()
            self.loc[on], self.scale[on] = loc, scale
            return self
        def sample(self, state, n, rng):
            return self.loc[state] + self.scale[state] * rng.standard_t(self.df, size=n)
        @property
        def n_parameters(self):
            return 2 * len(self.loc)
        def initialize(self, X, n_states, rng):
            x = np.asarray(X, float).ravel()
            self.loc = np.quantile(x, (np.arange(n_states) + 0.5) / n_states)
            self.scale = np.full(n_states, x.std() / n_states)
            return self

``pyjl.testing.check_emission(StudentT(np.array([0.0, 5.0]), np.array([1.0, 2.0])))``
checks it.  (``tests/hmm/test_model.py`` fits this class inside an HMM.)

Reference: the same three-method contract as HiddenMarkovModels.jl
(``rand``, ``logdensityof``, ``fit!``), plus what AIC/BIC and initialisation need.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["Emission", "EmissionStats"]


@runtime_checkable
class Emission(Protocol):
    """Per-state observation distributions of an HMM (see the module docstring).

    Examples
    --------
    >>> from pyjl.hmm import Emission, Normal, Poisson
    >>> isinstance(Normal(mean=[0.0], var=[1.0]), Emission), isinstance(1.0, Emission)
    (True, False)
    """

    def log_likelihood(self, X: Any) -> np.ndarray:
        """``(T, K)`` log-densities (log-probabilities for discrete data)."""
        ...

    def fit(self, X: Any, weights: np.ndarray) -> Any:
        """Weighted maximum-likelihood update of every state's parameters."""
        ...

    def sample(self, state: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws from state ``state``; ``(n,)`` or ``(n, d)``."""
        ...

    @property
    def n_parameters(self) -> int:
        """Free scalar parameters over all states."""
        ...

    def initialize(self, X: Any, n_states: int, rng: np.random.Generator) -> Any:
        """Starting parameters for ``n_states`` states from the data ``X``."""
        ...


@runtime_checkable
class EmissionStats(Protocol):
    """Optional: additive sufficient statistics (batching, Dask AllReduce).

    Examples
    --------
    >>> from pyjl.hmm import EmissionStats, Normal
    >>> isinstance(Normal(), EmissionStats), isinstance(object(), EmissionStats)
    (True, False)
    """

    def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """Statistics of ``(X, weights)`` that add across batches."""
        ...

    def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Any:
        """The ``fit`` update from summed statistics."""
        ...
