"""The bridge to Julia: start it once, call PyJL's kernels, turn Julia errors into Python ones.

**Orientation rule** (stated here and nowhere else): a C-order NumPy ``(n, d)``
array is a column-major ``(d, n)`` Julia matrix, without a copy; the Julia
kernels are written for that layout (one point, time step or sample per
column).  The rule holds both ways and for any rank: an array crossing the
bridge has its axes reversed and its memory shared, so a Julia ``(a, b)``
result is a C-order ``(b, a)`` NumPy view (:mod:`pyjl.julia.convert`).
One-dimensional arrays are unchanged.  A matrix that Julia must index as NumPy
does (a covariance, a Cholesky factor, a transition matrix) is therefore sent
as its ``.T``; :mod:`pyjl.engines.julia` does so kernel by kernel.

Bridges (``PYJL_JULIA_BRIDGE``):

* ``juliacall`` (default, PythonCall.jl): NumPy arrays reach Julia as
  ``PyArray`` views and Julia arrays come back through ``to_numpy(copy=False)``;
  nothing is copied.  PyJL is declared to juliapkg by ``pyjl/juliapkg.json``
  (``"path": "_julia"``).  An installed pyjl ships the sources there; a source
  checkout (editable install) has ``julia_src/`` instead, so on the first start
  the bridge links ``pyjl/_julia -> ../julia_src`` (git-ignored) and juliapkg
  develops PyJL from the checkout like any other dev package.  The located
  Julia is handed to juliapkg as ``PYTHON_JULIAPKG_EXE`` (juliacall requires
  ``PYTHON_JULIACALL_EXE`` to come with ``PYTHON_JULIACALL_PROJECT``; when a
  user sets both, that project is used as it is and must provide PyJL).
  ``PYTHON_JULIAPKG_OFFLINE=yes`` is respected: juliapkg then installs nothing.
  When Julia is to run several threads (``JULIA_NUM_THREADS``,
  ``PYTHON_JULIACALL_THREADS``) and the user has not set
  ``PYTHON_JULIACALL_HANDLE_SIGNALS``, the bridge sets it to ``yes``, as juliacall
  advises: PyJL's kernels use ``Threads.@threads``, and a threaded Julia that does not
  handle signals itself can crash the process (Ctrl-C then no longer raises
  ``KeyboardInterrupt`` while Julia runs).  If the start fails, the error quotes the
  ``ERROR:`` that Julia printed on stderr.
* ``pyjulia`` (legacy, PyCall.jl): arrays are copied at each crossing (read-only
  arrays explicitly, which PyCall would otherwise pass as opaque objects); PyCall
  cannot precompile under a statically linked Python, so there Julia runs with
  ``compiled_modules=no`` (slow first calls).  PyJL's folder is put first on
  ``LOAD_PATH``: Julia loads a project's own package from it and PyJL depends on
  stdlibs only, so starting needs no registry and works offline.

Julia starts lazily, once, thread-safely, on the first :func:`call`; calls are
serialised by a lock.  Nothing here imports juliacall, juliapkg's resolver or
PyJulia before a Julia executable has been located (juliacall's import
downloads Julia when there is none).  A Julia exception becomes
:class:`~pyjl.exceptions.JuliaBridgeError` (``julia_message``,
``julia_stacktrace``); linear-algebra failures (``PosDefException``,
``SingularException``, ...) become :class:`~pyjl.exceptions.JuliaLinAlgError`, also a
``numpy.linalg.LinAlgError`` so the callers' jitter ladders work unchanged.

>>> ok, reason = availability()
>>> isinstance(ok, bool) and isinstance(reason, str)
True
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _config, _validate
from ..exceptions import EngineUnavailableError, InputError, JuliaBridgeError, JuliaLinAlgError
from ._start import _describe_pyjulia as _describe_pyjulia
from ._start import _julia_error, _juliacall_signals, _Running, _start_pyjulia, _tee_stderr, _why
from ._start import _raised_in_julia as _raised_in_julia
from .convert import from_julia, to_julia
from .locate import _PYJL_DIR, bridge_installed, checkout_dir, locate, package_dir, version_of

__all__ = ["availability", "call", "start", "julia_version", "bridge_summary"]


_LINALG = {"PosDefException", "SingularException", "LAPACKException", "ZeroPivotException"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*!?")
_PACKAGES = {"juliacall": "pyjl[julia]", "pyjulia": "pyjl[pyjulia]"}


@dataclass
class _State:
    running: _Running | None = None
    failure: str | None = None  # why the one start attempt failed


_state = _State()
_lock = threading.RLock()


def _bridge() -> str:
    return _config.get("julia_bridge")


def _static_python() -> bool:
    return not sysconfig.get_config_var("Py_ENABLE_SHARED") and os.name != "nt"


def availability() -> tuple[bool, str]:
    """``(True, detail)`` if the julia engine can run here, else ``(False, why and fix)``.

    Locates Julia but never starts it, and never imports juliacall."""
    run = _state.running
    if run is not None:
        return True, f"Julia {run.version} running via {run.bridge} (PyJL from {run.source_dir})"
    if _state.failure is not None:
        return False, _state.failure
    found = locate()
    if found.exe is None:
        return False, found.reason
    try:
        bridge = _bridge()
    except InputError as exc:
        return False, str(exc)
    if not bridge_installed(bridge):
        return False, (
            f"Julia found at {found.exe} ({found.source}) but the {bridge} "
            f"Python package is not installed; pip install '{_PACKAGES[bridge]}'"
        )
    if package_dir() is None:
        return False, (
            "PyJL's Julia sources are missing (neither pyjl/_julia nor a "
            "checkout's julia_src/); reinstall pyjl"
        )
    return True, (
        f"Julia at {found.exe} ({found.source}) via {bridge}; starts on the first kernel call"
    )


def _link_checkout() -> None:
    """In a source checkout, make ``pyjl/_julia`` (juliapkg.json's path) point at julia_src."""
    link = _PYJL_DIR / "_julia"
    if (link / "Project.toml").is_file():
        return
    source = checkout_dir()
    if source is None:
        raise JuliaBridgeError(
            "PyJL's Julia sources are missing: no pyjl/_julia and no "
            "julia_src/ beside the pyjl package; reinstall pyjl"
        )
    if link.is_symlink():
        link.unlink()  # a dangling link from a moved checkout
    try:
        os.symlink(os.path.relpath(source, link.parent), link, target_is_directory=True)
    except FileExistsError:
        pass  # another process linked it meanwhile
    except OSError as exc:
        raise JuliaBridgeError(
            f"cannot link {link} -> {source} for juliapkg ({exc}); create "
            "that link (or a copy) by hand, or install pyjl without -e"
        ) from None


def _start_juliacall(exe: str, source: str) -> _Running:
    user_project = os.environ.get("PYTHON_JULIACALL_EXE") and os.environ.get(
        "PYTHON_JULIACALL_PROJECT"
    )
    if not user_project:
        _link_checkout()
        os.environ.pop("PYTHON_JULIACALL_EXE", None)  # juliacall wants it with a project
        if source != "juliapkg's install":  # juliapkg's own: leave it in charge
            os.environ["PYTHON_JULIAPKG_EXE"] = exe
            if "juliapkg.state" in sys.modules:  # imported earlier: its settings are set
                sys.modules["juliapkg.state"].STATE["override_executable"] = exe
    _juliacall_signals()
    printed: list[str] = []
    try:
        with _tee_stderr(printed):
            import juliacall
    except Exception as exc:
        said = _julia_error("".join(printed))
        if said:
            raise RuntimeError(f"{_why(exc)}; Julia printed: {said}") from exc
        raise

    main = juliacall.Main
    main.seval("using PyJL")
    describe = main.seval(
        "(e, bt) -> (string(nameof(typeof(e))), sprint(showerror, e), "
        'bt === nothing ? "" : sprint(Base.show_backtrace, bt))'
    )
    return _Running(
        bridge="juliacall",
        exe=exe,
        version=str(main.seval("string(VERSION)")),
        source_dir=str(main.seval("pkgdir(PyJL)")),
        evaluate=main.seval,
        error_type=juliacall.JuliaError,
        describe=lambda err: tuple(describe(err.exception, err.backtrace)),
    )


def start() -> None:
    """Start Julia and load PyJL (once; later calls return at once).

    Raises :class:`EngineUnavailableError` when no Julia can be used here and
    :class:`JuliaBridgeError` when starting fails (the failure is remembered:
    :func:`availability` then reports it, and a new Python process is needed)."""
    if _state.running is not None:
        return
    with _lock:
        if _state.running is not None:
            return
        ok, reason = availability()
        if not ok:
            if _state.failure is not None:
                raise JuliaBridgeError(reason)
            raise EngineUnavailableError(f"engine 'julia' is unavailable: {reason}")
        found, bridge = locate(), _bridge()
        if found.exe is None:  # gone since availability() looked
            raise EngineUnavailableError(f"engine 'julia' is unavailable: {found.reason}")
        starter = _start_juliacall if bridge == "juliacall" else _start_pyjulia
        try:
            running = starter(found.exe, found.source)
        except Exception as exc:
            detail = _why(exc)
            _state.failure = (
                f"Julia at {found.exe} failed to start via {bridge}: {detail} "
                "(fix the cause and restart Python)"
            )
            raise JuliaBridgeError(_state.failure, julia_message=detail) from exc
        _state.running = running


def call(name: str, *args: Any) -> Any:
    """Call ``PyJL.<name>(args...)`` and return its result in NumPy terms.

    Arrays cross as views under the orientation rule above; a tuple result is
    converted element-wise.  Starts Julia on first use."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _validate.error(
            "name",
            "must be a Julia function name",
            _validate.describe(name),
            "pass e.g. 'sosfilt' or 'forward_backward!'",
        )
    start()
    run = _state.running
    assert run is not None  # start() returns with Julia running
    converted = [to_julia(arg) for arg in args]
    if run.bridge == "pyjulia":  # PyCall copies arrays anyway
        converted = [_writable(arg) for arg in converted]
    with _lock:
        try:
            fn = run.functions.get(name)
            if fn is None:
                fn = run.functions[name] = run.evaluate(f"PyJL.{name}")
            result = fn(*converted)
        except run.error_type as err:
            if not run.from_julia(err):
                raise
            raise _bridge_error(run, name, err) from None
    return from_julia(result)


def _writable(value: Any) -> Any:
    """A read-only array as a writable copy (PyCall sees only writable arrays as arrays)."""
    if isinstance(value, np.ndarray) and not value.flags.writeable:
        return value.copy(order="K")
    return value


def _bridge_error(run: _Running, name: str, err: BaseException) -> JuliaBridgeError:
    try:
        kind, message, stack = run.describe(err)
    except Exception:  # describing failed: keep what Python has
        kind, message, stack = "", str(err), ""
    cls = JuliaLinAlgError if kind in _LINALG else JuliaBridgeError
    return cls(
        f"Julia raised in PyJL.{name}: {message}",
        julia_message=message,
        julia_stacktrace=stack or None,
    )


def julia_version() -> str | None:
    """The Julia version (``"1.10.4"``) that runs or would run; None if none is located.

    Runs ``julia --version`` (cached, with a timeout) only when Julia was located."""
    if _state.running is not None:
        return _state.running.version
    exe = locate().exe
    return version_of(exe) if exe else None


def bridge_summary() -> str:
    """One line for ``pyjl info``: the bridge, how arrays cross, and its state."""
    try:
        bridge = _bridge()
    except InputError as exc:
        return str(exc)
    if bridge == "juliacall":
        text = "juliacall (default): arrays cross as views, no copies"
    else:
        text = (
            "PyJulia (legacy, PYJL_JULIA_BRIDGE=pyjulia): copies arrays; cannot "
            "precompile under a statically linked Python"
        )
        if _static_python():
            text += (
                " (this Python is statically linked: Julia would run with compiled "
                "modules off, slow first calls)"
            )
    if _state.running is not None:
        return f"{text}; running Julia {_state.running.version}"
    if _state.failure is not None:
        return f"{text}; failed to start"
    return f"{text}; not started"
