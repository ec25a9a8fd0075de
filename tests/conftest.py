"""Shared test configuration: engine-gated markers skip with the engine's own reason."""

from __future__ import annotations

import pytest

import pyjl.engines as engines


def _reason(engine: str) -> tuple[bool, str]:
    ok, reason = engines.available()[engine]
    return ok, reason


def pytest_collection_modifyitems(config, items):
    gates = {"julia": "julia", "gpu": "cuda"}
    for marker, engine in gates.items():
        # get_closest_marker, not `marker in item.keywords`: keywords also hold directory
        # names, and every test under tests/julia/ would count as marked `julia`
        marked = [item for item in items if item.get_closest_marker(marker) is not None]
        if not marked:
            continue
        ok, reason = _reason(engine)
        if not ok:
            skip = pytest.mark.skip(reason=f"{engine} engine unavailable: {reason}")
            for item in marked:
                item.add_marker(skip)
