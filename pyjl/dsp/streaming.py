"""Streaming filters: ``SosFilter``, ``FirFilter``, ``Resampler``.

Each keeps the state a one-shot call would carry from one sample to the next,
so feeding a signal chunk by chunk gives the one-shot result:

* ``SosFilter(sos).process`` chunks concatenate to ``sosfilt(sos, x)``;
* ``FirFilter(taps).process`` chunks concatenate to ``lfilter(taps, 1, x)``;
* ``Resampler(up, down).process`` chunks, then ``.flush()``, concatenate to
  ``resample_poly(x, up, down)`` (``process`` emits every output sample the
  input so far determines; ``flush`` adds the rest, as if the signal ended).

Bit for bit where both runs do the same arithmetic: ``SosFilter`` equals
``scipy.signal.sosfilt`` exactly whenever each chunk's channels run in one
serial pass (see ``sosfilt``'s Notes: several channels, or one channel shorter
than the time-split threshold), and equals ``pyjl.dsp.sosfilt`` exactly when
that call is serial too.  Otherwise, and for ``FirFilter`` (a chunk may run by
FFT where the whole signal runs directly, or the reverse) and ``Resampler``,
they agree to rounding (about 1e-15 of the output's scale; more for a pole
close to 1, see ``sosfilt``).

A chunk is ``(n,)`` (one channel) or ``(n_channels, n)``, or tabular data
read as time x channels like every ``pyjl.dsp`` function: a pandas Series or
Arrow array is one channel, a DataFrame, Arrow table or record batch has one
channel per column.  The output has the chunk's form: ``SosFilter`` and
``FirFilter`` keep a DataFrame's index and columns (Arrow in, Arrow out);
``Resampler`` changes the number of rows, so its pandas output carries the
chunk's columns (or Series name) and a fresh ``RangeIndex`` numbering the
output samples from the start of the stream.  The channel count is fixed by
the first chunk until ``reset()``, and so are the column names of the first
chunk that has them (a table's columns meet the filter state by position: a
later table with other names, or reordered, is refused; a plain array has no
names and is taken by position); chunks must be finite.  The kernels are the
engine's ``sosfilt``, ``lfilter`` and ``upfirdn``.

>>> import numpy as np
>>> from pyjl.dsp import SosFilter, butter, sosfilt
>>> sos = butter(4, 0.1, output="sos")
>>> x = np.random.default_rng(0).standard_normal(1000)
>>> f = SosFilter(sos)
>>> y = np.concatenate([f.process(x[:300]), f.process(x[300:])])
>>> bool(np.allclose(y, sosfilt(sos, x), rtol=1e-12, atol=1e-12))
True
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import partial

import numpy as np

from .. import _validate, data
from ..data import all_finite
from ..exceptions import InputError
from . import _inputs
from ._frames import filter_finite, rescale
from ._kernels import engine, lfilter_channels, sosfilt_channels, unit_numerator
from ._stream_base import F64, StateStream, Stream, frozen, real, renamed
from .filtering import sos_numerator
from .rates import resample_poly_dtypes, resample_poly_filter, upfirdn_kept

#: a kept chunk form's values (its samples are not kept)
_NONE = np.empty(0)

__all__ = ["SosFilter", "FirFilter", "Resampler"]


class SosFilter(StateStream):
    """Streaming ``sosfilt``: ``process(chunk)`` filters and keeps the section states.

    Parameters
    ----------
    sos : array_like, shape (n_sections, 6)
        The sections, each row ``b0, b1, b2, 1, a1, a2`` (``butter(..., output="sos")``);
        real coefficients (a complex array with zero imaginary parts counts as real).
    zi : array_like, shape (n_sections, 2) or (n_channels, n_sections, 2), optional
        The initial state: one for every channel, or one per channel (the first
        chunk's count; the layout of :attr:`zi_`, not SciPy's ``sosfilt`` layout
        ``(n_sections, n_channels, 2)``, which is ``zi.transpose(1, 0, 2)`` here);
        ``sosfilt_zi(sos) * first_sample`` starts in steady state; zeros when omitted.
        Real, as the chunks are (a complex state is refused, where ``sosfilt`` takes
        one); its dtype promotes with the sections' and the data's, as ``sosfilt``'s
        ``zi``.

    Attributes
    ----------
    sos : ndarray, shape (n_sections, 6)
        The validated sections (float64).
    zi_ : ndarray, shape (n_channels, n_sections, 2), or None
        The section states after the last chunk; None before the first chunk and
        after :meth:`reset`.  Assignable (checked, copied): a state
        saved from a filter of the same sections continues its stream exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(300)
    >>> sos = signal.butter(4, 0.2, output="sos")
    >>> f = dsp.SosFilter(sos)
    >>> y = np.concatenate([f.process(c) for c in np.array_split(x, 7)])
    >>> bool(np.allclose(y, signal.sosfilt(sos, x)))
    True
    """

    _zi_layout = "(n_channels, n_sections, 2)"

    def __init__(self, sos, zi=None):
        self._sos = real(_inputs.validate_sos(sos), "sos")
        self._derive()
        super().__init__()
        self._coef_dtype = np.asarray(sos).dtype
        self._zi0 = None
        if zi is not None:
            self._zi0 = data.as_array(zi, name="zi", allow_empty=True)
            self._check_zi(None)
            # zi's dtype promotes with the data's and the sections' (as sosfilt's zi)
            self._coef_dtype = np.result_type(self._coef_dtype, _inputs.want_dtype(zi, "zi"))
        self._f64_out = _inputs.out_dtype(self._coef_dtype, F64) == F64

    @property
    def sos(self) -> np.ndarray:
        """The second-order sections, ``(n_sections, 6)``: a copy (the filter keeps the
        checked ones; another filter is a new object)."""
        return self._sos.copy()

    def _derive(self):
        self._sos = frozen(renamed(self, "sos", "_sos"))  # checked: no edits in place
        # a numerator near the float64 limits runs divided by a power of two on a rerun
        self._sos_unit, sb = unit_numerator(self._sos, sos_numerator)
        self._sb = 1.0 if sb is None else sb
        self._zi_tail = (self._sos.shape[0], 2)

    def _check_zi(self, n_channels=None):
        """Refuse a ``zi`` of neither shape ``(n_sections, 2)`` nor ``(k, n_sections, 2)``,
        ``k`` 1 or ``n_channels`` (the first chunk's; None before it: any)."""
        shape, n_sec = self._zi0.shape, self._sos.shape[0]
        if shape[-2:] == (n_sec, 2) and (
            len(shape) == 2
            or len(shape) == 3
            and (n_channels is None or shape[0] in (1, n_channels))
        ):
            return
        per_channel = (
            f"(n_channels, {n_sec}, 2)"
            if n_channels is None
            else f"({n_channels}, {n_sec}, 2) for the first chunk's {n_channels} channel(s)"
        )
        raise _validate.error(
            "zi",
            f"must have shape ({n_sec}, 2) (every channel alike) or {per_channel}",
            f"shape {shape}",
            "start from sosfilt_zi(sos) * first_sample; SciPy's sosfilt layout "
            "(n_sections, n_channels, 2) is zi.transpose(1, 0, 2) here",
        )

    def process(self, chunk):
        """Filter the next chunk; returns the chunk's shape and form (a DataFrame
        or Arrow table keeps its index and columns)."""
        with self._lock:
            zi = self._zi
            if (  # a stream's usual chunk, with the least Python around the kernel
                type(chunk) is np.ndarray
                and chunk.dtype is F64
                and zi is not None
                and self._sx is None
                and self._f64_out
                and chunk.flags.c_contiguous
            ):
                x2 = chunk if chunk.ndim == 2 else None if chunk.ndim != 1 else chunk[None]
                if x2 is not None and x2.shape[0] == self._channels:
                    y2, zf = engine().sosfilt(self._sos, x2, zi)
                    if filter_finite(y2, zf, recursive=True):
                        self._zi = zf
                        return y2 if chunk.ndim == 2 else y2[0]
            started = self._started()
            x2, form = self._chunk(chunk, proven=True)
            if zi is None:
                shape = (x2.shape[0], self._sos.shape[0], 2)
                if self._zi0 is None:
                    zi = np.zeros(shape)
                else:
                    try:
                        self._check_zi(shape[0])
                    except InputError:
                        self._unstart(started)  # the stream stays unstarted
                        raise
                    zi = np.ascontiguousarray(np.broadcast_to(self._zi0, shape))
            if self._sx is None:
                y2, zf = sosfilt_channels(self._sos, x2, zi)
                if filter_finite(y2, zf, recursive=True):
                    self._zi = zf
                    return self._out(y2, form)
            if form[0] is None:
                self._unstart(started)
                self._chunk(chunk)  # a NaN or infinite sample raises here, the state kept
            run = partial(sosfilt_channels, self._sos_unit)
            return self._out(self._rerun(run, x2, zi, "SosFilter's output"), form)


class FirFilter(StateStream):
    """Streaming FIR ``lfilter(taps, 1, x)``.

    Long filters run by overlap-add FFT, as ``lfilter``.  Taps near the float64
    limits run divided by a power of two (exact); an output beyond float64 warns.

    Parameters
    ----------
    taps : array_like, shape (n_taps,)
        The FIR coefficients (``firwin(...)``): finite and real.

    Attributes
    ----------
    taps : ndarray, shape (n_taps,)
        The validated taps (float64), the filter's own copy.
    zi_ : ndarray, shape (n_channels, n_taps - 1), or None
        The filter state after the last chunk, as ``lfilter``'s ``zf``; None before
        the first chunk and after :meth:`reset`.  Assignable (checked, copied).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(300)
    >>> taps = signal.firwin(21, 0.3)
    >>> f = dsp.FirFilter(taps)
    >>> y = np.concatenate([f.process(c) for c in np.array_split(x, 7)])
    >>> bool(np.allclose(y, signal.lfilter(taps, 1.0, x)))
    True
    """

    _zi_layout = "(n_channels, n_taps - 1)"

    def __init__(self, taps):
        self._given = np.array(real(_inputs.coefficients(taps, "taps"), "taps"), dtype=np.float64)
        # taps near the float64 limits run divided by a power of two (exact; the
        # state is kept in those units), the output is scaled back
        self._derive()
        super().__init__()
        # lfilter(taps, 1, x): SciPy promotes with the integer 1 (float32 taps: double)
        self._coef_dtype = np.result_type(np.asarray(taps).dtype, np.asarray(1).dtype)

    @property
    def taps(self) -> np.ndarray:
        """The FIR taps, float64: a copy (the filter keeps the checked ones)."""
        return self._given.copy()

    def _derive(self):
        self._given = frozen(renamed(self, "taps", "_given"))  # checked: no edits in place
        self._taps, self._scale = unit_numerator(self._given)
        self._sb = 1.0 if self._scale is None else self._scale  # what _rerun's runs use
        self._zi_tail = (self._given.size - 1,)

    # _zi is kept in the units of the scaled taps (1 / _sb of the data's), and while a
    # rerun's state exceeds float64, in those of its data scale too (StateStream._rerun)
    def _state(self):
        if self._zi is None or self._sx is not None or self._scale is None:
            return super()._state()
        with np.errstate(over="ignore"):
            return self._zi * self._scale

    def _set_state(self, zi):
        super()._set_state(zi if zi is None or self._scale is None else zi / self._scale)

    def process(self, chunk):
        """Filter the next chunk; returns the chunk's shape and form (a DataFrame
        or Arrow table keeps its index and columns)."""
        with self._lock:
            x2, form = self._chunk(chunk)
            if self._zi is None:
                self._zi = np.zeros((x2.shape[0], self._given.size - 1))
            one = np.ones(1)
            if self._sx is None:
                y2, zf = lfilter_channels(self._taps, one, x2, self._zi)
                if all_finite(y2) and all_finite(zf):
                    self._zi = zf
                    if self._scale is not None:
                        y2 = rescale(y2, (self._scale,), "FirFilter's output")
                    return self._out(y2, form)
                zi = self._state()  # data near 1e308: rerun at unit scale, from the data's units
            else:
                zi = self._zi
            run = partial(lfilter_channels, self._taps, one)
            return self._out(self._rerun(run, x2, zi, "FirFilter's output"), form)


class Resampler(Stream):
    """Streaming ``resample_poly(x, up, down, window=window)``.

    ``process(chunk)`` returns the output samples determined by the input so
    far; ``flush()`` returns the remaining ones of the full-length result
    (``ceil(n * up / down)`` samples in all) and resets.

    Parameters
    ----------
    up : int
        The upsampling factor, >= 1.
    down : int
        The downsampling factor, >= 1.
    window : str, tuple or array_like, default ("kaiser", 5.0)
        The anti-aliasing filter as in :func:`scipy.signal.resample_poly`: a window
        for ``firwin(20 * max(up, down) + 1, 1 / max(up, down), window=window)``, or
        the FIR taps themselves, shape (n_taps,).

    Attributes
    ----------
    up : int
        ``up / gcd(up, down)``, the reduced upsampling factor.
    down : int
        ``down / gcd(up, down)``, the reduced downsampling factor.
    h : ndarray, shape (n_h,)
        The polyphase filter applied at rate ``up``: the window's taps scaled by ``up``
        and zero-padded so the outputs are centred, as ``resample_poly`` (``[1.0]``
        when ``up == down``).  Designed taps are rounded to the precision of the
        stream's first chunk (float64 before it), as ``resample_poly`` rounds them to
        the data's; given taps keep their dtype (complex ones give a complex output).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(300)
    >>> r = dsp.Resampler(3, 2)
    >>> y = np.concatenate([r.process(c) for c in np.array_split(x, 7)] + [r.flush()])
    >>> y.shape, bool(np.allclose(y, signal.resample_poly(x, 3, 2)))
    ((450,), True)
    """

    def __init__(self, up, down, window=("kaiser", 5.0)):
        super().__init__()
        # given taps (a copy) decide the result's dtype, as in resample_poly
        self._window = np.array(window) if isinstance(window, (list, np.ndarray)) else window
        up, down = _validate.integer(up, "up", low=1), _validate.integer(down, "down", low=1)
        g = math.gcd(up, down)
        self.up, self.down = up // g, down // g
        self._h_dt = None
        if self.up == self.down == 1:  # resample_poly returns the signal itself
            self._h, self._skip = frozen(np.ones(1)), 0
        else:
            self._design(F64)  # the window is checked here; the first chunk's dtype decides

    @property
    def h(self) -> np.ndarray:
        """The polyphase filter's taps (designed, or the window given): a copy."""
        return self._h.copy()

    def __setstate__(self, state):
        super().__setstate__(state)
        self._h = frozen(renamed(self, "h", "_h"))

    def _design(self, dtype):
        """``h`` and the outputs to skip for data of ``dtype``: designed taps rounded to
        its precision, as :func:`~pyjl.dsp.resample_poly`."""
        h_dt = resample_poly_dtypes(dtype, self._window)[0]
        if self._h_dt is None or h_dt != self._h_dt:
            h, self._skip = resample_poly_filter(self.up, self.down, self._window, h_dt)
            self._h, self._h_dt = frozen(h), h_dt

    def _result_dtype(self, dtype) -> np.dtype:
        """``resample_poly``'s: the data's own when nothing is resampled, else
        :func:`~pyjl.dsp.rates.resample_poly_dtypes`."""
        if self.up == self.down == 1:
            return np.dtype(dtype)
        return resample_poly_dtypes(dtype, self._window)[1]

    def _reset(self):
        self._hist = None  # input samples kept, starting at global index self._start
        self._start = 0
        self._n_in = 0  # samples received
        self._emitted = 0  # samples of the resampled output returned so far

    def _compute(self, upto):
        """Resampled samples ``self._emitted .. upto - 1`` from the history."""
        if upto <= self._emitted:
            return np.zeros((self._hist.shape[0], 0))
        lo_full = self._skip + self._emitted  # index into upfirdn's full output
        hi_full = self._skip + upto
        base = self._start * self.up // self.down  # the history starts at an output boundary
        keep = slice(lo_full - base, hi_full - base)
        seg = upfirdn_kept(self._h, self._hist, self.up, self.down, keep, "Resampler's output")
        out = np.zeros((self._hist.shape[0], upto - self._emitted), dtype=seg.dtype)
        out[:, : seg.shape[1]] = seg
        self._emitted = upto
        return out

    def process(self, chunk):
        """Resample the next chunk; returns ``(k,)`` or ``(n_channels, k)``, or for a
        table chunk a table of ``k`` rows with its columns (pandas: a RangeIndex
        numbering the output samples from the start of the stream)."""
        with self._lock:
            x2, self._form = self._chunk(chunk)
            try:
                return self._resample(chunk, x2)
            finally:  # flush() needs the chunk's form, not its samples
                sig = self._form[0]
                if sig is not None:
                    self._form = (replace(sig, values=_NONE, unchecked=None), *self._form[1:])

    def _resample(self, chunk, x2):
        sig, _, dtype = self._form
        if self.up == self.down == 1:
            return self._same_rate(chunk, x2)
        if self._hist is None:
            self._design(dtype if sig is None else sig.dtype)
            x2 = np.array(x2)  # kept: never a view of the caller's chunk (buffers are reused)
        self._hist = x2 if self._hist is None else np.concatenate((self._hist, x2), axis=1)
        self._n_in += x2.shape[1]
        # outputs i of the full filter whose inputs have all arrived: i*down <= (n-1)*up
        determined = ((self._n_in - 1) * self.up) // self.down + 1 - self._skip
        first = self._emitted
        out = self._compute(max(self._emitted, determined))
        self._trim()
        return self._restore(out, first)

    def _same_rate(self, chunk, x2):
        """``process`` for ``up == down == 1``: a copy of the chunk in its own dtype, as
        ``resample_poly`` returns (integers exact, where ``x2`` rounds them)."""
        sig, first = self._form[0], self._emitted
        self._hist, self._n_in = np.empty((x2.shape[0], 0)), first + x2.shape[1]
        self._emitted = self._n_in
        if sig is None:
            return self._restore(np.array(np.atleast_2d(chunk)), first)
        return self._restore(_inputs.channels(_inputs.own_values(chunk, sig), sig.axis)[0], first)

    def _restore(self, out, first):
        sig = self._form[0]
        if sig is None or sig.origin.kind not in ("series", "dataframe"):
            return self._out(out, self._form)
        import pandas as pd

        return self._out(out, self._form, index=pd.RangeIndex(first, first + out.shape[1]))

    def _trim(self):
        """Drop history no future output needs, keeping the start a multiple of ``down``."""
        next_full = self._skip + self._emitted
        first = (next_full * self.down - self._h.size + 1) // self.up  # first input needed
        first = max(self._start, (max(first, 0) // self.down) * self.down)
        if first > self._start:
            self._hist = np.ascontiguousarray(self._hist[:, first - self._start :])
            self._start = first

    def flush(self):
        """The rest of ``resample_poly``'s output for the signal received; then ``reset()``."""
        with self._lock:
            if self._hist is None:
                return np.zeros(0)
            n_out = -(-self._n_in * self.up // self.down)
            first = self._emitted
            out = self._compute(n_out)
            result = self._restore(out, first)
            self._forget()
            return result
