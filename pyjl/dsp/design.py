"""Filter design, delegated to :mod:`scipy.signal` with validation at our edge.

``butter``, ``cheby1``, ``cheby2``, ``ellip``, ``bessel``, ``firwin``,
``kaiserord``, ``remez``, ``freqz``, ``sosfreqz``, ``lfilter_zi`` and
``sosfilt_zi`` take SciPy's arguments and return SciPy's results; pyjl only
checks the arguments first, so a cutoff outside ``(0, fs/2)``, a wrong ``sos``
shape or a NaN window parameter fails with an :class:`~pyjl.exceptions.InputError`
that names the argument and says how to fix it, before SciPy sees it.  What SciPy
accepts is accepted (order-0 designs, complex and N-D coefficients in ``freqz``, an
unstable denominator, which warns), and results keep SciPy's dtypes.

>>> from pyjl.dsp import butter
>>> butter(4, 100.0, fs=1000.0, output="sos").shape
(2, 6)
>>> butter(4, 600.0, fs=1000.0)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyjl.exceptions.InputError: `Wn` must lie strictly between 0 and the Nyquist frequency 500...
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..exceptions import InputError, NumericalWarning
from . import _edge

__all__ = ["butter", "cheby1", "cheby2", "ellip", "bessel", "firwin", "kaiserord", "remez",
           "freqz", "sosfreqz", "lfilter_zi", "sosfilt_zi"]

#: bounds that keep absurd sizes (N = 2**70) from reaching SciPy as an allocation error
_MAX_ORDER = 10_000
_MAX_TAPS = 2**24

_BTYPES = {"lowpass": 1, "low": 1, "lp": 1, "l": 1, "highpass": 1, "high": 1, "hp": 1,
           "h": 1, "bandpass": 2, "band": 2, "bp": 2, "pass": 2, "bandstop": 2, "stop": 2,
           "bs": 2, "s": 2}


def _scalar(value):
    """A 0-d array as its number (SciPy's tests pass ``xp.asarray(1.0)``)."""
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value


def _positive(value, name):
    """``value`` as a finite float > 0."""
    return _validate.real(_scalar(value), name, low=0, low_open=True, fix=f"pass {name} > 0")


def _decibels(value, name):
    """A ripple or attenuation in dB: > 0, and small enough that 10**(dB/10) is a float."""
    return _validate.real(_scalar(value), name, low=0, high=3000, low_open=True,
                          fix=f"pass {name} in dB, > 0 (3000 dB is already a gain of 1e300)")


def _nyquist(fs, analog=False, default=1.0):
    """fs/2 (``default`` without fs); a non-scalar fs is left for SciPy to refuse."""
    if analog or np.ndim(fs) > 0:
        return np.inf
    return default if fs is None else _positive(fs, "fs") / 2.0


def _frequencies(value, name, fs, analog=False, count=None):
    """Critical frequencies strictly inside ``(0, nyquist)``, increasing."""
    raw = np.asarray(value)
    if raw.dtype.kind not in "biuf" and raw.size:
        raise _validate.error(name, "must be a real frequency or a sequence of them",
                              _validate.describe(value), "pass numbers, e.g. 0.2 or [0.1, 0.4]")
    arr = np.atleast_1d(raw.astype(float))
    nyq = _nyquist(fs, analog)
    where = "the Nyquist frequency " + (f"{nyq:g} (fs/2)" if fs is not None else
                                        "1 (frequencies are normalised to Nyquist)")
    if arr.ndim != 1 or arr.size == 0 or (count is not None and arr.size != count):
        want = f"{count} value(s)" if count is not None else "one or more values"
        raise _validate.error(name, f"must be {want}", _validate.describe(value),
                              f"pass e.g. {'[lo, hi]' if count == 2 else 'a single cutoff'}")
    bad = ~np.isfinite(arr) | (arr <= 0) | (arr >= nyq)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        if analog:
            raise _validate.error(name, "must be positive (analog frequencies in rad/s)",
                                  f"{arr[i]} at index {i}", "pass a positive frequency")
        raise _validate.error(name, f"must lie strictly between 0 and {where}",
                              f"{arr[i]} at index {i}", f"pass a cutoff in (0, {nyq:g})"
                              + ("" if fs is not None else ", or give the sampling rate as fs="))
    if arr.size > 1 and np.any(np.diff(arr) <= 0):
        raise _validate.error(name, "must be strictly increasing", str(arr.tolist()),
                              "sort the band edges")
    return arr


def _iir(N, Wn, btype, analog, fs):
    """Validate an IIR design's arguments; ``N`` back as an int (order 0 is a pass-through)."""
    N = _validate.integer(N, "N", low=0, high=_MAX_ORDER)
    if not isinstance(btype, str) or btype.lower() not in _BTYPES:
        raise _validate.error("btype", "must be one of lowpass, highpass, bandpass, bandstop",
                              _validate.describe(btype), "pick one of those")
    if analog and fs is not None:
        raise _validate.error("fs", "must be None for an analog filter", f"fs={fs!r}",
                              "drop fs or set analog=False")
    _frequencies(Wn, "Wn", fs, analog, count=_BTYPES[btype.lower()])
    return N


def _window(window):
    """Refuse a window whose numeric parameters (a Kaiser ``beta``, a Gaussian ``std``, ...)
    are not finite: ``("kaiser", nan)`` or ``nan`` itself (a bare number is a Kaiser beta)."""
    params = window[1:] if isinstance(window, tuple) else (window,)
    for i, param in enumerate(params, start=1):
        if isinstance(param, numbers.Number) and not isinstance(param, (bool, np.bool_)):
            name = f"window[{i}]" if isinstance(window, tuple) else "window"
            _validate.real(param, name, fix="pass a finite window parameter, e.g. "
                                            "window=('kaiser', 8.6)")


def _known_window(window, numtaps):
    """Refuse a window name or tuple :func:`scipy.signal.get_window` does not know
    (``'bogus'``, ``'kaiser'`` without its beta), naming ``window``."""
    if not isinstance(window, (str, tuple)):
        return
    try:
        _ss.get_window(window, numtaps, fftbins=False)
    except (ValueError, TypeError) as exc:
        raise _validate.error("window", "must be a window SciPy knows",
                              _validate.describe(window), "use e.g. 'hamming' or "
                              f"('kaiser', 8.6) (SciPy: {str(exc).rstrip('.!')})") from exc


def _polynomial(c, name):
    """Finite numeric coefficients: 1-D, or N-D with the coefficients along axis 0 (as
    :func:`scipy.signal.freqz` broadcasts them); the dtype is kept."""
    arr = np.asarray(c)
    if arr.ndim <= 1:
        return _edge.coefficients(arr, name)
    if arr.size == 0:
        raise _validate.error(name, "must be a non-empty array of coefficients", arr,
                              "pass coefficients along the first axis")
    _finite(arr, name)
    return arr


def _finite(values, name, positive=False, kinds="biufc"):
    """Refuse NaN/inf (and, with ``positive``, values <= 0) in an array argument, by position;
    ``kinds`` are the accepted dtype kinds ("biuf": real only)."""
    arr = np.asarray(values)
    if arr.dtype.kind not in kinds:
        what = "real numbers" if "c" not in kinds else "numbers"
        raise _validate.error(name, f"must hold {what}", _validate.describe(values),
                              f"pass an array of {what}")
    bad = ~np.isfinite(arr) | ((np.real(arr) <= 0) if positive else False)
    if np.any(bad):
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        rule = "must be finite and > 0" if positive else "must be finite"
        raise _validate.error(name, rule, f"{arr[where]} at index {where}",
                              f"pass {'positive ' if positive else ''}finite values only")


def _frequency_grid(worN, fs):
    """``worN`` is a count of frequencies or the (finite) frequencies themselves; a
    scalar ``fs`` must be > 0 (SciPy refuses an array in its own words)."""
    if isinstance(worN, (numbers.Integral, np.integer)):
        _validate.integer(int(worN), "worN", low=0, high=_MAX_TAPS)
    elif worN is not None:
        _finite(worN, "worN")  # SciPy takes complex frequencies with zero imaginary part
    if np.ndim(fs) == 0:
        _positive(fs, "fs")


def _response(func, *args, **kwargs):
    """``(w, h)`` as SciPy computes it; one NumericalWarning when ``h`` is not finite."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wh = _call(func, *args, **kwargs)
    if not np.all(np.isfinite(wh[1])):
        warnings.warn("the frequency response is infinite or NaN at some frequencies: a pole "
                      "on the unit circle there, or coefficients so large that the sums "
                      "overflow (SciPy returns the same values). Fix: move the pole inside "
                      "|z| < 1 or scale the coefficients down.", NumericalWarning, stacklevel=3)
    return wh


def _steady_state(func, names, *coefficients):
    """SciPy's step-response initial conditions, refused by name when there are none: a pole
    at z = 1 (singular system; named by the denominator, ``names[-1]``) or coefficients so
    large that the solve overflows (named by all of ``names``)."""
    name = names[-1]
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            zi = func(*coefficients)
        except np.linalg.LinAlgError:
            raise _validate.error(name, "must have no pole at z = 1 (a step then never settles, "
                                  "so there is no steady state)",
                                  _validate.describe(coefficients[-1]),
                                  "filter with zero initial conditions, or move the pole "
                                  "inside |z| < 1") from None
    if not np.all(np.isfinite(zi)):
        rule = "must give finite initial conditions (coefficients this large overflow)"
        others = "".join(f"and `{n}` " for n in names[1:])
        raise _validate.error(names[0], others + rule, _validate.describe(coefficients[0]),
                              "scale the coefficients down")
    return zi


def _call(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except InputError:
        raise
    except ValueError as exc:
        # a relayed refusal: SciPy's own words first (SciPy's tests match them with
        # "^..."), so this one message is not in the voice of _validate.error
        raise InputError(f"{str(exc).rstrip('.')} (scipy.signal.{func.__name__}). Fix: see "
                         f"scipy.signal.{func.__name__} for the valid arguments.") from exc


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
    N = _iir(N, Wn, btype, analog, fs)
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
    _decibels(rp, "rp")
    N = _iir(N, Wn, btype, analog, fs)
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
    _decibels(rs, "rs")
    N = _iir(N, Wn, btype, analog, fs)
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
    _decibels(rp, "rp")
    _decibels(rs, "rs")
    N = _iir(N, Wn, btype, analog, fs)
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
    N = _iir(N, Wn, btype, analog, fs)
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
    numtaps = _validate.integer(numtaps, "numtaps", low=1, high=_MAX_TAPS)
    _frequencies(cutoff, "cutoff", fs)
    if width is not None:
        width = _validate.real(width, "width", low=0, low_open=True,
                               fix="pass the transition width (in the units of fs) as a "
                                   "positive number, or width=None to use `window`")
    _window(window)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if width is None:              # with a width, firwin designs its own Kaiser window
            _known_window(window, numtaps)
        taps = _call(_ss.firwin, numtaps, cutoff, width=width, window=window,
                     pass_zero=pass_zero, scale=scale, fs=fs)
    if not np.all(np.isfinite(taps)):  # e.g. a Kaiser beta so large that i0(beta) overflows
        name, value = ("width", width) if width is not None else ("window", window)
        raise _validate.error(name, "must give a window with finite values",
                              _validate.describe(value),
                              "pass a smaller Kaiser beta (below ~700)" if name == "window"
                              else "pass a transition width below fs/2")
    return taps


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
    _validate.real(_scalar(width), "width", low=0, high=1, low_open=True, high_open=True,
                   fix="pass the transition width / Nyquist: divide the width in Hz by fs/2")
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
    numtaps = _validate.integer(numtaps, "numtaps", low=1, high=_MAX_TAPS)
    n_bands = _bands(bands, fs)
    _per_band(desired, "desired", n_bands)
    if weight is not None:
        _per_band(weight, "weight", n_bands, positive=True)
    type = _validate.choice(type, "type", ("bandpass", "differentiator", "hilbert"))
    maxiter = _validate.integer(maxiter, "maxiter", low=1, high=10**6)
    grid_density = _validate.integer(grid_density, "grid_density", low=1, high=2**12)
    taps = _call(_ss.remez, numtaps, bands, desired, weight=weight, type=type,
                 maxiter=maxiter, grid_density=grid_density, fs=fs)
    if not np.all(np.isfinite(taps)):
        raise _validate.error("desired", "must give finite taps (gains of moderate size)",
                              _validate.describe(desired),
                              "scale the gains down and the taps up afterwards")
    return taps


def _per_band(values, name, n_bands, positive=False):
    """One finite real value per band (``desired`` gains, ``weight``), of moderate size."""
    _finite(values, name, positive=positive, kinds="biuf")
    arr = np.asarray(values)
    if arr.ndim > 1 or arr.size != n_bands:
        raise _validate.error(name, f"must hold one value per band ({n_bands})",
                              _validate.describe(values), "pass a flat list, one per band")
    if np.any(np.abs(arr) > 1e100):
        raise _validate.error(name, "must hold values of magnitude <= 1e100 (larger ones "
                              "overflow the exchange iteration)", _validate.describe(values),
                              "scale them down; the design is linear in the gains")


def _bands(bands, fs):
    """Validate remez's band edges (pairs, increasing, in [0, fs/2]); the number of bands."""
    nyq = _nyquist(fs, default=0.5)
    raw = np.asarray(bands)
    b = raw.astype(float) if raw.dtype.kind in "biuf" and raw.ndim == 1 else np.zeros(1)
    if b.size < 2 or b.size % 2 or np.any(~np.isfinite(b)) or b.min() < 0 or b.max() > nyq \
            or np.any(np.diff(b) < 0):
        top = "fs/2" if fs is not None else "fs = 1 by default"
        raise _validate.error("bands", f"must be an even number of increasing edges in "
                              f"[0, {nyq:g}] ({top})", _validate.describe(bands),
                              "pass [0, f1, f2, ..., fs/2]")
    return b.size // 2


def freqz(b, a=1, worN=512, whole=False, plot=None, fs=2 * np.pi, include_nyquist=False):
    """Frequency response of ``b(z) / a(z)`` (:func:`scipy.signal.freqz`).

    ``b`` and ``a`` may be complex, and N-D with the coefficients along axis 0: the
    responses then broadcast over the other axes, as in SciPy.

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
    _polynomial(b, "b")
    a_arr = _polynomial(a, "a")
    _frequency_grid(worN, fs)
    if np.any(a_arr[0] == 0):
        raise _validate.error("a[0]", "must be non-zero (the leading denominator coefficient)",
                              a_arr[0], "normalise the denominator so that a[0] == 1")
    return _response(_ss.freqz, b, a, worN=worN, whole=whole, plot=plot, fs=fs,
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
    _edge.validate_sos(sos)
    _frequency_grid(worN, fs)
    return _response(_ss.sosfreqz, np.asarray(sos), worN=worN, whole=whole, fs=fs)


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
    b = _edge.coefficients(b, "b")
    a = _edge.coefficients(a, "a")
    if a[0] == 0:
        raise _validate.error("a[0]", "must be non-zero (it normalises the filter)", a[0],
                              "pass a denominator whose leading coefficient is non-zero")
    _edge.check_stable(a, "a", b, stacklevel=3)
    return _steady_state(_ss.lfilter_zi, ("b", "a"), b, a)


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
    _edge.validate_sos(sos)
    return _steady_state(_ss.sosfilt_zi, ("sos",), np.asarray(sos))
