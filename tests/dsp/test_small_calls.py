"""Small one-shot calls: the fast paths (validation cached per coefficient value, plain
float64 arrays read without conversion, few threads for little work) give SciPy's
results and refuse or warn exactly as the general path does."""

import warnings

import numpy as np
import pytest
from scipy import signal

from pyjl import dsp
from pyjl.exceptions import InputError, NumericalWarning

SHAPES = [(16,), (4, 16), (256,), (4, 256), (3, 4096)]


@pytest.mark.parametrize("shape", SHAPES)
def test_small_filters_equal_scipy(rng, shape):
    x = rng.standard_normal(shape)
    sos = signal.butter(4, 0.15, output="sos")
    b, a = signal.butter(3, 0.2)
    fir = signal.firwin(31, 0.3)
    assert np.array_equal(dsp.sosfilt(sos, x), signal.sosfilt(sos, x))
    assert np.array_equal(dsp.lfilter(b, a, x), signal.lfilter(b, a, x))
    np.testing.assert_allclose(dsp.lfilter(fir, 1.0, x), signal.lfilter(fir, 1.0, x), atol=1e-14)
    np.testing.assert_allclose(
        dsp.upfirdn(fir, x, 3, 2), signal.upfirdn(fir, x, 3, 2), rtol=1e-12, atol=1e-14
    )
    zs = signal.sosfilt_zi(sos)
    zs = np.broadcast_to(
        zs.reshape(zs.shape[:1] + (1,) * (x.ndim - 1) + (2,)), (zs.shape[0],) + x.shape[:-1] + (2,)
    ).copy()
    y, zf = dsp.sosfilt(sos, x, zi=zs)
    y_ref, zf_ref = signal.sosfilt(sos, x, zi=zs)
    assert np.array_equal(y, y_ref) and np.array_equal(zf, zf_ref)
    zl = np.broadcast_to(signal.lfilter_zi(b, a), x.shape[:-1] + (3,)).copy()
    y, zf = dsp.lfilter(b, a, x, zi=zl)
    y_ref, zf_ref = signal.lfilter(b, a, x, zi=zl)
    assert np.array_equal(y, y_ref) and np.array_equal(zf, zf_ref)
    if shape[-1] > 27:
        np.testing.assert_allclose(dsp.filtfilt(b, a, x), signal.filtfilt(b, a, x), atol=1e-12)
        np.testing.assert_allclose(dsp.sosfiltfilt(sos, x), signal.sosfiltfilt(sos, x), atol=1e-12)


