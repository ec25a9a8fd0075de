"""The ``pyjl`` command: ``pyjl --version``, ``pyjl info``, ``pyjl tune``, ``pyjl study show``,
``pyjl study serve``, ``pyjl demo``."""

from .main import COMMANDS, build_parser, main

__all__ = ["main", "build_parser", "COMMANDS"]
