"""FIR filter design, delegated to :mod:`scipy.signal` after pyjl checks the arguments.

``firwin`` and ``firwin2`` (windowed designs from cutoffs or from a gain curve),
``kaiserord`` (a Kaiser window's length and beta) and ``remez`` (Parks-McClellan)
take SciPy's arguments and return SciPy's results; pyjl only checks the arguments
first (:mod:`pyjl.dsp._design_args`), so a cutoff outside ``(0, fs/2)``, a gain
curve that does not run from 0 to fs/2, or a symmetric even-length filter asked for
a gain at Nyquist fails with an :class:`~pyjl.exceptions.InputError` that names the
argument and says how to fix it, before SciPy sees it.  Designs are computed once
per argument value (:mod:`pyjl.dsp._memo`).  The IIR designs are in
:mod:`pyjl.dsp.design`.

>>> from pyjl.dsp import firwin2
>>> firwin2(31, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]).shape
(31,)
>>> firwin2(30, [0.0, 0.5, 1.0], [1.0, 1.0, 1.0])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyjl.exceptions.InputError: `gain` must be 0 at fs/2 for a symmetric filter of even numtaps...
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ._design_args import (
    MAX_TAPS,
    call_scipy,
    finite,
    finite_taps,
    fitted_taps,
    frequencies,
    known_window,
    nyquist,
    positive,
    scalar,
    window_params,
)
from ._memo import by_value

__all__ = ["firwin", "firwin2", "kaiserord", "remez"]


@by_value
def firwin(numtaps, cutoff, *, width=None, window="hamming", pass_zero=True, scale=True, fs=None):
    """Windowed-sinc FIR design (:func:`scipy.signal.firwin`); ``cutoff`` in ``(0, fs/2)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> taps = dsp.firwin(31, 0.25)
    >>> len(taps), round(float(taps.sum()), 6)
    (31, 1.0)
    >>> bool(np.allclose(taps, signal.firwin(31, 0.25)))
    True
    """
    numtaps = _validate.integer(numtaps, "numtaps", low=1, high=MAX_TAPS)
    _validate.boolean(scale, "scale")
    frequencies(cutoff, "cutoff", fs)
    if width is not None:
        width = _validate.real(
            width,
            "width",
            low=0,
            low_open=True,
            fix="pass the transition width (in the units of fs) as a "
            "positive number, or width=None to use `window`",
        )
    window_params(window)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if width is None:  # with a width, firwin designs its own Kaiser window
            known_window(window, numtaps)
        taps = call_scipy(
            _ss.firwin,
            numtaps,
            cutoff,
            width=width,
            window=window,
            pass_zero=pass_zero,
            scale=scale,
            fs=fs,
        )
    return finite_taps(taps, window, width)


@by_value
def firwin2(numtaps, freq, gain, *, nfreqs=None, window="hamming", antisymmetric=False, fs=None):
    """Windowed FIR design from a piecewise-linear gain curve (:func:`scipy.signal.firwin2`).

    ``freq`` runs non-decreasing from 0 to the Nyquist frequency (``fs/2``; 1 without
    ``fs``), a value repeated twice being a jump in ``gain`` (never 0 or fs/2, never
    three times); ``gain`` holds one finite real gain per frequency.  An even
    ``numtaps`` needs gain 0 at fs/2 (symmetric, Type II) or at 0 (``antisymmetric``,
    Type IV); an odd antisymmetric one (Type III) at both.  ``nfreqs`` (the grid the
    curve is sampled on) must exceed ``numtaps``; ``window`` is checked as
    :func:`firwin`'s, and ``window=None`` takes none.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> freq, gain = [0.0, 0.3, 0.3, 1.0], [1.0, 1.0, 0.0, 0.0]
    >>> taps = dsp.firwin2(41, freq, gain)
    >>> bool(np.allclose(taps, signal.firwin2(41, freq, gain)))
    True
    >>> round(float(taps.sum()), 2)  # the gain at DC
    1.0
    """
    numtaps = _validate.integer(numtaps, "numtaps", low=1, high=MAX_TAPS)
    antisymmetric = _validate.boolean(antisymmetric, "antisymmetric")
    if nfreqs is not None:
        nfreqs = _validate.integer(
            nfreqs,
            "nfreqs",
            low=numtaps + 1,
            high=4 * MAX_TAPS,
            fix=f"pass nfreqs > numtaps = {numtaps} (e.g. a power of 2 plus 1), or None",
        )
    if np.ndim(fs) > 0:  # refused in SciPy's words, as by the other designs
        return call_scipy(_ss.firwin2, numtaps, freq, gain, fs=fs)
    fs = None if fs is None else positive(fs, "fs")
    nyq = 1.0 if fs is None else fs / 2
    f = _gain_curve(freq, nyq, fs)
    g = _gains(gain, f.size)
    _gain_at_ends(g, numtaps, antisymmetric)
    window_params(window)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        wind = known_window(window, numtaps)
        taps = call_scipy(
            _ss.firwin2,
            numtaps,
            f,
            g,
            nfreqs=nfreqs,
            window=window,
            antisymmetric=antisymmetric,
            fs=fs,
        )
    if np.all(np.isfinite(taps)) or (wind is not None and not np.all(np.isfinite(wind))):
        return finite_taps(taps, window)
    raise _validate.error(
        "gain",
        "must give finite taps (gains of moderate size)",
        _validate.describe(gain),
        "scale the gains down and the taps up afterwards",
    )


@by_value
def kaiserord(ripple, width):
    """Kaiser window ``(numtaps, beta)`` for ``ripple`` dB and a transition ``width``
    normalised to Nyquist, in ``(0, 1]`` (:func:`scipy.signal.kaiserord`; 1, the whole
    band, as :func:`kaiser_atten` takes it).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> dsp.kaiserord(60.0, 0.05) == signal.kaiserord(60.0, 0.05)
    True
    """
    positive(ripple, "ripple")
    _validate.real(
        scalar(width),
        "width",
        low=0,
        high=1,
        low_open=True,
        fix="pass the transition width / Nyquist: divide the width in Hz by fs/2",
    )
    return call_scipy(_ss.kaiserord, ripple, width)


@by_value
def remez(
    numtaps, bands, desired, *, weight=None, type="bandpass", maxiter=25, grid_density=16, fs=None
):
    """Parks-McClellan equiripple FIR design (:func:`scipy.signal.remez`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> ref = signal.remez(21, [0, 0.1, 0.2, 0.5], [1, 0])
    >>> bool(np.allclose(dsp.remez(21, [0, 0.1, 0.2, 0.5], [1, 0]), ref))
    True
    """
    numtaps = _validate.integer(numtaps, "numtaps", low=1, high=MAX_TAPS)
    n_bands = _bands(bands, fs)
    _per_band(desired, "desired", n_bands)
    if weight is not None:
        _per_band(weight, "weight", n_bands, positive=True)
    type = _validate.choice(type, "type", ("bandpass", "differentiator", "hilbert"))
    maxiter = _validate.integer(maxiter, "maxiter", low=1, high=10**6)
    grid_density = _validate.integer(grid_density, "grid_density", low=1, high=2**12)
    taps = call_scipy(
        _ss.remez,
        numtaps,
        bands,
        desired,
        weight=weight,
        type=type,
        maxiter=maxiter,
        grid_density=grid_density,
        fs=fs,
    )
    return fitted_taps(taps, desired)


def _per_band(values, name, n_bands, positive=False):
    """One finite real value per band (``desired`` gains, ``weight``), of moderate size."""
    finite(values, name, positive=positive, kinds="biuf")
    arr = np.asarray(values)
    if arr.ndim > 1 or arr.size != n_bands:
        raise _validate.error(
            name,
            f"must hold one value per band ({n_bands})",
            _validate.describe(values),
            "pass a flat list, one per band",
        )
    if np.any(np.abs(arr) > 1e100):
        raise _validate.error(
            name,
            "must hold values of magnitude <= 1e100 (larger ones overflow the exchange iteration)",
            _validate.describe(values),
            "scale them down; the design is linear in the gains",
        )


def _bands(bands, fs):
    """Validate remez's band edges (pairs, increasing, in [0, fs/2]); the number of bands."""
    nyq = nyquist(fs, default=0.5)
    raw = as_raw(bands, "bands")
    b = raw.astype(float) if raw.dtype.kind in "biuf" and raw.ndim == 1 else np.zeros(1)
    if (
        b.size < 2
        or b.size % 2
        or np.any(~np.isfinite(b))
        or b.min() < 0
        or b.max() > nyq
        or np.any(np.diff(b) < 0)
    ):
        top = "fs/2" if fs is not None else "fs = 1 by default"
        raise _validate.error(
            "bands",
            f"must be an even number of increasing edges in [0, {nyq:g}] ({top})",
            _validate.describe(bands),
            "pass [0, f1, f2, ..., fs/2]",
        )
    return b.size // 2


def _gain_curve(freq, nyq, fs):
    """firwin2's ``freq`` as floats: from 0 to ``nyq``, non-decreasing, each value at most
    twice (0 and ``nyq`` once), a repeated one apart from its neighbours."""
    finite(freq, "freq", kinds="biuf")
    f = as_raw(freq, "freq").astype(float)
    top = f"{nyq:g} (fs/2)" if fs is not None else "1 (the Nyquist frequency; or give fs=)"

    def refuse(rule, fix):
        return _validate.error("freq", rule, _validate.describe(freq), fix)

    if f.ndim != 1 or f.size < 2 or f[0] != 0 or f[-1] != nyq:
        raise refuse(
            f"must be a flat sequence starting with 0 and ending with {top}",
            "pass [0, ..., fs/2]",
        )
    d = np.diff(f)
    if np.any(d < 0):
        raise refuse("must be non-decreasing", "sort the frequencies (and their gains)")
    if np.any(d[:-1] + d[1:] == 0):
        raise refuse(
            "must not hold a frequency more than twice", "keep two copies of a jump's frequency"
        )
    if f[1] == 0 or f[-2] == nyq:
        raise refuse(
            f"must not repeat 0 or {top}", "the gain curve cannot jump at its ends; drop the copy"
        )
    eps = np.finfo(float).eps * nyq
    moved = f.copy()
    for k in range(moved.size - 1):  # SciPy moves a jump's two copies eps apart, in order
        if moved[k] == moved[k + 1]:
            moved[k] -= eps
            moved[k + 1] += eps
    if np.any(np.diff(moved) <= 0):
        raise refuse(
            f"must not hold a frequency within eps * fs/2 ({eps:.3g}) of a repeated one",
            "space the frequencies next to a jump further apart",
        )
    return f


def _gains(gain, size):
    """firwin2's ``gain`` as floats: finite, real, one per frequency."""
    finite(gain, "gain", kinds="biuf")
    g = as_raw(gain, "gain").astype(float)
    if g.ndim != 1 or g.size != size:
        raise _validate.error(
            "gain",
            f"must hold one gain per frequency in freq ({size})",
            _validate.describe(gain),
            "pass a flat sequence as long as freq",
        )
    return g


def _gain_at_ends(g, numtaps, antisymmetric):
    """The gains a linear-phase filter of ``numtaps`` taps must have at 0 and fs/2: 0 at
    fs/2 for Type II (symmetric, even), at 0 for Type IV (antisymmetric, even), at both
    for Type III (antisymmetric, odd); Type I (symmetric, odd) takes any."""
    even = numtaps % 2 == 0
    at_zero, at_nyq = antisymmetric, even != antisymmetric
    ends = [e for e, need, v in (("0", at_zero, g[0]), ("fs/2", at_nyq, g[-1])) if need and v]
    if ends:
        kind = "an antisymmetric" if antisymmetric else "a symmetric"
        raise _validate.error(
            "gain",
            f"must be 0 at {' and '.join(ends)} for {kind} filter of "
            f"{'even' if even else 'odd'} numtaps (SciPy's Type "
            f"{('II', 'IV')[antisymmetric] if even else 'III'})",
            f"gain[0]={g[0]:g}, gain[-1]={g[-1]:g} with numtaps={numtaps}",
            "make those gains 0, or pass an odd numtaps"
            + (" with antisymmetric=False" if antisymmetric else ""),
        )
