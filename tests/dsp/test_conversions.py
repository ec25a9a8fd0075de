"""tf2zpk, zpk2tf, tf2sos, sos2tf, zpk2sos, sos2zpk and lfiltic equal SciPy's, round trips
keep the filter, lfiltic's state continues lfilter exactly, and bad arguments are refused
by name."""

import re
import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.dsp import _memo
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches


def _designs():
    out = []
    for name, design in (
        ("butter", lambda **kw: ss.butter(5, 0.3, **kw)),
        ("butter-band", lambda **kw: ss.butter(4, [0.2, 0.5], btype="band", **kw)),
        ("cheby1", lambda **kw: ss.cheby1(6, 1.0, 0.25, **kw)),
        ("cheby1-high", lambda **kw: ss.cheby1(3, 0.5, 0.4, btype="high", **kw)),
        ("ellip", lambda **kw: ss.ellip(4, 0.5, 60.0, 0.2, **kw)),
        ("ellip-stop", lambda **kw: ss.ellip(3, 1.0, 40.0, [0.3, 0.6], btype="stop", **kw)),
        ("ellip-analog", lambda **kw: ss.ellip(4, 1.0, 40.0, 2.0, analog=True, **kw)),
    ):
        out.append(pytest.param(design, "analog" in name, id=name))
    return out


DESIGNS = _designs()
PAIRINGS = [None, "nearest", "keep_odd", "minimal"]


def _same(got, want, rtol=1e-12):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w, rtol)
        return
    if np.ndim(want) == 0:
        assert np.asarray(got).dtype == np.asarray(want).dtype
        assert np.isclose(got, want, rtol=rtol, atol=0)
        return
    assert_matches(got, want, rtol=rtol)


def _sorted(roots):
    return np.sort_complex(np.asarray(roots, dtype=complex))


# ---------------------------------------------------------------- equal to SciPy


@pytest.mark.parametrize("design, analog", DESIGNS)
def test_tf2zpk_and_zpk2tf_equal_scipy(design, analog):
    b, a = design()
    _same(dsp.tf2zpk(b, a), ss.tf2zpk(b, a))
    z, p, k = design(output="zpk")
    _same(dsp.zpk2tf(z, p, k), ss.zpk2tf(z, p, k))


@pytest.mark.parametrize("pairing", PAIRINGS)
@pytest.mark.parametrize("design, analog", DESIGNS)
def test_zpk2sos_and_tf2sos_equal_scipy(design, analog, pairing):
    z, p, k = design(output="zpk")
    if analog and pairing not in (None, "minimal"):  # SciPy refuses these too
        with pytest.raises(InputError, match="^`pairing`"):
            dsp.zpk2sos(z, p, k, pairing=pairing, analog=analog)
        return
    want = ss.zpk2sos(z, p, k, pairing=pairing, analog=analog)
    _same(dsp.zpk2sos(z, p, k, pairing=pairing, analog=analog), want)
    b, a = design()
    want = ss.tf2sos(b, a, pairing=pairing, analog=analog)
    _same(dsp.tf2sos(b, a, pairing=pairing, analog=analog), want)


@pytest.mark.parametrize("design, analog", DESIGNS)
def test_sos2tf_and_sos2zpk_equal_scipy(design, analog):
    sos = design(output="sos") if not analog else ss.zpk2sos(*design(output="zpk"), analog=True)
    _same(dsp.sos2tf(sos), ss.sos2tf(sos))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.BadCoefficients)
        _same(dsp.sos2zpk(sos), ss.sos2zpk(sos))


