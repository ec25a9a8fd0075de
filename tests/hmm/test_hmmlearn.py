"""Agreement with hmmlearn (the peer users switch from): identical EM trajectories from
identical starting parameters, identical decoding at fixed parameters."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pyjl.exceptions import InputError, NotFittedError
from pyjl.hmm import HMM, Categorical, MvNormal, Normal, Poisson

hmm = pytest.importorskip("hmmlearn.hmm")
IMPLS = ["log", "scaling"]


def _start(rng, K):
    return rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K) * 3, size=K)


def _compare(ours, theirs, X, lengths, emission):
    """EM trajectory and final parameters; then decoding at hmmlearn's fitted parameters
    (exactly the same numbers on both sides, so Viterbi ties cannot differ)."""
    np.testing.assert_allclose(ours.monitor_.history, list(theirs.monitor_.history), rtol=1e-11)
    np.testing.assert_allclose(ours.startprob_, theirs.startprob_, atol=1e-12)
    np.testing.assert_allclose(ours.transmat_, theirs.transmat_, rtol=1e-9, atol=1e-12)
    ours = HMM(
        emission,
        theirs.n_components,
        init="given",
        startprob=theirs.startprob_,
        transmat=theirs.transmat_,
    )
    assert ours.score(X, lengths) == pytest.approx(theirs.score(X, lengths), rel=1e-12)
    lp, path = ours.decode(X, lengths)
    lp2, path2 = theirs.decode(X, lengths)
    np.testing.assert_array_equal(path, path2)
    assert lp == pytest.approx(lp2, rel=1e-12)
    np.testing.assert_allclose(
        ours.predict_proba(X, lengths), theirs.predict_proba(X, lengths), atol=1e-10
    )
    assert ours.aic(X, lengths) == pytest.approx(theirs.aic(X, lengths), rel=1e-12)
    assert ours.bic(X, lengths) == pytest.approx(theirs.bic(X, lengths), rel=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("family", ["Normal", "MvNormal"])
def test_gaussian_diag(rng, impl, family):
    K, d = 3, 2
    lengths = [300, 120, 280]
    X = rng.normal(size=(700, d)) + np.repeat(rng.normal(size=(7, d)) * 3, 100, axis=0)
    pi, A = _start(rng, K)
    mu, var = rng.normal(size=(K, d)), rng.uniform(0.5, 2.0, size=(K, d))
    theirs = hmm.GaussianHMM(
        K, "diag", n_iter=10, tol=-np.inf, init_params="", implementation=impl
    )
    theirs.startprob_, theirs.transmat_, theirs.means_, theirs.covars_ = pi, A, mu, var
    theirs.fit(X, lengths)
    em = Normal(mu, var) if family == "Normal" else MvNormal(mu, var, covariance_type="diag")
    ours = HMM(em, K, n_iter=10, tol=-np.inf, init="given", startprob=pi, transmat=A)
    ours.fit(X, lengths)
    fixed = (
        Normal(theirs.means_, theirs._covars_)
        if family == "Normal"
        else MvNormal(theirs.means_, theirs._covars_, covariance_type="diag")
    )
    _compare(ours, theirs, X, lengths, fixed)
    mean = ours.emission_.mean
    cov = ours.emission_.var if family == "Normal" else ours.emission_.cov
    np.testing.assert_allclose(mean, theirs.means_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(cov, theirs._covars_, rtol=1e-9)


@pytest.mark.parametrize("impl", IMPLS)
def test_categorical(rng, impl):
    K, S = 3, 5
    lengths = [200, 50, 150]
    X = rng.integers(0, S, size=(400, 1))
    X[100:200] = rng.integers(0, 2, size=(100, 1))
    pi, A = _start(rng, K)
    B = rng.dirichlet(np.ones(S), size=K)
    theirs = hmm.CategoricalHMM(K, n_iter=10, tol=-np.inf, init_params="", implementation=impl)
    theirs.startprob_, theirs.transmat_, theirs.emissionprob_ = pi, A, B
    theirs.n_features = S
    theirs.fit(X, lengths)
    ours = HMM(
        Categorical(B), K, n_iter=10, tol=-np.inf, init="given", startprob=pi, transmat=A
    ).fit(X, lengths)
    _compare(ours, theirs, X, lengths, Categorical(theirs.emissionprob_))
    np.testing.assert_allclose(ours.emission_.probs, theirs.emissionprob_, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("impl", IMPLS)
def test_poisson(rng, impl):
    K, d = 2, 2
    lengths = [150, 250]
    X = np.vstack(
        [rng.poisson([3.0, 8.0], size=(200, d)), rng.poisson([12.0, 1.0], size=(200, d))]
    )
    pi, A = _start(rng, K)
    lam = rng.uniform(2.0, 10.0, size=(K, d))
    theirs = hmm.PoissonHMM(K, n_iter=10, tol=-np.inf, init_params="", implementation=impl)
    theirs.startprob_, theirs.transmat_, theirs.lambdas_ = pi, A, lam
    theirs.fit(X, lengths)
    ours = HMM(
        Poisson(lam), K, n_iter=10, tol=-np.inf, init="given", startprob=pi, transmat=A
    ).fit(X, lengths)
    _compare(ours, theirs, X, lengths, Poisson(theirs.lambdas_))
    np.testing.assert_allclose(ours.emission_.rate, theirs.lambdas_, rtol=1e-9)


def test_dirichlet_priors_match_hmmlearn(rng):
    K = 3
    X = rng.normal(size=(400, 1)) + np.repeat([0.0, 4.0, 8.0, 4.0], 100)[:, None]
    pi, A = _start(rng, K)
    mu, var = np.array([[0.0], [3.0], [7.0]]), np.ones((K, 1))
    sp, tp = np.array([2.0, 3.0, 1.5]), np.full((K, K), 1.5) + np.eye(K) * 4
    theirs = hmm.GaussianHMM(
        K, "diag", n_iter=5, tol=-np.inf, init_params="", startprob_prior=sp, transmat_prior=tp
    )
    theirs.startprob_, theirs.transmat_, theirs.means_, theirs.covars_ = pi, A, mu, var
    theirs.fit(X)
    ours = HMM(
        Normal(mu, var),
        K,
        n_iter=5,
        tol=-np.inf,
        init="given",
        startprob=pi,
        transmat=A,
        startprob_prior=sp,
        transmat_prior=tp,
    ).fit(X)
    np.testing.assert_allclose(ours.transmat_, theirs.transmat_, rtol=1e-9)
    np.testing.assert_allclose(ours.startprob_, theirs.startprob_, rtol=1e-9)
    np.testing.assert_allclose(ours.monitor_.history, list(theirs.monitor_.history), rtol=1e-11)


def test_default_stopping_rule_stops_where_hmmlearns_does_on_a_long_series():
    """hmmlearn stops when an iteration gains less than ``tol`` nats (1e-2). A test relative
    to ``|log L|`` (pyjl's before) stopped this 100,000-step fit after 22 iterations, 3,500
    nats short, with two self-transition probabilities at 0.41 and 0.58 for 0.94."""
    rng = np.random.default_rng(0)
    K, T = 4, 100_000
    A = np.full((K, K), 0.02) + np.eye(K) * (1 - 0.02 * K)
    z = np.zeros(T, dtype=int)
    u = rng.random(T)
    cum = A.cumsum(1)
    for t in range(1, T):
        z[t] = min(np.searchsorted(cum[z[t - 1]], u[t]), K - 1)
    means = np.array([[0.0, 0.0], [1.2, 0.0], [0.0, 1.2], [1.2, 1.2]])
    X = means[z] + rng.normal(size=(T, 2))
    pi, A0 = np.full(K, 1 / K), np.full((K, K), 1 / K)
    mu0, c0 = means + rng.normal(size=means.shape) * 0.5, np.full((K, 2), 2.0)

    theirs = hmm.GaussianHMM(K, "diag", n_iter=500, init_params="")  # tol: its default
    theirs.startprob_, theirs.transmat_, theirs.means_, theirs.covars_ = pi, A0, mu0, c0
    theirs.fit(X)
    ours = HMM(
        MvNormal(mu0, c0, covariance_type="diag"),
        K,
        n_iter=500,
        init="given",
        startprob=pi,
        transmat=A0,
    ).fit(X)
    assert ours.monitor_.converged and theirs.monitor_.converged
    assert ours.monitor_.iter == theirs.monitor_.iter
    assert ours.monitor_.history[-1] == pytest.approx(theirs.monitor_.history[-1], rel=1e-10)
    np.testing.assert_allclose(ours.transmat_, theirs.transmat_, rtol=1e-6)
    np.testing.assert_allclose(np.diag(ours.transmat_), np.diag(A), atol=0.01)


@pytest.mark.parametrize(
    "tol, gains, stops_after",
    [
        (1e-2, [5.0, 0.02, 0.005], 4),  # hmmlearn: the first gain below tol (absolute)
        (1e-2, [5.0, 0.0, -0.5], 3),  # no gain, or a decrease, counts as converged
        (-np.inf, [5.0, 0.0, -0.5], None),  # tol=-inf runs every iteration
    ],
)
def test_convergence_rule_is_hmmlearns(tol, gains, stops_after):
    from hmmlearn.base import ConvergenceMonitor as Theirs

    from pyjl.hmm import ConvergenceMonitor

    ours, theirs = ConvergenceMonitor(tol, 100), Theirs(tol, 100, verbose=False)
    history = np.cumsum([-1000.0, *gains])
    for i, loglik in enumerate(history, start=1):
        ours.report(loglik)
        theirs.report(loglik)
        assert ours.converged == theirs.converged, i
        if ours.converged:
            break
    assert (i if ours.converged else None) == stops_after


def test_a_positive_tol_below_the_sums_rounding_stops_at_the_rounding():
    # at |log L| = 1e9 gains below ~1 nat are rounding noise: hmmlearn's tol=1e-2 alone
    # would run to n_iter on them
    from pyjl.hmm import ConvergenceMonitor

    m = ConvergenceMonitor(1e-2, 100)
    m.report(-1e9)
    m.report(-1e9 + 0.5)
    assert m.converged
    m = ConvergenceMonitor(1e-2, 100)
    m.report(-1e3)
    m.report(-1e3 + 0.5)
    assert not m.converged


@pytest.mark.parametrize("ours, theirs", [("st", "st"), ("e", "mc"), ("t", "t"), ("se", "smc")])
def test_params_selects_what_em_updates_as_hmmlearns(rng, ours, theirs):
    K, T = 3, 400
    pi, A = _start(rng, K)
    means, covars = np.array([[-2.0], [0.0], [2.5]]), np.array([[0.5], [1.0], [0.7]])
    X = rng.normal(size=(T, 1)) * 1.2 + rng.choice(means[:, 0], size=T)[:, None]
    ref = hmm.GaussianHMM(K, "diag", n_iter=6, tol=-np.inf, init_params="", params=theirs)
    ref.startprob_, ref.transmat_, ref.means_, ref.covars_ = pi, A, means, covars
    ref.fit(X)
    em = MvNormal(means, covars, covariance_type="diag")
    m = HMM(em, K, n_iter=6, tol=-np.inf, init="given", startprob=pi, transmat=A, params=ours)
    m.fit(X)
    np.testing.assert_allclose(m.monitor_.history, list(ref.monitor_.history), rtol=1e-11)
    np.testing.assert_allclose(m.startprob_, ref.startprob_, atol=1e-12)
    np.testing.assert_allclose(m.transmat_, ref.transmat_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(m.emission_.mean, ref.means_, rtol=1e-9)
    np.testing.assert_allclose(m.emission_.cov, ref._covars_, rtol=1e-9)
    if "e" not in ours:
        np.testing.assert_array_equal(m.emission_.mean, means)  # kept exactly


@pytest.mark.parametrize("impl", IMPLS)
def test_init_params_st_starts_from_the_given_emission_as_hmmlearns(rng, impl):
    # hmmlearn's init_params="st": the means and covariances set by hand are kept and the
    # chain is initialised (pyjl's init='kmeans': uniform; hmmlearn's: Dirichlet draws),
    # then EM runs from there: the same trajectory from the same start
    K, T = 3, 600
    means, covars = np.array([[-2.0], [0.3], [2.5]]), np.array([[0.5], [1.0], [0.7]])
    X = rng.normal(size=(T, 1)) * 0.8 + rng.choice(means[:, 0], size=T)[:, None]
    em = MvNormal(means, covars, covariance_type="diag")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the emission is not estimated anew: no warning
        start = HMM(em, K, n_iter=0, init_params="st").fit(X)
    np.testing.assert_array_equal(start.startprob_, np.full(K, 1 / K))
    np.testing.assert_array_equal(start.transmat_, np.full((K, K), 1 / K))
    np.testing.assert_array_equal(start.emission_.mean, means)
    np.testing.assert_array_equal(start.emission_.cov, covars)
    m = HMM(em, K, n_iter=8, tol=-np.inf, init_params="st").fit(X)
    ref = hmm.GaussianHMM(K, "diag", n_iter=8, tol=-np.inf, init_params="", implementation=impl)
    ref.startprob_, ref.transmat_ = start.startprob_, start.transmat_
    ref.means_, ref.covars_ = means, covars
    ref.fit(X)
    np.testing.assert_allclose(m.monitor_.history, list(ref.monitor_.history), rtol=1e-11)
    np.testing.assert_allclose(m.transmat_, ref.transmat_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(m.emission_.mean, ref.means_, rtol=1e-9)
    np.testing.assert_allclose(m.emission_.cov, ref._covars_, rtol=1e-9)
    # a categorical emission kept while the transitions start random
    B = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    Xc = rng.integers(0, 3, size=(400, 1))
    kw = {"init": "random", "init_params": "t", "startprob": [0.6, 0.4], "random_state": 3}
    A0 = HMM(Categorical(B), 2, n_iter=0, **kw).fit(Xc).transmat_
    assert not np.allclose(A0, 0.5)  # drawn
    m = HMM(Categorical(B), 2, n_iter=5, tol=-np.inf, **kw).fit(Xc)
    ref = hmm.CategoricalHMM(2, n_iter=5, tol=-np.inf, init_params="", implementation=impl)
    ref.startprob_, ref.transmat_, ref.emissionprob_ = np.array([0.6, 0.4]), A0, B
    ref.fit(Xc)
    np.testing.assert_allclose(m.monitor_.history, list(ref.monitor_.history), rtol=1e-11)
    np.testing.assert_allclose(m.emission_.probs, ref.emissionprob_, rtol=1e-9)


def test_init_params_makes_what_is_not_given_as_hmmlearns_needs_init(rng):
    # hmmlearn's _needs_init: a parameter whose letter is left out is still made when it
    # is not set; so init_params="" on a model with nothing given is init_params="ste"
    from pyjl.exceptions import InputError

    X = np.concatenate([rng.normal(0, 1, 150), rng.normal(5, 1, 150)])[:, None]
    kw = {"n_iter": 5, "tol": -np.inf, "random_state": 0}
    full = HMM(Normal(), 2, **kw).fit(X)
    none = HMM(Normal(), 2, init_params="", **kw).fit(X)
    np.testing.assert_array_equal(none.monitor_.history, full.monitor_.history)
    with pytest.raises(InputError, match="`init_params` must be a string of the letters"):
        HMM(Normal(), 2, init_params="stmc").fit(X)
    # a user's emission exposes no state count: its parameters count as given where its
    # n_parameters answers, and init_params="st" keeps them too
    from test_check import Laplace  # tests/hmm is on the path, as for brute

    lap = HMM(Laplace([0.2, 4.5], [1.0, 1.0]), 2, init_params="st", n_iter=0).fit(X)
    np.testing.assert_array_equal(lap.emission_.loc, [0.2, 4.5])
    # given, they are kept: the chain and the emission as passed
    mv = MvNormal(np.array([[0.0], [4.0]]), np.ones((2, 1)), covariance_type="diag")
    given = {"startprob": [0.5, 0.5], "transmat": [[0.9, 0.1], [0.2, 0.8]]}
    m = HMM(mv, 2, init_params="", n_iter=0, **given).fit(X)
    np.testing.assert_array_equal(m.transmat_, [[0.9, 0.1], [0.2, 0.8]])
    np.testing.assert_array_equal(m.emission_.mean, [[0.0], [4.0]])


@pytest.mark.parametrize("impl", IMPLS)
def test_init_params_left_out_start_from_attributes_set_by_hand_as_hmmlearn(rng, impl):
    # hmmlearn's warm start: fit starts from startprob_, transmat_ and the emission set by
    # hand where init_params leaves their letters out; pyjl ran k-means instead, silently
    X = np.r_[rng.normal(0, 1, 300), rng.normal(4, 1, 300)][:, None]
    pi, A = np.array([0.3, 0.7]), np.array([[0.9, 0.1], [0.2, 0.8]])
    mu, var = np.array([[1.0], [2.0]]), np.array([[1.0], [1.5]])
    kw = {"n_iter": 4, "tol": -np.inf}
    ref = hmm.GaussianHMM(2, "diag", init_params="", implementation=impl, **kw)
    ref.startprob_, ref.transmat_, ref.means_, ref.covars_ = pi, A, mu, var
    ref.fit(X)
    m = HMM(Normal(), 2, init_params="", **kw)
    m.startprob_, m.transmat_, m.emission_ = pi, A, Normal(mu, var)
    m.fit(X)
    np.testing.assert_allclose(m.monitor_.history, list(ref.monitor_.history), rtol=1e-11)
    np.testing.assert_allclose(m.emission_.mean, ref.means_, rtol=1e-9)
    np.testing.assert_allclose(m.transmat_, ref.transmat_, rtol=1e-9, atol=1e-12)
    # and a second fit goes on from the first: 4 + 4 iterations are 8 in one go
    eight = HMM(Normal(), 2, init_params="", n_iter=8, tol=-np.inf)
    eight.startprob_, eight.transmat_, eight.emission_ = pi, A, Normal(mu, var)
    eight.fit(X)
    m.fit(X)
    np.testing.assert_allclose(m.monitor_.history, eight.monitor_.history[4:], rtol=1e-11)
    np.testing.assert_allclose(m.transmat_, eight.transmat_, rtol=1e-10)


@pytest.mark.parametrize("params", ["stm", "x", 3, ["s"]])
def test_params_outside_s_t_e_are_refused_by_name(params):
    from pyjl.exceptions import InputError

    with pytest.raises(InputError, match="`params` must be a string of the letters"):
        HMM(Normal(), 2, params=params).fit(np.arange(20.0))


def test_verbose_prints_hmmlearns_lines(rng, capsys):
    X = rng.normal(size=(300, 1)) + np.repeat([0.0, 3.0], 150)[:, None]
    pi, A = np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.1, 0.9]])
    mu, var = np.array([[0.0], [1.0]]), np.ones((2, 1))
    theirs = hmm.GaussianHMM(2, "diag", n_iter=5, tol=-np.inf, init_params="", verbose=True)
    theirs.startprob_, theirs.transmat_, theirs.means_, theirs.covars_ = pi, A, mu, var
    theirs.fit(X)
    printed = capsys.readouterr().err
    given = {"init": "given", "startprob": pi, "transmat": A, "n_iter": 5, "tol": -np.inf}
    HMM(Normal(mu, var), 2, verbose=True, **given).fit(X)
    assert capsys.readouterr().err == printed and len(printed.splitlines()) == 5
    HMM(Normal(mu, var), 2, **given).fit(X)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("K", [1, 2, 5])
def test_stationary_distribution_is_hmmlearns(rng, K):
    pi, A = _start(rng, K)
    theirs = hmm.GaussianHMM(K, init_params="")
    theirs.startprob_, theirs.transmat_ = pi, A
    ours = HMM(
        Normal(mean=np.arange(K), var=np.ones(K)), K, init="given", startprob=pi, transmat=A
    )
    got = ours.get_stationary_distribution()
    np.testing.assert_allclose(got, theirs.get_stationary_distribution(), atol=1e-12)
    np.testing.assert_allclose(got @ A, got, atol=1e-12)  # the definition
    if K == 2:  # the closed form: (A[1, 0], A[0, 1]) / (A[0, 1] + A[1, 0])
        np.testing.assert_allclose(got, [A[1, 0], A[0, 1]] / (A[0, 1] + A[1, 0]), atol=1e-12)
    # the transition matrix alone is enough, given or set by hand (hmmlearn's test_base)
    alone = HMM(Normal(), K, transmat=A).get_stationary_distribution()
    np.testing.assert_allclose(alone, got, rtol=1e-14)  # a given one is normalised
    by_hand = HMM(Normal(), K)
    by_hand.transmat_ = A
    np.testing.assert_allclose(by_hand.get_stationary_distribution(), got, rtol=1e-14)
    by_hand.transmat_ = A * 2  # checked as at every other use
    with pytest.raises(InputError, match=r"`transmat_\[0\]` must sum to 1"):
        by_hand.get_stationary_distribution()
    with pytest.raises(NotFittedError, match="no transition matrix"):
        HMM(Normal(), K).get_stationary_distribution()


def test_a_reducible_chains_stationary_distribution_is_hmmlearns_choice():
    # a row summing to 1 - 1.1e-16 was renormalised, which turned the eigenvector that
    # LAPACK returns for the repeated eigenvalue 1: another valid stationary distribution
    # than hmmlearn's (found by a differential fuzz: 2 of 2,000 random chains with zeros)
    A = np.array(
        [
            [0.0, 0.0, 1.0, 0.0, 0.0],
            [0.24834856497630636, 0.0, 0.6434323887665798, 0.0, 0.10821904625711382],
            [0.4902344716322227, 0.0, 0.0, 0.0, 0.5097655283677772],
            [0.0, 0.0, 0.0, 1.0, 0.0],
            [0.46490077599118895, 0.0, 0.0, 0.0, 0.5350992240088109],
        ]
    )
    theirs = hmm.GaussianHMM(5)
    theirs.transmat_ = A
    want = theirs.get_stationary_distribution()
    got = HMM(Normal(), 5, transmat=A).get_stationary_distribution()
    np.testing.assert_allclose(got, want, atol=1e-12)
    np.testing.assert_allclose(got @ A, got, atol=1e-12)
    # a row off by more than rounding (a float32 or six-digit table) is used as given,
    # as hmmlearn uses it (and as a transmat_ set by hand is)
    off = A.copy()
    off[1] *= 1 + 3e-6
    X = np.arange(10.0) % 5
    fitted = HMM(
        Normal(mean=np.arange(5.0), var=np.ones(5)), 5, init="given", n_iter=0,
        transmat=off, startprob=np.full(5, 0.2),
    ).fit(X)  # fmt: skip
    np.testing.assert_array_equal(fitted.transmat_, off)
    theirs = hmm.GaussianHMM(5, init_params="")
    theirs.startprob_, theirs.transmat_ = np.full(5, 0.2), off
    theirs.means_, theirs.covars_ = np.arange(5.0)[:, None], np.ones((5, 1))
    np.testing.assert_allclose(fitted.score(X), theirs.score(X[:, None]), rtol=1e-13)


def test_given_rows_off_by_a_table_rounding_score_as_hmmlearns(rng):
    # rows summing to 1 + 5e-6 (inside hmmlearn's tolerance): both use them as they are
    X = rng.normal(size=(20_000, 1))
    A = np.array([[0.9 + 5e-6, 0.1], [0.2, 0.8]])
    pi = np.array([0.6, 0.4 + 1e-6])
    theirs = hmm.GaussianHMM(2, init_params="")
    theirs.startprob_, theirs.transmat_ = pi, A
    theirs.means_, theirs.covars_ = np.array([[0.0], [1.0]]), np.ones((2, 1))
    ours = HMM(
        Normal(mean=[[0.0], [1.0]], var=[[1.0], [1.0]]), 2, init="given", startprob=pi,
        transmat=A,
    )  # fmt: skip
    np.testing.assert_allclose(ours.score(X), theirs.score(X), rtol=1e-12)


def test_a_state_with_little_weight_is_updated_as_hmmlearns():
    # N = 1.3e-5 from 200,000 steps: above the 1e-10 at which a state is empty, so EM
    # updates it (it was frozen while the threshold was relative to the steps)
    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, (200_000, 1))
    X[1000, 0] = 6.0
    pi, A = np.array([1.0, 0.0]), np.array([[1 - 3e-12, 3e-12], [0.5, 0.5]])
    mean, var = np.array([[0.0], [8.0]]), np.ones((2, 1))
    theirs = hmm.GaussianHMM(2, "diag", init_params="", n_iter=1, tol=-np.inf)
    theirs.startprob_, theirs.transmat_, theirs.means_, theirs.covars_ = pi, A, mean, var
    assert 1e-6 < theirs.predict_proba(X)[:, 1].sum() < 1e-4
    theirs.fit(X)
    ours = HMM(
        MvNormal(mean=mean, cov=var, covariance_type="diag"), 2, init="given",
        startprob=pi, transmat=A, n_iter=1, tol=-np.inf,
    ).fit(X)  # fmt: skip
    np.testing.assert_allclose(ours.emission_.mean, theirs.means_, rtol=1e-7)
    np.testing.assert_allclose(ours.transmat_, theirs.transmat_, rtol=1e-7, atol=1e-15)


@pytest.mark.parametrize("algorithm", ["viterbi", "map"])
def test_the_models_algorithm_decodes_as_hmmlearns(rng, algorithm):
    pi, A = _start(rng, 3)
    mean, var = rng.normal(size=(3, 1)), rng.uniform(0.5, 2, (3, 1))
    X = rng.normal(size=(300, 1))
    theirs = hmm.GaussianHMM(3, "diag", init_params="", algorithm=algorithm)
    theirs.startprob_, theirs.transmat_, theirs.means_, theirs.covars_ = pi, A, mean, var
    ours = HMM(
        MvNormal(mean=mean, cov=var, covariance_type="diag"), 3, init="given",
        startprob=pi, transmat=A, algorithm=algorithm, implementation="scaling",
    )  # fmt: skip
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    got, want = ours.decode(X), theirs.decode(X)
    # MAP's log_prob is score (docs/hmm.md): hmmlearn's sums the largest posteriors
    np.testing.assert_allclose(
        got[0], want[0] if algorithm == "viterbi" else theirs.score(X), rtol=1e-12
    )
    np.testing.assert_array_equal(got[1], want[1])
    other = "map" if algorithm == "viterbi" else "viterbi"  # an explicit one wins
    np.testing.assert_array_equal(
        ours.decode(X, algorithm=other)[1], theirs.decode(X, algorithm=other)[1]
    )


@pytest.mark.parametrize("name, value", [("algorithm", "forward"), ("implementation", "fast")])
def test_unknown_decoder_or_implementation_is_named(name, value):
    model = HMM(Normal(mean=[0.0, 1.0], var=[1.0, 1.0]), 2, init="given", startprob=[0.5, 0.5],
                transmat=[[0.9, 0.1], [0.1, 0.9]], **{name: value})  # fmt: skip
    with pytest.raises(InputError, match=f"`{name}` must be one of"):
        model.predict(np.zeros(4))


def test_categorical_samples_have_hmmlearns_shape(rng):
    pi, A = _start(rng, 2)
    B = rng.dirichlet(np.ones(3), size=2)
    theirs = hmm.CategoricalHMM(2, n_features=3, init_params="")
    theirs.startprob_, theirs.transmat_, theirs.emissionprob_ = pi, A, B
    ours = HMM(Categorical(B), 2, init="given", startprob=pi, transmat=A)
    X, X2 = ours.sample(50, random_state=0)[0], theirs.sample(50, random_state=0)[0]
    assert X.shape == X2.shape == (50, 1) and X.dtype == X2.dtype
    symbols = rng.integers(0, 3, 300)  # fitted on (T,) symbols, samples are (n,) as X
    assert HMM(Categorical(), 2, random_state=0).fit(symbols).sample(7)[0].shape == (7,)
    assert HMM(Categorical(), 2, random_state=0).fit(symbols[:, None]).sample(7)[0].shape == (7, 1)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
@pytest.mark.parametrize("n_rows", [5, 40])
def test_a_degenerate_fit_warns_as_hmmlearn_logs_it(covariance_type, n_rows, caplog):
    # hmmlearn's test_fit_too_little_data: more free scalars than data values
    import logging
    import warnings

    from pyjl.exceptions import NumericalWarning

    X = np.random.RandomState(10).randn(n_rows, 3)
    with caplog.at_level(logging.WARNING, logger="hmmlearn.base"):
        hmm.GaussianHMM(3, covariance_type, n_iter=2, random_state=0).fit(X)
    theirs = [r.getMessage() for r in caplog.records if "degenerate" in r.getMessage()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        HMM(MvNormal(covariance_type=covariance_type), 3, n_iter=2, random_state=0).fit(X)
    ours = [str(w.message) for w in caught if "degenerate" in str(w.message)]
    assert ours == theirs and (len(ours) == 1) == (n_rows == 5)
    assert all(
        issubclass(w.category, NumericalWarning) for w in caught if "degenerate" in str(w.message)
    )


def test_an_infinite_tol_stops_after_two_iterations_as_hmmlearn(rng):
    # hmmlearn accepts tol=np.inf (any gain is below it); pyjl refused it as not finite
    X = rng.normal(size=(60, 1))
    ref = hmm.GaussianHMM(2, tol=np.inf, random_state=0).fit(X)
    m = HMM(Normal(), 2, tol=np.inf, random_state=0).fit(X)
    assert m.monitor_.iter == ref.monitor_.iter == 2 and m.monitor_.converged


def test_a_warm_start_keeps_a_new_emissions_settings_and_names_emission_(rng):
    # the fitted emission_ started EM whatever emission had been set since: a new
    # covariance type or min_covar was dropped silently; a new emission is initialised
    from pyjl.exceptions import InputError

    X = np.r_[rng.normal(0, 1, (150, 2)), rng.normal(4, 1, (150, 2))]
    m = HMM(MvNormal(covariance_type="full"), 2, init_params="st", random_state=0).fit(X)
    m.set_params(emission=MvNormal(covariance_type="diag"))
    m.fit(X)
    fresh = HMM(MvNormal(covariance_type="diag"), 2, init_params="st", random_state=0).fit(X)
    assert m.emission_.covariance_type == "diag"
    np.testing.assert_allclose(m.emission_.cov, fresh.emission_.cov, rtol=1e-12)
    x = X[:, :1]
    m = HMM(Normal(), 2, init_params="st", random_state=0).fit(x)
    m.set_params(emission=Normal(min_covar=5.0))
    assert m.fit(x).emission_.min_covar == 5.0
    m = HMM(Normal(), 2, init_params="st", random_state=0).fit(x)
    m.set_params(n_states=3)  # the fitted emission_ has two states: named, with the fix
    with pytest.raises(InputError, match="`emission_` must have parameters for n_states=3"):
        m.fit(x)


def test_a_warm_start_reads_settings_that_are_objects_as_no_mismatch(rng):
    # a setting such as a frozen SciPy distribution compares by identity, and emission_ is a
    # copy: the warm start was skipped, silently, for such an emission
    from scipy import stats

    class WithPrior(Normal):
        def __init__(self, mean=None, var=None, prior=None):
            super().__init__(mean, var)
            self.prior = prior

    X = np.r_[rng.normal(-3, 1, 150), rng.normal(3, 1, 150)][:, None]
    m = HMM(WithPrior(prior=stats.norm(0, 10)), 2, random_state=0, n_iter=5).fit(X)
    fitted = m.emission_.mean.copy()
    m.set_params(init_params="", n_iter=0)
    np.testing.assert_array_equal(m.fit(X).emission_.mean, fitted)  # started from it
