"""``detrend`` against :func:`scipy.signal.detrend`, SciPy's own cases, closed forms, the
axis rule for tables, in-place detrending and the refusals."""

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.signal as ss
from numpy.testing import assert_allclose

from pyjl.dsp.trends import detrend
from pyjl.exceptions import InputError

SHAPES = [(1,), (2,), (7,), (3, 40), (4, 5, 6), (2, 1, 9)]
DTYPES = [
    np.float64,
    np.float32,
    np.complex128,
    np.complex64,
    np.float16,
    np.int32,
    np.int64,
    np.uint8,
    np.bool_,
]


def _signal(rng, shape, dtype):
    """Random data of ``dtype``: a trend plus noise (integers and bools drawn as such)."""
    if np.dtype(dtype) == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, 100, shape).astype(dtype)
    x = rng.standard_normal(shape) + 3.0
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _tolerance(dtype, x):
    """An absolute tolerance for the residual of data ``x`` of ``dtype``."""
    scale = max(1.0, float(np.max(np.abs(np.asarray(x, dtype=np.complex128)), initial=0.0)))
    eps = {np.float16: 4e-3, np.float32: 2e-6, np.complex64: 2e-6}.get(dtype, 1e-13)
    return 10 * eps * scale


def _breakpoint_sets(n):
    """Breakpoints for an axis of ``n`` samples: none, the ends, the middle, unsorted
    with repeats, one-sample segments, an array."""
    sets = [0, n, [n // 2], [2 * n // 3, n // 3, n // 3, 0, n], np.array([1, n - 1])]
    return [bp for bp in sets if np.all(np.asarray(bp) <= n)]


CASES = [
    pytest.param(shape, axis, id=f"{shape}-axis{axis}")
    for shape in SHAPES
    for axis in range(-len(shape), len(shape))
]


# --- against scipy.signal.detrend ---------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("kind", ["linear", "l", "constant", "c"])
@pytest.mark.parametrize(("shape", "axis"), CASES)
def test_matches_scipy(rng, shape, axis, kind, dtype):
    x = _signal(rng, shape, dtype)
    n = shape[axis]
    for bp in _breakpoint_sets(n) if kind in ("linear", "l") else [0]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # SciPy's float16 mean
            want = ss.detrend(x, axis=axis, type=kind, bp=bp)
        got = detrend(x, axis=axis, type=kind, bp=bp)
        assert type(got) is np.ndarray
        assert got.dtype == want.dtype, (kind, dtype, bp)
        assert got.shape == x.shape
        assert_allclose(got, want, rtol=0, atol=_tolerance(dtype, x), err_msg=f"bp={bp}")


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_default_axis_for_arrays_is_last(rng, axis):
    x = rng.standard_normal((6, 11))
    assert_allclose(detrend(x), ss.detrend(x), atol=1e-13)
    assert_allclose(detrend(x, axis=axis), ss.detrend(x, axis=axis), atol=1e-13)


def test_positional_arguments_in_scipys_order(rng):
    x = rng.standard_normal((5, 12))
    assert_allclose(detrend(x, 1, "linear", [4]), ss.detrend(x, 1, "linear", [4]), atol=1e-13)
    assert_allclose(detrend(x, 0, "c"), ss.detrend(x, 0, "c"), atol=1e-13)


def test_list_input():
    assert_allclose(detrend([1, 2, 5]), ss.detrend([1, 2, 5]), atol=1e-15)


# --- SciPy's TestDetrend (scipy/signal/tests/test_signaltools.py) -----------------------
def test_scipy_basic():
    assert_allclose(detrend(np.array([1, 2, 3])), [0, 0, 0], atol=1e-7)


def test_scipy_copy():
    x = np.array([1, 1.2, 1.5, 1.6, 2.4])
    copy_array = detrend(x, overwrite_data=False)
    inplace = detrend(x, overwrite_data=True)
    assert_allclose(copy_array, inplace, atol=1e-7)


@pytest.mark.parametrize("kind", ["linear", "constant"])
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_scipy_axis(axis, kind):
    x = np.arange(5 * 6 * 7).reshape(5, 6, 7)
    assert detrend(x, type=kind, axis=axis).shape == x.shape


def test_scipy_bp():
    x = np.array([0, 1, 2] + [5, 0, -5, -10])
    assert_allclose(detrend(x, type="linear", bp=3), 0, atol=1e-14)
    x = x[None, :, None]
    assert_allclose(detrend(x, type="linear", bp=3, axis=1), 0, atol=1e-14)
    with pytest.raises(InputError, match="`bp`"):  # a breakpoint beyond shape[axis]
        detrend(x, type="linear", bp=3)


@pytest.mark.parametrize("bp", [np.array([0, 2]), [0, 2]])
def test_scipy_detrend_array_bp(bp):
    # SciPy's regression test for scipy/scipy#18675, with its values of SciPy 1.9.1
    x = np.random.RandomState(12345).rand(10)
    res_scipy_191 = [
        -4.44089210e-16,
        -2.22044605e-16,
        -1.11128506e-01,
        -1.69470553e-01,
        1.14710683e-01,
        6.35468419e-02,
        3.53533144e-01,
        -3.67877935e-02,
        -2.00417675e-02,
        -1.94362049e-01,
    ]
    assert_allclose(detrend(x, bp=bp), res_scipy_191, atol=1e-8)


# --- closed forms -------------------------------------------------------------------
def test_a_line_detrends_to_zero():
    t = np.arange(1000.0)
    assert_allclose(detrend(4.0 - 0.25 * t), 0, atol=1e-10)
    assert_allclose(detrend(np.full(9, 7.5), type="constant"), 0, atol=0)


def test_piecewise_line_with_breakpoints_detrends_to_zero():
    # a constant plus a line of a different slope and offset on each piece
    t = np.arange(60.0)
    x = 2.0 + np.where(t < 20, 0.5 * t, np.where(t < 45, -3.0 * t + 100, 7.0 * t - 300))
    assert_allclose(detrend(x, bp=[20, 45]), 0, atol=1e-10)
    assert_allclose(detrend(x, bp=[45, 20, 20]), 0, atol=1e-10)
    assert np.max(np.abs(detrend(x))) > 1.0  # one line cannot follow three


def test_residual_is_orthogonal_to_each_pieces_line(rng):
    x = rng.standard_normal(50)
    r = detrend(x, bp=[13, 31])
    for a, b in [(0, 13), (13, 31), (31, 50)]:
        t = np.arange(b - a)
        assert abs(r[a:b].sum()) < 1e-12
        assert abs(r[a:b] @ t) < 1e-10
    assert_allclose(r + (x - r), x)


def test_a_one_sample_piece_becomes_zero(rng):
    x = rng.standard_normal(9) + 5.0
    r = detrend(x, bp=[4, 5])
    assert r[4] == 0.0
    assert_allclose(r, ss.detrend(x, bp=[4, 5]), atol=1e-13)


def test_constant_removes_the_mean(rng):
    x = rng.standard_normal((3, 25)) + 10.0
    r = detrend(x, type="constant")
    assert_allclose(r.mean(axis=-1), 0, atol=1e-13)
    assert_allclose(x - r, np.broadcast_to(x.mean(axis=-1, keepdims=True), x.shape))


def test_a_large_offset_is_removed_accurately(rng):
    noise = rng.standard_normal(400)
    t = np.arange(400.0)
    assert_allclose(detrend(1e8 + 3.0 * t + noise), detrend(noise), atol=1e-6)


# --- tables: time down the rows --------------------------------------------------------
def test_dataframe_is_detrended_down_its_rows(rng):
    x = rng.standard_normal((30, 3)) + np.arange(30.0)[:, None]
    index = pd.date_range("2026-01-01", periods=30, freq="10ms", name="time")
    df = pd.DataFrame(x, index=index, columns=["ax", "ay", "az"])
    for kind in ("linear", "constant"):
        got = detrend(df, type=kind)
        assert isinstance(got, pd.DataFrame)
        assert got.index.equals(index) and list(got.columns) == ["ax", "ay", "az"]
        assert_allclose(got.to_numpy(), ss.detrend(x, axis=0, type=kind), atol=1e-12)
    got = detrend(df, bp=[10])
    assert_allclose(got.to_numpy(), ss.detrend(x, axis=0, bp=[10]), atol=1e-12)
    assert_allclose(detrend(df, axis=1).to_numpy(), ss.detrend(x, axis=1), atol=1e-12)


def test_dataframe_keeps_float32(rng):
    df = pd.DataFrame(rng.standard_normal((12, 2)).astype(np.float32), columns=["a", "b"])
    got = detrend(df)
    assert list(got.dtypes) == [np.float32, np.float32]
    assert_allclose(got.to_numpy(), ss.detrend(df.to_numpy(), axis=0), atol=1e-5)


def test_arrow_table_is_detrended_down_its_rows(rng):
    x = rng.standard_normal((20, 2))
    table = pa.table({"left": x[:, 0], "right": pa.array(np.arange(20) % 7, pa.int32())})
    got = detrend(table)
    assert isinstance(got, pa.Table)
    assert got.column_names == ["left", "right"]
    want = ss.detrend(np.column_stack([x[:, 0], np.arange(20) % 7]), axis=0)
    assert_allclose(np.column_stack([c.to_numpy() for c in got.columns]), want, atol=1e-12)


def test_series_and_arrow_array_keep_their_form():
    s = pd.Series([1.0, 2.0, 4.0], name="v", index=[10, 20, 30])
    got = detrend(s)
    assert isinstance(got, pd.Series) and got.name == "v" and list(got.index) == [10, 20, 30]
    assert_allclose(got.to_numpy(), ss.detrend(s.to_numpy()), atol=1e-15)
    arr = pa.chunked_array([[1.0, 2.0], [5.0]])
    got = detrend(arr)
    assert isinstance(got, (pa.Array, pa.ChunkedArray))
    assert_allclose(np.asarray(got), ss.detrend([1.0, 2.0, 5.0]), atol=1e-15)


@pytest.mark.parametrize("dtype", [">f8", ">f4", ">c16", ">c8", ">i4", ">f2"])
@pytest.mark.parametrize("kind", ["linear", "constant"])
def test_big_endian_data_get_scipys_dtypes(rng, kind, dtype):
    # SciPy's linear detrend works on a copy of the data, so it keeps the byte order of
    # a kept dtype; its constant one subtracts a mean, which NumPy returns native
    x = _signal(rng, (3, 40), dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SciPy's float16 mean
        want = ss.detrend(x, type=kind)
    got = detrend(x, type=kind)
    assert got.dtype == want.dtype and got.dtype.str == want.dtype.str
    assert_allclose(got, want, rtol=0, atol=_tolerance(np.dtype(dtype).type, x))


# --- overwrite_data ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.complex64, ">f8"])
def test_overwrite_data_detrends_in_place(rng, dtype):
    x = _signal(rng, (4, 17), dtype)
    want = ss.detrend(x.copy(), axis=1, bp=[5])
    got = detrend(x, axis=1, bp=[5], overwrite_data=True)
    assert got is x
    assert_allclose(x, want, atol=_tolerance(dtype, x))


def test_overwrite_data_on_a_strided_view(rng):
    base = rng.standard_normal((10, 8))
    view = base[:, ::2]
    want = ss.detrend(view.copy(), axis=0)
    got = detrend(view, axis=0, overwrite_data=True)
    assert np.shares_memory(got, base)
    assert_allclose(base[:, ::2], want, atol=1e-13)


def test_inputs_are_not_modified_without_permission(rng):
    x = rng.standard_normal(20)
    kept = x.copy()
    detrend(x)
    detrend(x, type="constant", overwrite_data=True)  # in place only for 'linear', as SciPy
    np.testing.assert_array_equal(x, kept)
    ints = np.arange(10)
    detrend(ints, overwrite_data=True)
    np.testing.assert_array_equal(ints, np.arange(10))


def test_tables_are_never_modified(rng):
    x = rng.standard_normal((15, 2))
    df = pd.DataFrame(x.copy(), columns=["a", "b"])
    detrend(df, overwrite_data=True)
    np.testing.assert_array_equal(df.to_numpy(), x)
    table = pa.table({"a": x[:, 0].copy()})
    detrend(table, overwrite_data=True)
    np.testing.assert_array_equal(table.column("a").to_numpy(), x[:, 0])


# --- empty input ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["linear", "constant"])
@pytest.mark.parametrize(("shape", "axis"), [((0,), -1), ((3, 0), -1), ((0, 3), -1), ((0, 3), 0)])
def test_empty_input_gives_an_empty_result(shape, axis, kind):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = detrend(np.zeros(shape, np.float32), axis=axis, type=kind)
    assert got.shape == shape and got.dtype == np.float32


# --- refusals ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"type": "quadratic"}, "type"),
        ({"type": None}, "type"),
        ({"bp": 21}, "bp"),
        ({"bp": [3, 25]}, "bp"),
        ({"bp": -1}, "bp"),
        ({"bp": [2.5]}, "bp"),
        ({"bp": [[2, 4]]}, "bp"),
        ({"bp": "5"}, "bp"),
        ({"bp": True}, "bp"),
        ({"axis": 2}, "axis"),
        ({"axis": -3}, "axis"),
        ({"axis": 0.5}, "axis"),
        ({"overwrite_data": "yes"}, "overwrite_data"),
    ],
)
def test_bad_arguments_name_themselves(rng, kwargs, name):
    with pytest.raises(InputError, match=f"`{name}`"):
        detrend(rng.standard_normal((3, 20)), **kwargs)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("kind", ["linear", "constant"])
def test_non_finite_data_are_refused(bad, kind):
    # SciPy returns NaN for the whole piece; pyjl.dsp refuses, naming the position
    x = np.arange(10.0)
    x[6] = bad
    with pytest.raises(InputError, match=r"`data`.*index 6"):
        detrend(x, type=kind)


def test_a_scalar_is_refused():
    with pytest.raises(InputError, match="`data` must be at least 1-D"):
        detrend(np.float64(3.0))


def test_bad_breakpoints_are_ignored_for_constant(rng):
    # SciPy uses bp only for 'linear'
    x = rng.standard_normal(8)
    assert_allclose(detrend(x, type="constant", bp=99), ss.detrend(x, type="constant", bp=99))


@pytest.mark.parametrize("kind", ["linear", "constant"])
@pytest.mark.parametrize("peak", [1e308, 1e-310])
def test_data_near_the_float64_limits(rng, kind, peak):
    """Sums of 1e308 overflow and squares of 1e-310 underflow: the data are scaled by a
    power of two (exact), so the result is SciPy's on the scaled data, scaled back."""
    x = rng.uniform(-1, 1, (2, 40)) * peak
    s = 2.0 ** np.floor(np.log2(peak))
    got = detrend(x, type=kind, bp=[17])
    assert np.all(np.isfinite(got))
    assert_allclose(got / s, ss.detrend(x / s, type=kind, bp=[17]), rtol=1e-12, atol=1e-12)
