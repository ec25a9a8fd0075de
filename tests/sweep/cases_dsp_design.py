"""Bad-input cases of pyjl.dsp's design functions (see cases_dsp.py): IIR design from a
specification, analog prototypes and transforms, responses, least-squares FIR design."""

from __future__ import annotations

import numpy as np
import scipy.signal as ss

from pyjl import dsp

from .cases_dsp import NAME, WORN, Int
from .families import Bool, Choice, Real, case, data_cases, param_cases

B, A = ss.butter(2, 0.2)
BA_ANALOG = ss.butter(2, 1.0, analog=True)
Z, P, K = np.array([-2.0, -3.0]), np.array([-1.0, -0.5, -4.0]), 2.0
FREQ = Real(0.2, low=0.0, high=1.0, low_open=True, high_open=True)
RATE = Real(2.0, low=0.0, low_open=True, none=True)
ANY_GAIN = Real(1.0, override=(("complex", "either"),))  # a complex gain is a complex system


def _rows(name, fn, arg, rows, names=()):
    """Hand-written ``(label, value, expect)`` cases of argument ``arg``: ``fn(value)``."""
    return [
        case(NAME + name, f"{arg}={label}", expect, (arg, *names), lambda v=v: fn(v))
        for label, v, expect in rows
    ]


def _iirfilter():
    name = NAME + "iirfilter"

    def call(**kw):
        return dsp.iirfilter(**{"N": 2, "Wn": 0.2, "btype": "low", "output": "sos", **kw})

    out = param_cases(name, lambda v: call(N=v), "N", Int(2, low=0))
    out += param_cases(
        name,
        lambda v: call(Wn=v),
        "Wn",
        FREQ,
        extra=(("[0.3, 0.1]", [0.3, 0.1], "refuse"), ("[0.1, 0.2]", [0.1, 0.2], "refuse")),
    )
    out += param_cases(name, lambda v: call(btype=v), "btype", Choice("low"))
    out += param_cases(name, lambda v: call(ftype=v), "ftype", Choice("butter"))
    out += param_cases(name, lambda v: call(output=v), "output", Choice("sos"))
    out += param_cases(name, lambda v: call(fs=v), "fs", RATE)
    out += param_cases(name, lambda v: call(analog=v), "analog", Bool(False, strict=False))
    out += _rows(
        "iirfilter",
        lambda v: call(ftype=v),
        "rp",
        [("None (cheby1)", "cheby1", "refuse"), ("None (ellip)", "ellip", "refuse")],
        names=("rs",),
    )
    out += _rows(
        "iirfilter",
        lambda v: call(ftype="cheby2", rs=v),
        "rs",
        [("None (cheby2)", None, "refuse")],
    )
    ellip = lambda **kw: dsp.iirfilter(  # noqa: E731
        **{"N": 2, "Wn": 0.2, "btype": "low", "ftype": "ellip", "rp": 1.0, "rs": 40.0, **kw}
    )
    out += param_cases(
        NAME + "iirfilter", lambda v: ellip(rp=v), "rp", Real(1.0, low=0.0, low_open=True)
    )
    out += param_cases(
        NAME + "iirfilter",
        lambda v: ellip(rs=v),
        "rs",
        Real(40.0, low=1.0, high=3000.0),  # rs = rp is a design; below it SciPy's is NaN
        extra=(("0.5 (< rp)", 0.5, "refuse"),),
    )
    return out


