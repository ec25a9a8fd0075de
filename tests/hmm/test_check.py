"""pyjl.testing.check_emission on users' plug-ins (pyjl/hmm/_check.py): correct emissions
whose densities are SciPy's pass, broken ones fail with an AssertionError saying why."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, special, stats

from pyjl.exceptions import InputError
from pyjl.hmm import HMM
from pyjl.testing import check_emission


def _lower_weighted_median(x, w):
    o = np.argsort(x, kind="stable")
    c = np.cumsum(w[o])
    return x[o][np.searchsorted(c, c[-1] / 2)]


class Laplace:
    """Density scipy.stats.laplace, draws numpy's; weighted MLE (weighted median, MAD)."""

    def __init__(self, loc=None, scale=None):
        self.loc = None if loc is None else np.array(loc, float)
        self.scale = None if scale is None else np.array(scale, float)

    def log_likelihood(self, X):
        return stats.laplace.logpdf(np.reshape(X, (-1, 1)), self.loc, self.scale)

    def fit(self, X, weights):
        x, w = np.ravel(X), np.asarray(weights, float)
        for k in np.flatnonzero(w.sum(0) > 0):  # a state with no weight keeps its own
            self.loc[k] = _lower_weighted_median(x, w[:, k])
            self.scale[k] = w[:, k] @ np.abs(x - self.loc[k]) / w[:, k].sum()
        return self

    def sample(self, state, n, rng):
        return rng.laplace(self.loc[state], self.scale[state], size=n)

    @property
    def n_parameters(self):
        return 2 * self.loc.size

    def initialize(self, X, n_states, rng):
        x = np.ravel(X)
        self.loc = np.quantile(x, (np.arange(n_states) + 0.5) / n_states)
        self.scale = np.full(n_states, x.std() / n_states)
        return self


class VonMises:
    """Density scipy.stats.vonmises (periodic: defined on all reals), draws numpy's in
    [-pi, pi]; weighted MLE (mean direction, kappa from A(kappa) = mean resultant length)."""

    def __init__(self, mu=None, kappa=None):
        self.mu = None if mu is None else np.array(mu, float)
        self.kappa = None if kappa is None else np.array(kappa, float)

    def log_likelihood(self, X):
        return stats.vonmises.logpdf(np.reshape(X, (-1, 1)), self.kappa, loc=self.mu)

    def fit(self, X, weights):
        x, w = np.ravel(X), np.asarray(weights, float)
        for k in np.flatnonzero(w.sum(0) > 0):  # a state with no weight keeps its own
            C, S = w[:, k] @ np.cos(x) / w[:, k].sum(), w[:, k] @ np.sin(x) / w[:, k].sum()
            self.mu[k] = np.arctan2(S, C)
            R = np.hypot(C, S)
            self.kappa[k] = optimize.brentq(
                lambda a, R=R: special.i1e(a) / special.i0e(a) - R, 1e-8, 1e5
            )
        return self

    def sample(self, state, n, rng):
        return rng.vonmises(self.mu[state], self.kappa[state], size=n)

    @property
    def n_parameters(self):
        return 2 * self.mu.size

    def initialize(self, X, n_states, rng):
        self.mu = np.linspace(-np.pi, np.pi, n_states, endpoint=False)
        self.kappa = np.ones(n_states)
        return self


class StudentT2D:
    """Two independent Student-t coordinates (fixed ``df``): density scipy.stats.t, draws
    numpy's; weighted MLE of location and scale by EM (Liu & Rubin 1995)."""

    def __init__(self, loc=None, scale=None, df=3.0):
        self.loc, self.scale, self.df = loc, scale, df

    def log_likelihood(self, X):
        X = np.asarray(X, float)[:, None, :]
        return stats.t.logpdf(X, self.df, loc=self.loc, scale=self.scale).sum(-1)

    def fit(self, X, weights):
        on = np.asarray(weights, float).sum(0) > 0  # a state with no weight keeps its own
        X, w = np.asarray(X, float)[:, None, :], np.asarray(weights, float)[:, on, None]
        loc, scale = self.loc[on], self.scale[on]
        for _ in range(100):
            z = (X - loc) / scale
            u = w * (self.df + 1) / (self.df + z * z)
            loc = (u * X).sum(0) / u.sum(0)
            scale = np.sqrt((u * (X - loc) ** 2).sum(0) / w.sum(0))
        self.loc, self.scale = self.loc.copy(), self.scale.copy()
        self.loc[on], self.scale[on] = loc, scale
        return self

    def sample(self, state, n, rng):
        return self.loc[state] + self.scale[state] * rng.standard_t(self.df, size=(n, 2))

    @property
    def n_parameters(self):
        return 2 * self.loc.size

    def initialize(self, X, n_states, rng):
        X = np.asarray(X, float)
        self.loc = X[rng.choice(len(X), n_states, replace=False)]
        self.scale = np.ones((n_states, 2)) * X.std(0)
        return self


