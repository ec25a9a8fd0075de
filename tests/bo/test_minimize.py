"""Study runners: minimize on executors (threads, Dask LocalCluster), failures, callbacks,
time limits, random and grid search."""

import concurrent.futures as cf
import itertools
import threading
import time
import warnings

import numpy as np
import pytest

from pyjl.bo import Categorical, Integer, Real, Space, grid_search, minimize, random_search
from pyjl.exceptions import InputError, PyjlWarning

SPACE = Space({"x": Real(-2.0, 2.0), "n": Integer(0, 4)})


def quad(p):
    return (p["x"] - 0.5) ** 2 + 0.1 * (p["n"] - 2) ** 2


def test_sequential_minimize_finds_minimum_and_history():
    res = minimize(quad, SPACE, n_calls=18, n_initial=6, progress=False, seed=0)
    assert res.best_params["n"] == 2 and abs(res.best_params["x"] - 0.5) < 0.05
    h = res.history
    assert len(h) == 18 and (h["state"] == "complete").all()
    assert h["best_so_far"].iloc[-1] == pytest.approx(res.best_value)
    assert res.best_value == pytest.approx(h["value"].min())
    np.testing.assert_allclose(h["value"], [quad(r) for r in h[["x", "n"]].to_dict("records")])
    assert res.best_mean_params is not None


def test_failures_recorded_and_study_continues():
    def f(p):
        if p["x"] > 1.0:
            raise RuntimeError(f"diverged at x={p['x']:.3f}")
        if p["n"] == 4:
            return float("nan")
        return quad(p)

    res = minimize(f, SPACE, n_calls=20, n_initial=8, progress=False, seed=3)
    h = res.history
    failed = h[h["state"] == "failed"]
    assert len(h) == 20 and res.n_failed == len(failed) >= 2
    assert all(
        e.startswith("RuntimeError: diverged") or "must be a finite real number" in e
        for e in failed["error"]
    )
    assert ((failed["x"] > 1.0) | (failed["n"] == 4)).all()
    # failed points are fantasised as the worst value: the search does not keep retrying there
    assert res.n_failed <= 10
    assert res.best_value < 0.1


def test_failures_are_logged_and_a_run_that_only_failed_warns(caplog, tmp_path):
    # Optuna logs each failed trial; a run whose every evaluation failed (a typo in the
    # objective) says so, with the first error, instead of returning best_value None
    # in silence: its failed trials count towards n_calls on a rerun
    def typo(p):
        return p["y"]

    url = f"sqlite:///{tmp_path / 'study.db'}"
    with pytest.warns(
        PyjlWarning, match=r"every evaluation of this run failed \(3; trial 0: KeyError"
    ):
        res = random_search(typo, SPACE, n_calls=3, storage=url, seed=0, progress=False)
    assert res.best_value is None and res.n_failed == 3
    failures = [r for r in caplog.records if r.name == "pyjl.bo" and "failed" in r.message]
    assert [r.levelname for r in failures] == ["WARNING"] * 3
    assert "KeyError: 'y'" in failures[0].message and "'x'" in failures[0].message
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one failure among successes: logged, no warning
        minimize(
            lambda p: 1 / p["n"] if p["n"] > 1 else p["y"],
            SPACE,
            n_calls=6,
            seed=0,
            progress=False,
        )


def test_callback_stops_early():
    seen = []

    def cb(res):
        seen.append(len(res.history))
        return res.best_value < 0.3

    res = minimize(quad, SPACE, n_calls=30, n_initial=5, progress=False, seed=1, callback=cb)
    assert res.best_value < 0.3
    assert len(res.history) == seen[-1] < 30


def test_max_time():
    def slow(p):
        time.sleep(0.2)
        return quad(p)

    t = time.monotonic()
    res = minimize(slow, SPACE, n_calls=200, n_initial=5, progress=False, seed=1, max_time=1.0)
    assert time.monotonic() - t < 3.0
    assert 2 <= len(res.history) < 20


def test_thread_pool_keeps_workers_busy_without_duplicates():
    lock = threading.Lock()
    active, peak = [0], [0]

    def f(p):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return quad(p)

    with cf.ThreadPoolExecutor(3) as pool:
        res = minimize(
            f, SPACE, n_calls=15, n_initial=4, executor=pool, n_workers=3, progress=False, seed=2
        )
    h = res.history
    assert len(h) == 15 and (h["state"] == "complete").all()
    keys = {SPACE.key(r) for r in h[["x", "n"]].to_dict("records")}
    assert len(keys) == 15
    assert peak[0] == 3


