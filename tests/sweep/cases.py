"""The sweep's case tables, one module per pyjl module, looked up by case id."""

from __future__ import annotations

import importlib
import sys

_TABLES: dict[str, dict] = {}


def table(module: str) -> list:
    """Every case of ``module`` (``gp``, ``bo``, ``dsp``, ``hmm``, ``data``), in a fixed order."""
    if module not in _TABLES:
        cases = importlib.import_module(f"sweep.cases_{module}").cases()
        by_id = {c.id: c for c in cases}
        if len(by_id) != len(cases):
            seen = [c.id for c in cases]
            raise ValueError(
                f"duplicate case ids: {sorted({i for i in seen if seen.count(i) > 1})}"
            )
        _TABLES[module] = by_id
    return list(_TABLES[module].values())


def lookup(module: str, case_id: str):
    table(module)
    return _TABLES[module][case_id]


def cleanup() -> None:
    """Undo what one call may leave behind in a worker: figures, engine, thread count."""
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    import pyjl

    try:
        pyjl.set_backend("native")
        pyjl.set_num_threads(1)
    except Exception:  # noqa: BLE001 - a broken setter is reported by its own cases
        pass
