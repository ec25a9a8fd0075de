"""cspline1d, qspline1d, their evaluation and gauss_spline equal SciPy's (values and
dtypes), and bad samples, smoothing weights, steps and orders are refused by name."""

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches

RNG = np.random.default_rng(20261210)
SIGNALS = [
    RNG.standard_normal(50),
    np.sin(np.linspace(0.0, 6.0, 13)),
    np.arange(30),  # integers
    RNG.standard_normal(40).astype(np.float32),
    RNG.standard_normal(25) + 1j * RNG.standard_normal(25),
    np.array([2.5]),
]


@pytest.mark.parametrize("x", SIGNALS)
def test_interpolating_coefficients_equal_scipy(x):
    assert_matches(dsp.cspline1d(x), ss.cspline1d(x), rtol=1e-12)
    assert_matches(dsp.qspline1d(x), ss.qspline1d(x), rtol=1e-12)


@pytest.mark.parametrize("lamb", [0.007, 0.1, 2.0, 50.0])
def test_smoothing_coefficients_equal_scipy(lamb):
    x = RNG.standard_normal(60)
    assert_matches(dsp.cspline1d(x, lamb), ss.cspline1d(x, lamb), rtol=1e-10)


@pytest.mark.parametrize("dx, x0", [(1.0, 0), (0.5, 2.0), (-1.0, 3.0)])
@pytest.mark.parametrize("x", SIGNALS[:3])
def test_evaluation_equals_scipy(x, dx, x0):
    newx = np.linspace(-5.0, 2.0 * x.size, 41) * dx + x0
    for coeffs, evaluate in ((ss.cspline1d, "cspline1d_eval"), (ss.qspline1d, "qspline1d_eval")):
        c = coeffs(x)
        want = getattr(ss, evaluate)(c, newx, dx=dx, x0=x0)
        assert_matches(getattr(dsp, evaluate)(c, newx, dx=dx, x0=x0), want, rtol=1e-12)
    grid = np.linspace(0.0, x.size - 1.0, 12).reshape(3, 4)  # any shape of points
    c = ss.cspline1d(x)
    assert_matches(dsp.cspline1d_eval(c, grid), ss.cspline1d_eval(c, grid), rtol=1e-12)


def test_complex_coefficients_are_evaluated_part_by_part():
    c = ss.cspline1d(SIGNALS[4])
    newx = np.linspace(-3.0, 30.0, 23)
    assert_matches(dsp.cspline1d_eval(c, newx), ss.cspline1d_eval(c, newx), rtol=1e-12)
    # SciPy's qspline1d_eval fails on complex coefficients; pyjl evaluates each part
    c = ss.qspline1d(SIGNALS[4])
    want = ss.qspline1d_eval(c.real, newx) + 1j * ss.qspline1d_eval(c.imag, newx)
    assert_matches(dsp.qspline1d_eval(c, newx), want, rtol=1e-14)


def test_integer_coefficients_are_evaluated_in_float64():
    # SciPy fails adding float64 values into its int64 result; pyjl reads them as float64
    c = np.arange(10)
    want = ss.cspline1d_eval(c.astype(float), [1.5, 4.25])
    assert_matches(dsp.cspline1d_eval(c, [1.5, 4.25]), want, rtol=1e-14)


@pytest.mark.parametrize(
    "x, n",
    [(np.linspace(-3, 3, 13), 3), (np.arange(5), 0), (np.float32([0.5, 1.0]), 2), (1.5, 1.5)],
)
def test_gauss_spline_equals_scipy(x, n):
    assert_matches(dsp.gauss_spline(x, n), ss.gauss_spline(x, n), rtol=1e-14)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.cspline1d(np.r_[1.0, np.nan]), "signal"),
        (lambda: dsp.cspline1d([]), "signal"),
        (lambda: dsp.cspline1d(np.ones((3, 4))), "signal"),
        (lambda: dsp.cspline1d(np.ones(20), 0.005), "lamb"),  # no real pole pair
        (lambda: dsp.cspline1d(np.ones(20), -1.0), "lamb"),
        (lambda: dsp.cspline1d(np.ones(2), 1.0), "signal"),
        (lambda: dsp.qspline1d(np.ones(20), 1.0), "lamb"),
        (lambda: dsp.qspline1d([np.inf]), "signal"),
        (lambda: dsp.cspline1d_eval([], [1.0]), "cj"),
        (lambda: dsp.cspline1d_eval([1.0, 2.0], [np.nan]), "newx"),
        (lambda: dsp.cspline1d_eval([1.0, 2.0], [1.0], dx=0), "dx"),
        (lambda: dsp.qspline1d_eval([1.0, 2.0], [1.0], x0=np.inf), "x0"),
        (lambda: dsp.gauss_spline([1.0], -1), "n"),
        (lambda: dsp.gauss_spline([np.nan], 3), "x"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, name):
    with pytest.raises(InputError, match=f"^`{name}` "):
        call()


@pytest.mark.parametrize("name", ["cspline1d_eval", "qspline1d_eval"])
def test_points_far_beyond_the_ends_are_mirrored_without_recursion(name):
    # SciPy mirrors once per recursive call: 1e6 samples away is a RecursionError there
    x = RNG.standard_normal(20)
    c = getattr(ss, name[:9])(x)
    evaluate = getattr(dsp, name)
    period = 2 * (x.size - 1)
    near = np.linspace(-3.0, 25.0, 29)
    far = near + 10_000 * period
    assert_matches(evaluate(c, far), evaluate(c, near), rtol=1e-9)
    assert_matches(evaluate(c, near), getattr(ss, name)(c, near), rtol=1e-14)
    assert np.all(np.isfinite(evaluate(c, np.array([1e308, -1e308]), x0=1e307)))
    # one coefficient: its mirrored extension is constant (SciPy recurses for x != 0)
    assert_matches(evaluate([2.0], [0.0, 0.5, 7.0]), np.full(3, 2.0))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.cspline1d_eval([1.0, 2.0], [1.0 + 1j]), "newx"),  # was a bare TypeError
        (lambda: dsp.cspline1d_eval([1.0, 2.0], [70.0], dx=1e-310), "newx"),  # overflows
        (lambda: dsp.cspline1d(RNG.standard_normal(30), 1e308), "signal"),  # NaN in SciPy
    ],
)
def test_more_bad_arguments_are_refused_by_name(call, name):
    with pytest.raises(InputError, match=f"^`{name}` "):
        call()


def test_object_arrays_of_numbers_are_read_as_float64():
    x = RNG.standard_normal(30)
    assert_matches(dsp.cspline1d(x.astype(object)), ss.cspline1d(x))
    assert_matches(dsp.gauss_spline(x.astype(object), 3), ss.gauss_spline(x, 3))
    c = ss.cspline1d(x)
    newx = np.linspace(0.0, 29.0, 11)
    assert_matches(
        dsp.cspline1d_eval(c.astype(object), newx.astype(object)), ss.cspline1d_eval(c, newx)
    )
