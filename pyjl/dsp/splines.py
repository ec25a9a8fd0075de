"""B-spline interpolation of a 1-D signal: its coefficients, their evaluation, and the
Gaussian approximation of a B-spline basis function.

``cspline1d(signal, lamb=0.0)`` and ``qspline1d(signal, lamb=0.0)`` give the cubic and
quadratic B-spline coefficients ``c`` of samples at 0, 1, ..., N - 1 (mirror-symmetric
boundaries; a cubic may be smoothed with ``lamb`` > 1/144), ``cspline1d_eval(cj, newx,
dx=1.0, x0=0)`` and ``qspline1d_eval`` evaluate the spline ``sum c[j] beta((x - x0)/dx -
j)`` at ``newx`` (mirrored beyond the ends), and ``gauss_spline(x, n)`` is the Gaussian
``exp(-x**2 / (2 s)) / sqrt(2 pi s)`` with ``s = (n + 1) / 12``, which approximates the
B-spline basis of order ``n``.  All delegate to :mod:`scipy.signal` after pyjl's checks
(:mod:`pyjl.dsp._spline_args`): samples and coefficients finite, 1-D and not empty,
``lamb`` 0 or above 1/144 (cubic) or 0 (quadratic), points real, ``dx`` non-zero,
``n`` >= 0; a result that overflows is refused.  Points far beyond the ends are moved
by the period of the mirror-symmetric extension first (SciPy mirrors them recursively,
past Python's recursion limit).
Results and dtypes are SciPy's; integer coefficients are evaluated in float64 (SciPy
fails to add float64 values into its integer result), and ``qspline1d_eval`` evaluates
complex coefficients part by part (SciPy fails to add them into its real result).

>>> import numpy as np
>>> from pyjl.dsp import cspline1d, cspline1d_eval
>>> c = cspline1d(np.array([0.0, 1.0, 4.0, 9.0, 16.0]))
>>> cspline1d_eval(c, np.array([1.0, 2.0])).round(6).tolist()  # interpolates the samples
[1.0, 4.0]
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import origin, restore
from ._design_args import call_scipy, finite, finite_result, scalar
from ._spline_args import number, numeric, samples

__all__ = ["cspline1d", "qspline1d", "cspline1d_eval", "qspline1d_eval", "gauss_spline"]

#: the smallest smoothing of a cubic spline: below 1/144 SciPy's root formula fails
_SMOOTHEST = 1 / 144


def cspline1d(signal, lamb=0.0):
    """Cubic B-spline coefficients of ``signal`` (:func:`scipy.signal.cspline1d`), smoothed
    with ``lamb`` when it is > 1/144 (0: interpolation).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.sin(np.linspace(0.0, 3.0, 20))
    >>> bool(np.allclose(dsp.cspline1d(x), signal.cspline1d(x)))
    True
    >>> bool(np.allclose(dsp.cspline1d(x, 0.5), signal.cspline1d(x, 0.5)))
    True
    """
    arr = samples(signal, "signal")
    lamb = _validate.real(scalar(lamb), "lamb", low=0, fix="pass lamb=0, or lamb > 1/144")
    if 0 < lamb <= _SMOOTHEST:
        raise _validate.error(
            "lamb",
            "must be 0 or above 1/144 (a smoothing spline below has no real pole pair, "
            "where SciPy fails or returns NaN)",
            lamb,
            "pass lamb=0 to interpolate, or lamb > 0.00695 to smooth",
        )
    if lamb and arr.size < 3:
        raise _validate.error(
            "signal",
            "must have at least 3 samples for a smoothing spline (lamb > 0)",
            f"{arr.size} samples",
            "pass a longer signal, or lamb=0",
        )
    out = finite_result(call_scipy(_ss.cspline1d, arr, lamb), ("signal", "lamb"), arr)
    return restore(out, origin(signal))


def qspline1d(signal, lamb=0.0):
    """Quadratic B-spline coefficients of ``signal`` (:func:`scipy.signal.qspline1d`);
    ``lamb`` must be 0 (SciPy has no smoothing quadratic spline).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.sin(np.linspace(0.0, 3.0, 20))
    >>> bool(np.allclose(dsp.qspline1d(x), signal.qspline1d(x)))
    True
    """
    arr = samples(signal, "signal")
    if number(lamb, "lamb") != 0:
        raise _validate.error(
            "lamb",
            "must be 0 (SciPy has no smoothing quadratic spline)",
            _validate.describe(lamb),
            "pass lamb=0, or use cspline1d for a smoothing spline",
        )
    out = finite_result(call_scipy(_ss.qspline1d, arr, lamb), ("signal",), arr)
    return restore(out, origin(signal))


def _evaluation(cj, newx, dx, x0):
    """Checked coefficients (integers as float64) and the points in samples from ``x0``,
    with the step and origin that leave them as they are (1.0 and 0)."""
    c = samples(cj, "cj")
    if c.dtype.kind in "biu":
        c = c.astype(float)
    newx = numeric(newx, "newx", real=True)
    dx = number(dx, "dx")
    if dx == 0:
        raise _validate.error("dx", "must be non-zero", dx, "pass the sample spacing, e.g. 1.0")
    x0 = number(x0, "x0")
    with np.errstate(over="ignore", invalid="ignore"):
        u = (newx - x0) / float(dx)  # as SciPy computes the positions
    finite(u, "newx")  # (newx - x0) / dx overflowed
    return c, _mirrored(u, c.size), 1.0, 0


def _mirrored(u, n):
    """Positions ``u`` (in samples) beyond ``[-2(n-1), 4(n-1)]`` moved into
    ``[0, 2(n-1))`` by the period of the mirror-symmetric extension: SciPy mirrors them
    once per call, recursively, and exceeds Python's recursion limit far away (for
    ``n = 1`` every position is the one sample's)."""
    period = 2 * (n - 1)
    if period == 0:
        return np.zeros_like(u)
    far = (u < -period) | (u > 2 * period)
    if np.any(far):
        u = np.where(far, np.mod(u, period), u)
    return u


