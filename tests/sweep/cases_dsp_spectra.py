"""Bad-input cases of pyjl.dsp's spectra functions (see cases_dsp.py): the chirp
z-transform (``czt``, ``zoom_fft``, ``CZT``, ``ZoomFFT``, ``czt_points``), ``envelope``
and ``lombscargle``."""

from __future__ import annotations

import numpy as np

from pyjl import dsp

from .families import Bool, Choice, Int, Real, case, data_cases, param_cases

RNG = np.random.default_rng(20261206)
X = RNG.standard_normal(64)
T = np.sort(RNG.uniform(0, 20, 64))
FREQS = np.linspace(0.1, 5.0, 40)
W = 0.99 * np.exp(-0.1j)
NAME = "pyjl.dsp."
#: a complex point (``w``, ``a``): any finite non-zero number; a string or None refused
POINT = (
    ("nan", np.nan, "refuse"),
    ("inf", np.inf, "refuse"),
    ("complex nan", complex(np.nan, 1), "refuse"),
    ("0", 0, "refuse"),
    ("str", "1", "refuse"),
    ("array", np.ones(2), "refuse"),
    ("True", True, "refuse"),
    ("-1", -1.0, "either"),
    ("1e300", 1e300, "either"),
    ("np.complex128", np.complex128(W), "either"),
)


def _points(name, fn, arg):
    return [
        case(NAME + name, f"{arg}={label}", expect, arg, lambda v=v: fn(v))
        for label, v, expect in POINT
    ]


def chirpz():
    out = []
    czt = lambda **kw: dsp.czt(**{"x": X, "m": 16, "w": W, **kw})  # noqa: E731
    out += data_cases(NAME + "czt", lambda v: czt(x=v), "x", X)
    out += param_cases(NAME + "czt", lambda v: czt(m=v), "m", Int(16, low=1, none=True))
    out += _points("czt", lambda v: czt(w=v), "w")
    out += _points("czt", lambda v: czt(a=v), "a")
    out += param_cases(
        NAME + "czt", lambda v: czt(axis=v), "axis", Int(0, low=-1, high=0, none=True)
    )
    zoom = lambda **kw: dsp.zoom_fft(**{"x": X, "fn": [0.1, 0.4], "m": 20, **kw})  # noqa: E731
    out += data_cases(NAME + "zoom_fft", lambda v: zoom(x=v), "x", X)
    out += param_cases(NAME + "zoom_fft", lambda v: zoom(fn=v), "fn", Real(0.5))
    out += [
        case(NAME + "zoom_fft", "fn=3 values", "refuse", "fn", lambda: zoom(fn=[0.1, 0.2, 0.3])),
        case(NAME + "zoom_fft", "fn=[0.1, nan]", "refuse", "fn", lambda: zoom(fn=[0.1, np.nan])),
        case(NAME + "zoom_fft", "fn=reversed", "either", "fn", lambda: zoom(fn=[0.4, 0.1])),
        case(NAME + "zoom_fft", "fn=empty", "refuse", "fn", lambda: zoom(fn=[])),
        case(NAME + "zoom_fft", "m=1 endpoint", "either", "m", lambda: zoom(m=1, endpoint=True)),
    ]
    out += param_cases(NAME + "zoom_fft", lambda v: zoom(m=v), "m", Int(20, low=1, none=True))
    out += param_cases(
        NAME + "zoom_fft", lambda v: zoom(fs=v), "fs", Real(2.0, low=0.0, low_open=True)
    )
    out += param_cases(NAME + "zoom_fft", lambda v: zoom(endpoint=v), "endpoint", Bool(False))
    out += param_cases(NAME + "CZT", lambda v: dsp.CZT(v, 8, W)(X[:5]), "n", Int(5, low=1))
    out += param_cases(NAME + "CZT", lambda v: dsp.CZT(64, v, W)(X), "m", Int(8, low=1, none=True))
    out += _points("CZT", lambda v: dsp.CZT(64, 8, v)(X), "w")
    out += _points("CZT", lambda v: dsp.CZT(64, 8, W, v)(X), "a")
    out += data_cases(NAME + "CZT", lambda v: dsp.CZT(64, 8, W)(v), "x", X)
    out.append(case(NAME + "CZT", "x=wrong length", "refuse", "x", lambda: dsp.CZT(64, 8)(X[:10])))
    zf = lambda **kw: dsp.ZoomFFT(**{"n": 64, "fn": 0.5, "m": 8, **kw})(X)  # noqa: E731
    out += param_cases(NAME + "ZoomFFT", lambda v: zf(fn=v), "fn", Real(0.5))
    out += param_cases(NAME + "ZoomFFT", lambda v: zf(m=v), "m", Int(8, low=1, none=True))
    out += param_cases(
        NAME + "ZoomFFT", lambda v: zf(fs=v), "fs", Real(2.0, low=0.0, low_open=True)
    )
    out += data_cases(NAME + "ZoomFFT", lambda v: dsp.ZoomFFT(64, 0.5, 8)(v), "x", X)
    out += param_cases(NAME + "czt_points", lambda v: dsp.czt_points(v, W), "m", Int(8, low=1))
    out += _points("czt_points", lambda v: dsp.czt_points(8, v), "w")
    out += _points("czt_points", lambda v: dsp.czt_points(8, W, v), "a")
    return out


