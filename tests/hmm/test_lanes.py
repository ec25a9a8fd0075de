"""The native HMM kernels with blocks of eight sequences in SIMD lanes against the same
kernels one sequence at a time (``_set_lanes(False)``: log-likelihoods, posteriors and
Viterbi paths bit for bit, the transition and moment sums to 1e-12 relative) and, through
the public API, against hmmlearn; at every lane width the CPU runs (the ``lane_width``
fixture: 8 with AVX-512, 4 with AVX2, 2 anywhere)."""

from __future__ import annotations

import platform

import numpy as np
import pytest
from paired import at_theirs, diag_pair

import pyjl
from pyjl import _config
from pyjl.hmm import HMM, MvNormal

native = pytest.importorskip("pyjl._native.hmm", reason="the native HMM kernels are not built")
pytestmark = pytest.mark.usefixtures("lane_width")  # every width the CPU runs

N_SEQ = [1, 3, 7, 8, 9, 17, 100]
KS = [1, 2, 4, 16]


def _lengths(rng, n_seq, ragged, long=False):
    if long:  # 17 blocks of 64 steps and more
        return rng.integers(1030, 1100, size=n_seq).astype(np.int64)
    if not ragged:
        return np.full(n_seq, 70, dtype=np.int64)
    # lengths of 1, block-sized (64, 65, 128) and random ones, shuffled
    lens = np.concatenate([[1, 64, 65, 128, 1], rng.integers(1, 160, size=n_seq)])[:n_seq]
    return rng.permutation(lens).astype(np.int64)


def _model(rng, K):
    pi = rng.dirichlet(np.ones(K))
    A = rng.dirichlet(np.ones(K), size=K) + np.eye(K)
    return np.log(pi), np.log(A / A.sum(1, keepdims=True))


def _both(fn, *args):
    """``fn(*args)`` with the lanes off, then on for every kernel, whatever the CPU (each
    result copied: the kernels reuse their output buffers once the caller drops them)."""
    out = []
    for on in (False, True):
        native._set_lanes(on)
        try:
            res = fn(*args)
        finally:
            native._set_lanes(None)
        out.append([np.array(r, copy=True) for r in (res if isinstance(res, tuple) else (res,))])
    return out


