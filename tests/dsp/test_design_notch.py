"""iirnotch, iirpeak and iircomb equal SciPy's, meet their closed forms, and refuse bad
arguments by name (SciPy's TestIIRNotch, TestIIRPeak and TestIIRComb ported)."""

import math
import re

import numpy as np
import pytest
import scipy.signal as ss
from scipy.optimize import brentq
from scipy.signal import argrelextrema

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches

NOTCH_ARGS = [
    ((0.06, 30), {}),
    ((0.3, 30.0), {}),
    ((0.9, 5.0), {}),
    ((0.5, 0.51), {}),  # just above the lowest stable Q (2*w0/fs = 0.5)
    ((60.0, 30.0), {"fs": 1000.0}),
    ((1500, 30), {"fs": 10000}),
    ((np.float32(0.25), np.int64(8)), {"fs": np.float64(2.0)}),
    ((np.array(0.2), np.array(10.0)), {}),  # 0-d arrays, as SciPy's xp tests pass them
]


@pytest.mark.parametrize("name", ["iirnotch", "iirpeak"])
@pytest.mark.parametrize("args, kwargs", NOTCH_ARGS)
def test_notch_and_peak_equal_scipy(name, args, kwargs):
    got, want = getattr(dsp, name)(*args, **kwargs), getattr(ss, name)(*args, **kwargs)
    assert isinstance(got, tuple) and len(got) == 2
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-14)


COMB_ARGS = [
    (60, 35, "notch", 600, False),
    (60, 35, "peak", 600, False),
    (1000, 30, "notch", 10000, True),
    (1000, 30, "peak", 10000, True),
    (123.45, 30, "peak", 1234.5, None),
    (123.45, 30, "notch", 1234.5, None),
    (400, 30, "NOTCH", 24000, False),
    (50 / int(44100 / 2), 50.0, "notch", 2.0, False),
    (0.5, 1.5, "Peak", 2.0, True),
]


@pytest.mark.parametrize("w0, Q, ftype, fs, pass_zero", COMB_ARGS)
def test_comb_equals_scipy(w0, Q, ftype, fs, pass_zero):
    got = dsp.iircomb(w0, Q, ftype=ftype, fs=fs, pass_zero=pass_zero)
    want = ss.iircomb(w0, Q, ftype=ftype, fs=fs, pass_zero=pass_zero)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-14)


def test_defaults_are_scipys():
    for g, w in zip(dsp.iirnotch(0.2, 10.0), ss.iirnotch(0.2, 10.0, fs=2.0)):
        assert_matches(g, w)
    for g, w in zip(dsp.iircomb(0.2, 10.0), ss.iircomb(0.2, 10.0, "notch", 2.0, pass_zero=False)):
        assert_matches(g, w)


def _gain(b, a, freqs, fs):
    return np.abs(ss.freqz(b, a, worN=np.atleast_1d(freqs), fs=fs)[1])


@pytest.mark.parametrize("w0, Q, fs", [(0.3, 30.0, 2.0), (60.0, 10.0, 1000.0), (0.7, 3.0, 2.0)])
def test_notch_and_peak_closed_forms(w0, Q, fs):
    """The notch is 0 at w0 and 1 at DC and Nyquist, the peak 1 at w0 and 0 at DC and
    Nyquist; both cross 1/sqrt(2) (-3 dB) at band edges exactly w0/Q apart (Orfanidis
    11.3), and they are complementary: H_notch + H_peak = 1 and |H_notch|^2 + |H_peak|^2 = 1."""
    b, a = dsp.iirnotch(w0, Q, fs=fs)
    np.testing.assert_allclose(_gain(b, a, [w0], fs), 0.0, atol=1e-12)
    np.testing.assert_allclose(_gain(b, a, [0.0, fs / 2], fs), 1.0, rtol=1e-12)
    b2, a2 = dsp.iirpeak(w0, Q, fs=fs)
    np.testing.assert_allclose(_gain(b2, a2, [w0], fs), 1.0, rtol=1e-12)
    np.testing.assert_allclose(_gain(b2, a2, [0.0, fs / 2], fs), 0.0, atol=1e-12)
    for bb, aa in ((b, a), (b2, a2)):

        def minus_3db(f, bb=bb, aa=aa):
            return _gain(bb, aa, [f], fs)[0] ** 2 - 0.5

        low = brentq(minus_3db, 0.0, w0, xtol=1e-15 * fs)
        high = brentq(minus_3db, w0, fs / 2, xtol=1e-15 * fs)
        assert math.isclose(high - low, w0 / Q, rel_tol=1e-9)
    grid = np.linspace(0.0, fs / 2, 257)
    h1 = ss.freqz(b, a, worN=grid, fs=fs)[1]
    h2 = ss.freqz(b2, a2, worN=grid, fs=fs)[1]
    np.testing.assert_allclose(h1 + h2, 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.abs(h1) ** 2 + np.abs(h2) ** 2, 1.0, rtol=1e-12)


