"""The cuda engine's CUDA sources, run on the CPU (one thread per block) against references.

These run everywhere (no GPU needed): they check the kernels' index arithmetic,
the chunked HMM scan and the recursions against brute force, SciPy and
scikit-learn.  Races cannot show here; the gpu-marked tests in
tests/engines/test_cuda_engine.py run the same kernels on a device.
"""

import numpy as np
import pytest
import scipy.signal as ss
from kernel_references import kernel_matrix as kernel_matrix_reference
from kernel_references import kernel_matrix_grad as kernel_matrix_grad_reference
from scipy.special import logsumexp, ndtr

from pyjl.engines.contract import GP_KINDS, gp_kind_code
from pyjl.engines.cuda import common as cuda_common
from pyjl.engines.cuda import dsp as cuda_dsp
from pyjl.engines.cuda import emissions as cuda_emissions
from pyjl.engines.cuda import gp as cuda_gp
from pyjl.engines.cuda import hmm as cuda_hmm


# --- HMM: brute-force log-space references ------------------------------------------
def ref_forward_backward(lp, lA, lB, lengths):
    lls, gam, xi, s = [], np.zeros_like(lB), np.zeros_like(lA), 0
    for L in lengths:
        b = lB[s : s + L]
        a = np.zeros((L, len(lp)))
        a[0] = lp + b[0]
        for t in range(1, L):
            a[t] = logsumexp(a[t - 1][:, None] + lA, axis=0) + b[t]
        be = np.zeros_like(a)
        for t in range(L - 2, -1, -1):
            be[t] = logsumexp(lA + b[t + 1] + be[t + 1], axis=1)
        ll = logsumexp(a[-1])
        lls.append(ll)
        gam[s : s + L] = np.exp(a + be - ll)
        for t in range(1, L):
            xi += np.exp(a[t - 1][:, None] + lA + (b[t] + be[t])[None, :] - ll)
        s += L
    return np.array(lls), gam, xi


def ref_viterbi(lp, lA, lB, lengths):
    path, lps, s = np.zeros(len(lB), np.int64), [], 0
    for L in lengths:
        b, bps = lB[s : s + L], []
        d = lp + b[0]
        for t in range(1, L):
            m = d[:, None] + lA
            bps.append(m.argmax(0))
            d = m.max(0) + b[t]
        x = int(d.argmax())
        lps.append(d.max())
        path[s + L - 1] = x
        for t in range(L - 1, 0, -1):
            x = int(bps[t - 1][x])
            path[s + t - 1] = x
        s += L
    return path, np.array(lps)


CHUNKINGS = [
    None,
    dict(direct_max=4, target_chunks=7, min_chunk=1),
    dict(direct_max=10, target_chunks=3, min_chunk=5),
]


@pytest.mark.parametrize("K", [1, 3, 6])
@pytest.mark.parametrize("lengths", [[1], [9], [1, 50, 3, 120, 2], [257]])
@pytest.mark.parametrize("chunking", CHUNKINGS)
def test_hmm_kernels_match_brute_force(emulated, K, lengths, chunking, rng):
    kern = emulated(cuda_hmm)
    lengths = np.array(lengths, np.int64)
    T = int(lengths.sum())
    lp = np.log(rng.dirichlet(np.ones(K)))
    lA = np.log(rng.dirichlet(np.ones(K), size=K))
    lB = rng.normal(size=(T, K)) * 3
    ll, g, xi = cuda_hmm.forward_backward(lp, lA, lB, lengths, xp=np, kern=kern, chunking=chunking)
    rl, rg, rx = ref_forward_backward(lp, lA, lB, lengths)
    np.testing.assert_allclose(ll, rl, rtol=1e-10)
    np.testing.assert_allclose(g, rg, atol=1e-10)
    np.testing.assert_allclose(xi, rx, rtol=1e-9, atol=1e-10)
    path, lpr = cuda_hmm.viterbi(lp, lA, lB, lengths, xp=np, kern=kern, chunking=chunking)
    rp, rlp = ref_viterbi(lp, lA, lB, lengths)
    np.testing.assert_array_equal(path, rp)
    np.testing.assert_allclose(lpr, rlp, rtol=1e-10)


