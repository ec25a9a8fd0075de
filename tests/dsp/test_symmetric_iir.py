"""symiirorder1 and symiirorder2 equal SciPy's (values and dtypes) on 1-D and 2-D, real,
complex, single-precision and integer signals, and refuse unstable poles, short signals
and complex parameters of real signals by name."""

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches

RNG = np.random.default_rng(20261211)


@pytest.mark.parametrize(
    "x",
    [
        RNG.standard_normal(100),
        RNG.standard_normal((3, 80)),
        RNG.standard_normal(60).astype(np.float32),
        np.where(np.arange(100) % 2, -1, 1),  # integers
    ],
)
@pytest.mark.parametrize("precision", [-1.0, 1e-4])
def test_real_signals_equal_scipy(x, precision):
    for c0, z1 in ((0.5, 0.3), (2.0, -0.6)):
        want = ss.symiirorder1(x, c0, z1, precision)
        assert_matches(dsp.symiirorder1(x, c0, z1, precision), want, rtol=1e-6)
    for r, omega in ((0.5, np.pi / 3), (0.2, 0.1)):
        want = ss.symiirorder2(x, r, omega, precision)
        assert_matches(dsp.symiirorder2(x, r, omega, precision), want, rtol=1e-6)


def test_complex_signal_equals_scipy():
    x = RNG.standard_normal(90) + 1j * RNG.standard_normal(90)
    want = ss.symiirorder1(x, 0.5 + 0.1j, 0.3 - 0.2j)
    assert_matches(dsp.symiirorder1(x, 0.5 + 0.1j, 0.3 - 0.2j), want, rtol=1e-12)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.symiirorder1(np.ones(100), 0.5, 1.0), "z1"),
        (lambda: dsp.symiirorder1(np.ones(100), np.nan, 0.5), "c0"),
        (lambda: dsp.symiirorder1(np.ones(100), 0.5, 0.2 + 0.1j), "z1"),  # real signal
        (lambda: dsp.symiirorder1(np.ones(5), 0.5, 0.2), "signal"),  # sum does not converge
        (lambda: dsp.symiirorder1(np.ones((2, 2, 50)), 0.5, 0.2), "signal"),
        (lambda: dsp.symiirorder1(np.r_[np.ones(50), np.nan], 0.5, 0.2), "signal"),
        (lambda: dsp.symiirorder1(np.ones(50), 0.5, 0.2, precision=np.nan), "precision"),
        (lambda: dsp.symiirorder2(np.ones(100), 1.0, 0.2), "r"),
        (lambda: dsp.symiirorder2(np.ones(100), -1.5, 0.2), "r"),
        (lambda: dsp.symiirorder2(np.ones(100), 0.5, np.inf), "omega"),
        (lambda: dsp.symiirorder2([], 0.5, 0.2), "input"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, name):
    with pytest.raises(InputError, match=f"^`{name}` "):
        call()


def test_complex_input_to_the_second_order_filter_is_a_type_error():
    with pytest.raises(InputTypeError, match="^`input` must be real"):
        dsp.symiirorder2(np.ones(50) * (1 + 1j), 0.5, 0.1)


def test_strided_and_fortran_signals_equal_contiguous_ones():
    # SciPy's C filter reads a non-contiguous array's memory as if it were contiguous
    x = RNG.standard_normal((2, 64))
    want = ss.symiirorder1(x, 0.5, 0.3)
    assert_matches(dsp.symiirorder1(np.asfortranarray(x), 0.5, 0.3), want)
    assert_matches(dsp.symiirorder1(np.repeat(x[0], 2)[::2], 0.5, 0.3), want[0])
    assert_matches(dsp.symiirorder1(x[0].astype(object), 0.5, 0.3), want[0])


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.symiirorder1(RNG.standard_normal(64), 1e308, 0.3), "signal"),
        (lambda: dsp.symiirorder2(RNG.standard_normal(64), 0.5, 1e308), "input"),
    ],
)
def test_results_that_overflow_are_refused_by_name(call, name):
    # SciPy returns inf or NaN silently
    with pytest.raises(InputError, match=f"^`{name}` and .*must give a finite result"):
        call()
