"""The engine's filtering kernels on channel blocks, as the public functions call them.

A channel block is a C-contiguous ``(n_channels, n_samples)`` array: the public
functions validate their input and fold every axis but the filtered one into
channels (:mod:`pyjl.dsp._inputs`), then run these on the block.  They pick the
engine's kernel (``sosfilt``, ``lfilter``, ``fftfilt``, ``upfirdn``), run complex
data or coefficients through the real kernels part by part where the operation
is linear in them, and rerun a block whose output overflowed at a power-of-two
scale (:func:`rerun_scaled`).
"""

from __future__ import annotations

import numpy as np

from ..engines import current
from ._frames import power_of_two_scale, rescale

__all__ = [
    "engine",
    "work_array",
    "reversed_rows",
    "FFT_MIN_TAPS",
    "fir_uses_fft",
    "sosfilt_channels",
    "lfilter_channels",
    "lfilter_small",
    "upfirdn_channels",
    "upfirdn_small",
    "unit_numerator",
    "rerun_scaled",
]

#: FIR filters at least this long run by overlap-add FFT when the signal is long.
FFT_MIN_TAPS = 256


def engine():
    """The engine that runs the kernels now (a test replaces this to stand in a toy engine)."""
    return current()


def fir_uses_fft(n_taps: int, n: int) -> bool:
    """Whether an FIR ``lfilter`` of ``n_taps`` over ``n`` samples runs by FFT
    (the direct form costs ``n_taps`` multiply-adds per sample, overlap-add
    about ``4 log2(nfft)``; the vectorised direct form wins below about
    :data:`FFT_MIN_TAPS` taps)."""
    return n_taps >= FFT_MIN_TAPS and n >= 4 * n_taps


def _speed_up(name: str):
    """The engine's optional helper ``name``, or None: the small-call fast paths
    (``lfilter_small``, ``upfirdn_small``: the native engine checks and filters a small
    call in one compiled step and may decline it, None sending it down the full path
    with its own checks, errors and warnings) and the work memory and data movement of
    the filters (``empty``, ``reversed_rows``).  They are not contract kernels: an engine
    without them loses only speed, never a result or an error.  Julia and CUDA calls
    cost a bridge or a device transfer that no such shortcut removes, so they have none."""
    return getattr(engine(), name, None)


def work_array(n_channels: int, n: int, dtype=np.float64) -> np.ndarray:
    """Uninitialised ``(n_channels, n)`` memory that a kernel filters next: the engine's
    own (``empty``: the native engine reuses freed outputs, already mapped) for
    float64, else NumPy's."""
    make = _speed_up("empty")
    if make is None or np.dtype(dtype) != np.float64:
        return np.empty((n_channels, n), dtype=dtype)
    return make((n_channels, n))


def reversed_rows(parts, width: int) -> np.ndarray:
    """The rows of ``parts`` (``(n_channels, n_k)`` arrays of one dtype) joined and
    reversed, ``np.concatenate(parts, axis=1)[:, ::-1]``, then zeros up to ``width``
    samples: a new C-contiguous ``(n_channels, width)`` array, the input of a
    zero-phase filter's backward pass.  The engine's own (``reversed_rows``: the native
    engine's runs on its threads into reused memory) for float64, else NumPy's."""
    dtype = np.result_type(*parts)
    make = _speed_up("reversed_rows")
    if make is not None and dtype == np.float64:
        return make(parts, width)
    out = np.empty((parts[0].shape[0], width), dtype=dtype)
    at = 0
    for y in reversed(parts):
        out[:, at : at + y.shape[1]] = y[:, ::-1]
        at += y.shape[1]
    out[:, at:] = 0
    return out


# --- real float64 blocks: the engine's kernels --------------------------------------
def _sosfilt_real(sos, x2, zi2=None):
    """``(y, zf)`` for C-contiguous float64 ``x2 (n_channels, n)``; ``zf (C, S, 2)``."""
    return engine().sosfilt(sos, x2, zi2)


def _lfilter_real(b, a, x2, zi2=None):
    """``(y, zf)`` for normalised real ``b``, ``a`` (``a[0] == 1``); ``zf (C, K - 1)``."""
    eng = engine()
    if a.size == 1 and fir_uses_fft(b.size, x2.shape[1]):
        n, m = x2.shape[1], b.size
        full = eng.fftfilt(np.ascontiguousarray(b), x2)
        if zi2 is not None:
            full[:, : m - 1] += zi2
        return np.ascontiguousarray(full[:, :n]), np.ascontiguousarray(full[:, n:])
    return eng.lfilter(b, a, x2, zi2)


