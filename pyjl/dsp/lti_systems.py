"""Linear time-invariant systems: SciPy's classes, and the continuous-time responses.

``lti``, ``dlti``, ``TransferFunction``, ``ZerosPolesGain`` and ``StateSpace`` are
:mod:`scipy.signal`'s own classes, re-exported unchanged: their constructors dispatch to
six private concrete classes (``TransferFunctionContinuous``, ...), and their methods and
arithmetic build new instances of those (``to_ss``, ``to_discrete``, ``A * B``), so a pyjl
subclass would not be what ``sys.to_ss()`` returns, and ``isinstance`` with pyjl's names
would fail on it.  pyjl's checks run where a system is used: each function below takes
an instance or a tuple ``(num, den)``, ``(zeros, poles, gain)`` or ``(A, B, C, D)`` and
checks every part by name before it delegates to SciPy.

``lsim(system, U, T, X0=None, interp=True)`` simulates the response to an input,
``impulse`` and ``step`` the impulse and step responses, ``freqresp`` and ``bode`` the
frequency response (complex, or magnitude in dB and phase in degrees).  Results and
dtypes are SciPy's; where SciPy's simulation truncates or drops parts (integer matrices,
complex inputs of a real system) pyjl computes them in float64 or complex128.

>>> import numpy as np
>>> from pyjl.dsp import lsim
>>> t, y, x = lsim(([1.0], [1.0, 1.0]), U=np.ones(3), T=[0.0, 1.0, 2.0])
>>> np.round(y, 6).tolist()
[0.0, 0.632121, 0.864665]
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from . import _lti_args as _args
from .delay import _grid
from .transfer_functions import _below_axis, default_grid

__all__ = [
    "lti",
    "dlti",
    "TransferFunction",
    "ZerosPolesGain",
    "StateSpace",
    "lsim",
    "impulse",
    "step",
    "freqresp",
    "bode",
]

#: SciPy's own classes (see the module docstring for why they are not subclassed)
lti = _ss.lti
dlti = _ss.dlti
TransferFunction = _ss.TransferFunction
ZerosPolesGain = _ss.ZerosPolesGain
StateSpace = _ss.StateSpace

_OVERFLOW = (
    "the response is infinite or NaN: it overflows (an unstable system over a long "
    "time, or values this large)"
)
_OVERFLOW_FIX = "shorten the time span, or scale the system or the input down"


def _inputs(U, steps, p):
    """``U``: None or 0 (no input), else finite numbers with one row per time point and
    one column per input (1-D for a single input)."""
    if U is None:
        return None
    arr = _args.numbers(U, "U")
    if arr.ndim == 0:
        if arr[()] == 0:
            return 0.0
        raise _validate.error(
            "U",
            "must hold one value per time point (a single number only as 0: no input)",
            _validate.describe(U),
            "pass np.full(len(T), value) for a constant input",
        )
    rows, cols = arr.shape[0], arr.shape[1] if arr.ndim == 2 else 1
    if arr.ndim > 2 or rows != steps or cols != p:
        raise _validate.error(
            "U",
            f"must have shape ({steps}, {p}): one row per time in `T`, one column per "
            "input" + (f" (or shape ({steps},))" if p == 1 else ""),
            f"shape {arr.shape}",
            "pass an input per time point and per system input",
        )
    return arr


def _complex_states(ss, *values):
    """``ss`` with a complex ``A`` (so SciPy's states are complex) when any of ``values``
    is complex; SciPy's would drop their imaginary parts."""
    if ss.A.dtype.kind == "c" or not any(np.iscomplexobj(v) for v in values):
        return ss
    return _ss.StateSpace(ss.A.astype(np.complex128), ss.B, ss.C, ss.D)


def _single_input(ss, fname):
    if ss.B.shape[1] != 1:
        raise _validate.error(
            "system",
            f"must have a single input for {fname}",
            f"{ss.B.shape[1]} inputs",
            "pick one input (B[:, [i]] and D[:, [i]]), or simulate with lsim",
        )


def lsim(system, U, T, X0=None, interp=True):
    """Output ``(T, yout, xout)`` of a continuous-time system driven by ``U`` at the
    equally spaced times ``T`` (:func:`scipy.signal.lsim`).

    ``U`` has one row per time and one column per input (None or 0: no input), ``X0``
    is the initial state (one number for every state, or one per state), ``interp``
    interpolates the input linearly between times (False: holds it).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> system = ([1.0], [1.0, 2.0, 1.0])
    >>> t = np.linspace(0.0, 5.0, 51)
    >>> tout, y, x = dsp.lsim(system, np.sin(t), t, X0=[0.5, 0.0])
    >>> x.shape
    (51, 2)
    >>> bool(np.allclose(y, signal.lsim(system, np.sin(t), t, X0=[0.5, 0.0])[1]))
    True
    """
    inst = _args.system(system, "lsim")
    ss, _ = _args.state_space(inst, "lsim")
    if U is not None:
        U = _args.numbers(U, "U")
    T = _args.times(T, "T", even=True)
    U = _inputs(U, np.atleast_1d(T).size, ss.B.shape[1])
    n = ss.A.shape[0]
    X0 = None if X0 is None else _args.initial_state(X0, "X0", n, complex_ok=True)
    interp = _validate.boolean(interp, "interp")
    complex_in = U is not None and np.iscomplexobj(U)
    U = None if U is None else _args.real_if_zero_imag(U)
    ss = _complex_states(ss, U, X0)
    with np.errstate(all="ignore"):
        out = _ss.lsim(ss, U, T, X0=X0, interp=interp)
    _args.warn_nonfinite(out[1:], _OVERFLOW, _OVERFLOW_FIX)
    if complex_in:  # SciPy's output of a complex input is complex, whatever its parts
        out = (out[0], np.asarray(out[1]).astype(np.complex128, copy=False), out[2])
    return out


def _response_args(system, fname, X0, T, N):
    inst = _args.system(system, fname)
    ss, _ = _args.state_space(inst, fname)
    _single_input(ss, fname)
    n = ss.A.shape[0]
    X0 = None if X0 is None else _args.initial_state(X0, "X0", n, complex_ok=True)
    T = None if T is None else _args.times(T, "T", even=True)
    N = _args.count(N, "N")
    return _complex_states(ss, X0), X0, T, N


def impulse(system, X0=None, T=None, N=None):
    """Impulse response ``(T, yout)`` of a single-input continuous-time system
    (:func:`scipy.signal.impulse`); ``X0`` is added to the state the impulse sets, and
    ``N`` times (100 by default) span the slowest pole when ``T`` is not given.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> t, y = dsp.impulse(([1.0], [1.0, 1.0]), N=5)
    >>> np.round(t, 2).tolist()
    [0.0, 1.75, 3.5, 5.25, 7.0]
    >>> bool(np.allclose(y, np.exp(-t)))
    True
    """
    ss, X0, T, N = _response_args(system, "impulse", X0, T, N)
    column = None if X0 is None else X0.reshape(-1, 1)  # SciPy adds X0 to B (n, 1)
    with np.errstate(all="ignore"):
        out = _ss.impulse(ss, X0=column, T=T, N=N)
    _args.warn_nonfinite(out[1:], _OVERFLOW, _OVERFLOW_FIX)
    return out


def step(system, X0=None, T=None, N=None):
    """Step response ``(T, yout)`` of a single-input continuous-time system
    (:func:`scipy.signal.step`) from the initial state ``X0`` (zero by default).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> t, y = dsp.step(([1.0], [1.0, 1.0]), T=[0.0, 1.0, 2.0])
    >>> np.round(y, 6).tolist()
    [0.0, 0.632121, 0.864665]
    >>> bool(np.allclose(y, signal.step(([1.0], [1.0, 1.0]), T=[0.0, 1.0, 2.0])[1]))
    True
    """
    ss, X0, T, N = _response_args(system, "step", X0, T, N)
    if T is not None:
        T = np.atleast_1d(T)  # SciPy's step fails on a scalar time (lsim returns it 1-D)
    with np.errstate(all="ignore"):
        out = _ss.step(ss, X0=X0, T=T, N=N)
    _args.warn_nonfinite(out[1:], _OVERFLOW, _OVERFLOW_FIX)
    return out


def _frequency_args(system, fname, w, n):
    """The instance SciPy would evaluate (zeros, poles and gain for a tuple, as SciPy
    converts it), checked ``w`` and ``n``."""
    inst = _args.siso(_args.system(system, fname), fname)
    _grid(w, "w")
    n = _args.count(n, "n", low=0)
    if not isinstance(system, _ss.lti) and not isinstance(inst, _ss.ZerosPolesGain):
        inst = _args.converted(inst, "to_zpk")
    return _args.real_gain(inst, fname), n


def _own_grid(inst, w, n):
    """``w``, or where it is None and SciPy's grid would fail (poles and zeros all below
    the real axis), the grid of their mirror images (:func:`default_grid`)."""
    if w is None and _below_axis(inst.zeros, inst.poles):
        return default_grid(inst.zeros, inst.poles, n)
    return w


_AXIS = (
    "the frequency response is infinite or NaN at some frequencies: a pole on the "
    "imaginary axis there (or, for bode, a zero there: -inf dB)"
)
_AXIS_FIX = "leave those frequencies out of w"


def freqresp(system, w=None, n=10000):
    """Frequency response ``(w, H)`` of a single-input single-output continuous-time
    system at ``w`` rad/s, or at ``n`` frequencies around its poles and zeros
    (:func:`scipy.signal.freqresp`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> w, H = dsp.freqresp(([1.0], [1.0, 1.0]), w=[0.0, 1.0])
    >>> np.round(H, 6).tolist()
    [(1+0j), (0.5-0.5j)]
    >>> bool(np.allclose(H, signal.freqresp(([1.0], [1.0, 1.0]), w=[0.0, 1.0])[1]))
    True
    """
    inst, n = _frequency_args(system, "freqresp", w, n)
    w = _own_grid(inst, w, n)
    with np.errstate(all="ignore"):
        out = _ss.freqresp(inst, w=w, n=n)
    _args.warn_nonfinite(out[1:], _AXIS, _AXIS_FIX)
    return out


def bode(system, w=None, n=100):
    """Bode data ``(w, mag, phase)`` of a single-input single-output continuous-time
    system: magnitude in dB and unwrapped phase in degrees (:func:`scipy.signal.bode`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> w, mag, phase = dsp.bode(([1.0], [1.0, 1.0]), w=[0.1, 1.0, 10.0])
    >>> np.round(mag, 2).tolist(), np.round(phase, 1).tolist()
    ([-0.04, -3.01, -20.04], [-5.7, -45.0, -84.3])
    >>> bool(np.allclose(mag, signal.bode(([1.0], [1.0, 1.0]), w=[0.1, 1.0, 10.0])[1]))
    True
    """
    inst, n = _frequency_args(system, "bode", w, n)
    w = _own_grid(inst, w, n)
    with np.errstate(all="ignore"):
        out = _ss.bode(inst, w=w, n=n)
    _args.warn_nonfinite(out[1:], _AXIS, _AXIS_FIX)
    return out
