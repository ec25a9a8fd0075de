"""``pyjl info``: the engines (available or not, and why), versions, threads."""

from __future__ import annotations

import argparse

from .. import _info, engines

__all__ = ["HELP", "add_arguments", "run"]

HELP = "list engines (available or not, and why), versions, threads"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``pyjl info`` takes no arguments."""


def run(args: argparse.Namespace) -> int:
    """Print :func:`pyjl.info`'s report; the exit status is 2 (with the reason) when the
    selected engine cannot run (a ``PYJL_BACKEND`` that names none, or one unavailable)."""
    print(_info.info())
    engines.current()  # raises the reason, which main prints as the command's error
    return 0