@pytest.mark.parametrize("name", ["iirnotch", "iirpeak"])
@pytest.mark.parametrize("w0, Q", [(0.1, 0.11), (0.5, 0.6), (0.95, 1.0), (0.3, 1e6)])
def test_notch_and_peak_are_stable(name, w0, Q):
    _, a = getattr(dsp, name)(w0, Q)
    assert np.max(np.abs(np.roots(a))) < 1.0


@pytest.mark.parametrize("ftype", ["notch", "peak"])
@pytest.mark.parametrize("Q", [1.01, 2.0, 30.0])
def test_comb_is_stable_and_has_its_order(ftype, Q):
    b, a = dsp.iircomb(100.0, Q, ftype=ftype, fs=1000.0)
    assert b.shape == a.shape == (11,)
    assert np.max(np.abs(np.roots(a))) < 1.0


# --- SciPy's TestIIRNotch / TestIIRPeak ----------------------------------------------------
def test_notch_ba_output_matches_matlab():
    b, a = dsp.iirnotch(0.06, 30)
    np.testing.assert_allclose(b, [9.9686824e-01, -1.9584219e00, 9.9686824e-01], rtol=1e-8)
    np.testing.assert_allclose(a, [1.0, -1.9584219e00, 9.9373647e-01], rtol=1e-8)


def test_peak_ba_output_matches_matlab():
    b, a = dsp.iirpeak(0.06, 30)
    np.testing.assert_allclose(b, [3.131764229e-03, 0, -3.131764229e-03], rtol=1e-8)
    np.testing.assert_allclose(a, [1.0, -1.958421917e00, 9.9373647e-01], rtol=1e-8)


@pytest.mark.parametrize("kwargs", [{}, {"fs": 10000}])
def test_notch_frequency_response(kwargs):
    w0 = 0.3 if not kwargs else 1500
    b, a = dsp.iirnotch(w0, 30, **kwargs)
    _, h = dsp.freqz(b, a, 1000, **kwargs)
    hp = np.abs(h[[200, 295, 300, 305, 400]])
    assert math.isclose(hp[0], 1.0, rel_tol=1e-2) and math.isclose(hp[4], 1.0, rel_tol=1e-2)
    assert math.isclose(hp[1], 1 / math.sqrt(2), rel_tol=1e-2)
    assert math.isclose(hp[3], 1 / math.sqrt(2), rel_tol=1e-2)
    assert math.isclose(hp[2], 0.0, abs_tol=1e-10)


@pytest.mark.parametrize("w0, fs", [(0.3, None), (1200, 8000)])
def test_peak_frequency_response(w0, fs):
    kwargs = {} if fs is None else {"fs": fs}
    b, a = dsp.iirpeak(w0, 30, **kwargs)
    _, h = dsp.freqz(b, a, 1000, **kwargs)
    hp = np.abs(h[[30, 295, 300, 305, 800]])
    assert math.isclose(hp[0], 0.0, abs_tol=1e-2) and math.isclose(hp[4], 0.0, abs_tol=1e-2)
    assert math.isclose(hp[1], 1 / math.sqrt(2), rel_tol=1e-2)
    assert math.isclose(hp[3], 1 / math.sqrt(2), rel_tol=1e-2)
    assert math.isclose(hp[2], 1.0, rel_tol=1e-10)


@pytest.mark.parametrize("name", ["iirnotch", "iirpeak"])
def test_notch_and_peak_errors_as_in_scipy(name):
    fn = getattr(dsp, name)
    for w0 in (2, -1):
        with pytest.raises(InputError, match=r"^`w0` must lie strictly between 0"):
            fn(w0=w0, Q=30)
    with pytest.raises(InputError, match=r"^`w0` must be a real frequency"):
        fn(w0="blabla", Q=30)
    with pytest.raises(InputTypeError, match=r"^`Q` must be a finite number > 0"):
        fn(w0=0.5, Q=[1, 2, 3])