def _orders():
    out = []
    for name in ("buttord", "cheb1ord", "cheb2ord", "ellipord", "iirdesign"):
        fn = getattr(dsp, name)

        def call(fn=fn, **kw):
            return fn(**{"wp": 0.2, "ws": 0.3, "gpass": 3.0, "gstop": 40.0, **kw})

        full = NAME + name
        out += param_cases(
            full,
            lambda v, c=call: c(wp=v),
            "wp",
            Real(0.2, low=0.0, high=0.3, low_open=True, high_open=True),
            extra=(
                ("[0.2, 0.4] with a scalar ws", [0.2, 0.4], "refuse"),
                ("[0.1, 0.2, 0.25]", [0.1, 0.2, 0.25], "refuse"),
            ),
        )
        out += param_cases(
            full,
            lambda v, c=call: c(ws=v),
            "ws",
            Real(0.3, low=0.2, high=1.0, low_open=True, high_open=True),
            extra=(("[0.25, 0.5]", [0.25, 0.5], "refuse"),),
        )
        out += _rows(
            name,
            lambda v, c=call: c(wp=[0.2, 0.4], ws=v),
            "ws",
            [
                ("[0.3, 0.5] (overlapping)", [0.3, 0.5], "refuse"),
                ("[0.1, 0.4] (touching)", [0.1, 0.4], "refuse"),
                ("[0.25, 0.35] (bandstop)", [0.25, 0.35], "either"),
            ],
            names=("wp",),
        )
        out += param_cases(
            full,
            lambda v, c=call: c(gpass=v),
            "gpass",
            Real(3.0, low=0.0, high=40.0, low_open=True, high_open=True),
            extra=(("1e-300", 1e-300, "refuse"),),
        )
        out += param_cases(
            full,
            lambda v, c=call: c(gstop=v),
            "gstop",
            Real(40.0, low=3.0, high=3000.0, low_open=True),
            names=("gpass",),
        )
        out += param_cases(
            full, lambda v, c=call: c(analog=v), "analog", Bool(False, strict=False)
        )
        out += param_cases(full, lambda v, c=call: c(fs=v), "fs", RATE)
        out += _rows(
            name,
            lambda v, c=call: c(wp=1e-300, ws=1e300, analog=v),
            "analog",
            [("True, edges 1e-300 and 1e300", True, "either")],
            names=("wp",),
        )
    design = lambda **kw: dsp.iirdesign(0.2, 0.3, 3.0, 40.0, **kw)  # noqa: E731
    out += param_cases(NAME + "iirdesign", lambda v: design(ftype=v), "ftype", Choice("ellip"))
    out += _rows(
        "iirdesign",
        lambda v: design(ftype=v),
        "ftype",
        [("'bessel' (no order selection)", "bessel", "refuse")],
    )
    out += param_cases(NAME + "iirdesign", lambda v: design(output=v), "output", Choice("ba"))
    return out


def _prototypes():
    out = []
    ripples = {"buttap": (), "cheb1ap": (1.0,), "cheb2ap": (40.0,), "ellipap": (1.0, 40.0)}
    ripples["besselap"] = ()
    for name, extra in ripples.items():
        fn = getattr(dsp, name)
        high = 84 if name == "besselap" else 10_000
        out += param_cases(
            NAME + name, lambda v, fn=fn, e=extra: fn(v, *e), "N", Int(3, low=0, high=high)
        )
        out += param_cases(
            NAME + name, lambda v, fn=fn, e=extra: fn(3, *e, xp=v), "xp", Choice(None, none=True)
        )
    out += param_cases(
        NAME + "cheb1ap", lambda v: dsp.cheb1ap(3, v), "rp", Real(1.0, low=0.0, low_open=True)
    )
    out += param_cases(
        NAME + "cheb2ap",
        lambda v: dsp.cheb2ap(3, v),
        "rs",
        Real(40.0, low=0.0, low_open=True, high=3000.0),
    )
    out += param_cases(
        NAME + "ellipap",
        lambda v: dsp.ellipap(3, v, 40.0),
        "rp",
        Real(1.0, low=0.0, low_open=True),
    )
    out += param_cases(
        NAME + "ellipap",
        lambda v: dsp.ellipap(3, 1.0, v),
        "rs",
        Real(40.0, low=1.0, high=3000.0),
        extra=(("0.5 (< rp)", 0.5, "refuse"),),
    )
    out += param_cases(
        NAME + "besselap", lambda v: dsp.besselap(3, norm=v), "norm", Choice("phase")
    )
    return out


