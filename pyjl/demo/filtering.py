"""Demo part 3: filter a noisy multi-tone signal.

A signal sampled at 1 kHz carries tones at 50 and 120 Hz (wanted) and 300 and
420 Hz (interference) in white noise.  An elliptic low-pass filter is designed
from a specification (pass band to 150 Hz with at most 0.5 dB ripple, stop band
from 200 Hz at least 60 dB down: :func:`pyjl.dsp.ellip` with the order
:func:`scipy.signal.ellipord` gives), applied forward and backward
(:func:`pyjl.dsp.sosfiltfilt`: zero phase, squared magnitude, so the stop band
is at least 120 dB down), and the Welch power spectra
(:func:`pyjl.dsp.welch`) before and after are compared with the designed
response (:func:`pyjl.dsp.sosfreqz`).  Finally the same filter runs as a stream
(:class:`pyjl.dsp.SosFilter` fed in uneven chunks), which must equal the
one-shot :func:`pyjl.dsp.sosfilt` to rounding.

Reference: A. V. Oppenheim and R. W. Schafer, *Discrete-Time Signal
Processing*, 3rd ed., sections 7.2 (elliptic filters) and 10.5 (Welch's method);
P. Welch, IEEE Trans. Audio Electroacoust. 15(2), 1967.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from .. import dsp
from .._progress import progress_bar

__all__ = ["FS", "TONES", "SPEC", "FilterResult", "make_signal", "design", "run_filtering"]

FS = 1000.0
#: (frequency Hz, amplitude)
TONES = ((50.0, 1.0), (120.0, 0.6), (300.0, 0.8), (420.0, 0.5))
NOISE_STD = 0.3
#: pass-band edge, stop-band edge (Hz), max pass-band ripple and min stop-band attenuation (dB)
SPEC = {"wp": 150.0, "ws": 200.0, "gpass": 0.5, "gstop": 60.0}
NPERSEG = 1024


def make_signal(n: int, seed: int = 0):
    """The multi-tone test signal ``sum_i a_i sin(2 pi f_i t) + noise`` (:data:`TONES`).

    Parameters
    ----------
    n : int
        Number of samples at :data:`FS`.
    seed : int

    Returns
    -------
    t : numpy.ndarray, shape (n,)
        Time in seconds.
    x : numpy.ndarray, shape (n,)

    Examples
    --------
    >>> t, x = make_signal(1000)
    >>> round(float(t[1] - t[0]), 6), x.shape
    (0.001, (1000,))
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n) / FS
    x = sum(a * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)) for f, a in TONES)
    return t, x + NOISE_STD * rng.standard_normal(n)


def design():
    """The elliptic low-pass of :data:`SPEC` as second-order sections.

    Returns
    -------
    sos : numpy.ndarray, shape (n_sections, 6)
    order : int
        The minimum order meeting the specification (:func:`scipy.signal.ellipord`).

    Examples
    --------
    >>> sos, order = design()
    >>> order, sos.shape
    (6, (3, 6))
    """
    from scipy.signal import ellipord

    order, wn = ellipord(SPEC["wp"], SPEC["ws"], SPEC["gpass"], SPEC["gstop"], fs=FS)
    sos = dsp.ellip(order, SPEC["gpass"], SPEC["gstop"], wn, btype="low", fs=FS, output="sos")
    return sos, int(order)


@dataclasses.dataclass
class FilterResult:
    """What :func:`run_filtering` measured (all in dB unless said).

    ``order``; ``tone_attenuation`` {Hz: measured attenuation of each tone, from the
    Welch spectra}; ``designed_attenuation`` {Hz: ``-20 log10 |H|^2`` of the design at
    that frequency (forward-backward)}; ``stopband_attenuation``: measured power
    ratio over the whole stop band; ``passband_change``: largest measured change at
    the pass-band tones; ``stream_max_abs_diff``: max |streaming - one-shot|;
    ``n_chunks``; ``figure``.
    """

    order: int
    n_samples: int
    tone_attenuation: dict[float, float]
    designed_attenuation: dict[float, float]
    stopband_attenuation: float
    passband_change: float
    stream_max_abs_diff: float
    n_chunks: int
    figure: Path
    seconds: float