# --- SciPy's TestIIRComb -------------------------------------------------------------------
def test_comb_invalid_input_as_in_scipy():
    fs = 1000
    for args in [(-fs, 30), (0, 35), (fs / 2, 40), (fs, 35)]:
        with pytest.raises(InputError, match=r"^`w0` must lie strictly between 0"):
            dsp.iircomb(*args, fs=fs)
    for args in [(120, 30), (157, 35)]:
        with pytest.raises(InputError, match=r"^`w0` must divide fs a whole number of times"):
            dsp.iircomb(*args, fs=fs)
    with pytest.raises(InputError, match=r"^`w0` must divide fs"):
        dsp.iircomb(w0=49.999 / int(44100 / 2), Q=30)
    with pytest.raises(InputError, match=r"^`w0` must divide fs"):
        dsp.iircomb(w0=49.999, Q=30, fs=44100)
    for args in [(0.2, 30, "natch"), (0.5, 35, "comb")]:
        with pytest.raises(InputError, match=r"^`ftype` must be 'notch' or 'peak'"):
            dsp.iircomb(*args)


@pytest.mark.parametrize("ftype", ["notch", "peak"])
def test_comb_frequency_response(ftype):
    b, a = dsp.iircomb(1000, 30, ftype=ftype, fs=10000)
    freqs, response = dsp.freqz(b, a, 1000, fs=10000)
    comb_points = argrelextrema(np.abs(response), np.less)[0]
    np.testing.assert_allclose(freqs[comb_points[0]], 1000.0)


@pytest.mark.parametrize(
    "ftype, pass_zero, peak, notch",
    [
        ("peak", True, 123.45, 61.725),
        ("peak", False, 61.725, 123.45),
        ("peak", None, 61.725, 123.45),
        ("notch", None, 61.725, 123.45),
        ("notch", True, 123.45, 61.725),
        ("notch", False, 61.725, 123.45),
    ],
)
def test_comb_pass_zero(ftype, pass_zero, peak, notch):
    b, a = dsp.iircomb(123.45, 30, ftype=ftype, fs=1234.5, pass_zero=pass_zero)
    _, response = dsp.freqz(b, a, [peak, notch], fs=1234.5)
    assert abs(response[0]) > 0.99
    assert abs(response[1]) < 1e-10


def test_comb_symmetry_and_dtype():
    b, a = dsp.iircomb(400, 30, fs=24000)
    z, p, k = ss.tf2zpk(b, a)
    np.testing.assert_array_equal(np.sort_complex(z), np.sort_complex(np.conj(z)))
    np.testing.assert_array_equal(np.sort_complex(p), np.sort_complex(np.conj(p)))
    assert np.isrealobj(k) and b.dtype == a.dtype == np.float64


def test_comb_ba_output_matches_matlab():
    b, a = dsp.iircomb(60, 35, ftype="notch", fs=600)
    np.testing.assert_allclose(b, [0.957020174408697] + [0.0] * 9 + [-0.957020174408697])
    np.testing.assert_allclose(a, [1.0] + [0.0] * 9 + [-0.914040348817395])
    b, a = dsp.iircomb(60, 35, ftype="peak", fs=600)
    np.testing.assert_allclose(b, [0.0429798255913026] + [0.0] * 9 + [-0.0429798255913026])
    np.testing.assert_allclose(a, [1.0] + [0.0] * 9 + [0.914040348817395])


def test_comb_nearest_divisor():
    b, a = dsp.iircomb(50 / int(44100 / 2), 50.0, ftype="notch")
    _, response = dsp.freqz(b, a, [22000], fs=44100)
    assert abs(response[0]) < 1e-10


@pytest.mark.parametrize("design", [dsp.iirnotch, dsp.iirpeak, dsp.iircomb])
def test_fs_array_is_refused_in_scipys_words(design):
    """As the other designs: an array is SciPy's own check, relayed as an InputError (a
    ValueError); None is refused naming `fs` (SciPy's words do not)."""
    with pytest.raises(InputError, match=r"^Sampling.*single scalar"):
        design(100, 30, fs=np.array([1000, 2000]))
    with pytest.raises(InputTypeError, match=r"^`fs` must be a finite number > 0; got None"):
        design(100, 30, fs=None)


