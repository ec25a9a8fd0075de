"""The ``julia`` engine against the ``native`` engine, kernel by kernel (marked ``julia``:
skipped, with the reason, where no Julia runtime is found).

Every kernel of the engine contract runs on both engines with the same inputs
(seeded random data of the shapes the contract states), and the conformance
vectors ``tests/vectors/*.toml`` are replayed on Julia against both their stored
independent reference values and the native engine.
"""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import numpy as np
import pytest

import pyjl.engines as engines
from pyjl.engines import contract
from pyjl.exceptions import JuliaBridgeError
from pyjl.testing import _assert_same, check_engine

pytestmark = pytest.mark.julia

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def assert_same(native, julia, where, rtol=1e-9):
    _assert_same(native, julia, where, rtol)


@pytest.fixture(scope="module")
def both():
    return engines.get("native"), engines.get("julia")


ALL_KERNELS = [name for names in contract.KERNELS.values() for name in names]


def test_julia_engine_conforms(both):
    assert check_engine("julia", random_state=7) > len(ALL_KERNELS)


def test_calls_from_worker_threads_get_the_native_engines_answers(both):
    """pyjl calls the engine from pool threads (BO's thread workers, Dask's threads, the
    dashboard's server), one call at a time under the bridge's lock; juliacall's FAQ
    does not promise thread safety, so this is checked wherever Julia runs."""
    import concurrent.futures as cf

    native, julia = both
    rng = np.random.default_rng(5)
    X = rng.uniform(size=(300, 3))
    sos = np.array([[0.2, 0.4, 0.2, 1.0, -0.5, 0.3], [1.0, 0.0, -1.0, 1.0, 0.1, 0.2]])
    x = rng.standard_normal((2, 4000))
    ls, extra = np.array([0.3, 0.5, 0.7]), np.zeros(0)

    def work(i):
        K = julia.kernel_matrix("rbf", X[i : i + 50], X, ls, 1.5, extra)
        return K, julia.sosfilt(sos, x, None)[0]

    with cf.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(0, 240, 10)))
    for i, (K, y) in zip(range(0, 240, 10), results, strict=True):
        assert_same(native.kernel_matrix("rbf", X[i : i + 50], X, ls, 1.5, extra), K, "K")
        assert_same(native.sosfilt(sos, x, None)[0], y, "sosfilt")


def _f(values, *shape):
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64).reshape(shape))


def _gp_vectors(doc):
    """gp_*.toml (tests/gp/make_vectors.py): matrices flattened row-major."""
    for t in doc.get("kernel", []):
        n1, n2, d = t["n1"], t["n2"], t["d"]
        X1, X2 = _f(t["X1"], n1, d), _f(t["X2"], n2, d)
        base = (t["kind"], _f(t["lengthscale"], -1), float(t["variance"]), _f(t["extra"], -1))
        kind, ls, var, extra = base
        yield "kernel_matrix", (kind, X1, X2, ls, var, extra), _f(t["K12"], n1, n2)
        yield "kernel_matrix", (kind, X1, X1, ls, var, extra), _f(t["K11"], n1, n1)
        yield (
            "kernel_matrix_grad",
            (kind, X1, ls, var, extra),
            (_f(t["K11"], n1, n1), _f(t["dK11"], t["p"], n1, n1)),
        )
        yield (
            "kernel_grad_contract",
            (kind, X1, ls, var, extra, _f(t["W"], n1, n1)),
            _f(t["contract"], -1),
        )
    for t in doc.get("linalg", []):
        n, k = t["n"], t["k"]
        L = _f(t["L"], n, n)
        yield "cholesky", (_f(t["K"], n, n), float(t.get("jitter", 0.0))), L
        yield "cho_solve", (L, _f(t["B"], n, k)), _f(t["solve"], n, k)
        yield "cho_inverse", (L,), _f(t["inverse"], n, n)
    for t in doc.get("acquisition", []):
        args = (_f(t["mu"], -1), _f(t["sigma"], -1), float(t["best"]), float(t["xi"]))
        yield "expected_improvement", args, _f(t["ei"], -1)
        yield "log_expected_improvement", args, _f(t["logei"], -1)


