"""The Python cost of a kernel call before it reaches compiled code, and small calls.

``python -m benchmarks --only overhead``: ``engines.current()`` plus the native
engine's thread bound (what every kernel call pays), then streaming ``sosfilt`` over
16-sample chunks, and one-shot ``sosfilt``, ``lfilter`` (IIR, and FIR with ``zi``),
``filtfilt`` and ``upfirdn`` of 16 and 256 samples (``lfilter`` and ``upfirdn`` also on 4
channels), and the FFT-based ``fftconvolve``, ``oaconvolve``, ``hilbert``, ``stft``,
``spectrogram`` and ``istft`` of 16 and 4,096 samples (one channel and four) against SciPy.
Times are the minimum over repeats (``timeit``), per call.
"""

from __future__ import annotations

import timeit
import warnings

import numpy as np
from scipy import signal

from pyjl import dsp, engines
from pyjl.engines import native


def _per_call(fn, number: int, repeat: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def run(quick: bool = False) -> list[dict]:
    number, repeat = (2_000, 5) if quick else (20_000, 25)
    engines.current()
    rows = [
        {
            "benchmark": "engine call overhead (current() + thread bound)",
            "size": "1 call",
            "pyjl_s": _per_call(lambda: (engines.current(), native._threads()), number, repeat),
            "note": "per kernel call, before compiled code",
        }
    ]
    sos = signal.butter(4, 0.1, output="sos")
    chunk = np.random.default_rng(0).standard_normal(16)
    stream = dsp.SosFilter(sos)
    zi = np.zeros((sos.shape[0], 2))
    stream.process(chunk)
    rows.append(
        {
            "benchmark": "SosFilter.process, order 4",
            "size": "16-sample chunks",
            "pyjl_s": _per_call(lambda: stream.process(chunk), number // 4, repeat),
            "peer": "scipy sosfilt(zi=)",
            "peer_s": _per_call(lambda: signal.sosfilt(sos, chunk, zi=zi), number // 4, repeat),
        }
    )
    b, a = signal.butter(4, 0.1)
    fir = signal.firwin(8, 0.3)
    h = signal.firwin(15, 0.4)
    calls = {
        "sosfilt, order 4": (dsp.sosfilt, signal.sosfilt, (sos,), {}),
        "lfilter (IIR), order 4": (dsp.lfilter, signal.lfilter, (b, a), {}),
        "filtfilt, order 4": (dsp.filtfilt, signal.filtfilt, (b, a), {}),
        "lfilter (FIR, 8 taps, zi)": (dsp.lfilter, signal.lfilter, (fir, [1.0]), {"zi": 7}),
        "upfirdn, 15 taps, up 3, down 2": (dsp.upfirdn, signal.upfirdn, (h,), {"rates": (3, 2)}),
    }
    for shape in ((16,), (256,), (4, 16), (4, 256)):
        x = np.random.default_rng(shape[-1]).standard_normal(shape)
        for name, (mine, peer, coef, extra) in calls.items():
            if len(shape) > 1 and mine is not dsp.lfilter and mine is not dsp.upfirdn:
                continue  # several channels: the calls of the small-call kernels
            args = coef + (x,) + extra.get("rates", ())
            kw = {"zi": np.zeros(shape[:-1] + (extra["zi"],))} if "zi" in extra else {}
            rows.append(
                {
                    "benchmark": name,
                    "size": " x ".join(map(str, shape)) + " samples",
                    "pyjl_s": _per_call(lambda: mine(*args, **kw), number // 4, repeat),
                    "peer": "scipy",
                    "peer_s": _per_call(lambda: peer(*args, **kw), number // 4, repeat),
                }
            )
    rows += _transforms(number // 40, repeat)
    for row in rows[1:]:
        row["ratio"] = row["peer_s"] / row["pyjl_s"]
    return rows


def _transforms(number: int, repeat: int) -> list[dict]:
    """The FFT-based calls and convolve/correlate (SciPy's default arguments) at 16 and 4,096
    samples, one channel and four."""
    rows = []
    for shape in ((16,), (4096,), (4, 16), (4, 4096)):
        x = np.random.default_rng(shape[-1]).standard_normal(shape)
        taps = np.random.default_rng(1).standard_normal(shape[:-1] + (max(1, shape[-1] // 4),))
        n = min(shape[-1], 256)
        Z, last = signal.stft(x, nperseg=n)[2], {"axes": -1}
        calls = {
            "fftconvolve, taps n/4": (dsp.fftconvolve, signal.fftconvolve, (x, taps), last),
            "oaconvolve, taps n/4": (dsp.oaconvolve, signal.oaconvolve, (x, taps), last),
            "convolve, taps n/4": (dsp.convolve, signal.convolve, (x, taps), {}),
            "correlate, taps n/4": (dsp.correlate, signal.correlate, (x, taps), {}),
            "hilbert": (dsp.hilbert, signal.hilbert, (x,), {}),
            "stft": (dsp.stft, signal.stft, (x,), {}),
            "spectrogram": (dsp.spectrogram, signal.spectrogram, (x,), {}),
            "istft": (dsp.istft, signal.istft, (Z,), {"nperseg": n}),
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nperseg > n at 16 samples, as SciPy warns
            for name, (mine, peer, args, kw) in calls.items():
                rows.append(
                    {
                        "benchmark": name,
                        "size": " x ".join(map(str, shape)) + " samples",
                        "pyjl_s": _per_call(lambda: mine(*args, **kw), number, repeat),
                        "peer": "scipy",
                        "peer_s": _per_call(lambda: peer(*args, **kw), number, repeat),
                    }
                )
    return rows


if __name__ == "__main__":
    from .__main__ import table

    print(table(run()))
