"""Analog prototypes, the lowpass transforms, the bilinear transform, analog and zpk
responses and the group delay equal SciPy's, meet closed forms, and refuse bad
arguments by name."""

import re
import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError, NumericalWarning

from .helpers import assert_matches

RNG = np.random.default_rng(20261206)

PROTOTYPES = [
    ("buttap", (0,), {}),
    ("buttap", (7,), {}),
    ("cheb1ap", (5, 1.0), {}),
    ("cheb1ap", (0, 3.0), {}),
    ("cheb2ap", (6, 40.0), {}),
    ("ellipap", (5, 0.5, 60.0), {}),
    ("ellipap", (1, 1.0, 20.0), {}),
    ("besselap", (4,), {"norm": "delay"}),
    ("besselap", (9,), {"norm": "mag"}),
    ("besselap", (np.int64(3),), {}),
]


@pytest.mark.parametrize("name, args, kwargs", PROTOTYPES)
def test_prototypes_equal_scipy(name, args, kwargs):
    z, p, k = getattr(dsp, name)(*args, **kwargs)
    zr, pr, kr = getattr(ss, name)(*args, **kwargs)
    assert_matches(z, zr, rtol=1e-13)
    assert_matches(p, pr, rtol=1e-13)
    assert k == pytest.approx(kr, rel=1e-13) and type(k) is type(kr)


def test_prototypes_with_xp():
    z, p, k = dsp.buttap(3, xp=np)
    assert isinstance(p, np.ndarray) and np.allclose(np.abs(p), 1.0)


def test_butterworth_poles_closed_form():
    n = 5
    _, p, _ = dsp.buttap(n)
    want = np.exp(1j * np.pi * (2 * np.arange(1, n + 1) + n - 1) / (2 * n))
    np.testing.assert_allclose(np.sort_complex(p), np.sort_complex(want), atol=1e-14)


BA = [
    (np.array([1.0]), np.array([1.0, np.sqrt(2), 1.0])),
    (np.array([2.0, 0.5]), np.array([1.0, 3.0, 2.0])),
    (np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0])),
    (np.array([1j]), np.array([1.0, 1j])),
    ([1, 0, 2], [0, 1, 2, 3]),  # ints, a leading zero in a
    (np.float32([1.0]), np.float32([1.0, 1.0])),
]


@pytest.mark.parametrize("b, a", BA)
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("lp2lp", {"wo": 3.5}),
        ("lp2hp", {"wo": 0.25}),
        ("lp2bp", {"wo": 2.0, "bw": 0.5}),
        ("lp2bs", {"wo": 10.0, "bw": 3.0}),
        ("bilinear", {"fs": 8.0}),
    ],
)
def test_ba_transforms_equal_scipy(name, kwargs, b, a):
    got, want = getattr(dsp, name)(b, a, **kwargs), getattr(ss, name)(b, a, **kwargs)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-12)


ZPK = [
    (np.array([]), np.array([-1.0]), 1.0),
    (np.array([-2.0, -3.0]), np.array([-1.0, -0.5 + 1j, -0.5 - 1j]), 2.0),
    (np.array([1j, -1j]), np.array([-1.0, -2.0]), 0.5),
    ([], [], 3),
]


@pytest.mark.parametrize("z, p, k", ZPK)
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("lp2lp_zpk", {"wo": 3.5}),
        ("lp2hp_zpk", {"wo": 0.25}),
        ("lp2bp_zpk", {"wo": 2.0, "bw": 0.5}),
        ("lp2bs_zpk", {"wo": 10.0, "bw": 3.0}),
        ("bilinear_zpk", {"fs": 8.0}),
    ],
)
def test_zpk_transforms_equal_scipy(name, kwargs, z, p, k):
    got, want = getattr(dsp, name)(z, p, k, **kwargs), getattr(ss, name)(z, p, k, **kwargs)
    for g, w in zip(got[:2], want[:2]):
        assert_matches(np.sort_complex(g), np.sort_complex(w), rtol=1e-12)
    assert got[2] == pytest.approx(want[2], rel=1e-12)


def test_lp2lp_closed_form():
    # 1 / (s + 1) with cutoff wo is wo / (s + wo)
    b, a = dsp.lp2lp([1.0], [1.0, 1.0], wo=7.0)
    np.testing.assert_allclose(b, [7.0])
    np.testing.assert_allclose(a, [1.0, 7.0])


def test_bilinear_closed_form():
    # 1 / (s + 1) at fs: H(z) = (1 + z^-1) / ((2fs + 1) + (1 - 2fs) z^-1)
    fs = 5.0
    b, a = dsp.bilinear([1.0], [1.0, 1.0], fs=fs)
    np.testing.assert_allclose(b, np.array([1.0, 1.0]) / (2 * fs + 1))
    np.testing.assert_allclose(a, [1.0, (1 - 2 * fs) / (2 * fs + 1)])


