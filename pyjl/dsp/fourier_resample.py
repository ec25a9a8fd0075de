"""Fourier-method resampling: ``resample`` (:func:`scipy.signal.resample`).

A signal of ``n`` samples is read as one period of a band-limited periodic signal.
Its DFT ``X`` is cut (``num < n``) or zero-padded (``num > n``) to ``num`` bins and
transformed back, scaled by ``num / n``:

    y = ifft(Y) * num / n,   Y[k] = X[k] for |k| < m / 2,   m = min(n, num),

with the unpaired bin ``m / 2`` of an even ``m`` shared between ``+m/2`` and ``-m/2``
as SciPy does, so ``y[j]`` is the periodic interpolant of ``x`` at time ``j n / num``
(an ideal low-pass filter at the lower of the two Nyquist frequencies).  Real data use
``rfft`` / ``irfft`` (Oppenheim & Schafer, *Discrete-Time Signal Processing*, 3rd
ed., 2010, sec. 4.6).

>>> import numpy as np
>>> from pyjl.dsp import resample
>>> resample(np.array([0.0, 1.0, 0.0, -1.0]), 8).round(6)
array([ 0.      ,  0.707107,  1.      ,  0.707107,  0.      , -0.707107,
       -1.      , -0.707107])
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.fft as sfft

from .. import _validate
from ..data import as_raw
from ._frames import check_size, rescale, scale_down, window_array, workers
from ._inputs import channels, from_channels, read_signal

__all__ = ["resample"]

_SINGLE = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.complex64))


def resample(x, num, t=None, axis=0, window=None, domain="time"):
    """Resample ``x`` to ``num`` samples along ``axis`` by the Fourier method
    (:func:`scipy.signal.resample`, same arguments, defaults and numbers).

    The DFT of ``x`` (``n = x.shape[axis]`` samples) is cut or zero-padded to ``num``
    bins and transformed back, scaled by ``num / n``; ``x`` is taken to be periodic,
    so a signal whose ends differ rings at both ends (:func:`resample_poly` filters
    without that assumption).  For an even ``m = min(n, num)`` and ``num != n`` the
    unpaired bin ``m / 2`` is united from (``num < n``) or split into (``num > n``)
    the pair ``+-m/2``, as SciPy does.

    Parameters
    ----------
    x : array_like, pandas or Arrow, shape (..., n, ...)
        Equally spaced samples (``domain="time"``) or their DFT ``fft(x_t, axis=axis)``
        (``domain="freq"``).  Must be finite: NaN or infinity is refused with an
        :class:`~pyjl.exceptions.InputError` naming its index (a NaN would spread
        over every output sample).  A table is time x channels.
    num : int
        Samples of the result along ``axis``, ``>= 1``.
    t : array_like of shape (>= 2,), optional
        Times of the input samples; only ``t[0]`` and ``t[1]`` are read (``T = t[1] -
        t[0]``).  Given, the result's times ``t[0] + T * n / num * arange(num)`` are
        returned as well.
    axis : int, default 0
        The time (or frequency) axis, as SciPy's default; also 0 for tables.
    window : None, str, float, tuple, callable or array of shape (n,), optional
        A spectral weighting ``W`` of the DFT bins before they are cut: an array
        (``W``, in ``fft`` bin order), a callable (``W = window(fftfreq(n))``) or a
        :func:`scipy.signal.get_window` specification (``W = fftshift(get_window(window,
        n))``).  For real data on the one-sided path bin ``k`` is weighted by
        ``(W[k] + W[-k]) / 2``, so real and complex data are treated alike.
    domain : {"time", "freq"}, default "time"
        ``"freq"``: ``x`` is already a DFT; the two-sided path is used and the
        result is complex.

    Returns
    -------
    y : same kind as ``x``, ``num`` samples along ``axis``
        Real for real ``x`` in the time domain, else complex.  The dtype is SciPy's:
        float16/float32 give float32, integers and bools float64, complex64 stays
        complex64 (complex128 with a float64 window).  A table comes back as a table
        with the same columns; its index is kept when ``num == n`` (the same times),
        else a fresh ``RangeIndex``; complex results from Arrow come back as NumPy.
    t_r : ndarray of shape (num,)
        Only when ``t`` is given: the result's sample times.

    Notes
    -----
    Differences from SciPy, all refusals where SciPy fails or answers oddly: NaN or
    infinity in ``x``, ``num < 1``, an ``axis`` outside ``x``'s dimensions (SciPy
    ignores it for 1-D ``x``), a window array of the wrong shape or with NaN, or a
    ``t`` that is not numeric with two finite leading entries raise
    :class:`~pyjl.exceptions.InputError`.  Integer spectra with ``domain="freq"`` are
    read as float64 (SciPy fails on them when it splits the unpaired bin).  Data
    near the float64 limits are transformed scaled by powers of two (exact).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl.dsp import resample
    >>> x = np.cos(2 * np.pi * 3 * np.arange(40) / 40)
    >>> y, ty = resample(x, 100, t=np.arange(40) / 40)
    >>> bool(np.allclose(y, np.cos(2 * np.pi * 3 * ty)))
    True
    >>> bool(np.allclose(resample(x, 25, window="hann"), signal.resample(x, 25, window="hann")))
    True
    """
    domain = _validate.choice(domain, "domain", ("time", "freq"))
    num = _validate.integer(num, "num", low=1)
    sig = read_signal(x, axis=axis, min_len=1)
    n = sig.n
    times = None if t is None else _times(t, n, num)
    x2, outer = channels(sig.values, sig.axis)
    check_size(x2.shape[0] * num, "num", num)
    w = _window(window, n)
    one_sided = domain == "time" and x2.dtype.kind != "c"
    if one_sided:
        dt = np.dtype(np.float32 if sig.dtype in _SINGLE else np.float64)
    else:
        own = np.result_type(sig.dtype, *(() if w is None else (w.dtype,)))
        dt = np.dtype(np.complex64 if own in _SINGLE else np.complex128)
    x2, s = scale_down(x2)
    threads = workers(x2.size + x2.shape[0] * num, max(n, num))
    y2 = (_one_sided if one_sided else _two_sided)(x2, num, w, domain, threads)
    y = from_channels(rescale(y2, (s,), "resample's output", dt), outer, sig.axis)
    y = sig.restore(y, index=None)
    return y if times is None else (y, times)


def _one_sided(x2, num, w, domain, threads) -> np.ndarray:
    """SciPy's real path: ``rfft``, the folded window, the unpaired bin, ``irfft``."""
    n = x2.shape[-1]
    m = min(n, num)
    m2 = m // 2 + 1
    spec = sfft.rfft(x2, axis=-1, workers=threads)
    if w is not None:  # fold: W1[k] = (W[k] + W[-k]) / 2 for k > 0
        n_spec = spec.shape[-1]
        w = w.copy()  # in its own precision, as SciPy folds it
        w[1:n_spec] += np.flip(w[-n_spec + 1 :]) if n_spec > 1 else 0
        w[1:n_spec] /= 2
        spec *= w[:n_spec]
    spec = spec[:, :m2]
    if m % 2 == 0 and num != n:  # the unpaired bin m / 2
        spec[:, m // 2] *= 2 if num < n else 0.5
    return sfft.irfft(spec / (n / num), n=num, axis=-1, overwrite_x=True, workers=threads)


def _two_sided(x2, num, w, domain, threads) -> np.ndarray:
    """SciPy's complex path: ``fft`` (or the given spectrum), positive and negative
    halves copied, the unpaired pair united or split, ``ifft``."""
    n = x2.shape[-1]
    m = min(n, num)
    m2 = m // 2 + 1
    spec = sfft.fft(x2, axis=-1, workers=threads) if domain == "time" else x2
    if w is not None:
        spec = spec * w
    out = np.zeros((spec.shape[0], num), dtype=spec.dtype)
    out[:, :m2] = spec[:, :m2]
    if m2 < m:
        out[:, m2 - m :] = spec[:, m2 - m :]
    if m % 2 == 0:
        if num < n:  # down: the pair +-m/2 becomes the one bin -m/2
            out[:, -m // 2] += spec[:, -m // 2]
        elif n < num:  # up: the one bin m/2 becomes the pair +-m/2
            out[:, m // 2] /= 2
            out[:, num - m // 2] = out[:, m // 2]
    return sfft.ifft(out / (n / num), n=num, axis=-1, overwrite_x=True, workers=threads)


def _window(window, n: int) -> np.ndarray | None:
    """The spectral weights ``W`` (``n`` values in ``fft`` bin order) or None."""
    if window is None:
        return None
    if isinstance(window, (str, tuple)):
        return sfft.fftshift(window_array(window, n))
    if isinstance(window, numbers.Real) and not isinstance(window, (bool, np.bool_)):
        return sfft.fftshift(window_array(("kaiser", window), n))  # get_window's rule
    if callable(window):
        return _weights(window(sfft.fftfreq(n)), n, "the values of window(fftfreq(n))")
    return _weights(as_raw(window, "window"), n, None)


def _weights(values: Any, n: int, what: str | None) -> np.ndarray:
    """``values`` as ``n`` finite numeric weights, refused by name otherwise."""
    w = np.asarray(values)
    got = what or "an array"
    if w.dtype.kind not in "biufc":
        raise _validate.error(
            "window",
            "must be a window name/tuple, a callable or numeric weights",
            f"{got} of dtype {w.dtype}",
            "pass e.g. 'hann' or an array of n floats",
            wrong_type=True,
        )
    if w.shape != (n,):
        raise _validate.error(
            "window",
            f"must give one weight per frequency bin, shape ({n},)",
            f"{got} of shape {w.shape}",
            f"pass {n} values in fft bin order (see scipy.fft.fftfreq)",
        )
    bad = np.flatnonzero(~np.isfinite(w))
    if bad.size:
        raise _validate.error(
            "window",
            "must hold finite weights",
            f"{w[bad[0]].item()} at index {int(bad[0])}",
            "replace NaN and infinite weights",
        )
    return w.astype(np.float64) if w.dtype.kind in "biu" else w


def _times(t, n: int, num: int) -> np.ndarray:
    """SciPy's ``t[0] + (t[1] - t[0]) * n / num * arange(num)`` for a valid ``t``."""
    arr = as_raw(t, "t")
    if arr.ndim != 1 or arr.size < 2 or arr.dtype.kind not in "iuf":
        raise _validate.error(
            "t",
            "must be a 1-D array of numeric sample times with at least two entries",
            f"shape {arr.shape} and dtype {arr.dtype}",
            "pass the input's times, e.g. np.arange(n) / fs",
            wrong_type=arr.dtype.kind not in "iuf",
        )
    if not np.all(np.isfinite(arr[:2])):
        raise _validate.error(
            "t", "must start with two finite times", arr[:2].tolist(), "pass finite times"
        )
    return arr[0] + (arr[1] - arr[0]) * (n / num) * np.arange(num)
