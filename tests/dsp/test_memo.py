"""Results kept per argument value (designs, windows, responses, the filters' coefficient
checks): SciPy's values every call, fresh arrays the caller owns (or read-only shared ones),
every refusal and warning as on a first call, and the kept results within their limits."""

import warnings

import numpy as np
import pytest
from scipy import signal
from scipy.signal import windows as scipy_windows

from pyjl import dsp
from pyjl.dsp import _inputs, _memo, filtering, windows
from pyjl.exceptions import InputError, NumericalWarning


def test_repeated_designs_equal_scipy_and_are_fresh():
    for _ in range(3):
        b, a = dsp.butter(4, 0.2)
        b_ref, a_ref = signal.butter(4, 0.2)
        assert np.array_equal(b, b_ref) and np.array_equal(a, a_ref)
        b[:] = 0.0  # the caller's own array: the next call is unchanged
    sos = dsp.ellip(5, 1, 40, (0.1, 0.3), btype="band", output="sos")
    assert np.array_equal(sos, signal.ellip(5, 1, 40, (0.1, 0.3), btype="band", output="sos"))
    assert dsp.kaiserord(60, 0.05) == signal.kaiserord(60, 0.05)
    cutoff = [0.1, 0.3]
    taps = dsp.firwin(65, cutoff, pass_zero=False)
    assert np.array_equal(taps, signal.firwin(65, cutoff, pass_zero=False))
    cutoff[1] = 0.4  # the list's values now are the key, not the list
    taps = dsp.firwin(65, cutoff, pass_zero=False)
    assert np.array_equal(taps, signal.firwin(65, [0.1, 0.4], pass_zero=False))
    bands = [0, 0.1, 0.2, 0.5]
    for _ in range(2):
        assert np.array_equal(dsp.remez(33, bands, [1, 0]), signal.remez(33, bands, [1, 0]))


def test_repeated_windows_equal_scipy_with_their_layout():
    for _ in range(2):
        w = windows.hann(33)
        assert np.array_equal(w, scipy_windows.hann(33)) and w.flags.writeable
        w[0] = 5.0
    z, ratios = windows.dpss(64, 3, Kmax=2, return_ratios=True)
    z_ref, ratios_ref = scipy_windows.dpss(64, 3, Kmax=2, return_ratios=True)
    assert np.array_equal(z, z_ref) and np.array_equal(ratios, ratios_ref)
    assert z.flags.c_contiguous == z_ref.flags.c_contiguous
    big = windows.hann(_memo.KEPT_VALUES + 1)
    assert big.size == _memo.KEPT_VALUES + 1


def test_responses_and_steady_states_kept_but_warnings_repeat():
    b, a = signal.butter(3, 0.2)
    sos = signal.butter(3, 0.2, output="sos")
    for _ in range(2):
        w, h = dsp.freqz(b, a, worN=16)
        w_ref, h_ref = signal.freqz(b, a, worN=16)
        assert np.array_equal(w, w_ref) and np.array_equal(h, h_ref)
        h[:] = 0
        assert np.array_equal(dsp.sosfreqz(sos, worN=16)[1], signal.sosfreqz(sos, worN=16)[1])
        zi = dsp.lfilter_zi(b, a)
        assert np.array_equal(zi, signal.lfilter_zi(b, a))
        zi[:] = 0
        assert np.array_equal(dsp.sosfilt_zi(sos), signal.sosfilt_zi(sos))
    for _ in range(2):  # a pole on the unit circle: the response warns on every call
        with pytest.warns(NumericalWarning, match="infinite or NaN"):
            dsp.freqz([1.0], [1.0, -1.0], worN=8, whole=True)
    for _ in range(2):
        with pytest.warns(NumericalWarning):
            dsp.lfilter_zi([1.0], [1.0, -2.5])
    calls = []
    for _ in range(2):
        dsp.freqz(b, a, worN=8, plot=lambda w, h, c=calls: c.append(1))
    assert calls == [1, 1]


def test_refusals_and_warnings_are_never_kept():
    windows.hann(8, sym=True)
    with pytest.raises(InputError, match="`sym` must be True or False"):
        windows.hann(8, sym=1)  # equal to True, but refused: a different key
    for _ in range(2):
        with pytest.raises(InputError, match="`Wn`"):
            dsp.butter(4, 1.5)
    for _ in range(2):
        with pytest.warns(UserWarning, match="not suitable for spectral analysis"):
            windows.chebwin(16, 30)


