"""A user's emission at the edges of the protocol: a ``check_input`` that keeps one
feature 1-D, and ``sample`` with an emission that does not say its number of states."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from pyjl.exceptions import InputError
from pyjl.hmm import HMM


class LogNormal:
    """Log-normal per state, with the optional ``check_input`` returning 1-D rows."""

    def __init__(self, mu=None, sigma=None):
        self.mu, self.sigma = mu, sigma

    def check_input(self, X):
        x = np.asarray(X, float)
        if not (x > 0).all():
            raise InputError("`X` must be > 0")
        return x  # (T,) in, (T,) out

    def log_likelihood(self, X):
        x = np.asarray(X, float).reshape(-1, 1)
        return stats.lognorm.logpdf(x, self.sigma, scale=np.exp(self.mu))

    def fit(self, X, w):
        lx, n = np.log(np.asarray(X, float).ravel()), w.sum(0)
        self.mu = w.T @ lx / n
        self.sigma = np.sqrt(np.maximum(w.T @ lx**2 / n - self.mu**2, 1e-12))
        return self

    def sample(self, k, n, rng):
        return rng.lognormal(self.mu[k], self.sigma[k], n)

    @property
    def n_parameters(self):
        return 2 * len(self.mu)

    def initialize(self, X, K, rng):
        lx = np.log(np.asarray(X, float).ravel())
        self.mu, self.sigma = np.quantile(lx, (np.arange(K) + 0.5) / K), np.full(K, lx.std())
        return self


def test_a_one_feature_check_input_fits_as_a_column_does():
    # the reviewer's case: fit read X's width from the 1-D rows (IndexError) after it had
    # set the starting parameters, so the unfitted model scored quietly
    X = np.exp(np.random.default_rng(0).normal(0.0, 0.5, 600))
    flat = HMM(LogNormal(), n_states=2, random_state=0).fit(X)
    column = HMM(LogNormal(), n_states=2, random_state=0).fit(X[:, None])
    assert flat.n_features_in_ == column.n_features_in_ == 1
    assert flat.score(X) == pytest.approx(column.score(X), rel=1e-12)
    np.testing.assert_allclose(flat.transmat_, column.transmat_, rtol=1e-12)
    refused = HMM(LogNormal(), n_states=2, random_state=0)
    with pytest.raises(InputError):
        refused.fit(-X)
    assert not hasattr(refused, "transmat_")


class TwoStates:
    """Two Gaussian states, and no ``n_states`` to say so."""

    mean, sd, n_parameters = np.array([0.0, 4.0]), np.array([1.0, 1.0]), 4

    def log_likelihood(self, X):
        return stats.norm.logpdf(np.asarray(X, float).reshape(-1, 1), self.mean, self.sd)

    def fit(self, X, w):
        return self

    def sample(self, k, n, rng):
        return self.mean[k] + self.sd[k] * rng.standard_normal(n)

    def initialize(self, X, K, rng):
        return self


@pytest.mark.parametrize("K", [1, 3])
def test_sample_refuses_an_emission_of_other_states_as_score_does(K):
    # with one state it sampled from state 0 of two; with three, the user's sample failed
    # with an IndexError once state 2 was drawn
    m = HMM(
        TwoStates(), K, init="given", startprob=np.full(K, 1 / K), transmat=np.full((K, K), 1 / K)
    )
    with pytest.raises(InputError, match=rf"must return shape \(5, {K}\).*one column per state"):
        m.score(np.zeros(5))
    with pytest.raises(InputError, match=rf"one column per state \(n_states={K}\).*\(2, 2\)"):
        m.sample(20, random_state=0)
    two = HMM(
        TwoStates(), 2, init="given", startprob=[0.5, 0.5], transmat=[[0.9, 0.1], [0.1, 0.9]]
    )
    x, states = two.sample(50, random_state=0)
    assert x.shape == (50,) and set(np.unique(states)) <= {0, 1}
