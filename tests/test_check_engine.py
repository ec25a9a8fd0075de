"""pyjl.testing.check_engine: passes a conforming engine, catches a broken one.

(check_kernel and check_emission are tested with their families, in
tests/gp/test_testing.py and tests/hmm/.)"""

from __future__ import annotations

import numpy as np
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


def _readonly(a):
    a = a.copy()
    a.flags.writeable = False
    return a


class _Cache:
    """Hands back one kept buffer, as a caching engine would."""

    buf = None

    def __call__(self, out):
        if self.buf is None or self.buf.shape != out.shape:
            self.buf = np.empty_like(out)
        self.buf[...] = out
        return self.buf


@pytest.mark.parametrize(
    "kernel, how, message",
    [
        ("cholesky", _readonly, "read-only"),
        ("cholesky", np.asfortranarray, "C-contiguous"),
        ("kernel_matrix_grad", lambda out: (np.asfortranarray(out[0]), out[1]), "C-contiguous"),
        ("viterbi", lambda out: (out[0].astype(np.float64), out[1]), "dtype float64"),
        ("cho_inverse", _Cache(), "shares memory"),
    ],
)
def test_outputs_are_fresh_c_contiguous_writable_of_the_contract_dtype(kernel, how, message):
    with pytest.raises(AssertionError, match=message):
        check_engine(_Delegate(kernel, how))


def test_an_engine_writing_into_its_inputs_is_caught():
    class InPlace(_Delegate):
        def sosfilt(self, sos, x, zi):
            y, zf = self._native.sosfilt(sos, x, zi)
            x[...] = y  # overwrites the caller's data, returns fresh arrays
            return y, zf

    class ReturnsInput(_Delegate):
        def sosfilt(self, sos, x, zi):
            y, zf = self._native.sosfilt(sos, x, zi)
            x[...] = y
            return x, zf

    with pytest.raises(AssertionError, match="changed its argument 1 in place"):
        check_engine(InPlace())
    with pytest.raises(AssertionError, match="shares memory with argument 1"):
        check_engine(ReturnsInput())


def test_an_engine_registered_as_native_is_compared_with_pyjls_own():
    from pyjl.engines.native import NativeEngine

    broken = _Delegate("sosfilt", lambda out: (out[0] * 1.01, out[1]))
    engines.register("native", lambda: broken)
    try:
        with pytest.raises(AssertionError, match="sosfilt"):
            check_engine("native")
    finally:
        engines.register("native", NativeEngine)
    assert check_engine("native") > 0


def test_an_engine_without_a_name_gets_the_usual_message():
    class Nameless:
        def availability(self):
            return True, ""

    with pytest.raises(AssertionError, match="lacks the gp kernel 'kernel_matrix'"):
        check_engine(Nameless())
