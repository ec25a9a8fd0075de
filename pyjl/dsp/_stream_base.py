"""What the streaming filters share: chunk validation, the channel count fixed by the
first chunk, the column names fixed by the first chunk that has them, the result in
the chunk's form, and the checked filter state ``zi_`` (:mod:`pyjl.dsp.streaming`)."""

from __future__ import annotations

import threading

import numpy as np

from .. import _validate, data
from . import _inputs
from ._frames import power_of_two_scale, rescale

__all__ = ["F64", "frozen", "real", "renamed", "Stream", "StateStream"]

#: float64, the dtype a stream's usual chunk has (compared by identity: cheap)
F64 = np.dtype(np.float64)


def real(coef, name):
    """``coef`` when real (complex with zero imaginary parts counts), else InputError."""
    if np.iscomplexobj(coef):
        if np.any(coef.imag):
            raise _validate.error(
                name,
                "must be real for a streaming filter",
                "complex coefficients",
                "filter the whole signal with "
                "pyjl.dsp.lfilter/sosfilt, which take complex coefficients",
            )
        return np.ascontiguousarray(coef.real)
    return coef


class Stream:
    """Chunk validation, the channel count and the column names shared by the streaming
    filters.

    A table's columns are its channels, paired with the filter state by position; so the
    column labels of the first chunk that has them (a DataFrame, Arrow table or batch; a
    DataFrame's default 0, 1, ... too) are kept until :meth:`reset`, and a later table
    with other labels, or the same labels in another order, is refused.  A plain array (or
    Series) has no column labels: it is taken by position, before or after tables, its
    channels in the order of the kept columns.

    Every public method holds the stream's lock (``_lock``): chunks sent from several
    threads at once are filtered one at a time, each from the state the one before left
    (in the order the threads take the lock); unguarded, two read the same state and one
    chunk's memory was lost.
    """

    #: the coefficients' dtype: with the chunk's, it sets the output dtype as in the
    #: one-shot call (float32 only when both are single precision)
    _coef_dtype = np.dtype(np.float64)

    def __init__(self):
        # reentrant: a signal handler that checkpoints the stream (pickle, zi_) may land
        # inside process() on the same thread, where a plain lock would deadlock
        self._lock = threading.RLock()
        self._channels = None
        self._names = None  # the column names of the first chunk that had them
        self._out_dtypes = {}
        self._reset()

    def _reset(self):
        """Forget the filter state (each stream's own)."""
        raise NotImplementedError

    def _chunk(self, chunk, proven=False):
        """``(x2, form)``: the chunk as float64 channels ``(n_channels, n)`` and what
        :meth:`_out` needs to give a result the chunk's form.  ``proven``: a NumPy
        chunk is not checked for NaN and infinity here, the caller proves it finite
        from its filter's final state (:func:`pyjl.dsp._frames.filter_finite`)."""
        if type(chunk) is np.ndarray and chunk.ndim in (1, 2) and chunk.dtype.kind in "fiu":
            # the common case, without the table machinery: a finite sum proves
            # every sample finite (otherwise the general path names the bad one)
            x2 = np.ascontiguousarray(np.atleast_2d(chunk), dtype=np.float64)
            if proven:
                return self._count(x2), (None, chunk.ndim, chunk.dtype)
            with np.errstate(all="ignore"):
                if np.isfinite(np.add.reduce(x2, axis=None)):
                    return self._count(x2), (None, chunk.ndim, chunk.dtype)
        sig = _inputs.read_signal(chunk, name="chunk", min_len=0)
        if sig.values.dtype.kind == "c":
            raise _validate.error(
                "chunk",
                "must be real numbers",
                f"dtype {sig.values.dtype}",
                "filter the real and imaginary parts separately",
            )
        if sig.values.ndim > 2:
            raise _validate.error(
                "chunk",
                "must be (n,) or (n_channels, n), or a table of time x channels",
                f"shape {sig.values.shape}",
                "put channels first, samples last",
            )
        x2, outer = _inputs.channels(sig.values, sig.axis)
        x2 = self._count(np.ascontiguousarray(x2, dtype=np.float64))
        self._check_names(chunk)
        return x2, (sig, outer, None)

    def _count(self, x2):
        """``x2``, once its channel count is checked against the first chunk's."""
        if self._channels is None:
            self._channels = x2.shape[0]
        elif self._channels != x2.shape[0]:
            raise _validate.error(
                "chunk",
                f"must keep {self._channels} channel(s) until reset()",
                f"{x2.shape[0]} channel(s)",
                "call reset() to change channels",
            )
        return x2

    def _check_names(self, chunk):
        """Keep the column names of the first chunk that has them; refuse a later table
        whose names differ (its columns would meet another column's state)."""
        if self._names is None:
            self._names = _validate.column_labels(chunk)
            return
        _validate.check_feature_names(
            self._names,
            chunk,
            "chunk",
            seen="of the stream's first chunk with column names",
            fix=f"select them in that order, chunk[{self._names!r}], "
            "or call reset() to start a new stream",
            labels=True,
        )

    def _started(self):
        """What the first chunk fixes: restored by :meth:`_unstart` when it is refused."""
        return self._channels, self._names

    def _unstart(self, started):
        self._channels, self._names = started

    def _out(self, y2, form, **kwargs):
        """``y2 (n_channels, k)`` in the chunk's form: an array of the chunk's
        layout, or a table (time x channels) with the chunk's columns."""
        sig, layout, dtype = form
        if sig is None:  # a NumPy chunk; layout is its ndim
            y = y2[0] if layout == 1 else y2
            dt = self._out_dtypes.get(dtype)
            if dt is None:  # once per chunk dtype, not on every chunk
                dt = self._out_dtypes[dtype] = self._result_dtype(dtype)
            return y if y.dtype == dt else y.astype(dt)
        y = _inputs.from_channels(y2, layout, sig.axis)  # layout: the channel shape
        return sig.restore(y.astype(self._result_dtype(sig.dtype), copy=False), **kwargs)

    def _result_dtype(self, dtype) -> np.dtype:
        """The dtype of the one-shot call's result on data of ``dtype``."""
        return _inputs.out_dtype(self._coef_dtype, dtype)

    def __getstate__(self):
        with self._lock:  # not halfway through a chunk
            state = self.__dict__.copy()
        state.pop("_lock", None)  # a lock does not pickle; the copy gets its own
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def reset(self) -> None:
        """Forget the state, the channel count and the column names: the next chunk
        starts a new signal."""
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        self._channels = None
        self._names = None
        self._reset()


