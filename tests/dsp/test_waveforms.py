"""``chirp``, ``sweep_poly``, ``square``, ``sawtooth`` and ``gausspulse`` against
:mod:`scipy.signal` (bit for bit, dtypes and result types included), against their closed
forms (instantaneous frequencies, ramps, envelopes), in pandas and Arrow forms, and every
refusal (each naming the argument)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.signal as ss

from pyjl.dsp import chirp, gausspulse, sawtooth, square, sweep_poly
from pyjl.exceptions import InputError, InputTypeError

RNG = np.random.default_rng(20261206)
T = RNG.uniform(-3.0, 12.0, 64)
TIMES = [T, T.astype(np.float32), T.reshape(8, 8), np.arange(7), 0.5, [0.1, 0.2], np.empty(0)]
METHODS = ["linear", "quadratic", "logarithmic", "hyperbolic", "lin", "q", "log", "hyp"]


def _same(ours, theirs):
    """Identical results: same Python type (NumPy scalar or array), dtype and bits."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("vertex_zero", [True, False])
def test_chirp_equals_scipy(method, vertex_zero):
    for t in TIMES:
        for phi in (0, -37.5, np.float32(12.0)):
            for cplx in (False, True):
                args = (t, 2.0, 4.0, 7.0, method, phi, vertex_zero)
                _same(chirp(*args, complex=cplx), ss.chirp(*args, complex=cplx))


def test_chirp_integer_and_0d_arguments_equal_floats():
    t = np.linspace(-1, 1, 11)
    want = ss.chirp(t, 10.0, 3.0, 20.0)
    _same(chirp(t, 10, 3, 20), want)
    _same(chirp(t, np.asarray(10.0), np.asarray(3), np.float64(20)), want)


def _instantaneous_frequency(method, t, f0, t1, f1, vertex_zero=True):
    if method == "linear":
        return f0 + (f1 - f0) * t / t1
    if method == "quadratic":
        if vertex_zero:
            return f0 + (f1 - f0) * t**2 / t1**2
        return f1 - (f1 - f0) * (t1 - t) ** 2 / t1**2
    if method == "logarithmic":
        return f0 * (f1 / f0) ** (t / t1)
    return f0 * f1 * t1 / ((f0 - f1) * t + f1 * t1)


@pytest.mark.parametrize(
    "method, vertex_zero, f0, f1",
    [
        ("linear", True, 1.0, 9.0),
        ("linear", True, 20.0, 2.0),
        ("quadratic", True, 1.0, 9.0),
        ("quadratic", False, 9.0, 1.0),
        ("logarithmic", True, 2.0, 16.0),
        ("logarithmic", True, -8.0, -1.0),
        ("hyperbolic", True, 10.0, 1.0),
        ("hyperbolic", True, -1.0, -10.0),
    ],
)
def test_chirp_instantaneous_frequency_is_the_closed_form(method, vertex_zero, f0, f1):
    t = np.linspace(0, 2.0, 40001)
    z = chirp(t, f0, 2.0, f1, method, vertex_zero=vertex_zero, complex=True)
    freq = np.diff(np.unwrap(np.angle(z))) / (2 * np.pi * (t[1] - t[0]))
    mid = (t[1:] + t[:-1]) / 2
    want = _instantaneous_frequency(method, mid, f0, 2.0, f1, vertex_zero)
    np.testing.assert_allclose(freq, want, rtol=1e-5, atol=1e-5 * max(abs(f0), abs(f1)))
    assert z[0] == pytest.approx(1.0)  # phase 0 at t = 0


def test_chirp_linear_closed_form_and_phase_offset():
    t = np.linspace(-1, 3, 50)
    want = np.cos(2 * np.pi * (1.5 * t + 0.5 * (5.0 - 1.5) / 2.0 * t**2) + np.pi / 4)
    np.testing.assert_allclose(chirp(t, 1.5, 2.0, 5.0, phi=45), want, atol=1e-12)
    np.testing.assert_allclose(
        np.real(chirp(t, 1.5, 2.0, 5.0, complex=True)), chirp(t, 1.5, 2.0, 5.0), atol=1e-15
    )


def test_sweep_poly_equals_scipy_and_closed_form():
    for t in TIMES:
        for poly in (np.poly1d([1.0, 0.0, 2.0]), [2, 1, 0, -2], np.array([3.5]), (0.5, -1.0)):
            for phi in (0, 30.0):
                _same(sweep_poly(t, poly, phi), ss.sweep_poly(t, poly, phi))
    t = np.linspace(0, 2, 101)
    np.testing.assert_allclose(sweep_poly(t, [2.0]), np.cos(4 * np.pi * t), atol=1e-12)
    # f(t) = 2t + 1: phase 2 pi (t^2 + t)
    np.testing.assert_allclose(
        sweep_poly(t, [2.0, 1.0], 90), np.cos(2 * np.pi * (t * t + t) + np.pi / 2), atol=1e-12
    )


