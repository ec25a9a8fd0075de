"""Flags read as SciPy documents them (True or False, refused by name otherwise), memory
refusals worded for any size, and empty tables in their own kind: a fuzz of pyjl.dsp
against scipy.signal found these unchecked."""

import numpy as np
import pandas as pd
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

X = np.random.default_rng(3).standard_normal(64)
B, A = ss.butter(2, 0.3)
SOS = ss.butter(2, 0.3, output="sos")
Z = ss.stft(X, nperseg=8)[2]
Z2 = ss.stft(X, nperseg=8, return_onesided=False)[2]  # both sides, for input_onesided=False

#: each flag's call, on pyjl.dsp or scipy.signal (``m``), which share the names
FLAGS = {
    "padded": lambda m, v: m.stft(X, nperseg=8, padded=v),
    "return_onesided": lambda m, v: m.welch(X, nperseg=16, return_onesided=v),
    "input_onesided": lambda m, v: m.istft(Z2 if v is False else Z, nperseg=8, input_onesided=v),
    "boundary": lambda m, v: m.istft(Z, nperseg=8, boundary=v),
    "zero_phase": lambda m, v: m.decimate(X, 2, zero_phase=v),
    "whole": lambda m, v: m.freqz(B, A, worN=16, whole=v),
    "include_nyquist": lambda m, v: m.freqz(B, A, worN=16, include_nyquist=v),
    "return_ratios": lambda m, v: m.windows.dpss(16, 2, 2, return_ratios=v),
    "analog": lambda m, v: m.butter(4, 0.3 if v is False else 30.0, analog=v),
    "scale": lambda m, v: m.firwin(31, 0.3, scale=v),
}


def _leaves(out):
    return [np.asarray(a) for a in (out if isinstance(out, tuple) else (out,))]


@pytest.mark.filterwarnings("ignore:NOLA condition failed")  # istft(boundary=False)
@pytest.mark.parametrize("flag", sorted(FLAGS))
def test_a_flag_is_true_or_false_and_refused_by_name_otherwise(flag):
    for value in (True, False, np.True_):
        got, want = _leaves(FLAGS[flag](dsp, value)), _leaves(FLAGS[flag](ss, value))
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    for value in ("no", np.array([1, 2]), None):  # SciPy reads "no" as True, fails on arrays
        with pytest.raises(InputError, match=rf"^`{flag}` must be True or False; got "):
            FLAGS[flag](dsp, value)


def test_the_other_whole_flags_and_an_array_detrend_are_refused_by_name():
    for call in (
        lambda: dsp.sosfreqz(SOS, worN=16, whole="yes"),
        lambda: dsp.freqz_zpk([], [], 1.0, worN=16, whole=2),
        lambda: dsp.group_delay((B, A), w=16, whole="x"),
    ):
        with pytest.raises(InputError, match=r"^`whole` must be True or False"):
            call()
    with pytest.raises(InputError, match=r"^`detrend` must be 'constant', 'linear', False"):
        dsp.periodogram(X, detrend=np.array([1, 2]))  # was NumPy's "truth value ... ambiguous"


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.resample(np.ones(8), 10**320), "num"),
        (lambda: dsp.hilbert2(np.ones((4, 8)), N=1e200), "N"),
    ],
)
def test_a_size_past_the_float_range_is_refused_with_its_memory_need(call, name):
    # the refusal divided the bytes needed as a float, which overflowed (OverflowError)
    with pytest.raises(InputError, match=rf"^`{name}` must give a result that fits in memory "):
        call()


def test_gustafssons_method_with_no_channel_gives_an_empty_result():
    # LAPACK refused the empty right-hand side ("illegal value in 4-th argument")
    assert dsp.filtfilt(B, A, np.zeros((0, 50)), method="gust").shape == (0, 50)
    frame = pd.DataFrame(index=pd.RangeIndex(50))
    out = dsp.filtfilt(B, A, frame, method="gust")
    assert isinstance(out, pd.DataFrame) and out.shape == (50, 0)
    assert out.index.equals(frame.index)


@pytest.mark.parametrize("fn", ["welch", "periodogram", "csd", "coherence"])
def test_spectra_of_a_table_with_no_column_are_tables(fn):
    # SciPy's spectrum of a (50, 0) array is (50, 0); a DataFrame in gave NumPy out
    frame = pd.DataFrame(index=pd.RangeIndex(50))
    other = pd.DataFrame(index=pd.RangeIndex(50))  # another object: csd reads two signals
    args = (frame, other) if fn in ("csd", "coherence") else (frame,)
    kwargs = {} if fn == "periodogram" else {"nperseg": 16}
    got = getattr(dsp, fn)(*args, **kwargs)[1]
    want = getattr(ss, fn)(*[np.zeros((50, 0))] * len(args), axis=0, **kwargs)[1]
    assert isinstance(got, pd.DataFrame) and got.shape == want.shape
