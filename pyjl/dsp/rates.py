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

from .. import _validate
from ..data import all_finite, as_raw
from . import _inputs
from ._design_args import finite_taps
from ._frames import check_size, power_of_two_scale, rescale, scale_down
from ._inputs import channels, from_channels, own_values, read_signal
from ._kernels import upfirdn_small
from ._memo import by_value
from ._upfirdn import _MODES, upfirdn_mode
from .filtering import lfilter, sosfilt
from .windows import check_finite
from .zero_phase import filtfilt, sosfiltfilt

__all__ = ["upfirdn", "resample_poly", "decimate", "resample_poly_filter", "upfirdn_kept"]

_BACKGROUND = {"mean": np.mean, "median": np.median, "minimum": np.min, "maximum": np.max}


def upfirdn(h, x, up=1, down=1, axis=None, mode="constant", cval=0):
    """Upsample, FIR filter and downsample ``x`` along ``axis`` (:func:`scipy.signal.upfirdn`).

    Output length along ``axis``: ``((n - 1) * up + len(h) - 1) // down + 1``.
    ``mode`` extends the signal past its ends as SciPy does: ``"constant"``
    (``cval``), ``"symmetric"``, ``"reflect"``, ``"edge"``, ``"wrap"`` (as
    :func:`numpy.pad`), ``"smooth"`` (the slope of the two end samples),
    ``"antisymmetric"``, ``"antireflect"`` (odd versions of symmetric and
    reflect) and ``"line"`` (the line through the first and last samples).
    Complex taps and data are supported; the dtype is SciPy's
    (``result_type(h, x, float32)``).  ``up`` and ``down`` must stay below 2**62
    and give arrays that fit in memory; taps or data near 1e308 are run scaled by
    powers of two (exact), and a result beyond float64 warns.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> h = signal.firwin(15, 0.4)
    >>> bool(np.allclose(dsp.upfirdn(h, x, up=3, down=2), signal.upfirdn(h, x, up=3, down=2)))
    True
    >>> bool(np.allclose(dsp.upfirdn(h, x, mode="reflect"), signal.upfirdn(h, x, mode="reflect")))
    True
    """
    if (
        type(mode) is str
        and mode == "constant"
        and type(cval) is int
        and cval == 0
        and (axis is None or type(axis) is int and axis == -1)
    ):
        y = upfirdn_small(h, x, up, down)  # plain float64 data, small: one step, or None
        if y is not None:
            return y
    h = _inputs.coefficients(h, "h")
    up, down = _validate.integer(up, "up", low=1), _validate.integer(down, "down", low=1)
    mode = _validate.choice(mode.lower() if isinstance(mode, str) else mode, "mode", _MODES)
    sig = read_signal(x, axis=axis, min_len=0)
    cval = _finite_scalar(cval, "cval", complex_ok=np.iscomplexobj(sig.values))
    dt = _inputs.out_dtype(h, sig.dtype, np.float32)
    if sig.n == 0:  # no samples, no output (docs/dsp.md: SciPy's length formula goes negative)
        return sig.restore_resampled(np.zeros(sig.values.shape, dt))
    x2, outer = channels(sig.values, sig.axis)
    y2 = upfirdn_kept(h, x2, up, down, slice(None), "upfirdn's output", mode, cval)
    y = from_channels(y2, outer, sig.axis).astype(dt, copy=False)
    # up == down keeps the rate: output j is at input j's time (the index kept where the
    # counts agree)
    return sig.restore(y) if up == down else sig.restore_resampled(y)


def upfirdn_kept(h, x2, up, down, keep, what, mode="constant", cval=0):
    """``upfirdn_mode(h, x2, up, down, mode, cval)[:, keep]``.  An output that overflows
    is rerun with ``h`` and the data (with ``cval``: one scale for all channels) divided
    by powers of two and scaled back (exact: the operation and every extension mode are
    linear); a result beyond float64 warns, naming it ``what``."""
    with np.errstate(over="ignore", invalid="ignore"):
        y2 = upfirdn_mode(h, x2, up, down, mode, cval)[:, keep]
    if all_finite(y2):
        return y2
    sh, sx = (
        power_of_two_scale(np.reshape(v, (1, -1))) for v in (h, np.append(np.ravel(x2), cval))
    )
    sh, sx = (None if f is None else float(f.item()) for f in (sh, sx))
    y2 = upfirdn_mode(
        h if sh is None else h / sh,
        x2 if sx is None else x2 / sx,
        up,
        down,
        mode,
        cval if sx is None else cval / sx,
    )[:, keep]
    return rescale(y2, (sx, sh), what)


