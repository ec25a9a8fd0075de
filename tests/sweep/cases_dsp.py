"""``pyjl.dsp``: every name in ``__all__`` and ``pyjl.dsp.windows``, and the streaming classes.

Reference coefficients come from SciPy, so building the table does not depend on pyjl.
NaN or infinite data, coefficients, ``zi``, windows and window parameters (``beta``) are
refused (DESIGN.md), also where ``scipy.signal`` would propagate NaN; complex data is
``either`` (SciPy takes it; pyjl implements it or refuses it clearly).
"""

from __future__ import annotations

import numpy as np
import scipy.signal as ss

from pyjl import dsp
from pyjl.dsp import windows

from .families import Bool, Choice, Real, case, data_cases, param_cases
from .families import Int as _Int

RNG = np.random.default_rng(20261204)
X = RNG.standard_normal(64)
Y = RNG.standard_normal(64)
SOS = ss.butter(2, 0.2, output="sos")
B, A = ss.butter(2, 0.2)
ZI = ss.sosfilt_zi(SOS) * X[0]
LZI = ss.lfilter_zi(B, A) * X[0]
TAPS = ss.firwin(9, 0.3)
ZXX = ss.stft(X, nperseg=16)[2]

NAME = "pyjl.dsp."


def Int(ok, **kw):  # noqa: N802 - a spec like families.Int
    """An integer of a ``scipy.signal`` signature: ``True`` counts as 1 there, so either."""
    return _Int(ok, **{"boolean": "either", **kw})


def _window_values(n: int, taps: bool = False):
    """Bad values for a ``window`` argument taking ``n`` samples; with ``taps`` an array is
    the FIR filter itself (``resample_poly``), so any length and all zeros are valid. A
    number is a Kaiser window's ``beta`` (``scipy.signal.get_window``)."""
    return (
        ("('kaiser', nan)", ("kaiser", np.nan), "refuse"),
        ("('kaiser', inf)", ("kaiser", np.inf), "refuse"),
        ("bogus", "bogus", "refuse"),
        ("nan (beta)", np.nan, "refuse"),
        ("3 (beta)", 3.0, "either"),
        ("array+nan", np.r_[np.hanning(n - 1), np.nan], "refuse"),
        ("zeros", np.zeros(n), "either" if taps else "refuse"),
        ("wrong length", np.hanning(n + 3), "either" if taps else "refuse"),
    )


def _windowed(name, fn, n, taps=False):
    return [
        case(NAME + name, f"window={label}", expect, "window", lambda v=v: fn(v))
        for label, v, expect in _window_values(n, taps)
    ]


def filtering():
    out = []
    sosfilt = lambda **kw: dsp.sosfilt(**{"sos": SOS, "x": X, **kw})  # noqa: E731
    out += data_cases(NAME + "sosfilt", lambda v: sosfilt(x=v), "x", X)
    out += data_cases(NAME + "sosfilt", lambda v: sosfilt(sos=v), "sos", SOS, "coef", max_ndim=2)
    out += data_cases(
        NAME + "sosfilt", lambda v: sosfilt(zi=v), "zi", ZI, "coef", required=False, max_ndim=3
    )
    out.append(
        case(
            NAME + "sosfilt",
            "zi=wrong shape",
            "refuse",
            "zi",
            lambda: sosfilt(zi=np.zeros((2, 3))),
        )
    )
    out += param_cases(
        NAME + "sosfilt",
        lambda v: sosfilt(axis=v),
        "axis",
        Int(0, low=-1, high=0, none=True, boolean="either"),
    )
    lfilter = lambda **kw: dsp.lfilter(**{"b": B, "a": A, "x": X, **kw})  # noqa: E731
    out += data_cases(NAME + "lfilter", lambda v: lfilter(x=v), "x", X)
    out += data_cases(NAME + "lfilter", lambda v: lfilter(b=v), "b", B, "coef", max_ndim=1)
    out += data_cases(NAME + "lfilter", lambda v: lfilter(a=v), "a", A, "coef", max_ndim=1)
    out += data_cases(
        NAME + "lfilter", lambda v: lfilter(zi=v), "zi", LZI, "coef", required=False, max_ndim=2
    )
    out.append(
        case(NAME + "lfilter", "a[0]=0", "refuse", "a", lambda: lfilter(a=np.r_[0.0, A[1:]]))
    )
    filtfilt = lambda **kw: dsp.filtfilt(**{"b": B, "a": A, "x": X, **kw})  # noqa: E731
    out += data_cases(NAME + "filtfilt", lambda v: filtfilt(x=v), "x", X)
    out += data_cases(NAME + "filtfilt", lambda v: filtfilt(b=v), "b", B, "coef", max_ndim=1)
    out += data_cases(NAME + "filtfilt", lambda v: filtfilt(a=v), "a", A, "coef", max_ndim=1)
    out += param_cases(
        NAME + "filtfilt", lambda v: filtfilt(padtype=v), "padtype", Choice("odd", none=True)
    )
    out += param_cases(
        NAME + "filtfilt",
        lambda v: filtfilt(padlen=v),
        "padlen",
        Int(5, low=0, high=63, none=True, boolean="either"),
    )
    out += param_cases(NAME + "filtfilt", lambda v: filtfilt(method=v), "method", Choice("pad"))
    sosff = lambda **kw: dsp.sosfiltfilt(**{"sos": SOS, "x": X, **kw})  # noqa: E731
    out += data_cases(NAME + "sosfiltfilt", lambda v: sosff(x=v), "x", X)
    out += data_cases(NAME + "sosfiltfilt", lambda v: sosff(sos=v), "sos", SOS, "coef", max_ndim=2)
    out += param_cases(
        NAME + "sosfiltfilt",
        lambda v: sosff(padlen=v),
        "padlen",
        Int(5, low=0, high=63, none=True, boolean="either"),
    )
    out += param_cases(
        NAME + "sosfiltfilt", lambda v: sosff(padtype=v), "padtype", Choice("odd", none=True)
    )
    return out