def _upfirdn_real(h, x2, up, down):
    """The engine's float64 kernel on real ``(n_channels, n)`` data."""
    return engine().upfirdn(h, np.ascontiguousarray(x2, dtype=np.float64), up, down)


# --- real or complex blocks -----------------------------------------------------------
_F64 = np.dtype(np.float64)


def _plain(x2, zi2) -> bool:
    """Whether the data (and state) are C-contiguous float64 arrays, as the kernels take."""
    return (
        type(x2) is np.ndarray
        and x2.dtype == _F64
        and x2.flags.c_contiguous
        and (
            zi2 is None
            or (type(zi2) is np.ndarray and zi2.dtype == _F64 and zi2.flags.c_contiguous)
        )
    )


def _by_parts(run, x2, zi2):
    """Run a real filter over complex data (real coefficients) part by part."""
    if not (np.iscomplexobj(x2) or np.iscomplexobj(zi2)):
        return run(
            np.ascontiguousarray(x2, dtype=np.float64),
            None if zi2 is None else np.ascontiguousarray(zi2, dtype=np.float64),
        )
    parts = []
    for take in (np.real, np.imag):
        zp = None if zi2 is None else np.ascontiguousarray(take(zi2), dtype=np.float64)
        parts.append(run(np.ascontiguousarray(take(x2), dtype=np.float64), zp))
    return parts[0][0] + 1j * parts[1][0], parts[0][1] + 1j * parts[1][1]


def _complex_kernel(eng, what):
    """The engine's complex ``lfilter`` kernel, or ``NotImplementedError`` naming it."""
    fn = getattr(eng, "lfilter_complex", None)
    if fn is None:
        raise NotImplementedError(
            f"engine {eng.name!r} does not implement kernel "
            f"'lfilter_complex' (complex128 {what}); run this call "
            "with pyjl.set_backend('native')"
        )
    return fn


def lfilter_channels(b, a, x2, zi2=None):
    """``(y, zf)`` of ``b/a`` (normalised; real or complex) over ``x2 (n_channels, n)``;
    ``zf (n_channels, K - 1)``.

    A complex ``a`` needs the engine's complex kernel; a complex ``b`` over a real
    ``a`` runs the real kernels (fast FIR paths included) on its real and
    imaginary parts, the filter being linear in ``b``."""
    if _plain(x2, zi2) and a.dtype == _F64 and b.dtype == _F64:
        return _lfilter_real(b, a, x2, zi2)
    if np.iscomplexobj(a):
        run = _complex_kernel(engine(), "denominator")
        return run(
            b.astype(np.complex128),
            a,
            np.ascontiguousarray(x2, dtype=np.complex128),
            None if zi2 is None else np.ascontiguousarray(zi2, dtype=np.complex128),
        )
    if np.iscomplexobj(b):
        y_re, zf_re = _by_parts(lambda v, z: _lfilter_real(b.real.copy(), a, v, z), x2, zi2)
        y_im, zf_im = _by_parts(lambda v, z: _lfilter_real(b.imag.copy(), a, v, z), x2, None)
        return y_re + 1j * y_im, zf_re + 1j * zf_im
    return _by_parts(lambda v, z: _lfilter_real(b, a, v, z), x2, zi2)


def lfilter_small(b, a, x, zi=None):
    """``lfilter`` of a small call in one step, where the engine has such a fast path
    (:func:`_speed_up`): normalised float64 ``b``, ``a``, ``x`` a C-contiguous float64
    array of 1 or 2 dimensions filtered along its last axis, ``zi`` None or of shape
    ``x.shape[:-1] + (K - 1,)``.  Returns ``y`` or ``(y, zf)``, or None for anything else
    (other inputs, more work, a value that is not finite): the full path then runs and
    decides."""
    fn = _speed_up("lfilter_small")
    return None if fn is None else fn(b, a, x, zi)