@pytest.mark.parametrize("fraction", [0, 0.25, 0.5, 1, 1.0, np.float32(0.3)])
def test_square_and_sawtooth_equal_scipy(fraction):
    for t in TIMES:
        _same(square(t, fraction), ss.square(t, fraction))
        _same(sawtooth(t, fraction), ss.sawtooth(t, fraction))


@pytest.mark.parametrize("t_dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32])
@pytest.mark.parametrize("fraction", [np.float32(0.6369617), np.float32(0.3), True, 1])
def test_square_and_sawtooth_work_in_the_dtype_scipy_promotes_to(t_dtype, fraction):
    # SciPy computes in the dtype of w + (t - t): float32 for small integers with float32
    t = np.arange(-32768, 32767).astype(t_dtype)
    _same(square(t, fraction), ss.square(t, fraction))
    _same(sawtooth(t, fraction), ss.sawtooth(t, fraction))
    t = np.float32(np.linspace(-40, 40, 1001))
    _same(sawtooth(t, fraction), ss.sawtooth(t, fraction))


def test_square_and_sawtooth_of_no_times_with_no_fractions_are_empty():
    for fn, ref in ((square, ss.square), (sawtooth, ss.sawtooth)):
        _same(fn(np.zeros(0), np.zeros(0)), ref(np.zeros(0), np.zeros(0)))


def test_square_and_sawtooth_broadcast_an_array_fraction():
    t = T.reshape(8, 8)
    duty = np.linspace(0, 1, 8)
    _same(square(t, duty), ss.square(t, duty))
    _same(sawtooth(t, duty), ss.sawtooth(t, duty))
    _same(square(0.5, duty), ss.square(0.5, duty))  # t broadcast up to the duties


def test_square_and_sawtooth_closed_forms():
    t = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    np.testing.assert_allclose(sawtooth(t), t / np.pi - 1, atol=1e-12)
    tri = np.where(t < np.pi, t / (np.pi / 2) - 1, 3 - t / (np.pi / 2))
    np.testing.assert_allclose(sawtooth(t, 0.5), tri, atol=1e-12)
    np.testing.assert_allclose(sawtooth(t + 4 * np.pi, 0.5), tri, atol=1e-9)  # periodic
    np.testing.assert_array_equal(square(t, 0.3), np.where(t < 0.3 * 2 * np.pi, 1.0, -1.0))
    assert np.all(square(t, 1) == 1) and np.all(square(t, 0) == -1)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"retquad": True},
        {"retenv": True},
        {"retquad": True, "retenv": True},
        {"fc": 5, "bw": 0.2, "bwr": -3.0},
        {"fc": 0},
    ],
)
def test_gausspulse_equals_scipy(kw):
    for t in TIMES:
        _same(gausspulse(t, **kw), ss.gausspulse(np.asarray(t), **kw))  # SciPy: no lists


@pytest.mark.parametrize("kw", [{}, {"fc": 2000.0, "tpr": -30}, {"bw": 1, "bwr": -6.0}])
def test_gausspulse_cutoff_equals_scipy_and_its_definition(kw):
    tc = gausspulse("cutoff", **kw)
    _same(tc, ss.gausspulse("cutoff", **kw))
    # the envelope has fallen by tpr dB at the cutoff time
    env = gausspulse(np.array([0.0, tc]), retenv=True, **{k: v for k, v in kw.items()})[1]
    assert env[0] == 1.0
    assert 20 * np.log10(env[1]) == pytest.approx(kw.get("tpr", -60), rel=1e-12)


def test_gausspulse_quadrature_and_envelope_closed_form():
    t = np.linspace(-1e-3, 1e-3, 101)
    yi, yq, env = gausspulse(t, fc=3000, bw=0.4, retquad=True, retenv=True)
    np.testing.assert_allclose(np.hypot(yi, yq), env, rtol=1e-12)
    a = -((np.pi * 3000 * 0.4) ** 2) / (4 * np.log(10 ** (-6 / 20)))
    np.testing.assert_allclose(env, np.exp(-a * t * t), rtol=1e-12)


def test_forms_in_same_kind_out():
    s = pd.Series(T[:10], index=list("abcdefghij"), name="time")
    for fn in (
        lambda t: chirp(t, 1, 2, 3),
        lambda t: sweep_poly(t, [1.0, 2.0]),
        lambda t: square(t),
        lambda t: sawtooth(t, 0.5),
        lambda t: gausspulse(t, fc=1),
    ):
        want = fn(T[:10])
        got = fn(s)
        assert isinstance(got, pd.Series) and list(got.index) == list(s.index)
        assert got.name == "time"
        np.testing.assert_array_equal(got.to_numpy(), want)
        frame = fn(pd.DataFrame({"a": T[:10], "b": T[10:20]}))
        assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["a", "b"]
        np.testing.assert_array_equal(frame["a"].to_numpy(), want)
        for arrow in (pa.array(T[:10]), pa.chunked_array([T[:4], T[4:10]])):
            got = fn(arrow)
            assert isinstance(got, (pa.Array, pa.ChunkedArray))
            np.testing.assert_array_equal(np.asarray(got), want)
    yi, env = gausspulse(s, fc=1, retenv=True)
    assert isinstance(yi, pd.Series) and isinstance(env, pd.Series)
    assert isinstance(chirp(s, 1, 2, 3, complex=True), pd.Series)


