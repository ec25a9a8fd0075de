"""The ``pyjl`` command: ``pyjl --version``, ``pyjl info`` (later: demo, tune, study)."""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from . import _info
from ._version import __version__

__all__ = ["main", "build_parser", "COMMANDS"]

#: subcommand name -> (help, add_arguments(parser), run(args) -> exit code)
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None],
                          Callable[[argparse.Namespace], int]]] = {}


def command(name: str, help: str, add_arguments: Callable[[argparse.ArgumentParser], None]
            = lambda p: None):
    """Register ``run(args) -> int`` as the subcommand ``name``."""
    def deco(run: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help, add_arguments, run)
        return run
    return deco


@command("info", "list engines (available or not, and why), versions, threads")
def _run_info(args: argparse.Namespace) -> int:
    print(_info.info())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyjl", description="Gaussian processes and Bayesian optimisation, DSP and "
        "hidden Markov models on compiled, Julia or GPU kernels.")
    parser.add_argument("--version", action="version", version=f"pyjl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments, _) in COMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .exceptions import PyjlError
    try:
        return COMMANDS[args.command][2](args)
    except PyjlError as exc:
        print(f"pyjl {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