def convolution_and_resampling():
    out = []
    for name in ("fftconvolve", "oaconvolve", "convolve", "correlate"):
        fn = getattr(dsp, name)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(v, TAPS), "in1", X)
        out += data_cases(
            NAME + name, lambda v, fn=fn: fn(X, v), "in2", TAPS, "coef", max_ndim=None
        )
        out += param_cases(
            NAME + name, lambda v, fn=fn: fn(X, TAPS, mode=v), "mode", Choice("full")
        )
    for name in ("convolve", "correlate"):
        fn = getattr(dsp, name)
        out += param_cases(
            NAME + name, lambda v, fn=fn: fn(X, TAPS, method=v), "method", Choice("auto")
        )
    ccm = lambda **kw: dsp.choose_conv_method(**{"in1": X, "in2": TAPS, **kw})  # noqa: E731
    out += data_cases(NAME + "choose_conv_method", lambda v: ccm(in1=v), "in1", X)
    out += param_cases(NAME + "choose_conv_method", lambda v: ccm(mode=v), "mode", Choice("full"))
    out += param_cases(
        NAME + "choose_conv_method", lambda v: ccm(measure=v), "measure", Bool(False)
    )
    lags = lambda **kw: dsp.correlation_lags(**{"in1_len": 9, "in2_len": 4, **kw})  # noqa: E731
    out += param_cases(
        NAME + "correlation_lags", lambda v: lags(in1_len=v), "in1_len", Int(9, low=1)
    )
    out += param_cases(
        NAME + "correlation_lags", lambda v: lags(in2_len=v), "in2_len", Int(4, low=1)
    )
    out += param_cases(NAME + "correlation_lags", lambda v: lags(mode=v), "mode", Choice("full"))
    rs = lambda **kw: dsp.resample(**{"x": X, "num": 48, **kw})  # noqa: E731
    out += data_cases(NAME + "resample", lambda v: rs(x=v), "x", X)
    out += param_cases(NAME + "resample", lambda v: rs(num=v), "num", Int(48, low=1))
    out += param_cases(NAME + "resample", lambda v: rs(domain=v), "domain", Choice("time"))
    dt = lambda **kw: dsp.detrend(**{"data": X, **kw})  # noqa: E731
    out += data_cases(NAME + "detrend", lambda v: dt(data=v), "data", X)
    out += param_cases(NAME + "detrend", lambda v: dt(type=v), "type", Choice("linear"))
    out += param_cases(NAME + "detrend", lambda v: dt(bp=v), "bp", Int(0, low=0, high=64))
    out += param_cases(
        NAME + "detrend", lambda v: dt(overwrite_data=v), "overwrite_data", Bool(False)
    )
    sg = lambda **kw: dsp.savgol_filter(**{"x": X, "window_length": 9, "polyorder": 3, **kw})  # noqa: E731
    out += data_cases(NAME + "savgol_filter", lambda v: sg(x=v), "x", X)
    for arg, spec in (
        ("window_length", Int(9, low=4, high=64)),
        ("polyorder", Int(3, low=0, high=8)),
        ("deriv", Int(0, low=0)),
        ("delta", Real(1.0, low=0.0, low_open=True)),
        ("mode", Choice("interp")),
    ):
        out += param_cases(NAME + "savgol_filter", lambda v, arg=arg: sg(**{arg: v}), arg, spec)
    out += param_cases(
        NAME + "savgol_filter", lambda v: sg(mode="constant", cval=v), "cval", Real(0.0)
    )
    sgc = lambda **kw: dsp.savgol_coeffs(**{"window_length": 9, "polyorder": 3, **kw})  # noqa: E731
    out += param_cases(
        NAME + "savgol_coeffs", lambda v: sgc(window_length=v), "window_length", Int(9, low=4)
    )
    out += param_cases(
        NAME + "savgol_coeffs",
        lambda v: sgc(pos=v),
        "pos",
        Real(4.0, low=0.0, high=9.0, high_open=True, none=True),
    )
    out += param_cases(NAME + "savgol_coeffs", lambda v: sgc(use=v), "use", Choice("conv"))
    up = lambda **kw: dsp.upfirdn(**{"h": TAPS, "x": X, "up": 2, "down": 3, **kw})  # noqa: E731
    out += data_cases(NAME + "upfirdn", lambda v: up(x=v), "x", X)
    out += data_cases(NAME + "upfirdn", lambda v: up(h=v), "h", TAPS, "coef", max_ndim=1)
    out += param_cases(NAME + "upfirdn", lambda v: up(up=v), "up", Int(2, low=1))
    out += param_cases(NAME + "upfirdn", lambda v: up(down=v), "down", Int(3, low=1))
    out += param_cases(NAME + "upfirdn", lambda v: up(mode=v), "mode", Choice("constant"))
    out += param_cases(NAME + "upfirdn", lambda v: up(cval=v), "cval", Real(0.0))
    rp = lambda **kw: dsp.resample_poly(**{"x": X, "up": 2, "down": 3, **kw})  # noqa: E731
    out += data_cases(NAME + "resample_poly", lambda v: rp(x=v), "x", X)
    out += param_cases(NAME + "resample_poly", lambda v: rp(up=v), "up", Int(2, low=1))
    out += param_cases(NAME + "resample_poly", lambda v: rp(down=v), "down", Int(3, low=1))
    out += param_cases(
        NAME + "resample_poly", lambda v: rp(padtype=v), "padtype", Choice("constant")
    )
    out += param_cases(NAME + "resample_poly", lambda v: rp(cval=v), "cval", Real(0.0, none=True))
    out += _windowed("resample_poly", lambda v: rp(window=v), 19, taps=True)
    dec = lambda **kw: dsp.decimate(**{"x": X, "q": 2, **kw})  # noqa: E731
    out += data_cases(NAME + "decimate", lambda v: dec(x=v), "x", X)
    out += param_cases(NAME + "decimate", lambda v: dec(q=v), "q", Int(2, low=1))
    out += param_cases(NAME + "decimate", lambda v: dec(n=v), "n", Int(4, low=0, none=True))
    out += param_cases(NAME + "decimate", lambda v: dec(ftype=v), "ftype", Choice("iir"))
    out += param_cases(
        NAME + "decimate", lambda v: dec(zero_phase=v), "zero_phase", Bool(True, strict=False)
    )
    return out


