"""The engine's forward-backward and Viterbi kernels against brute force, hmmlearn's
lattices, the conformance vectors and a closed form at T = 10^7."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from brute import enumerate_hmm, random_problem

import pyjl
from pyjl import _config, engines

VECTORS = sorted((Path(__file__).resolve().parents[1] / "vectors").glob("hmm_*.toml"))


@pytest.fixture
def engine(engine):
    """The kernels of the engine selected by tests/conftest.py's ``engine`` (each in turn)."""
    return engines.current()


@pytest.mark.parametrize(
    "K,lengths", [(2, [6]), (3, [4, 1, 5]), (4, [3, 3]), (5, [2, 3, 1]), (7, [3, 2])]
)
def test_forward_backward_matches_enumeration(rng, engine, K, lengths):
    log_pi, log_A, log_B, L = random_problem(rng, K, lengths)
    ll, gamma, xi = engine.forward_backward(log_pi, log_A, log_B, L)
    ll_ref, g_ref, xi_ref, path_ref, lp_ref = enumerate_hmm(log_pi, log_A, log_B, L)
    np.testing.assert_allclose(ll, ll_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(engine.forward(log_pi, log_A, log_B, L), ll_ref, rtol=1e-12)
    np.testing.assert_allclose(gamma, g_ref, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(xi, xi_ref, rtol=1e-10, atol=1e-13)
    path, lp = engine.viterbi(log_pi, log_A, log_B, L)
    assert path.dtype == np.int64
    np.testing.assert_array_equal(path, path_ref)
    np.testing.assert_allclose(lp, lp_ref, rtol=1e-12)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda p: p.stem)
def test_conformance_vectors(engine, vector):
    d = tomllib.loads(vector.read_text())
    args = (
        np.array(d["log_pi"]),
        np.array(d["log_A"]),
        np.array(d["log_B"]),
        np.array(d["lengths"], dtype=np.int64),
    )
    ll, gamma, xi = engine.forward_backward(*args)
    np.testing.assert_allclose(ll, d["loglik"], rtol=1e-12)
    np.testing.assert_allclose(engine.forward(*args), d["loglik"], rtol=1e-12)
    np.testing.assert_allclose(gamma, d["gamma"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(xi, d["xi_sum"], rtol=1e-10, atol=1e-13)
    path, lp = engine.viterbi(*args)
    np.testing.assert_array_equal(path, d["path"])
    np.testing.assert_allclose(lp, d["logprob"], rtol=1e-12)


def test_wikipedia_healthy_fever_example(engine):
    # Wikipedia "Viterbi algorithm": observations normal, cold, dizzy; the best path is
    # Healthy, Healthy, Fever with probability 0.01512; the forward probability of the
    # observations is 0.03628 (alpha_3 = 0.007696 + 0.028584).
    log_pi = np.log([0.6, 0.4])
    log_A = np.log([[0.7, 0.3], [0.4, 0.6]])
    emit = np.array([[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]])
    log_B = np.ascontiguousarray(np.log(emit[:, [0, 1, 2]].T))
    L = np.array([3], dtype=np.int64)
    path, lp = engine.viterbi(log_pi, log_A, log_B, L)
    assert path.tolist() == [0, 0, 1]
    assert np.exp(lp[0]) == pytest.approx(0.01512, rel=1e-12)
    ll, gamma, _ = engine.forward_backward(log_pi, log_A, log_B, L)
    assert np.exp(ll[0]) == pytest.approx(0.03628, rel=1e-12)
    assert gamma[2, 1] == pytest.approx(0.028584 / 0.03628, rel=1e-12)


@pytest.mark.parametrize("K", [3, 4, 16])
def test_matches_hmmlearn_lattices(rng, engine, K):
    _hmmc = pytest.importorskip("hmmlearn._hmmc")
    T = 3000
    pi = rng.dirichlet(np.ones(K))
    A = rng.dirichlet(np.ones(K), size=K)
    log_B = rng.normal(size=(T, K)) * 4
    L = np.array([T], dtype=np.int64)
    ll, gamma, xi = engine.forward_backward(np.log(pi), np.log(A), log_B, L)
    lp, fwd = _hmmc.forward_log(pi, A, log_B)
    bwd = _hmmc.backward_log(pi, A, log_B)
    post = np.exp(fwd + bwd - lp)
    xi_ref = np.exp(_hmmc.compute_log_xi_sum(fwd, A, bwd, log_B))
    assert ll[0] == pytest.approx(lp, rel=1e-11)
    np.testing.assert_allclose(gamma, post, atol=1e-10)
    np.testing.assert_allclose(xi, xi_ref, rtol=1e-8)
    vlp, vpath = _hmmc.viterbi(pi, A, log_B)
    path, vlp2 = engine.viterbi(np.log(pi), np.log(A), log_B, L)
    np.testing.assert_array_equal(path, vpath)
    assert vlp2[0] == pytest.approx(vlp, rel=1e-12)


def test_threads_give_the_same_answer(rng, engine):
    K, lengths = 4, rng.integers(1, 60, size=97)
    log_pi, log_A, log_B, L = random_problem(rng, K, lengths)
    with_one = None
    for n in (1, 2, 3):
        pyjl.set_num_threads(n)
        try:
            out = engine.forward_backward(log_pi, log_A, log_B, L) + engine.viterbi(
                log_pi, log_A, log_B, L
            )
        finally:
            _config.clear("num_threads")  # back to the default
        if with_one is None:
            with_one = out
        for a, b in zip(out, with_one):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_forbidden_transitions_and_impossible_data(engine):
    with np.errstate(divide="ignore"):
        log_pi = np.log([1.0, 0.0])
        log_A = np.log([[0.5, 0.5], [0.0, 1.0]])  # left-right
    log_B = np.log(np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]))
    L = np.array([3], dtype=np.int64)
    ll, gamma, xi = engine.forward_backward(log_pi, log_A, log_B, L)
    ref = enumerate_hmm(log_pi, log_A, log_B, L)
    np.testing.assert_allclose(ll, ref[0], rtol=1e-12)
    np.testing.assert_allclose(gamma, ref[1], atol=1e-14)
    assert xi[1, 0] == 0.0
    with np.errstate(divide="ignore"):
        impossible = np.log(np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]))
    ll, gamma, _ = engine.forward_backward(log_pi, log_A, impossible, L)
    assert ll[0] == -np.inf and not np.isnan(gamma).any()
    assert engine.forward(log_pi, log_A, impossible, L)[0] == -np.inf