def _hmm_vectors(doc):
    """hmm_*.toml: one model per file, 0-based Viterbi path."""
    if "log_B" not in doc:
        return
    args = (
        _f(doc["log_pi"], -1),
        _f(doc["log_A"], doc["K"], doc["K"]),
        _f(doc["log_B"], -1, doc["K"]),
        np.asarray(doc["lengths"], dtype=np.int64),
    )
    fb = (
        _f(doc["loglik"], -1),
        _f(doc["gamma"], -1, doc["K"]),
        _f(doc["xi_sum"], doc["K"], doc["K"]),
    )
    yield "forward_backward", args, fb
    yield "forward_backward_log", args, fb  # the same numbers, in log space
    yield "forward_log", args, fb[0]
    yield "viterbi", args, (np.asarray(doc["path"], dtype=np.int64), _f(doc["logprob"], -1))


def _generic_vectors(doc):
    """Any table naming a contract ``kernel`` with all its arguments (and ``expected``)."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            name, inputs = node.get("kernel"), node.get("inputs", node)
            if isinstance(name, str) and name in ALL_KERNELS:
                params = [
                    p
                    for p in inspect.signature(getattr(contract.Engine, name)).parameters
                    if p != "self"
                ]
                if all(p in inputs for p in params):
                    args = tuple(
                        np.asarray(inputs[p], dtype=np.int64 if p == "lengths" else np.float64)
                        if isinstance(inputs[p], list)
                        else inputs[p]
                        for p in params
                    )
                    yield name, args, node.get("expected")
            stack.extend(node.values())


READERS = {"gp": _gp_vectors, "hmm": _hmm_vectors}


def _vector_cases():
    cases = []
    for path in sorted(VECTORS.glob("*.toml")):
        reader = READERS.get(path.stem.split("_")[0], _generic_vectors)
        try:
            found = list(reader(tomllib.loads(path.read_text())))
        except (KeyError, ValueError, TypeError) as exc:  # a format change: fail, visibly
            found = [("unreadable", (path.name, f"{type(exc).__name__}: {exc}"), None)]
        for i, (kernel, args, expected) in enumerate(found):
            cases.append(pytest.param(kernel, args, expected, id=f"{path.stem}-{i}-{kernel}"))
    return cases or [
        pytest.param(
            None,
            None,
            None,
            marks=pytest.mark.skip(reason="no conformance vectors in tests/vectors"),
        )
    ]


@pytest.mark.parametrize("kernel, args, expected", _vector_cases())
def test_vector_case(both, kernel, args, expected):
    """The julia engine reproduces the independent reference stored in the vector and
    agrees with the native engine."""
    if kernel == "unreadable":
        pytest.fail(f"tests/vectors/{args[0]} no longer matches this reader: {args[1]}")
    native, julia = both
    got = getattr(julia, kernel)(*args)
    if expected is not None:
        assert_same(expected, got, f"{kernel} vs reference", rtol=1e-7)
    assert_same(getattr(native, kernel)(*args), got, f"{kernel} vs native")


def test_arrays_cross_as_views_and_julia_starts_once():
    from pyjl import julia as bridge
    from pyjl.julia.bridge import _state
    from pyjl.julia.convert import from_julia, to_julia

    bridge.start()
    assert bridge.julia_version() and "running Julia" in bridge.bridge_summary()
    if _state.running.bridge != "juliacall":
        pytest.skip("PyJulia copies arrays by design")
    seval = _state.running.evaluate
    x = np.zeros((4, 3))
    seval("m -> (m[3, 2] = 42.0; nothing)")(to_julia(x))  # Julia (3, 4) view
    assert x[1, 2] == 42.0  # the write reached NumPy's memory
    julia_array = seval("reshape(collect(1.0:6.0), 2, 3)")
    out = from_julia(julia_array)
    np.testing.assert_array_equal(out, [[1, 2], [3, 4], [5, 6]])
    seval("a -> (a[1, 2] = 42.0; nothing)")(julia_array)
    assert out[1, 0] == 42.0  # a view of Julia's memory, not a copy


def test_julia_errors_carry_message_and_stack():
    from pyjl import julia as bridge

    with pytest.raises(np.linalg.LinAlgError) as info:
        bridge.call("cholesky", -np.eye(3), 0.0)
    assert isinstance(info.value, JuliaBridgeError)
    assert info.value.julia_message
    with pytest.raises(JuliaBridgeError) as info:
        bridge.call("no_such_kernel_anywhere", 1.0)
    assert "no_such_kernel_anywhere" in info.value.julia_message