def spectral():
    out = []
    common = {
        "fs": Real(1.0, low=0.0, low_open=True),
        "detrend": Choice("constant", none=True),
        "scaling": Choice("density"),
        "return_onesided": Bool(True, strict=False),
    }
    per = {
        "nperseg": Int(32, low=1, none=True),
        "noverlap": Int(16, low=-(2**62), high=31, none=True),  # < 0: gaps, as SciPy
        "nfft": Int(32, low=1, none=True),
    }
    one_input = {
        "periodogram": (dict(common, nfft=Int(64, low=1, none=True)), 64),
        "welch": (dict(common, average=Choice("mean"), **per), 32),
        "spectrogram": (dict(common, mode=Choice("psd"), **per), 32),
    }
    for name, (params, n) in one_input.items():
        fn = getattr(dsp, name)
        kwargs = {} if name == "periodogram" else {"nperseg": 32}
        out += data_cases(NAME + name, lambda v, fn=fn, kw=kwargs: fn(v, **kw), "x", X)
        for arg, spec in params.items():
            out += param_cases(
                NAME + name,
                lambda v, fn=fn, arg=arg, kw=kwargs: fn(X, **{**kw, arg: v}),
                arg,
                spec,
            )
        out += _windowed(name, lambda v, fn=fn, kw=kwargs: fn(X, **{**kw, "window": v}), n)
    for name in ("csd", "coherence"):
        fn = getattr(dsp, name)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(v, Y, nperseg=32), "x", X)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(X, v, nperseg=32), "y", Y)
        for arg, spec in dict(per, fs=common["fs"]).items():
            out += param_cases(
                NAME + name,
                lambda v, fn=fn, arg=arg: fn(X, Y, **{"nperseg": 32, arg: v}),
                arg,
                spec,
            )
        out += _windowed(name, lambda v, fn=fn: fn(X, Y, nperseg=32, window=v), 32)
    return out


