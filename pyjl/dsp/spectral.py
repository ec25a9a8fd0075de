"""Power spectral densities: ``periodogram``, ``welch``, ``csd``, ``coherence``.

Welch's method averages modified periodograms of overlapping segments
(Welch, IEEE Trans. Audio Electroacoust. 15(2), 1967):

    P_xy(f) = mean_k  conj(X_k(f)) Y_k(f) * scale,
    X_k = FFT(detrend(x[k*step : k*step + nperseg]) * win),

with ``scale = 1 / (fs * sum(win**2))`` for ``scaling="density"`` and
``1 / sum(win)**2`` for ``"spectrum"``; one-sided spectra double every bin but
DC (and Nyquist for even ``nfft``).  Arguments, defaults and results follow
:mod:`scipy.signal` (SciPy >= 1.15 semantics: ``window="hann_periodic"``).
DataFrames give DataFrames indexed by frequency, one column per input column.

>>> import numpy as np
>>> from pyjl.dsp import welch
>>> f, p = welch(np.random.default_rng(0).standard_normal(4096), nperseg=256)
>>> f.shape, p.shape, bool(abs(p.mean() - 2.0) < 0.2)
((129,), (129,), True)
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.fft as sfft

from ..exceptions import InputError
from ._edge import as_int, channels, from_channels, read_signal
from ._frames import detrend_code, frame_groups, framed_fft, window_array

__all__ = ["periodogram", "welch", "csd", "coherence"]


def _median_bias(n: int) -> float:
    ii_2 = 2 * np.arange(1.0, (n - 1) // 2 + 1)
    return 1 + np.sum(1.0 / (ii_2 + 1) - 1.0 / ii_2)


def _segment_args(window, nperseg, noverlap, nfft, n):
    if isinstance(window, (str, tuple)):
        nperseg = 256 if nperseg is None else as_int(nperseg, "nperseg", minimum=1)
        if n < nperseg:
            warnings.warn(f"nperseg={nperseg} is greater than signal length max(len(x), "
                          f"len(y)) = {n}, using nperseg = {n}", stacklevel=4)
            nperseg = n
        win = window_array(window, nperseg)
    else:
        win = window_array(window, 0)
        if nperseg is None:
            nperseg = win.size
        nperseg = as_int(nperseg, "nperseg", minimum=1)
    if nperseg != win.size:
        raise InputError(f"`nperseg` must equal len(window) = {win.size}; got {nperseg}. "
                         "Fix: drop nperseg or pass a window of that length.")
    nfft = nperseg if nfft is None else as_int(nfft, "nfft")
    if nfft < nperseg:
        raise InputError(f"`nfft` must be >= nperseg = {nperseg}; got {nfft}. "
                         "Fix: pass nfft >= nperseg (zero padding) or leave it None.")
    noverlap = nperseg // 2 if noverlap is None else as_int(noverlap, "noverlap", minimum=0)
    if noverlap >= nperseg:
        raise InputError(f"`noverlap` must be < nperseg = {nperseg}; got {noverlap}. "
                         "Fix: pass a smaller overlap.")
    return win, nperseg, noverlap, nfft


def _pair(x, y, axis):
    """Two validated signals broadcast over their outer axes and zero-padded to one
    length, as ``(x2, y2 or None, outer, axis, sig)``."""
    sx = read_signal(x, name="x", axis=axis, min_len=0)
    if y is None:
        x2, outer = channels(sx.values, sx.axis)
        return x2, None, outer, sx
    sy = read_signal(y, name="y", axis=sx.axis - sx.values.ndim if axis is None else axis,
                     min_len=0)
    xv, yv = np.moveaxis(sx.values, sx.axis, -1), np.moveaxis(sy.values, sy.axis, -1)
    try:
        outer = np.broadcast_shapes(xv.shape[:-1], yv.shape[:-1])
    except ValueError:
        raise InputError(f"`x` and `y` must broadcast outside the time axis; got shapes "
                         f"{sx.values.shape} and {sy.values.shape}. Fix: make their other "
                         "axes match (or be 1).") from None
    n = max(xv.shape[-1], yv.shape[-1])
    xv = np.broadcast_to(xv, outer + (xv.shape[-1],))
    yv = np.broadcast_to(yv, outer + (yv.shape[-1],))
    x2, y2 = (np.zeros(outer + (n,), dtype=v.dtype) for v in (xv, yv))
    x2[..., :xv.shape[-1]] = xv
    y2[..., :yv.shape[-1]] = yv
    m = int(np.prod(outer))
    return x2.reshape(m, n), y2.reshape(m, n), outer, sx


def _as_float(x2):
    return x2 if np.iscomplexobj(x2) else np.ascontiguousarray(x2, dtype=np.float64)


def csd(x, y, fs=1.0, window="hann_periodic", nperseg=None, noverlap=None, nfft=None,
        detrend="constant", return_onesided=True, scaling="density", axis=None,
        average="mean"):
    """Cross spectral density ``(f, Pxy)`` by Welch's method (:func:`scipy.signal.csd`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> y = np.roll(x, 3)
    >>> f, p = dsp.csd(x, y, nperseg=64)
    >>> bool(np.allclose(p, signal.csd(x, y, nperseg=64)[1]))
    True
    """
    return _csd(x, y, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling,
                axis, average, same=y is x)


def _csd(x, y, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling, axis,
         average, same):
    if scaling not in ("density", "spectrum"):
        raise InputError(f"`scaling` must be 'density' or 'spectrum'; got {scaling!r}.")
    if average not in ("mean", "median"):
        raise InputError(f"`average` must be 'mean' or 'median'; got {average!r}.")
    fs = float(fs)
    if not np.isfinite(fs) or fs <= 0:
        raise InputError(f"`fs` must be a positive sampling rate; got {fs}.")
    x2, y2, outer, sig = _pair(x, None if same else y, axis)
    dt_in = [sig.values] + ([] if same else [np.asarray(y)])
    out_dt = np.result_type(*[np.asarray(v).dtype for v in dt_in], np.complex64)
    n = x2.shape[1]
    if x2.size == 0 or n == 0:
        return np.empty(sig.values.shape), np.empty(sig.values.shape)
    win, nperseg, noverlap, nfft = _segment_args(window, nperseg, noverlap, nfft, n)
    det = detrend_code(detrend)
    onesided = bool(return_onesided) and not np.iscomplexobj(x2) and \
        not (y2 is not None and np.iscomplexobj(y2))
    step = nperseg - noverlap
    n_frames = (n - noverlap) // step
    scale = 1.0 / (fs * np.sum(win * win)) if scaling == "density" else 1.0 / np.sum(win) ** 2
    x2, y2 = _as_float(x2), (None if y2 is None else _as_float(y2))
    keep_all = average == "median"
    total, parts = {}, {}
    for rows, g in frame_groups(n_frames, max(nperseg, nfft), x2.shape[0]):
        X = framed_fft(x2[rows], win, step, nfft, det, onesided, g)
        if y2 is None:
            # |X|^2 on the (re, im) pairs of the fresh spectra, squared in place: two
            # contiguous passes instead of strided .real/.imag temporaries
            v = X.view(X.real.dtype)
            np.multiply(v, v, out=v)
            if not keep_all:
                v = np.add.reduce(v, axis=1)
            P = v[..., 0::2] + v[..., 1::2]
        else:
            P = np.conjugate(X) * framed_fft(y2[rows], win, step, nfft, det, onesided, g)
        key = (rows.start, rows.stop)
        if keep_all:
            parts.setdefault(key, []).append(P)
        else:
            s = P if y2 is None else P.sum(axis=1)
            total[key] = s if key not in total else total[key] + s
    if keep_all:
        P = np.concatenate([np.concatenate(parts[k], axis=1) for k in sorted(parts)],
                           axis=0) * scale
        if n_frames > 1:
            if np.iscomplexobj(P):
                P = np.median(P.real, axis=1) + 1j * np.median(P.imag, axis=1)
            else:
                P = np.median(P, axis=1)
            P = P / _median_bias(n_frames)
        else:
            P = P[:, 0]
    else:
        P = np.concatenate([total[k] for k in sorted(total)], axis=0) * (scale / n_frames)
    if onesided:
        P[:, 1:-1 if nfft % 2 == 0 else None] *= 2
    freqs = sfft.rfftfreq(nfft, 1 / fs) if onesided else sfft.fftfreq(nfft, 1 / fs)
    P = P.astype(out_dt)
    if same:
        P = P.real
    P = from_channels(P, outer, sig.axis)
    return freqs, sig.restore(P, index=freqs)


def welch(x, fs=1.0, window="hann_periodic", nperseg=None, noverlap=None, nfft=None,
          detrend="constant", return_onesided=True, scaling="density", axis=None,
          average="mean"):
    """Power spectral density ``(f, Pxx)`` by Welch's method (:func:`scipy.signal.welch`).

    Segments of ``nperseg`` (256) samples overlap by ``noverlap`` (half), are
    detrended (``"constant"``), windowed and transformed; their periodograms
    are averaged (``"mean"``, or ``"median"`` with its bias removed).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> f, p = dsp.welch(x, nperseg=64)
    >>> f.shape
    (33,)
    >>> bool(np.allclose(p, signal.welch(x, nperseg=64)[1]))
    True
    """
    return _csd(x, x, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling,
                axis, average, same=True)


def periodogram(x, fs=1.0, window="boxcar", nfft=None, detrend="constant",
                return_onesided=True, scaling="density", axis=None):
    """Periodogram ``(f, Pxx)``: one segment spanning the signal
    (:func:`scipy.signal.periodogram`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> f, p = dsp.periodogram(x, fs=100.0)
    >>> f.shape, p.shape
    ((129,), (129,))
    >>> bool(np.allclose(p, signal.periodogram(x, fs=100.0)[1]))
    True
    """
    sig = read_signal(x, axis=axis, min_len=0)
    values = sig.values
    if values.size == 0:
        return np.empty(values.shape), np.empty(values.shape)
    if window is None:
        window = "boxcar"
    n = values.shape[sig.axis]
    if nfft is None:
        nperseg = n
    else:
        nfft = as_int(nfft, "nfft", minimum=1)
        if nfft >= n:
            nperseg = n
            nfft = None if nfft == n else nfft
        else:
            values = np.take(values, np.arange(nfft), axis=sig.axis)
            nperseg, nfft = nfft, None
    if hasattr(window, "size") and np.size(window) != nperseg:
        raise InputError(f"`window` must have the signal's length {nperseg}; got "
                         f"{np.size(window)}. Fix: pass a window of that length.")
    f, p = welch(values, fs=fs, window=window, nperseg=nperseg, noverlap=0, nfft=nfft,
                 detrend=detrend, return_onesided=return_onesided, scaling=scaling,
                 axis=sig.axis)
    return f, sig.restore(p, index=f)


def coherence(x, y, fs=1.0, window="hann_periodic", nperseg=None, noverlap=None, nfft=None,
              detrend="constant", axis=None):
    """Magnitude-squared coherence ``Cxy = |Pxy|**2 / (Pxx Pyy)``
    (:func:`scipy.signal.coherence`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> y = x + 0.5 * np.random.default_rng(1).standard_normal(256)
    >>> f, c = dsp.coherence(x, y, nperseg=64)
    >>> bool(np.allclose(c, signal.coherence(x, y, nperseg=64)[1]))
    True
    """
    kw = dict(fs=fs, window=window, nperseg=nperseg, noverlap=noverlap, nfft=nfft,
              detrend=detrend)
    sx = read_signal(x, name="x", axis=axis, min_len=0)
    sy = read_signal(y, name="y", axis=axis, min_len=0)
    ax_x = sx.axis - sx.values.ndim
    freqs, pxx = welch(sx.values, axis=ax_x, **kw)
    _, pyy = welch(sy.values, axis=sy.axis - sy.values.ndim, **kw)
    _, pxy = csd(sx.values, sy.values, axis=ax_x, **kw)
    c = np.abs(pxy) ** 2 / pxx / pyy
    return freqs, sx.restore(c, index=freqs)
