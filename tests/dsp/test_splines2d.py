"""cspline2d, qspline2d, spline_filter and sepfir2d equal SciPy's (values and dtypes), and
bad images, kernels and weights are refused by name."""

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches

RNG = np.random.default_rng(20261212)
IMAGES = [
    RNG.standard_normal((40, 50)),
    RNG.standard_normal((30, 30)).astype(np.float32),
    RNG.standard_normal((40, 40)) + 1j * RNG.standard_normal((40, 40)),
    np.ones((35, 45), dtype=int),
    RNG.standard_normal(60),  # a 1-D signal, as SciPy takes it
]


@pytest.mark.parametrize("img", IMAGES)
def test_spline_coefficients_equal_scipy(img):
    for lamb in (0.0, 0.5) if img.dtype.kind != "c" else (0.0,):
        assert_matches(dsp.cspline2d(img, lamb), ss.cspline2d(img, lamb), rtol=1e-6)
    assert_matches(dsp.qspline2d(img), ss.qspline2d(img), rtol=1e-6)
    assert_matches(dsp.cspline2d(img, 0.0, 1e-3), ss.cspline2d(img, 0.0, 1e-3), rtol=1e-6)


@pytest.mark.parametrize("img", IMAGES[:3])
@pytest.mark.parametrize("lmbda", [5.0, 0.0, 20.0])
def test_spline_filter_equals_scipy(img, lmbda):
    if img.dtype.kind == "c" and lmbda:
        pytest.skip(
            "SciPy and pyjl refuse it (a TypeError): test_spline_filter_keeps_scipys_dtypes"
        )
    assert_matches(dsp.spline_filter(img, lmbda), ss.spline_filter(img, lmbda), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex64, np.uint8, int])
def test_sepfir2d_equals_scipy(dtype):
    img = (10 * RNG.random((9, 11))).astype(dtype)
    for hrow, hcol in (([1.0, 2.0, 1.0], [1.0, 0.0, -1.0]), ([0.5], np.arange(7.0))):
        want = ss.sepfir2d(img, list(hrow), list(hcol))  # SciPy fails on some arrays
        assert_matches(dsp.sepfir2d(img, hrow, hcol), want, rtol=1e-6)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.cspline2d(np.full((40, 40), np.nan)), "signal"),
        (lambda: dsp.cspline2d(np.ones((6, 7))), "signal"),  # too small to converge
        (lambda: dsp.cspline2d(np.ones((40, 40, 2))), "signal"),
        (lambda: dsp.cspline2d(np.ones((40, 40)), np.nan), "lamb"),
        (lambda: dsp.qspline2d(np.ones((40, 40)), 1.0), "lamb"),
        (lambda: dsp.qspline2d(np.ones((0, 40))), "signal"),
        (lambda: dsp.spline_filter(np.ones(60)), "Iin"),
        (lambda: dsp.spline_filter(np.ones((40, 40)), np.inf), "lmbda"),
        (lambda: dsp.sepfir2d(np.ones((6, 6)), [1.0, 2.0], [1.0]), "hrow"),
        (lambda: dsp.sepfir2d(np.ones((6, 6)), [1.0], [[1.0]]), "hcol"),
        (lambda: dsp.sepfir2d(np.ones(6), [1.0], [1.0]), "input"),
        (lambda: dsp.sepfir2d(np.full((6, 6), np.inf), [1.0], [1.0]), "input"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, name):
    with pytest.raises(InputError, match=f"^`{name}` "):
        call()


def test_spline_filter_keeps_scipys_dtypes():
    # SciPy's spline_filter takes float32/64 and complex64/128 only (a TypeError else)
    with pytest.raises(InputTypeError, match="^`Iin` must be float32"):
        dsp.spline_filter(np.ones((40, 40), dtype=int))
    with pytest.raises(InputTypeError, match="^`Iin` must be real for a smoothing"):
        dsp.spline_filter(IMAGES[2], 5.0)
    with pytest.raises(InputTypeError, match="^`signal` must be real for a smoothing"):
        dsp.cspline2d(IMAGES[2], 0.5)


def test_complex_kernels_for_a_real_image_are_refused_by_name():
    # SciPy: a bare TypeError ("float() argument must be ... not 'complex'")
    img = RNG.standard_normal((8, 9))
    for kw in ({"hrow": [1j, 2.0, 1.0]}, {"hcol": [1j, 2.0, 1.0]}):
        args = {"input": img, "hrow": [1.0, 2.0, 1.0], "hcol": [1.0, 2.0, 1.0], **kw}
        with pytest.raises(InputError, match=f"^`{next(iter(kw))}` must hold real numbers"):
            dsp.sepfir2d(**args)
    got = dsp.sepfir2d(img + 0j, [1j, 2.0, 1.0], [1.0, 2.0, 1.0])  # a complex image takes them
    assert_matches(got, ss.sepfir2d(img + 0j, [1j, 2.0, 1.0], [1.0, 2.0, 1.0]))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.sepfir2d(np.full((8, 8), 1e308), [1.0, 2.0, 1.0], [1.0, 2.0, 1.0]), "input"),
        (lambda: dsp.cspline2d(np.full((32, 32), 1e308) * np.r_[1, -1].repeat(16), 0.0), "signal"),
        (lambda: dsp.cspline2d(RNG.standard_normal((32, 32)), 1e308), "signal"),
        (lambda: dsp.spline_filter(RNG.standard_normal((32, 32)), 1e308), "Iin"),
    ],
)
def test_results_that_overflow_are_refused_by_name(call, name):
    # SciPy returns NaN or inf silently
    with pytest.raises(InputError, match=f"^`{name}` and .*must give a finite result"):
        call()


def test_big_endian_and_object_images_are_read_as_their_numbers():
    img = RNG.standard_normal((32, 32))
    assert_matches(dsp.spline_filter(img.astype(">f8")), ss.spline_filter(img))
    assert_matches(dsp.cspline2d(img.astype(object)), ss.cspline2d(img))
    assert_matches(
        dsp.sepfir2d(img.astype(object), [1.0, 2.0, 1.0], [1.0, 0.0, -1.0]),
        ss.sepfir2d(img, [1.0, 2.0, 1.0], [1.0, 0.0, -1.0]),
    )


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 8])
def test_sepfir2d_kernels_up_to_the_image_size_and_no_longer(n):
    # mirror-symmetric edges: SciPy's is right while the mirror stays in the image
    # (len(h) // 2 <= n // 2), then reads outside it (wrong values, or a glibc abort)
    from scipy.ndimage import correlate1d

    rng = np.random.default_rng(n)
    img = rng.standard_normal((3, n))
    for taps in range(1, 2 * (n // 2) + 2, 2):
        h = rng.standard_normal(taps)
        want = correlate1d(img, h[::-1], axis=1, mode="reflect")
        np.testing.assert_allclose(dsp.sepfir2d(img, h, [1.0]), want, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dsp.sepfir2d(img.T, [1.0], h), want.T, rtol=1e-12, atol=1e-12)
    too_long = rng.standard_normal(2 * (n // 2) + 3)
    with pytest.raises(InputError, match="`hrow` must have at most"):
        dsp.sepfir2d(img, too_long, [1.0])
    with pytest.raises(InputError, match="`hcol` must have at most"):
        dsp.sepfir2d(img.T, [1.0], too_long)