def _plot(path, t, x, y, f, Pxx, Pyy, w, H2, order):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 6))
    ax1, ax2 = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1, 1.4]})
    m = t < 0.1
    ax1.plot(t[m] * 1e3, x[m], color="0.6", lw=0.8, label="noisy input")
    ax1.plot(t[m] * 1e3, y[m], color="C0", lw=1.4, label="zero-phase filtered")
    ax1.set_xlabel("time (ms)")
    ax1.legend(loc="upper right", fontsize="small")
    ax1.set_title(f"elliptic low-pass, order {order} (x2 forward-backward)")
    floor = 1e-30
    ax2.semilogy(f, np.maximum(Pxx, floor), color="0.5", label="Welch PSD before")
    ax2.semilogy(f, np.maximum(Pyy, floor), color="C0", label="Welch PSD after")
    ax2.semilogy(
        w,
        np.maximum(H2 * np.median(Pxx), floor),
        color="C3",
        ls="--",
        lw=0.8,
        label="designed |H|^4 x noise level",
    )
    ax2.axvspan(SPEC["ws"], FS / 2, color="C3", alpha=0.06, label="stop band")
    ax2.set_xlabel("frequency (Hz)")
    ax2.set_ylabel("power / Hz")
    ax2.set_ylim(1e-22, None)
    ax2.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def run_filtering(
    out_dir, quick: bool = False, seed: int = 0, progress: bool = True
) -> FilterResult:
    """Design, filter (zero phase), compare spectra, stream; write ``filtering.png``.

    Also writes ``filtering.npz`` (``x``, ``y`` the zero-phase output, ``y_stream``
    the streamed one-pass output, ``sos``) into ``out_dir``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        An existing directory.
    quick : bool
        2**16 samples instead of 2**19.
    seed : int
    progress : bool
        A tqdm bar over the streamed chunks.

    Returns
    -------
    FilterResult

    Examples
    --------
    >>> import tempfile
    >>> r = run_filtering(tempfile.mkdtemp(), quick=True, progress=False)
    >>> stop_tones = min(r.tone_attenuation[300.0], r.tone_attenuation[420.0])
    >>> r.stream_max_abs_diff <= 1e-12, stop_tones > 2 * SPEC["gstop"]
    (True, True)
    """
    import time

    t0 = time.perf_counter()
    out = Path(out_dir)
    n = 1 << (16 if quick else 19)
    t, x = make_signal(n, seed)
    sos, order = design()
    y = dsp.sosfiltfilt(sos, x)
    f, Pxx = dsp.welch(x, fs=FS, nperseg=NPERSEG)
    _, Pyy = dsp.welch(y, fs=FS, nperseg=NPERSEG)
    _, h = dsp.sosfreqz(sos, worN=f, fs=FS)
    tone_att, designed = {}, {}
    for freq, _ in TONES:
        i = int(np.argmin(np.abs(f - freq)))
        tone_att[freq] = float(10 * np.log10(Pxx[i] / Pyy[i]))
        designed[freq] = float(-40 * np.log10(max(abs(h[i]), 1e-300)))
    stop = f >= SPEC["ws"]
    stop_att = float(10 * np.log10(Pxx[stop].sum() / Pyy[stop].sum()))
    passband = max(abs(tone_att[fr]) for fr, _ in TONES if fr <= SPEC["wp"])
    # streaming: uneven chunks through SosFilter equal one-shot sosfilt
    rng = np.random.default_rng(seed + 1)
    cuts = np.sort(rng.choice(np.arange(1, n), size=63, replace=False))
    stream = dsp.SosFilter(sos)
    pieces = [
        stream.process(c)
        for c in progress_bar(
            np.split(x, cuts), desc="streaming", unit="chunk", disable=not progress
        )
    ]
    y_stream = np.concatenate(pieces)
    diff = float(np.max(np.abs(y_stream - dsp.sosfilt(sos, x))))
    np.savez(out / "filtering.npz", x=x, y=y, y_stream=y_stream, sos=sos)
    w, hw = dsp.sosfreqz(sos, worN=2048, fs=FS)
    figure = out / "filtering.png"
    _plot(figure, t, x, y, f, Pxx, Pyy, w, np.abs(hw) ** 4, order)
    return FilterResult(
        order,
        n,
        tone_att,
        designed,
        stop_att,
        passband,
        diff,
        len(cuts) + 1,
        figure,
        time.perf_counter() - t0,
    )
