"""Brute-force HMM references: enumerate every state path (tiny problems only).

Independent of the kernels under test: plain Python over ``itertools.product``.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.special import logsumexp


def enumerate_hmm(log_pi, log_A, log_B, lengths):
    """``(loglik (n_seq,), gamma (T, K), xi_sum (K, K), path (T,), logprob (n_seq,))``."""
    T, K = log_B.shape
    gamma = np.zeros((T, K))
    xi = np.zeros((K, K))
    path = np.zeros(T, dtype=np.int64)
    lls, lps = [], []
    start = 0
    for n in lengths:
        B = log_B[start : start + n]
        paths = list(itertools.product(range(K), repeat=n))
        lp = np.array(
            [
                log_pi[p[0]]
                + B[0, p[0]]
                + sum(log_A[p[t - 1], p[t]] + B[t, p[t]] for t in range(1, n))
                for p in paths
            ]
        )
        ll = logsumexp(lp)
        w = np.exp(lp - ll)
        for p, wi in zip(paths, w):
            for t in range(n):
                gamma[start + t, p[t]] += wi
            for t in range(1, n):
                xi[p[t - 1], p[t]] += wi
        best = int(np.argmax(lp))
        path[start : start + n] = paths[best]
        lls.append(ll)
        lps.append(lp[best])
        start += n
    return np.array(lls), gamma, xi, path, np.array(lps)


def random_problem(rng, K, lengths, spread=2.0):
    T = int(np.sum(lengths))
    log_pi = np.log(rng.dirichlet(np.ones(K)))
    log_A = np.log(rng.dirichlet(np.ones(K), size=K))
    log_B = rng.normal(size=(T, K)) * spread - 3.0
    return log_pi, log_A, log_B, np.asarray(lengths, dtype=np.int64)