def _close(got, want, scale):
    """1e-12 relative, or 1e-12 of the sum of magnitudes where the sum cancels."""
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize("ragged", [False, True], ids=["equal", "ragged"])
@pytest.mark.parametrize("K", KS)
@pytest.mark.parametrize("n_seq", N_SEQ)
def test_kernels_lanes_equal_scalar(rng, n_seq, K, ragged, lane_width):
    lengths = _lengths(rng, n_seq, ragged)
    log_pi, log_A = _model(rng, K)
    log_B = rng.normal(size=(int(lengths.sum()), K)) * 4
    native._set_lanes(True)  # on any CPU (the default rule: test_kernels_take_the_lanes_...)
    try:  # blocks of eight, and a last one of whole groups of the lane width if any fit
        in_blocks = n_seq // 8 * 8 + n_seq % 8 // lane_width * lane_width
        plan = native._lane_plan(lengths, int(lengths.max()), K)
        assert plan[1] == -(-in_blocks // 8) and plan[3] == in_blocks
    finally:
        native._set_lanes(None)
    for threads in (1, 2):
        (ll0, g0, xi0), (ll1, g1, xi1) = _both(
            native.forward_backward, log_pi, log_A, log_B, lengths, threads
        )
        np.testing.assert_array_equal(ll1, ll0)
        np.testing.assert_array_equal(g1, g0)
        _close(xi1, xi0, xi0.sum())
        (f0,), (f1,) = _both(native.forward, log_pi, log_A, log_B, lengths, threads)
        np.testing.assert_array_equal(f1, f0)
        np.testing.assert_allclose(f0, ll0, rtol=1e-12)
        (p0, lp0), (p1, lp1) = _both(native.viterbi, log_pi, log_A, log_B, lengths, threads)
        np.testing.assert_array_equal(p1, p0)
        np.testing.assert_array_equal(lp1, lp0)


@pytest.fixture(params=["default", "some", "none"])
def kept_factors(request):
    """The emission factors the E-step keeps from the forward pass, shared by its
    threads: the default budget, 2^13 numbers (a thread's share over ``8 K`` rounded
    down to 64 steps, at most 8 / width times more for a group: all of a short block's,
    some of a long one's) or none."""
    numbers = {"default": None, "some": 1 << 13, "none": 0}[request.param]
    old = native._set_estep_keep(numbers)
    yield request.param
    native._set_estep_keep(old)


@pytest.mark.parametrize("ragged", ["equal", "ragged", "long"])
@pytest.mark.parametrize("K", KS + [40])
@pytest.mark.parametrize("n_seq", N_SEQ)
def test_gaussian_estep_lanes_equal_scalar(rng, n_seq, K, ragged, kept_factors):
    if ragged == "long" and n_seq > 17:
        pytest.skip("the long sequences need no more than two blocks of eight")
    lengths = _lengths(rng, n_seq, ragged == "ragged", ragged == "long")
    d = 3
    X = rng.normal(size=(int(lengths.sum()), d)) * 2
    log_pi, log_A = _model(rng, K)
    mean, var = rng.normal(size=(K, d)), rng.uniform(0.3, 2.0, size=(K, d))
    shift = X.mean(0)
    for threads in (1, 2):
        want, got = _both(
            native.gaussian_estep, log_pi, log_A, X, mean, var, shift, lengths, threads
        )
        np.testing.assert_array_equal(got[0], want[0])  # log-likelihoods
        # start, xi, N, S1, S2: sums in another order; S1 of centred data cancels
        scales = [n_seq, want[2].sum(), len(X), np.abs(X - shift).sum(), ((X - shift) ** 2).sum()]
        for g, w, s in zip(got[1:], want[1:], scales, strict=True):
            _close(g, w, s)


@pytest.mark.parametrize("shape", ["equal", "ragged", "long"])
@pytest.mark.parametrize("K", KS)
@pytest.mark.parametrize("n_seq", [1, 8, 9, 17, 40])
def test_fused_gaussian_scores_and_paths_equal_unfused(rng, n_seq, K, shape):
    """gaussian_forward and gaussian_viterbi, lanes on and off, equal forward and viterbi
    on gaussian_loglik bit for bit: d = 1 and 3, rows far out in some states (factors
    below e^-708, computed lane by lane) and a row of -inf log-density in every state."""
    lengths = _lengths(rng, n_seq, shape == "ragged", shape == "long")
    log_pi, log_A = _model(rng, K)
    T = int(lengths.sum())
    for d in (1, 3):
        X = rng.normal(size=(T, d)) * 2
        X[rng.random(T) < 0.01] *= 400.0
        if n_seq > 8:
            X[T // 2] = 1e160
        mean, var = rng.normal(size=(K, d)) * 3, rng.uniform(0.3, 2.0, size=(K, d))
        for threads in (1, 2):
            want = native.forward(log_pi, log_A, native.gaussian_loglik(X, mean, var), lengths)
            path, lp = native.viterbi(log_pi, log_A, native.gaussian_loglik(X, mean, var), lengths)
            assert np.isneginf(want).any() == (n_seq > 8)
            fused = _both(native.gaussian_forward, log_pi, log_A, X, mean, var, lengths, threads)
            paths = _both(native.gaussian_viterbi, log_pi, log_A, X, mean, var, lengths, threads)
            for (f,), (p, q) in zip(fused, paths, strict=True):
                np.testing.assert_array_equal(f, want)
                np.testing.assert_array_equal(p, path)
                np.testing.assert_array_equal(q, lp)


@pytest.mark.parametrize("K", [2, 4, 16])
def test_impossible_and_nan_rows_as_scalar(rng, K):
    """Rows of -inf (in some or every state), NaN, very negative and zero log-densities:
    the lanes give the scalar kernels' results, NaN and -inf included."""
    lengths = rng.integers(1, 150, size=27).astype(np.int64)
    log_pi, log_A = _model(rng, K)
    T = int(lengths.sum())
    log_B = rng.normal(size=(T, K)) * 5
    log_B[rng.random((T, K)) < 0.05] = -np.inf
    log_B[rng.random(T) < 0.01] = -np.inf
    log_B[rng.random((T, K)) < 0.01] = np.nan
    log_B[rng.random((T, K)) < 0.01] = -800.0
    log_B[rng.random((T, K)) < 0.01] = -0.0
    (ll0, g0, xi0), (ll1, g1, xi1) = _both(native.forward_backward, log_pi, log_A, log_B, lengths)
    assert np.isneginf(ll0).any() or np.isnan(ll0).any()
    np.testing.assert_array_equal(ll1, ll0)
    np.testing.assert_array_equal(g1, g0)
    np.testing.assert_allclose(xi1, xi0, rtol=1e-12, equal_nan=True)
    (f0,), (f1,) = _both(native.forward, log_pi, log_A, log_B, lengths)
    np.testing.assert_array_equal(f1, f0)
    (p0, lp0), (p1, lp1) = _both(native.viterbi, log_pi, log_A, log_B, lengths)
    np.testing.assert_array_equal(p1, p0)
    np.testing.assert_array_equal(lp1, lp0)


def test_fit_score_decode_match_hmmlearn(rng):
    """Many ragged sequences (lanes and scalar tails): EM trajectory, score, Viterbi
    and posteriors equal hmmlearn's (scaling) to its own agreement tolerances."""
    K, d = 4, 2
    lengths = rng.integers(1, 300, size=37)
    lengths[:3] = [1, 64, 65]
    T = int(lengths.sum())
    X = rng.normal(size=(T, d)) + np.repeat(rng.normal(size=(T // 50 + 1, d)) * 3, 50, 0)[:T]
    pi, A = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K) * 3, size=K)
    mu, var = rng.normal(size=(K, d)), rng.uniform(0.5, 2.0, size=(K, d))
    ours, theirs = diag_pair(X, lengths, pi, A, mu, var, n_iter=8)
    np.testing.assert_allclose(ours.monitor_.history, list(theirs.monitor_.history), rtol=1e-11)
    np.testing.assert_allclose(ours.transmat_, theirs.transmat_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.emission_.mean, theirs.means_, rtol=1e-9, atol=1e-12)
    fixed = at_theirs(theirs)
    assert fixed.score(X, lengths) == pytest.approx(theirs.score(X, lengths), rel=1e-12)
    lp, path = fixed.decode(X, lengths)
    lp2, path2 = theirs.decode(X, lengths)
    np.testing.assert_array_equal(path, path2)
    assert lp == pytest.approx(lp2, rel=1e-12)
    np.testing.assert_allclose(
        fixed.predict_proba(X, lengths), theirs.predict_proba(X, lengths), atol=1e-10
    )


@pytest.mark.parametrize("threads", [1, 2])
def test_default_batches_fill_the_lanes(rng, threads):
    """With the default batching every batch but the last holds a multiple of eight
    sequences, at least eight per thread; a long sequence is a batch of its own."""
    ragged = rng.integers(1, 2000, size=300)
    ragged[rng.random(300) < 0.2] = 1
    for K, lengths in [(4, [1000] * 100), (16, [1000] * 100), (1, ragged), (4, ragged)]:
        pyjl.set_num_threads(threads)
        try:
            model = HMM(MvNormal(), K)
            for fused in (False, True):
                rows, _, fill, cap = model._batch_rows(fused)
                src = model._source(np.zeros(np.sum(lengths)), lengths, model.emission, fused)
                counts = np.array([b - a for a, b in src.batches])
                assert counts.sum() == len(lengths)
                assert fill == 8 * threads and cap >= rows
                assert all(c % 8 == 0 and c >= fill for c in counts[:-1]), counts
        finally:
            _config.clear("num_threads")
    one = HMM(MvNormal(), 4)._source(np.zeros(10**6), None, MvNormal())
    assert one.batches == [(0, 1)]


def _lanes_off_on(fn):
    out = []
    for on in (False, True):
        native._set_lanes(on)
        try:
            out.append(fn())
        finally:
            native._set_lanes(None)
    return out


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("K", [1, 2, 4, 16])
def test_default_batching_equals_one_at_a_time(rng, K, threads):
    """score, Viterbi, posteriors and EM through the public API, with the default batches
    (blocks of eight in lanes) on ragged lengths with many of length 1, equal the kernels
    one sequence at a time; K = 1 also equals the closed form (a sum of log-densities)."""
    d = 2
    lengths = rng.integers(1, 900, size=150)
    lengths[rng.random(150) < 0.25] = 1
    T = int(lengths.sum())
    X = rng.normal(size=(T, d)) + np.repeat(rng.normal(size=(T // 40 + 1, d)) * 3, 40, 0)[:T]
    pi, A = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K) * 2, size=K)
    mu, var = rng.normal(size=(K, d)) * 2, rng.uniform(0.5, 2.0, size=(K, d))

    def model(n_iter=0):
        em = MvNormal(mu, var, covariance_type="diag")
        return HMM(em, K, n_iter=n_iter, tol=-np.inf, init="given", startprob=pi, transmat=A)

    pyjl.set_num_threads(threads)
    try:
        m = model()
        batches = m._source(X, lengths, m.emission).batches
        assert len(batches) > 1 or K == 1
        assert max(b - a for a, b in batches) >= 8
        (ll0, lp0, p0, g0), (ll1, lp1, p1, g1) = _lanes_off_on(
            lambda: (
                m.score_sequences(X, lengths),
                *m.decode(X, lengths),
                np.asarray(m.predict_proba(X, lengths)).copy(),
            )
        )
        np.testing.assert_array_equal(ll1, ll0)
        assert lp1 == lp0
        np.testing.assert_array_equal(p1, p0)
        np.testing.assert_array_equal(g1, g0)
        h0, h1 = _lanes_off_on(lambda: model(4).fit(X, lengths).monitor_.history)
        np.testing.assert_allclose(h1, h0, rtol=1e-12)
    finally:
        _config.clear("num_threads")
    if K == 1:
        from scipy.stats import norm

        dens = norm.logpdf(X, mu[0], np.sqrt(var[0])).sum(1)
        want = np.add.reduceat(dens, np.concatenate([[0], np.cumsum(lengths)[:-1]]))
        np.testing.assert_allclose(ll0, want, rtol=1e-12, atol=1e-9)
        assert not p0.any()


class _Unfused(MvNormal):
    """The same density through an overridden ``log_likelihood``: never fused."""

    def log_likelihood(self, X):
        return super().log_likelihood(X)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("K", [1, 3, 4, 16])
def test_public_scores_and_paths_fused_equal_unfused(rng, K, threads):
    """score_sequences and decode through the fused Gaussian kernels equal the passes on
    the emission's log-likelihoods (an overriding subclass), bit for bit."""
    d = 2
    lengths = rng.integers(1, 700, size=60)
    lengths[rng.random(60) < 0.25] = 1
    T = int(lengths.sum())
    X = rng.normal(size=(T, d)) + np.repeat(rng.normal(size=(T // 40 + 1, d)) * 3, 40, 0)[:T]
    pi, A = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K) * 2, size=K)
    mu, var = rng.normal(size=(K, d)) * 2, rng.uniform(0.5, 2.0, size=(K, d))
    models = [
        HMM(cls(mu, var, covariance_type="diag"), K, init="given", startprob=pi, transmat=A)
        for cls in (MvNormal, _Unfused)
    ]
    assert models[0].emission.supports_estep and not models[1].emission.supports_estep
    pyjl.set_num_threads(threads)
    try:
        (ll0, lp0, p0), (ll1, lp1, p1) = (
            (m.score_sequences(X, lengths), *m.decode(X, lengths)) for m in models
        )
    finally:
        _config.clear("num_threads")
    np.testing.assert_array_equal(ll0, ll1)
    assert lp0 == lp1
    np.testing.assert_array_equal(p0, p1)


def test_scoring_holds_no_rows_by_states_array(rng):
    """Scoring and decoding diagonal Gaussians hold no (T, K) array of log-densities."""
    import tracemalloc

    K, d, T = 16, 3, 200_000
    X = rng.normal(size=(T, d))
    lengths = np.full(T // 500, 500)
    mu, var = rng.normal(size=(K, d)), np.ones((K, d))
    pi, A = np.full(K, 1 / K), np.full((K, K), 1 / K)
    m = HMM(MvNormal(mu, var, "diag"), K, init="given", startprob=pi, transmat=A)
    m.score(X[:4000], lengths[:8])  # warm-up: imports and the kernels' buffers
    tracemalloc.start()
    try:
        m.score(X, lengths)
        score_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        path = m.predict(X, lengths)
        vit_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert score_peak < T * K * 8 / 20, score_peak
    assert vit_peak < path.nbytes + T * K * 8 / 5, vit_peak


@pytest.mark.parametrize("K", [3, 12, 40, 257])
def test_viterbi_ties_in_lanes_as_hmmlearn(rng, K):
    """Whole-number log-densities and a flat transition matrix: equally likely paths
    everywhere.  The lanes' one-byte back-pointers pick hmmlearn's path (K = 3, 12, 40: a
    partial pass of eight states; 257: more states than a byte indexes, so no lanes), and
    equal the scalar kernel's, over ragged lengths."""
    _hmmc = pytest.importorskip("hmmlearn._hmmc")
    lengths = np.concatenate([[1, 2, 64, 65], rng.integers(1, 90, size=13)]).astype(np.int64)
    T = int(lengths.sum())
    log_pi = np.log(np.full(K, 1.0 / K))
    log_A = np.log(np.full((K, K), 1.0 / K))
    log_B = -rng.integers(0, 3, size=(T, K)).astype(np.float64)
    (p0, lp0), (p1, lp1) = _both(native.viterbi, log_pi, log_A, log_B, lengths, 2)
    np.testing.assert_array_equal(p1, p0)
    np.testing.assert_array_equal(lp1, lp0)
    start = np.concatenate([[0], np.cumsum(lengths)])
    for s in range(len(lengths)):
        lp, path = _hmmc.viterbi(np.exp(log_pi), np.exp(log_A), log_B[start[s] : start[s + 1]])
        np.testing.assert_array_equal(p1[start[s] : start[s + 1]], path)
        assert lp1[s] == pytest.approx(lp, rel=1e-12)


def test_kernels_take_the_lanes_where_they_pay(lane_width):
    """By default every kernel runs in lanes at the widths where they were measured faster
    than one sequence at a time, 8 and 4 (AVX-512, AVX2), not at 2; at any width when the
    lanes are switched on."""
    lengths = np.full(16, 100, dtype=np.int64)
    want = 2 if lane_width >= 4 else 0
    for kind in range(4):  # forward-backward, forward, Viterbi, the fused E-step
        assert native._lane_plan(lengths, 100, 16, kind, 3)[1] == want
    native._set_lanes(True)
    try:
        for kind in range(4):
            assert native._lane_plan(lengths, 100, 16, kind, 3)[1] == 2
    finally:
        native._set_lanes(None)


def test_lane_widths_follow_the_cpu_flags():
    """The widths the lanes can run at are the CPU's (Linux: /proc/cpuinfo's flags): 8 with
    AVX-512, 4 with AVX2 and FMA, 2 always; by default the widest runs, and a width the
    CPU lacks is refused."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next(line for line in f if line.startswith("flags")).split()
    except (OSError, StopIteration):
        pytest.skip("no /proc/cpuinfo flags to compare with")
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("x86-64 flags only")
    want = [8] * ("avx512f" in flags) + [4] * ("avx2" in flags and "fma" in flags) + [2]
    assert native._lane_widths() == want
    for w in (8, 4):
        if w not in want:
            with pytest.raises(ValueError, match=f"width {w}"):
                native._set_lane_width(w)
