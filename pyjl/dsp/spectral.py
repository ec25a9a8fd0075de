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

from .. import _validate
from ..exceptions import NumericalWarning
from ._frames import (
    check_size,
    detrend_code,
    frame_groups,
    framed_fft,
    rescale,
    scale_down,
    window_array,
)
from ._inputs import channels, from_channels, read_signal

__all__ = ["periodogram", "welch", "csd", "coherence"]


def _median_bias(n: int) -> float:
    ii_2 = 2 * np.arange(1.0, (n - 1) // 2 + 1)
    return 1 + np.sum(1.0 / (ii_2 + 1) - 1.0 / ii_2)


def _segment_args(window, nperseg, noverlap, nfft, n):
    if isinstance(window, (str, tuple)):
        nperseg = 256 if nperseg is None else _validate.integer(nperseg, "nperseg", low=1)
        if n < nperseg:
            warnings.warn(
                f"nperseg={nperseg} is greater than signal length max(len(x), "
                f"len(y)) = {n}, using nperseg = {n}",
                stacklevel=4,
            )
            nperseg = n
        win = window_array(window, nperseg)
    else:
        win = window_array(window, 0)
        if win.size > n:
            raise _validate.error(
                "window",
                f"must not be longer than the signal ({n} samples)",
                f"a window of length {win.size}",
                "pass a shorter window or a longer signal",
            )
        if nperseg is None:
            nperseg = win.size
        nperseg = _validate.integer(nperseg, "nperseg", low=1)
    if nperseg != win.size:
        raise _validate.error(
            "nperseg",
            f"must equal len(window) = {win.size}",
            nperseg,
            "drop nperseg or pass a window of that length",
        )
    nfft = nperseg if nfft is None else _validate.integer(nfft, "nfft")
    if nfft < nperseg:
        raise _validate.error(
            "nfft",
            f"must be >= nperseg = {nperseg}",
            nfft,
            "pass nfft >= nperseg (zero padding) or leave it None",
        )
    noverlap = nperseg // 2 if noverlap is None else _validate.integer(noverlap, "noverlap", low=0)
    if noverlap >= nperseg:
        raise _validate.error(
            "noverlap", f"must be < nperseg = {nperseg}", noverlap, "pass a smaller overlap"
        )
    return win, nperseg, noverlap, nfft


def _is_empty(v) -> bool:
    return isinstance(v, (np.ndarray, list, tuple)) and np.size(v) == 0


def _pair(x, y, axis):
    """Two validated signals broadcast over their outer axes and zero-padded to one
    length, as ``(x2, y2 or None, outer, sig, y_dtype)``; ``x2`` is None when either
    is empty, and ``outer`` is then the shape of SciPy's empty result."""
    if y is not None and (_is_empty(x) or _is_empty(y)):
        # an empty spectrum: only the shapes matter (SciPy does not read the values)
        x, y = (v if _is_empty(v) else np.zeros(np.shape(v)) for v in (x, y))
    sx = read_signal(x, name="x", axis=axis, min_len=0)
    if y is None:
        x2, outer = channels(sx.values, sx.axis)
        return (None if sx.values.size == 0 else x2), None, outer, sx, None
    sy = read_signal(
        y, name="y", axis=sx.axis - sx.values.ndim if axis is None else axis, min_len=0
    )
    xv, yv = np.moveaxis(sx.values, sx.axis, -1), np.moveaxis(sy.values, sy.axis, -1)
    try:
        outer = np.broadcast_shapes(xv.shape[:-1], yv.shape[:-1])
    except ValueError:
        raise _validate.error(
            "y",
            "must broadcast with `x` outside the time axis (x and y cannot be broadcast together)",
            f"shapes {sx.values.shape} and {sy.values.shape}",
            "make their other axes match (or be 1)",
        ) from None
    if sx.values.size == 0 or sy.values.size == 0:
        return None, None, outer + (min(xv.shape[-1], yv.shape[-1]),), sx, sy.values.dtype
    n = max(xv.shape[-1], yv.shape[-1])
    xv = np.broadcast_to(xv, outer + (xv.shape[-1],))
    yv = np.broadcast_to(yv, outer + (yv.shape[-1],))
    x2, y2 = (np.zeros(outer + (n,), dtype=v.dtype) for v in (xv, yv))
    x2[..., : xv.shape[-1]] = xv
    y2[..., : yv.shape[-1]] = yv
    m = int(np.prod(outer))
    return x2.reshape(m, n), y2.reshape(m, n), outer, sx, sy.values.dtype


def _as_float(x2):
    return x2 if np.iscomplexobj(x2) else np.ascontiguousarray(x2, dtype=np.float64)


def csd(
    x,
    y,
    fs=1.0,
    window="hann_periodic",
    nperseg=None,
    noverlap=None,
    nfft=None,
    detrend="constant",
    return_onesided=True,
    scaling="density",
    axis=None,
    average="mean",
):
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
    if y is None:
        raise _validate.error("y", "must be a signal", None, "pass y (welch(x) is csd(x, x))")
    return _csd(
        x,
        y,
        fs,
        window,
        nperseg,
        noverlap,
        nfft,
        detrend,
        return_onesided,
        scaling,
        axis,
        average,
        same=y is x,
    )


def _csd(
    x,
    y,
    fs,
    window,
    nperseg,
    noverlap,
    nfft,
    detrend,
    return_onesided,
    scaling,
    axis,
    average,
    same,
):
    _validate.choice(scaling, "scaling", ("density", "spectrum"))
    _validate.choice(average, "average", ("mean", "median"))
    fs = _validate.real(fs, "fs", low=0, low_open=True)
    x2, y2, outer, sig, y_dt = _pair(x, None if same else y, axis)
    out_dt = np.result_type(sig.values.dtype, np.complex64, *([] if same else [y_dt]))
    if x2 is None:
        if same:
            return np.empty(sig.values.shape), np.empty(sig.values.shape)
        empty = np.moveaxis(np.empty(outer), -1, sig.axis - sig.values.ndim)
        return empty, empty
    n = x2.shape[1]
    win, nperseg, noverlap, nfft = _segment_args(window, nperseg, noverlap, nfft, n)
    check_size(nfft * x2.shape[0], "nfft", nfft)
    det = detrend_code(detrend)
    onesided = (
        bool(return_onesided)
        and not np.iscomplexobj(x2)
        and not (y2 is not None and np.iscomplexobj(y2))
    )
    step = nperseg - noverlap
    n_frames = (n - noverlap) // step
    scale = 1.0 / (fs * np.sum(win * win)) if scaling == "density" else 1.0 / np.sum(win) ** 2
    x2, y2 = _as_float(x2), (None if y2 is None else _as_float(y2))
    # data near the float64 limits are scaled by exact powers of two, scaled back last
    x2, sx = scale_down(x2)
    sy = sx
    if y2 is not None:
        y2, sy = scale_down(y2)
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
        P = (
            np.concatenate([np.concatenate(parts[k], axis=1) for k in sorted(parts)], axis=0)
            * scale
        )
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
        P[:, 1 : -1 if nfft % 2 == 0 else None] *= 2
    freqs = sfft.rfftfreq(nfft, 1 / fs) if onesided else sfft.fftfreq(nfft, 1 / fs)
    if same:
        P = P.real
    P = rescale(P, (sx, sy), "The spectral density", out_dt.type(0).real.dtype if same else out_dt)
    P = from_channels(P, outer, sig.axis)
    return freqs, sig.restore(P, index=freqs)


def welch(
    x,
    fs=1.0,
    window="hann_periodic",
    nperseg=None,
    noverlap=None,
    nfft=None,
    detrend="constant",
    return_onesided=True,
    scaling="density",
    axis=None,
    average="mean",
):
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
    return _csd(
        x,
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
        average,
        same=True,
    )


def periodogram(
    x,
    fs=1.0,
    window="boxcar",
    nfft=None,
    detrend="constant",
    return_onesided=True,
    scaling="density",
    axis=None,
):
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
        nfft = _validate.integer(nfft, "nfft", low=1)
        if nfft >= n:
            nperseg = n
            nfft = None if nfft == n else nfft
        else:
            values = np.take(values, np.arange(nfft), axis=sig.axis)
            nperseg, nfft = nfft, None
    if hasattr(window, "size") and np.size(window) != nperseg:
        raise _validate.error(
            "window",
            f"must have the signal's length {nperseg}",
            f"a window of length {np.size(window)}",
            "pass a window of that length",
        )
    f, p = welch(
        values,
        fs=fs,
        window=window,
        nperseg=nperseg,
        noverlap=0,
        nfft=nfft,
        detrend=detrend,
        return_onesided=return_onesided,
        scaling=scaling,
        axis=sig.axis,
    )
    return f, sig.restore(p, index=f)


def coherence(
    x,
    y,
    fs=1.0,
    window="hann_periodic",
    nperseg=None,
    noverlap=None,
    nfft=None,
    detrend="constant",
    axis=None,
):
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
    sx = read_signal(x, name="x", axis=axis, min_len=0)
    sy = read_signal(y, name="y", axis=axis, min_len=0)
    ax_x, ax_y = sx.axis - sx.values.ndim, sy.axis - sy.values.ndim
    # coherence is free of scale, fs and scaling: each channel at unit scale and the
    # "spectrum" scaling keep |Pxy|**2 in range; complex data give two-sided spectra
    xv, yv = _unit_scale(sx.values, ax_x), _unit_scale(sy.values, ax_y)
    kw = dict(
        fs=fs,
        window=window,
        nperseg=nperseg,
        noverlap=noverlap,
        nfft=nfft,
        detrend=detrend,
        scaling="spectrum",
        return_onesided=not (np.iscomplexobj(xv) or np.iscomplexobj(yv)),
    )
    freqs, pxy = csd(xv, yv, axis=ax_x, **kw)
    if np.size(pxy) == 0:
        return freqs, np.abs(pxy)
    _, pxx = welch(xv, axis=ax_x, **kw)
    _, pyy = welch(yv, axis=ax_y, **kw)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.abs(pxy) ** 2 / pxx / pyy
    undefined = int(np.sum(np.isnan(c)))
    if undefined:
        warnings.warn(
            f"The coherence is undefined (0/0, NaN as in SciPy) at {undefined} of "
            f"{c.size} values, where x or y has no power at that frequency.",
            NumericalWarning,
            stacklevel=2,
        )
    return freqs, sx.restore(c, index=freqs)


def _unit_scale(values, axis):
    """``values`` divided channel-wise by a power of two ``s`` with ``peak / s`` in
    [1, 2) (exact: the coherence is unchanged, its fourth powers stay in range)."""
    if values.size == 0:
        return values
    peak = np.max(np.abs(values), axis=axis, keepdims=True)
    scale = np.where(peak > 0, np.ldexp(1.0, np.frexp(peak)[1] - 1), 1.0)
    return values / scale.astype(values.real.dtype)
