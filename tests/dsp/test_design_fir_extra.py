"""firls, minimum_phase, kaiser_beta, kaiser_atten and get_window equal SciPy's, meet
closed forms, and refuse bad arguments by name."""

import re
import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.dsp import windows
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches

FIRLS = [
    ((11, [0, 0.3, 0.5, 1], [1, 1, 0, 0]), {}),
    ((31, [0, 0.2, 0.3, 1], [1, 1, 0, 0]), {"weight": [1, 10]}),
    ((9, [0, 0.5, 0.55, 1]), {"weight": [1, 2]}),
    ((11, [0, 0.5, 0.5, 1], [1, 1, 0, 0]), {}),  # touching bands
    ((7, (0, 1, 2, 3, 4, 5), [1, 0, 0, 1, 1, 0]), {"fs": 10}),
    ((21, [[0, 0.1], [0.9, 1]], [[1, 1], [0, 0]]), {}),  # (n_bands, 2) layout
    ((1, [0, 1], [1, 1]), {}),
    ((15, np.float32([0, 0.4, 0.6, 1]), np.int64([0, 0, 1, 1])), {"weight": [0, 1]}),
]


@pytest.mark.parametrize("args, kwargs", FIRLS)
def test_firls_equals_scipy(args, kwargs):
    if len(args) == 2:  # desired given after: test_compare's gains
        args = (*args, [1, 1, 0, 0])
    assert_matches(dsp.firls(*args, **kwargs), ss.firls(*args, **kwargs), rtol=1e-9)


def test_firls_closed_form():
    # an allpass target over the whole band is the unit impulse
    taps = dsp.firls(9, [0, 1], [1, 1])
    np.testing.assert_allclose(taps, np.eye(9)[4], atol=1e-12)
    # a linear-phase Type I filter: symmetric
    taps = dsp.firls(41, [0, 0.3, 0.4, 1], [1, 1, 0, 0])
    np.testing.assert_allclose(taps, taps[::-1])


@pytest.mark.parametrize("method", ["homomorphic", "hilbert"])
@pytest.mark.parametrize(
    "h",
    [
        ss.firwin(31, 0.3),
        ss.remez(40, [0, 0.2, 0.3, 0.5], [1, 0]),
        np.float32([1, 2, 1]) / 4,
        np.array([1, 2, 3, 2, 1]) / 9,
    ],
)
@pytest.mark.parametrize("n_fft", [None, 512])
def test_minimum_phase_equals_scipy(h, method, n_fft):
    assert_matches(
        dsp.minimum_phase(h, method, n_fft=n_fft),
        ss.minimum_phase(np.asarray(h), method, n_fft=n_fft),
        rtol=1e-9,
    )


def test_minimum_phase_full_length_and_magnitude():
    h = ss.firwin(31, 0.3)
    h2 = np.convolve(h, h[::-1])  # the squared magnitude, linear phase
    m = dsp.minimum_phase(h2)  # half=True: the square root's magnitude, |H|
    np.testing.assert_allclose(np.abs(np.fft.fft(m, 1024)), np.abs(np.fft.fft(h, 1024)), atol=5e-3)
    full = dsp.minimum_phase(h, half=False)
    assert_matches(full, ss.minimum_phase(h, half=False))
    assert full.shape == h.shape


def test_minimum_phase_asymmetric_warns_as_scipy():
    with pytest.warns(RuntimeWarning, match="symmetric"):
        dsp.minimum_phase(np.arange(3))


def test_kaiser_formulas():
    for a in (-5.0, 0.0, 21.0, 30.0, 50.0, 50.5, 120.0, np.float32(65.0)):
        assert dsp.kaiser_beta(a) == ss.kaiser_beta(a)
    assert dsp.kaiser_beta(65.0) == pytest.approx(0.1102 * (65.0 - 8.7))
    assert dsp.kaiser_atten(211, 0.0375) == pytest.approx(2.285 * 210 * np.pi * 0.0375 + 7.95)
    assert dsp.kaiser_atten(np.int64(11), 1.0) == ss.kaiser_atten(11, 1.0)
    # kaiserord inverts kaiser_atten / kaiser_beta
    n, beta = dsp.kaiserord(65.0, 0.05)
    assert beta == dsp.kaiser_beta(65.0) and dsp.kaiser_atten(n, 0.05) >= 65.0


def test_get_window_is_the_windows_function():
    assert dsp.get_window is windows.get_window
    assert_matches(dsp.get_window(("kaiser", 4.0), 16), ss.get_window(("kaiser", 4.0), 16))


def _refused(name, match, fn, *args, cls=InputError, **kwargs):
    with pytest.raises(cls, match=match) as info:
        fn(*args, **kwargs)
    assert f"`{name}`" in str(info.value)


