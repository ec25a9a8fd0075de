"""IIR filter design, delegated to :mod:`scipy.signal` after pyjl checks the arguments.

``butter``, ``cheby1``, ``cheby2``, ``ellip`` and ``bessel`` (order ``N`` from
cutoffs ``Wn``), ``iirnotch`` and ``iirpeak`` (second order, at one frequency
``w0`` with quality factor ``Q``) and ``iircomb`` (notches or peaks at every
multiple of ``w0``) take SciPy's arguments and return SciPy's results; pyjl only
checks the arguments first (:mod:`pyjl.dsp._design_args`), so a cutoff outside
``(0, fs/2)`` or a comb whose ``w0`` does not divide ``fs`` fails with an
:class:`~pyjl.exceptions.InputError` that names the argument and says how to fix
it, before SciPy sees it.  What SciPy accepts is accepted (order-0 designs, for
one), but for a ``Q`` so low that the notch, peak or comb would be unstable, and
results keep SciPy's dtypes.  A design whose arguments are all plain numbers and
names is computed once per value and copied out on later calls
(:mod:`pyjl.dsp._memo`).  The FIR designs are in :mod:`pyjl.dsp.design_fir`; the
frequency response and the steady state of a designed filter in
:mod:`pyjl.dsp.response`.

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

from .. import _validate
from ._design_args import (
    MAX_ORDER,
    MAX_TAPS,
    bessel_norm,
    call_scipy,
    decibels,
    frequencies,
    frequency,
    in_namespace,
    positive,
    ripples,
)
from ._memo import by_value

__all__ = [
    "butter",
    "cheby1",
    "cheby2",
    "ellip",
    "bessel",
    "iirnotch",
    "iirpeak",
    "iircomb",
]

#: the highest order whose Bessel polynomial :func:`scipy.signal.besselap` finds the zeros
#: of, for every ``norm`` (85 and up: "Zeros failed to converge")
BESSEL_MAX_ORDER = 84

_BTYPES = {
    "lowpass": 1,
    "low": 1,
    "lp": 1,
    "l": 1,
    "highpass": 1,
    "high": 1,
    "hp": 1,
    "h": 1,
    "bandpass": 2,
    "band": 2,
    "bp": 2,
    "pass": 2,
    "bandstop": 2,
    "stop": 2,
    "bs": 2,
    "bands": 2,
    "s": 2,
}


def _iir(N, Wn, btype, analog, fs):
    """Validate an IIR design's arguments; ``N`` back as an int (order 0 is a pass-through)."""
    N = _validate.integer(N, "N", low=0, high=MAX_ORDER)
    _validate.boolean(analog, "analog")
    if not isinstance(btype, str) or btype.lower() not in _BTYPES:
        raise _validate.error(
            "btype",
            "must be one of lowpass, highpass, bandpass, bandstop",
            _validate.describe(btype),
            "pick one of those",
        )
    if analog and fs is not None:
        raise _validate.error(
            "fs", "must be None for an analog filter", f"fs={fs!r}", "drop fs or set analog=False"
        )
    frequencies(Wn, "Wn", fs, analog, count=_BTYPES[btype.lower()])
    return N


@by_value
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
    return call_scipy(_ss.butter, N, Wn, btype=btype, analog=analog, output=output, fs=fs)


@by_value
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
    decibels(rp, "rp")
    N = _iir(N, Wn, btype, analog, fs)
    return call_scipy(_ss.cheby1, N, rp, Wn, btype=btype, analog=analog, output=output, fs=fs)


@by_value
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
    decibels(rs, "rs")
    N = _iir(N, Wn, btype, analog, fs)
    return call_scipy(_ss.cheby2, N, rs, Wn, btype=btype, analog=analog, output=output, fs=fs)


@by_value
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
    decibels(rp, "rp")
    decibels(rs, "rs")
    N = _iir(N, Wn, btype, analog, fs)
    ripples(rp, rs, N)
    return call_scipy(_ss.ellip, N, rp, rs, Wn, btype=btype, analog=analog, output=output, fs=fs)


@by_value
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
    if N > BESSEL_MAX_ORDER:
        raise _validate.error(
            "N",
            f"must be <= {BESSEL_MAX_ORDER} for a Bessel filter (SciPy's root-finding "
            "for the zeros of the Bessel polynomial does not converge beyond)",
            N,
            f"pass N <= {BESSEL_MAX_ORDER}",
        )
    bessel_norm(norm, any_case=True)
    return call_scipy(
        _ss.bessel, N, Wn, btype=btype, analog=analog, output=output, norm=norm, fs=fs
    )


def _second_order(design, w0, Q, fs):
    """SciPy's notch or peak ``design`` for ``w0`` in ``(0, fs/2)``, ``Q`` > 0 (checked
    first, as SciPy converts it first) and the -3 dB bandwidth ``w0/Q`` below fs/2 (else
    SciPy's filter has a pole on or outside the unit circle).  An array ``fs`` is refused
    in SciPy's words."""
    Q = positive(Q, "Q")
    if np.ndim(fs) > 0:  # refused in SciPy's words, as by the other designs
        return call_scipy(design, w0, Q, fs=fs)
    fs = positive(fs, "fs")
    w0 = frequency(w0, "w0", fs)
    if not 2 * w0 / fs / Q < 1:  # SciPy's bandwidth, normalised to Nyquist
        raise _validate.error(
            "Q",
            f"must be > 2*w0/fs = {2 * w0 / fs:g}, so that the -3 dB bandwidth w0/Q stays "
            "below the Nyquist frequency (a lower Q gives an unstable filter)",
            Q,
            f"pass Q = w0 / bandwidth > {2 * w0 / fs:g}",
        )
    return call_scipy(design, w0, Q, fs=fs)


