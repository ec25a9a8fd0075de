"""Periodic and swept waveforms (``chirp``, ``sweep_poly``, ``square``, ``sawtooth``), as
:mod:`scipy.signal`'s: elementwise formulas of the
times ``t`` (SciPy's own expressions, so SciPy's bits and dtypes).  A swept cosine
``cos(phi(t))`` has instantaneous frequency ``phi'(t) / 2 pi``: for ``chirp`` a line,
parabola, geometric or hyperbolic sweep from ``f0`` at ``t = 0`` to ``f1`` at ``t1``, for
``sweep_poly`` a polynomial.  ``t`` (finite) in a pandas or Arrow form gives that form.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validate, data
from ._design_args import scalar
from ._inputs import input_dtype, want_dtype

__all__ = ["chirp", "sweep_poly", "square", "sawtooth"]

_METHODS = {
    **dict.fromkeys(("linear", "lin", "li"), "linear"),
    **dict.fromkeys(("quadratic", "quad", "q"), "quadratic"),
    **dict.fromkeys(("logarithmic", "log", "lo"), "logarithmic"),
    **dict.fromkeys(("hyperbolic", "hyp"), "hyperbolic"),
}


def _times(t, name: str = "t", single: bool = False):
    """``(values, origin)``: ``t`` as a finite float64 array (float32 kept, as SciPy;
    ``single``: float32 whatever ``t`` holds)."""
    org = data.origin(t)
    dtype = np.float32 if single or want_dtype(t, name) == np.float32 else np.float64
    return data.as_array(t, name=name, dtype=dtype, allow_empty=True), org


def _held_dtype(obj, name: str) -> np.dtype:
    """The dtype NumPy gives ``obj`` (``np.asarray``'s for a number, a table's columns
    promoted together)."""
    held = input_dtype(obj)
    return held if held is not None else data.as_raw(obj, name).dtype


def _restore(result, values, org):
    """``result`` in ``t``'s form where it has ``t``'s shape (NumPy otherwise)."""
    return data.restore(result, org) if np.shape(result) == values.shape else result


def _number(value, name: str, **bounds) -> float:  # a 0-d array read as its number
    return _validate.real(scalar(value), name, **bounds)


def _phase_degrees(phi):
    """``phi`` checked; a NumPy float scalar keeps its type (it sets SciPy's dtype)."""
    number = _validate.real(scalar(phi), "phi")
    return scalar(phi) if isinstance(scalar(phi), np.floating) else number


def _finite_phase(phase, t: np.ndarray, given: str):
    """``phase``, or InputError naming ``t`` (and the ``given`` sweep arguments) where
    the sweep's phase overflows."""
    bad = ~np.isfinite(phase)
    if np.any(bad):
        i = int(np.flatnonzero(np.ravel(bad))[0])
        raise _validate.error(
            "t",
            f"must keep the phase of the sweep given by {given} finite",
            f"t = {float(np.ravel(t)[i])!r} at index {i}, where the phase overflows",
            f"pass times within the sweep's range, or rescale t and {given}",
        )
    return phase


def chirp(t, f0, t1, f1, method="linear", phi=0, vertex_zero=True, *, complex=False):
    """A frequency-swept cosine (or complex exponential): ``cos(2 pi int f + phi)``.

    The instantaneous frequency ``f(t)`` passes through ``f0`` at ``t = 0`` and ``f1``
    at ``t = t1``:

    - ``'linear'``: ``f(t) = f0 + (f1 - f0) t / t1``;
    - ``'quadratic'``: ``f(t) = f0 + (f1 - f0) t^2 / t1^2`` (vertex at ``t = 0``), or
      with ``vertex_zero=False`` ``f(t) = f1 - (f1 - f0) (t1 - t)^2 / t1^2``;
    - ``'logarithmic'``: ``f(t) = f0 (f1 / f0)^(t / t1)`` (``f0``, ``f1`` non-zero, one sign);
    - ``'hyperbolic'``: ``f(t) = f0 f1 t1 / ((f0 - f1) t + f1 t1)`` (``f0``, ``f1`` non-zero).

    Parameters
    ----------
    t : array_like, pandas Series/DataFrame or Arrow array
        Times, finite.  Float32 times keep SciPy's dtype rules; others are read as float64.
    f0, t1, f1 : float
        Frequency at time 0, the reference time (non-zero) and the frequency there.
    method : {'linear', 'quadratic', 'logarithmic', 'hyperbolic'}, default 'linear'
        The sweep (SciPy's abbreviations ``'lin'``, ``'quad'``, ``'log'``, ``'hyp'`` ... too).
    phi : float, default 0
        Phase offset in degrees.
    vertex_zero : bool, default True
        For ``'quadratic'``: the parabola's vertex at ``t = 0`` (else at ``t = t1``).
    complex : bool, default False
        Return ``exp(1j * phase)`` instead of its real part.

    Returns
    -------
    y : ndarray (float64, complex128 with ``complex=True``), in ``t``'s form

    Notes
    -----
    SciPy raises ``ZeroDivisionError`` for ``t1 = 0`` and returns NaN where the phase
    overflows or ``t`` hits a hyperbolic sweep's singular time; pyjl refuses these.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl.dsp import chirp
    >>> t = np.linspace(0, 1, 5)
    >>> chirp(t, f0=0, t1=1, f1=4).round(6)  # phase 2 pi (2 t**2)
    array([ 1.      ,  0.707107, -1.      ,  0.707107,  1.      ])
    >>> y = chirp(t, 2, 1, 8, method="logarithmic", phi=30)
    >>> bool(np.array_equal(y, signal.chirp(t, 2, 1, 8, method="logarithmic", phi=30)))
    True
    """
    values, org = _times(t)
    phase = _chirp_phase(values, f0, t1, f1, method, vertex_zero) + np.deg2rad(_phase_degrees(phi))
    out = np.exp(1j * phase) if _validate.boolean(complex, "complex") else np.cos(phase)
    return _restore(out, values, org)


def _chirp_phase(t, f0, t1, f1, method, vertex_zero):
    """The phase ``2 pi int_0^t f`` of :func:`chirp`, after checking its arguments."""
    f0, t1, f1 = _number(f0, "f0"), _number(t1, "t1"), _number(f1, "f1")
    if t1 == 0:
        raise _validate.error("t1", "must be non-zero (f1 is reached at t1)", t1, "pass t1 > 0")
    if not isinstance(method, str) or method not in _METHODS:
        raise _validate.error(
            "method",
            "must be 'linear', 'quadratic', 'logarithmic' or 'hyperbolic'",
            _validate.describe(method),
            "pass one of these (or 'lin', 'quad', 'log', 'hyp')",
            wrong_type=not isinstance(method, str),
        )
    kind = _METHODS[method]
    vertex = _validate.boolean(vertex_zero, "vertex_zero")
    with np.errstate(over="ignore", invalid="ignore"):  # refused by _finite_phase
        phase = _method_phase(kind, t, f0, t1, f1, vertex)
    return _finite_phase(phase, t, "f0, t1 and f1")


def _method_phase(kind, t, f0, t1, f1, vertex):
    pi = np.pi
    if kind == "linear":
        beta = (f1 - f0) / t1
        return 2 * pi * (f0 * t + 0.5 * beta * t * t)
    if kind == "quadratic":
        beta = (f1 - f0) / _power(t1, 2)
        if vertex:
            return 2 * pi * (f0 * t + beta * t**3 / 3)
        return 2 * pi * (f1 * t + beta * ((t1 - t) ** 3 - _power(t1, 3)) / 3)
    if kind == "hyperbolic":
        return _hyperbolic_phase(t, f0, t1, f1)
    if f0 * f1 <= 0.0:  # logarithmic
        raise _validate.error(
            "f0",
            "and `f1` must be non-zero and of one sign for a logarithmic chirp",
            f"f0 = {f0}, f1 = {f1}",
            "pass two positive (or two negative) frequencies",
        )
    if f0 == f1:
        return 2 * pi * f0 * t
    beta = t1 / np.log(f1 / f0)
    return 2 * pi * beta * f0 * (pow(f1 / f0, t / t1) - 1.0)


def _power(t1: float, p: int) -> float:
    """``t1**p`` in Python floats as SciPy (so SciPy's dtypes), or InputError naming ``t1``
    where it overflows or vanishes (SciPy's OverflowError, ZeroDivisionError)."""
    try:
        value = t1**p
    except OverflowError:
        value = math.inf
    if value == 0 or not math.isfinite(value):
        raise _validate.error(
            "t1", f"must keep t1**{p} a finite, non-zero number", t1, "rescale t and t1"
        )
    return value


def _hyperbolic_phase(t, f0, t1, f1):
    if f0 == 0 or f1 == 0:
        raise _validate.error(
            "f0" if f0 == 0 else "f1",
            "must be non-zero for a hyperbolic chirp",
            0.0,
            "pass non-zero frequencies (or another method)",
        )
    if f0 == f1:  # a constant frequency
        return 2 * np.pi * f0 * t
    sing = -f1 * t1 / (f0 - f1)  # the instantaneous frequency blows up there
    if np.any(t == sing):
        raise _validate.error(
            "t",
            f"must avoid the hyperbolic sweep's singular time {sing!r} (infinite frequency)",
            f"t = {sing!r} at index {int(np.flatnonzero(np.ravel(t == sing))[0])}",
            "pass times that skip it (f0 and f1 of one sign put it outside [0, t1])",
        )
    return 2 * np.pi * (-sing * f0) * np.log(np.abs(1 - t / sing))


def sweep_poly(t, poly, phi=0):
    """A cosine whose instantaneous frequency is the polynomial ``poly(t)``.

    Parameters
    ----------
    t : array_like, pandas Series/DataFrame or Arrow array
        Times, finite.
    poly : 1-D array_like or numpy.poly1d
        Coefficients of ``f(t)``, highest power first (``numpy.polyval``'s order); real
        and finite.
    phi : float, default 0
        Phase offset in degrees.

    Returns
    -------
    y : ndarray of float64, in ``t``'s form
        ``cos(2 pi P(t) + phi)``, ``P`` the integral of ``poly`` with ``P(0) = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl.dsp import sweep_poly
    >>> t = np.linspace(0, 2, 9)
    >>> p = np.poly1d([1.0, 0.0, 2.0])  # f(t) = t**2 + 2
    >>> bool(np.array_equal(sweep_poly(t, p, phi=45), signal.sweep_poly(t, p, phi=45)))
    True
    """
    values, org = _times(t)
    coeffs = _polynomial(poly)
    phase = _finite_phase(2 * np.pi * np.polyval(np.polyint(coeffs), values), values, "poly")
    phi = _phase_degrees(phi) * (np.pi / 180)
    return _restore(np.cos(phase + phi), values, org)


def _polynomial(poly) -> np.ndarray:
    raw = np.asarray(poly.coeffs) if isinstance(poly, np.poly1d) else data.as_raw(poly, "poly")
    raw = np.atleast_1d(raw)
    if raw.dtype.kind not in "biuf" or raw.ndim != 1 or raw.size == 0:
        raise _validate.error(
            "poly",
            "must be a non-empty 1-D sequence of real coefficients (highest power first)",
            _validate.describe(poly),
            "pass e.g. [1.0, 0.0, 2.0] for f(t) = t**2 + 2, or a numpy.poly1d",
            wrong_type=raw.dtype.kind in "OSUVM",
        )
    data.as_array(raw, name="poly")  # NaN or infinity refused, naming its index
    return raw


def _cycle(t, fraction, name: str):
    """``(values, origin, t mod 2 pi, fraction)``: ``t`` and the fraction of the period
    ``name`` (in ``[0, 1]``) broadcast together, in SciPy's dtypes."""
    # SciPy works in the dtype of w + (t - t): float32 where the two promote to it
    single = np.result_type(_held_dtype(t, "t"), _held_dtype(fraction, name)) == np.float32
    values, org = _times(t, single=single)
    got = data.as_array(
        fraction, name=name, dtype=np.float32 if single else np.float64, allow_empty=True
    )
    bad = np.flatnonzero((got < 0) | (got > 1))
    if bad.size:
        raise _validate.error(
            name,
            "must lie in [0, 1] (a fraction of the period)",
            f"{np.ravel(got)[bad[0]]}" + (f" at index {bad[0]}" if got.ndim else ""),
            f"pass {name} between 0 and 1",
        )
    try:
        w = np.asarray(got + (values - values))
    except ValueError:
        raise _validate.error(
            name,
            f"must broadcast against `t` (shape {values.shape})",
            f"shape {got.shape}",
            "pass a number or an array of t's shape",
        ) from None
    return values, org, np.mod(np.asarray(values + (w - w)), 2 * np.pi), w


def sawtooth(t, width=1):
    """A sawtooth (or triangle) wave of period ``2 pi``: -1 at ``t = 0``, rising to 1 at
    ``width * 2 pi``, falling back to -1 at ``2 pi``.

    Parameters
    ----------
    t : array_like, pandas Series/DataFrame or Arrow array
        Times (radians), finite.
    width : float or array_like in [0, 1], default 1
        Fraction of the period spent rising (1: a rising ramp, 0.5: a triangle); SciPy
        returns NaN outside ``[0, 1]``, pyjl refuses.

    Returns
    -------
    y : ndarray of float64, in ``t``'s form (the broadcast shape of ``t`` and ``width``)

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import sawtooth
    >>> sawtooth(np.pi * np.arange(5) / 2, width=0.5)
    array([-1.,  0.,  1.,  0., -1.])
    """
    values, org, tmod, w = _cycle(t, width, "width")
    rising = tmod < w * 2 * np.pi
    y = np.zeros(tmod.shape, dtype="d")
    with np.errstate(divide="ignore", invalid="ignore"):  # the branch not taken
        np.copyto(y, tmod / (np.pi * w) - 1, where=rising)
        np.copyto(y, (np.pi * (w + 1) - tmod) / (np.pi * (1 - w)), where=~rising)
    return _restore(y, values, org)


def square(t, duty=0.5):
    """A square wave of period ``2 pi``: 1 for the first ``duty`` of each period, else -1.

    Parameters
    ----------
    t : array_like, pandas Series/DataFrame or Arrow array
        Times (radians), finite.
    duty : float or array_like in [0, 1], default 0.5
        Duty cycle; SciPy returns NaN outside ``[0, 1]``, pyjl refuses.

    Returns
    -------
    y : ndarray of float64, in ``t``'s form (the broadcast shape of ``t`` and ``duty``)

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import square
    >>> square(np.pi * np.arange(6) / 2, duty=0.25)
    array([ 1., -1., -1., -1.,  1., -1.])
    """
    values, org, tmod, w = _cycle(t, duty, "duty")
    y = np.where(tmod < w * 2 * np.pi, 1.0, -1.0)
    return _restore(y, values, org)
