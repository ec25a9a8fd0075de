"""Arrays cross the bridge as views with their axes reversed (the orientation rule)."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.julia.convert import from_julia, to_julia


class JuliaArrayStandIn:
    """What juliacall hands back for a Julia ``Array``: an object whose
    ``to_numpy(copy=False)`` is a column-major view of Julia's memory."""

    def __init__(self, column_major: np.ndarray):
        assert column_major.flags.f_contiguous
        self._memory = column_major

    def to_numpy(self, dtype=None, copy=True, order="K"):
        return np.array(self._memory, dtype=dtype, copy=copy, order=order)


def test_a_c_order_matrix_goes_as_a_column_major_transpose_view(rng):
    x = rng.standard_normal((5, 3))  # n = 5 points in d = 3
    jx = to_julia(x)
    assert jx.shape == (3, 5) and jx.flags.f_contiguous
    assert np.shares_memory(jx, x)
    # column j of the Julia (d, n) matrix is point j
    np.testing.assert_array_equal(jx[:, 2], x[2])


@pytest.mark.parametrize("shape", [(7,), (4, 6), (2, 3, 5)])
def test_axes_reversed_both_ways_and_no_copy(shape, rng):
    x = rng.standard_normal(shape)
    jx = to_julia(x)
    assert jx.shape == shape[::-1] and np.shares_memory(jx, x)
    back = from_julia(jx)
    assert back.shape == shape and back.flags.c_contiguous and np.shares_memory(back, x)
    np.testing.assert_array_equal(back, x)


def test_julia_arrays_come_back_as_c_order_views(rng):
    memory = np.asfortranarray(rng.standard_normal((4, 9)))  # a Julia (4, 9) Array
    out = from_julia(JuliaArrayStandIn(memory))
    assert out.shape == (9, 4) and out.flags.c_contiguous
    assert np.shares_memory(out, memory)
    np.testing.assert_array_equal(out, memory.T)


def test_tuples_convert_element_wise_and_scalars_pass(rng):
    gamma = np.asfortranarray(rng.random((3, 10)))  # Julia (K, T) -> NumPy (T, K)
    loglik = rng.random(2)
    result = from_julia((loglik, JuliaArrayStandIn(gamma), 1.5, None))
    assert result[0] is loglik
    assert result[1].shape == (10, 3) and np.shares_memory(result[1], gamma)
    assert result[2:] == (1.5, None)


def test_arguments_other_than_arrays():
    assert to_julia(np.float64(2.5)) == 2.5 and type(to_julia(np.float64(2.5))) is float
    assert type(to_julia(np.int64(3))) is int
    assert to_julia("rbf") == "rbf" and to_julia(None) is None
    pair = to_julia((np.ones((2, 3)), 4))
    assert isinstance(pair, tuple) and pair[0].shape == (3, 2) and pair[1] == 4


def test_read_only_and_strided_inputs_are_not_copied(rng):
    base = rng.standard_normal((6, 8))
    view = base[::2, 1:]  # not contiguous: Julia sees the strides, no copy
    view.flags.writeable = False
    jv = to_julia(view)
    assert jv.shape == (7, 3) and np.shares_memory(jv, base)
