"""firwin2 equals SciPy's, meets its closed forms and refuses bad arguments by name
(SciPy's TestFirwin2 ported)."""

import re

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches

EPS = np.finfo(float).eps

CASES = [
    ((31, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]), {}),
    ((30, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]), {}),  # Type II: 0 at Nyquist
    ((41, [0.0, 0.3, 0.3, 1.0], [1.0, 1.0, 0.0, 0.0]), {}),  # a jump
    ((41, [0.0, 0.3, 0.3, 0.6, 0.6, 1.0], [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]), {}),
    ((41, [0.0, 0.5, 1.0], [0.0, 1.0, 0.0]), {"antisymmetric": True}),  # Type III
    ((40, [0.0, 1.0], [0.0, 1.0]), {"antisymmetric": True}),  # Type IV
    ((80, [0.0, 30.0, 60.0], [1.0, 1.0, 0.0]), {"fs": 120.0}),
    ((81, [0.0, 100.0, 100.0, 500.0], [0.0, 0.0, 1.0, 1.0]), {"fs": 1000}),
    ((21, (0.0, 0.5, 1.0), (1.0, 0.5, 0.0)), {"nfreqs": 22}),
    ((21, [0.0, 0.5, 1.0], [1.0, 0.5, 0.0]), {"nfreqs": 1025}),
    ((21, [0.0, 0.5, 1.0], [1.0, 0.5, 0.0]), {"window": None}),
    ((21, [0.0, 0.5, 1.0], [1.0, 0.5, 0.0]), {"window": ("kaiser", 8.6)}),
    ((21, [0.0, 0.5, 1.0], [1.0, 0.5, 0.0]), {"window": 5.0}),
    ((21, [0.0, 0.5, 1.0], [1.0, 0.5, 0.0]), {"window": "blackmanharris"}),
    ((21, np.array([0, 0.25, 1], dtype=np.float32), [2, 1, 0]), {}),
    ((1, [0.0, 1.0], [1.0, 1.0]), {}),  # SciPy's smallest design
    ((2, [0.0, 1.0], [1.0, 0.0]), {}),
    ((3, [0.0, 1.0], [0.0, 0.0]), {"antisymmetric": True}),
    ((1500, [0.0, 1.0], [0.0, 1.0]), {"window": None, "antisymmetric": True}),
]


@pytest.mark.parametrize("args, kwargs", CASES)
def test_firwin2_equals_scipy(args, kwargs):
    assert_matches(dsp.firwin2(*args, **kwargs), ss.firwin2(*args, **kwargs), rtol=1e-13)


def test_fs_scales_the_frequencies_as_nyquist_does():
    taps = dsp.firwin2(80, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0])
    assert_matches(dsp.firwin2(80, [0.0, 30.0, 60.0], [1.0, 1.0, 0.0], fs=120.0), taps)
    assert_matches(dsp.firwin2(80, [0.0, 1.0, 2.0], [1.0, 1.0, 0.0], fs=4), taps)


@pytest.mark.parametrize("numtaps", [31, 32])
@pytest.mark.parametrize("antisymmetric", [False, True])
def test_closed_forms_symmetry_and_gain(numtaps, antisymmetric):
    """Symmetric taps for a symmetric design, antisymmetric ones otherwise; the response
    at the curve's corner frequencies is the gain asked for."""
    freq = [0.0, 0.25, 0.75, 1.0]
    gain = [0.0, 1.0, 1.0, 0.0]
    taps = dsp.firwin2(numtaps, freq, gain, nfreqs=8193, window=None, antisymmetric=antisymmetric)
    sign = -1.0 if antisymmetric else 1.0
    np.testing.assert_allclose(taps, sign * taps[::-1], atol=1e-14)
    w, h = ss.freqz(taps, worN=np.pi * np.array([0.5]))
    assert abs(abs(h[0]) - 1.0) < 0.05
    if antisymmetric and numtaps % 2:
        assert taps[numtaps // 2] == 0.0


# --- SciPy's TestFirwin2 -------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, kwargs, pattern",
    [
        ((50, [0, 0.5, 1], [0.0, 1.0]), {}, r"`gain` must hold one gain per frequency"),
        ((50, [0, 0.5, 1], [0.0, 1.0, 1.0]), {"nfreqs": 33}, r"`nfreqs` must be an integer >= 51"),
        ((50, [0, 0.5, 0.4, 1.0], [0, 0.25, 0.5, 1.0]), {}, r"`freq` must be non-decreasing"),
        (
            (50, [0, 0.1, 0.1, 0.1, 1.0], [0.0, 0.5, 0.75, 1.0, 1.0]),
            {},
            r"`freq` must not hold a frequency more than twice",
        ),
        ((50, [0.5, 1.0], [0.0, 1.0]), {}, r"`freq` must be .*starting with 0"),
        ((50, [0.0, 0.5], [0.0, 1.0]), {}, r"`freq` must be .*ending with 1"),
        ((50, [0.0, 0.0, 0.5, 1.0], [1.0, 1.0, 0.0, 0.0]), {}, r"`freq` must not repeat 0"),
        ((50, [0.0, 0.5, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]), {}, r"`freq` must not repeat 0 or 1"),
        (
            (50, [0.0, 0.5 - EPS * 0.5, 0.5, 0.5, 1.0], [1.0, 1.0, 1.0, 0.0, 0.0]),
            {},
            r"`freq` must not hold a frequency within eps",
        ),
        ((16, [0.0, 0.5, 1.0], [0.0, 1.0, 1.0]), {}, r"`gain` must be 0 at fs/2 .*Type II\)"),
        (
            (17, [0.0, 0.5, 1.0], [0.0, 1.0, 1.0]),
            {"antisymmetric": True},
            r"`gain` must be 0 at fs/2 .*Type III",
        ),
        (
            (17, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]),
            {"antisymmetric": True},
            r"`gain` must be 0 at 0 for .*Type III",
        ),
        (
            (17, [0.0, 0.5, 1.0], [1.0, 1.0, 1.0]),
            {"antisymmetric": True},
            r"`gain` must be 0 at 0 and fs/2 .*Type III",
        ),
        (
            (16, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]),
            {"antisymmetric": True},
            r"`gain` must be 0 at 0 .*Type IV",
        ),
    ],
)
def test_scipys_invalid_args_are_input_errors(args, kwargs, pattern):
    with pytest.raises(ValueError):
        ss.firwin2(*args, **kwargs)
    with pytest.raises(InputError, match=pattern):
        dsp.firwin2(*args, **kwargs)


