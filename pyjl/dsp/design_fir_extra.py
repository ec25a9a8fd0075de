"""More FIR design: least squares (``firls``), conversion to minimum phase
(``minimum_phase``) and the Kaiser window formulas (``kaiser_beta``, ``kaiser_atten``).

They take :mod:`scipy.signal`'s arguments and return SciPy's results; pyjl checks the
arguments first (:mod:`pyjl.dsp._design_args`), so overlapping bands, a negative
desired gain, an even ``numtaps`` for ``firls`` or a complex, too short or all-zero
``h`` for ``minimum_phase`` fail with an :class:`~pyjl.exceptions.InputError` that
names the argument, before SciPy sees it.  The windowed and equiripple designs are in
:mod:`pyjl.dsp.design_fir`.

Where SciPy differs: ``firls`` takes any ``numtaps`` up to :data:`FIRLS_MAX_TAPS` (its
dense solve grows as the cube of the length), and refuses weights that are all zero
(SciPy's system is then singular and its taps are zeros).  ``minimum_phase`` refuses an
``h`` of all zeros (SciPy fails on an empty minimum).

>>> from pyjl.dsp import firls
>>> firls(11, [0, 0.3, 0.5, 1], [1, 1, 0, 0]).shape
(11,)
>>> firls(10, [0, 0.3, 0.5, 1], [1, 1, 0, 0])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyjl.exceptions.InputError: `numtaps` must be odd (firls designs a Type I filter)...
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ._design_args import MAX_TAPS, call_scipy, finite, fitted_taps, nyquist, scalar
from ._memo import by_value

__all__ = ["firls", "minimum_phase", "kaiser_beta", "kaiser_atten"]

#: the longest ``firls`` design: its normal equations are a dense (numtaps/2)**2 solve
FIRLS_MAX_TAPS = 8191


def _firls_bands(bands, fs):
    """``bands`` as ``(n_bands, 2)`` floats: pairs of edges in ``[0, fs/2]``, each band of
    positive width, bands in order and not overlapping (they may touch)."""
    nyq = nyquist(fs, default=1.0)
    finite(bands, "bands", kinds="biuf")
    raw = as_raw(bands, "bands")
    flat = np.asarray(raw, dtype=float).ravel()
    top = f"{nyq:g} (fs/2)" if fs is not None else "1 (the Nyquist frequency; or give fs=)"

    def refuse(rule, fix):
        return _validate.error("bands", rule, _validate.describe(bands), fix)

    if raw.ndim > 2 or (raw.ndim == 2 and raw.shape[1] != 2) or flat.size < 2 or flat.size % 2:
        raise refuse("must be pairs of band edges [f0, f1, f2, f3, ...]", "pass [0, f1, f2, fs/2]")
    if flat.min() < 0 or flat.max() > nyq:
        raise refuse(f"must lie between 0 and {top}", "pass edges in [0, fs/2]")
    pairs = flat.reshape(-1, 2)
    if np.any(pairs[:, 1] <= pairs[:, 0]):
        raise refuse("must give each band a positive width (f1 > f0)", "widen the band")
    if np.any(pairs[:-1, 1] > pairs[1:, 0]):
        raise refuse("must hold bands in increasing order, not overlapping", "sort the bands")
    return pairs


def _per_band(values, name, size, what):
    """A finite, non-negative real ``name`` of ``size`` values (``what`` says per what)."""
    finite(values, name, kinds="biuf")
    arr = np.asarray(as_raw(values, name), dtype=float).ravel()
    if arr.size != size:
        raise _validate.error(
            name,
            f"must hold one value per {what} ({size})",
            _validate.describe(values),
            f"pass {size} values",
        )
    if np.any(arr < 0):
        raise _validate.error(
            name, "must be >= 0", _validate.describe(values), "pass non-negative values"
        )
    return arr


@by_value
def firls(numtaps, bands, desired, *, weight=None, fs=None):
    """Linear-phase FIR filter minimising the weighted squared error to a piecewise-linear
    gain (:func:`scipy.signal.firls`).

    ``numtaps`` is odd; ``bands`` holds pairs of edges ``[f0, f1, f2, f3, ...]`` in
    ``[0, fs/2]`` (1 without ``fs``), each band of positive width, in order (bands may
    touch); ``desired`` the gain at each edge (>= 0, linear in between); ``weight``
    one value >= 0 per band, not all zero.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> taps = dsp.firls(31, [0, 0.2, 0.3, 1], [1, 1, 0, 0], weight=[1, 10])
    >>> bool(np.allclose(taps, signal.firls(31, [0, 0.2, 0.3, 1], [1, 1, 0, 0], weight=[1, 10])))
    True
    """
    numtaps = _validate.integer(numtaps, "numtaps", low=1, high=FIRLS_MAX_TAPS)
    if numtaps % 2 == 0:
        raise _validate.error(
            "numtaps",
            "must be odd (firls designs a Type I filter)",
            numtaps,
            f"pass numtaps={numtaps + 1}",
        )
    if np.ndim(fs) > 0:
        return call_scipy(_ss.firls, numtaps, bands, desired, fs=fs)
    pairs = _firls_bands(bands, fs)
    _per_band(desired, "desired", pairs.size, "band edge")
    if weight is not None:
        w = _per_band(weight, "weight", len(pairs), "band")
        if not np.any(w > 0):
            raise _validate.error(
                "weight",
                "must hold at least one value > 0 (all-zero weights fit nothing)",
                _validate.describe(weight),
                "pass positive weights, e.g. weight=None for all ones",
            )
    with np.errstate(over="ignore", invalid="ignore"):
        taps = call_scipy(_ss.firls, numtaps, bands, desired, weight=weight, fs=fs)
    return fitted_taps(taps, desired)


@by_value
def minimum_phase(h, method="homomorphic", n_fft=None, *, half=True):
    """Minimum-phase version of a linear-phase FIR filter ``h``
    (:func:`scipy.signal.minimum_phase`).

    ``h`` is real, finite, 1-D, at least 3 taps and not all zero; ``method`` is
    ``'homomorphic'`` (cepstral; ``half=False`` keeps ``h``'s magnitude and length
    instead of its square root's) or ``'hilbert'`` (for equiripple filters of passband
    gain 1, ``half`` True only; a peak gain above about 2 is refused, where SciPy
    returns NaN); ``n_fft`` (at least ``len(h)``) sets the FFT length, None picks SciPy's.
    An ``h`` that does not look symmetric warns (a ``RuntimeWarning``), as in SciPy.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> h = signal.firwin(31, 0.3)
    >>> m = dsp.minimum_phase(h)
    >>> m.shape, bool(np.allclose(m, signal.minimum_phase(h)))
    ((16,), True)
    """
    arr = as_raw(h, "h")
    finite(h, "h", kinds="biuf")
    if arr.ndim != 1 or arr.size < 3:
        raise _validate.error(
            "h",
            "must be a 1-D filter of at least 3 taps",
            f"shape {arr.shape}",
            "pass the taps of a linear-phase FIR filter, e.g. from firwin or remez",
        )
    if not np.any(arr):
        raise _validate.error(
            "h", "must not be all zeros", _validate.describe(h), "pass a filter's taps"
        )
    if not isinstance(method, str) or method not in ("homomorphic", "hilbert"):
        raise _validate.error(
            "method",
            "must be 'homomorphic' or 'hilbert'",
            _validate.describe(method),
            "pass one of those names",
            wrong_type=not isinstance(method, str),
        )
    half = _validate.boolean(half, "half")
    if method == "hilbert" and not half:
        raise _validate.error(
            "half",
            "must be True with method='hilbert' (only the homomorphic method keeps the "
            "full magnitude)",
            half,
            "pass half=True, or method='homomorphic'",
        )
    if n_fft is not None:
        n_fft = _validate.integer(
            n_fft,
            "n_fft",
            low=arr.size,
            high=MAX_TAPS,
            fix=f"pass n_fft >= len(h) = {arr.size}, e.g. a power of 2, or None",
        )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = call_scipy(_ss.minimum_phase, arr, method=method, n_fft=n_fft, half=half)
    if np.all(np.isfinite(out)):
        return out
    if method == "hilbert":  # SciPy takes the square root of 1 - (max|H| - 1) + min(H)
        raise _validate.error(
            "h",
            "must have a peak gain below about 2 for method='hilbert' (it models an "
            "equiripple filter of passband gain 1; SciPy returns NaN otherwise)",
            _validate.describe(h),
            "normalise h to a passband gain of 1 (h / sum(h) for a lowpass), or use "
            "method='homomorphic'",
        )
    raise _validate.error(
        "h",
        "must give a finite result (taps this large overflow the FFT's squared sums)",
        _validate.describe(h),
        "scale h down and the result up by the same factor",
    )


def kaiser_beta(a):
    """Kaiser window ``beta`` for a stopband attenuation of ``a`` dB
    (:func:`scipy.signal.kaiser_beta`): 0 up to 21 dB, then Kaiser's empirical formula.

    Examples
    --------
    >>> from pyjl import dsp
    >>> round(dsp.kaiser_beta(65.0), 6)
    6.20426
    """
    a = scalar(a)
    _validate.real(a, "a", fix="pass the attenuation in dB, e.g. 60")
    return _ss.kaiser_beta(a)


def kaiser_atten(numtaps, width):
    """Stopband attenuation (dB) of a Kaiser FIR filter of ``numtaps`` taps and transition
    ``width`` (a fraction of the Nyquist frequency, in ``(0, 1]``)
    (:func:`scipy.signal.kaiser_atten`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> round(float(dsp.kaiser_atten(211, 0.0375)), 3)
    64.481
    """
    _validate.integer(scalar(numtaps), "numtaps", low=1)
    _validate.real(
        scalar(width),
        "width",
        low=0,
        high=1,
        low_open=True,
        fix="pass the transition width / Nyquist, in (0, 1], e.g. 0.05",
    )
    return _ss.kaiser_atten(numtaps, width)
