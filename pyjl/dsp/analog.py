"""The transforms that turn an analog lowpass prototype into a filter.

``lp2lp``, ``lp2hp``, ``lp2bp`` and ``lp2bs`` (and their ``_zpk`` twins) move a
prototype (:mod:`pyjl.dsp.prototypes`) to a cutoff ``wo`` (and bandwidth ``bw``), and
``bilinear`` / ``bilinear_zpk`` map an analog filter to a digital one at sampling rate
``fs``.  All take :mod:`scipy.signal`'s arguments and return SciPy's results; pyjl
checks them first: coefficients, zeros and poles finite, a denominator not all zeros,
no more zeros than poles, ``wo``, ``bw`` and ``fs`` finite and > 0, and a result that
overflows is refused naming the arguments.  An ``fs`` array is refused in SciPy's own
words.

>>> from pyjl.dsp import buttap, lp2hp_zpk
>>> z, p, k = lp2hp_zpk(*buttap(2), wo=10.0)
>>> z.tolist(), round(float(k), 12)
([0.0, 0.0], 1.0)
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ._design_args import (
    call_scipy,
    finite_result,
    positive,
    roots,
    scalar,
    transfer_function,
)

__all__ = [
    "lp2lp",
    "lp2hp",
    "lp2bp",
    "lp2bs",
    "lp2lp_zpk",
    "lp2hp_zpk",
    "lp2bp_zpk",
    "lp2bs_zpk",
    "bilinear",
    "bilinear_zpk",
]


def gain(k, kinds="biufc"):
    """A system gain: one finite number (a size-1 array is taken, as SciPy takes it);
    ``kinds`` the accepted dtype kinds ("biuf": real only)."""
    arr = as_raw(k, "k")
    if arr.size != 1 or arr.dtype.kind not in kinds:
        what = "real number" if "c" not in kinds else "number"
        raise _validate.error(
            "k",
            f"must be a single finite {what} (the system gain)",
            _validate.describe(k),
            "pass e.g. k=1.0",
            wrong_type=arr.dtype.kind not in kinds,
        )
    if not np.all(np.isfinite(arr)):
        raise _validate.error("k", "must be finite", _validate.describe(k), "pass a finite gain")
    return k


def _zpk(z, p, k, kinds="biufc", proper=True):
    """Checked zeros, poles and gain (of dtype kind in ``kinds``); ``proper``: of a proper
    system (no more zeros than poles), as the transformations need (a frequency response
    takes any)."""
    z, p = roots(z, "z"), roots(p, "p")
    gain(k, kinds)
    if proper and z.size > p.size:
        raise _validate.error(
            "z",
            f"must hold no more zeros than `p` holds poles ({p.size}): the system must be proper",
            f"{z.size} zeros",
            "drop zeros or add poles",
        )
    return z, p


def _scales(wo, bw):
    """``wo`` and ``bw`` as floats > 0: a centre frequency and a bandwidth in rad/s."""
    return positive(scalar(wo), "wo"), positive(scalar(bw), "bw")


def _transformed(func, names, first, *args, **kwargs):
    """SciPy's ``func``, refused naming ``names`` when its result overflows."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            result = call_scipy(func, *args, **kwargs)
        except ArithmeticError:  # a Python float power: bw**degree
            result = (np.nan,)
    return finite_result(result, names, first)


def lp2lp(b, a, wo=1.0):
    """Lowpass prototype ``b(s)/a(s)`` to a lowpass of cutoff ``wo`` rad/s
    (:func:`scipy.signal.lp2lp`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> [c.tolist() for c in dsp.lp2lp([1.0], [1.0, 1.0], wo=10.0)]
    [[10.0], [1.0, 10.0]]
    """
    b, a = transfer_function(b, a)
    return _transformed(_ss.lp2lp, ("b", "a", "wo"), b, b, a, wo=positive(scalar(wo), "wo"))


def lp2hp(b, a, wo=1.0):
    """Lowpass prototype to a highpass of cutoff ``wo`` rad/s (:func:`scipy.signal.lp2hp`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> [c.tolist() for c in dsp.lp2hp([1.0], [1.0, 1.0], wo=10.0)]
    [[1.0, 0.0], [1.0, 10.0]]
    """
    b, a = transfer_function(b, a)
    return _transformed(_ss.lp2hp, ("b", "a", "wo"), b, b, a, wo=positive(scalar(wo), "wo"))


def lp2bp(b, a, wo=1.0, bw=1.0):
    """Lowpass prototype to a bandpass centred on ``wo`` rad/s, ``bw`` wide
    (:func:`scipy.signal.lp2bp`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> [c.tolist() for c in dsp.lp2bp([1.0], [1.0, 1.0], wo=2.0, bw=1.0)]
    [[1.0, 0.0], [1.0, 1.0, 4.0]]
    """
    b, a = transfer_function(b, a)
    wo, bw = _scales(wo, bw)
    return _transformed(_ss.lp2bp, ("b", "a", "wo", "bw"), b, b, a, wo=wo, bw=bw)


def lp2bs(b, a, wo=1.0, bw=1.0):
    """Lowpass prototype to a bandstop centred on ``wo`` rad/s, ``bw`` wide
    (:func:`scipy.signal.lp2bs`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> [c.tolist() for c in dsp.lp2bs([1.0], [1.0, 1.0], wo=2.0, bw=1.0)]
    [[1.0, 0.0, 4.0], [1.0, 1.0, 4.0]]
    """
    b, a = transfer_function(b, a)
    wo, bw = _scales(wo, bw)
    return _transformed(_ss.lp2bs, ("b", "a", "wo", "bw"), b, b, a, wo=wo, bw=bw)


