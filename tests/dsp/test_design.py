"""Design functions equal SciPy's and refuse bad arguments by name."""

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches

CASES = [
    ("butter", (4, 0.2), {}), ("butter", (3, [0.1, 0.4]), {"btype": "band", "output": "sos"}),
    ("butter", (5, 100.0), {"fs": 1000.0, "btype": "high", "output": "sos"}),
    ("cheby1", (4, 1.0, 0.3), {}), ("cheby2", (6, 40.0, 0.25), {"output": "sos"}),
    ("ellip", (5, 0.5, 60.0, [0.2, 0.3]), {"btype": "stop", "output": "zpk"}),
    ("bessel", (4, 0.2), {"norm": "mag"}), ("butter", (3, 10.0), {"analog": True}),
    ("firwin", (51, 0.3), {}), ("firwin", (51, [50.0, 150.0]), {"fs": 1000.0,
                                                                   "pass_zero": False}),
    ("kaiserord", (65.0, 0.05), {}),
    ("remez", (41, [0, 0.1, 0.2, 0.5], [1, 0]), {}),
]


@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_design_equals_scipy(name, args, kwargs):
    got, want = getattr(dsp, name)(*args, **kwargs), getattr(ss, name)(*args, **kwargs)
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        assert_matches(np.asarray(g), np.asarray(w))


def test_responses_and_initial_conditions_equal_scipy():
    b, a = ss.butter(4, 0.2)
    sos = ss.butter(8, 0.1, output="sos")
    for g, w in zip(dsp.freqz(b, a, worN=256), ss.freqz(b, a, worN=256)):
        assert_matches(g, w)
    for g, w in zip(dsp.sosfreqz(sos, worN=256), ss.sosfreqz(sos, worN=256)):
        assert_matches(g, w)
    assert_matches(dsp.lfilter_zi(b, a), ss.lfilter_zi(b, a))
    assert_matches(dsp.sosfilt_zi(sos), ss.sosfilt_zi(sos))
    assert_matches(dsp.windows.hann(64), ss.windows.hann(64))
    assert_matches(dsp.windows.get_window(("kaiser", 5.0), 33), ss.get_window(("kaiser", 5.0), 33))


@pytest.mark.parametrize("call,pattern", [
    (lambda: dsp.butter(4, 600.0, fs=1000.0), r"`Wn` must lie strictly between 0 and the "
                                             r"Nyquist frequency 500"),
    (lambda: dsp.butter(4, 1.2), r"`Wn` must lie strictly between 0 and the Nyquist"),
    (lambda: dsp.butter(4, 0.0), r"`Wn`.*got 0.0 at index 0"),
    (lambda: dsp.butter(4, [0.3, 0.1], btype="band"), r"`Wn` must be strictly increasing"),
    (lambda: dsp.butter(4, 0.3, btype="band"), r"`Wn` must be 2 value"),
    (lambda: dsp.butter(0, 0.3), r"`N` must be >= 1"),
    (lambda: dsp.butter(4, 0.3, btype="sideways"), r"`btype`"),
    (lambda: dsp.cheby1(4, -1.0, 0.3), r"`rp` must be a positive"),
    (lambda: dsp.ellip(4, 1.0, 0.0, 0.3), r"`rs` must be a positive"),
    (lambda: dsp.firwin(31, 0.0), r"`cutoff`"),
    (lambda: dsp.firwin(31, 300.0, fs=500.0), r"`cutoff`.*250"),
    (lambda: dsp.kaiserord(60.0, 1.5), r"`width`"),
    (lambda: dsp.remez(21, [0, 0.2, 0.1, 0.5], [1, 0]), r"`bands`"),
    (lambda: dsp.sosfreqz(np.ones((2, 4))), r"`sos` must have shape"),
    (lambda: dsp.sosfilt_zi([[1, 0, 0, 1, 0, 1.5]]), r"`sos` describes an unstable filter"),
    (lambda: dsp.lfilter_zi([1.0], [1.0, 2.0]), r"`a` describes an unstable filter"),
])
def test_bad_design_arguments(call, pattern):
    with pytest.raises(InputError, match=pattern) as info:
        call()
    assert "Fix" in str(info.value) or "fix" in str(info.value).lower()
