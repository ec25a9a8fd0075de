"""Signal processing with :mod:`scipy.signal`'s names, on pyjl's engines.

Design functions delegate to SciPy after validating their arguments; the
filtering, resampling and spectral kernels run on the current engine
(``native`` Cython by default: nogil, channels across threads).
"""

from . import windows
from .conversions import sos2tf, sos2zpk, tf2sos, tf2zpk, zpk2sos, zpk2tf
from .convolution import fftconvolve, oaconvolve
from .correlation import choose_conv_method, convolve, correlate, correlation_lags
from .design import bessel, butter, cheby1, cheby2, ellip, iircomb, iirnotch, iirpeak
from .design_fir import firwin, firwin2, kaiserord, remez
from .filtering import lfilter, sosfilt
from .fourier_resample import resample
from .peaks import find_peaks, peak_prominences, peak_widths
from .rates import decimate, resample_poly, upfirdn
from .response import freqz, lfilter_zi, lfiltic, sosfilt_zi, sosfreqz
from .savgol import savgol_coeffs, savgol_filter
from .spectral import coherence, csd, periodogram, welch
from .stft import hilbert, istft, spectrogram, stft
from .streaming import FirFilter, Resampler, SosFilter
from .trends import detrend
from .zero_phase import filtfilt, sosfiltfilt

__all__ = [
    "windows",
    "butter",
    "cheby1",
    "cheby2",
    "ellip",
    "bessel",
    "firwin",
    "kaiserord",
    "remez",
    "iirnotch",
    "iirpeak",
    "iircomb",
    "firwin2",
    "freqz",
    "sosfreqz",
    "lfilter_zi",
    "sosfilt_zi",
    "lfiltic",
    "tf2zpk",
    "zpk2tf",
    "tf2sos",
    "sos2tf",
    "zpk2sos",
    "sos2zpk",
    "sosfilt",
    "lfilter",
    "filtfilt",
    "sosfiltfilt",
    "detrend",
    "savgol_filter",
    "savgol_coeffs",
    "convolve",
    "correlate",
    "correlation_lags",
    "choose_conv_method",
    "fftconvolve",
    "oaconvolve",
    "upfirdn",
    "resample_poly",
    "decimate",
    "resample",
    "periodogram",
    "welch",
    "csd",
    "coherence",
    "spectrogram",
    "stft",
    "istft",
    "hilbert",
    "find_peaks",
    "peak_prominences",
    "peak_widths",
    "SosFilter",
    "FirFilter",
    "Resampler",
]
