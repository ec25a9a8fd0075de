"""HMM behaviour: swapping emissions, a user-defined emission, published references,
sampling, decoding, convergence monitor, progress bar, errors and degenerate states."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from brute import enumerate_hmm
from scipy import special, stats

from pyjl.exceptions import InputError, NotFittedError, NumericalWarning
from pyjl.hmm import HMM, Categorical, Exponential, Gamma, Mixture, MvNormal, Normal, Poisson
from pyjl.testing import check_emission

A2 = np.array([[0.95, 0.05], [0.1, 0.9]])

# Zucchini, MacDonald & Langrock, "Hidden Markov Models for Time Series" (2nd ed., 2016),
# major earthquakes (magnitude 7+) per year, 1900-2006.
EARTHQUAKES = np.array(
    [
        13,
        14,
        8,
        10,
        16,
        26,
        32,
        27,
        18,
        32,
        36,
        24,
        22,
        23,
        22,
        18,
        25,
        21,
        21,
        14,
        8,
        11,
        14,
        23,
        18,
        17,
        19,
        20,
        22,
        19,
        13,
        26,
        13,
        14,
        22,
        24,
        21,
        22,
        26,
        21,
        23,
        24,
        27,
        41,
        31,
        27,
        35,
        26,
        28,
        36,
        39,
        21,
        17,
        22,
        17,
        19,
        15,
        34,
        10,
        15,
        22,
        18,
        15,
        20,
        15,
        22,
        19,
        16,
        30,
        27,
        29,
        23,
        20,
        16,
        21,
        21,
        25,
        16,
        18,
        15,
        18,
        14,
        10,
        15,
        8,
        15,
        6,
        11,
        8,
        7,
        18,
        16,
        13,
        12,
        13,
        20,
        15,
        16,
        12,
        18,
        15,
        16,
        13,
        15,
        16,
        11,
        11,
    ],
    dtype=float,
)


class StudentT:
    """A user's emission (Student-t, fixed degrees of freedom), written only against the
    five-member protocol: no suff_stats, no check_input.  Weighted fit: the EM for the t
    location-scale (Liu & Rubin 1995) run to convergence."""

    def __init__(self, loc=None, scale=None, df=4.0):
        self.loc = None if loc is None else np.asarray(loc, float)
        self.scale = None if scale is None else np.asarray(scale, float)
        self.df = df

    def log_likelihood(self, X):
        x = np.asarray(X, float).reshape(-1, 1)
        return stats.t.logpdf(x, self.df, loc=self.loc, scale=self.scale)

    def fit(self, X, weights):
        x = np.asarray(X, float).reshape(-1, 1)
        on = weights.sum(0) > 0  # a state with no weight keeps its parameters
        w, loc, scale = weights[:, on], self.loc[on], self.scale[on]
        for _ in range(200):
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
        return 2 * self.loc.size

    def initialize(self, X, n_states, rng):
        x = np.asarray(X, float).ravel()
        self.loc = np.quantile(x, (np.arange(n_states) + 0.5) / n_states)
        self.scale = np.full(n_states, x.std() / n_states)


def _truth(emission):
    return HMM(emission, 2, init="given", startprob=[0.5, 0.5], transmat=A2)


@pytest.mark.parametrize(
    "make_true,make_new",
    [
        (lambda: Normal([0.0, 4.0], [1.0, 0.5]), Normal),
        (lambda: Exponential([5.0, 0.3]), Exponential),
        (lambda: Poisson([2.0, 12.0]), Poisson),
        (lambda: Gamma([2.0, 9.0], [4.0, 1.0]), Gamma),
        (lambda: Categorical([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]), Categorical),
        (
            lambda: MvNormal([[0, 0], [3, 3]], [[[1, 0.4], [0.4, 1]], [[1, -0.3], [-0.3, 0.5]]]),
            MvNormal,
        ),
        (lambda: StudentT([0.0, 6.0], [1.0, 0.5]), StudentT),
    ],
)
@pytest.mark.usefixtures("engine")
def test_same_hmm_code_for_every_emission(make_true, make_new):
    X, z = _truth(make_true()).sample(4000, random_state=1)
    m = HMM(make_new(), 2, n_iter=200, random_state=0).fit(X)
    assert m.monitor_.converged
    acc = (m.predict(X) == z).mean()
    assert max(acc, 1 - acc) > 0.9
    order = [0, 1] if acc > 0.5 else [1, 0]
    np.testing.assert_allclose(m.transmat_[np.ix_(order, order)], A2, atol=0.04)
    h = np.diff(m.monitor_.history)
    assert (h > -1e-9 * np.abs(m.monitor_.history[1:])).all()  # EM never decreases


def test_user_emission_passes_check_emission():
    check_emission(StudentT([0.0, 5.0], [1.0, 2.0]), n=2000)


@pytest.mark.usefixtures("engine")
def test_matches_enumeration_with_real_emissions(rng):
    e = Poisson([1.0, 4.0, 9.0])
    pi, A = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3), size=3)
    X = rng.poisson(4.0, size=9).astype(float)
    m = HMM(e, 3, init="given", startprob=pi, transmat=A)
    ll, gamma, xi, path, lp = enumerate_hmm(np.log(pi), np.log(A), e.log_likelihood(X), [4, 5])
    np.testing.assert_allclose(m.score_sequences(X, [4, 5]), ll, rtol=1e-12)
    np.testing.assert_allclose(m.predict_proba(X, [4, 5]), gamma, atol=1e-12)
    logprob, states = m.decode(X, [4, 5])
    np.testing.assert_array_equal(states, path)
    assert logprob == pytest.approx(lp.sum(), rel=1e-12)
    assert m.decode(X, [4, 5], algorithm="map")[1].tolist() == gamma.argmax(1).tolist()


def _stationary_nll(p):
    l1, l2 = np.exp(p[:2])
    g12, g21 = special.expit(p[2:])
    A = np.array([[1 - g12, g12], [g21, 1 - g21]])
    delta = np.array([g21, g12]) / (g12 + g21)
    return -HMM(Poisson([l1, l2]), 2, init="given", startprob=delta, transmat=A).score(EARTHQUAKES)


@pytest.mark.slow
@pytest.mark.usefixtures("engine")
def test_earthquakes_zucchini_macdonald():
    # Published 2-state stationary Poisson-HMM MLE (Zucchini, MacDonald & Langrock,
    # section 3.5): lambda = (15.472, 26.125), gamma_12 = 0.0660, gamma_21 = 0.1285.
    # Maximising our stationary likelihood from elsewhere must land there.
    from scipy.optimize import minimize

    r = minimize(
        _stationary_nll,
        [np.log(10.0), np.log(30.0), -1.0, -1.0],
        method="Nelder-Mead",
        options=dict(xatol=1e-9, fatol=1e-11, maxiter=20000),
    )
    assert np.exp(r.x[:2]) == pytest.approx([15.472, 26.125], abs=2e-3)
    assert special.expit(r.x[2:]) == pytest.approx([0.0660, 0.1285], abs=2e-4)
    # Baum-Welch also estimates the initial distribution: it can only do better, and
    # reaches the book's non-stationary value -log L = 341.8787.
    m = HMM(Poisson(), 2, n_iter=1000, tol=1e-12, random_state=0).fit(EARTHQUAKES)
    assert -m.score(EARTHQUAKES) <= r.fun + 1e-6
    assert -m.score(EARTHQUAKES) == pytest.approx(341.8787, abs=1e-3)
    assert np.sort(m.emission_.rate) == pytest.approx([15.472, 26.125], abs=0.2)
    # 3 states: lambda = (13.146, 19.721, 29.714) in the book (stationary fit).
    m3 = HMM(Poisson(), 3, n_iter=1000, tol=1e-12, random_state=1).fit(EARTHQUAKES)
    assert np.sort(m3.emission_.rate) == pytest.approx([13.146, 19.721, 29.714], abs=0.1)
    assert m3.aic(EARTHQUAKES) < m.aic(EARTHQUAKES)  # as in the book


def test_sampling_follows_the_chain():
    m = HMM(Normal([0.0, 10.0], [1.0, 1.0]), 2, init="given", startprob=[1.0, 0.0], transmat=A2)
    X, z = m.sample(20000, random_state=4)
    assert z[0] == 0 and X.shape == (20000,)
    counts = np.zeros((2, 2))
    np.add.at(counts, (z[:-1], z[1:]), 1)
    np.testing.assert_allclose(counts / counts.sum(1, keepdims=True), A2, atol=0.01)
    assert X[z == 1].mean() == pytest.approx(10.0, abs=0.05)
    X2, z2 = m.sample(20000, random_state=4)
    np.testing.assert_array_equal(z, z2)


def test_monitor_is_relative_to_the_loglik_scale():
    X, _ = _truth(Normal([0.0, 4.0], [1.0, 0.5])).sample(3000, random_state=2)
    X = X * 1e5 + 1e9  # |log L| ~ 4e4, huge offsets
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        m = HMM(Normal(), 2, n_iter=300, tol=1e-8, random_state=0).fit(X)
    assert m.monitor_.converged and m.monitor_.iter < 300
    assert len(m.monitor_.history) == m.monitor_.iter
    assert m.monitor_.delta < 1e-8 * abs(m.monitor_.history[-1])


def test_progress_bar_shows_loglik(capsys):
    X, _ = _truth(Normal([0.0, 4.0], [1.0, 0.5])).sample(500, random_state=2)
    HMM(Normal(), 2, n_iter=3, tol=-np.inf, progress=True, random_state=0).fit(X)
    err = capsys.readouterr().err
    assert "loglik=" in err and "3/3" in err


def test_random_and_kmeans_init_and_priors():
    X, _ = _truth(Normal([0.0, 4.0], [1.0, 0.5])).sample(2000, random_state=5)
    a = HMM(Normal(), 2, init="random", random_state=0, n_iter=300).fit(X)
    b = HMM(Normal(), 2, init="kmeans", random_state=0, n_iter=300).fit(X)
    assert a.score(X) == pytest.approx(b.score(X), rel=1e-4)
    c = HMM(
        Normal(),
        2,
        init="kmeans",
        random_state=0,
        n_iter=300,
        transmat_prior=np.full((2, 2), 1.0) + np.eye(2) * 1000,
    ).fit(X)
    assert np.diag(c.transmat_).min() > np.diag(b.transmat_).min()


def test_random_init_finds_separated_states_from_most_seeds():
    # the reviewer's case: random weights drawn without regard to the rows gave every state
    # about the mean of all of them, and EM stopped at the one-state fit (9-11 seeds of 20
    # found the two clusters; hmmlearn's own k-means start finds them from 15)
    rng = np.random.default_rng(0)
    x = np.r_[rng.normal(0.0, 1.0, 300), rng.normal(4.0, 1.0, 300)]
    found = 0
    for seed in range(20):
        m = HMM(Normal(), 2, init="random", random_state=seed).fit(x)
        found += bool(np.abs(np.sort(np.ravel(m.emission_.mean)) - [0.0, 4.0]).max() < 0.3)
    assert found >= 17
    mixed = HMM(Mixture(Normal(), n_components=2), 2, init="random", random_state=0).fit(x)
    assert mixed.score(x) > HMM(Normal(), 1).fit(x).score(x) + 100  # not the one-state fit


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # hmmlearn's k-means
def test_states_that_start_as_copies_warn():
    # the reviewer's case: 2 distinct rows for 4 states: k-means makes copies, which EM
    # updated alike from a uniform chain, silently, to a fit below hmmlearn's (608 vs 663)
    from pyjl.exceptions import ConvergenceWarning

    X = np.repeat([[0.0, 1.0], [5.0, 5.0]], 50, axis=0)
    with pytest.warns(ConvergenceWarning, match=r"state\(s\) \[1, 2\] equal to another"):
        m = HMM(MvNormal(covariance_type="diag"), 4, random_state=0).fit(X)
    # the chain then starts from a random draw, as hmmlearn's always does, and EM tells the
    # copies apart by their transitions: hmmlearn's best fit over its seeds, or better
    hmm = pytest.importorskip("hmmlearn.hmm")
    theirs = max(hmm.GaussianHMM(4, "diag", random_state=s).fit(X).score(X) for s in range(5))
    assert m.score(X) >= theirs - 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        HMM(MvNormal(covariance_type="diag"), 2, random_state=0).fit(X)


@pytest.mark.usefixtures("engine")
def test_mixture_emission_in_an_hmm():
    e = Mixture(
        [Normal([-2.0, 5.0], [0.3, 0.3]), Normal([2.0, 9.0], [0.3, 0.3])],
        weights=[[0.5, 0.5], [0.3, 0.7]],
    )
    X, z = _truth(e).sample(4000, random_state=6)
    m = HMM(Mixture(Normal(), n_components=2), 2, n_iter=300, random_state=0).fit(X)
    acc = (m.predict(X) == z).mean()
    assert max(acc, 1 - acc) > 0.97
    assert m.score(X) > _truth(e).score(X) - 10


@pytest.mark.usefixtures("engine")
def test_degenerate_state_is_reseeded_or_kept_never_nan(rng):
    X = np.r_[rng.normal(0, 1, 300), rng.normal(50, 1, 3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)
        m = HMM(Normal(), 4, n_iter=50, random_state=0).fit(X)
    for a in (m.startprob_, m.transmat_, m.emission_.mean, m.emission_.var):
        assert np.isfinite(a).all()
    assert np.isfinite(m.score(X))


def test_unfitted_and_given_models():
    with pytest.raises(NotFittedError):
        HMM(Normal(), 2).score(np.zeros(3))
    with pytest.raises(InputError, match="init='given'"):
        HMM(Normal(), 2, init="given").fit(np.zeros(3))
    m = _truth(Normal([0.0, 4.0], [1.0, 0.5]))
    assert np.isfinite(m.score(np.zeros(3)))
    assert m.n_parameters == 1 + 2 + 4


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: HMM(Normal(), 2).fit(np.zeros(10), lengths=[3, 3]), "`lengths`.*sum"),
        (
            lambda: HMM(Normal(), 2).fit(np.zeros(10), lengths=[10, 0]),
            "`lengths\\[1\\]`.*positive",
        ),
        (lambda: HMM(Normal(), 2).fit(np.zeros(10), lengths=[2.5, 7.5]), "`lengths`"),
        (lambda: HMM(Normal(), 2).fit([0.0, np.nan, 1.0]), "`X`.*index 1"),
        (lambda: HMM(Poisson(), 2).fit([1.0, -1.0, 2.0]), "`X`.*>= 0"),
        (lambda: HMM(Poisson(), 2).fit([1.0, 1.5, 2.0]), "`X`.*integers"),
        (lambda: HMM(Categorical(), 2).fit([0.0, 1.2, 2.0]), "`X`.*integers"),
        (lambda: HMM(Normal(), 5).fit(np.zeros(3)), "`X`.*at least n_states"),
        (lambda: HMM(Normal(), 0).fit(np.zeros(5)), "`n_states`"),
        (lambda: HMM(Normal(), 2, startprob=[0.5, 0.6]).fit(np.zeros(5)), "`startprob`"),
        (lambda: HMM(Normal(), 2, transmat=[[1.0, 0.0]]).fit(np.zeros(5)), "`transmat`"),
        (lambda: HMM(Normal(), 2, init="spectral").fit(np.zeros(5)), "`init`"),
    ],
)
def test_bad_input_raises_input_error(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_sample_follows_the_models_random_state_as_hmmlearn():
    # hmmlearn's sample() falls back to the model's random_state: a seeded model samples
    # the same path every call; a legacy RandomState is taken as hmmlearn users pass it
    model = HMM(
        Normal([[0.0], [5.0]], [[1.0], [1.0]]),
        2,
        init="given",
        startprob=[0.5, 0.5],
        transmat=[[0.9, 0.1], [0.2, 0.8]],
        random_state=7,
    )
    X1, z1 = model.sample(50)
    X2, z2 = model.sample(50)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(z1, z2)
    assert not np.array_equal(model.sample(50, random_state=8)[1], z1)
    model.random_state = np.random.RandomState(0)
    a = model.sample(50)[1]
    model.random_state = np.random.RandomState(0)
    np.testing.assert_array_equal(model.sample(50)[1], a)
    X = model.sample(300)[0]
    fits = [
        HMM(Normal(), 2, random_state=np.random.RandomState(3), n_iter=5).fit(X).score(X)
        for _ in range(2)
    ]
    assert fits[0] == fits[1]


def test_sample_never_visits_a_state_of_probability_zero():
    # rows set by hand may sum to 1 only within hmmlearn's tolerance (0.99999 here); a
    # draw above that sum went to the last state, whose probability is zero
    m = HMM(Normal(), 3, random_state=0, n_iter=1).fit(np.random.default_rng(0).normal(size=30))
    m.emission_.mean, m.emission_.var = np.array([0.0, 1.0, 100.0]), np.ones(3)
    m.startprob_ = np.array([0.5, 0.49999, 0.0])
    m.transmat_ = np.tile([0.5, 0.49999, 0.0], (3, 1))
    states = m.sample(1_000_000, random_state=0)[1]
    assert not (states == 2).any()
    # the others in proportion to their probabilities (binomial, 6 standard errors)
    share = np.mean(states[1:] == 1)
    assert abs(share - 0.49999 / 0.99999) < 6 * np.sqrt(0.25 / states.size)


def test_discrete_samples_are_integers_as_hmmlearns():
    pi, A = [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]
    cat = HMM(Categorical([[0.7, 0.3], [0.1, 0.9]]), 2, init="given", startprob=pi, transmat=A)
    pois = HMM(Poisson([[1.0], [9.0]]), 2, init="given", startprob=pi, transmat=A)
    for model in (cat, pois):
        X, _ = model.sample(20, random_state=0)
        assert X.dtype == np.int64
        labels = np.array(["a", "b"] + [str(k) for k in range(2, 40)])
        assert labels[X].shape == X.shape  # usable as indices


def test_given_emission_parameters_re_estimated_by_kmeans_warn(rng):
    # hmmlearn warns when init_params would overwrite parameters the user set
    X = np.r_[rng.normal(0, 1, 200), rng.normal(5, 1, 200)]
    with pytest.warns(UserWarning, match="init='given'"):
        HMM(Normal([[0.0], [5.0]], [[1.0], [1.0]]), 2, n_iter=2).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        HMM(
            Normal([[0.0], [5.0]], [[1.0], [1.0]]),
            2,
            n_iter=2,
            init="given",
            startprob=[0.5, 0.5],
            transmat=[[0.9, 0.1], [0.1, 0.9]],
        ).fit(X)
        HMM(Normal(), 2, n_iter=2).fit(X)


def test_sample_keeps_real_draws_of_a_mixture_whose_first_state_draws_counts():
    # states' draws of different dtypes (counts and reals) share one real output
    em = Mixture(
        [Poisson([[3.0], [50.0]]), Exponential([[1.0], [0.01]])],
        weights=[[0.999, 0.001], [0.001, 0.999]],
    )
    m = HMM(em, 2, init="given", startprob=[1.0, 0.0], transmat=[[0.5, 0.5], [0.5, 0.5]])
    X, z = m.sample(200, random_state=0)
    assert X.dtype == np.float64
    assert np.any(X[z == 1] != np.round(X[z == 1]))  # the exponential draws keep fractions


@pytest.mark.parametrize("n_inner", [1, 3])
def test_an_em_iteration_of_a_mixture_runs_its_n_inner_steps(n_inner):
    # one HMM EM iteration = the E-step's state posteriors, then Mixture.fit with them
    # (n_inner nested steps); n_inner was ignored inside HMM.fit (summed statistics)
    rng = np.random.default_rng(3)
    x = np.r_[rng.normal(0, 1, 200), rng.normal(4, 1, 200), rng.normal(-3, 0.5, 100)]

    def mixture():
        return Mixture(
            [Normal([-1.0, 3.0], [1.0, 2.0]), Normal([1.0, 5.0], [2.0, 1.0])],
            weights=[[0.5, 0.5], [0.3, 0.7]],
            n_inner=n_inner,
        )

    chain = dict(init="given", startprob=[0.6, 0.4], transmat=[[0.9, 0.1], [0.2, 0.8]])
    gamma = HMM(mixture(), 2, **chain).predict_proba(x)
    want = mixture().fit(x, gamma)
    got = HMM(mixture(), 2, n_iter=1, tol=-np.inf, **chain).fit(x).emission_
    np.testing.assert_allclose(got.weights, want.weights, rtol=1e-10)
    for g, w in zip(got.components, want.components):
        np.testing.assert_allclose(np.ravel(g.mean), np.ravel(w.mean), rtol=1e-10)
        np.testing.assert_allclose(np.ravel(g.var), np.ravel(w.var), rtol=1e-10)


def test_a_mixture_whose_parts_disagree_on_the_states_is_refused():
    three = Normal([0.0, 1.0, 2.0], [1.0] * 3)
    chain = dict(init="given", startprob=[0.5, 0.5], transmat=[[0.5, 0.5], [0.5, 0.5]])
    bad = Mixture([three, Normal([0.0, 1.0], [1.0, 1.0])], weights=[[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(InputError, match=r"components\[0\]` must describe 2 states"):
        HMM(bad, 2, **chain).score(np.zeros(5))
    with pytest.raises(InputError, match=r"components\[1\]` must describe 3 states"):
        Mixture([three, Normal([0.0, 1.0], [1.0, 1.0])]).check_params()
    # parts of different dimensions are named, not blamed on X
    two_d = MvNormal(np.zeros((2, 2)), np.ones((2, 2)), covariance_type="diag")
    three_d = MvNormal(np.zeros((2, 3)), np.ones((2, 3)), covariance_type="diag")
    mixed = Mixture([two_d, three_d], weights=[[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(InputError, match=r"components\[1\]` must describe 2 features"):
        HMM(mixed, 2, **chain).score(np.zeros((5, 2)))
