"""FFT convolution: ``fftconvolve`` and ``oaconvolve``.

``fftconvolve`` multiplies ``scipy.fft`` transforms (``rfftn``/``irfftn`` for
real data) padded to a fast length; ``oaconvolve`` convolves along one axis by
overlap-add on the engine's ``fftfilt`` kernel (Oppenheim & Schafer, 8.7.3),
and over several axes by one transform, as ``fftconvolve``.  ``mode`` is
``"full"``, ``"same"`` (centred, ``in1``'s size) or ``"valid"``, as
:func:`scipy.signal.fftconvolve`.

>>> from pyjl.dsp import fftconvolve
>>> fftconvolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5]).round(12).tolist()[1:]
[1.0, 2.5, 4.0, 1.5]
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from .. import data
from ..exceptions import InputError
from . import _edge
from ._frames import workers

__all__ = ["fftconvolve", "oaconvolve"]


def _inputs(in1, in2, mode, axes):
    org = data.origin(in1)
    a = data.as_array(in1, name="in1", dtype=np.result_type(np.asarray(in1).dtype, np.float64)
                      if np.iscomplexobj(np.asarray(in1)) else np.float64, allow_empty=True)
    b = data.as_array(in2, name="in2", dtype=np.result_type(np.asarray(in2).dtype, np.float64)
                      if np.iscomplexobj(np.asarray(in2)) else np.float64, allow_empty=True)
    if a.ndim != b.ndim:
        raise InputError(f"`in1` and `in2` must have the same number of dimensions; got "
                         f"{a.ndim} and {b.ndim}. Fix: reshape one of them.")
    if mode not in ("full", "same", "valid"):
        raise InputError(f"`mode` must be 'full', 'same' or 'valid'; got {mode!r}.")
    if axes is None:
        axes = list(range(a.ndim))
    else:
        axes = [_edge.as_int(ax, "axes") for ax in np.atleast_1d(axes)]
        if any(not -a.ndim <= ax < a.ndim for ax in axes):
            raise InputError(f"`axes` must index dimensions of in1 (ndim {a.ndim}); got {axes}.")
        axes = sorted({ax % a.ndim for ax in axes})
    # as SciPy: an axis where either input has length 1 is a broadcast product, no FFT
    axes = [k for k in axes if a.shape[k] != 1 and b.shape[k] != 1]
    for k in range(a.ndim):
        if k not in axes and a.shape[k] != b.shape[k] and 1 not in (a.shape[k], b.shape[k]):
            raise InputError(f"`in1` and `in2` must match (or be 1) on axis {k}, which is not "
                             f"convolved; got {a.shape[k]} and {b.shape[k]}.")
    if mode == "valid":
        big1 = all(a.shape[k] >= b.shape[k] for k in axes)
        big2 = all(b.shape[k] >= a.shape[k] for k in axes)
        if not (big1 or big2):
            raise InputError("For 'valid' mode, one of `in1` or `in2` must be at least as "
                             "large as the other in every convolved axis. Fix: use 'full'.")
        if not big1:
            a, b = b, a
    return a, b, axes, org


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
    shape = [a.shape[k] + b.shape[k] - 1 for k in axes]
    fshape = [sfft.next_fast_len(n, not np.iscomplexobj(a) and not np.iscomplexobj(b))
              for n in shape]
    if np.iscomplexobj(a) or np.iscomplexobj(b):
        ret = sfft.ifftn(sfft.fftn(a, fshape, axes=axes, workers=workers())
                         * sfft.fftn(b, fshape, axes=axes, workers=workers()),
                         fshape, axes=axes, workers=workers())
    else:
        ret = sfft.irfftn(sfft.rfftn(a, fshape, axes=axes, workers=workers())
                          * sfft.rfftn(b, fshape, axes=axes, workers=workers()),
                          fshape, axes=axes, workers=workers())
    return ret[tuple(slice(0, n) if k in axes else slice(None)
                     for k, n in zip(range(ret.ndim), _full_shape(a, b, axes)))]


def _full_shape(a, b, axes):
    return [a.shape[k] + b.shape[k] - 1 if k in axes else max(a.shape[k], b.shape[k])
            for k in range(a.ndim)]


def _finish(ret, a, b, mode, axes, org):
    if a.size == 0 or b.size == 0:
        return np.zeros([0] * a.ndim)
    ret = _mode(ret, a.shape, b.shape, mode, axes)
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
    a, b, axes, org = _inputs(in1, in2, mode, axes)
    if a.size == 0 or b.size == 0:
        return np.array([])
    if a.ndim == 0:
        return a * b
    return _finish(_fft_full(a, b, axes), a, b, mode, axes, org)


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
    a, b, axes, org = _inputs(in1, in2, mode, axes)
    if a.size == 0 or b.size == 0:
        return np.array([])
    if a.ndim == 0:
        return a * b
    taps_1d = len(axes) == 1 and all(b.shape[k] == 1 for k in range(b.ndim) if k != axes[0])
    if not taps_1d or np.iscomplexobj(a) or np.iscomplexobj(b):
        return _finish(_fft_full(a, b, axes), a, b, mode, axes, org)
    ax = axes[0]
    h = np.ascontiguousarray(b.reshape(-1), dtype=np.float64)
    moved = np.moveaxis(a, ax, -1)
    x2 = np.ascontiguousarray(moved.reshape(int(np.prod(moved.shape[:-1])), moved.shape[-1]), dtype=np.float64)
    y2 = _edge.engine().fftfilt(h, x2)
    ret = np.moveaxis(y2.reshape(moved.shape[:-1] + (y2.shape[-1],)), -1, ax)
    return _finish(ret, a, b, mode, axes, org)