def cspline1d_eval(cj, newx, dx=1.0, x0=0):
    """The cubic spline of coefficients ``cj`` (samples spaced ``dx`` from ``x0``) at
    ``newx``, mirrored beyond the ends (:func:`scipy.signal.cspline1d_eval`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> c = dsp.cspline1d(np.cos(np.arange(10.0)))
    >>> x = np.linspace(-2.0, 12.0, 15)
    >>> bool(np.allclose(dsp.cspline1d_eval(c, x), signal.cspline1d_eval(c, x)))
    True
    """
    return restore(call_scipy(_ss.cspline1d_eval, *_evaluation(cj, newx, dx, x0)), origin(newx))


def qspline1d_eval(cj, newx, dx=1.0, x0=0):
    """The quadratic spline of coefficients ``cj`` at ``newx``
    (:func:`scipy.signal.qspline1d_eval`), as :func:`cspline1d_eval`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> c = dsp.qspline1d(np.cos(np.arange(10.0)))
    >>> x = np.linspace(0.0, 9.0, 7)
    >>> bool(np.allclose(dsp.qspline1d_eval(c, x), signal.qspline1d_eval(c, x)))
    True
    """
    c, u, dx, x0 = _evaluation(cj, newx, dx, x0)
    if c.dtype.kind == "c":  # SciPy's result is real: each part on its own
        real = call_scipy(_ss.qspline1d_eval, c.real, u, dx, x0)
        return restore(real + 1j * call_scipy(_ss.qspline1d_eval, c.imag, u, dx, x0), origin(newx))
    return restore(call_scipy(_ss.qspline1d_eval, c, u, dx, x0), origin(newx))


def gauss_spline(x, n):
    """Gaussian approximation of the B-spline basis function of order ``n`` at ``x``
    (:func:`scipy.signal.gauss_spline`): variance ``(n + 1) / 12``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.array([-1.0, 0.0, 1.0])
    >>> dsp.gauss_spline(x, 3).round(6).tolist()
    [0.15418, 0.690988, 0.15418]
    >>> bool(np.allclose(dsp.gauss_spline(x, 3), signal.gauss_spline(x, 3)))
    True
    """
    arr = numeric(x, "x")
    n = scalar(n)
    _validate.real(n, "n", low=0, fix="pass the spline order, an integer >= 0")
    return restore(call_scipy(_ss.gauss_spline, arr, n), origin(x))
