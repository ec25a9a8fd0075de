"""stft, istft, spectrogram, hilbert against scipy.signal, and ISTFT reconstruction."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, NumericalWarning

from .helpers import assert_matches, signals

pytestmark = pytest.mark.filterwarnings("ignore:nperseg")


def _both(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(dsp, fn)(*args, **kw), getattr(ss, fn)(*args, **kw)


@pytest.mark.usefixtures("engine")
@given(
    signals(min_len=2),
    st.integers(2, 64),
    st.floats(0.0, 0.9),
    st.sampled_from(["zeros", "even", "odd", "constant", None]),
    st.booleans(),
    st.sampled_from(["spectrum", "psd"]),
    st.sampled_from([False, "constant", "linear"]),
)
def test_stft_matches_scipy(xa, nperseg, frac, boundary, padded, scaling, detrend):
    x, axis = xa
    noverlap = min(nperseg - 1, int(frac * nperseg))
    kw = dict(
        nperseg=nperseg,
        noverlap=noverlap,
        boundary=boundary,
        padded=padded,
        scaling=scaling,
        detrend=detrend,
        axis=axis,
        fs=3.0,
    )
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


@pytest.mark.usefixtures("engine")
@given(
    signals(min_len=2),
    st.integers(2, 64),
    st.sampled_from(["psd", "complex", "magnitude", "angle", "phase"]),
    st.sampled_from(["density", "spectrum"]),
)
def test_spectrogram_matches_scipy(xa, nperseg, mode, scaling):
    x, axis = xa
    got, want = _both("spectrogram", x, nperseg=nperseg, mode=mode, scaling=scaling, axis=axis)
    for g, w in zip(got, want):
        if mode in ("angle", "phase"):
            # angles of bins whose magnitude is ~0 are rounding noise in both
            continue
        assert_matches(g, w, rtol=1e-9, floor=1e-13)


@given(
    st.integers(64, 600),
    st.sampled_from([16, 32, 64]),
    st.sampled_from([2, 4]),
    st.sampled_from(["hann_periodic", ("tukey_periodic", 0.5)]),
    st.integers(0, 2**32 - 1),
)
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
    for args in (
        (Z, {"input_onesided": False}),
        (Zt, {"input_onesided": False, "time_axis": 0, "freq_axis": -1}),
    ):
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


def test_single_precision_round_trip_keeps_scipys_dtypes(rng):
    x = (10 * rng.standard_normal(1024)).astype(np.float32)
    f, t, Z = dsp.stft(x, nperseg=256, noverlap=128, detrend=None, padded=False)
    assert Z.dtype == ss.stft(x, nperseg=256, noverlap=128)[2].dtype == np.complex64
    _, xr = dsp.istft(Z, nperseg=256, noverlap=128)
    _, want = ss.istft(Z, nperseg=256, noverlap=128)
    assert xr.dtype == want.dtype == np.float32
    np.testing.assert_allclose(xr, x, rtol=1e-4, atol=1e-4)
    xc = (x + 1j * x[::-1]).astype(np.complex64)
    got, want = _both("spectrogram", xc, nperseg=64)
    assert got[2].dtype == want[2].dtype == np.float32
    np.testing.assert_allclose(got[2], want[2], rtol=1e-4, atol=1e-6 * want[2].max())


def test_istft_without_nola_warns_as_scipy(rng):
    """Where the summed squared window vanishes the samples are lost: SciPy's
    UserWarning (a NumericalWarning here) and SciPy's values."""
    x = 10 * rng.standard_normal(256)
    _, _, Z = ss.stft(x, window="hann", nperseg=64, noverlap=0)
    with pytest.warns(NumericalWarning, match="NOLA condition failed"):
        got = dsp.istft(Z, window="hann", nperseg=64, noverlap=0)[1]
    with pytest.warns(UserWarning, match="NOLA"):
        want = ss.istft(Z, window="hann", nperseg=64, noverlap=0)[1]
    assert_matches(got, want, rtol=1e-9)
    with pytest.raises(InputError, match="`window` must not be all zeros"):
        dsp.istft(Z, window=np.zeros(64), nperseg=64)