def stft_family():
    out = []
    st = lambda **kw: dsp.stft(**{"x": X, "nperseg": 16, **kw})  # noqa: E731
    out += data_cases(NAME + "stft", lambda v: st(x=v), "x", X)
    for arg, spec in {
        "fs": Real(1.0, low=0.0, low_open=True),
        "nperseg": Int(16, low=1, none=True),
        "noverlap": Int(8, low=-(2**62), high=15, none=True),  # < 0: gaps, as SciPy
        "nfft": Int(16, low=16, none=True),
        "boundary": Choice("zeros", none=True),
        "padded": Bool(True, strict=False),
        "scaling": Choice("spectrum"),
    }.items():
        out += param_cases(NAME + "stft", lambda v, arg=arg: st(**{arg: v}), arg, spec)
    out += _windowed("stft", lambda v: st(window=v), 16)
    ist = lambda **kw: dsp.istft(**{"Zxx": ZXX, "nperseg": 16, **kw})  # noqa: E731
    ref = lambda: ist()  # noqa: E731
    z_nan, z_inf = ZXX.copy(), ZXX.copy()
    z_nan[3, 2], z_inf[3, 2] = np.nan, np.inf
    readonly = ZXX.copy()
    readonly.setflags(write=False)
    for label, value, expect in (
        ("nan", z_nan, "refuse"),
        ("inf", z_inf, "refuse"),
        ("empty", np.empty((9, 0), complex), "either"),
        ("strings", np.full(ZXX.shape, "a"), "refuse"),
        ("None", None, "refuse"),
        ("1-D", ZXX[:, 0], "refuse"),
        ("real", ZXX.real.copy(), "either"),
        ("bigendian", ZXX.astype(">c16"), "valid"),
        ("readonly", readonly, "valid"),
        ("noncontiguous", np.repeat(ZXX, 2, axis=1)[:, ::2], "valid"),
        ("list", ZXX.tolist(), "valid"),
    ):
        out.append(
            case(
                NAME + "istft",
                f"Zxx={label}",
                expect,
                "Zxx",
                lambda v=value: ist(Zxx=v),
                ref if expect == "valid" else None,
            )
        )
    out.append(
        case(
            NAME + "istft",
            "nperseg=mismatch",
            "refuse",
            ("nperseg", "Zxx"),
            lambda: ist(nperseg=32),
        )
    )
    # SciPy 1.17's istft warns "NOLA condition failed" and returns values (its tests require it)
    out.append(
        case(
            NAME + "istft",
            "window violates NOLA",
            "either",
            ("window", "noverlap"),
            lambda: ist(window=np.r_[1.0, np.zeros(15)], noverlap=8),
        )
    )
    for arg, spec in {
        "fs": Real(1.0, low=0.0, low_open=True),
        "noverlap": Int(8, low=-(2**62), high=15, none=True),  # < 0: gaps, as SciPy
        "input_onesided": Bool(True, strict=False),
        "boundary": Bool(True, strict=False),
    }.items():
        out += param_cases(NAME + "istft", lambda v, arg=arg: ist(**{arg: v}), arg, spec)
    out += _windowed("istft", lambda v: ist(window=v), 16)[:3]
    out += data_cases(NAME + "hilbert", lambda v: dsp.hilbert(v), "x", X)
    out += param_cases(
        NAME + "hilbert", lambda v: dsp.hilbert(X, N=v), "N", Int(64, low=1, none=True)
    )
    return out


#: ``worN``: a count of frequencies, or (as a float or array) the frequencies themselves
WORN = _Int(64, low=1, none=True, boolean="either", override=(("1.5", "either"), ("0", "either")))


