"""Extreme data: log-densities stay finite wherever the true value is representable;
an observation whose log-density is -inf in every state makes ``score`` -inf with a
NumericalWarning and posteriors/paths a refusal naming the row; fitting refuses data
whose Gaussian moments overflow.  Never a silent non-finite number or a posterior row
that does not sum to 1."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from pyjl.exceptions import InputError, NumericalWarning
from pyjl.hmm import HMM, Categorical, MvNormal, Normal

PI, A = np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.2, 0.8]])


def _model(em):
    return HMM(em, 2, init="given", startprob=PI, transmat=A)


def _forward(logb):
    """log p(X) by the forward recursion in log space (SciPy's logsumexp)."""
    la = np.log(PI) + logb[0]
    for lb in logb[1:]:
        la = logsumexp(la[:, None] + np.log(A), axis=0) + lb
    return logsumexp(la)


@pytest.mark.parametrize("x", [1e100, 1e200, 1e300, -1e300])
def test_gaussian_log_density_is_finite_where_representable(x):
    mean, sd = np.array([0.0, 1e149]), np.array([1e150, 3e150])
    want = stats.norm.logpdf(x, mean, sd)  # ((x - mu) / sd)^2: finite
    assert np.isfinite(want).all()
    got = Normal(mean, sd**2).log_likelihood(np.array([x]))[0]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = MvNormal(mean[:, None], (sd**2)[:, None], "diag").log_likelihood([[x]])[0]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = MvNormal(mean[:, None], (sd**2)[:, None, None]).log_likelihood([[x]])[0]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_far_but_representable_outlier_scores_like_the_forward_recursion(rng):
    X = np.r_[rng.normal(size=30), 1e150, rng.normal(5.0, 1.0, size=30)]
    mean, var = np.array([0.0, 5.0]), np.array([1.0, 2.0])
    m = _model(Normal(mean, var))
    logb = stats.norm.logpdf(X[:, None], mean, np.sqrt(var))
    assert np.isfinite(logb).all()
    assert m.score(X) == pytest.approx(_forward(logb), rel=1e-12)
    P = m.predict_proba(X)
    assert np.isfinite(P).all()
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("cov_type", ["full", "tied"])
def test_a_row_past_one_states_range_is_scored_by_the_other(cov_type):
    # the reviewer's case: state 0's whitened distance passes the largest float (inf, then
    # 0 * inf = nan in the triangular solve), so score refused the data as a bad emission;
    # state 1 explains the row (scipy's log-density there is finite)
    X = np.array([[0.0, 0.0], [1e307, 0.0], [0.5, -0.5]])
    means = np.zeros((2, 2))
    big = np.eye(2) * 1e308
    cov = np.array([np.eye(2) * 1e-4, big]) if cov_type == "full" else big
    em = MvNormal(means, cov, covariance_type=cov_type)
    covs = cov if cov_type == "full" else np.array([big, big])
    with np.errstate(over="ignore"):  # SciPy's own whitening of the far row
        want = np.column_stack(
            [stats.multivariate_normal(means[k], covs[k]).logpdf(X) for k in range(2)]
        )
    got = em.log_likelihood(X)
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-12)
    assert (got[~finite] == -np.inf).all() and (want[~finite] == -np.inf).all()
    assert _model(em).score(X) == pytest.approx(_forward(want), rel=1e-12)
    nan_row = em.log_likelihood(np.array([[np.nan, 0.0]]))  # NaN stays NaN, as diag's
    assert np.isnan(nan_row).all()
    diag = MvNormal(means, np.ones((2, 2)), covariance_type="diag")
    far = np.array([[np.inf, 0.0]])  # -inf, as diag's
    for emission in (em, diag):
        assert (emission.log_likelihood(far) == -np.inf).all()


