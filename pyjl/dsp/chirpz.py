"""The chirp z-transform: ``czt``, ``zoom_fft``, ``CZT``, ``ZoomFFT``, ``czt_points``.

The transform of ``x[0..n-1]`` at the ``m`` points ``z_k = a w^-k`` of a spiral,

    X[k] = sum_j x[j] z_k^-j = w^(k^2/2) sum_j (x[j] a^-j w^(j^2/2)) w^(-(k-j)^2/2),

is Bluestein's convolution (``jk = (j^2 + k^2 - (k-j)^2) / 2``): one FFT of the
pre-chirped signal, a product with the FFT of the chirp ``w^(-t^2/2)``, an inverse FFT
and a post-chirp (Rabiner, Schafer & Rader, IEEE Trans. Audio Electroacoust. 17(2),
1969).  The chirps and the chirp's FFT are computed once per object; the FFTs run on
``scipy.fft`` with the thread bound for long or many-channel input.  Arguments and
results follow :mod:`scipy.signal`, with pyjl's rules on top: ``axis=None`` is the time
axis (-1 for arrays, 0 for tables), results are NumPy complex128 arrays.

>>> import numpy as np
>>> from pyjl.dsp import czt
>>> x = np.random.default_rng(0).standard_normal(16)
>>> bool(np.allclose(czt(x), np.fft.fft(x)))
True
"""

from __future__ import annotations

import cmath
import collections
import math
import numbers
import threading

import numpy as np
import scipy.fft as sfft

from .. import _validate
from .._warn import warn
from ..exceptions import NumericalWarning
from ._frames import check_size, rescale, scale_down, workers
from ._inputs import channels, from_channels, read_signal

__all__ = ["czt", "zoom_fft", "CZT", "ZoomFFT", "czt_points"]

#: the growth of the rounding error (as a natural log) above which a transform warns:
#: eps * e**22.2 is about 1e-6 of the result's scale
_LOST_MAX = 22.2


def _count(value, name: str, what: str) -> int:
    return _validate.integer(value, name, low=1, fix=f"pass the number of {what} (>= 1)")