@pytest.mark.slow
def test_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        res = minimize(
            quad,
            SPACE,
            n_calls=12,
            n_initial=4,
            executor=client,
            n_workers=2,
            progress=False,
            seed=4,
        )
        workers = set(client.run(lambda: 1))
        assert len(workers) == 2
        # executor="dask" picks up the running client
        res2 = minimize(
            quad,
            SPACE,
            n_calls=6,
            n_initial=3,
            executor="dask",
            n_workers=2,
            progress=False,
            seed=5,
        )
    assert len(res.history) == 12 and (res.history["state"] == "complete").all()
    assert len({SPACE.key(r) for r in res.history[["x", "n"]].to_dict("records")}) == 12
    assert res.best_value < 0.5 and len(res2.history) == 6


@pytest.mark.slow
def test_dask_runs_two_equal_evaluations_in_flight_both():
    # the Client's executor defaulted to pure=True: two tasks of one point with one
    # objective became one, so two studies sharing a cluster shared noisy values
    distributed = pytest.importorskip("distributed")
    from pyjl.bo.executors import executor_of
    from pyjl.bo.loop import _run

    def noisy(p):  # each call draws anew: two equal values mean one call
        time.sleep(0.2)
        return p["x"] + float(np.random.default_rng().normal())

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        for given in (client, client.get_executor()):  # a Client, or its own executor
            pool, owned = executor_of(given, 2)
            futures = [pool.submit(_run, noisy, {"x": 0.5}) for _ in range(2)]
            values = [f.result()[1] for f in futures]
            assert values[0] != values[1] and owned == []


@pytest.mark.slow
def test_a_closed_client_is_refused_before_the_study_starts(tmp_path):
    # a raw ClosedClientError came from the first submit, a trial left abandoned
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cl:
        client = distributed.Client(cl)
        client.close()
    url = f"sqlite:///{tmp_path / 's.db'}"
    for given in (client, client.get_executor()):
        with pytest.raises(InputError, match="`executor` must be running; got a closed Client"):
            minimize(quad, SPACE, n_calls=3, progress=False, executor=given, storage=url)


class _TwoArgs(Exception):
    """An exception pickle cannot rebuild (its __init__ takes two arguments)."""

    def __init__(self, msg, code):
        super().__init__(msg)
        self.code = code


def _fails_above_zero(p):
    if p["x"] > 0:
        raise _TwoArgs("bad region", 7)
    return p["x"] ** 2


def test_an_exception_pickle_cannot_rebuild_fails_its_trial_in_a_process_pool():
    # it broke the pool (BrokenProcessPool): the study stopped, its trials abandoned
    space = Space({"x": Real(-2.0, 2.0)})
    serial = minimize(_fails_above_zero, space, n_calls=6, seed=0, progress=False)
    with cf.ProcessPoolExecutor(2) as pool:
        res = minimize(
            _fails_above_zero, space, n_calls=6, seed=0, progress=False, executor=pool,
            n_workers=1,
        )  # fmt: skip
    assert list(res.history["state"]) == list(serial.history["state"])
    assert (res.history["state"] == "failed").any()
    assert set(res.history["error"].dropna()) == set(serial.history["error"].dropna())
    assert "_TwoArgs: bad region" in set(res.history["error"].dropna())


@pytest.mark.parametrize("bad", ["Dask", "threads", 5, cf.ThreadPoolExecutor])
def test_a_refused_executor_creates_no_study(tmp_path, bad):
    # it was checked after the study was made: a corrected call was then refused for its
    # space, or ran with the refused call's seed and direction
    url = f"sqlite:///{tmp_path / 's.db'}"
    f = lambda p: (p["x"] - 0.5) ** 2  # noqa: E731
    with pytest.raises(InputError, match="`executor` must be None, 'dask'"):
        minimize(f, Space({"x": Real(-2.0, 2.0)}), n_calls=4, progress=False, executor=bad,
                 storage=url, study="s", direction="maximize")  # fmt: skip
    res = minimize(f, Space({"x": Real(0.0, 1.0)}), n_calls=4, seed=1, progress=False,
                   storage=url, study="s")  # fmt: skip
    fresh = minimize(f, Space({"x": Real(0.0, 1.0)}), n_calls=4, seed=1, progress=False)
    assert res.history["x"].tolist() == fresh.history["x"].tolist()


