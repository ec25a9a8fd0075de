"""pyjl.testing.check_engine: passes a conforming engine, catches a broken one.

(check_kernel and check_emission are tested with their families, in
tests/gp/test_testing.py and tests/hmm/.)"""

from __future__ import annotations

import pytest

import pyjl
import pyjl.engines
import pyjl.engines as engines
from pyjl.engines import contract
from pyjl.testing import check_engine, engine_cases


class _Delegate:
    """A user engine built on the native one, optionally with one kernel broken."""

    name = "delegate"

    def __init__(self, broken=None, how=None):
        self._native = engines.get("native")
        self._broken, self._how = broken, how

    def availability(self):
        return True, "test engine"

    def __getattr__(self, item):
        kernel = getattr(self._native, item)
        if item != self._broken:
            return kernel
        return lambda *args: self._how(kernel(*args))


def test_cases_cover_the_whole_contract():
    cases = engine_cases()
    for names in contract.KERNELS.values():
        for name in names:
            assert cases.get(name), name


def test_a_conforming_user_engine_passes():
    assert check_engine(_Delegate()) >= sum(len(v) for v in contract.KERNELS.values())


@pytest.mark.parametrize(
    "kernel, how, message",
    [
        ("kernel_matrix", lambda K: K * (1 + 1e-6), "kernel_matrix"),
        ("cholesky", lambda L: L.T.copy(), "cholesky"),
        ("viterbi", lambda out: (out[0][::-1].copy(), out[1]), "viterbi"),
        ("forward_backward", lambda out: out[:2], "forward_backward"),
        ("sosfilt", lambda out: (out[0][:, :-1], out[1]), "shape"),
    ],
)
def test_a_broken_kernel_is_caught(kernel, how, message):
    with pytest.raises(AssertionError, match=message):
        check_engine(_Delegate(kernel, how))


def test_a_missing_kernel_is_named():
    class Missing(_Delegate):
        def __getattr__(self, item):
            if item == "upfirdn":
                raise AttributeError(item)
            return super().__getattr__(item)

    with pytest.raises(AssertionError, match="lacks the dsp kernel 'upfirdn'"):
        check_engine(Missing())


def test_unavailable_engine_is_refused():
    class Off(_Delegate):
        def availability(self):
            return False, "switched off"

    from pyjl.exceptions import EngineUnavailableError

    # an engine that cannot run is not a failed check: the same error whether named or given
    with pytest.raises(EngineUnavailableError, match="switched off"):
        check_engine(Off())
    unavailable = [n for n, (ok, _) in pyjl.engines.available().items() if not ok]
    for name in unavailable:
        with pytest.raises(EngineUnavailableError, match=f"{name}.*unavailable"):
            check_engine(name)
