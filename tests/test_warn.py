"""Every pyjl warning names the user's line, however deep in pyjl it was raised.

Each case calls a public function from this file; the warning's ``filename`` and
``lineno`` must be this file and the lines of the call (Python's own ``stacklevel``
rule, which scikit-learn and SciPy follow, so ``-W error`` and warning filters by module
act on the user's code). The second test keeps it so: pyjl warns only through
``pyjl._warn.warn``.
"""

import ast
import inspect
import warnings
from pathlib import Path

import numpy as np
import pytest

import pyjl
import pyjl.bo as bo
import pyjl.dsp as dsp
import pyjl.gp as gp
import pyjl.hmm as hmm

rng = np.random.default_rng(0)
X = rng.random((12, 1))
Y = np.sin(6 * X[:, 0])


def _score_impossible():
    m = hmm.HMM(
        hmm.Normal(mean=[0.0, 1.0], var=[1e-300, 1e-300]),
        n_states=2,
        init="given",
        startprob=[0.5, 0.5],
        transmat=[[0.5, 0.5], [0.5, 0.5]],
    )
    return m, np.array([1e200])


# name -> a public call that warns
CASES = {
    "gp constant y": lambda: gp.GaussianProcess(gp.RBF(), noise=1e-2).fit(X, np.ones(12)),
    "gp jitter": lambda: gp.GaussianProcess(gp.RBF(), noise=0.0).fit(
        np.r_[X, X], np.r_[Y, Y], method=None
    ),
    "welch nperseg": lambda: dsp.welch(np.ones(10), nperseg=256),
    "stft complex": lambda: dsp.stft(np.ones(100) * 1j, nperseg=16),
    "lfilter unstable": lambda: dsp.lfilter([1.0], [1.0, -1.5], np.ones(10)),
    "freqz infinite": lambda: dsp.freqz([1.0], [1.0, -1.0], worN=8),
    "hmm parameters given": lambda: hmm.HMM(
        hmm.Normal(mean=[0.0, 1.0], var=[1.0, 1.0]), n_states=2, n_iter=2
    ).fit(rng.random(50)),
    "hmm impossible row": lambda: _score_impossible()[0].score(_score_impossible()[1]),
    "bo space too small": lambda: bo.random_search(
        lambda p: p["a"], bo.Space({"a": bo.Integer(0, 2)}), n_calls=10, progress=False
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_warning_names_the_callers_line(name):
    call = CASES[name]
    source, first = inspect.getsourcelines(call)  # the lambda: the public call
    lines = range(first, first + len(source))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    ours = [w for w in caught if issubclass(w.category, UserWarning)]
    assert ours, f"{name}: no warning"
    for w in ours:
        assert w.filename == __file__ and w.lineno in lines, (name, str(w.message)[:60])


def test_pyjl_warns_only_through_its_warn_helper():
    """No ``warnings.warn`` in pyjl but the helper's: a hand-counted ``stacklevel`` goes
    stale when a call chain changes depth (three had, before the helper served all)."""
    package = Path(pyjl.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).as_posix() == "_warn.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "warn"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "warnings"
            ):
                found.append(f"{path.relative_to(package)}:{node.lineno}")
    assert found == []


def test_no_catch_warnings_in_the_library():
    """``warnings.catch_warnings`` rewrites the process's filter list; entered from several
    threads it restores it out of order and leaves a filter behind (a GP fit in a thread
    pool used to leave NumericalWarning ignored for good). pyjl quiets its own warnings
    per thread (``pyjl._warn.quiet``) and others' at their source."""
    package = Path(pyjl.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] == "demo":  # a script's main thread
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "catch_warnings":
                found.append(f"{path.relative_to(package)}:{node.lineno}")
    assert found == []


def test_quiet_is_per_thread():
    import threading

    from pyjl._warn import quiet, warn

    inside, done = threading.Event(), threading.Event()

    def hush():
        with quiet(UserWarning):
            inside.set()
            done.wait(10)
            warn("hushed", UserWarning)

    worker = threading.Thread(target=hush)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        worker.start()
        inside.wait(10)
        warn("heard", UserWarning)  # while the other thread is inside quiet()
        done.set()
        worker.join()
    assert [str(w.message) for w in caught] == ["heard"]


def test_fits_in_a_thread_pool_leave_the_warning_filters_as_they_were():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(40, 2))
    y = np.sin(4 * X[:, 0]) + X[:, 1]
    before = list(warnings.filters)
    for _ in range(5):
        with ThreadPoolExecutor(4) as pool:
            fits = pool.map(
                lambda s: gp.GaussianProcess(gp.RBF()).fit(X, y, n_restarts=1), range(8)
            )
            list(fits)
    assert warnings.filters == before
    with pytest.warns(pyjl.exceptions.NumericalWarning, match="unstable"):
        dsp.sosfilt([[1.0, 0.0, 0.0, 1.0, -2.5, 1.0]], np.ones(64))
