"""Bad-input cases of pyjl.dsp's images functions (see cases_dsp.py): 2-D convolution and
correlation, rank filters, the Wiener filter, deconvolution and the 2-D analytic signal."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pyjl import dsp

from .cases_dsp import NAME, Int, X
from .families import Choice, Real, case, data_cases, param_cases

RNG = np.random.default_rng(20261206)
IMG = RNG.standard_normal((16, 12))
KERNEL = RNG.standard_normal((3, 4))
DIVISOR = np.array([1.0, 0.5])


def _rows(name, fn, arg, rows, names=()):
    """Hand-written ``(label, value, expect)`` cases of argument ``arg``: ``fn(value)``."""
    return [
        case(NAME + name, f"{arg}={label}", expect, (arg, *names), lambda v=v: fn(v))
        for label, v, expect in rows
    ]


def _caller(fn):
    """``fn(in1=IMG, in2=KERNEL, **kw)`` with the keywords given."""
    return lambda **kw: fn(**{"in1": IMG, "in2": KERNEL, **kw})


def convolution():
    out = []
    for name in ("convolve2d", "correlate2d"):
        call = _caller(getattr(dsp, name))

        out += data_cases(NAME + name, lambda v, c=call: c(in1=v), "in1", IMG, max_ndim=2)
        out += data_cases(
            NAME + name, lambda v, c=call: c(in2=v), "in2", KERNEL, max_ndim=2, tabular=False
        )
        out += [  # the tables again, kept as tables by mode='same'
            replace(k, name=k.name + " (mode='same')")
            for k in data_cases(NAME + name, lambda v, c=call: c(in1=v, mode="same"), "in1", IMG)
            if k.name.split("=")[1].startswith(("pandas", "arrow"))
        ]
        out += param_cases(NAME + name, lambda v, c=call: c(mode=v), "mode", Choice("full"))
        out += param_cases(
            NAME + name, lambda v, c=call: c(boundary=v), "boundary", Choice("fill")
        )
        out += param_cases(
            NAME + name,
            lambda v, c=call: c(fillvalue=v),
            "fillvalue",
            Real(0.0),
            extra=(("[]", [], "refuse"), ("[1, 2]", [1.0, 2.0], "refuse")),
        )
        out += _rows(
            name,
            lambda v, c=call: c(in1=v[0], in2=v[1], mode="valid"),
            "in1",
            (("no larger input", (np.ones((2, 5)), np.ones((3, 2))), "refuse"),),
            names=("in2",),
        )
    return out


def rank_filters():
    out = []
    mf = lambda **kw: dsp.medfilt(**{"volume": IMG, "kernel_size": 3, **kw})  # noqa: E731
    out += data_cases(NAME + "medfilt", lambda v: mf(volume=v), "volume", IMG)
    out += param_cases(
        NAME + "medfilt",
        lambda v: mf(kernel_size=v),
        "kernel_size",
        Int(3, low=1, none=True),
        extra=(("4", 4, "refuse"), ("[3, 5]", [3, 5], "either"), ("[3, 4]", [3, 4], "refuse")),
    )
    m2 = lambda **kw: dsp.medfilt2d(**{"input": IMG, "kernel_size": 3, **kw})  # noqa: E731
    out += data_cases(NAME + "medfilt2d", lambda v: m2(input=v), "input", IMG, max_ndim=2)
    out += param_cases(
        NAME + "medfilt2d",
        lambda v: m2(kernel_size=v),
        "kernel_size",
        Int(3, low=1, none=True),
        extra=(("2", 2, "refuse"), ("[3, 3, 3]", [3, 3, 3], "refuse")),
    )
    of = lambda **kw: dsp.order_filter(**{"a": X, "domain": [1.0, 1.0, 1.0], "rank": 1, **kw})  # noqa: E731
    out += data_cases(NAME + "order_filter", lambda v: of(a=v), "a", X)
    out += data_cases(
        NAME + "order_filter", lambda v: of(domain=v), "domain", np.ones(3), "coef", max_ndim=1
    )
    out += _rows(
        "order_filter",
        lambda v: of(domain=v),
        "domain",
        (("zeros", np.zeros(3), "refuse"), ("even", np.ones(4), "refuse")),
    )
    out += param_cases(NAME + "order_filter", lambda v: of(rank=v), "rank", Int(1, low=0, high=2))
    return out


def images():
    out = []
    wi = lambda **kw: dsp.wiener(**{"im": IMG, **kw})  # noqa: E731
    out += data_cases(NAME + "wiener", lambda v: wi(im=v), "im", IMG)
    out += param_cases(
        NAME + "wiener",
        lambda v: wi(mysize=v),
        "mysize",
        Int(3, low=1, none=True),
        extra=(("[3, 5]", [3, 5], "either"), ("[3, 3, 3]", [3, 3, 3], "refuse")),
    )
    out += param_cases(
        NAME + "wiener", lambda v: wi(noise=v), "noise", Real(0.1, low=0.0, none=True)
    )
    dc = lambda **kw: dsp.deconvolve(**{"signal": X, "divisor": DIVISOR, **kw})  # noqa: E731
    out += data_cases(NAME + "deconvolve", lambda v: dc(signal=v), "signal", X, max_ndim=1)
    out += data_cases(
        NAME + "deconvolve",
        lambda v: dc(divisor=v),
        "divisor",
        DIVISOR,
        "coef",
        max_ndim=1,
        names=("divisor[0]",),
    )
    out += _rows(
        "deconvolve",
        lambda v: dc(divisor=v),
        "divisor",
        (("[0, 1]", [0.0, 1.0], "refuse"), ("longer", np.ones(80), "either")),
        names=("divisor[0]",),
    )
    h2 = lambda **kw: dsp.hilbert2(**{"x": IMG, **kw})  # noqa: E731
    out += data_cases(NAME + "hilbert2", lambda v: h2(x=v), "x", IMG, real_only=True)
    out += param_cases(
        NAME + "hilbert2",
        lambda v: h2(N=v),
        "N",
        Int(8, low=1, none=True),
        extra=(("(8, 0)", (8, 0), "refuse"), ("(8, 8, 8)", (8, 8, 8), "refuse")),
        names=("N[0]", "N[1]"),
    )
    out += _rows(
        "hilbert2",
        lambda v: h2(axes=v),
        "axes",
        (
            ("(0, 0)", (0, 0), "refuse"),
            ("(1, -1)", (1, -1), "refuse"),
            ("(0, 2)", (0, 2), "refuse"),
            ("(0, 1, 2)", (0, 1, 2), "refuse"),
            ("None", None, "refuse"),
            ("'ab'", "ab", "refuse"),
            ("(0.5, 1)", (0.5, 1), "refuse"),
            ("(1, 0)", (1, 0), "either"),
        ),
    )
    return out


def cases():
    return [*convolution(), *rank_filters(), *images()]
