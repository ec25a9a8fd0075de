"""pyjl.dsp's chirp z-transform against scipy.signal and the direct sum."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.signal as ss

from pyjl import dsp
from pyjl.exceptions import InputError, NumericalWarning

RNG = np.random.default_rng(20261206)


def direct(x, z):
    """``X[k] = sum_j x[j] z_k^-j`` along the last axis."""
    j = np.arange(x.shape[-1])
    return np.asarray(x, dtype=complex) @ (z[None, :] ** -j[:, None])


@pytest.mark.parametrize("n", [1, 2, 7, 16, 33])
@pytest.mark.parametrize("m", [None, 1, 5, 40])
@pytest.mark.parametrize("w", [None, 0.98 * np.exp(-0.2j), 1.01, -0.99])
@pytest.mark.parametrize("a", [1 + 0j, 0.9 * np.exp(0.3j), 2])
def test_czt_matches_direct_sum_and_scipy(n, m, w, a):
    x = RNG.standard_normal(n) + 1j * RNG.standard_normal(n)
    got = dsp.czt(x, m, w, a)
    exact = direct(x, dsp.czt_points(n if m is None else m, w, a))
    err = np.max(np.abs(got - exact) / np.abs(exact))
    if isinstance(w, float) and w < 0:  # SciPy: NaN for a negative real w
        assert err < 1e-10
        return
    theirs = ss.czt(x, m, w, a)
    # Bluestein's error grows with the chirp's range (|w| != 1): within SciPy's own
    assert err <= max(1e-10, 4 * np.max(np.abs(theirs - exact) / np.abs(exact)))
    np.testing.assert_allclose(got, theirs, rtol=1e-8, atol=1e-12)
    assert got.dtype == np.complex128


def test_czt_negative_real_ratio_is_the_spiral():
    x = RNG.standard_normal(9)
    with np.errstate(invalid="ignore"):
        assert np.isnan(ss.czt(x, 4, -0.9)).any()  # SciPy's real power of a negative w
    np.testing.assert_allclose(dsp.czt(x, 4, -0.9), direct(x, dsp.czt_points(4, -0.9)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.int16])
def test_czt_dtypes_and_default_is_fft(dtype):
    x = (RNG.standard_normal((3, 24)) * 10).astype(dtype)
    got = dsp.czt(x)
    assert got.dtype == ss.czt(x).dtype == np.complex128
    np.testing.assert_allclose(got, np.fft.fft(x.astype(np.complex128)), rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("axis", [0, 1, -1, 2])
def test_czt_axes(axis):
    x = RNG.standard_normal((4, 5, 6))
    np.testing.assert_allclose(
        dsp.czt(x, 7, 0.99 * np.exp(-0.1j), axis=axis),
        ss.czt(x, 7, 0.99 * np.exp(-0.1j), axis=axis),
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize("fn", [0.5, [0.1, 0.3], (1.5, 0.5), [-0.2, 0.2]])
@pytest.mark.parametrize("m", [None, 1, 3, 50])
@pytest.mark.parametrize("endpoint", [False, True])
@pytest.mark.parametrize("fs", [2, 1000.0])
def test_zoom_fft_matches_dft_and_scipy(fn, m, endpoint, fs):
    x = RNG.standard_normal(37)
    f1, f2 = (0.0, fn) if np.ndim(fn) == 0 else fn
    f1, f2 = f1 * fs / 2, f2 * fs / 2
    band = [f1, f2]
    got = dsp.zoom_fft(x, band, m, fs=fs, endpoint=endpoint)
    mm = 37 if m is None else m
    freqs = np.linspace(f1, f2, mm, endpoint=endpoint)
    dft = np.exp(-2j * np.pi * np.outer(freqs / fs, np.arange(37))) @ x
    np.testing.assert_allclose(got, dft, rtol=1e-9, atol=1e-9)
    if not (endpoint and mm == 1):  # SciPy divides by m - 1 = 0
        np.testing.assert_allclose(
            got, ss.zoom_fft(x, band, m, fs=fs, endpoint=endpoint), rtol=1e-10, atol=1e-10
        )


def test_zoom_fft_whole_circle_is_fft_and_multichannel():
    x = RNG.standard_normal((3, 64))
    np.testing.assert_allclose(dsp.zoom_fft(x, 2), np.fft.fft(x), atol=1e-11)
    np.testing.assert_allclose(dsp.zoom_fft(x.T, 2, axis=0), np.fft.fft(x).T, atol=1e-11)


def test_objects_keep_points_and_reuse():
    t = dsp.CZT(20, 8, 0.98 * np.exp(-0.2j), 1.01)
    s = ss.CZT(20, 8, 0.98 * np.exp(-0.2j), 1.01)
    np.testing.assert_allclose(t.points(), s.points(), rtol=1e-14)
    for _ in range(2):
        x = RNG.standard_normal((2, 20))
        np.testing.assert_allclose(t(x), s(x), rtol=1e-10, atol=1e-12)
    z = dsp.ZoomFFT(50, [0.1, 0.2], 10, fs=2, endpoint=True)
    np.testing.assert_allclose(z.points(), ss.ZoomFFT(50, [0.1, 0.2], 10, endpoint=True).points())
    assert (z.f1, z.f2, z.fs) == (0.1, 0.2, 2.0)
    # real points for real w and a, as SciPy
    assert dsp.CZT(12, 11, w=2.0, a=1).points().dtype == np.float64
    np.testing.assert_allclose(dsp.czt_points(11, w=2), 0.5 ** np.arange(11), rtol=1e-15)


def test_table_input_runs_down_rows():
    x = RNG.standard_normal((30, 2))
    got = dsp.czt(pd.DataFrame(x), 10, 0.99 * np.exp(-0.05j))
    assert isinstance(got, np.ndarray) and got.shape == (10, 2)
    np.testing.assert_allclose(got, ss.czt(x, 10, 0.99 * np.exp(-0.05j), axis=0), atol=1e-12)


def test_huge_values_are_scaled_and_overflow_warns():
    x = RNG.standard_normal(16) * 1e307
    np.testing.assert_allclose(dsp.czt(x) / 1e307, np.fft.fft(x / 1e307), rtol=1e-10, atol=1e-9)
    with pytest.warns(NumericalWarning):
        out = dsp.czt(np.ones(400), 400, w=1.5)
    assert not np.all(np.isfinite(out))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: dsp.czt([]), "x"),
        (lambda: dsp.czt(5.0), "x"),
        (lambda: dsp.czt([1.0, np.nan]), "x"),
        (lambda: dsp.czt([1.0, 2.0], m=0), "m"),
        (lambda: dsp.czt([1.0, 2.0], m=2.5), "m"),
        (lambda: dsp.czt([1.0, 2.0], w=0), "w"),
        (lambda: dsp.czt([1.0, 2.0], w=np.inf), "w"),
        (lambda: dsp.czt([1.0, 2.0], w="a"), "w"),
        (lambda: dsp.czt([1.0, 2.0], a=0), "a"),
        (lambda: dsp.czt([1.0, 2.0], a=complex(np.nan, 0)), "a"),
        (lambda: dsp.czt([1.0, 2.0], axis=3), "axis"),
        (lambda: dsp.CZT(0), "n"),
        (lambda: dsp.CZT(5)(np.ones(4)), "x"),
        (lambda: dsp.czt_points(0), "m"),
        (lambda: dsp.zoom_fft([1.0, 2.0], [1, 2, 3]), "fn"),
        (lambda: dsp.zoom_fft([1.0, 2.0], [0.1, np.nan]), "fn[1]"),
        (lambda: dsp.zoom_fft([1.0, 2.0], "a"), "fn"),
        (lambda: dsp.zoom_fft([1.0, 2.0], 0.5, fs=0), "fs"),
        (lambda: dsp.zoom_fft([1.0, 2.0], 0.5, endpoint="yes"), "endpoint"),
        (lambda: dsp.ZoomFFT(4, 0.5, m=-1), "m"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(InputError, match=re.escape(f"`{name}`")):
        call()


@pytest.mark.parametrize(
    ("r", "n", "warns"),
    [
        (0.999, 200, False),
        (0.99, 60, False),
        (1.01, 200, False),
        (0.995, 100, True),
        (0.98, 60, True),
    ],
)
def test_a_spiral_far_off_the_circle_warns_where_rounding_swamps_the_result(r, n, warns):
    # Bluestein's chirps w^(t^2/2) span e^(|log r| t^2 / 2): pyjl warns where the error it
    # predicts passes 1e-6 of the result (a prediction good to a factor of 10); the error
    # of SciPy's czt and pyjl's alike, against a direct sum, is that large there
    x = np.random.default_rng(0).standard_normal(n)
    w = r * np.exp(-0.1j)
    exact = direct(x, dsp.czt_points(n, w))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = dsp.czt(x, n, w)
    warned = [c for c in caught if issubclass(c.category, NumericalWarning)]
    error = np.max(np.abs(got - exact)) / np.max(np.abs(exact))
    scipy_error = np.max(np.abs(ss.czt(x, n, w) - exact)) / np.max(np.abs(exact))
    assert bool(warned) == warns
    if warns:
        assert error > 1e-7 and scipy_error > 1e-7
    else:
        assert error < 1e-6 and scipy_error < 1e-6
    if warns:
        assert "off the unit circle" in str(warned[0].message)