def design():
    out = []
    fz = lambda **kw: dsp.freqz(**{"b": B, "a": A, "worN": 64, **kw})  # noqa: E731
    out += data_cases(NAME + "freqz", lambda v: fz(b=v), "b", B, "coef", max_ndim=None)
    out += data_cases(NAME + "freqz", lambda v: fz(a=v), "a", A, "coef", max_ndim=None)
    out += param_cases(NAME + "freqz", lambda v: fz(worN=v), "worN", WORN)
    out += param_cases(NAME + "freqz", lambda v: fz(fs=v), "fs", Real(2.0, low=0.0, low_open=True))
    out += param_cases(NAME + "freqz", lambda v: fz(whole=v), "whole", Bool(False, strict=False))
    sfz = lambda **kw: dsp.sosfreqz(**{"sos": SOS, "worN": 64, **kw})  # noqa: E731
    out += data_cases(NAME + "sosfreqz", lambda v: sfz(sos=v), "sos", SOS, "coef", max_ndim=2)
    out += param_cases(NAME + "sosfreqz", lambda v: sfz(worN=v), "worN", WORN)
    out += param_cases(
        NAME + "sosfreqz", lambda v: sfz(fs=v), "fs", Real(2.0, low=0.0, low_open=True)
    )
    out += data_cases(
        NAME + "lfilter_zi", lambda v: dsp.lfilter_zi(v, A), "b", B, "coef", max_ndim=1
    )
    out += data_cases(
        NAME + "lfilter_zi", lambda v: dsp.lfilter_zi(B, v), "a", A, "coef", max_ndim=1
    )
    out += data_cases(
        NAME + "sosfilt_zi", lambda v: dsp.sosfilt_zi(v), "sos", SOS, "coef", max_ndim=2
    )
    iir = {"butter": (), "cheby1": (1.0,), "cheby2": (40.0,), "ellip": (1.0, 40.0), "bessel": ()}
    ripples = {"cheby1": ("rp",), "cheby2": ("rs",), "ellip": ("rp", "rs")}
    for name, extra in iir.items():
        fn = getattr(dsp, name)

        def call(N=2, Wn=0.2, extra=extra, fn=fn, **kw):
            return fn(N, *extra, Wn, output="sos", **kw)

        out += param_cases(
            NAME + name, lambda v, call=call: call(N=v), "N", Int(2, low=0, boolean="either")
        )
        out += param_cases(
            NAME + name,
            lambda v, call=call: call(Wn=v),
            "Wn",
            Real(0.2, low=0.0, high=1.0, low_open=True, high_open=True),
            extra=(
                ("[0.1, nan]", [0.1, np.nan], "refuse"),
                ("[0.3, 0.1]", [0.3, 0.1], "refuse"),
                ("[[0.1, 0.2]]", [[0.1, 0.2]], "refuse"),
            ),
        )
        out += param_cases(
            NAME + name,
            lambda v, call=call: call(fs=v, Wn=0.2),
            "fs",
            Real(2.0, low=0.0, low_open=True, none=True),
        )
        out += param_cases(NAME + name, lambda v, call=call: call(btype=v), "btype", Choice("low"))
        for i, rname in enumerate(ripples.get(name, ())):

            def rip(v, fn=fn, extra=extra, i=i):
                values = list(extra)
                values[i] = v
                return fn(2, *values, 0.2, output="sos")

            out += param_cases(NAME + name, rip, rname, Real(extra[i], low=0.0, low_open=True))
    fw = lambda **kw: dsp.firwin(**{"numtaps": 15, "cutoff": 0.3, **kw})  # noqa: E731
    out += param_cases(NAME + "firwin", lambda v: fw(numtaps=v), "numtaps", Int(15, low=1))
    out += param_cases(
        NAME + "firwin",
        lambda v: fw(cutoff=v),
        "cutoff",
        Real(0.3, low=0.0, high=1.0, low_open=True, high_open=True),
        extra=(
            ("[0.1, nan]", [0.1, np.nan], "refuse"),
            ("[0.3, 0.1]", [0.3, 0.1], "refuse"),
            ("[]", [], "refuse"),
        ),
    )
    out += param_cases(
        NAME + "firwin",
        lambda v: fw(width=v),
        "width",
        Real(0.1, low=0.0, low_open=True, none=True),
    )
    out += param_cases(
        NAME + "firwin", lambda v: fw(fs=v), "fs", Real(2.0, low=0.0, low_open=True, none=True)
    )
    out += param_cases(NAME + "firwin", lambda v: fw(scale=v), "scale", Bool(True, strict=False))
    out += _windowed("firwin", lambda v: fw(window=v), 15)[:3]
    out += param_cases(
        NAME + "kaiserord",
        lambda v: dsp.kaiserord(v, 0.1),
        "ripple",
        Real(60.0, low=0.0, low_open=True),
    )
    out += param_cases(
        NAME + "kaiserord",
        lambda v: dsp.kaiserord(60.0, v),
        "width",
        Real(0.1, low=0.0, low_open=True),
    )
    bands, desired = [0.0, 0.1, 0.2, 0.5], [1.0, 0.0]
    rz = lambda **kw: dsp.remez(**{"numtaps": 15, "bands": bands, "desired": desired, **kw})  # noqa: E731
    out += param_cases(NAME + "remez", lambda v: rz(numtaps=v), "numtaps", Int(15, low=1))
    out += data_cases(NAME + "remez", lambda v: rz(bands=v), "bands", bands, "coef", max_ndim=1)
    out += data_cases(
        NAME + "remez", lambda v: rz(desired=v), "desired", desired, "coef", max_ndim=1
    )
    out += data_cases(
        NAME + "remez",
        lambda v: rz(weight=v),
        "weight",
        [1.0, 1.0],
        "coef",
        required=False,
        max_ndim=1,
    )
    out += param_cases(NAME + "remez", lambda v: rz(maxiter=v), "maxiter", Int(25, low=1))
    out += param_cases(
        NAME + "remez", lambda v: rz(grid_density=v), "grid_density", Int(16, low=1)
    )
    out += param_cases(NAME + "remez", lambda v: rz(type=v), "type", Choice("bandpass"))
    out += _notches()
    out += _firwin2()
    return out


#: a frequency strictly inside (0, Nyquist = 1), as the designs' ``w0`` and ``Wn`` take it
W0 = Real(0.2, low=0.0, high=1.0, low_open=True, high_open=True)


