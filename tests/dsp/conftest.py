"""DSP test configuration: a modest hypothesis profile.

The ``rng`` and ``engine`` fixtures are the shared ones of tests/conftest.py.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

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


def _lane_widths():
    try:
        from pyjl._native import dsp as native
    except ImportError:
        return [0]
    return native._lane_widths()


@pytest.fixture(params=_lane_widths(), ids=lambda w: f"lanes{w}")
def lane_width(request):
    """Each vector width the IIR lane kernels can run at on this CPU (8: AVX-512, 4: AVX2,
    2: any), in turn: every width's kernels must give the scalar kernels' results."""
    if request.param == 0:
        pytest.skip("the native DSP kernels are not built")
    from pyjl._native import dsp as native

    native._set_lane_width(request.param)
    yield request.param
    native._set_lane_width(0)
