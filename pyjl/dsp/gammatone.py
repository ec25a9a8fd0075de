"""The gammatone filter, a model of the cochlea's auditory filters (``gammatone``).

``gammatone(freq, ftype, order=None, numtaps=None, fs=None)`` designs the FIR filter
whose impulse response is ``t**(order-1) exp(-2 pi b t) cos(2 pi freq t)`` (``b`` the
equivalent rectangular bandwidth at ``freq``, scaled to gain 1 at ``freq``) or Slaney's
fourth-order IIR approximation of it.  It delegates to :func:`scipy.signal.gammatone`
after pyjl's checks (:mod:`pyjl.dsp._design_args`): ``freq`` strictly inside
``(0, fs/2)``, ``ftype`` 'fir' or 'iir' (in any case, as SciPy), ``order`` an integer in
[1, 24] and ``numtaps`` one in [1, 2**24] wherever given (whole floats taken as integers;
SciPy refuses them, and returns an empty filter for ``numtaps=0``), ``xp`` an array
namespace; a ratio ``freq / fs`` so small that the design underflows is refused.
Results and dtypes are SciPy's; ``order`` and ``numtaps`` given to 'iir' warn as in
SciPy (they are unused).

>>> from pyjl.dsp import gammatone
>>> b, a = gammatone(440, "fir", fs=16000)
>>> b.shape, a.tolist()
((240,), [1.0])
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ._design_args import MAX_TAPS, call_scipy, finite_result, frequency, in_namespace, nyquist

__all__ = ["gammatone"]


def _ftype(ftype):
    """``ftype`` as 'fir' or 'iir' (SciPy folds the case)."""
    if not isinstance(ftype, str) or ftype.lower() not in ("fir", "iir"):
        raise _validate.error(
            "ftype",
            "must be 'fir' or 'iir'",
            _validate.describe(ftype),
            "pass ftype='fir' or ftype='iir'",
            wrong_type=not isinstance(ftype, str),
        )
    return ftype.lower()


def _sizes(order, numtaps):
    """``order`` (an integer in [1, 24]) and ``numtaps`` (one in [1, 2**24]) where
    given: checked for 'iir' too, where SciPy warns that they are unused."""
    if order is not None:
        order = _validate.integer(order, "order", low=1, high=24)
    if numtaps is not None:
        numtaps = _validate.integer(numtaps, "numtaps", low=1, high=MAX_TAPS)
    return order, numtaps


def _fir_sizes(order, numtaps, fs):
    """The FIR design's ``order`` (default 4) and ``numtaps`` (default ``fs * 0.015``, at
    least 15) as checked integers."""
    order = 4 if order is None else order
    if numtaps is not None:
        return order, numtaps
    rate = 2.0 if fs is None or np.ndim(fs) else 2 * nyquist(fs)
    if rate * 0.015 > MAX_TAPS:
        raise _validate.error(
            "fs",
            f"must give a default length (fs * 0.015 taps) of at most {MAX_TAPS}",
            _validate.describe(fs),
            "pass numtaps explicitly",
        )
    return order, None


def gammatone(freq, ftype, order=None, numtaps=None, fs=None, *, xp=None, device=None):
    """Gammatone filter ``(b, a)`` centred at ``freq`` (:func:`scipy.signal.gammatone`):
    FIR (``ftype='fir'``, ``numtaps`` taps of order ``order``) or IIR (``'iir'``,
    fourth order); ``freq`` and ``fs`` in the same units (``fs`` defaults to 2).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = dsp.gammatone(1000, "iir", fs=16000)
    >>> len(b), len(a)
    (5, 9)
    >>> w, h = dsp.freqz(b, a, worN=[1000.0], fs=16000)
    >>> round(float(abs(h[0])), 3)  # gain 1 at the centre frequency
    1.0
    >>> bool(np.allclose(b, signal.gammatone(1000, "iir", fs=16000)[0]))
    True
    """
    ftype = _ftype(ftype)
    freq = frequency(freq, "freq", fs)
    order, numtaps = _sizes(order, numtaps)
    if ftype == "fir":
        order, numtaps = _fir_sizes(order, numtaps, fs)
    in_namespace((), xp, device)  # refuses an ``xp`` that is no array namespace
    try:
        with np.errstate(all="ignore"):
            out = call_scipy(
                _ss.gammatone, freq, ftype, order, numtaps, fs=fs, xp=xp, device=device
            )
    except ZeroDivisionError:  # SciPy's IIR gain: a division by a product that underflowed
        raise _validate.error(
            "fs",
            "must not dwarf `freq` (freq / fs this small underflows in the IIR design)",
            _validate.describe(fs),
            "pass freq and fs in the same units (e.g. Hz), fs below ~1e15 * freq",
        ) from None
    return finite_result(out, ("fs", "freq"), fs)