def _notches():
    out = []
    for name in ("iirnotch", "iirpeak"):
        fn = getattr(dsp, name)

        def call(w0=0.2, Q=30.0, fs=2.0, fn=fn):
            return fn(w0, Q, fs=fs)

        out += param_cases(
            NAME + name,
            lambda v, call=call: call(w0=v),
            "w0",
            W0,
            extra=(("[0.2]", [0.2], "refuse"),),
        )
        out += param_cases(
            NAME + name, lambda v, call=call: call(Q=v), "Q", Real(30.0, low=0.0, low_open=True)
        )
        out += param_cases(
            NAME + name, lambda v, call=call: call(fs=v), "fs", Real(2.0, low=0.0, low_open=True)
        )

    def comb(w0=0.2, Q=30.0, ftype="notch", fs=2.0, pass_zero=False):
        return dsp.iircomb(w0, Q, ftype=ftype, fs=fs, pass_zero=pass_zero)

    out += param_cases(
        NAME + "iircomb",
        lambda v: comb(w0=v),
        "w0",
        W0,
        extra=(("[0.2]", [0.2], "refuse"), ("0.3 (fs/w0 not whole)", 0.3, "refuse")),
    )
    out += param_cases(
        NAME + "iircomb", lambda v: comb(Q=v), "Q", Real(30.0, low=1.0, low_open=True)
    )
    out += param_cases(NAME + "iircomb", lambda v: comb(ftype=v), "ftype", Choice("notch"))
    out += param_cases(
        NAME + "iircomb", lambda v: comb(fs=v), "fs", Real(2.0, low=0.0, low_open=True)
    )
    out += param_cases(
        NAME + "iircomb", lambda v: comb(pass_zero=v), "pass_zero", Bool(False, strict=False)
    )
    return out


def _firwin2():
    freq, gain = [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]
    fw2 = lambda **kw: dsp.firwin2(**{"numtaps": 15, "freq": freq, "gain": gain, **kw})  # noqa: E731
    out = param_cases(NAME + "firwin2", lambda v: fw2(numtaps=v), "numtaps", Int(15, low=1))
    out += data_cases(NAME + "firwin2", lambda v: fw2(freq=v), "freq", freq, "coef", max_ndim=1)
    out += data_cases(NAME + "firwin2", lambda v: fw2(gain=v), "gain", gain, "coef", max_ndim=1)
    out += param_cases(
        NAME + "firwin2", lambda v: fw2(nfreqs=v), "nfreqs", Int(64, low=16, none=True)
    )
    out += param_cases(
        NAME + "firwin2",
        lambda v: fw2(antisymmetric=v),
        "antisymmetric",
        Bool(False, strict=False),
    )
    out += param_cases(
        NAME + "firwin2", lambda v: fw2(fs=v), "fs", Real(2.0, low=0.0, low_open=True, none=True)
    )
    out += _windowed("firwin2", lambda v: fw2(window=v), 15)
    return out


WINDOW_PARAMS = {
    "kaiser": {"beta": Real(5.0)},
    "kaiser_bessel_derived": {"beta": Real(5.0)},
    "gaussian": {"std": Real(1.5, low=0.0, low_open=True)},
    "general_gaussian": {
        "p": Real(1.5, low=0.0, low_open=True),
        "sig": Real(2.0, low=0.0, low_open=True),
    },
    "general_hamming": {"alpha": Real(0.54)},
    "chebwin": {"at": Real(50.0)},
    "exponential": {"tau": Real(1.0, low=0.0, low_open=True), "center": Real(3.0, none=True)},
    "tukey": {"alpha": Real(0.5)},
    "taylor": {"nbar": Int(4, low=1), "sll": Real(30.0, low=0.0, low_open=True)},
    "dpss": {"NW": Real(2.5, low=0.0, low_open=True), "Kmax": Int(3, low=1, none=True)},
}


#: real zeros and poles (the families' variants are real; complex ones need conjugates)
ZEROS, POLES = np.array([-1.0, 1.0]), np.array([0.5, -0.2])


