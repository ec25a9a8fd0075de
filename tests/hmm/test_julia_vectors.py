"""The ``julia`` engine's HMM kernels (julia_src/src/hmm.jl) against the same brute-force
references as the native engine; skipped where no Julia runtime is found."""

from __future__ import annotations

import numpy as np
import pytest
from brute import enumerate_hmm, random_problem

import pyjl
from pyjl import engines

pytestmark = pytest.mark.julia


@pytest.fixture(scope="module")
def julia_engine():
    ok, why = pyjl.julia.availability()
    if not ok:
        pytest.skip(f"no Julia runtime: {why}")
    return engines.get("julia")


@pytest.mark.parametrize("K,lengths", [(2, [6]), (3, [4, 1, 5]), (4, [3, 3])])
def test_julia_kernels_match_enumeration(julia_engine, K, lengths):
    rng = np.random.default_rng(K)
    log_pi, log_A, log_B, L = random_problem(rng, K, lengths)
    ll, gamma, xi = julia_engine.forward_backward(log_pi, log_A, log_B, L)
    ref = enumerate_hmm(log_pi, log_A, log_B, L)
    np.testing.assert_allclose(ll, ref[0], rtol=1e-12)
    np.testing.assert_allclose(gamma, ref[1], atol=1e-12)
    np.testing.assert_allclose(xi, ref[2], rtol=1e-10)
    path, lp = julia_engine.viterbi(log_pi, log_A, log_B, L)
    np.testing.assert_array_equal(path, ref[3])
    np.testing.assert_allclose(lp, ref[4], rtol=1e-12)


def test_hmm_fit_is_the_same_on_julia(julia_engine):
    from pyjl.hmm import HMM, Normal

    X = np.random.default_rng(0).normal(size=600) + np.repeat([0.0, 4.0, 0.0], 200)
    ref = HMM(Normal(), 2, n_iter=5, tol=-np.inf, random_state=0).fit(X, [300, 300])
    with pyjl.use_backend("julia"):
        m = HMM(Normal(), 2, n_iter=5, tol=-np.inf, random_state=0).fit(X, [300, 300])
    np.testing.assert_allclose(m.monitor_.history, ref.monitor_.history, rtol=1e-11)


@pytest.mark.parametrize("K,lengths", [(2, [6]), (3, [4, 1, 5])])
def test_julia_log_kernels_match_enumeration(julia_engine, K, lengths):
    rng = np.random.default_rng(K + 10)
    log_pi, log_A, log_B, L = random_problem(rng, K, lengths)
    log_A[K - 1, 0] = -np.inf  # a zero transition: the HMM's log-space route
    ll, gamma, xi = julia_engine.forward_backward_log(log_pi, log_A, log_B, L)
    ref = enumerate_hmm(log_pi, log_A, log_B, L)
    np.testing.assert_allclose(ll, ref[0], rtol=1e-12)
    np.testing.assert_allclose(
        julia_engine.forward_log(log_pi, log_A, log_B, L), ref[0], rtol=1e-12
    )
    np.testing.assert_allclose(gamma, ref[1], atol=1e-12)
    np.testing.assert_allclose(xi, ref[2], rtol=1e-10, atol=1e-14)


def test_a_left_behind_state_on_julia_is_native_s(julia_engine):
    from pyjl.testing import _left_behind

    args = _left_behind()
    native = engines.get("native")
    ll, gamma, xi = julia_engine.forward_backward_log(*args)
    ll0, gamma0, xi0 = native.forward_backward_log(*args)
    np.testing.assert_allclose(ll, ll0, rtol=1e-12)
    np.testing.assert_allclose(gamma, gamma0, atol=1e-10)
    np.testing.assert_allclose(xi, xi0, rtol=1e-9, atol=1e-12)
    assert julia_engine.forward(*args)[0] < ll0[0] - 100  # the scaled pass loses it