def _scaled_sampler(cls, factor):
    """``cls`` whose draws spread ``factor`` times too wide about the location."""

    class Scaled(cls):
        def sample(self, state, n, rng):
            x = super().sample(state, n, rng)
            return self.loc[state] + factor * (x - self.loc[state])

    return Scaled


@pytest.mark.parametrize("mu,kappa", [([0.0, 2.0], [2.0, 8.0]), ([3.0, -3.0], [0.5, 20.0])])
def test_a_von_mises_emission_passes_and_one_off_by_a_factor_fails(mu, kappa):
    # a periodic density integrates to 1 over [-pi, pi], the range its draws cover (the
    # old wide grid took in five periods: "integrates to 4.996665"); one 2 % too large fails
    out = check_emission(VonMises(mu, kappa))
    assert out["normalisation"] < 1e-3

    class TooLarge(VonMises):
        def log_likelihood(self, X):
            return super().log_likelihood(X) + np.log(1.02)

    with pytest.raises(AssertionError, match=r"integrates to 1\.0[12]\d* over"):
        check_emission(TooLarge(mu, kappa))


@pytest.mark.parametrize("df,seed", [(2.5, 0), (2.5, 1), (3.0, 0)])
def test_a_heavy_tailed_2d_student_t_passes_and_a_mis_scaled_sampler_fails(df, seed):
    # the d-D sampling check compared standard deviations, which are meaningless (or
    # infinite) for heavy tails: "do not match its density's spread"; the CDFs are not
    loc, scale = np.array([[0.0, 0.0], [5.0, 5.0]]), np.array([[1.0, 1.0], [2.0, 0.5]])
    check_emission(StudentT2D(loc, scale, df), random_state=seed)
    with pytest.raises(AssertionError, match="do not follow its density"):
        check_emission(_scaled_sampler(StudentT2D, 1.15)(loc, scale, df), random_state=seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("factor", [1.1, 0.85])
def test_a_laplace_sampler_with_its_scale_off_by_10_to_15_percent_fails(factor, seed):
    # the quartile CDFs' old tolerance (2.5 / sqrt(n)) let these pass on every seed
    loc, scale = [0.0, 5.0], [1.0, 2.0]
    check_emission(Laplace(loc, scale), random_state=seed)
    with pytest.raises(AssertionError, match="draws of state 0 do not follow its density"):
        check_emission(_scaled_sampler(Laplace, factor)(loc, scale), random_state=seed)


@pytest.mark.parametrize(
    "member", ["log_likelihood", "fit", "sample", "n_parameters", "initialize"]
)
def test_a_missing_member_is_an_assertion_error_naming_it(member):
    # HMM refuses an emission without any of them; the check raised a bare AttributeError
    # (or, for initialize, passed)
    members = {k: v for k, v in vars(Laplace).items() if k == "__init__" or k[0] != "_"}
    cls = type("Partial", (), {k: v for k, v in members.items() if k != member})
    with pytest.raises(AssertionError, match=rf"Partial lacks {member}: HMM uses"):
        check_emission(cls([0.0, 5.0], [1.0, 2.0]))


def test_an_error_inside_n_parameters_is_reported_as_such():
    class Typo(Laplace):
        @property
        def n_parameters(self):
            return 2 * self.locs.size

    with pytest.raises(AssertionError, match="Typo.n_parameters raised AttributeError") as info:
        check_emission(Typo([0.0, 5.0], [1.0, 2.0]))
    assert isinstance(info.value.__cause__, AttributeError)


@pytest.mark.parametrize("count", [0, False, -1, 2.5])
def test_n_parameters_that_undercounts_or_is_not_a_count_fails(count):
    # 0 is right only where nothing is free (a one-category Multinomial): a fit that
    # moves the locations and scales with n_parameters 0 undercounts them
    class Uncounted(Laplace):
        @property
        def n_parameters(self):
            return count

    zero = count == 0 and not isinstance(count, bool)
    words = "fit moves the parameters" if zero else "must be an integer >= 0"
    with pytest.raises(AssertionError, match=words):
        check_emission(Uncounted([0.0, 5.0], [1.0, 2.0]))


def test_an_initialize_that_ignores_n_states_fails():
    class OneState(Laplace):
        def initialize(self, X, n_states, rng):
            return super().initialize(X, 1, rng)

    with pytest.raises(AssertionError, match=r"initialize\(X, 2, rng\) must set parameters"):
        check_emission(OneState([0.0, 5.0], [1.0, 2.0]))


class _NoFit(Laplace):
    def fit(self, X, weights):  # leaves the parameters as they were
        return self


class _GlobalRandom(Laplace):
    def sample(self, state, n, rng):  # ignores rng: HMM.sample(random_state=...) not repeatable
        return np.random.laplace(self.loc[state], self.scale[state], size=n)  # noqa: NPY002


class _Transposed(Laplace):
    def log_likelihood(self, X):
        return super().log_likelihood(X).T


class _DividesByZeroWeight(Laplace):
    def fit(self, X, weights):
        x, w = np.ravel(X), np.asarray(weights, float)
        for k in range(w.shape[1]):
            self.loc[k] = w[:, k] @ x / w[:, k].sum()  # NaN for a state with no weight
            self.scale[k] = w[:, k] @ np.abs(x - self.loc[k]) / w[:, k].sum()
        return self


@pytest.mark.parametrize(
    "cls, words",
    [
        (_NoFit, "left it where it was"),
        (_GlobalRandom, "must draw from rng"),
        (_Transposed, "(T, K), a row per observation; got shape (2, 8)"),
        (_DividesByZeroWeight, "no weight on state 0"),
    ],
)
def test_seeded_protocol_bugs_fail_with_a_message_saying_what(cls, words):
    with pytest.raises(AssertionError) as err:
        check_emission(cls(np.array([0.0, 4.0]), np.array([1.0, 0.5])), n=2000)
    assert words in str(err.value)


@pytest.mark.parametrize("K", [3, 4])
def test_built_in_emissions_of_more_states_pass(K):
    # the fit-moves check pairs state j with the draws of state j + 1 for any K
    from pyjl.hmm import Normal, Poisson

    check_emission(Normal(3.0 * np.arange(K), 1.0 + 0.5 * np.arange(K)), n=2000)
    check_emission(Poisson(1.0 + 4.0 * np.arange(K)), n=2000)
    with pytest.raises(AssertionError, match="left it where it was"):
        check_emission(_NoFit(3.0 * np.arange(K), np.ones(K)), n=2000)


class _Gauss:
    """A user's Gaussian with direct fit and additive statistics (``bad``: the second
    moment's weights left out, the reviewer's case)."""

    def __init__(self, mean, var, bad=False):
        self.mean, self.var, self.bad = np.asarray(mean, float), np.asarray(var, float), bad

    def log_likelihood(self, X):
        x = np.asarray(X, float).reshape(-1, 1)
        return stats.norm.logpdf(x, self.mean, np.sqrt(self.var))

    def fit(self, X, weights):
        x, w = np.asarray(X, float).ravel(), np.asarray(weights, float)
        n = w.sum(0)
        ok = n > 1e-10
        mean = (w.T @ x) / np.where(ok, n, 1.0)
        var = (w.T @ x**2) / np.where(ok, n, 1.0) - mean**2
        self.mean, self.var = np.where(ok, mean, self.mean), np.where(ok, var, self.var)
        return self

    def suff_stats(self, X, weights):
        x, w = np.asarray(X, float).ravel(), np.asarray(weights, float)
        n = w.sum(0)
        return n, w.T @ x, (n * (x**2).mean()) if self.bad else w.T @ x**2

    def fit_stats(self, st):
        n, s1, s2 = st
        ok = n > 1e-10
        mean = s1 / np.where(ok, n, 1.0)
        self.mean = np.where(ok, mean, self.mean)
        self.var = np.where(ok, s2 / np.where(ok, n, 1.0) - mean**2, self.var)
        return self

    def sample(self, state, n, rng):
        return rng.normal(self.mean[state], np.sqrt(self.var[state]), n)

    @property
    def n_parameters(self):
        return 2 * self.mean.size

    def initialize(self, X, n_states, rng):
        x = np.asarray(X, float).ravel()
        self.mean = np.quantile(x, (np.arange(n_states) + 0.5) / n_states)
        self.var = np.full(n_states, x.var())
        return self


def test_statistics_that_disagree_with_fit_fail():
    # the reviewer's case: fit right, suff_stats' second moment unweighted; HMM.fit uses
    # the statistics, and fitted variances [4.78, 0.001] where the truth is [1, 1]
    check_emission(_Gauss([0.0, 4.0], [1.0, 1.0]), n=2000)
    with pytest.raises(AssertionError, match="fit_stats of suff_stats summed over two halves"):
        check_emission(_Gauss([0.0, 4.0], [1.0, 1.0], bad=True), n=2000)


def test_n_parameters_written_as_a_method_is_named():
    class Method(Laplace):
        def n_parameters(self):
            return 2 * np.size(self.loc)

    with pytest.raises(AssertionError, match=r"n_parameters must be a number .* @property"):
        check_emission(Method([0.0, 5.0], [1.0, 2.0]))
    rng = np.random.default_rng(0)
    X = np.r_[rng.laplace(0.0, 1.0, 200), rng.laplace(5.0, 1.0, 200)]
    with pytest.raises(InputError, match=r"`emission.n_parameters` must be a number"):
        HMM(Method(), 2, random_state=0).fit(X)  # refused by fit, not by every call after it
    with pytest.raises(InputError, match=r"`emission.n_parameters` must be a number"):
        HMM(
            Method([0.0, 5.0], [1.0, 1.0]),
            2,
            init="given",
            startprob=[0.5, 0.5],
            transmat=[[0.9, 0.1], [0.1, 0.9]],
        ).bic(X)
