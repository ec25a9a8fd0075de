"""Image and polynomial helpers of :mod:`scipy.signal`: ``wiener``, ``deconvolve`` and
``hilbert2``.

``wiener`` is the adaptive (local-statistics) Wiener filter of Lim (1990, p. 548), as
MATLAB's ``wiener2``: the local mean ``m`` and variance ``v`` over a window, and
``m + (1 - noise / v) (x - m)`` where ``v`` exceeds the noise power (``m`` elsewhere).
``deconvolve`` divides one polynomial by another (the quotient by inverse filtering, as
SciPy).  ``hilbert2`` is the single-orthant analytic signal of Hahn (1992): the 2-D
spectrum weighted by ``(1 + s(p)) (1 + s(q))``, ``s`` the sign of each frequency.

>>> import numpy as np
>>> from pyjl.dsp import deconvolve
>>> [v.tolist() for v in deconvolve([0.0, 2, 1, 0, 2, 3, 1, 0, 0], [2, 1])][0]
[0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
"""

from __future__ import annotations

import math

import numpy as np
import scipy.fft as sfft

from .. import _validate, data
from .._warn import quiet, warn
from ..exceptions import NumericalWarning
from . import _inputs
from ._frames import check_size, rescale, scale_down, workers
from .correlation import convolve
from .filtering import lfilter

__all__ = ["wiener", "deconvolve", "hilbert2"]

#: deconvolve warns when an unstable divisor amplifies rounding errors beyond this factor
_AMPLIFIED = 1e6


def _sizes(value, ndim: int, name: str, default: int = 3) -> list[int]:
    """``value`` as ``ndim`` positive window sizes: one repeated, or one per axis."""
    if value is None:
        return [default] * ndim
    arr = np.asarray(value, dtype=object) if not isinstance(value, str) else None
    if arr is None or arr.ndim > 1 or (arr.ndim == 1 and arr.size != ndim):
        raise _validate.error(
            name,
            f"must be one size or {ndim} of them (one per axis)",
            _validate.describe(value),
            f"pass an integer or a list of {ndim}",
        )
    items = [arr.item()] * ndim if arr.ndim == 0 else list(arr)
    return [
        _validate.integer(v, name if arr.ndim == 0 else f"{name}[{k}]", low=1)
        for k, v in enumerate(items)
    ]


