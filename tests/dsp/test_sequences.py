"""``max_len_seq`` and ``unit_impulse`` against :mod:`scipy.signal` (bit for bit, dtypes
included), against the defining properties of a maximum length sequence (balance,
two-valued circular autocorrelation, continuation from the returned state), and every
refusal (each naming the argument)."""

import numpy as np
import pytest
import scipy.signal as ss

from pyjl.dsp import gausspulse, max_len_seq, unit_impulse
from pyjl.exceptions import InputError, InputTypeError

RNG = np.random.default_rng(20261206)


def _same_mls(ours, theirs):
    for a, b in zip(ours, theirs):
        assert type(a) is np.ndarray and a.dtype == b.dtype == np.int8
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("nbits", range(2, 33))
def test_scipy_taps_equal_scipy(nbits):
    state = RNG.integers(0, 2, nbits)
    state[RNG.integers(nbits)] = 1
    for st in (None, state, state.astype(bool), state.astype(float).tolist()):
        for length in (0, 1, nbits - 1, nbits, 3 * nbits + 5, 2000):
            _same_mls(max_len_seq(nbits, st, length), ss.max_len_seq(nbits, st, length))


@pytest.mark.parametrize("nbits", [1, 2, 3, 5, 8, 13, 31])
def test_own_taps_equal_scipy(nbits):
    """Any taps, including 0 and nbits (which read the register's oldest bit) and repeats."""
    choices = [[nbits], [0], [0, nbits], [nbits - 1, nbits - 1], RNG.integers(0, nbits + 1, 4)]
    for taps in choices:
        for length in (0, 1, 7 * nbits + 3, 3000):
            want = ss.max_len_seq(nbits, None, length, np.asarray(taps).tolist())
            _same_mls(max_len_seq(nbits, None, length, taps), want)


@pytest.mark.parametrize("nbits", [2, 7, 12, 18, 20])
def test_full_period_equals_scipy(nbits):
    _same_mls(max_len_seq(nbits), ss.max_len_seq(nbits))


@pytest.mark.parametrize("nbits", range(2, 13))
def test_maximum_length_properties(nbits):
    """One period holds 2**(n-1) ones, and the +-1 sequence's circular autocorrelation is
    N at lag 0 and -1 at every other lag (Golomb's randomness postulates)."""
    seq, state = max_len_seq(nbits)
    n = 2**nbits - 1
    assert seq.shape == (n,) and int(seq.sum()) == 2 ** (nbits - 1)
    m = 2.0 * seq - 1.0
    corr = np.real(np.fft.ifft(np.abs(np.fft.fft(m)) ** 2))
    np.testing.assert_allclose(corr, np.r_[n, -np.ones(n - 1)], atol=1e-8)
    np.testing.assert_array_equal(state, np.ones(nbits))  # back to the start after a period
    again = max_len_seq(nbits, length=2 * n)[0]
    np.testing.assert_array_equal(again[n:], seq)  # periodic


def test_continuation_from_the_returned_state():
    whole = max_len_seq(11, length=5000)[0]
    parts, state = [], None
    for length in (1, 10, 999, 0, 3990):
        part, state = max_len_seq(11, state=state, length=length)
        parts.append(part)
    np.testing.assert_array_equal(np.concatenate(parts), whole)


def test_recurrence_by_definition():
    """Each bit is the XOR of the bits the taps point at, ``nbits`` places back."""
    nbits = 8  # SciPy's taps for 8 bits: 7, 6 and 1
    seq = max_len_seq(nbits, length=600)[0]
    for i in range(nbits, 600):
        j = i - nbits
        want = seq[j] ^ seq[j + 7] ^ seq[j + 6] ^ seq[j + 1]
        assert seq[i] == want


MLS_REFUSALS = [
    ("nbits", lambda: max_len_seq(0), InputError),
    ("nbits", lambda: max_len_seq(1), InputError),  # not in SciPy's table
    ("nbits", lambda: max_len_seq(33), InputError),
    ("nbits", lambda: max_len_seq(4.5), InputTypeError),
    ("nbits", lambda: max_len_seq("4"), InputTypeError),
    ("nbits", lambda: max_len_seq(64, taps=[63]), InputError),  # 2**64 bits do not fit
    ("taps", lambda: max_len_seq(10, taps=[-1, 1]), InputError),
    ("taps", lambda: max_len_seq(10, taps=[11]), InputError),
    ("taps", lambda: max_len_seq(10, taps=[]), InputError),
    ("taps", lambda: max_len_seq(10, taps=[2.5]), InputTypeError),
    ("taps", lambda: max_len_seq(10, taps=[[3]]), InputError),
    ("taps", lambda: max_len_seq(10, taps=[np.nan]), InputTypeError),
    ("state", lambda: max_len_seq(10, state=np.zeros(10)), InputError),
    ("state", lambda: max_len_seq(10, state=np.ones(3)), InputError),
    ("state", lambda: max_len_seq(3, state=[1, 2, 0]), InputError),
    ("state", lambda: max_len_seq(3, state=[1, np.nan, 0]), InputError),
    ("state", lambda: max_len_seq(3, state=np.ones((3, 1))), InputError),
    ("state", lambda: max_len_seq(3, state=["a", "b", "c"]), InputTypeError),
    ("length", lambda: max_len_seq(10, length=-1), InputError),
    ("length", lambda: max_len_seq(10, length=2.5), InputTypeError),
    ("length", lambda: max_len_seq(10, length=2**62), InputError),
]

