"""Argument checks shared by the spline and symmetric-IIR filters.

:mod:`pyjl.dsp.splines`, :mod:`pyjl.dsp.splines2d` and :mod:`pyjl.dsp.symmetric_iir`
delegate to :mod:`scipy.signal`; these checks run first: samples numeric, finite, not
empty and of the dimensions SciPy handles (passed on C-contiguous, in native byte
order), and SciPy's "did not converge" (a signal too short for the mirror-symmetric
boundary sum at the requested precision) and a result that overflows refused naming the
signal and its parameters.
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from ..data import as_array, as_raw
from ..exceptions import InputError
from ._design_args import call_scipy, finite, finite_result, scalar

__all__ = ["numeric", "samples", "number", "precision", "converged"]


def numeric(x, name, real=False):
    """``x`` as a finite numeric array (its dtype kept, an object array of numbers read
    as float64), C-contiguous and in native byte order: SciPy's C filters ignore the
    strides of a non-contiguous array; ``real`` refuses complex values."""
    arr = as_raw(x, name)
    if arr.dtype == object:
        arr = as_array(arr, name=name, allow_empty=True, finite=False)
    finite(arr, name, kinds="biuf" if real else "biufc")
    arr = arr.astype(arr.dtype.newbyteorder("="), copy=False)
    return arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)  # 0-d stays 0-d


def samples(x, name, ndims=(1,), real=False):
    """``x`` read by :func:`numeric` with a dimension count in ``ndims`` and at least one
    sample; ``real`` refuses complex values."""
    arr = numeric(x, name, real)
    if arr.ndim not in ndims or arr.size == 0:
        dims = " or ".join(f"{n}-D" for n in ndims)
        raise _validate.error(
            name,
            f"must be a non-empty {dims} array",
            f"shape {arr.shape}",
            f"pass a {dims} array of samples",
        )
    return arr


def number(value, name, real=True):
    """A finite number (real, or complex where not ``real``), as given."""
    value = scalar(value)
    if not real and isinstance(value, (complex, np.complexfloating)):
        if np.isfinite(value):
            return value
        raise _validate.error(name, "must be finite", value, f"pass a finite {name}")
    _validate.real(value, name)
    return value


def precision(value):
    """``precision``: a finite number (SciPy's default where < 0 or >= 1)."""
    return number(value, "precision")


def converged(func, names, *args, **kwargs):
    """``func(*args, **kwargs)`` (SciPy's), its "did not converge" an InputError naming
    the signal ``names[0]``: the boundary sum needs more samples than it has; a result
    that overflows an InputError naming ``names`` (the signal and its parameters)."""
    try:
        with np.errstate(all="ignore"):
            out = call_scipy(func, *args, **kwargs)
    except InputError as exc:
        if "did not converge" not in str(exc):
            raise
        raise _validate.error(
            names[0],
            "must be long enough for the mirror-symmetric boundary sum to converge "
            "(the filter's impulse response must decay below `precision` within it)",
            f"shape {np.shape(args[0])}",
            "pass a longer signal, or a larger precision (e.g. 1e-3)",
        ) from None
    return finite_result(out, names, args[0])