def test_random_search_is_uniform_and_reproducible():
    space = Space({"u": Real(0.0, 1.0), "c": Categorical(["a", "b"])})
    a = random_search(lambda p: p["u"], space, n_calls=200, progress=False, seed=9)
    b = random_search(lambda p: p["u"], space, n_calls=200, progress=False, seed=9)
    assert a.history["u"].tolist() == b.history["u"].tolist()
    u = a.history["u"].to_numpy()
    from scipy import stats

    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert a.best_value == pytest.approx(u.min())
    assert a.best_mean_params is None


def test_grid_search_is_brute_force():
    space = Space({"x": Real(-1.0, 1.0), "k": Integer(1, 3), "c": Categorical(["p", "q"])})

    def f(p):
        return (p["x"] - 0.4) ** 2 + abs(p["k"] - 2) + (p["c"] == "q")

    res = grid_search(f, space, n_points=5, progress=False)
    xs, ks, cs = np.linspace(-1.0, 1.0, 5), [1, 2, 3], ["p", "q"]
    brute = min(itertools.product(xs, ks, cs), key=lambda t: f(dict(zip("xkc", t))))
    assert len(res.history) == 5 * 3 * 2
    assert res.best_params == pytest.approx(dict(zip("xkc", brute)))
    # with a budget, the largest full grid that fits
    res2 = grid_search(f, space, n_calls=20, progress=False)
    assert len(res2.history) == 3 * 3 * 2


def test_a_one_point_grid_is_each_axis_midpoint_on_its_own_scale():
    # a log axis's middle is the geometric mean (as its 3-point grid's middle is): a
    # log Integer took the arithmetic one (50 of 1..100)
    from pyjl.bo.runner import grid_points

    space = Space({"r": Real(1.0, 100.0, log=True), "i": Integer(1, 100, log=True)})
    [one] = grid_points(space, 1)
    assert one["r"] == pytest.approx(10.0) and one["i"] == 10
    three = grid_points(space, 3)
    assert sorted({p["i"] for p in three}) == [1, 10, 100]
    assert grid_points(Space({"i": Integer(1, 100)}), 1) == [{"i": 50}]  # (1 + 100) / 2


BAD_ARGUMENTS = [
    ({"n_calls": 0}, ["`n_calls`", ">= 1", "got 0"]),
    ({"n_calls": -3}, ["`n_calls`", "got -3"]),
    ({"n_calls": 1.5}, ["`n_calls`", "integer", "got 1.5"]),
    ({"n_calls": True}, ["`n_calls`", "got True"]),
    ({"n_workers": 0}, ["`n_workers`", "got 0"]),
    ({"n_workers": 2.5}, ["`n_workers`", "got 2.5"]),
    ({"executor": "spark"}, ["`executor`", "got 'spark'"]),
    ({"executor": 3}, ["`executor`", "got 3"]),
    ({"max_time": -1}, ["`max_time`", "got -1"]),
    ({"max_time": 0}, ["`max_time`", "> 0"]),
    ({"max_time": float("nan")}, ["`max_time`", "got nan"]),
    ({"max_time": "10"}, ["`max_time`", "got '10'"]),
    ({"seed": 2**70}, ["`seed`", str(2**70)]),
    ({"seed": -1}, ["`seed`", "got -1"]),
    ({"callback": 5}, ["`callback`", "got 5"]),
    ({"progress": "yes"}, ["`progress`", "True or False", "got 'yes'"]),
]


@pytest.mark.parametrize(
    "runner, kw, words",
    [
        (runner, kw, words)
        for runner in (minimize, random_search, grid_search)
        for kw, words in BAD_ARGUMENTS
        if "seed" not in kw or runner is not grid_search
    ],
)  # grid_search takes no seed
def test_bad_arguments(runner, kw, words):
    calls = []
    with pytest.raises(InputError) as err:
        runner(lambda p: calls.append(p) or quad(p), SPACE, **{"progress": False, **kw})
    text = str(err.value)
    assert ". Fix: " in text
    for w in words:
        assert w in text
    assert calls == []  # refused before anything was evaluated


@pytest.mark.parametrize("n_points", [0, 1.5, -2, 2**70])
def test_bad_grid_points(n_points):
    with pytest.raises(InputError, match="`n_points` must be an integer >= 1"):
        grid_search(quad, SPACE, n_points=n_points, progress=False)


@pytest.mark.parametrize("runner", [minimize, random_search])
def test_n_calls_none_is_refused_where_there_is_no_grid(runner):
    with pytest.raises(InputError, match="`n_calls` must be an integer >= 1; got None"):
        runner(quad, SPACE, n_calls=None, progress=False)


