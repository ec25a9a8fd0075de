"""Object arrays of numbers (pandas object columns, database drivers' Decimals) are read
as numbers, as NumPy's ``astype(float)`` and scikit-learn's ``check_array`` read them;
anything else in them is refused where it sits."""

from __future__ import annotations

import decimal
import fractions

import numpy as np
import pandas as pd
import pytest

from pyjl.data import as_array
from pyjl.exceptions import InputError, InputTypeError


@pytest.mark.parametrize(
    "values",
    [
        [1, 2.5, np.float32(3.25), np.int16(-4), True],
        [decimal.Decimal("0.1"), fractions.Fraction(1, 3), 2],
    ],
)
def test_numbers_in_objects_equal_numpys_cast(values):
    obj = np.array(values, dtype=object)
    got = as_array(obj, name="x")
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, obj.astype(np.float64))
    assert as_array(obj.reshape(1, -1), name="x").shape == (1, len(values))


def test_an_object_column_of_a_frame_is_read_and_its_bad_value_named():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": pd.Series([3, decimal.Decimal("4.5")], dtype=object)})
    np.testing.assert_array_equal(as_array(df, name="X"), [[1.0, 3.0], [2.0, 4.5]])
    df["b"] = pd.Series([3, "4.5"], dtype=object)
    with pytest.raises(
        InputTypeError, match=r"`X` must hold numbers; got '4.5' .* row 1, column 'b'"
    ):
        as_array(df, name="X")


@pytest.mark.parametrize(
    "bad, where", [(None, "index 1"), ("a", "index 1"), ({"k": 1}, "index 1")]
)
def test_anything_else_is_refused_where_it_sits(bad, where):
    obj = np.array([1.0, bad, 2.0], dtype=object)
    with pytest.raises(InputTypeError, match=f"got {bad!r}.*at {where}"):
        as_array(obj, name="x")
    assert isinstance(InputTypeError("x"), TypeError)


def test_integers_in_objects_keep_their_exact_values():
    big = 2**53 + 1  # not a float64
    assert as_array(np.array([big, 2], dtype=object), name="n", dtype=np.int64)[0] == big


def test_the_conversion_is_a_copy_that_copy_false_refuses():
    obj = np.array([1.0, 2.0], dtype=object)
    with pytest.raises(InputError, match="copy=False"):
        as_array(obj, name="x", copy=False)
    complex_obj = np.array([1.0, 2j], dtype=object)
    assert as_array(complex_obj, name="z", dtype=np.complex128)[1] == 2j
    with pytest.raises(InputError, match="complex"):
        as_array(complex_obj, name="x")


def test_whole_decimals_and_big_integers_keep_their_values():
    D = decimal.Decimal
    assert (
        as_array(np.array([D(2**53 + 1)], dtype=object), name="n", dtype=np.int64)[0] == 2**53 + 1
    )
    np.testing.assert_array_equal(
        as_array(np.array([1, 2**70], dtype=object), name="x"), [1.0, 2.0**70]
    )
    assert np.isnan(as_array(np.array([D("sNaN")], dtype=object), name="x", finite=False)[0])
    with pytest.raises(InputError, match="int64"):
        as_array(np.array([1, 2**70], dtype=object), name="n", dtype=np.int64)
    with pytest.raises(InputError, match="float64's range.*; got 1000.* at index 1"):
        as_array(np.array([1, 10**400], dtype=object), name="x")  # the value and where


def test_integers_beyond_int64_are_refused_for_an_integer_dtype_not_rounded():
    # as a float, -2**63 - 1 rounds to -2**63, which fits: it was accepted, rounded
    for values in ([-(2**63) - 1, 1], [-(2**63) - 1, 1.0], [-(2**63) - 1, decimal.Decimal(1)]):
        with pytest.raises(InputError, match="fit int64; got -9223372036854775809 at index 0"):
            as_array(np.array(values, dtype=object), name="n", dtype=np.int64)
    with pytest.raises(InputError, match="float64's range"):
        as_array(np.array([fractions.Fraction(10**400, 3), 1], dtype=object), name="x")
