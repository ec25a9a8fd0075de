"""The last, partial block of emission factors in the fused Gaussian lane kernels: when
every lane of a block of eight ends in it (equal lengths), its factors are computed in
the lanes; when some lane has a factor below e^-708 there, or a row impossible in every
state, lane by lane.  Either way the results are the one-sequence-at-a-time kernels'
(``_set_lanes(False)``): log-likelihoods and Viterbi paths bit for bit, the E-step's
sums to 1e-12 relative; at every lane width the CPU runs (a block of eight is groups of
the width's lanes)."""

from __future__ import annotations

import numpy as np
import pytest

native = pytest.importorskip("pyjl._native.hmm", reason="the native HMM kernels are not built")
pytestmark = pytest.mark.usefixtures("lane_width")  # every width the CPU runs

from test_lanes import _both  # noqa: E402  (lanes off, then on, for one kernel call)


@pytest.mark.parametrize("row", [None, 400.0, 1e160], ids=["plain", "far", "impossible"])
@pytest.mark.parametrize("K", [2, 4, 16])
@pytest.mark.parametrize("length", [70, 131])  # the last block holds 6 and 3 steps
def test_partial_last_block_in_lanes_equals_scalar(rng, length, K, row):
    lengths = np.full(17, length, dtype=np.int64)  # two blocks of eight and one alone
    T, d = int(lengths.sum()), 3
    X = rng.normal(size=(T, d)) * 2
    if row is not None:  # in the last block of the fourth sequence
        X[3 * length + length - 2] = row
    pi = rng.dirichlet(np.ones(K))
    A = rng.dirichlet(np.ones(K), size=K) + np.eye(K)
    log_pi, log_A = np.log(pi), np.log(A / A.sum(1, keepdims=True))
    mean, var = rng.normal(size=(K, d)) * 3, rng.uniform(0.3, 2.0, size=(K, d))
    for threads in (1, 2):
        fwd = _both(native.gaussian_forward, log_pi, log_A, X, mean, var, lengths, threads)
        (f0,), (f1,) = fwd
        np.testing.assert_array_equal(f1, f0)
        assert np.isneginf(f0[3]) == (row == 1e160)
        (p0, q0), (p1, q1) = _both(
            native.gaussian_viterbi, log_pi, log_A, X, mean, var, lengths, threads
        )
        np.testing.assert_array_equal(p1, p0)
        np.testing.assert_array_equal(q1, q0)
        if row == 1e160:
            continue  # posteriors are undefined for a sequence of probability zero
        want, got = _both(
            native.gaussian_estep, log_pi, log_A, X, mean, var, X.mean(0), lengths, threads
        )
        np.testing.assert_array_equal(got[0], want[0])
        for g, w in zip(got[1:], want[1:], strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12 * np.abs(w).sum())
