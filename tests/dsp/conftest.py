"""DSP test configuration: a modest hypothesis profile.

The ``rng`` and ``engine`` fixtures are the shared ones of tests/conftest.py;
``lane_width`` runs a test at each SIMD width of the IIR lane kernels (tests/lane_widths.py).
"""

import os

import pytest
from hypothesis import HealthCheck, settings
from lane_widths import lane_width_fixture

# CI draws the same examples every run (a red CI blocks landing, so it must not depend on
# the draw); local runs keep drawing new ones, which is how bugs are found.  The `engine`
# fixture is function-scoped but the same for every example of a test, so hypothesis may
# share it across examples (function_scoped_fixture).
settings.register_profile(
    "dsp",
    max_examples=25,
    deadline=None,
    print_blob=True,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("dsp")


@pytest.fixture
def split_now():
    """A long channel splits in time on every call: the first call of a new filter of
    many sections runs serially otherwise where its set-up would not pay."""
    native = pytest.importorskip("pyjl._native.dsp", reason="the native DSP kernels are not built")
    old = native._set_split_setup(0)
    yield
    native._set_split_setup(old)


lane_width = lane_width_fixture("pyjl._native.dsp", "DSP")
