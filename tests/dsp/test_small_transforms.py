"""Small FFT-based calls: the lean paths (one transform call for both convolution inputs,
the one-sided spectrum in ``hilbert``, one pass that proves data finite and in range,
windows computed once per name and length, one thread for little work) give SciPy's
values and refuse or warn exactly as before."""

import warnings

import numpy as np
import pytest
from scipy import signal

import pyjl
from pyjl import dsp
from pyjl.dsp import _frames
from pyjl.exceptions import InputError, NumericalWarning

SHAPES = [(16,), (17,), (4, 16), (256,), (4, 255), (3, 4096), (5000,)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_fftconvolve_one_axis_equals_scipy(rng, shape, mode):
    x = rng.standard_normal(shape)
    for m in (1, 7, max(1, shape[-1] // 3)):
        k = rng.standard_normal(shape[:-1] + (m,))
        got = dsp.fftconvolve(x, k, mode=mode, axes=-1)
        assert np.array_equal(got, signal.fftconvolve(x, k, mode=mode, axes=-1))
        got = dsp.oaconvolve(x, k, mode=mode, axes=-1)
        np.testing.assert_allclose(
            got, signal.oaconvolve(x, k, mode=mode, axes=-1), rtol=1e-12, atol=1e-12
        )


@pytest.mark.parametrize("n, m", [(40, 30), (3000, 1024), (100, 16), (5000, 700)])
def test_oaconvolve_single_block_equals_fftconvolve(rng, n, m):
    # where overlap-add blocks would not be shorter than the whole transform, one block
    x, h = rng.standard_normal((3, n)), rng.standard_normal(m)
    got = dsp.oaconvolve(x, h[None, :])
    np.testing.assert_allclose(got, signal.fftconvolve(x, h[None, :], axes=-1), atol=1e-12)


def test_convolution_scaled_inputs_and_swapped_valid(rng):
    big, tiny = rng.standard_normal(64) * 1e300, rng.standard_normal(9) * 1e-300
    got = dsp.fftconvolve(big, tiny)
    ref = signal.fftconvolve(big / 2.0**997, tiny * 2.0**997)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    # valid mode with in2 the longer: the inputs (and their scales) swap
    got = dsp.fftconvolve(tiny, big, mode="valid")
    np.testing.assert_allclose(got, ref[8:64], rtol=1e-12)
    with pytest.warns(NumericalWarning, match="not finite"):
        dsp.fftconvolve(np.full(8, 1e300), np.full(8, 1e300))


def test_convolution_bad_values_raise_as_before():
    for bad in (np.nan, np.inf):
        x = np.ones(10)
        x[3] = bad
        with pytest.raises(InputError, match=r"`in1` must be finite.*index 3"):
            dsp.fftconvolve(x, np.ones(3))
        with pytest.raises(InputError, match=r"`in2` must be finite.*index 3"):
            dsp.oaconvolve(np.ones(5), x)


@pytest.mark.parametrize(
    "shape, axis, N",
    [((16,), -1, None), ((17,), -1, None), ((4, 64), -1, None), ((64, 3), 0, None),
     ((5,), -1, 8), ((9,), -1, 4), ((3, 4, 5), 1, None), ((1,), -1, None), ((4, 4096), -1, None)],
)  # fmt: skip
def test_hilbert_equals_scipy(rng, shape, axis, N):
    x = rng.standard_normal(shape)
    assert np.array_equal(dsp.hilbert(x, N=N, axis=axis), signal.hilbert(x, N=N, axis=axis))
    x32 = x.astype(np.float32)
    got = dsp.hilbert(x32, N=N, axis=axis)
    assert got.dtype == np.complex64
    assert np.array_equal(got, signal.hilbert(x32, N=N, axis=axis))


def test_hilbert_extreme_and_bad_values(rng):
    x = rng.standard_normal((3, 40))
    x[1] *= 1e-300
    x[2] *= 1e300
    got = dsp.hilbert(x)
    np.testing.assert_allclose(got[1], signal.hilbert(x[1] * 2.0**1000) * 2.0**-1000, rtol=1e-12)
    np.testing.assert_allclose(got[2], signal.hilbert(x[2]), rtol=1e-12)
    x[0, 5] = np.nan
    with pytest.raises(InputError, match=r"`x` must be finite.*row 0, column 5"):
        dsp.hilbert(x)
    with pytest.raises(InputError, match="must be real"):
        dsp.hilbert(np.ones(8) + 1j)


@pytest.mark.parametrize(
    "axes", [{"freq_axis": 2}, {"freq_axis": -100}, {"freq_axis": 0, "time_axis": 7}]
)
def test_istft_refuses_an_axis_past_zxxs_dimensions_as_scipy(axes):
    # they were taken modulo Zxx.ndim; SciPy raises IndexError, and so does this
    Z = signal.stft(np.random.default_rng(0).standard_normal(40), nperseg=16)[2]
    with pytest.raises(IndexError):
        signal.istft(Z, nperseg=16, **axes)
    with pytest.raises(InputError, match=r"_axis` must index one of the 2 dimensions of `Zxx`"):
        dsp.istft(Z, nperseg=16, **axes)
    with pytest.raises(IndexError):  # an axis of any signal, as NumPy's AxisError
        dsp.welch(np.ones(40), axis=1)
    with pytest.raises(IndexError):
        dsp.ShortTimeFFT(np.hanning(16), 4, 1.0).istft(Z, t_axis=5)
    with pytest.raises(IndexError):
        dsp.fftconvolve(np.ones((2, 8)), np.ones((2, 8)), axes=5)
    with pytest.raises(IndexError):
        dsp.hilbert2(np.ones((4, 4)), axes=(0, 2))
    t, x = dsp.istft(np.swapaxes(Z, 0, 1), nperseg=16, freq_axis=-1, time_axis=0)
    np.testing.assert_allclose(x, signal.istft(Z, nperseg=16)[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n, nperseg, noverlap", [(64, 16, 8), (64, 16, 5), (300, 64, 48)])
def test_istft_equals_scipy(rng, n, nperseg, noverlap):
    x = rng.standard_normal((2, n))
    Z = signal.stft(x, nperseg=nperseg, noverlap=noverlap)[2]
    for z in (Z, np.asfortranarray(Z), Z * 1e300):
        t, got = dsp.istft(z, nperseg=nperseg, noverlap=noverlap)
        t_ref, ref = signal.istft(z, nperseg=nperseg, noverlap=noverlap)
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
        assert np.array_equal(t, t_ref)
    Z[0, 1, 2] = np.nan
    with pytest.raises(InputError, match=r"`Zxx` must be finite.*flat index"):
        dsp.istft(Z, nperseg=nperseg, noverlap=noverlap)


def test_named_windows_are_computed_once_and_shared_read_only():
    a = _frames.window_array("hann", 32)
    assert _frames.window_array("hann", 32) is a and not a.flags.writeable
    assert np.array_equal(a, signal.get_window("hann", 32))
    # a tuple holding a list: its values are the key
    w = _frames.window_array(("general_cosine", [0.5, 0.5]), 16)
    assert np.array_equal(w, signal.get_window(("general_cosine", [0.5, 0.5]), 16))
    with pytest.raises(InputError, match="must be a window SciPy knows"):
        _frames.window_array("no-such-window", 16)
    with pytest.raises(InputError, match="must be finite"):
        _frames.window_array(("kaiser", float("nan")), 16)
    for _ in range(2):  # a window that warns does so every time
        with pytest.warns(UserWarning, match="not suitable"):
            _frames.window_array(("chebwin", 30), 16)


def test_small_transforms_stay_on_one_thread():
    old = pyjl.get_num_threads()
    pyjl.set_num_threads(2)
    try:
        assert _frames.workers(4 * 512, 512) == 1
        assert _frames.workers(64 * 65536, 65536) == 2
    finally:
        pyjl.set_num_threads(old)


def test_range_check_proves_finite_and_never_warns(rng):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for shape in [(16,), (4, 100), (5000,), (4, 5000), (3000, 4), (70000,)]:
            x = rng.standard_normal(shape)
            assert _frames.power_of_two_scale(x) is None
            for v in (1e300, 1e-300, 0.0):
                assert (_frames.power_of_two_scale(np.full(shape, v)) is None) == (v == 0.0)
            x.flat[-1] = np.nan
            calls: list[int] = []
            _frames.scale_down(x, require_finite=lambda c=calls: c.append(1))
            assert calls == [1]


def test_istft_warns_on_every_call_where_nola_fails(rng):
    Z = signal.stft(rng.standard_normal(64), nperseg=16, noverlap=0)[2]
    for _ in range(2):
        with pytest.warns(NumericalWarning, match="NOLA condition failed"):
            _, got = dsp.istft(Z, nperseg=16, noverlap=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, ref = signal.istft(Z, nperseg=16, noverlap=0)
        np.testing.assert_allclose(got, ref, atol=1e-12)
