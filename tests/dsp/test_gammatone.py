"""gammatone equals SciPy's FIR and IIR designs and refuses bad frequencies, types,
orders and lengths by name."""

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((440, "fir"), {"fs": 16000}),
        ((440, "FIR"), {"fs": 16000}),
        ((1000, "fir"), {"order": 2, "numtaps": 64, "fs": 44100}),
        ((1000, "fir"), {"order": 24.0, "numtaps": 32.0, "fs": 44100}),  # whole floats
        ((0.3, "fir"), {}),  # fs defaults to 2
        ((440, "iir"), {"fs": 16000}),
        ((15, "iir"), {"fs": 1000}),
        ((0.9, "Iir"), {}),
    ],
)
def test_designs_equal_scipy(args, kwargs):
    want = ss.gammatone(
        *args, **{k: int(v) if k in ("order", "numtaps") else v for k, v in kwargs.items()}
    )
    got = dsp.gammatone(*args, **kwargs)
    assert_matches(got[0], want[0], rtol=1e-13)
    assert_matches(got[1], want[1], rtol=1e-13)


def test_unused_order_warns_as_scipy():
    with pytest.warns(UserWarning, match="order is not used"):
        b, a = dsp.gammatone(440, "iir", order=3, fs=16000)
    assert_matches(b, ss.gammatone(440, "iir", fs=16000)[0], rtol=1e-13)


@pytest.mark.parametrize(
    "args, kwargs, name",
    [
        ((np.nan, "iir"), {"fs": 16000}, "freq"),
        ((0, "fir"), {"fs": 16000}, "freq"),
        ((8000, "iir"), {"fs": 16000}, "freq"),
        ((-1.0, "iir"), {}, "freq"),
        ((440, "fie"), {"fs": 16000}, "ftype"),
        ((440, "fir", 0), {"fs": 16000}, "order"),
        ((440, "fir", 25), {"fs": 16000}, "order"),
        ((440, "fir"), {"numtaps": 0, "fs": 16000}, "numtaps"),
        ((0.5, "fir"), {"fs": 1e12}, "fs"),  # a default length beyond 2**24 taps
        ((440, "iir"), {"fs": np.nan}, "fs"),
    ],
)
def test_bad_arguments_are_refused_by_name(args, kwargs, name):
    with pytest.raises(InputError, match=f"^`{name}` "):
        dsp.gammatone(*args, **kwargs)


def test_wrong_types_are_type_errors():
    with pytest.raises(InputTypeError, match="^`ftype`"):
        dsp.gammatone(440, 3, fs=16000)
    with pytest.raises(InputTypeError, match="^`order`"):
        dsp.gammatone(440, "fir", order=2.5, fs=16000)
    with pytest.raises(InputTypeError, match="^`freq`"):
        dsp.gammatone([440, 880], "fir", fs=16000)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"order": np.nan}, "order"),
        ({"order": 25}, "order"),
        ({"numtaps": 0}, "numtaps"),
        ({"numtaps": "64"}, "numtaps"),
    ],
)
def test_order_and_numtaps_are_checked_for_iir_too(kwargs, name):
    # SciPy warns that they are unused and accepts NaN, 0 or a string without a look
    with pytest.raises(InputError, match=f"^`{name}` "):
        dsp.gammatone(440, "iir", fs=16000, **kwargs)


@pytest.mark.parametrize("xp", ["bogus", 3])
def test_an_xp_that_is_no_namespace_is_refused(xp):
    # was a bare AttributeError ("'str' object has no attribute 'arange'")
    with pytest.raises(InputTypeError, match="^`xp` "):
        dsp.gammatone(440, "fir", fs=16000, xp=xp)


def test_a_rate_that_dwarfs_the_frequency_is_refused():
    # SciPy's IIR design divides by zero (a bare ZeroDivisionError) from fs = 1e20 * freq
    with pytest.raises(InputError, match="^`fs` must not dwarf `freq`"):
        dsp.gammatone(440, "iir", fs=1e308)
