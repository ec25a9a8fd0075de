"""place_poles equals SciPy's for real and complex poles, both methods, one and several
inputs, and refuses bad matrices, poles, methods, tolerances and iteration counts by
name."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError

# the example of SciPy's place_poles docstring (Kautsky et al.)
A = np.array(
    [
        [1.380, -0.2077, 6.715, -5.676],
        [-0.5814, -4.290, 0, 0.6750],
        [1.067, 4.273, -6.654, 5.893],
        [0.0480, 4.273, 1.343, -2.104],
    ]
)
B = np.array([[0, 5.679], [1.136, 1.136], [0, 0], [-3.146, 0]])
REAL = np.array([-0.2, -0.5, -5.0566, -8.6659])
COMPLEX = np.array([-0.2, -0.5, -1 + 1j, -1 - 1j])


def _same(got, want):
    for name in ("gain_matrix", "computed_poles", "requested_poles", "X"):
        g, w = getattr(got, name), getattr(want, name)
        assert g.shape == w.shape and g.dtype == w.dtype, name
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    np.testing.assert_equal(got.rtol, want.rtol)
    np.testing.assert_equal(got.nb_iter, want.nb_iter)


@pytest.mark.parametrize(
    "poles, method",
    [(REAL, "YT"), (REAL, "KNV0"), (COMPLEX, "YT")],
    ids=["real-YT", "real-KNV0", "complex-YT"],
)
def test_equals_scipy(poles, method):
    got = dsp.place_poles(A, B, poles, method=method)
    _same(got, ss.place_poles(A, B, poles, method=method))
    closed = np.sort_complex(np.linalg.eigvals(A - B @ got.gain_matrix))
    np.testing.assert_allclose(closed, np.sort_complex(poles), atol=1e-8)


def test_single_input_and_full_rank_b_equal_scipy():
    b1 = B[:, :1]
    _same(dsp.place_poles(A, b1, REAL), ss.place_poles(A, b1, REAL))
    eye = np.eye(4)
    _same(dsp.place_poles(A, eye, COMPLEX), ss.place_poles(A, eye, COMPLEX))


def test_lists_and_integers_are_read_as_arrays():
    # SciPy needs arrays (a list has no .ndim)
    got = dsp.place_poles([[0, 1], [0, 0]], [[0], [1]], [-1, -2])
    want = ss.place_poles(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.0], [1.0]]), [-1, -2])
    _same(got, want)


def test_scipys_convergence_warning_is_kept():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fsf = dsp.place_poles(A, B, REAL, rtol=1e-16, maxiter=5)
    assert [w.category for w in caught] == [UserWarning]
    assert "Convergence was not reached" in str(caught[0].message)
    assert fsf.nb_iter == 5


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: dsp.place_poles(A[:, :3], B, REAL), InputError, "`A` must be square"),
        (lambda: dsp.place_poles(A[..., None], B, REAL), InputError, "`A` must be a non-empty"),
        (lambda: dsp.place_poles(A * np.nan, B, REAL), InputError, "`A` must be finite"),
        (lambda: dsp.place_poles(A + 1j, B, REAL), InputError, "`A` must hold real"),
        (lambda: dsp.place_poles(A, B[:3], REAL), InputError, "`B` must have one row"),
        (lambda: dsp.place_poles(A, B[:, 0], REAL), InputError, "`B` must be a non-empty 2-D"),
        (lambda: dsp.place_poles(A, [[np.inf, 0]] * 4, REAL), InputError, "`B` must be"),
        (lambda: dsp.place_poles(A, B, REAL[:3]), InputError, "`poles` must hold one pole"),
        (lambda: dsp.place_poles(A, B, [*REAL, -3.0]), InputError, "`poles` must hold one"),
        (lambda: dsp.place_poles(A, B, REAL[:, None]), InputError, "`poles` must be a 1-D"),
        (lambda: dsp.place_poles(A, B, [-2, -2, -2, -2]), InputError, "rank of `B`"),
        (lambda: dsp.place_poles(A, B, [-2 + 1j, -2 - 1j, -2 + 3j, -2]), InputError, "conj"),
        (lambda: dsp.place_poles(A, B, [np.nan, -1, -2, -3]), InputError, "`poles` must be"),
        (lambda: dsp.place_poles(A, B, REAL, method="foo"), InputError, "`method` must be"),
        (lambda: dsp.place_poles(A, B, COMPLEX, method="KNV0"), InputError, "`method`"),
        (lambda: dsp.place_poles(A, B, REAL, rtol=42), InputError, "`rtol` must be"),
        (lambda: dsp.place_poles(A, B, REAL, rtol=np.nan), InputError, "`rtol` must be"),
        (lambda: dsp.place_poles(A, B, REAL, maxiter=-42), InputError, "`maxiter` must be"),
        (lambda: dsp.place_poles(A, B, REAL, maxiter=2.5), InputTypeError, "`maxiter`"),
        (lambda: dsp.place_poles(A, B, REAL, maxiter=2**70), InputError, "`maxiter`"),
        (
            lambda: dsp.place_poles(np.ones((4, 4)), np.ones((4, 2)), (1, 2, 3, 4)),
            InputError,
            "`poles` must be placeable",
        ),
    ],
)
def test_bad_arguments_are_refused_by_name(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
