"""B-spline coefficients and smoothing of images, and separable FIR filtering.

``cspline2d(signal, lamb=0.0, precision=-1.0)`` and ``qspline2d`` give an image's cubic
and quadratic B-spline coefficients (rows, then columns, with mirror-symmetric
boundaries; a cubic smoothed with ``lamb`` > 1/144), ``spline_filter(Iin, lmbda=5.0)``
smooths an image by evaluating its smoothing cubic spline at the pixels, and
``sepfir2d(input, hrow, hcol)`` convolves an image with the separable kernel
``hcol[:, None] * hrow`` (odd lengths, mirror-symmetric boundaries).  All delegate to
:mod:`scipy.signal` after pyjl's checks (:mod:`pyjl.dsp._spline_args`): pixels finite
and not empty, images 2-D (``cspline2d``/``qspline2d`` also take a 1-D signal, as
SciPy), ``spline_filter``'s image float32, float64, complex64 or complex128 (SciPy's
restriction, kept: other dtypes are an :class:`~pyjl.exceptions.InputTypeError`, a
``TypeError`` as in SciPy), ``qspline2d``'s ``lamb`` <= 0 (it is unused, as in SciPy), an
image large enough for the boundary sums to converge at ``precision``.  Results and
dtypes are SciPy's.

>>> import numpy as np
>>> from pyjl.dsp import sepfir2d
>>> sepfir2d(np.ones((4, 5)), [1.0, 2.0, 1.0], [1.0, 0.0, -1.0]).tolist()[0]
[0.0, 0.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw, origin, restore
from . import _spline_args
from ._design_args import call_scipy, finite_result
from ._spline_args import converged, number, samples

__all__ = ["cspline2d", "qspline2d", "spline_filter", "sepfir2d"]

#: the dtypes SciPy's spline_filter takes
_FILTER_DTYPES = (np.float32, np.float64, np.complex64, np.complex128)


def _real_for_smoothing(arr, lamb, name):
    """Refuse complex pixels for a smoothing spline (``lamb`` > 1/144): SciPy's
    second-order symmetric filter takes real samples only (a TypeError)."""
    if arr.dtype.kind == "c" and lamb > 1 / 144:
        raise _validate.error(
            name,
            "must be real for a smoothing spline (lamb > 1/144: SciPy's second-order "
            "symmetric filter takes real samples)",
            f"dtype {arr.dtype}",
            "smooth the real and imaginary parts separately",
            wrong_type=True,
        )


def cspline2d(signal, lamb=0.0, precision=-1.0):
    """Cubic B-spline coefficients of an image (:func:`scipy.signal.cspline2d`), smoothed
    with ``lamb`` > 1/144; ``precision`` bounds the boundary sums (< 0 or >= 1: SciPy's
    default, 1e-6, or 1e-3 in single precision).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> img = np.add.outer(np.arange(40.0), np.arange(50.0)) ** 0.5
    >>> bool(np.allclose(dsp.cspline2d(img), signal.cspline2d(img)))
    True
    """
    arr = samples(signal, "signal", ndims=(1, 2))
    lamb = number(lamb, "lamb")
    _real_for_smoothing(arr, lamb, "signal")
    prec = _spline_args.precision(precision)
    return restore(converged(_ss.cspline2d, ("signal", "lamb"), arr, lamb, prec), origin(signal))


def qspline2d(signal, lamb=0.0, precision=-1.0):
    """Quadratic B-spline coefficients of an image (:func:`scipy.signal.qspline2d`);
    ``lamb`` must be <= 0 (SciPy ignores it).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> img = np.add.outer(np.arange(40.0), np.arange(50.0)) ** 0.5
    >>> bool(np.allclose(dsp.qspline2d(img), signal.qspline2d(img)))
    True
    """
    arr = samples(signal, "signal", ndims=(1, 2))
    lamb = number(lamb, "lamb")
    if lamb > 0:
        raise _validate.error(
            "lamb",
            "must be <= 0 (SciPy has no smoothing quadratic spline)",
            lamb,
            "pass lamb=0, or use cspline2d for a smoothing spline",
        )
    prec = _spline_args.precision(precision)
    return restore(converged(_ss.qspline2d, ("signal",), arr, lamb, prec), origin(signal))


def spline_filter(Iin, lmbda=5.0):
    """An image smoothed by its smoothing cubic spline of weight ``lmbda``, evaluated at
    the pixels (:func:`scipy.signal.spline_filter`); in the image's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> img = np.random.default_rng(0).standard_normal((32, 32))
    >>> bool(np.allclose(dsp.spline_filter(img), signal.spline_filter(img)))
    True
    """
    arr = as_raw(Iin, "Iin")
    if arr.dtype.newbyteorder("=") not in _FILTER_DTYPES:  # checked first, as SciPy
        raise _validate.error(
            "Iin",
            "must be float32, float64, complex64 or complex128 (SciPy's spline_filter)",
            f"dtype {arr.dtype}",
            "convert it, e.g. Iin.astype(float)",
            wrong_type=True,
        )
    arr = samples(arr, "Iin", ndims=(2,))
    lmbda = number(lmbda, "lmbda")
    _real_for_smoothing(arr, lmbda, "Iin")
    return restore(converged(_ss.spline_filter, ("Iin", "lmbda"), arr, lmbda), origin(Iin))


def _kernel(h, name, real):
    """``h``, a 1-D finite kernel of odd length, as a list (SciPy converts an array of
    another dtype only where the cast is safe: float64 taps fail for a float32 image);
    ``real`` (a real image) refuses complex taps, which SciPy cannot apply to one."""
    arr = samples(h, name, real=real)
    if arr.size % 2 == 0:
        raise _validate.error(
            name,
            "must have an odd length (the kernel is centred on a pixel)",
            f"length {arr.size}",
            "pad it with a zero at one end",
        )
    return arr.tolist()  # SciPy reads a list in the image's working dtype


def sepfir2d(input, hrow, hcol):
    """``input`` convolved with the separable kernel ``hcol[:, None] * hrow``, mirror
    symmetric at the edges (:func:`scipy.signal.sepfir2d`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> img = np.random.default_rng(1).standard_normal((6, 7))
    >>> got = dsp.sepfir2d(img, [1.0, 2.0, 1.0], [1.0, 0.0, -1.0])
    >>> bool(np.allclose(got, signal.sepfir2d(img, [1.0, 2.0, 1.0], [1.0, 0.0, -1.0])))
    True
    """
    arr = samples(input, "input", ndims=(2,))
    real = arr.dtype.kind != "c"
    row, col = _kernel(hrow, "hrow", real), _kernel(hcol, "hcol", real)
    for name, h, axis in (("hrow", row, 1), ("hcol", col, 0)):
        n = arr.shape[axis]
        if np.size(h) // 2 > n // 2:  # SciPy's mirror extension reaches past the image
            raise _validate.error(
                name,
                f"must have at most {2 * (n // 2) + 1} taps for an image of {n} along axis "
                f"{axis} (longer, SciPy's mirrored edge reads outside the image: wrong "
                "values, or a crash)",
                f"{np.size(h)} taps",
                "pass a shorter kernel or a larger image",
            )
    out = call_scipy(_ss.sepfir2d, arr, row, col)
    return restore(finite_result(out, ("input", "hrow", "hcol"), arr), origin(input))
