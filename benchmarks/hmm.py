"""Hidden Markov models, pyjl vs hmmlearn, side by side in one run.

Same model on both sides: diagonal-covariance Gaussian emissions, ``K`` = 4 and 16
states, ``d`` = 3 features, started from identical parameters (hmmlearn with
``init_params=""`` and ``covars_prior=0``, so both run the same maximum-likelihood
Baum-Welch).  Data: one sequence of 100,000 steps, and 100 sequences of 1,000.
Timed: 10 EM iterations (``tol=-inf``), ``score`` and Viterbi ``predict``.  hmmlearn
runs in its fastest setting (``implementation="scaling"``) and its default
(``"log"``), its BLAS limited to one thread; pyjl with 1 and 2 threads.  ``ratio``
is hmmlearn's time over pyjl's (> 1: pyjl is faster); peak memory is the tracemalloc
peak of the EM run (NumPy buffers included).  The note checks that both reached the
same log-likelihood.

``python -m benchmarks.hmm [--quick]`` prints the rows.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
import warnings

import numpy as np

D = 3
N_ITER = 10


def _problem(K, lengths, rng):
    T = int(np.sum(lengths))
    means = rng.normal(size=(K, D)) * 3
    z = rng.integers(0, K, size=T // 50 + 1).repeat(50)[:T]
    X = means[z] + rng.normal(size=(T, D))
    start = dict(pi=np.full(K, 1.0 / K),
                 A=np.full((K, K), 0.2 / (K - 1)) + np.eye(K) * (0.8 - 0.2 / (K - 1)),
                 mu=means + rng.normal(size=(K, D)) * 0.5, var=np.ones((K, D)))
    return X, start


def _ours(K, s, n_iter):
    from pyjl.hmm import HMM, MvNormal
    return HMM(MvNormal(s["mu"].copy(), s["var"].copy(), covariance_type="diag"), K,
               n_iter=n_iter, tol=-np.inf, init="given", startprob=s["pi"], transmat=s["A"])


def _peer(K, s, n_iter, impl):
    from hmmlearn.hmm import GaussianHMM
    m = GaussianHMM(K, "diag", n_iter=n_iter, tol=-np.inf, init_params="", covars_prior=0.0,
                    implementation=impl)
    m.startprob_, m.transmat_, m.means_, m.covars_ = s["pi"], s["A"], s["mu"].copy(), \
        s["var"].copy()
    return m


def _best(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _peak(fn):
    """tracemalloc peak of ``fn()``; pyjl's per-thread kernel scratch buffers are dropped
    first so that they are counted (they are reused between calls)."""
    import pyjl._native.hmm as kernels
    vars(kernels._scratch_local).clear()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(quick: bool = False) -> list[dict]:
    """Rows of the README table (BLAS limited to one thread on both sides, so that
    hmmlearn runs on one core as in its published per-element cost)."""
    import contextlib
    import logging
    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(1)
    except ImportError:          # threadpoolctl comes with scikit-learn
        limits = contextlib.nullcontext()
    logging.getLogger("hmmlearn").setLevel(logging.ERROR)
    with limits:
        return _run(quick)


def _run(quick):
    import pyjl
    rng = np.random.default_rng(0)
    repeat = 2 if quick else 5
    rows = []
    threads0 = pyjl.get_num_threads()
    for K in (4, 16):
        for label, lengths in (("1 x 100,000", [100_000]), ("100 x 1,000", [1000] * 100)):
            X, s = _problem(K, lengths, rng)
            size = f"K={K}, d={D}, {label}"
            t_ours, ll_ours = {}, {}
            for n in (1, 2):
                pyjl.set_num_threads(n)
                t, m = _best(lambda: _ours(K, s, N_ITER).fit(X, lengths), repeat)
                t_ours[n], ll_ours[n] = t, m.monitor_.history[-1]
            pyjl.set_num_threads(1)
            mem_ours = _peak(lambda: _ours(K, s, N_ITER).fit(X, lengths))
            fitted = _ours(K, s, N_ITER).fit(X, lengths)
            t_score, _ = _best(lambda: fitted.score(X, lengths), repeat)
            t_vit, _ = _best(lambda: fitted.predict(X, lengths), repeat)
            for impl in ("scaling", "log"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t_peer, peer = _best(lambda: _peer(K, s, N_ITER, impl).fit(X, lengths),
                                         repeat)
                    mem_peer = _peak(lambda: _peer(K, s, N_ITER, impl).fit(X, lengths))
                same = abs(peer.monitor_.history[-1] - ll_ours[1]) <= 1e-6 * abs(ll_ours[1])
                note = (f"same log-lik: {same}; peak MB pyjl {mem_ours / 1e6:.1f} vs "
                        f"{mem_peer / 1e6:.1f}")
                for n in (1, 2):
                    rows.append(dict(benchmark=f"EM x{N_ITER}, {n} thread{'s' * (n > 1)}",
                                     size=size, pyjl_s=t_ours[n], peer=f"hmmlearn {impl}",
                                     peer_s=t_peer, ratio=t_peer / t_ours[n], note=note))
                peer.implementation = impl
                t_ps, _ = _best(lambda: peer.score(X, lengths), repeat)
                t_pv, _ = _best(lambda: peer.predict(X, lengths), repeat)
                rows.append(dict(benchmark="score", size=size, pyjl_s=t_score,
                                 peer=f"hmmlearn {impl}", peer_s=t_ps, ratio=t_ps / t_score,
                                 note=""))
                rows.append(dict(benchmark="Viterbi", size=size, pyjl_s=t_vit,
                                 peer=f"hmmlearn {impl}", peer_s=t_pv, ratio=t_pv / t_vit,
                                 note=""))
    pyjl.set_num_threads(threads0)
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import table
    print(table(run(quick="--quick" in sys.argv)))
