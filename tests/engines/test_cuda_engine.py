"""The cuda engine: availability and array rule (always), every kernel against native (gpu).

Tests marked ``gpu`` skip, printing the engine's reason, where CuPy or a CUDA
device is missing (tests/conftest.py).  Tolerances: float64 kernels 1e-9
relative, HMM log-likelihoods 1e-8 relative.
"""

import inspect
import sys

import numpy as np
import pytest
import scipy.signal as ss

import pyjl
import pyjl.engines as engines
from pyjl.engines import contract, cuda
from pyjl.engines.contract import GP_KINDS
from pyjl.exceptions import EngineUnavailableError


# --- always: importable without CuPy, availability says why, the array rule -------------
def test_engine_implements_the_whole_contract():
    for family, names in contract.KERNELS.items():
        for name in names:
            method = getattr(cuda.CudaEngine, name)
            assert "NotImplementedError" not in inspect.getsource(method), (family, name)


def test_availability_gives_a_reason_and_set_backend_refuses_with_it():
    ok, reason = cuda.CudaEngine().availability()
    assert isinstance(reason, str) and reason
    if not ok:
        assert any(word in reason for word in ("CuPy", "CUDA", "device"))
        with pytest.raises(EngineUnavailableError, match="cuda"):
            pyjl.set_backend("cuda")


def test_without_cupy_the_engine_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy now raises ImportError
    ok, reason = cuda.CudaEngine().availability()
    assert not ok and "CuPy is not installed" in reason and "pip install cupy-cuda" in reason
    import pyjl.engines.cuda.gp  # noqa: F401  the kernel modules import without CuPy too
    import pyjl.engines.cuda.hmm  # noqa: F401


def test_array_rule_on_host_inputs():
    assert not cuda.is_device_array(np.zeros(3))
    assert not cuda.is_device_array(None)
    assert not cuda.returns_device(np.zeros(2), [1.0, 2.0], 3.0)


def test_dlpack_device_type_decides_the_rule():
    class Cpu:  # a host array that speaks DLPack (device type 1: kDLCPU)
        def __dlpack_device__(self):
            return (1, 0)

    class Gpu:  # device type 2: kDLCUDA
        def __dlpack_device__(self):
            return (2, 0)

    assert not cuda.is_device_array(Cpu())
    assert cuda.is_device_array(Gpu())
    assert cuda.returns_device(np.zeros(1), Gpu())


def test_bad_sosfilt_path_variable_is_refused_quoting_it(monkeypatch):
    from pyjl.engines.cuda import dsp as cuda_dsp
    from pyjl.exceptions import InputError

    monkeypatch.setenv("PYJL_CUDA_SOSFILT", "gpu")
    with pytest.raises(
        InputError,
        match=r"`PYJL_CUDA_SOSFILT` must be 'auto', 'own' or "
        r"'cupyx'; got PYJL_CUDA_SOSFILT='gpu' \(from the env",
    ):
        cuda_dsp._sosfilt_path(2, 100)
    monkeypatch.setenv("PYJL_CUDA_SOSFILT", " Own ")
    assert cuda_dsp._sosfilt_path(2, 100) == "own"


# --- gpu: every kernel against the native engine --------------------------------------
@pytest.fixture(scope="module")
def eng():
    return engines.get("cuda")


@pytest.fixture(scope="module")
def nat():
    return engines.get("native")


def close(a, b, rtol=1e-9, atol=0.0):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


@pytest.mark.gpu
def test_device_is_reported(eng):
    ok, reason = eng.availability()
    print(f"cuda engine: {reason}")
    assert ok and "device 0" in reason


@pytest.mark.gpu
def test_array_rule_numpy_cupy_torch(eng, rng):
    import cupy as cp

    mu, sd = rng.normal(size=50), rng.uniform(0.1, 1, 50)
    assert isinstance(eng.expected_improvement(mu, sd, 0.0, 0.0), np.ndarray)
    out = eng.expected_improvement(cp.asarray(mu), sd, 0.0, 0.0)
    assert isinstance(out, cp.ndarray)
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA here")
    t = torch.as_tensor(mu, device="cuda")
    io = cuda.engine._IO(t)
    assert io(t).data.ptr == t.data_ptr()  # DLPack: no copy
    close(
        eng.expected_improvement(t, sd, 0.0, 0.0).get(), eng.expected_improvement(mu, sd, 0.0, 0.0)
    )