def _transforms():
    out = []
    b, a = BA_ANALOG
    for name in ("lp2lp", "lp2hp", "lp2bp", "lp2bs", "bilinear"):
        fn = getattr(dsp, name)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(v, a), "b", b, "coef", max_ndim=1)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(b, v), "a", a, "coef", max_ndim=1)
        if name == "bilinear":
            out += param_cases(
                NAME + name,
                lambda v: dsp.bilinear(b, a, fs=v),
                "fs",
                Real(1.0, low=0.0, low_open=True),
            )
            continue
        out += param_cases(
            NAME + name, lambda v, fn=fn: fn(b, a, wo=v), "wo", Real(1.0, low=0.0, low_open=True)
        )
        if name in ("lp2bp", "lp2bs"):
            out += param_cases(
                NAME + name,
                lambda v, fn=fn: fn(b, a, bw=v),
                "bw",
                Real(1.0, low=0.0, low_open=True),
            )
    for name in ("lp2lp_zpk", "lp2hp_zpk", "lp2bp_zpk", "lp2bs_zpk", "bilinear_zpk"):
        fn = getattr(dsp, name)
        kw = {"fs": 10.0} if name == "bilinear_zpk" else {}
        out += _zpk_cases(
            name, lambda z=Z, p=P, k=K, fn=fn, kw=kw, **more: fn(z, p, k, **kw, **more)
        )
        if name == "bilinear_zpk":
            out += param_cases(
                NAME + name,
                lambda v, fn=fn: fn(Z, P, K, fs=v),
                "fs",
                Real(10.0, low=0.0, low_open=True),
            )
            out += _rows(
                name,
                lambda v, fn=fn: fn(Z, v, K, fs=10.0),
                "p",
                [("a pole at s = 2*fs", np.array([-1.0, 20.0, -3.0]), "refuse")],
            )
        else:
            out += param_cases(
                NAME + name,
                lambda v, fn=fn: fn(Z, P, K, wo=v),
                "wo",
                Real(1.0, low=0.0, low_open=True),
            )
    return out


def _zpk_cases(name, call, improper="refuse"):
    """Cases of ``z``, ``p`` and ``k`` for a function of a zpk system; ``call(z=, p=, k=)``;
    ``improper``: what more zeros than poles expects (a frequency response takes them, as
    SciPy's, tested against it in tests/dsp/test_analog.py: ``"either"``)."""
    out = data_cases(NAME + name, lambda v: call(z=v), "z", Z, "coef", max_ndim=1)
    out += data_cases(NAME + name, lambda v: call(p=v), "p", P, "coef", max_ndim=1)
    out += param_cases(NAME + name, lambda v: call(k=v), "k", ANY_GAIN)
    out += _rows(
        name, lambda v: call(z=v), "z", [("more zeros than poles", np.arange(-5.0, 0.0), improper)]
    )
    return out


def _responses():
    out = []
    b, a = BA_ANALOG
    fs_ = lambda **kw: dsp.freqs(**{"b": b, "a": a, "worN": 16, **kw})  # noqa: E731
    out += data_cases(NAME + "freqs", lambda v: fs_(b=v), "b", b, "coef", max_ndim=1)
    out += data_cases(NAME + "freqs", lambda v: fs_(a=v), "a", a, "coef", max_ndim=1)
    out += param_cases(NAME + "freqs", lambda v: fs_(worN=v), "worN", WORN)
    out += _zpk_cases(
        "freqs_zpk", lambda z=Z, p=P, k=K: dsp.freqs_zpk(z, p, k, worN=16), improper="either"
    )
    out += param_cases(NAME + "freqs_zpk", lambda v: dsp.freqs_zpk(Z, P, K, worN=v), "worN", WORN)
    zz, pz, kz = ss.butter(3, 0.2, output="zpk")
    fz = lambda **kw: dsp.freqz_zpk(**{"z": zz, "p": pz, "k": kz, "worN": 16, **kw})  # noqa: E731
    out += _zpk_cases(
        "freqz_zpk", lambda z=Z, p=P, k=K: dsp.freqz_zpk(z, p, k, worN=16), improper="either"
    )
    out += param_cases(NAME + "freqz_zpk", lambda v: fz(worN=v), "worN", WORN)
    out += param_cases(
        NAME + "freqz_zpk", lambda v: fz(fs=v), "fs", Real(2.0, low=0.0, low_open=True)
    )
    gd = lambda b=B, a=A, **kw: dsp.group_delay((b, a), **{"w": 16, **kw})  # noqa: E731
    out += data_cases(NAME + "group_delay", lambda v: gd(b=v), "b", B, "coef", max_ndim=1)
    out += data_cases(NAME + "group_delay", lambda v: gd(a=v), "a", A, "coef", max_ndim=1)
    out += param_cases(NAME + "group_delay", lambda v: gd(w=v), "w", WORN)
    out += param_cases(
        NAME + "group_delay", lambda v: gd(fs=v), "fs", Real(2.0, low=0.0, low_open=True)
    )
    out += _rows(
        "group_delay",
        lambda v: dsp.group_delay(v),
        "system",
        [("a 3-tuple", (B, A, A), "refuse"), ("an array", B, "refuse"), ("None", None, "refuse")],
    )
    return out


