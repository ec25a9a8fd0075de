"""Design functions equal SciPy's and refuse bad arguments by name."""

import re
import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError, NumericalWarning

from .helpers import assert_matches

CASES = [
    ("butter", (4, 0.2), {}),
    ("butter", (3, [0.1, 0.4]), {"btype": "band", "output": "sos"}),
    ("butter", (5, 100.0), {"fs": 1000.0, "btype": "high", "output": "sos"}),
    ("cheby1", (4, 1.0, 0.3), {}),
    ("cheby2", (6, 40.0, 0.25), {"output": "sos"}),
    ("ellip", (5, 0.5, 60.0, [0.2, 0.3]), {"btype": "stop", "output": "zpk"}),
    ("bessel", (4, 0.2), {"norm": "mag"}),
    ("butter", (3, 10.0), {"analog": True}),
    ("firwin", (51, 0.3), {}),
    ("firwin", (51, [50.0, 150.0]), {"fs": 1000.0, "pass_zero": False}),
    ("kaiserord", (65.0, 0.05), {}),
    ("remez", (41, [0, 0.1, 0.2, 0.5], [1, 0]), {}),
    # order 0 is a pass-through (gain 1, or 0 dB ripple), as in SciPy
    ("butter", (0, 0.3), {}),
    ("bessel", (0, [0.2, 0.4]), {"btype": "band", "output": "sos"}),
    ("cheby1", (0, 1.0, 0.3), {"output": "zpk"}),
    ("cheby2", (0, 40.0, 10.0), {"analog": True}),
    ("ellip", (0, 1.0, 40.0, 100.0), {"fs": 1000.0}),
    ("firwin", (31, 0.3), {"window": ("kaiser", 5.0)}),
    ("firwin", (31, 0.3), {"width": 0.1}),
]


@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_design_equals_scipy(name, args, kwargs):
    got, want = getattr(dsp, name)(*args, **kwargs), getattr(ss, name)(*args, **kwargs)
    for g, w in zip(
        got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)
    ):
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


