"""pyjl.dsp side by side with scipy.signal, in one run.

``python -m benchmarks.dsp [--quick]`` prints the rows; ``run(quick)`` returns
them for ``python -m benchmarks``; ``--stages`` prints where a stream's time goes
instead (:func:`stream_stages`).  Each timing is the best of a few repeats,
pyjl and SciPy alternating on the same data (float64).  ``ratio`` is SciPy's
time over pyjl's (> 1: pyjl faster).  The streaming row compares
``SosFilter.process`` over 64k-sample chunks (separate buffers, as a stream
delivers them) with pyjl's one-shot ``sosfilt`` (ratio 0.91 = 10 % overhead).

Sizes: a single channel of 10M samples and 32 channels x 500k samples
(``--quick``: 2M and 32 x 100k).  Two more rows time a filter designed anew for every
call (a filter bank, a cutoff swept): 40,000 samples through 100 distinct Butterworth
designs per round, every round its own, so that nothing of a filter is kept from an
earlier call (the design itself is not timed).
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
BA4 = ss.butter(4, 0.1)
BA2 = ss.butter(2, 0.1)
FIR = ss.firwin(101, 0.2)
FIR64 = ss.firwin(64, 0.2)
CHUNK = 1 << 16


def _best(fn, repeat):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _pair(ours, theirs, repeat):
    """Best times of two callables measured alternately (warm-up first)."""
    ours(), theirs()
    t_ours, t_theirs = np.inf, np.inf
    for _ in range(repeat):
        t_ours = min(t_ours, _best(ours, 1))
        t_theirs = min(t_theirs, _best(theirs, 1))
    return t_ours, t_theirs


def _row(name, size, t_ours, t_peer, peer="scipy.signal", note=None) -> dict:
    """One table row: times per call, ratio = peer time / pyjl time."""
    return dict(
        benchmark=f"dsp: {name}",
        size=size,
        pyjl_s=t_ours,
        peer=peer,
        peer_s=t_peer,
        ratio=t_peer / t_ours,
        note=note if note is not None else f"{pyjl.get_num_threads()} threads",
    )


def _stream(chunks):
    f = dsp.SosFilter(SOS)
    for chunk in chunks:
        f.process(chunk)


def _cases(x):
    # chunks arrive as their own buffers (as from a device or a socket), made before timing
    chunks = [np.ascontiguousarray(x[..., i : i + CHUNK]) for i in range(0, x.shape[-1], CHUNK)]
    # 1-D filters along the last axis, shaped as x (convolve's inputs share their rank)
    taps = FIR64.reshape((1,) * (x.ndim - 1) + (-1,))
    template = np.ascontiguousarray(x[..., :2048][(0,) * (x.ndim - 1)]).reshape(
        taps.shape[:-1] + (-1,)
    )
    return [
        (
            "sosfilt (8th-order Butterworth)",
            lambda: dsp.sosfilt(SOS, x),
            lambda: ss.sosfilt(SOS, x),
            "scipy.signal",
        ),
        (
            "sosfiltfilt (8th-order Butterworth)",
            lambda: dsp.sosfiltfilt(SOS, x),
            lambda: ss.sosfiltfilt(SOS, x),
            "scipy.signal",
        ),
        (
            "filtfilt (4th-order Butterworth)",
            lambda: dsp.filtfilt(*BA4, x),
            lambda: ss.filtfilt(*BA4, x),
            "scipy.signal",
        ),
        (
            "lfilter, IIR (8th-order Butterworth)",
            lambda: dsp.lfilter(*BA8, x),
            lambda: ss.lfilter(*BA8, x),
            "scipy.signal",
        ),
        (
            "lfilter, IIR (2nd-order Butterworth)",
            lambda: dsp.lfilter(*BA2, x),
            lambda: ss.lfilter(*BA2, x),
            "scipy.signal",
        ),
        (
            "lfilter, 101-tap FIR",
            lambda: dsp.lfilter(FIR, [1.0], x),
            lambda: ss.lfilter(FIR, [1.0], x),
            "scipy.signal",
        ),
        (
            "resample_poly 3/2",
            lambda: dsp.resample_poly(x, 3, 2, axis=-1),
            lambda: ss.resample_poly(x, 3, 2, axis=-1),
            "scipy.signal",
        ),
        (
            "convolve, 64-tap FIR (method auto)",
            lambda: dsp.convolve(x, taps),
            lambda: ss.convolve(x, taps),
            "scipy.signal",
        ),
        (
            "correlate, 2,048-sample template (method auto)",
            lambda: dsp.correlate(x, template),
            lambda: ss.correlate(x, template),
            "scipy.signal",
        ),
        (
            "resample (Fourier) to 3/2 the length",
            lambda: dsp.resample(x, x.shape[-1] * 3 // 2, axis=-1),
            lambda: ss.resample(x, x.shape[-1] * 3 // 2, axis=-1),
            "scipy.signal",
        ),
        (
            "savgol_filter, 31-sample window, cubic",
            lambda: dsp.savgol_filter(x, 31, 3),
            lambda: ss.savgol_filter(x, 31, 3),
            "scipy.signal",
        ),
        (
            "detrend, linear",
            lambda: dsp.detrend(x),
            lambda: ss.detrend(x),
            "scipy.signal",
        ),
        (
            "welch nperseg=4096",
            lambda: dsp.welch(x, nperseg=4096),
            lambda: ss.welch(x, nperseg=4096),
            "scipy.signal",
        ),
        (
            "stft nperseg=1024",
            lambda: dsp.stft(x, nperseg=1024),
            lambda: ss.stft(x, nperseg=1024),
            "scipy.signal",
        ),
        (
            "SosFilter stream, 64k chunks",
            lambda: _stream(chunks),
            lambda: dsp.sosfilt(SOS, x),
            "pyjl one-shot sosfilt",
        ),
    ]


class _Rounds:
    """Each call filters ``x`` through the next round's designs (a list per round)."""

    def __init__(self, fn, x, rounds):
        self.fn, self.x, self.rounds = fn, x, iter(rounds)

    def __call__(self):
        for coef in next(self.rounds):
            self.fn(*coef, self.x)


