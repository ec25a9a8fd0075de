"""A state the chain has left behind (a zero transition probability back into it) that
later data favour again: the scaled recursions round its forward probability to zero
and explain those data without it (hmmlearn's ``implementation="scaling"`` does too);
pyjl runs such chains in log space (``pyjl.hmm._chain``) and agrees with hmmlearn's
``implementation="log"`` and with brute-force enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from brute import enumerate_hmm, random_problem

import pyjl
from pyjl import _config, engines
from pyjl.exceptions import InputError, NumericalWarning
from pyjl.hmm import HMM, Categorical, Normal

hmm = pytest.importorskip("hmmlearn.hmm")

# left-right: 0 -> 1 -> 2, no way back
PI = np.array([1.0, 0.0, 0.0])
A = np.array([[0.9, 0.1, 0.0], [0.0, 0.9, 0.1], [0.0, 0.0, 1.0]])
MEANS = np.array([0.0, 4.0, 8.0])


def _back_and_forth(rng, n_seq=1):
    """Sequences of 20 rows near 0, 300 near 4 and 400 near 0 again: the chain leaves
    state 0 for state 1, whose forward probability then buries state 0's below 1e-308,
    and the last 400 rows favour state 0 by ~8 nats each."""
    parts = [
        np.concatenate([rng.normal(0, 1, 20), rng.normal(4, 1, 300), rng.normal(0, 1, 400)])
        for _ in range(n_seq)
    ]
    return np.concatenate(parts), [720] * n_seq


def _theirs(impl, n_iter=1, params="stmc"):
    ref = hmm.GaussianHMM(
        3, "diag", init_params="", params=params, n_iter=n_iter, tol=-np.inf, implementation=impl
    )
    ref.startprob_, ref.transmat_ = PI, A
    ref.means_, ref.covars_ = MEANS[:, None], np.ones((3, 1))
    return ref


def _ours(**kw):
    em = Normal(MEANS, np.ones(3))
    return HMM(em, 3, init="given", startprob=PI, transmat=A, tol=-np.inf, **kw)


@pytest.fixture(params=[1, 2], ids=["1-thread", "2-threads"])
def threads(request):
    pyjl.set_num_threads(request.param)
    yield request.param
    _config.clear("num_threads")


@pytest.mark.parametrize("n_seq", [1, 9], ids=["one", "nine"])
def test_scores_and_posteriors_are_hmmlearns_log_ones(rng, threads, n_seq):
    x, L = _back_and_forth(rng, n_seq)
    X = x[:, None]
    log_ref, scaled_ref = _theirs("log"), _theirs("scaling")
    # the trap is real: the scaled recursion loses hundreds of nats per sequence
    assert scaled_ref.score(X, L) < log_ref.score(X, L) - 500 * n_seq
    m = _ours()
    assert m.score(x, L) == pytest.approx(log_ref.score(X, L), rel=1e-12)
    np.testing.assert_allclose(
        m.score_sequences(x, L),
        [log_ref.score(X[i * 720 : (i + 1) * 720]) for i in range(n_seq)],
        rtol=1e-12,
    )
    P = m.predict_proba(x, L)
    np.testing.assert_allclose(P, log_ref.predict_proba(X, L), atol=1e-9)
    assert P[-400:, 0].mean() > 0.99  # the last rows are state 0's again
    lp, path = m.decode(x, L, algorithm="map")
    assert lp == pytest.approx(log_ref.score(X, L), rel=1e-12)
    np.testing.assert_array_equal(path, log_ref.decode(X, L, algorithm="map")[1])


@pytest.mark.parametrize("batch_rows", [None, 700], ids=["whole", "batches"])
def test_em_follows_hmmlearns_log_trajectory(rng, threads, batch_rows):
    x, L = _back_and_forth(rng, 3)
    ref = _theirs("log", n_iter=4, params="st").fit(x[:, None], L)
    m = _ours(n_iter=4, params="st", batch_rows=batch_rows).fit(x, L)
    np.testing.assert_allclose(m.monitor_.history, list(ref.monitor_.history), rtol=1e-11)
    np.testing.assert_allclose(m.transmat_, ref.transmat_, atol=1e-9)
    np.testing.assert_allclose(m.startprob_, ref.startprob_, atol=1e-12)
    # the scaled recursion would have moved the chain elsewhere: state 0 is kept
    assert m.transmat_[0, 0] > 0.99


def test_a_categorical_chain_too(rng):
    # state 0 emits symbol 0, state 1 symbol 1 (mostly); 600 0s return after 400 1s
    probs = np.array([[0.98, 0.02], [0.02, 0.98]])
    A2 = np.array([[0.95, 0.05], [0.0, 1.0]])
    X = np.concatenate([np.zeros(10), np.ones(400), np.zeros(600)]).astype(int)[:, None]
    ref = hmm.CategoricalHMM(2, init_params="", params="ste", n_iter=3, tol=-np.inf)
    ref.startprob_, ref.transmat_, ref.emissionprob_ = np.array([1.0, 0.0]), A2, probs
    scaled = hmm.CategoricalHMM(2, init_params="", implementation="scaling")
    scaled.startprob_, scaled.transmat_, scaled.emissionprob_ = ref.startprob_, A2, probs
    assert scaled.score(X) < ref.score(X) - 100
    m = HMM(Categorical(probs), 2, init="given", startprob=[1.0, 0.0], transmat=A2)
    assert m.score(X) == pytest.approx(ref.score(X), rel=1e-12)
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(X), atol=1e-9)
    m.set_params(n_iter=3, tol=-np.inf).fit(X)
    ref.fit(X)
    np.testing.assert_allclose(m.monitor_.history, list(ref.monitor_.history), rtol=1e-11)
    np.testing.assert_allclose(m.emission_.probs, ref.emissionprob_, atol=1e-9)


def test_an_impossible_sequence_still_says_so(rng):
    x, L = _back_and_forth(rng, 2)
    em = Normal(MEANS, np.ones(3))
    # an observation no state can emit in double precision, in the second sequence
    x[900] = 1e160
    m = HMM(em, 3, init="given", startprob=PI, transmat=A)
    with pytest.warns(NumericalWarning, match="row 900"):
        ll = m.score_sequences(x, L)
    assert np.isfinite(ll[0]) and np.isneginf(ll[1])
    with pytest.raises(InputError, match="row 900"):
        m.predict_proba(x, L)


# --- the engine kernels --------------------------------------------------------------
def _left_right_problem(rng, K, lengths):
    T = int(np.sum(lengths))
    A_ = np.triu(rng.dirichlet(np.ones(K), size=K))
    A_ /= A_.sum(1, keepdims=True)
    with np.errstate(divide="ignore"):
        log_A = np.log(A_)
        log_pi = np.log(np.r_[1.0, np.zeros(K - 1)])
    log_B = rng.normal(size=(T, K)) * 2.0
    return log_pi, log_A, log_B, np.asarray(lengths, dtype=np.int64)


@pytest.mark.parametrize("K,lengths", [(2, [7]), (3, [5, 1, 6]), (4, [4, 5])])
@pytest.mark.parametrize("chain", ["left-right", "ergodic"])
def test_log_kernels_match_enumeration(rng, threads, K, lengths, chain):
    make = _left_right_problem if chain == "left-right" else random_problem
    problem = make(rng, K, lengths)
    eng = engines.get("native")
    ll, gamma, xi = eng.forward_backward_log(*problem)
    ref = enumerate_hmm(*problem)
    np.testing.assert_allclose(ll, ref[0], rtol=1e-13)
    np.testing.assert_allclose(eng.forward_log(*problem), ref[0], rtol=1e-13)
    np.testing.assert_allclose(gamma, ref[1], atol=1e-13)
    np.testing.assert_allclose(xi, ref[2], rtol=1e-11, atol=1e-14)


def test_log_kernels_equal_the_scaled_ones_on_ergodic_chains(rng, threads):
    problem = random_problem(rng, 5, [300, 1, 57, 1000], spread=30.0)
    eng = engines.get("native")
    ll, gamma, xi = eng.forward_backward_log(*problem)
    ll2, gamma2, xi2 = eng.forward_backward(*problem)
    np.testing.assert_allclose(ll, ll2, rtol=1e-13)
    np.testing.assert_allclose(gamma, gamma2, atol=1e-12)
    np.testing.assert_allclose(xi, xi2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(eng.forward_log(*problem), ll2, rtol=1e-13)


def test_a_sequence_of_probability_zero_adds_nothing(rng):
    log_pi, log_A, log_B, L = _left_right_problem(rng, 3, [6, 8])
    log_B[9] = -np.inf  # impossible in every state, in the second sequence
    eng = engines.get("native")
    ll, gamma, xi = eng.forward_backward_log(log_pi, log_A, log_B, L)
    first = enumerate_hmm(log_pi, log_A, log_B[:6], L[:1])
    assert np.isneginf(ll[1])
    np.testing.assert_allclose(ll[0], first[0][0], rtol=1e-13)
    np.testing.assert_array_equal(gamma[6:], 0.0)
    np.testing.assert_allclose(gamma[:6], first[1], atol=1e-13)
    np.testing.assert_allclose(xi, first[2], rtol=1e-11, atol=1e-14)


def test_the_log_space_em_holds_batches_of_the_unfused_size(rng):
    # the fused Gaussian E-step takes 2^16 rows a batch (it holds no (rows, K) array);
    # the log-space one holds log-densities and posteriors, so it takes the unfused size
    x, L = _back_and_forth(rng, 100)  # 72,000 rows
    m, ref = _ours(n_iter=1), _theirs("log")
    ours = _peak(lambda: m.fit(x, L))
    assert ours < 1.5e6  # 2^16 rows x 3 states x 8 bytes x 2 arrays would be 3.1 MB
    # and no more than hmmlearn's, which holds one sequence's lattices at a time (the
    # log-space kernels have no SIMD lanes to fill: no eight sequences per thread)
    assert ours <= _peak(lambda: ref.fit(x[:, None], L))


def _peak(call):
    """The peak of traced memory during the second of two calls of ``call``."""
    import tracemalloc

    from pyjl._native import hmm as kernels

    call()
    vars(kernels._scratch_local).clear()  # the kernels' reused buffers count too
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_dask_part_in_log_space_takes_batches_of_the_unfused_size(rng):
    # a worker's part is cut by the fused size (2^16 rows) unless it runs in log space
    from pyjl.hmm._dask import _part_estep

    x, L = _back_and_forth(rng, 100)  # 72,000 rows
    log_pi, log_A, em = _ours()._logs(trusted=True)
    args = (x[:, None], 0, np.array(L), log_pi, log_A, em, False, 1 << 16, 5461)
    assert _peak(lambda: _part_estep(*args)) < 1.5e6  # 2^16 rows would be 3.1 MB
    stats = _part_estep(*args)
    assert stats.loglik == pytest.approx(_theirs("log").score(x[:, None], L), rel=1e-12)


def test_posteriors_sum_to_one_where_log_densities_are_huge():
    # three outliers put log-densities near -5e7: a transition posterior taken in log
    # space carries |log B| 2^-53 of rounding, and a step's posteriors are its row sums,
    # so each row is divided by its sum (hmmlearn's rows are 1e-9 off here)
    rng = np.random.default_rng(0)
    x, _ = _back_and_forth(rng)
    x[[100, 400, 600]] = [3e3, -5e3, 1e4]
    ref = _theirs("log")
    P = _ours().predict_proba(x)
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=0, atol=1e-13)
    np.testing.assert_allclose(P, ref.predict_proba(x[:, None]), atol=1e-8)
    assert _ours().score(x) == pytest.approx(ref.score(x[:, None]), rel=1e-12)


# --- improbable states that fit much better: the emission factors' underflow ----------
def _pair(pi, A):
    ref = hmm.GaussianHMM(2, "diag", init_params="")  # implementation="log"
    ref.startprob_, ref.transmat_ = pi, A
    ref.means_, ref.covars_ = np.array([[0.0], [40.0]]), np.ones((2, 1))
    m = HMM(Normal([0.0, 40.0], [1.0, 1.0]), 2, init="given", startprob=pi, transmat=A)
    return m, ref


def _scaled(m, x, L):
    """The score of the scaled kernel (hmmlearn's "scaling" raises an underflow here)."""
    lb = np.ascontiguousarray(m.emission.log_likelihood(x))
    eng = engines.get("native")
    chain = np.log(m.startprob), np.log(m.transmat)
    return float(eng.forward(*chain, lb, np.asarray(L, dtype=np.int64)).sum())


def test_an_improbable_state_that_fits_800_nats_better(threads):
    # transitions of 1e-250 into state 1: x = 40 costs state 0 800 nats, a switch there
    # and back 1,151; scaled, the likely state's factor e^-800 is zero at that step
    A = np.array([[1.0 - 1e-250, 1e-250], [1e-250, 1.0 - 1e-250]])
    m, ref = _pair(np.array([0.5, 0.5]), A)
    x = np.array([0.0, 40.0, 0.0, 0.0, 0.1])
    assert _scaled(m, x, [5]) < ref.score(x[:, None]) - 100
    assert m.score(x) == pytest.approx(ref.score(x[:, None]), rel=1e-12)
    np.testing.assert_allclose(m.predict_proba(x), ref.predict_proba(x[:, None]), atol=1e-12)


def test_a_first_row_that_fits_a_state_of_tiny_start_probability(threads):
    # every transition is 1e-138 or more (above e^-320: the scaled kernels are exact from
    # the second step on), but state 1 starts with probability 1e-300 and fits the first
    # row 800 nats better: the first step loses state 0, whose path is the likelier
    A = np.array([[1.0 - 1e-138, 1e-138], [1e-138, 1.0 - 1e-138]])
    m, ref = _pair(np.array([1.0, 1e-300]), A)
    x = np.concatenate([[40.0], np.zeros(20)])
    L = [21, 21]
    X = np.concatenate([x, x])[:, None]
    assert _scaled(m, X[:, 0], L) < ref.score(X, L) - 100
    assert m.score(X[:, 0], L) == pytest.approx(ref.score(X, L), rel=1e-12)
    P = m.predict_proba(X[:, 0], L)
    np.testing.assert_allclose(P, ref.predict_proba(X, L), atol=1e-12)
    m.set_params(n_iter=2, tol=-np.inf, params="st").fit(X[:, 0], L)
    ref.set_params(n_iter=2, tol=-np.inf, params="st").fit(X, L)
    np.testing.assert_allclose(m.monitor_.history, list(ref.monitor_.history), rtol=1e-11)


def test_which_chains_run_in_log_space():
    from pyjl.hmm._chain import first_steps_lose, log_route

    with np.errstate(divide="ignore"):
        ergodic = np.log(np.full((2, 2), 0.5))
        left_right = np.log(np.array([[0.9, 0.1], [0.0, 1.0]]))
        start0 = np.log(np.array([1.0, 0.0]))
    lb0 = np.array([[-0.5, -800.5], [-800.5, -0.5]])  # the second row fits state 1
    never = lambda: pytest.fail("the first rows need no look")  # noqa: E731
    assert log_route(start0, left_right, never)
    assert not log_route(np.log([0.5, 0.5]), ergodic, never)
    rare = np.log(np.array([[1.0 - 1e-138, 1e-138], [1e-138, 1.0 - 1e-138]]))
    tiny = np.log([1.0, 1e-300])
    # the first rows fit the likely state: nothing is lost
    assert not first_steps_lose(start0, rare, lb0[:1])
    assert not first_steps_lose(tiny, rare, lb0[:1])
    # the second fits a state that cannot start by 800 nats: scaled, its factor leaves
    # nothing of the likely state's path (the sequence would score -inf)
    assert first_steps_lose(start0, ergodic, lb0)
    # one that starts with probability 1e-300: what the first step loses (state 0's
    # path, e^-109 of state 1's) comes back at the next step with half of state 1's,
    # unless the way back is as improbable as 1e-138
    assert not first_steps_lose(tiny, ergodic, lb0)
    assert first_steps_lose(tiny, rare, lb0)
    # a subnormal start probability (1e-310) of the state that fits best: the scaled first
    # step's sum is 1e-310, whose reciprocal overflows; 1e-300 is still a normal number
    sub = np.log([1.0, 1e-310])
    assert first_steps_lose(sub, ergodic, lb0)
    assert not first_steps_lose(sub, ergodic, lb0[:1])


@pytest.mark.parametrize("p0", [1e-300, 5e-309, 1e-310, 5e-324])
def test_a_subnormal_start_probability_of_the_state_that_fits(threads, p0):
    # hmmlearn's implementation="log" and the closed form agree; scaled, the first step
    # divided by its sum p0 * N(0 | 0, 1), whose reciprocal overflows below ~5.6e-309
    A = np.array([[0.9, 0.1], [0.1, 0.9]])
    m, ref = _pair(np.array([p0, 1.0 - p0]), A)
    x = np.array([0.0, 1.0, 0.5])
    want = ref.score(x[:, None])
    assert want > -800
    assert m.score(x) == pytest.approx(want, rel=1e-12)
    np.testing.assert_allclose(m.predict_proba(x), ref.predict_proba(x[:, None]), atol=1e-12)
    got, path = m.decode(x, algorithm="map")  # its log_prob is the score (docs/hmm.md)
    assert got == pytest.approx(want, rel=1e-12)
    np.testing.assert_array_equal(path, ref.decode(x[:, None], algorithm="map")[1])