def _box_sums(x: np.ndarray, sizes) -> np.ndarray:
    """The sums of ``x`` over a box of ``sizes`` around each sample, zero-padded: the
    ``mode="same"`` correlation with ones (``m // 2`` before, ``(m - 1) // 2`` after)."""
    for ax, m in enumerate(sizes):
        if m == 1:
            continue
        n = x.shape[ax]
        pad = [(0, 0)] * x.ndim
        pad[ax] = (m // 2, (m - 1) // 2)
        p = np.pad(x, pad)
        out = np.zeros_like(x)
        for t in range(m):
            out += p[(slice(None),) * ax + (slice(t, t + n),)]
        x = out
    return x


def wiener(im, mysize=None, noise=None):
    """Adaptive Wiener filter of an N-D array (:func:`scipy.signal.wiener`).

    With ``m`` and ``v`` the mean and variance of ``im`` over a ``mysize`` window around
    each sample (zero-padded), the output is ``m + (1 - noise / v) (im - m)`` where
    ``v >= noise``, else ``m``.  Where a window is constant (``v = 0``) and ``noise`` is
    0, the output is ``m`` (SciPy's is NaN, from 0 / 0).

    Parameters
    ----------
    im : array_like, Series, DataFrame or Arrow array/table
        Real, finite data (complex is refused: the variance test needs real values).
        Integers are filtered in float64 (SciPy squares them in their own dtype, which
        can wrap).
    mysize : int or sequence of int, optional
        The window size in every dimension, or one per dimension (default 3); odd
        sizes centre it.
    noise : float, optional
        The noise power, a finite number >= 0; default the mean local variance.

    Returns
    -------
    ndarray, Series, DataFrame or Arrow array/table
        float64, of ``im``'s shape and kind.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> img = np.random.default_rng(0).standard_normal((40, 40))
    >>> bool(np.allclose(dsp.wiener(img, 5), signal.wiener(img, 5)))
    True
    """
    org = data.origin(im)
    x = data.as_array(im, name="im", dtype=_inputs.want_dtype(im, "im"), allow_empty=True)
    if x.dtype.kind == "c":
        raise _validate.error(
            "im", "must be real for wiener", "complex values", "pass the real image"
        )
    if x.ndim == 0:
        raise _validate.error(
            "im", "must be an array of at least one dimension", "a scalar", "pass an array"
        )
    x = x.astype(np.float64)
    sizes = _sizes(mysize, x.ndim, "mysize")
    check_size(max(sizes) * x.size, "mysize", _validate.describe(mysize), 8, "window")
    level = None if noise is None else _validate.real(noise, "noise", low=0.0)
    if x.size == 0:  # as SciPy: nothing to filter
        return data.restore(x, org)
    # near the float64 limits the squares overflow: filter x / s (s a power of two, so
    # exactly) with noise / s**2, and scale the result back
    flat, s = scale_down(x.reshape(1, -1))
    x = flat.reshape(x.shape)
    size = float(math.prod(sizes))
    mean = _box_sums(x, sizes) / size
    var = _box_sums(x * x, sizes) / size - mean**2
    if level is None:
        level = float(np.mean(var))
    elif s is not None:
        level = level / (s * s)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = (x - mean) * (1 - level / var) + mean
    out = np.where((var < level) | (var == 0), mean, res)
    return data.restore(rescale(out, (s,), "The filtered image", bounded=s is None), org)


def deconvolve(signal, divisor):
    """Divide polynomial ``signal`` by ``divisor`` (:func:`scipy.signal.deconvolve`):
    ``signal = convolve(divisor, quotient) + remainder``.

    The quotient is the impulse response of the filter ``signal / divisor``
    (:func:`~pyjl.dsp.lfilter`): a divisor with a root outside the unit circle makes it
    grow, with the filter's :class:`~pyjl.exceptions.NumericalWarning`.

    Parameters
    ----------
    signal : array_like (1-D)
        The dividend, typically a recorded signal; finite, real or complex.
    divisor : array_like (1-D)
        The divisor, typically an impulse response; finite, ``divisor[0]`` nonzero.

    Returns
    -------
    quotient : ndarray
        ``len(signal) - len(divisor) + 1`` values (float64, or complex); empty (float64,
        where SciPy returns an empty list) when ``divisor`` is the longer.
    remainder : ndarray
        ``signal - convolve(divisor, quotient)``, of ``signal``'s length; ``signal``
        itself (a copy, its dtype) when ``divisor`` is the longer.

    Examples
    --------
    >>> from pyjl import dsp
    >>> q, r = dsp.deconvolve([1.0, 5, 6], [1, 2])
    >>> q.tolist(), r.tolist()
    ([1.0, 3.0], [0.0, 0.0, 0.0])
    """
    num, den = (_polynomial(v, name) for v, name in ((signal, "signal"), (divisor, "divisor")))
    form = data.origin(signal)  # the quotient, shorter, gets a new index
    if den.size > num.size:
        return data.restore(np.array([]), form), data.restore(num.copy(), form)
    if den[0] == 0:
        raise _validate.error(
            "divisor[0]",
            "must be nonzero (the quotient is found by dividing by it)",
            den[0].item(),
            "drop the divisor's leading zeros",
        )
    impulse = np.zeros(num.size - den.size + 1)
    impulse[0] = 1
    with quiet(NumericalWarning):  # worded below, for `divisor`
        quot = lfilter(num, den, impulse)
    worst = _inputs._unstable_pole(den, num, 1e-9) if den.size > 1 < num.size else None
    if worst is not None and (gain := abs(worst) ** (quot.size - 1)) > _AMPLIFIED:
        warn(
            f"`divisor` has a root {worst:.6g} outside the unit circle (|p| = "
            f"{abs(worst):.6g}) that `signal` does not share: the quotient, found by "
            f"inverse filtering, grows as |p|**n and amplifies rounding errors up to "
            f"{gain:.3g}-fold. Check the remainder, or deconvolve a shorter signal.",
            NumericalWarning,
        )
    return data.restore(quot, form), data.restore(num - convolve(den, quot, mode="full"), form)


def _polynomial(value, name: str) -> np.ndarray:
    """A finite, non-empty 1-D coefficient array in its own dtype (scalars as 1-D)."""
    raw = data.as_raw(value, name) if isinstance(value, (list, tuple)) else value
    own = _inputs.input_dtype(raw)
    dtype = own if own is not None and own.kind in "iufc" else _inputs.want_dtype(raw, name)
    arr = np.atleast_1d(data.as_array(raw, name=name, dtype=dtype, allow_empty=True))
    if arr.ndim != 1 or arr.size == 0:
        raise _validate.error(
            name, "must be a non-empty 1-D array", f"shape {arr.shape}", "pass a flat array"
        )
    return arr


def _pair(value, name: str, shape, default) -> tuple[int, int]:
    if value is None:
        return default
    if np.ndim(value) == 0:
        n = _validate.integer(value, name, low=1)
        return n, n
    items = list(np.asarray(value, dtype=object).reshape(-1))
    if np.ndim(value) != 1 or len(items) != 2:
        raise _validate.error(
            name, "must be one integer or two", _validate.describe(value), "pass e.g. (64, 64)"
        )
    first, second = (_validate.integer(v, f"{name}[{k}]", low=1) for k, v in enumerate(items))
    return first, second


def hilbert2(x, N=None, axes=(-2, -1)):  # noqa: N803 - SciPy's name
    """The 2-D single-orthant analytic signal of real ``x`` over ``axes``
    (:func:`scipy.signal.hilbert2`): the 2-D spectrum kept at non-negative frequencies
    in both axes, doubled where one is positive, quadrupled where both are.

    Parameters
    ----------
    x : array_like, DataFrame or Arrow table
        Real, finite, at least 2-D (1-D reads as one row, as SciPy).
    N : int or (int, int), optional
        The transform lengths along ``axes`` (``x`` cropped or zero-padded to them);
        default ``x``'s lengths.
    axes : (int, int)
        Two distinct axes (default the last two).

    Returns
    -------
    ndarray or DataFrame
        complex128 (complex64 for float32 ``x``); a DataFrame in gives one where the
        shape is kept.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> img = np.random.default_rng(0).standard_normal((8, 6))
    >>> bool(np.allclose(dsp.hilbert2(img), signal.hilbert2(img)))
    True
    """
    org = data.origin(x)
    if isinstance(x, (list, tuple)):
        x = data.as_raw(x, "x")
    # SciPy's scipy.fft takes float16 to complex64, as float32 (hilbert's rule)
    half = _inputs.input_dtype(x) == np.float16
    values = data.as_array(x, name="x", dtype=_inputs.want_dtype(x, "x"), allow_empty=True)
    if values.dtype.kind == "c":
        raise _validate.error("x", "must be real for hilbert2", "complex values", "pass real x")
    values = values.reshape((1,) * max(0, 2 - values.ndim) + values.shape)
    ax = _axes(axes, values.shape)
    shape = (values.shape[ax[0]], values.shape[ax[1]])
    n = _pair(N, "N", shape, shape)
    if 0 in n:
        raise _validate.error(
            "x", "must not be empty along `axes`", f"shape {values.shape}", "pass samples or N"
        )
    batch = values.size // max(1, math.prod(shape))
    check_size(batch * math.prod(n), "N", _validate.describe(N))
    flat, s = scale_down(values.reshape(1, -1)) if values.dtype == np.float64 else (values, None)
    w = workers(batch * math.prod(n), max(n))
    # only the kept bins are transformed: [0, k1) of the real transform along the second
    # axis, [0, k0) along the first; the inverses zero-pad the rest (SciPy zeroes them)
    (a0, a1), (n0, n1) = ax, n
    k0, k1 = (n0 + 1) // 2, (n1 + 1) // 2
    spec = sfft.rfftn(flat.reshape(values.shape), n, axes=ax, workers=w)
    spec = _first(_first(spec, a1, k1), a0, k0)
    for dim, k in ((a0, k0), (a1, k1)):
        np.moveaxis(spec, dim, 0)[1:k] *= 2
    z = sfft.ifftn(spec, n, axes=ax, workers=w, overwrite_x=True)
    z = rescale(
        z,
        (s,),
        "The analytic signal",
        np.complex64 if half else None,
        bounded=s is None and values.dtype == np.float64,
    )
    return data.restore(z, org) if n == shape else z


def _first(a: np.ndarray, axis: int, k: int) -> np.ndarray:
    """The first ``k`` entries of ``a`` along ``axis`` (a view)."""
    return a[(slice(None),) * axis + (slice(0, k),)]


def _axes(axes, shape: tuple[int, ...]) -> tuple[int, int]:
    """Two distinct axes of an array of ``shape``, made non-negative."""
    items = list(axes) if isinstance(axes, (list, tuple, np.ndarray)) else None
    if items is None or len(items) != 2:
        raise _validate.error(
            "axes", "must be a pair of axes", _validate.describe(axes), "pass e.g. (-2, -1)"
        )
    first, second = (_inputs.axis_index(a, shape, "x", "axes") for a in items)
    if first == second:
        raise _validate.error(
            "axes", "must name two distinct axes", _validate.describe(axes), "pass e.g. (0, 1)"
        )
    return first, second
