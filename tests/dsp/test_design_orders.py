"""iirfilter, iirdesign and the order selectors equal SciPy's, meet their specifications,
and refuse bad arguments by name."""

import re
import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches

IIRFILTER = [
    ((4, 0.2), {"btype": "low"}),
    ((4, [0.2, 0.4]), {"rs": 60, "ftype": "cheby2", "output": "sos"}),
    ((5, [0.1, 0.3]), {"rp": 1, "rs": 50, "btype": "bandstop", "ftype": "ellip", "output": "zpk"}),
    ((3, 100.0), {"rp": 0.5, "btype": "high", "ftype": "cheby1", "fs": 1000.0}),
    ((6, 10.0), {"btype": "low", "analog": True, "ftype": "bessel_delay"}),
    ((1, 1.0), {"btype": "low", "analog": True, "output": "sos"}),
    ((0, 0.3), {"btype": "low", "ftype": "butterworth"}),
    ((4, np.float32(0.25)), {"btype": "low", "ftype": "cauer", "rp": 1, "rs": 40}),
    ((20, [1e9, 1.1e9]), {"btype": "bp", "fs": 6.25e9, "output": "sos"}),
]


@pytest.mark.parametrize("args, kwargs", IIRFILTER)
def test_iirfilter_equals_scipy(args, kwargs):
    got, want = dsp.iirfilter(*args, **kwargs), ss.iirfilter(*args, **kwargs)
    for g, w in zip(
        got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)
    ):
        assert_matches(g, w, rtol=1e-12)


def test_iirfilter_is_the_named_family():
    assert_matches(
        dsp.iirfilter(5, 0.3, rp=1, rs=40, btype="low", ftype="ellip", output="sos"),
        ss.ellip(5, 1, 40, 0.3, output="sos"),
    )
    # a first-order analog Butterworth at 1 rad/s is 1 / (s + 1)
    b, a = dsp.iirfilter(1, 1.0, btype="low", analog=True)
    np.testing.assert_allclose(b, [1.0])
    np.testing.assert_allclose(a, [1.0, 1.0])


SPECS = [
    (0.2, 0.3, 3, 60, {}),
    (0.3, 0.2, 3, 70, {}),
    ([0.2, 0.5], [0.1, 0.6], 3, 80, {}),
    ([0.1, 0.6], [0.2, 0.5], 3, 90, {}),
    (200.0, 600.0, 3, 60, {"analog": True}),
    ([4410, 11025], [2205, 13230], 3, 80, {"fs": 44100}),
    (np.float32(0.2), np.int64(1) * 0.3, 0.5, 40, {}),
]


@pytest.mark.parametrize("name", ["buttord", "cheb1ord", "cheb2ord", "ellipord"])
@pytest.mark.parametrize("wp, ws, gpass, gstop, kwargs", SPECS)
def test_orders_equal_scipy(name, wp, ws, gpass, gstop, kwargs):
    n, wn = getattr(dsp, name)(wp, ws, gpass, gstop, **kwargs)
    n_ref, wn_ref = getattr(ss, name)(wp, ws, gpass, gstop, **kwargs)
    assert n == n_ref and type(n) is type(n_ref)
    assert_matches(wn, wn_ref, rtol=1e-6)


@pytest.mark.parametrize("ftype", ["butter", "cheby1", "cheby2", "ellip"])
@pytest.mark.parametrize("wp, ws, gpass, gstop, kwargs", SPECS[:4] + SPECS[5:6])
def test_iirdesign_meets_its_specification(ftype, wp, ws, gpass, gstop, kwargs):
    sos = dsp.iirdesign(wp, ws, gpass, gstop, ftype=ftype, output="sos", **kwargs)
    assert_matches(sos, ss.iirdesign(wp, ws, gpass, gstop, ftype=ftype, output="sos", **kwargs))
    fs = kwargs.get("fs", 2.0)
    w, h = ss.sosfreqz(sos, worN=4096, fs=fs)
    db = 20 * np.log10(np.maximum(np.abs(h), 1e-300))
    wp, ws = np.atleast_1d(wp), np.atleast_1d(ws)
    if wp.size == 1:
        passband = w <= wp[0] if wp[0] < ws[0] else w >= wp[0]
        stopband = w >= ws[0] if wp[0] < ws[0] else w <= ws[0]
    elif ws[0] < wp[0]:
        passband = (w >= wp[0]) & (w <= wp[1])
        stopband = (w <= ws[0]) | (w >= ws[1])
    else:
        passband = (w <= wp[0]) | (w >= wp[1])
        stopband = (w >= ws[0]) & (w <= ws[1])
    assert db[passband].min() > -gpass - 1e-6
    assert db[stopband].max() < -gstop + 1e-6


def test_buttord_closed_form():
    # N = ceil(log10((10**(gstop/10) - 1) / (10**(gpass/10) - 1)) / (2 log10(ws/wp)))
    n, _ = dsp.buttord(1.0, 2.0, 3.0, 40.0, analog=True)
    want = np.log10((10**4.0 - 1) / (10**0.3 - 1)) / (2 * np.log10(2.0))
    assert n == int(np.ceil(want))


def test_degenerate_order_warns():
    # SciPy's own RuntimeWarning, unchanged (rewording it is not thread-safe)
    with pytest.warns(RuntimeWarning, match="Order is zero"):
        n, wn = dsp.buttord(1e-300, 1e300, 1, 30, analog=True)
    assert n == 0 and np.isfinite(wn)


