"""2-D convolution and correlation with boundary rules: ``convolve2d`` and ``correlate2d``.

As :func:`scipy.signal.convolve2d`, ``in1`` is extended beyond its edges by
``boundary`` (``"fill"``: ``fillvalue``; ``"wrap"``: periodically; ``"symm"``: mirrored,
the edge sample repeated, as often as the kernel needs) and the sums of products are
direct, never transforms: kernels of up to 144 entries on :func:`scipy.ndimage.correlate`,
larger ones as one pass of the engine's SIMD ``upfirdn`` kernel per kernel row over the
rows of the extended image (channels in parallel), so the result is the direct sum to
rounding.  Integers are exact: summed in float64 while every sum stays
below ``2**52``, in int64 or Python integers beyond, then wrapped into the result dtype
as SciPy's integer arithmetic does (with a :class:`~pyjl.exceptions.NumericalWarning`
when a value wraps).

>>> import numpy as np
>>> from pyjl.dsp import convolve2d
>>> convolve2d(np.array([[1, 2], [3, 4]]), np.array([[0, 1], [1, 0]])).tolist()
[[0, 1, 2], [1, 5, 4], [3, 4, 0]]
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.signal as _ss
from scipy import ndimage

from .. import _validate, data
from .._warn import warn
from ..exceptions import NumericalWarning
from . import _kernels
from ._frames import check_size, rescale
from .convolution import _read

__all__ = ["convolve2d", "correlate2d"]

MODES = ("full", "same", "valid")
#: SciPy's boundary names and their :func:`numpy.pad` modes
BOUNDARIES = {
    "fill": "constant",
    "pad": "constant",
    "wrap": "wrap",
    "circular": "wrap",
    "symm": "symmetric",
    "symmetric": "symmetric",
}
#: kernels of at most this many entries run on scipy.ndimage (faster than the row passes)
_NDIMAGE_MAX = 144
#: a call of two float64 arrays with at most this many products takes the short path
_SMALL_WORK = 1 << 14
#: a fill value a small call takes (beyond, the full path checks it)
_FILL_MAX = 2.0**400
#: integer sums below this bound are exact in float64
_EXACT_F64 = 2**52


def _image(obj, name):
    """``(a, dt, s)``: ``obj`` read as a 2-D array (integers exact, floats scaled down by
    the power of two ``s`` near the float64 limits), and its dtype in SciPy's promotion
    (booleans and float16 as they are: :func:`_result_dtype` refuses them where the two
    inputs' common dtype is one of them)."""
    a, raw, s = _read(obj, name, exact_ints=True)
    if a.ndim != 2:
        raise _validate.error(
            name, "must be 2-D", f"a {a.ndim}-D array of shape {a.shape}", "pass a 2-D array"
        )
    if a.size == 0:
        raise _validate.error(
            name, "must not be empty", f"shape {a.shape}", "pass at least one row and column"
        )
    held = raw is not None and (raw.kind in "iub" or raw == np.float16)
    return a, np.dtype(raw if held else a.dtype), s


def _result_dtype(da, db):
    """The dtype SciPy computes ``in1 (da)`` and ``in2 (db)`` in: their promotion, refused
    where it is bool or float16, which ``scipy.signal.convolve2d`` does not support (a
    boolean or float16 input with another type is promoted, as there)."""
    dt = np.result_type(da, db)
    if dt.kind == "b" or dt == np.float16:
        name = "in1" if da == dt else "in2"
        raise _validate.error(
            name,
            "must hold integers, float32/float64 or complex numbers, or be promoted to them "
            f"by the other input (the types scipy.signal.convolve2d supports); dtypes {da} "
            f"and {db} compute in {dt}, which is not supported",
            f"dtype {da if name == 'in1' else db}",
            "convert it first, e.g. x.astype(np.float64)",
            wrong_type=True,
        )
    return dt


def _fill(fillvalue, dt, used=True):
    """``fillvalue`` as a number of the result dtype ``dt``'s kind; where it is not
    ``used`` (``boundary`` other than ``"fill"``) only its being one number is checked,
    as SciPy ignores it there."""
    if not used and isinstance(fillvalue, numbers.Number):  # a Python int beyond int64 too
        return 0
    arr = np.asarray(fillvalue) if not isinstance(fillvalue, str) else None
    if arr is None or arr.dtype.kind not in "biufc" or arr.size != 1:
        shown = "an empty array" if arr is not None and arr.size == 0 else fillvalue
        raise _validate.error(
            "fillvalue",
            "must be a single number",
            _validate.describe(shown),
            "pass a scalar such as 0",
            wrong_type=arr is None or arr.dtype.kind not in "biufc",
        )
    v = arr.reshape(()).item()
    if not used:
        return 0
    if isinstance(v, complex) and dt.kind != "c":
        raise _validate.error(
            "fillvalue",
            f"must be real for inputs of dtype {dt}",
            v,
            "pass a real number, or complex inputs",
        )
    if not np.isfinite(v):
        raise _validate.error("fillvalue", "must be finite", v, "pass a finite number")
    if dt.kind in "iu":
        info = np.iinfo(dt)
        if float(v) != int(v) or not info.min <= int(v) <= info.max:
            raise _validate.error(
                "fillvalue",
                f"must be a whole number in the range of the result dtype {dt} "
                f"({info.min} to {info.max}) for integer inputs",
                v,
                "pass a whole number in range, or convert the inputs to float",
            )
        return int(v)
    return v


def _shifted(P, g):
    """The valid correlation as one shifted, scaled copy of ``P`` per nonzero entry of ``g``."""
    m, n = g.shape
    rows, cols = P.shape[0] - m + 1, P.shape[1] - n + 1
    out = np.zeros((rows, cols), dtype=np.result_type(P, g))
    for i, j in zip(*np.nonzero(g)):
        out += g[i, j] * P[i : i + rows, j : j + cols]
    return out


def _valid(P, g):
    """``out[i, j] = sum_kl g[k, l] P[i + k, j + l]``, the valid correlation of float64 or
    complex128 ``P`` with ``g``: small kernels by :func:`scipy.ndimage.correlate` (direct
    sums in C; the border it computes beyond the valid part is dropped), larger ones by
    one pass of the engine's FIR kernel per kernel row (along the longer kernel axis)."""
    if P.dtype.kind == "c" or g.dtype.kind == "c":  # by real parts (ndimage's own conjugates)
        pr, pi, gr, gi = (np.ascontiguousarray(v) for v in (P.real, P.imag, g.real, g.imag))
        return _valid(pr, gr) - _valid(pi, gi) + 1j * (_valid(pr, gi) + _valid(pi, gr))
    m, n = g.shape
    rows, cols = P.shape[0] - m + 1, P.shape[1] - n + 1
    if g.size <= _NDIMAGE_MAX:
        full = ndimage.correlate(P, g, mode="constant")
        return full[m // 2 : m // 2 + rows, n // 2 : n // 2 + cols]
    if m > n:
        return _valid(np.ascontiguousarray(P.T), np.ascontiguousarray(g.T)).T
    out = np.zeros((rows, cols), dtype=np.result_type(P, g))
    for k in range(m):
        taps = g[k, ::-1]
        if taps.any():
            y = _kernels.upfirdn_channels(taps, P[k : k + rows], 1, 1)
            out += y[:, n - 1 : n - 1 + cols]
    return out


def _integer_sums(P, g):
    """The exact valid correlation of integer ``P`` and ``g``: float64 sums while they stay
    below ``2**52``, int64 below ``2**62``, Python integers beyond."""
    peak = max(int(P.max()), -int(P.min()))
    bound = peak * float(np.abs(g.astype(np.float64)).sum())
    if bound < _EXACT_F64:
        return _valid(P.astype(np.float64), g.astype(np.float64))
    return _shifted(*(v.astype(np.int64 if bound < 2**62 else object) for v in (P, g)))


def _wrap(full, dt):
    """Exact integer sums ``full`` in the integer dtype ``dt``, wrapping as NumPy's integer
    arithmetic (SciPy's result), with a warning when any value does not fit."""
    info = np.iinfo(dt)
    if full.max() > info.max or full.min() < info.min:
        warn(
            f"The convolution exceeds the range of {dt} ({info.min} to {info.max}): "
            "values wrap around as NumPy's integer arithmetic. Convert the inputs "
            "to a wider type (int64, float64) first.",
            NumericalWarning,
        )
    if full.dtype == object:
        full = (full % (1 << 64)).astype(np.uint64)
        return full if dt == np.uint64 else full.view(np.int64).astype(dt)
    return full.astype(np.int64).astype(dt, copy=False)


def _small(a, b, mode, boundary, fillvalue, flip):
    """A small call of two plain float64 2-D arrays with zero or real fill, on SciPy's
    direct loop (the sums the full path makes, without its set-up), or None: other
    inputs, more work, or a result that is not all finite -- which is how a NaN or an
    infinity in the inputs shows (every input value reaches some output, the fill's
    zeros included: ``nan * 0`` is NaN), and an overflow that the full path's scaling
    avoids; the full path then refuses or scales."""
    if not (
        type(a) is np.ndarray
        and type(b) is np.ndarray
        and a.dtype == b.dtype == np.float64
        and a.ndim == b.ndim == 2
        and 0 < a.size * b.size <= _SMALL_WORK
        and type(boundary) is str
        and boundary == "fill"
        and type(fillvalue) in (int, float)
        and abs(fillvalue) < _FILL_MAX
        and type(mode) is str
        and mode in MODES
    ):
        return None
    (m1, n1), (m, n) = a.shape, b.shape
    if mode == "valid" and not (m1 >= m and n1 >= n):
        return None
    with np.errstate(all="ignore"):
        out = (_ss.convolve2d if flip else _ss.correlate2d)(a, b, mode, "fill", fillvalue)
    return out if np.isfinite(out).all() else None


def _run(in1, in2, mode, boundary, fillvalue, flip):
    small = _small(in1, in2, mode, boundary, fillvalue, flip)
    if small is not None:
        return small
    _validate.choice(mode, "mode", MODES)
    _validate.choice(boundary, "boundary", tuple(BOUNDARIES))
    org = data.origin(in1)
    a, da, sa = _image(in1, "in1")
    b, db, sb = _image(in2, "in2")
    dt = _result_dtype(da, db)
    fill = _fill(fillvalue, dt, used=boundary == "fill")
    swapped = False
    if mode == "valid":
        big1 = a.shape[0] >= b.shape[0] and a.shape[1] >= b.shape[1]
        if not (big1 or (b.shape[0] >= a.shape[0] and b.shape[1] >= a.shape[1])):
            raise _validate.error(
                "in1",
                "must be at least as large as `in2` in both dimensions, or the reverse, "
                "for mode='valid'",
                f"shapes {a.shape} and {b.shape}",
                "use mode='full' or 'same'",
            )
        if not big1:
            a, b, sa, sb, swapped = b, a, sb, sa, True
    m, n = b.shape
    if mode == "valid":
        P = a
    else:
        # the rows and columns of the extended image that the output reads: the full
        # output's, or for 'same' those of the centred part (SciPy's offsets)
        if mode == "same":
            off = [(k - 1) // 2 if flip else k // 2 for k in (m, n)]
            pads = ((m - 1 - off[0], off[0]), (n - 1 - off[1], off[1]))
        else:
            pads = ((m - 1, m - 1), (n - 1, n - 1))
        check_size(
            (a.shape[0] + m) * (a.shape[1] + n), "in2", f"shape {b.shape}", what="padded image"
        )
        how = BOUNDARIES[boundary]
        if how == "constant":
            fill_s = fill if dt.kind in "iu" or sa is None else fill / sa
            P = np.pad(
                a.astype(np.result_type(a, np.asarray(fill_s)), copy=False),
                pads,
                constant_values=fill_s,
            )
        else:
            P = np.pad(a, pads, how)
    g = b[::-1, ::-1] if flip else (np.conj(b) if np.iscomplexobj(b) else b)
    if dt.kind in "iu":
        out = _wrap(_integer_sums(P, g), dt)
    else:
        work = np.complex128 if dt.kind == "c" else np.float64
        out = _valid(P.astype(work, copy=False), g.astype(work, copy=False))
        out = rescale(out, (sa, sb), "The convolution", dt)
    if swapped and not flip:
        # correlate's rule: swapped inputs give the reversed conjugate
        out = out[::-1, ::-1]
        out = np.conj(out) if out.dtype.kind == "c" else out
    if mode == "same" and org.kind != "numpy":
        return data.restore(np.ascontiguousarray(out), org)
    return out


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """Convolve two 2-D arrays (:func:`scipy.signal.convolve2d`):
    ``out[i, j] = sum_kl in2[k, l] in1[i - k, j - l]``, ``in1`` extended by ``boundary``.

    Parameters
    ----------
    in1, in2 : array_like (2-D), DataFrame or Arrow table
        The image and the kernel: integers, float32/float64 or complex, or booleans and
        float16 promoted to one of them by the other input (a pair whose common type is
        boolean or float16 is refused, as by SciPy); not empty, finite.
    mode : {"full", "valid", "same"}
        The full convolution, ``(M1 + M2 - 1, N1 + N2 - 1)``; the part that needs no
        extension (one input must be at least as large as the other in both
        dimensions; the larger goes first); or the centred part of ``in1``'s shape.
    boundary : {"fill", "wrap", "symm"}
        How ``in1`` is extended: ``fillvalue``, periodically, or mirrored (the edge
        repeated).  SciPy's aliases ``"pad"``, ``"circular"``, ``"symmetric"`` too.
    fillvalue : scalar
        The value outside ``in1`` for ``boundary="fill"``: a finite number of the
        result's kind (real for real inputs, whole and in range for integer ones, where
        SciPy would truncate or wrap it).

    Returns
    -------
    ndarray, DataFrame or Arrow table
        The inputs' common dtype (integers wrap as SciPy's, with a warning).  A
        DataFrame or Arrow table ``in1`` gives its own kind for ``mode="same"`` (the
        shape of ``in1``), NumPy for the other modes.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> img = np.random.default_rng(0).standard_normal((64, 48))
    >>> k = np.outer(np.hanning(7), np.hanning(5))
    >>> out = dsp.convolve2d(img, k, mode="same", boundary="symm")
    >>> bool(np.allclose(out, signal.convolve2d(img, k, mode="same", boundary="symm")))
    True
    """
    return _run(in1, in2, mode, boundary, fillvalue, flip=True)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """Cross-correlate two 2-D arrays (:func:`scipy.signal.correlate2d`):
    ``out[i, j] = sum_kl in1[i + k, j + l] conj(in2[k, l])`` over the lags of ``mode``.

    As SciPy, ``mode="same"`` centres the full correlation with the offset
    ``(M2 // 2, N2 // 2)``, one sample off :func:`~pyjl.dsp.correlate`'s for even kernel
    sizes.  For ``mode="valid"`` with ``in1`` the smaller, the result is
    :func:`~pyjl.dsp.correlate`'s (the swapped correlation reversed and conjugated);
    SciPy 1.17 returns the conjugate of that for complex inputs (it reverses without
    conjugating), which pyjl takes for a SciPy bug.

    Parameters
    ----------
    in1, in2 : array_like (2-D), DataFrame or Arrow table
        As :func:`convolve2d`.
    mode : {"full", "valid", "same"}
        As :func:`convolve2d`.
    boundary : {"fill", "wrap", "symm"}
        As :func:`convolve2d`.
    fillvalue : scalar
        As :func:`convolve2d`.

    Returns
    -------
    ndarray, DataFrame or Arrow table
        As :func:`convolve2d`.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> img = np.zeros((32, 32))
    >>> img[10:13, 20:23] = [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    >>> corr = dsp.correlate2d(img, img[10:13, 20:23], mode="same")
    >>> [int(i) for i in np.unravel_index(np.argmax(corr), corr.shape)]
    [11, 21]
    """
    return _run(in1, in2, mode, boundary, fillvalue, flip=False)
