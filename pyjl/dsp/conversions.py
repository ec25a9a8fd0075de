"""Conversions between a filter's forms, delegated to :mod:`scipy.signal` after pyjl checks.

``tf2zpk`` and ``zpk2tf`` (transfer function ``b, a`` to zeros, poles and gain, and
back), ``tf2sos``, ``zpk2sos``, ``sos2tf`` and ``sos2zpk`` (to and from second-order
sections) take SciPy's arguments and return SciPy's results and dtypes; pyjl only
checks the arguments first (:mod:`pyjl.dsp._design_args`), so NaN or infinite
coefficients, a denominator of zeros, an unknown ``pairing``, a complex gain or
zeros without their conjugates in ``zpk2sos`` fail with an
:class:`~pyjl.exceptions.InputError` that names the argument and says how to fix it.
Coefficients may be complex where SciPy takes them (``tf2zpk``, ``zpk2tf``,
``sos2tf``, ``sos2zpk``); sections need not have ``a0 == 1`` (``pairing='minimal'``
and analog sections have ``a0 == 0``), but each needs a non-zero denominator.  SciPy's
``BadCoefficients`` warning (a numerator whose leading coefficients vanish) is kept,
and a result that overflows is refused.  Results are computed once per argument value
(:mod:`pyjl.dsp._memo`).

>>> from pyjl.dsp import butter, sos2tf, tf2sos
>>> b, a = butter(4, 0.2)
>>> tf2sos(b, a).shape
(2, 6)
>>> sos2tf([[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyjl.exceptions.InputError: `sos` must have a non-zero denominator (sos[:, 3:]) in every...
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ._design_args import call_scipy, finite, finite_result, roots, transfer_function
from ._memo import KEPT_VALUES, by_value

__all__ = ["tf2zpk", "zpk2tf", "tf2sos", "sos2tf", "zpk2sos", "sos2zpk"]

#: ``pairing`` values of :func:`scipy.signal.zpk2sos` (None: 'nearest', or 'minimal' analog)
PAIRINGS = ("nearest", "keep_odd", "minimal")


def _sections(sos):
    """``sos`` as a finite numeric ``(n_sections, 6)`` array (a single row of 6 is one
    section, as :func:`~pyjl.dsp.sosfilt` reads it), every denominator non-zero."""
    finite(sos, "sos")
    arr = np.atleast_2d(as_raw(sos, "sos"))
    if arr.ndim != 2 or arr.shape[1] != 6:
        raise _validate.error(
            "sos",
            "must have shape (n_sections, 6)",
            f"shape {np.shape(sos)}",
            "design it with output='sos' (each row is b0, b1, b2, a0, a1, a2)",
        )
    zero = np.flatnonzero(np.all(arr[:, 3:] == 0, axis=1))
    if zero.size:
        raise _validate.error(
            "sos",
            "must have a non-zero denominator (sos[:, 3:]) in every section",
            f"{arr[zero[0]].tolist()} in section {zero[0]}",
            "give each section its denominator a0, a1, a2 (a0 = 1 for sosfilt)",
        )
    return arr.astype(np.float64) if arr.dtype.kind == "b" else arr


def _pairing(pairing, analog):
    """SciPy's ``pairing`` resolved: None is 'minimal' for an analog filter, else 'nearest';
    an analog filter takes only 'minimal'."""
    analog = _validate.boolean(analog, "analog")
    pairing = _validate.choice(pairing, "pairing", (*PAIRINGS, None))
    if pairing is None:
        return "minimal" if analog else "nearest", analog
    if analog and pairing != "minimal":
        raise _validate.error(
            "pairing",
            "must be 'minimal' (or None) for an analog filter",
            _validate.describe(pairing),
            "pass pairing='minimal' or pairing=None, or analog=False",
        )
    return pairing, analog


def _trims_numerator(b, a):
    """Whether SciPy's ``normalize`` drops leading numerator coefficients (``|b[0] / a0|
    <= 1e-14``, ``a0`` the first non-zero of ``a``) and warns ``BadCoefficients``:
    such calls are not kept, so that SciPy warns on every one."""
    b, a = np.atleast_2d(b), np.atleast_2d(a)
    a0 = a[np.arange(a.shape[0]), np.argmax(a != 0, axis=1)]
    with np.errstate(all="ignore"):
        return bool(np.any(np.abs(b[:, 0] / a0) <= 1e-14))


def _scipy(name, *args, **kwargs):
    """SciPy's conversion ``name``; NumPy's overflow warnings are left to the finiteness
    check of the result."""
    with np.errstate(all="ignore"):
        return call_scipy(getattr(_ss, name), *args, **kwargs)


#: keyed on coefficient sets as long as a kept entry (roots cost ``len(a) ** 3``)
_kept = by_value(_scipy, longest=KEPT_VALUES)


def _warned(name, warns, *args, **kwargs):
    """:func:`_scipy` kept per value, unless SciPy ``warns`` for these arguments."""
    return (_scipy if warns else _kept)(name, *args, **kwargs)


def tf2zpk(b, a):
    """Zeros, poles and gain of the transfer function ``b(s) / a(s)``
    (:func:`scipy.signal.tf2zpk`).

    ``b`` and ``a`` are coefficients in descending powers, finite and possibly complex;
    ``a`` needs a non-zero coefficient (its leading zeros are dropped, as SciPy drops
    them).  Returns ``(z, p, k)`` in SciPy's dtypes.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> z, p, k = dsp.tf2zpk([3.0, 0.0, 0.0], [1.0, 5.0, 13.0])
    >>> z.tolist(), float(k)
    ([0.0, 0.0], 3.0)
    >>> bool(np.allclose(p, signal.tf2zpk([3.0, 0.0, 0.0], [1.0, 5.0, 13.0])[1]))
    True
    """
    b, a = transfer_function(b, a)
    return finite_result(_warned("tf2zpk", _trims_numerator(b, a), b, a), ("b", "a"), b)


def zpk2tf(z, p, k):
    """Transfer function ``(b, a)`` of zeros ``z``, poles ``p`` and gain ``k``
    (:func:`scipy.signal.zpk2tf`).

    ``z`` and ``p`` are finite (complex) roots, possibly empty; ``z`` may be 2-D, one row
    of zeros per numerator, with ``k`` one gain or one per row.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = dsp.zpk2tf([2.0, 6.0], [1.0, 8.0], 5.0)
    >>> b.tolist(), a.tolist()
    ([5.0, -40.0, 60.0], [1.0, -9.0, 8.0])
    >>> zpk = signal.butter(4, 0.2, output="zpk")
    >>> bool(np.allclose(dsp.zpk2tf(*zpk)[0], signal.butter(4, 0.2)[0]))
    True
    """
    z_arr = roots(z, "z", ndim=2)
    p_arr = roots(p, "p")
    finite(k, "k")
    k_arr = as_raw(k, "k")
    rows = z_arr.shape[0] if z_arr.ndim == 2 else 1
    if z_arr.ndim == 2 and rows == 0:
        raise _validate.error(
            "z",
            "must have at least one row of zeros when 2-D",
            f"shape {z_arr.shape}",
            "pass one row per numerator",
        )
    if k_arr.ndim > 1 or k_arr.size not in (1, rows):
        raise _validate.error(
            "k",
            "must be one gain" + (f", or one per row of `z` ({rows})" if rows > 1 else ""),
            f"shape {k_arr.shape}",
            "pass a single number",
        )
    if not (k_arr.ndim == 0 and isinstance(k, (numbers.Number, np.generic))):
        k = k_arr  # a Python number stays one: SciPy's dtype follows NumPy's rules for it
    return finite_result(_kept("zpk2tf", z_arr, p_arr, k), ("z", "p", "k"), z_arr)


def _zpk_gain(k):
    """``zpk2sos``'s gain: one finite real number (complex with a zero imaginary part)."""
    finite(k, "k")
    k_arr = as_raw(k, "k")
    if k_arr.ndim != 0:
        raise _validate.error(
            "k", "must be a single gain", f"shape {k_arr.shape}", "pass one real number"
        )
    if not np.isreal(k_arr):
        raise _validate.error(
            "k",
            "must be real for second-order sections (their coefficients are real)",
            _validate.describe(k),
            "pass a real gain",
        )
    return k if isinstance(k, (numbers.Number, np.generic)) else k_arr


