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

import functools

import numpy as np
import scipy.fft as sfft

from .. import _validate
from .._warn import warn
from ..data import as_raw
from ..exceptions import NumericalWarning
from ._frames import check_size, rescale, scale_down, window_of_length, workers
from ._inputs import axis_index, read_signal
from ._memo import by_value
from ._short_time import _helper, _nfft, _noverlap

__all__ = ["stft", "istft", "spectrogram", "hilbert"]


def stft(
    x,
    fs=1.0,
    window="hann_periodic",
    nperseg=256,
    noverlap=None,
    nfft=None,
    detrend=False,
    return_onesided=True,
    boundary="zeros",
    padded=True,
    axis=None,
    scaling="spectrum",
):
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
    scaling = _validate.choice(scaling, "scaling", ("spectrum", "psd"))
    scaling = "density" if scaling == "psd" else scaling
    return _helper(
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
        "stft",
        boundary=boundary,
        padded=padded,
    )


def spectrogram(
    x,
    fs=1.0,
    window=("tukey_periodic", 0.25),
    nperseg=None,
    noverlap=None,
    nfft=None,
    detrend="constant",
    return_onesided=True,
    scaling="density",
    axis=None,
    mode="psd",
):
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
    _validate.choice(mode, "mode", modes)
    kind = "psd" if mode == "psd" else "stft"
    post = {  # frequencies last here: SciPy unwraps the phase along them
        "magnitude": np.abs,
        "angle": np.angle,
        "phase": lambda S: np.unwrap(np.angle(S), axis=-1),
    }.get(mode)
    return _helper(
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
        kind,
        default_overlap=lambda n: n // 8,
        post=post,
    )


