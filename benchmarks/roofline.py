"""How far pyjl's DSP kernels are from this machine's limits: a roofline.

``python -m benchmarks.roofline [--quick]`` measures the machine's peaks and, for each
kernel, the rate it reaches as a fraction of the bound that applies to it:

* compute peak: a loop of independent vector multiply-adds per thread (the native
  module ``pyjl._native.openmp``'s ``madd_probe``), both as fused multiply-adds and
  as the separate multiply and add the filters issue (they are built with
  ``-ffp-contract=off`` so that they repeat SciPy's rounding exactly: their bound
  is the unfused rate);
* memory bandwidth: a streaming copy of arrays far larger than the caches, on the
  same threads (16 bytes per element: one read, one write);
* per kernel: multiply-adds per second (multiplications counted from the filter's
  order and the samples: 5 per second-order section per sample, ``2 N + 1`` for an
  order-``N`` direct-form IIR, one per tap for an FIR, per output for polyphase),
  bytes per second (the input read and the output written once per pass), and the
  bound ``min(compute peak, intensity x bandwidth)`` with the fraction reached.

``run(quick)`` returns the rows; ``markdown(rows)`` formats them (``python -m
benchmarks --roofline``).  Each figure is the best of a few repeats.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.signal as ss

import pyjl
import pyjl.dsp as dsp

SOS = ss.butter(8, 0.1, output="sos")
BA8 = ss.butter(8, 0.1)
BA2 = ss.butter(2, 0.1)
FIR = ss.firwin(101, 0.2)
RESAMPLE_TAPS = 2 * 10 * 3 + 1  # resample_poly(x, 3, 2)'s default filter: 61 taps


def _best(fn, repeat):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def peaks(quick: bool = False) -> dict:
    """Multiply-adds per second (fused and unfused) and copy bandwidth (bytes per
    second), on one thread and on pyjl's threads."""
    from pyjl._native import openmp

    threads = pyjl.get_num_threads()
    iters = 2_000_000 if quick else 10_000_000
    repeat = 3 if quick else 5
    out: dict = {"threads": threads}
    for fused in (True, False):
        for nt in (1, threads):
            done = openmp.madd_probe(iters, nt, fused)[0]
            t = _best(lambda nt=nt, fused=fused: openmp.madd_probe(iters, nt, fused), repeat)
            out[("fma" if fused else "mul+add", nt)] = done / t
    n = (1 << 24) if quick else (1 << 26)
    src = np.random.default_rng(0).standard_normal(n)
    dst = np.empty_like(src)
    for nt in (1, threads):
        t = _best(lambda nt=nt: openmp.stream_copy(src, dst, nt), repeat)
        out[("copy", nt)] = 16 * n / t
    return out


def _kernels(quick: bool):
    """``(name, size, call, multiply-adds, bytes)`` per kernel."""
    rng = np.random.default_rng(0)
    n1, (c, n) = (2_000_000, (32, 100_000)) if quick else (10_000_000, (32, 500_000))
    x1 = rng.standard_normal(n1)
    xm = rng.standard_normal((c, n))
    per_sec = 5 * SOS.shape[0]
    rows = []
    for size, x, s in ((f"1 x {n1:,}", x1, n1), (f"{c} x {n:,}", xm, c * n)):
        rows += [
            ("sosfilt, order 8", size, lambda x=x: dsp.sosfilt(SOS, x), per_sec * s, 16 * s),
            (
                "sosfiltfilt, order 8",
                size,
                lambda x=x: dsp.sosfiltfilt(SOS, x),
                2 * per_sec * s,
                32 * s,
            ),
        ]
    rows += [
        (
            "lfilter IIR, order 8",
            f"{c} x {n:,}",
            lambda: dsp.lfilter(*BA8, xm),
            17 * c * n,
            16 * c * n,
        ),
        (
            "lfilter IIR, order 2",
            f"{c} x {n:,}",
            lambda: dsp.lfilter(*BA2, xm),
            5 * c * n,
            16 * c * n,
        ),
        (
            "lfilter FIR, 101 taps",
            f"{c} x {n:,}",
            lambda: dsp.lfilter(FIR, [1.0], xm),
            len(FIR) * c * n,
            16 * c * n,
        ),
        (
            "resample_poly 3/2",
            f"{c} x {n:,}",
            lambda: dsp.resample_poly(xm, 3, 2, axis=-1),
            RESAMPLE_TAPS / 3 * 1.5 * c * n,
            20 * c * n,
        ),
    ]
    return rows


def run(quick: bool = False, only=None) -> list[dict]:
    """Rows: kernel, size, seconds, madd/s, bytes/s, bound kind, bound, fraction
    (the first row, kernel ``peak``, carries the machine's figures)."""
    peak = peaks(quick)
    threads = peak["threads"]
    compute, bandwidth = peak[("mul+add", threads)], peak[("copy", threads)]
    rows = [dict(kernel="peak", size=f"{threads} threads", peaks=peak)]
    repeat = 3 if quick else 5
    for name, size, call, madds, nbytes in _kernels(quick):
        if only and not any(o in name for o in only):
            continue
        call()
        t = _best(call, repeat)
        memory_bound = madds / nbytes * bandwidth
        kind, bound = ("compute", compute) if compute <= memory_bound else ("memory", memory_bound)
        rate = madds / t
        rows.append(
            dict(
                kernel=name,
                size=size,
                seconds=t,
                madd_per_s=rate,
                bytes_per_s=nbytes / t,
                bound_kind=kind,
                bound=bound,
                fraction=rate / bound,
            )
        )
    return rows


def markdown(rows: list[dict]) -> str:
    """The peaks as a sentence, then one table row per kernel."""
    peak = rows[0]["peaks"]
    nt = peak["threads"]
    head = (
        f"Peaks measured: fused multiply-adds {peak[('fma', 1)] / 1e9:.1f} G/s on one "
        f"thread, {peak[('fma', nt)] / 1e9:.1f} G/s on {nt}; separate multiply + add "
        f"{peak[('mul+add', 1)] / 1e9:.1f} G/s on one thread, "
        f"{peak[('mul+add', nt)] / 1e9:.1f} G/s on {nt} (the filters' compute bound); "
        f"streaming copy {peak[('copy', 1)] / 1e9:.1f} GB/s on one thread, "
        f"{peak[('copy', nt)] / 1e9:.1f} GB/s on {nt}."
    )
    lines = [
        head,
        "",
        "| kernel | size | time (ms) | G multiply-adds/s | GB/s | bound | bound (G madd/s) | "
        "fraction of bound |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows[1:]:
        lines.append(
            f"| {r['kernel']} | {r['size']} | {r['seconds'] * 1e3:.1f} | "
            f"{r['madd_per_s'] / 1e9:.2f} | {r['bytes_per_s'] / 1e9:.1f} | {r['bound_kind']} | "
            f"{r['bound'] / 1e9:.1f} | {100 * r['fraction']:.0f} % |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    args = sys.argv[1:]
    print(markdown(run("--quick" in args, [a for a in args if not a.startswith("--")] or None)))