def _conjugates(z, p, k, pairing, analog):
    """SciPy's sections; where SciPy finds a complex root without its conjugate, an
    InputError naming ``z`` or ``p``, whichever holds it, and where its pairing fails,
    one naming ``pairing``."""
    try:
        return _kept("zpk2sos", z, p, k, pairing=pairing, analog=analog)
    except IndexError:  # SciPy 1.17's pairing looks for a real root where none is left
        raise _validate.error(
            "pairing",
            "must be a pairing SciPy can make of these roots (SciPy's own fails on them "
            "with an IndexError)",
            repr(pairing),
            "make the sections of each pole pair by hand (zpk2sos of that pair and its "
            "zeros): an analog filter has no other pairing"
            if analog
            else "pass pairing='nearest'",
        ) from None
    except ValueError as exc:
        if "conjugate" not in str(exc):
            raise
        name, roots = ("z", z) if _unpaired(z) else ("p", p)
        raise _validate.error(
            name,
            "must hold complex roots in conjugate pairs (the sections have real coefficients)",
            np.round(roots, 6).tolist(),
            "add the conjugate of each complex root",
        ) from None


def _unpaired(roots):
    """Whether SciPy finds a complex root of ``roots`` without its conjugate."""
    try:
        _ss.zpk2sos(roots, [], 1.0, pairing="nearest")
    except ValueError:
        return True
    return False