@pytest.mark.parametrize(
    "func, args",
    [
        ("tf2zpk", ([1j, 1j], [1.0, 2.0])),  # complex numerator, complex gain
        ("tf2zpk", (np.float32([1, 2]), np.float32([1, 3]))),
        ("tf2zpk", ([1, 2, 1], [2, 1])),  # integers; a[0] != 1
        ("tf2zpk", ([1.0], [0.0, 1.0, 0.5])),  # leading zeros of `a` dropped
        ("tf2zpk", (2.0, 1.0)),  # scalars
        ("zpk2tf", ([], [], 1.0)),
        ("zpk2tf", ([1j, -1j, 2j, -2j], [1 + 1j, 3 - 100j, 3 + 100j, 1 - 1j], 23)),
        ("zpk2tf", ([[1, 2], [3, 4]], [1, 2], 1)),  # one numerator per row
        ("zpk2tf", ([[1, 2.0], [0.0, -1.0]], [3.0, 4.0], np.array([2.0, 0.5]))),
        ("zpk2tf", (np.float32([1, 2]), [], 1.0)),
        ("zpk2tf", ([0.5], [0.1], np.array(1j))),
        ("zpk2sos", ([], [], 2.0)),
        ("zpk2sos", ([-1, -1], np.complex64([0.57 + 0.29j, 0.57 - 0.29j]), np.float32(1))),
        ("zpk2sos", ([-1.0], [0.5, 0.2], 1 + 0j)),
        ("sos2tf", (np.float32([[4, 5, 6, 1, 2, 3]]),)),
        ("sos2tf", ([[1.0, 2.0, 1.0, 1.0, 0.1j, 0.2]],)),
        ("sos2tf", (np.zeros((0, 6)),)),
        ("sos2zpk", ([[1, 2, 3, 1, 0.2, 0.3], [4, 5, 6, 1, 0.4, 0.5]],)),
        ("sos2zpk", (np.zeros((0, 6)),)),
    ],
)
def test_edge_inputs_equal_scipy(func, args):
    _same(getattr(dsp, func)(*args), getattr(ss, func)(*args))


def test_tf2sos_analog_equals_scipy():
    for analog in (False, True):
        b, a = [1.0], [1.0, 0.0, -1.01, 0.0, 0.01]
        _same(dsp.tf2sos(b, a, analog=analog), ss.tf2sos(b, a, analog=analog))


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("pairing", ["nearest", "keep_odd"])
@pytest.mark.parametrize("design, analog", [d for d in DESIGNS if not d.values[1]])
def test_tf_sos_tf_keeps_the_frequency_response(design, analog, pairing):
    b, a = design()
    b2, a2 = dsp.sos2tf(dsp.tf2sos(b, a, pairing=pairing))
    _, h = ss.freqz(b, a, worN=256)
    _, h2 = ss.freqz(b2, a2, worN=256)
    np.testing.assert_allclose(h2, h, atol=1e-8 * np.max(np.abs(h)))


