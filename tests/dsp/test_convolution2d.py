"""convolve2d and correlate2d against scipy.signal (every mode, boundary and dtype), a
brute-force sum, exact integers, tables and every bad-input rule."""

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError, NumericalWarning

MODES = ["full", "same", "valid"]
BOUNDARIES = ["fill", "wrap", "symm"]
FUNCS = ["convolve2d", "correlate2d"]


def _data(rng, shape, kind):
    if kind == "complex":
        return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    if kind == "float32":
        return rng.standard_normal(shape).astype(np.float32)
    if kind == "int16":
        return rng.integers(-40, 40, shape).astype(np.int16)
    return rng.standard_normal(shape)


def _scipy(fn, a, b, mode, boundary, fillvalue=0):
    """SciPy's result, with its swapped complex 'valid' correlation conjugated back (pyjl
    returns correlate's: see the correlate2d docstring)."""
    want = getattr(ss, fn)(a, b, mode, boundary, fillvalue)
    swapped = mode == "valid" and not (a.shape[0] >= b.shape[0] and a.shape[1] >= b.shape[1])
    if fn == "correlate2d" and swapped and want.dtype.kind == "c":
        want = np.conj(want)
    return want


@pytest.mark.parametrize("fn", FUNCS)
@pytest.mark.parametrize("kind", ["float64", "complex", "float32", "int16"])
def test_matches_scipy(rng, fn, kind):
    for _ in range(12):
        a = _data(rng, tuple(rng.integers(1, 8, 2)), kind)
        b = _data(rng, tuple(rng.integers(1, 11, 2)), kind)
        for mode in MODES:
            for boundary in BOUNDARIES:
                try:
                    want = _scipy(fn, a, b, mode, boundary, 3)
                except ValueError:
                    with pytest.raises(InputError, match="in1"):
                        getattr(dsp, fn)(a, b, mode, boundary, 3)
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", NumericalWarning)  # int16 wraps as SciPy
                    got = getattr(dsp, fn)(a, b, mode, boundary, 3)
                assert got.dtype == want.dtype and got.shape == want.shape
                if kind == "int16":
                    np.testing.assert_array_equal(got, want)
                else:
                    tol = 1e-5 if kind == "float32" else 1e-12
                    scale = max(1.0, float(np.abs(want).max()))
                    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("k", [(13, 17), (21, 5), (3, 40)])
def test_large_kernels_match_direct_sums(rng, k):
    """Kernels past the ndimage size run one FIR pass per kernel row on the engine."""
    a = rng.standard_normal((60, 70))
    b = rng.standard_normal(k)
    for boundary in BOUNDARIES:
        want = ss.convolve2d(a, b, "same", boundary)
        np.testing.assert_allclose(dsp.convolve2d(a, b, "same", boundary), want, atol=1e-12)
    np.testing.assert_allclose(dsp.correlate2d(a, b), ss.correlate2d(a, b), atol=1e-12)
    c = b + 1j * rng.standard_normal(k)
    np.testing.assert_allclose(dsp.convolve2d(a, c), ss.convolve2d(a, c), atol=1e-12)


def test_closed_form_brute_force(rng):
    """out[i, j] = sum_kl h[k, l] x[i - k, j - l], written out."""
    x, h = rng.standard_normal((4, 5)), rng.standard_normal((3, 2))
    out = np.zeros((6, 6))
    for i in range(6):
        for j in range(6):
            for k in range(3):
                for m in range(2):
                    if 0 <= i - k < 4 and 0 <= j - m < 5:
                        out[i, j] += h[k, m] * x[i - k, j - m]
    np.testing.assert_allclose(dsp.convolve2d(x, h), out, atol=1e-13)
    np.testing.assert_allclose(dsp.correlate2d(x, h[::-1, ::-1]), out, atol=1e-13)


