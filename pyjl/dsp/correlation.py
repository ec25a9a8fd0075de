"""Convolution and correlation by the faster of two methods: ``convolve``,
``correlate``, ``correlation_lags`` and ``choose_conv_method``.

As :func:`scipy.signal.convolve`, ``method="direct"`` sums the products, ``"fft"``
multiplies transforms and ``"auto"`` picks the faster (:func:`choose_conv_method`).
Along one axis with a 1-D-shaped input (a filter down the rows of a table or the
channels of an array) the sums run on the engine's SIMD ``upfirdn`` kernel, channels in
parallel, and the transforms by overlap-add on its ``fftfilt`` kernel when the filter is
much the shorter (:func:`~pyjl.dsp.oaconvolve`); other shapes sum shifted copies of the
larger input, one per entry of the smaller, or transform both
(:func:`~pyjl.dsp.fftconvolve`).
Correlation is convolution with ``in2`` reversed and conjugated.

The result dtype is SciPy's, the inputs' common type: integers stay integers and are
exact (sums in float64 while they stay below ``2**53``, in 64-bit or Python integers
beyond), where SciPy's ``"fft"`` rounds a float result.  A value outside the range of
an integer result dtype wraps as NumPy's integer arithmetic (SciPy's result) with a
:class:`~pyjl.exceptions.NumericalWarning`.  NaN or infinite input is refused, as by
every :mod:`pyjl.dsp` filter.

>>> from pyjl.dsp import convolve, correlate
>>> convolve([1, 2, 3], [0, 1, 0.5]).tolist()
[0.0, 1.0, 2.5, 4.0, 1.5]
>>> correlate([1, 2, 3], [0, 1, 0.5], mode="same").tolist()
[2.0, 3.5, 3.0]
"""

from __future__ import annotations

import math
import time

import numpy as np

from .. import _validate, data
from .._warn import warn
from ..exceptions import NumericalWarning
from . import _inputs, _kernels
from ._frames import check_size
from ._kernels import FFT_MIN_TAPS, upfirdn_small
from .convolution import (
    _centered,
    _fft_full,
    _finish,
    _full_shape,
    _mode,
    _overlap_add,
    _read_pair,
    _scalar,
)

__all__ = ["convolve", "correlate", "correlation_lags", "choose_conv_method"]

METHODS = ("auto", "direct", "fft")

#: integer sums up to this bound are exact in float64 by direct sums; by FFT, whose
#: rounding error grows with the values and the length, only far below it
_EXACT_F64 = 2**53
_EXACT_FFT = 2**40


def _filter_form(a, b, axes):
    """``(ax, x, h)``: the one convolved axis ``ax`` along which ``h``, one of the inputs,
    is a 1-D filter of the other's channels ``x``; ``ax`` None (and the inputs in order)
    otherwise."""
    if len(axes) == 1:
        ax = axes[0]
        for x, h in ((a, b), (b, a)):
            if all(n == 1 for k, n in enumerate(h.shape) if k != ax):
                return ax, x, h
    return None, a, b


def _fft_faster(a, b, axes, mode) -> bool:
    """Whether transforms beat direct sums: along one axis, filters of
    :data:`FFT_MIN_TAPS` taps or more (the engine's kernels); otherwise SciPy's own rule,
    so that ``"auto"`` gives SciPy's numbers (exact zeros of direct sums included)."""
    ax, x, h = _filter_form(a, b, axes)
    if ax is not None:
        return min(x.shape[ax], h.shape[ax]) >= FFT_MIN_TAPS
    return _scipy_fft_faster(a.shape, b.shape, mode)


