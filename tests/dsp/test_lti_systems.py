"""The LTI classes are SciPy's own; lsim, impulse, step, freqresp and bode equal SciPy's
for systems given as tuples (transfer function, zeros-poles-gain, state space; SISO and
MIMO) and as instances, compute where SciPy truncates or fails, and refuse bad systems,
times, inputs, initial states and counts by name."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError, NumericalWarning, SystemKindError

from .helpers import assert_matches

RNG = np.random.default_rng(20261209)
T = np.linspace(0.0, 6.0, 121)
TF = ([1.0, 3.0], [1.0, 2.0, 5.0])
ZPK = ([-1.0], [-0.5 + 2j, -0.5 - 2j, -3.0], 4.0)
A = np.array([[-1.0, 0.5, 0.0], [0.0, -2.0, 1.0], [0.3, 0.0, -0.7]])
B2 = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, -1.0]])
C2 = np.array([[1.0, 0.0, 1.0], [0.0, 2.0, 0.0]])
D2 = np.array([[0.0, 0.1], [0.2, 0.0]])
MIMO = (A, B2, C2, D2)
SISO_SS = (A, B2[:, :1], C2[:1], D2[:1, :1])


def _same(got, want, rtol=1e-10):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=rtol)


@pytest.mark.filterwarnings("ignore::scipy.signal.BadCoefficients")  # SciPy's, sampling TF
@pytest.mark.parametrize(
    "name", ["lti", "dlti", "TransferFunction", "ZerosPolesGain", "StateSpace"]
)
def test_classes_are_scipys_own(name):
    assert getattr(dsp, name) is getattr(ss, name)
    sys = dsp.lti(*TF)
    assert isinstance(sys, dsp.lti) and isinstance(sys, dsp.TransferFunction)
    assert isinstance(sys.to_ss(), dsp.StateSpace) and isinstance(sys.to_discrete(0.1), dsp.dlti)


SISO = {
    "tf": TF,
    "zpk": ZPK,
    "ss": SISO_SS,
    "tf-lists": ([1, 3], [1, 2, 5]),
    "tf-instance": ss.lti(*TF),
    "zpk-instance": ss.lti(*ZPK),
    "ss-instance": ss.lti(*SISO_SS),
    "static-gain": ([2.0], [4.0]),
}


@pytest.mark.parametrize("interp", [True, False])
@pytest.mark.parametrize("key", sorted(SISO))
def test_lsim_siso_equals_scipy(key, interp):
    u = np.sin(2 * T) + 0.3 * RNG.standard_normal(T.size)
    x0 = None if key == "static-gain" else 0.5
    got = dsp.lsim(SISO[key], u, T, X0=x0, interp=interp)
    _same(got, ss.lsim(SISO[key], u, T, X0=x0, interp=interp))


@pytest.mark.parametrize("system", [MIMO, ss.lti(*MIMO)], ids=["tuple", "instance"])
def test_lsim_mimo_equals_scipy(system):
    u = RNG.standard_normal((T.size, 2))
    x0 = [1.0, -1.0, 0.5]
    _same(dsp.lsim(system, u, T, X0=x0), ss.lsim(system, u, T, X0=x0))
    # no input, and a start after time 0
    later = T + 1.0
    _same(dsp.lsim(system, None, later, X0=x0), ss.lsim(system, None, later, X0=x0))
    _same(dsp.lsim(system, 0, T, X0=x0), ss.lsim(system, 0, T, X0=x0))


def test_lsim_integer_matrices_are_not_truncated():
    # SciPy keeps the states in A's dtype: integer states make the response all zeros
    ints = (np.array([[-1]]), np.array([[1]]), np.array([[1]]), np.array([[0]]))
    t, y, x = dsp.lsim(ints, np.ones(5), np.arange(5.0))
    floats = tuple(m.astype(float) for m in ints)
    _same((t, y, x), ss.lsim(floats, np.ones(5), np.arange(5.0)))
    assert y[-1] > 0.9
    assert not np.any(ss.lsim(ints, np.ones(5), np.arange(5.0))[1])


def test_lsim_complex_input_of_a_real_system_keeps_its_imaginary_part():
    u = (1.0 + 2.0j) * np.ones(T.size)
    t, y, x = dsp.lsim(TF, u, T)
    _, y_re, _ = ss.lsim(TF, u.real, T)
    _, y_im, _ = ss.lsim(TF, u.imag, T)
    assert y.dtype == np.complex128
    np.testing.assert_allclose(y, y_re + 1j * y_im, rtol=1e-12, atol=1e-14)


def test_object_arrays_of_numbers_are_read_as_numbers():
    u = np.sin(T)
    _same(dsp.lsim(TF, u.astype(object), T.astype(object)), ss.lsim(TF, u, T))


def test_lsim_complex_gain_gives_scipys_complex_output():
    sys = ss.lti(*MIMO) * (2 + 0j)
    u = RNG.standard_normal((T.size, 2))
    _same(dsp.lsim(sys, u, T), ss.lsim(sys, u, T))


@pytest.mark.parametrize("func", ["impulse", "step"])
@pytest.mark.parametrize("key", sorted(set(SISO) - {"static-gain"}))
def test_impulse_and_step_equal_scipy(func, key):
    ours, theirs = getattr(dsp, func), getattr(ss, func)
    _same(ours(SISO[key]), theirs(SISO[key]))
    _same(ours(SISO[key], N=17), theirs(SISO[key], N=17))
    _same(ours(SISO[key], X0=0.5, T=T), theirs(SISO[key], X0=0.5, T=T))


def test_impulse_with_a_state_vector_and_step_with_one_time():
    # SciPy's impulse adds X0 to B (n, 1) and fails for a vector of n > 1 states; it is
    # the impulse response from the state B + X0
    t, y = dsp.impulse(TF, X0=[1.0, -0.5], T=T)
    ss_form = ss.lti(*TF).to_ss()
    x0 = ss_form.B.ravel() + [1.0, -0.5]
    _same((t, y), (T, ss.lsim(ss_form, None, T, X0=x0)[1]))
    # SciPy's step fails on a scalar time; it is read as one time, as lsim reads it
    # (and a scalar X0 is every state's, which SciPy's fails on after time 0)
    _same(dsp.step(TF, X0=0.5, T=2.0), ss.step(TF, X0=[0.5, 0.5], T=[2.0]))
    _same(dsp.impulse(TF, X0=3.0, T=5.0), ss.impulse(TF, X0=3.0, T=5.0))


@pytest.mark.filterwarnings("ignore::scipy.signal.BadCoefficients")  # SciPy's ss2tf (ss)
@pytest.mark.parametrize("func", ["freqresp", "bode"])
@pytest.mark.parametrize("key", sorted(SISO))
def test_frequency_responses_equal_scipy(func, key):
    ours, theirs = getattr(dsp, func), getattr(ss, func)
    _same(ours(SISO[key], n=50), theirs(SISO[key], n=50), rtol=1e-13)
    w = np.logspace(-2, 2, 31)
    _same(ours(SISO[key], w=w), theirs(SISO[key], w=w), rtol=1e-13)


def test_frequency_response_of_an_improper_system():
    system = ([1.0, 0.0, 4.0], [1.0, 1.0])
    _same(dsp.freqresp(system, w=[0.5, 1.0]), ss.freqresp(system, w=[0.5, 1.0]))


def test_responses_warn_where_scipys_are_not_finite():
    with pytest.warns(NumericalWarning, match="imaginary axis"):
        w, mag, _ = dsp.bode(([1.0, 0.0], [1.0, 1.0]), w=[0.0, 1.0])
    assert mag[0] == -np.inf
    with pytest.warns(NumericalWarning, match="imaginary axis"):
        dsp.freqresp(([1.0], [1.0, 0.0]), w=[0.0, 1.0])
    with pytest.warns(NumericalWarning, match="overflows"):
        dsp.step(([1.0], [1.0, -50.0]), T=np.linspace(0, 100, 11))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dsp.bode(([1.0], [1.0, 1.0]), n=10)  # finite: silent


def _refused(exc, match, call):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: dsp.lsim(([1.0], [1.0, np.nan]), None, T), InputError, "`den` must be finite"),
        (lambda: dsp.lsim(([1.0], [0.0, 0.0]), None, T), InputError, "`den` must have a non"),
        (lambda: dsp.lsim(([[np.inf]], [[1.0]], [[1.0]], [[0.0]]), None, T), InputError, "`A`"),
        (lambda: dsp.lsim((A, B2, C2, D2[:1]), None, T), InputError, "`D` must have shape"),
        (lambda: dsp.lsim(([], [np.nan], 1.0), None, T), InputError, "`poles` must be finite"),
        (lambda: dsp.lsim(([], [-1.0], [1.0, 2.0]), None, T), InputError, "`gain`"),
        (lambda: dsp.lsim(([1.0],), None, T), InputError, "`system` must be"),
        (lambda: dsp.lsim("abc", None, T), InputTypeError, "`system` must be"),
        (lambda: dsp.lsim(ss.dlti(*TF), None, T), SystemKindError, "continuous-time"),
        (lambda: dsp.step(ss.dlti(*TF)), AttributeError, "`system`"),
        (lambda: dsp.lsim(ss.lti([np.nan], [1.0, 1.0]), None, T), InputError, "`system.num`"),
        (lambda: dsp.lsim(([1.0, 2.0, 3.0], [1.0, 1.0]), None, T), InputError, "proper"),
        (lambda: dsp.lsim((None, B2, C2, D2), None, T), InputError, "`system`"),
        (lambda: dsp.lsim(TF, np.ones(4), T), InputError, r"`U` must have shape \(121, 1\)"),
        (lambda: dsp.lsim(MIMO, np.ones(T.size), T), InputError, "`U` must have shape"),
        (lambda: dsp.lsim(TF, 2.0, T), InputError, "`U` must hold one value"),
        (lambda: dsp.lsim(TF, np.r_[np.nan, T[1:]], T), InputError, "`U` must be finite"),
        (lambda: dsp.lsim(TF, None, []), InputError, "`T` must be a non-empty"),
        (lambda: dsp.lsim(TF, None, [-1.0, 0.0]), InputError, "`T` must start"),
        (lambda: dsp.lsim(TF, None, [0.0, 2.0, 1.0]), InputError, "`T` must be strictly"),
        (lambda: dsp.lsim(TF, None, [0.0, 1.0, 3.0]), InputError, "`T` must be equally"),
        (lambda: dsp.lsim(TF, None, [0.0, np.inf]), InputError, "`T` must be finite"),
        (lambda: dsp.lsim(TF, None, [[0.0, 1.0]]), InputError, "`T` must be a non-empty 1-D"),
        (lambda: dsp.lsim(TF, None, T, X0=[1.0, 2.0, 3.0]), InputError, "`X0` must be one"),
        (lambda: dsp.lsim(TF, None, T, X0=[np.nan, 0.0]), InputError, "`X0` must be finite"),
        (lambda: dsp.lsim(TF, None, T, interp=1), InputTypeError, "`interp` must be True"),
        (lambda: dsp.impulse(MIMO), InputError, "`system` must have a single input"),
        (lambda: dsp.step(MIMO), InputError, "`system` must have a single input"),
        (lambda: dsp.impulse(TF, N=0), InputError, "`N` must be an integer >= 1"),
        (lambda: dsp.step(TF, N=2.5), InputTypeError, "`N` must be an integer"),
        (lambda: dsp.step(TF, T=[0.0, 1.0, 1.5]), InputError, "`T` must be equally"),
        (lambda: dsp.impulse(TF, X0="a"), InputError, "`X0`"),
        (lambda: dsp.freqresp(MIMO), InputError, "single input and a single output"),
        (lambda: dsp.bode(([[1.0], [2.0]], [1.0, 1.0])), InputError, "single input"),
        (lambda: dsp.freqresp(TF, w=[0.0, np.nan]), InputError, "`w` must be finite"),
        (lambda: dsp.freqresp(TF, n=-1), InputError, "`n` must be an integer >= 0"),
        (lambda: dsp.bode(TF, n=2**70), InputError, "`n` must be an integer"),
        (lambda: dsp.bode(ss.dlti(*TF)), SystemKindError, "for bode"),
        (lambda: dsp.freqresp(([-1.0], [-2.0], 1j)), InputError, "`gain` must be real"),
        (
            lambda: dsp.freqresp((A * 1e300, B2[:, :1], C2[:1], D2[:1, :1])),
            InputError,
            r"`system(\.\w+)?` must be (finite|of moderate size)",
        ),
        (
            lambda: dsp.lsim(TF, np.array([1.0, None] * 60 + [1.0], dtype=object), T),
            InputError,
            "`U`",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore::scipy.signal.BadCoefficients")  # SciPy's, on overflow
def test_bad_arguments_are_refused_by_name(call, exc, match):
    _refused(exc, match, call)


def test_kind_error_is_an_attribute_error_as_scipys():
    assert issubclass(SystemKindError, AttributeError)
    assert issubclass(SystemKindError, InputTypeError)
    with pytest.raises(AttributeError):
        ss.lsim(ss.dlti(*TF), None, T)  # SciPy's own


def test_lsim_of_a_complex_input_is_complex_as_scipys():
    T = np.linspace(0.0, 2.0, 11)
    U = np.ones(11) + 0j  # no imaginary part: SciPy's output is complex all the same
    want, got = (
        ss.lsim(([1.0, 2.0], [1.0, 3.0, 2.0]), U, T),
        dsp.lsim(([1.0, 2.0], [1.0, 3.0, 2.0]), U, T),
    )
    for w, g in zip(want, got):
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_a_system_below_the_real_axis_gets_its_mirror_images_grid():
    # SciPy's findfreqs reads only the poles and zeros on or above the axis: for a complex
    # system with none there freqresp, bode, freqs, freqs_zpk and findfreqs raised a bare
    # ValueError (zero-size array); the grid of the mirror images is the one SciPy gives
    # the conjugate system
    w_conj = ss.freqresp(([1.0], [1.0, 1.0 - 1.0j]))[0]
    w, H = dsp.freqresp(([1.0], [1.0, 1.0 + 1.0j]))
    np.testing.assert_allclose(w, w_conj, rtol=1e-14)
    np.testing.assert_allclose(H, 1.0 / (1j * w + 1.0 + 1.0j), rtol=1e-12)
    np.testing.assert_allclose(dsp.bode(([1.0], [1.0, 1.0 + 1.0j]))[0],
                               ss.bode(([1.0], [1.0, 1.0 - 1.0j]))[0], rtol=1e-14)  # fmt: skip
    want = ss.freqs([1.0], [1.0, 1.0 - 1.0j])[0]
    np.testing.assert_allclose(dsp.freqs([1.0], [1.0, 1.0 + 1.0j])[0], want, rtol=1e-14)
    np.testing.assert_allclose(dsp.freqs_zpk([], [-1.0 - 1.0j], 1.0)[0], want, rtol=1e-14)
    want = ss.findfreqs([1.0], [1.0, 1.0 - 1.0j], 9)
    np.testing.assert_allclose(dsp.findfreqs([1.0], [1.0, 1.0 + 1.0j], 9), want, rtol=1e-14)
    assert dsp.findfreqs([1.0], [1.0, 1.0], 0).size == 0 == ss.findfreqs([1.0], [1.0, 1.0], 0).size