def test_scipy_doc_values():
    a = np.array([[1, 2, 3], [3, 4, 5]])
    b = np.array([[2, 3, 4], [4, 5, 6]])
    want = [[2, 7, 16, 17, 12], [10, 30, 62, 58, 38], [12, 31, 58, 49, 30]]
    np.testing.assert_array_equal(dsp.convolve2d(a, b), want)
    np.testing.assert_array_equal(
        dsp.convolve2d(a, b, "full", "wrap"),
        [[80, 80, 74, 80, 80], [68, 68, 62, 68, 68]] + [[80, 80, 74, 80, 80]],
    )
    # a kernel wider than the image extends it more than once (gh-8684)
    image, kernel = np.array([[2.0, -1.0, 3.0, 4.0]]), np.ones((1, 21))
    np.testing.assert_array_equal(
        dsp.correlate2d(image, kernel, "same", "symm"), [[37, 42, 44, 45]]
    )
    np.testing.assert_array_equal(
        dsp.convolve2d(image, kernel, "same", "wrap"), [[43, 44, 42, 39]]
    )


def test_correlate2d_valid_swapped_is_correlate(rng):
    """in1 smaller in 'valid' mode: correlate's result (SciPy's correlate2d conjugates
    it for complex inputs)."""
    a = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    b = rng.standard_normal((4, 5)) + 1j * rng.standard_normal((4, 5))
    np.testing.assert_allclose(dsp.correlate2d(a, b, "valid"), ss.correlate(a, b, "valid"))
    np.testing.assert_allclose(dsp.correlate2d(b, a, "valid"), ss.correlate2d(b, a, "valid"))


def test_integers_exact_and_wrap():
    big = np.full((3, 3), 2**40, dtype=np.int64)
    got = dsp.convolve2d(big, np.full((2, 2), 3, dtype=np.int64))
    assert got.dtype == np.int64 and got[1, 1] == 12 * 2**40  # past float64's exact range
    huge = np.full((2, 2), 2**62, dtype=np.int64)
    with pytest.warns(NumericalWarning, match="wrap"):
        got = dsp.convolve2d(huge, np.full((1, 2), 2, dtype=np.int64))
    np.testing.assert_array_equal(got, ss.convolve2d(huge, np.full((1, 2), 2, dtype=np.int64)))
    x8 = np.full((3, 3), 100, dtype=np.int8)
    with pytest.warns(NumericalWarning, match="int8"):
        got = dsp.convolve2d(x8, np.ones((2, 2), dtype=np.int8))
    np.testing.assert_array_equal(got, ss.convolve2d(x8, np.ones((2, 2), dtype=np.int8)))
    assert (
        dsp.convolve2d(np.ones((2, 2), np.uint8), np.ones((1, 1)), fillvalue=2).dtype == np.float64
    )


def test_fillvalue_and_near_limits():
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(
        dsp.convolve2d(a, a, fillvalue=np.array([1.5])), ss.convolve2d(a, a, fillvalue=1.5)
    )
    z = a + 1j
    np.testing.assert_allclose(
        dsp.convolve2d(z, z, fillvalue=2j), ss.convolve2d(z, z, fillvalue=2j)
    )
    big = a * 1e300
    np.testing.assert_allclose(dsp.convolve2d(big, a * 1e-300), ss.convolve2d(a, a), rtol=1e-12)
    with pytest.warns(NumericalWarning, match="not finite"):
        dsp.convolve2d(np.full((4, 4), 1e308), np.ones((3, 3)))


@pytest.mark.parametrize("boundary", ["wrap", "symm"])
@pytest.mark.parametrize("fillvalue", [2.5, 1 + 2j, np.nan, 1e300, 10**30])
def test_an_unused_fillvalue_is_taken_as_scipy_takes_it(boundary, fillvalue):
    a = np.arange(12).reshape(3, 4)
    want = ss.convolve2d(a, np.ones((2, 2), int), "same", boundary, fillvalue)
    got = dsp.convolve2d(a, np.ones((2, 2), int), "same", boundary, fillvalue)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == want.dtype
    with pytest.raises(InputError, match="`fillvalue` must be a single number"):
        dsp.convolve2d(a, a, boundary=boundary, fillvalue="x")


