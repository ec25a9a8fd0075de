"""fftconvolve and oaconvolve against scipy.signal."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches


@st.composite
def pairs(draw):
    ndim = draw(st.integers(1, 3))
    axes = sorted(set(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim))))
    s1, s2 = [], []
    for k in range(ndim):
        if k in axes:
            s1.append(draw(st.integers(1, 60)))
            s2.append(draw(st.integers(1, 30)))
        else:
            n = draw(st.integers(1, 3))
            s1.append(n)
            s2.append(draw(st.sampled_from([1, n])))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal(s1), rng.standard_normal(s2), axes


@pytest.mark.usefixtures("engine")
@given(pairs(), st.sampled_from(["full", "same", "valid"]), st.booleans())
def test_convolutions_match_scipy(p, mode, overlap_add):
    a, b, axes = p
    fn = "oaconvolve" if overlap_add else "fftconvolve"
    try:
        want = getattr(ss, fn)(a, b, mode=mode, axes=axes)
    except ValueError:
        with pytest.raises(InputError):
            getattr(dsp, fn)(a, b, mode=mode, axes=axes)
        return
    assert_matches(getattr(dsp, fn)(a, b, mode=mode, axes=axes), want, rtol=1e-9)


@pytest.mark.usefixtures("engine")
def test_long_overlap_add_on_the_kernel(rng):
    x = rng.standard_normal((3, 50_000))
    h = rng.standard_normal((1, 257))
    assert_matches(dsp.oaconvolve(x, h, axes=1), ss.oaconvolve(x, h, axes=1), rtol=1e-9)
    assert_matches(
        dsp.oaconvolve(x, h, mode="same", axes=1),
        ss.oaconvolve(x, h, mode="same", axes=1),
        rtol=1e-9,
    )


def test_bad_convolution_arguments(rng):
    with pytest.raises(InputError, match="same number of dimensions"):
        dsp.fftconvolve(np.ones((3, 3)), np.ones(3))
    with pytest.raises(InputError, match="`mode`"):
        dsp.fftconvolve(np.ones(3), np.ones(3), mode="circular")


@pytest.mark.parametrize("fn", ["fftconvolve", "oaconvolve"])
@pytest.mark.parametrize(
    "dtypes",
    [
        ("float32", "float32"),
        ("int64", "int64"),
        ("float16", "float16"),
        ("complex64", "float32"),
        ("float32", "float64"),
    ],
)
def test_dtype_is_scipys(rng, fn, dtypes):
    """float32 stays float32 (complex64 too), integers give float64, float16 float32."""
    a = (8 * rng.standard_normal((2, 300))).astype(dtypes[0])
    b = (8 * rng.standard_normal((1, 40))).astype(dtypes[1])
    got, want = getattr(dsp, fn)(a, b, axes=1), getattr(ss, fn)(a, b, axes=1)
    assert got.dtype == want.dtype
    # SciPy transforms a single-precision input in single precision
    single = any(d in ("float32", "float16", "complex64") for d in dtypes)
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-4 if single else 1e-9,
        atol=(1e-4 if single else 1e-9) * np.abs(want).max(),
    )


@pytest.mark.parametrize("fn", ["fftconvolve", "oaconvolve"])
def test_scalars_and_single_elements_keep_integers(fn):
    """No transformed axis: SciPy returns the plain product, integers included."""
    for a, b in ((np.asarray(4967), np.asarray(3920)), (np.asarray([4967]), np.asarray([3920]))):
        got, want = getattr(dsp, fn)(a, b), getattr(ss, fn)(a, b)
        assert got.dtype == want.dtype and np.array_equal(got, want)
    for a, b in ((Decimal(2), 3), (2.5, np.float32(4)), (Fraction(1, 2), 1j)):  # numbers
        got, want = getattr(dsp, fn)(a, b), getattr(ss, fn)(a, b)
        assert np.shape(got) == np.shape(want) == () and got == want


@pytest.mark.parametrize("fn", ["fftconvolve", "oaconvolve"])
def test_data_near_the_float64_limit(rng, fn):
    """Linear in each input: at 1e308 the exact result is representable and equals
    the unit-scale convolution times 1e308 (SciPy's transforms overflow to NaN)."""
    x = rng.standard_normal(1000)
    x /= np.abs(x).max()
    h = rng.standard_normal(20) / 20
    got = getattr(dsp, fn)(x * 1e308, h)
    np.testing.assert_allclose(got / 1e308, np.convolve(x, h), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("fn", ["fftconvolve", "oaconvolve"])
@pytest.mark.parametrize("axes", [[1, -1], [1, 1]])
def test_repeated_axes_are_refused_as_scipy_does(fn, axes):
    a, b = np.ones((3, 4)), np.ones((3, 2))
    with pytest.raises(ValueError, match="unique"):
        getattr(ss, fn)(a, b, axes=axes)
    with pytest.raises(InputError, match="must not repeat an axis"):
        getattr(dsp, fn)(a, b, axes=axes)
