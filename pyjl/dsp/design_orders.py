"""IIR design from a specification: the general ``iirfilter``, ``iirdesign`` and the order
selectors ``buttord``, ``cheb1ord``, ``cheb2ord`` and ``ellipord``.

They take :mod:`scipy.signal`'s arguments and return SciPy's results; pyjl checks the
arguments first (:mod:`pyjl.dsp._design_args` and :mod:`pyjl.dsp.design`'s checks), so
band edges outside ``(0, fs/2)``, pass and stop edges that do not nest, a passband loss
``gpass`` not below the stopband attenuation ``gstop`` or a missing ripple fail with an
:class:`~pyjl.exceptions.InputError` that names the argument, before SciPy sees them.

Where SciPy differs: it returns order 0 for ``gpass == gstop`` and fails on ``wp == ws``
(a ``ZeroDivisionError`` or ``OverflowError``: the order is infinite), and it raises
``OverflowError`` or ``ZeroDivisionError`` for specifications so extreme that its float
arithmetic overflows; pyjl refuses all of these by name (an order of 0 for edges so far
apart that no filter is needed keeps SciPy's ``RuntimeWarning``).  It checks ``gpass``
and ``gstop`` before the edges; pyjl names the first bad argument in signature order.

>>> from pyjl.dsp import buttord
>>> buttord(0.2, 0.3, 3, 60)[0]
16
>>> buttord(0.3, 0.3, 3, 60)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyjl.exceptions.InputError: `ws` must differ from `wp` (a transition band of zero width...
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ._design_args import (
    MAX_ORDER,
    call_scipy,
    check_passband_loss,
    decibels,
    frequencies,
    ripples,
)
from ._memo import by_value
from .design import BESSEL_MAX_ORDER, _iir

__all__ = ["iirfilter", "iirdesign", "buttord", "cheb1ord", "cheb2ord", "ellipord"]

#: SciPy's ``ftype`` names, by the ripples the design needs
_FAMILIES = {
    "butter": (),
    "butterworth": (),
    "cheby1": ("rp",),
    "chebyshev1": ("rp",),
    "chebyshevi": ("rp",),
    "cheby2": ("rs",),
    "chebyshev2": ("rs",),
    "chebyshevii": ("rs",),
    "ellip": ("rp", "rs"),
    "elliptic": ("rp", "rs"),
    "cauer": ("rp", "rs"),
    "bessel": (),
    "bessel_phase": (),
    "bessel_delay": (),
    "bessel_mag": (),
}

_ORDERS = {"butter": _ss.buttord, "cheby1": _ss.cheb1ord, "cheby2": _ss.cheb2ord}


def _ftype(ftype, names):
    """``ftype`` if SciPy knows it (among ``names``), else an InputError naming it."""
    if not isinstance(ftype, str) or ftype not in names:
        raise _validate.error(
            "ftype",
            "must be one of " + ", ".join(repr(n) for n in names),
            _validate.describe(ftype),
            "pass e.g. ftype='butter'",
            wrong_type=not isinstance(ftype, str),
        )
    return ftype


def _output(output):
    return _validate.choice(output, "output", ("ba", "zpk", "sos"))


@by_value
def iirfilter(
    N, Wn, rp=None, rs=None, btype="band", analog=False, ftype="butter", output="ba", fs=None
):
    """IIR design of any family from its order and critical frequencies
    (:func:`scipy.signal.iirfilter`).

    ``ftype`` picks the family (``'butter'``, ``'cheby1'``, ``'cheby2'``, ``'ellip'``,
    ``'bessel'`` and SciPy's aliases); ``rp`` (passband ripple, dB) is required by
    Chebyshev I and elliptic designs, ``rs`` (stopband attenuation, dB) by Chebyshev II
    and elliptic ones (whose ``rs`` must be at least ``rp`` from order 2), and both are
    > 0 where given, also where the family ignores them.  ``Wn`` is checked as by
    :func:`~pyjl.dsp.butter`: one frequency for lowpass and highpass, two increasing
    ones for bands, inside ``(0, fs/2)`` (or > 0, in rad/s, for ``analog``).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> sos = dsp.iirfilter(4, [0.2, 0.4], rs=60, ftype="cheby2", output="sos")
    >>> ref = signal.iirfilter(4, [0.2, 0.4], rs=60, ftype="cheby2", output="sos")
    >>> sos.shape, bool(np.allclose(sos, ref))
    ((4, 6), True)
    """
    ftype = _ftype(ftype, tuple(_FAMILIES))
    for name, value in (("rp", rp), ("rs", rs)):
        if value is None and name in _FAMILIES[ftype]:
            raise _validate.error(
                name,
                f"must be given (in dB) for ftype={ftype!r}",
                "None",
                f"pass e.g. {name}={1 if name == 'rp' else 40}",
            )
        if value is not None:  # checked even where the family ignores it
            decibels(value, name)
    N = _iir(N, Wn, btype, analog, fs)
    if len(_FAMILIES[ftype]) == 2:
        ripples(rp, rs, N)
    if ftype.startswith("bessel") and N > BESSEL_MAX_ORDER:
        raise _validate.error(
            "N",
            f"must be <= {BESSEL_MAX_ORDER} for a Bessel filter (SciPy's root-finding "
            "for the zeros of the Bessel polynomial does not converge beyond)",
            N,
            f"pass N <= {BESSEL_MAX_ORDER}",
        )
    output = _output(output)
    return call_scipy(
        _ss.iirfilter,
        N,
        Wn,
        rp=rp,
        rs=rs,
        btype=btype,
        analog=_validate.boolean(analog, "analog"),
        ftype=ftype,
        output=output,
        fs=fs,
    )


def _spec(wp, ws, gpass, gstop, analog, fs):
    """Check an order selector's specification; the pass and stop edges as float arrays."""
    analog = _validate.boolean(analog, "analog")
    if analog and fs is not None:
        raise _validate.error(
            "fs", "must be None for an analog filter", f"fs={fs!r}", "drop fs or set analog=False"
        )
    p = frequencies(wp, "wp", fs, analog)
    s = frequencies(ws, "ws", fs, analog)
    if p.size > 2:
        raise _validate.error(
            "wp",
            "must be one edge (lowpass, highpass) or two (a band)",
            _validate.describe(wp),
            "pass e.g. 0.2 or [0.2, 0.4]",
        )
    if s.size != p.size:
        raise _validate.error(
            "ws",
            f"must have as many edges as `wp` ({p.size})",
            _validate.describe(ws),
            "pass one stop edge per pass edge",
        )
    if p.size == 1 and p[0] == s[0]:
        raise _validate.error(
            "ws",
            "must differ from `wp` (a transition band of zero width needs an infinite order)",
            f"ws = wp = {p[0]:g}",
            "pass ws above wp for a lowpass, below it for a highpass",
        )
    if p.size == 2 and not (s[0] < p[0] < p[1] < s[1] or p[0] < s[0] < s[1] < p[1]):
        raise _validate.error(
            "ws",
            "must nest with `wp`: the passband strictly inside the stopband (a bandpass) "
            "or the stopband strictly inside the passband (a bandstop)",
            f"wp={p.tolist()}, ws={s.tolist()}",
            "pass e.g. wp=[0.2, 0.4], ws=[0.1, 0.5]",
        )
    gpass = decibels(gpass, "gpass")
    gstop = decibels(gstop, "gstop")
    check_passband_loss(gpass)
    if gpass >= gstop:
        raise _validate.error(
            "gpass",
            f"must be below `gstop` = {gstop:g} dB (the passband loses less than the "
            "stopband attenuates)",
            gpass,
            "pass e.g. gpass=1, gstop=40",
        )
    return p, s


def _extreme(wp, ws, gpass, gstop):
    return _validate.error(
        "wp",
        "and `ws`, `gpass` and `gstop` must give an order that float64 can compute (the "
        "order formula overflows for edges or attenuations this extreme)",
        f"wp={_validate.describe(wp)}, ws={_validate.describe(ws)}, gpass={gpass!r}, "
        f"gstop={gstop!r}",
        "bring the edges within a few decades of each other and gpass and gstop to "
        "usual values (0.1 to 3 dB, 20 to 200 dB)",
    )


def _order(func, wp, ws, gpass, gstop, analog, fs):
    """SciPy's order selector ``func`` on a checked specification; a result that SciPy's
    float arithmetic cannot give (edges or attenuations so extreme that the order
    overflows) is refused naming them all.  SciPy's own RuntimeWarning for an order of 0
    (edges so far apart that no filter is needed) reaches the caller as SciPy issues it:
    capturing it to reword it would take ``warnings.catch_warnings``, which is not
    thread-safe."""
    if np.ndim(fs) > 0:  # refused in SciPy's words, as by the other designs
        return call_scipy(func, wp, ws, gpass, gstop, analog=analog, fs=fs)
    _spec(wp, ws, gpass, gstop, analog, fs)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            order, wn = func(wp, ws, gpass, gstop, analog=analog, fs=fs)
        except (ValueError, ArithmeticError):  # int(nan), int(inf), x / 0.0
            raise _extreme(wp, ws, gpass, gstop) from None
    if not np.all(np.isfinite(wn)):
        raise _extreme(wp, ws, gpass, gstop)
    return order, wn


def buttord(wp, ws, gpass, gstop, analog=False, fs=None):
    """Lowest Butterworth order (and its natural frequency) losing no more than ``gpass``
    dB in the passband and at least ``gstop`` dB in the stopband
    (:func:`scipy.signal.buttord`).

    ``wp`` and ``ws`` are the pass and stop edges: one each (``wp < ws``: lowpass,
    ``wp > ws``: highpass) or two each, nested (``ws`` outside ``wp``: bandpass, inside:
    bandstop), in ``(0, fs/2)`` (or > 0 rad/s for ``analog``); ``0 < gpass < gstop``.

    Examples
    --------
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> N, Wn = dsp.buttord([0.2, 0.5], [0.1, 0.6], 3, 40)
    >>> N, bool(abs(Wn - signal.buttord([0.2, 0.5], [0.1, 0.6], 3, 40)[1]).max() < 1e-12)
    (9, True)
    """
    return _order(_ss.buttord, wp, ws, gpass, gstop, analog, fs)


def cheb1ord(wp, ws, gpass, gstop, analog=False, fs=None):
    """Lowest Chebyshev type I order for the specification, with its edge frequency
    (:func:`scipy.signal.cheb1ord`); arguments as :func:`buttord`'s.

    Examples
    --------
    >>> from pyjl import dsp
    >>> dsp.cheb1ord(0.2, 0.3, 3, 60)[0]
    8
    """
    return _order(_ss.cheb1ord, wp, ws, gpass, gstop, analog, fs)


def cheb2ord(wp, ws, gpass, gstop, analog=False, fs=None):
    """Lowest Chebyshev type II order for the specification, with its stopband edge
    (:func:`scipy.signal.cheb2ord`); arguments as :func:`buttord`'s.

    Examples
    --------
    >>> from pyjl import dsp
    >>> dsp.cheb2ord(0.2, 0.3, 3, 60)[0]
    8
    """
    return _order(_ss.cheb2ord, wp, ws, gpass, gstop, analog, fs)


def ellipord(wp, ws, gpass, gstop, analog=False, fs=None):
    """Lowest elliptic (Cauer) order for the specification, with its passband edge
    (:func:`scipy.signal.ellipord`); arguments as :func:`buttord`'s.

    Examples
    --------
    >>> from pyjl import dsp
    >>> dsp.ellipord(0.2, 0.3, 3, 60)[0]
    5
    """
    return _order(_ss.ellipord, wp, ws, gpass, gstop, analog, fs)


def iirdesign(wp, ws, gpass, gstop, analog=False, ftype="ellip", output="ba", fs=None):
    """The lowest-order IIR filter of family ``ftype`` meeting a specification
    (:func:`scipy.signal.iirdesign`): the order from :func:`buttord` (or ``cheb1ord``,
    ``cheb2ord``, ``ellipord``), then :func:`iirfilter`.

    Arguments as :func:`buttord`'s; ``ftype`` is one of SciPy's names of the Butterworth,
    Chebyshev and elliptic families (Bessel filters have no order selection: design them
    with :func:`iirfilter`).  A specification needing an order above 10000 (edges very
    close together) is refused, naming ``ws``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> sos = dsp.iirdesign(0.2, 0.3, 1, 40, output="sos")
    >>> sos.shape, bool(np.allclose(sos, signal.iirdesign(0.2, 0.3, 1, 40, output="sos")))
    ((2, 6), True)
    """
    ftype = _ftype(ftype, tuple(n for n in _FAMILIES if not n.startswith("bessel")))
    output = _output(output)
    family = {"butterworth": "butter", "chebyshev1": "cheby1", "chebyshevi": "cheby1"}.get(
        ftype, ftype
    )
    family = {"chebyshev2": "cheby2", "chebyshevii": "cheby2"}.get(family, family)
    order, _ = _order(_ORDERS.get(family, _ss.ellipord), wp, ws, gpass, gstop, analog, fs)
    if order > MAX_ORDER:
        raise _validate.error(
            "ws",
            f"must lie far enough from `wp` that the order stays <= {MAX_ORDER}",
            f"ws={_validate.describe(ws)} with wp={_validate.describe(wp)}: order {order}",
            "widen the transition band, or relax gpass and gstop",
        )
    return _iirdesign(wp, ws, gpass, gstop, analog, ftype, output, fs)


@by_value
def _iirdesign(wp, ws, gpass, gstop, analog, ftype, output, fs):
    """SciPy's design of a checked specification (for an order of 0 its order selector
    warns again, as :func:`_order`'s call did)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return call_scipy(
            _ss.iirdesign, wp, ws, gpass, gstop, analog, ftype=ftype, output=output, fs=fs
        )