def _finite_scalar(value, name, complex_ok=False):
    """A finite number (``cval``); complex only for complex data."""
    v = as_raw(value, name)
    kinds = "biufc" if complex_ok else "biuf"
    if v.ndim != 0 or v.dtype.kind not in kinds or not np.isfinite(v):
        rule = "must be a finite number" + ("" if complex_ok else " (real, as the data are)")
        raise _validate.error(name, rule, value, "pass a finite scalar")
    return v.item()


def resample_poly_dtypes(dtype, window, padtype: str = "constant") -> tuple[np.dtype, np.dtype]:
    """``(taps, result)`` dtypes of ``resample_poly`` (up != down) on data of ``dtype``, as
    SciPy's: designed taps are rounded to the data's float precision (float64 for
    integers; float16 data: float16 taps), and the result promotes the taps (given
    ones: their own dtype) with the data and float32 -- integer data less its mean or
    median (``padtype``) being float64."""
    own = np.empty(0, dtype).real.dtype
    h_dt = own if own.kind == "f" else np.dtype(np.float64)
    taps = as_raw(window, "window").dtype if isinstance(window, (list, np.ndarray)) else h_dt
    if padtype in ("mean", "median") and np.dtype(dtype).kind in "biu":
        dtype = np.dtype(np.float64)
    return h_dt, _inputs.out_dtype(taps, dtype, np.float32)


def resample_poly_filter(up, down, window=("kaiser", 5.0), dtype=np.float64):
    """``(h, n_pre_remove)``: the zero-padded polyphase filter ``resample_poly``
    uses for reduced ``up``/``down`` (as SciPy: ``firwin(20 * max + 1, 1 / max,
    window)`` rounded to ``dtype``, or the taps given as ``window`` in their own
    float dtype, scaled by ``up`` in that dtype), padded so outputs are centred."""
    from scipy.signal import firwin

    if isinstance(window, (list, np.ndarray)):
        h = as_raw(window, "window")
        if h.ndim != 1:
            raise _validate.error(
                "window",
                "must be a window name/tuple or 1-D FIR taps",
                f"an array of shape {h.shape}",
                "pass a flat array of taps",
            )
        h = _inputs.coefficients(h, "window")
        if h.dtype.kind not in "fc":
            h = h.astype(np.float64)
    else:
        check_finite(window, "window")
        max_rate = max(up, down)
        check_size(
            20 * max_rate + 1,
            "up" if up >= down else "down",
            max_rate,
            itemsize=8,
            what="anti-aliasing filter (20 * max(up, down) + 1 taps)",
        )
        try:
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                try:
                    hash(window)
                except TypeError:  # a window with a list inside: designed every time
                    h = firwin(20 * max_rate + 1, 1.0 / max_rate, window=window)
                else:
                    h = _designed("firwin", (20 * max_rate + 1, 1.0 / max_rate), window)
        except (ValueError, TypeError) as exc:
            raise _validate.error(
                "window",
                "must be a window SciPy knows or FIR taps",
                repr(window),
                f"use e.g. ('kaiser', 5.0) ({exc})",
            ) from exc
        h = np.asarray(finite_taps(h, window), dtype=dtype)
    half_len = (h.size - 1) // 2
    check_size(down + h.size, "down", down, itemsize=8, what="padded filter")
    h = h * up
    n_pre_pad = down - half_len % down
    n_pre_remove = (half_len + n_pre_pad) // down
    return np.concatenate((np.zeros(n_pre_pad, dtype=h.dtype), h)), n_pre_remove


def _padtype(padtype, cval, complex_ok):
    """Validated ``(padtype, cval)`` for :func:`resample_poly`."""
    options = tuple(_BACKGROUND) + _MODES
    padtype = _validate.choice(padtype, "padtype", options)
    if cval is not None and padtype != "constant":
        raise _validate.error(
            "cval",
            f"must be None unless padtype='constant' (it has no effect with padtype={padtype!r})",
            cval,
            "drop cval",
        )
    return padtype, 0 if cval is None else _finite_scalar(cval, "cval", complex_ok)


