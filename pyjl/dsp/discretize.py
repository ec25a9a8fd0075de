"""A continuous-time system turned into a discrete-time one (``cont2discrete``).

``cont2discrete(system, dt, method='zoh', alpha=None)`` samples a system given as
``(num, den)``, ``(zeros, poles, gain)``, ``(A, B, C, D)`` or an ``lti`` instance every
``dt`` seconds: zero-order hold (``'zoh'``, the default), first-order hold (``'foh'``),
the impulse-invariant map (``'impulse'``, strictly proper systems only) or the
generalised bilinear transform (``'gbt'`` with weight ``alpha`` in [0, 1]; ``'bilinear'``
or ``'tustin'`` is alpha = 0.5, ``'euler'`` or ``'forward_diff'`` 0, ``'backward_diff'``
1).  It delegates to :func:`scipy.signal.cont2discrete` after pyjl's checks: the system's
parts are checked as by :func:`~pyjl.dsp.tf2ss`, :func:`~pyjl.dsp.zpk2ss` and
:func:`~pyjl.dsp.abcd_normalize` and passed on as read there (matrices 2-D, an empty one
zeros of its shape; numerators of different lengths aligned), ``dt`` is a
finite number > 0 (SciPy takes 0, negative steps and NaN), ``method`` one of SciPy's names;
a bilinear map whose ``I - alpha*dt*A`` is singular and a result that overflows are
refused.  Results and dtypes are SciPy's, ``dt`` returned as given.

>>> from pyjl.dsp import cont2discrete
>>> num, den, dt = cont2discrete(([1.0], [1.0, 1.0]), 0.5, method="bilinear")
>>> num.round(6).tolist(), den.round(6).tolist(), dt
([[0.2, 0.2]], [1.0, -0.6], 0.5)
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ._design_args import finite_result, relayed, scalar
from .state_space import system_matrices, tf2ss, zpk2ss
from .transfer_functions import _denominator, _numerators

__all__ = ["cont2discrete"]

#: ``method`` values of :func:`scipy.signal.cont2discrete` and the gbt weight they imply
METHODS = {
    "zoh": None,
    "foh": None,
    "impulse": None,
    "gbt": None,
    "bilinear": 0.5,
    "tustin": 0.5,
    "euler": 0.0,
    "forward_diff": 0.0,
    "backward_diff": 1.0,
}


def _system(system):
    """The system's parts, checked (arrays, SciPy's reading), or an ``lti`` instance."""
    if callable(getattr(system, "to_discrete", None)):
        return system
    if not isinstance(system, (tuple, list)) or len(system) not in (2, 3, 4):
        raise _validate.error(
            "system",
            "must be (num, den), (zeros, poles, gain), (A, B, C, D) or an lti instance",
            _validate.describe(system),
            "pass a tuple of 2, 3 or 4 arrays",
            wrong_type=not isinstance(system, (tuple, list)),
        )
    if len(system) == 2:
        tf2ss(*system)  # its checks, naming num and den
        # as read there: numerators of different lengths aligned, as tf2ss aligns them
        return _numerators(system[0], "num"), _denominator(system[1], "den")
    if len(system) == 3:
        zpk2ss(*system)  # its checks, naming z, p and k
        return tuple(system)
    mats = system_matrices(system)
    # 2-D and of agreeing shapes (an empty matrix zeros of its shape): SciPy stacks them
    return tuple(_ss.abcd_normalize(*mats))


def _alpha(alpha, method):
    """``alpha``: required for 'gbt', a finite number in [0, 1] wherever given."""
    if alpha is None:
        if method == "gbt":
            raise _validate.error(
                "alpha",
                "must be given for method='gbt'",
                None,
                "pass alpha in [0, 1] (0.5 is the bilinear transform)",
            )
        return None
    return _validate.real(scalar(alpha), "alpha", low=0, high=1)


def _strictly_proper(system, method):
    """Refuse a feedthrough for the impulse-invariant map (SciPy: a ValueError)."""
    if method != "impulse" or not isinstance(system, tuple):
        return
    make = {2: tf2ss, 3: zpk2ss, 4: _ss.abcd_normalize}[len(system)]
    D = make(*system)[3]
    if not np.allclose(D, 0):
        raise _validate.error(
            "system",
            "must be strictly proper (D = 0, fewer zeros than poles) for method='impulse'",
            f"D = {np.round(D, 6).tolist()}",
            "pass method='zoh', or a system without feedthrough",
        )


def cont2discrete(system, dt, method="zoh", alpha=None):
    """The discrete-time system of step ``dt`` for a continuous-time ``system``
    (:func:`scipy.signal.cont2discrete`).

    Returns ``(num, den, dt)``, ``(zeros, poles, gain, dt)`` or ``(A, B, C, D, dt)`` in
    the form the system was given (an ``lti`` instance gives a ``dlti`` one).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> A, B, C, D = np.array([[-1.0]]), np.array([[1.0]]), np.array([[1.0]]), np.array([[0.0]])
    >>> Ad, Bd, Cd, Dd, dt = dsp.cont2discrete((A, B, C, D), 0.1)
    >>> round(float(Ad[0, 0]), 6), round(float(Bd[0, 0]), 6)
    (0.904837, 0.095163)
    >>> bool(np.allclose(Ad, signal.cont2discrete((A, B, C, D), 0.1)[0]))
    True
    """
    checked = _system(system)
    _validate.real(
        scalar(dt), "dt", low=0, low_open=True, fix="pass the sampling step in seconds, > 0"
    )
    method = _validate.choice(method, "method", tuple(METHODS))
    alpha = _alpha(alpha, method)
    _strictly_proper(checked, method)
    try:
        with np.errstate(all="ignore"):
            out = _ss.cont2discrete(checked, dt, method=method, alpha=alpha)
    except np.linalg.LinAlgError as exc:  # before ValueError, its base class
        weight = METHODS[method] if alpha is None else alpha
        raise _validate.error(
            "dt",
            f"must keep I - alpha*dt*A invertible (alpha = {weight:g}): a pole of the system "
            "sits at s = 1/(alpha*dt)",
            _validate.describe(dt),
            "pass another step dt, or method='zoh'",
        ) from exc
    except ValueError as exc:
        raise relayed(_ss.cont2discrete, exc) from exc
    if not isinstance(out, tuple):  # a dlti instance
        return out
    return finite_result(out[:-1], ("system", "dt"), system) + (out[-1],)
