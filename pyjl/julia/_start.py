"""Starting Julia: what a started bridge holds, PyJulia's start, and what Julia printed.

Helpers of :mod:`pyjl.julia.bridge`, which starts Julia once and states the
orientation rule; nothing here imports juliacall or PyJulia at module level.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .._warn import warn
from .locate import package_dir


@dataclass
class _Running:
    """A started bridge: how to evaluate Julia code and to read Julia exceptions."""

    bridge: str
    exe: str
    version: str
    source_dir: str  # where PyJL was loaded from
    evaluate: Callable[[str], Any]  # Julia code -> value
    error_type: type[Exception] | tuple[type[Exception], ...]  # its Julia-exception classes
    describe: Callable[[Any], tuple[str, str, str]]  # exception -> (type, message, stack)
    from_julia: Callable[[BaseException], bool] = lambda err: True  # of error_type's
    functions: dict[str, Any] = field(default_factory=dict)


@contextmanager
def _tee_stderr(printed: list[str]) -> Iterator[None]:
    """Append to ``printed`` what file descriptor 2 receives meanwhile, which still reaches
    the real stderr afterwards.  Julia prints why it failed to start there, not into the
    Python exception juliacall raises."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable fd 2: nothing to copy
        yield
        return
    with tempfile.TemporaryFile() as copy:
        os.dup2(copy.fileno(), 2)
        try:
            yield
        finally:
            try:
                sys.stderr.flush()
            except (OSError, ValueError, AttributeError):
                pass
            os.dup2(saved, 2)
            os.close(saved)
            copy.seek(0)
            data = copy.read()
            if data:
                os.write(2, data)
            printed.append(data.decode(errors="replace"))


def _julia_error(printed: str) -> str:
    """The last ``ERROR: ...`` message Julia printed, without its stack trace ("" if none)."""
    start = printed.rfind("ERROR: ")
    if start < 0:
        return ""
    return " ".join(printed[start:].split("Stacktrace:")[0].split())[:1000]


def _threads_requested() -> bool:
    """Whether juliacall will start Julia with more than one thread."""
    value = (
        sys._xoptions.get("juliacall-threads")
        or os.environ.get("PYTHON_JULIACALL_THREADS")
        or os.environ.get("JULIA_NUM_THREADS")
        or "1"
    )
    return str(value).strip() not in ("", "1")


def _juliacall_signals() -> None:
    """With Julia threads (PyJL's kernels use ``Threads.@threads``), Julia must handle
    signals itself or its garbage collector's signals crash the process; juliacall
    recommends ``PYTHON_JULIACALL_HANDLE_SIGNALS=yes`` then (at the price of Ctrl-C not
    raising ``KeyboardInterrupt``).  A user's own setting is left as it is; where
    juliacall was imported already (Julia started with it), the setting comes too late,
    and a warning says so."""
    user_set = (
        "PYTHON_JULIACALL_HANDLE_SIGNALS" in os.environ
        or "juliacall-handle-signals" in sys._xoptions
    )
    if _threads_requested() and not user_set:
        if "juliacall" in sys.modules:
            warn(
                "juliacall was imported before pyjl started Julia with several threads, "
                "so PYTHON_JULIACALL_HANDLE_SIGNALS=yes (which Julia threads need, or "
                "their garbage collection can crash the process) came too late: set it "
                "before importing juliacall",
                RuntimeWarning,
            )
        os.environ["PYTHON_JULIACALL_HANDLE_SIGNALS"] = "yes"


def _why(exc: BaseException) -> str:
    """An exception's message, with what a failed Julia subprocess printed."""
    detail = str(exc).strip() or type(exc).__name__
    stderr = getattr(exc, "stderr", None)
    if isinstance(stderr, bytes):
        stderr = stderr.decode(errors="replace")
    if isinstance(stderr, str) and stderr.strip():
        detail += f"; it printed: {stderr.strip()[-500:]}"
    return detail


def _describe_pyjulia(err: BaseException) -> tuple[str, str, str]:
    text = str(err)
    message, _, stack = text.partition("Stacktrace:")
    kind = re.search(r"\b([A-Z]\w*(?:Exception|Error))\b", message)
    return (kind.group(1) if kind else ""), message.strip(), stack.strip()


def _raised_in_julia(err: BaseException) -> bool:
    """Whether PyCall raised ``err`` for a Julia exception.  PyCall picks the Python class
    by the Julia type (``ArgumentError`` a ``ValueError``, ``BoundsError`` an
    ``IndexError``, ``DivideError`` a ``ZeroDivisionError``, ..., the others a
    ``RuntimeError``) and carries the Julia exception as a ``jlwrap``."""
    if type(err).__name__ == "JuliaError" or type(err) is RuntimeError:  # the default class
        return True
    return any(type(a).__name__ == "jlwrap" for a in err.args) or "PyCall.jlwrap" in str(err)


def _start_pyjulia(exe: str, source: str) -> _Running:
    from julia.api import Julia

    try:
        Julia(runtime=exe)
    except Exception as exc:  # julia.core.UnsupportedPythonError: static libpython
        if type(exc).__name__ != "UnsupportedPythonError":
            raise
        Julia(runtime=exe, compiled_modules=False)
    from julia import Main

    # PyJL's own folder goes first on LOAD_PATH: Julia loads a project's own package from
    # it, and its dependencies are stdlibs, so no Pkg operation (nor registry) is needed.
    package = package_dir()
    Main.eval(f"""let src = raw"{package}"
        src in LOAD_PATH || pushfirst!(LOAD_PATH, src)
    end""")
    Main.eval("using PyJL")
    return _Running(
        bridge="pyjulia",
        exe=exe,
        version=str(Main.eval("string(VERSION)")),
        source_dir=str(package),
        evaluate=Main.eval,
        error_type=Exception,  # PyCall maps Julia types to several classes
        describe=_describe_pyjulia,
        from_julia=_raised_in_julia,
    )