@pytest.mark.parametrize(
    "call,pattern",
    [
        (
            lambda: dsp.butter(4, 600.0, fs=1000.0),
            r"`Wn` must lie strictly between 0 and the "
            r"Nyquist frequency 500",
        ),
        (lambda: dsp.butter(4, 1.2), r"`Wn` must lie strictly between 0 and the Nyquist"),
        (lambda: dsp.butter(4, 0.0), r"`Wn`.*got 0.0 at index 0"),
        (lambda: dsp.butter(4, [0.3, 0.1], btype="band"), r"`Wn` must be strictly increasing"),
        (lambda: dsp.butter(4, 0.3, btype="band"), r"`Wn` must be 2 value"),
        (lambda: dsp.butter(-1, 0.3), r"`N` must be an integer >= 0 and <= 10000; got -1"),
        (lambda: dsp.butter(2.5, 0.3), r"`N` must be an integer"),
        (
            lambda: dsp.butter(4, 0.3, btype="sideways"),
            r"`btype` must be one of lowpass, highpass, "
            r"bandpass, bandstop; got 'sideways'",
        ),
        (
            lambda: dsp.butter(4, [0.1, 0.3]),
            r"`Wn` must be a single number for a lowpass or highpass design; got \[0.1, 0.3\]",
        ),
        (
            lambda: dsp.butter(4, [0.3, 0.1], btype="band"),
            r"`Wn` must be strictly increasing; "
            r"got \[0.3, 0.1\]",
        ),
        (
            lambda: dsp.butter(4, 10.0, analog=True, fs=100.0),
            r"`fs` must be None for an analog "
            r"filter; got fs=100.0",
        ),
        (lambda: dsp.butter(4, -10.0, analog=True), r"`Wn` must be positive \(analog"),
        (
            lambda: dsp.firwin(31, 0.3, window="bogus"),
            r"`window` must be a window SciPy knows; "
            r"got 'bogus'.*Invalid window name",
        ),
        (lambda: dsp.firwin(31, 0.3, window="kaiser"), r"`window` must be a window SciPy knows"),
        (
            lambda: dsp.cheby1(4, -1.0, 0.3),
            r"`rp` must be a finite number > 0 and <= 3000; got -1.0",
        ),
        (lambda: dsp.ellip(4, 1.0, 0.0, 0.3), r"`rs` must be a finite number > 0"),
        # SciPy returns NaN coefficients for an attenuation below the ripple
        (lambda: dsp.ellip(4, 40.0, 1.0, 0.3), r"`rs` must be at least the passband ripple `rp`"),
        (lambda: dsp.butter(4, 100.0, fs=np.nan), r"`fs` must be a finite number > 0; got nan"),
        (
            lambda: dsp.firwin(31, 0.3, window=("kaiser", np.nan)),
            r"`window\[1\]` must be a finite",
        ),
        (lambda: dsp.firwin(31, 0.3, window=np.inf), r"`window` must be a finite number"),
        (
            lambda: dsp.firwin(31, 0.3, window=("general_gaussian", 1.5, np.nan)),
            r"`window\[2\]`.*got nan",
        ),
        (
            lambda: dsp.firwin(31, 0.3, width=-0.1),
            r"`width` must be a finite number > 0; got -0.1",
        ),
        (lambda: dsp.firwin(31, 0.3, width=np.nan), r"`width` must be a finite number > 0"),
        (
            lambda: dsp.firwin(31, 0.3, window=("kaiser", 800.0)),
            r"`window` must give a window "
            r"with finite values",
        ),
        (lambda: dsp.firwin(31, 0.3, width=1e308), r"`width` must give a window"),
        (lambda: dsp.firwin(31, "a"), r"`cutoff` must be a real frequency"),
        (lambda: dsp.butter(4, 0.3 + 0.1j), r"`Wn` must be a real frequency"),
        (lambda: dsp.cheby1(4, 1e308, 0.3), r"`rp` must be a finite number > 0 and <= 3000"),
        (lambda: dsp.remez(1e308, [0, 0.1, 0.2, 0.5], [1, 0]), r"`numtaps` must be an integer"),
        (lambda: dsp.freqz([1.0, 2.0], [0.0, 0.0]), r"`a` must have a non-zero coefficient"),
        (
            lambda: dsp.freqz(np.array([[1.0, np.nan], [2.0, 3.0]])),
            r"`b` must be finite; got nan "
            r"at index \(0, 1\)",
        ),
        (lambda: dsp.lfilter_zi([1.0, 2.0], [0.0, 0.0]), r"`a` must have a non-zero coefficient"),
        (lambda: dsp.lfilter_zi([1.0, np.nan], [1.0]), r"`b` must be finite"),
        (
            lambda: dsp.remez(21, [0, 0.1, 0.2, 0.5], [1, np.nan]),
            r"`desired` must be finite; "
            r"got nan at index \(1,\)",
        ),
        (
            lambda: dsp.remez(21, [0, 0.1, 0.2, 0.5], [1, 0], weight=[1, -1]),
            r"`weight` must be finite and > 0",
        ),
        (lambda: dsp.freqz([1.0, 2.0], worN=np.array([0.1, np.nan])), r"`worN` must be finite"),
        (lambda: dsp.freqz([1.0, 2.0], fs=np.nan), r"`fs` must be a finite number > 0"),
        (lambda: dsp.freqz([1.0, 2.0], fs=None), r"`fs` must be a finite number > 0; got None"),
        (lambda: dsp.freqz([1.0, 2.0], worN="64"), r"`worN` must hold numbers"),
        (
            lambda: dsp.sosfreqz(ss.butter(2, 0.2, output="sos"), worN=2**70),
            r"`worN` must be an int",
        ),
        (lambda: dsp.butter(2**70, 0.3), r"`N` must be an integer >= 0 and <= 10000"),
        (lambda: dsp.butter(4, "0.3"), r"`Wn` must be a real frequency"),
        (lambda: dsp.firwin(2**70, 0.3), r"`numtaps` must be an integer >= 1"),
        (
            lambda: dsp.remez(21, [0, 0.1, 0.2, 0.5], [1, 1e308]),
            r"`desired` must hold values of "
            r"magnitude <= 1e100",
        ),
        (lambda: dsp.remez(21, [0, 0.1, 0.2, 0.5], [1, 1j]), r"`desired` must hold real numbers"),
        (lambda: dsp.remez(21, [[0, 0.1, 0.2, 0.5]], [1, 0]), r"`bands` must be an even number"),
        (lambda: dsp.remez(21, [0, 0.1, 0.2, 0.5], [1, 0], type="lowpass"), r"`type` must be one"),
        (lambda: dsp.remez(21, [0, 0.1, 0.2, 0.5], [1, 0], maxiter=0), r"`maxiter` must be an"),
        (lambda: dsp.remez(21, [0, 0.1, 0.2, 0.5], [1, 0], grid_density=1.5), r"`grid_density`"),
        (
            lambda: dsp.lfilter_zi([1e308] * 3, [1.0, -0.9]),
            r"`b` and `a` must give finite initial",
        ),
        (lambda: dsp.lfilter_zi([1.0], [1.0, -1.0]), r"`a` must have no pole at z = 1"),
        (lambda: dsp.sosfilt_zi([[1.0, 0, 0, 1, -1, 0]]), r"`sos` must have no pole at z = 1"),
        (lambda: dsp.sosfreqz(ss.butter(2, 0.2, output="sos"), fs=-1.0), r"`fs` must be"),
        (lambda: dsp.firwin(31, 0.0), r"`cutoff`"),
        (lambda: dsp.firwin(31, 300.0, fs=500.0), r"`cutoff`.*250"),
        (
            lambda: dsp.kaiserord(60.0, 1.5),
            r"`width` must be a finite number > 0 and <= 1; got 1.5",
        ),
        (lambda: dsp.remez(21, [0, 0.2, 0.1, 0.5], [1, 0]), r"`bands`"),
        (lambda: dsp.sosfreqz(np.ones((2, 4))), r"`sos` must have shape"),
    ],
)
def test_bad_design_arguments(call, pattern):
    with pytest.raises(InputError, match=pattern) as info:
        call()
    assert re.match(r"`[^`]+` .*; got .*\. Fix: ", str(info.value), re.S), str(info.value)


