"""``python -m pyjl``: the ``pyjl`` command (:mod:`pyjl.cli`)."""

from .cli import main

if __name__ == "__main__":  # not on import (pytest's doctest collection imports it)
    raise SystemExit(main())
