"""SciPy's short-time Fourier transform object, with every frame transformed at once.

:class:`ShortTimeFFT` is :class:`scipy.signal.ShortTimeFFT` (a subclass: its properties,
its time and frequency axes, ``from_window``, ``from_dual`` and ``from_win_equals_dual``
are SciPy's, and ``isinstance`` holds) whose ``stft``, ``stft_detrend``, ``spectrogram``
and ``istft`` run without SciPy's loop over time slices: the frames come from the
engine's ``stft_frames`` kernel (windowed and detrended, channels across threads) and
one :mod:`scipy.fft` call transforms a block of them; the inverse adds its frames back
by residue classes of the hop.  Results equal SciPy's to rounding (the same operations,
summed in another order where frames overlap).  Every argument is checked first, and
refused with an :class:`~pyjl.exceptions.InputError` naming it, as are the properties
set later (``fs``, ``T``, ``fft_mode``, ``mfft``, ``phase_shift``, ``scale_to``) and the
arguments SciPy's own methods refuse (``p_max``, ``t``, ``p_range``, ``extent``,
``dual_win``, ...: :mod:`pyjl.dsp._short_time_fft_relay`, SciPy's words first).

>>> import numpy as np
>>> from pyjl.dsp import ShortTimeFFT
>>> from pyjl.dsp.windows import hann
>>> x = np.random.default_rng(0).standard_normal(1000)
>>> sft = ShortTimeFFT(hann(128, sym=False), hop=32, fs=1.0)
>>> S = sft.stft(x)
>>> S.shape == (sft.f_pts, sft.p_num(x.size))
True
>>> bool(np.allclose(sft.istft(S, k1=x.size), x))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.signal as _ss
from scipy.signal import ShortTimeFFT as _SCIPY

from .. import _validate
from ..data import as_raw
from ..exceptions import InputError
from . import _short_time_fft_frames as sft_frames
from ._design_args import MAX_TAPS, call_scipy, finite, finite_result
from ._inputs import axis_index, read_signal
from ._short_time_fft_relay import Relayed

__all__ = ["ShortTimeFFT", "closest_STFT_dual_window"]

FFT_MODES = ("twosided", "centered", "onesided", "onesided2X")
PADDINGS = ("zeros", "edge", "even", "odd")


def _window(win, name: str, length: int | None = None) -> np.ndarray:
    """``win`` as a finite, non-empty 1-D NumPy array of its own dtype (a copy: SciPy
    makes the array it keeps read-only)."""
    finite(win, name)
    arr = np.array(as_raw(win, name))
    if arr.ndim != 1 or arr.size == 0:
        raise _validate.error(
            name, "must be a non-empty 1-D array", f"shape {arr.shape}", "pass one window"
        )
    if length is not None and arr.size != length:
        raise _validate.error(
            name,
            f"must have the window's length {length}",
            f"length {arr.size}",
            "pass a dual window as long as `win`",
        )
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    return arr.astype(arr.dtype.newbyteorder("="), copy=False)  # the engine's byte order


def _hop(hop) -> int:
    return _validate.integer(
        hop, "hop", low=1, high=MAX_TAPS, fix="pass the shift between frames in samples"
    )


def _positive(value, name: str) -> float:
    return _validate.real(value, name, low=0, low_open=True)


class ShortTimeFFT(Relayed):
    """:class:`scipy.signal.ShortTimeFFT` with pyjl's checks and its transforms taken
    a block of frames at a time.

    Parameters
    ----------
    win : array_like, shape (m_num,)
        The window (real or complex), finite.
    hop : int
        Samples between the starts of two frames, from 1 to 2**24.
    fs : float
        Sampling frequency, > 0.
    fft_mode : {'onesided', 'twosided', 'centered', 'onesided2X'}
        As in SciPy; one-sided modes need a real window, ``'onesided2X'`` a scaling.
    mfft : int, optional
        FFT length, from ``m_num`` (the default) to 2**24.
    dual_win : array_like, shape (m_num,), optional
        The dual window used by ``istft`` (default: the canonical dual).
    scale_to : {'magnitude', 'psd'}, optional
        Scale the window to give magnitude or power-spectral-density values.
    phase_shift : int or None
        Linear phase added to each frame's FFT, ``-mfft < phase_shift < mfft``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import ShortTimeFFT
    >>> sft = ShortTimeFFT.from_window("hann", fs=100.0, nperseg=64, noverlap=48)
    >>> x = np.sin(2 * np.pi * 12.5 * np.arange(2000) / 100.0)  # on the 8th bin
    >>> Sx = sft.spectrogram(x)
    >>> float(sft.f[Sx[:, 40].argmax()])
    12.5
    """

    def __init__(
        self,
        win,
        hop,
        fs,
        *,
        fft_mode="onesided",
        mfft=None,
        dual_win=None,
        scale_to=None,
        phase_shift=0,
    ):
        win = _window(win, "win")
        hop = _hop(hop)
        if dual_win is not None:
            dual_win = _window(dual_win, "dual_win", win.size)
        if scale_to is not None:
            _validate.choice(scale_to, "scale_to", ("magnitude", "psd"))
        # SciPy's initializer sets fs, mfft, fft_mode and phase_shift through the
        # properties below, which check them
        super().__init__(
            win,
            hop,
            fs,
            fft_mode=fft_mode,
            mfft=mfft,
            dual_win=dual_win,
            scale_to=scale_to,
            phase_shift=phase_shift,
        )

    # -- the properties set after construction, checked in pyjl's voice ----------------
    @property
    def fs(self) -> float:
        """Sampling frequency of the signal and the window (> 0)."""
        return _SCIPY.fs.fget(self)

    @fs.setter
    def fs(self, v) -> None:
        _SCIPY.fs.fset(self, _positive(v, "fs"))

    @property
    def T(self) -> float:
        """Sampling interval ``1 / fs`` (> 0)."""
        return _SCIPY.T.fget(self)

    @T.setter
    def T(self, v) -> None:
        _SCIPY.T.fset(self, _positive(v, "T"))

    @property
    def fft_mode(self) -> str:
        """The FFT's layout: ``'twosided'``, ``'centered'``, ``'onesided'`` or
        ``'onesided2X'`` (see :attr:`scipy.signal.ShortTimeFFT.fft_mode`)."""
        return _SCIPY.fft_mode.fget(self)

    @fft_mode.setter
    def fft_mode(self, t) -> None:
        self._check_mode(t, self.win, self.scaling)
        _SCIPY.fft_mode.fset(self, t)

    @staticmethod
    def _check_mode(t, win: np.ndarray, scaling) -> None:
        _validate.choice(t, "fft_mode", FFT_MODES)
        if t in ("onesided", "onesided2X") and np.iscomplexobj(win):
            raise _validate.error(
                "fft_mode",
                "must be 'twosided' or 'centered' for a complex window",
                repr(t),
                "pass fft_mode='twosided' or 'centered', or a real window",
            )
        if t == "onesided2X" and scaling is None:
            raise _validate.error(
                "fft_mode",
                "may be 'onesided2X' only for a window scaled to 'magnitude' or 'psd'",
                repr(t),
                "pass scale_to='magnitude' or 'psd' (or call scale_to first)",
            )

    @property
    def mfft(self) -> int:
        """FFT length, at least the window's length ``m_num``."""
        return _SCIPY.mfft.fget(self)

    @mfft.setter
    def mfft(self, n_) -> None:
        fix = "pass an FFT length from the window's length to 2**24"
        mfft = _validate.integer(n_, "mfft", low=self.m_num, high=MAX_TAPS, fix=fix)
        _SCIPY.mfft.fset(self, mfft)

    @property
    def phase_shift(self) -> int | None:
        """Linear phase added to each frame's FFT, in samples (or None)."""
        return _SCIPY.phase_shift.fget(self)

    @phase_shift.setter
    def phase_shift(self, v) -> None:
        if v is not None:
            m = self.mfft
            v = _validate.integer(v, "phase_shift", low=1 - m, high=m - 1)
        _SCIPY.phase_shift.fset(self, v)

    def scale_to(self, scaling) -> None:
        """Scale the window to give ``'magnitude'`` or ``'psd'`` values
        (:meth:`scipy.signal.ShortTimeFFT.scale_to`)."""
        _SCIPY.scale_to(self, _validate.choice(scaling, "scaling", ("magnitude", "psd")))

    # -- transforms ----------------------------------------------------------------------
    def stft(self, x, p0=None, p1=None, *, k_offset=0, padding="zeros", axis=-1) -> np.ndarray:
        """The STFT of ``x`` along ``axis``: a complex array with that axis replaced by
        the frequencies and a last axis of time slices ``p0 .. p1 - 1``
        (:meth:`scipy.signal.ShortTimeFFT.stft`)."""
        return self.stft_detrend(x, None, p0, p1, k_offset=k_offset, padding=padding, axis=axis)

    def stft_detrend(
        self, x, detr, p0=None, p1=None, *, k_offset=0, padding="zeros", axis=-1
    ) -> np.ndarray:
        """The STFT of ``x`` with each frame detrended first: ``detr`` is None,
        ``'constant'``, ``'linear'`` or a function of one frame
        (:meth:`scipy.signal.ShortTimeFFT.stft_detrend`)."""
        kw = {"k_offset": k_offset, "padding": padding, "axis": axis}
        S, values = self._stft("x", x, detr, p0, p1, **kw)
        return finite_result(S, ("x", "win"), values)

    def _stft(self, name, x, detr, p0, p1, *, k_offset, padding, axis):
        """The STFT of the signal ``name`` (``x``) and its values as read."""
        if not (detr is None or callable(detr)):
            _validate.choice(detr, "detr", ("constant", "linear", None))
        padding = _validate.choice(padding, "padding", PADDINGS)
        k_offset = _validate.integer(k_offset, "k_offset")
        sig = read_signal(x, name=name, axis=_validate.integer(axis, "axis"))
        values = sig.values
        if self.onesided_fft and np.iscomplexobj(values):
            raise _validate.error(
                name,
                f"must be real for fft_mode={self.fft_mode!r}",
                f"a complex array of dtype {values.dtype}",
                "set fft_mode='twosided' or 'centered' for complex signals",
            )
        n, m2 = sig.n, self.m_num - self.m_num_mid
        if n < m2:
            raise _validate.error(
                name,
                f"must have at least ceil(m_num / 2) = {m2} samples along axis {sig.axis}",
                f"shape {values.shape}",
                "pass a longer signal or a shorter window",
            )
        p0, p1 = self._slices(n, p0, p1)
        x1 = sft_frames.padded(self, np.moveaxis(values, sig.axis, -1), p0, p1, k_offset, padding)
        S = sft_frames.spectra(self, x1, p1 - p0, detr)
        if values.ndim > 1:
            return np.moveaxis(S, -2, sig.axis), values
        return S, values

    def spectrogram(
        self, x, y=None, detr=None, *, p0=None, p1=None, k_offset=0, padding="zeros", axis=-1
    ) -> np.ndarray:
        """``|S_x|^2``, or the cross-spectrogram ``S_x conj(S_y)`` when ``y`` is given
        (:meth:`scipy.signal.ShortTimeFFT.spectrogram`)."""
        kw = {"k_offset": k_offset, "padding": padding, "axis": axis}
        Sx, values = self._stft("x", x, detr, p0, p1, **kw)
        if y is None or y is x:
            with np.errstate(over="ignore"):  # refused below
                out = Sx.real**2 + Sx.imag**2
            return finite_result(out, ("x", "win"), values)
        Sy, _ = self._stft("y", y, detr, p0, p1, **kw)
        with np.errstate(over="ignore", invalid="ignore"):
            out = Sx * Sy.conj()
        return finite_result(out, ("x", "y", "win"), values)

    def istft(self, S, k0=0, k1=None, *, f_axis=-2, t_axis=-1) -> np.ndarray:
        """The signal samples ``k0 .. k1 - 1`` of the STFT ``S`` by overlap-add with the
        dual window (:meth:`scipy.signal.ShortTimeFFT.istft`); real for one-sided
        FFT modes."""
        finite(S, "S")
        S = np.asarray(as_raw(S, "S"))
        f_ax, t_ax = self._istft_axes(S, f_axis, t_axis)
        S = np.moveaxis(S, (f_ax, t_ax), (-2, -1))
        if not self.invertible:
            raise _validate.error(
                "self",
                "must have a window with a dual (an invertible STFT)",
                f"a window of {self.m_num} samples at hop {self.hop}",
                "use a window whose shifted squares overlap everywhere (NOLA), or pass dual_win",
            )
        q_max = S.shape[-1] + self.p_min
        k_max = (q_max - 1) * self.hop + self.m_num - self.m_num_mid
        k0 = _validate.integer(k0, "k0", low=self.k_min, high=k_max - 1)
        if k1 is not None:
            fix = f"pass k1 from k0 + 1 = {k0 + 1} to {k_max}"
            k1 = _validate.integer(k1, "k1", low=k0 + 1, high=k_max, fix=fix)
        k1 = k_max if k1 is None else k1
        n_min = self.m_num - self.m_num_mid
        if k1 - k0 < n_min:
            raise _validate.error(
                "k1",
                f"must be at least k0 + {n_min} (half the window's length)",
                k1,
                f"pass k1 >= {k0 + n_min}",
            )
        with np.errstate(over="ignore", invalid="ignore"):  # refused below
            x = sft_frames.overlap_add(self, S, k0, k1)
        x = finite_result(x, ("S", "dual_win"), S)
        if x.ndim > 1:  # where SciPy puts the time axis
            x = np.moveaxis(x, -1, f_ax if f_ax < x.ndim else t_ax)
        return x

    # -- the pieces ----------------------------------------------------------------------
    def _slices(self, n: int, p0, p1) -> tuple[int, int]:
        p_max = self.p_max(n)
        p0 = self.p_min if p0 is None else _validate.integer(p0, "p0")
        p1 = p_max if p1 is None else _validate.integer(p1, "p1")
        if not self.p_min <= p0 < p1 <= p_max:
            raise _validate.error(
                "p0, p1",
                f"must satisfy p_min = {self.p_min} <= p0 < p1 <= p_max = {p_max} "
                f"for a signal of {n} samples",
                f"p0={p0}, p1={p1}",
                "pass time slices within the signal's range (None: all of them)",
            )
        return p0, p1

    def _istft_axes(self, S: np.ndarray, f_axis, t_axis) -> tuple[int, int]:
        if S.ndim < 2:
            raise _validate.error(
                "S",
                "must be at least 2-D (frequencies x time slices)",
                f"shape {S.shape}",
                "pass the array stft returned",
            )
        axes = []
        for name, ax in (("f_axis", f_axis), ("t_axis", t_axis)):
            axes.append(axis_index(ax, S.shape, "S", name))
        if axes[0] == axes[1]:
            raise _validate.error(
                "t_axis", "must differ from f_axis", t_axis, "pass two different axes of S"
            )
        if S.shape[axes[0]] != self.f_pts:
            raise _validate.error(
                "S",
                f"must have f_pts = {self.f_pts} frequencies along f_axis {f_axis}",
                f"shape {S.shape}",
                "pass an STFT of this ShortTimeFFT's fft_mode and mfft",
            )
        q_num = self.p_num(self.m_num - self.m_num_mid)
        if S.shape[axes[1]] < q_num:
            raise _validate.error(
                "S",
                f"must have at least {q_num} time slices along t_axis {t_axis}",
                f"shape {S.shape}",
                "pass the STFT of a signal of at least half the window's length",
            )
        return axes[0], axes[1]