def _new_filter_rows(repeat: int, only) -> list[dict]:
    """A filter designed anew for every call: ``sosfilt`` of ``butter(8, wn)`` and IIR
    ``lfilter`` of ``butter(2, wn)``, per call, 100 calls per round."""
    rng = np.random.default_rng(1)
    x, calls, n_rounds = rng.standard_normal(40_000), 100, 2 * (repeat + 1)
    rows = []
    for name, design, ours, theirs in (
        ("sosfilt, a new butter(8) per call", lambda w: (ss.butter(8, w, output="sos"),),
         dsp.sosfilt, ss.sosfilt),
        ("lfilter, a new IIR butter(2) per call", lambda w: ss.butter(2, w),
         dsp.lfilter, ss.lfilter),
    ):  # fmt: skip
        if only and not any(o in name for o in only):
            continue
        rounds = [[design(w) for w in rng.uniform(0.02, 0.4, calls)] for _ in range(n_rounds)]
        t_ours, t_peer = _pair(
            _Rounds(ours, x, rounds[0::2]), _Rounds(theirs, x, rounds[1::2]), repeat
        )
        rows.append(_row(name, "1 x 40,000", t_ours / calls, t_peer / calls))
    return rows


def run(quick: bool = False, only=None) -> list[dict]:
    """Rows: benchmark, size, pyjl_s, peer, peer_s, ratio, note."""
    rng = np.random.default_rng(0)
    n_single, (n_ch, n_multi) = (
        (2_000_000, (32, 100_000)) if quick else (10_000_000, (32, 500_000))
    )
    repeat = 3 if quick else 5
    rows = []
    for size, x in (
        (f"1 x {n_single:,}", rng.standard_normal(n_single)),
        (f"{n_ch} x {n_multi:,}", rng.standard_normal((n_ch, n_multi))),
    ):
        for name, ours, theirs, peer in _cases(x):
            if only and not any(o in name for o in only):
                continue
            t_ours, t_peer = _pair(ours, theirs, repeat)
            note = None
            if peer.startswith("pyjl"):
                note = f"streaming overhead {100 * (t_ours / t_peer - 1):+.1f} %"
            rows.append(_row(name, size, t_ours, t_peer, peer, note))
        del x
    return rows + _new_filter_rows(repeat, only)


