"""resample (Fourier method) against scipy.signal.resample, closed forms and the refusals.

The SciPy cases ported from scipy/signal/tests/test_signaltools.py (class TestResample)
are marked ``# SciPy:`` with the name of the test they come from.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.fft as sfft
import scipy.signal as ss

from pyjl.dsp.fourier_resample import resample
from pyjl.exceptions import InputError, NumericalWarning

from .helpers import assert_matches

LENGTHS = (1, 2, 3, 4, 7, 8, 16, 17)
NUMS = (1, 2, 3, 5, 8, 9, 16, 33)
SINGLE = (np.float32, np.complex64)


def _data(rng, shape, dtype=np.float64):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    if np.dtype(dtype).kind in "iu":
        x = 20 * x
    if np.dtype(dtype).kind == "b":
        return x > 0
    return x.astype(dtype)


def _close(got, want):
    """Same dtype and shape as SciPy, values within the dtype's rounding."""
    want = np.asarray(want)
    assert_matches(got, want, rtol=2e-5 if want.dtype in SINGLE else 1e-12)


# --- equality with SciPy ----------------------------------------------------------


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("num", NUMS)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_matches_scipy_lengths(rng, n, num, dtype):
    x = _data(rng, n, dtype)
    _close(resample(x, num), ss.resample(x, num))


@pytest.mark.parametrize("axis", [-3, -2, -1, 0, 1, 2])
@pytest.mark.parametrize("num", [4, 11, 30])
def test_matches_scipy_axis(rng, axis, num):
    x = _data(rng, (9, 4, 10))
    _close(resample(x, num, axis=axis), ss.resample(x, num, axis=axis))
    xc = _data(rng, (9, 4, 10), np.complex128)
    _close(resample(xc, num, axis=axis), ss.resample(xc, num, axis=axis))


def test_default_axis_is_zero_for_arrays(rng):
    x = _data(rng, (12, 3))
    y = resample(x, 5)
    assert y.shape == (5, 3)
    _close(y, ss.resample(x, 5))


@pytest.mark.parametrize(
    "dtype",
    [np.float64, np.float32, np.float16, np.int16, np.int64, np.uint8, np.bool_]
    + [np.complex64, np.complex128],
)
@pytest.mark.parametrize("num", [5, 24])
def test_dtypes_match_scipy(rng, dtype, num):
    x = _data(rng, (2, 12), dtype)
    got, want = resample(x, num, axis=1), ss.resample(x, num, axis=1)
    assert got.dtype == want.dtype
    if dtype is np.float16:  # SciPy transforms float16 in float32, pyjl in float64
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())
    else:
        _close(got, want)
    assert resample(x, num, axis=1, domain="time").dtype == want.dtype


WINDOWS = {
    "none": lambda n: None,
    "name": lambda n: "hann",
    "tuple": lambda n: ("kaiser", 8.0),
    "beta": lambda n: 6.0,
    "array": lambda n: np.random.default_rng(n).random(n),
    "array32": lambda n: np.random.default_rng(n).random(n).astype(np.float32),
    "complex": lambda n: np.exp(1j * np.random.default_rng(n).random(n)),
    "callable": lambda n: lambda f: np.exp(-10 * f**2),
}


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize("n,num", [(16, 7), (16, 10), (17, 40), (12, 30), (9, 9), (8, 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.complex64])
def test_windows_match_scipy(rng, window, n, num, dtype):
    x = _data(rng, (3, n), dtype)
    w = WINDOWS[window](n)
    _close(resample(x, num, axis=1, window=w), ss.resample(x, num, axis=1, window=w))


@pytest.mark.parametrize("window", ["none", "name", "array", "array32", "callable"])
@pytest.mark.parametrize("n,num", [(16, 7), (16, 10), (17, 40), (12, 30), (2, 5), (5, 2)])
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64, np.float64])
def test_freq_domain_matches_scipy(rng, window, n, num, dtype):
    x = _data(rng, (n, 2), dtype)
    w = WINDOWS[window](n)
    got = resample(x, num, window=w, domain="freq")
    _close(got, ss.resample(x, num, window=w, domain="freq"))


