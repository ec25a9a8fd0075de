"""Wavelet peak finding: ``find_peaks_cwt``, as :func:`scipy.signal.find_peaks_cwt`.

pyjl checks every argument first (each refusal an :class:`~pyjl.exceptions.InputError`
naming the argument), then SciPy computes, so the peaks are SciPy's to the bit.  The
vector must be finite and the widths finite and positive: a NaN in either spreads
through the wavelet transform and SciPy silently finds no peaks (or wrong ones).
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ._design_args import call_scipy, finite, scalar
from .peaks import _not_1d, _signal

__all__ = ["find_peaks_cwt"]


def find_peaks_cwt(
    vector,
    widths,
    wavelet=None,
    max_distances=None,
    gap_thresh=None,
    min_length=None,
    min_snr=1,
    noise_perc=10,
    window_size=None,
):
    """Find the peaks of a 1-D signal by its continuous wavelet transform
    (:func:`scipy.signal.find_peaks_cwt`).

    Parameters
    ----------
    vector : array_like, pandas Series, one-column DataFrame or Arrow array
        The signal, 1-D, non-empty and finite (NaN or infinity is refused, naming its
        index).
    widths : number or 1-D array_like
        The wavelet widths (in samples) to transform with: finite and > 0.
    wavelet : callable, optional
        ``wavelet(points, width)`` returning a 1-D array; SciPy's Ricker wavelet by
        default.
    max_distances : 1-D array_like, optional
        For each width, the largest row-to-row shift (in samples, finite, >= 0) of a
        ridge line; ``widths / 4`` by default.  One per width.
    gap_thresh : number >= 0, optional
        The most rows a ridge line may skip; ``ceil(widths[0])`` by default.
    min_length : int >= 0, optional
        The shortest ridge line kept (in rows); a quarter of the widths by default.
    min_snr : number, default 1
        The smallest signal-to-noise ratio of a kept peak (finite).
    noise_perc : number in [0, 100], default 10
        The percentile of the wavelet coefficients below which they count as noise.
    window_size : int >= 1, optional
        The window (in samples) the noise floor is measured over; ``len(vector) / 20``
        by default.

    Returns
    -------
    peaks : ndarray of intp
        The positions of the peaks in ``vector``, sorted.

    See Also
    --------
    find_peaks

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.signal
    >>> from pyjl.dsp import find_peaks_cwt
    >>> x = np.sin(np.arange(0, 4 * np.pi, 0.05))
    >>> find_peaks_cwt(x, np.arange(1, 10))
    array([ 32, 158])
    >>> np.array_equal(find_peaks_cwt(x, np.arange(1, 10)),
    ...                scipy.signal.find_peaks_cwt(x, np.arange(1, 10)))
    True
    """
    values = _vector(vector)
    w = _widths(widths)
    if wavelet is not None and not callable(wavelet):
        raise _validate.error(
            "wavelet",
            "must be None or a callable wavelet(points, width)",
            _validate.describe(wavelet),
            "pass e.g. a function returning a 1-D array, or None for the Ricker wavelet",
            wrong_type=True,
        )
    if max_distances is not None:
        max_distances = _max_distances(max_distances, w.size)
    if gap_thresh is not None:
        gap_thresh = _validate.real(
            scalar(gap_thresh), "gap_thresh", low=0, fix="pass gap_thresh >= 0 rows"
        )
    if min_length is not None:
        min_length = _validate.integer(scalar(min_length), "min_length", low=0)
    min_snr = _validate.real(scalar(min_snr), "min_snr", fix="pass a finite number such as 1")
    noise_perc = _validate.real(
        scalar(noise_perc), "noise_perc", low=0, high=100, fix="pass a percentile in [0, 100]"
    )
    if window_size is not None:
        window_size = _validate.integer(scalar(window_size), "window_size", low=1)
    return call_scipy(
        _ss.find_peaks_cwt,
        values,
        widths,
        wavelet=wavelet,
        max_distances=max_distances,
        gap_thresh=gap_thresh,
        min_length=min_length,
        min_snr=min_snr,
        noise_perc=noise_perc,
        window_size=window_size,
    )


def _vector(vector) -> np.ndarray:
    """``vector`` as a finite, non-empty float64 vector (messages name ``vector``)."""
    values = _signal(vector, "vector")
    if values.size == 0:
        raise _validate.error(
            "vector", "must not be empty", "an empty array", "pass at least one sample"
        )
    return values


def _widths(widths) -> np.ndarray:
    """The widths as a non-empty 1-D float array, finite and > 0."""
    finite(widths, "widths", positive=True, kinds="biuf")
    w = np.atleast_1d(np.asarray(widths, dtype=float))
    if w.ndim != 1:
        _not_1d("widths", w.shape)
    if w.size == 0:
        raise _validate.error(
            "widths", "must not be empty", "an empty array", "pass e.g. np.arange(1, 10)"
        )
    return w


def _max_distances(value, n: int) -> np.ndarray:
    """One finite ridge shift >= 0 per width."""
    finite(value, "max_distances", kinds="biuf")
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    if arr.ndim != 1 or arr.size != n:
        raise _validate.error(
            "max_distances",
            f"must hold one value per width ({n})",
            f"shape {arr.shape}",
            "pass an array as long as `widths`, or None",
        )
    if np.any(arr < 0):
        i = int(np.flatnonzero(arr < 0)[0])
        raise _validate.error(
            "max_distances", "must be >= 0", f"{arr[i]} at index {i}", "pass distances >= 0"
        )
    return arr