REFUSALS = [
    ("t", lambda: chirp([0.0, np.nan], 1, 2, 3), InputError),
    ("t", lambda: chirp(np.array([0, np.inf]), 1, 2, 3), InputError),
    ("t", lambda: chirp(["a"], 1, 2, 3), InputTypeError),
    ("t", lambda: chirp(np.array([1j]), 1, 2, 3), InputError),
    ("t", lambda: chirp(pa.array([1.0, None]), 1, 2, 3), InputError),
    ("t", lambda: chirp(1e306, 1, 2, 3), InputError),  # the phase overflows
    ("t1", lambda: chirp(T, 1e10, 1e-300, 2e10, "quadratic"), InputError),  # SciPy: 1/0
    ("t1", lambda: chirp(T, 1e10, 1e300, 2e10, "q", vertex_zero=False), InputError),
    ("t", lambda: chirp(T, -1e300, 1e-300, 1e300), InputError),  # the rate overflows
    ("t", lambda: chirp([0.0, 0.5], 1.0, 1.0, -1.0, "hyperbolic"), InputError),  # singular
    ("f0", lambda: chirp(T, np.nan, 2, 3), InputError),
    ("f0", lambda: chirp(T, "1", 2, 3), InputTypeError),
    ("t1", lambda: chirp(T, 1, 0, 3), InputError),
    ("t1", lambda: chirp(T, 1, [1, 2], 3), InputTypeError),
    ("f1", lambda: chirp(T, 1, 2, np.inf), InputError),
    ("method", lambda: chirp(T, 1, 2, 3, "cubic"), InputError),
    ("method", lambda: chirp(T, 1, 2, 3, 3), InputTypeError),
    ("phi", lambda: chirp(T, 1, 2, 3, phi=np.nan), InputError),
    ("vertex_zero", lambda: chirp(T, 1, 2, 3, "quadratic", vertex_zero="no"), InputTypeError),
    ("complex", lambda: chirp(T, 1, 2, 3, complex=1), InputTypeError),
    ("f0", lambda: chirp(T, 1, 2, -3, "logarithmic"), InputError),
    ("f0", lambda: chirp(T, 0, 2, 3, "logarithmic"), InputError),
    ("f0", lambda: chirp(T, 0, 2, 3, "hyperbolic"), InputError),
    ("f1", lambda: chirp(T, 1, 2, 0, "hyperbolic"), InputError),
    ("poly", lambda: sweep_poly(T, []), InputError),
    ("poly", lambda: sweep_poly(T, [[1.0, 2.0]]), InputError),
    ("poly", lambda: sweep_poly(T, ["a"]), InputTypeError),
    ("poly", lambda: sweep_poly(T, [1.0, np.nan]), InputError),
    ("poly", lambda: sweep_poly(T, [1j]), InputError),
    ("phi", lambda: sweep_poly(T, [1.0], phi="0"), InputTypeError),
    ("t", lambda: sweep_poly(None, [1.0]), InputError),
    ("duty", lambda: square(T, -0.1), InputError),
    ("duty", lambda: square(T, 1.5), InputError),
    ("duty", lambda: square(T, np.nan), InputError),
    ("duty", lambda: square(T, np.r_[np.zeros(63), 2.0]), InputError),
    ("duty", lambda: square(T, np.zeros(3)), InputError),  # does not broadcast
    ("t", lambda: square([np.nan]), InputError),
    ("width", lambda: sawtooth(T, 2), InputError),
    ("width", lambda: sawtooth(T, "a"), InputTypeError),
    ("t", lambda: sawtooth("abc"), InputTypeError),
    ("fc", lambda: gausspulse(T, fc=-1), InputError),
    ("bw", lambda: gausspulse(T, bw=0), InputError),
    ("bwr", lambda: gausspulse(T, bwr=0), InputError),
    ("tpr", lambda: gausspulse(T, tpr=3), InputError),
    ("fc", lambda: gausspulse("cutoff", fc=0), InputError),
    ("t", lambda: gausspulse("cut"), InputError),
    ("t", lambda: gausspulse([np.inf]), InputError),
    ("retquad", lambda: gausspulse(T, retquad="yes"), InputTypeError),
    ("retenv", lambda: gausspulse(T, retenv=None), InputTypeError),
]


@pytest.mark.parametrize(
    "name, call, kind", REFUSALS, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSALS)]
)
def test_refusals_name_the_argument(name, call, kind):
    with pytest.raises(kind) as info:
        call()
    assert f"`{name}`" in str(info.value)
    assert "Fix:" in str(info.value)