def sosfilt_channels(sos, x2, zi2=None):
    """``(y, zf)`` of a cascade (real or complex sections) over ``x2 (n_channels, n)``;
    ``zf (n_channels, n_sections, 2)``."""
    if _plain(x2, zi2) and sos.dtype == _F64:
        return _sosfilt_real(sos, x2, zi2)
    if not np.iscomplexobj(sos):
        return _by_parts(lambda v, z: _sosfilt_real(sos, v, z), x2, zi2)
    run = _complex_kernel(engine(), "second-order sections")
    y = np.ascontiguousarray(x2, dtype=np.complex128)
    zf = np.zeros((y.shape[0], sos.shape[0], 2), dtype=np.complex128)
    if zi2 is not None:
        zf[...] = zi2
    for k, row in enumerate(sos):
        y, zf[:, k] = run(row[:3], row[3:], y, np.ascontiguousarray(zf[:, k]))
    return y, zf


def upfirdn_channels(h, x2, up, down):
    """The ``upfirdn`` kernel over ``x2 (n_channels, n)``; real or complex data and taps.

    The operation is linear, so complex data runs as its real and imaginary
    parts stacked as channels, once per real part of the taps."""
    h = np.asarray(h)
    cx, ch = np.iscomplexobj(x2), np.iscomplexobj(h)
    if not cx and not ch:
        return _upfirdn_real(np.ascontiguousarray(h, dtype=np.float64), x2, up, down)
    c = x2.shape[0]
    parts = np.concatenate((x2.real, x2.imag)) if cx else x2.real
    hr = np.ascontiguousarray(h.real, dtype=np.float64)
    a = _upfirdn_real(hr, parts, up, down)
    if not ch:
        return a[:c] + 1j * a[c:]
    b = _upfirdn_real(np.ascontiguousarray(h.imag, dtype=np.float64), parts, up, down)
    if not cx:
        return a + 1j * b
    return (a[:c] - b[c:]) + 1j * (a[c:] + b[:c])


def upfirdn_small(h, x, up, down):
    """``upfirdn`` (zero extension) of a small call in one step, where the engine has such a
    fast path (:func:`_speed_up`): float64 ``h``, ``x`` a C-contiguous float64 array of
    1 or 2 dimensions filtered along its last axis, int ``up``, ``down``.  Returns ``y``,
    or None for anything else (other inputs, more work, a value that is not finite): the
    full path then runs and decides."""
    fn = _speed_up("upfirdn_small")
    return None if fn is None else fn(h, x, up, down)


# --- data or coefficients near the float64 limits ---------------------------------
def unit_numerator(b, numerator=None):
    """``(b, sb)``: ``b`` with its numerator divided by the power of two ``sb`` (a float)
    that brings its peak to [1, 2) where it lies near the float64 limits (a copy; exact),
    else ``(b, None)``.  ``numerator(b)``: the part scaled (a view; default all of ``b``)."""
    sb = power_of_two_scale(np.reshape(b if numerator is None else numerator(b), (1, -1)))
    if sb is None:
        return b, None
    sb = float(sb.item())
    b = b.copy()
    (b if numerator is None else numerator(b))[...] /= sb
    return b, sb


def rerun_scaled(run, b, x2, zi2, what, passes=1, numerator=None):
    """``run(b, x2, zi2)`` again with the data (and its state) divided by per-channel
    powers of two and the numerator by one, the results scaled back: exact for these
    linear filters, so an overflow inside a filter whose true output fits disappears,
    and an output that does not fit comes back with a
    :class:`~pyjl.exceptions.NumericalWarning`.  ``numerator(b)`` is the part of ``b``
    scaled (a view; default all of ``b``: second-order sections pass the first
    section's b-part); ``passes`` is how often it is applied (2 forward-backward).
    ``run`` returns an array or a tuple of arrays with channels first."""
    b, sb = unit_numerator(b, numerator)
    both = x2 if zi2 is None else np.concatenate((x2, zi2.reshape(x2.shape[0], -1)), axis=1)
    sx = power_of_two_scale(both)
    if sx is not None:
        x2 = x2 / sx
    if zi2 is not None:  # the state is in the units of b times x
        zi2 = zi2 / (1.0 if sx is None else sx.reshape((-1,) + (1,) * (zi2.ndim - 1)))
        zi2 = zi2 / (sb or 1.0)
    out = run(b, x2, zi2)
    factors = (sx,) + (sb,) * passes
    if isinstance(out, tuple):
        return tuple(rescale(o, factors, what) for o in out)
    return rescale(out, factors, what)
