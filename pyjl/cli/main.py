"""The ``pyjl`` command's parser and entry point; each subcommand lives in its module."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence

from .._version import __version__
from . import demo, info, study, tune

__all__ = ["main", "build_parser", "COMMANDS"]

#: subcommand -> its module (``HELP``, ``add_arguments(parser)``, ``run(args) -> exit
#: status``), in the order ``pyjl --help`` lists them
COMMANDS = {"info": info, "tune": tune, "study": study, "demo": demo}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyjl",
        description="Gaussian processes and Bayesian optimisation, DSP and "
        "hidden Markov models on compiled, Julia or GPU kernels.",
    )
    parser.add_argument("--version", action="version", version=f"pyjl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.add_arguments(sub.add_parser(name, help=command.HELP, description=command.HELP))
    return parser


#: the library's argument -> the command line's name for it, per command
_FLAGS = {
    "tune": {
        "storage": "--storage",
        "study": "--study",
        "direction": "--direction",
        "space": "--space",
    },
    "study": {"storage": "URL", "study": "--study", "port": "--port", "host": "--host"},
    "demo": {"out_dir": "--out"},
}


#: the library's words for Python's None -> the command line's (an option left out)
_NONE_WORDS = {
    "`storage` must be None, ": "`storage` must be ",
    "(a non-blank string) or None": "(a non-blank string)",
    "or None for 'default'": "or leave --study out for 'default'",
    "pass direction=None to resume it": "leave --direction out to resume it",
    "use the study's space (space=None loads it; with `pyjl tune`, the same --space file)": (
        "use the --space file the study was created with"
    ),
}


def _as_flags(message: str, command: str) -> str:
    """``message`` naming what the user typed: "`--port` must ..." for "`port` must ...",
    and no ``None``, which a command line cannot pass (the option is left out instead)."""
    for words, cli in _NONE_WORDS.items():
        message = message.replace(words, cli)
    for arg, flag in _FLAGS.get(command, {}).items():
        if message.startswith(f"`{arg}` "):
            return f"`{flag}`" + message[len(arg) + 2 :]
    return message


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler, ``docker stop``, ``kill``), stopping the run as Ctrl-C does."""


def _terminate(signum, frame) -> None:
    raise _Terminated


def _default_in_child() -> None:
    """A forked child (a worker of the run, an objective's own pool) ends on SIGTERM as any
    process does: pyjl stops its workers so, and a handler there would wait for the C code
    the worker runs, or print a traceback."""
    if signal.getsignal(signal.SIGTERM) is _terminate:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if hasattr(signal, "pthread_sigmask"):  # forked while the run held it
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        _end_with_parent()


def _end_with_parent() -> None:
    """On Linux, have the kernel send this child SIGTERM when the command dies (a kill -9
    of ``pyjl tune`` left its workers running on, orphaned)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no libc symbol: the workers outlive it, as before
        pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_default_in_child)


def _formatter(command: str):
    """``warnings.formatwarning`` for the command: pyjl's warnings as one line each,
    ``pyjl tune: warning: ...``, not Python's file, line and source (recorders such as
    ``catch_warnings(record=True)`` and ``pytest.warns`` still see the warning itself)."""
    from ..exceptions import PyjlWarning

    formatted = warnings.formatwarning

    def format(message, category, filename, lineno, line=None) -> str:
        if not issubclass(category, PyjlWarning):
            return formatted(message, category, filename, lineno, line)
        return f"pyjl {command}: warning: {_as_flags(str(message), command)}\n"

    return format


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    before = signal.getsignal(signal.SIGTERM)
    # the main thread only (signals go there), and a SIGTERM ignored on purpose stays so
    ours = threading.current_thread() is threading.main_thread() and before != signal.SIG_IGN
    if ours:
        signal.signal(signal.SIGTERM, _terminate)
    formatted = warnings.formatwarning
    warnings.formatwarning = _formatter(args.command)
    try:
        return _run(args)
    finally:
        warnings.formatwarning = formatted
        if ours:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if before is None else before)


def _run(args: argparse.Namespace) -> int:
    from concurrent.futures import BrokenExecutor

    from ..exceptions import PyjlError

    try:
        return COMMANDS[args.command].run(args)
    except PyjlError as exc:
        print(f"pyjl {args.command}: error: {_as_flags(str(exc), args.command)}", file=sys.stderr)
        return 2
    except BrokenExecutor as exc:  # a worker process was killed, or its objective exited
        stored = args.command == "tune" and args.storage is not None
        then = (
            "its trials were abandoned and the ones finished are stored: run the same "
            "command again to resume"
            if stored
            else "the study was in memory (--storage keeps one to resume)"
        )
        print(
            f"pyjl {args.command}: error: a worker process died ({type(exc).__name__}: "
            f"{exc}); {then}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt as exc:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: already leaving
        stored = args.command == "tune" and args.storage is not None
        kept = " (the trials finished so far are stored: run it again to resume)"
        how = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        print(f"pyjl {args.command}: {how}{kept if stored else ''}", file=sys.stderr)
        return 128 + signal.SIGTERM if isinstance(exc, _Terminated) else 130
    except OSError as exc:  # an output folder that cannot be made, a closed pipe (| head)
        if isinstance(exc, BrokenPipeError):
            sys.stderr.close()  # nothing more can be written; exit quietly, as `head` expects
            return 0
        print(f"pyjl {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