@pytest.mark.parametrize("t", [[0.5, 0.75], np.arange(12) / 4.0, np.arange(12, dtype=np.int32)])
@pytest.mark.parametrize("num", [5, 12, 30])
def test_times_match_scipy(rng, t, num):
    x = _data(rng, 12)
    y, ty = resample(x, num, t=t)
    y_s, ty_s = ss.resample(x, num, t=t)
    _close(y, y_s)
    _close(ty, ty_s)


def test_float32_times_follow_scipy(rng):
    t = np.arange(10, dtype=np.float32) * np.float32(0.1)
    _, ty = resample(_data(rng, 10), 7, t=t)
    _close(ty, ss.resample(_data(rng, 10), 7, t=t)[1])


# --- SciPy's own cases (TestResample) ----------------------------------------------


def test_scipy_basic():  # SciPy: test_basic
    sig = np.arange(128, dtype=np.float64)
    win = ss.get_window(("kaiser", 8.0), 160)
    with pytest.raises(InputError, match="`window`"):
        resample(sig, 256, window=win)
    with pytest.raises(InputError, match="`domain`"):
        resample(sig, 256, domain="INVALID")
    sig2 = np.tile(np.arange(160, dtype=np.float64), (2, 1))
    resample(sig2, 256, axis=-1, window=win)
    assert win.shape == (160,)


@pytest.mark.parametrize("window", [None, "hamming"])
@pytest.mark.parametrize("n", [20, 19])
@pytest.mark.parametrize("num", [100, 101, 10, 11])
def test_scipy_rfft(n, num, window):  # SciPy: test_rfft
    x = np.linspace(0, 10, n, endpoint=False)
    y = np.cos(-(x**2) / 6.0)
    desired = resample(y.astype(np.complex128), num, window=window)
    np.testing.assert_allclose(resample(y, num, window=window), desired.real, atol=1e-12)
    y = np.stack([np.cos(-(x**2) / 6.0), np.sin(-(x**2) / 6.0)])
    resampled = resample(y.astype(np.complex128), num, axis=1, window=window)
    np.testing.assert_allclose(resample(y, num, axis=1, window=window), resampled.real, atol=1e-9)


def test_scipy_input_domain():  # SciPy: test_input_domain
    tsig = np.arange(256).astype(np.complex128)
    fsig = sfft.fft(tsig)
    np.testing.assert_allclose(
        resample(fsig, 256, domain="freq"), resample(tsig, 256, domain="time"), atol=1e-9
    )


