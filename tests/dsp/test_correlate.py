"""convolve, correlate, correlation_lags and choose_conv_method against scipy.signal,
SciPy's own test cases, exact integer sums and closed forms."""

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.signal as ss
from hypothesis import given, settings
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, NumericalWarning

from .helpers import assert_matches

MODES = ["full", "same", "valid"]
METHODS = ["auto", "direct", "fft"]


@st.composite
def pairs(draw):
    """Two arrays of one rank: any lengths, some axes of length 1 (broadcast), complex
    or real."""
    ndim = draw(st.integers(1, 3))
    s1 = [draw(st.integers(1, 9)) for _ in range(ndim)]
    s2 = [draw(st.sampled_from([1, n, draw(st.integers(1, 9))])) for n in s1]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a, b = rng.standard_normal(s1), rng.standard_normal(s2)
    if draw(st.booleans()):
        a = a + 1j * rng.standard_normal(s1)
    return a, b


@pytest.mark.usefixtures("engine")
@settings(max_examples=60, deadline=None)
@given(
    pairs(),
    st.sampled_from(MODES),
    st.sampled_from(METHODS),
    st.sampled_from(["convolve", "correlate"]),
)
def test_matches_scipy(p, mode, method, fn):
    a, b = p
    try:
        want = getattr(ss, fn)(a, b, mode=mode, method=method)
    except ValueError:
        with pytest.raises(InputError):
            getattr(dsp, fn)(a, b, mode=mode, method=method)
        return
    got = getattr(dsp, fn)(a, b, mode=mode, method=method)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert_matches(got, want, rtol=1e-9, floor=1e-12)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("fn", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "n, m, channels", [(5000, 31, 1), (5000, 300, 1), (4000, 40, 6), (3000, 700, 3), (600, 600, 2)]
)
def test_filters_along_one_axis(rng, fn, mode, n, m, channels):
    """Both kernels (the engine's sums, overlap-add) and both orders of the inputs."""
    x = rng.standard_normal((channels, n))
    h = rng.standard_normal((1, m))
    for method in METHODS:
        for p, q in ((x, h), (h, x)):
            want = getattr(ss, fn)(p, q, mode=mode, method="direct")
            got = getattr(dsp, fn)(p, q, mode=mode, method=method)
            assert_matches(got, want, rtol=1e-9, floor=1e-9)


# --- SciPy's own cases (scipy/signal/tests/test_signaltools.py: TestConvolve) ---------


@pytest.mark.parametrize(
    "a, b, mode, want",
    [
        ([3, 4, 5, 6, 5, 4], [1, 2, 3], "full", [3, 10, 22, 28, 32, 32, 23, 12]),
        ([3, 4, 5], [1, 2, 3, 4], "same", [10, 22, 34]),
        ([3, 4, 5], [1, 2, 3], "same", [10, 22, 22]),
        ([1, 2, 3, 6, 5, 3], [2, 3, 4, 5, 3, 4, 2, 2, 1], "valid", [70, 78, 73, 65]),
        ([2, 3, 4, 5, 3, 4, 2, 2, 1], [1, 2, 3, 6, 5, 3], "valid", [70, 78, 73, 65]),
        ([1, 2, 3, 3, 1, 2], [1, 4, 3, 4, 5, 6, 7, 4, 3, 2, 1, 1, 3], "same",
         [57, 61, 63, 57, 45, 36]),
        ([[1, 2, 3], [3, 4, 5]], [[2, 3, 4], [4, 5, 6]], "full",
         [[2, 7, 16, 17, 12], [10, 30, 62, 58, 38], [12, 31, 58, 49, 30]]),
    ],
)  # fmt: skip
@pytest.mark.parametrize("method", METHODS)
def test_scipy_integer_cases(a, b, mode, want, method):
    got = dsp.convolve(np.array(a), np.array(b), mode=mode, method=method)
    np.testing.assert_array_equal(got, np.array(want))
    assert got.dtype == np.result_type(np.array(a), np.array(b))


def test_scipy_complex_cases():
    x = np.array([1 + 1j, 2 + 1j, 3 + 1j])
    y = np.array([1 + 1j, 2 + 1j])
    np.testing.assert_allclose(dsp.convolve(x, y), [2j, 2 + 6j, 5 + 8j, 5 + 5j])
    a, b = np.array([1 + 5j, 2 - 1j, 3 + 0j]), np.array([2 - 3j, 1 + 0j])
    np.testing.assert_allclose(dsp.convolve(a, b, "valid"), [2 - 3j, 8 - 10j])
    np.testing.assert_allclose(dsp.convolve(b, a, "valid"), [2 - 3j, 8 - 10j])


