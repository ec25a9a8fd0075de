"""Time-frequency transforms: ``stft``, ``istft``, ``spectrogram``, ``hilbert``.

``stft`` frames the (boundary-extended, zero-padded) signal with the engine's
``stft_frames`` kernel and transforms every frame with ``scipy.fft``:

    Z[f, k] = sum_t win[t] x[k*step + t] e^{-2 pi i f t / nfft} * scale,

``istft`` inverts it by windowed overlap-add divided by the summed squared
window (Griffin & Lim, IEEE Trans. ASSP 32(2), 1984), exact when the window
satisfies the NOLA condition.  ``hilbert`` returns the analytic signal
``x + i H[x]`` by zeroing negative frequencies (Marple, IEEE Trans. SP 47(9),
1999).  Arguments and results follow :mod:`scipy.signal`.

>>> import numpy as np
>>> from pyjl.dsp import stft, istft
>>> x = np.random.default_rng(1).standard_normal(1000)
>>> f, t, Z = stft(x, nperseg=128)
>>> _, xr = istft(Z, nperseg=128)
>>> bool(np.allclose(xr[:1000], x))
True
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.fft as sfft

from ..exceptions import InputError
from ._edge import as_int, channels, read_signal
from ._frames import detrend_code, framed_fft, window_array, workers
from .filtering import extend

__all__ = ["stft", "istft", "spectrogram", "hilbert"]

_BOUNDARY = ("even", "odd", "constant", "zeros", None)


def _triage(window, nperseg, n):
    if isinstance(window, (str, tuple)):
        nperseg = 256 if nperseg is None else as_int(nperseg, "nperseg", minimum=1)
        if nperseg > n:
            warnings.warn(f"nperseg = {nperseg:d} is greater than input length  = {n:d}, "
                          f"using nperseg = {n:d}", stacklevel=4)
            nperseg = n
        return window_array(window, nperseg), nperseg
    win = window_array(window, 0)
    if n < win.size:
        raise InputError(f"`window` (length {win.size}) is longer than the signal ({n}). "
                         "Fix: pass a shorter window.")
    if nperseg is not None and as_int(nperseg, "nperseg") != win.size:
        raise InputError(f"`nperseg` must equal len(window) = {win.size}; got {nperseg}.")
    return win, win.size


def _helper(x, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling, axis,
            mode, boundary=None, padded=False, default_overlap=None):
    """SciPy's ``_spectral_helper`` for ``x is y``: ``(freqs, time, result)``."""
    if boundary not in _BOUNDARY:
        raise InputError(f"`boundary` must be one of {list(_BOUNDARY)}; got {boundary!r}.")
    fs = float(fs)
    if not np.isfinite(fs) or fs <= 0:
        raise InputError(f"`fs` must be a positive sampling rate; got {fs}.")
    sig = read_signal(x, axis=axis, min_len=0)
    values = sig.values
    if values.size == 0:
        return np.empty(values.shape), np.empty(values.shape), np.empty(values.shape)
    out_dt = np.result_type(values.dtype, np.complex64)
    x2, outer = channels(values, sig.axis)
    win, nperseg = _triage(window, nperseg, x2.shape[1])
    nfft = nperseg if nfft is None else as_int(nfft, "nfft")
    if nfft < nperseg:
        raise InputError(f"`nfft` must be >= nperseg = {nperseg}; got {nfft}.")
    if noverlap is None:
        noverlap = nperseg // 2 if default_overlap is None else default_overlap(nperseg)
    noverlap = as_int(noverlap, "noverlap", minimum=0)
    if noverlap >= nperseg:
        raise InputError(f"`noverlap` must be < nperseg = {nperseg}; got {noverlap}.")
    step = nperseg - noverlap
    if boundary == "zeros":
        # zeros each side and the end padding in one allocation
        half = nperseg // 2
        n_ext = x2.shape[1] + 2 * half
        nadd = (-(n_ext - nperseg) % step) % nperseg if padded else 0
        ext = np.zeros((x2.shape[0], n_ext + nadd),
                       dtype=x2.dtype if np.iscomplexobj(x2) else np.float64)
        ext[:, half:half + x2.shape[1]] = x2
        x2, padded = ext, False
    elif boundary is not None:
        half = nperseg // 2
        if half > 0:
            if x2.shape[1] <= half and boundary != "constant":
                raise InputError(f"`x` needs more than nperseg // 2 = {half} samples for "
                                 f"boundary={boundary!r}; got {x2.shape[1]}.")
            x2 = extend(x2, half, boundary)
    if padded:
        nadd = (-(x2.shape[1] - nperseg) % step) % nperseg
        x2 = np.concatenate((x2, np.zeros((x2.shape[0], nadd), dtype=x2.dtype)), axis=1)
    if scaling == "density":
        scale = 1.0 / (fs * np.sum(win * win))
    elif scaling == "spectrum":
        scale = 1.0 / np.sum(win) ** 2
    else:
        raise InputError(f"`scaling` must be 'density' or 'spectrum'; got {scaling!r}.")
    onesided = bool(return_onesided)
    if onesided and np.iscomplexobj(x2):
        warnings.warn("Input data is complex, switching to return_onesided=False",
                      stacklevel=4)
        onesided = False
    det = detrend_code(detrend)
    x2 = x2 if np.iscomplexobj(x2) else np.ascontiguousarray(x2, dtype=np.float64)
    if mode == "stft":
        res = framed_fft(x2, win * np.sqrt(scale), step, nfft, det, onesided)
    else:
        res = framed_fft(x2, win, step, nfft, det, onesided)
        res = (res.real * res.real + res.imag * res.imag) * scale
        if onesided:
            res[..., 1:None if nfft % 2 else -1] *= 2
    freqs = sfft.rfftfreq(nfft, 1 / fs) if onesided else sfft.fftfreq(nfft, 1 / fs)
    time = np.arange(nperseg / 2, x2.shape[1] - nperseg / 2 + 1, step) / fs
    if boundary is not None:
        time -= (nperseg / 2) / fs
    res = res.astype(out_dt if mode == "stft" else out_dt.type(0).real.dtype, copy=False)
    # (C, frames, freq) -> outer + (freq at `axis`, ..., frames last)
    res = res.reshape(outer + res.shape[1:])
    res = np.moveaxis(res, -1, sig.axis)
    return freqs, time, res


