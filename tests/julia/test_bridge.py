"""The bridge where Julia is missing or broken: clear refusals, no juliacall import,
nothing written to disk.  Each case runs in a fresh interpreter with HOME and the
working directory in ``tmp_path``, so module caches and the user's files play no part."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import pyjl
from pyjl.exceptions import EngineUnavailableError

ROOT = Path(__file__).resolve().parents[2]
JULIA_VARS = (
    "PYJL_JULIA",
    "PYJL_JULIA_BRIDGE",
    "PYJL_BACKEND",
    "PYTHON_JULIACALL_EXE",
    "PYTHON_JULIACALL_PROJECT",
    "PYTHON_JULIAPKG_EXE",
    "PYTHON_JULIAPKG_PROJECT",
    "JULIA_DEPOT_PATH",
    "JULIA_LOAD_PATH",
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell stand-ins")

PROBE = r"""
import json, sys
import numpy as np
import pyjl
from pyjl.exceptions import EngineUnavailableError, JuliaBridgeError
from pyjl.engines.julia import JuliaEngine
from pyjl.julia import availability, call

report = {"info": str(pyjl.info()), "engine": list(pyjl.info().engines["julia"])}
for label, action in (("kernel", lambda: JuliaEngine().cholesky(np.eye(2), 0.0)),
                      ("again", lambda: call("viterbi", np.zeros(2))),
                      ("set_backend", lambda: pyjl.set_backend("julia"))):
    try:
        action()
        report[label] = "no error"
    except (EngineUnavailableError, JuliaBridgeError) as exc:
        report[label] = [type(exc).__name__, str(exc)]
report["after"] = list(availability())
report["modules"] = sorted(m for m in sys.modules if m.split(".")[0] in ("juliacall", "julia"))
print(json.dumps(report))
"""


def run_probe(tmp_path: Path, extra_env: dict[str, str]) -> dict:
    work, home, empty = tmp_path / "work", tmp_path / "home", tmp_path / "empty"
    for d in (work, home, empty):
        d.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in JULIA_VARS}
    env.update(
        HOME=str(home),
        PATH=str(empty),
        PYTHON_JULIAPKG_OFFLINE="yes",
        PYTHONPATH=str(ROOT),
        **extra_env,
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def fake_julia(directory: Path) -> Path:
    """Answers ``--version`` like Julia; fails at anything else (it cannot run code)."""
    directory.mkdir(parents=True, exist_ok=True)
    exe = directory / "julia"
    exe.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "julia version 1.10.4";'
        ' exit 0; fi\necho "stand-in julia cannot run code" >&2\nexit 1\n'
    )
    exe.chmod(0o755)
    return exe


def _juliapkg_default_project() -> Path:
    # juliapkg's default project for this interpreter (a venv's julia_env, else the depot's)
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix) / "julia_env"
    return Path(
        os.environ.get("CONDA_PREFIX", "~/.julia/environments/pyjuliapkg")
    ).expanduser() / ("julia_env" if "CONDA_PREFIX" in os.environ else "")


def test_no_julia_refuses_clearly_and_touches_nothing(tmp_path):
    julia_env = _juliapkg_default_project()
    existed = julia_env.exists()
    link_existed = (ROOT / "pyjl" / "_julia").exists()

    report = run_probe(tmp_path, {})

    assert report["modules"] == []  # juliacall / PyJulia never imported
    assert report["engine"][0] is False
    assert report["engine"][1].startswith("no Julia executable found; set PYJL_JULIA")
    assert "julia   unavailable: no Julia executable found" in report["info"]
    assert report["kernel"][0] == "EngineUnavailableError"
    assert "engine 'julia' is unavailable: no Julia executable found" in report["kernel"][1]
    assert report["again"][0] == "EngineUnavailableError"
    assert report["set_backend"][0] == "EngineUnavailableError"
    assert "no Julia executable found" in report["set_backend"][1]
    # nothing was created: no julia_env anywhere, no depot in HOME, nothing in the cwd
    assert list((tmp_path / "work").iterdir()) == []
    assert [p for p in (tmp_path / "home").rglob("*") if "julia" in p.name.lower()] == []
    assert julia_env.exists() == existed
    assert (ROOT / "pyjl" / "_julia").exists() == link_existed


def test_a_bad_pyjl_julia_is_reported_with_its_origin(tmp_path):
    report = run_probe(tmp_path, {"PYJL_JULIA": "/nonexistent/julia"})
    assert report["modules"] == []
    expected = "PYJL_JULIA='/nonexistent/julia' (from the environment) does not exist"
    assert report["engine"] == [False, report["engine"][1]] and expected in report["engine"][1]
    assert expected in report["set_backend"][1]


@pytest.mark.skipif(
    importlib.util.find_spec("juliacall") is None, reason="juliacall not installed"
)
def test_a_julia_that_cannot_start_gives_a_bridge_error_once(tmp_path):
    exe = fake_julia(tmp_path / "bin")
    project = tmp_path / "project"
    project.mkdir()
    report = run_probe(
        tmp_path, {"PYTHON_JULIACALL_EXE": str(exe), "PYTHON_JULIACALL_PROJECT": str(project)}
    )
    assert report["engine"][0] is True  # located: looks usable before start
    assert report["kernel"][0] == "JuliaBridgeError"
    assert report["kernel"][1].startswith(f"Julia at {exe} failed to start via juliacall")
    # the failure is remembered: no second start, and availability now says why
    assert report["again"] == report["kernel"]
    assert report["after"] == [False, report["kernel"][1]]
    assert report["set_backend"][0] == "EngineUnavailableError"
    assert list(project.iterdir()) == [] and list((tmp_path / "work").iterdir()) == []


def test_set_backend_julia_raises_with_the_reason(monkeypatch, tmp_path):
    from pyjl.julia import bridge

    monkeypatch.setattr(bridge, "_state", bridge._State())  # as if Julia had not started
    monkeypatch.setenv("PYJL_JULIA", str(tmp_path / "missing-julia"))
    with pytest.raises(EngineUnavailableError, match=r"PYJL_JULIA=.*does not exist"):
        pyjl.set_backend("julia")
    assert pyjl.get_backend() != "julia"


HANDOFF = r"""
import json, os
import numpy as np
import pyjl.julia.bridge as bridge
from pyjl.exceptions import JuliaBridgeError
bridge._link_checkout = lambda: None      # checked on its own below; keep the checkout clean
try:
    bridge.call("viterbi", np.zeros(2))
    outcome = "no error"
