"""sosfilt, lfilter, filtfilt, sosfiltfilt against scipy.signal (rtol 1e-10)."""

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches, ba_filters, signals, sos_filters


@given(sos_filters(), signals(min_len=1))
def test_sosfilt_matches_scipy(sos, xa):
    x, axis = xa
    assert_matches(dsp.sosfilt(sos, x, axis=axis), ss.sosfilt(sos, x, axis=axis))


@given(sos_filters(), signals(min_len=1, max_len=200), st.integers(0, 2**32 - 1))
def test_sosfilt_with_zi(sos, xa, seed):
    x, axis = xa
    shape = list(x.shape)
    shape[axis] = 2
    zi = np.random.default_rng(seed).standard_normal([sos.shape[0]] + shape)
    y, zf = dsp.sosfilt(sos, x, axis=axis, zi=zi)
    y_ref, zf_ref = ss.sosfilt(sos, x, axis=axis, zi=zi)
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref)


@given(ba_filters(), signals(min_len=1), st.booleans(), st.integers(0, 2**32 - 1))
def test_lfilter_matches_scipy(ba, xa, with_zi, seed):
    b, a = ba
    x, axis = xa
    if not with_zi:
        assert_matches(dsp.lfilter(b, a, x, axis=axis), ss.lfilter(b, a, x, axis=axis))
        return
    shape = list(x.shape)
    shape[axis] = max(len(a), len(b)) - 1
    zi = np.random.default_rng(seed).standard_normal(shape)
    y, zf = dsp.lfilter(b, a, x, axis=axis, zi=zi)
    y_ref, zf_ref = ss.lfilter(b, a, x, axis=axis, zi=zi)
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref)


def test_lfilter_unnormalised_and_float32(rng):
    x = rng.standard_normal((2, 400)).astype(np.float32)
    b, a = np.array([0.5, 0.25, 0.1], np.float32), np.array([2.0, -0.4, 0.1], np.float32)
    got, want = dsp.lfilter(b, a, x), ss.lfilter(b, a, x)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert_matches(dsp.lfilter(b.astype(float), a.astype(float), x.astype(float)),
                   ss.lfilter(b.astype(float), a.astype(float), x.astype(float)))


def test_long_fir_uses_fft_and_matches(rng):
    b = ss.firwin(501, 0.1)
    x = rng.standard_normal((3, 20_000))
    assert dsp.filtering.fir_uses_fft(b.size, x.shape[1])
    zi = rng.standard_normal((3, 500))
    y, zf = dsp.lfilter(b, [1.0], x, zi=zi)
    y_ref, zf_ref = ss.lfilter(b, [1.0], x, zi=zi)
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref)


def test_complex_signal(rng):
    x = rng.standard_normal((2, 300)) + 1j * rng.standard_normal((2, 300))
    sos = ss.cheby1(5, 1, 0.3, output="sos")
    assert_matches(dsp.sosfilt(sos, x), ss.sosfilt(sos, x))
    b, a = ss.butter(3, 0.2)
    assert_matches(dsp.lfilter(b, a, x), ss.lfilter(b, a, x))
    assert_matches(dsp.filtfilt(b, a, x), ss.filtfilt(b, a, x))


@given(ba_filters(), signals(min_len=40, max_len=400),
       st.sampled_from(["odd", "even", "constant", None]), st.none() | st.integers(0, 30))
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
    assert_matches(dsp.filtfilt(b, a, x, axis=axis, padtype=padtype, padlen=padlen),
                   ss.filtfilt(b, a, x, axis=axis, padtype=padtype, padlen=padlen), rtol=1e-9)


@given(sos_filters(), signals(min_len=70, max_len=400),
       st.sampled_from(["odd", "even", "constant", None]), st.none() | st.integers(0, 60))
def test_sosfiltfilt_matches_scipy(sos, xa, padtype, padlen):
    x, axis = xa
    try:
        want = ss.sosfiltfilt(sos, x, axis=axis, padtype=padtype, padlen=padlen)
    except ValueError:
        with pytest.raises(InputError):
            dsp.sosfiltfilt(sos, x, axis=axis, padtype=padtype, padlen=padlen)
        return
    assert_matches(dsp.sosfiltfilt(sos, x, axis=axis, padtype=padtype, padlen=padlen), want,
                   rtol=1e-9)


def test_float32_keeps_scipy_dtype(rng):
    x = rng.standard_normal(500).astype(np.float32)
    sos = ss.butter(4, 0.2, output="sos")
    assert dsp.sosfilt(sos, x).dtype == ss.sosfilt(sos, x).dtype
    assert dsp.sosfiltfilt(sos, x).dtype == ss.sosfiltfilt(sos, x).dtype


