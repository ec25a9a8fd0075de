"""Rate changes: ``upfirdn``, ``resample_poly`` and ``decimate``.

``upfirdn(h, x, up, down)`` inserts ``up - 1`` zeros between samples, filters
with the FIR ``h`` and keeps every ``down``-th output,

    y[i] = sum_k h[k] * xu[i * down - k],   xu[m] = x[m / up] if up | m else 0,

computed polyphase (only the kept outputs, only the non-zero inputs) on the
engine's ``upfirdn`` kernel (Crochiere & Rabiner, *Multirate Digital Signal
Processing*, 1983).  ``resample_poly`` and ``decimate`` follow
:mod:`scipy.signal` exactly, including the anti-aliasing filter designs.

>>> import numpy as np
>>> from pyjl.dsp import upfirdn
>>> upfirdn([1, 1], np.arange(3.0), up=2)
array([0., 0., 1., 1., 2., 2.])
"""

from __future__ import annotations

import math

import numpy as np

from ..exceptions import InputError
from . import _edge
from ._edge import as_int, channels, from_channels, read_signal
from .filtering import lfilter, sosfilt, sosfiltfilt, filtfilt

__all__ = ["upfirdn", "resample_poly", "decimate", "resample_poly_filter"]

_BACKGROUND = {"mean": np.mean, "median": np.median, "minimum": np.min, "maximum": np.max}


def upfirdn2(h, x2, up, down):
    """The kernel over C-contiguous ``(n_channels, n)``; real or complex data."""
    eng = _edge.engine()
    h = np.ascontiguousarray(h, dtype=np.float64)
    if np.iscomplexobj(x2):
        re = eng.upfirdn(h, np.ascontiguousarray(x2.real), up, down)
        return re + 1j * eng.upfirdn(h, np.ascontiguousarray(x2.imag), up, down)
    return eng.upfirdn(h, np.ascontiguousarray(x2, dtype=np.float64), up, down)


def upfirdn(h, x, up=1, down=1, axis=None, mode="constant", cval=0):
    """Upsample, FIR filter and downsample ``x`` along ``axis``
    (:func:`scipy.signal.upfirdn`, zero padding only: ``mode="constant", cval=0``).

    Output length along ``axis``: ``((n - 1) * up + len(h) - 1) // down + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> h = signal.firwin(15, 0.4)
    >>> bool(np.allclose(dsp.upfirdn(h, x, up=3, down=2), signal.upfirdn(h, x, up=3, down=2)))
    True
    """
    h = _edge.coefficients(h, "h")
    if np.iscomplexobj(h):
        raise InputError("`h` must be real; got complex taps. Fix: filter with the real and "
                         "imaginary taps separately.")
    up, down = as_int(up, "up", minimum=1), as_int(down, "down", minimum=1)
    if mode != "constant" or cval != 0:
        raise InputError(f"`mode` must be 'constant' with cval=0 (zero padding); got "
                         f"mode={mode!r}, cval={cval!r}. Fix: pad the signal yourself first.")
    sig = read_signal(x, axis=axis, min_len=1)
    x2, outer = channels(sig.values, sig.axis)
    y2 = upfirdn2(h, x2, up, down)
    dt = _edge.out_dtype(h, sig.values)
    return sig.restore(from_channels(y2, outer, sig.axis).astype(dt, copy=False), index=None)


def resample_poly_filter(up, down, window=("kaiser", 5.0), dtype=np.float64):
    """``(h, n_pre_remove)``: the zero-padded polyphase filter ``resample_poly``
    uses for reduced ``up``/``down`` (as SciPy: ``firwin(20 * max + 1, 1 / max,
    window)`` scaled by ``up``, padded so outputs are centred)."""
    from scipy.signal import firwin
    if isinstance(window, (list, np.ndarray)):
        h = np.array(window, dtype=np.float64)
        if h.ndim != 1 or h.size == 0:
            raise InputError(f"`window` taps must be a non-empty 1-D array; got shape "
                             f"{h.shape}. Fix: pass FIR taps or a window name.")
        half_len = (h.size - 1) // 2
    else:
        max_rate = max(up, down)
        half_len = 10 * max_rate
        h = firwin(2 * half_len + 1, 1.0 / max_rate, window=window)
        h = np.asarray(h, dtype=dtype).astype(np.float64)
    h = h * up
    n_pre_pad = down - half_len % down
    n_pre_remove = (half_len + n_pre_pad) // down
    return np.concatenate((np.zeros(n_pre_pad), h)), n_pre_remove