def closest_STFT_dual_window(win, hop, desired_dual=None, *, scaled=True) -> tuple[Any, Any]:
    """The dual window of ``win`` at ``hop`` closest to ``desired_dual`` (ones by
    default), and the scaling factor ``alpha`` (:func:`scipy.signal.closest_STFT_dual_window`).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import closest_STFT_dual_window
    >>> from pyjl.dsp.windows import hann
    >>> dual, alpha = closest_STFT_dual_window(hann(16, sym=False), 8)
    >>> bool(np.allclose(dual, np.ones(16) * alpha))
    True
    """
    win = _window(win, "win")
    hop = _validate.integer(
        hop, "hop", low=1, high=win.size, fix=f"pass a hop from 1 to len(win) = {win.size}"
    )
    if desired_dual is not None:
        desired_dual = _window(desired_dual, "desired_dual", win.size)
    scaled = _validate.boolean(scaled, "scaled")
    try:
        with np.errstate(all="ignore"):
            out = call_scipy(_ss.closest_STFT_dual_window, win, hop, desired_dual, scaled=scaled)
    except InputError as exc:
        if "not invertible" in str(exc):
            raise _validate.error(
                "win",
                f"must have a dual at hop {hop} (its shifted squares must overlap everywhere)",
                _validate.describe(win),
                "pass a smaller hop, or a window without zeros that hop leaves uncovered",
            ) from None
        if "unstable scaling factor" in str(exc):
            raise _validate.error(
                "desired_dual",
                "must overlap the canonical dual of `win` for scaled=True (the scaling "
                "factor is numerically unstable)",
                _validate.describe(desired_dual),
                "pass scaled=False, or a desired_dual (and win) that does not vanish",
            ) from None
        raise
    return finite_result(out, ("desired_dual", "win"), desired_dual)
