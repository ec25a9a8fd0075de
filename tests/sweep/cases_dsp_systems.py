"""Bad-input cases of pyjl.dsp's system functions (see cases_dsp.py): transfer functions
and state space (``tf2ss``, ``ss2tf``, ``zpk2ss``, ``ss2zpk``, ``abcd_normalize``,
``cont2discrete``, ``normalize``, ``findfreqs``, ``freqz_sos``, ``BadCoefficients``),
partial fractions (``unique_roots``, ``residue``, ``residuez``, ``invres``,
``invresz``), ``gammatone``, the B-spline and symmetric IIR filters, and ``ShortTimeFFT``
(its constructor, ``stft``, ``istft``, ``spectrogram``, ``scale_to`` and the properties
set later) with ``closest_STFT_dual_window``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.signal as ss

from pyjl import dsp

from .cases_dsp import NAME, SOS, WORN, Int, X
from .families import Bool, Choice, Real, case, data_cases, param_cases

RNG = np.random.default_rng(20261207)
NUM, DEN = np.array([1.0, 3.0, 3.0]), np.array([1.0, 2.0, 1.0])
SS_A = np.array([[-2.0, -1.0], [1.0, 0.0]])
SS_B = np.array([[1.0], [0.0]])
SS_C = np.array([[1.0, 2.0]])
SS_D = np.array([[1.0]])
Z, P, K = np.array([-1.0]), np.array([-2.0, -3.0]), 2.0
#: 32 x 32: large enough for the smoothing splines' boundary sums to converge
IMG = RNG.standard_normal((32, 32))
KERNEL = np.array([1.0, 2.0, 1.0])
WIN = ss.windows.hann(16, sym=False)
HOP = 8
#: a gain: a complex one is a complex system, as SciPy takes it
GAIN = Real(2.0, override=(("complex", "either"),))
#: a pole of a symmetric IIR filter: strictly inside the unit circle
POLE = Real(0.3, low=-1.0, high=1.0, low_open=True, high_open=True)
#: a boundary-sum precision: any finite number (SciPy's default where < 0 or >= 1)
PRECISION = Real(-1.0)


def _rows(name, fn, arg, rows, names=()):
    """Hand-written ``(label, value, expect)`` cases of argument ``arg``: ``fn(value)``."""
    return [
        case(NAME + name, f"{arg}={label}", expect, (arg, *names), lambda v=v: fn(v))
        for label, v, expect in rows
    ]


def _data(name, fn, arg, base, kind="coef", *, changed=(), suffix="", **options):
    """``data_cases`` with the expectations of the labels in ``changed`` replaced and
    ``suffix`` added to the case names."""
    new = dict(changed)
    out = []
    for c in data_cases(NAME + name, fn, arg, base, kind, **options):
        label = c.name.split("=", 1)[1]
        out.append(replace(c, name=c.name + suffix, expect=new.get(label, c.expect)))
    return out


#: a ragged list of numerators is SciPy's SIMO numerator (aligned with leading zeros)
RAGGED_NUM = (("ragged", "either"),)


def transfer_functions():
    out = []
    # tf2ss: num 1-D or 2-D (one numerator per output), den 1-D
    tf = lambda **kw: dsp.tf2ss(**{"num": NUM, "den": DEN, **kw})  # noqa: E731
    out += _data("tf2ss", lambda v: tf(num=v), "num", NUM, max_ndim=3, changed=RAGGED_NUM)
    out += _data(
        "tf2ss",
        lambda v: tf(num=v),
        "num",
        np.vstack([NUM, NUM / 2]),
        max_ndim=2,
        suffix=" (2 outputs)",
    )
    out += _data("tf2ss", lambda v: tf(den=v), "den", DEN, max_ndim=1)
    out += _rows(
        "tf2ss",
        lambda v: tf(num=v[0], den=v[1]),
        "num",
        [
            ("improper", ([1.0, 2.0, 3.0, 4.0], DEN), "refuse"),
            ("leading zeros", ([0.0, 0.0, 1.0, 2.0], DEN), "either"),
            ("den all zeros", (NUM, [0.0, 0.0]), "refuse"),
            ("den leading zero", ([1.0, 2.0], [0.0, 1.0, 2.0]), "either"),
            ("scalars", (2.0, 3.0), "either"),
            ("1e300 / 1e-300", (NUM * 1e300, DEN * 1e-300), "either"),
        ],
        names=("den",),
    )
    nm = lambda **kw: dsp.normalize(**{"b": NUM, "a": DEN * 2, **kw})  # noqa: E731
    out += _data("normalize", lambda v: nm(b=v), "b", NUM, max_ndim=3, changed=RAGGED_NUM)
    out += _data("normalize", lambda v: nm(a=v), "a", DEN * 2, max_ndim=1)
    out += _rows(
        "normalize",
        lambda v: nm(b=v[0], a=v[1]),
        "a",
        [
            ("zeros", (NUM, [0.0, 0.0]), "refuse"),
            ("leading zero", (NUM, [0.0, 2.0, 1.0]), "either"),
            ("b vanishing leading terms", ([1e-20, 1.0, 2.0], DEN), "either"),
            ("b all zeros", ([0.0, 0.0], DEN), "either"),
            ("1e-300", (NUM, [1e-300, 1.0]), "either"),
        ],
        names=("b",),
    )
    ff = lambda **kw: dsp.findfreqs(**{"num": [1.0, 0.0], "den": DEN, "N": 9, **kw})  # noqa: E731
    out += _data("findfreqs", lambda v: ff(num=v), "num", [1.0, 0.0], max_ndim=1)
    out += _data("findfreqs", lambda v: ff(den=v), "den", DEN, max_ndim=1)
    out += _rows("findfreqs", lambda v: ff(den=v), "den", [("zeros", [0.0, 0.0], "refuse")])
    out += param_cases(NAME + "findfreqs", lambda v: ff(N=v), "N", Int(9, low=0, high=2**24))
    out += param_cases(NAME + "findfreqs", lambda v: ff(kind=v), "kind", Choice("ba"))
    fz = lambda **kw: dsp.findfreqs(**{"num": Z, "den": P, "N": 9, "kind": "zp", **kw})  # noqa: E731
    out += [
        replace(c, name=c.name + " (kind='zp')")
        for c in _data("findfreqs", lambda v: fz(num=v), "num", Z, max_ndim=1)
        + _data("findfreqs", lambda v: fz(den=v), "den", P, max_ndim=1)
    ]
    sfz = lambda **kw: dsp.freqz_sos(**{"sos": SOS, "worN": 64, **kw})  # noqa: E731
    out += _data("freqz_sos", lambda v: sfz(sos=v), "sos", SOS, max_ndim=2)
    out += param_cases(NAME + "freqz_sos", lambda v: sfz(worN=v), "worN", WORN)
    out += param_cases(
        NAME + "freqz_sos", lambda v: sfz(fs=v), "fs", Real(2.0, low=0.0, low_open=True)
    )
    out += param_cases(
        NAME + "freqz_sos", lambda v: sfz(whole=v), "whole", Bool(False, strict=False)
    )
    # a warning class, not a function of data: constructing and raising it as SciPy does
    out += [
        case(NAME + "BadCoefficients", "message", "either", (), lambda: dsp.BadCoefficients("m")),
        case(NAME + "BadCoefficients", "no arguments", "either", (), dsp.BadCoefficients),
        case(
            NAME + "BadCoefficients",
            "is SciPy's",
            "either",
            (),
            lambda: float(dsp.BadCoefficients is ss.BadCoefficients),
        ),
    ]
    return out


def _matrices(name, fn, names=("A", "B", "C", "D")):
    """Cases of each of the matrices ``A, B, C, D``; ``fn(A=, B=, C=, D=)``."""
    out = []
    for arg, base in zip(names, (SS_A, SS_B, SS_C, SS_D)):
        out += _data(
            name,
            lambda v, arg=arg: fn(**{arg: v}),
            arg,
            base,
            max_ndim=2,
            required=False,
            names=tuple(n for n in names if n != arg),
        )
    out += _rows(
        name,
        lambda v: fn(**v),
        "A",
        [
            ("3 x 3", {"A": np.eye(3)}, "refuse"),
            ("not square", {"A": np.ones((2, 3))}, "refuse"),
            ("1-D", {"A": np.ones(2)}, "refuse"),
            ("scalar", {"A": 1.0, "B": 1.0, "C": 1.0, "D": 0.0}, "either"),
        ],
        names=("B", "C", "D"),
    )
    out += _rows(
        name,
        lambda v: fn(**v),
        "B",
        [
            ("3 rows", {"B": np.ones((3, 1))}, "refuse"),
            ("2 inputs, D one", {"B": np.ones((2, 2))}, "refuse"),
            ("None", {"B": None}, "either"),
        ],
        names=("A", "C", "D"),
    )
    out += _rows(
        name,
        lambda v: fn(**v),
        "C",
        [
            ("3 columns", {"C": np.ones((1, 3))}, "refuse"),
            ("None", {"C": None}, "either"),
            ("D 2 outputs", {"D": np.ones((2, 1))}, "refuse"),
        ],
        names=("A", "B", "D"),
    )
    out += _rows(name, lambda v: fn(**v), "D", [("None", {"D": None}, "either")])
    return out


def state_space():
    out = []

    def abcd(A=SS_A, B=SS_B, C=SS_C, D=SS_D):
        return dsp.abcd_normalize(A, B, C, D)

    out += _matrices("abcd_normalize", abcd)
    out += _rows(
        "abcd_normalize",
        lambda v: dsp.abcd_normalize(**v),
        "A",
        [
            ("all None", {}, "refuse"),
            ("only A", {"A": SS_A}, "refuse"),
            ("only D", {"D": SS_D}, "refuse"),
            ("A and D", {"A": SS_A, "D": SS_D}, "either"),
        ],
        names=("B", "C"),
    )
    for name in ("ss2tf", "ss2zpk"):
        fn = getattr(dsp, name)

        def call(fn=fn, A=SS_A, B=SS_B, C=SS_C, D=SS_D, input=0):
            return fn(A, B, C, D, input=input)

        out += _matrices(name, call)
        out += param_cases(
            NAME + name, lambda v, c=call: c(input=v), "input", Int(0, low=0, high=0)
        )
        out += _rows(
            name,
            lambda v, c=call: c(B=np.ones((2, 3)), D=np.zeros((1, 3)), input=v),
            "input",
            [("2 of 3", 2, "either"), ("3 of 3", 3, "refuse"), ("-1 of 3", -1, "refuse")],
        )
        out += _rows(
            name,
            lambda v, c=call: c(B=v, D=np.zeros((1, 0))),
            "B",
            [("no inputs", np.zeros((2, 0)), "refuse")],
        )
    zs = lambda **kw: dsp.zpk2ss(**{"z": Z, "p": P, "k": K, **kw})  # noqa: E731
    out += _data("zpk2ss", lambda v: zs(z=v), "z", Z, max_ndim=1, names=("p",))
    out += _data("zpk2ss", lambda v: zs(p=v), "p", P, max_ndim=1, names=("z",))
    out += param_cases(NAME + "zpk2ss", lambda v: zs(k=v), "k", GAIN)
    out += _rows(
        "zpk2ss",
        lambda v: zs(z=v[0], p=v[1]),
        "z",
        [
            ("more zeros than poles", ([1.0, 2.0, 3.0], P), "refuse"),
            ("no zeros, no poles", ([], []), "either"),
            ("complex pair", ([1j, -1j], [-1.0 + 1j, -1.0 - 1j]), "either"),
        ],
        names=("p",),
    )
    out += _rows(
        "zpk2ss",
        lambda v: zs(k=v),
        "k",
        [("[2, 3]", [2.0, 3.0], "refuse"), ("[2]", [2.0], "either")],
    )
    return out


def discretize():
    out = []
    name = NAME + "cont2discrete"
    tf_sys, zpk_sys, ss_sys = (NUM[1:], DEN), (Z, P, K), (SS_A, SS_B, SS_C, SS_D)

    def c2d(system=ss_sys, dt=0.1, **kw):
        return dsp.cont2discrete(system, dt, **kw)

    out += _rows(
        "cont2discrete",
        lambda v: c2d(system=v),
        "system",
        [
            ("None", None, "refuse"),
            ("'abc'", "abc", "refuse"),
            ("a number", 1.0, "refuse"),
            ("1 part", (NUM,), "refuse"),
            ("5 parts", (*ss_sys, SS_D), "refuse"),
            ("an array", np.ones((2, 3)), "refuse"),
            ("(num, den) as a list", [NUM[1:], DEN], "either"),
            ("lists", tuple(m.tolist() for m in ss_sys), "either"),
            ("an lti", ss.lti(*ss_sys), "either"),
            ("a dlti", ss.dlti(*ss_sys), "either"),
            ("ss with None", (SS_A, SS_B, SS_C, None), "refuse"),
            ("ss 1-D A", (np.ones(1), [[1.0]], [[1.0]], [[0.0]]), "either"),
        ],
    )
    for system, labels in (
        (tf_sys, ("num", "den")),
        (zpk_sys, ("z", "p")),
        (ss_sys, ("A", "B", "C", "D")),
    ):
        for i, arg in enumerate(labels):

            def part(v, i=i, system=system):
                parts = list(system)
                parts[i] = v
                return c2d(system=tuple(parts))

            out += [
                replace(k, name=f"system {k.name}")
                for k in _data(
                    "cont2discrete",
                    part,
                    arg,
                    system[i],
                    max_ndim=2 if len(system) == 4 or arg == "num" else 1,
                    required=len(system) != 4,
                    names=("system", *labels),
                    changed=RAGGED_NUM if arg == "num" else (),
                )
            ]
    out += param_cases(
        name,
        lambda v: c2d(system=(Z, P, v)),
        "k",
        GAIN,
        names=("system",),
    )
    out += _rows(
        "cont2discrete",
        lambda v: c2d(system=v),
        "num",
        [("improper", ([1.0, 2.0, 3.0, 4.0], DEN), "refuse")],
        names=("system",),
    )
    out += _rows(
        "cont2discrete",
        lambda v: c2d(system=v),
        "z",
        [("more zeros than poles", ([1.0, 2.0, 3.0], P, 1.0), "refuse")],
        names=("system",),
    )
    out += _rows(
        "cont2discrete",
        lambda v: c2d(system=v),
        "A",
        [("3 x 3 with B 2 rows", (np.eye(3), SS_B, SS_C, SS_D), "refuse")],
        names=("system", "B", "C", "D"),
    )
    out += param_cases(name, lambda v: c2d(dt=v), "dt", Real(0.1, low=0.0, low_open=True))
    out += param_cases(name, lambda v: c2d(method=v), "method", Choice("zoh"))
    out += param_cases(
        name,
        lambda v: c2d(method="gbt", alpha=v),
        "alpha",
        Real(0.5, low=0.0, high=1.0, none=False),
    )
    for method in ("zoh", "foh", "impulse", "bilinear", "euler", "backward_diff"):
        out += _rows(
            "cont2discrete",
            lambda v, m=method: c2d(system=tf_sys, method=m, alpha=v),
            "alpha",
            [(f"nan with {method!r}", np.nan, "refuse")],
        )
    out += _rows(
        "cont2discrete",
        lambda v: c2d(**v),
        "dt",
        [
            (
                "2 with a pole at 1 (bilinear singular)",
                {"system": ([1.0], [1.0, -1.0]), "dt": 2.0, "method": "bilinear"},
                "refuse",
            ),
            ("1e308 with zoh", {"dt": 1e308}, "either"),
            ("1e-300", {"dt": 1e-300}, "either"),
        ],
        names=("system",),
    )
    out += _rows(
        "cont2discrete",
        lambda v: c2d(system=v, method="impulse"),
        "system",
        [("feedthrough with impulse", ss_sys, "refuse"), ("strictly proper", tf_sys, "either")],
        names=("method",),
    )
    return out


def partial_fractions():
    out = []
    roots = [1.0, 1.0005, 3.0, 1.0002]
    ur = lambda **kw: dsp.unique_roots(**{"p": roots, **kw})  # noqa: E731
    out += _data("unique_roots", lambda v: ur(p=v), "p", roots, max_ndim=1)
    out += param_cases(NAME + "unique_roots", lambda v: ur(tol=v), "tol", Real(1e-3, low=0.0))
    out += param_cases(NAME + "unique_roots", lambda v: ur(rtype=v), "rtype", Choice("min"))
    b, a = [1.0, 0.0, 1.0], [1.0, 2.0, 1.0]
    for name in ("residue", "residuez"):
        fn = getattr(dsp, name)
        call = lambda fn=fn, **kw: fn(**{"b": b, "a": a, **kw})  # noqa: E731
        out += _data(name, lambda v, c=call: c(b=v), "b", b, max_ndim=1)
        out += _data(name, lambda v, c=call: c(a=v), "a", a, max_ndim=1, names=("a[0]",))
        out += _rows(
            name,
            lambda v, c=call: c(a=v),
            "a",
            [
                ("zeros", [0.0, 0.0], "refuse"),
                ("leading zero", [0.0, 1.0, 2.0], "refuse" if name == "residuez" else "either"),
                ("one coefficient", [2.0], "either"),
            ],
            names=("a[0]",),
        )
        out += param_cases(NAME + name, lambda v, c=call: c(tol=v), "tol", Real(1e-3, low=0.0))
        out += param_cases(NAME + name, lambda v, c=call: c(rtype=v), "rtype", Choice("avg"))
    fractions = {
        "invres": ([-2.0, 2.0], [-1.0, -1.0], [1.0]),
        "invresz": ([-1.0, 2.0], [2.0, 3.0], [0.5]),
    }
    for name, (r, p, k) in fractions.items():
        fn = getattr(dsp, name)
        call = lambda fn=fn, r=r, p=p, k=k, **kw: fn(**{"r": r, "p": p, "k": k, **kw})  # noqa: E731
        out += _data(name, lambda v, c=call: c(r=v), "r", r, max_ndim=1, names=("p",))
        out += _data(name, lambda v, c=call: c(p=v), "p", p, max_ndim=1, names=("r",))
        out += _data(name, lambda v, c=call: c(k=v), "k", k, max_ndim=1)
        out += _rows(
            name,
            lambda v, c=call: c(**v),
            "r",
            [
                ("one residue for two poles", {"r": [1.0]}, "refuse"),
                ("no fractions", {"r": [], "p": []}, "either"),
                ("k empty", {"k": []}, "either"),
                ("complex pair", {"r": [1j, -1j], "p": [-1 + 1j, -1 - 1j]}, "either"),
            ],
            names=("p", "k"),
        )
        out += param_cases(NAME + name, lambda v, c=call: c(tol=v), "tol", Real(1e-3, low=0.0))
        out += param_cases(NAME + name, lambda v, c=call: c(rtype=v), "rtype", Choice("avg"))
    return out


def gammatone():
    name = NAME + "gammatone"

    def gt(freq=440.0, ftype="fir", **kw):
        return dsp.gammatone(freq, ftype, **{"fs": 16000.0, **kw})

    out = param_cases(
        name,
        lambda v: gt(freq=v),
        "freq",
        Real(440.0, low=0.0, high=8000.0, low_open=True, high_open=True),
        extra=(("[440]", [440.0], "refuse"), ("np.array(440.)", np.array(440.0), "either")),
    )
    out += param_cases(
        name,
        lambda v: gt(ftype=v),
        "ftype",
        Choice("fir"),
        extra=(("'IIR'", "IIR", "either"),),
    )
    for ftype in ("fir", "iir"):
        for arg, spec in (
            ("order", Int(4, low=1, high=24, none=True)),
            ("numtaps", Int(64, low=1, high=2**24, none=True)),
        ):
            out += [
                replace(k, name=f"{k.name} ({ftype})")
                for k in param_cases(
                    name, lambda v, a=arg, f=ftype: gt(ftype=f, **{a: v}), arg, spec
                )
            ]
    out += param_cases(
        name,
        lambda v: gt(fs=v),
        "fs",
        Real(16000.0, low=0.0, low_open=True, none=True),
        names=("freq",),
        extra=(("100 (freq above Nyquist)", 100.0, "refuse"),),
    )
    out += [
        replace(k, name=k.name + " (iir)")
        for k in param_cases(
            name,
            lambda v: gt(fs=v, ftype="iir"),
            "fs",
            Real(16000.0, low=0.0, low_open=True, none=True),
            names=("freq",),
        )
    ]
    out += _rows(
        "gammatone",
        lambda v: gt(**v),
        "fs",
        [("None, freq 0.3", {"fs": None, "freq": 0.3}, "either")],
        names=("freq",),
    )
    out += param_cases(name, lambda v: gt(xp=v), "xp", Choice(None, none=True))
    out += param_cases(name, lambda v: gt(device=v), "device", Choice(None, none=True))
    return out


def splines_1d():
    out = []
    sig = np.cumsum(RNG.standard_normal(64))
    for name, lamb in (("cspline1d", Real(0.0, low=0.0)), ("qspline1d", Real(0.0, high=0.0))):
        fn = getattr(dsp, name)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(v), "signal", sig, max_ndim=1)
        out += param_cases(NAME + name, lambda v, fn=fn: fn(sig, v), "lamb", lamb)
    out += _rows(
        "cspline1d",
        lambda v: dsp.cspline1d(v[0], v[1]),
        "lamb",
        [
            ("1/200 (no real pole pair)", (sig, 1 / 200), "refuse"),
            ("0.5 with 2 samples", (sig[:2], 0.5), "refuse"),
            ("0.5", (sig, 0.5), "either"),
            ("1e6", (sig, 1e6), "either"),
        ],
        names=("signal",),
    )
    out += _rows("qspline1d", lambda v: dsp.qspline1d(sig, v), "lamb", [("-1", -1.0, "refuse")])
    for name in ("cspline1d_eval", "qspline1d_eval"):
        fn = getattr(dsp, name)
        cj = getattr(ss, name.replace("_eval", ""))(sig)
        newx = np.linspace(-3.0, 70.0, 40)
        call = lambda fn=fn, cj=cj, newx=newx, **kw: fn(**{"cj": cj, "newx": newx, **kw})  # noqa: E731
        out += data_cases(NAME + name, lambda v, c=call: c(cj=v), "cj", cj, max_ndim=1)
        out += data_cases(NAME + name, lambda v, c=call: c(newx=v), "newx", newx)
        out += _rows(
            name,
            lambda v, c=call: c(newx=v),
            "newx",
            [
                ("2-D", newx.reshape(5, 8), "either"),
                ("scalar", 3.5, "either"),
                ("far beyond the ends", np.array([1e6, -1e6, 1e300]), "either"),
            ],
        )
        out += param_cases(
            NAME + name, lambda v, c=call: c(dx=v), "dx", Real(1.0), extra=(("0", 0.0, "refuse"),)
        )
        out += _rows(name, lambda v, c=call: c(dx=v), "dx", [("-1", -1.0, "either")])
        out += param_cases(NAME + name, lambda v, c=call: c(x0=v), "x0", Real(0.0))
        out += _rows(
            name,
            lambda v, c=call: c(cj=v),
            "cj",
            [("1 coefficient", [2.0], "either"), ("2-D", np.ones((2, 8)), "refuse")],
        )
        out += _rows(
            name,
            lambda v, c=call: c(dx=v[0], x0=v[1]),
            "dx",
            [("1e-310 (positions overflow)", (1e-310, 0.0), "refuse")],
            names=("newx",),
        )
    gs = lambda **kw: dsp.gauss_spline(**{"x": X, "n": 3, **kw})  # noqa: E731
    out += data_cases(NAME + "gauss_spline", lambda v: gs(x=v), "x", X)
    out += param_cases(
        NAME + "gauss_spline",
        lambda v: gs(n=v),
        "n",
        Real(3.0, low=0.0),
        extra=(("np.int64", np.int64(3), "valid"), ("[3]", [3.0], "refuse")),
    )
    return out


def splines_2d():
    out = []
    for name, lamb in (("cspline2d", Real(0.0)), ("qspline2d", Real(0.0, high=0.0))):
        fn = getattr(dsp, name)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(v), "signal", IMG, max_ndim=2)
        out += param_cases(NAME + name, lambda v, fn=fn: fn(IMG, v), "lamb", lamb)
        out += param_cases(NAME + name, lambda v, fn=fn: fn(IMG, 0.0, v), "precision", PRECISION)
        out += _rows(
            name,
            lambda v, fn=fn: fn(v),
            "signal",
            [("1-D", IMG[0], "either"), ("1 x 1", np.ones((1, 1)), "either")],
        )
    out += _rows(
        "cspline2d",
        lambda v: dsp.cspline2d(*v),
        "signal",
        [
            ("4 x 4 with lamb 5", (IMG[:4, :4], 5.0), "refuse"),
            ("complex with lamb 5", (IMG + 1j * IMG, 5.0), "refuse"),
            ("lamb 5", (IMG, 5.0), "either"),
        ],
        names=("lamb",),
    )
    sf = lambda **kw: dsp.spline_filter(**{"Iin": IMG, **kw})  # noqa: E731
    out += _data(
        "spline_filter",
        lambda v: sf(Iin=v),
        "Iin",
        IMG,
        "signal",
        max_ndim=2,
        # SciPy's spline_filter takes float and complex images only (a TypeError), and
        # keeps float32 with single-precision boundary sums (3% off the float64 result)
        changed=(("int64", "either"), ("object", "either"), ("float32", "either")),
    )
    out += param_cases(NAME + "spline_filter", lambda v: sf(lmbda=v), "lmbda", Real(5.0))
    out += _rows(
        "spline_filter",
        lambda v: sf(Iin=v),
        "Iin",
        [("4 x 4", IMG[:4, :4], "refuse"), ("1-D", IMG[0], "refuse")],
    )
    sp = lambda **kw: dsp.sepfir2d(**{"input": IMG, "hrow": KERNEL, "hcol": KERNEL, **kw})  # noqa: E731
    out += data_cases(NAME + "sepfir2d", lambda v: sp(input=v), "input", IMG, max_ndim=2)
    for arg in ("hrow", "hcol"):
        out += data_cases(
            NAME + "sepfir2d", lambda v, arg=arg: sp(**{arg: v}), arg, KERNEL, "coef", max_ndim=1
        )
        out += _rows(
            "sepfir2d",
            lambda v, arg=arg: sp(**{arg: v}),
            arg,
            [
                ("even length", [1.0, 1.0], "refuse"),
                ("longer than the image", np.ones(41), "either"),
            ],
        )
    return out


def symmetric_iir():
    out = []
    sig = np.cos(np.arange(64) / 5.0) + 0.1 * RNG.standard_normal(64)
    s1 = lambda **kw: dsp.symiirorder1(**{"signal": sig, "c0": 0.5, "z1": 0.3, **kw})  # noqa: E731
    out += data_cases(NAME + "symiirorder1", lambda v: s1(signal=v), "signal", sig)
    out += _data(
        "symiirorder1",
        lambda v: s1(signal=v),
        "signal",
        np.vstack([sig, sig]),
        "signal",
        max_ndim=2,
        suffix=" (2 rows)",
    )
    out += param_cases(NAME + "symiirorder1", lambda v: s1(c0=v), "c0", Real(0.5))
    out += param_cases(NAME + "symiirorder1", lambda v: s1(z1=v), "z1", POLE)
    out += param_cases(NAME + "symiirorder1", lambda v: s1(precision=v), "precision", PRECISION)
    out += _rows(
        "symiirorder1",
        lambda v: s1(**v),
        "signal",
        [
            ("8 samples with z1 0.99", {"signal": sig[:8], "z1": 0.99}, "refuse"),
            ("complex with complex z1", {"signal": sig + 1j, "z1": 0.3j}, "either"),
            ("complex z1 nan", {"signal": sig + 1j, "z1": complex(np.nan, 1)}, "refuse"),
            ("complex z1 |1|", {"signal": sig + 1j, "z1": 1j}, "refuse"),
        ],
        names=("z1",),
    )
    s2 = lambda **kw: dsp.symiirorder2(**{"input": sig, "r": 0.5, "omega": 0.3, **kw})  # noqa: E731
    out += _data(
        "symiirorder2",
        lambda v: s2(input=v),
        "input",
        sig,
        "signal",
        changed=(("complex", "refuse"),),
    )
    out += param_cases(NAME + "symiirorder2", lambda v: s2(r=v), "r", POLE)
    out += param_cases(NAME + "symiirorder2", lambda v: s2(omega=v), "omega", Real(0.3))
    out += param_cases(NAME + "symiirorder2", lambda v: s2(precision=v), "precision", PRECISION)
    out += _rows(
        "symiirorder2",
        lambda v: s2(**v),
        "input",
        [
            ("8 samples with r 0.99", {"input": sig[:8], "r": 0.99}, "refuse"),
            ("3-D", {"input": sig.reshape(2, 4, 8)}, "refuse"),
        ],
        names=("r",),
    )
    return out


def short_time_fft():
    out = []
    name = NAME + "ShortTimeFFT"

    def make(win=WIN, hop=HOP, fs=1.0, **kw):
        return dsp.ShortTimeFFT(win, hop, fs, **kw)

    def build(**kw):
        return make(**kw).stft(X)

    out += _data(
        "ShortTimeFFT", lambda v: build(win=v), "win", WIN, max_ndim=1, names=("fft_mode",)
    )
    out += _rows(
        "ShortTimeFFT",
        lambda v: build(win=v, fft_mode="twosided"),
        "win",
        [("complex (twosided)", WIN + 1j * WIN, "either"), ("zeros", np.zeros(16), "either")],
    )
    out += param_cases(name, lambda v: build(hop=v), "hop", Int(HOP, low=1))
    out += param_cases(name, lambda v: build(fs=v), "fs", Real(1.0, low=0.0, low_open=True))
    out += param_cases(name, lambda v: build(fft_mode=v), "fft_mode", Choice("onesided"))
    out += _rows(
        "ShortTimeFFT",
        lambda v: build(**v),
        "fft_mode",
        [
            ("'onesided2X' unscaled", {"fft_mode": "onesided2X"}, "refuse"),
            ("'onesided2X' scaled", {"fft_mode": "onesided2X", "scale_to": "psd"}, "either"),
            ("'centered'", {"fft_mode": "centered"}, "either"),
        ],
        names=("scale_to",),
    )
    out += param_cases(name, lambda v: build(mfft=v), "mfft", Int(16, low=16, none=True))
    out += _data(
        "ShortTimeFFT",
        lambda v: make(dual_win=v).istft(make().stft(X), k1=64),
        "dual_win",
        WIN,
        max_ndim=1,
        required=False,
    )
    out += _rows(
        "ShortTimeFFT",
        lambda v: build(dual_win=v),
        "dual_win",
        [("wrong length", np.ones(15), "refuse")],
    )
    out += param_cases(name, lambda v: build(scale_to=v), "scale_to", Choice(None, none=True))
    out += param_cases(
        name, lambda v: build(phase_shift=v), "phase_shift", Int(0, low=-15, high=15, none=True)
    )
    # the properties set after construction, and scale_to
    for prop, spec in (
        ("fs", Real(1.0, low=0.0, low_open=True)),
        ("T", Real(1.0, low=0.0, low_open=True)),
        ("fft_mode", Choice("onesided")),
        ("mfft", Int(16, low=16)),
        ("phase_shift", Int(0, low=-15, high=15, none=True)),
    ):

        def setter(v, prop=prop):
            sft = make()
            setattr(sft, prop, v)
            return sft.stft(X)

        out += [replace(k, name=f"{k.name} (set)") for k in param_cases(name, setter, prop, spec)]

    def scale(v):
        sft = make()
        sft.scale_to(v)
        return sft.stft(X)

    out += param_cases(name + ".scale_to", scale, "scaling", Choice("magnitude"))
    out += _stft_methods()
    cd = lambda **kw: dsp.closest_STFT_dual_window(**{"win": WIN, "hop": HOP, **kw})  # noqa: E731
    cname = "closest_STFT_dual_window"
    out += _data(cname, lambda v: cd(win=v), "win", WIN, max_ndim=1)
    out += param_cases(NAME + cname, lambda v: cd(hop=v), "hop", Int(HOP, low=1, high=16))
    out += _data(
        cname,
        lambda v: cd(desired_dual=v),
        "desired_dual",
        np.ones(16),
        max_ndim=1,
        required=False,
    )
    out += _rows(
        cname,
        lambda v: cd(**v),
        "desired_dual",
        [
            ("wrong length", {"desired_dual": np.ones(15)}, "refuse"),
            ("zeros", {"desired_dual": np.zeros(16)}, "either"),
        ],
    )
    out += _rows(
        cname,
        lambda v: cd(**v),
        "win",
        [("zeros", {"win": np.zeros(16)}, "refuse"), ("gappy at hop 16", {"hop": 16}, "either")],
        names=("hop",),
    )
    out += param_cases(NAME + cname, lambda v: cd(scaled=v), "scaled", Bool(True))
    return out


def _stft_methods():
    out = []
    sft = dsp.ShortTimeFFT(WIN, HOP, 1.0)
    p_min, p_max = sft.p_min, sft.p_max(X.size)
    name = NAME + "ShortTimeFFT.stft"
    st = lambda **kw: sft.stft(**{"x": X, **kw})  # noqa: E731
    out += data_cases(name, lambda v: st(x=v), "x", X)
    out += _rows(
        "ShortTimeFFT.stft",
        lambda v: st(x=v),
        "x",
        [("4 samples", X[:4], "refuse"), ("8 samples", X[:8], "either")],
    )
    slices = dict(none=True, low=p_min)
    for arg, spec in (
        ("p0", Int(p_min, high=p_max - 1, **slices)),
        ("p1", Int(p_max, high=p_max, none=True, low=p_min + 1)),
        ("k_offset", Int(0, none=False)),
        ("padding", Choice("zeros")),
        ("axis", Int(-1, low=-1, high=0)),
    ):
        out += param_cases(name, lambda v, arg=arg: st(**{arg: v}), arg, spec, names=("p0, p1",))
    out += _rows(
        "ShortTimeFFT.stft",
        lambda v: st(**v),
        "p0",
        [
            ("p0 = p1", {"p0": 3, "p1": 3}, "refuse"),
            (
                "k_offset off the signal, padding 'even'",
                {"k_offset": 500, "padding": "even"},
                "refuse",
            ),
            ("k_offset off the signal, padding 'zeros'", {"k_offset": 500}, "either"),
        ],
        names=("p0, p1", "k_offset"),
    )
    S = sft.stft(X)
    name = NAME + "ShortTimeFFT.istft"
    ist = lambda **kw: sft.istft(**{"S": S, "k1": X.size, **kw})  # noqa: E731
    s_nan, s_inf = S.copy(), S.copy()
    s_nan[3, 2], s_inf[3, 2] = np.nan, np.inf
    readonly = S.copy()
    readonly.setflags(write=False)
    for label, value, expect in (
        ("nan", s_nan, "refuse"),
        ("inf", s_inf, "refuse"),
        ("empty", np.empty((9, 0), complex), "refuse"),
        ("strings", np.full(S.shape, "a"), "refuse"),
        ("text", "abc", "refuse"),
        ("None", None, "refuse"),
        ("1-D", S[:, 0], "refuse"),
        ("wrong f_pts", S[:-1], "refuse"),
        ("3-D", np.stack([S, S]), "either"),
        ("real", S.real.copy(), "either"),
        ("bigendian", S.astype(">c16"), "valid"),
        ("readonly", readonly, "valid"),
        ("noncontiguous", np.repeat(S, 2, axis=1)[:, ::2], "valid"),
        ("list", S.tolist(), "valid"),
        ("complex64", S.astype(np.complex64), "either"),
    ):
        out.append(
            case(
                name,
                f"S={label}",
                expect,
                "S",
                lambda v=value: ist(S=v),
                (lambda: ist()) if expect == "valid" else None,
            )
        )
    k_max = sft.k_max(X.size)
    for arg, spec in (
        ("k0", Int(0, low=sft.k_min, high=k_max - 9)),
        ("k1", Int(X.size, low=sft.m_num // 2, high=k_max, none=True)),
        ("f_axis", Int(-2, low=-2, high=1)),
        ("t_axis", Int(-1, low=-2, high=1)),
    ):
        out += param_cases(
            name, lambda v, arg=arg: ist(**{arg: v}), arg, spec, names=("f_axis", "k0")
        )
    out += _rows(
        "ShortTimeFFT.istft",
        lambda v: ist(**v),
        "t_axis",
        [
            ("= f_axis", {"t_axis": 0, "f_axis": 0}, "refuse"),
            ("swapped", {"S": S.T.copy(), "f_axis": 1, "t_axis": 0}, "either"),
            ("k1 = k0", {"k0": 10, "k1": 10}, "refuse"),
        ],
        names=("f_axis", "k1", "k0"),
    )
    name = NAME + "ShortTimeFFT.spectrogram"
    sp = lambda **kw: sft.spectrogram(**{"x": X, **kw})  # noqa: E731
    out += data_cases(name, lambda v: sp(x=v), "x", X)
    out += data_cases(name, lambda v: sp(y=v), "y", X[::-1].copy(), required=False)
    out += param_cases(
        name,
        lambda v: sp(detr=v),
        "detr",
        Choice(None, none=True),
        extra=(
            ("'linear'", "linear", "either"),
            ("a function", lambda s: s - s.mean(axis=-1, keepdims=True), "either"),
            ("a function of the wrong shape", lambda s: s[..., :3], "refuse"),
        ),
    )
    for arg, spec in (
        ("p0", Int(p_min, high=p_max - 1, **slices)),
        ("padding", Choice("zeros")),
        ("axis", Int(-1, low=-1, high=0)),
    ):
        out += param_cases(name, lambda v, arg=arg: sp(**{arg: v}), arg, spec, names=("p0, p1",))
    return out


def last_names():
    """``find_peaks_cwt``, ``firwin_2d`` and ``band_stop_obj``."""
    widths = np.arange(1.0, 10.0)
    cwt = lambda **kw: dsp.find_peaks_cwt(**{"vector": X, "widths": widths, **kw})  # noqa: E731
    out = _data("find_peaks_cwt", lambda v: cwt(vector=v), "vector", X, "signal", max_ndim=1)
    out += _rows(
        "find_peaks_cwt",
        lambda v: cwt(widths=v),
        "widths",
        [("0", [0.0, 1.0], "refuse"), ("nan", [np.nan], "refuse"), ("[]", [], "refuse")],
    )
    out += param_cases(
        NAME + "find_peaks_cwt",
        lambda v: cwt(noise_perc=v),
        "noise_perc",
        Real(10.0, low=0.0, high=100.0),
    )
    out += param_cases(
        NAME + "find_peaks_cwt",
        lambda v: cwt(window_size=v),
        "window_size",
        Int(20, low=1, none=True),
    )
    out += _rows(
        "find_peaks_cwt",
        lambda v: cwt(max_distances=v),
        "max_distances",
        [("short", [1.0], "refuse"), ("negative", -widths, "refuse")],
    )
    fir = lambda **kw: dsp.firwin_2d(  # noqa: E731
        **{"hsize": (7, 7), "window": ("hamming", "hamming"), "fc": 0.4, **kw}
    )
    out += _rows(
        "firwin_2d",
        lambda v: fir(hsize=v),
        "hsize",
        [("(7,)", (7,), "refuse"), ("(0, 7)", (0, 7), "refuse"), ("(7, 1.5)", (7, 1.5), "refuse")],
    )
    out += _rows(
        "firwin_2d",
        lambda v: fir(window=v),
        "window",
        [("'hamming'", "hamming", "refuse"), ("bogus", ("hamming", "bogus"), "refuse")],
    )
    out += param_cases(
        NAME + "firwin_2d",
        lambda v: fir(fc=v),
        "fc",
        Real(0.4, low=0.0, high=1.0, low_open=True, high_open=True),
    )
    out += param_cases(NAME + "firwin_2d", lambda v: fir(circular=v), "circular", Bool(False))
    bso = lambda **kw: dsp.band_stop_obj(  # noqa: E731
        **{
            "wp": 1.5,
            "ind": 0,
            "passb": np.array([1.0, 4.0]),
            "stopb": np.array([2.0, 3.0]),
            "gpass": 1.0,
            "gstop": 40.0,
            "type": "butter",
            **kw,
        }
    )
    out += param_cases(
        NAME + "band_stop_obj", lambda v: bso(wp=v), "wp", Real(1.5, low=0.0, low_open=True)
    )
    out += param_cases(NAME + "band_stop_obj", lambda v: bso(ind=v), "ind", Int(0, low=0, high=1))
    out += _rows(
        "band_stop_obj",
        lambda v: bso(passb=v),
        "passb",
        [("3 edges", [1.0, 4.0, 5.0], "refuse"), ("inf", [1.0, np.inf], "refuse")],
    )
    out += _rows(
        "band_stop_obj",
        lambda v: bso(stopb=v),
        "stopb",
        [("0", [0.0, 3.0], "refuse"), ("nan", [np.nan, 3.0], "refuse")],
    )
    out += param_cases(
        NAME + "band_stop_obj",
        lambda v: bso(gpass=v),
        "gpass",
        Real(1.0, low=0.0, high=40.0, low_open=True),
    )
    out += param_cases(NAME + "band_stop_obj", lambda v: bso(type=v), "type", Choice("butter"))
    return out


def cases():
    return [
        *transfer_functions(),
        *state_space(),
        *discretize(),
        *partial_fractions(),
        *gammatone(),
        *splines_1d(),
        *splines_2d(),
        *symmetric_iir(),
        *short_time_fft(),
        *last_names(),
    ]
