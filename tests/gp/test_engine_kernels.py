"""The GP engine kernels against the conformance vectors and SciPy/mpmath references.

The same vectors (``tests/vectors/gp_*.toml``) drive ``julia_src/test/gp.jl``; the
``engine`` fixture runs them on every engine (julia and cuda skip, with the reason,
where they are unavailable).  The closed-form, tail and thread tests check the
``native`` kernels.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import kernel_references as kr
import mpmath as mp
import numpy as np
import pytest
from scipy.stats import norm

import pyjl.engines as engines
from pyjl.engines.contract import GP_KINDS

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def _load(file, table):
    with open(VECTORS / f"gp_{file}.toml", "rb") as fh:
        return tomllib.load(fh)[table]


KERNELS = _load("kernels", "kernel")
LINALG = _load("linalg", "linalg")
MATVEC = _load("matvec", "matvec")
ACQ = _load("acquisition", "acquisition")[0]


def _mat(case, key, rows, cols):
    return np.ascontiguousarray(np.reshape(case[key], (rows, cols)))


def _args(c):
    X1 = _mat(c, "X1", c["n1"], c["d"])
    return X1, np.asarray(c["lengthscale"], float), c["variance"], np.asarray(c["extra"], float)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize(
    "c", KERNELS, ids=[f"{c['kind']}-d{c['d']}-ls{len(c['lengthscale'])}" for c in KERNELS]
)
def test_kernel_vectors(c):
    e = engines.current()
    X1, ls, var, extra = _args(c)
    X2 = _mat(c, "X2", c["n2"], c["d"])
    n1, p = c["n1"], c["p"]
    np.testing.assert_allclose(
        e.kernel_matrix(c["kind"], X1, X2, ls, var, extra),
        _mat(c, "K12", n1, c["n2"]),
        rtol=1e-11,
        atol=1e-14,
    )
    np.testing.assert_allclose(
        e.kernel_matrix(c["kind"], X1, X1, ls, var, extra),
        _mat(c, "K11", n1, n1),
        rtol=1e-11,
        atol=1e-14,
    )
    K, dK = e.kernel_matrix_grad(c["kind"], X1, ls, var, extra)
    np.testing.assert_allclose(K, _mat(c, "K11", n1, n1), rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(dK, np.reshape(c["dK11"], (p, n1, n1)), rtol=1e-9, atol=1e-12)
    W = _mat(c, "W", n1, n1)
    np.testing.assert_allclose(
        e.kernel_grad_contract(c["kind"], X1, ls, var, extra, W),
        c["contract"],
        rtol=1e-9,
        atol=1e-11,
    )


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("c", LINALG, ids=lambda c: f"n{c['n']}")
def test_linalg_vectors(c):
    e = engines.current()
    n, k = c["n"], c["k"]
    K, B = _mat(c, "K", n, n), _mat(c, "B", n, k)
    L = np.asarray(e.cholesky(K, 0.0))
    np.testing.assert_allclose(L, _mat(c, "L", n, n), rtol=1e-10, atol=1e-12)
    Lc = np.ascontiguousarray(L)
    np.testing.assert_allclose(e.cho_solve(Lc, B), _mat(c, "solve", n, k), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        e.cho_solve(Lc, B[:, 0]), _mat(c, "solve", n, k)[:, 0], rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(e.cho_inverse(Lc), _mat(c, "inverse", n, n), rtol=1e-9, atol=1e-12)
    L2 = np.asarray(e.cholesky(K, 0.5))
    np.testing.assert_allclose(L2 @ L2.T, K + 0.5 * np.eye(n), rtol=1e-12)


@pytest.mark.usefixtures("engine")
def test_cholesky_raises_for_indefinite():
    e = engines.current()
    K = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(np.linalg.LinAlgError):
        e.cholesky(K, 0.0)


@pytest.mark.parametrize("n", [1025, 2600])
def test_blocked_cholesky_is_lapacks(rng, n):
    # past 1,024 points the native factor is blocked (dpotrf per 512-column diagonal
    # block, dtrsm, dgemm): the same factor as LAPACK's in one call, and a matrix that is
    # not positive definite names the leading minor that fails
    from scipy.linalg import cholesky

    e = engines.get("native")
    B = rng.standard_normal((n, 40))
    K = B @ B.T + np.diag(rng.uniform(0.5, 2.0, n))
    L = np.asarray(e.cholesky(K, 0.0))
    np.testing.assert_allclose(L, cholesky(K, lower=True), rtol=0, atol=1e-12 * np.abs(L).max())
    assert not np.triu(L, 1).any()
    K[1800 % n, 1800 % n] = -1.0  # a negative diagonal entry: that leading minor fails
    with pytest.raises(np.linalg.LinAlgError, match=f"leading minor {1800 % n + 1} of {n}"):
        e.cholesky(K, 0.0)


def test_a_large_factor_does_not_crash_openblas():
    # OpenBLAS 0.3.30's threaded dpotrf crashes from n = 15,900 (SkylakeX kernels, two
    # threads), its threaded dsyrk from about 19,000; the native factor avoids both.
    # A subprocess, so that a crash fails this test instead of ending the run.
    import os
    import subprocess
    import sys

    free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if os.path.exists("/proc/meminfo"):  # free plus what the page cache would give back
        with open("/proc/meminfo") as fh:
            kib = [line.split()[1] for line in fh if line.startswith("MemAvailable:")]
        free = int(kib[0]) << 10 if kib else free
    if free < 8 << 30:
        pytest.skip(f"needs 8 GiB of free memory (two 20,000^2 matrices); {free >> 20} MiB free")
    code = (
        "import numpy as np\n"
        "from pyjl._native import gp\n"
        "from pyjl._threads import thread_limit\n"
        "n = 20000\n"
        "rng = np.random.default_rng(0)\n"
        "B = rng.standard_normal((n, 8))\n"
        "K = B @ B.T\n"
        "K[np.diag_indices(n)] += 1.0\n"
        "with thread_limit(2):\n"
        "    L = gp.cholesky(K, 0.0)\n"
        "i = rng.integers(0, n, 200)\n"
        "j = rng.integers(0, n, 200)\n"
        "got = np.einsum('ij,ij->i', L[i], L[j])\n"
        "print(np.max(np.abs(got - K[i, j])))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert float(run.stdout) < 1e-10


@pytest.mark.usefixtures("engine")
def test_acquisition_vectors():
    e = engines.current()
    mu, sigma = np.asarray(ACQ["mu"]), np.asarray(ACQ["sigma"])
    ei = e.expected_improvement(mu, sigma, ACQ["best"], ACQ["xi"])
    np.testing.assert_allclose(ei, ACQ["ei"], rtol=1e-12, atol=1e-300)
    logei = e.log_expected_improvement(mu, sigma, ACQ["best"], ACQ["xi"])
    np.testing.assert_allclose(logei, ACQ["logei"], rtol=1e-10)


def test_ei_equals_scipy_closed_form(rng):
    e = engines.get("native")
    mu = rng.normal(0, 2, 500)
    sigma = rng.uniform(0.01, 3, 500)
    best, xi = 0.3, 0.05
    z = (best - xi - mu) / sigma
    want = (best - xi - mu) * norm.cdf(z) + sigma * norm.pdf(z)
    np.testing.assert_allclose(
        e.expected_improvement(mu, sigma, best, xi), want, rtol=1e-9, atol=1e-15
    )
    ok = want > 1e-200
    np.testing.assert_allclose(
        e.log_expected_improvement(mu, sigma, best, xi)[ok], np.log(want[ok]), rtol=1e-9
    )


@pytest.mark.parametrize(
    "z", [-0.5, -1.0, -1.5, -3.0, -7.0, -20.0, -38.0, -100.0, -1e4, -1e7, -1e9, 2.0, 30.0]
)
def test_log_ei_far_in_the_tail_matches_mpmath(z):
    mp.mp.dps = 80
    got = engines.get("native").log_expected_improvement(
        np.array([-z]), np.array([1.0]), 0.0, 0.0
    )[0]
    zz = mp.mpf(z)
    want = float(mp.log(zz * mp.ncdf(zz) + mp.npdf(zz)))
    assert got == pytest.approx(want, rel=1e-12)


def test_ei_with_zero_sigma_is_the_plain_improvement():
    e = engines.get("native")
    mu, sigma = np.array([-1.0, 1.0]), np.zeros(2)
    np.testing.assert_allclose(e.expected_improvement(mu, sigma, 0.0, 0.0), [1.0, 0.0])
    np.testing.assert_allclose(e.log_expected_improvement(mu, sigma, 0.0, 0.0), [0.0, -np.inf])


def test_threaded_and_serial_kernels_agree(rng):
    X = rng.uniform(size=(700, 4))
    ls = np.array([0.3, 0.5, 0.7, 0.9])
    e = engines.get("native")
    W = np.ascontiguousarray(rng.standard_normal((700, 700)))
    W = W + W.T
    old = engines.get_num_threads()
    try:
        engines.set_num_threads(1)
        K1 = e.kernel_matrix("matern52", X, X, ls, 1.3, np.empty(0))
        g1 = e.kernel_grad_contract("matern52", X, ls, 1.3, np.empty(0), W)
        engines.set_num_threads(2)
        K2 = e.kernel_matrix("matern52", X, X, ls, 1.3, np.empty(0))
        g2 = e.kernel_grad_contract("matern52", X, ls, 1.3, np.empty(0), W)
    finally:
        engines.set_num_threads(old)
    np.testing.assert_array_equal(K1, K2)
    np.testing.assert_allclose(g1, g2, rtol=1e-12)


def test_vectorised_exp_is_within_an_ulp_of_libm():
    from pyjl._native import gp

    xs = -np.concatenate(
        [np.linspace(0, 1, 2001), np.linspace(0, 700, 20001), np.geomspace(1e-300, 1e-1, 500)]
    )
    got = np.array([gp._expn(x) for x in xs])
    np.testing.assert_allclose(got, np.exp(xs), rtol=4e-16, atol=0)
    assert gp._expn(-800.0) == 0.0


# --- matrix-free products: kernel_matvec and kernel_grad_quad ----------------------
KINDS = [(k.name, np.array(k.example_extra, dtype=float)) for k in GP_KINDS]
# (n1, n2, d, k): single points, n1 != n2, row blocks (32) and column tiles (256)
# that do not divide n
SHAPES = [(1, 1, 1, 1), (1, 4, 2, 3), (7, 1, 3, 2), (45, 300, 3, 1), (33, 257, 2, 11)]


def _host(a):
    return a.get() if hasattr(a, "get") and not isinstance(a, np.ndarray) else np.asarray(a)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize(
    "c", MATVEC, ids=[f"{c['kind']}-n{c['n1']}x{c['n2']}-k{c['k']}" for c in MATVEC]
)
def test_matrix_free_vectors(c):
    e = engines.current()
    X1, ls, var, extra = _args(c)
    X2 = _mat(c, "X2", c["n2"], c["d"])
    n1, k = c["n1"], c["k"]
    R = e.kernel_matvec(c["kind"], X1, X2, ls, var, extra, _mat(c, "V", c["n2"], k))
    np.testing.assert_allclose(_host(R), _mat(c, "R", n1, k), rtol=1e-11, atol=1e-13)
    U, W = _mat(c, "U", n1, k), _mat(c, "W", n1, k)
    g = e.kernel_grad_quad(c["kind"], X1, ls, var, extra, U, W)
    np.testing.assert_allclose(_host(g), c["quad"], rtol=1e-9, atol=1e-11)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("ard", [True, False], ids=["ard", "iso"])
@pytest.mark.parametrize("kind,extra", KINDS, ids=[k for k, _ in KINDS])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_kernel_matvec_equals_the_closed_form_times_v(rng, kind, extra, ard, shape):
    n1, n2, d, k = shape
    X1, X2 = rng.uniform(-1, 1, (n1, d)), rng.uniform(-1, 1, (n2, d))
    ls = rng.uniform(0.3, 1.5, d if ard else 1)
    V = rng.standard_normal((n2, k))
    got = _host(engines.current().kernel_matvec(kind, X1, X2, ls, 1.7, extra, V))
    want = kr.kernel_matrix(kind, X1, X2, ls, 1.7, extra) @ V
    assert got.shape == (n1, k)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12 * np.abs(want).max())


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("ard", [True, False], ids=["ard", "iso"])
@pytest.mark.parametrize("kind,extra", KINDS, ids=[k for k, _ in KINDS])
@pytest.mark.parametrize("n,d,k", [(1, 2, 1), (2, 1, 3), (33, 3, 1), (300, 2, 11)])
def test_kernel_matvec_of_one_point_set_equals_the_closed_form(rng, kind, extra, ard, n, d, k):
    # X2 is X1: the symmetric path (each entry of the upper triangle serves both halves)
    X = rng.uniform(-1, 1, (n, d))
    ls = rng.uniform(0.3, 1.5, d if ard else 1)
    V = rng.standard_normal((n, k))
    got = _host(engines.current().kernel_matvec(kind, X, X, ls, 1.7, extra, V))
    want = kr.kernel_matrix(kind, X, X, ls, 1.7, extra) @ V
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12 * np.abs(want).max())


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("ard", [True, False], ids=["ard", "iso"])
@pytest.mark.parametrize("kind,extra", KINDS, ids=[k for k, _ in KINDS])
@pytest.mark.parametrize("n,d,k", [(1, 2, 1), (2, 1, 3), (45, 3, 1), (290, 2, 11)])
def test_kernel_grad_quad_equals_the_complex_step_trace(rng, kind, extra, ard, n, d, k):
    X = rng.uniform(-1, 1, (n, d))
    ls = rng.uniform(0.3, 1.5, d if ard else 1)
    U, V = rng.standard_normal((n, k)), rng.standard_normal((n, k))
    e = engines.current()
    got = _host(e.kernel_grad_quad(kind, X, ls, 1.7, extra, U, V))
    dK = kr.kernel_matrix_grad(kind, X, ls, 1.7, extra)
    want = np.einsum("ac,qab,bc->q", U, dK, V)
    assert got.shape == (len(ls) + 1 + len(extra),)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-11 * np.abs(want).max())
    # the same trace through the engine's dense gradient, and U = V (the y-solve term)
    _, dKe = e.kernel_matrix_grad(kind, X, ls, 1.7, extra)
    np.testing.assert_allclose(
        got, np.einsum("ac,qab,bc->q", U, _host(dKe), V), rtol=1e-10, atol=1e-11 * abs(want).max()
    )
    same = _host(e.kernel_grad_quad(kind, X, ls, 1.7, extra, U, U))
    want_uu = np.einsum("ac,qab,bc->q", U, dK, U)
    np.testing.assert_allclose(same, want_uu, rtol=1e-10, atol=1e-11 * np.abs(want_uu).max())


def test_matrix_free_products_and_the_thread_count(rng):
    X, X2 = rng.uniform(size=(700, 4)), rng.uniform(size=(500, 4))
    ls = np.array([0.3, 0.5, 0.7, 0.9])
    V, V2 = rng.standard_normal((700, 3)), rng.standard_normal((500, 3))
    e = engines.get("native")
    old = engines.get_num_threads()
    out = {}
    try:
        for nt in (1, 2, 2):
            engines.set_num_threads(nt)
            out.setdefault(nt, []).append(
                (
                    e.kernel_matvec("matern52", X, X2, ls, 1.3, np.empty(0), V2),
                    e.kernel_grad_quad("rq", X, ls, 1.3, np.array([0.8]), V, V[::-1].copy()),
                    e.kernel_matvec("matern52", X, X, ls, 1.3, np.empty(0), V),
                )
            )
    finally:
        engines.set_num_threads(old)
    (cross1, quad1, sym1), (cross2, quad2, sym2), again = out[1][0], out[2][0], out[2][1]
    # rows and partial sums owned by one task: the same bits for any number of threads
    np.testing.assert_array_equal(cross1, cross2)
    np.testing.assert_array_equal(quad1, quad2)
    # X2 is X1: per-thread halves, reproducible for a given number of threads
    np.testing.assert_allclose(sym1, sym2, rtol=1e-13, atol=1e-13 * np.abs(sym1).max())
    for a, b in zip(out[2][0], again):
        np.testing.assert_array_equal(a, b)


def _bad_shapes(rng):
    X, X2, ls, e = rng.uniform(0, 1, (6, 2)), rng.uniform(0, 1, (4, 2)), np.ones(1), np.empty(0)
    return {
        "V rows": (lambda k: k.kernel_matvec("rbf", X, X2, ls, 1.0, e, np.ones((5, 2))), "V must"),
        "X2 columns": (
            lambda k: k.kernel_matvec("rbf", X, X2[:, :1], ls, 1.0, e, np.ones((4, 1))),
            "X2 must",
        ),
        "U rows": (
            lambda k: k.kernel_grad_quad("rbf", X, ls, 1.0, e, np.ones((5, 2)), np.ones((6, 2))),
            "U must",
        ),
        "V rows of grad_quad": (
            lambda k: k.kernel_grad_quad("rbf", X, ls, 1.0, e, np.ones((6, 2)), np.ones((7, 2))),
            "V must",
        ),
        "W": (lambda k: k.kernel_grad_contract("rbf", X, ls, 1.0, e, np.ones((6, 5))), "W must"),
        "lengthscale": (
            lambda k: k.kernel_matrix("rbf", X, X2, np.ones(3), 1.0, e),
            "lengthscale must",
        ),
        "matrix columns": (lambda k: k.kernel_matrix("rbf", X, X2[:, :1], ls, 1.0, e), "X2 must"),
        "period": (lambda k: k.kernel_matrix("periodic", X, X2, ls, 1.0, e), "period"),
    }


class _CudaAdapter:
    """The cuda engine's GP functions on NumPy: the shape checks run before any kernel
    (none is launched here)."""

    def __getattr__(self, name):
        from functools import partial

        from pyjl.engines.cuda import gp as cuda_gp

        return partial(getattr(cuda_gp, name), xp=np, kern="no kernel is launched")


@pytest.mark.parametrize("adapter", ["native", "cuda"])
@pytest.mark.parametrize("case", list(_bad_shapes(np.random.default_rng(0))))
def test_the_engines_refuse_shapes_their_loops_would_read_past(rng, case, adapter):
    # the compiled loops index by these shapes: a V with more rows than X2 has points
    # read past X2 (NaN or plausible numbers), a missing period divided by zero
    from pyjl.engines.native import NativeEngine

    call, message = _bad_shapes(rng)[case]
    with pytest.raises(ValueError, match=message):
        call(NativeEngine() if adapter == "native" else _CudaAdapter())


def test_kernel_matvec_refuses_a_transposed_v(rng):
    from pyjl.exceptions import InputError
    from pyjl.gp import Matern32

    X, X2 = rng.uniform(0, 1, (6, 2)), rng.uniform(0, 1, (4, 2))
    with pytest.raises(InputError, match=r"`V` must be \(4,\) or \(4, k\)"):
        Matern32(0.3).matvec(X, X2, np.ones((2, 4)))  # 8 values: reshaped before
    np.testing.assert_allclose(
        Matern32(0.3).matvec(X, X2, np.ones(4))[:, 0], Matern32(0.3)(X, X2).sum(1), rtol=1e-12
    )
