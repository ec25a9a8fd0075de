"""The band-stop order objective ``band_stop_obj``, as :func:`scipy.signal.band_stop_obj`
(what SciPy's order selectors minimise for a bandstop specification).

pyjl checks every argument first (each refusal an :class:`~pyjl.exceptions.InputError`
naming the argument), then SciPy computes, so the order is SciPy's.  Where SciPy's
arithmetic gives NaN or infinity (edges that coincide, or a Chebyshev or elliptic ratio
below 1), pyjl refuses the edges by name instead of returning it.
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ._design_args import call_scipy, check_passband_loss, decibels, finite, positive, scalar

__all__ = ["band_stop_obj"]

_TYPES = ("butter", "cheby", "ellip")


def band_stop_obj(wp, ind, passb, stopb, gpass, gstop, type):  # noqa: A002  SciPy's name
    """The (non-integer) order of an analog bandstop filter whose passband edge ``ind`` is
    moved to ``wp`` (:func:`scipy.signal.band_stop_obj`).

    Parameters
    ----------
    wp : number > 0
        The new value of the passband edge ``passb[ind]``.
    ind : {0, 1}
        Which passband edge ``wp`` replaces.
    passb, stopb : array_like of 2 numbers > 0
        The fixed passband and stopband edges (finite).  With integer ``passb`` (SciPy
        stores ``wp`` into a copy of it) ``wp`` must be a whole number.
    gpass, gstop : number > 0
        The passband loss and stopband attenuation in dB, ``gpass <= gstop``.
    type : {'butter', 'cheby', 'ellip'}
        The filter family.

    Returns
    -------
    n : float64
        The order (negative where the stopband edges lie outside the passband's).

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.signal
    >>> from pyjl.dsp import band_stop_obj
    >>> args = (2, 1, np.array([1, 3]), np.array([0.5, 4]), 3, 30, "butter")
    >>> float(band_stop_obj(*args))
    -2.758504160760643
    >>> bool(band_stop_obj(*args) == scipy.signal.band_stop_obj(*args))
    True
    """
    wp = positive(wp, "wp")
    ind = _validate.integer(scalar(ind), "ind", low=0, high=1)
    edges = [_edges(v, name) for v, name in ((passb, "passb"), (stopb, "stopb"))]
    if edges[0].dtype.kind in "iu" and wp != int(wp):
        raise _validate.error(
            "wp",
            "must be a whole number when `passb` holds integers (SciPy stores it there)",
            wp,
            "pass passb as floats, e.g. np.array([1.0, 3.0])",
        )
    gpass, gstop = decibels(gpass, "gpass"), decibels(gstop, "gstop")
    if gpass > gstop:
        raise _validate.error(
            "gpass",
            f"must not exceed `gstop` = {gstop:g} dB",
            gpass,
            "pass e.g. gpass=3, gstop=30",
        )
    check_passband_loss(gpass)
    type = _validate.choice(type, "type", _TYPES)  # noqa: A001
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        n = call_scipy(_ss.band_stop_obj, wp, ind, *edges, gpass, gstop, type)
    if not np.isfinite(n):
        raise _validate.error(
            "wp",
            f"and the edges must give a finite {type!r} order (coinciding edges, or a "
            "Chebyshev or elliptic edge ratio below 1, leave SciPy with NaN or infinity)",
            f"wp={wp:g}, passb={edges[0].tolist()}, stopb={edges[1].tolist()}: order {n}",
            "keep the stopband edges strictly inside the passband edges",
        )
    return n


def _edges(value, name):
    """Two finite edges > 0 as an array (integer dtype kept, as SciPy computes with it)."""
    finite(value, name, positive=True, kinds="biuf")
    arr = np.asarray(as_raw(value, name))
    if arr.shape != (2,):
        raise _validate.error(
            name, "must hold 2 edges", f"shape {arr.shape}", "pass e.g. [1.0, 3.0]"
        )
    return arr.astype(np.float64) if arr.dtype.kind == "b" else arr
