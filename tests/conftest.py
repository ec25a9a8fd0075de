"""Shared test configuration: engine-gated markers skip with the engine's own reason."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

import pyjl
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


@pytest.fixture
def rng(request) -> np.random.Generator:
    """A generator seeded from the test's own id: reproducible, and independent per test."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(
    params=[
        "native",
        pytest.param("julia", marks=pytest.mark.julia),
        pytest.param("cuda", marks=pytest.mark.gpu),
    ]
)
def engine(request):
    """Run the test once per engine; julia and cuda skip with the engine's own reason."""
    with pyjl.use_backend(request.param):
        yield request.param
