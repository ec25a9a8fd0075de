"""dlsim, dimpulse, dstep, dfreqresp and dbode equal SciPy's for discrete-time systems
given as tuples (transfer function, zeros-poles-gain, state space; SISO and MIMO) and as
instances; dlsim's single-input single-output path through lfilter agrees with SciPy's
loop to 1e-10; bad systems, steps, inputs, times, states and counts are refused by name."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.dsp import lti_discrete
from pyjl.dsp._lti_args import SystemKindError
from pyjl.exceptions import InputError, InputTypeError, NumericalWarning

from .helpers import assert_matches

RNG = np.random.default_rng(20261210)
DT = 0.05
B4, A4 = ss.butter(4, 0.2)
A = np.array([[0.9, 0.1, 0.0], [-0.2, 0.8, 0.05], [0.0, 0.1, 0.5]])
B2 = np.array([[0.4, 0.1], [0.0, 0.05], [0.2, -0.3]])
C2 = np.array([[0.1, 0.3, 0.0], [1.0, 0.0, -1.0]])
D2 = np.array([[0.0, -0.1], [0.05, 0.0]])
MIMO = (A, B2, C2, D2, DT)
SISO_SS = (A, B2[:, :1], C2[:1], D2[:1, :1], DT)

SISO = {
    "butter": (B4, A4, DT),
    "cheby1-6": (*ss.cheby1(6, 1, 0.3), DT),
    "ellip-zpk": (*ss.ellip(5, 1, 40, 0.25, output="zpk"), DT),
    "integrator": ([1.0], [1.0, -1.0], DT),
    "unstable": ([1.0, 0.5], [1.0, -1.01], DT),
    "resonant": ([1.0], [1.0, -1.9, 0.95], DT),
    "proper-lists": ([0.3, 0.2, 0.1], [2.0, -1.0, 0.4, 0.2], 1),
    "static": (1, 2, 3),
    "tf-instance": ss.dlti(B4, A4, dt=DT),
    "zpk-instance": ss.dlti(*ss.butter(3, 0.3, output="zpk"), dt=DT),
    "dt-unspecified": ss.dlti([1.0], [1.0, -0.5]),
}


def _same(got, want, rtol=1e-10):
    assert type(got) is type(want) and len(got) == len(want)
    for g, w in zip(got, want):
        if isinstance(w, tuple):
            _same(g, w, rtol)
        else:
            assert_matches(g, w, rtol=rtol)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


@pytest.mark.parametrize("key", sorted(SISO))
def test_dlsim_siso_by_lfilter_equals_scipy(key):
    u = RNG.standard_normal(2000)
    _same(_quiet(dsp.dlsim, SISO[key], u), _quiet(ss.dlsim, SISO[key], u))
    # as a column, and interpolated from coarser times
    _same(_quiet(dsp.dlsim, SISO[key], u[:, None]), _quiet(ss.dlsim, SISO[key], u[:, None]))
    dt = 1.0 if isinstance(SISO[key], tuple) and SISO[key][-1] in (1, 3) else DT
    t = np.linspace(0.0, 199 * dt * 2.5, 200)
    _same(_quiet(dsp.dlsim, SISO[key], u[:200], t=t), _quiet(ss.dlsim, SISO[key], u[:200], t=t))


def test_dlsim_siso_runs_on_lfilter_not_scipys_loop(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("scipy.signal.dlsim was called")

    u = RNG.standard_normal(500)
    want = ss.dlsim((B4, A4, DT), u)
    monkeypatch.setattr(lti_discrete._ss, "dlsim", refuse)
    _same(dsp.dlsim((B4, A4, DT), u), want)
    _same(dsp.dlsim(ss.dlti(B4, A4, dt=DT), u, x0=0.0), want)
    with pytest.raises(AssertionError, match="was called"):  # states asked for: SciPy's
        dsp.dlsim(SISO_SS, u)


@pytest.mark.parametrize("system", [MIMO, ss.dlti(*MIMO[:-1], dt=DT), SISO_SS])
def test_dlsim_state_space_and_mimo_equal_scipy(system):
    p = np.shape(system[1] if isinstance(system, tuple) else system.B)[1]
    u = RNG.standard_normal((300, p))
    x0 = [1.0, -0.5, 0.25]
    _same(dsp.dlsim(system, u, x0=x0), ss.dlsim(system, u, x0=x0))
    t = np.linspace(0.0, 299 * DT * 3, 300)
    _same(dsp.dlsim(system, u, t=t, x0=0.5), ss.dlsim(system, u, t=t, x0=0.5))


def test_dlsim_from_a_state_of_a_transfer_function_equals_scipy():
    u = RNG.standard_normal(100)
    x0 = [0.5, -0.2, 0.1, 0.0]
    _same(dsp.dlsim((B4, A4, DT), u, x0=x0), ss.dlsim((B4, A4, DT), u, x0=x0))


@pytest.mark.parametrize("func", ["dimpulse", "dstep"])
@pytest.mark.parametrize(
    "system",
    [SISO["butter"], SISO["ellip-zpk"], SISO["tf-instance"], MIMO, SISO_SS],
    ids=["tf", "zpk", "instance", "mimo", "ss"],
)
def test_dimpulse_and_dstep_equal_scipy(func, system):
    ours, theirs = getattr(dsp, func), getattr(ss, func)
    _same(_quiet(ours, system), _quiet(theirs, system))
    _same(_quiet(ours, system, n=7), _quiet(theirs, system, n=7))
    t = np.linspace(0.0, 1.0, 9)
    _same(_quiet(ours, system, t=t), _quiet(theirs, system, t=t))


def test_dimpulse_from_a_state_equals_scipy():
    x0 = np.array([1.0, 1.0, 0.5])
    _same(dsp.dimpulse(MIMO, x0=x0, n=10), ss.dimpulse(MIMO, x0=x0, n=10))


@pytest.mark.filterwarnings("ignore::scipy.signal.BadCoefficients")  # SciPy's ss2tf
@pytest.mark.parametrize("func", ["dfreqresp", "dbode"])
@pytest.mark.parametrize("key", ["butter", "cheby1-6", "ellip-zpk", "tf-instance", "ss"])
def test_frequency_responses_equal_scipy(func, key):
    system = SISO_SS if key == "ss" else SISO[key]
    ours, theirs = getattr(dsp, func), getattr(ss, func)
    _same(ours(system, n=64), theirs(system, n=64), rtol=1e-13)
    w = np.linspace(0.01, 3.0, 17)
    _same(ours(system, w=w), theirs(system, w=w), rtol=1e-13)
    if func == "dfreqresp":
        _same(ours(system, n=8, whole=True), theirs(system, n=8, whole=True), rtol=1e-13)


def test_complex_gain_with_zero_imaginary_part_is_read_as_real():
    # SciPy's freqz_zpk reads the gain as a float and fails on a complex one
    got = dsp.dfreqresp(([0.5], [-0.5, 0.25], 2 + 0j, 0.1), n=16)
    _same(got, ss.dfreqresp(([0.5], [-0.5, 0.25], 2.0, 0.1), n=16))


def test_frequency_response_warns_at_a_pole_on_the_circle():
    with pytest.warns(NumericalWarning, match="unit circle"):
        w, H = dsp.dfreqresp(([1.0], [1.0, -1.0], 0.1), w=[0.0, 1.0])
    assert not np.isfinite(H[0])
    with pytest.warns(NumericalWarning, match="unit circle"):
        dsp.dbode(([1.0, -1.0], [1.0, 0.0], 0.1), w=[0.0, 1.0])


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: dsp.dlsim(ss.lti([1.0], [1.0, 1.0]), [1.0]), SystemKindError, "discrete-time"),
        (lambda: dsp.dstep(ss.lti([1.0], [1.0, 1.0])), AttributeError, "`system`"),
        (lambda: dsp.dbode(ss.lti([1.0], [1.0, 1.0])), AttributeError, "`system`"),
        (lambda: dsp.dlsim(([1.0], [1.0, -0.5]), [1.0]), InputError, "`system` must be"),
        (lambda: dsp.dlsim(([1.0], [1.0, -0.5], 0.0), [1.0]), InputError, "`dt` must be"),
        (lambda: dsp.dlsim(([1.0], [1.0, -0.5], np.nan), [1.0]), InputError, "`dt` must be"),
        (lambda: dsp.dlsim(([1.0], [1.0, -0.5], "a"), [1.0]), InputTypeError, "`dt` must be"),
        (lambda: dsp.dlsim(([1.0], [1.0, -0.5], None), [1.0]), InputTypeError, "`dt` must be"),
        (lambda: dsp.dlsim(([np.nan], [1.0, -0.5], 1), [1.0]), InputError, "`num` must be"),
        (lambda: dsp.dlsim(([1.0], [0.0], 1), [1.0]), InputError, "`den` must have a non"),
        (lambda: dsp.dlsim(([1.0, 2.0, 3.0], [1.0, -0.5], 1), [1.0]), InputError, "proper"),
        (lambda: dsp.dlsim(([1j], [1.0, -0.5], 1), [1.0]), InputError, "must be real"),
        (lambda: dsp.dlsim((A, B2, C2, D2[:, :1], 1), [1.0]), InputError, "`D` must have"),
        (lambda: dsp.dlsim((B4, A4, 1), []), InputError, "`u` must have shape"),
        (lambda: dsp.dlsim(MIMO, np.ones(5)), InputError, r"`u` must have shape \(N, 2\)"),
        (lambda: dsp.dlsim((B4, A4, 1), [1.0, np.inf]), InputError, "`u` must be finite"),
        (lambda: dsp.dlsim((B4, A4, 1), [1.0, 1j]), InputError, "`u` must hold real"),
        (
            lambda: dsp.dlsim((B4, A4, 1), [1.0, 2.0], t=[0.0, 1, 2]),
            InputError,
            "`t` must hold one",
        ),
        (lambda: dsp.dlsim((B4, A4, 1), [1.0], t=[0.0]), InputError, "`t` must hold at least 2"),
        (lambda: dsp.dstep((B4, A4, 1), t=[1e308, 1.7e308]), InputError, "`t` must end within"),
        (
            lambda: dsp.dfreqresp(([1.0], [1.0, -0.5], 2 + 1j, 1)),
            InputError,
            "`gain` must be real",
        ),
        (
            lambda: dsp.dfreqresp((A, B2[:, :1] * 1e300, C2[:1], D2[:1, :1], 1)),
            InputError,
            r"`system(\.\w+)?` must be (finite|of moderate size)",
        ),
        (lambda: dsp.dlsim((B4, A4, 1), [1.0, 2.0], t=[1.0, 0.0]), InputError, "`t` must be"),
        (lambda: dsp.dlsim((B4, A4, 1), [1.0, 2.0], t=[-2.0, -1.0]), InputError, "`t` must end"),
        (lambda: dsp.dlsim((B4, A4, 1e-9), [1.0, 2.0], t=[0.0, 1.0]), InputError, "`t` must end"),
        (lambda: dsp.dlsim((B4, A4, 1), [1.0, 2.0], x0=[1.0, 2.0]), InputError, "`x0` must be"),
        (lambda: dsp.dlsim((B4, A4, 1), [1.0, 2.0], x0=1j), InputError, "`x0` must hold real"),
        (lambda: dsp.dimpulse((B4, A4, 1), n=0), InputError, "`n` must be an integer >= 1"),
        (lambda: dsp.dstep((B4, A4, 1), n=2**70), InputError, "`n` must be an integer"),
        (lambda: dsp.dstep((B4, A4, 1), t=[0.0, np.nan]), InputError, "`t` must be finite"),
        (lambda: dsp.dimpulse((B4, A4, 1), x0=[np.nan] * 4), InputError, "`x0` must be"),
        (lambda: dsp.dfreqresp(MIMO), InputError, "single input and a single output"),
        (lambda: dsp.dfreqresp((B4, A4, 1), w=[np.inf]), InputError, "`w` must be finite"),
        (lambda: dsp.dfreqresp((B4, A4, 1), n=-3), InputError, "`n` must be an integer >= 0"),
        (lambda: dsp.dfreqresp((B4, A4, 1), whole="yes"), InputTypeError, "`whole`"),
        (lambda: dsp.dbode((B4, A4, -1.0)), InputError, "`dt` must be"),
        (lambda: dsp.dbode(ss.dlti(B4, A4, dt=-1.0)), InputError, "`system.dt` must be"),
    ],
)
@pytest.mark.filterwarnings("ignore::scipy.signal.BadCoefficients")  # SciPy's, on overflow
def test_bad_arguments_are_refused_by_name(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
