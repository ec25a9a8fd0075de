"""Hidden Markov models, pyjl vs hmmlearn, side by side in one run.

Same model on both sides: diagonal-covariance Gaussian emissions, ``K`` = 4 and 16
states, ``d`` = 3 features, started from identical parameters (hmmlearn with
``init_params=""`` and ``covars_prior=0``, so both run the same maximum-likelihood
Baum-Welch).  Data: one sequence of 100,000 steps, 100 sequences of 1,000 (run eight at a
time in SIMD lanes) and, for K = 4, 100 sequences of 500 to 1,500 steps.
A left-right model (each state stays or moves to the next: zero transition
probabilities, which pyjl runs on its log-space kernels) on 100 sequences of 1,000 steps
that pass through its four states in order shows the cost of that route.
Timed: 10 EM iterations (``tol=-inf``), ``score`` and Viterbi ``predict``.  hmmlearn
runs in its fastest setting (``implementation="scaling"``) and its default
(``"log"``), its BLAS limited to one thread; pyjl with 1 and 2 threads.  ``ratio``
is hmmlearn's time over pyjl's (> 1: pyjl is faster), from the median wall-clock time of
runs interleaved with hmmlearn's (so a busy machine slows both alike); peak memory is
the tracemalloc peak of the EM run (NumPy buffers and pyjl's reused kernel buffers
included), for score and Viterbi that of one call.  The note checks that both reached
the same log-likelihood and gives CPU times (``time.process_time``, all threads): on a
shared machine wall-clock time cannot show a second thread's gain, so the 2-thread rows
also give the CPU time of the busiest thread (Linux ``/proc/self/task/*/schedstat``),
the critical path on a free machine.

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
    start = dict(
        pi=np.full(K, 1.0 / K),
        A=np.full((K, K), 0.2 / (K - 1)) + np.eye(K) * (0.8 - 0.2 / (K - 1)),
        mu=means + rng.normal(size=(K, D)) * 0.5,
        var=np.ones((K, D)),
    )
    return X, start


def _left_right(K, lengths, rng):
    """Sequences that walk through the ``K`` states in order, and a left-right start: stay
    with probability 0.99 or move to the next state (the last one stays)."""
    means = rng.normal(size=(K, D)) * 3
    X = np.concatenate(
        [
            means[np.minimum(np.arange(n) * K // n, K - 1)] + rng.normal(size=(n, D))
            for n in lengths
        ]
    )
    A = np.eye(K) * 0.99 + np.eye(K, k=1) * 0.01
    A[-1, -1] = 1.0
    start = dict(
        pi=np.eye(K)[0],
        A=A,
        mu=means + rng.normal(size=(K, D)) * 0.5,
        var=np.ones((K, D)),
    )
    return X, start


def _ours(K, s, n_iter):
    from pyjl.hmm import HMM, MvNormal

    return HMM(
        MvNormal(s["mu"].copy(), s["var"].copy(), covariance_type="diag"),
        K,
        n_iter=n_iter,
        tol=-np.inf,
        init="given",
        startprob=s["pi"],
        transmat=s["A"],
    )


def _peer(K, s, n_iter, impl):
    from hmmlearn.hmm import GaussianHMM

    m = GaussianHMM(
        K,
        "diag",
        n_iter=n_iter,
        tol=-np.inf,
        init_params="",
        covars_prior=0.0,
        implementation=impl,
    )
    m.startprob_, m.transmat_, m.means_, m.covars_ = (
        s["pi"],
        s["A"],
        s["mu"].copy(),
        s["var"].copy(),
    )
    return m


def _thread_cpu() -> dict:
    """CPU seconds used so far by each thread of this process (Linux; else empty)."""
    import os

    out = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as f:
                out[tid] = int(f.read().split()[0]) * 1e-9
        except (OSError, ValueError, IndexError):
            pass
    return out


def _timed(fn):
    """``(wall, cpu, busiest thread's cpu, result)`` of one call."""
    a, c0, t0 = _thread_cpu(), time.process_time(), time.perf_counter()
    out = fn()
    wall, cpu, b = time.perf_counter() - t0, time.process_time() - c0, _thread_cpu()
    busiest = max((b[k] - a.get(k, 0.0) for k in b), default=float("nan"))
    return wall, cpu, busiest, out


def _interleaved(fns, repeat):
    """Median ``(wall, cpu, busiest)`` and last result of each named callable, the
    callables run in turn ``repeat`` times (after one warm-up call each)."""
    times = {k: [] for k in fns}
    out = {}
    for k, fn in fns.items():
        out[k] = fn()
    for _ in range(repeat):
        for k, fn in fns.items():
            *t, out[k] = _timed(fn)
            times[k].append(t)
    return {k: tuple(np.median(np.array(v), axis=0)) for k, v in times.items()}, out


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
    import logging

    from threadpoolctl import threadpool_limits

    logging.getLogger("hmmlearn").setLevel(logging.ERROR)
    with threadpool_limits(1):
        return _run(quick)


def _ours_threads(n, K, s, lengths, X):
    import pyjl

    def fit():
        pyjl.set_num_threads(n)
        try:
            return _ours(K, s, N_ITER).fit(X, lengths)
        finally:
            pyjl.set_num_threads(1)

    return fit


def _run(quick):
    import pyjl

    rng = np.random.default_rng(0)
    repeat = 2 if quick else 3
    rows = []
    threads0 = pyjl.get_num_threads()
    pyjl.set_num_threads(1)
    try:
        for K in (4, 16):
            cases = [("1 x 100,000", [100_000]), ("100 x 1,000", [1000] * 100)]
            if K == 4:  # ragged lengths: blocks of eight in lanes end at different steps
                cases.append(("100 x 500-1,500", list(rng.integers(500, 1501, size=100))))
            for label, lengths in cases:
                X, s = _problem(K, lengths, rng)
                rows += _case(K, label, lengths, X, s, repeat)
        lengths = [1000] * 100
        X, s = _left_right(4, lengths, rng)
        rows += _case(4, "100 x 1,000, left-right", lengths, X, s, repeat)
    finally:
        pyjl.set_num_threads(threads0)
    return rows


def _case(K, label, lengths, X, s, repeat):
    size = f"K={K}, d={D}, {label}"
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fns = {
            "ours1": _ours_threads(1, K, s, lengths, X),
            "ours2": _ours_threads(2, K, s, lengths, X),
            "scaling": lambda: _peer(K, s, N_ITER, "scaling").fit(X, lengths),
            "log": lambda: _peer(K, s, N_ITER, "log").fit(X, lengths),
        }
        em, fitted = _interleaved(fns, repeat)
        mem = {
            "ours": _peak(fns["ours1"]),
            "scaling": _peak(fns["scaling"]),
            "log": _peak(fns["log"]),
        }
        ours, ll = fitted["ours1"], fitted["ours1"].monitor_.history[-1]
        peer = fitted["scaling"]
        inf, _ = _interleaved(
            {
                "score": lambda: ours.score(X, lengths),
                "vit": lambda: ours.predict(X, lengths),
                "pscore_scaling": lambda: _set(peer, "scaling").score(X, lengths),
                "pscore_log": lambda: _set(peer, "log").score(X, lengths),
                "pvit": lambda: peer.predict(X, lengths),
            },
            repeat,
        )
        peaks = {
            "score": _peak(lambda: ours.score(X, lengths)),
            "vit": _peak(lambda: ours.predict(X, lengths)),
            "pscore_scaling": _peak(lambda: _set(peer, "scaling").score(X, lengths)),
            "pscore_log": _peak(lambda: _set(peer, "log").score(X, lengths)),
            "pvit": _peak(lambda: peer.predict(X, lengths)),
        }
    for impl in ("scaling", "log"):
        pw, pc, _ = em[impl]
        same = abs(fitted[impl].monitor_.history[-1] - ll) <= 1e-6 * abs(ll)
        for n in (1, 2):
            w, c, busy = em[f"ours{n}"]
            note = (
                f"same log-lik: {same}; peak MB pyjl {mem['ours'] / 1e6:.2f} vs "
                f"{mem[impl] / 1e6:.2f}; CPU s pyjl {c:.3g} vs {pc:.3g}"
            )
            if n > 1:
                note += f"; busiest thread {busy:.3g} s (x{pc / busy:.1f} on a free machine)"
            rows.append(
                dict(
                    benchmark=f"EM x{N_ITER}, {n} thread{'s' * (n > 1)}",
                    size=size,
                    pyjl_s=w,
                    peer=f"hmmlearn {impl}",
                    peer_s=pw,
                    ratio=pw / w,
                    note=note,
                )
            )
        ps, pv = inf[f"pscore_{impl}"][0], inf["pvit"][0]
        rows.append(
            dict(
                benchmark="score",
                size=size,
                pyjl_s=inf["score"][0],
                peer=f"hmmlearn {impl}",
                peer_s=ps,
                ratio=ps / inf["score"][0],
                note=f"peak MB pyjl {peaks['score'] / 1e6:.2f} vs "
                f"{peaks[f'pscore_{impl}'] / 1e6:.2f}",
            )
        )
        rows.append(
            dict(
                benchmark="Viterbi",
                size=size,
                pyjl_s=inf["vit"][0],
                peer=f"hmmlearn {impl}",
                peer_s=pv,
                ratio=pv / inf["vit"][0],
                note=f"peak MB pyjl {peaks['vit'] / 1e6:.2f} vs {peaks['pvit'] / 1e6:.2f}; "
                "hmmlearn's Viterbi is the same in both modes",
            )
        )
    return rows


def _set(model, impl):
    model.implementation = impl
    return model


if __name__ == "__main__":
    from benchmarks.__main__ import table

    print(table(run(quick="--quick" in sys.argv)))
