"""Linear filtering in one pass: ``sosfilt`` and ``lfilter``.

Names, arguments and results follow :mod:`scipy.signal`; the loops run on the
current engine's kernels (``sosfilt``, ``lfilter``, ``fftfilt``), channel by
channel across threads.  A second-order-section cascade computes, per section,
the direct form II transposed recursion

    y[t] = b0 x[t] + z0;  z0 = b1 x[t] + z1 - a1 y[t];  z1 = b2 x[t] - a2 y[t]

(Oppenheim & Schafer, *Discrete-Time Signal Processing*, 3rd ed., 6.3-6.5).
Inputs may be NumPy arrays, pandas objects or Arrow columns/tables; tables
are filtered down their rows (``axis=0``) and come back as tables.  Data or
coefficients near the float64 limits (1e308) are filtered exactly: a run that
overflows is redone with the data (and ``zi``) and the numerator divided by powers
of two and scaled back; a result beyond float64 warns
(:class:`~pyjl.exceptions.NumericalWarning`).

>>> import numpy as np
>>> from pyjl.dsp import butter, sosfilt
>>> y = sosfilt(butter(4, 0.2, output="sos"), np.ones(8))
>>> round(float(y[-1]), 3)
1.069
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validate, data
from .._warn import warn
from ..data import all_finite
from ..exceptions import NumericalWarning
from . import _inputs
from ._frames import filter_finite
from ._inputs import channels, from_channels, out_dtype, read_signal
from ._kernels import lfilter_channels, lfilter_small, rerun_scaled, sosfilt_channels
from ._memo import by_value

__all__ = ["sosfilt", "lfilter"]


def _read_zi(zi, want, rule, fix):
    """``zi`` as a finite array of x's kind of dtype, broadcast to ``want`` (x's
    dimensions, each equal or 1, the filtered one ``rule`` fixes), or InputError."""
    zi = data.as_array(zi, name="zi", dtype=_inputs.want_dtype(zi, "zi"), allow_empty=True)
    if zi.shape == want:
        return zi
    fits = zi.ndim == len(want) and all(
        g == w or (g == 1 and not fixed) for g, w, fixed in zip(zi.shape, want, rule)
    )
    if not fits:
        raise _validate.error("zi", f"must have shape {want}", f"shape {zi.shape}", fix)
    return np.broadcast_to(zi, want)


# --- sosfilt ------------------------------------------------------------------
def sosfilt(sos, x, axis=None, zi=None):
    """Filter ``x`` along ``axis`` with a cascade of second-order sections.

    Parameters
    ----------
    sos : array_like, shape (n_sections, 6)
        The sections, each row ``b0, b1, b2, 1, a1, a2`` (``butter(..., output="sos")``).
        An unstable section warns (:class:`~pyjl.exceptions.NumericalWarning`).
    x : array_like, DataFrame or Arrow data
        The signal, of any shape; filtered along ``axis``.
    axis : int, optional
        The axis filtered: -1 for arrays, 0 (time down the rows) for tables.
    zi : array_like, shape (n_sections, ..., 2, ...), optional
        Initial section states: ``x.shape`` with ``axis`` replaced by 2, preceded
        by ``n_sections`` (axes of length 1 broadcast), as :func:`scipy.signal.sosfilt`.

    Returns
    -------
    y : ndarray, DataFrame or Arrow data, shape of ``x``
        The filtered signal, in ``x``'s form; float32 (complex64) only when ``x`` and
        ``sos`` are single precision, else float64 (complex128).
    zf : ndarray, shape of ``zi``
        The final section states; returned (as ``(y, zf)``) only when ``zi`` is given.

    Notes
    -----
    The arithmetic is SciPy's, in the same order and without fused
    multiply-adds, so ``y`` and ``zf`` equal :func:`scipy.signal.sosfilt`'s bit
    for bit whenever each channel runs in one serial pass: when ``x`` has
    several channels (after folding the other axes), when a pole is on or
    outside the unit circle, or when the one channel is shorter than
    ``min(2 * max(16384, 4 * D), 8 * max(2048, 2 * D))`` samples,
    ``D = 110.6 / -ln(r)`` the decay length of the largest pole radius ``r``
    (16,384 samples where ``D <= 1024``, e.g. ``butter(4, 0.1)``; 29,328 for
    ``butter(8, 0.1)``; 398,304 for ``butter(2, 1e-3)``), or in the first call
    of a filter of more than 4 sections too short to pay for the split's set-up
    (its unit-state responses; its later calls split).  A longer single channel is split in time
    into segments that fill the SIMD lanes of every thread (one thread too) and
    agrees to rounding (4e-15 of ``max|y|`` for ``butter(8, 0.1)``, more where a
    pole is close to 1: 4e-14 for ``butter(2, 0.01)``).  Complex
    sections run the engine's complex kernel.  Single-precision data and
    sections are filtered in double precision (SciPy stays in single), then
    rounded: the result is float32 as SciPy's, and closer to the exact one.

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
    sos_raw = data.as_raw(sos, "sos")
    sos = _inputs.validate_sos(sos)
    sig = read_signal(x, axis=axis, min_len=0, finite=False)
    ax, n_sec = sig.axis, sos.shape[0]
    x2, outer = channels(sig.values, ax)
    zi2 = None
    if zi is not None:
        want = (n_sec,) + tuple(2 if k == ax else s for k, s in enumerate(sig.values.shape))
        zi = _read_zi(
            zi,
            want,
            [True] * len(want),
            "build it from pyjl.dsp.sosfilt_zi(sos) (n_sections, then x's shape "
            f"with axis {ax} of length 2)",
        )
        zi2 = np.moveaxis(zi, (0, ax + 1), (-2, -1)).reshape(math.prod(outer), n_sec, 2)
    dt = out_dtype(sos_raw, sig.dtype, *(() if zi is None else (zi,)))
    y2, zf2 = sosfilt_channels(sos, x2, zi2)
    if not filter_finite(y2, zf2, recursive=True):
        sig.require_finite()  # else an overflow, redone at a scale where it fits
        if not all_finite(y2):
            y2, zf2 = rerun_scaled(
                sosfilt_channels, sos, x2, zi2, "sosfilt's output", numerator=sos_numerator
            )
    y = from_channels(y2, outer, ax).astype(dt, copy=False)
    y = sig.restore(y)
    if zi is None:
        return y
    zf = np.moveaxis(zf2.reshape(outer + (n_sec, 2)), (-2, -1), (0, ax + 1))
    return y, zf.astype(dt, copy=False)


