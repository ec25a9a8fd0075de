"""Linear filtering: ``sosfilt``, ``lfilter``, ``filtfilt``, ``sosfiltfilt``.

Names, arguments and results follow :mod:`scipy.signal`; the loops run on the
current engine's kernels (``sosfilt``, ``lfilter``, ``fftfilt``), channel by
channel across threads.  A second-order-section cascade computes, per section,
the direct form II transposed recursion

    y[t] = b0 x[t] + z0;  z0 = b1 x[t] + z1 - a1 y[t];  z1 = b2 x[t] - a2 y[t]

(Oppenheim & Schafer, *Discrete-Time Signal Processing*, 3rd ed., 6.3-6.5).
Inputs may be NumPy arrays, pandas objects or Arrow columns/tables; tables
are filtered down their rows (``axis=0``) and come back as tables.

>>> import numpy as np
>>> from pyjl.dsp import butter, sosfilt
>>> y = sosfilt(butter(4, 0.2, output="sos"), np.ones(8))
>>> round(float(y[-1]), 3)
1.069
"""

from __future__ import annotations

import numpy as np

from ..exceptions import InputError
from . import _edge
from ._edge import channels, from_channels, out_dtype, read_signal

__all__ = ["sosfilt", "lfilter", "filtfilt", "sosfiltfilt", "fir_uses_fft"]

#: FIR filters at least this long run by overlap-add FFT when the signal is long.
FFT_MIN_TAPS = 256


def fir_uses_fft(n_taps: int, n: int) -> bool:
    """Whether an FIR ``lfilter`` of ``n_taps`` over ``n`` samples runs by FFT
    (the direct form costs ``n_taps`` multiply-adds per sample, overlap-add
    about ``4 log2(nfft)``; the vectorised direct form wins below about 256 taps,
    measured on an AMD EPYC (Zen 4) with AVX2)."""
    return n_taps >= FFT_MIN_TAPS and n >= 4 * n_taps


# --- 2-D cores (n_channels, n), float64 -------------------------------------
def sosfilt2(sos, x2, zi2=None):
    """``(y, zf)`` for C-contiguous float64 ``x2 (n_channels, n)``; ``zf (C, S, 2)``."""
    return _edge.engine().sosfilt(sos, x2, zi2)


def lfilter2(b, a, x2, zi2=None):
    """``(y, zf)`` for normalised real ``b``, ``a`` (``a[0] == 1``); ``zf (C, K - 1)``."""
    eng = _edge.engine()
    if a.size == 1 and fir_uses_fft(b.size, x2.shape[1]):
        n, m = x2.shape[1], b.size
        full = eng.fftfilt(np.ascontiguousarray(b), x2)
        if zi2 is not None:
            full[:, :m - 1] += zi2
        return np.ascontiguousarray(full[:, :n]), np.ascontiguousarray(full[:, n:])
    return eng.lfilter(b, a, x2, zi2)


def _complex_parts(run, x2, zi2):
    """Run a real filter over complex data (real coefficients) part by part."""
    if not (np.iscomplexobj(x2) or np.iscomplexobj(zi2)):
        return run(np.ascontiguousarray(x2, dtype=np.float64),
                   None if zi2 is None else np.ascontiguousarray(zi2, dtype=np.float64))
    parts = []
    for take in (np.real, np.imag):
        zp = None if zi2 is None else np.ascontiguousarray(take(zi2), dtype=np.float64)
        parts.append(run(np.ascontiguousarray(take(x2), dtype=np.float64), zp))
    return parts[0][0] + 1j * parts[1][0], parts[0][1] + 1j * parts[1][1]


# --- sosfilt ------------------------------------------------------------------
def sosfilt(sos, x, axis=None, zi=None):
    """Filter ``x`` along ``axis`` with a cascade of second-order sections.

    Parameters
    ----------
    sos : (n_sections, 6) array, each row ``b0, b1, b2, 1, a1, a2``.
    x : array-like, DataFrame or Arrow data.
    axis : int, default -1 (0 for tables).
    zi : optional, shape ``(n_sections, ..., 2, ...)`` (``x.shape`` with ``axis``
        replaced by 2, preceded by ``n_sections``), as :func:`scipy.signal.sosfilt`.

    Returns ``y`` (same shape and kind as ``x``), or ``(y, zf)`` when ``zi`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> sos = signal.butter(4, 0.2, output="sos")
    >>> bool(np.allclose(dsp.sosfilt(sos, x), signal.sosfilt(sos, x)))
    True
    """
    sos = _edge.validate_sos(sos)
    sig = read_signal(x, axis=axis, min_len=0)
    ax, n_sec = sig.axis, sos.shape[0]
    x2, outer = channels(sig.values, ax)
    zi2 = None
    if zi is not None:
        zi = np.asarray(zi)
        want = (n_sec,) + tuple(2 if k == ax else s for k, s in enumerate(sig.values.shape))
        if zi.shape != want:
            raise InputError(f"`zi` must have shape {want} (n_sections, then x's shape with "
                             f"axis {ax} of length 2); got {zi.shape}. Fix: build it from "
                             "pyjl.dsp.sosfilt_zi(sos), reshaped to that shape.")
        zi2 = np.moveaxis(zi, (0, ax + 1), (-2, -1)).reshape(int(np.prod(outer)), n_sec, 2)
    dt = out_dtype(sos, sig.values, *(() if zi is None else (zi,)))
    y2, zf2 = _complex_parts(lambda a, z: sosfilt2(sos, a, z), x2, zi2)
    y = from_channels(y2, outer, ax).astype(dt, copy=False)
    y = sig.restore(y)
    if zi is None:
        return y
    zf = np.moveaxis(zf2.reshape(outer + (n_sec, 2)), (-2, -1), (0, ax + 1))
    return y, zf.astype(dt, copy=False)




