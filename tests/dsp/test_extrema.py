"""``argrelmin``, ``argrelmax``, ``argrelextrema`` and ``vectorstrength`` against
:mod:`scipy.signal` (identical indices and values, dtypes included), against closed forms
(the extrema of a sampled sine, perfectly locked and uniform phases), in pandas and Arrow
forms, and every refusal (each naming the argument)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.signal as ss

from pyjl.dsp import argrelextrema, argrelmax, argrelmin, vectorstrength
from pyjl.exceptions import InputError, InputTypeError

RNG = np.random.default_rng(20261206)


def _same(ours, theirs):
    assert type(ours) is type(theirs) and len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


SHAPES = [((40,), 0), ((40,), -1), ((5, 30), 1), ((30, 4), 0), ((2, 3, 25), 2), ((1,), 0)]
SHAPES += [((0,), 0), ((3, 0), 1), ((2,), 0)]


@pytest.mark.parametrize("shape, axis", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.uint8, bool])
def test_equal_scipy(shape, axis, dtype):
    x = RNG.integers(0, 4, shape).astype(dtype)  # few values: ties and plateaus
    for order in (1, 2, 5, 50):
        for mode in ("clip", "wrap"):
            for ours, theirs in ((argrelmin, ss.argrelmin), (argrelmax, ss.argrelmax)):
                _same(ours(x, axis, order, mode), theirs(x, axis, order, mode))
            for cmp in (np.greater_equal, np.less_equal, np.not_equal):
                _same(
                    argrelextrema(x, cmp, axis, order, mode),
                    ss.argrelextrema(x, cmp, axis, order, mode),
                )


def test_default_axis_is_zero_and_keywords():
    x = RNG.standard_normal((6, 7))
    _same(argrelmax(x), ss.argrelmax(x, axis=0))
    _same(argrelmin(data=x, order=2, mode="wrap", axis=1), ss.argrelmin(x, 1, 2, "wrap"))


def test_sine_closed_form():
    """cos sampled 16 times a period: maxima at multiples of 16, minima halfway."""
    x = np.cos(2 * np.pi * np.arange(160) / 16)
    np.testing.assert_array_equal(argrelmax(x)[0], np.arange(16, 160, 16))
    np.testing.assert_array_equal(argrelmin(x)[0], np.arange(8, 160, 16))
    np.testing.assert_array_equal(argrelmax(x, mode="wrap")[0], np.arange(0, 160, 16))
    np.testing.assert_array_equal(argrelmax(x, order=7)[0], np.arange(16, 160, 16))
    tri = np.tile([0, 1, 2, 3, 2, 1], 10)  # peaks of 3 every 6 samples, exactly equal
    np.testing.assert_array_equal(argrelmax(tri, order=5)[0], np.arange(3, 60, 6))
    assert argrelmax(tri, order=6)[0].size == 0  # the next peak ties: none is strict
    np.testing.assert_array_equal(
        argrelextrema(tri, np.greater_equal, order=6)[0], [3, 9, 15, 21, 27, 33, 39, 45, 51, 57]
    )


def test_huge_order_stops_at_the_length():
    """Shifts beyond the length repeat comparisons: any order >= n gives order n's answer
    (SciPy loops 2**70 times here: the global maximum survives every clipped shift)."""
    x = np.array([0.0, 1, 5, 2, 3, 1])
    for mode in ("clip", "wrap"):
        want = ss.argrelmax(x, order=6, mode=mode)
        _same(argrelmax(x, order=2**70, mode=mode), want)
        _same(argrelmax(x, order=7, mode=mode), ss.argrelmax(x, order=7, mode=mode))
    np.testing.assert_array_equal(argrelmax(x, order=2**70)[0], [2])


def test_axis_none_follows_the_time_axis_rule():
    x = RNG.standard_normal((4, 9))
    _same(argrelmin(x, axis=None), ss.argrelmin(x, axis=-1))


def test_integers_compare_exactly():
    """Integers beyond 2**53 differ by 1: compared as integers (float64 would tie)."""
    x = np.array([2**60, 2**60 + 1, 2**60, 2**60 + 1, 2**60 + 3], dtype=np.int64)
    np.testing.assert_array_equal(argrelmax(x)[0], [1])
    _same(argrelmax(x), ss.argrelmax(x))
    np.testing.assert_array_equal(argrelmin(x)[0], [2])


def test_forms():
    x = np.array([0, 2, 1, 3, 0, 1.0])
    want = ss.argrelmax(x)
    _same(argrelmax(pd.Series(x, index=list("abcdef"))), want)
    _same(argrelmax(pa.array(x)), want)
    _same(argrelmax(pa.chunked_array([x[:2], x[2:]])), want)
    _same(argrelmax(x.tolist()), want)
    frame = pd.DataFrame({"a": x, "b": x[::-1]})
    _same(argrelmax(frame), ss.argrelmax(frame.to_numpy(), axis=0))
    table = pa.table({"a": x, "b": x[::-1]})
    _same(argrelmin(table, axis=0), ss.argrelmin(frame.to_numpy(), axis=0))


def test_custom_comparator():
    x = RNG.standard_normal(50)

    def near(a, b):
        return np.abs(a - b) < 0.5

    _same(argrelextrema(x, near, order=2), ss.argrelextrema(x, near, order=2))


EXTREMA_REFUSALS = [
    ("data", lambda: argrelmax(np.array([1.0, np.nan, 2.0])), InputError),
    ("data", lambda: argrelmax(pd.Series([1.0, None, 2.0])), InputError),
    ("data", lambda: argrelmin(np.array([1 + 1j, 2])), InputError),
    ("data", lambda: argrelmin(["a", "b"]), InputTypeError),
    ("data", lambda: argrelmin(3.0), InputError),
    ("data", lambda: argrelmin(None), InputError),
    ("comparator", lambda: argrelextrema(np.ones(5), "greater"), InputTypeError),
    ("comparator", lambda: argrelextrema(np.ones(5), lambda a, b: True), InputError),
    ("comparator", lambda: argrelextrema(np.ones(5), lambda a, b: a[:2] > b[:2]), InputError),
    ("order", lambda: argrelmax(np.ones(5), order=0), InputError),
    ("order", lambda: argrelmax(np.ones(5), order=1.5), InputTypeError),
    ("order", lambda: argrelmax(np.ones(5), order=None), InputTypeError),
    ("mode", lambda: argrelmax(np.ones(5), mode="raise"), InputError),
    ("mode", lambda: argrelmax(np.ones(5), mode=None), InputError),
    ("axis", lambda: argrelmax(np.ones(5), axis=1), InputError),
    ("axis", lambda: argrelmax(np.ones(5), axis=0.5), InputTypeError),
]


def test_vectorstrength_equals_scipy():
    events = RNG.uniform(0, 20, 40)
    for ev in (events, events.astype(np.float32), np.arange(12), [0.1, 0.6], 0.5):
        for per in (1.0, 3, np.float32(0.7), [1.0, 2.5, 4.0], np.array([1, 2], np.float32)):
            ours, theirs = vectorstrength(ev, per), ss.vectorstrength(ev, per)
            for a, b in zip(ours, theirs):
                assert type(a) is type(b) and a.dtype == b.dtype
                np.testing.assert_array_equal(a, b)


def test_vectorstrength_closed_forms():
    locked = 3.0 * np.arange(10) + 0.75  # always a quarter period in
    s, p = vectorstrength(locked, 3.0)
    assert s == pytest.approx(1.0) and p == pytest.approx(np.pi / 2)
    uniform = np.arange(8) / 8.0
    s, _ = vectorstrength(uniform, [1.0, 0.5])
    np.testing.assert_allclose(s, 0.0, atol=1e-15)
    s, _ = vectorstrength(uniform, 2.0)  # half-circle phases: |mean| = 1 / (8 sin(pi/16))
    assert s == pytest.approx(1 / (8 * np.sin(np.pi / 16)), rel=1e-12)
    s, p = vectorstrength(pd.Series(locked), np.array([3.0]))
    assert s.shape == (1,) and s[0] == pytest.approx(1.0)


VS_REFUSALS = [
    ("events", lambda: vectorstrength([[1.0, 2.0]], 1.0), InputError),
    ("events", lambda: vectorstrength([], 1.0), InputError),
    ("events", lambda: vectorstrength([1.0, np.nan], 1.0), InputError),
    ("events", lambda: vectorstrength(["a"], 1.0), InputTypeError),
    ("events", lambda: vectorstrength([1e308], 1e-300), InputError),
    ("period", lambda: vectorstrength([1.0], 0), InputError),
    ("period", lambda: vectorstrength([1.0], -1.0), InputError),
    ("period", lambda: vectorstrength([1.0], [1.0, 0.0]), InputError),
    ("period", lambda: vectorstrength([1.0], [[1.0]]), InputError),
    ("period", lambda: vectorstrength([1.0], np.nan), InputError),
    ("period", lambda: vectorstrength([1.0], "1"), InputTypeError),
    ("period", lambda: vectorstrength([1.0], None), InputError),
]


@pytest.mark.parametrize(
    "name, call, kind",
    EXTREMA_REFUSALS + VS_REFUSALS,
    ids=[f"{r[0]}-{i}" for i, r in enumerate(EXTREMA_REFUSALS + VS_REFUSALS)],
)
def test_refusals_name_the_argument(name, call, kind):
    with pytest.raises(kind) as info:
        call()
    assert f"`{name}`" in str(info.value) and "Fix:" in str(info.value)