def sos_numerator(sos):
    """The first section's b-part (a view): the numerator of the cascade's gain."""
    return sos[0, :3]


# --- lfilter ------------------------------------------------------------------
def normalize_ba(b, a):
    """``b``, ``a`` divided by ``a[0]``, each float64, or complex128 where it has a
    non-zero imaginary part (validated: finite, ``a[0] != 0``; an unstable ``a``
    warns, see :func:`pyjl.dsp._inputs.check_stable`).

    Float64 arrays (or a scalar or list ``a``) are validated once per value: the verdict is
    cached under their bytes, and the pair comes back read-only (shared by the calls)."""
    if type(b) is np.ndarray and b.dtype == np.float64 and isinstance(a, _BA_KINDS):
        a_arr = data.as_raw(a, "a")
        if a_arr.dtype == np.float64:
            key = (b.tobytes(), b.shape, a_arr.tobytes(), a_arr.shape)
            bn, an, msg = _kept_ba(key, b, a_arr)  # the pair shared, read-only
            if msg is not None:
                warn(msg, NumericalWarning)
            return bn, an
    bn, an, msg = _checked_ba(b, a)
    if msg is not None:
        warn(msg, NumericalWarning)
    return bn, an


#: the kinds of ``a`` whose verdict is cached (with a float64 array ``b``)
_BA_KINDS = (np.ndarray, float, list)