def frozen(a) -> np.ndarray:
    """A read-only copy of ``a``: a filter's coefficients, which its checks have seen
    (an edit in place would skip them; a new filter is a new object)."""
    out = np.array(a, copy=True)
    out.flags.writeable = False
    return out


def renamed(stream, old: str, new: str):
    """``stream``'s attribute ``new``, taken from ``old`` where a stream pickled by an
    earlier pyjl kept it there (a public attribute then, a property now)."""
    if old in stream.__dict__:
        stream.__dict__[new] = stream.__dict__.pop(old)
    return stream.__dict__[new]


class StateStream(Stream):
    """A stream whose state is the public ``zi_``: ``(n_channels,) + _zi_tail``.

    ``zi_`` is read (a read-only view) and assigned by users (a saved state restored, a
    channel's state changed on a copy: ``z = f.zi_.copy(); z[1] = 0; f.zi_ = z``), and the
    kernels index it without bounds checks: an assignment is checked here, once, so the
    per-chunk path reads the private ``_zi`` unchecked.

    A chunk near the float64 limit reruns at a power-of-two scale (:meth:`_rerun`); while
    the true state then exceeds float64, ``_zi`` is kept at that scale: in units of
    ``1 / (_sx * _sb)``, ``_sx`` the per-channel scale, ``_sb`` the coefficients' (None
    ``_sx``: the data's units).
    """

    #: the state's shape after its channel axis (each filter's), and its layout in words
    _zi_tail = ()
    _zi_layout = "(n_channels, ...)"
    _sx = None
    _sb = 1.0

    def _reset(self):
        self._set_state(None)

    def _derive(self):
        """Set what each filter derives from its coefficients (``_sb``, ``_zi_tail``...)."""
        raise NotImplementedError

    def __setstate__(self, state):
        """A stream pickled by an earlier pyjl continues: its state was the plain attribute
        ``zi_``, and what is derived from the coefficients is derived again."""
        state = dict(state)
        if "zi_" in state:
            state["_zi"] = state.pop("zi_")
        super().__setstate__(state)
        self._derive()

    def _state(self):
        """The state in the data's units (infinite where it exceeds float64)."""
        if self._sx is None:
            return self._zi
        sx = self._sx.reshape(self._sx.shape + (1,) * (self._zi.ndim - 2))
        with np.errstate(over="ignore"):
            return self._zi * sx * self._sb

    def _set_state(self, zi):
        """Keep ``zi``: a checked float64 array in the data's units, or None."""
        self._zi, self._sx = zi, None

    def _rerun(self, run, x2, zi, what):
        """The chunk's output from ``run(x2 / sx, zi_scaled) -> (y2, zf)`` (the
        coefficients already divided by ``_sb``) at a per-channel power-of-two scale
        ``sx``, exact for a linear filter, as the one-shot calls rerun data near the
        float64 limit (:func:`pyjl.dsp._kernels.rerun_scaled`): the scale of the data and
        the state, or the scaled state's own unless the chunk needs more.  The final
        state stays scaled while its true value exceeds float64, so the next chunk goes
        on exactly; an output beyond float64 warns."""
        per_channel = (-1,) + (1,) * (zi.ndim - 1)
        if self._sx is None:
            sx = power_of_two_scale(np.concatenate((x2, zi.reshape(x2.shape[0], -1)), axis=1))
            sx = np.ones((x2.shape[0], 1)) if sx is None else sx
            zi = zi / sx.reshape(per_channel) / self._sb
        else:  # the scale only grows (a power-of-two ratio: exact but for underflow)
            sx = power_of_two_scale(x2)
            sx = self._sx if sx is None else np.maximum(self._sx, sx)
            zi = zi * (self._sx / sx).reshape(per_channel)
        y2, self._zi = run(x2 / sx, zi)
        self._sx = sx
        true = self._state()
        if data.all_finite(true):
            self._set_state(true)
        return rescale(y2, (sx, self._sb), what)

    @property
    def zi_(self):
        """The state after the last chunk, or None before the first chunk and after
        ``reset()``.  Assigning checks the shape (the stream's channel count; before the
        first chunk the state fixes it) and that the values are finite, and keeps a
        float64 copy; None restarts from the initial state at the next chunk.  What is read
        is read-only (change a state by assigning it, which checks it)."""
        with self._lock:
            state = self._state()
        if state is None:
            return None
        view = state.view()
        view.flags.writeable = False
        return view

    @zi_.setter
    def zi_(self, value):
        with self._lock:
            self._assign_zi(value)

    def _assign_zi(self, value):
        if value is None:
            self._set_state(None)
            return
        zi = data.as_array(value, name="zi_", copy=True, allow_empty=True)
        n, tail = self._channels, self._zi_tail
        if zi.shape[1:] != tail or zi.ndim != len(tail) + 1 or n not in (None, zi.shape[0]):
            want = ", ".join(map(str, ("n_channels" if n is None else n,) + tail))
            held = "" if n is None else f" for the stream's {n} channel(s)"
            raise _validate.error(
                "zi_",
                f"must have shape ({want}), {self._zi_layout}{held}",
                f"shape {zi.shape}",
                "assign a state read from zi_ of a stream with the same coefficients and "
                "channels, None to restart the state, or call reset() to change channels",
            )
        if n is None:  # as a first chunk would, the state fixes the channel count
            self._channels = zi.shape[0]
        self._set_state(zi)
