"""The one settings resolver: set value > environment > default, errors quote the source."""

import pytest

from pyjl import _config
from pyjl.exceptions import InputError


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for s in _config.SETTINGS.values():
        monkeypatch.delenv(s.env, raising=False)
        _config.clear(s.name)
    yield
    for s in _config.SETTINGS.values():
        _config.clear(s.name)


def test_defaults():
    assert _config.get("engine") == "native"
    assert _config.get("num_threads") >= 1
    assert _config.get("julia") is None
    assert _config.get("julia_bridge") == "juliacall"
    assert _config.source("engine") == "default"


def test_environment_then_explicit_precedence(monkeypatch):
    monkeypatch.setenv("PYJL_NUM_THREADS", "3")
    assert _config.get("num_threads") == 3 and _config.source("num_threads") == "environment"
    _config.set_value("num_threads", 1)
    assert _config.get("num_threads") == 1 and _config.source("num_threads") == "set"
    _config.clear("num_threads")
    assert _config.get("num_threads") == 3


@pytest.mark.parametrize("raw", ["0", "-2", "two", "1.5"])
def test_bad_environment_value_quotes_variable(monkeypatch, raw):
    monkeypatch.setenv("PYJL_NUM_THREADS", raw)
    with pytest.raises(
        InputError,
        match=r"`PYJL_NUM_THREADS` must be a whole number from 1 "
        r"to 1024; got PYJL_NUM_THREADS=.*\(from the "
        r"environment\)\. Fix: correct or unset the variable\.",
    ):
        _config.get("num_threads")


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "x"])
def test_bad_set_value_is_refused(value):
    with pytest.raises(
        InputError,
        match=r"`num_threads` must be a whole number from 1 to 1024; "
        r"got num_threads=.* \(set in this process\)\. Fix: ",
    ):
        _config.set_value("num_threads", value)


def test_bridge_choice(monkeypatch):
    monkeypatch.setenv("PYJL_JULIA_BRIDGE", "PyJulia")
    assert _config.get("julia_bridge") == "pyjulia"
    monkeypatch.setenv("PYJL_JULIA_BRIDGE", "pycall")
    with pytest.raises(InputError, match="'juliacall', 'pyjulia'"):
        _config.get("julia_bridge")


def test_unknown_setting():
    with pytest.raises(
        InputError,
        match=r"`name` must be one of the known settings \(engine, "
        r".*\); got 'nope'\. Fix: ",
    ):
        _config.get("nope")