CASES = {
    "one outlier 1e160": (np.r_[0.1, -0.3, 1e160, 4.0], 2),
    "one outlier -1e200": (np.r_[0.1, -1e200, 4.0], 1),
    "all 1e308": (np.full(5, 1e308), 0),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("family", ["Normal", "diag", "full"])
def test_impossible_row_warns_in_score_and_refuses_posteriors(case, family):
    X, row = CASES[case]
    mean, var = np.array([0.0, 5.0]), np.array([1.0, 2.0])
    em = {
        "Normal": lambda: Normal(mean, var),
        "diag": lambda: MvNormal(mean[:, None], var[:, None], "diag"),
        "full": lambda: MvNormal(mean[:, None], var[:, None, None]),
    }[family]()
    x = X if family == "Normal" else X[:, None]
    m = _model(em)
    with pytest.warns(NumericalWarning, match=f"row {row} .*-inf in every state"):
        assert m.score(x) == -np.inf  # log p(X) below the double range
    for call in (
        m.predict_proba,
        m.predict,
        m.decode,
        m.score_samples,
        lambda v: m.decode(v, algorithm="map"),
    ):
        with pytest.raises(
            InputError,
            match=f"`X` must have non-zero probability.*row {row} "
            r".*Fix: rescale X",
        ):
            call(x)


def test_impossible_observation_of_a_discrete_emission_is_reported_the_same_way():
    m = _model(Categorical([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]]))  # symbol 2 is impossible
    with pytest.warns(NumericalWarning, match="row 2 "):
        assert m.score([0, 1, 2, 1]) == -np.inf
    with pytest.raises(InputError, match="row 2 "):
        m.predict_proba([0, 1, 2, 1])
    np.testing.assert_allclose(m.predict_proba([0, 1, 1]).sum(1), 1.0)


def test_zero_probability_from_transitions_names_the_sequence():
    # state 0 emits only symbol 0, state 1 only symbol 1, and 0 never moves to 1
    m = HMM(
        Categorical([[1.0, 0.0], [0.0, 1.0]]),
        2,
        init="given",
        startprob=[1.0, 0.0],
        transmat=[[1.0, 0.0], [0.0, 1.0]],
    )
    with pytest.raises(InputError, match="sequence 0 of log-likelihood -inf"):
        m.predict_proba(np.array([0, 1]))


def test_an_observation_far_out_in_the_only_reachable_state_is_not_impossible():
    # state 1 would explain 1001 but cannot be reached: state 0's log-density, -5e5, is
    # the answer (this was refused as impossible: its emission factor underflowed)
    m = HMM(
        Normal([0.0, 5.0], [1.0, 1.0]),
        2,
        init="given",
        startprob=[1.0, 0.0],
        transmat=[[1.0, 0.0], [0.0, 1.0]],
    )
    x = np.array([0.0, 1001.0])
    assert m.score(x) == pytest.approx(stats.norm.logpdf(x).sum(), rel=1e-12)
    np.testing.assert_array_equal(m.predict_proba(x), [[1.0, 0.0], [1.0, 0.0]])


