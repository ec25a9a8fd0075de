"""``python -m pyjl.cli``: the ``pyjl`` command."""

from .main import main

if __name__ == "__main__":  # not on import (pytest's doctest collection imports it)
    raise SystemExit(main())