def conversions():
    out = []
    coef = {"kind": "coef", "max_ndim": 1}
    out += data_cases(NAME + "tf2zpk", lambda v: dsp.tf2zpk(v, A), "b", B, **coef)
    out += data_cases(NAME + "tf2zpk", lambda v: dsp.tf2zpk(B, v), "a", A, **coef)
    # z may be 2-D (one row of zeros per numerator): no ndim+1 family for it
    out += data_cases(NAME + "zpk2tf", lambda v: dsp.zpk2tf(v, POLES, 2.0), "z", ZEROS, "coef")
    out += data_cases(NAME + "zpk2tf", lambda v: dsp.zpk2tf(ZEROS, v, 2.0), "p", POLES, **coef)
    out += param_cases(
        NAME + "zpk2tf",
        lambda v: dsp.zpk2tf(ZEROS, POLES, v),
        "k",
        Real(2.0, override=(("complex", "either"),)),  # SciPy takes a complex gain
    )
    zs = lambda **kw: dsp.zpk2sos(**{"z": ZEROS, "p": POLES, "k": 2.0, **kw})  # noqa: E731
    out += data_cases(NAME + "zpk2sos", lambda v: zs(z=v), "z", ZEROS, **coef)
    out += data_cases(NAME + "zpk2sos", lambda v: zs(p=v), "p", POLES, **coef)
    out += param_cases(NAME + "zpk2sos", lambda v: zs(k=v), "k", Real(2.0))
    out += param_cases(
        NAME + "zpk2sos", lambda v: zs(pairing=v), "pairing", Choice("nearest", none=True)
    )
    out += param_cases(NAME + "zpk2sos", lambda v: zs(analog=v), "analog", Bool(False))
    ts = lambda **kw: dsp.tf2sos(**{"b": B, "a": A, **kw})  # noqa: E731
    out += data_cases(NAME + "tf2sos", lambda v: ts(b=v), "b", B, **coef)
    out += data_cases(NAME + "tf2sos", lambda v: ts(a=v), "a", A, **coef)
    out += param_cases(
        NAME + "tf2sos", lambda v: ts(pairing=v), "pairing", Choice("keep_odd", none=True)
    )
    out += param_cases(NAME + "tf2sos", lambda v: ts(analog=v), "analog", Bool(False))
    for name in ("sos2tf", "sos2zpk"):
        fn = getattr(dsp, name)
        out += data_cases(NAME + name, lambda v, fn=fn: fn(v), "sos", SOS, "coef", max_ndim=2)
    y, x = ss.lfilter(B, A, X[:8])[::-1], X[:8][::-1]
    lt = lambda **kw: dsp.lfiltic(**{"b": B, "a": A, "y": y, "x": x, **kw})  # noqa: E731
    out += data_cases(NAME + "lfiltic", lambda v: lt(b=v), "b", B, **coef)
    out += data_cases(NAME + "lfiltic", lambda v: lt(a=v), "a", A, **coef)
    out += data_cases(NAME + "lfiltic", lambda v: lt(y=v), "y", y, **coef)
    out += data_cases(NAME + "lfiltic", lambda v: lt(x=v), "x", x, required=False, **coef)
    return out


def window_functions():
    out = []
    names = [
        n
        for n in (
            "boxcar",
            "triang",
            "parzen",
            "bohman",
            "blackman",
            "nuttall",
            "blackmanharris",
            "flattop",
            "bartlett",
            "barthann",
            "hamming",
            "kaiser",
            "kaiser_bessel_derived",
            "gaussian",
            "general_gaussian",
            "general_cosine",
            "general_hamming",
            "chebwin",
            "cosine",
            "hann",
            "exponential",
            "tukey",
            "taylor",
            "dpss",
            "lanczos",
        )
    ]
    M = 8
    for name in names:
        fn = getattr(windows, name)
        params = WINDOW_PARAMS.get(name, {})
        base = {arg: spec.ok for arg, spec in params.items()}
        if name == "general_cosine":
            base = {"a": [0.5, 0.5]}
        if name == "exponential":  # SciPy refuses `center` unless sym=False
            base["sym"] = False
        out += param_cases(
            f"{NAME}windows.{name}",
            lambda v, fn=fn, base=base: fn(v, **base),
            "M",
            Int(M, low=0, boolean="either"),
        )
        out += param_cases(
            f"{NAME}windows.{name}",
            lambda v, fn=fn, base=base: fn(M, **{**base, "sym": v}),
            "sym",
            Bool(True, strict=False),
        )[:1]
        for arg, spec in params.items():
            out += param_cases(
                f"{NAME}windows.{name}",
                lambda v, fn=fn, arg=arg, base=base: fn(M, **{**base, arg: v}),
                arg,
                spec,
            )
        if name == "general_cosine":
            out += data_cases(
                f"{NAME}windows.general_cosine",
                lambda v, fn=fn: fn(M, v),
                "a",
                [0.5, 0.5],
                "coef",
                max_ndim=1,
            )
    gw = windows.get_window
    out += param_cases(NAME + "windows.get_window", lambda v: gw("hann", v), "Nx", Int(8, low=0))
    out += [
        case(
            NAME + "windows.get_window", f"window={label}", expect, "window", lambda v=v: gw(v, 8)
        )
        for label, v, expect in _window_values(8)[:3]
    ]
    return out


def streaming():
    out = []

    def sos_process(sos=SOS, zi=None, chunk=X):
        return dsp.SosFilter(sos, zi=zi).process(chunk)

    out += data_cases(NAME + "SosFilter.process", lambda v: sos_process(chunk=v), "chunk", X)
    out += data_cases(
        NAME + "SosFilter", lambda v: sos_process(sos=v), "sos", SOS, "coef", max_ndim=2
    )
    out += data_cases(
        NAME + "SosFilter",
        lambda v: sos_process(zi=v),
        "zi",
        ZI,
        "coef",
        required=False,
        max_ndim=3,
    )
    out += data_cases(
        NAME + "FirFilter.process", lambda v: dsp.FirFilter(TAPS).process(v), "chunk", X
    )
    out += data_cases(
        NAME + "FirFilter", lambda v: dsp.FirFilter(v).process(X), "taps", TAPS, "coef", max_ndim=1
    )

    def resample(up=2, down=3, chunk=X, window=("kaiser", 5.0)):
        r = dsp.Resampler(up, down, window=window)
        return np.concatenate([np.ravel(r.process(chunk)), np.ravel(r.flush())])

    out += data_cases(NAME + "Resampler.process", lambda v: resample(chunk=v), "chunk", X)
    out += param_cases(NAME + "Resampler", lambda v: resample(up=v), "up", Int(2, low=1))
    out += param_cases(NAME + "Resampler", lambda v: resample(down=v), "down", Int(3, low=1))
    out += _windowed("Resampler", lambda v: resample(window=v), 19, taps=True)[:5]
    return out