def _point(value, name: str) -> complex | float:
    """A finite, non-zero number (a spiral's start ``a`` or ratio ``w``): a float when
    real (SciPy's points are then real), else a complex."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Complex):
        raise _validate.error(
            name,
            "must be a complex number",
            _validate.describe(value),
            f"pass a number such as {name}=1+0j",
            wrong_type=True,
        )
    z = complex(value)
    if not (math.isfinite(z.real) and math.isfinite(z.imag)) or z == 0:
        raise _validate.error(
            name,
            "must be a finite, non-zero complex number",
            _validate.describe(value),
            f"pass a finite {name} with |{name}| > 0",
        )
    return z.real if isinstance(value, numbers.Real) else z


def czt_points(m, w=None, a=1 + 0j):
    """The ``m`` points ``z_k = a w^-k`` at which :func:`czt` evaluates the z-transform
    (:func:`scipy.signal.czt_points`); ``w=None`` is ``exp(-2j pi / m)``, the FFT's points
    for ``a = 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> bool(np.allclose(dsp.czt_points(8, w=0.99 * np.exp(-0.1j), a=0.5),
    ...                  signal.czt_points(8, w=0.99 * np.exp(-0.1j), a=0.5)))
    True
    """
    m = _count(m, "m", "points")
    a = _point(a, "a")
    check_size(m, "m", m)
    k = np.arange(m)
    if w is None:
        return a * np.exp(2j * np.pi * k / m)
    return a * _point(w, "w") ** -k.astype(np.float64)


class CZT:
    """A chirp z-transform of signals of length ``n`` at ``m`` points ``a w^-k``
    (:class:`scipy.signal.CZT`), its chirps computed once.

    Parameters
    ----------
    n : int
        The signal length (>= 1) the transform is made for.
    m : int, optional
        The number of output points (>= 1); default ``n``.
    w : complex, optional
        The ratio between points (finite, non-zero); default ``exp(-2j pi / m)``, the
        points of an ``m``-point DFT.
    a : complex, default 1+0j
        The first point (finite, non-zero).

    Attributes
    ----------
    n, m : int
        The input and output lengths.
    w, a : complex
        The spiral's ratio and start.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal((2, 20))
    >>> t = dsp.CZT(20, m=8, w=0.98 * np.exp(-0.2j), a=1.01)
    >>> bool(np.allclose(t(x), signal.CZT(20, 8, 0.98 * np.exp(-0.2j), 1.01)(x)))
    True
    >>> t.points().shape
    (8,)
    """

    def __init__(self, n, m=None, w=None, a=1 + 0j):
        n = _count(n, "n", "input samples")
        m = n if m is None else _count(m, "m", "output points")
        a = _point(a, "a")
        check_size(n + m, "n" if n > m else "m", max(n, m))
        k = np.arange(max(m, n), dtype=np.int64)
        if w is None:
            w = cmath.exp(-2j * np.pi / m)
            # k^2 reduced mod 2m first: the phase stays exact for long transforms
            wk2 = np.exp(-1j * np.pi * ((k * k) % (2 * m)) / m)
        else:
            w = _point(w, "w")
            # a negative real w as complex: its half-integer powers are complex (SciPy's
            # real power gives NaN there)
            base = complex(w) if w.real < 0 and w.imag == 0 else w
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                wk2 = base ** ((k * k) / 2.0)
        self.w, self.a, self.n, self.m = w, a, n, m
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._setup(a ** -k[:n].astype(np.float64) * wk2[:n], wk2)

    def _setup(self, pre: np.ndarray, wk2: np.ndarray) -> None:
        """Keep the pre-chirp, the FFT of the chirp ``1 / wk2`` (lags ``-(n-1)..m-1``) and
        the post-chirp, and how much the chirps magnify rounding (:meth:`_lost`)."""
        n, m = self.n, self.m
        self._lost_log = self._lost()
        self._nfft = sfft.next_fast_len(n + m - 1)
        self._pre = pre
        lags = np.concatenate((wk2[n - 1 : 0 : -1], wk2[:m]))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._chirp_fft = sfft.fft(1.0 / lags, self._nfft)
        self._post = wk2[:m]

    def _lost(self) -> float:
        """The natural log of how far the chirps' magnitudes magnify the convolution's
        rounding beyond the scale of the terms ``x[j] z_k^-j`` themselves.

        Off the unit circle (``|w| != 1``) the chirps ``w^(+-t^2/2)`` span many orders of
        magnitude: the largest product of a pre-chirp, a chirp and a post-chirp against
        the largest ``|z_k^-j|`` bounds the error's growth (0 on the unit circle; it
        predicts the error of SciPy's and pyjl's Bluestein alike within a factor of 10,
        checked against direct sums)."""
        n, m = self.n, self.m
        lw, la = math.log(abs(self.w)), math.log(abs(self.a))
        t = np.arange(max(n, m), dtype=np.float64)
        half = lw * t * t / 2.0  # log |w^(t^2/2)|
        worst = (
            half[:m].max() + (half[:n] - la * t[:n]).max() - min(half[:n].min(), half[:m].min())
        )
        natural = max(0.0, -(n - 1) * float((la - lw * t[:m]).min()))
        return float(worst - natural)

    def __call__(self, x, *, axis=None):
        """The transform of ``x`` along ``axis`` (its length must be ``n``): ``x``'s shape
        with that axis of length ``m``, complex128 (NumPy, also for tables)."""
        return self._apply(read_signal(x, axis=axis, finite=False))

    def _apply(self, sig) -> np.ndarray:
        if sig.n != self.n:
            raise _validate.error(
                "x",
                f"must have the transform's length n = {self.n} along axis {sig.axis}",
                f"length {sig.n} (shape {sig.values.shape})",
                f"pass a signal of {self.n} samples or make a transform for {sig.n}",
            )
        x2, outer = channels(sig.values, sig.axis)
        x2, s = scale_down(x2, -1, sig.require_finite)
        threads = workers(x2.shape[0] * self._nfft, self._nfft)
        with np.errstate(over="ignore", invalid="ignore"):
            spec = sfft.fft(x2 * self._pre, self._nfft, axis=-1, workers=threads)
            spec *= self._chirp_fft
            y2 = sfft.ifft(spec, axis=-1, workers=threads, overwrite_x=True)
            y2 = y2[:, self.n - 1 : self.n - 1 + self.m] * self._post
        if self._lost_log > _LOST_MAX:
            warn(
                f"The chirp z-transform's points lie far off the unit circle (|w| = "
                f"{abs(self.w):.6g} over {max(self.n, self.m)} samples): Bluestein's "
                f"rounding grows by about 1e{self._lost_log / math.log(10):.0f}, so the "
                "result may be wrong in every digit where it is small (SciPy's czt "
                "computes the same way). Evaluate fewer points, or a spiral nearer the "
                "unit circle (|w| closer to 1).",
                NumericalWarning,
            )
        y2 = rescale(y2, (s,), "The chirp z-transform", np.complex128)
        return from_channels(y2, outer, sig.axis)

    def points(self):
        """The ``m`` points ``a w^-k`` the transform evaluates (:func:`czt_points`)."""
        return czt_points(self.m, self.w, self.a)


class ZoomFFT(CZT):
    """The DFT of signals of length ``n`` at ``m`` frequencies spanning ``fn``
    (:class:`scipy.signal.ZoomFFT`), its chirps computed once.

    Parameters
    ----------
    n : int
        The signal length (>= 1).
    fn : float or (float, float)
        The band ``[f1, f2]`` (finite, in the units of ``fs``), or a scalar ``f2`` for
        ``[0, f2]``.
    m : int, optional
        The number of frequencies (>= 1); default ``n``.
    fs : float, default 2
        The sampling frequency (finite, > 0): ``fn = 2`` spans the whole circle.
    endpoint : bool, default False
        Include ``f2`` (frequencies ``f1 + k (f2 - f1) / (m - 1)``) or not
        (``f1 + k (f2 - f1) / m``).  With ``m = 1`` and ``endpoint=True`` the one
        frequency is ``f1``, as ``numpy.linspace`` gives (SciPy divides by zero).

    Attributes
    ----------
    f1, f2, fs : float
        The band and sampling frequency.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(64)
    >>> t = dsp.ZoomFFT(64, [0.1, 0.3], m=50, fs=2)
    >>> bool(np.allclose(t(x), signal.ZoomFFT(64, [0.1, 0.3], 50)(x)))
    True
    """

    def __init__(self, n, fn, m=None, *, fs=2, endpoint=False):
        n = _count(n, "n", "input samples")
        m = n if m is None else _count(m, "m", "output points")
        f1, f2 = _band(fn)
        fs = _validate.real(fs, "fs", low=0, low_open=True)
        endpoint = _validate.boolean(endpoint, "endpoint")
        check_size(n + m, "n" if n > m else "m", max(n, m))
        span = 0 if endpoint and m == 1 else (m - 1 if endpoint else m)
        scale = (f2 - f1) / fs * (m / span) if span else 0.0
        self.f1, self.f2, self.fs = f1, f2, fs
        self.w = cmath.exp(-2j * np.pi / m * scale)
        self.a = cmath.exp(2j * np.pi * f1 / fs)
        self.n, self.m = n, m
        k = np.arange(max(m, n), dtype=np.int64)
        wk2 = np.exp(-1j * np.pi * scale * (k * k) / m)
        self._setup(np.exp(-2j * np.pi * f1 / fs * k[:n]) * wk2[:n], wk2)


def _band(fn) -> tuple[float, float]:
    """``fn`` as ``(f1, f2)``: a scalar is ``(0, fn)``."""
    arr = np.asarray(fn, dtype=object) if not isinstance(fn, np.ndarray) else fn
    if arr.size not in (1, 2) or arr.ndim > 1:
        raise _validate.error(
            "fn",
            "must be a frequency f2 or a pair [f1, f2]",
            _validate.describe(fn),
            "pass fn=0.5 (the band [0, 0.5]) or fn=[0.1, 0.3]",
        )
    values = arr.ravel().tolist()
    names = ["fn"] if len(values) == 1 else ["fn[0]", "fn[1]"]
    got = [_validate.real(v, nm, fix="pass finite frequencies") for v, nm in zip(values, names)]
    return (0.0, got[0]) if len(got) == 1 else (got[0], got[1])


def czt(x, m=None, w=None, a=1 + 0j, *, axis=None):
    """The z-transform of ``x`` at the ``m`` points ``a w^-k`` along ``axis``
    (:func:`scipy.signal.czt`); the defaults give the FFT.

    Parameters
    ----------
    x : array_like, DataFrame or Arrow data
        The signal (finite; real or complex).
    m, w, a
        As :class:`CZT`.
    axis : int, optional
        The transformed axis: -1 for arrays (SciPy's default), 0 for tables.

    Returns
    -------
    ndarray of complex128
        ``x``'s shape with ``axis`` of length ``m`` (NumPy for tables too).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(30)
    >>> bool(np.allclose(dsp.czt(x, 12, 0.99 * np.exp(-0.3j), 1.1),
    ...                  signal.czt(x, 12, 0.99 * np.exp(-0.3j), 1.1)))
    True
    """
    sig = read_signal(x, axis=axis, min_len=0, finite=False)
    _check_length(sig)
    n = sig.n
    m = n if m is None else _count(m, "m", "output points")
    key = ("czt", n, m, None if w is None else _point(w, "w"), _point(a, "a"))
    return _kept(key, lambda: CZT(n, m=m, w=w, a=a))._apply(sig)


def zoom_fft(x, fn, m=None, *, fs=2, endpoint=False, axis=None):
    """The DFT of ``x`` at ``m`` frequencies spanning ``fn`` along ``axis``
    (:func:`scipy.signal.zoom_fft`); ``zoom_fft(x, 2)`` is ``fft(x)``.

    Parameters
    ----------
    x : array_like, DataFrame or Arrow data
        The signal (finite; real or complex).
    fn, m, fs, endpoint
        As :class:`ZoomFFT`.
    axis : int, optional
        The transformed axis: -1 for arrays (SciPy's default), 0 for tables.

    Returns
    -------
    ndarray of complex128
        ``x``'s shape with ``axis`` of length ``m`` (NumPy for tables too).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(100)
    >>> bool(np.allclose(dsp.zoom_fft(x, [0.2, 0.4], 64, endpoint=True),
    ...                  signal.zoom_fft(x, [0.2, 0.4], 64, endpoint=True)))
    True
    """
    sig = read_signal(x, axis=axis, min_len=0, finite=False)
    _check_length(sig)
    n = sig.n
    m = n if m is None else _count(m, "m", "output points")
    band = _band(fn)
    fs = _validate.real(fs, "fs", low=0, low_open=True)
    endpoint = _validate.boolean(endpoint, "endpoint")
    key = ("zoom", n, m, *band, fs, endpoint)
    return _kept(key, lambda: ZoomFFT(n, band, m=m, fs=fs, endpoint=endpoint))._apply(sig)


#: the latest transforms made by czt and zoom_fft (a repeated call reuses the chirps)
_KEPT: collections.OrderedDict[tuple, CZT] = collections.OrderedDict()
_KEPT_LOCK = threading.Lock()
#: transforms kept at most, and the longest kept (n + m: 32 MB of chirps at 2**20)
_KEEP, _KEEP_LEN = 2, 1 << 21


def _kept(key: tuple, make) -> CZT:
    """The kept transform for ``key`` (validated arguments), else ``make()`` (kept when
    its length is at most :data:`_KEEP_LEN`)."""
    with _KEPT_LOCK:
        found = _KEPT.get(key)
        if found is not None:
            _KEPT.move_to_end(key)
            return found
    made = make()
    if made.n + made.m <= _KEEP_LEN:
        with _KEPT_LOCK:
            _KEPT[key] = made
            while len(_KEPT) > _KEEP:
                _KEPT.popitem(last=False)
    return made


def _check_length(sig) -> None:
    if sig.n == 0:
        raise _validate.error(
            "x",
            f"must have at least one sample along axis {sig.axis}",
            f"shape {sig.values.shape}",
            "pass a non-empty signal",
        )