# --- lfilter ------------------------------------------------------------------
def normalize_ba(b, a):
    """Real ``b``, ``a`` divided by ``a[0]`` (validated: finite, ``a[0] != 0``, stable)."""
    b = _edge.coefficients(b, "b")
    a = _edge.coefficients(a, "a")
    for name, c in (("b", b), ("a", a)):
        if np.iscomplexobj(c):
            raise InputError(f"`{name}` must be real; got complex coefficients. Fix: filter "
                             "the real and imaginary parts of the design separately.")
    if a[0] == 0:
        raise InputError(f"`a[0]` must be non-zero (it normalises the filter); got {a[0]}. "
                         "Fix: pass a denominator whose leading coefficient is non-zero.")
    b = np.asarray(b, dtype=np.float64) / float(a[0])
    a = np.asarray(a, dtype=np.float64) / float(a[0])
    _edge.check_stable(a, "a")
    return np.ascontiguousarray(b), np.ascontiguousarray(a)


def lfilter(b, a, x, axis=None, zi=None):
    """Filter ``x`` along ``axis`` by the rational transfer function ``b(z) / a(z)``.

    Direct form II transposed (``a`` is normalised by ``a[0]``); FIR filters
    (``len(a) == 1``) run as a direct convolution, or by overlap-add FFT when
    that is faster (:func:`fir_uses_fft`).  ``zi``/``zf`` have ``x``'s shape
    with ``axis`` of length ``max(len(a), len(b)) - 1``, as in
    :func:`scipy.signal.lfilter`.  Returns ``y``, or ``(y, zf)`` with ``zi``.

    >>> import numpy as np
    >>> lfilter([1.0, 1.0], [1.0], np.arange(4.0))
    array([0., 1., 3., 5.])

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> b, a = signal.butter(3, 0.2)
    >>> bool(np.allclose(dsp.lfilter(b, a, x), signal.lfilter(b, a, x)))
    True
    """
    b_raw, a_raw = np.asarray(b), np.asarray(a)
    b, a = normalize_ba(b, a)
    sig = read_signal(x, axis=axis, min_len=0)
    ax, k = sig.axis, max(a.size, b.size)
    x2, outer = channels(sig.values, ax)
    zi2 = None
    if zi is not None:
        zi = np.asarray(zi)
        want = tuple(k - 1 if j == ax else s for j, s in enumerate(sig.values.shape))
        try:
            zib = np.broadcast_to(zi, want) if zi.ndim == len(want) else None
        except ValueError:
            zib = None
        if zib is None:
            raise InputError(f"`zi` must have shape {want} (x's shape with axis {ax} of length "
                             f"max(len(a), len(b)) - 1 = {k - 1}); got {zi.shape}. Fix: use "
                             "pyjl.dsp.lfilter_zi(b, a) reshaped to that shape.")
        zi2 = np.moveaxis(zib, ax, -1).reshape(int(np.prod(outer)), k - 1)
    dt = out_dtype(b_raw, a_raw, sig.values, *(() if zi is None else (zi,)))
    y2, zf2 = _complex_parts(lambda v, z: lfilter2(b, a, v, z), x2, zi2)
    y = sig.restore(from_channels(y2, outer, ax).astype(dt, copy=False))
    if zi is None:
        return y
    return y, from_channels(zf2, outer, ax).astype(dt, copy=False)


# --- forward-backward ---------------------------------------------------------
def _pad_edge(padtype, padlen, n, ntaps):
    if padtype not in ("even", "odd", "constant", None):
        raise InputError(f"`padtype` must be 'even', 'odd', 'constant' or None; got "
                         f"{padtype!r}. Fix: pick one of those.")
    if padtype is None:
        return 0
    edge = 3 * ntaps if padlen is None else _edge.as_int(padlen, "padlen", minimum=0)
    if n <= edge:
        raise InputError(f"`x` must be longer than padlen = {edge} along the filtered axis; "
                         f"got {n} samples. Fix: pass a longer signal or a smaller `padlen`.")
    return edge


