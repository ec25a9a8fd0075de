"""Tests for pyjl.data: zero copy where possible, one explicit copy where needed,
clear errors, outputs that mirror inputs, memory-mapped Arrow files."""

import decimal
import doctest
import gc
import importlib
import os
import re
import subprocess
import sys
import warnings
from pkgutil import iter_modules

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import pyjl.data as data
from pyjl.data import as_array, origin, read_arrow, restore, write_arrow
from pyjl.exceptions import InputError


def addr(a):
    """Address of the first element of a NumPy array."""
    return a.__array_interface__["data"][0]


def arrow_addr(arr):
    """Address of the first value of a primitive pyarrow Array (offset included)."""
    return arr.buffers()[1].address + arr.offset * arr.type.byte_width


def mapping_of(path):
    """(start, end) address ranges of /proc/self/maps lines that map ``path``."""
    with open("/proc/self/maps") as f:
        return [
            tuple(int(x, 16) for x in line.split()[0].split("-"))
            for line in f
            if line.rstrip().endswith(str(path))
        ]


def rss(field):
    """A /proc/self/status memory field (RssAnon, RssFile, VmRSS) in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


# --- zero copy ----------------------------------------------------------------------


def test_numpy_c_contiguous_float64_is_not_copied(rng):
    x = rng.normal(size=(50, 3))
    a = as_array(x, name="X", ndim=2)
    assert a is x
    assert addr(as_array(x[10:20], name="X")) == addr(x) + 10 * 3 * 8  # a C-contiguous slice


def test_series_is_a_view(rng):
    x = rng.normal(size=40)
    s = pd.Series(x, copy=False)
    a = as_array(s, name="y")
    assert np.shares_memory(a, x) and a.shape == (40,)


def test_single_column_dataframe_is_a_view_of_its_column(rng):
    df = pd.DataFrame({"a": rng.normal(size=30)})
    a = as_array(df, name="X")
    assert a.shape == (30, 1) and a.flags.c_contiguous
    assert np.shares_memory(a, df["a"].to_numpy())
    flat = as_array(df, name="x", ndim=1)  # 1-D wanted: the one column, still a view
    assert flat.shape == (30,) and np.shares_memory(flat, df["a"].to_numpy())


def test_one_block_dataframe_laid_out_c_ordered_is_a_view(rng):
    X = rng.normal(size=(25, 4))
    df = pd.DataFrame(X, columns=list("abcd"), copy=False)
    a = as_array(df, name="X")
    assert np.shares_memory(a, X) and a.flags.c_contiguous
    np.testing.assert_array_equal(a, X)


def test_arrow_array_and_single_chunk_column_are_views(rng):
    x = rng.normal(size=100)
    arr = pa.array(x)
    a = as_array(arr, name="x")
    assert addr(a) == arrow_addr(arr)
    sliced = arr.slice(7, 50)  # an offset into the same buffer
    assert addr(as_array(sliced, name="x")) == arrow_addr(sliced) == addr(x) + 7 * 8
    ca = pa.chunked_array([pa.array([], pa.float64()), arr])  # empty chunks are ignored
    assert addr(as_array(ca, name="x")) == arrow_addr(arr)


def test_arrow_single_column_table_and_batch_are_views(rng):
    x = rng.normal(size=60)
    for tab in (pa.table({"v": x}), pa.record_batch([pa.array(x)], names=["v"])):
        a = as_array(tab, name="X")
        assert a.shape == (60, 1) and np.shares_memory(a, x)
        assert np.shares_memory(as_array(tab, name="x", ndim=1), x)


def test_pandas_arrow_dtype_series_is_a_view_of_the_arrow_buffer(rng):
    arr = pa.array(rng.normal(size=20))
    s = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([arr])))
    assert addr(as_array(s, name="y")) == arrow_addr(arr)


def test_memory_mapped_file_columns_are_views_of_the_file(rng, tmp_path):
    x = rng.normal(size=1000)
    for fmt in ("file", "stream"):
        path = tmp_path / f"{fmt}.arrow"
        table = pa.table({"x": x, "k": np.arange(1000)})
        if fmt == "file":
            write_arrow(path, table)
        else:
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as w:
                w.write_table(table)
        col = read_arrow(path).column("x")
        a = as_array(col, name="x")
        np.testing.assert_array_equal(a, x)
        assert any(lo <= addr(a) < hi for lo, hi in mapping_of(path)), fmt


# --- one explicit copy where needed ---------------------------------------------------


@pytest.mark.parametrize(
    "make, rule",
    [
        (lambda x: x.astype(np.float32), "cast"),
        (lambda x: x[::2], "C-contiguous"),
        (lambda x: np.asfortranarray(x.reshape(-1, 4)), "C-contiguous"),
        (lambda x: x.tolist(), "list"),
        (lambda x: pa.chunked_array([x[:40], x[40:]]), "2 Arrow chunks"),
        (lambda x: pa.array(x.astype(np.int32)), "cast"),
        (lambda x: pd.DataFrame({"a": x[:40], "b": x[40:]}), "2 columns"),
        (lambda x: pd.DataFrame({"a": x[:40], "b": np.arange(40)}), "2 columns"),
        (lambda x: pa.table({"a": x[:40], "b": x[40:]}), "2 columns"),
        (lambda x: pd.Series(x, dtype="Float64"), "mask"),
    ],
)
def test_needed_copy_happens_once_and_copy_false_refuses(rng, make, rule):
    x = np.round(rng.normal(size=80) * 10)  # whole numbers: exact in every dtype
    obj = make(x)
    a = as_array(obj, name="arg")
    assert a.dtype == np.float64 and a.flags.c_contiguous and a.flags.owndata
    expected = np.asarray(
        obj.to_numpy()
        if isinstance(obj, pd.DataFrame)
        else np.column_stack([obj.column(j).to_numpy() for j in range(2)])
        if isinstance(obj, pa.Table)
        else obj.to_numpy()
        if isinstance(obj, (pa.ChunkedArray, pa.Array, pd.Series))
        else obj,
        dtype=np.float64,
    )
    np.testing.assert_array_equal(a, expected)
    with pytest.raises(InputError, match="copy=False") as info:
        as_array(obj, name="arg", copy=False)
    assert "`arg`" in str(info.value) and rule in str(info.value)


def test_copy_true_always_copies_into_writable_memory(rng):
    x = rng.normal(size=30)
    for obj, base in ((x, x), (pa.array(x), x), (pd.Series(x, copy=False), x)):
        a = as_array(obj, name="x", copy=True)
        assert not np.shares_memory(a, base) and a.flags.writeable
        np.testing.assert_array_equal(a, x)
    c = as_array(x.astype(np.float32), name="x", copy=True)  # the cast is the one copy
    assert c.flags.owndata and c.dtype == np.float64
    # a nullable Series without missing values: its memory was handed out as a "copy",
    # so writing the result wrote the user's Series (resample_poly(s, 2, 2) did)
    s = pd.Series([1.0, 2.0, 3.0], dtype="Float64")
    a = as_array(s, name="x", copy=True)
    a[0] = 99.0
    assert s.tolist() == [1.0, 2.0, 3.0]
    ints = pd.Series([1, 2, 3, 4], dtype="Int64")
    from pyjl import dsp

    out = dsp.resample_poly(ints, 2, 2)
    out.iloc[0] = 100
    assert ints.tolist() == [1, 2, 3, 4]
    # decoded categories and dictionaries: fresh and writable (they came back read-only)
    for obj in (
        pd.Series([1.0, 2.0]).astype("category"),
        pa.array([1.0, 2.0]).dictionary_encode(),
    ):
        a = as_array(obj, name="x", copy=True)
        assert a.flags.writeable and a.tolist() == [1.0, 2.0]


def test_whole_float16_values_read_as_integers_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the int64 bounds cast to float16 overflowed
        assert as_array(np.array([0, 1, 2], np.float16), name="x", dtype=np.int64).tolist() == [
            0,
            1,
            2,
        ]


def test_arrow_nulls_are_refused_or_become_nan():
    arr = pa.chunked_array([[1.0, 2.0], [3.0, None, 5.0, None]])
    with pytest.raises(
        InputError, match=r"`x` must not hold nulls.*2 null\(s\), the first at index 3"
    ):
        as_array(arr, name="x")
    a = as_array(arr, name="x", finite=False)
    np.testing.assert_array_equal(np.isnan(a), [0, 0, 0, 1, 0, 1])
    tab = pa.table({"a": [1.0, 2.0], "b": pa.array([1, None], pa.int64())})
    with pytest.raises(InputError, match="row 1, column 'b'"):
        as_array(tab, name="X")


def test_arrow_booleans_and_masked_arrays():
    b = as_array(pa.array([True, False, True]), name="mask", dtype=np.bool_)
    assert b.dtype == np.bool_ and b.tolist() == [True, False, True]
    with pytest.raises(InputError, match="bit-packed"):
        as_array(pa.array([True, False]), name="mask", dtype=np.bool_, copy=False)
    m = np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    with pytest.raises(InputError, match="`x` must not hold masked values; got 1 masked"):
        as_array(m, name="x")
    unmasked = np.ma.masked_array(np.arange(3.0))
    assert np.shares_memory(as_array(unmasked, name="x"), unmasked.data)


def test_pandas_missing_values_are_refused():
    s = pd.Series([1.0, None, 3.0], dtype="Float64")
    with pytest.raises(InputError, match="missing.*index 1"):
        as_array(s, name="y")
    np.testing.assert_array_equal(np.isnan(as_array(s, name="y", finite=False)), [0, 1, 0])


# --- errors ------------------------------------------------------------------------------


def test_nan_and_inf_name_the_argument_and_first_bad_index():
    x = np.ones(2_000_000)
    x[1_500_001], x[1_700_000] = np.inf, np.nan
    with pytest.raises(InputError, match=r"`y` must be finite.*got inf at index 1500001"):
        as_array(x, name="y")
    assert as_array(x, name="y", finite=False) is x
    big = np.full(10, 1e308)  # the sum overflows, yet every value is finite
    assert as_array(big, name="y") is big


def test_nan_in_2d_names_row_and_column(rng):
    X = rng.normal(size=(6, 3))
    X[4, 2] = np.nan
    with pytest.raises(InputError, match="row 4, column 2"):
        as_array(X, name="X")
    df = pd.DataFrame(X, columns=["p", "q", "r"])
    with pytest.raises(InputError, match="`X`.*row 4, column 'r'"):
        as_array(df, name="X")
    with pytest.raises(InputError, match="row 4, column 'r'"):
        as_array(df[["r"]], name="X", ndim=1)


def test_a_labelled_index_adds_the_label_to_the_position(rng):
    when = pd.date_range("2024-01-01", periods=6)
    X = rng.normal(size=(6, 2))
    X[4, 1] = np.nan
    df = pd.DataFrame(X, columns=["p", "q"], index=when)
    with pytest.raises(InputError, match=r"row 4 \(label Timestamp\('2024-01-05.*column 'q'"):
        as_array(df, name="X")
    with pytest.raises(InputError, match=r"index 4 \(label Timestamp\('2024-01-05"):
        as_array(df["q"], name="x")
    s = pd.Series([1.0, None, 3.0], index=["a", "b", "c"], dtype="Float64")
    with pytest.raises(InputError, match=r"index 1 \(label 'b'\)"):
        as_array(s, name="y")
    with pytest.raises(InputError, match=r"got nan at index 1\. "):  # 0, 1, ...: no label
        as_array(pd.Series([1.0, np.nan]), name="y")
    with pytest.raises(InputError, match=r"got nan at index 1\. "):  # the same as an Index
        as_array(pd.Series([1.0, np.nan], index=pd.Index([0, 1], dtype=np.int64)), name="y")
    with pytest.raises(InputError, match=r"index 1 \(label 31\)"):  # as a number, not np.int64
        as_array(pd.Series([1.0, np.nan], index=[30, 31]), name="y")
    with pytest.raises(InputError, match=r"index 0 \(label <NA>\)"):  # not bool(pd.NA)
        as_array(pd.Series([np.nan, 1.0], index=pd.Index([pd.NA, 5], dtype="Int64")), name="y")
    pairs = pd.MultiIndex.from_tuples([("a", 0), ("b", 1)])
    with pytest.raises(InputError, match=r"index 1 \(label \('b', 1\)\)"):
        as_array(pd.Series([1.0, np.nan], index=pairs), name="y")


def test_pandas_categories_of_numbers_are_read_as_numbers():
    # as an Arrow dictionary is: the values the codes stand for, one copy
    s = pd.Series([1.5, 2.0, 1.5], index=list("abc")).astype("category")
    np.testing.assert_array_equal(as_array(s, name="x"), [1.5, 2.0, 1.5])
    frame = pd.DataFrame({"k": pd.Series([3, 1, 3]).astype("category"), "v": [0.5, 1, 2]})
    np.testing.assert_array_equal(as_array(frame, name="X"), [[3, 0.5], [1, 1], [3, 2]])
    holes = pd.Series(pd.Categorical([1, 2, None], categories=[1, 2]))  # int categories
    with pytest.raises(InputError, match="missing values .* index 2"):
        as_array(holes, name="x")
    np.testing.assert_array_equal(as_array(holes, name="x", finite=False), [1.0, 2.0, np.nan])
    with pytest.raises(InputError, match="category must be decoded"):
        as_array(s, name="x", copy=False)
    with pytest.raises(InputError, match="pandas dtype category"):  # of strings: not numbers
        as_array(pd.Series(["p", "q"]).astype("category"), name="x")


def test_arrow_decimals_and_dictionaries_are_read_as_numbers():
    D = decimal.Decimal
    dec = pa.array([D("1.10"), D("-2.5"), D("3")])
    want = np.array([float(D("1.10")), -2.5, 3.0])  # as NumPy's astype(float) of the Decimals
    np.testing.assert_array_equal(as_array(dec, name="x"), want)
    wide = pa.array([D("1.10"), D("-2.5"), D("3")], type=pa.decimal256(40, 2))
    np.testing.assert_array_equal(as_array(wide, name="x"), want)
    frame = pa.table({"a": dec, "b": pa.array([4.0, 4.0, 0.5]).dictionary_encode()})
    np.testing.assert_array_equal(as_array(frame, name="X"), np.c_[want, [4.0, 4.0, 0.5]])
    chunked = pa.chunked_array([pa.array([1, 2, 1]).dictionary_encode()] * 2)
    np.testing.assert_array_equal(as_array(chunked, name="x"), [1.0, 2.0, 1.0] * 2)
    with pytest.raises(InputError, match="decimal128.*must be decoded"):
        as_array(dec, name="x", copy=False)
    with pytest.raises(InputError, match="must not hold nulls.*index 1"):
        as_array(pa.array([D("1"), None]), name="x")
    with pytest.raises(InputError, match="Arrow type dictionary<values=string"):
        as_array(pa.array(["p", "q"]).dictionary_encode(), name="x", copy=False)
    # exactly as the same Decimals in an object array: whole ones to the unit beyond
    # 2**53, others rounded once (a cast to float64 in Arrow is an ulp off for some)
    exact = [D("9007199254740993")]
    np.testing.assert_array_equal(
        as_array(pa.array(exact, pa.decimal128(38, 0)), name="x", dtype=np.int64),
        as_array(np.array(exact, dtype=object), name="x", dtype=np.int64),
    )
    cents = [D(f"{k}.{k % 100:02d}") for k in range(63696100, 63696200)]
    np.testing.assert_array_equal(
        as_array(pa.array(cents, pa.decimal128(10, 2)), name="x"), [float(d) for d in cents]
    )
    rng = np.random.default_rng(7)
    for scale in (0, 1, 4, -3, 30):  # read from Arrow's buffer, or through Decimal (30)
        unscaled = rng.integers(-(2**60), 2**60, 300)
        unscaled[:150] //= 2**10  # below 2**53 too
        values = [D(int(u)).scaleb(-scale) for u in unscaled]
        col = pa.chunked_array([pa.array(values, pa.decimal128(38, scale))]).slice(7, 250)
        want = [float(d) for d in values[7:257]]
        np.testing.assert_array_equal(as_array(col, name="x"), want)
    big = pa.array([D(2**62 + 1), D(-(2**62) - 3)], pa.decimal128(38, 0))
    np.testing.assert_array_equal(
        as_array(big, name="x", dtype=np.int64), [2**62 + 1, -(2**62) - 3]
    )
    # a scale Python's Decimal context cannot hold: Arrow's own cast (7 * 10**70 * 10**200)
    words = (7 * 10**70).to_bytes(32, "little", signed=True)
    huge = pa.Array.from_buffers(pa.decimal256(76, -200), 1, [None, pa.py_buffer(words)])
    np.testing.assert_allclose(as_array(huge, name="x"), [7e270], rtol=1e-15)
    coded = pa.array(cents[:3] * 2, pa.decimal128(10, 2)).dictionary_encode()
    np.testing.assert_array_equal(as_array(coded, name="x"), [float(d) for d in cents[:3] * 2])


@pytest.mark.parametrize(
    "obj, words",
    [
        (np.array([1 + 2j, 3]), "complex"),
        (["a", "b"], "strings"),
        ([1.0, None], "got None (of type NoneType) at index 1"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetimes"),
        (pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}), "column 'b'"),
        (pa.array(["x", "y"]), "Arrow type string"),
        (pa.table({"a": [1.0], "b": ["z"]}), "column 'b'"),
        ([[1.0, 2.0], [3.0]], "array-like"),
    ],
)
def test_wrong_dtype_is_refused_with_name_and_value(obj, words):
    with pytest.raises(InputError, match="`X`") as info:
        as_array(obj, name="X")
    assert words in str(info.value)
    if words not in ("array-like", "complex"):  # text, dates, None: a TypeError in any form
        assert isinstance(info.value, TypeError), type(info.value)  # (not for NumPy only)


def test_ndim_rules():
    assert as_array([1.0, 2.0], name="x", ndim=(1, 2)).shape == (2,)
    with pytest.raises(
        InputError, match=r"`X` must be 2-D; got a 1-D array of shape \(3,\).*reshape\(-1, 1\)"
    ):
        as_array(np.ones(3), name="X", ndim=2)
    with pytest.raises(
        InputError, match=r"must be 1-D or 2-D; got a 3-D array of shape \(2, 2, 2\)"
    ):
        as_array(np.ones((2, 2, 2)), name="X", ndim=(1, 2))
    with pytest.raises(InputError, match="must be 1-D"):
        as_array(pd.DataFrame(np.ones((3, 2))), name="x", ndim=1)
    assert as_array(2.5, name="s", ndim=0).shape == ()


def test_empty_inputs_are_refused_clearly():
    for obj in ([], np.empty((0, 3)), pa.array([], pa.float64()), pd.Series([], dtype=float)):
        with pytest.raises(InputError, match="`x` must not be empty"):
            as_array(obj, name="x")
    assert as_array([], name="x", allow_empty=True).shape == (0,)


def test_integer_dtype_accepts_whole_floats_and_refuses_others():
    a = as_array([0.0, 2.0, 1.0], name="symbols", dtype=np.int64)
    assert a.dtype == np.int64 and a.tolist() == [0, 2, 1]
    for bad, at in (
        ([0.0, 1.0, 1.5], "1.5 at index 2"),
        ([1.0, np.nan], "nan at index 1"),
        ([1.0, 1e19], "1e+19 at index 1"),
    ):
        with pytest.raises(
            InputError, match=f"`symbols` must hold whole numbers.*{re.escape(at)}"
        ):
            as_array(bad, name="symbols", dtype=np.int64)
    with pytest.raises(InputError, match=r"-1 at index 1"):
        as_array(np.array([3, -1]), name="counts", dtype=np.uint32)
    chunked = pa.chunked_array([[1.0, 2.0], [3.0, 4.5]])  # index counts across chunks
    with pytest.raises(InputError, match="4.5 at index 3"):
        as_array(chunked, name="symbols", dtype=np.int64)
    counts = pa.array(np.array([4, 5, 6], dtype=np.int64))
    assert addr(as_array(counts, name="counts", dtype=np.int64)) == arrow_addr(counts)
    with pytest.raises(InputError, match="must hold int64 values; got complex"):
        as_array([1j], name="counts", dtype=np.int64)


def test_cupy_arrays_need_the_device_flag():
    # A stand-in whose type lives in a module named cupy: only the detection is exercised
    # (pyjl must not import cupy to recognise one).
    fake = type("ndarray", (), {"__module__": "cupy._core.core", "shape": (3,)})()
    with pytest.raises(InputError, match=r"`x` must be in host memory.*x\.get\(\).*cuda"):
        as_array(fake, name="x")


@pytest.mark.gpu
def test_cupy_arrays_stay_on_the_device():
    cp = pytest.importorskip("cupy")
    x = cp.arange(6, dtype=cp.float64)
    assert as_array(x, name="x", device=True) is x
    y = as_array(x.astype(cp.float32), name="x", device=True)  # one cast, on the device
    assert isinstance(y, cp.ndarray) and y.dtype == np.float64
    with pytest.raises(InputError, match="copy=False.*cast"):
        as_array(x[::2], name="x", device=True, dtype=np.float32, copy=False)
    z = as_array(x[::2], name="x", device=True)
    assert isinstance(z, cp.ndarray) and z.flags.c_contiguous
    np.testing.assert_array_equal(cp.asnumpy(z), [0.0, 2.0, 4.0])
    w = as_array(x, name="x", device=True, copy=True)
    assert w is not x and not cp.shares_memory(w, x)
    k = as_array(cp.asarray([0.0, 2.0]), name="k", device=True, dtype=np.int64)
    assert k.dtype == np.int64 and k.tolist() == [0, 2]
    with pytest.raises(InputError, match="0.5 at index 1"):
        as_array(cp.asarray([1.0, 0.5]), name="k", device=True, dtype=np.int64)
    with pytest.raises(InputError, match="must be 2-D"):
        as_array(x, name="X", device=True, ndim=2)
    bad = x.reshape(2, 3).copy()
    bad[1, 2] = cp.inf
    with pytest.raises(InputError, match="inf at row 1, column 2"):
        as_array(bad, name="X", device=True)
    assert restore(x, origin(x)) is x  # CuPy in, CuPy out
    back = restore(x * 2, origin(np.zeros(6)))  # NumPy in, NumPy out
    assert isinstance(back, np.ndarray) and back[5] == 10.0


# --- output mirrors input -------------------------------------------------------------------


def test_numpy_and_list_in_numpy_out(rng):
    r = rng.normal(size=5)
    assert restore(r, origin(np.zeros(5))) is r
    assert restore(r, origin([1.0] * 5)) is r


def test_series_in_series_out_with_index_and_name(rng):
    s = pd.Series(rng.normal(size=4), index=pd.date_range("2024-01-01", periods=4), name="temp")
    out = restore(as_array(s, name="s") + 1, origin(s))
    assert isinstance(out, pd.Series) and out.name == "temp"
    pd.testing.assert_index_equal(out.index, s.index)
    assert restore(np.ones(4), origin(s), name="other").name == "other"
    shorter = restore(np.ones(2), origin(s))  # a length change drops the index
    pd.testing.assert_index_equal(shorter.index, pd.RangeIndex(2))


def test_dataframe_in_dataframe_out_same_index_and_columns(rng):
    df = pd.DataFrame(rng.normal(size=(5, 2)), index=list("vwxyz"), columns=["a", "b"])
    r = as_array(df, name="X") * 2
    out = restore(r, origin(df))
    assert np.shares_memory(out.to_numpy(), r)  # no copy out
    pd.testing.assert_frame_equal(out, df * 2)
    proba = restore(np.full((5, 3), 1 / 3), origin(df), columns=["s0", "s1", "s2"])
    assert list(proba.columns) == ["s0", "s1", "s2"]
    pd.testing.assert_index_equal(proba.index, df.index)
    states = restore(np.arange(5), origin(df))  # 1-D -> Series
    assert isinstance(states, pd.Series) and list(states.index) == list("vwxyz")
    one = restore(np.ones(5), origin(df[["b"]]))
    assert isinstance(one, pd.Series) and one.name == "b"


def test_arrow_in_arrow_out_without_copy(rng):
    arr = pa.array(rng.normal(size=8))
    r = as_array(arr, name="x") * 3
    for src in (arr, pa.chunked_array([arr])):
        out = restore(r, origin(src))
        assert isinstance(out, pa.Array) and arrow_addr(out) == addr(r)
    tab = pa.table({"a": rng.normal(size=8), "b": rng.normal(size=8)})
    out = restore(as_array(tab, name="X"), origin(tab))
    assert isinstance(out, pa.Table) and out.column_names == ["a", "b"]
    assert out.equals(tab)
    F = np.asfortranarray(rng.normal(size=(8, 2)))  # columns contiguous: views
    outF = restore(F, origin(tab), columns=["u", "v"])
    assert outF.column_names == ["u", "v"]
    assert arrow_addr(outF.column(1).chunk(0)) == addr(F[:, 1])
    batch = pa.record_batch([pa.array([1.0, 2.0])], names=["z"])
    assert restore(np.ones((2, 1)), origin(batch)).column_names == ["z"]
    assert origin(tab).arrow_type == tab.schema and origin(arr).arrow_type == pa.float64()


# --- files -------------------------------------------------------------------------------------


def test_read_arrow_selects_columns_and_reports_missing_ones(tmp_path):
    path = write_arrow(tmp_path / "t.arrow", pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]}))
    assert read_arrow(path, columns=["b"]).column_names == ["b"]
    assert read_arrow(path, columns="a").column_names == ["a"]
    assert read_arrow(path, columns=np.int64(1)).column_names == ["b"]  # a position
    assert read_arrow(path, columns=[np.int32(0), "b"]).column_names == ["a", "b"]
    for bad in (True, [False], [1.0], {"a"}):  # a bool is not column 1 or 0
        with pytest.raises(InputError, match="`columns` must be None, a column name or position"):
            read_arrow(path, columns=bad)
    with pytest.raises(InputError, match=r"`columns` must name columns.*\['c'\].*\['a', 'b'\]"):
        read_arrow(path, columns=["a", "c"])
    with pytest.raises(InputError, match="`path` must name an existing"):
        read_arrow(tmp_path / "nope.arrow")
    (tmp_path / "junk.arrow").write_bytes(b"not arrow at all")
    with pytest.raises(InputError, match="must be an Arrow IPC file"):
        read_arrow(tmp_path / "junk.arrow")


def test_write_arrow_accepts_arrays_and_dicts(rng, tmp_path):
    X = rng.normal(size=(4, 2))
    t = read_arrow(write_arrow(tmp_path / "x.arrow", X, names=["p", "q"]))
    np.testing.assert_array_equal(as_array(t, name="X"), X)
    t = read_arrow(write_arrow(tmp_path / "d.arrow", {"a": [1.0, 2.0, 3.0]}, max_rows_per_chunk=2))
    assert t.column("a").num_chunks == 2
    s = pd.Series([4.0, 5.0], name="y")
    assert read_arrow(write_arrow(tmp_path / "s.arrow", s)).column_names == ["y"]
    with pytest.raises(InputError, match=r"`data\['a'\]` must be one column \(1-D\)"):
        write_arrow(tmp_path / "2d.arrow", {"a": X})
    np.testing.assert_array_equal(as_array(t, name="x", ndim=1), [1.0, 2.0, 3.0])


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc/self")
def test_one_gib_mapped_file_is_read_without_loading_it(tmp_path):
    """A 1 GiB float64 column: read_arrow + as_array allocate nothing (RssAnon), and
    touch no page (RssFile) until the data are read; reading it then maps the file's
    pages (RssFile grows, page cache) while private memory (RssAnon) stays flat."""
    n = 1 << 27  # 2**27 float64 = 1 GiB
    src = tmp_path / "src.f64"  # built through a memmap: never in RAM
    mm = np.memmap(src, dtype=np.float64, mode="w+", shape=(n,))
    block = np.arange(1 << 20, dtype=np.float64) % 1024
    for start in range(0, n, block.size):
        mm[start : start + block.size] = block
    path = write_arrow(tmp_path / "big.arrow", {"x": pa.array(np.asarray(mm))})
    del mm
    gc.collect()
    os.remove(src)
    size = os.path.getsize(path)
    assert size >= 1 << 30

    try:
        anon0, file0 = rss("RssAnon"), rss("RssFile")
        col = read_arrow(path).column("x")
        a = as_array(col, name="x", finite=False)
        anon1, file1 = rss("RssAnon"), rss("RssFile")
        assert addr(a) == arrow_addr(col.chunk(0))
        assert any(lo <= addr(a) and addr(a) + a.nbytes <= hi for lo, hi in mapping_of(path))
        assert anon1 - anon0 < 32 << 20  # nothing allocated
        assert file1 - file0 < 32 << 20  # nothing touched

        b = as_array(col, name="x")  # finite check: one pass, no temporary
        total = float(np.sum(b))
        anon2 = rss("RssAnon")
        assert np.shares_memory(a, b)
        assert total == (n // 1024) * (1023 * 1024 / 2)
        assert anon2 - anon0 < 0.05 * size  # far below the file size (< 25% asked)
    finally:  # pytest keeps old tmp dirs: free 1 GiB
        os.remove(path)


# --- module hygiene ------------------------------------------------------------------------------


def test_docstring_examples_run():
    modules = [importlib.import_module(f"pyjl.data.{m.name}") for m in iter_modules(data.__path__)]
    results = [doctest.testmod(m, optionflags=doctest.ELLIPSIS) for m in modules]
    assert sum(r.attempted for r in results) >= 5 and sum(r.failed for r in results) == 0


def test_import_and_numpy_use_do_not_import_pandas_or_pyarrow():
    code = (
        "import sys, pyjl; before = set(sys.modules); import numpy as np, pyjl.data as d; "
        "d.as_array(np.ones(3), name='x'); d.restore(np.ones(3), d.origin([1.0])); "
        "new = set(sys.modules) - before; "
        "assert not any(m.split('.')[0] in ('pandas', 'pyarrow') for m in new), new"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda d: data.write_arrow(3, np.ones(3)), "path"),
        (lambda d: data.write_arrow(os.path.join(d, "no", "t.arrow"), np.ones(3)), "path"),
        (
            lambda d: data.write_arrow(
                os.path.join(d, "t.arrow"), np.ones(3), max_rows_per_chunk=0
            ),
            "max_rows_per_chunk",
        ),
        (
            lambda d: data.write_arrow(
                os.path.join(d, "t.arrow"), np.ones(3), max_rows_per_chunk=1.5
            ),
            "max_rows_per_chunk",
        ),
        (
            lambda d: data.write_arrow(os.path.join(d, "t.arrow"), np.ones((3, 2)), names="ab"),
            "names",
        ),
        (
            lambda d: data.write_arrow(os.path.join(d, "t.arrow"), np.ones((3, 2)), names=["a"]),
            "names",
        ),
        (lambda d: data.write_arrow(os.path.join(d, "t.arrow"), np.ones(3) + 1j), "data"),
        (lambda d: data.read_arrow(None), "path"),
        (
            lambda d: data.read_arrow(
                data.write_arrow(os.path.join(d, "t.arrow"), np.ones(3)), columns=3.5
            ),
            "columns",
        ),
        (lambda d: data.as_array(np.ones(3), name="x", dtype="bogus"), "dtype"),
        (lambda d: data.as_array(np.ones(3), name="x", ndim=-1), "ndim"),
        (lambda d: data.as_array(np.ones(3), name="x", copy="yes"), "copy"),
        (lambda d: data.as_array(np.ones(3), name="x", finite="yes"), "finite"),
    ],
)
def test_bad_arguments_of_the_data_helpers_name_the_argument(tmp_path, call, name):
    with pytest.raises(InputError, match=rf"^`{name}` must .*; got .*\. Fix: "):
        call(str(tmp_path))


def test_write_arrow_of_chunked_data_writes_one_batch(tmp_path):
    # the table's chunk boundaries each started a batch, so max_rows_per_chunk=None gave
    # several and the mapped column could not be read without a copy
    import pyarrow as pa

    x = np.arange(10.0)
    batches = [pa.RecordBatch.from_pydict({"a": x[:4]}), pa.RecordBatch.from_pydict({"a": x[4:]})]
    for given in (pa.Table.from_batches(batches), {"a": pa.chunked_array([x[:3], x[3:]])}):
        col = read_arrow(write_arrow(tmp_path / "c.arrow", given)).column("a")
        assert col.num_chunks == 1
        np.testing.assert_array_equal(as_array(col, name="a", copy=False), x)
    col = read_arrow(write_arrow(tmp_path / "c.arrow", batches[0], max_rows_per_chunk=3))
    assert [len(c) for c in col.column("a").chunks] == [3, 1]


def test_write_arrow_stores_big_endian_data_as_its_values(tmp_path):
    x = np.arange(12.0).reshape(6, 2)
    path = data.write_arrow(
        tmp_path / "be.arrow", x.astype(">f8"), names=["a", "b"], max_rows_per_chunk=4
    )
    table = data.read_arrow(path)
    np.testing.assert_array_equal(
        np.c_[table.column("a").to_numpy(), table.column("b").to_numpy()], x
    )


def test_integer_reads_of_arrow_tables_check_every_column():
    # a single-chunk column took the zero-copy branch unchecked, then was cast unsafely
    for table, dtype, match in (
        (pa.table({"a": [1.5, -1.0], "b": [1.0, 2.0]}), np.int64, "1.5 at row 0, column 'a'"),
        (pa.table({"a": [1.0, -1.0], "b": [1.0, 2.0]}), np.uint8, "column 'a'"),
        (pa.table({"a": pa.array([2**40, 1]), "b": [1, 2]}), np.int32, "column 'a'"),
        (pa.table({"a": [1.5, 2.0]}), np.int64, "column 'a'"),
    ):
        with pytest.raises(InputError, match=match):
            as_array(table, name="X", dtype=dtype)
    ok = pa.table({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    np.testing.assert_array_equal(as_array(ok, name="X", dtype=np.int64), [[1, 3], [2, 4]])


@pytest.mark.parametrize("form", ["dict", "dataframe", "series"])
def test_write_arrow_takes_big_endian_columns(tmp_path, form):
    x = np.arange(5.0).astype(">f8")
    forms = {"dict": {"x": x}, "dataframe": pd.DataFrame({"x": x}), "series": pd.Series(x)}
    path = write_arrow(tmp_path / "be.arrow", forms[form])
    np.testing.assert_array_equal(read_arrow(path).column(0).to_numpy(), np.arange(5.0))


@pytest.mark.parametrize(
    "values, expected",
    [
        (np.array([1e308, 1e308]), True),  # the sum overflows on finite values
        (np.full(5000, 1e308), True),
        (np.array([1.0, np.inf, -np.inf]), False),
        ([1.0, np.nan], False),  # an array-like, as every pyjl function takes
        (np.arange(10, dtype=np.int16), True),
        (np.array([1 + 2j, np.nan]), False),
    ],
)
def test_all_finite_is_exact(values, expected):
    assert data.all_finite(values) is expected
    assert expected == bool(np.isfinite(np.asarray(values)).all())  # NumPy's answer


def test_a_sparse_matrix_is_refused_as_not_dense():
    # NumPy reads a SciPy sparse matrix as one object: "must hold numbers ... at index 0"
    import scipy.sparse

    from pyjl.data import as_array
    from pyjl.exceptions import InputTypeError

    for make in (scipy.sparse.csr_matrix, scipy.sparse.csc_array, scipy.sparse.coo_matrix):
        with pytest.raises(InputTypeError, match=r"`X` must be a dense array.*X\.toarray\(\)"):
            as_array(make(np.eye(3)), name="X")


def test_write_arrow_refuses_repeated_column_names(tmp_path):
    # pyarrow raised its own "Duplicate column names found"; a file could not tell them apart
    for columns, twice in ((["a", "a", "b"], "'a'"), ([1, "1", "b"], "'1'")):
        frame = pd.DataFrame(np.ones((3, 3)), columns=columns)  # 1 and "1": one name in Arrow
        with pytest.raises(InputError, match=f"`data` must have distinct column names.*{twice}"):
            write_arrow(tmp_path / "x.arrow", frame)
        assert not (tmp_path / "x.arrow").exists()


def test_write_arrow_keeps_a_bare_arrow_column_as_it_is(tmp_path):
    # a pyarrow Array went through NumPy: decimals lost digits, nulls and text were refused
    import decimal

    exact = pa.array([decimal.Decimal("12345678901234567.89"), None], pa.decimal128(20, 2))
    for col, names in (
        (exact, None),
        (pa.array([1.0, None]), ["v"]),
        (pa.chunked_array([["a"], ["b", "c"]]), None),
    ):
        path = write_arrow(tmp_path / "c.arrow", col, names=names)
        back = read_arrow(path)
        assert back.column_names == (names or ["0"])
        assert back.column(0).type == col.type
        assert back.column(0).to_pylist() == col.to_pylist()


def test_write_arrow_takes_no_rows_and_refuses_ragged_dicts_by_name(tmp_path):
    path = write_arrow(tmp_path / "e.arrow", np.zeros((0, 2)))  # as a 0-row DataFrame writes
    back = read_arrow(path)
    assert (back.num_rows, back.column_names) == (0, ["0", "1"])
    with pytest.raises(InputError, match=r"`data` must hold columns of one length.*'b': 3"):
        write_arrow(tmp_path / "r.arrow", {"a": [1.0, 2.0], "b": [1.0, 2.0, 3.0]})
    assert not (tmp_path / "r.arrow").exists()


def test_read_arrow_refuses_a_repeated_name_and_reads_it_by_position(tmp_path):
    from pyarrow import ipc

    table = pa.table([pa.array([1.0]), pa.array([2.0])], names=["a", "a"])  # another writer's
    path = tmp_path / "dup.arrow"
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as w:
        w.write_table(table)
    with pytest.raises(InputError, match=r"`columns` must name columns the file holds once"):
        read_arrow(path, columns=["a"])  # pyarrow's own KeyError before
    assert read_arrow(path, columns=[1]).column(0).to_pylist() == [2.0]


def test_integer_dtype_reads_python_numbers_exactly():
    # the reviewer's cases: a non-whole Decimal or Fraction past 2**53 rounded whole through
    # float64 and came back as another integer; big ints asked as uint64 were refused as
    # "must fit int64" (NumPy's np.array(..., dtype=np.uint64) is exact)
    import decimal
    import fractions

    for bad in (
        np.array([decimal.Decimal("9007199254740993.5")], dtype=object),
        pa.array([decimal.Decimal("9007199254740993.5")], pa.decimal128(20, 1)),
        np.array([fractions.Fraction(2**54 + 1, 2)], dtype=object),
    ):
        with pytest.raises(InputError, match="must hold whole numbers that fit int64"):
            as_array(bad, name="x", dtype=np.int64)
    big = np.array([12345678901234567890, 3], dtype=object)
    got = as_array(big, name="x", dtype=np.uint64)
    np.testing.assert_array_equal(got, np.array([12345678901234567890, 3], dtype=np.uint64))
    for bad, words in (([5, -3], "uint64; got -3"), ([2**64], "uint64; got 18446744073709551616")):
        with pytest.raises(InputError, match=words):
            as_array(np.array(bad, dtype=object), name="x", dtype=np.uint64)
    whole = np.array([decimal.Decimal("9007199254740993"), fractions.Fraction(6, 2)], dtype=object)
    assert as_array(whole, name="x", dtype=np.int64).tolist() == [2**53 + 1, 3]