def test_hmm_many_states_use_global_memory_path(emulated, rng):
    """K = 60: the K x K matrices no longer fit in shared memory; no chunking."""
    kern = emulated(cuda_hmm)
    K, lengths = 60, np.array([30, 7, 5000], np.int64)
    lp = np.log(rng.dirichlet(np.ones(K)))
    lA = np.log(rng.dirichlet(np.ones(K), size=K))
    lB = rng.normal(size=(int(lengths.sum()), K))
    assert cuda_hmm.plan(lengths, K)["seq_nc"].tolist() == [1, 1, 1]
    ll, g, xi = cuda_hmm.forward_backward(lp, lA, lB, lengths, xp=np, kern=kern)
    rl, rg, rx = ref_forward_backward(lp, lA, lB, lengths)
    np.testing.assert_allclose(ll, rl, rtol=1e-10)
    np.testing.assert_allclose(g, rg, atol=1e-10)
    np.testing.assert_allclose(xi, rx, rtol=1e-9, atol=1e-10)


def test_hmm_sparse_transitions_keep_impossible_paths_out(emulated, rng):
    kern = emulated(cuda_hmm)
    K, lengths = 4, np.array([300], np.int64)
    A = np.triu(rng.uniform(0.2, 1.0, (K, K)))  # left-to-right: zeros below the diagonal
    A /= A.sum(1, keepdims=True)
    with np.errstate(divide="ignore"):
        lA, lp = np.log(A), np.log(np.array([1.0, 0.0, 0.0, 0.0]))
    lB = rng.normal(size=(300, K))
    chunking = dict(direct_max=8, target_chunks=9, min_chunk=1)
    ll, g, xi = cuda_hmm.forward_backward(lp, lA, lB, lengths, xp=np, kern=kern, chunking=chunking)
    rl, rg, rx = ref_forward_backward(lp, lA, lB, lengths)
    np.testing.assert_allclose(ll, rl, rtol=1e-10)
    np.testing.assert_allclose(g, rg, atol=1e-10)
    assert np.all(
        np.diff(cuda_hmm.viterbi(lp, lA, lB, lengths, xp=np, kern=kern, chunking=chunking)[0]) >= 0
    )


def test_hmm_plan_covers_every_step_once():
    lengths = np.array([5000, 3, 10000, 1], np.int64)
    p = cuda_hmm.plan(lengths, 4, target_chunks=16)
    cover = np.zeros(lengths.sum(), int)
    for s, L in zip(p["cstart"], p["clen"]):
        cover[s : s + L] += 1
    assert (cover == 1).all()
    assert p["seq_nc"].tolist()[1::2] == [1, 1] and p["seq_nc"][0] > 1
    assert set(p["multi"].tolist()) == {0, 2}


