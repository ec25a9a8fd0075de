"""Analog lowpass prototypes: ``buttap``, ``cheb1ap``, ``cheb2ap``, ``ellipap``, ``besselap``.

Each gives the order-``N`` analog lowpass prototype (cutoff 1 rad/s) as zeros, poles and
gain, with :mod:`scipy.signal`'s arguments and results; pyjl checks the arguments first:
``N`` an integer in ``[0, 10000]`` (``[0, 84]`` for Bessel, where SciPy's root finding
stops converging), ripples in dB > 0, an elliptic ``rs`` at least its ``rp`` from order 2
(SciPy returns NaN poles otherwise), ``xp`` an array namespace.  The transforms that move
a prototype to a filter are in :mod:`pyjl.dsp.analog`.

>>> from pyjl.dsp import ellipap
>>> ellipap(3, 1.0, 40.0)[1].size
3
>>> ellipap(3, 40.0, 1.0)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyjl.exceptions.InputError: `rs` must be at least the passband ripple `rp` = 40 dB...
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ._design_args import (
    MAX_ORDER,
    bessel_norm,
    call_scipy,
    decibels,
    in_namespace,
    ripples,
)
from ._memo import by_value
from .design import BESSEL_MAX_ORDER

__all__ = ["buttap", "cheb1ap", "cheb2ap", "ellipap", "besselap"]


@by_value
def _prototype(name, N, *args, **kwargs):
    """SciPy's prototype ``name``, once per argument value."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return call_scipy(getattr(_ss, name), N, *args, **kwargs)


def _made(name, N, args=(), xp=None, device=None, high=MAX_ORDER, **kwargs):
    N = _validate.integer(N, "N", low=0, high=high)
    if xp is None and device is None:
        return _prototype(name, N, *args, **kwargs)
    in_namespace((), xp, device)  # refuses an ``xp`` that is no array namespace
    return call_scipy(getattr(_ss, name), N, *args, xp=xp, device=device, **kwargs)


def buttap(N, *, xp=None, device=None):
    """Butterworth analog lowpass prototype of order ``N`` (:func:`scipy.signal.buttap`):
    no zeros, ``N`` poles on the left unit half-circle, gain 1.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> z, p, k = dsp.buttap(4)
    >>> z.size, bool(np.allclose(np.abs(p), 1.0)), k
    (0, True, 1.0)
    """
    return _made("buttap", N, xp=xp, device=device)


def cheb1ap(N, rp, *, xp=None, device=None):
    """Chebyshev type I analog lowpass prototype, ``rp`` dB of passband ripple
    (:func:`scipy.signal.cheb1ap`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> bool(np.allclose(dsp.cheb1ap(4, 1.0)[1], signal.cheb1ap(4, 1.0)[1]))
    True
    """
    rp = decibels(rp, "rp")
    return _made("cheb1ap", N, (rp,), xp=xp, device=device)


def cheb2ap(N, rs, *, xp=None, device=None):
    """Chebyshev type II analog lowpass prototype, ``rs`` dB down in the stopband
    (:func:`scipy.signal.cheb2ap`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> bool(np.allclose(dsp.cheb2ap(4, 40.0)[0], signal.cheb2ap(4, 40.0)[0]))
    True
    """
    rs = decibels(rs, "rs")
    return _made("cheb2ap", N, (rs,), xp=xp, device=device)


def ellipap(N, rp, rs, *, xp=None, device=None):
    """Elliptic analog lowpass prototype, ``rp`` dB ripple, ``rs`` dB down in the
    stopband (:func:`scipy.signal.ellipap`); from order 2 ``rs`` must be at least ``rp``
    (SciPy returns NaN poles otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> bool(np.allclose(dsp.ellipap(4, 1.0, 40.0)[1], signal.ellipap(4, 1.0, 40.0)[1]))
    True
    """
    decibels(rp, "rp")
    decibels(rs, "rs")
    rp, rs = ripples(rp, rs, _validate.integer(N, "N", low=0, high=MAX_ORDER))
    return _made("ellipap", N, (rp, rs), xp=xp, device=device)


def besselap(N, norm="phase", *, xp=None, device=None):
    """Bessel/Thomson analog lowpass prototype (:func:`scipy.signal.besselap`), normalised
    by ``norm``: ``'phase'``, ``'delay'`` or ``'mag'``; ``N`` at most 84.

    Examples
    --------
    >>> from pyjl import dsp
    >>> z, p, k = dsp.besselap(3, norm="delay")
    >>> p.size, k
    (3, 15.0)
    """
    bessel_norm(norm)
    return _made("besselap", N, xp=xp, device=device, high=BESSEL_MAX_ORDER, norm=norm)
