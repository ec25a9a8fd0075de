"""What the streaming filters share: chunk validation, the channel count fixed by the
first chunk, the column names fixed by the first chunk that has them, and the result in
the chunk's form (:mod:`pyjl.dsp.streaming`)."""

from __future__ import annotations

import numpy as np

from .. import _validate
from . import _inputs

__all__ = ["F64", "real", "Stream"]

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
    """

    #: the coefficients' dtype: with the chunk's, it sets the output dtype as in the
    #: one-shot call (float32 only when both are single precision)
    _coef_dtype = np.dtype(np.float64)

    def __init__(self):
        self._channels = None
        self._names = None  # the column names of the first chunk that had them
        self._out_dtypes = {}
        self._reset()

    def _reset(self):
        """Forget the filter state (the filters' ``zi_``; overridden where it is more)."""
        self.zi_ = None

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

    def reset(self) -> None:
        """Forget the state, the channel count and the column names: the next chunk
        starts a new signal."""
        self._channels = None
        self._names = None
        self._reset()
