"""``as_array(order="F")``: tables gathered column after column, so that a kernel reading
the columns as channels gets them without a second copy."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pyjl.data import as_array
from pyjl.exceptions import InputError


def test_frame_built_from_columns_is_a_view_in_f_order(rng):
    X = rng.standard_normal((50, 3))
    df = pd.DataFrame(X.T.copy().T, columns=list("abc"), copy=False)  # one F-ordered block
    got = as_array(df, name="df", order="F", copy=False)
    assert got.flags.f_contiguous and np.shares_memory(got, df.to_numpy())
    np.testing.assert_array_equal(got, X)
    with pytest.raises(InputError, match="copy=False"):  # its C-ordered gather is a copy
        as_array(df, name="df", copy=False)


@pytest.mark.parametrize(
    "make",
    [
        lambda X: pd.DataFrame({"a": X[:, 0], "b": X[:, 1].astype(np.float32), "c": X[:, 2]}),
        lambda X: pa.table({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2]}),
        lambda X: pa.record_batch({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2]}),
        lambda X: np.ascontiguousarray(X),
    ],
)
def test_tables_and_arrays_are_gathered_once_in_f_order(rng, make):
    X = rng.standard_normal((40, 3)).astype(np.float32).astype(np.float64)
    obj = make(X)
    got = as_array(obj, name="x", order="F")
    assert got.flags.f_contiguous and not got.flags.c_contiguous
    np.testing.assert_array_equal(got, X)
    with pytest.raises(InputError, match="without a copy"):
        as_array(obj, name="x", order="F", copy=False)
    fresh = as_array(X.copy(order="F"), name="x", order="F", copy=True)
    assert fresh.flags.f_contiguous and fresh.flags.writeable


def test_f_order_keeps_the_checks_and_one_dimensional_views(rng):
    x = rng.standard_normal(20)
    assert as_array(x, name="x", order="F") is x  # 1-D: contiguous in both orders
    bad = pa.table({"a": [1.0, 2.0], "b": [3.0, np.nan]})
    with pytest.raises(InputError, match=r"nan at row 1, column 'b'"):
        as_array(bad, name="x", order="F")
    for bad in ("A", np.array(["C", "F"]), None):
        with pytest.raises(InputError, match='`order` must be "C" or "F"'):
            as_array(x, name="x", order=bad)
    assert as_array([1.0, 2.0], name="x", order=np.str_("F")).flags.f_contiguous
