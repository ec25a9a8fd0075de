"""The short-time transform shared by :func:`~pyjl.dsp.stft` and
:func:`~pyjl.dsp.spectrogram`: argument checks and SciPy's ``_spectral_helper``.

Frames the (boundary-extended, zero-padded) signal with the engine's
``stft_frames`` kernel and transforms every frame with ``scipy.fft``
(the formula is in :mod:`pyjl.dsp.stft`).
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from .. import _validate
from .._warn import warn
from ._frames import check_size, detrend_code, framed_fft, rescale, scale_down, window_array
from ._inputs import channels, read_signal, spectrum_dtype
from .zero_phase import extend

_BOUNDARY = ("even", "odd", "constant", "zeros", None)


def _triage(window, nperseg, n):
    if isinstance(window, (str, tuple)):
        nperseg = 256 if nperseg is None else _validate.integer(nperseg, "nperseg", low=1)
        if nperseg > n:
            warn(
                f"nperseg = {nperseg:d} is greater than input length  = {n:d}, "
                f"using nperseg = {n:d}",
                UserWarning,
            )
            nperseg = n
        return window_array(window, nperseg), nperseg
    win = window_array(window, 0)
    if n < win.size:
        raise _validate.error(
            "window",
            f"must not be longer than the signal ({n} samples)",
            f"a window of length {win.size}",
            "pass a shorter window",
        )
    if nperseg is not None and _validate.integer(nperseg, "nperseg") != win.size:
        raise _validate.error(
            "nperseg",
            f"must equal len(window) = {win.size}",
            nperseg,
            "drop nperseg or pass a window of that length",
        )
    return win, win.size


def _nfft(nfft, nperseg):
    if nfft is None:
        return nperseg
    return _validate.integer(
        nfft, "nfft", low=nperseg, fix="pass nfft >= nperseg (zero padding) or leave it None"
    )


#: the most negative ``noverlap`` taken (a gap of 2**62 samples between segments)
MOST_GAP = -(2**62)


def _noverlap(noverlap, nperseg, gaps=True):
    """``noverlap`` below ``nperseg``; ``gaps``: a negative one is taken, as SciPy takes
    it (segments ``nperseg - noverlap`` apart, the samples between them unused)."""
    if not gaps:
        return _validate.integer(
            noverlap,
            "noverlap",
            low=0,
            high=nperseg - 1,
            fix=f"pass an overlap below nperseg = {nperseg}",
        )
    noverlap = _validate.integer(noverlap, "noverlap", low=MOST_GAP)
    if noverlap >= nperseg:
        raise _validate.error(
            "noverlap", f"must be < nperseg = {nperseg}", noverlap, "pass a smaller overlap"
        )
    return noverlap


def _frames_as_scipy_passes(detrend, outer, axis):
    """A callable ``detrend`` called on the frames as SciPy's ``_spectral_helper`` hands
    them over: ``outer + (n_frames, nperseg)``, and for ``axis != -1`` with the samples
    moved to ``axis`` (and back after); the kernels' frames are ``(C, n_frames, L)``."""

    def call(raw):
        d = raw.reshape(outer + raw.shape[1:])
        if axis != -1:
            d = np.moveaxis(d, -1, axis)
        d = np.asarray(detrend(d))
        if axis != -1:
            d = np.moveaxis(d, axis, -1)
        return d.reshape(raw.shape)

    return call