def _fir():
    out = []
    bands, desired = [0.0, 0.3, 0.5, 1.0], [1.0, 1.0, 0.0, 0.0]
    ls = lambda **kw: dsp.firls(**{"numtaps": 11, "bands": bands, "desired": desired, **kw})  # noqa: E731
    out += param_cases(
        NAME + "firls",
        lambda v: ls(numtaps=v),
        "numtaps",
        Int(11, low=1, high=8191),
        extra=(("10 (even)", 10, "refuse"),),
    )
    out += data_cases(NAME + "firls", lambda v: ls(bands=v), "bands", bands, "coef", max_ndim=1)
    out += _rows(
        "firls",
        lambda v: ls(bands=v),
        "bands",
        [
            ("overlapping", [0.0, 0.5, 0.3, 1.0], "refuse"),
            ("zero width", [0.0, 0.3, 0.5, 0.5], "refuse"),
            ("above Nyquist", [0.0, 0.3, 0.5, 1.5], "refuse"),
            ("odd count", [0.0, 0.3, 0.5], "refuse"),
            ("pairs (2, 2)", np.reshape(bands, (2, 2)), "either"),
        ],
    )
    out += data_cases(
        NAME + "firls", lambda v: ls(desired=v), "desired", desired, "coef", max_ndim=None
    )
    out += _rows(
        "firls",
        lambda v: ls(desired=v),
        "desired",
        [("negative", [1.0, 1.0, -1.0, 0.0], "refuse")],
    )
    out += data_cases(
        NAME + "firls",
        lambda v: ls(weight=v),
        "weight",
        [1.0, 10.0],
        "coef",
        required=False,
        max_ndim=None,
    )
    out += _rows(
        "firls",
        lambda v: ls(weight=v),
        "weight",
        [("all zero", [0.0, 0.0], "refuse"), ("negative", [1.0, -1.0], "refuse")],
    )
    out += param_cases(NAME + "firls", lambda v: ls(fs=v), "fs", RATE)
    h = ss.firwin(15, 0.3)
    mp = lambda **kw: dsp.minimum_phase(**{"h": h, **kw})  # noqa: E731
    out += data_cases(NAME + "minimum_phase", lambda v: mp(h=v), "h", h, "coef", max_ndim=1)
    out += _rows(
        "minimum_phase",
        lambda v: mp(h=v),
        "h",
        [("2 taps", [1.0, 1.0], "refuse"), ("zeros", np.zeros(15), "refuse")],
    )
    out += param_cases(
        NAME + "minimum_phase", lambda v: mp(method=v), "method", Choice("homomorphic")
    )
    out += param_cases(
        NAME + "minimum_phase", lambda v: mp(n_fft=v), "n_fft", Int(64, low=15, none=True)
    )
    out += param_cases(NAME + "minimum_phase", lambda v: mp(half=v), "half", Bool(True))
    out += _rows(
        "minimum_phase",
        lambda v: mp(half=v, method="hilbert"),
        "half",
        [("False with hilbert", False, "refuse")],
    )
    out += param_cases(NAME + "kaiser_beta", lambda v: dsp.kaiser_beta(v), "a", Real(60.0))
    out += param_cases(
        NAME + "kaiser_atten", lambda v: dsp.kaiser_atten(v, 0.1), "numtaps", Int(11, low=1)
    )
    out += param_cases(
        NAME + "kaiser_atten",
        lambda v: dsp.kaiser_atten(11, v),
        "width",
        Real(0.1, low=0.0, low_open=True, high=1.0),
    )
    out += param_cases(
        NAME + "get_window", lambda v: dsp.get_window("hann", v), "Nx", Int(16, low=1)
    )
    out += _rows(
        "get_window",
        lambda v: dsp.get_window(v, 16),
        "window",
        [("bogus", "bogus", "refuse"), ("('kaiser', nan)", ("kaiser", np.nan), "refuse")],
    )
    return out


def cases():
    return [*_iirfilter(), *_orders(), *_prototypes(), *_transforms(), *_responses(), *_fir()]
