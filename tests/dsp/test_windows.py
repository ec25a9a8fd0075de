"""pyjl.dsp.windows: SciPy's windows, with degenerate parameters refused."""

import numpy as np
import pytest
import scipy.signal.windows as sw

from pyjl.dsp import windows
from pyjl.exceptions import InputError


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