def test_scipy_input_swapping():
    small = np.arange(8).reshape(2, 2, 2)
    big = 1j * np.arange(27, dtype=complex).reshape(3, 3, 3)
    big += np.arange(27, dtype=complex)[::-1].reshape(3, 3, 3)
    full = ss.convolve(small, big, "full", method="direct")
    for method in METHODS:
        np.testing.assert_allclose(dsp.convolve(small, big, "full", method), full, atol=1e-9)
        np.testing.assert_allclose(dsp.convolve(big, small, "full", method), full, atol=1e-9)
        np.testing.assert_allclose(
            dsp.convolve(small, big, "same", method), full[1:3, 1:3, 1:3], atol=1e-9
        )
        np.testing.assert_allclose(
            dsp.convolve(big, small, "same", method), full[0:3, 0:3, 0:3], atol=1e-9
        )
        for p, q in ((small, big), (big, small)):
            np.testing.assert_allclose(
                dsp.convolve(p, q, "valid", method), full[1:3, 1:3, 1:3], atol=1e-9
            )


def test_scipy_broadcastable():
    a = np.arange(27).reshape(3, 3, 3)
    for i in range(3):
        shape = [1, 1, 1]
        shape[i] = 3
        b = np.arange(3).reshape(shape)
        want = ss.convolve(a, b, method="direct")
        for method in METHODS:
            np.testing.assert_array_equal(dsp.convolve(a, b, method=method), want)


def test_zero_rank_and_single_element():
    assert dsp.convolve(1289, 4567) == 1289 * 4567
    assert dsp.convolve(np.array(1289), np.array(4567)) == 1289 * 4567
    assert dsp.correlate(2 + 1j, 1 + 1j) == (2 + 1j) * (1 - 1j)
    np.testing.assert_array_equal(dsp.convolve([4967], [3920]), [4967 * 3920])


@pytest.mark.parametrize(
    "t1",
    ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "bool",
     "float16", "float32", "float64", "complex64", "complex128"],
)  # fmt: skip
@pytest.mark.parametrize("t2", ["uint8", "int64", "bool", "float16", "float32", "complex128"])
@pytest.mark.parametrize("mode", MODES)
def test_scipy_convolve_method_dtypes(t1, t2, mode):
    """SciPy's test_convolve_method: every method gives SciPy's dtype and values."""
    r = np.random.RandomState(42)
    kinds = {"i": r.choice([0, 1], size=100), "f": r.randn(100)}
    kinds["b"] = kinds["u"] = kinds["i"]
    kinds["c"] = kinds["f"] + 0.5j * kinds["f"]
    x1 = kinds[np.dtype(t1).kind].astype(t1)
    x2 = kinds[np.dtype(t2).kind][:37].astype(t2)
    # SciPy's direct sums are exact (its "fft" turns bool noise into True)
    want = ss.convolve(x1, x2, mode=mode, method="direct")
    tol = 1e-3 if "float16" in (t1, t2) else 1e-5 if {t1, t2} & {"float32", "complex64"} else 1e-9
    for method in METHODS:
        got = dsp.convolve(x1, x2, mode=mode, method=method)
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got.astype(complex), want.astype(complex), rtol=tol, atol=tol)
    if t1 == t2 == "bool":
        assert dsp.choose_conv_method(x1, x2) == "direct"


# --- integers: exact, and wrapped with a warning as SciPy's ------------------------------


@pytest.mark.parametrize("n", [10, 20, 26, 40, 50, 52, 53, 60, 62])
def test_large_integers_are_exact(n):
    """SciPy's test_convolve_method_large_input, taken past 2**53 where SciPy's "fft"
    loses digits: Python's integers are the reference."""
    z = np.array([2**n + 1, 3, 2**n - 5], dtype=np.int64)
    exact = np.convolve(z.astype(object), z.astype(object))
    wrapped = [(int(v) + 2**63) % 2**64 - 2**63 for v in exact]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = dsp.convolve(z, z, method="direct")
        auto = dsp.convolve(z, z)
    assert got.dtype == np.int64 and got.tolist() == wrapped
    assert auto.tolist() == wrapped  # "auto" stays exact
    overflow = any(abs(int(v)) >= 2**63 for v in exact)
    assert any(issubclass(w.category, NumericalWarning) for w in caught) == overflow
    if overflow:
        np.testing.assert_array_equal(got, ss.convolve(z, z, method="direct"))