@pytest.mark.parametrize("design, analog", [d for d in DESIGNS if not d.values[1]])
def test_zpk_round_trips_keep_the_roots(design, analog):
    z, p, k = design(output="zpk")
    z2, p2, k2 = dsp.tf2zpk(*dsp.zpk2tf(z, p, k))
    np.testing.assert_allclose(_sorted(p2), _sorted(p), atol=1e-6)
    assert np.isclose(k2, k, rtol=1e-10)
    sos = dsp.zpk2sos(z, p, k)
    _, h = ss.freqz_zpk(z, p, k, worN=128)
    _, h2 = ss.sosfreqz(sos, worN=128)
    np.testing.assert_allclose(h2, h, atol=1e-10 * np.max(np.abs(h)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.BadCoefficients)
        _, p3, _ = dsp.sos2zpk(sos)
    assert np.sum(np.abs(p3) > 0) == p.size  # the poles added at the origin are zero


# ---------------------------------------------------------------- lfiltic


@pytest.mark.parametrize(
    "b, a",
    [
        ss.butter(3, 0.2),
        ss.cheby1(4, 1.0, 0.3),
        ([0.5, 1.0, 0.2], [2.0, 1.0, 3.0]),  # a[0] != 1
        ([0.5, 1.0, 0.2, -0.1], [1.0, -0.5]),  # longer b
        ([1.0, 0.5], [1.0, -0.3, 0.2, 0.1]),  # longer a
        ([0.25, 0.5, 0.25], [1.0]),  # FIR
    ],
)
@pytest.mark.parametrize("k", [1, 4, 17])
def test_lfiltic_state_continues_lfilter(b, a, k, rng):
    x = rng.standard_normal(40)
    y = ss.lfilter(b, a, x[:k])
    zi = dsp.lfiltic(b, a, y[::-1], x[:k][::-1])
    _same(zi, ss.lfiltic(b, a, y[::-1], x[:k][::-1]))
    rest, _ = ss.lfilter(b, a, x[k:], zi=zi)
    np.testing.assert_allclose(np.r_[y, rest], ss.lfilter(b, a, x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "args",
    [
        ([1, 2], [1], [1, 0]),  # integers: float64
        (np.float32([1, 2]), np.float32([1, 0.5]), np.float32([1])),
        (np.float32([1, 2]), [1, 0.5], np.float32([1]), [2.0]),
        ([1.0, 2j], [1.0, 0.5], [1.0]),
        ([1.0], [1.0], [True, False]),
        ([1.0, 0.5, 0.25], [1.0, 0.2], []),  # empty y: zeros
        ([1.0, 0.5], [1.0, 0.2, 0.1], [3.0, 2.0, 1.0, 0.0], [1.0, 2.0, 3.0]),  # longer than needed
        (1.0, 1.0, 2.0),
    ],
)
def test_lfiltic_equals_scipy(args):
    _same(dsp.lfiltic(*args), ss.lfiltic(*args))


# ---------------------------------------------------------------- warnings and memo


def test_bad_coefficients_warn_every_call():
    for _ in range(2):
        with pytest.warns(ss.BadCoefficients):
            dsp.tf2zpk([1e-15], [1.0, 1.0])
    sos = ss.butter(12, [5.0, 30.0], "bandpass", fs=1200.0, output="sos")
    for _ in range(2):
        with pytest.warns(ss.BadCoefficients):
            z, p, _ = dsp.sos2zpk(sos)
    assert z.shape == p.shape == (24,)


def test_results_are_the_callers_own():
    _memo.clear()
    b, a = ss.butter(3, 0.2)
    first = dsp.tf2sos(b, a)
    first[:] = 0
    assert np.array_equal(dsp.tf2sos(b, a), ss.tf2sos(b, a))
    z, _, _ = dsp.tf2zpk(b, a)
    z[:] = 7
    assert not np.any(dsp.tf2zpk(b, a)[0] == 7)


# ---------------------------------------------------------------- refusals

B, A = ss.butter(2, 0.2)
Z, P, K = ss.butter(2, 0.2, output="zpk")
SOS = ss.butter(2, 0.2, output="sos")

BAD = [
    ("b", lambda: dsp.tf2zpk([1.0, np.nan], A)),
    ("b", lambda: dsp.tf2zpk([], A)),
    ("b", lambda: dsp.tf2zpk([[1.0, 2.0]], A)),
    ("b", lambda: dsp.tf2zpk("abc", A)),
    ("a", lambda: dsp.tf2zpk(B, [0.0, 0.0])),
    ("a", lambda: dsp.tf2zpk(B, [1.0, np.inf])),
    ("a", lambda: dsp.tf2zpk(B, None)),
    ("z", lambda: dsp.zpk2tf([np.nan], P, K)),
    ("z", lambda: dsp.zpk2tf(np.zeros((2, 2, 2)), P, K)),
    ("z", lambda: dsp.zpk2tf(np.zeros((0, 2)), P, K)),
    ("p", lambda: dsp.zpk2tf(Z, [[0.5]], K)),
    ("p", lambda: dsp.zpk2tf(Z, ["a"], K)),
    ("k", lambda: dsp.zpk2tf(Z, P, np.inf)),
    ("k", lambda: dsp.zpk2tf(Z, P, [1.0, 2.0])),
    ("k", lambda: dsp.zpk2tf(Z, P, None)),
    ("z", lambda: dsp.zpk2tf([1e200] * 3, [], 1.0)),  # overflows
    ("z", lambda: dsp.zpk2sos([1 + 1j], P, K)),  # no conjugate
    ("p", lambda: dsp.zpk2sos(Z, [0.5 + 0.1j, 0.2], K)),
    ("z", lambda: dsp.zpk2sos([1.0, 2.0], [0.5], 1.0, pairing="minimal")),
    ("k", lambda: dsp.zpk2sos(Z, P, 1j)),
    ("k", lambda: dsp.zpk2sos(Z, P, [1.0, 2.0])),
    ("k", lambda: dsp.zpk2sos(Z, P, np.nan)),
    ("pairing", lambda: dsp.zpk2sos(Z, P, K, pairing="bogus")),
    ("pairing", lambda: dsp.zpk2sos(Z, P, K, pairing="nearest", analog=True)),
    ("analog", lambda: dsp.zpk2sos(Z, P, K, analog="yes")),
    ("b", lambda: dsp.tf2sos([1.0, 1j], A)),
    ("b", lambda: dsp.tf2sos([1.0, 2.0, 1.0], [1.0, 0.5], pairing="minimal")),
    ("a", lambda: dsp.tf2sos(B, [np.nan, 1.0])),
    ("pairing", lambda: dsp.tf2sos(B, A, pairing=3)),
    ("analog", lambda: dsp.tf2sos(B, A, analog=1)),
    ("sos", lambda: dsp.sos2tf(np.zeros((2, 5)))),
    ("sos", lambda: dsp.sos2tf(np.zeros((1, 2, 6)))),
    ("sos", lambda: dsp.sos2tf(np.r_[SOS[0, :5], np.nan][None])),
    ("sos", lambda: dsp.sos2tf([[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]])),
    ("sos", lambda: dsp.sos2zpk([[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]])),
    ("sos", lambda: dsp.sos2zpk("abc")),
    ("a", lambda: dsp.lfiltic(B, [], [0.0])),
    ("a[0]", lambda: dsp.lfiltic(B, [0.0, 2.0], [0.0, 0.0])),
    ("a", lambda: dsp.lfiltic(B, [[1.0], [2.0]], [0.0])),
    ("b", lambda: dsp.lfiltic([[1.0], [2.0]], A, [0.0])),
    ("y", lambda: dsp.lfiltic(B, A, [np.nan, 0.0])),
    ("y", lambda: dsp.lfiltic(B, A, np.zeros((2, 2)))),
    ("y", lambda: dsp.lfiltic(B, A, None)),
    ("x", lambda: dsp.lfiltic(B, A, [0.0], [np.inf])),
    ("x", lambda: dsp.lfiltic(B, A, [0.0], ["a"])),
    ("b", lambda: dsp.lfiltic([1e308, 1e308, 1e308], [1.0], [], [1e308, 1e308])),
]


@pytest.mark.parametrize("name, call", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_bad_input_is_refused_by_name(name, call):
    with pytest.raises(InputError, match=rf"^`{re.escape(name)}`"):
        call()


def test_wrong_types_are_type_errors():
    with pytest.raises(InputTypeError, match="`analog`"):
        dsp.zpk2sos(Z, P, K, analog=None)
    with pytest.raises(InputTypeError, match="`b`"):
        dsp.tf2zpk(np.array(["a"]), A)


@pytest.mark.parametrize("pairing", ["keep_odd", "minimal"])
def test_a_pairing_scipy_cannot_make_is_refused_by_name(pairing):
    # SciPy 1.17 raises a bare IndexError when a real pole is left with no real zero
    z, p = [0.8j, -0.8j, -0.7], [0.7, -0.6 + 0.5j, -0.6 - 0.5j, 0.75, 0.0]
    with pytest.raises(IndexError):
        ss.zpk2sos(z, p, 1.0, pairing=pairing)
    with pytest.raises(InputError, match="`pairing` must be a pairing SciPy can make.*'nearest'"):
        dsp.zpk2sos(z, p, 1.0, pairing=pairing)
    b, a = ss.zpk2tf(z, p, 1.0)
    with pytest.raises(InputError, match="`pairing` must be a pairing SciPy can make"):
        dsp.tf2sos(b, a, pairing=pairing)
