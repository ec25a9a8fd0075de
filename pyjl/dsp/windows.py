"""Window functions: :mod:`scipy.signal.windows` (``pyjl.dsp.windows.hann``, ...).

Each function is SciPy's, with its arguments checked first: a length ``M`` that is not a
whole number >= 0, or a NaN or infinite parameter (``beta``, ``alpha``, ``std``, the
coefficients of ``general_cosine``, the parameters of a ``get_window`` tuple, ...) is
refused with an :class:`~pyjl.exceptions.InputError` naming it, where SciPy would return
NaN values or fail inside. Parameters that make the window degenerate are refused too:
``gaussian``'s ``std`` and ``general_gaussian``'s ``sig`` and ``p`` must be > 0 (at 0
the window is all zeros, or for ``p`` the constant ``exp(-1/2)``: use ``boxcar``),
``taylor``'s ``sll`` (dB) must be > 0, and ``general_cosine``'s ``a`` must be a
non-empty 1-D sequence of real numbers.  ``M`` is a whole number >= 0 for every window
(``kaiser_bessel_derived`` too, where SciPy returns ``[]`` for ``M = 0.5`` or ``-1`` but
every other SciPy window refuses such a length); ``get_window``'s ``Nx`` is an int >= 1
and its ``fftbins`` a bool, as SciPy takes them.  What SciPy refuses besides is refused
in pyjl's words, naming ``get_window``'s ``window`` or the function, with SciPy's reason;
SciPy's TypeErrors (``dpss(4, 1.5, 1.1)``: ``Kmax`` must be an int) become an
:class:`~pyjl.exceptions.InputTypeError`, also a TypeError.  A window whose arguments
are all plain numbers and names is computed once per value and copied out on later
calls (:mod:`pyjl.dsp._memo`; not ``chebwin``, which can warn).

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
from ..data import as_raw
from ._memo import by_value

__all__ = list(_scipy_windows.__all__)


def check_finite(value, name: str) -> None:
    """Refuse a NaN/inf or complex number, or an array or window tuple holding one."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        return
    if isinstance(value, tuple):
        for k, item in enumerate(value):
            check_finite(item, f"{name}[{k}]")
        return
    arr = (
        as_raw(value, name)
        if isinstance(value, (list, np.ndarray, np.generic, int, float, complex))
        else None
    )
    if arr is None or arr.dtype.kind not in "iufc":
        return
    if arr.dtype.kind == "c":
        raise _validate.error(
            name, "must be real", _validate.describe(value), "pass a real number"
        )
    bad = np.flatnonzero(~np.isfinite(arr.ravel()))
    if bad.size:
        first = arr.ravel()[bad[0]].item()
        got = first if arr.ndim == 0 else f"{first} at index {int(bad[0])}"
        raise _validate.error(name, "must be finite", got, "pass a finite value")


#: parameters that must be > 0, and why (at 0 the window is all zeros or constant)
_POSITIVE = {
    "gaussian": {"std": "std = 0 gives an all-zero window"},
    "general_gaussian": {
        "sig": "sig = 0 gives an all-zero window",
        "p": "p = 0 gives the constant exp(-1/2), not a taper; p < 0 zeroes the centre",
    },
    "taylor": {"sll": "sll is the side-lobe level in dB below the main lobe"},
}


def _check_coefficients(a) -> None:
    """``general_cosine``'s ``a``: a non-empty 1-D sequence of real numbers."""
    arr = None if a is None or isinstance(a, (str, bytes)) else as_raw(a, "a")
    if arr is None or arr.dtype.kind not in "biuf" or arr.ndim != 1 or arr.size == 0:
        raise _validate.error(
            "a",
            "must be a non-empty 1-D sequence of real cosine coefficients",
            _validate.describe(a),
            "pass e.g. a=[0.5, 0.5] (the Hann window)",
        )