def resample_poly(x, up, down, axis=0, window=("kaiser", 5.0), padtype="constant",
                  cval=None):
    """Resample ``x`` by ``up / down`` with a polyphase FIR filter
    (:func:`scipy.signal.resample_poly`; as there, ``axis`` defaults to 0).  ``padtype`` is ``"constant"`` (zeros,
    or ``cval``) or one of ``"mean"``, ``"median"``, ``"minimum"``, ``"maximum"``
    (that background is removed before filtering and added back).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> y = dsp.resample_poly(x, 3, 2)
    >>> y.shape
    (384,)
    >>> bool(np.allclose(y, signal.resample_poly(x, 3, 2)))
    True
    """
    up, down = as_int(up, "up", minimum=1), as_int(down, "down", minimum=1)
    if cval not in (None, 0):
        raise InputError(f"`cval` must be None or 0 (zero padding); got {cval!r}. Fix: "
                         "subtract cval from x before resampling and add it back after.")
    if padtype not in _BACKGROUND and padtype != "constant":
        raise InputError(f"`padtype` must be one of constant, mean, median, minimum, maximum;"
                         f" got {padtype!r}. Fix: pick one of those.")
    sig = read_signal(x, axis=axis, min_len=1)
    g = math.gcd(up, down)
    up, down = up // g, down // g
    values = sig.values
    if up == down == 1:
        return sig.restore(np.array(values, copy=True))
    n_in = values.shape[sig.axis]
    n_out = n_in * up
    n_out = n_out // down + bool(n_out % down)
    hdt = values.dtype if values.dtype.kind in "fc" else np.float64
    hdt = np.float32 if hdt in (np.float32, np.complex64) else np.float64
    h, n_pre_remove = resample_poly_filter(up, down, window, hdt)
    nh = h.size
    # post-pad so the full output covers n_pre_remove + n_out samples
    n_post = 0
    while ((n_in - 1) * up + nh + n_post - 1) // down + 1 < n_out + n_pre_remove:
        n_post += 1
    if n_post:
        h = np.concatenate((h, np.zeros(n_post)))
    x2, outer = channels(values, sig.axis)
    background = None
    if padtype in _BACKGROUND:
        background = _BACKGROUND[padtype](x2, axis=1, keepdims=True)
        x2 = x2 - background
    y2 = upfirdn2(h, x2, up, down)[:, n_pre_remove:n_pre_remove + n_out]
    if background is not None:
        y2 = y2 + background
    taps_single = hdt == np.float32 and not isinstance(window, (list, np.ndarray))
    dt = _edge.out_dtype(values, np.float32 if taps_single else np.float64)
    # a view into the kernel's output, as SciPy returns (no copy of the whole result)
    return sig.restore(from_channels(y2, outer, sig.axis).astype(dt, copy=False), index=None)


def decimate(x, q, n=None, ftype="iir", axis=None, zero_phase=True):
    """Anti-alias filter then keep every ``q``-th sample (:func:`scipy.signal.decimate`):
    ``ftype="iir"`` is an order-``n`` (8) Chebyshev I (0.05 dB, cutoff ``0.8 / q``)
    run by ``sosfiltfilt`` (``sosfilt`` if not ``zero_phase``); ``"fir"`` is a
    ``20 q + 1``-tap Hamming ``firwin`` through ``resample_poly`` (or ``upfirdn``).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> y = dsp.decimate(x, 4)
    >>> y.shape
    (64,)
    >>> bool(np.allclose(y, signal.decimate(x, 4)))
    True
    """
    from scipy.signal import cheby1, firwin
    q = as_int(q, "q", minimum=1)
    if n is not None:
        n = as_int(n, "n", minimum=1)
    if ftype not in ("iir", "fir"):
        raise InputError(f"`ftype` must be 'iir' or 'fir'; got {ftype!r}. Fix: pick one "
                         "(for your own filter, call sosfiltfilt then slice [::q]).")
    sig = read_signal(x, axis=axis, min_len=1)
    values = sig.values
    rdt = values.dtype if values.dtype.kind in "fc" else np.dtype(np.float64)
    sl = [slice(None)] * values.ndim
    if ftype == "fir":
        n = 20 * q if n is None else n
        b = np.asarray(firwin(n + 1, 1.0 / q, window="hamming"), dtype=rdt)
        if zero_phase:
            y = resample_poly(values, 1, q, axis=sig.axis, window=np.asarray(b, np.float64))
        else:
            n_out = values.shape[sig.axis] // q + bool(values.shape[sig.axis] % q)
            y = upfirdn(np.asarray(b, np.float64), values, up=1, down=q, axis=sig.axis)
            sl[sig.axis] = slice(None, n_out, None)
    else:
        sos = np.asarray(cheby1(8 if n is None else n, 0.05, 0.8 / q, output="sos"),
                         dtype=rdt if rdt.kind == "f" else np.float64)
        if zero_phase:
            y = sosfiltfilt(sos, values, axis=sig.axis)
        else:
            y = sosfilt(sos, values, axis=sig.axis)
        sl[sig.axis] = slice(None, None, q)
    y = np.asarray(y)[tuple(sl)]
    return sig.restore(np.ascontiguousarray(y).astype(
        _edge.out_dtype(values, rdt if rdt.kind == "f" else np.float64), copy=False), index=None)


# keep the linters honest: lfilter/filtfilt are part of this module's vocabulary
_ = (lfilter, filtfilt)