def test_emission_kernels_match_scipy(emulated, rng):
    from scipy.stats import norm

    kern = emulated(cuda_emissions)
    X = rng.normal(size=(40, 3)) * 3 + 100.0  # far from the origin: no cancellation
    mean = rng.normal(size=(5, 3)) + 100.0
    var = rng.uniform(0.5, 2.0, (5, 3))
    out = cuda_emissions.gaussian_loglik(X, mean, var, xp=np, kern=kern)
    ref = norm.logpdf(X[:, None, :], mean[None], np.sqrt(var)[None]).sum(-1)
    np.testing.assert_allclose(out, ref, rtol=1e-12)
    W, shift = rng.uniform(size=(40, 5)), X.mean(0)
    N, S1, S2 = cuda_emissions.weighted_moments(X, W, shift, xp=np)
    np.testing.assert_allclose(N, W.sum(0), rtol=1e-13)
    np.testing.assert_allclose(S1, np.einsum("tk,tj->kj", W, X - shift), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(S2, np.einsum("tk,tj->kj", W, (X - shift) ** 2), rtol=1e-12)


# --- GP: scikit-learn kernels and finite differences -----------------------------------
def sk_kernel(kind, ls, extra):
    from sklearn.gaussian_process import kernels as sk

    return {
        "rbf": sk.RBF(ls),
        "matern12": sk.Matern(ls, nu=0.5),
        "matern32": sk.Matern(ls, nu=1.5),
        "matern52": sk.Matern(ls, nu=2.5),
        "rq": sk.RationalQuadratic(ls, alpha=extra[0]) if len(extra) else None,
        "periodic": sk.ExpSineSquared(ls, periodicity=extra[0]) if len(extra) else None,
    }.get(kind)


@pytest.mark.parametrize("kind", [k.name for k in GP_KINDS])
@pytest.mark.parametrize("d,nls", [(1, 1), (3, 1), (3, 3)])
def test_gp_kernels_match_sklearn_and_finite_differences(emulated, kind, d, nls, rng):
    kern = emulated(cuda_gp)
    X, X2 = rng.normal(size=(13, d)), rng.normal(size=(7, d))
    ls = rng.uniform(0.5, 2.0, nls)
    extra = np.full(len(GP_KINDS[gp_kind_code(kind)].extra), 1.7)
    var = 1.3
    K = cuda_gp.kernel_matrix(kind, X, X2, ls, var, extra, xp=np, kern=kern)
    ref = kernel_matrix_reference(kind, X, X2, ls, var, extra)
    np.testing.assert_allclose(K, ref, rtol=1e-12, atol=1e-14)
    sk = sk_kernel(kind, 1.0 if kind != "periodic" else ls[0], extra)
    if sk is not None and kind != "periodic":  # scaled inputs, unit lengthscale: ARD too
        np.testing.assert_allclose(K, var * sk(X / ls, X2 / ls), rtol=1e-12, atol=1e-14)
    elif sk is not None and d == 1:  # sklearn's periodic kernel is the contract's at d == 1
        np.testing.assert_allclose(K, var * sk(X, X2), rtol=1e-12, atol=1e-14)
    K1, G = cuda_gp.kernel_matrix_grad(kind, X, ls, var, extra, xp=np, kern=kern)
    theta = np.log(np.concatenate([ls, [var], extra]))

    def kmat(th):
        return cuda_gp.kernel_matrix(
            kind, X, X, np.exp(th[:nls]), np.exp(th[nls]), np.exp(th[nls + 1 :]), xp=np, kern=kern
        )

    np.testing.assert_allclose(K1, kmat(theta), rtol=1e-14)
    for q in range(len(theta)):
        e = np.zeros_like(theta)
        e[q] = 1e-6
        fd = (kmat(theta + e) - kmat(theta - e)) / 2e-6
        np.testing.assert_allclose(G[q], fd, atol=2e-7 * max(1.0, np.abs(fd).max()))
    W = rng.normal(size=(13, 13))
    W = W + W.T
    g = cuda_gp.kernel_grad_contract(kind, X, ls, var, extra, W, xp=np, kern=kern)
    np.testing.assert_allclose(g, np.einsum("ij,qij->q", W, G), rtol=1e-10, atol=1e-12)


# (n1, n2, d, k): one row tile split into column spans, tiles that do not divide n,
# k above MAX_K (two launches), single points
MATVEC_SHAPES = [(1, 1, 1, 1), (3, 300, 2, 3), (40, 257, 1, 1), (9, 12, 3, cuda_gp.MAX_K + 2)]


@pytest.mark.parametrize("kind", [k.name for k in GP_KINDS])
@pytest.mark.parametrize("ard", [True, False], ids=["ard", "iso"])
@pytest.mark.parametrize("shape", MATVEC_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_matrix_free_kernels_match_closed_forms(emulated, kind, ard, shape, rng):
    kern = emulated(cuda_gp)
    n1, n2, d, k = shape
    X1, X2 = rng.normal(size=(n1, d)), rng.normal(size=(n2, d))
    ls = rng.uniform(0.5, 2.0, d if ard else 1)
    extra = np.full(len(GP_KINDS[gp_kind_code(kind)].extra), 1.7)
    V = rng.normal(size=(n2, k))
    R = cuda_gp.kernel_matvec(kind, X1, X2, ls, 1.3, extra, V, xp=np, kern=kern)
    want = kernel_matrix_reference(kind, X1, X2, ls, 1.3, extra) @ V
    np.testing.assert_allclose(R, want, rtol=1e-11, atol=1e-12 * np.abs(want).max())
    U = rng.normal(size=(n2, k))
    g = cuda_gp.kernel_grad_quad(kind, X2, ls, 1.3, extra, U, V, xp=np, kern=kern)
    dK = kernel_matrix_grad_reference(kind, X2, ls, 1.3, extra)
    want = np.einsum("ac,qab,bc->q", U, dK, V)
    np.testing.assert_allclose(g, want, rtol=1e-10, atol=1e-11 * np.abs(want).max())


def test_matrix_free_tiling_covers_every_column_once():
    for n_rows, n_cols, d, kc in [(1, 1, 1, 1), (10, 5000, 4, 11), (10**5, 10**5, 60, 32)]:
        tc, span, ns = cuda_gp._tiling(n_rows, n_cols, d, kc, 0)
        assert 1 <= tc <= cuda_gp.THREADS and tc * (d + kc) <= 48 * 1024 // 8
        assert span % tc == 0 and (ns - 1) * span < n_cols <= ns * span


def test_expected_improvement_matches_closed_form(emulated, rng):
    kern = emulated(cuda_gp)
    mu, sigma = rng.normal(size=400) * 3, np.abs(rng.normal(size=400)) + 0.1
    sigma[:3] = 0.0
    best, xi = 0.3, 0.01
    z = (best - xi - mu) / np.where(sigma > 0, sigma, 1)
    ref = np.where(
        sigma > 0,
        sigma * (np.exp(-z * z / 2) / np.sqrt(2 * np.pi) + z * ndtr(z)),
        np.maximum(best - xi - mu, 0),
    )
    ei = cuda_gp.expected_improvement(mu, sigma, best, xi, xp=np, kern=kern)
    np.testing.assert_allclose(ei, ref, rtol=1e-9, atol=1e-300)
    # far tail: phi(z) + z Phi(z) ~ phi(z) / z^2 (Mills ratio): finite, no underflow
    lei = cuda_gp.log_expected_improvement(
        np.array([60.0]), np.array([1.0]), 0.0, 0.0, xp=np, kern=kern
    )
    approx = -0.5 * 60.0**2 - 0.5 * np.log(2 * np.pi) - 2 * np.log(60.0)
    assert np.isfinite(lei[0]) and abs(lei[0] - approx) < 1e-3 * abs(approx)


# --- DSP: scipy.signal ------------------------------------------------------------------
def test_sosfilt_and_lfilter_kernels_match_scipy(emulated, rng):
    kern = emulated(cuda_dsp)
    sos = ss.butter(6, 0.1, output="sos")
    x = rng.normal(size=(5, 300))
    zi = rng.normal(size=(5, 3, 2))
    y, zf = cuda_dsp.sosfilt(sos, x, zi, xp=np, kern=kern, path="own")
    yr, zr = ss.sosfilt(sos, x, axis=-1, zi=np.transpose(zi, (1, 0, 2)))
    np.testing.assert_allclose(y, yr, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(zf, np.transpose(zr, (1, 0, 2)), rtol=1e-12, atol=1e-12)
    b, a = ss.butter(4, 0.2)
    b = np.r_[b, 0.1, 0.05]
    zl = rng.normal(size=(5, 6))
    y, zf = cuda_dsp.lfilter(b, a, x, zl, xp=np, kern=kern)
    yr, zr = ss.lfilter(b, a, x, zi=zl)
    np.testing.assert_allclose(y, yr, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(zf, zr, rtol=1e-12, atol=1e-12)
    frames = cuda_dsp.stft_frames(x, np.hanning(16), 5, xp=np)
    assert frames.shape == (5, (300 - 16) // 5 + 1, 16)
    np.testing.assert_array_equal(frames[:, 3], x[:, 15:31] * np.hanning(16))


def test_direct_form_state_mapping_reproduces_scipy(rng):
    """The zi mapping used for cupyx's sosfilt: a direct-form-I run from the mapped
    state equals SciPy's direct-form-II-transposed run from zi (and maps back)."""
    sos = ss.cheby1(5, 1, 0.3, output="sos")  # includes a first-order section
    x = rng.normal(size=(3, 50))
    zi = np.stack([ss.sosfilt_zi(sos) * v for v in (0.5, -1.0, 2.0)])  # reachable states
    z4 = cuda_dsp.df2t_to_df1(sos, zi)
    y, zf4 = x.copy(), np.empty_like(z4)
    for s, q in enumerate(sos):
        xs, out = y.copy(), np.empty_like(y)
        x2, x1, y2, y1 = (z4[s][:, k].copy() for k in range(4))
        for t in range(x.shape[1]):
            v = q[0] * xs[:, t] + q[1] * x1 + q[2] * x2 - q[4] * y1 - q[5] * y2
            x2, x1, y2, y1 = x1, xs[:, t], y1, v
            out[:, t] = v
        zf4[s] = np.stack([x2, x1, y2, y1], axis=1)
        y = out
    yr, zr = ss.sosfilt(sos, x, axis=-1, zi=np.transpose(zi, (1, 0, 2)))
    np.testing.assert_allclose(y, yr, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        cuda_dsp.df1_to_df2t(sos, zf4), np.transpose(zr, (1, 0, 2)), rtol=1e-10, atol=1e-12
    )


# --- the CUDA sources compile with NVRTC (no device needed) -----------------------------
@pytest.mark.parametrize(
    "mod", [cuda_gp, cuda_hmm, cuda_emissions, cuda_dsp], ids=lambda m: m.__name__
)
def test_sources_compile_with_nvrtc(mod):
    try:
        from cupy_backends.cuda.libs import nvrtc

        nvrtc.getVersion()
    except Exception as exc:  # CuPy or its NVRTC library absent
        pytest.skip(f"NVRTC unavailable here ({type(exc).__name__}: {exc})")
    prog = nvrtc.createProgram(cuda_common.program(mod.NAME), "k.cu", [], [])
    try:
        nvrtc.compileProgram(prog, ["-arch=compute_80"])
    except Exception:
        pytest.fail(nvrtc.getProgramLog(prog))
    assert all(name.encode() in nvrtc.getPTX(prog) for name in mod.KERNELS)
