"""Run scipy.signal's own test modules against :mod:`pyjl.dsp` (a local pytest plugin).

How it works
------------
``scipy_signal.toml`` (next to this file) names SciPy's test modules; pytest finds that
file while collecting ``tests/`` and this plugin turns it into one collector per module.
Each module is executed from the installed SciPy wheel (never copied) as a fresh module
object whose ``__import__`` is replaced: ``from scipy.signal import X``,
``from scipy import signal``, ``import scipy.signal as signal`` and
``from scipy.signal.windows import X`` hand the test module proxies whose attributes are
pyjl's where ``pyjl.dsp`` (or ``pyjl.dsp.windows``) implements the name and SciPy's
otherwise. SciPy's helper modules under ``scipy.signal.tests`` (the STFT shim) are loaded
the same way. ``scipy.signal`` itself is never patched: pyjl's design functions call it.
SciPy's array-API test helpers (``make_xp_test_case`` ...) are given the SciPy function
of the same name, so the markers they read from SciPy's capability table are unchanged.

Each pyjl function handed to a test is wrapped to record that it was called; the terminal
summary counts the tests that call pyjl, and lists failures grouped by the pyjl functions
they called. ``PYJL_PEERS_REPORT=<path>`` also writes that grouped list to a file.
Tests that call no pyjl function still run (they pass on SciPy and cost little).

Adding an internals entry
-------------------------
A test of SciPy internals (a private helper, a ``_``-prefixed function, behaviour that is
specific to SciPy's implementation) goes in ``[internals]`` of ``scipy_signal.toml``::

    "test_signaltools::TestFoo::test_bar" = "Tests SciPy's private _foo helper."

The key is the node id below ``scipy_signal.toml::``; without ``[...]`` it covers every
parametrisation. The test is then marked ``xfail(strict=True)`` with that reason.

For CI time, ``[slow]`` deselects named tests and ``[thin]`` keeps one in n
parametrisations of a huge one; ``PYJL_PEERS_FULL=1`` runs everything.
``test_plugin.py`` checks the swap itself and that every entry names a SciPy test.
"""

from __future__ import annotations

import builtins
import functools
import os
import types
from collections import defaultdict
from pathlib import Path

import hypothesis
import hypothesis.configuration
import pytest
import scipy
import scipy._lib._array_api as scipy_array_api
import scipy.signal
import scipy.signal._peak_finding
import scipy.signal._waveforms
import scipy.signal.tests
import scipy.signal.windows

import pyjl.dsp
import pyjl.dsp.windows

from .. import _suite

# SciPy's fixtures (`xp`, `devices`, ...): importing them registers them for this directory.
# scipy.conftest sets hypothesis' profile and home directory on import; keep the suite's.
_profile = hypothesis.settings.get_current_profile_name()
_home = getattr(hypothesis.configuration, "__hypothesis_home_directory", None)
from scipy.conftest import check_fpu_mode, devices, xp  # noqa: E402,F401

try:
    from scipy.conftest import num_parallel_threads  # noqa: F401
except ImportError:  # pytest-run-parallel installed: it provides the fixture
    pass
hypothesis.settings.load_profile(_profile)
hypothesis.configuration.set_hypothesis_home_dir(_home)

CONFIG = Path(__file__).with_name("scipy_signal.toml")
SCIPY_TESTS = Path(scipy.signal.tests.__file__).parent


# ---- the swap -------------------------------------------------------------------------

_called: set | None = None  # the pyjl names the running test called (threads included)


def _record(name):
    calls = _called
    if calls is not None:
        calls.add(name)


def _tracked(name, func, scipy_func):
    if isinstance(func, type):  # a class: a subclass that records its instances
        return _tracked_class(name, func, scipy_func)

    @functools.wraps(func)
    def call(*args, **kwargs):
        _record(name)
        return func(*args, **kwargs)

    call.__scipy__ = scipy_func
    return call


