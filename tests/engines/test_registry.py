"""Engine selection: set_backend / use_backend / PYJL_BACKEND, and refusals that say why."""

import threading

import pytest

import pyjl
from pyjl import _config, engines
from pyjl.engines import contract
from pyjl.exceptions import EngineUnavailableError, InputError


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    monkeypatch.delenv("PYJL_BACKEND", raising=False)
    _config.clear("engine")
    yield
    _config.clear("engine")


def test_default_is_native_and_available():
    assert pyjl.get_backend() == "native"
    assert engines.current().name == "native"
    ok, reason = engines.available()["native"]
    assert ok, reason


def test_every_engine_implements_every_kernel():
    for name in ("native", "julia", "cuda"):
        engine = engines.registry._instance(name)
        for family, kernels in contract.KERNELS.items():
            for kernel in kernels:
                assert callable(getattr(engine, kernel, None)), (name, family, kernel)
        assert isinstance(engine, contract.Engine)


def test_unknown_engine_lists_valid_names():
    with pytest.raises(
        InputError, match=r"`name` must name an engine \('native', 'julia', 'cuda'\)"
    ):
        pyjl.set_backend("fortran")


def test_unavailable_engine_says_why(monkeypatch):
    ok, reason = engines.available()["cuda"]
    if ok:
        pytest.skip("cuda is available here")
    with pytest.raises(EngineUnavailableError, match="cuda") as info:
        pyjl.set_backend("cuda")
    assert reason in str(info.value)
    assert pyjl.get_backend() == "native"  # a refused selection changes nothing


def test_environment_selects_and_unavailable_env_is_reported(monkeypatch):
    monkeypatch.setenv("PYJL_BACKEND", "native")
    assert engines.current().name == "native"
    if not engines.available()["julia"][0]:
        monkeypatch.setenv("PYJL_BACKEND", "julia")
        with pytest.raises(EngineUnavailableError, match="selected by PYJL_BACKEND"):
            engines.current()


def test_an_unknown_engine_in_the_environment_says_it_came_from_there(monkeypatch):
    # as PYJL_NUM_THREADS and PYJL_JULIA_BRIDGE do (pyjl/_config.py)
    monkeypatch.setenv("PYJL_BACKEND", "bogus")
    with pytest.raises(InputError) as info:
        engines.current()
    text = str(info.value)
    assert text.startswith("`PYJL_BACKEND` must name an engine")
    assert "PYJL_BACKEND='bogus' (from the environment)" in text and "'native'" in text
    with pytest.raises(InputError, match="`name` must name an engine"):
        pyjl.set_backend("bogus")  # a name passed in code is the argument's


class _Toy:
    """A user engine: delegates every kernel to native but has its own name."""

    name = "toy"

    def availability(self):
        return True, "toy engine"

    def __getattr__(self, item):
        return getattr(engines.get("native"), item)


def test_register_and_use_backend_is_scoped():
    engines.register("toy", _Toy)
    try:
        with pyjl.use_backend("toy") as eng:
            assert eng.name == "toy" and engines.current().name == "toy"
            seen = []
            t = threading.Thread(target=lambda: seen.append(engines.current().name))
            t.start()
            t.join()
            assert seen == ["native"]  # the override is local to this thread/context
        assert engines.current().name == "native"
    finally:
        engines.registry._factories.pop("toy")
        engines.registry._instances.pop("toy", None)


def test_register_refuses_a_bad_name_or_factory():
    with pytest.raises(InputError, match=r"`name` must be an identifier string; got 'my engine'"):
        engines.register("my engine", _Toy)
    with pytest.raises(InputError, match=r"`factory` must be callable; got 3\. Fix: "):
        engines.register("toy", 3)
    assert "toy" not in engines.registry._factories


def test_use_backend_unknown_and_type_errors():
    with pytest.raises(InputError):
        with pyjl.use_backend("nope"):
            pass
    with pytest.raises(InputError, match=r"`name` must be an engine name \(a string\); got 3"):
        pyjl.set_backend(3)


def test_num_threads_roundtrip():
    before = pyjl.get_num_threads()
    try:
        pyjl.set_num_threads(1)
        assert pyjl.get_num_threads() == 1
        for bad in (0, 1.5, "2", float("inf"), 2**70):
            with pytest.raises(
                InputError,
                match=r"`n` must be an integer >= 1 and <= 1024; "
                r"got .*Fix: pass a whole number of threads",
            ):
                pyjl.set_num_threads(bad)
    finally:
        _config.clear("num_threads")
    assert pyjl.get_num_threads() == before


def test_cuda_kernels_name_engine_and_kernel_when_missing():
    cuda = engines.registry._instance("cuda")
    try:
        cuda.viterbi(None, None, None, None)
    except NotImplementedError as exc:
        assert "cuda" in str(exc) and "viterbi" in str(exc)
    except Exception:
        pass  # implemented: fails on the None input instead, which is fine


# --- what current() keeps between calls never hides a change ------------------------------
class _Flaky:
    """A user engine whose availability can change, as the julia engine's does when Julia
    fails to start after it was located."""

    name = "flaky"
    ok = True

    def availability(self):
        return (True, "up") if self.ok else (False, "went away")


@pytest.fixture
def flaky():
    engines.register("flaky", _Flaky)
    try:
        yield engines.get("flaky")
    finally:
        engines.registry._factories.pop("flaky")
        engines.registry._instances.pop("flaky", None)
        engines.registry._ready.pop("flaky", None)


def test_current_follows_each_way_of_selecting_on_the_next_call(monkeypatch, flaky):
    native = engines.get("native")
    assert engines.current() is native
    monkeypatch.setenv("PYJL_BACKEND", "Flaky")
    assert engines.current() is flaky
    with pyjl.use_backend("native"):
        assert engines.current() is native
    monkeypatch.setenv("PYJL_BACKEND", "native")
    assert engines.current() is native
    pyjl.set_backend("flaky")
    assert engines.current() is flaky
    _config.clear("engine")
    assert engines.current() is native
    monkeypatch.setenv("PYJL_BACKEND", "no engine")
    for _ in range(2):
        with pytest.raises(InputError, match=r"got PYJL_BACKEND='no engine' \(from the env"):
            engines.current()


def test_an_engine_that_stops_being_available_is_refused_on_the_next_call(flaky):
    with pyjl.use_backend("flaky"):
        assert engines.current() is flaky
        flaky.ok = False
        with pytest.raises(EngineUnavailableError, match=r"went away \(selected by use_backend"):
            engines.current()
        flaky.ok = True
        assert engines.current() is flaky


def test_re_registering_native_replaces_the_engine_that_current_returns():
    from pyjl.engines.native import NativeEngine

    original = engines.registry._factories["native"]
    first = engines.current()
    try:
        engines.register("native", NativeEngine)
        second = engines.current()
        assert second is not first and type(second) is NativeEngine
        assert engines.current() is second is engines.get("native")
    finally:
        engines.register("native", original)
    assert engines.current().availability()[0]