def _helper(
    x,
    fs,
    window,
    nperseg,
    noverlap,
    nfft,
    detrend,
    return_onesided,
    scaling,
    axis,
    mode,
    boundary=None,
    padded=False,
    default_overlap=None,
    post=None,
):
    """SciPy's ``_spectral_helper`` for ``x is y``: ``(freqs, time, result)``; ``post``
    maps the result while its frequencies are the last axis (``spectrogram``'s modes)."""
    _validate.choice(boundary, "boundary", _BOUNDARY)
    padded = _validate.boolean(padded, "padded")
    return_onesided = _validate.boolean(return_onesided, "return_onesided")
    fs = _validate.real(fs, "fs", low=0, low_open=True)
    sig = read_signal(x, axis=axis, min_len=0)
    values = sig.values
    if values.size == 0:
        return np.empty(values.shape), np.empty(values.shape), np.empty(values.shape)
    x2, outer = channels(values, sig.axis)
    win, nperseg = _triage(window, nperseg, x2.shape[1])
    nfft = _nfft(nfft, nperseg)
    check_size(nfft * x2.shape[0] * max(1, x2.shape[1] // max(1, nperseg)), "nfft", nfft)
    if noverlap is None:
        noverlap = nperseg // 2 if default_overlap is None else default_overlap(nperseg)
    noverlap = _noverlap(noverlap, nperseg)
    step = nperseg - noverlap
    if boundary == "zeros":
        # zeros each side and the end padding in one allocation
        half = nperseg // 2
        n_ext = x2.shape[1] + 2 * half
        nadd = (-(n_ext - nperseg) % step) % nperseg if padded else 0
        ext = np.zeros(
            (x2.shape[0], n_ext + nadd), dtype=x2.dtype if np.iscomplexobj(x2) else np.float64
        )
        ext[:, half : half + x2.shape[1]] = x2
        x2, padded = ext, False
    elif boundary is not None:
        half = nperseg // 2
        if half > 0:
            if x2.shape[1] <= half and boundary != "constant":
                raise _validate.error(
                    "x",
                    f"must have more than nperseg // 2 = {half} samples for boundary={boundary!r}",
                    f"{x2.shape[1]} samples",
                    "pass a longer signal or boundary='zeros'",
                )
            x2 = extend(x2, half, boundary)
    if padded:
        nadd = (-(x2.shape[1] - nperseg) % step) % nperseg
        x2 = np.concatenate((x2, np.zeros((x2.shape[0], nadd), dtype=x2.dtype)), axis=1)
    _validate.choice(scaling, "scaling", ("density", "spectrum"))
    scale = 1.0 / (fs * np.sum(win * win)) if scaling == "density" else 1.0 / np.sum(win) ** 2
    onesided = bool(return_onesided)
    if onesided and np.iscomplexobj(x2):
        warn("Input data is complex, switching to return_onesided=False", UserWarning)
        onesided = False
    det = detrend_code(detrend)
    if callable(det):
        last = sig.axis == sig.values.ndim - 1  # SciPy's default, axis=-1
        scipy_axis = (-1 if last else sig.axis) if axis is None else int(axis)
        det = _frames_as_scipy_passes(det, outer, scipy_axis)
    x2 = x2 if np.iscomplexobj(x2) else np.ascontiguousarray(x2, dtype=np.float64)
    # data near the float64 limits are scaled by exact powers of two, scaled back last
    x2, s = scale_down(x2)
    if mode == "stft":
        res = framed_fft(x2, win * np.sqrt(scale), step, nfft, det, onesided)
        factors = (s,)
    else:
        res = framed_fft(x2, win, step, nfft, det, onesided)
        res = (res.real * res.real + res.imag * res.imag) * scale
        if onesided:
            res[..., 1 : None if nfft % 2 else -1] *= 2
        factors = (s, s)
    freqs = sfft.rfftfreq(nfft, 1 / fs) if onesided else sfft.fftfreq(nfft, 1 / fs)
    time = np.arange(nperseg / 2, x2.shape[1] - nperseg / 2 + 1, step) / fs
    if boundary is not None:
        time -= (nperseg / 2) / fs
    # unscaled data has |x| <= 2**400 and a frame sums at most 2**40 terms: with an
    # effective window max|win| sqrt(scale) <= 2**60 no value can overflow
    bounded = s is None and float(np.max(np.abs(win))) * np.sqrt(scale) <= 2.0**60
    res = rescale(
        res,
        factors,
        "The short-time spectrum",
        spectrum_dtype(sig.dtype, real=mode != "stft"),
        bounded=bounded,
    )
    if post is not None:
        res = post(res)
    # (C, frames, freq) -> outer + (freq at `axis`, ..., frames last)
    res = res.reshape(outer + res.shape[1:])
    res = np.moveaxis(res, -1, sig.axis)
    return freqs, time, res