def extend(x2, edge, padtype):
    """Extend the rows of ``x2`` by ``edge`` samples each side (odd/even/constant)."""
    if padtype is None or edge == 0:
        return x2
    n = x2.shape[1]
    out = np.empty((x2.shape[0], n + 2 * edge), dtype=x2.dtype)
    out[:, edge:edge + n] = x2
    left, right = x2[:, edge:0:-1], x2[:, -2:-(edge + 2):-1]
    if padtype == "odd":
        left, right = 2 * x2[:, :1] - left, 2 * x2[:, -1:] - right
    elif padtype == "constant":
        left, right = x2[:, :1], x2[:, -1:]
    out[:, :edge] = left
    out[:, edge + n:] = right
    return out


def _twice(run, x2, zi, edge, padtype):
    """Forward then backward pass of ``run(x, zi)`` with steady-state initial
    conditions scaled by the first sample of each pass."""
    ext = extend(x2, edge, padtype)
    zi_shape = (1,) + zi.shape
    y, _ = run(ext, zi.reshape(zi_shape) * ext[:, :1].reshape((-1,) + (1,) * zi.ndim))
    # the backward pass reads the reversed output; reuse the extension's memory for it
    rev = ext if ext is not x2 and ext.flags.writeable else np.empty_like(y)
    np.copyto(rev, y[:, ::-1])
    y, _ = run(rev, zi.reshape(zi_shape) * rev[:, :1].reshape((-1,) + (1,) * zi.ndim))
    y = y[:, ::-1]                      # a reversed view, as SciPy returns
    if edge > 0:
        y = y[:, edge:-edge]
    return y


def filtfilt(b, a, x, axis=None, padtype="odd", padlen=None, method="pad", irlen=None):
    """Zero-phase filtering: ``lfilter`` forward, then backward, as
    :func:`scipy.signal.filtfilt` with ``method="pad"`` (Gustafsson's method is
    not provided).  The signal is extended by ``padlen`` (default
    ``3 * max(len(a), len(b))``) samples each side (``padtype`` odd/even/constant,
    or None for no extension) and each pass starts from the steady state
    ``lfilter_zi(b, a)`` scaled by its first sample.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> b, a = signal.butter(3, 0.2)
    >>> bool(np.allclose(dsp.filtfilt(b, a, x), signal.filtfilt(b, a, x)))
    True
    """
    from scipy.signal import lfilter_zi
    if method != "pad":
        raise InputError(f"`method` must be 'pad'; got {method!r}. Fix: use method='pad' "
                         "(Gustafsson's method is not implemented by pyjl).")
    b_raw, a_raw = np.asarray(b), np.asarray(a)
    b, a = normalize_ba(b, a)
    sig = read_signal(x, axis=axis, min_len=1)
    edge = _pad_edge(padtype, padlen, sig.n, max(a.size, b.size))
    x2, outer = channels(sig.values, sig.axis)
    k = max(a.size, b.size)
    zi = lfilter_zi(b, a) if k > 1 else np.zeros(0)
    dt = out_dtype(b_raw, a_raw, sig.values)

    def run(v):
        return _twice(lambda e, z: lfilter2(b, a, e, z), v, zi, edge, padtype)
    y2 = run(np.ascontiguousarray(x2.real, dtype=np.float64))
    if np.iscomplexobj(x2):
        y2 = y2 + 1j * run(np.ascontiguousarray(x2.imag, dtype=np.float64))
    return sig.restore(from_channels(y2, outer, sig.axis).astype(dt, copy=False))


def sosfiltfilt(sos, x, axis=None, padtype="odd", padlen=None):
    """Zero-phase second-order-section filtering, as :func:`scipy.signal.sosfiltfilt`:
    the default ``padlen`` is ``3 * (2 * n_sections + 1 - min(#(b2 == 0), #(a2 == 0)))``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> sos = signal.butter(4, 0.2, output="sos")
    >>> bool(np.allclose(dsp.sosfiltfilt(sos, x), signal.sosfiltfilt(sos, x)))
    True
    """
    from scipy.signal import sosfilt_zi
    sos = _edge.validate_sos(sos)
    sig = read_signal(x, axis=axis, min_len=1)
    n_sec = sos.shape[0]
    ntaps = 2 * n_sec + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    edge = _pad_edge(padtype, padlen, sig.n, ntaps)
    x2, outer = channels(sig.values, sig.axis)
    zi = sosfilt_zi(sos)
    dt = out_dtype(sos, sig.values)

    def run(v):
        return _twice(lambda e, z: sosfilt2(sos, e, np.ascontiguousarray(z)), v, zi, edge,
                      padtype)
    y2 = run(np.ascontiguousarray(x2.real, dtype=np.float64))
    if np.iscomplexobj(x2):
        y2 = y2 + 1j * run(np.ascontiguousarray(x2.imag, dtype=np.float64))
    return sig.restore(from_channels(y2, outer, sig.axis).astype(dt, copy=False))