def _tracked_class(name, cls, scipy_cls):
    """``cls`` recording each instance made (its classmethods' too), still a ``cls``."""

    def __init__(self, *args, **kwargs):
        _record(name)
        cls.__init__(self, *args, **kwargs)

    attrs = {"__init__": __init__, "__scipy__": scipy_cls, "__module__": cls.__module__}
    tracked = type(cls.__name__, (cls,), attrs)
    tracked.__qualname__, tracked.__doc__ = cls.__qualname__, cls.__doc__
    return tracked


class _Proxy(types.ModuleType):
    """A module whose attributes are ``overrides`` where given, ``real``'s otherwise."""

    def __init__(self, real, overrides):
        super().__init__(real.__name__, real.__doc__)
        self.__dict__.update(overrides)
        self._real = real

    def __getattr__(self, attr):
        return getattr(self._real, attr)


def _pyjl_names(pyjl_module, scipy_module):
    names = getattr(pyjl_module, "__all__", ())
    return {
        n: _tracked(n, getattr(pyjl_module, n), getattr(scipy_module, n))
        for n in names
        if n != "windows"
        and hasattr(scipy_module, n)
        and getattr(pyjl_module, n) is not getattr(scipy_module, n)  # SciPy's own object
    }


def _scipy_twin(func):
    return getattr(func, "__scipy__", func)


def _capability_helper(helper):
    @functools.wraps(helper)
    def call(*funcs, **kwargs):
        return helper(*map(_scipy_twin, funcs), **kwargs)

    return call


def _param_helper(helper):
    @functools.wraps(helper)
    def call(func, *args, **kwargs):
        return helper(_scipy_twin(func), *args, **kwargs)

    return call


_windows_names = _pyjl_names(pyjl.dsp.windows, scipy.signal.windows)
WINDOWS = _Proxy(scipy.signal.windows, _windows_names)
# test_waveforms reads its functions off the private module (`import
# scipy.signal._waveforms as waveforms`, an attribute of SIGNAL); its private phase
# helpers stay SciPy's
WAVEFORMS = _Proxy(scipy.signal._waveforms, _pyjl_names(pyjl.dsp, scipy.signal._waveforms))
SIGNAL = _Proxy(
    scipy.signal,
    {
        **{
            n: f
            for n, f in _windows_names.items()
            if getattr(scipy.signal, n, None) is getattr(scipy.signal.windows, n)
        },
        **_pyjl_names(pyjl.dsp, scipy.signal),
        "windows": WINDOWS,
        "_waveforms": WAVEFORMS,
    },
)
SCIPY = _Proxy(scipy, {"signal": SIGNAL})
ARRAY_API = _Proxy(
    scipy_array_api,
    {
        "make_xp_test_case": _capability_helper(scipy_array_api.make_xp_test_case),
        "make_xp_pytest_marks": _capability_helper(scipy_array_api.make_xp_pytest_marks),
        "make_xp_pytest_param": _param_helper(scipy_array_api.make_xp_pytest_param),
    },
)
# test_peak_finding imports its functions from the private module that defines them
PEAK_FINDING = _Proxy(
    scipy.signal._peak_finding, _pyjl_names(pyjl.dsp, scipy.signal._peak_finding)
)
# test_short_time_fft imports the class from its private module; the module's private
# helpers (the canonical dual window, the mode types) stay SciPy's
SHORT_TIME_FFT = _Proxy(
    scipy.signal._short_time_fft, _pyjl_names(pyjl.dsp, scipy.signal._short_time_fft)
)
_SWAPPED = {
    "scipy": SCIPY,
    "scipy.signal": SIGNAL,
    "scipy.signal.windows": WINDOWS,
    "scipy.signal._peak_finding": PEAK_FINDING,
    "scipy.signal._waveforms": WAVEFORMS,
    "scipy.signal._short_time_fft": SHORT_TIME_FFT,
    "scipy._lib._array_api": ARRAY_API,
}
_helpers: dict[str, types.ModuleType] = {}


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    name = _suite.absolute(name, globals, level)
    module = builtins.__import__(name, globals, locals, fromlist, 0)
    if not (name == "scipy" or name.startswith("scipy.")):
        return module
    if not fromlist:
        return SCIPY
    if name == "scipy.signal.tests":
        return _Proxy(
            module, {n: _helper(n) for n in fromlist if (SCIPY_TESTS / f"{n}.py").is_file()}
        )
    if name.startswith("scipy.signal.tests."):
        return _helper(name.rsplit(".", 1)[1])
    return _SWAPPED.get(name, module)


