"""Find a Julia executable and the PyJL sources without starting (or downloading) Julia.

Where Julia is looked for, first match wins:

==========================  ===============================================================
place                       notes
==========================  ===============================================================
``PYJL_JULIA``              pyjl's own setting (:mod:`pyjl._config`); a bad value is an error
``PYTHON_JULIACALL_EXE``    juliacall's setting; a bad value is an error
``PYTHON_JULIAPKG_EXE``     juliapkg's setting; a bad value is an error
``julia`` on ``PATH``       e.g. the juliaup launcher
juliapkg's own install      only one juliapkg already recorded or installed (never installs)
==========================  ===============================================================

Nothing here imports juliacall (whose import downloads Julia when none is
found); juliapkg, when installed, is asked only what it already knows.

>>> found = locate()
>>> found.exe is None or os.path.isabs(found.exe)
True
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import _config

__all__ = [
    "Located",
    "locate",
    "version_of",
    "package_dir",
    "checkout_dir",
    "bridge_installed",
    "NOT_FOUND",
]

NOT_FOUND = (
    "no Julia executable found; set PYJL_JULIA to a Julia executable, put `julia` "
    'on PATH, or run `python -c "import juliacall"` once so juliacall installs one'
)

_PYJL_DIR = Path(__file__).resolve().parents[1]  # .../pyjl


@dataclass(frozen=True)
class Located:
    """The outcome of :func:`locate`: ``exe`` (absolute path) and where it came from,
    or ``exe=None`` and ``reason`` saying why none was found."""

    exe: str | None
    source: str
    reason: str = ""


def _executable(value: str) -> str | None:
    """Absolute path of ``value`` (a path or a command name) if it is an executable file."""
    found = shutil.which(value)
    return os.path.abspath(found) if found else None


def _bad_value(var: str, value: str, where: str) -> str:
    problem = "is not an executable file" if os.path.exists(value) else "does not exist"
    return f"{var}={value!r} ({where}) {problem}; point it at a Julia executable or unset it"


def _from_juliapkg() -> str | None:
    """A Julia that juliapkg already resolved or installed; never triggers an install.

    juliapkg fixes its settings (project, install folder) once, from the environment, when
    ``juliapkg.state`` is first imported, and juliacall later uses them.  The environment
    is read as it is now, and juliapkg is left as it was found: its state restored, or its
    modules unloaded when this call was the one that imported them (a temporary
    ``PYTHON_JULIAPKG_PROJECT`` must not become the project juliacall starts with)."""
    if importlib.util.find_spec("juliapkg") is None:
        return None
    loaded = {name for name in sys.modules if name.split(".")[0] == "juliapkg"}
    saved = dict(sys.modules["juliapkg.state"].STATE) if "juliapkg.state" in loaded else None
    try:
        import juliapkg.state as state
        from juliapkg.deps import load_meta

        state.reset_state()
        meta = load_meta() or {}
        candidates = [
            meta.get("executable"),
            os.path.join(
                state.STATE["install"], "bin", "julia.exe" if os.name == "nt" else "julia"
            ),
        ]
    except Exception:  # an unreadable juliapkg state just means "not found there"
        return None
    finally:
        if saved is not None:
            sys.modules["juliapkg.state"].STATE.clear()
            sys.modules["juliapkg.state"].STATE.update(saved)
        else:
            for name in [m for m in sys.modules if m.split(".")[0] == "juliapkg"]:
                if name not in loaded:
                    del sys.modules[name]
    for candidate in candidates:
        if candidate and (exe := _executable(candidate)):
            return exe
    return None


def locate() -> Located:
    """Find the Julia executable (see the module docstring for the order)."""
    try:
        value = _config.get("julia")
    except Exception as exc:  # InputError from a malformed PYJL_JULIA
        return Located(None, "PYJL_JULIA", str(exc))
    if value is not None:
        where = {"set": "set in this process", "environment": "from the environment"}.get(
            _config.source("julia"), "default"
        )
        exe = _executable(value)
        if exe is None:
            return Located(None, "PYJL_JULIA", _bad_value("PYJL_JULIA", value, where))
        return Located(exe, "PYJL_JULIA")
    for var in ("PYTHON_JULIACALL_EXE", "PYTHON_JULIAPKG_EXE"):
        value = os.environ.get(var, "").strip()
        if value:
            exe = _executable(value)
            if exe is None:
                return Located(None, var, _bad_value(var, value, "from the environment"))
            return Located(exe, var)
    exe = _executable("julia")
    if exe is not None:
        return Located(exe, "`julia` on PATH")
    exe = _from_juliapkg()
    if exe is not None:
        return Located(exe, "juliapkg's install")
    return Located(None, "", NOT_FOUND)


@lru_cache(maxsize=8)
def version_of(exe: str, timeout: float = 20.0) -> str | None:
    """``"1.10.4"`` from ``exe --version`` (cached per path), or None if it does not answer."""
    try:
        done = subprocess.run(
            [exe, "--version"],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"julia version (\S+)", done.stdout, flags=re.IGNORECASE)
    return match.group(1) if done.returncode == 0 and match else None


def checkout_dir() -> Path | None:
    """``julia_src/`` of the source checkout pyjl runs from (editable install), if any."""
    candidate = _PYJL_DIR.parent / "julia_src"
    return candidate if (candidate / "Project.toml").is_file() else None


def package_dir() -> Path | None:
    """The PyJL package to load: the installed ``pyjl/_julia`` or the checkout's ``julia_src``."""
    installed = _PYJL_DIR / "_julia"
    if (installed / "Project.toml").is_file():
        return installed
    return checkout_dir()


def bridge_installed(bridge: str) -> bool:
    """Whether the Python side of ``bridge`` (``juliacall`` or ``pyjulia``) is installed,
    checked without importing it."""
    module = "juliacall" if bridge == "juliacall" else "julia"
    return importlib.util.find_spec(module) is not None
