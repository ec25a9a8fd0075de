"""wiener, deconvolve and hilbert2 against scipy.signal, closed forms (the Wiener
formula by hand, polynomial division, the single-orthant spectrum), tables, and every
bad-input rule."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.fft as sfft
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError, NumericalWarning


def test_wiener_matches_scipy(rng):
    for ndim in (1, 2, 3):
        for _ in range(4):
            x = rng.standard_normal(tuple(rng.integers(1, 9, ndim)))
            size = [int(k) for k in rng.integers(1, 6, ndim)]
            for noise in (None, 0.3):
                want = ss.wiener(x, size, noise)
                got = dsp.wiener(x, size, noise)
                assert got.dtype == np.float64 and got.shape == x.shape
                np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    for dtype, tol in ((np.float32, 1e-5), (np.int16, 1e-9)):  # SciPy squares float32 in float32
        x = (rng.standard_normal((6, 7)) * 20).astype(dtype)
        np.testing.assert_allclose(dsp.wiener(x), ss.wiener(x), rtol=tol, atol=tol)


def test_wiener_by_hand(rng):
    x = rng.standard_normal((4, 5))
    p = np.pad(x, 1)
    win = np.array([[p[i : i + 3, j : j + 3].ravel() for j in range(5)] for i in range(4)])
    mean, var = win.mean(-1), (win**2).mean(-1) - win.mean(-1) ** 2
    noise = var.mean()
    want = np.where(var < noise, mean, mean + (1 - noise / var) * (x - mean))
    np.testing.assert_allclose(dsp.wiener(x), want, atol=1e-12)


def test_wiener_constant_windows_and_scale(rng):
    flat = np.full((5, 5), 3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isnan(ss.wiener(flat, 3, 0.0)).any()  # SciPy: 0 / 0
    # noise 0: the input where the window varies (the zero-padded edges), the mean (the
    # input too) where it is constant
    np.testing.assert_array_equal(dsp.wiener(flat, 3, 0.0), flat)
    x = rng.standard_normal((6, 6))
    np.testing.assert_allclose(dsp.wiener(x * 2.0**1000), dsp.wiener(x) * 2.0**1000, rtol=1e-12)
    df = pd.DataFrame(x, columns=list("abcdef"))
    out = dsp.wiener(df, 3, 0.1)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list("abcdef")


def test_deconvolve_matches_scipy_and_divides(rng):
    for n, d in ((9, 2), (12, 5), (4, 4), (3, 1)):
        sig, div = rng.standard_normal(n), np.r_[1.0, 0.3 * rng.standard_normal(d - 1)]
        q, r = dsp.deconvolve(sig, div)
        wq, wr = ss.deconvolve(sig, div)
        np.testing.assert_allclose(q, wq, rtol=1e-12)
        np.testing.assert_allclose(r, wr, atol=1e-12)
        np.testing.assert_allclose(np.convolve(div, q) + r, sig, atol=1e-12)
        np.testing.assert_allclose(r[: n - d + 1], 0, atol=1e-12)  # the remainder's degree
    q, r = dsp.deconvolve([1, 5, 6], [1, 2])  # (x + 2)(x + 3)
    assert q.tolist() == [1.0, 3.0] and r.tolist() == [0.0, 0.0, 0.0]
    q, r = dsp.deconvolve(np.array([1j, 2, 3]), [1, 2])
    np.testing.assert_allclose(q, ss.deconvolve([1j, 2, 3], [1, 2])[0])
    q, r = dsp.deconvolve(np.array([0, 1, 2]), np.array([0, 1, 2, 4, 5]))
    assert q.size == 0 and r.dtype == np.int64 and r.tolist() == [0, 1, 2]


def test_deconvolve_unstable_divisor_warns():
    with pytest.warns(NumericalWarning, match="`divisor` has a root -3"):
        q, _ = dsp.deconvolve(np.ones(50), [1.0, 3.0])
    np.testing.assert_allclose(q, ss.deconvolve(np.ones(50), [1.0, 3.0])[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # exact division: the root is the signal's too
        q, r = dsp.deconvolve(np.convolve([1.0, 3.0], np.ones(40)), [1.0, 3.0])
    np.testing.assert_allclose(q, np.ones(40), rtol=1e-9)


def test_hilbert2_matches_scipy(rng):
    for shape in ((4, 5), (5, 4), (1, 6), (3, 4, 5)):
        x = rng.standard_normal(shape)
        for n in (None, 4, (6, 3)):
            want, got = ss.hilbert2(x, n), dsp.hilbert2(x, n)
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_allclose(got, want, atol=1e-12)
    x = rng.standard_normal((3, 4, 5))
    for axes in ((0, 2), (2, 0), (-3, 1)):
        np.testing.assert_allclose(dsp.hilbert2(x, axes=axes), ss.hilbert2(x, axes=axes))
    assert dsp.hilbert2(np.ones((4, 4), np.float32)).dtype == np.complex64
    # float16 too, as SciPy's scipy.fft (it was complex128)
    half = rng.standard_normal((4, 6)).astype(np.float16)
    assert dsp.hilbert2(half).dtype == ss.hilbert2(half).dtype == np.complex64
    np.testing.assert_allclose(dsp.hilbert2(half), ss.hilbert2(half), rtol=1e-5, atol=1e-5)
    assert dsp.hilbert2(np.ones((4, 4), np.int8)).dtype == np.complex128
    assert dsp.hilbert2(np.arange(4.0)).shape == (1, 4)


def test_hilbert2_single_orthant(rng):
    x = rng.standard_normal((6, 7))
    spec, got = sfft.fft2(x), sfft.fft2(dsp.hilbert2(x))
    w0 = np.r_[1, 2, 2, 0, 0, 0]  # 1 + s(p): n = 6 keeps 0..2, doubles 1..2
    w1 = np.r_[1, 2, 2, 2, 0, 0, 0]
    np.testing.assert_allclose(got, spec * np.outer(w0, w1), atol=1e-12)
    big = dsp.hilbert2(x * 2.0**1020)
    np.testing.assert_allclose(big / 2.0**1020, dsp.hilbert2(x), atol=1e-12)
    df = pd.DataFrame(x)
    assert isinstance(dsp.hilbert2(df), pd.DataFrame)
    assert type(dsp.hilbert2(df, N=4)) is np.ndarray


@pytest.mark.parametrize(
    ("call", "name", "cls"),
    [
        (lambda: dsp.wiener(np.ones((3, 3)) + 1j), "im", InputError),
        (lambda: dsp.wiener(np.array([[1.0, np.nan]])), "im", InputError),
        (lambda: dsp.wiener(np.float64(1.0)), "im", InputError),
        (lambda: dsp.wiener(np.ones((3, 3)), [3, 3, 3]), "mysize", InputError),
        (lambda: dsp.wiener(np.ones((3, 3)), 0), "mysize", InputError),
        (lambda: dsp.wiener(np.ones((3, 3)), 2.5), "mysize", InputTypeError),
        (lambda: dsp.wiener(np.ones((3, 3)), 3, -1.0), "noise", InputError),
        (lambda: dsp.wiener(np.ones((3, 3)), 3, np.nan), "noise", InputError),
        (lambda: dsp.deconvolve(np.ones((2, 2)), [1.0]), "signal", InputError),
        (lambda: dsp.deconvolve([1.0, 2.0], np.ones((2, 2))), "divisor", InputError),
        (lambda: dsp.deconvolve([], [1.0]), "signal", InputError),
        (lambda: dsp.deconvolve([1.0, 2.0], [0.0, 1.0]), "divisor", InputError),
        (lambda: dsp.deconvolve([1.0, np.inf], [1.0]), "signal", InputError),
        (lambda: dsp.hilbert2(np.ones((2, 2)) + 1j), "x", InputError),
        (lambda: dsp.hilbert2(np.ones((2, 2)), N=0), "N", InputError),
        (lambda: dsp.hilbert2(np.ones((2, 2)), N=(1, 1, 1)), "N", InputError),
        (lambda: dsp.hilbert2(np.ones((2, 2)), N=(0, 1)), "N", InputError),
        (lambda: dsp.hilbert2(np.ones((2, 2)), axes=(0, 1, 2)), "axes", InputError),
        (lambda: dsp.hilbert2(np.ones((2, 2)), axes=(1, -1)), "axes", InputError),
        (lambda: dsp.hilbert2(np.ones((2, 2)), axes=(0, 2)), "axes", InputError),
        (lambda: dsp.hilbert2(np.ones((0, 2))), "x", InputError),
        (lambda: dsp.hilbert2(np.array([[np.nan, 1.0]])), "x", InputError),
    ],
)
def test_bad_inputs(call, name, cls):
    with pytest.raises(cls, match=f"`{name}"):
        call()


@pytest.mark.parametrize("shape", [(0,), (0, 3), (4, 0)])
def test_wiener_of_an_empty_image_is_empty_as_scipy(shape):
    x = np.zeros(shape)  # (SciPy's fails on empty integers: the maximum of nothing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SciPy's mean of nothing
        want = ss.wiener(x, noise=2.0)
    got = dsp.wiener(x, noise=2.0)
    assert (got.shape, got.dtype) == (want.shape, want.dtype)
    with pytest.raises(InputError, match="`mysize`"):
        dsp.wiener(x, mysize=[3] * (len(shape) + 1))