except JuliaBridgeError as exc:
    outcome = str(exc)
print(json.dumps({"outcome": outcome, "exe": os.environ.get("PYTHON_JULIAPKG_EXE"),
                  "juliacall_exe": os.environ.get("PYTHON_JULIACALL_EXE")}))
"""


@pytest.mark.skipif(
    importlib.util.find_spec("juliacall") is None, reason="juliacall not installed"
)
def test_the_located_julia_is_handed_to_juliapkg(tmp_path):
    exe = fake_julia(tmp_path / "bin")
    other = fake_julia(tmp_path / "other")
    env = {k: v for k, v in os.environ.items() if k not in JULIA_VARS}
    env.update(
        HOME=str(tmp_path),
        PATH=str(tmp_path / "bin"),
        PYTHONPATH=str(ROOT),
        PYTHON_JULIAPKG_OFFLINE="yes",
        PYJL_JULIA=str(exe),
        PYTHON_JULIACALL_EXE=str(other),  # alone it would stop juliacall
        PYTHON_JULIAPKG_PROJECT=str(tmp_path / "jproj"),
    )
    done = subprocess.run(
        [sys.executable, "-c", HANDOFF],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["exe"] == str(exe) and report["juliacall_exe"] is None
    # juliapkg ran the stand-in to find libjulia, which is where the start failed
    assert report["outcome"].startswith(f"Julia at {exe} failed to start via juliacall")
    assert "stand-in julia cannot run code" in report["outcome"]


def test_checkout_link_points_juliapkg_at_julia_src(monkeypatch, tmp_path):
    from pyjl.julia import bridge

    package, source = tmp_path / "pyjl", tmp_path / "julia_src"
    package.mkdir()
    (source / "src").mkdir(parents=True)
    (source / "Project.toml").write_text('name = "PyJL"\n')
    monkeypatch.setattr(bridge, "_PYJL_DIR", package)
    monkeypatch.setattr(bridge, "checkout_dir", lambda: source)
    (package / "_julia").symlink_to(tmp_path / "moved-away")  # a dangling old link
    bridge._link_checkout()
    link = package / "_julia"
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "julia_src")
    assert (link / "Project.toml").read_text() == 'name = "PyJL"\n'
    bridge._link_checkout()  # idempotent
    assert os.readlink(link) == os.path.join("..", "julia_src")


def test_call_refuses_a_bad_function_name_before_starting_julia():
    import pyjl.julia.bridge as bridge
    from pyjl.exceptions import InputError

    with pytest.raises(
        InputError,
        match=r"`name` must be a Julia function name; got "
        r"'rm\(\"x\"\)'\. Fix: ",
    ):
        bridge.call('rm("x")')


# --- a failed start says why; signals with Julia threads ---------------------------------------
FAKE_JULIACALL = r"""
import os
os.write(2, ("ERROR: ArgumentError: Package PythonCall not found in current path.\n"
             "handle_signals=" + os.environ.get("PYTHON_JULIACALL_HANDLE_SIGNALS", "unset") +
             "\nStacktrace:\n  [1] macro expansion\n").encode())
