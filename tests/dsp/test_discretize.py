"""cont2discrete equals SciPy's for every method and every form of system (transfer
function, zeros-poles-gain, state space, lti instance), and refuses bad steps, methods,
weights and systems by name."""

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, InputTypeError

from .helpers import assert_matches

RNG = np.random.default_rng(20261208)
A = np.array([[0.0, 1.0], [-2.0, -0.5]])
B = np.array([[0.0], [1.0]])
C = np.array([[1.0, 0.0], [0.5, 1.0]])
D0 = np.zeros((2, 1))
D1 = np.array([[0.25], [0.0]])
METHODS = ["zoh", "foh", "bilinear", "tustin", "euler", "forward_diff", "backward_diff"]


def _same(got, want):
    assert type(got) is type(want) and len(got) == len(want)
    for g, w in zip(got, want):
        if np.ndim(w) == 0:
            assert np.asarray(g).dtype == np.asarray(w).dtype
            assert np.isclose(g, w, rtol=1e-12, atol=0)
        else:
            assert_matches(g, w, rtol=1e-11)


@pytest.mark.parametrize("method", [*METHODS, "impulse"])
@pytest.mark.parametrize("dt", [0.01, 0.1, 1.5])
def test_state_space_equals_scipy(method, dt):
    system = (A, B, C, D0 if method == "impulse" else D1)
    _same(
        dsp.cont2discrete(system, dt, method=method), ss.cont2discrete(system, dt, method=method)
    )


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.5, 1.0])
def test_gbt_equals_scipy(alpha):
    system = (A, B, C, D1)
    want = ss.cont2discrete(system, 0.2, method="gbt", alpha=alpha)
    _same(dsp.cont2discrete(system, 0.2, method="gbt", alpha=alpha), want)


@pytest.mark.filterwarnings("ignore::scipy.signal.BadCoefficients")  # as SciPy warns
@pytest.mark.parametrize("method", [*METHODS, "impulse"])
def test_transfer_function_and_zpk_equal_scipy(method):
    tf = ([1.0, 2.0], [1.0, 3.0, 2.5])
    _same(dsp.cont2discrete(tf, 0.1, method=method), ss.cont2discrete(tf, 0.1, method=method))
    zpk = ([-1.0], [-0.5 + 1j, -0.5 - 1j], 2.0)
    _same(dsp.cont2discrete(zpk, 0.1, method=method), ss.cont2discrete(zpk, 0.1, method=method))


def test_random_systems_equal_scipy():
    for n, p, q in [(1, 1, 1), (3, 2, 2), (5, 1, 3)]:
        system = (
            RNG.standard_normal((n, n)) - 3 * np.eye(n),
            RNG.standard_normal((n, p)),
            RNG.standard_normal((q, n)),
            RNG.standard_normal((q, p)),
        )
        dt = float(RNG.uniform(0.01, 0.5))
        _same(dsp.cont2discrete(system, dt), ss.cont2discrete(system, dt))


def test_lists_are_read_as_arrays():
    # SciPy needs arrays (a list has no .shape); the result is SciPy's for the arrays
    lists = ([[0.0, 1.0], [-2.0, -0.5]], [[0.0], [1.0]], [[1.0, 0.0]], [[0.0]])
    want = ss.cont2discrete(tuple(np.array(m) for m in lists), 0.1)
    _same(dsp.cont2discrete(lists, 0.1), want)


def test_lti_instance_gives_scipys_dlti():
    got = dsp.cont2discrete(ss.lti([1.0], [1.0, 2.0]), 0.1, method="foh")
    want = ss.cont2discrete(ss.lti([1.0], [1.0, 2.0]), 0.1, method="foh")
    assert type(got) is type(want)
    assert_matches(got.num, want.num)
    assert_matches(got.den, want.den)
    assert got.dt == want.dt


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"dt": np.nan}, "dt"),
        ({"dt": 0.0}, "dt"),
        ({"dt": -0.1}, "dt"),
        ({"method": "exact"}, "method"),
        ({"method": "gbt"}, "alpha"),  # alpha missing
        ({"method": "gbt", "alpha": 1.5}, "alpha"),
        ({"method": "gbt", "alpha": np.nan}, "alpha"),
        ({"method": "impulse", "system": (A, B, C, D1)}, "system"),  # not strictly proper
        ({"system": (A, B, C)}, "z"),  # read as zeros, poles, gain
        ({"system": (1, 2, 3, 4, 5)}, "system"),
        ({"system": (np.full((2, 2), np.nan), B, C, D0)}, "A"),
        ({"system": (A, B[:1], C, D0)}, "B"),
        ({"system": ([1.0, 2.0, 3.0], [1.0, 2.0])}, "num"),
        ({"system": (np.array([[1000.0]]), [[1.0]], [[1.0]], [[0.0]]), "dt": 1.0}, "system"),
        (
            {
                "system": (np.array([[1.0]]), [[1.0]], [[1.0]], [[0.0]]),
                "dt": 1.0,
                "method": "backward_diff",
            },
            "dt",
        ),  # I - dt*A singular
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, name):
    args = {"system": (A, B, C, D0), "dt": 0.1, **kwargs}
    with pytest.raises(InputError, match=f"^`{name}` "):
        dsp.cont2discrete(**args)


def test_a_system_that_is_no_tuple_is_a_type_error():
    with pytest.raises(InputTypeError, match="^`system`"):
        dsp.cont2discrete(5, 0.1)


def test_state_space_parts_are_passed_on_as_abcd_normalize_reads_them():
    # an empty or 1-D matrix was relayed as NumPy's concatenation error, naming nothing
    want = ss.cont2discrete((A, B, C, np.zeros((2, 1))), 0.1)
    _same(dsp.cont2discrete((A, B, C, np.empty((0, 1))), 0.1), want)
    one = dsp.cont2discrete(([-1.0], [[1.0]], [[1.0]], [[0.0]]), 0.1)
    arrays = tuple(np.array(m) for m in ([[-1.0]], [[1.0]], [[1.0]], [[0.0]]))
    _same(one, ss.cont2discrete(arrays, 0.1))


def test_numerators_of_different_lengths_are_aligned_as_tf2ss_aligns_them():
    # a ragged (num, den) passed tf2ss's checks, then failed in SciPy's own conversion
    got = dsp.cont2discrete(([[1.0], [1.0, 2.0]], [1.0, 3.0, 2.0]), 0.1)
    _same(got, ss.cont2discrete(([[0.0, 1.0], [1.0, 2.0]], [1.0, 3.0, 2.0]), 0.1))
