"""Bad-input cases of pyjl.dsp's waveforms functions (see cases_dsp.py): waveforms and
test signals, maximum length sequences, relative extrema, vector strength and the
COLA/NOLA checks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pyjl import dsp

from .cases_dsp import NAME, Int, _windowed
from .families import Bool, Choice, Real, case, data_cases, param_cases

RNG = np.random.default_rng(20261206)
T = np.linspace(0.0, 2.0, 64)
X = RNG.standard_normal(64)
EVENTS = np.sort(RNG.uniform(0.0, 10.0, 32))
STATE = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 0], dtype=float)


def _rows(name, fn, arg, rows, names=()):
    """Hand-written ``(label, value, expect)`` cases of argument ``arg``: ``fn(value)``."""
    return [
        case(NAME + name, f"{arg}={label}", expect, (arg, *names), lambda v=v: fn(v))
        for label, v, expect in rows
    ]


def _waveforms():
    out = []
    ch = lambda **kw: dsp.chirp(**{"t": T, "f0": 2.0, "t1": 2.0, "f1": 6.0, **kw})  # noqa: E731
    out += data_cases(NAME + "chirp", lambda v: ch(t=v), "t", T)
    out += param_cases(NAME + "chirp", lambda v: ch(f0=v), "f0", Real(2.0))
    out += param_cases(
        NAME + "chirp", lambda v: ch(t1=v), "t1", Real(2.0), extra=(("0", 0.0, "refuse"),)
    )
    out += param_cases(NAME + "chirp", lambda v: ch(f1=v), "f1", Real(6.0))
    out += param_cases(NAME + "chirp", lambda v: ch(phi=v), "phi", Real(0.0))
    out += param_cases(NAME + "chirp", lambda v: ch(method=v), "method", Choice("linear"))
    out += param_cases(
        NAME + "chirp", lambda v: ch(vertex_zero=v, method="q"), "vertex_zero", Bool(True)
    )
    out += param_cases(NAME + "chirp", lambda v: ch(complex=v), "complex", Bool(False))
    out += _rows(
        "chirp",
        lambda v: ch(**v),
        "f0",
        [
            ("0 (logarithmic)", {"f0": 0.0, "method": "logarithmic"}, "refuse"),
            ("-2 (logarithmic)", {"f0": -2.0, "method": "logarithmic"}, "refuse"),
            ("0 (hyperbolic)", {"f0": 0.0, "method": "hyperbolic"}, "refuse"),
        ],
        names=("f1",),
    )
    sp = lambda **kw: dsp.sweep_poly(**{"t": T, "poly": [1.0, 0.0, 2.0], **kw})  # noqa: E731
    out += data_cases(NAME + "sweep_poly", lambda v: sp(t=v), "t", T)
    out += data_cases(
        NAME + "sweep_poly", lambda v: sp(poly=v), "poly", np.array([1.0, 0.0, 2.0]), "coef",
        max_ndim=1,
    )  # fmt: skip
    out += param_cases(NAME + "sweep_poly", lambda v: sp(phi=v), "phi", Real(0.0))
    for name, arg, ok in (("square", "duty", 0.5), ("sawtooth", "width", 1.0)):
        fn = getattr(dsp, name)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(v), "t", T * 10)
        out += param_cases(
            NAME + name,
            lambda v, fn=fn, arg=arg: fn(T * 10, **{arg: v}),
            arg,
            Real(ok, low=0.0, high=1.0),
            extra=(
                ("array", np.linspace(0, 1, 64), "either"),
                ("array out of range", np.linspace(0, 2, 64), "refuse"),
                ("wrong shape", np.full(3, 0.5), "refuse"),
            ),
        )
    return out


def _test_signals():
    out = []
    gp = lambda **kw: dsp.gausspulse(**{"t": T - 1.0, "fc": 5.0, **kw})  # noqa: E731
    out += data_cases(NAME + "gausspulse", lambda v: gp(t=v), "t", T - 1.0)
    out += _rows(
        "gausspulse",
        lambda v: gp(t=v),
        "t",
        [("'cutoff'", "cutoff", "either"), ("'bogus'", "bogus", "refuse")],
    )
    for arg, spec in {
        "fc": Real(5.0, low=0.0),
        "bw": Real(0.5, low=0.0, low_open=True),
        "bwr": Real(-6.0, high=0.0, high_open=True),
        "tpr": Real(-60.0, high=0.0, high_open=True),
    }.items():
        out += param_cases(
            NAME + "gausspulse", lambda v, arg=arg: gp(**{arg: v}), arg, spec, names=("bw",)
        )
    for arg in ("retquad", "retenv"):
        out += param_cases(
            NAME + "gausspulse", lambda v, arg=arg: gp(**{arg: v}), arg, Bool(False)
        )
    ml = lambda **kw: dsp.max_len_seq(**{"nbits": 10, **kw})  # noqa: E731
    out += param_cases(
        NAME + "max_len_seq", lambda v: ml(nbits=v), "nbits", Int(10, low=2, high=32)
    )
    out += param_cases(
        NAME + "max_len_seq", lambda v: ml(length=v), "length", Int(100, low=0, none=True)
    )
    out += data_cases(
        NAME + "max_len_seq", lambda v: ml(state=v), "state", STATE, "coef", required=False,
        max_ndim=1,
    )  # fmt: skip
    out += data_cases(
        NAME + "max_len_seq", lambda v: ml(taps=v), "taps", np.array([7.0]), "coef",
        required=False, max_ndim=1,
    )  # fmt: skip
    out += _rows(
        "max_len_seq",
        lambda v: ml(taps=v),
        "taps",
        [("[11]", [11], "refuse"), ("[-1]", [-1], "refuse"), ("[2.5]", [2.5], "refuse")],
    )
    out += _rows(
        "max_len_seq", lambda v: ml(state=v), "state", [("zeros", np.zeros(10), "refuse")]
    )
    ui = lambda **kw: dsp.unit_impulse(**{"shape": 8, **kw})  # noqa: E731
    out += param_cases(NAME + "unit_impulse", lambda v: ui(shape=v), "shape", Int(8, low=1))
    out += param_cases(
        NAME + "unit_impulse",
        lambda v: ui(idx=v),
        "idx",
        Int(3, low=-8, high=7, none=True),
        extra=(("'mid'", "mid", "either"), ("'bogus'", "bogus", "refuse")),
    )
    out += _rows(
        "unit_impulse",
        lambda v: ui(dtype=v),
        "dtype",
        [("int", int, "either"), ("'bogus'", "bogus", "refuse"), ("complex", complex, "either")],
    )
    out += _rows(
        "unit_impulse",
        lambda v: ui(shape=(3, 3), idx=v),
        "idx",
        [("(1, 2)", (1, 2), "either"), ("(1, 3)", (1, 3), "refuse"), ("(1,)", (1,), "refuse")],
    )
    return out


def _extrema():
    out = []
    for name in ("argrelmin", "argrelmax"):
        fn = getattr(dsp, name)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(v), "data", X)
        out += param_cases(NAME + name, lambda v, fn=fn: fn(X, order=v), "order", Int(1, low=1))
        out += param_cases(NAME + name, lambda v, fn=fn: fn(X, axis=v), "axis", Int(0, none=True))
        out += param_cases(NAME + name, lambda v, fn=fn: fn(X, mode=v), "mode", Choice("clip"))
    ae = lambda **kw: dsp.argrelextrema(**{"data": X, "comparator": np.greater, **kw})  # noqa: E731
    out += data_cases(NAME + "argrelextrema", lambda v: ae(data=v), "data", X)
    out += param_cases(NAME + "argrelextrema", lambda v: ae(order=v), "order", Int(1, low=1))
    out += param_cases(NAME + "argrelextrema", lambda v: ae(mode=v), "mode", Choice("clip"))
    out += _rows(
        "argrelextrema",
        lambda v: ae(comparator=v),
        "comparator",
        [
            ("np.less_equal", np.less_equal, "either"),
            ("'greater'", "greater", "refuse"),
            ("None", None, "refuse"),
            ("a scalar result", lambda a, b: True, "refuse"),
        ],
    )
    table = data_cases(
        NAME + "argrelmax", lambda v: dsp.argrelmax(v, axis=0), "data", X.reshape(16, 4), "table"
    )
    out += [replace(c, name=f"{c.name} (16 x 4)") for c in table]
    vs = lambda **kw: dsp.vectorstrength(**{"events": EVENTS, "period": 1.5, **kw})  # noqa: E731
    out += data_cases(
        NAME + "vectorstrength", lambda v: vs(events=v), "events", EVENTS, max_ndim=1
    )
    out += param_cases(
        NAME + "vectorstrength",
        lambda v: vs(period=v),
        "period",
        Real(1.5, low=0.0, low_open=True, none=False),
        extra=(
            ("[1.0, 2.5]", [1.0, 2.5], "either"),
            ("[1.0, 0.0]", [1.0, 0.0], "refuse"),
            ("[[1.0]]", [[1.0]], "refuse"),
        ),
    )
    return out


def _overlap():
    out = []
    for name in ("check_COLA", "check_NOLA"):
        fn = getattr(dsp, name)
        out += _windowed(name, lambda v, fn=fn: fn(v, 16, 8), 16)
        out += param_cases(
            NAME + name, lambda v, fn=fn: fn("hann", v, 0), "nperseg", Int(16, low=1)
        )
        out += param_cases(
            NAME + name, lambda v, fn=fn: fn("hann", 16, v), "noverlap", Int(8, low=0, high=15)
        )
        out += param_cases(
            NAME + name, lambda v, fn=fn: fn("hann", 16, 8, v), "tol", Real(1e-10, low=0.0)
        )
    return out


def cases():
    return [*_waveforms(), *_test_signals(), *_extrema(), *_overlap()]
