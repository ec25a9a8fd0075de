"""HMM test configuration: ``lane_width`` runs a test at each SIMD width of the lane
kernels (tests/lane_widths.py).

The ``rng`` and ``engine`` fixtures are the shared ones of tests/conftest.py.
"""

from lane_widths import lane_width_fixture

lane_width = lane_width_fixture("pyjl._native.hmm", "HMM")
