"""Argument checks shared by the LTI-system functions (:mod:`pyjl.dsp.lti_systems`,
:mod:`pyjl.dsp.lti_discrete`).

A system reaches them as SciPy takes it: an ``lti``/``dlti`` instance (SciPy's own
classes) or a tuple ``(num, den)``, ``(zeros, poles, gain)`` or ``(A, B, C, D)``, with
``dt`` as its last item for the discrete-time functions.  :func:`system` checks each part
by name (as :func:`~pyjl.dsp.tf2ss` and :func:`~pyjl.dsp.abcd_normalize` do) and returns
SciPy's instance; :func:`state_space` gives the state-space form that SciPy's simulations
run (proper, finite, real where the simulation keeps real states); the others check the
time and frequency grids, the inputs and the initial states against the system.
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from .._warn import warn
from ..data import as_raw
from ..exceptions import InputError, NumericalWarning, SystemKindError
from ._design_args import MAX_TAPS, finite, relayed, roots, scalar
from .state_space import system_matrices
from .transfer_functions import _denominator, _numerators

__all__ = [
    "system",
    "state_space",
    "siso",
    "real_gain",
    "real_if_zero_imag",
    "numbers",
    "times",
    "initial_state",
    "count",
    "warn_nonfinite",
]

_NAMES = ("A", "B", "C", "D")


def _kind_error(value, fname: str, discrete: bool) -> InputError:
    want = (
        "a discrete-time system (a dlti instance, or a tuple ending in dt)"
        if discrete
        else "a continuous-time system (an lti instance, or a tuple without dt)"
    )
    fix = (
        "sample it first with cont2discrete or system.to_discrete(dt), or call the "
        f"continuous-time twin {fname[1:]}"
        if discrete
        else f"call the discrete-time twin d{fname}"
    )
    return _validate.error(
        "system", f"must be {want} for {fname}", describe(value), fix, cls=SystemKindError
    )


def describe(value) -> str:
    """A system in words for a message: an instance by its class and ``dt`` (its repr
    spans lines), anything else as :func:`pyjl._validate.describe` renders it."""
    if isinstance(value, (_ss.lti, _ss.dlti)):
        return f"a {type(value).__name__} (dt={value.dt!r})"
    return _validate.describe(value)


def _sampling_step(dt, name):
    """``dt``: ``True`` (SciPy's "unspecified", a step of 1) or a finite number > 0."""
    if dt is True:
        return dt
    return _validate.real(
        scalar(dt),
        name,
        low=0,
        low_open=True,
        fix="pass the sampling step in seconds (> 0), or True for an unspecified one",
    )


def _gain(k, name):
    """A zeros-poles-gain system's gain: one finite number (a 1-element array as SciPy's
    tests pass it is one)."""
    finite(k, name)
    arr = as_raw(k, name)
    if arr.size != 1:
        raise _validate.error(
            name, "must be a single gain", f"shape {arr.shape}", "pass one number"
        )
    return k if np.ndim(k) == 0 and not isinstance(k, np.ndarray) else arr


def _parts(value, discrete: bool):
    """The checked parts of a tuple system and its ``dt`` (None for continuous time)."""
    sizes = (3, 4, 5) if discrete else (2, 3, 4)
    if not isinstance(value, (tuple, list)) or len(value) not in sizes:
        forms = (
            "(num, den, dt), (zeros, poles, gain, dt), (A, B, C, D, dt) or a dlti instance"
            if discrete
            else "(num, den), (zeros, poles, gain), (A, B, C, D) or an lti instance"
        )
        raise _validate.error(
            "system",
            f"must be {forms}",
            describe(value),
            f"pass a tuple of {sizes[0]}, {sizes[1]} or {sizes[2]} items",
            wrong_type=not isinstance(value, (tuple, list)),
        )
    parts = list(value)
    dt = _sampling_step(parts.pop(), "dt") if discrete else None
    if len(parts) == 2:
        return (_numerators(parts[0], "num"), _denominator(parts[1], "den")), dt
    if len(parts) == 3:
        return (roots(parts[0], "zeros"), roots(parts[1], "poles"), _gain(parts[2], "gain")), dt
    return system_matrices(parts), dt


def _fields(inst):
    """``(name, array)`` of an instance's defining arrays."""
    if isinstance(inst, _ss.TransferFunction):
        return (("num", inst.num), ("den", inst.den))
    if isinstance(inst, _ss.ZerosPolesGain):
        return (("zeros", inst.zeros), ("poles", inst.poles), ("gain", inst.gain))
    return tuple((name, getattr(inst, name)) for name in _NAMES)


def _finite_instance(inst):
    """Refuse NaN or infinity in an instance's arrays (given so, or overflowed when SciPy
    normalised the tuple), naming ``system.<part>``."""
    for name, arr in _fields(inst):
        arr = np.asarray(arr)
        if arr.dtype.kind not in "biufc":
            raise _validate.error(
                f"system.{name}",
                "must hold numbers",
                arr,
                "build the system from numeric arrays",
                wrong_type=True,
            )
        bad = ~np.isfinite(arr)
        if np.any(bad):
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise _validate.error(
                f"system.{name}",
                "must be finite",
                f"{arr[where]} at index {where}",
                "pass finite coefficients of moderate size (these overflow when normalised)",
            )


def converted(inst, method: str):
    """``inst.to_ss()`` (``to_zpk``, ``to_tf``), its arrays finite, or an InputError
    naming ``system`` where SciPy's conversion overflows or its factorisation fails."""
    try:
        with np.errstate(all="ignore"):
            out = getattr(inst, method)()
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise _validate.error(
            "system",
            "must be of moderate size (its conversion overflows)",
            describe(inst),
            f"scale the system down (SciPy: {str(exc).rstrip('.')})",
        ) from exc
    _finite_instance(out)
    return out


def system(value, fname: str, discrete: bool = False):
    """``value`` as SciPy's ``lti`` (or, with ``discrete``, ``dlti``) instance, every part
    checked; an instance of the other kind is refused with a :class:`SystemKindError`."""
    if isinstance(value, _ss.dlti if not discrete else _ss.lti):
        raise _kind_error(value, fname, discrete)
    if isinstance(value, _ss.lti if not discrete else _ss.dlti):
        _finite_instance(value)
        if discrete:
            _sampling_step(value.dt, "system.dt")
        return value
    parts, dt = _parts(value, discrete)
    try:
        with np.errstate(all="ignore"):
            inst = _ss.dlti(*parts, dt=dt) if discrete else _ss.lti(*parts)
    except ValueError as exc:  # what SciPy's constructors still refuse
        raise relayed(_ss.dlti if discrete else _ss.lti, exc) from exc
    _finite_instance(inst)
    return inst


def siso(inst, fname: str):
    """``inst``, unless it has several inputs or outputs (a frequency response is one
    transfer function)."""
    if inst.inputs != 1 or inst.outputs != 1:
        raise _validate.error(
            "system",
            f"must have a single input and a single output for {fname}",
            f"{inst.inputs} inputs and {inst.outputs} outputs",
            "pick one input and one output, e.g. StateSpace(A, B[:, [0]], C[[0]], D[[0]][:, [0]])",
        )
    return inst


def real_gain(inst, fname: str):
    """A zeros-poles-gain ``inst`` with its gain as a real number (SciPy's
    ``freqs_zpk``/``freqz_zpk`` read it as a float): a complex gain with a zero imaginary
    part is read as real, any other refused; other instances unchanged."""
    if not isinstance(inst, _ss.ZerosPolesGain) or np.isrealobj(inst.gain):
        return inst
    gain = np.asarray(inst.gain)
    if np.any(gain.imag):
        raise _validate.error(
            "gain",
            f"must be real for {fname} (SciPy evaluates a zeros-poles-gain response with a "
            "real gain)",
            describe(inst.gain),
            "pass a real gain, or the system as (num, den) with complex coefficients",
        )
    kwargs = {"dt": inst.dt} if isinstance(inst, _ss.dlti) else {}
    return _ss.ZerosPolesGain(inst.zeros, inst.poles, gain.real, **kwargs)


def real_if_zero_imag(arr):
    """``arr`` as real numbers when it is complex with every imaginary part zero."""
    arr = np.asarray(arr)
    if arr.dtype.kind == "c" and not np.any(arr.imag):
        return arr.real.copy()
    return arr


def state_space(inst, fname: str, real: bool = False):
    """``(ss, complex_states)``: SciPy's ``StateSpace`` form of a checked instance, the
    form its simulations run.  The system must be proper; an integer ``A`` is read as
    float64 (SciPy's simulation would keep integer states), a real ``A`` with a complex
    ``B`` as complex128 (SciPy's would drop the states' imaginary parts).  With ``real``
    (the discrete simulations, whose states SciPy keeps real), imaginary parts that are
    all zero are dropped and a complex system is refused."""
    if isinstance(inst, _ss.TransferFunction):
        improper = np.atleast_2d(inst.num).shape[1] > inst.den.size
    elif isinstance(inst, _ss.ZerosPolesGain):
        improper = np.size(inst.zeros) > np.size(inst.poles)
    else:
        improper = False
    if improper:
        zpk = inst.to_zpk() if isinstance(inst, _ss.TransferFunction) else inst
        raise _validate.error(
            "system",
            f"must be proper (no more zeros than poles) for {fname}, which simulates its "
            "state-space form",
            f"{np.size(zpk.zeros)} zeros and {np.size(zpk.poles)} poles",
            "pass a numerator no longer than the denominator",
        )
    ss = inst if isinstance(inst, _ss.StateSpace) else converted(inst, "to_ss")
    mats = [np.asarray(getattr(ss, name)) for name in _NAMES]
    if real:
        mats = [real_if_zero_imag(m) for m in mats]
    if real and any(m.dtype.kind == "c" for m in mats):
        raise _validate.error(
            "system",
            f"must be real for {fname} (SciPy's simulation keeps real states only)",
            describe(inst),
            "pass real coefficients, or complex poles and zeros in conjugate pairs",
        )
    complex_states = any(m.dtype.kind == "c" for m in mats[:2])
    mats[0] = mats[0].astype(np.complex128 if complex_states else np.float64)
    kwargs = {"dt": inst.dt} if isinstance(inst, _ss.dlti) else {}
    return _ss.StateSpace(*mats, **kwargs), complex_states


def numbers(value, name: str, kinds: str = "biufc"):
    """``value`` as an array of finite numbers of the dtype kinds ``kinds`` ("biuf": real
    only); an object array of numbers is read as float64 (complex128)."""
    arr = as_raw(value, name)
    if arr.dtype.kind == "O":
        for dtype in (np.float64, np.complex128):
            try:
                arr = arr.astype(dtype)
                break
            except (TypeError, ValueError):
                continue
    finite(arr, name, kinds=kinds)
    return arr


def times(value, name: str, *, even: bool = False, from_zero: bool = True):
    """Time points: finite real numbers, at most 1-D (a scalar is one point), not empty,
    strictly increasing, >= 0 at the start (``from_zero``; else at the end) and, with
    ``even``, equally spaced as SciPy's ``lsim`` checks (``np.allclose`` of the steps).
    Returned as an array of its shape."""
    arr = numbers(value, name, kinds="biuf")
    flat = np.atleast_1d(arr)
    if flat.ndim != 1 or flat.size == 0:
        raise _validate.error(
            name,
            "must be a non-empty 1-D array of times",
            f"shape {arr.shape}",
            "pass e.g. np.linspace(0, 5, 101)",
        )
    if flat[0 if from_zero else -1] < 0:
        where = "start" if from_zero else "end"
        raise _validate.error(
            name,
            f"must {where} at a time >= 0 (the output runs from 0)",
            flat[0 if from_zero else -1],
            "pass times from 0 onwards",
        )
    steps = np.diff(flat.astype(float))
    if np.any(steps <= 0):
        i = int(np.flatnonzero(steps <= 0)[0])
        raise _validate.error(
            name,
            "must be strictly increasing",
            f"{flat[i + 1]} after {flat[i]} at index {i + 1}",
            "sort the times and drop repeated ones",
        )
    if even and steps.size and not np.allclose(steps, steps[0]):
        i = int(np.flatnonzero(~np.isclose(steps, steps[0]))[0])
        raise _validate.error(
            name,
            "must be equally spaced (the simulation holds one step)",
            f"step {steps[i]} at index {i + 1}, {steps[0]} at index 1",
            "pass e.g. np.linspace(t0, t1, n), or interpolate the input onto such a grid",
        )
    return arr


def initial_state(value, name: str, n: int, complex_ok: bool):
    """An initial state: one number (every state; a 1-element vector too, as SciPy
    broadcasts it), or one per state (``n``); as a vector of length ``n``, real unless
    ``complex_ok``."""
    arr = numbers(value, name, kinds="biufc" if complex_ok else "biuf")
    if arr.size == 1 and arr.ndim <= 1:  # one number, as SciPy broadcasts it
        arr = np.full(n, arr.reshape(())[()])
    elif arr.ndim != 1 or arr.size != n:
        raise _validate.error(
            name,
            f"must be one number or one per state ({n} state{'s' * (n != 1)})",
            f"shape {arr.shape}",
            f"pass a vector of length {n}",
        )
    return real_if_zero_imag(arr) if complex_ok else arr


def count(value, name: str, low: int = 1):
    """A count of points, ``low``..2**24; None stays None (SciPy's default)."""
    if value is None:
        return None
    return _validate.integer(value, name, low=low, high=MAX_TAPS)


def warn_nonfinite(arrays, what: str, fix: str) -> None:
    """One :class:`~pyjl.exceptions.NumericalWarning` when any of ``arrays`` holds NaN or
    infinity (SciPy returns the same values without a word)."""
    if not all(np.all(np.isfinite(a)) for a in arrays):
        warn(f"{what} (SciPy returns the same values). Fix: {fix}.", NumericalWarning)