@pytest.mark.slow
def test_no_underflow_at_ten_million_steps(engine):
    # Both states emit alike, so log p(x) = sum_t log_B[t, 0] exactly (closed form),
    # about -1.4e7 here: far below what unscaled probabilities could hold.
    T = 10_000_000
    col = np.random.default_rng(0).normal(-1.4, 0.3, size=T)
    log_B = np.repeat(col[:, None], 2, axis=1)
    del col
    L = np.array([T], dtype=np.int64)
    log_pi, log_A = np.log([0.3, 0.7]), np.log([[0.99, 0.01], [0.02, 0.98]])
    ll, gamma, xi = engine.forward_backward(log_pi, log_A, log_B, L)
    assert np.isfinite(ll[0])
    assert ll[0] == pytest.approx(log_B[:, 0].sum(), rel=1e-12)
    assert engine.forward(log_pi, log_A, log_B, L)[0] == pytest.approx(ll[0], rel=1e-13)
    assert np.isfinite(gamma).all() and np.isfinite(xi).all()
    assert xi.sum() == pytest.approx(T - 1, rel=1e-9)
    del gamma
    path, lp = engine.viterbi(log_pi, log_A, log_B, L)
    assert np.isfinite(lp[0]) and path.shape == (T,)


def test_emission_kernels_match_scipy_and_numpy(rng, engine):
    from scipy import stats

    X = rng.normal(size=(5000, 3)) * 2 + 1e3
    mean = 1e3 + rng.normal(size=(6, 3))
    var = rng.uniform(0.5, 3.0, size=(6, 3))
    ref = np.stack(
        [stats.multivariate_normal.logpdf(X, mean[k], np.diag(var[k])) for k in range(6)], axis=1
    )
    np.testing.assert_allclose(engine.gaussian_loglik(X, mean, var), ref, rtol=1e-12)
    W = rng.uniform(size=(5000, 6))
    shift = np.array([1e3, 1e3 + 1, 999.0])
    N, S1, S2 = engine.weighted_moments(X, W, shift)
    np.testing.assert_allclose(N, W.sum(0), rtol=1e-12)
    np.testing.assert_allclose(S1, W.T @ (X - shift), rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(S2, W.T @ (X - shift) ** 2, rtol=1e-12)


@pytest.mark.parametrize("K,lengths", [(2, [6]), (3, [4, 1, 5]), (4, [3, 3, 2])])
@pytest.mark.parametrize("threads", [1, 2])
def test_fused_gaussian_estep_matches_enumeration(rng, engine, K, lengths, threads):
    from scipy import stats

    d = 2
    log_pi, log_A, _, L = random_problem(rng, K, lengths)
    X = rng.normal(size=(int(L.sum()), d)) * 2.0
    mean, var = rng.normal(size=(K, d)), rng.uniform(0.3, 2.0, size=(K, d))
    log_B = np.stack(
        [stats.norm.logpdf(X, mean[k], np.sqrt(var[k])).sum(1) for k in range(K)], axis=1
    )
    ll_ref, g_ref, xi_ref, _, _ = enumerate_hmm(log_pi, log_A, log_B, L)
    shift = np.array([0.5, -1.0])
    pyjl.set_num_threads(threads)
    try:
        ll, start, xi, N, S1, S2 = engine.gaussian_estep(log_pi, log_A, X, mean, var, shift, L)
    finally:
        _config.clear("num_threads")
    first = np.concatenate([[0], np.cumsum(L)[:-1]])
    np.testing.assert_allclose(ll, ll_ref, rtol=1e-12)
    np.testing.assert_allclose(start, g_ref[first].sum(0), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(xi, xi_ref, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(N, g_ref.sum(0), rtol=1e-10)
    np.testing.assert_allclose(S1, g_ref.T @ (X - shift), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(S2, g_ref.T @ (X - shift) ** 2, rtol=1e-10)


@pytest.mark.parametrize("K,lengths", [(1, [3, 1]), (2, [6]), (3, [4, 1, 5]), (4, [3, 3, 2])])
@pytest.mark.parametrize("d", [1, 3])
@pytest.mark.parametrize("threads", [1, 2])
def test_fused_gaussian_forward_and_viterbi_match_enumeration(rng, engine, K, lengths, d, threads):
    from scipy import stats

    log_pi, log_A, _, L = random_problem(rng, K, lengths)
    X = rng.normal(size=(int(L.sum()), d)) * 2.0
    mean, var = rng.normal(size=(K, d)), rng.uniform(0.3, 2.0, size=(K, d))
    log_B = np.stack(
        [stats.norm.logpdf(X, mean[k], np.sqrt(var[k])).sum(1) for k in range(K)], axis=1
    )
    ll_ref, _, _, path_ref, lp_ref = enumerate_hmm(log_pi, log_A, log_B, L)
    pyjl.set_num_threads(threads)
    try:
        ll = engine.gaussian_forward(log_pi, log_A, X, mean, var, L)
        path, lp = engine.gaussian_viterbi(log_pi, log_A, X, mean, var, L)
    finally:
        _config.clear("num_threads")
    np.testing.assert_allclose(ll, ll_ref, rtol=1e-12)
    assert path.dtype == np.int64
    np.testing.assert_array_equal(path, path_ref)
    np.testing.assert_allclose(lp, lp_ref, rtol=1e-12)


@pytest.mark.parametrize("K", [2, 4, 7, 16])
def test_emission_factors_over_the_whole_double_range(rng, engine, K):
    # Within-row log-likelihood gaps from 0 to beyond 745 (factors exp(gap) that are
    # ordinary, subnormal or zero) and -inf entries: the kernels' own exponential and
    # its fallback must agree with brute-force enumeration in log space.
    lengths = [3, 2] if K < 7 else [2, 1]
    log_pi, log_A, log_B, L = random_problem(rng, K, lengths)
    log_B = log_B + rng.choice([0.0, -300.0, -700.0, -720.0, -740.0, -800.0], size=log_B.shape)
    log_B[rng.random(log_B.shape) < 0.1] = -np.inf
    log_B[np.arange(log_B.shape[0]), rng.integers(0, K, log_B.shape[0])] = -1.0  # possible
    ll, gamma, xi = engine.forward_backward(log_pi, log_A, log_B, L)
    ll_ref, g_ref, xi_ref, _, _ = enumerate_hmm(log_pi, log_A, log_B, L)
    np.testing.assert_allclose(ll, ll_ref, rtol=1e-12)
    np.testing.assert_allclose(engine.forward(log_pi, log_A, log_B, L), ll_ref, rtol=1e-12)
    np.testing.assert_allclose(gamma, g_ref, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(xi, xi_ref, rtol=1e-9, atol=1e-300)


def test_a_kept_result_is_never_overwritten_by_the_next_call(rng, engine):
    # the native kernels write into reused buffers once the caller has dropped a result
    K, lengths = 3, [40, 60]
    first = random_problem(rng, K, lengths)
    second = random_problem(rng, K, lengths)
    ll1, g1, xi1 = engine.forward_backward(*first)
    lb1 = engine.gaussian_loglik(np.ones((100, 2)), np.zeros((K, 2)), np.ones((K, 2)))
    kept = g1.copy(), lb1.copy()
    view = g1[10:20]
    del g1
    for _ in range(3):
        _, g2, _ = engine.forward_backward(*second)
        lb2 = engine.gaussian_loglik(np.zeros((100, 2)), np.zeros((K, 2)), np.ones((K, 2)))
        assert not np.shares_memory(g2, view) and not np.shares_memory(lb2, lb1)
    np.testing.assert_array_equal(view, kept[0][10:20])
    np.testing.assert_array_equal(lb1, kept[1])
