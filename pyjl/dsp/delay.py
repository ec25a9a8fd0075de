"""Responses of a filter beyond ``freqz``: analog responses, the digital response from
zeros and poles, and the group delay.

``freqs`` and ``freqs_zpk`` evaluate an analog filter at frequencies ``w`` (rad/s),
``freqz_zpk`` a digital one given as zeros, poles and gain, and ``group_delay`` the
delay ``-d(phase)/dw`` of ``b(z)/a(z)`` in samples.  They take :mod:`scipy.signal`'s
arguments and return SciPy's results after pyjl checks them (finite coefficients,
zeros and poles, a denominator not all zeros, a count of frequencies or finite
frequencies, ``fs`` > 0).  A response that is infinite somewhere (a pole on the axis)
warns with a :class:`~pyjl.exceptions.NumericalWarning`; a group delay that is singular
or nearly so is 0 there with SciPy's own ``UserWarning``.

>>> from pyjl.dsp import group_delay
>>> w, gd = group_delay(([0.0, 0.0, 1.0], [1.0]), w=4)
>>> gd.tolist()  # a pure delay of two samples
[2.0, 2.0, 2.0, 2.0]
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ._design_args import MAX_TAPS, finite, transfer_function
from .analog import _rate, _zpk
from .response import _response
from .transfer_functions import _below_axis, default_grid

__all__ = ["freqs", "freqs_zpk", "freqz_zpk", "group_delay"]


def _grid(w, name):
    """``w``: a count of frequencies, or the (finite) frequencies themselves; None is
    SciPy's default count."""
    if isinstance(w, (numbers.Integral, np.integer)) and not isinstance(w, (bool, np.bool_)):
        _validate.integer(int(w), name, low=0, high=MAX_TAPS)
    elif w is not None:
        finite(w, name)  # SciPy takes complex frequencies with zero imaginary part


def freqs(b, a, worN=200, plot=None):
    """Frequency response ``(w, h)`` of the analog filter ``b(s)/a(s)`` at ``worN``
    frequencies (a count: SciPy picks them around the poles and zeros; or the
    frequencies themselves, rad/s) (:func:`scipy.signal.freqs`).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> w, h = dsp.freqs([1.0], [1.0, 1.0], worN=[0.0, 1.0])
    >>> np.round(np.abs(h), 6).tolist()  # 1/(s + 1): 1 at DC, -3 dB at 1 rad/s
    [1.0, 0.707107]
    """
    b, a = transfer_function(b, a)
    _grid(worN, "worN")
    worN = _analog_grid(worN, np.roots(np.atleast_1d(b)), np.roots(a))
    return _response("freqs", b, a, worN=worN, plot=plot)


def freqs_zpk(z, p, k, worN=200):
    """Frequency response ``(w, h)`` of the analog filter with zeros ``z``, poles ``p``
    and gain ``k`` (:func:`scipy.signal.freqs_zpk`).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> w, h = dsp.freqs_zpk([], [-1.0], 1.0, worN=[0.0, 1.0])
    >>> np.round(np.abs(h), 6).tolist()
    [1.0, 0.707107]
    """
    z, p = _zpk(z, p, k, kinds="biuf", proper=False)
    _grid(worN, "worN")
    worN = _analog_grid(worN, z, p)
    return _response("freqs_zpk", z, p, k, worN=worN)


def _analog_grid(worN, zeros, poles):
    """``worN``, or where it is a count and SciPy's grid would fail (poles and zeros all
    below the real axis), that many frequencies of their mirror images' grid."""
    if worN is None or isinstance(worN, (numbers.Integral, np.integer)):
        n = 200 if worN is None else int(worN)
        if _below_axis(zeros, poles):
            return default_grid(zeros, poles, n)
    return worN


def freqz_zpk(z, p, k, worN=512, whole=False, fs=2 * np.pi):
    """Frequency response ``(w, h)`` of the digital filter with zeros ``z``, poles ``p``
    and gain ``k`` (:func:`scipy.signal.freqz_zpk`); ``worN`` and ``fs`` as in
    :func:`~pyjl.dsp.freqz`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> z, p, k = signal.butter(4, 0.2, output="zpk")
    >>> w, h = dsp.freqz_zpk(z, p, k, worN=64)
    >>> bool(np.allclose(h, signal.freqz_zpk(z, p, k, worN=64)[1]))
    True
    """
    z, p = _zpk(z, p, k, kinds="biuf", proper=False)
    _rate(fs, _ss.freqz_zpk, z, p, k)
    _grid(worN, "worN")
    whole = _validate.boolean(whole, "whole")
    return _response("freqz_zpk", z, p, k, worN=worN, whole=whole, fs=fs)


def group_delay(system, w=512, whole=False, fs=2 * np.pi):
    """Group delay ``(w, gd)`` of the digital filter ``system = (b, a)``, in samples, at
    ``w`` (a count of frequencies from 0 to Nyquist, or to ``fs`` with ``whole``; or the
    frequencies themselves, in the units of ``fs``) (:func:`scipy.signal.group_delay`).

    Where the response is zero (a zero or pole on the unit circle) the delay is
    undefined: it is set to 0 there, with SciPy's own ``UserWarning``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = signal.butter(4, 0.2)
    >>> w, gd = dsp.group_delay((b, a), w=64)
    >>> bool(np.allclose(gd, signal.group_delay((b, a), w=64)[1]))
    True
    """
    if not isinstance(system, (tuple, list)) or len(system) != 2:
        raise _validate.error(
            "system",
            "must be a pair (b, a) of numerator and denominator coefficients",
            _validate.describe(system),
            "pass system=(b, a), e.g. (b, 1.0) for an FIR filter",
            wrong_type=not isinstance(system, (tuple, list)),
        )
    b, a = transfer_function(*system)
    _rate(fs, _ss.group_delay, (b, a), w)
    _grid(w, "w")
    whole = _validate.boolean(whole, "whole")
    # where the response is zero or the denominator vanishes (a zero or pole on the unit
    # circle) SciPy sets the delay to 0 and says so with its own UserWarning, which
    # reaches the caller as it is (rewording it would take warnings.catch_warnings)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _ss.group_delay((b, a), w=w, whole=whole, fs=fs)
