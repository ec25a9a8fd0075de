"""State-space systems: the matrices ``A, B, C, D`` and conversions to and from them.

A system ``x' = A x + B u``, ``y = C x + D u`` (``n`` states, ``p`` inputs, ``q``
outputs) is held as ``A (n, n)``, ``B (n, p)``, ``C (q, n)`` and ``D (q, p)``.
``abcd_normalize`` reads them as 2-D arrays (a missing one is zeros of its shape),
``tf2ss`` and ``zpk2ss`` give the controller canonical form of a transfer function,
``ss2tf`` and ``ss2zpk`` the transfer function from one input.  All delegate to
:mod:`scipy.signal` after pyjl's checks (:mod:`pyjl.dsp._design_args`): matrices and
coefficients numeric and finite, shapes that agree (refused naming the matrix), ``input``
an integer naming an input, a proper transfer function (no more zeros than poles), a
denominator not all zeros.  Results and dtypes are SciPy's; a result that overflows is
refused.

>>> from pyjl.dsp import ss2tf, tf2ss
>>> A, B, C, D = tf2ss([1.0, 3.0, 3.0], [1.0, 2.0, 1.0])
>>> A.tolist(), C.tolist(), D.tolist()
([[-2.0, -1.0], [1.0, 0.0]], [[1.0, 2.0]], [[1.0]])
>>> [c.round(9).tolist() for c in ss2tf(A, B, C, D)]
[[[1.0, 3.0, 3.0]], [1.0, 2.0, 1.0]]
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ..exceptions import InputError
from ._design_args import (
    call_scipy,
    finite,
    finite_result,
    roots,
)
from .transfer_functions import _denominator, _numerators

__all__ = ["abcd_normalize", "tf2ss", "ss2tf", "zpk2ss", "ss2zpk"]

_NAMES = ("A", "B", "C", "D")


def _scipy(func, *args, **kwargs):
    """SciPy's ``func``; overflow is left to the finiteness check of the result."""
    with np.errstate(all="ignore"):
        return call_scipy(func, *args, **kwargs)


def _matrix(value, name):
    """A given matrix as a finite numeric array of at most 2 dimensions (its dtype kept);
    None stays None."""
    if value is None:
        return None
    finite(value, name)
    arr = as_raw(value, name)
    if arr.ndim > 2:
        raise _validate.error(
            name,
            "must be a matrix (at most 2-D)",
            f"shape {arr.shape}",
            f"pass {name} as a 2-D array",
        )
    return arr


def system_matrices(parts) -> tuple:
    """A system given as four matrices ``(A, B, C, D)``: each read by :func:`_matrix`,
    none missing, their shapes agreeing (:func:`_dimensions`)."""
    mats = [_matrix(m, name) for m, name in zip(parts, ("A", "B", "C", "D"))]
    if any(m is None for m in mats):
        raise _validate.error(
            "system",
            "must hold four matrices (A, B, C, D)",
            "None among them",
            "pass zeros of the right shape for a missing matrix",
        )
    _dimensions(*mats)
    return tuple(mats)


def _dimensions(A, B, C, D):
    """The states ``n``, inputs ``p`` and outputs ``q`` as SciPy infers them, each matrix
    checked against them (an empty or missing one is zeros of its shape)."""
    if A is None and B is None and C is None:
        raise _validate.error(
            "A",
            "must be given, or `B` or `C` (else the number of states is unknown)",
            "A = B = C = None",
            "pass the state matrix A",
        )
    if B is None and D is None:
        raise _validate.error(
            "B",
            "must be given, or `D` (else the number of inputs is unknown)",
            "B = D = None",
            "pass the input matrix B",
        )
    if C is None and D is None:
        raise _validate.error(
            "C",
            "must be given, or `D` (else the number of outputs is unknown)",
            "C = D = None",
            "pass the output matrix C",
        )
    shapes = [np.shape(np.atleast_2d(m)) if m is not None else (0, 0) for m in (A, B, C, D)]
    (a_rows, _), (b_rows, b_cols), (c_rows, c_cols), (_, d_cols) = shapes
    n = a_rows or b_rows or c_cols or 0
    p = b_cols or d_cols or 0
    q = c_rows or shapes[3][0] or 0
    wanted = {"A": (n, n), "B": (n, p), "C": (q, n), "D": (q, p)}
    for name, shape in zip(_NAMES, shapes):
        if shape[0] * shape[1] and shape != wanted[name]:
            raise _validate.error(
                name,
                f"must have shape {wanted[name]} (n = {n} states, p = {p} inputs, "
                f"q = {q} outputs)",
                f"shape {shape}",
                "pass A (n, n), B (n, p), C (q, n) and D (q, p)",
            )
    return n, p, q


def abcd_normalize(A=None, B=None, C=None, D=None):
    """The state-space matrices as 2-D arrays whose shapes agree; a missing (None) or
    empty one is zeros of its shape (:func:`scipy.signal.abcd_normalize`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> A, B, C, D = dsp.abcd_normalize(A=[[1, 2], [3, 4]], B=[[-1], [5]], D=2.5)
    >>> A.shape, B.shape, C.shape, D.shape
    ((2, 2), (2, 1), (1, 2), (1, 1))
    >>> C.tolist()
    [[0.0, 0.0]]
    """
    mats = [_matrix(m, name) for m, name in zip((A, B, C, D), _NAMES)]
    _dimensions(*mats)
    return _scipy(_ss.abcd_normalize, *mats)


