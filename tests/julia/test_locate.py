"""Locating Julia, with no Julia runtime: executables here are shell-script stand-ins
that answer ``--version`` like Julia does, which is all location looks at.

Earlier tests may have started Julia in this process; these ask what a process that has
not started it would see (the bridge's state is swapped for a fresh one), so they pass in
any order, with or without Julia."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pyjl import _config
from pyjl.julia import bridge
from pyjl.julia import locate as locate_mod
from pyjl.julia.locate import NOT_FOUND, locate, version_of

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-ins")


def fake_julia(directory, version="1.10.4", name="julia"):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f'#!/bin/sh\necho "julia version {version}"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No Julia anywhere: empty PATH, fresh HOME and juliapkg project, no settings, and a
    bridge that has not started."""
    for var in (
        "PYJL_JULIA",
        "PYTHON_JULIACALL_EXE",
        "PYTHON_JULIACALL_PROJECT",
        "PYTHON_JULIAPKG_EXE",
        "PYJL_JULIA_BRIDGE",
        "JULIA_DEPOT_PATH",
    ):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTHON_JULIAPKG_PROJECT", str(tmp_path / "jpkg"))
    monkeypatch.setattr(bridge, "_state", bridge._State())
    _config.clear("julia")
    _config.clear("julia_bridge")
    yield
    _config.clear("julia")
    _config.clear("julia_bridge")


def test_nothing_found_says_how_to_fix():
    found = locate()
    assert found.exe is None and found.reason == NOT_FOUND
    assert found.reason.startswith("no Julia executable found; set PYJL_JULIA")
    assert bridge.availability() == (False, NOT_FOUND)
    assert bridge.julia_version() is None


def test_pyjl_julia_wins_over_every_other_place(monkeypatch, tmp_path):
    chosen = fake_julia(tmp_path / "chosen")
    other = fake_julia(tmp_path / "other")
    monkeypatch.setenv("PATH", str(other.parent))
    monkeypatch.setenv("PYTHON_JULIACALL_EXE", str(other))
    monkeypatch.setenv("PYJL_JULIA", str(chosen))
    found = locate()
    assert (found.exe, found.source) == (str(chosen), "PYJL_JULIA")