def test_extreme_scales_stay_finite(rng):
    """stft, istft and hilbert are linear: at 1e308 the exact result is representable
    and equals the unit-scale result times the scale."""
    x = rng.standard_normal(512)
    x /= np.abs(x).max()
    big = 1e308
    _, _, Z = dsp.stft(x * big, nperseg=64)
    np.testing.assert_allclose(Z, ss.stft(x, nperseg=64)[2] * big, rtol=1e-12, atol=1e-12 * big)
    _, xr = dsp.istft(Z, nperseg=64)
    np.testing.assert_allclose(xr[:512] / big, x, rtol=1e-10, atol=1e-12)
    z = dsp.hilbert(x * big)
    assert np.all(np.isfinite(z))
    np.testing.assert_allclose(z / big, ss.hilbert(x), rtol=1e-12, atol=1e-12)


def test_hilbert_of_tables(rng):
    """Complex results: pandas in, pandas out; Arrow (no complex type) gives NumPy."""
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    x = rng.standard_normal((100, 2))
    want = ss.hilbert(x, axis=0)
    frame = pd.DataFrame(x, columns=["a", "b"], index=np.arange(100) * 0.5)
    got = dsp.hilbert(frame)
    assert isinstance(got, pd.DataFrame) and list(got.columns) == ["a", "b"]
    assert got.index.equals(frame.index)
    assert_matches(got.to_numpy(), want)
    for table in (pa.table({"a": x[:, 0], "b": x[:, 1]}), pa.array(x[:, 0])):
        got = dsp.hilbert(table)
        assert isinstance(got, np.ndarray)
        assert_matches(got, want if got.ndim == 2 else want[:, 0])


def test_more_bad_arguments(rng):
    _, _, Z = ss.stft(rng.standard_normal(300), nperseg=64)
    with pytest.raises(InputError, match="`Zxx` must be numeric"):
        dsp.istft(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(InputError, match="`fs` must be a finite number > 0"):
        dsp.istft(Z, fs=np.nan)
    with pytest.raises(InputError, match=r"`window\[1\]` must be finite"):
        dsp.istft(Z, window=("kaiser", np.inf))
    with pytest.raises(InputError, match="`x` must have at least one sample"):
        dsp.hilbert(np.empty((3, 0)))
    with pytest.raises(InputError, match="`N` must be an integer >= 1"):
        dsp.hilbert(np.ones(8), N=0)


def test_istft_segment_length_must_fit_the_spectrum(rng):
    _, _, Z = ss.stft(rng.standard_normal(300), nperseg=32)
    with pytest.raises(InputError, match="`nperseg` must be at most the STFT's FFT length 32"):
        dsp.istft(Z, nperseg=128)


@pytest.mark.parametrize("mode", ["phase", "angle", "magnitude", "complex", "psd"])
@pytest.mark.parametrize(
    "shape, axis",
    [((200,), None), ((3, 200), -1), ((200, 3), 0), ((2, 200, 3), 1), ((2, 200, 3), -2)],
)
def test_spectrogram_modes_on_every_axis_match_scipy(rng, mode, shape, axis):
    # "phase" unwraps along the frequencies, as SciPy does, whatever the axis; no
    # detrending, so no bin is rounding noise whose angle means nothing
    x = rng.standard_normal(shape)
    kw = {"detrend": False} if axis is None else {"axis": axis, "detrend": False}
    got = dsp.spectrogram(x, nperseg=64, mode=mode, **kw)[2]
    want = ss.spectrogram(x, nperseg=64, mode=mode, **kw)[2]
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_spectrogram_phase_of_a_dataframe_unwraps_along_frequency(rng):
    df = pd.DataFrame(rng.standard_normal((200, 3)))  # samples down the rows
    got = dsp.spectrogram(df, nperseg=64, mode="phase", detrend=False)[2]
    want = ss.spectrogram(df.to_numpy(), nperseg=64, mode="phase", axis=0, detrend=False)[2]
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn", ["spectrogram", "stft"])
@pytest.mark.parametrize(
    "shape, axis", [((150, 3), 0), ((3, 150), 1), ((3, 150), -1), ((2, 150, 3), 1)]
)
def test_callable_detrend_sees_frames_as_scipy_hands_them(rng, fn, shape, axis):
    # SciPy moves the samples of the frames back to `axis` before calling the callable
    x = rng.standard_normal(shape)
    seen = {}

    def det(name):
        def call(d):
            seen.setdefault(name, d.shape)
            return ss.detrend(d, axis=axis if axis != -1 else -1, type="linear")

        return call

    got = getattr(dsp, fn)(x, nperseg=32, axis=axis, detrend=det("pyjl"))[2]
    want = getattr(ss, fn)(x, nperseg=32, axis=axis, detrend=det("scipy"))[2]
    assert seen["pyjl"] == seen["scipy"]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
