"""DSP test configuration: a modest hypothesis profile and a seeded RNG."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# CI draws the same examples every run (a red CI blocks landing, so it must not depend on
# the draw); local runs keep drawing new ones, which is how bugs are found.
settings.register_profile("dsp", max_examples=25, deadline=None, print_blob=True,
                          derandomize=bool(os.environ.get("CI")),
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("dsp")


@pytest.fixture
def rng():
    return np.random.default_rng(20261126)