def stft(x, fs=1.0, window="hann_periodic", nperseg=256, noverlap=None, nfft=None,
         detrend=False, return_onesided=True, boundary="zeros", padded=True, axis=None,
         scaling="spectrum"):
    """Short-time Fourier transform ``(f, t, Zxx)`` (:func:`scipy.signal.stft`).

    ``Zxx`` has ``x``'s shape with ``axis`` replaced by the frequencies and a
    last axis of frames.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> f, t, Z = dsp.stft(x, nperseg=64)
    >>> Z.shape
    (33, 9)
    >>> bool(np.allclose(Z, signal.stft(x, nperseg=64)[2]))
    True
    """
    if scaling == "psd":
        scaling = "density"
    elif scaling != "spectrum":
        raise InputError(f"`scaling` must be 'spectrum' or 'psd'; got {scaling!r}.")
    return _helper(x, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling,
                   axis, "stft", boundary=boundary, padded=padded)


def spectrogram(x, fs=1.0, window=("tukey_periodic", 0.25), nperseg=None, noverlap=None,
                nfft=None, detrend="constant", return_onesided=True, scaling="density",
                axis=None, mode="psd"):
    """Spectrogram ``(f, t, Sxx)`` of consecutive Fourier transforms
    (:func:`scipy.signal.spectrogram`); ``noverlap`` defaults to ``nperseg // 8``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> f, t, S = dsp.spectrogram(x, nperseg=64)
    >>> S.shape
    (33, 4)
    >>> bool(np.allclose(S, signal.spectrogram(x, nperseg=64)[2]))
    True
    """
    modes = ("psd", "complex", "magnitude", "angle", "phase")
    if mode not in modes:
        raise InputError(f"`mode` must be one of {modes}; got {mode!r}.")
    kind = "psd" if mode == "psd" else "stft"
    f, t, S = _helper(x, fs, window, nperseg, noverlap, nfft, detrend, return_onesided,
                      scaling, axis, kind, default_overlap=lambda n: n // 8)
    if mode == "magnitude":
        S = np.abs(S)
    elif mode in ("angle", "phase"):
        S = np.angle(S)
        if mode == "phase":
            S = np.unwrap(S, axis=-1)
    return f, t, S


def istft(Zxx, fs=1.0, window="hann_periodic", nperseg=None, noverlap=None, nfft=None,
          input_onesided=True, boundary=True, time_axis=-1, freq_axis=-2, scaling="spectrum"):
    """Inverse STFT ``(t, x)`` by weighted overlap-add (:func:`scipy.signal.istft`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> f, t, Z = dsp.stft(x, nperseg=64)
    >>> t2, y = dsp.istft(Z, nperseg=64)
    >>> bool(np.allclose(y[:256], x))
    True
    """
    Z = np.asarray(Zxx) + 0j
    if Z.ndim < 2:
        raise InputError(f"`Zxx` must be at least 2-D (frequencies x frames); got shape "
                         f"{Z.shape}.")
    ta, fa = as_int(time_axis, "time_axis") % Z.ndim, as_int(freq_axis, "freq_axis") % Z.ndim
    if ta == fa:
        raise InputError("`time_axis` and `freq_axis` must differ; got both "
                         f"{time_axis}.")
    bad = np.flatnonzero(~np.isfinite(Z.ravel()))
    if bad.size:
        raise InputError(f"`Zxx` must be finite; first bad value at flat index {bad[0]}.")
    nseg = Z.shape[ta]
    n_default = 2 * (Z.shape[fa] - 1) if input_onesided else Z.shape[fa]
    nperseg = n_default if nperseg is None else as_int(nperseg, "nperseg", minimum=1)
    if nfft is None:
        nfft = nperseg if (input_onesided and nperseg == n_default + 1) else n_default
    else:
        nfft = as_int(nfft, "nfft")
        if nfft < nperseg:
            raise InputError(f"`nfft` must be >= nperseg = {nperseg}; got {nfft}.")
    noverlap = nperseg // 2 if noverlap is None else as_int(noverlap, "noverlap", minimum=0)
    if noverlap >= nperseg:
        raise InputError(f"`noverlap` must be < nperseg = {nperseg}; got {noverlap}.")
    step = nperseg - noverlap
    outer_axes = [k for k in range(Z.ndim) if k not in (ta, fa)]
    Z = np.transpose(Z, outer_axes + [ta, fa])            # (..., frames, freq)
    if isinstance(window, (str, tuple)):
        win = window_array(window, nperseg)
    else:
        win = window_array(window, 0)
        if win.size != nperseg:
            raise InputError(f"`window` must have length nperseg = {nperseg}; got {win.size}.")
    ifunc = sfft.irfft if input_onesided else sfft.ifft
    seg = ifunc(Z, n=nfft, axis=-1, workers=workers())[..., :nperseg]
    if scaling == "spectrum":
        seg = seg * win.sum()
    elif scaling == "psd":
        seg = seg * np.sqrt(fs * np.sum(win ** 2))
    else:
        raise InputError(f"`scaling` must be 'spectrum' or 'psd'; got {scaling!r}.")
    seg = seg * win
    length = nperseg + (nseg - 1) * step
    x = np.zeros(seg.shape[:-2] + (length,), dtype=seg.dtype)
    norm = np.zeros(length)
    w2 = np.broadcast_to(win * win, (nseg, nperseg))
    # overlap-add in chunks of <= step samples, so one chunk's writes never collide
    for j in range(0, nperseg, step):
        w = min(step, nperseg - j)
        for arr, src in ((x, seg[..., j:j + w]), (norm, w2[:, j:j + w])):
            base = arr[..., j:]
            view = np.lib.stride_tricks.as_strided(
                base, shape=base.shape[:-1] + (nseg, w),
                strides=base.strides[:-1] + (step * base.strides[-1], base.strides[-1]),
                writeable=True)
            view += src
    if boundary:
        half = nperseg // 2
        x, norm = x[..., half:length - half], norm[half:length - half]
    if np.sum(norm > 1e-10) != len(norm):
        warnings.warn("NOLA condition failed, STFT may not be invertible."
                      + (" Possibly due to missing boundary" if not boundary else ""),
                      stacklevel=2)
    x = x / np.where(norm > 1e-10, norm, 1.0)
    if input_onesided:
        x = x.real
    if x.ndim > 1 and ta != Z.ndim - 1:
        x = np.moveaxis(x, -1, ta - (1 if fa < ta else 0))
    time = np.arange(x.shape[0]) / float(fs)
    return time, x


def hilbert(x, N=None, axis=None):
    """Analytic signal ``x + i H[x]`` along ``axis`` (:func:`scipy.signal.hilbert`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> t = np.arange(200) / 200.0
    >>> z = dsp.hilbert(np.cos(2 * np.pi * 10 * t))
    >>> bool(np.allclose(z, signal.hilbert(np.cos(2 * np.pi * 10 * t))))
    True
    >>> bool(np.allclose(np.abs(z), 1.0))
    True
    """
    sig = read_signal(x, axis=axis, min_len=0)
    if np.iscomplexobj(sig.values):
        raise InputError("`x` must be real for hilbert; got complex values. Fix: pass the "
                         "real signal.")
    n = sig.values.shape[sig.axis] if N is None else as_int(N, "N")
    if n <= 0:
        raise InputError(f"`N` must be positive; got {n}.")
    Xf = sfft.fft(sig.values, n, axis=sig.axis, workers=workers())
    h = np.zeros(n)
    if n % 2 == 0:
        h[0] = h[n // 2] = 1
        h[1:n // 2] = 2
    else:
        h[0] = 1
        h[1:(n + 1) // 2] = 2
    shape = [1] * Xf.ndim
    shape[sig.axis] = n
    Xf *= h.reshape(shape)
    return sig.restore(sfft.ifft(Xf, axis=sig.axis, workers=workers(), overwrite_x=True))
