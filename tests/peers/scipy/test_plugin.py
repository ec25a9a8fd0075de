"""The SciPy-suite plugin really hands pyjl's functions to SciPy's tests."""

import functools

import pytest
import scipy.signal

import pyjl.dsp

from . import conftest as plugin

_load = functools.cache(plugin._load)


def test_every_name_pyjl_implements_is_swapped():
    swapped = [n for n in pyjl.dsp.__all__ if n != "windows" and hasattr(scipy.signal, n)]
    assert len(swapped) > 25
    for name in swapped:
        ours, handed = getattr(pyjl.dsp, name), getattr(plugin.SIGNAL, name)
        if ours is getattr(scipy.signal, name):  # SciPy's own object, re-exported as it is
            assert handed is ours, name
        elif isinstance(ours, type):  # a class: a subclass that records its instances
            assert issubclass(handed, ours) and handed.__scipy__ is getattr(scipy.signal, name)
        else:
            assert handed.__wrapped__ is ours, name
    assert plugin.SIGNAL.windows.hann.__wrapped__ is pyjl.dsp.windows.hann
    assert plugin.SIGNAL._max_len_seq_inner is scipy.signal._max_len_seq_inner  # private: SciPy's
    assert scipy.signal.butter.__module__.startswith("scipy.")  # SciPy itself is untouched


def test_scipy_test_modules_bind_pyjl_in_every_import_form():
    fir = _load("test_fir_filter_design")  # `import scipy.signal as signal`, from-imports
    assert fir.firwin.__wrapped__ is pyjl.dsp.firwin
    assert fir.signal.remez.__wrapped__ is pyjl.dsp.remez
    tools = _load("test_signaltools")  # `from scipy import signal`, windows submodule
    assert tools.signal.lfilter_zi.__wrapped__ is pyjl.dsp.lfilter_zi
    assert tools.hann.__wrapped__ is pyjl.dsp.windows.hann
    assert tools._filtfilt_gust.__module__.startswith("scipy.")  # private helpers stay SciPy's
    peaks = _load("test_peak_finding")  # from the private module that defines them
    assert peaks.find_peaks.__wrapped__ is pyjl.dsp.find_peaks
    assert peaks._identify_ridge_lines.__module__.startswith("scipy.")
    sft = _load("test_short_time_fft")  # the class from its private module, subclassed
    assert issubclass(sft.ShortTimeFFT, pyjl.dsp.ShortTimeFFT)
    assert sft._calc_dual_canonical_window.__module__.startswith("scipy.")
    shim = plugin._helper("_scipy_spectral_test_shim")  # SciPy's STFT test shim
    assert shim.stft.__wrapped__ is pyjl.dsp.stft


def test_a_call_is_recorded_for_the_running_test():
    plugin._called = set()
    try:
        plugin.SIGNAL.butter(2, 0.2)
        assert plugin._called == {"butter"}
    finally:
        plugin._called = None


@pytest.mark.parametrize("table", ["internals", "slow", "thin"])
def test_config_entries_name_existing_scipy_tests(table):
    for key in plugin._config().get(table, {}):
        module, *path = key.split("[", 1)[0].split("::")
        obj = _load(module)
        for part in path:
            obj = getattr(obj, part)
        assert callable(obj), key
