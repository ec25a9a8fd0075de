"""HMM's checks of a user's emission (pyjl/hmm/_settings.py): a missing member is refused
up front, by name; an error inside n_parameters is reported as such, not as a model that
lacks its parameters."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from pyjl.exceptions import InputError
from pyjl.hmm import HMM


class Gauss:
    """A user's Gaussian emission: density scipy.stats.norm, weighted MLE in closed form."""

    def __init__(self, mean=None, sd=None):
        self.mean, self.sd = mean, sd

    def log_likelihood(self, X):
        return stats.norm.logpdf(np.reshape(X, (-1, 1)), self.mean, self.sd)

    def fit(self, X, weights):
        x, w = np.reshape(X, (-1, 1)), np.asarray(weights, float)
        self.mean = (w * x).sum(0) / w.sum(0)
        self.sd = np.sqrt((w * (x - self.mean) ** 2).sum(0) / w.sum(0))
        return self

    def sample(self, state, n, rng):
        return rng.normal(self.mean[state], self.sd[state], size=n)

    @property
    def n_parameters(self):
        return 2 * self.mean.size

    def initialize(self, X, n_states, rng):
        x = np.ravel(X)
        self.mean = np.quantile(x, (np.arange(n_states) + 0.5) / n_states)
        self.sd = np.full(n_states, x.std() / n_states)
        return self


_rng = np.random.default_rng(0)
X = np.r_[_rng.normal(0.0, 1.0, 200), _rng.normal(6.0, 1.0, 200)]


@pytest.mark.parametrize(
    "member", ["log_likelihood", "fit", "sample", "n_parameters", "initialize"]
)
def test_an_emission_missing_a_member_is_refused_by_fit_naming_it(member):
    # without n_parameters fit used to succeed, and score then said "refit the model"
    members = {k: v for k, v in vars(Gauss).items() if k == "__init__" or k[0] != "_"}
    cls = type("Partial", (), {k: v for k, v in members.items() if k != member})
    with pytest.raises(
        InputError, match=rf"`emission` must be .*; got Partial without {member}\."
    ):
        HMM(cls(), 2, random_state=0).fit(X)


def test_an_error_inside_n_parameters_is_not_called_missing_parameters():
    class Typo(Gauss):
        @property
        def n_parameters(self):
            return 2 * self.means.size

    m = HMM(Typo(), 2, random_state=0).fit(X)
    for call in (m.score, m.predict):
        with pytest.raises(InputError) as info:
            call(X)
        said = str(info.value)
        assert said.startswith("`emission_.n_parameters` must give the number")
        assert "AttributeError raised by Typo.n_parameters" in said and "refit" not in said
        assert isinstance(info.value.__cause__, AttributeError)


def test_a_mixture_part_missing_a_member_is_refused_naming_it():
    # the one protocol list: a Mixture's parts need n_parameters too (for AIC/BIC)
    from pyjl.hmm import Mixture, Normal

    class NoCount:
        def log_likelihood(self, X):
            return np.zeros((len(X), 1))

        def fit(self, X, weights):
            return self

        def sample(self, state, n, rng):
            return np.zeros(n)

        def initialize(self, X, n_states, rng):
            return self

    with pytest.raises(InputError, match=r"`components\[1\]`.*without n_parameters"):
        Mixture([Normal(), NoCount()])