def test01_ramp_with_kaiser_window():
    width, beta = 0.04, 12.0
    taps = dsp.firwin2(400, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0], window=("kaiser", beta))
    samples = np.array([0.0, 0.25, 0.5 - width / 2, 0.5 + width / 2, 0.75, 1.0 - width / 2])
    _, response = ss.freqz(taps, worN=np.pi * samples)
    np.testing.assert_array_almost_equal(
        np.abs(response), [1.0, 1.0, 1.0, 1.0 - width, 0.5, width], decimal=5
    )


def test02_ideal_highpass():
    width = 0.04
    taps = dsp.firwin2(401, [0.0, 0.5, 0.5, 1.0], [0.0, 0.0, 1.0, 1.0], window=("kaiser", 12.0))
    samples = np.array([0.0, 0.25, 0.5 - width, 0.5 + width, 0.75, 1.0])
    _, response = ss.freqz(taps, worN=np.pi * samples)
    np.testing.assert_array_almost_equal(np.abs(response), [0, 0, 0, 1, 1, 1], decimal=5)


def test03_bandstop_from_kaiserord():
    width = 0.02
    ntaps, beta = dsp.kaiserord(120, width)
    ntaps = int(ntaps) | 1
    freq = [0.0, 0.4, 0.4, 0.5, 0.5, 1.0]
    gain = [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    taps = dsp.firwin2(ntaps, freq, gain, window=("kaiser", beta))
    samples = np.array([0.0, 0.4 - width, 0.4 + width, 0.45, 0.5 - width, 0.5 + width, 0.75, 1])
    _, response = ss.freqz(taps, worN=np.pi * samples)
    np.testing.assert_array_almost_equal(np.abs(response), [1, 1, 0, 0, 0, 1, 1, 1], decimal=5)


def test04_no_window_is_the_sinc():
    taps = dsp.firwin2(5, [0.0, 0.5, 0.5, 1.0], [1.0, 1.0, 0.0, 0.0], window=None, nfreqs=8193)
    m = np.arange(5) - 2.0
    np.testing.assert_array_almost_equal(0.5 * np.sinc(0.5 * m), taps)


def test05_type_iv_differentiator():
    ntaps = 1500
    taps = dsp.firwin2(ntaps, [0.0, 1.0], [0.0, 1.0], window=None, antisymmetric=True)
    np.testing.assert_array_almost_equal(taps[: ntaps // 2], -taps[ntaps // 2 :][::-1])
    freqs, response = ss.freqz(taps, worN=2048)
    np.testing.assert_array_almost_equal(np.abs(response), freqs / np.pi, decimal=4)


def test06_type_iii():
    ntaps = 1501
    freq, gain = [0.0, 0.5, 0.55, 1.0], [0.0, 0.5, 0.0, 0.0]
    taps = dsp.firwin2(ntaps, freq, gain, window=None, antisymmetric=True)
    assert taps[ntaps // 2] == 0.0
    np.testing.assert_array_almost_equal(taps[: ntaps // 2], -taps[ntaps // 2 + 1 :][::-1])
    freqs, response = ss.freqz(taps, worN=2048)
    np.testing.assert_array_almost_equal(
        np.abs(response), np.interp(freqs / np.pi, freq, gain), decimal=3
    )


def test_tuple_and_list_agree_and_inputs_are_not_modified():
    freq = np.array([0.0, 0.5, 0.5, 1.0])
    before = freq.copy()
    taps1 = dsp.firwin2(150, (0.0, 0.5, 0.5, 1.0), (1.0, 1.0, 0.0, 0.0))
    taps2 = dsp.firwin2(150, freq, [1.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(taps1, taps2)
    np.testing.assert_array_equal(freq, before)


def test_integer_frequencies_with_a_jump_are_taken_as_floats():
    """SciPy nudges a jump's two copies eps apart in the caller's dtype, which an integer
    freq cannot hold, and refuses; pyjl takes the frequencies as floats."""
    with pytest.raises(ValueError, match="too close"):
        ss.firwin2(31, [0, 1, 1, 2], [1, 1, 0, 0], fs=4)
    got = dsp.firwin2(31, [0, 1, 1, 2], [1, 1, 0, 0], fs=4)
    assert_matches(got, ss.firwin2(31, [0.0, 1.0, 1.0, 2.0], [1.0, 1.0, 0.0, 0.0], fs=4.0))


def test_designs_are_memoised_and_handed_out_as_copies():
    taps = dsp.firwin2(21, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0])
    taps[:] = np.nan
    assert_matches(
        dsp.firwin2(21, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]),
        ss.firwin2(21, [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]),
    )


# --- bad arguments, by name ---------------------------------------------------------------
F, G = [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: dsp.firwin2(0, F, G), r"`numtaps` must be an integer >= 1"),
        (lambda: dsp.firwin2(2**70, F, G), r"`numtaps` must be an integer >= 1 and <= 16777216"),
        (lambda: dsp.firwin2(21.5, F, G), r"`numtaps` must be an integer"),
        (lambda: dsp.firwin2(21, F, G, nfreqs=21), r"`nfreqs` must be an integer >= 22"),
        (lambda: dsp.firwin2(21, F, G, nfreqs=64.5), r"`nfreqs` must be an integer"),
        (lambda: dsp.firwin2(21, [0.0, np.nan, 1.0], G), r"`freq` must be finite; got nan"),
        (lambda: dsp.firwin2(21, [0.0, 0.5j, 1.0], G), r"`freq` must hold real numbers"),
        (lambda: dsp.firwin2(21, "abc", G), r"`freq` must hold real numbers"),
        (lambda: dsp.firwin2(21, None, G), r"`freq` must hold real numbers"),
        (lambda: dsp.firwin2(21, [], []), r"`freq` must be a flat sequence starting with 0"),
        (lambda: dsp.firwin2(21, [[0.0, 1.0]], [[1.0, 1.0]]), r"`freq` must be a flat"),
        (lambda: dsp.firwin2(21, [0.0, 0.5, 1.0], G, fs=1000.0), r"`freq` .*ending with 500"),
        (lambda: dsp.firwin2(21, F, [1.0, np.inf, 0.0]), r"`gain` must be finite; got inf"),
        (lambda: dsp.firwin2(21, F, [1.0, 1j, 0.0]), r"`gain` must hold real numbers"),
        (lambda: dsp.firwin2(21, F, [[1.0, 1.0, 0.0]]), r"`gain` must hold one gain per freq"),
        (lambda: dsp.firwin2(21, F, [1e308, 1e308, 0.0]), r"`gain` must give finite taps"),
        (lambda: dsp.firwin2(21, F, G, fs=0.0), r"`fs` must be a finite number > 0; got 0.0"),
        (lambda: dsp.firwin2(21, F, G, fs=np.nan), r"`fs` must be a finite number > 0"),
        (lambda: dsp.firwin2(21, F, G, window="bogus"), r"`window` must be a window SciPy"),
        (lambda: dsp.firwin2(21, F, G, window="kaiser"), r"`window` must be a window SciPy"),
        (lambda: dsp.firwin2(21, F, G, window=np.hanning(21)), r"`window` must be a window"),
        (lambda: dsp.firwin2(21, F, G, window=("kaiser", np.nan)), r"`window\[1\]` must be"),
        (lambda: dsp.firwin2(21, F, G, window=np.inf), r"`window` must be a finite number"),
        (lambda: dsp.firwin2(21, F, G, window=("kaiser", 1e4)), r"`window` must give a window"),
        (lambda: dsp.firwin2(21, F, G, antisymmetric="yes"), r"`antisymmetric` must be True"),
        (lambda: dsp.firwin2(21, F, G, antisymmetric=None), r"`antisymmetric` must be True"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, pattern):
    with pytest.raises(InputError, match=pattern) as info:
        call()
    assert re.match(r"`[^`]+` .*; got .*\. Fix: ", str(info.value), re.S), str(info.value)


def test_fs_array_is_refused_in_scipys_words():
    """As the other designs: SciPy's own check, relayed as an InputError (a ValueError)."""
    with pytest.raises(InputError, match=r"^Sampling.*single scalar"):
        dsp.firwin2(21, F, G, fs=[2.0])


def test_wrong_types_are_type_errors():
    with pytest.raises(InputTypeError, match=r"^`numtaps`"):
        dsp.firwin2(21.5, F, G)
    with pytest.raises(InputTypeError, match=r"^`antisymmetric`"):
        dsp.firwin2(21, F, G, antisymmetric=1)
