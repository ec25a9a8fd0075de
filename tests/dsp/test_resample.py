"""upfirdn, resample_poly, decimate against scipy.signal."""

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches, signals


@given(signals(min_len=1), st.integers(1, 7), st.integers(1, 7), st.integers(1, 40),
       st.integers(0, 2**32 - 1))
def test_upfirdn_matches_scipy(xa, up, down, nh, seed):
    x, axis = xa
    h = np.random.default_rng(seed).standard_normal(nh)
    assert_matches(dsp.upfirdn(h, x, up, down, axis=axis), ss.upfirdn(h, x, up, down, axis=axis))


@given(signals(min_len=1), st.integers(1, 12), st.integers(1, 12),
       st.sampled_from(["constant", "mean", "median", "minimum", "maximum"]),
       st.sampled_from([("kaiser", 5.0), "hamming", ("kaiser", 8.0)]))
def test_resample_poly_matches_scipy(xa, up, down, padtype, window):
    x, axis = xa
    assert_matches(dsp.resample_poly(x, up, down, axis=axis, padtype=padtype, window=window),
                   ss.resample_poly(x, up, down, axis=axis, padtype=padtype, window=window))


def test_resample_poly_custom_taps_and_float32(rng):
    x = rng.standard_normal((500, 2))
    taps = ss.firwin(61, 0.3)
    assert_matches(dsp.resample_poly(x, 2, 3, window=taps), ss.resample_poly(x, 2, 3, window=taps))
    x32 = x.astype(np.float32)
    got, want = dsp.resample_poly(x32, 3, 2), ss.resample_poly(x32, 3, 2)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@given(signals(min_len=60, max_len=400), st.integers(2, 9), st.sampled_from(["iir", "fir"]),
       st.booleans())
def test_decimate_matches_scipy(xa, q, ftype, zero_phase):
    x, axis = xa
    try:
        want = ss.decimate(x, q, ftype=ftype, axis=axis, zero_phase=zero_phase)
    except ValueError:
        with pytest.raises(InputError):
            dsp.decimate(x, q, ftype=ftype, axis=axis, zero_phase=zero_phase)
        return
    assert_matches(dsp.decimate(x, q, ftype=ftype, axis=axis, zero_phase=zero_phase), want,
                   rtol=1e-9)


def test_bad_rates(rng):
    x = rng.standard_normal(50)
    with pytest.raises(InputError, match="`up` must be >= 1"):
        dsp.resample_poly(x, 0, 2)
    with pytest.raises(InputError, match="`down` must be an integer"):
        dsp.upfirdn([1.0], x, 1, 2.5)
    with pytest.raises(InputError, match="`padtype`"):
        dsp.resample_poly(x, 2, 3, padtype="wrap")
    with pytest.raises(InputError, match="`q` must be >= 1"):
        dsp.decimate(x, 0)