def test_keys_tell_types_and_signed_zeros_apart():
    assert _memo._key((0.0,), {}) != _memo._key((-0.0,), {})
    assert _memo._key((1,), {}) != _memo._key((True,), {})
    assert _memo._key((1.0,), {}) != _memo._key((np.float64(1.0),), {})
    assert _memo._key(([0.1, 0.2],), {}) != _memo._key(((0.1, 0.2),), {})
    assert _memo._key(([0.1, [0.2]],), {}) != _memo._key(([0.1, [-0.2]],), {})
    assert _memo._key(([0.1, {0.2}],), {}) is None
    assert _memo._key((), {"x": np.ones(_memo.KEY_VALUES + 1)}) is None
    assert _memo._key((np.ones(2),), {}) != _memo._key((np.ones((1, 2)),), {})
    assert _memo._key((np.ones(2),), {}) != _memo._key((np.ones(2, dtype=np.float32),), {})
    x = np.array([0.0, 1.0])
    assert _memo._key((x,), {}) != _memo._key((-x,), {})  # -0.0 has other bytes
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _memo._key((np.nan, "hann", None, 3 + 1j), {"fs": 2.0}) is not None


def test_kept_results_stay_within_the_budget(monkeypatch):
    monkeypatch.setattr(_memo, "TOTAL_VALUES", 100)
    _memo.clear()
    try:
        for m in (60, 61, 30):
            assert np.array_equal(windows.hann(m), scipy_windows.hann(m))
        assert _memo._total <= 100
        kept = _memo._MINE["scipy.signal.windows._windows.hann"].values()
        assert [len(result) for result in kept] == [61, 30]
    finally:
        _memo.clear()


def _design(order):
    """A design counted per computation (the function a test wraps)."""
    _design.calls.append(order)  # type: ignore[attr-defined]
    return signal.butter(order, 0.2)


def test_each_function_keeps_its_latest_entries():
    _design.calls = []  # type: ignore[attr-defined]
    _memo.clear()
    kept = _memo.by_value(_design, entries=2)
    for order in (1, 2, 1, 3, 2, 1):
        b, a = kept(order)
        b_ref, a_ref = signal.butter(order, 0.2)
        assert np.array_equal(b, b_ref) and np.array_equal(a, a_ref)
    assert _design.calls == [1, 2, 3, 1]  # type: ignore[attr-defined]


def _coefficient_sum(c):
    return float(np.sum(c))


def test_key_arrays_count_towards_the_entry_size():
    kept = _memo.by_value(_coefficient_sum, longest=_memo.KEPT_VALUES)
    mine = _memo._MINE[f"{__name__}._coefficient_sum"]
    assert kept(np.ones(_memo.KEY_VALUES + 1)) == _memo.KEY_VALUES + 1 and len(mine) == 1
    assert kept(np.ones(_memo.KEPT_VALUES)) == _memo.KEPT_VALUES and len(mine) == 1
    assert kept.keyed((b"x" * 80,), np.ones(3)) == 3.0 and len(mine) == 2


def test_coefficient_checks_repeat_refusals_and_warnings_and_copy_out():
    sos = signal.butter(4, 0.2, output="sos")
    x = np.random.default_rng(0).standard_normal(64)
    for _ in range(2):
        out = dsp.sosfilt(sos, x)
        assert np.array_equal(out, signal.sosfilt(sos, x))
        checked = _inputs.validate_sos(sos)
        assert checked.flags.writeable and not np.shares_memory(checked, sos)
        checked[:] = 0.0  # the caller's own copy: the next call is unchanged
    bad = sos.copy()
    bad[1, 3] = 2.0
    for _ in range(2):
        with pytest.raises(InputError, match=r"`sos\[:, 3\]`"):
            dsp.sosfilt(bad, x)
    unstable = np.array([[1.0, 0.0, 0.0, 1.0, -2.5, 1.0]])
    for _ in range(2):
        with pytest.warns(NumericalWarning, match="section 0"):
            dsp.sosfilt(unstable, x[:8])
    b, a = signal.butter(3, 0.2)
    for _ in range(2):
        assert np.allclose(dsp.lfilter(b, a, x), signal.lfilter(b, a, x), rtol=0, atol=1e-14)
        bn, an = filtering.normalize_ba(b, a)
        assert not bn.flags.writeable and np.allclose(an, a / a[0], rtol=0, atol=0)
        with pytest.raises(InputError, match=r"`a\[0\]`"):
            dsp.lfilter(b, np.r_[0.0, a[1:]], x)
        with pytest.warns(NumericalWarning, match="pole 2.5"):
            dsp.lfilter(np.array([1.0]), np.array([1.0, -2.5]), x[:8])
