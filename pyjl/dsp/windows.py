"""Window functions: :mod:`scipy.signal.windows` (``pyjl.dsp.windows.hann``, ...).

Each function is SciPy's, with its arguments checked first: a length ``M``
that is not a whole number >= 0, or a NaN or infinite parameter (``beta``, ``alpha``, ``std``, the coefficients of
``general_cosine``, the parameters of a ``get_window`` tuple, ...) is refused
with an :class:`~pyjl.exceptions.InputError` naming it, where SciPy would
return NaN values or fail inside.

>>> from pyjl.dsp import windows
>>> windows.hann(4, sym=False).tolist()
[0.0, 0.5, 1.0, 0.5]
>>> windows.kaiser(8, beta=float("nan"))
Traceback (most recent call last):
...
pyjl.exceptions.InputError: `beta` must be finite; got nan. Fix: pass a finite value.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np
import scipy.signal.windows as _scipy_windows

from .. import _validate

__all__ = list(_scipy_windows.__all__)


def check_finite(value, name: str) -> None:
    """Refuse a NaN/inf or complex number, or an array or window tuple holding one."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        return
    if isinstance(value, tuple):
        for k, item in enumerate(value):
            check_finite(item, f"{name}[{k}]")
        return
    arr = np.asarray(value) if isinstance(value, (list, np.ndarray, np.generic, int, float,
                                                  complex)) else None
    if arr is None or arr.dtype.kind not in "iufc":
        return
    if arr.dtype.kind == "c":
        raise _validate.error(name, "must be real", _validate.describe(value),
                              "pass a real number")
    bad = np.flatnonzero(~np.isfinite(arr.ravel()))
    if bad.size:
        first = arr.ravel()[bad[0]].item()
        got = first if arr.ndim == 0 else f"{first} at index {int(bad[0])}"
        raise _validate.error(name, "must be finite", got, "pass a finite value")


def _check_arguments(arguments: dict) -> None:
    for name, value in arguments.items():
        check_finite(value, name)
    if "M" in arguments:
        _validate.integer(arguments["M"], "M", low=0,
                          fix="pass the window length as a whole number >= 0")
    if "sym" in arguments:
        _validate.boolean(arguments["sym"], "sym")


def _checked(func):
    """``func`` with its arguments checked before SciPy sees them, SciPy's own refusals
    turned into :class:`~pyjl.exceptions.InputError`, and a non-finite window (finite
    but extreme parameters) refused."""
    signature = inspect.signature(func)
    name = func.__name__

    @functools.wraps(func)
    def window(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return func(*args, **kwargs)        # SciPy's own message for a bad call
        _check_arguments(bound.arguments)
        try:
            out = func(*args, **kwargs)
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            raise _validate.error(name, f"must get arguments SciPy accepts ({exc})",
                                  _validate.describe(dict(bound.arguments)),
                                  f"see scipy.signal.windows.{name}") from exc
        values = out[0] if isinstance(out, tuple) else out
        if np.asarray(values).dtype.kind in "fc" and not np.all(np.isfinite(values)):
            raise _validate.error(name, "must get parameters that give a finite window",
                                  _validate.describe(dict(bound.arguments)),
                                  "use smaller parameters")
        return out

    return window


for _name in __all__:
    globals()[_name] = _checked(getattr(_scipy_windows, _name))
del _name
