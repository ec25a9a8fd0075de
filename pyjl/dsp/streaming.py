"""Streaming filters: ``SosFilter``, ``FirFilter``, ``Resampler``.

Each keeps the state a one-shot call would carry from one sample to the next,
so feeding a signal chunk by chunk gives exactly the one-shot result:

* ``SosFilter(sos).process`` chunks concatenate to ``sosfilt(sos, x)``;
* ``FirFilter(taps).process`` chunks concatenate to ``lfilter(taps, 1, x)``;
* ``Resampler(up, down).process`` chunks, then ``.flush()``, concatenate to
  ``resample_poly(x, up, down)`` (``process`` emits every output sample the
  input so far determines; ``flush`` adds the rest, as if the signal ended).

A chunk is ``(n,)`` (one channel) or ``(n_channels, n)``; the channel count
is fixed by the first chunk until ``reset()``.  The kernels are the engine's
``sosfilt``, ``lfilter`` and ``upfirdn``.

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

import numpy as np

from ..exceptions import InputError
from . import _edge
from .filtering import lfilter2, sosfilt2
from .resample import resample_poly_filter, upfirdn2

__all__ = ["SosFilter", "FirFilter", "Resampler"]


class _Stream:
    """Chunk validation and the channel count shared by the streaming filters."""

    def __init__(self):
        self._channels = None
        self._reset()

    def _reset(self):
        """Forget the filter state (the filters' ``zi_``; overridden where it is more)."""
        self.zi_ = None

    def _chunk(self, chunk):
        arr = np.asarray(chunk)
        if arr.dtype.kind not in "biuf":
            raise InputError(f"`chunk` must be real numbers; got dtype {arr.dtype}. "
                             "Fix: pass float samples.")
        if arr.ndim not in (1, 2):
            raise InputError(f"`chunk` must be (n,) or (n_channels, n); got shape {arr.shape}."
                             " Fix: put channels first, samples last.")
        x2 = np.ascontiguousarray(np.atleast_2d(arr), dtype=np.float64)
        # one pass without a temporary: a sum is finite when every sample is (an
        # overflowing sum of finite samples falls through to the exact check)
        if not np.isfinite(np.add.reduce(x2, axis=None)) and \
                (bad := np.flatnonzero(~np.isfinite(x2.ravel()))).size:
            idx = np.unravel_index(bad[0], x2.shape)
            raise InputError(f"`chunk` must be finite; got {x2[idx]} at "
                             f"{idx if arr.ndim == 2 else idx[1]}. Fix: clean the samples.")
        if self._channels is None:
            self._channels = (x2.shape[0], arr.ndim)
        elif self._channels[0] != x2.shape[0]:
            raise InputError(f"`chunk` must keep {self._channels[0]} channel(s) until reset(); "
                             f"got {x2.shape[0]}. Fix: call reset() to change channels.")
        return x2, arr.ndim

    @staticmethod
    def _out(y2, ndim):
        return y2[0] if ndim == 1 else y2

    def reset(self) -> None:
        """Forget the state: the next chunk starts a new signal."""
        self._channels = None
        self._reset()


class SosFilter(_Stream):
    """Streaming ``sosfilt``: ``process(chunk)`` filters and keeps the section states
    ``zi_ (n_channels, n_sections, 2)``.

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

    def __init__(self, sos, zi=None):
        super().__init__()
        self.sos = _edge.validate_sos(sos)
        self._zi0 = None if zi is None else np.asarray(zi, dtype=np.float64)
        if self._zi0 is not None and self._zi0.shape[-2:] != (self.sos.shape[0], 2):
            raise InputError(f"`zi` must end in shape ({self.sos.shape[0]}, 2); got "
                             f"{self._zi0.shape}. Fix: use sosfilt_zi(sos) * first_sample.")

    def process(self, chunk):
        """Filter the next chunk; returns an array of the chunk's shape."""
        x2, nd = self._chunk(chunk)
        if self.zi_ is None:
            shape = (x2.shape[0], self.sos.shape[0], 2)
            self.zi_ = np.zeros(shape) if self._zi0 is None else \
                np.ascontiguousarray(np.broadcast_to(self._zi0, shape))
        y2, self.zi_ = sosfilt2(self.sos, x2, self.zi_)
        return self._out(y2, nd)


class FirFilter(_Stream):
    """Streaming FIR ``lfilter(taps, 1, x)``; the state ``zi_`` is ``(n_channels,
    len(taps) - 1)``.  Long filters run by overlap-add FFT, as ``lfilter``.

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

    def __init__(self, taps):
        super().__init__()
        self.taps = np.ascontiguousarray(_edge.coefficients(taps, "taps"), dtype=np.float64)

    def process(self, chunk):
        """Filter the next chunk; returns an array of the chunk's shape."""
        x2, nd = self._chunk(chunk)
        if self.zi_ is None:
            self.zi_ = np.zeros((x2.shape[0], self.taps.size - 1))
        y2, self.zi_ = lfilter2(self.taps, np.ones(1), x2, self.zi_)
        return self._out(y2, nd)


class Resampler(_Stream):
    """Streaming ``resample_poly(x, up, down, window=window)``.

    ``process(chunk)`` returns the output samples determined by the input so
    far; ``flush()`` returns the remaining ones of the full-length result
    (``ceil(n * up / down)`` samples in all) and resets.

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
        up, down = _edge.as_int(up, "up", minimum=1), _edge.as_int(down, "down", minimum=1)
        g = math.gcd(up, down)
        self.up, self.down = up // g, down // g
        if self.up == self.down == 1:     # resample_poly returns the signal itself
            self.h, self._skip = np.ones(1), 0
        else:
            self.h, self._skip = resample_poly_filter(self.up, self.down, window)

    def _reset(self):
        self._hist = None      # input samples kept, starting at global index self._start
        self._start = 0
        self._n_in = 0         # samples received
        self._emitted = 0      # samples of the resampled output returned so far

    def _compute(self, upto):
        """Resampled samples ``self._emitted .. upto - 1`` from the history."""
        if upto <= self._emitted:
            return np.zeros((self._hist.shape[0], 0))
        lo_full = self._skip + self._emitted      # index into upfirdn's full output
        hi_full = self._skip + upto
        base = self._start * self.up // self.down   # the history starts at an output boundary
        y = upfirdn2(self.h, self._hist, self.up, self.down)
        out = np.zeros((self._hist.shape[0], upto - self._emitted))
        seg = y[:, lo_full - base:hi_full - base]
        out[:, :seg.shape[1]] = seg
        self._emitted = upto
        return out

    def process(self, chunk):
        """Resample the next chunk; returns ``(k,)`` or ``(n_channels, k)``."""
        x2, nd = self._chunk(chunk)
        self._nd = nd
        self._hist = x2 if self._hist is None else np.concatenate((self._hist, x2), axis=1)
        self._n_in += x2.shape[1]
        # outputs i of the full filter whose inputs have all arrived: i*down <= (n-1)*up
        determined = ((self._n_in - 1) * self.up) // self.down + 1 - self._skip
        out = self._compute(max(self._emitted, determined))
        self._trim()
        return self._out(out, nd)

    def _trim(self):
        """Drop history no future output needs, keeping the start a multiple of ``down``."""
        next_full = self._skip + self._emitted
        first = (next_full * self.down - self.h.size + 1) // self.up   # first input needed
        first = max(self._start, (max(first, 0) // self.down) * self.down)
        if first > self._start:
            self._hist = np.ascontiguousarray(self._hist[:, first - self._start:])
            self._start = first

    def flush(self):
        """The rest of ``resample_poly``'s output for the signal received; then ``reset()``."""
        if self._hist is None:
            return np.zeros(0)
        n_out = -(-self._n_in * self.up // self.down)
        out = self._compute(n_out)
        nd = self._nd
        self.reset()
        return self._out(out, nd)