def _helper(stem):
    if stem not in _helpers:
        _helpers[stem] = _load(stem)
    return _helpers[stem]


def _load(stem):
    """Execute ``scipy/signal/tests/<stem>.py`` as a new module that imports pyjl's names."""
    name, path = f"pyjl_peers.scipy_signal.{stem}", SCIPY_TESTS / f"{stem}.py"
    return _suite.load_module(name, path, "scipy.signal.tests", _import)


# ---- collection -----------------------------------------------------------------------


def _config():
    return _suite.read_config(CONFIG)


pytest_collect_file, ScipyModule = _suite.collectors(CONFIG, _load, "SciPy test module")


def _key(item):
    return _suite.key(item, ScipyModule)


def pytest_collection_modifyitems(config, items):
    def mark(item, reason):
        item.add_marker(pytest.mark.xfail(reason=f"SciPy internals: {reason}", strict=True))

    _suite.apply_tables(config, items, _config(), ScipyModule, mark)
    if not os.environ.get("SCIPY_XSLOW"):
        for item in items:
            if _key(item) is not None and item.get_closest_marker("xslow"):
                item.add_marker(pytest.mark.skip(reason="SciPy xslow; set SCIPY_XSLOW=1"))


# ---- which tests call pyjl ------------------------------------------------------------

_calls: dict[str, set] = {}
_outcomes: dict[str, str] = {}
_messages: dict[str, str] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    global _called
    if _key(item) is None:
        return (yield)
    _called = _calls[item.nodeid] = set()
    try:
        return (yield)
    finally:
        _called = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if _key(item) is not None and (
        report.when == "call" or (report.when == "setup" and not report.passed)
    ):
        outcome = report.outcome
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        _outcomes[item.nodeid] = outcome
        crash = getattr(report.longrepr, "reprcrash", None)
        if report.failed and crash is not None:
            _messages[item.nodeid] = crash.message.splitlines()[0][:200]
    return report


def _grouped_failures():
    groups = defaultdict(list)
    for nodeid, outcome in _outcomes.items():
        if outcome == "failed":
            for name in sorted(_calls.get(nodeid, ())) or ["(no pyjl call)"]:
                groups[name].append(nodeid)
    return groups


def pytest_terminal_summary(terminalreporter):
    if not _outcomes:
        return
    calling = {n for n, names in _calls.items() if names}
    counts = defaultdict(int)
    for nodeid, outcome in _outcomes.items():
        counts[(nodeid in calling, outcome)] += 1
    tr = terminalreporter
    tr.section("scipy.signal suite on pyjl.dsp")
    for label, flag in (("call pyjl", True), ("call no pyjl function", False)):
        parts = ", ".join(f"{v} {o}" for (c, o), v in sorted(counts.items()) if c == flag)
        tr.write_line(f"tests that {label}: {parts or 'none'}")
    groups = _grouped_failures()
    for name in sorted(groups, key=lambda n: -len(groups[n])):
        tr.write_line(f"  failing with {name}: {len(groups[name])}")
    path = os.environ.get("PYJL_PEERS_REPORT")
    if path:
        with open(path, "w") as fh:
            for name in sorted(groups):
                fh.write(f"## {name} ({len(groups[name])})\n")
                fh.writelines(f"{n}  --  {_messages.get(n, '')}\n" for n in groups[name])