def envelope():
    out = []
    env = lambda **kw: dsp.envelope(**{"z": X, **kw})  # noqa: E731
    out += data_cases(NAME + "envelope", lambda v: env(z=v), "z", X)
    out += param_cases(
        NAME + "envelope", lambda v: env(n_out=v), "n_out", Int(16, low=1, none=True)
    )
    out += param_cases(NAME + "envelope", lambda v: env(squared=v), "squared", Bool(False))
    out += param_cases(
        NAME + "envelope", lambda v: env(residual=v), "residual", Choice("all", none=True)
    )
    out += param_cases(
        NAME + "envelope", lambda v: env(axis=v), "axis", Int(0, low=-1, high=0, none=True)
    )
    for label, bp, expect in (
        ("3 values", (1, 2, 3), "refuse"),
        ("scalar", 3, "refuse"),
        ("str", "ab", "refuse"),
        ("1.5", (1.5, None), "refuse"),
        ("nan", (np.nan, None), "refuse"),
        ("empty band", (3, 3), "refuse"),
        ("reversed", (5, 2), "refuse"),
        ("above", (1, 40), "refuse"),
        ("below", (-40, 2), "refuse"),
        ("np.int64", (np.int64(1), None), "valid"),
        ("negative", (-5, 5), "either"),
        ("list", [1, None], "valid"),
    ):
        ref = (lambda: env(bp_in=(1, None))) if expect == "valid" else None
        out.append(
            case(
                NAME + "envelope",
                f"bp_in={label}",
                expect,
                ("bp_in", "bp_in[0]", "bp_in[1]"),
                lambda bp=bp: env(bp_in=bp),
                ref,
            )
        )
    return out


def lombscargle():
    out = []
    ls = lambda **kw: dsp.lombscargle(**{"x": T, "y": X, "freqs": FREQS, **kw})  # noqa: E731
    for arg, base in (("x", T), ("y", X), ("freqs", FREQS)):
        out += data_cases(
            NAME + "lombscargle",
            lambda v, arg=arg: ls(**{arg: v}),
            arg,
            base,
            max_ndim=1,
            tabular=False,
            real_only=True,
        )
    out += data_cases(
        NAME + "lombscargle",
        lambda v: ls(weights=v),
        "weights",
        np.abs(X) + 0.1,
        max_ndim=1,
        tabular=False,
        real_only=True,
        required=False,
    )
    out += [
        case(NAME + "lombscargle", "weights=negative", "refuse", "weights", lambda: ls(weights=X)),
        case(
            NAME + "lombscargle",
            "weights=zeros",
            "refuse",
            "weights",
            lambda: ls(weights=np.zeros(64)),
        ),
        case(NAME + "lombscargle", "y=wrong length", "refuse", "y", lambda: ls(y=X[:10])),
        case(
            NAME + "lombscargle",
            "y=constant normalized",
            "either",
            "y",
            lambda: ls(y=np.ones(64), normalize=True, floating_mean=True),
        ),
    ]
    out += param_cases(
        NAME + "lombscargle",
        lambda v: ls(normalize=v),
        "normalize",
        Choice("amplitude"),
        extra=(("True", True, "either"), ("np.True_", np.True_, "either")),
    )
    out += param_cases(
        NAME + "lombscargle", lambda v: ls(floating_mean=v), "floating_mean", Bool(True)
    )
    return out


def cases():
    return chirpz() + envelope() + lombscargle()