def test_grid_too_large_is_refused():
    space = Space({k: Real(0.0, 1.0) for k in "abc"})  # 200**3 = 8e6 points
    with pytest.raises(InputError, match="at most 1,000,000 points; got 200 "):
        grid_search(quad, space, n_points=200, progress=False)


def test_not_callable():
    with pytest.raises(InputError, match="`func` must be callable"):
        minimize(42, SPACE, progress=False)


def test_progress_bar_shows_best(capsys):
    minimize(quad, SPACE, n_calls=6, n_initial=6, progress=True, seed=0)
    err = capsys.readouterr().err
    assert "best=" in err and "6/6" in err


def test_interrupt_marks_trial_abandoned_and_rerun_finishes():
    from pyjl.bo import Optimizer

    opt_storage = Optimizer(SPACE, seed=0).storage  # one in-memory store, reused
    calls = []

    def f(p):
        calls.append(p)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return quad(p)

    with pytest.raises(KeyboardInterrupt):
        minimize(f, SPACE, n_calls=8, n_initial=3, storage=opt_storage, progress=False, seed=0)
    h = Optimizer(None, storage=opt_storage).history()
    assert h["state"].tolist() == ["complete"] * 3 + ["abandoned"]
    assert h["error"].iloc[-1] == "interrupted"
    res = minimize(quad, SPACE, n_calls=8, storage=opt_storage, progress=False)
    assert (res.history["state"] == "complete").sum() == 8 and res.n_failed == 0


@pytest.mark.parametrize("stop", [RuntimeError("callback bug"), KeyboardInterrupt()])
def test_a_raising_callback_or_interrupt_keeps_every_finished_evaluation(stop):
    # three threads: the first evaluation ends at once and its callback raises (or Ctrl-C
    # comes) while the other two run; the pool waits for them, so their values are stored
    # (they were abandoned and lost, and once stored twice)
    from pyjl.bo import Optimizer

    storage = Optimizer(SPACE, seed=0).storage
    evaluated, started, lock = [], threading.Barrier(3), threading.Lock()
    first = threading.Event()

    def f(p):
        started.wait(timeout=30)  # all three run before the first ends (a loaded machine
        with lock:  # may start a pool thread late; one not started would be cancelled)
            mine = not first.is_set()
            first.set()
        time.sleep(0.0 if mine else 0.3)
        evaluated.append(quad(p))
        return evaluated[-1]

    def callback(res):
        raise stop

    with pytest.raises(type(stop)):
        random_search(
            f,
            SPACE,
            n_calls=10,
            n_workers=3,
            storage=storage,
            callback=callback,
            progress=False,
            seed=0,
        )
    h = Optimizer(None, storage=storage).history()
    assert len(evaluated) == 3
    assert h["state"].tolist() == ["complete"] * 3
    assert sorted(h["value"]) == sorted(evaluated)


def test_a_storage_fault_while_winding_down_keeps_the_interrupt(monkeypatch):
    # the exception that stopped the run is the one raised (it was replaced by the
    # StorageError); a trial that cannot be abandoned stays pending, and is logged
    from pyjl.bo import Optimizer, telling
    from pyjl.exceptions import StorageError

    storage = Optimizer(SPACE, seed=0).storage
    calls = []

    def f(p):
        calls.append(p)
        time.sleep(0.0 if len(calls) == 1 else 0.5)
        return quad(p)

    def locked(self, number, reason):
        raise StorageError("database is locked")

    def callback(res):
        monkeypatch.setattr(telling.StudyTells, "abandon", locked)
        raise KeyboardInterrupt

    pool = cf.ThreadPoolExecutor(3)  # not the run's: its running trials are abandoned
    with pytest.raises(KeyboardInterrupt):
        random_search(
            f,
            SPACE,
            n_calls=9,
            n_workers=3,
            executor=pool,
            storage=storage,
            callback=callback,
            progress=False,
            seed=0,
        )
    pool.shutdown()
    states = Optimizer(None, storage=storage).history()["state"].tolist()
    assert sorted(states) == ["complete", "pending", "pending"]


def test_more_workers_than_unseen_points_still_evaluates_them():
    # a batch larger than what a finite space has left gets what is left, not nothing
    from pyjl.bo import Integer, Space, minimize, random_search

    space = Space({"k": Integer(1, 3)})
    for run in (minimize, random_search):
        with pytest.warns(PyjlWarning, match="space of parameters 3 is smaller than n_calls=10"):
            res = run(lambda p: float(p["k"]), space, n_calls=10, n_workers=4, seed=0)
        assert sorted(res.history["k"]) == [1, 2, 3]
        assert res.best_value == 1.0


