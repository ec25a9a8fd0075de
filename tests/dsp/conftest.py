"""DSP test configuration: a modest hypothesis profile.

The ``rng`` and ``engine`` fixtures are the shared ones of tests/conftest.py.
"""

import os

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
