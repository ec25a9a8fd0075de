"""Filter design, delegated to :mod:`scipy.signal` after pyjl checks the arguments.

``butter``, ``cheby1``, ``cheby2``, ``ellip``, ``bessel`` (IIR), ``firwin``,
``kaiserord`` and ``remez`` (FIR) take SciPy's arguments and return SciPy's
results; pyjl only checks the arguments first (:mod:`pyjl.dsp._design_args`), so
a cutoff outside ``(0, fs/2)`` or a NaN window parameter fails with an
:class:`~pyjl.exceptions.InputError` that names the argument and says how to fix
it, before SciPy sees it.  What SciPy accepts is accepted (order-0 designs, for
one), and results keep SciPy's dtypes.  A design whose arguments are all plain numbers
and names is computed once per value and copied out on later calls
(:mod:`pyjl.dsp._memo`).  The frequency response and the steady
state of a designed filter are in :mod:`pyjl.dsp.response`.

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

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ._design_args import (
    MAX_ORDER,
    MAX_TAPS,
    call_scipy,
    decibels,
    finite,
    finite_taps,
    frequencies,
    nyquist,
    positive,
    scalar,
)
from ._memo import by_value

__all__ = ["butter", "cheby1", "cheby2", "ellip", "bessel", "firwin", "kaiserord", "remez"]

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


def _window(window):
    """Refuse a window whose numeric parameters (a Kaiser ``beta``, a Gaussian ``std``, ...)
    are not finite: ``("kaiser", nan)`` or ``nan`` itself (a bare number is a Kaiser beta)."""
    params = window[1:] if isinstance(window, tuple) else (window,)
    for i, param in enumerate(params, start=1):
        if isinstance(param, numbers.Number) and not isinstance(param, (bool, np.bool_)):
            name = f"window[{i}]" if isinstance(window, tuple) else "window"
            _validate.real(
                param, name, fix="pass a finite window parameter, e.g. window=('kaiser', 8.6)"
            )


def _known_window(window, numtaps):
    """Refuse a window name or tuple :func:`scipy.signal.get_window` does not know
    (``'bogus'``, ``'kaiser'`` without its beta), naming ``window``."""
    if not isinstance(window, (str, tuple)):
        return
    try:
        _ss.get_window(window, numtaps, fftbins=False)
    except (ValueError, TypeError) as exc:
        raise _validate.error(
            "window",
            "must be a window SciPy knows",
            _validate.describe(window),
            f"use e.g. 'hamming' or ('kaiser', 8.6) (SciPy: {str(exc).rstrip('.!')})",
        ) from exc


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
    if not isinstance(norm, str) or norm.lower() not in ("phase", "delay", "mag"):
        raise _validate.error(
            "norm",
            "must be 'phase', 'delay' or 'mag'",
            _validate.describe(norm),
            "pass one of those names",
            wrong_type=not isinstance(norm, str),
        )
    return call_scipy(
        _ss.bessel, N, Wn, btype=btype, analog=analog, output=output, norm=norm, fs=fs
    )


@by_value
def firwin(numtaps, cutoff, *, width=None, window="hamming", pass_zero=True, scale=True, fs=None):
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
    numtaps = _validate.integer(numtaps, "numtaps", low=1, high=MAX_TAPS)
    frequencies(cutoff, "cutoff", fs)
    if width is not None:
        width = _validate.real(
            width,
            "width",
            low=0,
            low_open=True,
            fix="pass the transition width (in the units of fs) as a "
            "positive number, or width=None to use `window`",
        )
    _window(window)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if width is None:  # with a width, firwin designs its own Kaiser window
            _known_window(window, numtaps)
        taps = call_scipy(
            _ss.firwin,
            numtaps,
            cutoff,
            width=width,
            window=window,
            pass_zero=pass_zero,
            scale=scale,
            fs=fs,
        )
    return finite_taps(taps, window, width)


@by_value
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
    positive(ripple, "ripple")
    _validate.real(
        scalar(width),
        "width",
        low=0,
        high=1,
        low_open=True,
        high_open=True,
        fix="pass the transition width / Nyquist: divide the width in Hz by fs/2",
    )
    return call_scipy(_ss.kaiserord, ripple, width)


@by_value
def remez(
    numtaps, bands, desired, *, weight=None, type="bandpass", maxiter=25, grid_density=16, fs=None
):
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
    numtaps = _validate.integer(numtaps, "numtaps", low=1, high=MAX_TAPS)
    n_bands = _bands(bands, fs)
    _per_band(desired, "desired", n_bands)
    if weight is not None:
        _per_band(weight, "weight", n_bands, positive=True)
    type = _validate.choice(type, "type", ("bandpass", "differentiator", "hilbert"))
    maxiter = _validate.integer(maxiter, "maxiter", low=1, high=10**6)
    grid_density = _validate.integer(grid_density, "grid_density", low=1, high=2**12)
    taps = call_scipy(
        _ss.remez,
        numtaps,
        bands,
        desired,
        weight=weight,
        type=type,
        maxiter=maxiter,
        grid_density=grid_density,
        fs=fs,
    )
    if not np.all(np.isfinite(taps)):
        raise _validate.error(
            "desired",
            "must give finite taps (gains of moderate size)",
            _validate.describe(desired),
            "scale the gains down and the taps up afterwards",
        )
    return taps


def _per_band(values, name, n_bands, positive=False):
    """One finite real value per band (``desired`` gains, ``weight``), of moderate size."""
    finite(values, name, positive=positive, kinds="biuf")
    arr = np.asarray(values)
    if arr.ndim > 1 or arr.size != n_bands:
        raise _validate.error(
            name,
            f"must hold one value per band ({n_bands})",
            _validate.describe(values),
            "pass a flat list, one per band",
        )
    if np.any(np.abs(arr) > 1e100):
        raise _validate.error(
            name,
            "must hold values of magnitude <= 1e100 (larger ones overflow the exchange iteration)",
            _validate.describe(values),
            "scale them down; the design is linear in the gains",
        )


def _bands(bands, fs):
    """Validate remez's band edges (pairs, increasing, in [0, fs/2]); the number of bands."""
    nyq = nyquist(fs, default=0.5)
    raw = as_raw(bands, "bands")
    b = raw.astype(float) if raw.dtype.kind in "biuf" and raw.ndim == 1 else np.zeros(1)
    if (
        b.size < 2
        or b.size % 2
        or np.any(~np.isfinite(b))
        or b.min() < 0
        or b.max() > nyq
        or np.any(np.diff(b) < 0)
    ):
        top = "fs/2" if fs is not None else "fs = 1 by default"
        raise _validate.error(
            "bands",
            f"must be an even number of increasing edges in [0, {nyq:g}] ({top})",
            _validate.describe(bands),
            "pass [0, f1, f2, ..., fs/2]",
        )
    return b.size // 2
