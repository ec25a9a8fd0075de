"""Argument checks shared by the filter design and response functions.

:mod:`pyjl.dsp.design` (IIR), :mod:`pyjl.dsp.design_fir` (FIR) and
:mod:`pyjl.dsp.response` delegate to
:mod:`scipy.signal`; these checks run first, so a bad argument fails with an
:class:`~pyjl.exceptions.InputError` naming it, and what SciPy still refuses is
relayed in SciPy's own words (:func:`call_scipy`).
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ..exceptions import InputError
from . import _inputs

__all__ = [
    "MAX_ORDER",
    "MAX_TAPS",
    "scalar",
    "positive",
    "decibels",
    "nyquist",
    "frequencies",
    "frequency",
    "finite",
    "nonzero_denominator",
    "transfer_function",
    "roots",
    "window_params",
    "known_window",
    "finite_taps",
    "finite_result",
    "call_scipy",
    "in_namespace",
    "relayed",
]

#: bounds that keep absurd sizes (N = 2**70) from reaching SciPy as an allocation error
MAX_ORDER = 10_000
MAX_TAPS = 2**24


def scalar(value):
    """A 0-d array as its number (SciPy's tests pass ``xp.asarray(1.0)``)."""
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value


def positive(value, name):
    """``value`` as a finite float > 0."""
    return _validate.real(scalar(value), name, low=0, low_open=True, fix=f"pass {name} > 0")


def decibels(value, name):
    """A ripple or attenuation in dB: > 0, and small enough that 10**(dB/10) is a float."""
    return _validate.real(
        scalar(value),
        name,
        low=0,
        high=3000,
        low_open=True,
        fix=f"pass {name} in dB, > 0 (3000 dB is already a gain of 1e300)",
    )


def check_passband_loss(gpass):
    """Refuse a ``gpass`` (dB, from :func:`decibels`) so small that ``10**(gpass/10)`` is 1
    in float64: the order formulas divide by its excess over 1."""
    if 10 ** (0.1 * gpass) - 1.0 <= 0:
        raise _validate.error(
            "gpass",
            "must be large enough that 10**(gpass/10) differs from 1 in float64",
            gpass,
            "pass gpass >= 1e-12 dB",
        )


def nyquist(fs, analog=False, default=1.0):
    """fs/2 (``default`` without fs); a non-scalar fs is left for SciPy to refuse."""
    if analog or np.ndim(fs) > 0:
        return np.inf
    return default if fs is None else positive(fs, "fs") / 2.0


def ripples(rp, rs, N: int):
    """An elliptic design's passband ripple ``rp`` and stopband attenuation ``rs`` (dB) as
    floats; of order ``N`` (checked) >= 2, ``rs`` at least ``rp`` (below, SciPy's poles
    are NaN; orders 0 and 1 do not depend on ``rs``)."""
    rp, rs = decibels(rp, "rp"), decibels(rs, "rs")
    if N >= 2 and rs < rp:
        raise _validate.error(
            "rs",
            f"must be at least the passband ripple `rp` = {rp:g} dB for an elliptic design "
            f"of order {N} (else it has no solution and SciPy returns NaN poles)",
            rs,
            "pass e.g. rp=1, rs=40",
        )
    return rp, rs


def frequencies(value, name, fs, analog=False, count=None):
    """Critical frequencies strictly inside ``(0, nyquist)``, increasing: ``count`` of
    them (1: a scalar, as SciPy's lowpass and highpass designs take it)."""
    raw = as_raw(value, name)
    if raw.dtype.kind not in "biuf" and raw.size:
        raise _validate.error(
            name,
            "must be a real frequency or a sequence of them",
            _validate.describe(value),
            "pass numbers, e.g. 0.2 or [0.1, 0.4]",
        )
    if count == 1 and raw.ndim != 0:
        raise _validate.error(
            name,
            "must be a single number for a lowpass or highpass design",
            _validate.describe(value),
            "pass e.g. 0.2 (a band takes btype='bandpass' and [lo, hi])",
            wrong_type=True,
        )
    arr = np.atleast_1d(raw.astype(float))
    nyq = nyquist(fs, analog)
    where = "the Nyquist frequency " + (
        f"{nyq:g} (fs/2)" if fs is not None else "1 (frequencies are normalised to Nyquist)"
    )
    if arr.ndim != 1 or arr.size == 0 or (count is not None and arr.size != count):
        want = f"{count} value(s)" if count is not None else "one or more values"
        raise _validate.error(
            name,
            f"must be {want}",
            _validate.describe(value),
            f"pass e.g. {'[lo, hi]' if count == 2 else 'a single cutoff'}",
        )
    bad = ~np.isfinite(arr) | (arr <= 0) | (arr >= nyq)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        if analog:
            raise _validate.error(
                name,
                "must be positive (analog frequencies in rad/s)",
                f"{arr[i]} at index {i}",
                "pass a positive frequency",
            )
        raise _validate.error(
            name,
            f"must lie strictly between 0 and {where}",
            f"{arr[i]} at index {i}",
            f"pass a frequency in (0, {nyq:g})"
            + ("" if fs is not None else ", or give the sampling rate as fs="),
        )
    if arr.size > 1 and np.any(np.diff(arr) <= 0):
        raise _validate.error(
            name, "must be strictly increasing", str(arr.tolist()), "sort the band edges"
        )
    return arr


def frequency(value, name, fs):
    """One frequency strictly inside ``(0, fs/2)`` (a notch's or a comb's ``w0``), a float."""
    if np.ndim(scalar(value)) != 0:
        raise _validate.error(
            name,
            "must be a single frequency",
            _validate.describe(value),
            "pass one number, e.g. 0.2 (or 60.0 with fs=1000.0)",
            wrong_type=True,
        )
    return float(frequencies(value, name, fs)[0])


def nonzero_denominator(a):
    """``a``, unless a denominator in it (along axis 0) is all zeros: it has no response.
    Leading zeros are allowed, as SciPy allows them."""
    if np.any(np.all(a == 0, axis=0)):
        raise _validate.error(
            "a",
            "must have a non-zero coefficient (it is the denominator)",
            _validate.describe(a),
            "pass a denominator such as [1.0, -0.5]",
        )
    return a


def finite(values, name, positive=False, kinds="biufc"):
    """Refuse NaN/inf (and, with ``positive``, values <= 0) in an array argument, by position;
    ``kinds`` are the accepted dtype kinds ("biuf": real only)."""
    arr = as_raw(values, name)
    if arr.dtype.kind not in kinds:
        what = "real numbers" if "c" not in kinds else "numbers"
        raise _validate.error(
            name, f"must hold {what}", _validate.describe(values), f"pass an array of {what}"
        )
    bad = ~np.isfinite(arr) | ((np.real(arr) <= 0) if positive else False)
    if np.any(bad):
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        rule = "must be finite and > 0" if positive else "must be finite"
        raise _validate.error(
            name,
            rule,
            f"{arr[where]} at index {where}",
            f"pass {'positive ' if positive else ''}finite values only",
        )


def finite_taps(taps, window, width=None):
    """``taps`` of a windowed design, or an InputError naming ``window`` (``width`` when
    given) if any tap is NaN or infinite."""
    if np.all(np.isfinite(taps)):
        return taps
    # a Kaiser beta so large that i0(beta) overflows, or a window that is zero at every
    # tap (a 'hann' of 2 taps: SciPy returns NaN taps)
    name, value = ("width", width) if width is not None else ("window", window)
    kaiser = name == "width" or (isinstance(window, tuple) and window[:1] == ("kaiser",))
    raise _validate.error(
        name,
        "must give a window with finite values whose taps do not all vanish",
        _validate.describe(value),
        "pass a transition width below fs/2"
        if name == "width"
        else "pass a smaller Kaiser beta (below ~700)"
        if kaiser
        else "pass more taps, or a window that is not zero at both ends (e.g. 'hamming')",
    )


def bessel_norm(norm, any_case: bool = False):
    """``norm`` of a Bessel design: ``'phase'``, ``'delay'`` or ``'mag'`` (in any case
    where ``any_case``: SciPy's ``bessel`` folds it, its ``besselap`` does not)."""
    if not isinstance(norm, str) or (norm.lower() if any_case else norm) not in (
        "phase",
        "delay",
        "mag",
    ):
        raise _validate.error(
            "norm",
            "must be 'phase', 'delay' or 'mag'",
            _validate.describe(norm),
            "pass one of those names",
            wrong_type=not isinstance(norm, str),
        )
    return norm


def fitted_taps(taps, desired):
    """``taps`` of a design fitted to gains (``remez``, ``firls``), or an InputError naming
    ``desired`` when any tap is NaN or infinite: gains (or weights) so large that the
    design's arithmetic overflows."""
    if np.all(np.isfinite(taps)):
        return taps
    raise _validate.error(
        "desired",
        "must give finite taps (gains and weights of moderate size)",
        _validate.describe(desired),
        "scale the gains down and the taps up afterwards",
    )


def transfer_function(b, a):
    """``b`` and ``a`` as finite, non-empty 1-D numeric arrays, ``a`` not all zeros."""
    return _inputs.coefficients(b, "b"), nonzero_denominator(_inputs.coefficients(a, "a"))


def roots(values, name, ndim=1):
    """Zeros or poles: finite numbers, at most ``ndim``-D (a scalar is one root); may be
    empty."""
    finite(values, name)
    arr = np.atleast_1d(as_raw(values, name))
    if arr.ndim > ndim:
        raise _validate.error(
            name,
            "must be a 1-D array of roots" + (" (or 2-D: one row per numerator)" * (ndim == 2)),
            f"shape {arr.shape}",
            "pass a flat array such as [0.5, -1.0]",
        )
    return arr


def finite_result(result, names, value):
    """``result`` (an array, a number or a tuple of them), or an InputError naming the
    arguments ``names`` (``value`` the first's) when any of it is NaN or infinite:
    coefficients so large that SciPy's products or roots overflow."""
    parts = result if isinstance(result, tuple) else (result,)
    if all(np.all(np.isfinite(part)) for part in parts if part is not None):
        return result
    others = "".join(f"and `{n}` " for n in names[1:])
    raise _validate.error(
        names[0],
        others + "must give a finite result (values this large overflow)",
        _validate.describe(value),
        "scale the coefficients down",
    )


def window_params(window):
    """Refuse a window whose numeric parameters (a Kaiser ``beta``, a Gaussian ``std``, ...)
    are not finite: ``("kaiser", nan)`` or ``nan`` itself (a bare number is a Kaiser beta)."""
    params = window[1:] if isinstance(window, tuple) else (window,)
    for i, param in enumerate(params, start=1):
        if isinstance(param, numbers.Number) and not isinstance(param, (bool, np.bool_)):
            name = f"window[{i}]" if isinstance(window, tuple) else "window"
            _validate.real(
                param, name, fix="pass a finite window parameter, e.g. window=('kaiser', 8.6)"
            )


def known_window(window, numtaps):
    """The ``numtaps`` samples of ``window`` (None for ``window=None``, no window), or an
    InputError naming ``window`` where :func:`scipy.signal.get_window` refuses it
    (``'bogus'``, ``'kaiser'`` without its beta, an array of samples)."""
    if window is None:
        return None
    try:
        return _ss.get_window(window, numtaps, fftbins=False)
    except (ValueError, TypeError) as exc:
        raise _validate.error(
            "window",
            "must be a window SciPy knows",
            _validate.describe(window),
            f"use e.g. 'hamming' or ('kaiser', 8.6) (SciPy: {str(exc).rstrip('.!')})",
        ) from exc


def in_namespace(arrays, xp, device):
    """SciPy's ``xp`` and ``device`` (its array API designs): ``arrays`` as arrays of the
    namespace ``xp`` (NumPy's when None) on ``device``; unchanged when both are None."""
    if xp is None and device is None:
        return arrays
    space = np if xp is None else xp
    if not callable(getattr(space, "asarray", None)):
        raise _validate.error(
            "xp",
            "must be an array namespace (a module with asarray, as numpy or "
            "array_api_compat.numpy)",
            _validate.describe(xp),
            "pass xp=None for NumPy arrays",
            wrong_type=True,
        )
    try:
        return tuple(space.asarray(a, device=device) for a in arrays)
    except (TypeError, ValueError) as exc:
        raise _validate.error(
            "device",
            f"must be a device of {getattr(space, '__name__', 'the namespace')}",
            _validate.describe(device),
            f"pass device=None (the namespace's default; {exc})",
        ) from exc


def relayed(func, exc: ValueError) -> InputError:
    """SciPy's refusal ``exc`` from ``func`` as an InputError: SciPy's own words first
    (SciPy's tests match them with "^..."), so this one message is not in the voice of
    _validate.error."""
    where = f"scipy.signal.{func.__qualname__}"  # a method: ShortTimeFFT.p_max
    return InputError(
        f"{str(exc).rstrip('.')} ({where}). Fix: see {where} for the valid arguments."
    )


def call_scipy(func, *args, **kwargs):
    """``func(*args, **kwargs)``, a ValueError of SciPy's :func:`relayed`."""
    try:
        return func(*args, **kwargs)
    except InputError:
        raise
    except ValueError as exc:
        raise relayed(func, exc) from exc
