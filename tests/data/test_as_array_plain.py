"""``as_array``'s common case (a float64 NumPy array wanted as float64) answers before the
general checks, with their results: the same array, copy and refusals."""

import numpy as np
import pytest

from pyjl.data import as_array
from pyjl.exceptions import InputError


def test_contiguous_float64_comes_back_itself(rng):
    x = rng.standard_normal((3, 5))
    for kwargs in ({}, {"copy": False}, {"ndim": 2}, {"finite": False}, {"dtype": "float64"}):
        assert as_array(x, name="x", **kwargs) is x
    ro = x.copy()
    ro.flags.writeable = False
    assert as_array(ro, name="x") is ro
    fresh = as_array(x, name="x", copy=True)
    assert fresh is not x and fresh.flags.writeable and np.array_equal(fresh, x)


def test_strided_float64_is_copied_once_in_c_order(rng):
    x = rng.standard_normal((6, 8))
    for view in (x[:, ::2], x.T, np.broadcast_to(x[0], (3, 8))):
        got = as_array(view, name="x")
        assert got.flags.c_contiguous and got.flags.writeable
        assert not np.shares_memory(got, x) and np.array_equal(got, view)
        with pytest.raises(InputError, match="cannot be used without a copy"):
            as_array(view, name="x", copy=False)


@pytest.mark.parametrize("n", [5, 4096, 5000])
def test_bad_values_and_shapes_are_refused_as_before(n):
    x = np.ones(n)
    x[3] = np.nan
    with pytest.raises(InputError, match=r"finite \(no NaN or infinity\); got nan at index 3"):
        as_array(x, name="x")
    assert as_array(x, name="x", finite=False) is x
    y = np.ones((4, n))
    y[2, 1] = -np.inf
    with pytest.raises(InputError, match=r"got -inf at row 2, column 1"):
        as_array(y[:, ::-1][:, ::-1].T.T, name="y")
    with pytest.raises(InputError, match="must be 1-D"):
        as_array(np.ones((2, n)), name="x", ndim=1)
    with pytest.raises(InputError, match="must not be empty"):
        as_array(np.ones(0), name="x")
    assert as_array(np.ones(0), name="x", allow_empty=True).size == 0
    with pytest.raises(InputError, match="`ndim` must be None"):
        as_array(np.ones(n), name="x", ndim=True)
    with pytest.raises(InputError, match="`finite` must be True or False"):
        as_array(np.ones(n), name="x", finite=1)
    with pytest.raises(InputError, match="`copy` must be None"):
        as_array(np.ones(n), name="x", copy="yes")


def test_huge_finite_values_pass(rng):
    # their sum of squares overflows: the general check decides, and lets them through
    x = rng.standard_normal(100) * 1e300
    assert as_array(x, name="x") is x
    assert as_array(x[::2], name="x").flags.c_contiguous
