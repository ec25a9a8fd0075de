"""DSP test configuration: a modest hypothesis profile and a seeded RNG."""

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dsp", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("dsp")


@pytest.fixture
def rng():
    return np.random.default_rng(20261126)