B4, D4 = [0, 0.3, 0.5, 1], [1, 1, 0, 0]


@pytest.mark.parametrize(
    "name, match, args, kwargs",
    [
        ("numtaps", "odd", (10, B4, D4), {}),
        ("numtaps", "integer >= 1", (0, B4, D4), {}),
        ("numtaps", "<= 8191", (8193, B4, D4), {}),
        ("bands", "pairs", (11, [0.1, 0.2, 0.4], [0, 0, 0]), {}),
        ("bands", "between 0 and 1", (11, [0.1, 0.2, 0.4, 1.2], [0] * 4), {}),
        ("bands", "between 0 and 5", (11, [0, 1, 2, 6], [0] * 4), {"fs": 10}),
        ("bands", "positive width", (11, [0.2, 0.1], [0, 0]), {}),
        ("bands", "positive width", (11, [0.1, 0.2, 0.3, 0.3], [0] * 4), {}),
        ("bands", "not overlapping", (11, [0.3, 0.4, 0.1, 0.2], [0] * 4), {}),
        ("bands", "not overlapping", (11, [0.1, 0.3, 0.2, 0.4], [0] * 4), {}),
        ("bands", "finite", (11, [0.1, np.nan], [0, 0]), {}),
        ("desired", "one value per band edge", (11, [0.1, 0.2, 0.3, 0.4], [0, 0, 0]), {}),
        ("desired", ">= 0", (11, [0.1, 0.2], [-1, 1]), {}),
        ("weight", "one value per band", (11, [0.1, 0.2], [0, 0]), {"weight": [1, 2]}),
        ("weight", ">= 0", (11, [0.1, 0.2], [0, 0]), {"weight": [-1]}),
        ("weight", "at least one value > 0", (11, B4, D4), {"weight": [0, 0]}),
        ("desired", "finite taps", (11, B4, [1, 1, 0, 1e308]), {}),
        ("fs", "> 0", (11, B4, D4), {"fs": -2.0}),
    ],
)
def test_firls_refuses(name, match, args, kwargs):
    _refused(name, match, dsp.firls, *args, **kwargs)


@pytest.mark.parametrize(
    "name, match, args, kwargs",
    [
        ("h", "at least 3 taps", ([1.0],), {}),
        ("h", "at least 3 taps", ([1.0, 1.0],), {}),
        ("h", "real numbers", (np.full(10, 1j),), {}),
        ("h", "real numbers", ("foo",), {}),
        ("h", "1-D", (np.ones((2, 5)),), {}),
        ("h", "finite", ([1.0, np.nan, 1.0],), {}),
        ("h", "not be all zeros", (np.zeros(5),), {}),
        ("h", "finite result", ([1e308] * 3,), {}),
        ("h", "peak gain below about 2", ([1.0, 2.0, 1.0],), {"method": "hilbert"}),
        ("n_fft", ">= 10", (np.ones(10),), {"n_fft": 8}),
        ("method", "'homomorphic' or 'hilbert'", (np.ones(10),), {"method": "foo"}),
        (
            "half",
            "must be True with method='hilbert'",
            (np.ones(3),),
            {"method": "hilbert", "half": False},
        ),
        ("half", "True or False", (np.ones(3),), {"half": "yes"}),
    ],
)
def test_minimum_phase_refuses(name, match, args, kwargs):
    _refused(name, match, dsp.minimum_phase, *args, **kwargs)


def test_kaiser_refuses():
    _refused("a", "finite", dsp.kaiser_beta, np.nan)
    _refused("a", "finite", dsp.kaiser_beta, "60", cls=InputTypeError)
    _refused("numtaps", "integer >= 1", dsp.kaiser_atten, 0, 0.1)
    _refused("width", "> 0 and <= 1", dsp.kaiser_atten, 11, 0.0)
    _refused("width", "> 0 and <= 1", dsp.kaiser_atten, 11, 1e308)


def test_array_fs_is_refused_in_scipys_words():
    with pytest.raises(InputError, match=re.escape("Sampling frequency fs must be a single")):
        dsp.firls(11, 0.1, 1, fs=np.array([10, 20]))


def test_good_designs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dsp.firls(51, [0, 0.2, 0.3, 1], [1, 1, 0, 0])
        dsp.minimum_phase(ss.firwin(51, 0.2), "hilbert")


def test_kaiserord_takes_the_whole_band_as_kaiser_atten_does():
    assert dsp.kaiserord(60.0, 1.0) == ss.kaiserord(60.0, 1.0)
    with pytest.raises(InputError, match="`width` must be"):
        dsp.kaiserord(60.0, 1.5)