def test_bilinear_zpk_agrees_with_bilinear():
    z, p, k = ss.cheb2ap(4, 40.0)
    bz, az = ss.zpk2tf(*dsp.bilinear_zpk(z, p, k, fs=3.0))
    b, a = dsp.bilinear(*ss.zpk2tf(z, p, k), fs=3.0)
    np.testing.assert_allclose(bz, b, atol=1e-12)
    np.testing.assert_allclose(az, a, atol=1e-12)


@pytest.mark.parametrize("worN", [None, 0, 1, 37, [0.0, 0.5, 1.0, 10.0], np.float32([2.0])])
def test_analog_responses_equal_scipy(worN):
    b, a = ss.butter(4, 2.0, analog=True)
    assert_matches(dsp.freqs(b, a, worN=worN)[1], ss.freqs(b, a, worN=worN)[1], rtol=1e-12)
    z, p, k = ss.ellip(3, 1, 40, 2.0, analog=True, output="zpk")
    got, want = dsp.freqs_zpk(z, p, k, worN=worN), ss.freqs_zpk(z, p, k, worN=worN)
    assert_matches(got[0], want[0])
    assert_matches(got[1], want[1], rtol=1e-12)


def test_freqs_closed_form_and_plot():
    seen = []
    w, h = dsp.freqs([1.0], [1.0, 1.0], worN=[0.0, 1.0, 3.0], plot=lambda w, h: seen.append(w))
    np.testing.assert_allclose(h, 1 / (1j * np.array([0.0, 1.0, 3.0]) + 1))
    assert len(seen) == 1


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"worN": 33, "whole": True}, {"worN": [0.0, 100.0, 250.0], "fs": 1000.0}, {"worN": 8}],
)
def test_freqz_zpk_equals_scipy(kwargs):
    z, p, k = ss.butter(5, 0.3, output="zpk")
    got, want = dsp.freqz_zpk(z, p, k, **kwargs), ss.freqz_zpk(z, p, k, **kwargs)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-12)


@pytest.mark.parametrize(
    ("fn", "zpk", "worN"),
    [
        ("freqz_zpk", ss.tf2zpk(ss.firwin(11, 0.3), [1.0]), 64),  # an FIR: 10 zeros, 0 poles
        ("freqz_zpk", ([0.5, 0.2, -0.3], [0.1], 1.0), 3),
        ("freqs_zpk", ([0.0, 0.0], [-1.0], 1.0), [1.0, 2.0]),
    ],
)
def test_frequency_responses_take_improper_systems_as_scipy(fn, zpk, worN):
    # more zeros than poles were refused with the transformations' rule
    got, want = getattr(dsp, fn)(*zpk, worN=worN), getattr(ss, fn)(*zpk, worN=worN)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-12)


def test_response_on_a_pole_warns():
    with pytest.warns(NumericalWarning, match="infinite or NaN"):
        dsp.freqs([1.0], [1.0, 0.0], worN=[0.0, 1.0])
    with pytest.warns(NumericalWarning, match="infinite or NaN"):
        dsp.freqz_zpk([], [1.0], 1.0, worN=[0.0, 1.0])


@pytest.mark.parametrize(
    "system, kwargs",
    [
        ((ss.firwin(31, 0.3), 1.0), {}),
        (ss.butter(4, 0.2), {"w": 64, "whole": True}),
        (ss.cheby1(5, 1, [0.2, 0.4], btype="band"), {"w": [0.1, 0.3, 0.9]}),
        (([1.0, 2j, 0.5], [1.0, -0.3j]), {"w": 16}),
        (ss.butter(3, 100.0, fs=1000.0), {"w": [10.0, 100.0], "fs": 1000.0}),
        (([1, 1], [1]), {"w": None}),
    ],
)
def test_group_delay_equals_scipy(system, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = ss.group_delay(system, **kwargs)
        got = dsp.group_delay(system, **kwargs)  # ([1, 1], [1]): a zero near Nyquist warns
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-10)


def test_group_delay_closed_forms():
    # a pure delay of d samples; a symmetric FIR of n taps delays (n - 1) / 2
    _, gd = dsp.group_delay(([0, 0, 0, 1.0], [1.0]), w=16)
    np.testing.assert_allclose(gd, 3.0, atol=1e-12)
    taps = ss.firwin(41, 0.2)
    _, gd = dsp.group_delay((taps, [1.0]), w=np.linspace(0.0, 0.15 * np.pi, 8))
    np.testing.assert_allclose(gd, 20.0, atol=1e-9)


def test_singular_group_delay_warns_and_is_zero():
    with pytest.warns(UserWarning, match="singular"):  # SciPy's own warning
        w, gd = dsp.group_delay(([1.0], [1.0, -1.0]), w=[0.0, 1.0])
    assert gd[0] == 0.0 and np.isfinite(gd).all()


def _refused(name, match, fn, *args, cls=InputError, **kwargs):
    with pytest.raises(cls, match=match) as info:
        fn(*args, **kwargs)
    assert f"`{name}`" in str(info.value)