def test_pyjl_julia_missing_file_quotes_where_it_came_from(monkeypatch, tmp_path):
    fake_julia(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # a usable julia must not hide the error
    missing = tmp_path / "nope" / "julia"
    monkeypatch.setenv("PYJL_JULIA", str(missing))
    found = locate()
    assert found.exe is None
    assert f"PYJL_JULIA={str(missing)!r} (from the environment) does not exist" in found.reason
    ok, reason = bridge.availability()
    assert not ok and reason == found.reason

    _config.set_value("julia", str(missing))
    assert "(set in this process) does not exist" in locate().reason


def test_pyjl_julia_not_executable(monkeypatch, tmp_path):
    plain = tmp_path / "julia.txt"
    plain.write_text("not a program")
    monkeypatch.setenv("PYJL_JULIA", str(plain))
    assert "is not an executable file" in locate().reason
    monkeypatch.setenv("PYJL_JULIA", str(tmp_path))  # a directory
    assert "is not an executable file" in locate().reason


def test_juliacall_exe_then_juliapkg_exe(monkeypatch, tmp_path):
    a = fake_julia(tmp_path / "a")
    b = fake_julia(tmp_path / "b")
    monkeypatch.setenv("PYTHON_JULIAPKG_EXE", str(b))
    assert (locate().exe, locate().source) == (str(b), "PYTHON_JULIAPKG_EXE")
    monkeypatch.setenv("PYTHON_JULIACALL_EXE", str(a))
    assert (locate().exe, locate().source) == (str(a), "PYTHON_JULIACALL_EXE")
    monkeypatch.setenv("PYTHON_JULIACALL_EXE", str(tmp_path / "gone"))
    found = locate()
    assert found.exe is None and "PYTHON_JULIACALL_EXE=" in found.reason
    assert "does not exist" in found.reason


def test_julia_on_path_and_its_version(monkeypatch, tmp_path):
    exe = fake_julia(tmp_path / "bin", version="1.11.2")
    monkeypatch.setenv("PATH", f"{tmp_path / 'empty'}{os.pathsep}{exe.parent}")
    found = locate()
    assert (found.exe, found.source) == (str(exe), "`julia` on PATH")
    assert version_of(str(exe)) == "1.11.2"
    assert bridge.julia_version() == "1.11.2"


def test_version_of_something_that_is_not_julia(tmp_path):
    liar = tmp_path / "julia"
    liar.write_text("#!/bin/sh\necho hello\n")
    liar.chmod(0o755)
    assert version_of(str(liar)) is None
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\necho 'julia version 1.10.0'\nexit 3\n")
    failing.chmod(0o755)
    assert version_of(str(failing)) is None
    assert version_of(str(tmp_path / "absent")) is None


@pytest.mark.skipif(importlib.util.find_spec("juliapkg") is None, reason="juliapkg not installed")
def test_a_julia_that_juliapkg_already_installed(tmp_path):
    exe = fake_julia(tmp_path / "jpkg" / "pyjuliapkg" / "install" / "bin")
    found = locate()
    assert (found.exe, found.source) == (str(exe), "juliapkg's install")


def test_availability_with_julia_depends_on_the_bridge_package(monkeypatch, tmp_path):
    exe = fake_julia(tmp_path / "bin")
    monkeypatch.setenv("PYJL_JULIA", str(exe))
    ok, reason = bridge.availability()
    if importlib.util.find_spec("juliacall") is not None:
        assert ok and reason.startswith(f"Julia at {exe} (PYJL_JULIA) via juliacall")
    else:
        assert not ok and "pip install 'pyjl[julia]'" in reason
    monkeypatch.setenv("PYJL_JULIA_BRIDGE", "pyjulia")
    ok, reason = bridge.availability()
    if importlib.util.find_spec("julia") is None:
        assert not ok and "pip install 'pyjl[pyjulia]'" in reason
    monkeypatch.setenv("PYJL_JULIA_BRIDGE", "pycall")
    ok, reason = bridge.availability()
    assert not ok and "PYJL_JULIA_BRIDGE='pycall'" in reason


def test_bridge_summary_names_the_bridge_and_its_limits(monkeypatch):
    assert bridge.bridge_summary().startswith("juliacall (default): arrays cross as views")
    monkeypatch.setenv("PYJL_JULIA_BRIDGE", "pyjulia")
    summary = bridge.bridge_summary()
    assert "copies arrays" in summary
    assert "cannot precompile under a statically linked Python" in summary


def test_sources_are_found_in_the_checkout_or_the_install():
    pkg = locate_mod.package_dir()
    assert pkg is not None and (pkg / "Project.toml").is_file()
    assert (pkg / "src" / "PyJL.jl").is_file()


@pytest.mark.skipif(importlib.util.find_spec("juliapkg") is None, reason="juliapkg not installed")
def test_locating_leaves_juliapkg_state_as_it_was(tmp_path):
    import juliapkg.state

    before = dict(juliapkg.state.STATE)
    exe = fake_julia(tmp_path / "jpkg" / "pyjuliapkg" / "install" / "bin")
    assert locate().exe == str(exe)  # read under this test's project...
    assert juliapkg.state.STATE == before  # ...which juliacall will never see


UNLOADED = r"""
import json, os, sys
from pyjl.julia.locate import locate
found = locate().exe
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "juliapkg")
os.environ["PYTHON_JULIAPKG_PROJECT"] = sys.argv[1]  # the project juliacall would use later
import juliapkg.state
print(json.dumps({"found": found, "loaded": loaded,
                  "project": juliapkg.state.STATE["project"]}))
"""


@pytest.mark.skipif(importlib.util.find_spec("juliapkg") is None, reason="juliapkg not installed")
def test_locating_does_not_fix_juliapkg_settings_for_later(tmp_path):
    exe = fake_julia(tmp_path / "jpkg" / "pyjuliapkg" / "install" / "bin")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYJL_", "PYTHON_JULIA"))}
    env.update(
        PATH=str(tmp_path / "empty"),
        HOME=str(tmp_path / "home"),
        PYTHON_JULIAPKG_PROJECT=str(tmp_path / "jpkg"),
        PYTHON_JULIAPKG_OFFLINE="yes",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    later = str(tmp_path / "later")
    done = subprocess.run(
        [sys.executable, "-c", UNLOADED, later],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["found"] == str(exe)
    assert report["loaded"] == []  # locate imported juliapkg and unloaded it
    assert report["project"] == later
