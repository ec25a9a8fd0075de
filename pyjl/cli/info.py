"""``pyjl info``: the engines (available or not, and why), versions, threads."""

from __future__ import annotations

import argparse

from .. import _info

__all__ = ["HELP", "add_arguments", "run"]

HELP = "list engines (available or not, and why), versions, threads"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``pyjl info`` takes no arguments."""


def run(args: argparse.Namespace) -> int:
    """Print :func:`pyjl.info`'s report."""
    print(_info.info())
    return 0
