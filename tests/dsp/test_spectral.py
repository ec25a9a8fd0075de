"""periodogram, welch, csd, coherence against scipy.signal."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, NumericalWarning

from .helpers import assert_matches, signals

SEG = st.tuples(st.integers(4, 64), st.floats(0.0, 0.9), st.integers(0, 16))


pytestmark = pytest.mark.filterwarnings("ignore:nperseg")


def _seg(seg):
    nperseg, frac, extra = seg
    return dict(
        nperseg=nperseg, noverlap=min(nperseg - 1, int(frac * nperseg)), nfft=nperseg + extra
    )


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


@pytest.mark.usefixtures("engine")
@given(
    signals(min_len=1),
    SEG,
    st.sampled_from(["constant", "linear", False]),
    st.sampled_from(["density", "spectrum"]),
    st.sampled_from(["mean", "median"]),
    st.booleans(),
    st.sampled_from(["hann_periodic", ("tukey", 0.3), "boxcar"]),
)
def test_welch_matches_scipy(xa, seg, detrend, scaling, average, onesided, window):
    x, axis = xa
    got, want = _both(
        "welch",
        x,
        fs=2.5,
        window=window,
        detrend=detrend,
        scaling=scaling,
        average=average,
        return_onesided=onesided,
        axis=axis,
        **_seg(seg),
    )
    if got is not None:
        assert_matches(got[0], want[0])
        assert_matches(got[1], want[1], rtol=1e-9)


@pytest.mark.usefixtures("engine")
@given(
    signals(min_len=8, max_dims=2),
    SEG,
    st.sampled_from(["constant", "linear", False]),
    st.sampled_from(["mean", "median"]),
)
def test_csd_and_coherence_match_scipy(xa, seg, detrend, average):
    x, axis = xa
    y = np.roll(x, 3, axis=axis) + 0.5 * x**2
    got, want = _both("csd", x, y, detrend=detrend, average=average, axis=axis, **_seg(seg))
    if got is not None:
        assert_matches(got[1], want[1], rtol=1e-9)
    got, want = _both("coherence", x, y, detrend=detrend, axis=axis, **_seg(seg))
    if got is not None:
        assert_matches(got[1], want[1], rtol=1e-8)


@pytest.mark.usefixtures("engine")
def test_csd_complex_and_unequal_lengths(rng):
    x = rng.standard_normal((2, 400)) + 1j * rng.standard_normal((2, 400))
    y = rng.standard_normal((2, 350))
    got, want = _both("csd", x, y, nperseg=64)
    assert got is not None
    assert_matches(got[0], want[0])
    assert_matches(got[1], want[1])


@pytest.mark.usefixtures("engine")
@given(
    signals(min_len=1),
    st.none() | st.integers(1, 400),
    st.sampled_from(["boxcar", "hann", ("tukey", 0.5)]),
    st.sampled_from(["constant", False]),
)
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


@pytest.mark.usefixtures("engine")
def test_long_signal_in_groups_equals_scipy(rng):
    """More frames than one group holds: the running sum is the mean."""
    x = rng.standard_normal((2, 300_000))
    got, want = _both("welch", x, nperseg=128)
    assert_matches(got[1], want[1], rtol=1e-9)


@pytest.mark.parametrize("noverlap", [-1, -5, -16, -1000])
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("welch", {}),
        ("welch", {"average": "median"}),
        ("csd", {}),
        ("coherence", {}),
        ("spectrogram", {"mode": "complex"}),
        ("stft", {}),
        ("stft", {"boundary": None, "padded": True}),
    ],
)
def test_a_negative_overlap_leaves_gaps_as_scipy(rng, noverlap, name, kwargs):
    # segments nperseg - noverlap apart, the samples between them unused
    x, y = rng.standard_normal((2, 3, 100))
    args = (x, y) if name in ("csd", "coherence") else (x,)
    got = getattr(dsp, name)(*args, nperseg=16, noverlap=noverlap, **kwargs)
    want = getattr(ss, name)(*args, nperseg=16, noverlap=noverlap, **kwargs)
    for g, w in zip(got, want, strict=True):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-14)


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


@pytest.mark.parametrize("fn", ["periodogram", "welch", "csd", "coherence"])
def test_complex64_matches_scipy_in_single_precision(rng, fn):
    x = (rng.standard_normal(1024) + 1j * rng.standard_normal(1024)).astype(np.complex64)
    args = (x, x[::-1].copy()) if fn in ("csd", "coherence") else (x,)
    kw = {} if fn == "periodogram" else {"nperseg": 128}
    got, want = _both(fn, *args, **kw)
    assert got[1].dtype == want[1].dtype
    np.testing.assert_allclose(got[1], want[1], rtol=1e-4, atol=1e-5 * np.abs(want[1]).max())


def test_csd_of_an_empty_signal_is_empty_as_in_scipy():
    for x, y, axis in (
        (np.zeros(10), [], -1),
        (np.ones(10), np.empty((5, 0)), -1),
        (np.ones((10, 10, 3)), np.zeros((10, 0, 1)), 1),
    ):
        got, want = _both("csd", x, y, axis=axis)
        assert got[0].shape == want[0].shape and got[1].shape == want[1].shape


def test_bad_windows_are_refused(rng):
    x = rng.standard_normal(100)
    with pytest.raises(InputError, match="`window` must not be all zeros"):
        dsp.welch(x, window=np.zeros(16))
    with pytest.raises(InputError, match="`window` must not be longer than the signal"):
        dsp.welch(x, window=np.ones(128))
    with pytest.raises(InputError, match=r"`window\[1\]` must be finite; got nan"):
        dsp.welch(x, window=("tukey", np.nan), nperseg=16)
    with pytest.raises(InputError, match="`window` must be finite; got inf at index 3"):
        dsp.csd(x, x, window=np.r_[np.ones(3), np.inf, np.ones(4)])
    with pytest.raises(InputError, match="`beta` must be finite"):
        dsp.windows.kaiser(16, beta=np.inf)
    with pytest.raises(InputError, match="`a` must be finite; got nan at index 1"):
        dsp.windows.general_cosine(16, [0.5, np.nan])
    # the checked windows are SciPy's
    np.testing.assert_array_equal(dsp.windows.kaiser(16, 8.6), ss.windows.kaiser(16, 8.6))


@pytest.mark.parametrize("peak", [1e200, 1e-200, 1e-300])
def test_extreme_scales_give_the_exact_scaled_result(rng, peak):
    """With fs = peak the density is peak * (the unit-scale density): representable,
    though the squares of the data are not (SciPy returns inf or 0 there)."""
    x = rng.standard_normal(1000)
    x /= np.abs(x).max()
    want = ss.welch(x, nperseg=128)[1] * peak
    got = dsp.welch(x * peak, fs=peak, nperseg=128)[1]
    assert np.all(np.isfinite(got)) and np.all(got > 0)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_extreme_coherence_is_scale_free_and_overflow_is_reported(rng):
    x = rng.standard_normal(2000)
    y = np.roll(x, 5) + rng.standard_normal(2000)
    x, y = x / np.abs(x).max(), y / np.abs(y).max()
    want = ss.coherence(x, y, nperseg=128)[1]
    np.testing.assert_allclose(
        dsp.coherence(x * 1e308, y * 1e-300, nperseg=128)[1], want, rtol=1e-10
    )
    with pytest.warns(NumericalWarning, match="exceeds the range of float64"):
        p = dsp.welch(x * 1e300, nperseg=128)[1]  # the true PSD is ~1e600
    assert np.all(np.isinf(p))


def test_window_length_is_checked():
    with pytest.raises(InputError, match="`M` must be an integer >= 0"):
        dsp.windows.hann(-3)
    with pytest.raises(InputError, match="`M` must be an integer >= 0"):
        dsp.windows.kaiser(4.5, 2.0)


def test_undefined_coherence_is_nan_as_in_scipy_with_a_warning(rng):
    """A silent channel has no coherence (0/0): NaN as in SciPy, with a warning."""
    x = rng.standard_normal(512)
    with pytest.warns(NumericalWarning, match="coherence is undefined"):
        got = dsp.coherence(np.zeros(512), x, nperseg=64)[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = ss.coherence(np.zeros(512), x, nperseg=64)[1]
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))


def test_coherence_mixed_complex_empty_and_extreme_fs(rng):
    """Complex with real data is two-sided (SciPy's own complex-complex result); the
    values do not depend on fs, even where the density would underflow."""
    x = rng.standard_normal(512) + 1j * rng.standard_normal(512)
    y = rng.standard_normal(512)
    assert_matches(
        dsp.coherence(x, y, nperseg=64)[1],
        ss.coherence(x, y.astype(complex), nperseg=64)[1],
        rtol=1e-9,
    )
    xr = x.real
    assert_matches(
        dsp.coherence(xr, y, fs=1e308, nperseg=64)[1],
        ss.coherence(xr, y, nperseg=64)[1],
        rtol=1e-9,
    )
    f, c = dsp.coherence(np.array([]), y, nperseg=64)
    assert f.shape == c.shape == (0,)


def test_more_refusals(rng):
    x = rng.standard_normal(256)
    with pytest.raises(InputError, match="`y` must be a signal"):
        dsp.csd(x, None)
    with pytest.raises(InputError, match="`nperseg` must be an integer"):
        dsp.coherence(x, x, nperseg=True)


def test_window_functions_refuse_what_scipy_fails_on():
    """SciPy's refusals and non-finite windows become InputErrors; valid calls are
    SciPy's results, all-zero windows included (hann(2) is [0, 0] there too)."""
    with pytest.raises(InputError, match=r"`dpss` must get arguments SciPy accepts \(Kmax"):
        dsp.windows.dpss(8, 2, Kmax=0)
    with pytest.raises(InputError, match="`sll` must be real"):
        dsp.windows.taylor(10, sll=1 + 1j)
    with pytest.raises(InputError, match="`sym` must be True or False"):
        dsp.windows.hann(8, sym="yes")
    np.testing.assert_array_equal(dsp.windows.hann(2), ss.windows.hann(2))
    np.testing.assert_array_equal(dsp.windows.dpss(16, 2, 3), ss.windows.dpss(16, 2, 3))


@pytest.mark.parametrize("fn", ["csd", "coherence"])
@pytest.mark.parametrize(
    "xs, ys, axis",
    [
        ((200,), (3, 200), None),  # one reference channel against three
        ((200,), (2, 3, 200), None),
        ((3, 200), (200,), None),
        ((200, 1), (200, 3), 0),
        ((2, 200, 3), (200, 3), -2),
    ],
)
def test_broadcast_pairs_put_frequency_where_scipy_does(rng, fn, xs, ys, axis):
    x, y = rng.standard_normal(xs), rng.standard_normal(ys)
    kw = {} if axis is None else {"axis": axis}
    got = getattr(dsp, fn)(x, y, nperseg=32, **kw)[1]
    want = getattr(ss, fn)(x, y, nperseg=32, **kw)[1]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("fn", ["welch", "csd", "periodogram"])
@pytest.mark.parametrize("shape, axis", [((200,), -1), ((3, 200), -1), ((200, 3), 0)])
def test_callable_detrend_sees_one_segment_of_every_channel(rng, fn, shape, axis):
    # SciPy's csd (through ShortTimeFFT) calls it once per segment, on all channels at once:
    # a detrend over the whole segment array, not one channel, gives other spectra
    x, y = rng.standard_normal(shape), rng.standard_normal(shape)
    args = (x,) if fn != "csd" else (x, y)
    seen = {}

    def det(name):
        def call(v):
            seen.setdefault(name, v.shape)
            return v - v.mean()

        return call

    kw = {} if fn == "periodogram" else {"nperseg": 32}
    got = getattr(dsp, fn)(*args, axis=axis, detrend=det("pyjl"), **kw)[1]
    want = getattr(ss, fn)(*args, axis=axis, detrend=det("scipy"), **kw)[1]
    assert seen["pyjl"] == seen["scipy"]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


def test_coherence_of_signals_of_two_lengths(rng):
    # SciPy reads them when nperseg fits the shorter, and fails broadcasting Pxx against
    # Pyy otherwise (each welch cut nperseg to its own signal): refused, naming nperseg
    x, y = rng.standard_normal(40), rng.standard_normal(64)
    f, c = dsp.coherence(x, y, nperseg=32)
    f_ref, c_ref = ss.coherence(x, y, nperseg=32)
    np.testing.assert_allclose(c, c_ref, rtol=1e-10)
    np.testing.assert_array_equal(f, f_ref)
    for nperseg in (48, None):
        with pytest.raises(ValueError, match="broadcast"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                ss.coherence(x, y, nperseg=nperseg)
        with pytest.raises(InputError, match=r"`nperseg` must be at most .* \(40\)"):
            dsp.coherence(x, y, nperseg=nperseg)
    # without nperseg, a window given as an array sets it (32 here), as in SciPy
    f, c = dsp.coherence(x, y, window=np.hanning(32))
    np.testing.assert_allclose(c, ss.coherence(x, y, window=np.hanning(32))[1], rtol=1e-10)


def test_istft_of_a_gapped_stft_is_scipys(rng):
    # the gaps fail NOLA: both warn, and put zeros where no segment reaches
    x = rng.standard_normal(100)
    Z = ss.stft(x, nperseg=16, noverlap=-3)[2]
    with pytest.warns(UserWarning, match="NOLA"):
        want = ss.istft(Z, nperseg=16, noverlap=-3)
    with pytest.warns(UserWarning, match="NOLA"):
        got = dsp.istft(Z, nperseg=16, noverlap=-3)
    np.testing.assert_allclose(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["welch", "periodogram", "coherence", "csd"])
def test_an_empty_series_or_table_gives_an_empty_one(name):
    # SciPy's empty result (of the input's shape), in the input's kind, as for any length
    import pandas as pd
    import pyarrow as pa

    def call(module, x, **kw):
        two = name in ("coherence", "csd")
        return getattr(module, name)(*((x, x) if two else (x,)), **kw)

    s = pd.Series([], dtype=float, name="v")
    f, p = call(dsp, s)
    assert isinstance(p, pd.Series) and p.shape == (0,) and p.name == "v"
    assert f.shape == call(ss, np.empty(0))[0].shape
    frame = pd.DataFrame({"a": [], "b": []}, dtype=float)
    p = call(dsp, frame, axis=0)[1]
    assert isinstance(p, pd.DataFrame) and list(p.columns) == ["a", "b"] and len(p) == 0
    p = call(dsp, pa.array([], type=pa.float64()))[1]
    assert isinstance(p, pa.Array) and len(p) == 0
