"""Filter design, delegated to :mod:`scipy.signal` with validation at our edge.

``butter``, ``cheby1``, ``cheby2``, ``ellip``, ``bessel``, ``firwin``,
``kaiserord``, ``remez``, ``freqz``, ``sosfreqz``, ``lfilter_zi`` and
``sosfilt_zi`` take SciPy's arguments and return SciPy's results; pyjl only
checks the arguments first, so a cutoff outside ``(0, fs/2)``, a wrong ``sos``
shape or an unstable filter fails with an :class:`~pyjl.exceptions.InputError`
that names the argument and says how to fix it, before SciPy sees it.

>>> from pyjl.dsp import butter
>>> butter(4, 100.0, fs=1000.0, output="sos").shape
(2, 6)
>>> butter(4, 600.0, fs=1000.0)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyjl.exceptions.InputError: `Wn` must lie strictly between 0 and the Nyquist frequency 500...
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from ..exceptions import InputError
from . import _edge

__all__ = ["butter", "cheby1", "cheby2", "ellip", "bessel", "firwin", "kaiserord", "remez",
           "freqz", "sosfreqz", "lfilter_zi", "sosfilt_zi"]

_BTYPES = {"lowpass": 1, "low": 1, "lp": 1, "l": 1, "highpass": 1, "high": 1, "hp": 1,
           "h": 1, "bandpass": 2, "band": 2, "bp": 2, "pass": 2, "bandstop": 2, "stop": 2,
           "bs": 2, "s": 2}


def _positive(value, name):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"`{name}` must be a positive number; got {value!r}. "
                         "Fix: pass a float.") from None
    if not np.isfinite(v) or v <= 0:
        raise InputError(f"`{name}` must be a positive, finite number; got {value!r}. "
                         f"Fix: pass {name} > 0.")
    return v


def _nyquist(fs, analog=False):
    if analog:
        return np.inf
    return 1.0 if fs is None else _positive(fs, "fs") / 2.0


def _frequencies(value, name, fs, analog=False, count=None):
    """Critical frequencies strictly inside ``(0, nyquist)``, increasing."""
    arr = np.atleast_1d(np.asarray(value, dtype=float)) if np.size(value) else np.zeros(0)
    nyq = _nyquist(fs, analog)
    where = "the Nyquist frequency " + (f"{nyq:g} (fs/2)" if fs is not None else
                                        "1 (frequencies are normalised to Nyquist)")
    if arr.ndim != 1 or arr.size == 0 or (count is not None and arr.size != count):
        want = f"{count} value(s)" if count is not None else "one or more values"
        raise InputError(f"`{name}` must be {want}; got {value!r}. Fix: pass e.g. "
                         f"{'[lo, hi]' if count == 2 else 'a single cutoff'}.")
    bad = ~np.isfinite(arr) | (arr <= 0) | (arr >= nyq)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        if analog:
            raise InputError(f"`{name}` must be positive (analog frequencies in rad/s); got "
                             f"{arr[i]} at index {i}. Fix: pass a positive frequency.")
        raise InputError(f"`{name}` must lie strictly between 0 and {where}; got {arr[i]} "
                         f"at index {i}. Fix: pass a cutoff in (0, {nyq:g})"
                         + ("" if fs is not None else ", or give the sampling rate as fs=")
                         + ".")
    if arr.size > 1 and np.any(np.diff(arr) <= 0):
        raise InputError(f"`{name}` must be strictly increasing; got {arr.tolist()}. "
                         "Fix: sort the band edges.")
    return arr


def _iir(N, Wn, btype, analog, fs):
    _edge.as_int(N, "N", minimum=1)
    if not isinstance(btype, str) or btype.lower() not in _BTYPES:
        raise InputError(f"`btype` must be one of lowpass, highpass, bandpass, bandstop; got "
                         f"{btype!r}. Fix: pick one of those.")
    if analog and fs is not None:
        raise InputError("`fs` cannot be given for an analog filter; got fs="
                         f"{fs!r}. Fix: drop fs or set analog=False.")
    _frequencies(Wn, "Wn", fs, analog, count=_BTYPES[btype.lower()])


def _call(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except InputError:
        raise
    except ValueError as exc:
        raise InputError(f"{func.__name__}: {exc}. Fix: see scipy.signal.{func.__name__} "
                         "for the valid arguments.") from exc


def butter(N, Wn, btype="low", analog=False, output="ba", fs=None):
    """Butterworth filter design (:func:`scipy.signal.butter`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> bool(np.allclose(dsp.butter(4, 0.2, output="sos"), signal.butter(4, 0.2, output="sos")))
    True
    """
    _iir(N, Wn, btype, analog, fs)
    return _call(_ss.butter, N, Wn, btype=btype, analog=analog, output=output, fs=fs)


def cheby1(N, rp, Wn, btype="low", analog=False, output="ba", fs=None):
    """Chebyshev type I design, passband ripple ``rp`` dB (:func:`scipy.signal.cheby1`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> ref = signal.cheby1(4, 1, 0.3, output="sos")
    >>> bool(np.allclose(dsp.cheby1(4, 1, 0.3, output="sos"), ref))
    True
    """
    _positive(rp, "rp")
    _iir(N, Wn, btype, analog, fs)
    return _call(_ss.cheby1, N, rp, Wn, btype=btype, analog=analog, output=output, fs=fs)


def cheby2(N, rs, Wn, btype="low", analog=False, output="ba", fs=None):
    """Chebyshev type II design, stopband attenuation ``rs`` dB (:func:`scipy.signal.cheby2`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> ref = signal.cheby2(4, 40, 0.3, output="sos")
    >>> bool(np.allclose(dsp.cheby2(4, 40, 0.3, output="sos"), ref))
    True
    """
    _positive(rs, "rs")
    _iir(N, Wn, btype, analog, fs)
    return _call(_ss.cheby2, N, rs, Wn, btype=btype, analog=analog, output=output, fs=fs)


def ellip(N, rp, rs, Wn, btype="low", analog=False, output="ba", fs=None):
    """Elliptic (Cauer) design (:func:`scipy.signal.ellip`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> ref = signal.ellip(4, 1, 40, 0.3, output="sos")
    >>> bool(np.allclose(dsp.ellip(4, 1, 40, 0.3, output="sos"), ref))
    True
    """
    _positive(rp, "rp")
    _positive(rs, "rs")
    _iir(N, Wn, btype, analog, fs)
    return _call(_ss.ellip, N, rp, rs, Wn, btype=btype, analog=analog, output=output, fs=fs)


def bessel(N, Wn, btype="low", analog=False, output="ba", norm="phase", fs=None):
    """Bessel/Thomson design (:func:`scipy.signal.bessel`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> bool(np.allclose(dsp.bessel(4, 0.3, output="sos"), signal.bessel(4, 0.3, output="sos")))
    True
    """
    _iir(N, Wn, btype, analog, fs)
    return _call(_ss.bessel, N, Wn, btype=btype, analog=analog, output=output, norm=norm,
                 fs=fs)


def firwin(numtaps, cutoff, *, width=None, window="hamming", pass_zero=True, scale=True,
           fs=None):
    """Windowed-sinc FIR design (:func:`scipy.signal.firwin`); ``cutoff`` in ``(0, fs/2)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> taps = dsp.firwin(31, 0.25)
    >>> len(taps), round(float(taps.sum()), 6)
    (31, 1.0)
    >>> bool(np.allclose(taps, signal.firwin(31, 0.25)))
    True
    """
    _edge.as_int(numtaps, "numtaps", minimum=1)
    _frequencies(cutoff, "cutoff", fs)
    return _call(_ss.firwin, numtaps, cutoff, width=width, window=window,
                 pass_zero=pass_zero, scale=scale, fs=fs)


def kaiserord(ripple, width):
    """Kaiser window ``(numtaps, beta)`` for ``ripple`` dB and a transition ``width``
    normalised to Nyquist, in ``(0, 1)`` (:func:`scipy.signal.kaiserord`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> dsp.kaiserord(60.0, 0.05) == signal.kaiserord(60.0, 0.05)
    True
    """
    _positive(ripple, "ripple")
    w = _positive(width, "width")
    if w >= 1:
        raise InputError(f"`width` (transition width / Nyquist) must be in (0, 1); got {width}."
                         " Fix: divide the width in Hz by fs/2.")
    return _call(_ss.kaiserord, ripple, width)


def remez(numtaps, bands, desired, *, weight=None, type="bandpass", maxiter=25,
          grid_density=16, fs=None):
    """Parks-McClellan equiripple FIR design (:func:`scipy.signal.remez`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> ref = signal.remez(21, [0, 0.1, 0.2, 0.5], [1, 0])
    >>> bool(np.allclose(dsp.remez(21, [0, 0.1, 0.2, 0.5], [1, 0]), ref))
    True
    """
    _edge.as_int(numtaps, "numtaps", minimum=1)
    b = np.asarray(bands, dtype=float).ravel()
    nyq = 0.5 if fs is None else _positive(fs, "fs") / 2.0
    if b.size < 2 or b.size % 2 or np.any(~np.isfinite(b)) or b.min() < 0 or b.max() > nyq \
            or np.any(np.diff(b) < 0):
        raise InputError(f"`bands` must be an even number of increasing edges in [0, {nyq:g}]"
                         f" ({'fs/2' if fs is not None else 'fs = 1 by default'}); got "
                         f"{np.asarray(bands).tolist()}. Fix: pass [0, f1, f2, ..., fs/2].")
    if np.size(desired) != b.size // 2:
        raise InputError(f"`desired` must have one gain per band ({b.size // 2}); got "
                         f"{np.size(desired)} value(s). Fix: pass one value per band.")
    return _call(_ss.remez, numtaps, bands, desired, weight=weight, type=type,
                 maxiter=maxiter, grid_density=grid_density, fs=fs)


def freqz(b, a=1, worN=512, whole=False, plot=None, fs=2 * np.pi, include_nyquist=False):
    """Frequency response of ``b(z) / a(z)`` (:func:`scipy.signal.freqz`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> w, h = dsp.freqz(dsp.firwin(31, 0.25), worN=64)
    >>> round(float(abs(h[0])), 6)
    1.0
    >>> bool(np.allclose(h, signal.freqz(signal.firwin(31, 0.25), worN=64)[1]))
    True
    """
    _edge.coefficients(b, "b")
    a_arr = _edge.coefficients(a, "a")
    if a_arr[0] == 0:
        raise InputError("`a[0]` must be non-zero; got 0. Fix: normalise the denominator.")
    return _call(_ss.freqz, b, a, worN=worN, whole=whole, plot=plot, fs=fs,
                 include_nyquist=include_nyquist)


def sosfreqz(sos, worN=512, whole=False, fs=2 * np.pi):
    """Frequency response of a second-order-section cascade (:func:`scipy.signal.sosfreqz`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> sos = signal.butter(4, 0.2, output="sos")
    >>> w, h = dsp.sosfreqz(sos, worN=64)
    >>> bool(np.allclose(h, signal.sosfreqz(sos, worN=64)[1]))
    True
    """
    sos = _edge.validate_sos(sos)
    return _call(_ss.sosfreqz, sos, worN=worN, whole=whole, fs=fs)


def lfilter_zi(b, a):
    """Steady-state initial conditions of ``lfilter`` for a unit step
    (:func:`scipy.signal.lfilter_zi`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = signal.butter(2, 0.3)
    >>> bool(np.allclose(dsp.lfilter_zi(b, a), signal.lfilter_zi(b, a)))
    True
    """
    from .filtering import normalize_ba
    b, a = normalize_ba(b, a)
    return _call(_ss.lfilter_zi, b, a)


def sosfilt_zi(sos):
    """Steady-state initial conditions ``(n_sections, 2)`` of ``sosfilt`` for a unit step
    (:func:`scipy.signal.sosfilt_zi`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> sos = signal.butter(4, 0.3, output="sos")
    >>> bool(np.allclose(dsp.sosfilt_zi(sos), signal.sosfilt_zi(sos)))
    True
    """
    return _call(_ss.sosfilt_zi, _edge.validate_sos(sos))