def zpk2sos(z, p, k, pairing=None, *, analog=False):
    """Second-order sections of zeros ``z``, poles ``p`` and gain ``k``
    (:func:`scipy.signal.zpk2sos`).

    ``z`` and ``p`` hold complex roots in conjugate pairs, ``k`` is real, ``pairing`` is
    None, 'nearest', 'keep_odd' or 'minimal' (the only one for ``analog=True``, with no
    more zeros than poles).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> zpk = signal.ellip(6, 0.087, 90, 0.25, output="zpk")
    >>> bool(np.allclose(dsp.zpk2sos(*zpk), signal.zpk2sos(*zpk)))
    True
    >>> dsp.zpk2sos([-1.0], [0.5], 1.0, pairing="minimal").tolist()
    [[0.0, 1.0, 1.0, 0.0, 1.0, -0.5]]
    """
    z, p = roots(z, "z"), roots(p, "p")
    k = _zpk_gain(k)
    pairing, analog = _pairing(pairing, analog)
    if pairing == "minimal" and z.size > p.size:
        raise _validate.error(
            "z",
            f"must hold no more zeros than `p` holds poles ({p.size}) for pairing='minimal'",
            f"{z.size} zeros",
            "add poles (at 0 for a digital filter), or pass pairing='nearest'",
        )
    return finite_result(_conjugates(z, p, k, pairing, analog), ("z", "p", "k"), z)


def tf2sos(b, a, pairing=None, *, analog=False):
    """Second-order sections of the transfer function ``b(s) / a(s)``
    (:func:`scipy.signal.tf2sos`): :func:`tf2zpk`, then :func:`zpk2sos`.

    ``b`` and ``a`` are real (``tf2zpk``'s rules otherwise); ``pairing`` and ``analog``
    are :func:`zpk2sos`'s, and ``pairing='minimal'`` needs ``b`` of no higher degree than
    ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = signal.cheby1(5, 1, 0.3)
    >>> bool(np.allclose(dsp.tf2sos(b, a), signal.tf2sos(b, a)))
    True
    >>> dsp.tf2sos([2.0], [1.0, -0.5], pairing="minimal").tolist()  # first order
    [[0.0, 0.0, 2.0, 0.0, 1.0, -0.5]]
    """
    b, a = transfer_function(b, a)
    for name, arr in (("b", b), ("a", a)):
        if arr.dtype.kind == "c" and np.any(arr.imag):
            raise _validate.error(
                name,
                "must be real for second-order sections (their coefficients are real)",
                _validate.describe(arr),
                "pass real coefficients (tf2zpk takes complex ones)",
            )
    pairing, analog = _pairing(pairing, analog)
    z, p, k = _warned("tf2zpk", _trims_numerator(b, a), b, a)
    if pairing == "minimal" and z.size > p.size:
        raise _validate.error(
            "b",
            f"must be of no higher degree than `a` ({p.size}) for pairing='minimal'",
            f"degree {z.size}",
            "pass pairing='nearest', or a denominator of higher degree",
        )
    finite_result((z, p, k), ("b", "a"), b)
    sos = _conjugates(z, p, k, pairing, analog)
    return finite_result(sos, ("b", "a"), b)


def sos2tf(sos):
    """Transfer function ``(b, a)`` of second-order sections (:func:`scipy.signal.sos2tf`).

    ``sos`` has shape ``(n_sections, 6)``, finite (complex taken), each section's
    denominator ``sos[:, 3:]`` non-zero; no sections give ``([1.], [1.])``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> sos = signal.ellip(1, 0.001, 50, 0.1, output="sos")
    >>> b, a = dsp.sos2tf(sos)
    >>> np.round(b, 6).tolist(), np.round(a, 6).tolist()
    ([0.912565, 0.912565, 0.0], [1.0, 0.82513, 0.0])
    """
    arr = _sections(sos)
    return finite_result(_kept("sos2tf", arr), ("sos",), arr)


def sos2zpk(sos):
    """Zeros, poles and gain of second-order sections (:func:`scipy.signal.sos2zpk`):
    two zeros and two poles per section (some of them at the origin).

    ``sos`` is checked as by :func:`sos2tf`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> z, p, k = dsp.sos2zpk([[1.0, 0.0, 1.0, 1.0, 0.0, -0.81]])
    >>> np.sort_complex(p).real.round(6).tolist(), float(k)
    ([-0.9, 0.9], 1.0)
    """
    arr = _sections(sos)
    warns = arr.shape[0] > 0 and _trims_numerator(arr[:, :3], arr[:, 3:])
    return finite_result(_warned("sos2zpk", warns, arr), ("sos",), arr)