def istft(
    Zxx,
    fs=1.0,
    window="hann_periodic",
    nperseg=None,
    noverlap=None,
    nfft=None,
    input_onesided=True,
    boundary=True,
    time_axis=-1,
    freq_axis=-2,
    scaling="spectrum",
):
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
    Z = as_raw(Zxx, "Zxx")
    if Z.dtype.kind not in "biufc":
        raise _validate.error(
            "Zxx",
            "must be numeric (a complex STFT)",
            f"dtype {Z.dtype}",
            "pass the Zxx returned by stft",
        )
    Z = Z + 0j
    fs = _validate.real(fs, "fs", low=0, low_open=True)
    input_onesided = _validate.boolean(input_onesided, "input_onesided")
    boundary = _validate.boolean(boundary, "boundary")
    if Z.ndim < 2:
        raise _validate.error(
            "Zxx",
            "must be at least 2-D (frequencies x frames)",
            f"shape {Z.shape}",
            "pass the Zxx returned by stft",
        )
    ta = axis_index(time_axis, Z.shape, "Zxx", "time_axis")
    fa = axis_index(freq_axis, Z.shape, "Zxx", "freq_axis")
    if ta == fa:
        raise _validate.error(
            "time_axis",
            "must differ from freq_axis",
            time_axis,
            "pass different time and frequency axes",
        )

    def require_finite():
        bad = np.flatnonzero(~np.isfinite(Z.ravel()))
        if bad.size:
            raise _validate.error(
                "Zxx",
                "must be finite",
                f"{Z.ravel()[bad[0]]} at flat index {bad[0]}",
                "remove NaN/inf values from the STFT",
            )

    # a spectrum near the float64 limits is scaled by a power of two, scaled back last (the
    # same pass proves it finite, else require_finite looks)
    flat, s = scale_down(Z.reshape(1, -1), require_finite=require_finite)
    Z = Z if s is None else flat.reshape(Z.shape)
    _validate.choice(scaling, "scaling", ("spectrum", "psd"))
    n_default = 2 * (Z.shape[fa] - 1) if input_onesided else Z.shape[fa]
    nperseg = n_default if nperseg is None else _validate.integer(nperseg, "nperseg", low=1)
    if nfft is None:
        nfft = nperseg if (input_onesided and nperseg == n_default + 1) else n_default
        if nfft < nperseg:
            raise _validate.error(
                "nperseg",
                f"must be at most the STFT's FFT length {nfft} (from {Z.shape[fa]} frequencies)",
                nperseg,
                "pass the nperseg (and nfft) used for the stft",
            )
    else:
        nfft = _nfft(nfft, nperseg)
    check_size(nfft * Z.size // max(1, Z.shape[fa]), "nfft", nfft)
    noverlap = _noverlap(nperseg // 2 if noverlap is None else noverlap, nperseg)
    step = nperseg - noverlap
    win = window_of_length(window, nperseg)
    outer_axes = [k for k in range(Z.ndim) if k not in (ta, fa)]
    Z = np.transpose(Z, outer_axes + [ta, fa])  # (..., frames, freq)
    ifunc = sfft.irfft if input_onesided else sfft.ifft
    w = workers(Z.size // max(1, Z.shape[-1]) * nfft, nfft)
    seg = ifunc(Z, n=nfft, axis=-1, workers=w)[..., :nperseg]
    seg = seg * (win.sum() if scaling == "spectrum" else np.sqrt(fs * np.sum(win**2)))
    x = _overlap_add(seg * win, step)
    half = nperseg // 2 if boundary else 0
    if half:
        x = x[..., half : x.shape[-1] - half]
    divisor, weak = _window_norm(win, step, seg.shape[-2], half)
    _check_nola(weak, divisor.size, boundary)
    x = x / divisor
    if input_onesided:
        x = x.real
    x = rescale(
        x,
        (None if s is None else s.reshape(()),),
        "The inverse STFT",
        Z.dtype if not input_onesided else Z.real.dtype,
    )
    if x.ndim > 1 and ta != Z.ndim - 1:
        x = np.moveaxis(x, -1, ta - (1 if fa < ta else 0))
    time = np.arange(x.shape[0]) / float(fs)
    return time, x


def _overlap_add(seg, step):
    """Overlap-add of segments ``seg (..., n_seg, L)`` at hop ``step``."""
    nseg, nperseg = seg.shape[-2:]
    length = nperseg + (nseg - 1) * step
    x = np.zeros(seg.shape[:-2] + (length,), dtype=seg.dtype)
    if nperseg % step == 0:
        # hop dividing the segment: x in rows of `step`, where chunk k of every segment
        # lands on rows k, k + 1, ...: the same additions by plain slices
        r = nperseg // step
        rows = x.reshape(x.shape[:-1] + (nseg + r - 1, step))
        parts = seg.reshape(seg.shape[:-1] + (r, step))
        for k in range(r):
            rows[..., k : k + nseg, :] += parts[..., k, :]
        return x
    # overlap-add in chunks of <= step samples, so one chunk's writes never collide
    for j in range(0, nperseg, step):
        w = min(step, nperseg - j)
        base = x[..., j:]
        view = np.lib.stride_tricks.as_strided(
            base,
            shape=base.shape[:-1] + (nseg, w),
            strides=base.strides[:-1] + (step * base.strides[-1], base.strides[-1]),
            writeable=True,
        )
        view += seg[..., j : j + w]
    return x


@functools.partial(by_value, shared=True)
def _window_norm(win, step, nseg, half):
    """``(divisor, weak)`` of the summed squared window of ``nseg`` frames at hop ``step``,
    ``half`` samples trimmed each side: the sum where it exceeds 1e-10, else 1, and the
    indices where it does not (once per window and hop)."""
    norm = _overlap_add(np.broadcast_to(win * win, (nseg, win.size)), step)
    norm = norm[half : norm.size - half]
    return np.where(norm > 1e-10, norm, 1.0), np.flatnonzero(norm <= 1e-10)


def _check_nola(weak, size, boundary):
    """Warn (SciPy's message, a :class:`~pyjl.exceptions.NumericalWarning`) where the
    summed squared window vanishes (``weak``, of ``size`` output samples): those samples
    cannot be recovered and are left undivided (near zero), as in SciPy."""
    if weak.size:
        warn(
            "NOLA condition failed, STFT may not be invertible."
            + (" Possibly due to missing boundary" if not boundary else "")
            + f" The summed squared window is ~0 at {weak.size} of {size} "
            f"output samples (first at {weak[0]}); those samples are not "
            "recovered. Fix: use a window and noverlap that satisfy "
            "scipy.signal.check_NOLA (e.g. 'hann' with noverlap = nperseg // 2).",
            NumericalWarning,
        )


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
    sig = read_signal(x, axis=axis, min_len=0, finite=False)
    # data near the float64 limits are scaled by exact powers of two, scaled back last
    # (the same pass proves the data finite, else the reader's check runs)
    values, s = scale_down(sig.values, sig.axis, sig.require_finite)
    if np.iscomplexobj(values):
        raise _validate.error(
            "x", "must be real for hilbert", "complex values", "pass the real signal"
        )
    if N is None and sig.n == 0:
        raise _validate.error(
            "x",
            "must have at least one sample along axis",
            f"an empty axis {sig.axis} (shape {sig.values.shape})",
            "pass a non-empty signal or a positive N",
        )
    n = sig.n if N is None else _validate.integer(N, "N", low=1, fix="pass a positive FFT length")
    check_size(n * sig.values.size // max(1, sig.n), "N", n)
    w = workers(values.size // max(1, sig.n) * n, n)
    # the one-sided spectrum (of real data it holds every value the two-sided one would)
    # weighted 1, 2, ..., 2, (1 at n / 2), the negative frequencies zero
    X = sfft.rfft(values, n, axis=sig.axis, workers=w)
    shape = list(X.shape)
    shape[sig.axis] = n
    Z = np.zeros(shape, dtype=np.result_type(X.dtype, np.complex64))
    Xv, Zv = (
        (X, Z)
        if sig.axis == X.ndim - 1
        else (np.moveaxis(X, sig.axis, -1), np.moveaxis(Z, sig.axis, -1))
    )
    half = (n + 1) // 2
    Zv[..., 0] = Xv[..., 0]
    np.multiply(Xv[..., 1:half], 2, out=Zv[..., 1:half])
    if n % 2 == 0:
        Zv[..., half] = Xv[..., half]
    z = sfft.ifft(Z, axis=sig.axis, workers=w, overwrite_x=True)
    # unscaled float64 data (|x| <= 2**400) grow at most n-fold: no overflow to look for
    bounded = s is None and values.dtype == np.float64
    # SciPy's scipy.fft takes float16 to complex64 (and integers to complex128)
    dt = np.complex64 if sig.dtype == np.float16 else None
    return sig.restore(rescale(z, (s,), "The analytic signal", dt, bounded=bounded))
