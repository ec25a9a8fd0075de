"""The envelope of a signal by its band-limited analytic signal: ``envelope``.

With ``Z = fft(z)`` (``n`` samples) and the band ``[lo, hi)`` of DFT bins (negative
bins are negative frequencies), the baseband signal is the band's bins moved to zero
frequency and transformed back on ``n_out`` samples,

    z_bb[t] = (n_out / n) sum_{k=lo}^{hi-1} Z'[k] e^{2 pi i (k - lo) t / n_out},

where a real ``z`` has ``Z'[k] = 2 Z[k]`` for ``k > 0`` (its analytic signal, Marple,
IEEE Trans. SP 47(9), 1999), and the envelope is ``|z_bb|`` (``|z_bb|^2`` if
``squared``): shifting a band in frequency leaves its magnitude unchanged.  The residual
is what the band-pass removed (``'all'``) or its part below ``lo`` (``'lowpass'``),
resampled to ``n_out`` samples the way :func:`scipy.signal.resample` does.  Arguments and
results follow :func:`scipy.signal.envelope`.

>>> import numpy as np
>>> from pyjl.dsp import envelope
>>> t = np.arange(400) / 400
>>> x = (1 + 0.5 * np.cos(2 * np.pi * 2 * t)) * np.cos(2 * np.pi * 40 * t)
>>> env, res = envelope(x)
>>> bool(np.allclose(env, 1 + 0.5 * np.cos(2 * np.pi * 2 * t)))
True
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from .. import _validate
from ._frames import check_size, rescale, scale_down, workers
from ._inputs import channels, from_channels, read_signal

__all__ = ["envelope"]

_TABLES = ("dataframe", "arrow_table", "arrow_batch")
_WHAT = "The envelope"


def envelope(z, bp_in=(1, None), *, n_out=None, squared=False, residual="lowpass", axis=None):
    """The envelope of ``z`` within a band of frequencies, and optionally the residual
    (:func:`scipy.signal.envelope`).

    Parameters
    ----------
    z : array_like, DataFrame or Arrow data
        The signal, real or complex, finite, at least one sample along ``axis``.
    bp_in : (int or None, int or None), default (1, None)
        The band ``[bp_in[0], bp_in[1])`` in DFT bins (multiples of ``1 / (n T)``),
        ``-(n // 2) <= bp_in[0] < bp_in[1] <= (n + 1) // 2``; ``None`` is ``-(n // 2)``
        or ``(n + 1) // 2``.  The default drops the mean and the negative frequencies.
        SciPy also takes ``bp_in[0] = -(n // 2) - 1`` for odd ``n``, a bin that does
        not exist (its result mixes unrelated bins); pyjl refuses it.
    n_out : int, optional
        Resample the results to ``n_out`` (>= 1) samples; default ``n``.
    squared : bool, default False
        Return the squared envelope ``|z_bb|^2``.
    residual : {'lowpass', 'all', None}, default 'lowpass'
        Return also the part below the band (``'lowpass'``), everything outside it
        (``'all'``), or only the envelope (``None``).  For real ``z`` the residual is
        real.
    axis : int, optional
        The time axis: -1 for arrays (SciPy's default), 0 for tables.

    Returns
    -------
    ndarray, DataFrame or Arrow data, or a tuple of two of them
        With ``residual=None`` the envelope: ``z``'s shape with ``n_out`` samples along
        ``axis``, real (float32 for float32 or complex64 data, else float64), in ``z``'s
        form.  Otherwise ``(envelope, residual)`` stacked along a new first axis, shape
        ``(2, ...)``, as SciPy (complex for complex ``z``), which unpacks into the two
        (a NumPy array also for a Series or an Arrow array); for a table ``z`` (which
        cannot hold 3-D data) the tuple of the two tables.

    Notes
    -----
    Two slices of SciPy 1.17 select no bins where the band says otherwise; pyjl follows
    the documented band: with ``bp_in[0] == 0`` SciPy's residual is all zero (it
    zeroes bins ``0:`` for the band's negative part), and with ``bp_in[1] == 0`` its
    envelope is zero and its residual keeps the band (the slice ``lo:0`` is empty).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal((3, 200))
    >>> ours = dsp.envelope(x, (4, 60), n_out=50, residual="all")
    >>> ours.shape
    (2, 3, 50)
    >>> bool(np.allclose(ours, signal.envelope(x, (4, 60), n_out=50, residual="all")))
    True
    """
    sig = read_signal(z, name="z", axis=axis, finite=False)
    n = sig.n
    lo, hi = _band(bp_in, n)
    n_out = n if n_out is None else _validate.integer(n_out, "n_out", low=1)
    squared = _validate.boolean(squared, "squared")
    residual = _validate.choice(residual, "residual", ("lowpass", "all", None))
    z2, outer = channels(sig.values, sig.axis)
    check_size(z2.shape[0] * max(n, n_out) * (2 if residual else 1), "n_out", n_out)
    z2, s = scale_down(z2, -1, sig.require_finite)
    threads = workers(z2.shape[0] * max(n, n_out), max(n, n_out))
    cplx = z2.dtype.kind == "c"
    if cplx:
        Z = sfft.fft(z2, axis=-1, workers=threads)
    else:
        Z = sfft.rfft(z2, axis=-1, workers=threads)
        if lo <= 0:  # the band holds negative bins: SciPy's full-length spectrum
            full = np.zeros(z2.shape, dtype=Z.dtype)
            full[:, : Z.shape[1]] = Z
            Z = full
        if hi > 0:
            Z[:, max(lo, 1) : hi] *= 2  # the analytic signal within the band
    if lo > 0 or hi <= 0:
        band = Z[:, lo : hi or None]
    else:
        band = np.concatenate((Z[:, n + lo :], Z[:, :hi]), axis=1)
    z_bb = sfft.ifft(band, n=n_out, axis=-1, workers=threads)
    fac = (n_out / n) ** (2 if squared else 1)
    single = z2.dtype in (np.float32, np.complex64) or sig.dtype == np.float16
    # unscaled double data (|z| <= 2**400) cannot overflow here: no pass to look for it
    bounded = s is None and not single
    stacked = residual is not None and sig.origin.kind not in _TABLES
    real_dt = np.float32 if single else np.float64
    out = np.empty((2,) + z_bb.shape, np.result_type(real_dt, Z.dtype if cplx else real_dt))
    env = out[0] if stacked and bounded and not cplx else None
    if squared:
        env = np.multiply(z_bb.real, z_bb.real, out=env)
        env += z_bb.imag**2
    else:
        env = np.abs(z_bb, out=env)
    if fac != 1:
        env *= fac
    if not bounded:
        env = rescale(env, (None if s is None else s * s if squared else s,), _WHAT, real_dt)
    if residual is None:
        return sig.restore(from_channels(env, outer, sig.axis))
    _clear(Z, lo, hi, n, residual == "lowpass")
    res = _resample(Z, n, n_out, cplx, threads)
    if not bounded:
        res = rescale(res, (s,), _WHAT, out.dtype if cplx else real_dt)
    if not stacked:
        return sig.restore(from_channels(env, outer, sig.axis)), sig.restore(
            from_channels(res, outer, sig.axis)
        )
    if env is not out[0]:
        out[0] = env
    out[1] = res
    return np.moveaxis(out.reshape((2,) + outer + (n_out,)), -1, sig.axis + 1)


def _band(bp_in, n: int) -> tuple[int, int]:
    """``bp_in`` as the bins ``(lo, hi)`` of a signal of ``n`` samples."""
    if isinstance(bp_in, np.ndarray) and bp_in.ndim == 1:
        bp_in = bp_in.tolist()
    if not isinstance(bp_in, (tuple, list)) or len(bp_in) != 2:
        raise _validate.error(
            "bp_in",
            "must be a pair (low, high) of bin numbers or None",
            _validate.describe(bp_in),
            "pass e.g. bp_in=(1, None)",
            wrong_type=not isinstance(bp_in, (tuple, list, np.ndarray)),
        )
    fix = "pass an integer bin number or None"
    lo, hi = (
        None if b is None else _validate.integer(b, f"bp_in[{i}]", fix=fix)
        for i, b in enumerate(bp_in)
    )
    lo = -(n // 2) if lo is None else lo
    hi = (n + 1) // 2 if hi is None else hi
    if not -(n // 2) <= lo < hi <= (n + 1) // 2:
        raise _validate.error(
            "bp_in",
            f"must satisfy -(n // 2) <= bp_in[0] < bp_in[1] <= (n + 1) // 2 = {(n + 1) // 2} "
            f"for n = {n} samples",
            f"{tuple(bp_in)!r} (bins {lo} to {hi})",
            f"pass a non-empty band of bins within [{-(n // 2)}, {(n + 1) // 2}]",
        )
    return lo, hi


def _clear(Z: np.ndarray, lo: int, hi: int, n: int, lowpass: bool) -> None:
    """Zero the band's bins of ``Z`` (and, for ``lowpass``, the bins at or above it) in
    place; ``Z`` holds bins ``0..`` (negative ones from ``n + k``)."""
    if lo > 0 or hi <= 0:
        Z[:, lo : hi or None] = 0
    else:
        Z[:, :hi] = 0
        if lo < 0:
            Z[:, n + lo :] = 0
    if lowpass:
        if hi > 0:
            Z[:, hi : (n + 1) // 2] = 0
        else:
            Z[:, n + lo :] = 0
            Z[:, : (n + 1) // 2] = 0


def _resample(Z: np.ndarray, n: int, n_out: int, cplx: bool, threads: int) -> np.ndarray:
    """The signal of spectrum ``Z`` (``n`` samples) on ``n_out`` samples, as
    :func:`scipy.signal.resample` in the frequency domain (real: one-sided ``Z``): the
    bin pair at ``+-m/2`` (``m = min(n, n_out)`` even) united or split."""
    fac, m = n_out / n, min(n, n_out)
    if not cplx:
        if n_out != n and m % 2 == 0:
            Z[:, m // 2] *= 2 if n_out < n else 0.5
        out = sfft.irfft(Z, n=n_out, axis=-1, workers=threads)
        out *= fac
        return out
    if n_out == n:
        return sfft.ifft(Z, axis=-1, workers=threads)
    pos = m // 2 + 1
    Y = np.zeros((Z.shape[0], n_out), dtype=Z.dtype)
    Y[:, :pos] = Z[:, :pos]
    if pos < m:
        Y[:, n_out - (m - pos) :] = Z[:, n - (m - pos) :]
    if m % 2 == 0:
        if n_out < n:
            Y[:, n_out - m // 2] += Z[:, n - m // 2]
        else:
            Y[:, m // 2] /= 2
            Y[:, n_out - m // 2] = Y[:, m // 2]
    Y *= fac
    return sfft.ifft(Y, axis=-1, workers=threads, overwrite_x=True)