def resample_poly(x, up, down, axis=0, window=("kaiser", 5.0), padtype="constant", cval=None):
    """Resample ``x`` by ``up / down`` with a polyphase FIR filter
    (:func:`scipy.signal.resample_poly`; as there, ``axis`` defaults to 0).

    ``padtype`` is ``"constant"`` (zeros, or ``cval``), any other extension
    mode of :func:`upfirdn` (``"line"``, ``"symmetric"``, ...), or one of
    ``"mean"``, ``"median"``, ``"minimum"``, ``"maximum"`` (that background is
    removed before filtering and added back).  ``window`` is a window
    specification for the anti-aliasing ``firwin`` design or the FIR taps
    themselves.  The result dtype is SciPy's.

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
    >>> bool(np.allclose(dsp.resample_poly(x, 3, 2, padtype="line"),
    ...                  signal.resample_poly(x, 3, 2, padtype="line")))
    True
    """
    up, down = _validate.integer(up, "up", low=1), _validate.integer(down, "down", low=1)
    sig = read_signal(x, axis=axis, min_len=0)
    padtype, cval = _padtype(padtype, cval, np.iscomplexobj(sig.values))
    g = math.gcd(up, down)
    up, down = up // g, down // g
    values = sig.values
    if up == down == 1:
        # a copy of x as SciPy returns it, in x's own dtype (integers stay integers)
        return sig.restore(own_values(x, sig))
    n_in = values.shape[sig.axis]
    n_out = n_in * up
    n_out = n_out // down + bool(n_out % down)
    check_size(
        max(up, down) * 20 + values.size // max(1, n_in) * n_out,
        "up" if up >= down else "down",
        max(up, down),
    )
    h_dt, dt = resample_poly_dtypes(sig.dtype, window, padtype)
    h, n_pre_remove = resample_poly_filter(up, down, window, h_dt)
    if n_in == 0:  # as SciPy: no samples, no output
        return sig.restore_resampled(np.zeros(values.shape, dt))
    # post-pad so the full output covers n_pre_remove + n_out samples
    n_post = 0
    while ((n_in - 1) * up + h.size + n_post - 1) // down + 1 < n_out + n_pre_remove:
        n_post += 1
    h = np.concatenate((h, np.zeros(n_post, dtype=h.dtype)))
    x2, outer = channels(values, sig.axis)
    background = None
    if padtype in _BACKGROUND:
        background = _BACKGROUND[padtype](x2, axis=1, keepdims=True)
        x2 = x2 - background
    mode = "constant" if background is not None else padtype
    keep, what = slice(n_pre_remove, n_pre_remove + n_out), "resample_poly's output"
    y2 = upfirdn_kept(h, x2, up, down, keep, what, mode, cval)
    if background is not None:
        finite = all_finite(y2)  # else upfirdn_kept has warned
        with np.errstate(over="ignore", invalid="ignore"):
            y2 = rescale(y2 + background, (), what, bounded=not finite)
    return sig.restore_resampled(from_channels(y2, outer, sig.axis).astype(dt, copy=False))


def _decimate_filter(q, n, ftype, rdt):
    """``(kind, coefficients)`` of SciPy's anti-aliasing filter: ``("fir", b)``,
    ``("sos", sos)`` or ``("ba", (b, a))`` (a ``dlti`` with complex poles)."""
    from scipy.signal import dlti, zpk2sos

    if isinstance(ftype, dlti):
        zpk = ftype._as_zpk()
        if zpk.poles.shape[0] == 0:
            tf = ftype._as_tf()
            return "fir", np.asarray(tf.num) / np.asarray(tf.den)
        if (
            np.any(np.iscomplex(zpk.poles))
            or np.any(np.iscomplex(zpk.zeros))
            or np.iscomplex(zpk.gain)
        ):
            tf = ftype._as_tf()
            return "ba", (tf.num, tf.den)
        return "sos", zpk2sos(zpk.zeros, zpk.poles, zpk.gain).astype(rdt)
    ftype = _validate.choice(ftype, "ftype", ("iir", "fir"))
    if ftype == "fir":
        taps = _designed("firwin", ((20 * q if n is None else n) + 1, 1.0 / q), "hamming")
        return "fir", taps.astype(rdt)
    try:
        with np.errstate(all="ignore"):  # an overflowing design is refused below
            sos = _designed("cheby1", (8 if n is None else n, 0.05, 0.8 / q), None)
    except (OverflowError, FloatingPointError, ZeroDivisionError):
        sos = np.full((1, 6), np.nan)
    if not np.isfinite(sos).all():
        raise _validate.error(
            "n",
            f"must give a Chebyshev I anti-aliasing filter that float64 can hold (cutoff "
            f"0.8 / q = {0.8 / q:.3g}; its poles' products overflow at high orders)",
            n,
            "use a lower order (8 by default; SciPy's design overflows from a few hundred, "
            "about 470 at q = 2), or ftype='fir'",
        )
    return "sos", sos.astype(rdt)


def _design(kind: str, args: tuple, window) -> np.ndarray:
    """``firwin(*args, window=window)`` or ``cheby1(*args, output="sos")``."""
    from scipy.signal import cheby1, firwin

    return firwin(*args, window=window) if kind == "firwin" else cheby1(*args, output="sos")


