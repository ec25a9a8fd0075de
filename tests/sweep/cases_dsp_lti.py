"""Bad-input cases of pyjl.dsp's LTI-system names (see cases_dsp.py): the classes ``lti``,
``dlti``, ``TransferFunction``, ``ZerosPolesGain`` and ``StateSpace`` (SciPy's own,
re-exported: their instances are checked where a function uses them, so their cases build
an instance and simulate it), ``lsim``, ``impulse``, ``step``, ``freqresp``, ``bode``,
``dlsim``, ``dimpulse``, ``dstep``, ``dfreqresp``, ``dbode`` and ``place_poles``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.signal as ss

from pyjl import dsp

from .cases_dsp import NAME, WORN, Int
from .cases_dsp_systems import _data, _rows
from .families import Bool, Choice, Real, case, param_cases

NUM, DEN = np.array([1.0, 3.0]), np.array([1.0, 2.0, 5.0])
Z, P, K = np.array([-1.0]), np.array([-2.0, -3.0]), 2.0
SS_A = np.array([[-2.0, -1.0], [1.0, 0.0]])
SS_B = np.array([[1.0], [0.0]])
SS_C = np.array([[1.0, 2.0]])
SS_D = np.array([[0.5]])
#: integer times (the int64 family keeps them equally spaced), step 1
T = np.arange(16.0)
U = np.sin(T)
X0 = np.array([0.5, -0.5])
DT = 0.1
DNUM, DDEN = ss.butter(2, 0.3)
PP_A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [-1.0, -2.0, -3.0]])
PP_B = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
POLES = np.array([-1.0, -2.0, -3.0])
#: a gain: a complex one is a complex system, as SciPy takes it
GAIN = Real(2.0, override=(("complex", "either"),))
#: a count of frequencies of SciPy's response functions: 0 gives none
COUNT = Int(16, low=0, none=True)
#: one number is every state's initial value
STATE = Real(0.5, none=True, override=(("complex", "either"),))


def _scalar(name, fn, arg, spec, suffix, **options):
    """``param_cases`` with ``suffix`` added to the case names (the array families of the
    same argument use the plain labels)."""
    return [
        replace(c, name=c.name + suffix)
        for c in param_cases(NAME + name, fn, arg, spec, **options)
    ]


#: the parts of a tuple system, each named by the refusal of a bad one
PARTS = ("num", "den", "zeros", "poles", "gain", "A", "B", "C", "D", "dt")


def _system_rows(name, call, discrete):
    """The whole ``system`` argument: wrong types, sizes and kinds."""
    dt = (DT,) if discrete else ()
    other = ss.lti(NUM, DEN) if discrete else ss.dlti(NUM, DEN, dt=DT)
    return _rows(
        name,
        call,
        "system",
        [
            ("None", None, "refuse"),
            ("'abc'", "abc", "refuse"),
            ("a number", 1.0, "refuse"),
            ("1 part", (NUM,), "refuse"),
            ("6 parts", (SS_A, SS_B, SS_C, SS_D, DT, DT), "refuse"),
            ("an array", np.ones((2, 3)), "refuse"),
            ("(num, den) as a list", [NUM, DEN, *dt], "either"),
            ("lists", (SS_A.tolist(), SS_B.tolist(), SS_C.tolist(), SS_D.tolist(), *dt), "either"),
            ("the other kind", other, "refuse"),
            ("ss with None", (SS_A, SS_B, SS_C, None, *dt), "refuse"),
            ("improper", ([1.0, 2.0, 3.0, 4.0], DEN, *dt), "either"),
            ("den all zeros", (NUM, [0.0, 0.0], *dt), "refuse"),
            ("zpk of a complex gain", (Z, P, 2.0 + 1.0j, *dt), "either"),
            ("num 1e300 / den 1e-300", (NUM * 1e300, DEN * 1e-300, *dt), "either"),
        ],
        names=PARTS,
    )


def _system_parts(name, call, discrete):
    """Each part of a tuple system in turn, through the array families."""
    dt = (DT,) if discrete else ()
    out = []
    for system, labels in (
        ((NUM, DEN), ("num", "den")),
        ((Z, P), ("zeros", "poles")),
        ((SS_A, SS_B, SS_C, SS_D), ("A", "B", "C", "D")),
    ):
        for i, arg in enumerate(labels):

            def part(v, i=i, system=system, zpk=labels[0] == "zeros"):
                parts = list(system)
                parts[i] = v
                return call((*parts, *((K,) if zpk else ()), *dt))

            out += [
                replace(k, name=f"system {k.name}")
                for k in _data(
                    name,
                    part,
                    arg,
                    system[i],
                    max_ndim=2 if len(system) == 4 or arg == "num" else 1,
                    required=len(system) != 4 and arg != "zeros",
                    names=("system", *labels),
                    changed=(("ragged", "either"),) if arg == "num" else (),
                )
            ]
    out += [
        replace(k, name=f"system {k.name}")
        for k in param_cases(
            NAME + name, lambda v: call((Z, P, v, *dt)), "gain", GAIN, names=("system",)
        )
    ]
    if discrete:
        out += param_cases(
            NAME + name,
            lambda v: call((NUM, DEN, v)),
            "dt",
            Real(DT, low=0.0, low_open=True),
            names=("system",),
            extra=(("True", True, "either"), ("False", False, "refuse")),
        )
    return out


def _classes():
    """SciPy's classes: an instance reaches pyjl's checks when a function uses it."""
    out = []
    lsim = lambda sys: dsp.lsim(sys, U, T)  # noqa: E731
    dlsim = lambda sys: dsp.dlsim(sys, U)  # noqa: E731
    for cls, parts, sim, other in (
        ("lti", (NUM, DEN), lsim, dlsim),
        ("dlti", (DNUM, DDEN), dlsim, lsim),
        ("TransferFunction", (NUM, DEN), lsim, dlsim),
        ("ZerosPolesGain", (Z, P, K), lsim, dlsim),
        ("StateSpace", (SS_A, SS_B, SS_C, SS_D), lsim, dlsim),
    ):
        make = getattr(dsp, cls)
        kwargs = {"dt": DT} if cls == "dlti" else {}
        first = np.array(parts[0], dtype=float)
        first.flat[0] = np.nan
        nan = (first,)
        out += [
            case(
                NAME + cls,
                "a valid instance, simulated",
                "valid",
                "system",
                lambda make=make, parts=parts, sim=sim, kw=kwargs: sim(make(*parts, **kw)),
                lambda parts=parts, sim=sim, kw=kwargs: sim(
                    ss.dlti(*parts, **kw) if kw else parts
                ),
            ),
            case(
                NAME + cls,
                "NaN in its first part, simulated",
                "refuse",
                "system",
                lambda make=make, parts=parts, sim=sim, kw=kwargs, nan=nan: sim(
                    make(*nan, *parts[1:], **kw)
                ),
            ),
            case(
                NAME + cls,
                "simulated as the other kind",
                "refuse",
                "system",
                lambda make=make, parts=parts, other=other, kw=kwargs: other(make(*parts, **kw)),
            ),
        ]
    return out


def _continuous():
    out = []
    ls = lambda **kw: dsp.lsim(**{"system": (NUM, DEN), "U": U, "T": T, **kw})  # noqa: E731
    out += _system_rows("lsim", lambda v: ls(system=v), False)
    out += _system_parts("lsim", lambda v: ls(system=v), False)
    out += _data(
        "lsim",
        lambda v: ls(U=v),
        "U",
        U,
        "signal",
        required=False,
        max_ndim=1,
        changed=(("bool", "either"),),
    )
    out += _data(
        "lsim",
        lambda v: ls(system=(SS_A, np.hstack([SS_B, SS_B]), SS_C, np.hstack([SS_D, SS_D])), U=v),
        "U",
        np.column_stack([U, U / 2]),
        "signal",
        required=False,
        max_ndim=2,
        suffix=" (2 inputs)",
    )
    out += _data("lsim", lambda v: ls(T=v), "T", T, "signal", max_ndim=1, tabular=True)
    out += _data("lsim", lambda v: ls(X0=v), "X0", X0, required=False, max_ndim=1)
    out += _scalar("lsim", lambda v: ls(X0=v), "X0", STATE, " (one number)")
    out += param_cases(NAME + "lsim", lambda v: ls(interp=v), "interp", Bool(True))
    out += _rows(
        "lsim",
        lambda v: ls(**v),
        "T",
        [
            ("unequal steps", {"T": np.r_[T[:-1], 20.0]}, "refuse"),
            ("decreasing", {"T": T[::-1].copy()}, "refuse"),
            ("negative start", {"T": T - 1.0}, "refuse"),
            ("shorter than U", {"T": T[:-1]}, "refuse"),
            ("one time", {"T": [0.0], "U": [1.0]}, "either"),
            ("a scalar", {"T": 0.0, "U": [1.0]}, "either"),
            ("later start", {"T": T + 2.0}, "either"),
            ("long unstable", {"T": T * 1e3, "system": ([1.0], [1.0, -1.0])}, "either"),
        ],
        names=("U",),
    )
    out += _rows(
        "lsim",
        lambda v: ls(U=v),
        "U",
        [("0 (no input)", 0, "either"), ("a non-zero number", 2.0, "refuse")],
    )
    for name in ("impulse", "step"):
        fn = getattr(dsp, name)
        out += _system_rows(name, fn, False)
        out += _rows(
            name,
            fn,
            "system",
            [
                (
                    "2 inputs",
                    (SS_A, np.hstack([SS_B, SS_B]), SS_C, np.hstack([SS_D, SS_D])),
                    "refuse",
                )
            ],
        )
        out += _data(
            name, lambda v, fn=fn: fn((NUM, DEN), X0=v), "X0", X0, required=False, max_ndim=1
        )
        out += _scalar(name, lambda v, fn=fn: fn((NUM, DEN), X0=v), "X0", STATE, " (one number)")
        out += _data(
            name,
            lambda v, fn=fn: fn((NUM, DEN), T=v),
            "T",
            T,
            "signal",
            required=False,
            max_ndim=1,
        )
        out += param_cases(
            NAME + name, lambda v, fn=fn: fn((NUM, DEN), N=v), "N", Int(20, low=1, none=True)
        )
    for name in ("freqresp", "bode"):
        fn = getattr(dsp, name)
        out += _system_rows(name, fn, False)
        out += _rows(
            name,
            fn,
            "system",
            [("2 outputs", ([NUM, NUM / 2], DEN), "refuse")],
        )
        if name == "freqresp":
            out += _system_parts(name, fn, False)
        out += _data(
            name,
            lambda v, fn=fn: fn((NUM, DEN), w=v),
            "w",
            np.logspace(-1, 1, 8),
            required=False,
            changed=(("1e308", "either"),),
        )
        out += _scalar(name, lambda v, fn=fn: fn((NUM, DEN), w=v), "w", WORN, " (a count)")
        out += param_cases(NAME + name, lambda v, fn=fn: fn((NUM, DEN), n=v), "n", COUNT)
        out += _rows(
            name,
            lambda v, fn=fn: fn(v, w=[0.0, 1.0]),
            "system",
            [
                ("a pole at 0", ([1.0], [1.0, 0.0]), "either"),
                ("a zero at 0", ([1.0, 0.0], DEN), "either"),
            ],
        )
    return out


def _discrete():
    out = []
    dl = lambda **kw: dsp.dlsim(**{"system": (DNUM, DDEN, DT), "u": U, **kw})  # noqa: E731
    out += _system_rows("dlsim", lambda v: dl(system=v), True)
    out += _system_parts("dlsim", lambda v: dl(system=v), True)
    out += _data("dlsim", lambda v: dl(u=v), "u", U, "signal", max_ndim=1, real_only=True)
    out += _data(
        "dlsim",
        lambda v: dl(
            system=(SS_A / 4, np.hstack([SS_B, SS_B]), SS_C, np.hstack([SS_D, SS_D]), DT), u=v
        ),
        "u",
        np.column_stack([U, U / 2]),
        "signal",
        max_ndim=2,
        real_only=True,
        suffix=" (2 inputs)",
    )
    out += _data(
        "dlsim", lambda v: dl(t=v), "t", T, "signal", required=False, max_ndim=1, real_only=True
    )
    out += _data(
        "dlsim",
        lambda v: dl(system=(SS_A / 4, SS_B, SS_C, SS_D, DT), x0=v),
        "x0",
        X0,
        required=False,
        max_ndim=1,
        real_only=True,
    )
    out += _scalar("dlsim", lambda v: dl(x0=v), "x0", Real(0.5, none=True), " (one number)")
    out += _rows(
        "dlsim",
        lambda v: dl(**v),
        "t",
        [
            ("decreasing", {"t": (T * DT)[::-1].copy()}, "refuse"),
            ("ending before 0", {"t": T * DT - 10.0}, "refuse"),
            ("starting before 0", {"t": T * DT - 0.5}, "either"),
            ("shorter than u", {"t": (T * DT)[:-1]}, "refuse"),
            ("2**30 steps", {"t": np.linspace(0, 2.0**30 * DT, 16)}, "refuse"),
            ("one time", {"t": [0.0], "u": [1.0]}, "either"),
            ("long unstable", {"u": np.ones(2000), "system": ([1.0], [1.0, -2.0], DT)}, "either"),
        ],
        names=("u",),
    )
    for name in ("dimpulse", "dstep"):
        fn = getattr(dsp, name)
        out += _system_rows(name, fn, True)
        out += _data(
            name,
            lambda v, fn=fn: fn((SS_A / 4, SS_B, SS_C, SS_D, DT), x0=v),
            "x0",
            X0,
            required=False,
            max_ndim=1,
            real_only=True,
        )
        out += _data(
            name,
            lambda v, fn=fn: fn((DNUM, DDEN, DT), t=v),
            "t",
            T,
            "signal",
            required=False,
            max_ndim=1,
            real_only=True,
        )
        out += param_cases(
            NAME + name, lambda v, fn=fn: fn((DNUM, DDEN, DT), n=v), "n", Int(20, low=1, none=True)
        )
    for name in ("dfreqresp", "dbode"):
        fn = getattr(dsp, name)
        out += _system_rows(name, fn, True)
        out += _rows(name, fn, "system", [("2 outputs", ([DNUM, DNUM / 2], DDEN, DT), "refuse")])
        if name == "dfreqresp":
            out += _system_parts(name, fn, True)
            out += param_cases(
                NAME + name, lambda v, fn=fn: fn((DNUM, DDEN, DT), whole=v), "whole", Bool(False)
            )
        out += _data(
            name,
            lambda v, fn=fn: fn((DNUM, DDEN, DT), w=v),
            "w",
            np.linspace(0.1, 3.0, 8),
            required=False,
        )
        out += _scalar(name, lambda v, fn=fn: fn((DNUM, DDEN, DT), w=v), "w", WORN, " (a count)")
        out += param_cases(NAME + name, lambda v, fn=fn: fn((DNUM, DDEN, DT), n=v), "n", COUNT)
        out += _rows(
            name,
            lambda v, fn=fn: fn(v, w=[0.0, 1.0]),
            "system",
            [("a pole at 1", ([1.0], [1.0, -1.0], DT), "either")],
        )
    return out


def _place_poles():
    out = []
    pp = lambda **kw: dsp.place_poles(**{"A": PP_A, "B": PP_B, "poles": POLES, **kw})  # noqa: E731
    names = ("A", "B", "poles")
    out += _data(
        "place_poles", lambda v: pp(A=v), "A", PP_A, max_ndim=2, real_only=True, names=names
    )
    out += _data(
        "place_poles", lambda v: pp(B=v), "B", PP_B, max_ndim=2, real_only=True, names=names
    )
    out += _data(
        "place_poles",
        lambda v: pp(poles=v),
        "poles",
        POLES,
        max_ndim=1,
        names=names,
        changed=(("complex", "refuse"),),  # -1 +/- 1j ... without conjugates
    )
    out += param_cases(NAME + "place_poles", lambda v: pp(method=v), "method", Choice("YT"))
    out += param_cases(NAME + "place_poles", lambda v: pp(rtol=v), "rtol", Real(1e-3, high=1.0))
    out += param_cases(
        NAME + "place_poles", lambda v: pp(maxiter=v), "maxiter", Int(30, low=1, high=10_000)
    )
    out += _rows(
        "place_poles",
        lambda v: pp(**v),
        "poles",
        [
            ("conjugate pair", {"poles": [-1.0, -2.0 + 1j, -2.0 - 1j]}, "either"),
            ("pair for KNV0", {"poles": [-1.0, -2.0 + 1j, -2.0 - 1j], "method": "KNV0"}, "refuse"),
            ("too many", {"poles": [-1.0, -2.0, -3.0, -4.0]}, "refuse"),
            ("repeated beyond rank(B)", {"poles": [-1.0, -1.0, -1.0]}, "refuse"),
            ("uncontrollable", {"A": np.ones((3, 3)), "B": np.ones((3, 2))}, "refuse"),
            ("A not square", {"A": PP_A[:, :2]}, "refuse"),
            ("B of another height", {"B": PP_B[:2]}, "refuse"),
        ],
        names=("method", "A", "B"),
    )
    return out


def cases():
    return [*_classes(), *_continuous(), *_discrete(), *_place_poles()]