def _scipy_fft_faster(s1, s2, mode) -> bool:
    """``scipy.signal._signaltools._fftconv_faster``: the operation counts of both
    methods weighted by the constants SciPy fitted to its implementations (1-D and N-D)."""
    full = [n + k - 1 for n, k in zip(s1, s2)]
    fft_ops = 3 * math.prod(full) * math.log(math.prod(full))
    if len(s1) == 1:
        n, k = s1[0], s2[0]
        if mode == "full":
            direct = n * k
        elif mode == "valid":
            direct = (k - n + 1) * n if k >= n else (n - k + 1) * k
        else:
            direct = n * k if n < k else n * k - (k // 2) * ((k + 1) // 2)
        c_fft, c_direct, offset = {
            "valid": (1.89095737e-9, 2.1364985e-10, -1e-3),
            "full": (1.7649070e-9, 2.1414831e-10, -1e-3),
            "same": (3.2646654e-9, 2.8478277e-10, -1e-3)
            if k <= n
            else (3.21635404e-9, 1.1773253e-8, -1e-5),
        }[mode]
    else:
        p1, p2 = math.prod(s1), math.prod(s2)
        if mode == "same":
            direct = p1 * p2
        else:
            out = full if mode == "full" else [abs(n - k) + 1 for n, k in zip(s1, s2)]
            direct = min(p1, p2) * math.prod(out)
        c_fft, c_direct, offset = {
            "valid": (1.85927e-9, 2.11242e-8, -1e-4),
            "full": (1.99817e-9, 1.66174e-8, -1e-4),
            "same": (2.04735e-9, 1.55367e-8, -1e-4),
        }[mode]
    return c_fft * fft_ops < c_direct * direct + offset


def _auto(a, b, axes, mode, dt, bound) -> str:
    """``method="auto"``'s choice: :func:`_fft_faster`, except that booleans, and integers
    whose sums could reach ``bound`` >= :data:`_EXACT_FFT`, always go direct (a transform
    could round them off)."""
    if dt.kind == "b" or (dt.kind in "iu" and bound >= _EXACT_FFT):
        return "direct"
    return "fft" if _fft_faster(a, b, axes, mode) else "direct"


def _int_bound(a, b) -> int:
    """SciPy's bound on the magnitude of an integer convolution (Python int: exact)."""
    peak = [max(int(v.max()), -int(v.min())) for v in (a, b)]
    return peak[0] * peak[1] * min(a.size, b.size)


def _shifted_sums(a, b, dtype):
    """The full convolution over every axis as one shifted, scaled copy of the larger
    input per nonzero entry of the smaller, accumulated in ``dtype``."""
    small, big = (a, b) if a.size <= b.size else (b, a)
    small, big = small.astype(dtype, copy=False), big.astype(dtype, copy=False)
    out = np.zeros(_full_shape(a, b, range(a.ndim)), dtype=dtype)
    for idx in zip(*np.nonzero(small)):
        out[tuple(slice(i, i + n) for i, n in zip(idx, big.shape))] += small[idx] * big
    return out


def _direct_full(a, b, axes, dtype):
    """The full convolution by sums: channels on the engine's ``upfirdn`` kernel along
    one axis, else :func:`_shifted_sums`."""
    ax, x, h = _filter_form(a, b, axes)
    if ax is None:
        return _shifted_sums(a, b, dtype)
    x2, outer = _inputs.channels(x.astype(dtype, copy=False), ax)
    y2 = _kernels.upfirdn_channels(h.reshape(-1).astype(dtype, copy=False), x2, 1, 1)
    return _inputs.from_channels(y2, outer, ax)


def _transformed_full(a, b, axes):
    """The full convolution by transforms: overlap-add on the engine's ``fftfilt`` kernel
    for a real filter much shorter than the signal, else one transform of each input."""
    ax, x, h = _filter_form(a, b, axes)
    real = not (np.iscomplexobj(a) or np.iscomplexobj(b))
    if ax is not None and real and x.shape[ax] >= 4 * h.shape[ax]:
        return _overlap_add(x, h, ax)
    return _fft_full(a, b, axes)


def _integers(a, b, axes, mode, method, dt, org):
    """An integer or boolean convolution: exact sums (or transforms only where their
    rounding cannot change an integer), wrapped into ``dt`` as SciPy's."""
    bound = _int_bound(a, b)
    if method == "auto":
        method = _auto(a, b, axes, mode, dt, bound)
    if method == "fft":
        if bound >= _EXACT_F64:
            warn(
                f"method='fft' convolves integers of magnitude up to {bound} in float64, "
                "whose 53-bit significand cannot hold every sum: the result may be off. "
                "Use method='direct' (exact).",
                NumericalWarning,
            )
        full = np.round(_transformed_full(a.astype(np.float64), b.astype(np.float64), axes))
    elif bound < _EXACT_F64:
        full = _direct_full(a.astype(np.float64), b.astype(np.float64), axes, np.float64)
    else:
        full = _shifted_sums(a, b, np.int64 if bound < 2**63 else object)
    full = _mode(full, a.shape, b.shape, mode, axes)
    if dt.kind == "b":
        out = full != 0
    else:
        info = np.iinfo(dt)
        if full.size and (full.max() > info.max or full.min() < info.min):
            warn(
                f"The convolution exceeds the range of {dt} ({info.min} to {info.max}): "
                "values wrap around as NumPy's integer arithmetic. Convert the inputs "
                "to a wider type (int64, float64) first.",
                NumericalWarning,
            )
        if full.dtype.kind == "f" and full.size and np.abs(full).max() >= 2**63:
            full = np.frompyfunc(int, 1, 1)(full)  # rounded sums past int64: exact wrap
        if full.dtype == object:
            full = (full % (1 << 64)).astype(np.uint64)
            out = full if dt == np.uint64 else full.view(np.int64).astype(dt)
        else:
            out = full.astype(np.int64).astype(dt)
    return out if org.kind == "numpy" else data.restore(np.ascontiguousarray(out), org)


def _small(in1, in2, mode, flip):
    """A small call of two plain 1-D float64 arrays summed in one step by the engine's
    small-call kernel (:func:`~pyjl.dsp._kernels.upfirdn_small`, which checks them), or
    None: the full path decides."""
    if not (type(in1) is type(in2) is np.ndarray and in1.ndim == in2.ndim == 1):
        return None
    b = in2[::-1] if flip else in2  # float64 only: no conjugate
    x, h = (in1, b) if in1.size >= in2.size else (b, in1)
    if h.size >= FFT_MIN_TAPS:
        return None
    full = upfirdn_small(np.ascontiguousarray(h), np.ascontiguousarray(x), 1, 1)
    if full is None or mode == "full":
        return full
    return _centered(full, (in1.size if mode == "same" else abs(in1.size - in2.size) + 1,))


def _convolve(in1, in2, mode, method, flip):
    _validate.choice(method, "method", METHODS)
    if method != "fft" and type(mode) is str and mode in ("full", "same", "valid"):
        small = _small(in1, in2, mode, flip)
        if small is not None:
            return small
    if _scalar(in1) and _scalar(in2):
        b = np.asarray(in2)
        return np.asarray(in1) * (np.conj(b) if flip else b)
    a, b, axes, org, dt, factors = _read_pair(in1, in2, mode, None, reverse_b=flip, direct=True)
    if a.size == 0 or b.size == 0:
        # "same" keeps in1's shape, as SciPy's direct sum does for an empty in1
        return np.empty(a.shape, dt) if mode == "same" and a.size == 0 else np.array([])
    if dt.kind in "biu":
        return _integers(a, b, axes, mode, method, dt, org)
    if method == "auto":
        method = _auto(a, b, axes, mode, dt, 0)
    if method == "fft":
        full = _transformed_full(a, b, axes)
    else:
        work = np.complex128 if dt.kind == "c" else np.float64
        full = _direct_full(a, b, axes, np.dtype(work))
    return _finish(full, a, b, mode, axes, org, dt, factors)


def convolve(in1, in2, mode="full", method="auto"):
    """Convolve two N-D arrays (:func:`scipy.signal.convolve`).

    Parameters
    ----------
    in1, in2 : array_like, DataFrame or Arrow table
        The inputs, of the same number of dimensions.  A table is time x channels:
        1-D ``in2`` convolves each column.
    mode : {"full", "valid", "same"}
        The full convolution, the part computed without zero padding, or the middle
        part of ``in1``'s size.
    method : {"auto", "direct", "fft"}
        Sums of products, transforms (:func:`~pyjl.dsp.fftconvolve`) or the faster
        (:func:`choose_conv_method`).

    Returns
    -------
    ndarray, DataFrame or Arrow table
        The inputs' common dtype; the form of ``in1``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal((4, 64))
    >>> h = np.hanning(9)[None, :]
    >>> bool(np.allclose(dsp.convolve(x, h, mode="same"), signal.convolve(x, h, mode="same")))
    True
    >>> dsp.convolve(np.array([1, 2], dtype=np.int16), np.array([3, 4], dtype=np.int16))
    array([ 3, 10,  8], dtype=int16)
    """
    return _convolve(in1, in2, mode, method, flip=False)


def correlate(in1, in2, mode="full", method="auto"):
    """Cross-correlate two N-D arrays (:func:`scipy.signal.correlate`):
    ``z[k] = sum_l in1[l + k - K] conj(in2[l])``, :func:`convolve` with ``in2`` reversed
    and conjugated; the lag of each output is :func:`correlation_lags`.

    Parameters
    ----------
    in1, in2 : array_like, DataFrame or Arrow table
        As :func:`convolve`.
    mode : {"full", "valid", "same"}
        As :func:`convolve`.
    method : {"auto", "direct", "fft"}
        As :func:`convolve`.

    Returns
    -------
    ndarray, DataFrame or Arrow table
        The inputs' common dtype; the form of ``in1``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(1).standard_normal(200)
    >>> y = np.roll(x, 7)
    >>> z = dsp.correlate(y, x)
    >>> int(dsp.correlation_lags(y.size, x.size)[np.argmax(z)])
    7
    """
    return _convolve(in1, in2, mode, method, flip=True)


def correlation_lags(in1_len, in2_len, mode="full"):
    """The lag of each output of a 1-D :func:`correlate` of inputs of these lengths
    (:func:`scipy.signal.correlation_lags`).

    For ``mode="same"`` these are the lags of the outputs :func:`correlate` returns, the
    middle ``in1_len`` of the full ones; SciPy 1.17's are one too high when ``in1_len``
    is odd and ``in2_len`` even.

    Parameters
    ----------
    in1_len, in2_len : int
        The lengths of the inputs, at least 1.
    mode : {"full", "valid", "same"}
        As :func:`correlate`.

    Returns
    -------
    ndarray of int

    Examples
    --------
    >>> from pyjl import dsp
    >>> dsp.correlation_lags(5, 3).tolist()
    [-2, -1, 0, 1, 2, 3, 4]
    >>> dsp.correlation_lags(3, 4, mode="same").tolist()
    [-2, -1, 0]
    """
    n1 = _validate.integer(in1_len, "in1_len", low=1)
    n2 = _validate.integer(in2_len, "in2_len", low=1)
    _validate.choice(mode, "mode", ("full", "same", "valid"))
    longer = ("in1_len", n1) if n1 >= n2 else ("in2_len", n2)
    check_size(n1 + n2 - 1, *longer, itemsize=8, what="array of lags")
    lags = np.arange(-n2 + 1, n1)
    if mode == "same":
        start = (n2 - 1) // 2  # the centred slice of the full output, as correlate's
        return lags[start : start + n1]
    if mode == "valid":
        return np.arange(n1 - n2 + 1) if n1 >= n2 else np.arange(n1 - n2, 1)
    return lags


def choose_conv_method(in1, in2, mode="full", measure=False):
    """The faster :func:`convolve` method for these inputs, ``"direct"`` or ``"fft"``
    (:func:`scipy.signal.choose_conv_method`).

    The choice is ``method="auto"``'s: along one axis (a filter of the other input's
    channels) transforms from 256 taps on, as the engine's FIR filters choose, else
    SciPy's own rule (its operation counts and fitted constants).  Integers whose sums
    could exceed what a transform rounds exactly (``2**40``), and booleans, always go
    direct.

    Parameters
    ----------
    in1, in2 : array_like, DataFrame or Arrow table
        As :func:`convolve`.
    mode : {"full", "valid", "same"}
        As :func:`convolve`.
    measure : bool
        Time both methods (the better of a few runs each) and return the faster with the
        times.

    Returns
    -------
    method : str
    times : dict
        Seconds per method; only when ``measure`` is true.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> dsp.choose_conv_method(np.ones(100_000), np.ones(1000))
    'fft'
    >>> dsp.choose_conv_method(np.ones(100), np.ones(5))
    'direct'
    """
    measure = _validate.boolean(measure, "measure")
    if measure:
        times = {}
        for method in ("fft", "direct"):
            runs = []
            for _ in range(3):
                t0 = time.perf_counter()
                convolve(in1, in2, mode=mode, method=method)
                runs.append(time.perf_counter() - t0)
            times[method] = min(runs)
        return ("fft" if times["fft"] < times["direct"] else "direct"), times
    if _scalar(in1) and _scalar(in2):
        return "direct"
    a, b, axes, _, dt, _ = _read_pair(in1, in2, mode, None, direct=True)
    if a.size == 0 or b.size == 0:
        return "direct"
    return _auto(a, b, axes, mode, dt, _int_bound(a, b) if dt.kind in "iu" else 0)