def lp2lp_zpk(z, p, k, wo=1.0):
    """Lowpass prototype (zeros, poles, gain) to a lowpass of cutoff ``wo`` rad/s
    (:func:`scipy.signal.lp2lp_zpk`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> z, p, k = dsp.lp2lp_zpk([], [-1.0], 1.0, wo=5.0)
    >>> p.tolist(), k
    ([-5.0], 5.0)
    """
    _zpk(z, p, k)
    wo = positive(scalar(wo), "wo")
    return _transformed(_ss.lp2lp_zpk, ("z", "p", "k", "wo"), z, z, p, k, wo=wo)


def lp2hp_zpk(z, p, k, wo=1.0):
    """Lowpass prototype (zeros, poles, gain) to a highpass of cutoff ``wo`` rad/s
    (:func:`scipy.signal.lp2hp_zpk`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> z, p, k = dsp.lp2hp_zpk([], [-1.0], 1.0, wo=5.0)
    >>> z.tolist(), p.tolist(), float(k)
    ([0.0], [-5.0], 1.0)
    """
    _zpk(z, p, k)
    wo = positive(scalar(wo), "wo")
    return _transformed(_ss.lp2hp_zpk, ("z", "p", "k", "wo"), z, z, p, k, wo=wo)


def lp2bp_zpk(z, p, k, wo=1.0, bw=1.0):
    """Lowpass prototype (zeros, poles, gain) to a bandpass centred on ``wo`` rad/s,
    ``bw`` wide (:func:`scipy.signal.lp2bp_zpk`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> z, p, k = dsp.lp2bp_zpk([], [-1.0], 1.0, wo=2.0, bw=1.0)
    >>> z.tolist(), p.size, k
    ([0j], 2, 1.0)
    """
    _zpk(z, p, k)
    wo, bw = _scales(wo, bw)
    return _transformed(_ss.lp2bp_zpk, ("z", "p", "k", "wo", "bw"), z, z, p, k, wo=wo, bw=bw)


def lp2bs_zpk(z, p, k, wo=1.0, bw=1.0):
    """Lowpass prototype (zeros, poles, gain) to a bandstop centred on ``wo`` rad/s,
    ``bw`` wide (:func:`scipy.signal.lp2bs_zpk`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> z, p, k = dsp.lp2bs_zpk([], [-1.0], 1.0, wo=2.0, bw=1.0)
    >>> sorted(abs(z).round(12).tolist()), p.size, float(k)
    ([2.0, 2.0], 2, 1.0)
    """
    _zpk(z, p, k)
    wo, bw = _scales(wo, bw)
    return _transformed(_ss.lp2bs_zpk, ("z", "p", "k", "wo", "bw"), z, z, p, k, wo=wo, bw=bw)


def _rate(fs, func, *args):
    """``fs`` as a float > 0; an array ``fs`` is refused in SciPy's words, by ``func``."""
    if np.ndim(fs) > 0:
        call_scipy(func, *args, fs=fs)
    return positive(fs, "fs")


def bilinear(b, a, fs=1.0):
    """Analog ``b(s)/a(s)`` to a digital filter by the bilinear transform at ``fs``
    (:func:`scipy.signal.bilinear`); leading zero coefficients are dropped, as SciPy
    drops them.  An all-zero ``b`` is refused (SciPy fails on it).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = dsp.bilinear([1.0], [1.0, 1.0], fs=10.0)
    >>> bool(np.allclose(a, signal.bilinear([1.0], [1.0, 1.0], fs=10.0)[1]))
    True
    """
    b, a = transfer_function(b, a)
    if not np.any(b):
        raise _validate.error(
            "b",
            "must have a non-zero coefficient (SciPy's bilinear fails on the zero filter)",
            _validate.describe(b),
            "pass a numerator such as [1.0]; the zero filter stays b = [0.0] digitally",
        )
    fs = _rate(fs, _ss.bilinear, b, a)
    return _transformed(_ss.bilinear, ("b", "a", "fs"), b, b, a, fs=fs)


def bilinear_zpk(z, p, k, fs):
    """Analog zeros, poles and gain to digital ones by the bilinear transform at ``fs``
    (:func:`scipy.signal.bilinear_zpk`); zeros at infinity go to z = -1, and a zero or
    pole at s = 2*fs (which would go to z = infinity) is refused.

    Examples
    --------
    >>> from pyjl import dsp
    >>> z, p, k = dsp.bilinear_zpk([], [-1.0], 1.0, fs=10.0)
    >>> z.tolist(), round(float(p[0].real), 6)
    ([-1.0], 0.904762)
    """
    z, p = _zpk(z, p, k)
    fs = _rate(fs, _ss.bilinear_zpk, z, p, k)
    for name, values in (("z", z), ("p", p)):
        if np.any(values == 2 * fs):
            raise _validate.error(
                name,
                f"must not hold s = 2*fs = {2 * fs:g} (the bilinear transform maps it to "
                "z = infinity)",
                _validate.describe(values),
                "move that root, or pick another fs",
            )
    return _transformed(_ss.bilinear_zpk, ("z", "p", "k", "fs"), z, z, p, k, fs=fs)
