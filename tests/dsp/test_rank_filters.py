"""medfilt, medfilt2d and order_filter against scipy.signal (shapes, dtypes, kernels),
against sorting by hand, tables, and every bad-input rule."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError, PyjlWarning

DTYPES = [np.uint8, np.int16, np.int64, np.uint64, np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
def test_medfilt_matches_scipy(rng, dtype):
    for ndim in (1, 2, 3):
        shape = tuple(rng.integers(1, 9, ndim))
        x = (np.abs(rng.standard_normal(shape)) * 50).astype(dtype)
        kernel = [int(k) for k in rng.integers(0, 3, ndim) * 2 + 1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kernels larger than the data warn (both)
            want, got = ss.medfilt(x, kernel), dsp.medfilt(x, kernel)
        assert got.dtype == want.dtype == dtype
        np.testing.assert_array_equal(got, want)
        if ndim == 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got2 = dsp.medfilt2d(x, kernel)
                want2 = ss.medfilt2d(x, kernel)
            np.testing.assert_array_equal(got2, want2)
            assert got2.dtype == dtype


def test_median_by_hand(rng):
    x = rng.standard_normal((5, 6))
    padded = np.pad(x, 1)
    want = np.array(
        [[np.median(padded[i : i + 3, j : j + 3]) for j in range(6)] for i in range(5)]
    )
    np.testing.assert_array_equal(dsp.medfilt2d(x), want)
    np.testing.assert_array_equal(dsp.medfilt(x, [3, 3]), want)


def test_order_filter_matches_scipy(rng):
    for ndim in (1, 2, 3):
        x = rng.standard_normal(tuple(rng.integers(2, 8, ndim)))
        domain = rng.integers(0, 2, tuple(int(k) for k in rng.integers(0, 3, ndim) * 2 + 1))
        domain.flat[0] = 1
        for rank in range(int(domain.sum())):
            if ndim == 1:  # SciPy's N-D path (its 1-D one misranks the last samples)
                want = ss.order_filter(x[None], domain[None], rank)[0]
            else:
                want = ss.order_filter(x, domain, rank)
            np.testing.assert_array_equal(dsp.order_filter(x, domain, rank), want)
    # the last window holds 2, 3 and a padding zero
    assert dsp.order_filter([1.0, 2, 3, 4], [1, 1, 0, 0, 1], 1).tolist() == [0, 1, 1, 2]
    xi = np.arange(25).reshape(5, 5)
    np.testing.assert_array_equal(
        dsp.order_filter(xi, np.identity(3), 2), ss.order_filter(xi, np.identity(3), 2)
    )


def test_warns_for_kernels_larger_than_the_input():
    with pytest.warns(PyjlWarning, match="exceeds"):
        out = dsp.medfilt(np.arange(5.0), 7)
    np.testing.assert_array_equal(out, [0.0, 1.0, 1.0, 1.0, 1.0])  # the zeros counted


def test_forms():
    s = pd.Series([1.0, 9.0, 2.0, 3.0], index=list("abcd"), name="v")
    out = dsp.medfilt(s)
    assert isinstance(out, pd.Series) and list(out.index) == list("abcd") and out.name == "v"
    df = pd.DataFrame(np.arange(20.0).reshape(5, 4), columns=list("pqrs"))
    out = dsp.medfilt2d(df)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list("pqrs")
    np.testing.assert_array_equal(out.to_numpy(), ss.medfilt2d(df.to_numpy()))
    assert dsp.medfilt([3, 1, 2]).dtype == np.int64
    with pytest.warns(PyjlWarning):  # the 3-sample window exceeds these inputs
        np.testing.assert_array_equal(dsp.medfilt(np.array([1.0, 2.0], dtype=object)), [1, 1])
    with pytest.warns(PyjlWarning):
        assert dsp.medfilt(np.array(4.0)).shape == (1,)
    with pytest.warns(PyjlWarning):  # as SciPy's, for an empty axis
        assert dsp.medfilt(np.empty((0, 3)), 1).shape == (0, 3)


@pytest.mark.parametrize(
    ("call", "name", "cls"),
    [
        (lambda: dsp.medfilt(np.ones(5), 2), "kernel_size", InputError),
        (lambda: dsp.medfilt(np.ones(5), 0), "kernel_size", InputError),
        (lambda: dsp.medfilt(np.ones(5), 1.5), "kernel_size", InputTypeError),
        (lambda: dsp.medfilt(np.ones((3, 3)), [3, 3, 3]), "kernel_size", InputError),
        (lambda: dsp.medfilt(np.ones((3, 3)), "3"), "kernel_size", InputError),
        (lambda: dsp.medfilt(np.array([1.0, np.nan]), 1), "volume", InputError),
        (lambda: dsp.medfilt(np.ones(4, dtype=bool)), "volume", InputTypeError),
        (lambda: dsp.medfilt(np.ones(4, dtype=np.float16)), "volume", InputTypeError),
        (lambda: dsp.medfilt(np.ones(4, dtype=complex)), "volume", InputTypeError),
        (lambda: dsp.medfilt(None), "volume", InputError),
        (lambda: dsp.medfilt2d(np.ones(4)), "input", InputError),
        (lambda: dsp.medfilt2d(np.ones((3, 3)), 4), "kernel_size", InputError),
        (lambda: dsp.medfilt2d(np.array([[np.inf]])), "input", InputError),
        (lambda: dsp.order_filter(np.ones(5), [1, 1], 0), "domain", InputError),
        (lambda: dsp.order_filter(np.ones(5), [[1, 1, 1]], 0), "domain", InputError),
        (lambda: dsp.order_filter(np.ones(5), [0, 0, 0], 0), "domain", InputError),
        (lambda: dsp.order_filter(np.ones(5), [1, np.nan, 1], 0), "domain", InputError),
        (lambda: dsp.order_filter(np.ones(5), [1, 1, 1], 3), "rank", InputError),
        (lambda: dsp.order_filter(np.ones(5), [1, 1, 1], -1), "rank", InputError),
        (lambda: dsp.order_filter(np.ones(5), [1, 1, 1], 0.5), "rank", InputTypeError),
        (lambda: dsp.order_filter([1.0, np.nan], [1], 0), "a", InputError),
    ],
)
def test_bad_inputs(call, name, cls):
    with pytest.raises(cls, match=f"`{name}"):
        call()


@pytest.mark.filterwarnings("ignore::pyjl.exceptions.PyjlWarning")  # kernel > input
def test_a_window_past_twice_the_input_is_ranked_by_count(rng):
    # the reviewer's case: medfilt(x of 8, 10**9 + 1) built 10**9-sample windows (15 GB,
    # minutes; SciPy too): past 2 n - 1 every window covers the whole axis and more zeros,
    # so the box is cut there and the zeros it drops are counted.  Against SciPy, and
    # against brute force at every rank
    import math

    from numpy.lib.stride_tricks import sliding_window_view

    from pyjl.dsp.rank_filters import _rank

    for _ in range(60):
        shape = tuple(int(v) for v in rng.integers(1, 6, rng.integers(1, 3)))
        x = rng.integers(-3, 4, shape).astype(float)
        ks = [int(2 * rng.integers(0, 10) + 1) for _ in shape]
        np.testing.assert_array_equal(dsp.medfilt(x, ks), ss.medfilt(x, ks))
        K = math.prod(ks)
        windows = sliding_window_view(np.pad(x, [(k // 2, k // 2) for k in ks]), ks)
        ranked = np.sort(windows.reshape(x.shape + (K,)), axis=-1)
        for r in {0, K // 3, K // 2, K - 1}:
            np.testing.assert_array_equal(_rank(x, r, size=ks), ranked[..., r])
    x = np.array([-1.0, 4.0, -2.0, 3.0, 5.0, -6.0, 7.0, 8.0])
    np.testing.assert_array_equal(dsp.medfilt(x, 10**9 + 1), np.zeros(8))  # at once
    assert dsp.medfilt(np.array([5, 6, 7]), 7).dtype == ss.medfilt(np.array([5, 6, 7]), 7).dtype