def test_grid_search_takes_the_largest_grid_within_n_calls():
    # a log-integer axis stalls on its rounded values for a few sizes, then grows again
    from pyjl.bo import Integer, Space, grid_search
    from pyjl.bo.runner import grid_points

    space = Space({"n": Integer(1, 1000, log=True)})
    res = grid_search(lambda p: float(p["n"]), space, n_calls=40, progress=False)
    sizes = [len(grid_points(space, k)) for k in range(1, 200)]
    assert len(res.history) == max(s for s in sizes if s <= 40)


def test_strings_and_flags_from_the_objective_are_failures_and_best_carries_over():
    # Optimizer.tell refuses a str or a bool; the runner records them as failed, and the
    # best so far stays on failed rows
    from decimal import Decimal

    from pyjl.bo import Real, Space, minimize

    values = iter([2.0, "0.5", True, Decimal("1.0"), np.nan])  # as Optimizer.tell reads them
    res = minimize(
        lambda p: next(values), Space({"x": Real(0, 1)}), n_calls=5, seed=0, progress=False
    )
    h = res.history
    assert list(h["state"]) == ["complete", "failed", "failed", "complete", "failed"]
    assert list(h["best_so_far"]) == [2.0, 2.0, 2.0, 1.0, 1.0]
    assert res.n_failed == 3 and res.best_value == 1.0


@pytest.mark.parametrize("runner", [minimize, random_search, grid_search])
def test_a_space_smaller_than_n_calls_is_run_whole_with_a_warning(runner):
    space = Space({"a": Integer(0, 2), "b": Categorical(["x", "y"])})
    kw = {} if runner is grid_search else {"seed": 0}
    with pytest.warns(PyjlWarning, match=r"space of parameters 6 is smaller than n_calls=20"):
        res = runner(lambda p: p["a"], space, n_calls=20, progress=False, **kw)
    assert len(res.history) == 6
    assert len(set(zip(res.history["a"], res.history["b"]))) == 6


def test_an_engine_that_cannot_run_is_refused_before_any_evaluation(monkeypatch):
    # the GP's first fit found it, after the initial design had spent its evaluations
    from sklearn.linear_model import LogisticRegression

    from pyjl.bo import BayesSearchCV
    from pyjl.bo.samplers import GPSampler

    calls = []

    def f(params):
        calls.append(params)
        return params["x"] ** 2

    monkeypatch.setenv("PYJL_BACKEND", "bogus")
    space = Space({"x": Real(0.0, 1.0)})
    for kw in ({}, {"sampler": GPSampler()}):
        with pytest.raises(InputError, match="PYJL_BACKEND='bogus'"):
            minimize(f, space, n_calls=6, progress=False, **kw)
    search = BayesSearchCV(LogisticRegression(), {"C": Categorical([0.1, 1.0])}, n_iter=2, cv=2)
    X, y = np.random.default_rng(0).random((20, 2)), np.r_[np.zeros(10), np.ones(10)]
    with pytest.raises(InputError, match="PYJL_BACKEND='bogus'"):
        search.fit(X, y)
    assert calls == [] and not hasattr(search, "cv_results_")
    # samplers that fit no GP need no engine
    assert len(minimize(f, space, n_calls=3, progress=False, sampler="random").history) == 3


def _uses_its_number(p, trial):
    return p["x"] + 0.0 * trial.number


def test_an_unpicklable_objective_is_refused_before_a_study_is_made(tmp_path):
    # every trial was stored failed with the same PicklingError, the budget spent
    import threading

    lock = threading.Lock()
    space = Space({"x": Real(-2.0, 2.0)})
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with cf.ProcessPoolExecutor(1) as pool:
        with pytest.raises(InputError, match="`func` must be picklable to run in a process"):
            minimize(lambda p, _l=lock: p["x"] ** 2, space, n_calls=3, progress=False,
                     executor=pool, storage=url, study="s", direction="maximize")  # fmt: skip
        # no study was made: another space on the same name runs, minimised
        res = minimize(_uses_its_number, Space({"x": Real(0.0, 1.0)}), n_calls=3,
                       progress=False, executor=pool, storage=url, study="s")  # fmt: skip
        # an objective that takes its trial but never reports runs on an in-memory study
        res2 = minimize(_uses_its_number, space, n_calls=3, progress=False, executor=pool)
    assert (res.history["state"] == "complete").all() and res.direction == "minimize"
    assert (res2.history["state"] == "complete").all()