def _input(index, p):
    """``input``: an integer naming one of the ``p`` inputs."""
    if p == 0:
        raise _validate.error(
            "B",
            "must have at least one input column (or `D` one column)",
            "a system with 0 inputs",
            "pass B of shape (n, p) with p >= 1",
        )
    return _validate.integer(index, "input", low=0, high=p - 1)


def _state_space(A, B, C, D, input):
    """The checked matrices (as given, SciPy reads them) and the checked ``input``."""
    mats = [_matrix(m, name) for m, name in zip((A, B, C, D), _NAMES)]
    _, p, _ = _dimensions(*mats)
    return mats, _input(input, p)


def _converted(func, mats, input):
    """SciPy's ``func`` of the checked matrices, a result that overflows refused naming
    them (SciPy's own check of its intermediate arrays included)."""
    try:
        out = _scipy(func, *mats, input=input)
    except InputError as exc:
        if "infs or NaNs" not in str(exc):
            raise
        out = (np.nan,)  # a product of the matrices overflowed inside SciPy
    return finite_result(out, _NAMES, mats[0])


def ss2tf(A, B, C, D, input=0):
    """Transfer function ``(num, den)`` from input ``input`` of a state-space system
    (:func:`scipy.signal.ss2tf`): one numerator row per output.

    Examples
    --------
    >>> from pyjl import dsp
    >>> num, den = dsp.ss2tf([[-2, -1], [1, 0]], [[1], [0]], [[1, 2]], 1)
    >>> num.round(9).tolist(), den.tolist()
    ([[1.0, 3.0, 3.0]], [1.0, 2.0, 1.0])
    """
    mats, input = _state_space(A, B, C, D, input)
    return _converted(_ss.ss2tf, mats, input)


def ss2zpk(A, B, C, D, input=0):
    """Zeros, poles and gain from input ``input`` of a state-space system
    (:func:`scipy.signal.ss2zpk`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> z, p, k = dsp.ss2zpk([[-2, -1], [1, 0]], [[1], [0]], [[1, 2]], 1)
    >>> z.real.round(6).tolist(), p.real.round(6).tolist(), float(k)
    ([-1.5, -1.5], [-1.0, -1.0], 1.0)
    """
    mats, input = _state_space(A, B, C, D, input)
    q = _dimensions(*mats)[2]
    if q > 1:  # SciPy: "Input must be a rank-1 array"
        raise _validate.error(
            "C",
            "must have one row: ss2zpk gives the zeros of one output",
            f"{q} rows (outputs)",
            "pass one output's rows, ss2zpk(A, B, C[i:i + 1], D[i:i + 1]), or use ss2tf, "
            "which gives every output's numerator",
        )
    return _converted(_ss.ss2zpk, mats, input)


def _leading_zero_columns(num, den0):
    """How many leading columns of ``num`` SciPy's normalize drops (``|num / den0| <=
    1e-14``), leaving at least one."""
    small = np.all(np.abs(np.atleast_2d(num) / den0) <= 1e-14, axis=0)
    count = int(np.argmin(small)) if not np.all(small) else small.size
    return min(count, small.size - 1)


def tf2ss(num, den):
    """Controller canonical state-space form ``(A, B, C, D)`` of ``num(s) / den(s)``
    (:func:`scipy.signal.tf2ss`); ``num`` may be 2-D (one numerator per output), of no
    higher degree than ``den``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> A, B, C, D = dsp.tf2ss([1.0, 3.0, 3.0], [1.0, 2.0, 1.0])
    >>> B.tolist(), D.tolist()
    ([[1.0], [0.0]], [[1.0]])
    >>> bool(np.allclose(A, signal.tf2ss([1.0, 3.0, 3.0], [1.0, 2.0, 1.0])[0]))
    True
    """
    num = _numerators(num, "num")
    den = _denominator(den, "den")
    den = np.trim_zeros(den, "f")
    with np.errstate(all="ignore"):
        degree = num.shape[-1] - 1 - _leading_zero_columns(num, den[0])
    if degree > den.size - 1:
        raise _validate.error(
            "num",
            f"must be of no higher degree than `den` ({den.size - 1}): the system must be proper",
            f"degree {degree}",
            "pass a numerator no longer than the denominator",
        )
    return finite_result(_scipy(_ss.tf2ss, num, den), ("num", "den"), num)


def zpk2ss(z, p, k):
    """Controller canonical state-space form ``(A, B, C, D)`` of zeros ``z``, poles ``p``
    and gain ``k`` (:func:`scipy.signal.zpk2ss`); no more zeros than poles.

    Examples
    --------
    >>> from pyjl import dsp
    >>> A, B, C, D = dsp.zpk2ss([-1.0], [-2.0, -3.0], 2.0)
    >>> A.tolist(), C.tolist(), D.tolist()
    ([[-5.0, -6.0], [1.0, 0.0]], [[2.0, 2.0]], [[0.0]])
    """
    z, p = roots(z, "z"), roots(p, "p")
    finite(k, "k")
    if np.ndim(k) != 0:
        raise _validate.error(
            "k", "must be a single gain", f"shape {np.shape(k)}", "pass one number"
        )
    if z.size > p.size:
        raise _validate.error(
            "z",
            f"must hold no more zeros than `p` holds poles ({p.size}): the system must be proper",
            f"{z.size} zeros",
            "add poles, or remove zeros",
        )
    if not isinstance(k, (numbers.Number, np.generic)):
        k = as_raw(k, "k")
    return finite_result(_scipy(_ss.zpk2ss, z, p, k), ("z", "p", "k"), z)
