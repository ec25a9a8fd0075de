"""What a designed filter does: its frequency response, step steady state and initial state.

``freqz``, ``sosfreqz``, ``lfilter_zi``, ``sosfilt_zi`` and ``lfiltic`` take
:mod:`scipy.signal`'s arguments and return SciPy's results after pyjl checks
them (:mod:`pyjl.dsp._design_args`): coefficients must be finite, ``a`` not
all zeros (leading zeros are dropped, as SciPy drops them), ``sos`` of shape
``(n_sections, 6)``.  A response that is infinite or
NaN somewhere warns (:class:`~pyjl.exceptions.NumericalWarning`), as does an
unstable denominator; complex and N-D coefficients are taken by ``freqz`` as by
SciPy; a filter with no steady state (a pole at z = 1) is refused by name.
``lfiltic`` turns past outputs ``y`` and inputs ``x`` (most recent first) into
``lfilter``'s state ``zi``; ``a[0]`` must be non-zero.

>>> import numpy as np
>>> from pyjl.dsp import butter, sosfilt_zi
>>> sosfilt_zi(butter(2, 0.25, output="sos")).shape
(1, 2)
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.signal as _ss

from .. import _validate
from .._warn import warn
from ..data import as_raw
from ..exceptions import NumericalWarning
from . import _inputs
from ._design_args import (
    MAX_TAPS,
    call_scipy,
    finite,
    finite_result,
    nonzero_denominator,
    positive,
    relayed,
)
from ._memo import by_value

__all__ = ["freqz", "sosfreqz", "lfilter_zi", "sosfilt_zi", "lfiltic"]


def _polynomial(c, name):
    """Finite numeric coefficients: 1-D, or N-D with the coefficients along axis 0 (as
    :func:`scipy.signal.freqz` broadcasts them); the dtype is kept."""
    arr = as_raw(c, name)
    if arr.ndim <= 1:
        return _inputs.coefficients(arr, name)
    if arr.size == 0:
        raise _validate.error(
            name,
            "must be a non-empty array of coefficients",
            arr,
            "pass coefficients along the first axis",
        )
    finite(arr, name)
    return arr


def _frequency_grid(worN, fs):
    """``worN`` is a count of frequencies or the (finite) frequencies themselves; a
    scalar ``fs`` must be > 0 (SciPy refuses an array in its own words)."""
    if isinstance(worN, (numbers.Integral, np.integer)):
        _validate.integer(int(worN), "worN", low=0, high=MAX_TAPS)
    elif worN is not None:
        finite(worN, "worN")  # SciPy takes complex frequencies with zero imaginary part
    if np.ndim(fs) == 0:
        positive(fs, "fs")


@by_value
def _scipy_response(name, *args, **kwargs):
    """SciPy's ``freqz`` or ``sosfreqz`` (``name``), once per argument value."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return call_scipy(getattr(_ss, name), *args, **kwargs)


def _response(name, *args, **kwargs):
    """``(w, h)`` as SciPy computes it; one NumericalWarning when ``h`` is not finite."""
    wh = _scipy_response(name, *args, **kwargs)
    if not np.all(np.isfinite(wh[1])):
        warn(
            "the frequency response is infinite or NaN at some frequencies: a pole "
            "on the unit circle there, or coefficients so large that the sums "
            "overflow (SciPy returns the same values). Fix: move the pole inside "
            "|z| < 1 or scale the coefficients down.",
            NumericalWarning,
        )
    return wh


@by_value
def _steady_state(func_name, names, *coefficients):
    """SciPy's step-response initial conditions, refused by name when there are none: a pole
    at z = 1 (singular system; named by the denominator, ``names[-1]``) or coefficients so
    large that the solve overflows (named by all of ``names``)."""
    name, func = names[-1], getattr(_ss, func_name)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            zi = func(*coefficients)
        except np.linalg.LinAlgError:
            raise _validate.error(
                name,
                "must have no pole at z = 1 (a step then never settles, "
                "so there is no steady state)",
                _validate.describe(coefficients[-1]),
                "filter with zero initial conditions, or move the pole inside |z| < 1",
            ) from None
        except ValueError as exc:  # a denominator of one coefficient, for one
            raise relayed(func, exc) from exc
    if not np.all(np.isfinite(zi)):
        rule = "must give finite initial conditions (coefficients this large overflow)"
        others = "".join(f"and `{n}` " for n in names[1:])
        raise _validate.error(
            names[0],
            others + rule,
            _validate.describe(coefficients[0]),
            "scale the coefficients down",
        )
    return zi


