"""Data whose peak is subnormal (below 2**-1022): scaled up by a normal power of two, so
that complex data divide exactly too (NumPy divides a complex value by a real ``s``
through ``1 / s``, infinite for a subnormal ``s``: every output was NaN).  SciPy's results
are the reference: at this scale its arithmetic loses only the digits subnormals lack."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp

BASE = np.array([1 + 2j, 3 - 1j, -2 + 0.5j, 0.25j, 1, -1])
X = np.resize(BASE, 200) * 1e-309  # complex, peak about 3.2e-309


def _parts(fn, x):  # SciPy's savgol_filter of complex data: real and imaginary apart
    return fn(x.real) + 1j * fn(x.imag)


CALLS = {
    "fftconvolve": (lambda m, x: m.fftconvolve(x, [1.0, 1.0]), None),
    "oaconvolve": (lambda m, x: m.oaconvolve(x, [1.0, 2.0, 1.0]), None),
    "convolve": (lambda m, x: m.convolve(x, [1.0, 1.0]), None),
    "correlate": (lambda m, x: m.correlate(x, [1.0, 2.0]), None),
    "resample": (lambda m, x: m.resample(x, 50), None),
    "detrend": (lambda m, x: m.detrend(x), None),
    "savgol_filter": (
        lambda m, x: m.savgol_filter(x, 7, 2),
        lambda x: _parts(lambda v: ss.savgol_filter(v, 7, 2), x),
    ),
    "stft": (lambda m, x: m.stft(x, nperseg=16)[2], None),
    # squared spectra of such data underflow to exactly 0 in both (NaN was the bug); the
    # complex spectrogram keeps its values
    "spectrogram": (lambda m, x: m.spectrogram(x, nperseg=16)[2], None),
    "spectrogram complex": (lambda m, x: m.spectrogram(x, nperseg=16, mode="complex")[2], None),
    "welch": (lambda m, x: m.welch(x, nperseg=16)[1], None),
    "periodogram": (lambda m, x: m.periodogram(x)[1], None),
    "csd": (lambda m, x: m.csd(x, x, nperseg=16)[1], None),
    "decimate": (lambda m, x: m.decimate(x, 2), None),
    "resample_poly": (lambda m, x: m.resample_poly(x, 3, 2), None),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_complex_data_with_a_subnormal_peak_match_scipy(name):
    ours, theirs = CALLS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning: nothing overflows
        warnings.filterwarnings("ignore", "Input data is complex")
        got = ours(dsp, X)
        want = ours(ss, X) if theirs is None else theirs(X)
    assert got.shape == want.shape and np.all(np.isfinite(got))
    # the subnormals' spacing, 5e-324, is the whole of the absolute error
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-320)


def test_istft_of_a_subnormal_spectrum_matches_scipy():
    x = np.random.default_rng(0).standard_normal(64) * 1e-308
    Z = ss.stft(x, nperseg=16)[2]  # its peak is below 2**-1022
    got, want = dsp.istft(Z, nperseg=16)[1], ss.istft(Z, nperseg=16)[1]
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-320)
    np.testing.assert_allclose(got, x, rtol=1e-6, atol=1e-320)  # the round trip
