"""Signal processing with :mod:`scipy.signal`'s names, on pyjl's engines.

Design functions delegate to SciPy after validating their arguments; the
filtering, resampling and spectral kernels run on the current engine
(``native`` Cython by default: nogil, channels across threads).
"""

from . import windows
from .convolve import fftconvolve, oaconvolve
from .design import (bessel, butter, cheby1, cheby2, ellip, firwin, freqz, kaiserord,
                     lfilter_zi, remez, sosfilt_zi, sosfreqz)
from .filtering import filtfilt, lfilter, sosfilt, sosfiltfilt
from .resample import decimate, resample_poly, upfirdn
from .spectral import coherence, csd, periodogram, welch
from .stft import hilbert, istft, spectrogram, stft
from .streaming import FirFilter, Resampler, SosFilter

__all__ = ["windows", "butter", "cheby1", "cheby2", "ellip", "bessel", "firwin", "kaiserord",
           "remez", "freqz", "sosfreqz", "lfilter_zi", "sosfilt_zi", "sosfilt", "lfilter",
           "filtfilt", "sosfiltfilt", "fftconvolve", "oaconvolve", "upfirdn", "resample_poly",
           "decimate", "periodogram", "welch", "csd", "coherence", "spectrogram", "stft",
           "istft", "hilbert", "SosFilter", "FirFilter", "Resampler"]
