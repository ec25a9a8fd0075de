"""The one settings resolver: set value > environment > default, errors quote the source."""

import os

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


# --- a value kept between calls never hides a change ------------------------------------
@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity here")
def test_environment_changes_are_seen_on_the_next_call(monkeypatch):
    assert _config.get("num_threads") == len(os.sched_getaffinity(0))
    for raw, expected in (("3", 3), (" 5 ", 5), ("3", 3), ("   ", None), ("7", 7)):
        monkeypatch.setenv("PYJL_NUM_THREADS", raw)
        assert _config.get("num_threads") == (expected or len(os.sched_getaffinity(0)))
        assert _config.get("num_threads") == (expected or len(os.sched_getaffinity(0)))
    monkeypatch.delenv("PYJL_NUM_THREADS")
    assert _config.get("num_threads") == len(os.sched_getaffinity(0))
    os.environ["PYJL_BACKEND"] = "Julia"
    try:
        assert _config.get("engine") == "julia"
        os.environ["PYJL_BACKEND"] = "cuda"
        assert _config.get("engine") == "cuda"
    finally:
        del os.environ["PYJL_BACKEND"]
    assert _config.get("engine") == "native"


def test_an_invalid_value_raises_on_every_call_even_after_a_valid_one(monkeypatch):
    monkeypatch.setenv("PYJL_NUM_THREADS", "2")
    assert _config.get("num_threads") == 2
    monkeypatch.setenv("PYJL_NUM_THREADS", "2x")
    for _ in range(3):
        with pytest.raises(InputError, match=r"got PYJL_NUM_THREADS='2x' \(from the env"):
            _config.get("num_threads")
    monkeypatch.setenv("PYJL_BACKEND", "no such")
    for _ in range(2):
        with pytest.raises(InputError, match=r"`PYJL_BACKEND` must be an engine name"):
            _config.get("engine")
    monkeypatch.setenv("PYJL_NUM_THREADS", "2")
    assert _config.get("num_threads") == 2


def test_a_value_set_in_this_process_wins_until_cleared(monkeypatch):
    monkeypatch.setenv("PYJL_JULIA_BRIDGE", "pyjulia")
    assert _config.get("julia_bridge") == "pyjulia"
    _config.set_value("julia_bridge", "juliacall")
    assert _config.get("julia_bridge") == "juliacall"
    monkeypatch.setenv("PYJL_JULIA_BRIDGE", "nonsense")  # not read while a value is set
    assert _config.get("julia_bridge") == "juliacall"
    _config.clear("julia_bridge")
    with pytest.raises(InputError, match="PYJL_JULIA_BRIDGE='nonsense'"):
        _config.get("julia_bridge")


def test_a_replaced_os_environ_is_still_read(monkeypatch):
    default = _config.get("num_threads")  # something kept from the real environment
    with monkeypatch.context() as patch:
        patch.setattr(os, "environ", {"PYJL_NUM_THREADS": "4", "PYJL_BACKEND": "x"})
        assert _config.get("num_threads") == 4 and _config.get("engine") == "x"
        os.environ["PYJL_NUM_THREADS"] = "zero"
        with pytest.raises(InputError, match="PYJL_NUM_THREADS='zero'"):
            _config.get("num_threads")
    assert _config.get("num_threads") == default and _config.get("engine") == "native"