@pytest.mark.parametrize(
    "make",
    [
        lambda v: pa.array(v),
        lambda v: pa.chunked_array([v[:1], v[1:]]),
        lambda v: pd.Series(v, dtype="Int64"),
        lambda v: pd.Series(v, dtype="int64[pyarrow]"),
        lambda v: pd.DataFrame({"a": v}),
        lambda v: pa.table({"a": v}),
    ],
)
@pytest.mark.parametrize("fn", ["convolve", "correlate"])
def test_large_integers_from_tables_and_columns_are_exact(make, fn):
    # the reviewer's case: integers read from Arrow or pandas went through float64,
    # 2**53 + 1 came back as 2**53 (NumPy's and SciPy's int64 are exact)
    v = np.array([2**53 + 1, 3, 12], dtype=np.int64)
    obj = make(v)
    k = np.array([1, 2, 1]) if np.ndim(obj) != 2 else np.array([[1], [2], [1]])
    exact = getattr(np, fn)(v.astype(object), np.array([1, 2, 1], dtype=object), "full")
    got = getattr(dsp, fn)(obj, k)
    values = got.to_numpy() if hasattr(got, "to_numpy") else np.asarray(got)
    if isinstance(got, pa.Table):
        values = np.asarray(got.column(0))
    assert np.asarray(values).dtype == np.int64
    assert np.asarray(values).ravel().tolist() == [int(e) for e in exact]


def test_integer_overflow_wraps_as_scipy_with_a_warning():
    a = np.array([100, 100], dtype=np.int8)
    with pytest.warns(NumericalWarning, match="exceeds the range of int8"):
        got = dsp.convolve(a, a)
    np.testing.assert_array_equal(got, ss.convolve(a, a))
    assert got.dtype == np.int8 and got.tolist() == [16, 32, 16]


def test_fft_on_large_integers_warns():
    z = np.array([2**30 + 1, 2**30 - 1], dtype=np.int64)
    with pytest.warns(NumericalWarning, match="method='direct'"):
        dsp.convolve(z, z, method="fft")


def test_unsigned_beyond_int64():
    z = np.array([2**62 + 1, 3], dtype=np.uint64)
    exact = np.convolve(z.astype(object), z.astype(object))
    with pytest.warns(NumericalWarning, match="uint64"):
        got = dsp.convolve(z, z)
    assert got.dtype == np.uint64
    assert got.tolist() == [int(v) % 2**64 for v in exact]


def test_booleans_are_the_or_of_ands():
    a = np.array([True, False, True, True])
    b = np.array([True, True])
    want = np.convolve(a.astype(int), b.astype(int)) > 0
    for method in METHODS:
        got = dsp.convolve(a, b, method=method)
        assert got.dtype == bool
        np.testing.assert_array_equal(got, want)


# --- correlation ------------------------------------------------------------------------


@pytest.mark.parametrize("n1", range(1, 10))
@pytest.mark.parametrize("n2", range(1, 10))
@pytest.mark.parametrize("mode", MODES)
def test_lags_label_the_correlation(n1, n2, mode):
    """A pulse at ``i`` in ``in1`` and ``j`` in ``in2`` correlates to a peak at lag
    ``i - j``: the closed form every lag must satisfy (SciPy 1.17's ``same`` lags are
    one too high for odd ``n1`` and even ``n2``; elsewhere they must be SciPy's)."""
    lags = dsp.correlation_lags(n1, n2, mode)
    for i in range(n1):
        for j in range(n2):
            x, y = np.zeros(n1), np.zeros(n2)
            x[i], y[j] = 1.0, 1.0
            z = dsp.correlate(x, y, mode, method="direct")
            assert z.shape == lags.shape
            hit = np.flatnonzero(z > 0.5)
            if hit.size:
                assert lags[hit[0]] == i - j
            else:
                assert i - j not in lags.tolist()
    if not (mode == "same" and n1 % 2 == 1 and n2 % 2 == 0):
        np.testing.assert_array_equal(lags, ss.correlation_lags(n1, n2, mode))


def test_correlate_finds_a_delay_in_a_table(rng):
    x = rng.standard_normal(500)
    df = pd.DataFrame({"a": np.roll(x, 11), "b": np.roll(x, -4)})
    z = dsp.correlate(df, x, mode="same")
    assert isinstance(z, pd.DataFrame) and list(z.columns) == ["a", "b"]
    lags = dsp.correlation_lags(500, 500, "same")
    assert [int(lags[np.argmax(z[c].to_numpy())]) for c in "ab"] == [11, -4]
    for c in "ab":
        assert_matches(z[c].to_numpy(), ss.correlate(df[c].to_numpy(), x, "same"), rtol=1e-9)


def test_tables_convolve_down_their_columns(rng):
    values = rng.standard_normal((300, 3))
    h = np.hanning(7)
    tbl = pa.table({"x": values[:, 0], "y": values[:, 1], "z": values[:, 2]})
    got = dsp.convolve(tbl, h, mode="same")
    assert isinstance(got, pa.Table) and got.column_names == ["x", "y", "z"]
    for k, name in enumerate("xyz"):
        want = ss.convolve(values[:, k], h, mode="same")
        assert_matches(got.column(name).to_numpy(), want, rtol=1e-9)


