"""filtfilt and sosfiltfilt against scipy.signal: padding, Gustafsson's method."""

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches, ba_filters, signals, sos_filters


@pytest.mark.usefixtures("engine")
@given(
    ba_filters(),
    signals(min_len=40, max_len=400),
    st.sampled_from(["odd", "even", "constant", None]),
    st.none() | st.integers(0, 30),
)
def test_filtfilt_matches_scipy(ba, xa, padtype, padlen):
    b, a = ba
    x, axis = xa
    if b.size > 30:
        b = b[:30] / b[:30].sum()
    ntaps = max(len(a), len(b))
    edge = 0 if padtype is None else (3 * ntaps if padlen is None else padlen)
    if x.shape[axis] <= edge:
        with pytest.raises(InputError, match="padlen"):
            dsp.filtfilt(b, a, x, axis=axis, padtype=padtype, padlen=padlen)
        return
    assert_matches(
        dsp.filtfilt(b, a, x, axis=axis, padtype=padtype, padlen=padlen),
        ss.filtfilt(b, a, x, axis=axis, padtype=padtype, padlen=padlen),
        rtol=1e-9,
    )


@pytest.mark.usefixtures("engine")
@given(
    sos_filters(),
    signals(min_len=70, max_len=400),
    st.sampled_from(["odd", "even", "constant", None]),
    st.none() | st.integers(0, 60),
)
def test_sosfiltfilt_matches_scipy(sos, xa, padtype, padlen):
    x, axis = xa
    try:
        want = ss.sosfiltfilt(sos, x, axis=axis, padtype=padtype, padlen=padlen)
    except ValueError:
        with pytest.raises(InputError):
            dsp.sosfiltfilt(sos, x, axis=axis, padtype=padtype, padlen=padlen)
        return
    assert_matches(
        dsp.sosfiltfilt(sos, x, axis=axis, padtype=padtype, padlen=padlen), want, rtol=1e-9
    )


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("irlen", [None, 40])
def test_filtfilt_gust_matches_scipy(rng, irlen):
    x = rng.standard_normal((2, 500)).astype(np.float32)
    b, a = ss.ellip(4, 0.5, 40, 0.2)
    got = dsp.filtfilt(b, a, x, method="gust", irlen=irlen)
    assert_matches(got, ss.filtfilt(b, a, x, method="gust", irlen=irlen), rtol=1e-5)
    x64 = x.astype(np.float64).T
    assert_matches(
        dsp.filtfilt(b, a, x64, axis=0, method="gust", irlen=irlen),
        ss.filtfilt(b, a, x64, axis=0, method="gust", irlen=irlen),
    )
    assert_matches(
        dsp.filtfilt([0.5], [2.0], x64, method="gust"),
        ss.filtfilt([0.5], [2.0], x64, method="gust"),
    )


@pytest.mark.parametrize("n", [20, 35, 50])
@pytest.mark.parametrize("order", [5, 6, 8])
def test_gust_on_a_signal_as_short_as_the_filters_response_matches_scipy(n, order):
    # M is then near-singular: the least-squares cutoff decides the rank, and NumPy's
    # rcond=None kept another than SciPy's lstsq (0.59 of max|y| off at n = 50, order 6)
    x = np.random.default_rng(n + order).standard_normal(n)
    b, a = ss.butter(order, 0.02)
    want = ss.filtfilt(b, a, x, method="gust")
    np.testing.assert_allclose(
        dsp.filtfilt(b, a, x, method="gust"), want, rtol=0, atol=1e-9 * np.abs(want).max()
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int16])
def test_gustafssons_method_on_no_samples_gives_none_as_scipy(dtype):
    x = np.zeros(0, dtype)
    want = ss.filtfilt([1.0, 0.5], [1.0, -0.5], x, method="gust")
    got = dsp.filtfilt([1.0, 0.5], [1.0, -0.5], x, method="gust")
    assert (got.shape, got.dtype) == (want.shape, want.dtype)
    # SciPy's fails to reshape a (3, 0) signal; an empty result of the same shape here
    assert dsp.filtfilt([1.0], [1.0, -0.5], np.zeros((3, 0)), method="gust").shape == (3, 0)
    with pytest.raises(InputError, match="`x` must have at least 1 sample"):
        dsp.filtfilt([1.0, 0.5], [1.0, -0.5], x)  # SciPy: longer than padlen
