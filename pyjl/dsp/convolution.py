"""FFT convolution: ``fftconvolve`` and ``oaconvolve``.

``fftconvolve`` multiplies ``scipy.fft`` transforms (``rfftn``/``irfftn`` for
real data) padded to a fast length; ``oaconvolve`` convolves along one axis by
overlap-add on the engine's ``fftfilt`` kernel (Oppenheim & Schafer, 8.7.3),
and over several axes by one transform, as ``fftconvolve``.  ``mode`` is
``"full"``, ``"same"`` (centred, ``in1``'s size) or ``"valid"``, as
:func:`scipy.signal.fftconvolve`.  A table (DataFrame, Arrow table) is
time x channels: 1-D taps convolve every column down the rows (``axes=0``), and
the result has the table's form.

>>> from pyjl.dsp import fftconvolve
>>> fftconvolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5]).round(12).tolist()[1:]
[1.0, 2.5, 4.0, 1.5]
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.fft as sfft

from .. import _validate, data
from . import _inputs, _kernels
from ._frames import rescale, scale_down, workers

__all__ = ["fftconvolve", "oaconvolve"]


def _raw_dtype(obj, name):
    """The dtype SciPy would see for ``obj``: its own, that of its values (a pandas or Arrow
    column's, a table's columns promoted together), or None (no NumPy dtype holds them:
    the dtype they are read as decides)."""
    dt = getattr(obj, "dtype", None)
    if isinstance(dt, np.dtype):
        return dt
    if isinstance(obj, (list, tuple, int, float, complex, np.generic)):
        return data.as_raw(obj, name).dtype
    return _inputs.input_dtype(obj)


def _scalar(obj) -> bool:
    """Whether ``obj`` is a single number (without reading a table as an array)."""
    if isinstance(obj, (np.ndarray, np.generic)):
        return obj.ndim == 0
    return isinstance(obj, numbers.Number)


def _read(obj, name, exact_ints=False):
    """``(a, raw dtype, s)``: ``obj`` read as an array, divided by one power of two ``s``
    when its peak is near the float64 limits (the transforms would overflow or lose
    precision; ``s`` None otherwise).  ``exact_ints``: integers and booleans keep their
    own dtype (for sums that must be exact beyond ``2**53``)."""
    raw = _raw_dtype(obj, name)
    if raw is not None and raw.kind == "O":  # numbers in objects: typed by the values read
        raw = None
    if exact_ints and raw is not None and raw.kind in "biu":
        return data.as_array(obj, name=name, dtype=raw, allow_empty=True), raw, None
    want = _inputs.want_dtype(obj if raw is None else np.empty(0, raw), name)
    a = data.as_array(obj, name=name, dtype=want, allow_empty=True, finite=False)

    def require_finite():
        data.as_array(obj, name=name, dtype=want, allow_empty=True)

    flat, s = scale_down(a.reshape(1, -1), require_finite=require_finite)
    if s is None:
        return a, raw, None
    return flat.reshape(a.shape), raw, float(s[0, 0])


def _result_dtype(a, b, raw_a, raw_b, transformed):
    """SciPy's output dtype: the inputs' common type, or, when any axis is transformed,
    that of their transforms by ``scipy.fft``, each on its own (integers and booleans
    become float64, float16 float32: int16 with float32 gives float64)."""
    da = raw_a if raw_a is not None else a.dtype
    db = raw_b if raw_b is not None else b.dtype
    if not transformed:
        return np.result_type(da, db)

    def by_fft(dt):
        dt = np.dtype(dt)
        if dt.kind in "biu":
            return np.dtype(np.float64)
        return np.dtype(np.float32) if dt == np.float16 else dt

    return np.result_type(by_fft(da), by_fft(db))


def _read_pair(in1, in2, mode, axes, *, reverse_b=False, direct=False):
    """Both inputs read and checked against each other, the convolved ``axes`` (those
    where neither input has length 1), the input's origin, SciPy's result dtype and the
    scale factors.  ``reverse_b``: ``in2`` reversed and conjugated (a correlation).
    ``direct``: :func:`scipy.signal.convolve`'s rules, integers kept exact and the result
    dtype that of the inputs (not of their transforms).  For ``mode="valid"`` the larger
    input comes first."""
    org = data.origin(in1)
    (a, raw_a, sa) = _read(in1, "in1", direct)
    (b, raw_b, sb) = _read(in2, "in2", direct)
    if org.kind in _inputs.TABLE_KINDS and a.ndim == 2 and b.ndim == 1:
        # the axis rule: a table is time x channels, 1-D taps run down every column
        b = b[:, None]
        axes = [0] if axes is None else axes
    if reverse_b:
        b = b[(slice(None, None, -1),) * b.ndim]
        b = np.conj(b) if np.iscomplexobj(b) else b
    if a.ndim != b.ndim:
        raise _validate.error(
            "in1",
            "must have the same number of dimensions as `in2`",
            f"{a.ndim} and {b.ndim}",
            "reshape one of them",
        )
    _validate.choice(mode, "mode", ("full", "same", "valid"))
    if axes is None:
        axes = list(range(a.ndim))
    else:
        axes = [
            _inputs.axis_index(ax, a.shape, "in1", "axes") for ax in np.atleast_1d(axes).tolist()
        ]
        if not axes:
            raise _validate.error(
                "axes",
                "must not be empty when given",
                "[]",
                "pass axes=None to convolve over every axis",
            )
        if len({ax % a.ndim for ax in axes}) != len(axes):
            raise _validate.error(
                "axes", "must not repeat an axis", f"{axes}", "list each axis once"
            )
        axes = sorted(ax % a.ndim for ax in axes)
    # as SciPy: an axis where either input has length 1 is a broadcast product, no FFT
    axes = [k for k in axes if a.shape[k] != 1 and b.shape[k] != 1]
    for k in range(a.ndim):
        if k not in axes and a.shape[k] != b.shape[k] and 1 not in (a.shape[k], b.shape[k]):
            raise _validate.error(
                "in2",
                f"must match `in1` (or be 1) on axis {k}, which is not convolved",
                f"{b.shape[k]} against {a.shape[k]}",
                "convolve over that axis too, or reshape",
            )
    if mode == "valid":
        # scipy.signal.convolve compares every axis, fftconvolve only the convolved ones
        compared = range(a.ndim) if direct else axes
        big1 = all(a.shape[k] >= b.shape[k] for k in compared)
        big2 = all(b.shape[k] >= a.shape[k] for k in compared)
        if not (big1 or big2):
            raise _validate.error(
                "in1",
                "must be at least as large as `in2` in every "
                "convolved axis, or the reverse, for mode='valid'",
                f"shapes {a.shape} and {b.shape}",
                "use mode='full'",
            )
        if not big1:
            a, b, sa, sb = b, a, sb, sa
    dt = _result_dtype(a, b, raw_a, raw_b, bool(axes) and not direct)
    return a, b, axes, org, dt, (sa, sb)


def _centered(arr, shape):
    start = [(c - s) // 2 for c, s in zip(arr.shape, shape)]
    return arr[tuple(slice(s, s + n) for s, n in zip(start, shape))]


def _mode(ret, s1, s2, mode, axes):
    if mode == "full":
        return ret
    if mode == "same":
        return _centered(ret, s1)
    shape = [s1[k] - s2[k] + 1 if k in axes else ret.shape[k] for k in range(ret.ndim)]
    return _centered(ret, shape)


def _fft_full(a, b, axes):
    if not axes:
        return a * b
    real = not (np.iscomplexobj(a) or np.iscomplexobj(b))
    full = _full_shape(a, b, axes)
    fshape = [sfft.next_fast_len(full[k], real) for k in axes]
    batch = math.prod(n for k, n in enumerate(full) if k not in axes)
    w = workers(math.prod(fshape) * batch, max(fshape))
    if len(axes) == 1:  # one axis: the 1-D transforms (the same pocketfft calls, less dispatch)
        ax, n = axes[0], fshape[0]
        if a.dtype == b.dtype == np.float64 and ax == a.ndim - 1 and a.shape[:-1] == b.shape[:-1]:
            # both inputs zero-padded in one block and transformed by one call (the rows
            # are transformed independently: the same values as two calls)
            both = np.zeros((2,) + a.shape[:-1] + (n,))
            both[0, ..., : a.shape[-1]] = a
            both[1, ..., : b.shape[-1]] = b
            spec = sfft.rfft(both, axis=-1, workers=w)
            ret = sfft.irfft(np.multiply(spec[0], spec[1], out=spec[0]), n, axis=-1, workers=w)
        elif real:
            ret = sfft.irfft(
                sfft.rfft(a, n, axis=ax, workers=w) * sfft.rfft(b, n, axis=ax, workers=w),
                n,
                axis=ax,
                workers=w,
            )
        else:
            ret = sfft.ifft(
                sfft.fft(a, n, axis=ax, workers=w) * sfft.fft(b, n, axis=ax, workers=w),
                n,
                axis=ax,
                workers=w,
            )
    elif real:
        ret = sfft.irfftn(
            sfft.rfftn(a, fshape, axes=axes, workers=w)
            * sfft.rfftn(b, fshape, axes=axes, workers=w),
            fshape,
            axes=axes,
            workers=w,
        )
    else:
        ret = sfft.ifftn(
            sfft.fftn(a, fshape, axes=axes, workers=w)
            * sfft.fftn(b, fshape, axes=axes, workers=w),
            fshape,
            axes=axes,
            workers=w,
        )
    return ret[tuple(slice(0, n) if k in axes else slice(None) for k, n in enumerate(full))]


def _full_shape(a, b, axes):
    return [
        a.shape[k] + b.shape[k] - 1 if k in axes else max(a.shape[k], b.shape[k])
        for k in range(a.ndim)
    ]


def _finish(ret, a, b, mode, axes, org, dt, factors=()):
    # unscaled inputs (peaks <= 2**400) convolve to at most n 2**800: only scaled data or
    # a narrower result dtype can overflow
    bounded = all(f is None for f in factors) and dt.itemsize == (16 if dt.kind == "c" else 8)
    ret = rescale(
        _mode(ret, a.shape, b.shape, mode, axes), factors, "The convolution", dt, bounded=bounded
    )
    if org.kind == "numpy":
        return ret  # as SciPy's: a view of the transform's output where a mode trims it
    return data.restore(np.ascontiguousarray(ret), org)


def fftconvolve(in1, in2, mode="full", axes=None):
    """Convolve two N-D arrays by FFT (:func:`scipy.signal.fftconvolve`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> h = np.hanning(16)
    >>> bool(np.allclose(dsp.fftconvolve(x, h), np.convolve(x, h)))
    True
    """
    if _scalar(in1) and _scalar(in2):
        return np.asarray(in1) * np.asarray(in2)
    a, b, axes, org, dt, factors = _read_pair(in1, in2, mode, axes)
    if a.size == 0 or b.size == 0:
        return np.array([])
    return _finish(_fft_full(a, b, axes), a, b, mode, axes, org, dt, factors)


def oaconvolve(in1, in2, mode="full", axes=None):
    """Convolve by overlap-add (:func:`scipy.signal.oaconvolve`): one convolved axis
    with a 1-D-shaped ``in2`` runs on the ``fftfilt`` kernel, channel-parallel.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> h = np.hanning(16)
    >>> bool(np.allclose(dsp.oaconvolve(x, h, mode="same"), signal.oaconvolve(x, h, mode="same")))
    True
    """
    if _scalar(in1) and _scalar(in2):
        return np.asarray(in1) * np.asarray(in2)
    a, b, axes, org, dt, factors = _read_pair(in1, in2, mode, axes)
    if a.size == 0 or b.size == 0:
        return np.array([])
    taps_1d = len(axes) == 1 and all(b.shape[k] == 1 for k in range(b.ndim) if k != axes[0])
    if not taps_1d or np.iscomplexobj(a) or np.iscomplexobj(b):
        return _finish(_fft_full(a, b, axes), a, b, mode, axes, org, dt, factors)
    return _finish(_overlap_add(a, b, axes[0]), a, b, mode, axes, org, dt, factors)


def _overlap_add(x, h, ax):
    """The full convolution along ``ax`` of real ``x``'s channels with real, 1-D-shaped
    ``h``, on the engine's ``fftfilt`` kernel."""
    x2, outer = _inputs.channels(x, ax)
    y2 = _kernels.engine().fftfilt(
        np.ascontiguousarray(h.reshape(-1), dtype=np.float64),
        np.ascontiguousarray(x2, dtype=np.float64),
    )
    return _inputs.from_channels(y2, outer, ax)
