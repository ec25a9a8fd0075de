"""tf2ss, ss2tf, zpk2ss, ss2zpk and abcd_normalize equal SciPy's (values and dtypes) on
SISO, SIMO and MIMO systems, and bad matrices, coefficients and inputs are refused by
name."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches

RNG = np.random.default_rng(20261207)


def _same(got, want, rtol=1e-12):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w, rtol)
    elif np.ndim(want) == 0:
        assert np.asarray(got).dtype == np.asarray(want).dtype
        assert np.isclose(got, want, rtol=rtol, atol=0)
    else:
        assert_matches(got, want, rtol=rtol)


def _system(n, p, q, dtype=float):
    A = RNG.standard_normal((n, n)) - 2 * np.eye(n)
    B, C = RNG.standard_normal((n, p)), RNG.standard_normal((q, n))
    D = RNG.standard_normal((q, p))
    return tuple(m.astype(dtype) for m in (A, B, C, D))


TRANSFER = [
    ([1.0, 3.0, 3.0], [1.0, 2.0, 1.0]),
    ([1.0], [1.0, 0.5, 0.25, 0.125]),
    ([[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0, 3.0]),  # one numerator per output
    ([1, 2], [1, 2, 3]),  # integers
    (np.float32([1, 2]), np.float32([1, 2, 3])),
    ([1j, 2.0], [1.0, 2.0, 3.0]),
    ([0.0, 2.0, 1.0], [0.0, 3.0, 1.0, 1.0]),  # leading zeros
    (2.0, 4.0),  # a gain
    (np.array([[1, -3], [1, 2, 3]], dtype=object), [1, 6, 5]),  # aligned numerators
]


@pytest.mark.filterwarnings("ignore::scipy.signal.BadCoefficients")  # as SciPy warns
@pytest.mark.parametrize("num, den", TRANSFER)
def test_tf2ss_and_back_equal_scipy(num, den):
    want = ss.tf2ss(num, den)
    got = dsp.tf2ss(num, den)
    _same(got, want)
    _same(dsp.ss2tf(*got), ss.ss2tf(*want))


@pytest.mark.parametrize(
    "n, p, q, dtype",
    [
        (1, 1, 1, float),
        (3, 1, 1, float),
        (4, 2, 3, float),
        (2, 2, 1, np.float32),
        (3, 1, 2, complex),
    ],
)
def test_ss2tf_and_ss2zpk_equal_scipy_for_every_input(n, p, q, dtype):
    A, B, C, D = _system(n, p, q, dtype)
    for i in range(p):
        _same(dsp.ss2tf(A, B, C, D, input=i), ss.ss2tf(A, B, C, D, input=i), rtol=1e-10)
        if q == 1:  # SciPy's ss2zpk takes one output
            _same(dsp.ss2zpk(A, B, C, D, input=i), ss.ss2zpk(A, B, C, D, input=i), rtol=1e-9)


@pytest.mark.parametrize(
    "z, p, k",
    [
        ([-1.0], [-2.0, -3.0], 2.0),
        ([], [-1.0 + 1j, -1.0 - 1j], 1.5),
        ([], [], 3.0),
        ([1j, -1j], [-0.5, -1.0, -2.0], np.float32(2)),
        (np.array([0.5]), np.array([0.25]), np.array(4.0)),
    ],
)
def test_zpk2ss_equals_scipy(z, p, k):
    _same(dsp.zpk2ss(z, p, k), ss.zpk2ss(z, p, k))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"A": [[1, 2], [3, 4]], "B": [[-1], [5]], "C": [[4, 5]], "D": 2.5},
        {"A": [[1, 2], [3, 4]], "B": [[-1], [5]], "D": 2.5},
        {"A": [[1.0]], "C": [[2.0], [3.0]], "D": [[0.0], [0.0]]},
        {"B": [[1.0, 2.0]], "C": [[3.0]]},
        {"C": np.ones((2, 3)), "D": np.zeros((2, 1))},
        {"A": np.zeros((0, 0)), "B": np.ones((2, 1)), "C": np.ones((1, 2)), "D": 0},
    ],
)
def test_abcd_normalize_equals_scipy(kwargs):
    _same(dsp.abcd_normalize(**kwargs), ss.abcd_normalize(**kwargs))


def test_ragged_list_of_numerators_is_aligned_as_an_object_array():
    # SciPy aligns an object array of numerators; pyjl also takes the plain list
    rows = [[1, -3], [1, 2, 3]]
    _same(dsp.tf2ss(rows, [1, 6, 5]), ss.tf2ss(np.array(rows, dtype=object), [1, 6, 5]))


def test_badly_conditioned_numerator_warns_scipys_class():
    assert dsp.BadCoefficients is ss.BadCoefficients
    with pytest.warns(ss.BadCoefficients):
        got = dsp.tf2ss([1e-20, 1.0, 2.0], [1.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.BadCoefficients)
        _same(got, ss.tf2ss([1e-20, 1.0, 2.0], [1.0, 3.0]))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.tf2ss([1.0, np.nan], [1.0, 2.0]), "num"),
        (lambda: dsp.tf2ss([1.0], [np.inf, 2.0]), "den"),
        (lambda: dsp.tf2ss([], [1.0, 2.0]), "num"),
        (lambda: dsp.tf2ss([1.0], [0.0, 0.0]), "den"),
        (lambda: dsp.tf2ss([1.0, 2.0, 3.0], [1.0, 2.0]), "num"),  # improper
        (lambda: dsp.tf2ss(np.ones((2, 2, 2)), [1.0, 2.0]), "num"),
        (lambda: dsp.ss2tf([[np.nan]], [[1.0]], [[1.0]], [[0.0]]), "A"),
        (lambda: dsp.ss2tf([[1.0, 2.0]], [[1.0]], [[1.0]], [[0.0]]), "A"),
        (lambda: dsp.ss2tf([[1.0]], [[1.0], [2.0]], [[1.0]], [[0.0]]), "B"),
        (lambda: dsp.ss2tf([[1.0]], [[1.0]], [[1.0]], [[0.0]], input=1), "input"),
        (lambda: dsp.ss2tf([[1.0]], [[1.0]], [[1.0]], [[0.0]], input=-1), "input"),
        (lambda: dsp.ss2tf([], [], [], []), "B"),  # no inputs
        (lambda: dsp.ss2zpk([[1.0]], [[1.0]], [[np.inf]], [[0.0]]), "C"),
        (lambda: dsp.zpk2ss([1.0, 2.0], [1.0], 1.0), "z"),
        (lambda: dsp.zpk2ss([1.0], [np.nan], 1.0), "p"),
        (lambda: dsp.zpk2ss([1.0], [2.0], [1.0, 2.0]), "k"),
        (lambda: dsp.abcd_normalize(), "A"),
        (lambda: dsp.abcd_normalize(A=[[1.0]], C=[[1.0]]), "B"),
        (lambda: dsp.abcd_normalize(A=[[1.0]], B=[[1.0]]), "C"),
        (lambda: dsp.abcd_normalize(A=np.ones((1, 1, 1)), B=[[1.0]], C=[[1.0]]), "A"),
        (lambda: dsp.abcd_normalize(A=[[1.0]], B=[[1.0]], C=[[1.0]], D=[[1.0, 2.0]]), "D"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, name):
    with pytest.raises(InputError, match=f"^`{name}` "):
        call()


def test_wrong_types_are_type_errors():
    with pytest.raises(InputTypeError, match="^`input`"):
        dsp.ss2tf([[1.0]], [[1.0, 2.0]], [[1.0]], [[0.0, 1.0]], input=0.5)
    with pytest.raises(InputError, match="^`A` must hold numbers"):
        dsp.abcd_normalize("a", [[1]], [[1]], [[1]])


def test_overflowing_result_is_refused():
    with pytest.raises(InputError, match="must give a finite result"):
        dsp.ss2tf(np.diag([1e200, 1e200]), np.ones((2, 1)), np.ones((1, 2)), [[0.0]])


@pytest.mark.parametrize(
    "fn, which", [(dsp.ss2tf, 1), (dsp.ss2zpk, 0), (dsp.ss2zpk, 1), (dsp.ss2zpk, 3)]
)
def test_overflow_inside_scipy_is_refused_by_name(fn, which):
    # SciPy's own check met the overflow: "Array must not contain infs or NaNs", naming none
    mats = [np.array([[-2.0, -1.0], [1.0, 0.0]]), np.array([[1.0], [0.0]])]
    mats += [np.array([[1.0, 2.0]]), np.array([[1.0]])]
    mats[which] = mats[which] / np.abs(mats[which]).max() * 1e308
    with pytest.raises(InputError, match="^`A` and `B` and `C` and `D` must give a finite"):
        fn(*mats)


def test_ss2zpk_of_several_outputs_names_c_where_scipy_refuses():
    A, B = np.array([[-1.0]]), np.array([[1.0]])
    C, D = np.array([[1.0], [2.0]]), np.array([[1.0], [0.5]])
    with pytest.raises(ValueError, match="rank-1"):
        ss.ss2zpk(A, B, C, D)
    with pytest.raises(InputError, match="^`C` must have one row.*got 2 rows.*ss2tf"):
        dsp.ss2zpk(A, B, C, D)
    for i in range(2):  # the advice works: one output at a time is SciPy's
        _same(
            dsp.ss2zpk(A, B, C[i : i + 1], D[i : i + 1]),
            ss.ss2zpk(A, B, C[i : i + 1], D[i : i + 1]),
        )