def _checked_ba(b, a):
    """:func:`normalize_ba`'s pair and the warning for an unstable ``a`` (or None)."""
    b, a = _inputs.recursive_pair(b, a)
    dt = np.complex128 if np.iscomplexobj(b) or np.iscomplexobj(a) else np.float64
    a0 = dt(a[0])
    b, a = (np.ascontiguousarray(_real_if_real(np.asarray(c, dtype=dt) / a0)) for c in (b, a))
    return b, a, _inputs.unstable_message(a, "a", b)


_kept_ba = by_value(_checked_ba, shared=True).keyed


def _real_if_real(c):
    return c.real.copy() if np.iscomplexobj(c) and not np.any(c.imag) else c


def lfilter(b, a, x, axis=None, zi=None):
    """Filter ``x`` along ``axis`` by the rational transfer function ``b(z) / a(z)``.

    Direct form II transposed (``a`` is normalised by ``a[0]``); FIR filters
    (``len(a) == 1``) run as a direct convolution, or by overlap-add FFT when
    that is faster (:func:`pyjl.dsp._kernels.fir_uses_fft`).  ``zi``/``zf`` have
    ``x``'s shape with ``axis`` of length ``max(len(a), len(b)) - 1``, as in
    :func:`scipy.signal.lfilter`.  Returns ``y``, or ``(y, zf)`` with ``zi``.
    A complex ``b`` over a real ``a`` runs the real kernels on its real and
    imaginary parts; a complex ``a`` runs the engine's complex kernel
    (``native`` has one; other engines raise ``NotImplementedError``).  IIR
    results (``len(a) > 1``) with real coefficients, or a complex ``a``, equal
    SciPy's bit for bit (one serial pass per channel, SciPy's arithmetic), except
    one long channel (as long as ``sosfilt``'s split asks, see its Notes) of a real
    direct form whose responses to unit states stay below 64 (low orders:
    ``butter(4, 0.1)`` peaks at 18, ``butter(8, 0.1)`` at 2.4e3): it is split in
    time as ``sosfilt``'s and agrees to about 1e-13 of ``max|y|``; FIR
    results and a complex ``b`` over a real ``a`` agree to rounding (about
    1e-15 of ``max|y|``: the sums run in another order).  An unstable ``a``
    warns (:class:`~pyjl.exceptions.NumericalWarning`) and is filtered as
    SciPy does.

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
    b_raw, a_raw = data.as_raw(b, "b"), data.as_raw(a, "a")
    b, a = normalize_ba(b, a)
    plain_axis = axis is None or type(axis) is int and axis == -1
    if plain_axis and "c" not in (b_raw.dtype.kind, a_raw.dtype.kind):
        out = lfilter_small(b, a, x, zi)  # plain float64 data, small: one step, or None
        if out is not None:
            return out
    sig = read_signal(x, axis=axis, min_len=0, finite=False)
    ax, k = sig.axis, max(a.size, b.size)
    x2, outer = channels(sig.values, ax)
    zi2 = None
    if zi is not None:
        want = tuple(k - 1 if j == ax else s for j, s in enumerate(sig.values.shape))
        zi = _read_zi(
            zi,
            want,
            [j == ax for j in range(len(want))],
            f"pass x's shape with axis {ax} of length max(len(a), len(b)) - 1 = "
            f"{k - 1} (pyjl.dsp.lfilter_zi(b, a) gives one channel's state)",
        )
        zi2 = (zi if ax == zi.ndim - 1 else np.moveaxis(zi, ax, -1)).reshape(
            math.prod(outer), k - 1
        )
    dt = out_dtype(b_raw, a_raw, sig.dtype, *(() if zi is None else (zi,)))
    y2, zf2 = lfilter_channels(b, a, x2, zi2)
    if not filter_finite(y2, zf2, recursive=a.size > 1):
        sig.require_finite()  # else an overflow, redone at a scale where it fits
        if not all_finite(y2):
            y2, zf2 = rerun_scaled(
                lambda bb, v, z: lfilter_channels(bb, a, v, z), b, x2, zi2, "lfilter's output"
            )
    y = sig.restore(from_channels(y2, outer, ax).astype(dt, copy=False))
    if zi is None:
        return y
    return y, from_channels(zf2, outer, ax).astype(dt, copy=False)