@pytest.mark.gpu
@pytest.mark.parametrize("kind", [k.name for k in GP_KINDS])
@pytest.mark.parametrize("nls", [1, 3])
def test_gp_kernels(eng, nat, kind, nls, rng):
    X, X2 = rng.normal(size=(60, 3)), rng.normal(size=(40, 3))
    ls = rng.uniform(0.5, 2.0, nls)
    extra = np.full(len(GP_KINDS[contract.gp_kind_code(kind)].extra), 1.6)
    close(
        eng.kernel_matrix(kind, X, X2, ls, 1.7, extra),
        nat.kernel_matrix(kind, X, X2, ls, 1.7, extra),
        atol=1e-300,
    )
    K, G = eng.kernel_matrix_grad(kind, X, ls, 1.7, extra)
    Kn, Gn = nat.kernel_matrix_grad(kind, X, ls, 1.7, extra)
    close(K, Kn)
    close(G, Gn, atol=1e-12 * np.abs(Gn).max())
    W = rng.normal(size=(60, 60))
    W = W + W.T
    gn = nat.kernel_grad_contract(kind, X, ls, 1.7, extra, W)
    close(
        eng.kernel_grad_contract(kind, X, ls, 1.7, extra, W), gn, atol=1e-9 * np.abs(W).sum() * 1.7
    )


@pytest.mark.gpu
def test_gp_linear_algebra(eng, nat, rng):
    X = rng.normal(size=(300, 2))
    K = nat.kernel_matrix("matern52", X, X, np.array([0.7, 1.2]), 1.0, np.zeros(0))
    L, Ln = eng.cholesky(K, 1e-2), nat.cholesky(K, 1e-2)  # condition number ~1e4
    close(L, Ln, atol=1e-12)
    B = rng.normal(size=(300, 4))
    close(eng.cho_solve(Ln, B), nat.cho_solve(Ln, B), rtol=1e-8, atol=1e-10)
    close(eng.cho_solve(Ln, B[:, 0]), nat.cho_solve(Ln, B[:, 0]), rtol=1e-8, atol=1e-10)
    close(eng.cho_inverse(Ln), nat.cho_inverse(Ln), rtol=1e-8, atol=1e-9)
    with pytest.raises(np.linalg.LinAlgError):
        eng.cholesky(-np.eye(5), 0.0)


@pytest.mark.gpu
def test_expected_improvement(eng, nat, rng):
    mu, sd = rng.normal(size=500) * 2, rng.uniform(0.05, 2.0, 500)
    sd[:4] = 0.0
    close(
        eng.expected_improvement(mu, sd, 0.1, 0.01),
        nat.expected_improvement(mu, sd, 0.1, 0.01),
        atol=1e-14,
    )
    mu[4:10] = 40.0  # far tail
    close(
        eng.log_expected_improvement(mu, sd, 0.1, 0.01),
        nat.log_expected_improvement(mu, sd, 0.1, 0.01),
    )


def hmm_case(rng, K, lengths, scale=2.0):
    T = int(np.sum(lengths))
    lp = np.log(rng.dirichlet(np.ones(K)))
    lA = np.log(rng.dirichlet(np.ones(K) * 0.5, size=K))
    lB = rng.normal(size=(T, K)) * scale
    return lp, lA, lB, np.asarray(lengths, dtype=np.int64)


@pytest.mark.gpu
@pytest.mark.parametrize(
    "K,lengths",
    [
        (1, [5, 7]),
        (4, [200] * 50),  # batched, one block per sequence
        (16, [300000, 17, 5000]),  # chunked scan for the long ones
        (40, [3000, 11]),  # K above the chunked limit: direct path
    ],
)
def test_hmm_kernels(eng, nat, K, lengths, rng):
    lp, lA, lB, L = hmm_case(rng, K, lengths)
    ll, g, xi = eng.forward_backward(lp, lA, lB, L)
    lln, gn, xin = nat.forward_backward(lp, lA, lB, L)
    close(ll, lln, rtol=1e-8)
    close(g, gn, rtol=0, atol=1e-9)
    close(xi, xin, rtol=1e-8, atol=1e-9)
    path, lpr = eng.viterbi(lp, lA, lB, L)
    pn, lprn = nat.viterbi(lp, lA, lB, L)
    assert path.dtype == np.int64
    np.testing.assert_array_equal(path, pn)
    close(lpr, lprn, rtol=1e-9)