IMPULSE_REFUSALS = [
    ("shape", lambda: unit_impulse(0), InputError),
    ("shape", lambda: unit_impulse((3, -1)), InputError),
    ("shape", lambda: unit_impulse(2.5), InputTypeError),
    ("shape", lambda: unit_impulse((2**40, 2**40)), InputError),
    ("idx", lambda: unit_impulse(5, 5), InputError),
    ("idx", lambda: unit_impulse(5, -6), InputError),
    ("idx", lambda: unit_impulse((3, 3), (1, 1, 1)), InputError),
    ("idx", lambda: unit_impulse((3, 3), "middle"), InputError),
    ("idx", lambda: unit_impulse(5, 1.5), InputTypeError),
    ("dtype", lambda: unit_impulse(5, dtype="bogus"), InputError),
]


@pytest.mark.parametrize(
    "name, call, kind",
    MLS_REFUSALS + IMPULSE_REFUSALS,
    ids=[f"{r[0]}-{i}" for i, r in enumerate(MLS_REFUSALS + IMPULSE_REFUSALS)],
)
def test_refusals_name_the_argument(name, call, kind):
    with pytest.raises(kind) as info:
        call()
    assert f"`{name}`" in str(info.value) and "Fix:" in str(info.value)


@pytest.mark.parametrize(
    "args",
    [
        (7,),
        ((3, 3),),
        ((4, 5, 2),),
        (10, 3),
        (10, -1),
        ((3, 3), (1, 2)),
        ((4, 4), 2),
        ((5, 4), "mid"),
        (9, "mid"),
        (1, None),
        ((2, 3), (1, -1)),
        (np.int64(6), np.int64(2)),
        (np.array([3, 3]), "mid"),
        ((),),
    ],
)
@pytest.mark.parametrize("dtype", [float, int, complex, np.float32, bool])
def test_unit_impulse_equals_scipy(args, dtype):
    ours, theirs = unit_impulse(*args, dtype=dtype), ss.unit_impulse(*args, dtype=dtype)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    assert ours.sum() == 1


def test_unit_impulse_list_index_is_one_index_per_axis():
    """SciPy indexes with a list as NumPy's fancy indexing (``[1, -1]``: rows 1 and -1,
    several ones); pyjl reads it as the tuple it stands for: one 1, at (1, -1)."""
    np.testing.assert_array_equal(unit_impulse((2, 3), [1, -1]), unit_impulse((2, 3), (1, 2)))
    assert ss.unit_impulse((2, 3), [1, -1]).sum() == 3  # SciPy's, for the record


def test_gausspulse_far_out_is_zero_where_scipy_is_nan():
    """Where the envelope has underflowed to 0 the pulse is 0; SciPy's 0 * cos(inf) is NaN
    once 2 pi fc t overflows. Elsewhere SciPy's bits."""
    t = np.array([-1e308, -1.0, 0.0, 1e-4, 1e300])
    with np.errstate(all="ignore"):
        want = ss.gausspulse(t, fc=1000, retquad=True, retenv=True)
    got = gausspulse(t, fc=1000, retquad=True, retenv=True)
    assert np.isnan(want[0][0])  # SciPy's
    for g, w in zip(got, want):
        assert np.all(np.isfinite(g))
        np.testing.assert_array_equal(g[1:4], w[1:4])
    assert got[0][0] == 0 and got[1][-1] == 0 and got[2][0] == 0
    assert type(gausspulse(1e308)) is np.float64 and gausspulse(1e308) == 0


@pytest.mark.parametrize(
    "kw",
    [{"fc": 1e308}, {"bw": 1e308}, {"bwr": -1e-320}, {"fc": 1e154, "bw": 1}],
    ids=["fc", "bw", "bwr", "square overflows"],
)
def test_gausspulse_refuses_an_overflowing_envelope_rate(kw):
    with pytest.raises(InputError, match="`bw`"):
        gausspulse(np.linspace(-1, 1, 5), **kw)


def test_gausspulse_cutoff_of_a_very_low_level():
    """10**(tpr/20) underflows for tpr = -7000 dB: the cutoff in logarithms (SciPy: inf);
    the envelope is tpr dB down there."""
    tc = gausspulse("cutoff", tpr=-7000)
    assert np.isfinite(tc)
    a = -((np.pi * 1000 * 0.5) ** 2) / (4 * np.log(10 ** (-6 / 20)))
    assert -a * tc**2 / np.log(10) * 20 == pytest.approx(-7000, rel=1e-12)
    with np.errstate(all="ignore"):
        assert np.isinf(ss.gausspulse("cutoff", tpr=-7000))  # SciPy's
    with pytest.raises(InputError, match="`fc`"):
        gausspulse("cutoff", fc=1e-200)