raise Exception("PythonCall.jl did not start properly")
"""

START = r"""
import json
import pyjl.julia.bridge as bridge
bridge._link_checkout = lambda: None      # keep the checkout clean
try:
    bridge.start()
    print(json.dumps("no error"))
except Exception as exc:
    print(json.dumps([type(exc).__name__, str(exc)]))
"""


def start_with_a_failing_juliacall(tmp_path: Path, extra_env: dict[str, str]):
    """Start the bridge against a stand-in juliacall whose import fails as PythonCall's
    does: Julia prints the cause on stderr, the Python exception says only that it failed."""
    (tmp_path / "fake" / "juliacall").mkdir(parents=True)
    (tmp_path / "fake" / "juliacall" / "__init__.py").write_text(FAKE_JULIACALL)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in JULIA_VARS
        and k
        not in ("JULIA_NUM_THREADS", "PYTHON_JULIACALL_THREADS", "PYTHON_JULIACALL_HANDLE_SIGNALS")
    }
    env.update(
        HOME=str(tmp_path),
        PATH=str(tmp_path / "bin"),
        PYTHON_JULIAPKG_OFFLINE="yes",
        PYJL_JULIA=str(fake_julia(tmp_path / "bin")),
        PYTHONPATH=os.pathsep.join([str(tmp_path / "fake"), str(ROOT)]),
        **extra_env,
    )
    done = subprocess.run(
        [sys.executable, "-c", START],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_a_failed_start_carries_what_julia_printed(tmp_path):
    (kind, message), stderr = start_with_a_failing_juliacall(tmp_path, {})
    assert kind == "JuliaBridgeError"
    assert (
        "PythonCall.jl did not start properly; Julia printed: ERROR: ArgumentError: "
        "Package PythonCall not found in current path." in message
    )
    assert "Stacktrace" not in message
    assert "Package PythonCall not found" in stderr  # still shown where it was
    assert "handle_signals=unset" in message  # one thread: left alone


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"JULIA_NUM_THREADS": "2"}, "yes"),
        ({"PYTHON_JULIACALL_THREADS": "auto"}, "yes"),
        ({"JULIA_NUM_THREADS": "1"}, "unset"),
        ({"JULIA_NUM_THREADS": "4", "PYTHON_JULIACALL_HANDLE_SIGNALS": "no"}, "no"),
    ],
)
def test_julia_threads_get_julias_signal_handling(tmp_path, env, expected):
    (kind, message), _ = start_with_a_failing_juliacall(tmp_path, env)
    assert f"handle_signals={expected}" in message


def test_julia_threads_after_an_early_juliacall_import_warn(monkeypatch):
    # the signal setting takes effect only when juliacall starts Julia: after that, too late
    import types

    from pyjl.julia import _start

    monkeypatch.setenv("JULIA_NUM_THREADS", "2")
    monkeypatch.delenv("PYTHON_JULIACALL_HANDLE_SIGNALS", raising=False)
    monkeypatch.setitem(sys.modules, "juliacall", types.ModuleType("juliacall"))
    with pytest.warns(RuntimeWarning, match="set it before importing juliacall"):
        _start._juliacall_signals()
    monkeypatch.delitem(sys.modules, "juliacall")
    monkeypatch.delenv("PYTHON_JULIACALL_HANDLE_SIGNALS")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _start._juliacall_signals()  # not imported yet: set in time, no warning
    assert os.environ["PYTHON_JULIACALL_HANDLE_SIGNALS"] == "yes"


def test_tee_stderr_copies_and_passes_through(capfd):
    from pyjl.julia import bridge

    printed: list[str] = []
    with bridge._tee_stderr(printed):
        os.write(2, b"ERROR: something\nStacktrace:\n [1] f\n")
    assert printed == ["ERROR: something\nStacktrace:\n [1] f\n"]
    assert "ERROR: something" in capfd.readouterr().err
    assert bridge._julia_error("noise\nERROR: a\n  b\nStacktrace:\n [1]") == "ERROR: a b"
    assert bridge._julia_error("only noise") == ""


# --- the PyJulia route, with a stand-in for a started PyJulia --------------------------------
def test_pyjulia_maps_runtime_errors_and_copies_read_only_arrays(monkeypatch):
    import numpy as np

    from pyjl.exceptions import JuliaBridgeError, JuliaLinAlgError
    from pyjl.julia import bridge

    seen = {}

    def sosfilt(sos, x, zi):
        seen["x"] = x
        return x

    def cholesky(K, jitter):  # PyCall 1.96 raises a Julia exception as RuntimeError
        raise RuntimeError(
            "<PyCall.jlwrap PosDefException(2)> matrix is not positive "
            "definite; Stacktrace:\n [1] cholesky"
        )

    def viterbi(*args):
        raise RuntimeError("MethodError: no method matching viterbi(::Vector{Float64})")

    class jlwrap:  # PyCall's wrapper of a Julia object (its class name is what counts)
        def __init__(self, text):
            self.text = text

        def __repr__(self):
            return f"<PyCall.jlwrap {self.text}>"

    def lfilter(*args):  # PyCall raises a Julia ArgumentError as a ValueError
        raise ValueError(jlwrap('ArgumentError("a[0] must not be 0")'))

    def upfirdn(*args):  # and a DivideError as a ZeroDivisionError
        raise ZeroDivisionError(jlwrap("DivideError()"))

    def fftfilt(*args):  # a Python error of the call itself stays what it is
        raise TypeError("cannot convert argument")

    functions = {
        "PyJL.sosfilt": sosfilt,
        "PyJL.cholesky": cholesky,
        "PyJL.viterbi": viterbi,
        "PyJL.lfilter": lfilter,
        "PyJL.upfirdn": upfirdn,
        "PyJL.fftfilt": fftfilt,
    }
    run = bridge._Running(
        bridge="pyjulia",
        exe="julia",
        version="1.10.8",
        source_dir="src",
        evaluate=functions.__getitem__,
        error_type=Exception,
        describe=bridge._describe_pyjulia,
        from_julia=bridge._raised_in_julia,
    )
    monkeypatch.setattr(bridge, "_state", bridge._State(running=run))

    x = np.broadcast_to(np.arange(3.0), (2, 3))  # read-only, as pyjl's own zi is
    out = bridge.call("sosfilt", np.ones((1, 6)), x, None)
    assert seen["x"].flags.writeable and not np.shares_memory(seen["x"], x)
    np.testing.assert_array_equal(out, x)  # the orientation rule both ways
    with pytest.raises(JuliaLinAlgError, match="PosDefException") as info:
        bridge.call("cholesky", np.eye(2), 0.0)
    assert isinstance(info.value, np.linalg.LinAlgError)
    assert info.value.julia_stacktrace == "[1] cholesky"
    with pytest.raises(JuliaBridgeError, match="MethodError") as info:
        bridge.call("viterbi", np.zeros(2))
    assert not isinstance(info.value, JuliaLinAlgError)
    with pytest.raises(JuliaBridgeError, match="ArgumentError") as info:
        bridge.call("lfilter", np.ones(2), np.zeros(2))
    assert "a[0] must not be 0" in info.value.julia_message
    with pytest.raises(JuliaBridgeError, match="DivideError"):
        bridge.call("upfirdn", np.ones(2))
    with pytest.raises(TypeError, match="cannot convert argument"):
        bridge.call("fftfilt", np.ones(2))