def stream_stages(quick: bool = False, repeat: int = 7) -> list[dict]:
    """Where a stream's time goes, per shape: the one-shot call, the stream, the engine's
    kernel alone over the same chunks (the state carried), and the per-call cost of
    ``process`` (as many 16-sample chunks); wall and CPU time, best of ``repeat``
    rounds, the four alternating (``python -m benchmarks.dsp --stages``)."""
    from pyjl.engines import current

    rng = np.random.default_rng(0)
    n_single, (n_ch, n_multi) = (
        (2_000_000, (32, 100_000)) if quick else (10_000_000, (32, 500_000))
    )
    rows = []
    for x in (rng.standard_normal(n_single), rng.standard_normal((n_ch, n_multi))):
        chunks = [
            np.ascontiguousarray(x[..., i : i + CHUNK]) for i in range(0, x.shape[-1], CHUNK)
        ]
        tiny = [np.ascontiguousarray(c[..., :16]) for c in chunks]
        blocks = [np.atleast_2d(c) for c in chunks]
        sos = np.ascontiguousarray(SOS)

        def kernel():
            eng, zi = current(), np.zeros((blocks[0].shape[0], sos.shape[0], 2))
            for b in blocks:
                _, zi = eng.sosfilt(sos, b, zi)

        stages = {
            "one-shot sosfilt": lambda: dsp.sosfilt(SOS, x),
            "SosFilter stream": lambda: _stream(chunks),
            "kernel alone, chunk by chunk": kernel,
            "process() on 16-sample chunks": lambda: _stream(tiny),
        }
        best = {k: (np.inf, np.inf) for k in stages}
        for fn in stages.values():
            fn()
        for _ in range(repeat):
            for k, fn in stages.items():
                c0, t0 = time.process_time(), time.perf_counter()
                fn()
                t, c = time.perf_counter() - t0, time.process_time() - c0
                best[k] = (min(best[k][0], t), min(best[k][1], c))
        size = " x ".join(f"{d:,}" for d in np.atleast_2d(x).shape)
        for k, (t, c) in best.items():
            rows.append(
                dict(
                    stage=k,
                    size=size,
                    chunks=len(chunks),
                    wall_s=t,
                    cpu_s=c,
                    ns_per_sample=t / x.size * 1e9,
                    us_per_chunk=t / len(chunks) * 1e6,
                )
            )
    return rows


if __name__ == "__main__":
    args = sys.argv[1:]
    quick = "--quick" in args
    if "--stages" in args:
        for r in stream_stages(quick):
            print(
                f"{r['stage']:<32} {r['size']:>14}  {r['wall_s'] * 1e3:8.2f} ms  "
                f"cpu {r['cpu_s'] * 1e3:8.2f} ms  {r['ns_per_sample']:6.3f} ns/sample  "
                f"{r['us_per_chunk']:7.1f} us/chunk ({r['chunks']} chunks)"
            )
        sys.exit(0)
    only = [a for a in args if not a.startswith("--")] or None
    for row in run(quick, only):
        print(
            f"{row['benchmark']:<44} {row['size']:>14}  pyjl {row['pyjl_s'] * 1e3:8.1f} ms  "
            f"{row['peer']:<22} {row['peer_s'] * 1e3:8.1f} ms  x{row['ratio']:.2f}  "
            f"{row['note']}"
        )