def test_tables():
    a = np.random.default_rng(0).standard_normal((6, 3))
    df = pd.DataFrame(a, columns=list("xyz"), index=range(10, 16))
    k = np.ones((3, 3))
    same = dsp.convolve2d(df, k, mode="same")
    assert isinstance(same, pd.DataFrame) and list(same.columns) == list("xyz")
    np.testing.assert_allclose(same.to_numpy(), ss.convolve2d(a, k, mode="same"))
    full = dsp.correlate2d(df, k)
    assert type(full) is np.ndarray and full.shape == (8, 5)
    table = pa.table({"x": a[:, 0], "y": a[:, 1]})
    out = dsp.convolve2d(table, np.ones((2, 2)), mode="same")
    assert isinstance(out, pa.Table) and out.column_names == ["x", "y"]
    assert type(dsp.convolve2d(a.tolist(), k.tolist())) is np.ndarray


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(in1=np.ones(3)), "in1"),
        (dict(in2=np.ones((1, 1, 1))), "in2"),
        (dict(in1=np.ones((0, 3))), "in1"),
        (dict(in1=np.array([[1.0, np.nan]])), "in1"),
        (dict(in2=np.array([[np.inf]])), "in2"),
        (dict(in1=np.ones((2, 2), dtype=bool), in2=np.ones((2, 2), dtype=bool)), "in1"),
        (dict(in1=np.ones((2, 2), dtype=bool), in2=np.ones((2, 2), dtype=np.float16)), "in2"),
        (dict(in1=[["a", "b"]]), "in1"),
        (dict(mode="bogus"), "mode"),
        (dict(boundary="reflect"), "boundary"),
        (dict(fillvalue=np.nan), "fillvalue"),
        (dict(fillvalue=1j), "fillvalue"),
        (dict(fillvalue=[1, 2]), "fillvalue"),
        (dict(fillvalue=[]), "fillvalue"),
        (dict(fillvalue="0"), "fillvalue"),
        (
            dict(in1=np.ones((2, 2), dtype=int), in2=np.ones((2, 2), dtype=int), fillvalue=1.5),
            "fillvalue",
        ),
        (dict(in1=np.ones((2, 3)), in2=np.ones((3, 2)), mode="valid"), "in1"),
    ],
)
@pytest.mark.parametrize("fn", FUNCS)
def test_bad_inputs(fn, kwargs, name):
    args = {"in1": np.ones((3, 3)), "in2": np.ones((2, 2)), **kwargs}
    with pytest.raises(InputError, match=f"`{name}"):
        getattr(dsp, fn)(**args)


def test_bad_types_are_type_errors():
    with pytest.raises(InputTypeError):
        dsp.convolve2d(np.ones((2, 2), dtype=bool), np.ones((2, 2), dtype=bool))


@pytest.mark.parametrize("fn", FUNCS)
def test_a_boolean_or_float16_input_is_promoted_by_the_other_as_by_scipy(fn):
    # SciPy refuses only a pair whose common type is boolean or float16; pyjl refused
    # either input of those types alone
    rng = np.random.default_rng(0)
    kinds = [bool, np.float16, np.float32, np.float64, np.int8, np.uint8, np.int64, np.complex64]
    for d1 in kinds:
        for d2 in kinds:
            a = (rng.random((4, 5)) * 3).astype(d1)
            b = (rng.random((2, 3)) * 3).astype(d2)
            try:
                want = getattr(ss, fn)(a, b, "same")
            except ValueError:
                with pytest.raises(InputTypeError):
                    getattr(dsp, fn)(a, b, "same")
                continue
            got = getattr(dsp, fn)(a, b, "same")
            assert got.dtype == want.dtype, (d1, d2)
            np.testing.assert_allclose(got, want, rtol=1e-6 if want.dtype.itemsize > 4 else 1e-3)
