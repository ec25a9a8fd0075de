"""Framed FFTs shared by the spectral estimators and the STFT.

A frame ``k`` of a channel is ``detrend(x[k*step : k*step + nperseg]) * win``
(the engine's ``stft_frames`` kernel, threaded over frames); its spectrum is
``scipy.fft.rfft`` (real data, one-sided) or ``fft`` (two-sided) with
``workers`` set to the thread bound.  Long signals are framed and transformed
in groups of frames, so memory stays bounded when only an average is kept.
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from .. import _config
from ..exceptions import InputError
from . import _edge

__all__ = ["window_array", "detrend_code", "framed_fft", "frame_groups", "workers"]

_DETREND = {False: 0, None: 0, "constant": 1, "linear": 2}


def workers() -> int:
    """Threads for ``scipy.fft`` (the ``pyjl.set_num_threads`` bound)."""
    return int(_config.get("num_threads"))


def window_array(window, nperseg: int) -> np.ndarray:
    """``get_window(window, nperseg)`` for a name/tuple, else the validated array."""
    if isinstance(window, (str, tuple)):
        from scipy.signal import get_window
        try:
            return np.asarray(get_window(window, nperseg), dtype=np.float64)
        except ValueError as exc:
            raise InputError(f"`window` {window!r} is not a window SciPy knows ({exc}). Fix: "
                             "use a name from pyjl.dsp.windows, e.g. 'hann'.") from exc
    win = np.asarray(window)
    if win.ndim != 1:
        raise InputError(f"`window` must be 1-D; got shape {win.shape}. Fix: pass a flat "
                         "array of window values.")
    if win.dtype.kind not in "biuf" or not np.all(np.isfinite(win)):
        raise InputError("`window` must be real and finite. Fix: pass float window values.")
    return np.asarray(win, dtype=np.float64)


def detrend_code(detrend):
    """0/1/2 for none/constant/linear, or the callable itself."""
    if callable(detrend):
        return detrend
    if isinstance(detrend, str) or detrend in (False, None):
        if detrend in _DETREND:
            return _DETREND[detrend]
    raise InputError(f"`detrend` must be 'constant', 'linear', False or a callable; got "
                     f"{detrend!r}. Fix: pick one of those.")


def frame_groups(n_frames: int, frame_len: int, n_channels: int, budget: int = 1 << 18):
    """``(rows, frames)`` slice pairs covering every channel and frame, each group
    about ``budget`` samples (2 MB: frames, spectra and their squares stay in
    cache): blocks of whole channels (contiguous rows, no copy) or, for long
    channels, runs of frames of one channel (a contiguous piece of its row)."""
    per_channel = max(1, n_frames * frame_len)
    if per_channel <= budget:
        rows = max(1, budget // per_channel)
        return [(slice(c, min(n_channels, c + rows)), slice(0, n_frames))
                for c in range(0, n_channels, rows)]
    per = max(1, budget // max(1, frame_len))
    return [(slice(c, c + 1), slice(a, min(n_frames, a + per)))
            for c in range(n_channels) for a in range(0, n_frames, per)]


def _frames_real(x2, win, step, det, frames):
    """Windowed, detrended frames ``frames`` (a slice) of real ``x2 (C, n)``."""
    L = win.size
    if frames.start == 0 and frames.stop == (x2.shape[1] - L) // step + 1:
        part = x2                       # every frame: no slicing, no copy
    else:
        lo, hi = frames.start * step, (frames.stop - 1) * step + L
        part = np.ascontiguousarray(x2[:, lo:hi])   # a view for one channel
    eng = _edge.engine()
    if callable(det):
        raw = eng.stft_frames(part, np.ones(L), step, 0)
        return np.asarray(det(raw), dtype=np.float64) * win
    return eng.stft_frames(part, win, step, det)


def framed_fft(x2, win, step, nfft, det, onesided, frames=None):
    """Spectra ``(C, n_frames, n_freq)`` of the frames of ``x2`` (real or complex)."""
    L = win.size
    n_frames = (x2.shape[1] - L) // step + 1
    if frames is None:
        frames = slice(0, n_frames)
    if np.iscomplexobj(x2):
        fr = _frames_real(np.ascontiguousarray(x2.real), win, step, det, frames) \
            + 1j * _frames_real(np.ascontiguousarray(x2.imag), win, step, det, frames)
    else:
        fr = _frames_real(x2, win, step, det, frames)
    if onesided:
        return sfft.rfft(fr, n=nfft, axis=-1, workers=workers())
    return sfft.fft(fr, n=nfft, axis=-1, workers=workers())