@pytest.mark.parametrize(
    "name, match, fn, args, kwargs",
    [
        ("N", "integer", dsp.buttap, (-1,), {}),
        ("N", "integer", dsp.buttap, (2.5,), {}),
        ("N", "<= 84", dsp.besselap, (85,), {}),
        ("norm", "'phase', 'delay' or 'mag'", dsp.besselap, (3,), {"norm": "x"}),
        ("rp", "> 0", dsp.cheb1ap, (3, 0.0), {}),
        ("rs", "finite", dsp.cheb2ap, (3, np.nan), {}),
        ("rs", "at least the passband ripple", dsp.ellipap, (3, 40.0, 1.0), {}),
        ("xp", "array namespace", dsp.buttap, (3,), {"xp": "np"}),
        ("b", "finite", dsp.lp2lp, ([np.nan], [1.0, 1.0]), {}),
        ("a", "non-zero coefficient", dsp.lp2hp, ([1.0], [0.0, 0.0]), {}),
        ("a", "1-D", dsp.lp2bp, ([1.0], [[1.0, 1.0]]), {}),
        ("b", "numeric", dsp.lp2bs, ("abc", [1.0, 1.0]), {}),
        ("wo", "> 0", dsp.lp2lp, ([1.0], [1.0, 1.0]), {"wo": 0.0}),
        ("bw", "> 0", dsp.lp2bp, ([1.0], [1.0, 1.0]), {"bw": -1.0}),
        ("wo", "finite", dsp.lp2bs_zpk, ([], [-1.0], 1.0), {"wo": np.inf}),
        ("bw", "finite result", dsp.lp2bp, ([1.0], [1.0, 2.0, 2.0, 1.0]), {"bw": 1e308}),
        ("z", "no more zeros", dsp.lp2lp_zpk, ([1.0, 2.0], [-1.0], 1.0), {}),
        ("p", "finite", dsp.lp2hp_zpk, ([], [np.nan], 1.0), {}),
        ("k", "single finite number", dsp.lp2bp_zpk, ([], [-1.0], [1.0, 2.0]), {}),
        ("k", "finite", dsp.lp2bp_zpk, ([], [-1.0], np.inf), {}),
        ("fs", "> 0", dsp.bilinear, ([1.0], [1.0, 1.0]), {"fs": None}),
        ("b", "non-zero coefficient", dsp.bilinear, ([0.0, 0.0], [1.0, 1.0]), {}),
        ("p", "s = 2\\*fs", dsp.bilinear_zpk, ([], [-1.0, 20.0], 1.0), {"fs": 10.0}),
        ("fs", "> 0", dsp.bilinear_zpk, ([], [-1.0], 1.0), {"fs": 0.0}),
        ("worN", "integer >= 0", dsp.freqs, ([1.0], [1.0, 1.0]), {"worN": -1}),
        ("worN", "finite", dsp.freqs_zpk, ([], [-1.0], 1.0), {"worN": [0.0, np.nan]}),
        ("k", "real number", dsp.freqs_zpk, ([], [-1.0], 1j), {}),
        ("k", "real number", dsp.freqz_zpk, ([], [0.5], 1j), {}),
        ("fs", "> 0", dsp.freqz_zpk, ([], [0.5], 1.0), {"fs": -1.0}),
        ("system", "pair", dsp.group_delay, ([1.0, 2.0, 3.0],), {}),
        ("a", "non-zero coefficient", dsp.group_delay, (([1.0], [0.0]),), {}),
        ("w", "finite", dsp.group_delay, (([1.0], [1.0]),), {"w": [np.inf]}),
        ("w", "integer >= 0", dsp.group_delay, (([1.0], [1.0]),), {"w": -2}),
        ("fs", "> 0", dsp.group_delay, (([1.0], [1.0]),), {"fs": None}),
    ],
)
def test_refuses(name, match, fn, args, kwargs):
    with pytest.raises(InputError, match=match) as info:
        fn(*args, **kwargs)
    assert f"`{name}`" in str(info.value)


def test_wrong_types_are_type_errors():
    _refused("N", "integer", dsp.cheb1ap, "3", 1.0, cls=InputTypeError)
    _refused("system", "pair", dsp.group_delay, None, cls=InputTypeError)


def test_array_fs_is_refused_in_scipys_words():
    for fn, args in [
        (dsp.bilinear, ([1.0], [1.0, 1.0])),
        (dsp.bilinear_zpk, ([], [-1.0], 1.0)),
        (dsp.freqz_zpk, ([], [0.5], 1.0)),
        (dsp.group_delay, (([1.0], [1.0]),)),
    ]:
        with pytest.raises(InputError, match=re.escape("Sampling frequency fs must be a single")):
            fn(*args, fs=np.array([10.0, 20.0]))


def test_random_systems_equal_scipy():
    for _ in range(5):
        p = -RNG.uniform(0.1, 3.0, 4) + 1j * RNG.normal(size=4)
        z = 1j * RNG.normal(size=2)
        got, want = dsp.freqs_zpk(z, p, 1.5, worN=9), ss.freqs_zpk(z, p, 1.5, worN=9)
        assert_matches(got[1], want[1], rtol=1e-12)
        got, want = dsp.lp2bs_zpk(z, p, 1.5, wo=2.0), ss.lp2bs_zpk(z, p, 1.5, wo=2.0)
        assert_matches(got[1], want[1], rtol=1e-12)
