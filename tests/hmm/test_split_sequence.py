"""One long sequence on two threads (forward and self-normalised backward pass in parallel,
``bindings/hmm_split.pxi``): log-likelihoods, posteriors, transition sums and the fused
E-step's moments against NumPy's scaled recursions and hmmlearn, and
against pyjl's one-thread path as a second check; impossible sequences, unreachable states,
K = 1 and lengths at the threshold as that path has them."""

from __future__ import annotations

import numpy as np
import pytest
from paired import at_theirs, diag_pair

import pyjl
from pyjl import _config

native = pytest.importorskip("pyjl._native.hmm", reason="the native HMM kernels are not built")

MIN = 300  # the threshold the tests set, so that short sequences take the split path


@pytest.fixture(autouse=True)
def _threshold():
    native._set_split(MIN)
    yield
    native._set_split(None)


def _model(rng, K):
    pi = rng.dirichlet(np.ones(K))
    A = rng.dirichlet(np.ones(K), size=K) + 3 * np.eye(K)
    return np.log(pi), np.log(A / A.sum(1, keepdims=True))


def _reference(log_pi, log_A, log_B):
    """``(loglik, gamma (T, K), xi_sum (K, K))`` of one sequence by NumPy's scaled
    recursions (Rabiner 1989, V.A; each row's maximum log-density taken out first)."""
    T, K = log_B.shape
    A = np.exp(log_A)
    m = log_B.max(1, keepdims=True)
    m[~np.isfinite(m)] = 0.0
    B = np.exp(log_B - m)
    alpha, beta, c = np.empty((T, K)), np.ones((T, K)), np.empty(T)
    a = np.exp(log_pi) * B[0]
    for t in range(T):
        if t:
            a = (alpha[t - 1] @ A) * B[t]
        c[t] = a.sum()
        alpha[t] = a / c[t]
    for t in range(T - 2, -1, -1):
        beta[t] = A @ (B[t + 1] * beta[t + 1]) / c[t + 1]
    xi = (alpha[:-1].T @ (B[1:] * beta[1:] / c[1:, None])) * A
    return np.log(c).sum() + m.sum(), alpha * beta, xi


def _one_thread(fn, *args):
    """``fn(*args, 1)`` with each result copied (the kernels reuse their output buffers)."""
    return [np.array(r, copy=True) for r in fn(*args, 1)]


def test_which_sequences_are_split():
    def pick(lengths, threads):
        return native._split_pick(lengths, threads, 4)

    assert pick(np.array([MIN]), 2)[0].tolist() == [0]
    assert pick(np.array([MIN - 1]), 2)[0].size == 0  # below the threshold
    assert pick(np.array([10 * MIN]), 1)[0].size == 0  # one thread
    assert pick(np.array([1000] * 100), 2)[0].size == 0  # many equal ones: by sequence
    assert pick(np.array([5 * MIN, 5 * MIN]), 2)[0].size == 0  # two halves: by sequence
    split, rest = pick(np.array([20, 6 * MIN, 4 * MIN, 30]), 2)
    assert split.tolist() == [1, 2] and rest.tolist() == [0, 3]
    split, rest = pick(np.array([6 * MIN, 2 * MIN, 2 * MIN]), 2)
    assert split.tolist() == [0] and rest.tolist() == [1, 2]
    native._set_split(None)  # the default: length x states at least 2^17
    assert native._split_pick(np.array([2**15]), 2, 4)[0].tolist() == [0]
    assert native._split_pick(np.array([2**15 - 1]), 2, 4)[0].size == 0
    assert native._split_pick(np.array([2**13]), 2, 16)[0].tolist() == [0]


