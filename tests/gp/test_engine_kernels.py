"""The GP engine kernels against the conformance vectors and SciPy/mpmath references.

The same vectors (``tests/vectors/gp_*.toml``) drive ``julia_src/test/gp.jl``; the
``engine`` fixture runs them on every engine (julia and cuda skip, with the reason,
where they are unavailable).  The closed-form, tail and thread tests check the
``native`` kernels.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from scipy.stats import norm

import pyjl.engines as engines

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def _load(file, table):
    with open(VECTORS / f"gp_{file}.toml", "rb") as fh:
        return tomllib.load(fh)[table]


KERNELS = _load("kernels", "kernel")
LINALG = _load("linalg", "linalg")
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