def test_threads_do_not_change_results(rng):
    import pyjl
    x = rng.standard_normal((7, 3000))
    sos = ss.butter(8, 0.05, output="sos")
    old = pyjl.engines.get_num_threads()
    try:
        pyjl.engines.set_num_threads(1)
        one = dsp.sosfilt(sos, x)
        pyjl.engines.set_num_threads(2)
        two = dsp.sosfilt(sos, x)
    finally:
        pyjl.engines.set_num_threads(old)
    np.testing.assert_array_equal(one, two)


def test_bad_inputs_name_the_argument(rng):
    x = rng.standard_normal(100)
    with pytest.raises(InputError, match=r"`sos` must have shape \(n_sections, 6\)"):
        dsp.sosfilt(np.ones((2, 5)), x)
    with pytest.raises(InputError, match=r"`sos` describes an unstable filter"):
        dsp.sosfilt([[1, 0, 0, 1, -2.5, 1.2]], x)
    with pytest.raises(InputError, match=r"`sos\[:, 3\]`"):
        dsp.sosfilt([[1, 0, 0, 2, 0.1, 0.1]], x)
    with pytest.raises(InputError, match=r"`a` describes an unstable filter"):
        dsp.lfilter([1.0], [1.0, -1.5], x)
    with pytest.raises(InputError, match=r"`a\[0\]` must be non-zero"):
        dsp.lfilter([1.0], [0.0, 1.0], x)
    with pytest.raises(InputError, match=r"`x` must be finite.*index 3"):
        dsp.sosfilt(ss.butter(2, 0.1, output="sos"), np.r_[0, 1, 2, np.nan, 4.0])
    with pytest.raises(InputError, match=r"`zi` must have shape"):
        dsp.sosfilt(ss.butter(2, 0.1, output="sos"), x, zi=np.zeros((1, 3)))
    with pytest.raises(InputError, match=r"`axis`"):
        dsp.lfilter([1.0], [1.0], x, axis=2)
    with pytest.raises(InputError, match="padtype"):
        dsp.filtfilt([1.0, 1.0], [1.0], x, padtype="wrap")
    with pytest.raises(InputError, match="method"):
        dsp.filtfilt([1.0, 1.0], [1.0], x, method="gust")
    # an integrator (pole on the unit circle) is allowed, as in SciPy
    assert_matches(dsp.lfilter([1.0], [1.0, -1.0], x), ss.lfilter([1.0], [1.0, -1.0], x))


def test_empty_signal_gives_empty_result():
    sos = ss.butter(2, 0.1, output="sos")
    assert dsp.sosfilt(sos, np.zeros((3, 0))).shape == (3, 0)
    y, zf = dsp.lfilter([1.0, 0.5], [1.0], np.zeros((2, 0)), zi=np.ones((2, 1)))
    assert y.shape == (2, 0)
    np.testing.assert_array_equal(zf, np.ones((2, 1)))


def test_sosfilt_is_bit_identical_to_scipy_per_channel(rng):
    """Same arithmetic in the same order: multi-channel results equal SciPy's exactly."""
    x = rng.standard_normal((5, 4000))
    for sos in (ss.butter(8, 0.1, output="sos"), ss.ellip(9, 0.5, 70, [0.2, 0.3], "band",
                                                          output="sos")):
        zi = rng.standard_normal((sos.shape[0], 5, 2))
        y, zf = dsp.sosfilt(sos, x, zi=zi)
        y_ref, zf_ref = ss.sosfilt(sos, x, zi=zi)
        np.testing.assert_array_equal(y, y_ref)
        np.testing.assert_array_equal(zf, zf_ref)


@pytest.mark.parametrize("design", [(8, 0.1), (4, 0.002), (2, 1e-4)])
def test_long_single_channel_split_in_time(rng, design):
    """One long channel is filtered in time segments on several threads; the
    decaying zero-input correction keeps it equal to SciPy, final state included
    (slow poles, here butter(2, 1e-4), keep one serial pass)."""
    import pyjl
    sos = ss.butter(*design, output="sos")
    x = rng.standard_normal(700_000) + 3.0
    zi = rng.standard_normal((sos.shape[0], 2))
    old = pyjl.engines.get_num_threads()
    try:
        pyjl.engines.set_num_threads(3)
        y, zf = dsp.sosfilt(sos, x, zi=zi)
    finally:
        pyjl.engines.set_num_threads(old)
    y_ref, zf_ref = ss.sosfilt(sos, x, zi=zi)
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref)