@pytest.mark.parametrize("magnitude", [1.0, 1e50, 1e100, 1e150])
def test_posteriors_sum_to_one_at_any_representable_scale(rng, magnitude):
    z = np.repeat([0, 1, 0], 20)
    X = (np.where(z == 0, -1.0, 1.0) + 0.3 * rng.normal(size=z.size)) * magnitude
    m = _model(Normal([-magnitude, magnitude], [(0.3 * magnitude) ** 2] * 2))
    P = m.predict_proba(X)
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(m.predict(X), z)
    assert np.isfinite(m.score(X))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Normal(),
        lambda: MvNormal(covariance_type="full"),
        lambda: MvNormal(covariance_type="diag"),
    ],
)
def test_fit_refuses_data_whose_moments_overflow(rng, make):
    X = rng.normal(size=(200, 1))
    X[57] = 1e200
    with pytest.raises(InputError, match=r"`X` must stay below .* got row 57 .*Fix: rescale"):
        HMM(make(), 2, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same data, rescaled: clean
        m = HMM(make(), 2, n_iter=5, random_state=0).fit(X / 1e190)
    assert np.isfinite(m.score(X / 1e190))


def _left_right(emission, K=3):
    start = np.eye(K)[0]
    A_lr = np.diag(np.full(K, 0.9)) + np.diag(np.full(K - 1, 0.1), 1)
    A_lr[-1, -1] = 1.0
    return HMM(emission, K, init="given", startprob=start, transmat=A_lr)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("n_seq", [1, 3, 20])  # one sequence, a few, the SIMD lanes
def test_a_reachable_state_far_below_an_unreachable_one_is_not_impossible(n_seq):
    # the scaled recursion's factors underflowed when the states the chain can be in lie
    # > 745 nats below one it cannot reach; hmmlearn's log-space recursion is the reference
    hmmlearn = pytest.importorskip("hmmlearn.hmm")
    rng = np.random.default_rng(n_seq)
    X = np.concatenate(
        [rng.normal([0.0] * 10 + [3.0] * 10 + [6.0] * 10, 1.0) for _ in range(n_seq)]
    )
    X[::30] = 60.0  # at the start only state 0 is possible; state 2's mean is far closer
    L = [30] * n_seq
    m = _left_right(Normal([0.0, 3.0, 6.0], [0.05, 1.0, 1.0]))
    ref = hmmlearn.GaussianHMM(3, "diag", init_params="", params="stmc", n_iter=5, tol=-np.inf)
    ref.startprob_, ref.transmat_ = m.startprob, m.transmat
    ref.means_, ref.covars_ = np.array([[0.0], [3.0], [6.0]]), np.array([[0.05], [1.0], [1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        assert m.score(X, L) == pytest.approx(ref.score(X[:, None], L), rel=1e-10)
        np.testing.assert_allclose(
            m.predict_proba(X, L), ref.predict_proba(X[:, None], L), atol=1e-10
        )
        fitted = HMM(
            m.emission,
            3,
            init="given",
            startprob=m.startprob,
            transmat=m.transmat,
            n_iter=5,
            tol=-np.inf,
        ).fit(X, L)
    ref.fit(X[:, None], L)
    np.testing.assert_allclose(np.ravel(fitted.emission_.mean), np.ravel(ref.means_), rtol=1e-8)
    np.testing.assert_allclose(fitted.transmat_, ref.transmat_, atol=1e-10)
    assert fitted.score(X, L) == pytest.approx(ref.score(X[:, None], L), rel=1e-10)


@pytest.mark.usefixtures("engine")
def test_poisson_left_right_em_keeps_every_sequence():
    # a count of 1000 at the start: state 0 (rate 0.5) is the only one possible there
    hmmlearn = pytest.importorskip("hmmlearn.hmm")
    from pyjl.hmm import Poisson

    rng = np.random.default_rng(0)
    seqs = [rng.poisson(np.repeat([2.0, 10.0, 40.0], 10)) for _ in range(20)]
    for x in seqs[:5]:
        x[0] = 1000
    X, L = np.concatenate(seqs), [30] * 20
    m = _left_right(Poisson([[0.5], [12.0], [35.0]]))
    ref = hmmlearn.PoissonHMM(3, init_params="", params="stl", n_iter=10, tol=-np.inf)
    ref.startprob_, ref.transmat_, ref.lambdas_ = (
        m.startprob,
        m.transmat,
        np.array([[0.5], [12.0], [35.0]]),
    )
    assert m.score(X, L) == pytest.approx(ref.score(X[:, None], L), rel=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)  # no sequence is dropped
        fitted = HMM(
            m.emission,
            3,
            init="given",
            startprob=m.startprob,
            transmat=m.transmat,
            n_iter=10,
            tol=-np.inf,
        ).fit(X, L)
    ref.fit(X[:, None], L)
    np.testing.assert_allclose(np.ravel(fitted.emission_.rate), np.ravel(ref.lambdas_), rtol=1e-8)


def test_a_sequence_that_is_truly_impossible_stays_impossible():
    # an observation impossible in every reachable state keeps the sequence at -inf
    # (in log space: the first row fits a state that cannot start)
    from pyjl.hmm import Poisson

    m = _left_right(Poisson([[0.0], [1.0], [2.0]]))  # state 0 emits only zeros
    with pytest.warns(NumericalWarning):
        assert m.score(np.array([3, 0, 1])) == -np.inf


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize(
    ("n_seq", "T", "threads"),
    [(1, 200, 1), (12, 200, 1), (1, 4000, 2), (12, 200, 2)],
    ids=["one", "lanes", "split", "lanes-2-threads"],
)
@pytest.mark.parametrize("family", ["normal", "categorical"])
def test_an_unreachable_state_that_fits_better_leaves_posteriors_exact(
    n_seq, T, threads, family, lane_width
):
    # state 2 has start probability 0 and no transition into it, but the data fit its
    # emissions best: scaled by the reachable states' sums, its backward message grew
    # without bound and overflowed (NaN posteriors, an EM step that changed nothing)
    import pyjl
    from pyjl import _config
    from pyjl._native import hmm as native

    hmmlearn = pytest.importorskip("hmmlearn.hmm")
    rng = np.random.default_rng(T + n_seq)
    pi3, A3 = np.array([0.5, 0.5, 0.0]), np.array([[0.6, 0.4, 0], [0.3, 0.7, 0], [0.2, 0.2, 0.6]])
    L = [T] * n_seq
    if family == "normal":
        means = np.array([[0.0], [1.0], [5.0]])
        X = rng.normal(5.0, 1.0, (T * n_seq, 1))
        em = Normal(means[:, 0], np.ones(3))
        ref = hmmlearn.GaussianHMM(3, "diag", init_params="", params="stm", n_iter=1)
        ref.means_, ref.covars_ = means, np.ones((3, 1))
    else:
        probs = np.array([[0.99, 0.01], [0.98, 0.02], [0.0, 1.0]])  # 4-5 nats a step
        X = np.ones((T * n_seq, 1), dtype=int)  # a zero would reset state 2's growth
        em = Categorical(probs)
        ref = hmmlearn.CategoricalHMM(3, init_params="", params="ste", n_iter=1)
        ref.emissionprob_ = probs
    ref.startprob_, ref.transmat_ = pi3, A3
    m = HMM(em, 3, init="given", startprob=pi3, transmat=A3, n_iter=1, tol=-np.inf)
    x = X[:, 0] if family == "normal" else X
    pyjl.set_num_threads(threads)
    native._set_split(300)  # a sequence of 4,000 steps takes the two-thread path
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            P = m.predict_proba(x, L)
            assert m.score(x, L) == pytest.approx(ref.score(X, L), rel=1e-10)
        with pytest.warns(NumericalWarning, match=r"no transition out of state\(s\) \[2\]"):
            fitted = m.fit(x, L)  # the unreachable state has no posterior weight
        # the HMM runs such a chain in log space (pyjl.hmm._chain); the scaled kernels,
        # which the engine contract offers to anyone, must get it right too
        with np.errstate(divide="ignore"):
            chain = np.log(pi3), np.log(A3)
        lb = np.ascontiguousarray(em.log_likelihood(x))
        lens = np.array(L, dtype=np.int64)
        ll_s, P_s, _ = native.forward_backward(*chain, lb, lens, threads)
    finally:
        native._set_split(None)
        _config.clear("num_threads")
    np.testing.assert_allclose(P, ref.predict_proba(X, L), atol=1e-9)
    np.testing.assert_allclose(P_s, P, atol=1e-9)
    assert ll_s.sum() == pytest.approx(ref.score(X, L), rel=1e-10)
    ref.fit(X, L)
    # row 2 has no posterior weight: hmmlearn zeroes it, pyjl keeps it (docs/hmm.md)
    np.testing.assert_allclose(fitted.transmat_[:2], ref.transmat_[:2], atol=1e-9)
    np.testing.assert_allclose(fitted.startprob_, ref.startprob_, atol=1e-12)


def test_fit_leaves_out_impossible_sequences_and_stops_when_all_are():
    # every chain starts in state 0, which emits only symbol 0: [1, 1, 0] is impossible
    pi, A = np.array([1.0, 0.0]), np.array([[0.5, 0.5], [0.0, 1.0]])
    P = np.array([[1.0, 0.0], [0.3, 0.7]])
    seqs = [[0, 0, 1], [0, 1], [0], [1, 1, 0], [0, 0]]
    X, L = np.concatenate(seqs), [len(s) for s in seqs]

    def fitted(X, L, **kw):
        m = HMM(Categorical(probs=P), 2, init="given", startprob=pi, transmat=A, **kw)
        return m.fit(X, L)

    keep = [s for i, s in enumerate(seqs) if i != 3]
    with pytest.warns(NumericalWarning, match="1 sequence.* probability zero"):
        m = fitted(X, L, n_iter=3, tol=-np.inf)
    ref = fitted(np.concatenate(keep), [len(s) for s in keep], n_iter=3, tol=-np.inf)
    np.testing.assert_allclose(m.monitor_.history, ref.monitor_.history, rtol=1e-12)
    np.testing.assert_allclose(m.emission_.probs, ref.emission_.probs, rtol=1e-12)
    # every sequence impossible: nothing to learn from, and no log-likelihood of 0.0
    start1 = np.array([0.0, 1.0])
    with pytest.warns(NumericalWarning, match="every sequence has probability zero"):
        m = HMM(
            Categorical(probs=np.array([[1.0, 0.0], [1.0, 0.0]])),
            2,
            init="given",
            startprob=start1,
            transmat=A,
            n_iter=5,
        ).fit(np.array([1, 0, 0]), [3])
    assert m.monitor_.history == [] and not m.monitor_.converged
    np.testing.assert_array_equal(m.startprob_, start1)
