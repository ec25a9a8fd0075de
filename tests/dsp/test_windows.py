"""pyjl.dsp.windows: SciPy's windows, with degenerate parameters refused."""

import numpy as np
import pytest
import scipy.signal.windows as sw

from pyjl.dsp import windows
from pyjl.exceptions import InputError, InputTypeError


@pytest.mark.parametrize(
    "call, name, rule",
    [
        (lambda v: windows.gaussian(8, std=v), "std", "> 0"),
        (lambda v: windows.general_gaussian(8, p=1.5, sig=v), "sig", "> 0"),
        (lambda v: windows.general_gaussian(8, p=v, sig=2.0), "p", "> 0"),
        (lambda v: windows.taylor(8, sll=v), "sll", "> 0"),
    ],
)
@pytest.mark.parametrize("value", [0, 0.0, -1.0])
def test_degenerate_parameters_are_refused(call, name, rule, value):
    with pytest.raises(
        InputError,
        match=rf"^`{name}` must be a finite number {rule}; "
        rf"got {value}\. Fix: pass a positive value",
    ):
        call(value)


@pytest.mark.parametrize("a", [None, "text", 0.5, [], [[0.5, 0.5]]])
def test_general_cosine_coefficients_are_checked(a):
    with pytest.raises(
        InputError,
        match=r"^`a` must be a non-empty 1-D sequence of real "
        r"cosine coefficients; got .*\. Fix: pass e\.g\.",
    ):
        windows.general_cosine(8, a)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("gaussian", {"std": 1e-3}),
        ("gaussian", {"std": 2.5}),
        ("general_gaussian", {"p": 0.25, "sig": 1e-3}),
        ("general_gaussian", {"p": 3.0, "sig": 4}),
        ("taylor", {"sll": 1e-3}),
        ("taylor", {"sll": 60.0, "nbar": 6}),
        ("general_cosine", {"a": [0.42, 0.5, 0.08]}),
        ("general_cosine", {"a": (1,)}),
    ],
)
@pytest.mark.parametrize("sym", [True, False])
def test_positive_parameters_match_scipy(name, kwargs, sym, rng):
    m = int(rng.integers(1, 40))
    np.testing.assert_array_equal(
        getattr(windows, name)(m, **kwargs, sym=sym), getattr(sw, name)(m, **kwargs, sym=sym)
    )


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda w: w.dpss(4, 1.5, 1.1), id="dpss-float-Kmax"),
        pytest.param(lambda w: w.hann(4.0), id="hann-float-M"),
        pytest.param(lambda w: w.get_window(("kaiser", "a"), 8), id="get_window-str-beta"),
    ],
)
def test_scipy_type_errors_stay_type_errors(call):
    """Where SciPy raises a TypeError, pyjl's refusal is an InputTypeError: a TypeError
    (and an InputError) too."""
    with pytest.raises(TypeError):
        call(sw)
    with pytest.raises(InputTypeError, match=r"SciPy accepts \(.+\); got "):
        call(windows)


@pytest.mark.parametrize(
    "args, kwargs, name, got",
    [
        (("nope", 8), {}, "window", "'nope'"),
        (("kaiser", 8), {}, "window", "'kaiser'"),
        ((("hann", 1), 8), {}, "window", r"\('hann', 1\)"),
        ((["hann"], 8), {}, "window", r"\['hann'\]"),
        (("hann", 0), {}, "Nx", "0"),
        (("hann", 3.0), {}, "Nx", "3.0"),
        (("hann", 8), {"fftbins": np.True_}, "fftbins", "np.True_"),
    ],
)
def test_get_window_refusals_name_the_argument(args, kwargs, name, got):
    """get_window's refusals (SciPy refuses each too) name the argument, not the function."""
    with pytest.raises(ValueError):
        sw.get_window(*args, **kwargs)
    with pytest.raises(InputError, match=rf"^`{name}` must .*; got {got}\. Fix: "):
        windows.get_window(*args, **kwargs)


def test_an_empty_window_tuple_is_refused_by_name():
    # a bare IndexError (tuple index out of range), from get_window and from the
    # functions that read a window (check_COLA, welch, ...)
    import pyjl.dsp as dsp

    with pytest.raises(InputError, match="`window` must be a window name or"):
        windows.get_window((), 10)
    with pytest.raises(InputError, match="`window` must be a window SciPy knows"):
        dsp.check_COLA((), 10, 5)