@pytest.mark.parametrize("nx", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("ny", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_scipy_dc(nx, ny, dtype):  # SciPy: test_dc
    y = resample(np.ones(nx, dtype=dtype), ny)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, np.ones(ny), rtol=1e-13)


def test_scipy_resample_methods_fft():  # SciPy: test_resample_methods, method "fft"
    rate = 100
    t = np.arange(rate) / rate
    freqs = np.array([1.0, 10.0, 40.0])[:, None]
    x = np.sin(2 * np.pi * freqs * t) * ss.windows.hann(rate)
    for rate_to in [49, 50, 51, 99, 100, 101, 199, 200, 201]:
        t_to = np.arange(rate_to) / rate_to
        y_tos = np.sin(2 * np.pi * freqs * t_to) * ss.windows.hann(rate_to)
        y_resamps = resample(x, rate_to, axis=-1)
        for y_to, y_resamp, freq in zip(y_tos, y_resamps, freqs[:, 0]):
            if freq >= 0.5 * rate_to:
                np.testing.assert_allclose(y_resamp, 0.0, atol=1e-3)
            else:
                assert np.corrcoef(y_to, y_resamp)[0, 1] > 0.99
    walk = ss.windows.hann(rate) * np.cumsum(np.random.RandomState(0).randn(rate))
    for rate_to in [49, 50, 51, 99, 100, 101, 199, 200, 201]:
        y_to = np.interp(np.arange(rate_to) / rate_to, t, walk)
        assert np.corrcoef(y_to, resample(walk, rate_to))[0, 1] > 0.99
    np.testing.assert_allclose(
        resample(np.array([1.0 + 0j, 0.0]), 4), [1.0, 0.5, 0.0, 0.5], atol=1e-12
    )
    np.testing.assert_allclose(resample(np.array([1.0, 0.5, 0.0, 0.5]), 2), [1.0, 0.0], atol=1e-12)


@pytest.mark.parametrize("n_in", [8, 9])
@pytest.mark.parametrize("n_out", [3, 4])
def test_scipy_window_callable(n_in, n_out):  # SciPy: test_resample_win_func
    y0 = resample(np.ones(n_in), n_out)
    y1 = resample(np.ones(n_in), n_out, window=lambda f: 0.5 * np.ones_like(f))
    np.testing.assert_allclose(2 * y1, y0, atol=1e-12)


@pytest.mark.parametrize("n_in", [6, 12])
@pytest.mark.parametrize("n_out", [3, 4])
def test_scipy_param_t(n_in, n_out):  # SciPy: test__resample_param_t
    y0 = resample(np.ones(n_in), n_out)
    y1, t1 = resample(np.ones(n_in), n_out, t=[10, 12])
    np.testing.assert_array_equal(y1, y0)
    np.testing.assert_allclose(t1, 10 + np.arange(n_out) * 2 * n_in / n_out, atol=1e-12)


@pytest.mark.parametrize("n1", [2, 3, 7, 8])
@pytest.mark.parametrize("n0", [2, 3, 7, 8])
def test_scipy_nyquist(n0, n1):  # SciPy: test_resample_nyquist (gh-14569)
    f_ny = min(n0, n1) // 2
    x0, x1 = (np.cos(2 * np.pi * f_ny * np.arange(k) / k) for k in (n0, n1))
    np.testing.assert_allclose(resample(x0, n1), x1, atol=1e-12)
    np.testing.assert_allclose(resample(x0 + 0j, n1).real, x1, atol=1e-12)


# --- closed forms -------------------------------------------------------------------


@pytest.mark.parametrize("n,num", [(32, 100), (33, 64), (64, 21), (50, 50), (40, 17)])
def test_band_limited_sinusoids_are_resampled_exactly(rng, n, num):
    """Below the lower Nyquist frequency, resampling is sampling the same sinusoids."""
    ks = np.arange(min(n, num) // 2 - (1 - min(n, num) % 2))  # strictly below Nyquist
    amp, phase = rng.standard_normal(ks.size), rng.uniform(0, 2 * np.pi, ks.size)

    def sampled(m):
        tt = np.arange(m)[:, None] / m
        return np.sum(amp * np.cos(2 * np.pi * ks * tt + phase), axis=1)

    np.testing.assert_allclose(resample(sampled(n), num), sampled(num), atol=1e-12)
    y, ty = resample(sampled(n), num, t=np.arange(n) / n)
    np.testing.assert_allclose(ty, np.arange(num) / num, atol=1e-15)


@pytest.mark.parametrize("n", [7, 8, 1, 2])
@pytest.mark.parametrize("up", [15, 16, 40])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_up_then_down_recovers_the_input(rng, n, up, dtype):
    x = _data(rng, (n, 3), dtype)
    np.testing.assert_allclose(resample(resample(x, up), n), x, atol=1e-12)


def test_equal_length_returns_the_input(rng):
    x = _data(rng, (3, 10))
    np.testing.assert_allclose(resample(x, 10, axis=1), x, atol=1e-14)


def test_inputs_are_not_modified(rng):
    x, w = _data(rng, (2, 12)), rng.random(12)
    x0, w0 = x.copy(), w.copy()
    resample(x, 7, axis=1, window=w)
    resample(x, 7, axis=1, window=w, domain="freq")
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)


def test_values_near_the_float64_limit_are_exact(rng):
    x = _data(rng, 16)
    big = x * 2.0**1020  # the transform of x itself would overflow
    np.testing.assert_array_equal(resample(big, 40), resample(x, 40) * 2.0**1020)


def test_an_overflowing_result_warns():
    x = 1.5e308 * np.array([1.0, 1.0, -1.0, -1.0])  # its interpolant peaks at sqrt(2) x
    with pytest.warns(NumericalWarning, match="resample"):
        resample(x, 32)


# --- tables -------------------------------------------------------------------------


def test_dataframe_in_dataframe_out(rng):
    values = _data(rng, (20, 2))
    index = pd.date_range("2024-01-01", periods=20, freq="s")
    df = pd.DataFrame(values, columns=["a", "b"], index=index)
    y = resample(df, 30)
    assert isinstance(y, pd.DataFrame)
    assert list(y.columns) == ["a", "b"]
    pd.testing.assert_index_equal(y.index, pd.RangeIndex(30))
    _close(y.to_numpy(), ss.resample(values, 30))
    same = resample(df, 20)  # same sample times: the index is kept
    pd.testing.assert_index_equal(same.index, index)


def test_series_in_series_out(rng):
    s = pd.Series(_data(rng, 12), name="v")
    y = resample(s, 5)
    assert isinstance(y, pd.Series) and len(y) == 5
    _close(y.to_numpy(), ss.resample(s.to_numpy(), 5))


def test_arrow_table_in_arrow_table_out(rng):
    pa = pytest.importorskip("pyarrow")
    values = _data(rng, (15, 3))
    table = pa.table({name: values[:, j] for j, name in enumerate("xyz")})
    y = resample(table, 7)
    assert isinstance(y, pa.Table)
    assert y.column_names == ["x", "y", "z"]
    got = np.column_stack([y.column(c).to_numpy() for c in y.column_names])
    _close(got, ss.resample(values, 7))


# --- refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"num": 0}, "num"),
        ({"num": -3}, "num"),
        ({"num": 2.5}, "num"),
        ({"num": True}, "num"),
        ({"num": "4"}, "num"),
        ({"num": 4, "axis": 2}, "axis"),
        ({"num": 4, "axis": 1.5}, "axis"),
        ({"num": 4, "window": np.ones(7)}, "window"),
        ({"num": 4, "window": np.ones((2, 10))}, "window"),
        ({"num": 4, "window": np.array(["a"] * 10)}, "window"),
        ({"num": 4, "window": np.r_[np.nan, np.ones(9)]}, "window"),
        ({"num": 4, "window": "not-a-window"}, "window"),
        ({"num": 4, "window": lambda f: f[:3]}, "window"),
        ({"num": 4, "domain": "frequency"}, "domain"),
        ({"num": 4, "t": [1.0]}, "t"),
        ({"num": 4, "t": [[0.0, 1.0]]}, "t"),
        ({"num": 4, "t": ["a", "b"]}, "t"),
        ({"num": 4, "t": [0.0, np.inf]}, "t"),
    ],
)
def test_bad_arguments_raise_input_error_naming_them(rng, kwargs, name):
    with pytest.raises(InputError, match=f"`{name}`"):
        resample(_data(rng, 10), **kwargs)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("domain", ["time", "freq"])
def test_non_finite_input_is_refused(bad, domain):
    x = np.arange(10.0)
    x[3] = bad
    with pytest.raises(InputError, match="`x`.*index 3"):
        resample(x, 4, domain=domain)


def test_empty_and_scalar_inputs_are_refused():
    with pytest.raises(InputError, match="`x`"):
        resample(np.empty(0), 4)
    with pytest.raises(InputError, match="`x`"):
        resample(3.0, 4)
