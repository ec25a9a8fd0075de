"""The rest of scipy.signal (docs/dsp_toolbox.md) side by side with SciPy, in one run.

``python -m benchmarks.dsp_toolbox [--quick]`` prints the rows; ``run(quick)`` returns
them (``python -m benchmarks --only dsp_toolbox``).  Each timing is the best of a few
repeats, pyjl and SciPy alternating on the same data (``_pair`` of
:mod:`benchmarks.dsp`); ``ratio`` is SciPy's time over pyjl's (> 1: pyjl faster).  The
2-D rows use a 512 x 512 float64 image; a tiny call (8 x 8 with 3 x 3) shows the fixed
cost.  The spectral rows: a chirp z-transform of 1,000,000 samples to 1,000 points (a
repeated call reuses its chirps), ``envelope`` of 32 x 500,000 samples, ``lombscargle`` of
10,000 samples at 10,000 frequencies (``--quick``: 2,000 x 2,000); ``max_len_seq``
of 20 bits (one period, 1,048,575 bits); and ``ShortTimeFFT``'s ``stft`` and ``istft``
of 1,000,000 samples and of 32 x 100,000 (SciPy's loop over time slices against pyjl's
blocks of frames).
"""

from __future__ import annotations

import sys

import numpy as np
import scipy.signal as ss

import pyjl.dsp as dsp

from .dsp import _pair, _row


def _cases(img, rng):
    k5, k31 = rng.standard_normal((5, 5)), rng.standard_normal((31, 31))
    tiny, k3 = rng.standard_normal((8, 8)), rng.standard_normal((3, 3))
    size = f"{img.shape[0]} x {img.shape[1]}"
    return [
        ("convolve2d 5x5 'same'", size, lambda: dsp.convolve2d(img, k5, "same"),
         lambda: ss.convolve2d(img, k5, "same")),
        ("convolve2d 31x31 'same'", size, lambda: dsp.convolve2d(img, k31, "same"),
         lambda: ss.convolve2d(img, k31, "same")),
        ("correlate2d 31x31 'same' symm", size,
         lambda: dsp.correlate2d(img, k31, "same", "symm"),
         lambda: ss.correlate2d(img, k31, "same", "symm")),
        ("convolve2d 3x3 (tiny call)", "8 x 8", lambda: dsp.convolve2d(tiny, k3),
         lambda: ss.convolve2d(tiny, k3)),
        ("medfilt2d 5x5", size, lambda: dsp.medfilt2d(img, 5), lambda: ss.medfilt2d(img, 5)),
        ("wiener 5x5", size, lambda: dsp.wiener(img, 5), lambda: ss.wiener(img, 5)),
        ("hilbert2", size, lambda: dsp.hilbert2(img), lambda: ss.hilbert2(img)),
    ]  # fmt: skip


def _spectra_cases(rng, quick):
    long = rng.standard_normal((1, 1_000_000))
    multi = rng.standard_normal((32, 100_000 if quick else 500_000))
    n_ls = 2_000 if quick else 10_000
    t = np.sort(rng.uniform(0, 1_000, n_ls))
    y = np.sin(2.0 * t) + rng.standard_normal(n_ls)
    w = np.linspace(0.01, 20.0, n_ls)
    arc = (1_000, np.exp(-2e-4j), np.exp(0.3j))
    return [
        ("zoom_fft to 1,000 points", "1 x 1,000,000",
         lambda: dsp.zoom_fft(long, [0.1, 0.2], 1_000),
         lambda: ss.zoom_fft(long, [0.1, 0.2], 1_000)),
        ("czt to 1,000 points on an arc", "1 x 1,000,000",
         lambda: dsp.czt(long, *arc), lambda: ss.czt(long, *arc)),
        ("envelope (residual lowpass)", f"{multi.shape[0]} x {multi.shape[1]:,}",
         lambda: dsp.envelope(multi), lambda: ss.envelope(multi)),
        ("lombscargle", f"{n_ls:,} x {n_ls:,} frequencies",
         lambda: dsp.lombscargle(t, y, w), lambda: ss.lombscargle(t, y, w)),
        ("max_len_seq, 20 bits", "1,048,575 bits",
         lambda: dsp.max_len_seq(20), lambda: ss.max_len_seq(20)),
    ] + _short_time_cases(long, multi)  # fmt: skip


def _short_time_cases(long, multi):
    """``ShortTimeFFT`` (Hann of 256 at hop 64) forward and back, pyjl's object and
    SciPy's on the same signals (``long`` 1-D, ``multi`` only its first 100,000 samples)."""
    win = ss.windows.hann(256, sym=False)
    ours, theirs = dsp.ShortTimeFFT(win, 64, 1.0), ss.ShortTimeFFT(win, 64, 1.0)
    one, many = long[0], np.ascontiguousarray(multi[:, :100_000])
    S1, Sm = theirs.stft(one), theirs.stft(many)
    return [
        ("ShortTimeFFT.stft, 256 / hop 64", "1 x 1,000,000",
         lambda: ours.stft(one), lambda: theirs.stft(one)),
        ("ShortTimeFFT.istft, 256 / hop 64", "1 x 1,000,000",
         lambda: ours.istft(S1), lambda: theirs.istft(S1)),
        ("ShortTimeFFT.stft, 256 / hop 64", f"{many.shape[0]} x 100,000",
         lambda: ours.stft(many), lambda: theirs.stft(many)),
        ("ShortTimeFFT.istft, 256 / hop 64", f"{many.shape[0]} x 100,000",
         lambda: ours.istft(Sm), lambda: theirs.istft(Sm)),
    ]  # fmt: skip


def run(quick: bool = False) -> list[dict]:
    """Rows: benchmark, size, pyjl_s, peer, peer_s, ratio, note."""
    rng = np.random.default_rng(0)
    img = rng.standard_normal((512, 512))
    repeat = 3 if quick else 7
    rows = []
    for name, size, ours, theirs in _cases(img, rng) + _spectra_cases(rng, quick):
        # the tiny call is timed over many calls (one is below the timer's resolution)
        calls = 200 if size == "8 x 8" else 1

        def many(fn, calls=calls):
            return lambda: [fn() for _ in range(calls)]

        t_ours, t_peer = _pair(many(ours), many(theirs), repeat)
        rows.append(_row(name, size, t_ours / calls, t_peer / calls))
    return rows


if __name__ == "__main__":
    for row in run("--quick" in sys.argv[1:]):
        print(
            f"{row['benchmark']:<36} {row['size']:>10}  pyjl {row['pyjl_s'] * 1e3:9.3f} ms  "
            f"{row['peer']:<13} {row['peer_s'] * 1e3:9.3f} ms  x{row['ratio']:.2f}  "
            f"{row['note']}"
        )
