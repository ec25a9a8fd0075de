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
``csd`` and ``coherence`` read ``x`` and ``y`` along one axis: ``axis`` if given, else 0
(time down the rows) when either is a table and -1 otherwise; their other axes broadcast
(aligned from the end) and the result has the form of ``x``.

>>> import numpy as np
>>> from pyjl.dsp import welch
>>> f, p = welch(np.random.default_rng(0).standard_normal(4096), nperseg=256)
>>> f.shape, p.shape, bool(abs(p.mean() - 2.0) < 0.2)
((129,), (129,), True)
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from .._warn import warn
from ..exceptions import NumericalWarning
from ._inputs import read_signal, spectrum_dtype
from ._welch import _csd, asked_nperseg, empty_in_kind, empty_spectrum, freq_axis, pair_axis

__all__ = ["periodogram", "welch", "csd", "coherence"]


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

    ``x`` and ``y`` are read along one axis: ``axis``, or with ``axis=None`` 0 when
    either is a table (DataFrame, Arrow table or batch: time down the rows) and -1
    otherwise; their other axes broadcast, and ``Pxy`` has the form of ``x``.

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
        return empty_spectrum(sig, sig.axis)
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
    p = p.astype(spectrum_dtype(sig.dtype, real=True), copy=False)
    return f, sig.restore_spectrum(p, f, sig.axis)


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

    ``x`` and ``y`` are read as :func:`csd` reads them (one axis, 0 when either is a
    table); ``Pxx`` and ``Pyy`` broadcast as ``x`` and ``y`` do.

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
    axis = pair_axis(x, y, axis)  # x and y are read as csd reads them
    sx = read_signal(x, name="x", axis=axis, min_len=0)
    sy = read_signal(y, name="y", axis=axis, min_len=0)
    # coherence is free of scale, fs and scaling: each channel at unit scale and the
    # "spectrum" scaling keep |Pxy|**2 in range; complex data give two-sided spectra
    xv, yv = _unit_scale(sx.values, sx.axis), _unit_scale(sy.values, sy.axis)
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
    freqs, pxy = csd(xv, yv, axis=axis, **kw)  # refuses what csd refuses, in its words
    if np.size(pxy) == 0:  # no samples: an empty result, in x's kind
        return freqs, empty_in_kind(sx, np.abs(pxy), freq_axis(axis, sx))
    _check_common_segments(sx, sy, nperseg, window)
    _, pxx = welch(xv, axis=axis, **kw)
    _, pyy = welch(yv, axis=axis, **kw)
    # Pxx and Pyy broadcast as x and y do in csd: their other axes aligned from the end
    at = freq_axis(axis, sx)
    pxy, pxx, pyy = (np.moveaxis(p, a, -1) for p, a in ((pxy, at), (pxx, sx.axis), (pyy, sy.axis)))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.moveaxis(np.abs(pxy) ** 2 / pxx / pyy, -1, at)
    undefined = int(np.sum(np.isnan(c)))
    if undefined:
        warn(
            f"The coherence is undefined (0/0, NaN as in SciPy) at {undefined} of "
            f"{c.size} values, where x or y has no power at that frequency.",
            NumericalWarning,
        )
    c = c.astype(spectrum_dtype(sx.dtype, sy.dtype, real=True), copy=False)
    return freqs, sx.restore_spectrum(c, freqs, at)


def _check_common_segments(sx, sy, nperseg, window) -> None:
    """Refuse a segment length that Pxx and Pyy would each cut to their own signal's
    length (x and y of different lengths, both shorter than it): their frequencies would
    differ from each other and from Pxy's (SciPy fails there broadcasting them).  Called
    after :func:`csd` accepted the arguments."""
    nx, ny = sx.values.shape[sx.axis], sy.values.shape[sy.axis]
    if nx == ny or min(nx, ny) == 0 or isinstance(nperseg, str):
        return
    wanted = asked_nperseg(window, nperseg)
    try:
        too_long = float(wanted) > min(nx, ny)
    except (TypeError, ValueError):  # refused by csd, in its words
        return
    if too_long:
        raise _validate.error(
            "nperseg",
            f"must be at most the length of the shorter signal ({min(nx, ny)}) when x and "
            f"y differ in length ({nx} and {ny}): each power spectrum would use its own "
            "segment length and frequencies",
            f"{nperseg!r}" + (f" ({wanted} by default)" if nperseg is None else ""),
            f"pass nperseg <= {min(nx, ny)}, or x and y of the same length",
        )


def _unit_scale(values, axis):
    """``values`` divided channel-wise by a power of two ``s`` with ``peak / s`` in
    [1, 2) (exact: the coherence is unchanged, its fourth powers stay in range)."""
    if values.size == 0:
        return values
    peak = np.max(np.abs(values), axis=axis, keepdims=True)
    scale = np.where(peak > 0, np.ldexp(1.0, np.frexp(peak)[1] - 1), 1.0)
    return values / scale.astype(values.real.dtype)
