"""periodogram, welch, csd, coherence against scipy.signal."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches, signals

SEG = st.tuples(st.integers(4, 64), st.floats(0.0, 0.9), st.integers(0, 16))


pytestmark = pytest.mark.filterwarnings("ignore:nperseg")


def _seg(seg):
    nperseg, frac, extra = seg
    return dict(nperseg=nperseg, noverlap=min(nperseg - 1, int(frac * nperseg)),
                nfft=nperseg + extra)


def _both(fn, *args, **kw):
    """``(ours, scipy's)``; where SciPy refuses the arguments, ours must refuse them
    with an InputError, and the result is ``(None, None)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = getattr(ss, fn)(*args, **kw)
        except ValueError:
            with pytest.raises(InputError):
                getattr(dsp, fn)(*args, **kw)
            return None, None
        return getattr(dsp, fn)(*args, **kw), want


@given(signals(min_len=1), SEG, st.sampled_from(["constant", "linear", False]),
       st.sampled_from(["density", "spectrum"]), st.sampled_from(["mean", "median"]),
       st.booleans(), st.sampled_from(["hann_periodic", ("tukey", 0.3), "boxcar"]))
def test_welch_matches_scipy(xa, seg, detrend, scaling, average, onesided, window):
    x, axis = xa
    got, want = _both("welch", x, fs=2.5, window=window, detrend=detrend, scaling=scaling,
                      average=average, return_onesided=onesided, axis=axis, **_seg(seg))
    if got is not None:
        assert_matches(got[0], want[0])
        assert_matches(got[1], want[1], rtol=1e-9)


@given(signals(min_len=8, max_dims=2), SEG, st.sampled_from(["constant", "linear", False]),
       st.sampled_from(["mean", "median"]))
def test_csd_and_coherence_match_scipy(xa, seg, detrend, average):
    x, axis = xa
    y = np.roll(x, 3, axis=axis) + 0.5 * x ** 2
    got, want = _both("csd", x, y, detrend=detrend, average=average, axis=axis, **_seg(seg))
    if got is not None:
        assert_matches(got[1], want[1], rtol=1e-9)
    got, want = _both("coherence", x, y, detrend=detrend, axis=axis, **_seg(seg))
    if got is not None:
        assert_matches(got[1], want[1], rtol=1e-8)


def test_csd_complex_and_unequal_lengths(rng):
    x = rng.standard_normal((2, 400)) + 1j * rng.standard_normal((2, 400))
    y = rng.standard_normal((2, 350))
    got, want = _both("csd", x, y, nperseg=64)
    assert got is not None
    assert_matches(got[0], want[0])
    assert_matches(got[1], want[1])


@given(signals(min_len=1), st.none() | st.integers(1, 400),
       st.sampled_from(["boxcar", "hann", ("tukey", 0.5)]), st.sampled_from(["constant", False]))
def test_periodogram_matches_scipy(xa, nfft, window, detrend):
    x, axis = xa
    got, want = _both("periodogram", x, nfft=nfft, window=window, detrend=detrend, axis=axis)
    if got is None:
        return
    assert_matches(got[0], want[0])
    assert_matches(got[1], want[1], rtol=1e-9)


def test_float32_stays_float32(rng):
    x = rng.standard_normal(2048).astype(np.float32)
    got, want = _both("welch", x, nperseg=256)
    assert got[1].dtype == want[1].dtype == np.float32
    np.testing.assert_allclose(got[1], want[1], rtol=1e-4, atol=1e-6 * want[1].max())


def test_long_signal_in_groups_equals_scipy(rng):
    """More frames than one group holds: the running sum is the mean."""
    x = rng.standard_normal((2, 300_000))
    got, want = _both("welch", x, nperseg=128)
    assert_matches(got[1], want[1], rtol=1e-9)


def test_bad_segments(rng):
    x = rng.standard_normal(100)
    with pytest.raises(InputError, match="`noverlap` must be < nperseg"):
        dsp.welch(x, nperseg=16, noverlap=16)
    with pytest.raises(InputError, match="`nfft` must be >= nperseg"):
        dsp.welch(x, nperseg=16, nfft=8)
    with pytest.raises(InputError, match="`detrend`"):
        dsp.welch(x, nperseg=16, detrend="quadratic")
    with pytest.raises(InputError, match="`scaling`"):
        dsp.welch(x, scaling="power")
    with pytest.raises(InputError, match="`fs`"):
        dsp.welch(x, fs=-1.0)