@pytest.mark.gpu
def test_hmm_emission_kernels(eng, nat, rng):
    X = rng.normal(size=(5000, 3)) * 2 + 50.0
    mean, var = rng.normal(size=(6, 3)) + 50.0, rng.uniform(0.5, 3.0, (6, 3))
    close(eng.gaussian_loglik(X, mean, var), nat.gaussian_loglik(X, mean, var), rtol=1e-12)
    W, shift = rng.dirichlet(np.ones(6), size=5000), X.mean(0)
    for got, want in zip(eng.weighted_moments(X, W, shift), nat.weighted_moments(X, W, shift)):
        close(got, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())
    lp, lA, _, L = hmm_case(rng, 6, [3000, 1, 1999])
    for got, want in zip(
        eng.gaussian_estep(lp, lA, X, mean, var, shift, L),
        nat.gaussian_estep(lp, lA, X, mean, var, shift, L),
    ):
        close(got, want, rtol=1e-8, atol=1e-9 * np.abs(want).max())
    close(
        eng.gaussian_forward(lp, lA, X, mean, var, L),
        nat.gaussian_forward(lp, lA, X, mean, var, L),
        rtol=1e-9,
    )
    path, lpr = eng.gaussian_viterbi(lp, lA, X, mean, var, L)
    pn, lprn = nat.gaussian_viterbi(lp, lA, X, mean, var, L)
    assert path.dtype == np.int64
    np.testing.assert_array_equal(path, pn)
    close(lpr, lprn, rtol=1e-9)


@pytest.mark.gpu
@pytest.mark.parametrize("path", ["own", "cupyx"])
@pytest.mark.parametrize("with_zi", [False, True])
def test_sosfilt(eng, nat, monkeypatch, path, with_zi, rng):
    monkeypatch.setenv("PYJL_CUDA_SOSFILT", path)
    sos = ss.butter(8, 0.05, output="sos")
    x = rng.normal(size=(6, 20000))
    zi = rng.normal(size=(6, 4, 2)) if with_zi else None
    y, zf = eng.sosfilt(sos, x, zi)
    yn, zfn = nat.sosfilt(sos, x, zi)
    scale = np.abs(yn).max()
    close(y, yn, rtol=1e-9, atol=1e-9 * scale)
    close(zf, zfn, rtol=1e-9, atol=1e-9 * scale)


@pytest.mark.gpu
def test_other_dsp_kernels(eng, nat, rng):
    x = rng.normal(size=(4, 5001))
    b, a = ss.cheby1(5, 1, 0.2)
    zi = rng.normal(size=(4, 5))
    for got, want in zip(eng.lfilter(b, a, x, zi), nat.lfilter(b, a, x, zi)):
        close(got, want, rtol=1e-9, atol=1e-12)
    h = ss.firwin(63, 0.3)
    close(eng.upfirdn(h, x, 3, 2), nat.upfirdn(h, x, 3, 2), rtol=1e-9, atol=1e-12)
    close(eng.fftfilt(h, x), nat.fftfilt(h, x), rtol=0, atol=1e-11)
    for detrend in (0, 1, 2):
        close(
            eng.stft_frames(x, np.hanning(256), 100, detrend),
            nat.stft_frames(x, np.hanning(256), 100, detrend),
            rtol=1e-9,
            atol=1e-12,
        )


@pytest.mark.gpu
def test_families_run_unchanged_on_cuda(nat, rng):
    """The NumPy-based families give the native engine's answers under use_backend("cuda")."""
    hmm = pytest.importorskip("pyjl.hmm")
    X = np.concatenate([rng.normal(0, 1, 300), rng.normal(5, 1, 300)])
    m = hmm.HMM(emission=hmm.Normal(), n_states=2, n_iter=5, random_state=0).fit(X)
    with pyjl.use_backend("cuda"):
        s_gpu, p_gpu = m.score(X), m.predict(X)
    close(s_gpu, m.score(X), rtol=1e-8)
    np.testing.assert_array_equal(p_gpu, m.predict(X))