def test_sos_changed_in_place_is_checked_again():
    sos = signal.butter(2, 0.2, output="sos")
    x = np.ones(16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dsp.sosfilt(sos, x)  # stable: validated and remembered
    sos[0, 5] = 1.5  # |a2| > 1: a pole outside the unit circle
    with pytest.warns(NumericalWarning, match="section 0"):
        dsp.sosfilt(sos, x)
    with pytest.warns(NumericalWarning, match="section 0"):  # warns on every call
        dsp.sosfilt(sos, x)
    sos[0, 3] = 2.0
    with pytest.raises(InputError, match=r"a0 of every section"):
        dsp.sosfilt(sos, x)
    sos[0, 3], sos[0, 1] = 1.0, np.nan
    with pytest.raises(InputError, match="must be finite"):
        dsp.sosfilt(sos, x)


def test_validated_sos_is_the_callers_own():
    sos = signal.butter(2, 0.2, output="sos")
    f = dsp.SosFilter(sos)
    f.sos[0, 0] = 7.0  # a filter's own copy; the next validation must not see it
    assert np.array_equal(dsp.sosfilt(sos, np.ones(4)), signal.sosfilt(sos, np.ones(4)))


def test_ba_changed_in_place_is_checked_again():
    b, a = np.array([1.0, 0.0]), np.array([1.0, -0.5])
    x = np.ones(8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.array_equal(dsp.lfilter(b, a, x), signal.lfilter(b, a, x))
    a[1] = -2.0  # pole at 2
    with pytest.warns(NumericalWarning, match="unstable"):
        y = dsp.lfilter(b, a, x)
    assert np.array_equal(y, signal.lfilter(b, a, x))
    a[0] = 0.0
    with pytest.raises(InputError, match=r"a\[0\]"):
        dsp.lfilter(b, a, x)
    a[0], b[1] = 2.0, np.inf
    with pytest.raises(InputError, match="must be finite"):
        dsp.lfilter(b, a, x)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_plain_float64_input_is_still_refused_when_not_finite(bad):
    x = np.ones(64)
    x[5] = bad
    with pytest.raises(InputError, match="index 5"):
        dsp.upfirdn([1.0, 0.5], x)
    zi = np.zeros(2)
    zi[1] = bad
    with pytest.raises(InputError, match="zi"):
        dsp.lfilter([1.0, 0.5, 0.25], [1.0], x[:4] * 0 + 1, zi=zi)


def test_huge_finite_values_take_the_general_path():
    x = np.full(32, 1e300)  # squares overflow: the fast check declines, nothing refused
    np.testing.assert_allclose(dsp.upfirdn([1.0], x), x)
    b, zi = np.array([1.0, 0.0]), np.array([1e300])
    y, zf = dsp.lfilter(b, [1.0], x, zi=zi)
    y_ref, zf_ref = signal.lfilter(b, [1.0], x, zi=zi)
    np.testing.assert_allclose(y, y_ref)
    np.testing.assert_allclose(zf, zf_ref)


@pytest.mark.parametrize("n_ch", [1, 3, 4, 9])
def test_small_inputs_spread_over_threads_give_the_same_bits(rng, n_ch):
    # small calls run on the caller's thread; forced onto every thread they must agree
    native = pytest.importorskip("pyjl._native.dsp", reason="the native kernels are not built")
    sos = signal.butter(5, 0.2, output="sos")
    b, a = signal.butter(3, 0.1)
    fir = signal.firwin(33, 0.3)
    x = rng.standard_normal((n_ch, 700))
    zs = rng.standard_normal((n_ch, 3, 2))
    zl = rng.standard_normal((n_ch, 3))
    zf = rng.standard_normal((n_ch, 32))
    calls = [
        lambda: native.sosfilt(sos, x, zs, 2),
        lambda: native.lfilter(b, a, x, zl, 2),
        lambda: native.lfilter(fir, np.ones(1), x, zf, 2),
        lambda: native.upfirdn(fir, x, 3, 2, 2),
        lambda: native.stft_frames(x, np.hanning(64), 16, 1, 2),
    ]
    alone = [call() for call in calls]
    old = native._set_par_min_work(1)
    try:
        spread = [call() for call in calls]
    finally:
        native._set_par_min_work(old)
    for got, want in zip(spread, alone, strict=True):
        for g, w in zip(*((r,) if isinstance(r, np.ndarray) else r for r in (got, want))):
            np.testing.assert_array_equal(g, w)
    y_ref, zf_ref = signal.sosfilt(sos, x, zi=zs.transpose(1, 0, 2))
    assert np.array_equal(spread[0][0], y_ref)
    np.testing.assert_allclose(spread[3], signal.upfirdn(fir, x, 3, 2), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape", [(2, 40), (9, 16), (20, 64), (33, 100)])
def test_small_multichannel_sosfilt_on_this_thread_equals_scipy(rng, shape):
    # little work: the channel blocks (lanes, or one channel at a time) run on the
    # caller's thread with no parallel region, bit for bit SciPy's
    x = rng.standard_normal(shape)
    sos = signal.butter(6, 0.2, output="sos")
    zi = rng.standard_normal((sos.shape[0], shape[0], 2))
    y, zf = dsp.sosfilt(sos, x, zi=zi)
    y_ref, zf_ref = signal.sosfilt(sos, x, zi=zi)
    assert np.array_equal(y, y_ref) and np.array_equal(zf, zf_ref)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: dsp.lfilter([0.2, 0.3], [1.0, -0.5], x),
        lambda x: dsp.lfilter([0.2, 0.3], [1.0, -0.5], x, zi=np.zeros(1)),
        lambda x: dsp.upfirdn([1.0, 2.0], x, 2),
    ],
)
def test_zero_dimensional_array_is_refused_not_read_out_of_bounds(call):
    # the one-step paths took a 0-d float64 array for one of 1 or 2 dimensions and read
    # its shape out of bounds (a segmentation fault); SciPy refuses it too
    with pytest.raises(InputError, match="at least 1-D"):
        call(np.array(3.0))