def _check_arguments(arguments: dict, func_name: str = "") -> None:
    for name, value in arguments.items():
        check_finite(value, name)
    for name, why in _POSITIVE.get(func_name, {}).items():
        if name in arguments:
            _validate.real(
                arguments[name], name, low=0.0, low_open=True, fix=f"pass a positive value ({why})"
            )
    if func_name == "general_cosine" and "a" in arguments:
        _check_coefficients(arguments["a"])
    if "M" in arguments:
        _validate.integer(
            arguments["M"], "M", low=0, fix="pass the window length as a whole number >= 0"
        )
    if "Nx" in arguments:
        _validate.integer(
            arguments["Nx"], "Nx", low=1, fix="pass the window length as an int >= 1"
        )
    from ._frames import check_size  # here: _frames imports this module

    for length in ("M", "Nx"):  # before NumPy fails to allocate it, inside SciPy
        if length in arguments:
            check_size(arguments[length], length, arguments[length], itemsize=8, what="window")
    for flag in ("sym", "fftbins", "return_ratios"):
        if flag in arguments:
            _validate.boolean(arguments[flag], flag)
    for arg, kinds, convert, what in _EXACT:
        if arg in arguments and not isinstance(arguments[arg], kinds):
            raise _validate.error(
                arg,
                f"must be {what} (SciPy's get_window takes no other type)",
                _validate.describe(arguments[arg]),
                f"pass {arg}={convert(arguments[arg])!r}",
                wrong_type=True,
            )


#: get_window's arguments that SciPy takes of one type only (not Nx=3.0, fftbins=np.True_)
_EXACT = (
    ("Nx", (int, np.integer), int, "an int"),
    ("fftbins", bool, bool, "a Python bool"),
)


def _checked(func):
    """``func`` with its arguments checked before SciPy sees them, SciPy's own refusals
    turned into :class:`~pyjl.exceptions.InputError` (its TypeErrors into
    :class:`~pyjl.exceptions.InputTypeError`, also a TypeError), and a non-finite window
    (finite but extreme parameters) refused."""
    signature = inspect.signature(func)
    name = func.__name__

    @functools.wraps(func)
    def window(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return func(*args, **kwargs)  # SciPy's own message for a bad call
        _check_arguments(bound.arguments, name)
        try:
            out = func(*args, **kwargs)
        except (ValueError, TypeError, OverflowError, ArithmeticError, IndexError) as exc:
            raise _refused(name, bound.arguments, exc) from exc  # IndexError: window=()
        values = out[0] if isinstance(out, tuple) else out
        if np.asarray(values).dtype.kind in "fc" and not np.all(np.isfinite(values)):
            raise _refused(name, bound.arguments)
        return out

    return window


def _refused(name, arguments, exc=None):
    """The InputError for arguments of window function ``name`` that SciPy refuses
    (``exc``; its TypeError gives an InputTypeError, also a TypeError) or, with no
    ``exc``, that give a non-finite window: about ``get_window``'s ``window`` (the one
    argument there left to SciPy to check), else about the function's arguments."""
    why = "" if exc is None else f" ({exc})"
    wrong_type = isinstance(exc, TypeError)
    if name == "get_window":
        return _validate.error(
            "window",
            "must be a window name or (name, parameters...) tuple SciPy accepts" + why
            if exc is not None
            else "must have parameters that give a finite window",
            _validate.describe(arguments["window"]),
            "pass a name such as 'hann' or a tuple such as ('kaiser', 8.0)"
            + ("; see scipy.signal.get_window" if exc is not None else " with smaller parameters"),
            wrong_type=wrong_type,
        )
    return _validate.error(
        name,
        "must get arguments SciPy accepts" + why
        if exc is not None
        else "must get parameters that give a finite window",
        _validate.describe(dict(arguments)),
        f"see scipy.signal.windows.{name}" if exc is not None else "use smaller parameters",
        wrong_type=wrong_type,
    )


#: windows (and their get_window names) that can warn, chebwin below 45 dB: computed on
#: every call, so they warn each time
WARNS = frozenset({"chebwin", "cheb"})

for _name in __all__:
    _window = _checked(getattr(_scipy_windows, _name))
    globals()[_name] = _window if _name in WARNS else by_value(_window)
del _name, _window
