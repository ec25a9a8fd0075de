"""stft, istft, spectrogram, hilbert against scipy.signal, and ISTFT reconstruction."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches, signals


pytestmark = pytest.mark.filterwarnings("ignore:nperseg")


def _both(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(dsp, fn)(*args, **kw), getattr(ss, fn)(*args, **kw)


@given(signals(min_len=2), st.integers(2, 64), st.floats(0.0, 0.9),
       st.sampled_from(["zeros", "even", "odd", "constant", None]), st.booleans(),
       st.sampled_from(["spectrum", "psd"]), st.sampled_from([False, "constant", "linear"]))
def test_stft_matches_scipy(xa, nperseg, frac, boundary, padded, scaling, detrend):
    x, axis = xa
    noverlap = min(nperseg - 1, int(frac * nperseg))
    kw = dict(nperseg=nperseg, noverlap=noverlap, boundary=boundary, padded=padded,
              scaling=scaling, detrend=detrend, axis=axis, fs=3.0)
    try:
        want = _both("stft", x, **kw)[1]
    except ValueError:
        with pytest.raises(InputError):
            dsp.stft(x, **kw)
        return
    got = dsp.stft(x, **kw)
    for g, w in zip(got, want):
        # floor: a detrended frame that is exactly 0 is rounding noise (~1e-17) in both
        assert_matches(g, w, rtol=1e-9, floor=1e-13)


@given(signals(min_len=2), st.integers(2, 64),
       st.sampled_from(["psd", "complex", "magnitude", "angle", "phase"]),
       st.sampled_from(["density", "spectrum"]))
def test_spectrogram_matches_scipy(xa, nperseg, mode, scaling):
    x, axis = xa
    got, want = _both("spectrogram", x, nperseg=nperseg, mode=mode, scaling=scaling, axis=axis)
    for g, w in zip(got, want):
        if mode in ("angle", "phase"):
            # angles of bins whose magnitude is ~0 are rounding noise in both
            continue
        assert_matches(g, w, rtol=1e-9, floor=1e-13)


@given(st.integers(64, 600), st.sampled_from([16, 32, 64]), st.sampled_from([2, 4]),
       st.sampled_from(["hann_periodic", ("tukey_periodic", 0.5)]), st.integers(0, 2**32 - 1))
def test_istft_reconstructs_and_matches_scipy(n, nperseg, div, window, seed):
    x = np.random.default_rng(seed).standard_normal((2, n))
    noverlap = nperseg - nperseg // div
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, Z = ss.stft(x, window=window, nperseg=nperseg, noverlap=noverlap)
        got = dsp.istft(Z, window=window, nperseg=nperseg, noverlap=noverlap)
        want = ss.istft(Z, window=window, nperseg=nperseg, noverlap=noverlap)
    assert_matches(got[0], want[0])
    assert_matches(got[1], want[1], rtol=1e-9)
    np.testing.assert_allclose(got[1][:, :n], x, rtol=1e-9, atol=1e-9)


def test_istft_axes_and_twosided(rng):
    x = rng.standard_normal((3, 500))
    _, _, Z = ss.stft(x, nperseg=50, return_onesided=False)
    Zt = np.moveaxis(Z, -1, 0)
    for args in ((Z, {"input_onesided": False}),
                 (Zt, {"input_onesided": False, "time_axis": 0, "freq_axis": -1})):
        got = dsp.istft(args[0], nperseg=50, **args[1])[1]
        want = ss.istft(args[0], nperseg=50, **args[1])[1]
        assert_matches(got, want, rtol=1e-9)


@given(signals(min_len=1), st.none() | st.integers(1, 400))
def test_hilbert_matches_scipy(xa, N):
    x, axis = xa
    assert_matches(dsp.hilbert(x, N=N, axis=axis), ss.hilbert(x, N=N, axis=axis))


def test_bad_stft_arguments(rng):
    x = rng.standard_normal(100)
    with pytest.raises(InputError, match="`boundary`"):
        dsp.stft(x, boundary="wrap")
    with pytest.raises(InputError, match="`mode`"):
        dsp.spectrogram(x, mode="power")
    with pytest.raises(InputError, match="`Zxx` must be at least 2-D"):
        dsp.istft(np.ones(10))
    with pytest.raises(InputError, match="must be real"):
        dsp.hilbert(x + 1j)