@pytest.mark.parametrize("K", [1, 2, 4, 5, 16])
@pytest.mark.parametrize("T", [MIN - 1, MIN, MIN + 1, 1000])
def test_forward_backward_matches_log_space(rng, K, T):
    log_pi, log_A = _model(rng, K)
    log_B = rng.normal(size=(T, K)) * 3
    lengths = np.array([T], dtype=np.int64)
    ll, gamma, xi = native.forward_backward(log_pi, log_A, log_B, lengths, 2)
    ll, gamma, xi = ll.copy(), gamma.copy(), xi.copy()
    rll, rgamma, rxi = _reference(log_pi, log_A, log_B)
    assert ll[0] == pytest.approx(rll, rel=1e-12)
    np.testing.assert_allclose(gamma, rgamma, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(xi, rxi, rtol=1e-10, atol=1e-12)
    ll1, gamma1, xi1 = _one_thread(native.forward_backward, log_pi, log_A, log_B, lengths)
    assert ll[0] == pytest.approx(ll1[0], rel=1e-14)
    np.testing.assert_allclose(gamma, gamma1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(xi, xi1, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("K", [1, 3, 4, 16])
@pytest.mark.parametrize("lengths", [[MIN + 7], [40, 5 * MIN, 3, 3 * MIN, 60] + [50] * 9])
def test_gaussian_estep_matches_reference(rng, K, lengths):
    """The fused E-step with the long sequences split (the others one at a time or in lanes)
    against log-space posteriors and NumPy moments."""
    d = 3
    lengths = np.array(lengths, dtype=np.int64)
    X = rng.normal(size=(int(lengths.sum()), d)) * 2
    log_pi, log_A = _model(rng, K)
    mean, var = rng.normal(size=(K, d)), rng.uniform(0.3, 2.0, size=(K, d))
    shift = X.mean(0)
    assert native._split_pick(lengths, 2, K)[0].size > 0
    got = native.gaussian_estep(log_pi, log_A, X, mean, var, shift, lengths, 2)
    log_B = native.gaussian_loglik(X, mean, var)
    lls, gammas, xi = [], [], np.zeros((K, K))
    for s, e in zip(np.cumsum(lengths) - lengths, np.cumsum(lengths), strict=True):
        ll, g, x = _reference(log_pi, log_A, log_B[s:e])
        lls.append(ll)
        gammas.append(g)
        xi += x
    gamma = np.concatenate(gammas)
    starts = np.cumsum(lengths) - lengths
    Xc = X - shift
    want = [np.array(lls), gamma[starts].sum(0), xi, gamma.sum(0), gamma.T @ Xc]
    want.append(gamma.T @ Xc**2)
    scales = [1.0, len(lengths), len(X), len(X), np.abs(Xc).sum(), (Xc**2).sum()]
    for g, w, s in zip(got, want, scales, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12 * s)
    for g, w, s in zip(
        got,
        _one_thread(native.gaussian_estep, log_pi, log_A, X, mean, var, shift, lengths),
        scales,
        strict=True,
    ):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12 * s)


@pytest.mark.parametrize("K", [1, 2, 4])
def test_impossible_and_nan_rows_as_one_thread(rng, K):
    """A row of -inf log-densities in the middle (an impossible sequence: -inf and zero
    posteriors), a state that is never reached, and NaN rows: as the one-thread path."""
    T = 4 * MIN
    log_pi, log_A = _model(rng, K)
    lengths = np.array([T], dtype=np.int64)
    cases = []
    log_B = rng.normal(size=(T, K)) * 3
    log_B[T // 2 + 3] = -np.inf
    cases.append(log_B)
    log_B = rng.normal(size=(T, K)) * 3
    log_B[T // 3] = np.nan
    cases.append(log_B)
    if K > 1:  # state 0 unreachable: pi and every transition into it zero
        pi, A = np.exp(log_pi), np.exp(log_A)
        pi[0], A[:, 0] = 0.0, 0.0
        with np.errstate(divide="ignore"):
            lp, lA = np.log(pi / pi.sum()), np.log(A / A.sum(1, keepdims=True))
        log_B = rng.normal(size=(T, K)) * 3
        ll, gamma, xi = (
            np.array(r, copy=True) for r in native.forward_backward(lp, lA, log_B, lengths, 2)
        )
        rll, rgamma, rxi = _reference(lp, lA, log_B)
        assert ll[0] == pytest.approx(rll, rel=1e-12)
        assert not gamma[:, 0].any() and not xi[:, 0].any()
        np.testing.assert_allclose(gamma, rgamma, rtol=1e-10, atol=1e-13)
        log_B[T // 2, 1:] = -np.inf  # only the unreachable state can emit this row
        cases.append(log_B)
        log_pi, log_A = lp, lA
    for log_B in cases:
        ll, gamma, xi = (
            np.array(r, copy=True)
            for r in native.forward_backward(log_pi, log_A, log_B, lengths, 2)
        )
        ll1, gamma1, xi1 = _one_thread(native.forward_backward, log_pi, log_A, log_B, lengths)
        assert np.isneginf(ll[0]) and np.isneginf(ll1[0])
        np.testing.assert_array_equal(np.isnan(gamma), np.isnan(gamma1))
        np.testing.assert_allclose(gamma, gamma1, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(xi, xi1, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("impl", ["scaling", "log"])
@pytest.mark.parametrize("threads", [1, 2])
def test_fit_and_posteriors_match_hmmlearn(rng, impl, threads):
    """One long sequence: EM trajectory, fitted parameters, score and posteriors equal
    hmmlearn's with the sequence split (two threads) or not (one)."""
    K, d, T = 4, 3, 3000
    X = rng.normal(size=(T, d)) + np.repeat(rng.normal(size=(T // 50 + 1, d)) * 3, 50, 0)[:T]
    pi, A = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K) * 3, size=K)
    mu, var = rng.normal(size=(K, d)), rng.uniform(0.5, 2.0, size=(K, d))
    pyjl.set_num_threads(threads)
    try:
        ours, theirs = diag_pair(X, None, pi, A, mu, var, n_iter=6, implementation=impl)
        np.testing.assert_allclose(
            ours.monitor_.history, list(theirs.monitor_.history), rtol=1e-10
        )
        np.testing.assert_allclose(ours.startprob_, theirs.startprob_, atol=1e-10)
        np.testing.assert_allclose(ours.transmat_, theirs.transmat_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.emission_.mean, theirs.means_, rtol=1e-9, atol=1e-12)
        fixed = at_theirs(theirs)
        assert fixed.score(X) == pytest.approx(theirs.score(X), rel=1e-12)
        np.testing.assert_allclose(
            fixed.predict_proba(X), theirs.predict_proba(X), rtol=1e-10, atol=1e-12
        )
    finally:
        _config.clear("num_threads")
