"""Zero-phase cascades of a first- or second-order recursive filter with mirror-symmetric
boundaries (``symiirorder1``, ``symiirorder2``).

``symiirorder1(signal, c0, z1, precision=-1.0)`` filters with
``c0 / ((1 - z1 z**-1)(1 - z1 z))`` and ``symiirorder2(input, r, omega,
precision=-1.0)`` with the second-order section of poles ``r exp(+-j omega)`` forwards
and backwards, the initial states summed over the mirrored signal until the impulse
response falls below ``precision`` (< 0 or >= 1: SciPy's default, 1e-6, or 1e-3 for
single precision).  Both delegate to :mod:`scipy.signal` after pyjl's checks
(:mod:`pyjl.dsp._spline_args`): samples finite, 1-D or 2-D (rows filtered) and not empty,
``|z1| < 1`` and ``|r| < 1`` (the filters are stable), ``c0`` and ``z1`` real for a real
signal (SciPy drops their imaginary parts), ``symiirorder2``'s samples real (as SciPy),
a signal long enough for the boundary sum to converge.  Results and dtypes are SciPy's
(integers filtered in float64).

>>> import numpy as np
>>> from pyjl.dsp import symiirorder1
>>> y = symiirorder1(np.ones(40), (1 - 0.5) ** 2, 0.5)  # unit DC gain: c0 = (1 - z1)**2
>>> y.round(6)[:3].tolist()
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import origin, restore
from . import _spline_args
from ._spline_args import converged, number, samples

__all__ = ["symiirorder1", "symiirorder2"]


def _stable(value, name):
    """A pole ``value`` (real or complex) strictly inside the unit circle."""
    if abs(value) >= 1:
        raise _validate.error(
            name,
            "must lie strictly inside the unit circle (|value| < 1: a stable filter)",
            _validate.describe(value),
            f"pass |{name}| < 1",
        )
    return value


def symiirorder1(signal, c0, z1, precision=-1.0):
    """``signal`` filtered forwards and backwards by the first-order section of pole
    ``z1`` and gain ``c0`` (:func:`scipy.signal.symiirorder1`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.cos(np.arange(64) / 5.0)
    >>> bool(np.allclose(dsp.symiirorder1(x, 0.5, 0.3), signal.symiirorder1(x, 0.5, 0.3)))
    True
    """
    arr = samples(signal, "signal", ndims=(1, 2))
    complex_data = arr.dtype.kind == "c"
    for name, value in (("c0", c0), ("z1", z1)):
        if not complex_data and np.iscomplexobj(value):
            raise _validate.error(
                name,
                "must be real for a real signal (SciPy would drop its imaginary part)",
                _validate.describe(value),
                "pass a real value, or a complex signal",
            )
    c0 = number(c0, "c0", real=not complex_data)
    z1 = _stable(number(z1, "z1", real=not complex_data), "z1")
    out = converged(
        _ss.symiirorder1, ("signal", "c0", "z1"), arr, c0, z1, _spline_args.precision(precision)
    )
    return restore(out, origin(signal))


def symiirorder2(input, r, omega, precision=-1.0):
    """``input`` filtered forwards and backwards by the second-order section of poles
    ``r exp(+-j omega)`` (:func:`scipy.signal.symiirorder2`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.cos(np.arange(64) / 5.0)
    >>> bool(np.allclose(dsp.symiirorder2(x, 0.5, 0.3), signal.symiirorder2(x, 0.5, 0.3)))
    True
    """
    arr = samples(input, "input", ndims=(1, 2))
    if arr.dtype.kind == "c":
        raise _validate.error(
            "input",
            "must be real (SciPy's second-order symmetric filter takes real samples)",
            f"dtype {arr.dtype}",
            "filter the real and imaginary parts separately",
            wrong_type=True,
        )
    r = _stable(number(r, "r"), "r")
    omega = number(omega, "omega")
    out = converged(
        _ss.symiirorder2, ("input", "r", "omega"), arr, r, omega, _spline_args.precision(precision)
    )
    return restore(out, origin(input))
