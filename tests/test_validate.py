"""pyjl._validate: the one message voice, and which refusals are also TypeErrors."""

import numpy as np
import pytest

from pyjl import _validate
from pyjl.exceptions import InputError, InputTypeError


@pytest.mark.parametrize("value", ["3", None, 1.5, True, np.float64(2.5), [1]])
def test_integer_refuses_a_wrong_type_as_a_type_error(value):
    with pytest.raises(InputTypeError, match=r"^`n` must be an integer >= 1; got .*\. Fix: "):
        _validate.integer(value, "n", low=1)


@pytest.mark.parametrize("value", [0, -3, np.nan, np.inf])
def test_integer_refuses_a_wrong_value_as_a_value_error_only(value):
    with pytest.raises(InputError) as info:
        _validate.integer(value, "n", low=1)
    assert not isinstance(info.value, TypeError)


def test_integer_accepts_whole_numbers_of_any_numeric_type():
    assert [_validate.integer(v, "n") for v in (3, 3.0, np.int8(3), np.float32(3))] == [3] * 4


@pytest.mark.parametrize(
    "value, wrong_type", [("0.5", True), (None, True), (1j, True), (np.nan, False), (-1.0, False)]
)
def test_real_separates_type_from_value(value, wrong_type):
    with pytest.raises(InputError, match=r"^`xi` must be a finite number >= 0") as info:
        _validate.real(value, "xi", low=0)
    assert isinstance(info.value, TypeError) is wrong_type


def test_choice_and_seed():
    assert _validate.choice("ml", "method", ("ml", "loo")) == "ml"
    with pytest.raises(InputError, match=r"^`method` must be one of 'ml', 'loo'; got 'ML'"):
        _validate.choice("ML", "method", ("ml", "loo"))
    with pytest.raises(InputError, match=r"^`seed` must be an integer >= 0 and <= "):
        _validate.seed(2**70)


def test_a_numpy_string_option_is_the_plain_string():
    # options read from an array or a table are np.str_; SciPy accepts them
    import pyjl.dsp as dsp

    x = np.random.default_rng(0).standard_normal(2000)
    b, a = dsp.butter(3, 0.2)
    for call in (
        lambda s: dsp.welch(x, scaling=s("spectrum"), average=s("median"))[1],
        lambda s: dsp.resample_poly(x, 2, 3, padtype=s("mean")),
        lambda s: dsp.decimate(x, 4, ftype=s("fir")),
        lambda s: dsp.filtfilt(b, a, x, method=s("gust")),
        lambda s: dsp.fftconvolve(x, x[:50], mode=s("same")),
        lambda s: dsp.stft(x, boundary=s("even"))[2],
    ):
        np.testing.assert_array_equal(call(np.str_), call(str))
    assert type(_validate.choice(np.str_("ml"), "method", ("ml", "loo"))) is str
    with pytest.raises(InputError):
        _validate.choice(1, "flag", (True, False))  # True is still not 1