def peak_finding():
    """``find_peaks`` and its helpers on ``X`` (many peaks); bounds must be finite."""
    out = []
    peaks = ss.find_peaks(X)[0]
    fp = lambda **kw: dsp.find_peaks(**{"x": X, "prominence": 0.1, "width": 1, **kw})  # noqa: E731
    out += data_cases(NAME + "find_peaks", lambda v: fp(x=v), "x", X, max_ndim=1)
    for arg, spec in {
        "distance": Real(2.0, low=1.0, none=True),
        "wlen": Real(9.0, low=1.0, low_open=True, none=True),
        "rel_height": Real(0.5, low=0.0),
    }.items():
        out += param_cases(NAME + "find_peaks", lambda v, arg=arg: fp(**{arg: v}), arg, spec)
    for arg in ("height", "threshold", "prominence", "width", "plateau_size"):
        out += param_cases(
            NAME + "find_peaks",
            lambda v, arg=arg: fp(**{arg: v}),
            arg,
            Real(0.5, none=True),
            extra=(
                ("(nan, None)", (np.nan, None), "refuse"),
                ("(None, inf)", (None, np.inf), "refuse"),
                ("(2, 1)", (2.0, 1.0), "refuse"),
                ("wrong length", np.zeros(5), "refuse"),
                ("True", True, "refuse"),
            ),
        )
        out += data_cases(
            NAME + "find_peaks",
            lambda v, arg=arg: fp(**{arg: (v, None)}),
            f"{arg}[0]",
            np.full(64, 0.1),
            required=False,
            max_ndim=1,
            names=(arg,),
        )
    pp = lambda **kw: dsp.peak_prominences(**{"x": X, "peaks": peaks, **kw})  # noqa: E731
    pw = lambda **kw: dsp.peak_widths(**{"x": X, "peaks": peaks, **kw})  # noqa: E731
    for name, fn in (("peak_prominences", pp), ("peak_widths", pw)):
        out += data_cases(NAME + name, lambda v, fn=fn: fn(x=v), "x", X, max_ndim=1)
        out += param_cases(
            NAME + name,
            lambda v, fn=fn: fn(wlen=v),
            "wlen",
            Real(9.0, low=1.0, low_open=True, none=True),
        )
        for label, value, expect in (
            ("valid", peaks, "either"),
            ("list", peaks.tolist(), "either"),
            ("out of range", [64], "refuse"),
            ("negative", [-1], "refuse"),
            ("fractional", [1.5], "refuse"),
            ("2-D", peaks[None], "refuse"),
            ("None", None, "refuse"),
            ("strings", ["a"], "refuse"),
        ):
            out.append(
                case(
                    NAME + name,
                    f"peaks={label}",
                    expect,
                    "peaks",
                    lambda v=value, fn=fn: fn(peaks=v),
                )
            )
    out += param_cases(
        NAME + "peak_widths", lambda v: pw(rel_height=v), "rel_height", Real(0.5, low=0.0)
    )
    good = ss.peak_prominences(X, peaks)
    for label, value, expect in (
        ("scipy's", good, "either"),
        ("lists", tuple(a.tolist() for a in good), "either"),
        ("(None, None, None)", (None, None, None), "refuse"),
        ("2 arrays", good[:2], "refuse"),
        ("short", (good[0][:1], good[1], good[2]), "refuse"),
        ("nan", (good[0] * np.nan, good[1], good[2]), "refuse"),
        ("bases swapped", (good[0], good[2], good[1]), "refuse"),
    ):
        out.append(
            case(
                NAME + "peak_widths",
                f"prominence_data={label}",
                expect,
                ("prominence_data", "prominence_data[0]", "prominence_data[1]"),
                lambda v=value: pw(prominence_data=v),
            )
        )
    return out


def cases():
    from . import (
        cases_dsp_design,
        cases_dsp_images,
        cases_dsp_lti,
        cases_dsp_spectra,
        cases_dsp_systems,
        cases_dsp_waveforms,
    )

    return [
        *filtering(),
        *convolution_and_resampling(),
        *spectral(),
        *stft_family(),
        *design(),
        *conversions(),
        *window_functions(),
        *streaming(),
        *peak_finding(),
        *cases_dsp_design.cases(),
        *cases_dsp_waveforms.cases(),
        *cases_dsp_images.cases(),
        *cases_dsp_spectra.cases(),
        *cases_dsp_systems.cases(),
        *cases_dsp_lti.cases(),
    ]
