"""The ``lane_width`` fixture of a native module's SIMD lane kernels (tests/dsp and
tests/hmm): each vector width the kernels can run at on this CPU (8: AVX-512, 4: AVX2,
2: any), in turn, since every width's kernels must give the scalar kernels' results."""

from __future__ import annotations

import importlib

import pytest


def lane_width_fixture(module: str, what: str):
    """A parametrised fixture that sets ``module``'s lane width for a test and restores the
    CPU's widest after it; skips (naming ``what``) where the module is not built."""
    try:
        widths = importlib.import_module(module)._lane_widths()
    except ImportError:
        widths = [0]

    @pytest.fixture(params=widths, ids=lambda w: f"lanes{w}")
    def lane_width(request):
        if request.param == 0:
            pytest.skip(f"the native {what} kernels are not built")
        native = importlib.import_module(module)
        native._set_lane_width(request.param)
        yield request.param
        native._set_lane_width(0)

    return lane_width