# --- choosing the method -----------------------------------------------------------------


def test_choose_conv_method(rng):
    assert dsp.choose_conv_method(np.ones(100), np.ones(5)) == "direct"
    assert dsp.choose_conv_method(np.ones(50_000), np.ones(2000)) == "fft"
    big = np.full(2000, 2**30, dtype=np.int64)
    assert dsp.choose_conv_method(big, big) == "direct"  # transforms would round
    method, times = dsp.choose_conv_method(rng.standard_normal(300), np.ones(9), measure=True)
    assert method in ("direct", "fft") and set(times) == {"direct", "fft"}
    assert method == min(times, key=times.get)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: dsp.convolve([3, 4, 5], [1, 2, 3], mode="spam"), "`mode`"),
        (lambda: dsp.convolve([3, 4, 5], [1, 2, 3], method="bacon"), "`method`"),
        (lambda: dsp.correlate([3, 4, 5], [1, 2, 3], mode="eggs", method="fft"), "`mode`"),
        (lambda: dsp.convolve([1], 2), "same number of dimensions"),
        (lambda: dsp.convolve(1, [2], method="fft"), "same number of dimensions"),
        (lambda: dsp.convolve([3], [[2]]), "same number of dimensions"),
        (
            lambda: dsp.convolve(np.ones((2, 3)), np.ones((3, 2)), mode="valid"),
            "at least as large",
        ),
        (
            lambda: dsp.convolve(np.ones((3, 1)), np.ones((1, 4)), mode="valid"),
            "at least as large",
        ),
        (lambda: dsp.convolve([1.0, np.nan], [1.0]), "`in1` must be finite"),
        (lambda: dsp.correlate([1.0], [np.inf, 1.0]), "`in2` must be finite"),
        (lambda: dsp.correlation_lags(0, 3), "`in1_len`"),
        (lambda: dsp.correlation_lags(3, 2.5), "`in2_len`"),
        (lambda: dsp.correlation_lags(3, 3, mode="circular"), "`mode`"),
        (lambda: dsp.correlation_lags(2**62, 3), "`in1_len`.*fits in memory"),
        (lambda: dsp.choose_conv_method([1.0], [1.0], measure="yes"), "`measure`"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_empty_input_gives_an_empty_result():
    assert dsp.convolve(np.array([]), np.array([1.0])).size == 0
    assert dsp.correlate(np.ones(3), np.array([])).size == 0


@pytest.mark.parametrize("fn", ["convolve", "correlate"])
@pytest.mark.parametrize("shape", [(0, 3), (2, 0), (0,)])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_same_mode_of_an_empty_in1_keeps_its_shape(fn, shape, dtype):
    # as SciPy's direct sum (method "direct" and "auto"): an empty of in1's shape, where
    # pyjl returned a 1-D empty array
    a = np.zeros(shape, dtype)
    b = np.ones((2,) * a.ndim)
    for method in ("auto", "direct"):
        want = getattr(ss, fn)(a, b, "same", method=method)
        got = getattr(dsp, fn)(a, b, "same", method=method)
        assert got.shape == want.shape and got.dtype == want.dtype


def test_no_scipy_function_name_is_a_module():
    """``pyjl.dsp.convolve`` was once a module: calling it as SciPy's failed."""
    import types

    for name in dir(dsp):
        if name in ss.__all__ and callable(getattr(ss, name)):
            assert not isinstance(getattr(dsp, name), types.ModuleType), name


def test_small_calls_keep_the_full_paths_rules():
    """Small plain 1-D calls run in one step on the engine's small-call kernel; what it
    declines (NaN, a result past float64, other dtypes) takes the full path."""
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    h = np.array([0.5, -1.0, 2.0])
    for fn in ("convolve", "correlate"):
        for mode in MODES:
            want = getattr(ss, fn)(x, h, mode=mode, method="direct")
            got = getattr(dsp, fn)(x, h, mode=mode)
            assert got.dtype == want.dtype
            np.testing.assert_allclose(got, want, rtol=1e-15)
            np.testing.assert_allclose(
                getattr(dsp, fn)(h, x, mode=mode), getattr(ss, fn)(h, x, mode=mode), rtol=1e-15
            )
    with pytest.raises(InputError, match="`in1` must be finite"):
        dsp.convolve(np.array([1.0, np.nan]), h)
    big = np.array([1.5e308, 1.5e308])
    with pytest.warns(NumericalWarning, match="not finite"):
        out = dsp.convolve(big, np.array([1.0, 1.0]))
    assert np.isinf(out[1]) and out[0] == 1.5e308
    assert dsp.convolve(x.astype(np.float32), h.astype(np.float32)).dtype == np.float32
