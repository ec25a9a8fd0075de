"""Test signals: ``max_len_seq`` (maximum length sequences), ``unit_impulse`` and
``gausspulse`` (a Gaussian-modulated sinusoid), as :mod:`scipy.signal`'s.

A maximum length sequence comes from a linear feedback shift register of ``nbits`` bits:
with the register holding ``s_i ... s_{i+n-1}`` (``n = nbits``), the next bit is
``s_{i+n} = s_i XOR s_{i+k_1} XOR ...`` over the taps ``k``.  Over GF(2) the recurrence
polynomial ``q`` satisfies ``q(x)^m = q(x^m)`` for ``m`` a power of two, so the same
sequence also obeys the recurrence with every lag multiplied by ``m`` once past its first
``n + (m - 1) max_lag`` bits: whole blocks of ``m * min_lag`` bits are then computed at
once by XOR of slices, and the block grows with the sequence (Golomb, *Shift Register
Sequences*, 1967, ch. III).  The bits are SciPy's, exactly.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .. import _validate, data
from ._design_args import scalar
from ._frames import check_size
from .waveforms import _number, _restore, _times

__all__ = ["max_len_seq", "unit_impulse", "gausspulse"]

#: SciPy's feedback taps per register length (``scipy.signal.max_len_seq``)
_MLS_TAPS = {
    2: [1], 3: [2], 4: [3], 5: [3], 6: [5], 7: [6], 8: [7, 6, 1], 9: [5], 10: [7],
    11: [9], 12: [11, 10, 4], 13: [12, 11, 8], 14: [13, 12, 2], 15: [14],
    16: [15, 13, 4], 17: [14], 18: [11], 19: [18, 17, 14], 20: [17], 21: [19], 22: [21],
    23: [18], 24: [23, 22, 17], 25: [22], 26: [25, 24, 20], 27: [26, 25, 22], 28: [25],
    29: [27], 30: [29, 28, 7], 31: [28], 32: [31, 30, 10],
}  # fmt: skip


def max_len_seq(nbits, state=None, length=None, taps=None):
    """A maximum length sequence (MLS) of 0s and 1s from a linear feedback shift register.

    Parameters
    ----------
    nbits : int
        Register length; the sequence has period ``2**nbits - 1``.  2 to 32 with SciPy's
        taps; with your own ``taps``, any ``nbits >= 1``.
    state : array_like of 0/1, optional
        The register's initial ``nbits`` bits (default all ones), not all zero.  SciPy
        reads any non-zero value (NaN included) as 1; pyjl takes only 0 and 1 (or bools).
    length : int >= 0, optional
        Number of bits to return (default ``2**nbits - 1``, one period).
    taps : array_like of int, optional
        Feedback taps in ``[0, nbits]`` (repeats are dropped), replacing SciPy's table
        (which gives a maximum length for every ``nbits``; other taps may not).

    Returns
    -------
    seq : ndarray of int8, shape (length,)
        The bits.
    state : ndarray of int8, shape (nbits,)
        The register after the last bit: pass it back as ``state`` to continue.

    Notes
    -----
    Bits are computed by blocks of XORs (see the module's description) rather than one by
    one, so long sequences cost a few NumPy passes.  Fractional ``length`` or ``taps``
    (SciPy truncates them) are refused.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl.dsp import max_len_seq
    >>> seq, state = max_len_seq(4)
    >>> seq
    array([1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0], dtype=int8)
    >>> m = 2.0 * seq - 1  # +-1: its circular autocorrelation is 15, then -1s
    >>> np.real(np.fft.ifft(np.abs(np.fft.fft(m)) ** 2)).round(9)[:4]
    array([15., -1., -1., -1.])
    >>> s1, st = max_len_seq(10, length=100)
    >>> s2 = max_len_seq(10, state=st, length=50)[0]
    >>> bool(np.array_equal(np.r_[s1, s2], signal.max_len_seq(10, length=150)[0]))
    True
    """
    n = _validate.integer(scalar(nbits), "nbits", low=1, fix="pass a register length >= 1")
    lags = _lags(_taps(taps, n), n)
    bits = _state(state, n)
    if length is None:
        total = 2**n - 1
        check_size(total + n, "nbits", nbits, itemsize=1, what="sequence (2**nbits - 1 bits)")
    else:
        total = _validate.integer(scalar(length), "length", low=0, fix="pass a count >= 0")
        check_size(total + n, "length", length, itemsize=1, what="sequence")
    s = _register(bits, lags, total + n)
    return s[:total], s[total:].copy()


def _taps(taps, n: int) -> list[int]:
    if taps is None:
        if n not in _MLS_TAPS:
            raise _validate.error(
                "nbits",
                "must be between 2 and 32 when taps is None (SciPy's table of taps)",
                n,
                "pass nbits in [2, 32], or your own taps",
            )
        return _MLS_TAPS[n]
    raw = np.atleast_1d(data.as_raw(taps, "taps"))
    whole = raw.dtype.kind in "iu" or (
        raw.dtype.kind == "f" and bool(np.all(np.isfinite(raw) & (raw == np.round(raw))))
    )
    if raw.ndim != 1 or raw.size == 0 or not whole:
        raise _validate.error(
            "taps",
            "must be a non-empty 1-D sequence of integers",
            _validate.describe(taps),
            f"pass register positions in [0, {n}], e.g. [{max(n - 1, 0)}]",
            wrong_type=raw.ndim == 1 and raw.size > 0,
        )
    bad = np.flatnonzero((raw < 0) | (raw > n))
    if bad.size:
        raise _validate.error(
            "taps",
            f"must lie in [0, nbits] = [0, {n}]",
            f"{raw[bad[0]]} at index {bad[0]}",
            f"pass register positions between 0 and {n}",
        )
    return [int(k) for k in np.unique(raw)]


def _lags(taps: list[int], n: int) -> list[int]:
    """The lags of ``s_j = XOR s_{j - lag}``: ``n`` for ``s_{j-n}``, ``n - k`` for tap ``k``
    (``k = 0`` or ``n`` reads ``s_{j-n}`` again); a lag counted twice cancels."""
    counts = Counter([n] + [n - (k % n) for k in taps])
    return sorted(lag for lag, c in counts.items() if c % 2)


def _state(state, n: int) -> np.ndarray:
    if state is None:
        return np.ones(n, np.int8)
    raw = np.atleast_1d(data.as_raw(state, "state"))
    if raw.dtype.kind not in "biuf" or raw.ndim != 1 or raw.size != n:
        raise _validate.error(
            "state",
            f"must be a 1-D array of nbits = {n} bits",
            _validate.describe(state),
            f"pass {n} zeros and ones (the register's contents)",
            wrong_type=raw.dtype.kind not in "biuf",
        )
    bad = np.flatnonzero((raw != 0) & (raw != 1))
    if bad.size:
        raise _validate.error(
            "state",
            "must hold only 0s and 1s",
            f"{raw[bad[0]]} at index {bad[0]}",
            "pass bits (0/1 or False/True)",
        )
    if not np.any(raw):
        raise _validate.error(
            "state",
            "must not be all zeros (the register would stay zero)",
            "all zeros",
            "set at least one bit to 1",
        )
    return raw.astype(np.int8)


def _register(bits: np.ndarray, lags: list[int], total: int) -> np.ndarray:
    """``total`` bits of the register started at ``bits`` (``n`` of them), by blocks."""
    n = bits.size
    s = np.zeros(total, np.int8)
    s[: min(n, total)] = bits[:total]
    if not lags:  # every lag cancelled: the register empties after n bits
        return s
    lo, hi = lags[0], lags[-1]
    p = n
    while p < total:
        m = 1
        while n + (2 * m - 1) * hi <= p:
            m *= 2
        b = min(m * lo, total - p)
        block = s[p : p + b]
        np.copyto(block, s[p - m * lo : p - m * lo + b])
        for lag in lags[1:]:
            block ^= s[p - m * lag : p - m * lag + b]
        p += b
    return s


def unit_impulse(shape, idx=None, dtype=float):
    """A unit impulse: zeros with a single 1 at ``idx``.

    Parameters
    ----------
    shape : int or tuple of int
        Output shape; every dimension >= 1 (the impulse needs a sample).
    idx : None, int, tuple of int or 'mid', optional
        Where the 1 goes: ``None`` the first sample, an int the same index on every axis,
        a tuple (or list: SciPy indexes with a list as NumPy's fancy indexing, setting
        several samples) one index per axis (negative counts from the end), ``'mid'`` the
        centre (``shape // 2``).
    dtype : data-type, default float
        The result's dtype.

    Returns
    -------
    y : ndarray of ``shape`` and ``dtype``

    Examples
    --------
    >>> from pyjl.dsp import unit_impulse
    >>> unit_impulse(6, 2)
    array([0., 0., 1., 0., 0., 0.])
    >>> unit_impulse((3, 3), "mid", dtype=int)
    array([[0, 0, 0],
           [0, 1, 0],
           [0, 0, 0]])
    """
    dims = _shape(shape)
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise _validate.error(
            "dtype", "must be a NumPy data type", _validate.describe(dtype), "pass e.g. float"
        ) from None
    if idx is None:
        where = (0,) * len(dims)
    elif isinstance(idx, str):
        _validate.choice(idx, "idx", ("mid",))
        where = tuple(d // 2 for d in dims)
    elif np.ndim(idx) == 0:
        where = (_validate.integer(scalar(idx), "idx"),) * len(dims)
    else:
        where = tuple(_validate.integer(i, "idx") for i in np.asarray(idx, dtype=object).ravel())
        if len(where) != len(dims):
            raise _validate.error(
                "idx",
                f"must give one index per dimension of shape {dims}",
                _validate.describe(idx),
                f"pass {len(dims)} indices",
            )
    for k, (i, d) in enumerate(zip(where, dims)):
        if not -d <= i < d:
            raise _validate.error(
                "idx",
                f"must index inside shape {dims} (in [{-d}, {d - 1}] on axis {k})",
                _validate.describe(idx),
                "pass an index inside the array",
            )
    out = np.zeros(dims, dt)
    out[where] = 1
    return out


def _shape(shape) -> tuple[int, ...]:
    sizes = list(np.asarray(shape, dtype=object).ravel()) if np.ndim(shape) == 1 else [shape]
    dims = tuple(
        _validate.integer(scalar(d), "shape", low=1, fix="pass sizes >= 1") for d in sizes
    )
    check_size(int(np.prod(dims, dtype=object)), "shape", shape, itemsize=1, what="array")
    return dims


def gausspulse(t, fc=1000, bw=0.5, bwr=-6, tpr=-60, retquad=False, retenv=False):
    """A Gaussian-modulated sinusoid ``exp(-a t^2) cos(2 pi fc t)``.

    ``a`` is set so that the spectrum's envelope falls by ``bwr`` dB at ``fc (1 +- bw/2)``:
    ``a = -(pi fc bw)^2 / (4 ln 10^(bwr/20))``.

    Parameters
    ----------
    t : array_like, pandas Series/DataFrame, Arrow array or 'cutoff'
        Times, finite; ``'cutoff'`` returns the time at which the envelope has fallen
        by ``tpr`` dB.
    fc : float >= 0, default 1000
        Centre frequency (Hz); ``'cutoff'`` needs ``fc > 0`` (else the pulse never decays).
    bw : float > 0, default 0.5
        Fractional bandwidth in the frequency domain.
    bwr : float < 0, default -6
        Reference level (dB) at which the bandwidth is measured.
    tpr : float < 0, default -60
        Level (dB) of the cutoff time; checked even when ``t`` is an array.
    retquad, retenv : bool, default False
        Also return the quadrature (sine) part, the envelope.

    Returns
    -------
    yI : ndarray of float64, in ``t``'s form (a float for ``t='cutoff'``)
        The in-phase pulse; then ``yQ`` (with ``retquad``) and ``yenv`` (with ``retenv``).

    Notes
    -----
    Where the envelope has underflowed to 0 the pulse is 0 (SciPy: NaN once ``2 pi fc t``
    overflows); an ``a`` that overflows (SciPy: NaN or ``OverflowError``) is refused.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl.dsp import gausspulse
    >>> tc = gausspulse("cutoff", fc=5, bw=0.5)
    >>> round(float(tc), 6)
    0.556259
    >>> t = np.linspace(-tc, tc, 7)
    >>> yI, yenv = gausspulse(t, fc=5, retenv=True)
    >>> bool(np.array_equal(yI, signal.gausspulse(t, fc=5)))
    True
    """
    fc = _number(fc, "fc", low=0, fix="pass a centre frequency >= 0")
    bw = _number(bw, "bw", low=0, low_open=True, fix="pass a fractional bandwidth > 0")
    bwr = _number(bwr, "bwr", high=0, high_open=True, fix="pass a level in dB < 0, e.g. -6")
    tpr = _number(tpr, "tpr", high=0, high_open=True, fix="pass a level in dB < 0, e.g. -60")
    quad, env = _validate.boolean(retquad, "retquad"), _validate.boolean(retenv, "retenv")
    with np.errstate(all="ignore"):
        try:  # SciPy's Python-float arithmetic, so SciPy's bits
            a = -((np.pi * fc * bw) ** 2) / (4.0 * np.log(pow(10.0, bwr / 20.0)))
        except OverflowError:
            a = np.inf
    if not np.isfinite(a):
        raise _validate.error(
            "bw",
            "must keep the envelope's rate a = -(pi fc bw)^2 / (4 ln 10^(bwr/20)) finite",
            f"fc = {fc!r}, bw = {bw!r}, bwr = {bwr!r}",
            "pass a smaller fc * bw, or bwr further below 0",
        )
    if isinstance(t, str):
        if t != "cutoff":
            raise _validate.error(
                "t", "must be times or the string 'cutoff'", repr(t), "pass t='cutoff'"
            )
        return _cutoff(a, fc, tpr)
    values, org = _times(t)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        yenv = np.exp(-a * values * values)
        # where the envelope is 0 the pulse is 0 (SciPy: NaN once 2 pi fc t overflows)
        out = [_pulse(yenv, f(2 * np.pi * fc * values)) for f in (np.cos, np.sin)[: 1 + quad]]
    out = [_restore(y, values, org) for y in out + ([yenv] if env else [])]
    return out[0] if len(out) == 1 else tuple(out)


def _cutoff(a, fc: float, tpr: float):
    """The time where ``exp(-a t^2)`` is ``tpr`` dB down, as SciPy computes it; for a
    ``tpr`` so low that ``10^(tpr/20)`` underflows, the same in logarithms."""
    with np.errstate(all="ignore"):
        tc = np.sqrt(-np.log(pow(10.0, tpr / 20.0)) / a)
        if not np.isfinite(tc):
            tc = np.sqrt(-(tpr / 20.0) * np.log(10.0) / a)
    if not np.isfinite(tc):
        raise _validate.error(
            "fc",
            "must be > 0 and large enough for a finite cutoff time with t='cutoff'",
            f"fc = {fc!r} (the envelope never falls by tpr = {tpr!r} dB)",
            "pass a larger centre frequency (or bandwidth)",
        )
    return tc


def _pulse(yenv, carrier):
    """``yenv * carrier``, 0 where the envelope is 0 (SciPy: NaN once ``2 pi fc t``
    overflows, 0 times NaN)."""
    y = yenv * carrier
    return y if np.all(np.isfinite(y)) else np.where(yenv == 0, 0.0, y)[()]