#: designed once per argument set (read-only: callers convert, which copies)
_designed = by_value(_design, shared=True, entries=64)


#: the largest ``q`` of the default IIR design: an order-8 Chebyshev I with cutoff
#: 0.8 / q has its DC gain right to 3e-7 at q = 1e5, off by 2e-5 at 1e6, 6% at 1e8,
#: and is singular in float64 from about 1e9
IIR_MAX_Q = 100_000


def _check_q(q, n, ftype):
    """Refuse a ``q`` whose anti-aliasing filter cannot be built (see :data:`IIR_MAX_Q`)."""
    if isinstance(ftype, str) and ftype == "iir" and q > IIR_MAX_Q:
        raise _validate.error(
            "q",
            f"must be <= {IIR_MAX_Q:_} with ftype='iir' (the "
            "Chebyshev I cutoff 0.8 / q is then too close to 0 for "
            "float64 second-order sections)",
            q,
            "decimate in stages, e.g. decimate(decimate(x, 10), q // 10); "
            "SciPy advises q < 13 per call",
        )
    if isinstance(ftype, str) and ftype == "fir" and q == 1:
        raise _validate.error(
            "q",
            "must be >= 2 with ftype='fir' (the anti-aliasing cutoff 1 / q must lie below "
            "the Nyquist frequency)",
            q,
            "q=1 keeps every sample: use x itself, or ftype='iir'",
        )
    if isinstance(ftype, str) and ftype == "fir" and n is None:
        check_size(20 * q + 1, "q", q, itemsize=8, what="anti-aliasing filter (20 * q + 1 taps)")


def decimate(x, q, n=None, ftype="iir", axis=None, zero_phase=True):
    """Anti-alias filter then keep every ``q``-th sample (:func:`scipy.signal.decimate`):
    ``ftype="iir"`` is an order-``n`` (8) Chebyshev I (0.05 dB, cutoff ``0.8 / q``)
    run by ``sosfiltfilt`` (``sosfilt`` if not ``zero_phase``); ``"fir"`` is a
    ``20 q + 1``-tap Hamming ``firwin`` through ``resample_poly`` (or ``upfirdn``),
    which must fit in memory; the IIR design is refused for ``q > 100_000`` (its
    cutoff is then too close to 0 for float64: decimate in stages);
    a :class:`scipy.signal.dlti` instance is used as given (FIR if it has no
    poles; ``filtfilt``/``lfilter`` on its transfer function if it has complex
    coefficients).  The dtype is SciPy's: float32/complex64 stay single,
    integers and float16 give float64.

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
    q = _validate.integer(q, "q", low=1)
    zero_phase = _validate.boolean(zero_phase, "zero_phase")
    if n is not None:
        n = _validate.integer(n, "n", low=0)  # 0: a one-tap FIR or an order-0 IIR, as SciPy
        check_size(n, "n", n)
    _check_q(q, n, ftype)
    fir = isinstance(ftype, str) and ftype == "fir"  # an empty x decimates to nothing there
    sig = read_signal(x, axis=axis, min_len=0 if fir else 1)
    values, ax = sig.values, sig.axis
    rdt = sig.dtype if sig.dtype.kind in "fc" and sig.dtype != np.float16 else np.dtype(np.float64)
    kind, coef = _decimate_filter(q, n, ftype, rdt.type(0).real.dtype)
    # linear: data near the float64 limits are filtered at unit scale, scaled back last
    values, s = scale_down(values, ax)
    sl = [slice(None)] * values.ndim
    if kind == "fir":
        if zero_phase:
            y = resample_poly(values, 1, q, axis=ax, window=np.asarray(coef))
        else:
            y = upfirdn(coef, values, up=1, down=q, axis=ax)
            sl[ax] = slice(None, values.shape[ax] // q + bool(values.shape[ax] % q))
    elif kind == "sos":
        y = (sosfiltfilt if zero_phase else sosfilt)(coef, values, axis=ax)
        sl[ax] = slice(None, None, q)
    else:
        y = (filtfilt if zero_phase else lfilter)(*coef, values, axis=ax)
        sl[ax] = slice(None, None, q)
    y = np.asarray(y)[tuple(sl)]
    dt = _inputs.out_dtype(rdt, np.asarray(coef[0] if kind == "ba" else coef).dtype)
    if kind == "fir" and zero_phase and q == 1:
        dt = sig.dtype  # as SciPy's: resample_poly with up == down copies x, dtype kept
    y = rescale(np.ascontiguousarray(y), (s,), "The decimated signal", dt)
    return sig.restore(y) if q == 1 else sig.restore_resampled(y)  # q = 1: the same samples