def test_a_window_name_is_not_checked_where_width_replaces_it():
    # with a width, SciPy designs its own Kaiser window and ignores `window`
    got = dsp.firwin(31, 0.3, width=0.1, window="bogus")
    assert_matches(got, ss.firwin(31, 0.3, width=0.1, window="bogus"))


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.sosfilt_zi([[1.0, 0, 0, 1, 0, 1.5]]),
        lambda m: m.lfilter_zi([1.0], [1.0, 2.0]),
    ],
)
def test_unstable_designs_warn_and_equal_scipy(call):
    with pytest.warns(NumericalWarning, match="describes an unstable filter"):
        got = call(dsp)
    assert_matches(got, call(ss))


def test_pole_cancelled_by_a_zero_is_silent():
    # b == a: the pole at z = -1 +- 1.41j (|z| = 1.73) is cancelled, the filter is the identity
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        got = dsp.lfilter_zi([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert_matches(got, ss.lfilter_zi([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_initial_conditions_and_responses_keep_scipy_dtype(dtype):
    b, a = (c.astype(dtype) for c in ss.butter(3, 0.3))
    sos = ss.butter(4, 0.2, output="sos").astype(dtype)
    for got, want in [
        (dsp.lfilter_zi(b, a), ss.lfilter_zi(b, a)),
        (dsp.sosfilt_zi(sos), ss.sosfilt_zi(sos)),
        (dsp.freqz(b, a, worN=16)[1], ss.freqz(b, a, worN=16)[1]),
        (dsp.sosfreqz(sos, worN=16)[1], ss.sosfreqz(sos, worN=16)[1]),
    ]:
        assert got.dtype == want.dtype
        assert_matches(got, want)


def test_freqz_broadcasts_nd_and_complex_coefficients(rng):
    b = rng.standard_normal((3, 4, 1)) + 1j * rng.standard_normal((3, 4, 1))  # coeffs on axis 0
    a = np.array([1.0, -0.5])
    for worN in (8, np.linspace(0, np.pi, 5)):
        for got, want in zip(dsp.freqz(b, a, worN=worN), ss.freqz(b, a, worN=worN)):
            assert got.shape == want.shape
            assert_matches(got, want)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.firwin(41, 0.5, pass_zero="foo"),
        lambda m: m.firwin(41, [0.5, 0.6], pass_zero="lowpass"),
        lambda m: m.butter(4, 0.3, output="polar"),
        lambda m: m.lfilter_zi([1.0], [2.0]),
        lambda m: m.lfilter_zi([1.0], [0.0, 2.0]),
    ],
)
def test_scipy_refusals_are_input_errors_in_scipy_words(call):
    with pytest.raises(ValueError) as ref:
        call(ss)
    with pytest.raises(InputError) as got:
        call(dsp)
    assert str(got.value).startswith(str(ref.value).rstrip("."))
    assert "Fix:" in str(got.value)


def test_an_infinite_response_warns_and_equals_scipy():
    b, a = [1.0], [1.0, -1.0]  # an integrator: a pole at z = 1, the response is infinite at DC
    with pytest.warns(NumericalWarning, match="infinite or NaN"):
        got = dsp.freqz(b, a, worN=8)
    with np.errstate(divide="ignore", invalid="ignore"):
        want = ss.freqz(b, a, worN=8)
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize(
    "name, args",
    [
        ("butter", (4,)),
        ("cheby1", (4, 1)),
        ("cheby2", (4, 40)),
        ("ellip", (4, 1, 40)),
        ("bessel", (4,)),
    ],
)
def test_bands_is_scipys_alias_for_bandstop(name, args):
    got = getattr(dsp, name)(*args, [0.2, 0.4], btype="bands", output="sos")
    want = getattr(ss, name)(*args, [0.2, 0.4], btype="bands", output="sos")
    assert_matches(got, want, rtol=1e-12)


def test_firwin_window_zero_at_every_tap_is_refused_with_a_fitting_fix():
    # SciPy returns NaN taps for a 2-tap Hann window; the fix is not about Kaiser's beta
    with pytest.raises(InputError, match="more taps"):
        dsp.firwin(2, 0.3, window="hann")
    with pytest.raises(InputError, match="Kaiser beta"):
        dsp.firwin(11, 0.3, window=("kaiser", 1e4))


def test_leading_zeros_of_a_are_taken_as_scipy_takes_them(rng):
    """SciPy's freqz divides by a(z) as given and lfilter_zi drops a's leading zeros."""
    for b, a in (([1.0, 2.0], [0.0, 1.0]), ([1.0, 0.5], [0.0, 1.0, -0.5])):
        for got, want in zip(dsp.freqz(b, a, worN=16), ss.freqz(b, a, worN=16)):
            assert_matches(got, want)
    assert_matches(dsp.lfilter_zi([1.0, 0.5], [0.0, 1.0, -0.5]), [2.0])  # 1.5 / (1 - 0.5) - 1
    for b, a in (([1.0, 0.5], [0, 0, 1, -0.5]), ([1.0, 2.0], [0.0, 1.0])):
        assert_matches(dsp.lfilter_zi(b, a), ss.lfilter_zi(b, a))
    # N-D: coefficients along axis 0, one filter per column, the first with a[0] == 0
    b = rng.standard_normal((3, 2, 1))
    a = np.array([[0.0, 1.0], [1.0, 0.5], [-0.5, 0.2]])[..., None]
    for got, want in zip(dsp.freqz(b, a, worN=8), ss.freqz(b, a, worN=8)):
        assert_matches(got, want)
    with pytest.raises(InputError, match=r"^`a` must have a non-zero coefficient"):
        dsp.freqz(b, np.array([[0.0, 1.0], [0.0, 0.5]])[..., None])


@pytest.mark.parametrize(
    "name, args", [("butter", ()), ("cheby1", (1,)), ("cheby2", (40,)), ("ellip", (1, 40))]
)
def test_a_lowpass_cutoff_must_be_a_scalar_as_in_scipy(name, args):
    with pytest.raises(TypeError):
        getattr(ss, name)(4, *args, [0.2])
    with pytest.raises(InputTypeError, match=r"^`Wn` must be a single number .*; got \[0.2\]"):
        getattr(dsp, name)(4, *args, [0.2])
    assert_matches(getattr(dsp, name)(4, *args, 0.2), getattr(ss, name)(4, *args, 0.2))


def test_bessel_norm_and_order_are_checked_as_scipy_allows_them():
    with pytest.raises(TypeError):
        ss.bessel(4, 0.2, norm=None)
    with pytest.raises(InputTypeError, match=r"^`norm` must be 'phase', 'delay' or 'mag'"):
        dsp.bessel(4, 0.2, norm=None)
    with pytest.raises(InputError, match=r"^`norm` must be .*; got 'bogus'"):
        dsp.bessel(4, 0.2, norm="bogus")
    assert_matches(dsp.bessel(4, 0.2, norm="MAG"), ss.bessel(4, 0.2, norm="MAG"))
    # SciPy's root-finding finds the Bessel polynomial's zeros up to order 84
    assert_matches(dsp.bessel(84, 0.2, output="sos"), ss.bessel(84, 0.2, output="sos"))
    with pytest.raises(Exception, match="converge"):
        ss.bessel(85, 0.2)
    for n in (85, 90):
        with pytest.raises(InputError, match=rf"^`N` must be <= 84 for a Bessel .*; got {n}"):
            dsp.bessel(n, 0.2)


def test_sosfilt_zi_takes_sections_whose_a0_is_not_1_as_scipy():
    sos = ss.butter(4, 0.2, output="sos") * np.array([[2.0], [0.5]])  # a0 = 2 and 0.5
    np.testing.assert_allclose(dsp.sosfilt_zi(sos), ss.sosfilt_zi(sos), rtol=1e-13)
    one = [[1.0, 2.0, 1.0, 2.0, 0.5, 0.1]]
    np.testing.assert_allclose(dsp.sosfilt_zi(one), ss.sosfilt_zi(one), rtol=1e-13)
