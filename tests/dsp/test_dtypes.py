"""Result dtypes as SciPy's for the inputs it promotes: small integers, booleans and
float16 keep single precision next to float32 coefficients or in spectra (int16 audio
gives float32 spectra), while anything through ``scipy.fft`` from integers is double."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp

SOS = ss.butter(4, 0.2, output="sos")
BA = ss.butter(4, 0.2)
SINGLE = {
    "sos": SOS.astype(np.float32),
    "b": BA[0].astype(np.float32),
    "a": BA[1].astype(np.float32),
}

CALLS = {
    "welch": lambda m, x: m.welch(x, nperseg=64)[1],
    "periodogram": lambda m, x: m.periodogram(x)[1],
    "csd": lambda m, x: m.csd(x, x, nperseg=64)[1],
    "coherence": lambda m, x: m.coherence(x, x[::-1], nperseg=64)[1],
    "spectrogram": lambda m, x: m.spectrogram(x, nperseg=64)[2],
    "stft": lambda m, x: m.stft(x, nperseg=64)[2],
    "hilbert": lambda m, x: m.hilbert(x),
    "sosfilt float32": lambda m, x: m.sosfilt(SINGLE["sos"], x),
    "sosfilt float64": lambda m, x: m.sosfilt(SOS, x),
    "lfilter float32": lambda m, x: m.lfilter(SINGLE["b"], SINGLE["a"], x),
    "filtfilt float32": lambda m, x: m.filtfilt(SINGLE["b"], SINGLE["a"], x),
    "filtfilt float32, even": lambda m, x: m.filtfilt(SINGLE["b"], SINGLE["a"], x, padtype="even"),
    "sosfiltfilt float32": lambda m, x: m.sosfiltfilt(SINGLE["sos"], x),
    "resample_poly": lambda m, x: m.resample_poly(x, 3, 2),
    "upfirdn float32": lambda m, x: m.upfirdn(np.ones(5, np.float32), x, 2),
    "fftconvolve float32": lambda m, x: m.fftconvolve(x, np.ones(5, np.float32)),
}
DTYPES = ["int8", "int16", "int32", "uint8", "bool", "float16", "float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(CALLS))
def test_result_dtype_is_scipys(rng, name, dtype):
    x = rng.random(500) > 0.5 if dtype == "bool" else (rng.standard_normal(500) * 20).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy's own overflow warnings on int8 extensions
        want = CALLS[name](ss, x)
        got = CALLS[name](dsp, x)
    assert got.dtype == want.dtype
    if dtype not in ("int8", "uint8", "float16"):  # SciPy's own arithmetic wraps or rounds
        # single-precision coefficients or results: SciPy rounds where pyjl does not
        single = "float32" in name or np.finfo(want.dtype).bits <= 32 or dtype == "float32"
        tol = 1e-4 if single else 1e-9
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * np.max(np.abs(want)))


@pytest.mark.parametrize("padtype", ["odd", "even", "constant", None])
def test_zero_phase_of_booleans_takes_scipys_extension_dtype(rng, padtype):
    # SciPy's odd extension of booleans is integer (2 * x[0] - x), the others stay boolean
    x = rng.random(300) > 0.5
    for call in (
        lambda m: m.filtfilt(SINGLE["b"], SINGLE["a"], x, padtype=padtype),
        lambda m: m.sosfiltfilt(SINGLE["sos"], x, padtype=padtype),
    ):
        assert call(dsp).dtype == call(ss).dtype


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.hilbert(x),
        lambda m, x: m.decimate(x, 2),
        lambda m, x: m.decimate(x, 2, ftype="fir"),
        lambda m, x: m.resample_poly(x, 2, 2),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "int16"])
def test_tables_give_the_dtype_of_the_same_array(rng, call, dtype):
    import pandas as pd

    x = (rng.standard_normal((300, 2)) * 20).astype(dtype)
    got = np.asarray(call(dsp, pd.DataFrame(x)))
    assert got.dtype == call(ss, x.T).dtype