@by_value
def _iirnotch(w0, Q, fs):
    return _second_order(_ss.iirnotch, w0, Q, fs)


@by_value
def _iirpeak(w0, Q, fs):
    return _second_order(_ss.iirpeak, w0, Q, fs)


def iirnotch(w0, Q, fs=2.0, *, xp=None, device=None):
    """Second-order notch at ``w0``, quality factor ``Q`` = ``w0`` / -3 dB bandwidth
    (:func:`scipy.signal.iirnotch`); ``w0`` in ``(0, fs/2)``, ``fs`` defaults to 2.
    ``xp`` and ``device`` are SciPy's: ``(b, a)`` as arrays of that array namespace.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = dsp.iirnotch(60.0, 30.0, fs=1000.0)
    >>> bool(np.allclose(b, signal.iirnotch(60.0, 30.0, fs=1000.0)[0]))
    True
    >>> _, h = dsp.freqz(b, a, worN=[0.0, 60.0], fs=1000.0)
    >>> np.round(np.abs(h), 6).tolist()  # 1 at DC, 0 at the notch
    [1.0, 0.0]
    """
    return in_namespace(_iirnotch(w0, Q, fs), xp, device)


def iirpeak(w0, Q, fs=2.0, *, xp=None, device=None):
    """Second-order resonator (peak) at ``w0``, quality factor ``Q`` = ``w0`` / -3 dB
    bandwidth (:func:`scipy.signal.iirpeak`); ``w0`` in ``(0, fs/2)``, ``fs`` defaults to 2.
    ``xp`` and ``device`` are SciPy's: ``(b, a)`` as arrays of that array namespace.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = dsp.iirpeak(0.3, 10.0)
    >>> bool(np.allclose(a, signal.iirpeak(0.3, 10.0)[1]))
    True
    >>> _, h = dsp.freqz(b, a, worN=[0.3 * np.pi])
    >>> round(float(np.abs(h[0])), 6)  # 1 at the peak
    1.0
    """
    return in_namespace(_iirpeak(w0, Q, fs), xp, device)


def iircomb(w0, Q, ftype="notch", fs=2.0, *, pass_zero=False, xp=None, device=None):
    """Comb of notches (``ftype='notch'``) or peaks (``'peak'``) at every multiple of
    ``w0`` (:func:`scipy.signal.iircomb`): ``b`` and ``a`` of order ``N = fs/w0``.

    ``fs/w0`` must be an integer (to SciPy's relative tolerance 1e-14), ``Q`` > 1 (each
    tooth's bandwidth ``w0/Q`` below the spacing ``w0``; a lower ``Q`` is unstable), and
    ``pass_zero`` (True, False or None) puts a peak rather than a notch at 0.  ``xp`` and
    ``device`` are SciPy's: ``(b, a)`` as arrays of that array namespace.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = dsp.iircomb(50.0, 30.0, fs=1000.0)
    >>> len(b), bool(np.allclose(b, signal.iircomb(50.0, 30.0, fs=1000.0)[0]))
    (21, True)
    >>> _, h = dsp.freqz(b, a, worN=[50.0, 100.0, 450.0], fs=1000.0)
    >>> np.round(np.abs(h), 6).tolist()  # a notch at each multiple of 50 Hz
    [0.0, 0.0, 0.0]
    """
    return in_namespace(_iircomb(w0, Q, ftype, fs, pass_zero), xp, device)


@by_value
def _iircomb(w0, Q, ftype, fs, pass_zero):
    """:func:`iircomb`'s checks and SciPy's design, kept per argument value."""
    if not isinstance(ftype, str) or ftype.lower() not in ("notch", "peak"):
        raise _validate.error(
            "ftype",
            "must be 'notch' or 'peak'",
            _validate.describe(ftype),
            "pass ftype='notch' or ftype='peak'",
            wrong_type=not isinstance(ftype, str),
        )
    pass_zero = pass_zero is not None and _validate.boolean(pass_zero, "pass_zero")
    if np.ndim(fs) > 0:  # refused in SciPy's words
        return call_scipy(_ss.iircomb, w0, Q, ftype=ftype, fs=fs, pass_zero=pass_zero)
    fs = positive(fs, "fs")
    w0 = frequency(w0, "w0", fs)
    if fs / w0 > MAX_TAPS:
        raise _validate.error(
            "w0",
            f"must be >= fs/{MAX_TAPS} (the comb has fs/w0 + 1 coefficients)",
            f"w0={w0!r} with fs={fs!r}",
            "pass a larger w0, or a lower fs",
        )
    n = round(fs / w0)
    if abs(w0 - fs / n) / fs > 1e-14:  # SciPy's test and tolerance
        raise _validate.error(
            "w0",
            "must divide fs a whole number of times (fs/w0 an integer, to 1e-14 relative)",
            f"w0={w0!r} with fs={fs!r}, fs/w0 = {fs / w0:.10g}",
            f"pass w0 = fs/N for an integer N, e.g. {fs / n!r}",
        )
    Q = positive(Q, "Q")
    if Q <= 1:
        raise _validate.error(
            "Q",
            "must be > 1 for a comb, so that each tooth's -3 dB bandwidth w0/Q stays "
            "below the spacing w0 (a lower Q gives an unstable filter)",
            Q,
            "pass Q = w0 / bandwidth > 1",
        )
    return call_scipy(_ss.iircomb, w0, Q, ftype=ftype, fs=fs, pass_zero=pass_zero)
