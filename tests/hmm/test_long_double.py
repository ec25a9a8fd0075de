"""EM on one long sequence against a log-space recursion in 80-bit long double.

hmmlearn's log-space recursions keep logarithms of the size of the log-likelihood, whose
rounding grows with it: on sequences of 20,000 to 65,000 steps with outliers, its EM
transition matrices were 2e-8 to 2e-7 off the 80-bit values where pyjl's were within
4e-11 (a differential fuzz, 2026-12-07). This pins pyjl's side against an independent
reference written out here, on both routes: the log-space kernels (a left-right chain)
and the scaled ones (every transition possible)."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.hmm import HMM, Normal

pytestmark = pytest.mark.skipif(
    np.finfo(np.longdouble).eps > 1e-18, reason="np.longdouble is not 80-bit on this platform"
)

LD = np.longdouble
MEANS = np.array([0.0, 3.0, 6.0])
CHAINS = {
    "left-right": np.array([[0.999, 0.001, 0.0], [0.0, 0.999, 0.001], [0.0, 0.0, 1.0]]),
    "ergodic": np.array([[0.998, 0.001, 0.001], [0.001, 0.998, 0.001], [0.001, 0.001, 0.998]]),
}


def _lse(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return (m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))).squeeze(axis)


def _em_long_double(log_b, pi, A, n_iter):
    """Start and transition probabilities after ``n_iter`` EM steps (``params="st"``),
    by plain log-space forward and backward recursions in long double."""
    log_b, P, T = log_b.astype(LD), pi.astype(LD), A.astype(LD)
    n = len(log_b)
    for _ in range(n_iter):
        with np.errstate(divide="ignore"):
            lA, lpi = np.log(T), np.log(P)
        fa, fb = np.empty_like(log_b), np.empty_like(log_b)
        fa[0] = lpi + log_b[0]
        for t in range(1, n):
            fa[t] = _lse(fa[t - 1][:, None] + lA, 0) + log_b[t]
        fb[-1] = 0
        for t in range(n - 2, -1, -1):
            fb[t] = _lse(lA + (log_b[t + 1] + fb[t + 1])[None, :], 1)
        ll = _lse(fa[-1], 0)
        xi = np.exp(fa[:-1, :, None] + lA[None] + (log_b[1:] + fb[1:])[:, None, :] - ll)
        T = xi.sum(0) / xi.sum((0, 2))[:, None]
        P = np.exp(fa[0] + fb[0] - ll)
        P /= P.sum()
    return P.astype(float), T.astype(float)


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_em_on_30000_steps_with_outliers_is_the_80_bit_one(chain):
    rng = np.random.default_rng(3)
    A, n = CHAINS[chain], 30_000
    pi = np.array([1.0, 0.0, 0.0])
    x = MEANS[np.minimum(np.arange(n) * 3 // n, 2)] + rng.normal(size=n)
    spikes = rng.choice(n, 30, replace=False)
    x[spikes] += rng.choice([-1, 1], 30) * rng.uniform(40, 60, 30)  # 800-1,800 nats off
    log_b = -0.5 * (x[:, None] - MEANS) ** 2 - 0.5 * np.log(2 * np.pi)
    pi_ref, A_ref = _em_long_double(log_b, pi, A, 2)
    m = HMM(Normal(MEANS, np.ones(3)), 3, init="given", startprob=pi, transmat=A)
    m.set_params(params="st", n_iter=2, tol=-np.inf).fit(x)
    np.testing.assert_allclose(m.transmat_, A_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.startprob_, pi_ref, rtol=0, atol=1e-12)