def _refused(name, match, fn, *args, cls=InputError, **kwargs):
    with pytest.raises(cls, match=match) as info:
        fn(*args, **kwargs)
    assert f"`{name}`" in str(info.value)


@pytest.mark.parametrize(
    "name, match, kwargs",
    [
        ("N", "integer", {"N": 1.5}),
        ("Wn", "between 0 and", {"Wn": 1.2}),
        ("Wn", "2 value", {"btype": "band"}),
        ("Wn", "strictly increasing", {"Wn": [0.5, 0.5], "btype": "band"}),
        ("Wn", "positive", {"Wn": -1.0, "analog": True}),
        ("ftype", "must be one of", {"ftype": "chebyshev3"}),
        ("rp", "must be given", {"ftype": "cheby1"}),
        ("rs", "must be given", {"ftype": "ellip", "rp": 1}),
        ("rs", "at least the passband ripple", {"ftype": "ellip", "rp": 40, "rs": 1}),
        ("rp", "finite number", {"rp": np.nan}),
        ("output", "must be one of", {"output": "tf"}),
        ("btype", "must be one of", {"btype": "notch"}),
        ("fs", "None for an analog", {"analog": True, "fs": 10.0}),
        ("N", "<= 84", {"N": 90, "ftype": "bessel"}),
        ("analog", "True or False", {"analog": "yes"}),
    ],
)
def test_iirfilter_refuses(name, match, kwargs):
    args = {"N": 2, "Wn": 0.2, "btype": "low", **kwargs}
    _refused(name, match, dsp.iirfilter, **args)


@pytest.mark.parametrize("func", ["buttord", "cheb1ord", "cheb2ord", "ellipord", "iirdesign"])
@pytest.mark.parametrize(
    "name, match, args, kwargs",
    [
        ("wp", "between 0 and", (0.0, 0.5, 1, 40), {}),
        ("wp", "between 0 and", (1.0, 0.5, 1, 40), {}),
        ("ws", "Nyquist frequency 1000", (100, 1000, 1, 40), {"fs": 2000}),
        ("ws", "positive", (0.1, -0.5, 1, 40), {"analog": True}),
        ("ws", "as many edges", (0.2, [0.1, 0.3], 1, 40), {}),
        ("wp", "one edge .* or two", ([0.1, 0.2, 0.3], [0.05, 0.25, 0.4], 1, 40), {}),
        ("wp", "one or more values", ([[0.3, 0.6]] * 2, [[0.4, 0.5]] * 2, 1, 40), {}),
        ("ws", "must nest", ([0.1, 0.4], [0.5, 0.6], 1, 40), {}),
        ("ws", "must nest", ([0.3, 0.6], [0.4, 0.7], 1, 40), {}),
        ("ws", "must differ", (0.3, 0.3, 1, 40), {}),
        ("gpass", "below `gstop`", (0.2, 0.3, 3, 2), {}),
        ("gpass", "below `gstop`", (0.2, 0.3, 40, 40), {}),
        ("gpass", "> 0", (0.2, 0.3, -1, 40), {}),
        ("gstop", "> 0", (0.2, 0.3, 1, -2), {}),
        ("gpass", "differs from 1", (0.2, 0.3, 1e-300, 40), {}),
        ("fs", "None for an analog", (0.2, 0.3, 1, 40), {"analog": True, "fs": 10.0}),
        ("fs", "> 0", (0.2, 0.3, 1, 40), {"fs": -2.0}),
    ],
)
def test_order_selectors_refuse(func, name, match, args, kwargs):
    _refused(name, match, getattr(dsp, func), *args, **kwargs)


def test_extreme_specifications_are_refused_not_crashed():
    # SciPy: OverflowError / ZeroDivisionError / ValueError from int(nan)
    for fn, args in [
        (dsp.cheb2ord, (0.2, 0.3, 1e-13, 3000)),
        (dsp.cheb2ord, (1e-300, 1e300, 1, 30)),
        (dsp.ellipord, ([1e-300, 1e300], [1e-301, 1e301], 1, 30)),
    ]:
        analog = args[0] != 0.2
        with pytest.raises(InputError, match="`wp` and `ws`, `gpass` and `gstop`"):
            fn(*args, analog=analog)


def test_iirdesign_refuses():
    _refused("ftype", "must be one of", dsp.iirdesign, 0.2, 0.3, 1, 40, ftype="bessel")
    _refused("output", "must be one of", dsp.iirdesign, 0.2, 0.3, 1, 40, output="x")
    _refused("ws", "order stays <= 10000", dsp.iirdesign, 0.2, 0.2000001, 1, 40, ftype="butter")
    _refused("N", "integer", dsp.iirfilter, "2", 0.2, btype="low", cls=InputTypeError)


def test_array_fs_is_refused_in_scipys_words():
    for fn, args in [(dsp.buttord, (0.2, 0.3, 1, 40)), (dsp.iirdesign, (0.2, 0.3, 1, 40))]:
        with pytest.raises(InputError, match=re.escape("Sampling frequency fs must be a single")):
            fn(*args, fs=np.array([10.0, 20.0]))


def test_order_selectors_do_not_warn_on_good_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dsp.ellipord([0.2, 0.5], [0.1, 0.6], 1, 80)
        dsp.iirdesign([0.1, 0.6], [0.2, 0.5], 1, 80, output="sos")