def freqz(b, a=1, worN=512, whole=False, plot=None, fs=2 * np.pi, include_nyquist=False):
    """Frequency response of ``b(z) / a(z)`` (:func:`scipy.signal.freqz`).

    ``b`` and ``a`` may be complex, and N-D with the coefficients along axis 0: the
    responses then broadcast over the other axes, as in SciPy.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> w, h = dsp.freqz(dsp.firwin(31, 0.25), worN=64)
    >>> round(float(abs(h[0])), 6)
    1.0
    >>> bool(np.allclose(h, signal.freqz(signal.firwin(31, 0.25), worN=64)[1]))
    True
    """
    _polynomial(b, "b")
    a_arr = _polynomial(a, "a")
    _frequency_grid(worN, fs)
    whole = _validate.boolean(whole, "whole")
    include_nyquist = _validate.boolean(include_nyquist, "include_nyquist")
    nonzero_denominator(a_arr)
    b, a = (np.asarray(c) if isinstance(c, list) else c for c in (b, a))  # SciPy's reading
    return _response(
        "freqz", b, a, worN=worN, whole=whole, plot=plot, fs=fs, include_nyquist=include_nyquist
    )


def sosfreqz(sos, worN=512, whole=False, fs=2 * np.pi):
    """Frequency response of a second-order-section cascade (:func:`scipy.signal.sosfreqz`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> sos = signal.butter(4, 0.2, output="sos")
    >>> w, h = dsp.sosfreqz(sos, worN=64)
    >>> bool(np.allclose(h, signal.sosfreqz(sos, worN=64)[1]))
    True
    """
    _inputs.validate_sos(sos)
    _frequency_grid(worN, fs)
    whole = _validate.boolean(whole, "whole")
    return _response("sosfreqz", np.asarray(sos), worN=worN, whole=whole, fs=fs)


def lfilter_zi(b, a):
    """Steady-state initial conditions of ``lfilter`` for a unit step
    (:func:`scipy.signal.lfilter_zi`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = signal.butter(2, 0.3)
    >>> bool(np.allclose(dsp.lfilter_zi(b, a), signal.lfilter_zi(b, a)))
    True
    """
    b = _inputs.coefficients(b, "b")
    a = np.trim_zeros(nonzero_denominator(_inputs.coefficients(a, "a")), "f")  # as SciPy
    _inputs.check_stable(a, "a", b)
    return _steady_state("lfilter_zi", ("b", "a"), b, a)


def sosfilt_zi(sos):
    """Steady-state initial conditions ``(n_sections, 2)`` of ``sosfilt`` for a unit step
    (:func:`scipy.signal.sosfilt_zi`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> sos = signal.butter(4, 0.3, output="sos")
    >>> bool(np.allclose(dsp.sosfilt_zi(sos), signal.sosfilt_zi(sos)))
    True
    """
    raw = as_raw(sos, "sos")
    if raw.ndim == 2 and raw.shape[1:] == (6,) and raw.dtype.kind in "iufc":
        a0 = raw[:, 3:4]
        if np.all(np.isfinite(a0) & (a0 != 0)) and np.any(a0 != 1):
            sos = raw / a0  # SciPy's lfilter_zi divides each section by its a0 too
    _inputs.validate_sos(sos)
    return _steady_state("sosfilt_zi", ("sos",), np.asarray(sos))


def _past(values, name, count):
    """Past samples ``values`` (most recent first): finite numbers, 1-D (a scalar is one
    sample), possibly empty; only the first ``count`` matter to the state."""
    finite(values, name)
    arr = np.atleast_1d(as_raw(values, name))
    if arr.ndim != 1:
        raise _validate.error(
            name,
            "must be a 1-D array of past samples, most recent first",
            f"shape {arr.shape}",
            f"pass e.g. {name}[::-1] of one channel",
        )
    return arr[:count]


@by_value
def _scipy_lfiltic(b, a, y, x):
    with np.errstate(over="ignore", invalid="ignore"):
        return call_scipy(_ss.lfiltic, b, a, y, x)


def lfiltic(b, a, y, x=None):
    """Initial state ``zi`` of ``lfilter`` from past outputs ``y`` and past inputs ``x``
    (:func:`scipy.signal.lfiltic`).

    ``y`` is ``[y[-1], y[-2], ...]`` (most recent first; only its first ``len(a) - 1``
    values matter, fewer are padded with zeros), ``x`` likewise for the input (its
    first ``len(b) - 1``; None: zeros).  ``a[0]`` must be non-zero.  The state has
    ``max(len(a), len(b)) - 1`` values, in SciPy's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> b, a = dsp.butter(2, 0.3)
    >>> x = np.arange(8.0)
    >>> y = dsp.lfilter(b, a, x[:5])
    >>> zi = dsp.lfiltic(b, a, y[::-1], x[:5][::-1])
    >>> rest, _ = dsp.lfilter(b, a, x[5:], zi=zi)
    >>> bool(np.allclose(rest, dsp.lfilter(b, a, x)[5:]))
    True
    """
    b, a = _inputs.recursive_pair(b, a)
    y = _past(y, "y", a.size - 1)
    x = None if x is None else _past(x, "x", b.size - 1)
    return finite_result(_scipy_lfiltic(b, a, y, x), ("b", "a", "y", "x"), b)
