"""Signal processing with :mod:`scipy.signal`'s names, on pyjl's engines.

Design functions delegate to SciPy after validating their arguments; the
filtering, resampling and spectral kernels run on the current engine
(``native`` Cython by default: nogil, channels across threads).
"""

from . import windows
from .analog import (
    bilinear,
    bilinear_zpk,
    lp2bp,
    lp2bp_zpk,
    lp2bs,
    lp2bs_zpk,
    lp2hp,
    lp2hp_zpk,
    lp2lp,
    lp2lp_zpk,
)
from .band_stop import band_stop_obj
from .chirpz import CZT, ZoomFFT, czt, czt_points, zoom_fft
from .conversions import sos2tf, sos2zpk, tf2sos, tf2zpk, zpk2sos, zpk2tf
from .convolution import fftconvolve, oaconvolve
from .convolution2d import convolve2d, correlate2d
from .correlation import choose_conv_method, convolve, correlate, correlation_lags
from .delay import freqs, freqs_zpk, freqz_zpk, group_delay
from .design import bessel, butter, cheby1, cheby2, ellip, iircomb, iirnotch, iirpeak
from .design_fir import firwin, firwin2, kaiserord, remez
from .design_fir_2d import firwin_2d
from .design_fir_extra import firls, kaiser_atten, kaiser_beta, minimum_phase
from .design_orders import buttord, cheb1ord, cheb2ord, ellipord, iirdesign, iirfilter
from .discretize import cont2discrete
from .envelopes import envelope
from .extrema import argrelextrema, argrelmax, argrelmin, vectorstrength
from .filtering import lfilter, sosfilt
from .fourier_resample import resample
from .gammatone import gammatone
from .images import deconvolve, hilbert2, wiener
from .lomb_scargle import lombscargle
from .lti_discrete import dbode, dfreqresp, dimpulse, dlsim, dstep
from .lti_systems import (
    StateSpace,
    TransferFunction,
    ZerosPolesGain,
    bode,
    dlti,
    freqresp,
    impulse,
    lsim,
    lti,
    step,
)
from .overlap import check_COLA, check_NOLA
from .partial_fractions import invres, invresz, residue, residuez, unique_roots
from .peaks import find_peaks, peak_prominences, peak_widths
from .peaks_cwt import find_peaks_cwt
from .pole_placement import place_poles
from .prototypes import besselap, buttap, cheb1ap, cheb2ap, ellipap
from .rank_filters import medfilt, medfilt2d, order_filter
from .rates import decimate, resample_poly, upfirdn
from .response import freqz, lfilter_zi, lfiltic, sosfilt_zi, sosfreqz
from .response import sosfreqz as freqz_sos  # SciPy's newer name of the same function
from .savgol import savgol_coeffs, savgol_filter
from .sequences import gausspulse, max_len_seq, unit_impulse
from .short_time_fft import ShortTimeFFT, closest_STFT_dual_window
from .spectral import coherence, csd, periodogram, welch
from .splines import cspline1d, cspline1d_eval, gauss_spline, qspline1d, qspline1d_eval
from .splines2d import cspline2d, qspline2d, sepfir2d, spline_filter
from .state_space import abcd_normalize, ss2tf, ss2zpk, tf2ss, zpk2ss
from .stft import hilbert, istft, spectrogram, stft
from .streaming import FirFilter, Resampler, SosFilter
from .symmetric_iir import symiirorder1, symiirorder2
from .transfer_functions import BadCoefficients, findfreqs, normalize
from .trends import detrend
from .waveforms import chirp, sawtooth, square, sweep_poly
from .windows import get_window  # type: ignore[attr-defined]  # made in a loop there
from .zero_phase import filtfilt, sosfiltfilt

__all__ = [
    "windows",
    # filter design
    "butter",
    "cheby1",
    "cheby2",
    "ellip",
    "bessel",
    "iirfilter",
    "iirdesign",
    "buttord",
    "cheb1ord",
    "cheb2ord",
    "ellipord",
    "band_stop_obj",
    "iirnotch",
    "iirpeak",
    "iircomb",
    "firwin",
    "firwin2",
    "firwin_2d",
    "firls",
    "remez",
    "kaiserord",
    "kaiser_beta",
    "kaiser_atten",
    "minimum_phase",
    "gammatone",
    "get_window",
    # analog prototypes and transforms
    "buttap",
    "cheb1ap",
    "cheb2ap",
    "ellipap",
    "besselap",
    "lp2lp",
    "lp2hp",
    "lp2bp",
    "lp2bs",
    "lp2lp_zpk",
    "lp2hp_zpk",
    "lp2bp_zpk",
    "lp2bs_zpk",
    "bilinear",
    "bilinear_zpk",
    # responses and filter forms
    "freqz",
    "sosfreqz",
    "freqz_zpk",
    "freqs",
    "freqs_zpk",
    "group_delay",
    "lfilter_zi",
    "sosfilt_zi",
    "lfiltic",
    "tf2zpk",
    "zpk2tf",
    "tf2sos",
    "sos2tf",
    "zpk2sos",
    "sos2zpk",
    "freqz_sos",
    "findfreqs",
    "normalize",
    "BadCoefficients",
    # state space and partial fractions
    "tf2ss",
    "ss2tf",
    "zpk2ss",
    "ss2zpk",
    "abcd_normalize",
    "cont2discrete",
    "unique_roots",
    "residue",
    "residuez",
    "invres",
    "invresz",
    # LTI systems
    "lti",
    "dlti",
    "TransferFunction",
    "ZerosPolesGain",
    "StateSpace",
    "lsim",
    "impulse",
    "step",
    "bode",
    "freqresp",
    "dlsim",
    "dimpulse",
    "dstep",
    "dbode",
    "dfreqresp",
    "place_poles",
    # filtering
    "sosfilt",
    "lfilter",
    "filtfilt",
    "sosfiltfilt",
    "deconvolve",
    "detrend",
    "savgol_filter",
    "savgol_coeffs",
    # convolution and correlation
    "convolve",
    "correlate",
    "correlation_lags",
    "choose_conv_method",
    "fftconvolve",
    "oaconvolve",
    "convolve2d",
    "correlate2d",
    # spline filters
    "cspline1d",
    "cspline1d_eval",
    "qspline1d",
    "qspline1d_eval",
    "cspline2d",
    "qspline2d",
    "spline_filter",
    "symiirorder1",
    "symiirorder2",
    "gauss_spline",
    "sepfir2d",
    # images and rank filters
    "medfilt",
    "medfilt2d",
    "order_filter",
    "wiener",
    "hilbert2",
    # rate change
    "upfirdn",
    "resample_poly",
    "decimate",
    "resample",
    # spectra
    "periodogram",
    "welch",
    "csd",
    "coherence",
    "spectrogram",
    "stft",
    "istft",
    "ShortTimeFFT",
    "closest_STFT_dual_window",
    "check_COLA",
    "check_NOLA",
    "hilbert",
    "envelope",
    "lombscargle",
    "czt",
    "zoom_fft",
    "CZT",
    "ZoomFFT",
    "czt_points",
    # peaks and extrema
    "find_peaks",
    "peak_prominences",
    "peak_widths",
    "find_peaks_cwt",
    "argrelmin",
    "argrelmax",
    "argrelextrema",
    "vectorstrength",
    # waveforms and sequences
    "chirp",
    "sweep_poly",
    "square",
    "sawtooth",
    "gausspulse",
    "unit_impulse",
    "max_len_seq",
    # streaming
    "SosFilter",
    "FirFilter",
    "Resampler",
]