# --- bad arguments, by name ---------------------------------------------------------------
@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: dsp.iirnotch(0.0, 30), r"`w0` must lie strictly between 0 and the Nyquist"),
        (lambda: dsp.iirnotch(1.0, 30), r"`w0` must lie strictly between .*; got 1.0"),
        (lambda: dsp.iirpeak(500.0, 30, fs=1000.0), r"`w0` .*Nyquist frequency 500"),
        (lambda: dsp.iirnotch(np.nan, 30), r"`w0` must lie strictly .*; got nan"),
        (lambda: dsp.iirnotch([0.2], 30), r"`w0` must be a single frequency; got \[0.2\]"),
        (lambda: dsp.iirnotch(0.2 + 0j, 30), r"`w0` must be a real frequency"),
        (lambda: dsp.iirpeak(0.2, 0.0), r"`Q` must be a finite number > 0; got 0.0"),
        (lambda: dsp.iirpeak(0.2, -5.0), r"`Q` must be a finite number > 0; got -5.0"),
        (lambda: dsp.iirnotch(0.2, np.inf), r"`Q` must be a finite number > 0; got inf"),
        (lambda: dsp.iirnotch(0.2, "30"), r"`Q` must be a finite number > 0; got '30'"),
        (lambda: dsp.iirnotch(0.5, 0.4), r"`Q` must be > 2\*w0/fs = 0.5.*unstable.*; got 0.4"),
        (lambda: dsp.iirpeak(300.0, 0.6, fs=1000.0), r"`Q` must be > 2\*w0/fs = 0.6"),
        (lambda: dsp.iirnotch(0.2, 30, fs=0.0), r"`fs` must be a finite number > 0; got 0.0"),
        (lambda: dsp.iirpeak(0.2, 30, fs=np.nan), r"`fs` must be a finite number > 0; got nan"),
        (lambda: dsp.iircomb(0.2, 30, fs=-2.0), r"`fs` must be a finite number > 0; got -2.0"),
        (lambda: dsp.iircomb(0.3, 30), r"`w0` must divide fs.*fs/w0 = 6.66"),
        (lambda: dsp.iircomb(1.0, 30), r"`w0` must lie strictly between"),
        (lambda: dsp.iircomb(0.5, 1.0), r"`Q` must be > 1 for a comb.*unstable.*; got 1.0"),
        (lambda: dsp.iircomb(0.5, 0.5, ftype="peak"), r"`Q` must be > 1 for a comb"),
        (lambda: dsp.iircomb(0.5, np.nan), r"`Q` must be a finite number > 0; got nan"),
        (lambda: dsp.iircomb(0.5, 30, ftype=None), r"`ftype` must be 'notch' or 'peak'"),
        (lambda: dsp.iircomb(0.5, 30, ftype="band"), r"`ftype` must be .*; got 'band'"),
        (lambda: dsp.iircomb(0.5, 30, pass_zero="yes"), r"`pass_zero` must be True or False"),
        (lambda: dsp.iircomb(1e-9, 30), r"`w0` must be >= fs/16777216"),
        (lambda: dsp.iircomb(1e-10, 30, fs=1e308), r"`w0` must be >= fs/16777216"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, pattern):
    with pytest.raises(InputError, match=pattern) as info:
        call()
    assert re.match(r"`[^`]+` .*; got .*\. Fix: ", str(info.value), re.S), str(info.value)


def test_wrong_types_are_type_errors_as_in_scipy():
    with pytest.raises(TypeError):
        ss.iirnotch(0.2, [1, 2, 3])
    with pytest.raises(InputTypeError):
        dsp.iirnotch(0.2, [1, 2, 3])
    with pytest.raises(InputTypeError, match=r"^`ftype`"):
        dsp.iircomb(0.5, 30, ftype=3)


def test_designs_are_memoised_and_handed_out_as_copies():
    b1, a1 = dsp.iircomb(0.5, 30.0)
    b1[:] = 0.0
    b2, _ = dsp.iircomb(0.5, 30.0)
    assert_matches(b2, ss.iircomb(0.5, 30.0)[0])
    n1, _ = dsp.iirnotch(0.25, 4.0)
    n1[:] = np.nan
    assert_matches(dsp.iirnotch(0.25, 4.0)[0], ss.iirnotch(0.25, 4.0)[0])


@pytest.mark.parametrize("design", [dsp.iirnotch, dsp.iirpeak, dsp.iircomb])
def test_xp_and_device_are_scipys(design):
    """SciPy's array API arguments: the same design in the namespace asked for."""
    want = getattr(ss, design.__name__)(100.0, 30.0, fs=1000.0)
    for xp, device in ((None, None), (np, None), (np, "cpu"), (None, "cpu")):
        got = design(100.0, 30.0, fs=1000.0, xp=xp, device=device)
        for g, w in zip(got, want):
            assert type(g) is np.ndarray
            assert_matches(g, w, rtol=1e-13)
    with pytest.raises(InputError, match="^`xp` must be an array namespace"):
        design(100.0, 30.0, fs=1000.0, xp="numpy")
    with pytest.raises(InputError, match="^`device` must be a device"):
        design(100.0, 30.0, fs=1000.0, device="gpu:7")
