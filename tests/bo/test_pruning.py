"""Pruning: the trial handle, intermediate values in the storages, pruned trials in a
study, bad input, and the surrogate's treatment of pruned trials."""

from __future__ import annotations

import concurrent.futures as cf
import math
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from pyjl.bo import (
    MedianPruner,
    Optimizer,
    Real,
    Space,
    SuccessiveHalvingPruner,
    TrialHandle,
    TrialPruned,
    TrialState,
    grid_search,
    minimize,
    random_search,
)
from pyjl.bo.handle import takes_trial
from pyjl.bo.storage import MemoryStorage, SQLiteStorage
from pyjl.exceptions import InputError

from ._old_schema import write_old_study

SPACE = Space({"x": Real(0.0, 1.0)})
N_STEPS = 12


def _curve(x: float, step: int) -> float:
    """A decreasing learning curve whose floor is lowest at x = 0.3."""
    return (x - 0.3) ** 2 + math.exp(-0.3 * step)


def objective(params, trial):
    value = math.nan
    for step in range(N_STEPS):
        value = _curve(params["x"], step)
        trial.report(step, value)
        if step < N_STEPS - 1 and trial.should_prune():  # a full run is complete
            raise TrialPruned(f"pruned at step {step}")
    return value


def _check_pruned_study(opt: Optimizer, n_calls: int) -> None:
    """Every trial ended; pruned ones hold their last reported value and stopped early."""
    trials, curves = opt.trials, opt.intermediate_values()
    assert len(trials) == n_calls  # a pruned trial counts toward n_calls
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    assert pruned and all(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in trials)
    for t in trials:
        curve = curves[t.number]
        assert list(curve) == list(range(len(curve)))
        assert curve == {s: _curve(t.params["x"], s) for s in curve}
        assert t.value == curve[max(curve)]
        assert (len(curve) < N_STEPS) == (t.state == TrialState.PRUNED)
    # best is the best completed trial, whatever a pruned trial's (shorter-run) value
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    assert opt.best[1] == min(t.value for t in done)


def test_minimize_with_median_pruner_stores_pruned_trials_with_last_value():
    res = minimize(
        objective,
        SPACE,
        n_calls=14,
        n_initial=5,
        pruner=MedianPruner(n_startup_trials=3),
        seed=1,
        progress=False,
    )
    _check_pruned_study(res.optimizer, 14)
    assert set(res.history["state"]) == {"complete", "pruned"} and res.n_failed == 0


def test_random_and_grid_search_prune_in_threads():
    asha = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    res = random_search(
        objective, SPACE, n_calls=12, n_workers=3, pruner=asha, seed=2, progress=False
    )
    _check_pruned_study(res.optimizer, 12)
    res = grid_search(objective, SPACE, n_points=9, pruner=MedianPruner(2), progress=False)
    _check_pruned_study(res.optimizer, 9)


def test_processes_report_through_a_stored_study(storage_url):
    # the handles are pickled to worker processes and reopen the study there (on
    # PostgreSQL with the password the redacted storage.url leaves out)
    db = storage_url
    with cf.ProcessPoolExecutor(2) as pool:
        res = random_search(
            objective,
            SPACE,
            n_calls=10,
            executor=pool,
            n_workers=2,
            storage=db,
            pruner=MedianPruner(n_startup_trials=2),
            seed=3,
            progress=False,
        )
    _check_pruned_study(res.optimizer, 10)


_REPORTER = """
import sys
from pyjl.bo import Optimizer
opt = Optimizer(None, storage=sys.argv[1], study="s")
[(number, params)] = opt.ask_trials(1)
for step, value in enumerate([5.0, 4.0, 3.5]):
    opt.handle(number, params).report(step, value)
print(number)
"""


def test_should_prune_sees_values_reported_by_another_process(tmp_path):
    db = str(tmp_path / "shared.db")
    opt = Optimizer(SPACE, storage=db, study="s", seed=0, pruner=MedianPruner(2))
    for value in (1.0, 2.0):
        [(number, _)] = opt.ask_trials(1)
        for step in range(3):
            opt.report(number, step, value - 0.1 * step)
        opt.tell_trial(number, value - 0.2)
    out = subprocess.run(
        [sys.executable, "-c", _REPORTER, db], capture_output=True, text=True, check=True
    )
    number = int(out.stdout)
    assert opt.intermediate_values()[number] == {0: 5.0, 1: 4.0, 2: 3.5}
    assert opt.should_prune(number)  # 3.5 at step 2 is above the median 1.65
    opt.tell_pruned(number)
    t = opt.trials[number]
    assert (t.state, t.value) == (TrialState.PRUNED, 3.5)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_storage_round_trip(tmp_path, kind):
    st = MemoryStorage() if kind == "memory" else SQLiteStorage(str(tmp_path / "s.db"))
    a = st.study("a", SPACE.to_json(), 0)["id"]
    b = st.study("b", SPACE.to_json(), 0)["id"]
    assert st.intermediate_values(a) == {}
    st.report(a, 0, 0, 1.5)
    st.report(a, 0, 3, 1.25)
    st.report(a, 2, 1, -0.5)
    st.report(b, 0, 0, 9.0)
    st.report(a, 0, 3, 1.0)  # a step reported again replaces its value
    assert st.intermediate_values(a) == {0: {0: 1.5, 3: 1.0}, 2: {1: -0.5}}
    assert st.intermediate_values(b) == {0: {0: 9.0}}
    if kind == "sqlite":  # committed at once: another connection reads it
        again = SQLiteStorage(str(tmp_path / "s.db"))
        assert again.intermediate_values(a) == {0: {0: 1.5, 3: 1.0}, 2: {1: -0.5}}


def test_file_written_before_pruning_gets_the_table_on_open(tmp_path):
    path = str(tmp_path / "old.db")
    write_old_study(path, SPACE.to_json(), 3)
    ro = SQLiteStorage(path, read_only=True)  # read-only: nothing reported, nothing written
    assert ro.intermediate_values(1) == {}
    ro.close()
    opt = Optimizer(None, storage=path, study="old", pruner=MedianPruner(1))
    [(number, _)] = opt.ask_trials(1)
    opt.report(number, 0, 2.5)
    opt.tell_pruned(number)
    # the old CHECK refuses 'pruned': written the old way, read back as pruned
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT state, value, error FROM trials WHERE number = 1").fetchone() == (
        "failed",
        2.5,
        "pruned: ",
    )
    conn.close()
    t = opt.trials[number]
    assert (t.state, t.value, t.error) == (TrialState.PRUNED, 2.5, None)
    assert opt.intermediate_values() == {1: {0: 2.5}}
    assert opt.trials[0].value == 0.5  # nothing stored before is lost


@pytest.mark.parametrize(
    ("step", "value", "name"),
    [
        (0, math.nan, "value"),
        (0, math.inf, "value"),
        (0, "0.5", "value"),
        (-1, 0.5, "step"),
        (1.5, 0.5, "step"),
        (2, 0.5, "step"),  # not above the step 2 already reported
        (1, 0.5, "step"),  # backwards
        (3.0, 0.5, "step"),  # a float step: refused even where it is whole
        (0.0, 5, "step"),  # Optuna's order, report(value, step)
        (np.float64(4.0), 0.5, "step"),
    ],
)
def test_bad_reports_are_input_errors_naming_the_argument(step, value, name):
    opt = Optimizer(SPACE, seed=0)
    [(number, params)] = opt.ask_trials(1)
    trial = opt.handle(number, params)
    trial.report(0, 1.0)
    trial.report(2, 0.9)
    with pytest.raises(InputError, match=rf"^`{name}`") as err:
        trial.report(step, value)
    assert err.value.args
    assert opt.intermediate_values() == {number: {0: 1.0, 2: 0.9}}  # nothing lost
    if isinstance(step, float):
        assert "report(step, value)" in str(err.value)


def test_bad_pruner_is_an_input_error():
    with pytest.raises(InputError, match="pruner"):
        Optimizer(SPACE, pruner="median")
    with pytest.raises(InputError, match="pruner"):
        minimize(objective, SPACE, n_calls=2, pruner=3, progress=False)


def test_objective_signature_decides_the_handle():
    def one(p):
        return 0.0

    def two(p, trial):
        return 0.0

    def default(p, trial=None):
        return 0.0

    def star(*args):
        return 0.0

    def keyword_only(p, *, trial=None):
        return 0.0

    assert [takes_trial(f) for f in (one, two, default, star, keyword_only)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert not takes_trial(abs)  # one positional parameter: params only
    seen = []
    minimize(lambda p, t: seen.append(t) or 1.0, SPACE, n_calls=2, seed=0, progress=False)
    assert all(isinstance(t, TrialHandle) for t in seen) and [t.number for t in seen] == [0, 1]


def test_objective_pruned_without_reports_has_no_value():
    def f(p, trial):
        raise TrialPruned

    res = random_search(f, SPACE, n_calls=3, seed=0, progress=False)
    assert res.history["state"].tolist() == ["pruned"] * 3
    assert res.history["value"].isna().all() and res.best_value is None


def test_pruned_trials_are_fantasised_at_the_worst_value(rng):
    # the GP is fitted to the completed trials only; a pruned point then reads as the
    # worst value seen, as a failed one does, so the search moves away from it
    opt = Optimizer(SPACE, seed=0, n_initial=2, pruner=MedianPruner(1))
    xs = rng.uniform(0.0, 1.0, 6)
    for x in xs:
        opt.tell({"x": float(x)}, (float(x) - 0.3) ** 2)
    [(number, params)] = opt.ask_trials(1)
    opt.report(number, 0, -10.0)  # a shorter run's value, below every completed one
    opt.tell_pruned(number)
    trials = opt.trials
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    sampler = opt._sampler
    gp0, X, y = sampler.fit(opt.space, done, opt.seed)
    gp, Xall, y_seen, _ = sampler._believe(opt.space, trials, done, opt.seed)
    assert len(y_seen) == len(done) == 6  # not fitted
    u = opt.space.round(opt.space.encode(params)[None, :])
    mean = float(np.asarray(gp.predict(u)).reshape(-1)[0])
    assert mean > float(np.asarray(gp0.predict(u)).reshape(-1)[0])
    assert mean == pytest.approx(float(np.max(y)), abs=0.05 * float(np.ptp(y)))
    assert opt.best[1] == min(t.value for t in done)  # -10 is not the best


def _value_at(curve: dict, step: int) -> float:
    """The value a curve reported at its last step <= ``step`` (its first one if none)."""
    return curve[max((k for k in curve if k <= step), default=min(curve))]


def test_pruned_ranks_are_scipys_percentile_of_score(rng):
    # ranked as the pruners compare: by the value at the step, not the best so far (a
    # running mean over folds may go up)
    from scipy.stats import percentileofscore

    from pyjl.bo.fidelity import pruned_ranks
    from pyjl.bo.trial import Trial

    curves, trials = {}, []
    for n in range(12):
        steps = int(rng.integers(2, 15))
        curve = np.round(rng.uniform(0.0, 1.0, steps), 1)  # ties on purpose
        curves[n] = {s: float(v) for s, v in enumerate(curve)}
        state = "complete" if n < 8 else "pruned"
        trials.append(Trial(n, {}, state, float(curve[-1])))
    ranks = pruned_ranks(trials, curves)
    assert sorted(ranks) == [8, 9, 10, 11]
    for n, q in ranks.items():
        s = max(curves[n])
        theirs = [_value_at(curves[m], s) for m in range(8)]
        assert q == pytest.approx(percentileofscore(theirs, curves[n][s], kind="mean") / 100)


def _fold_study(rng, n_done: int, n_pruned: int):
    """Trials over 5 folds (steps 0..4): ``n_done`` complete, ``n_pruned`` pruned after
    1 to 4 folds; the values are running means."""
    from pyjl.bo.trial import Trial

    curves, trials = {}, []
    for n in range(n_done + n_pruned):
        folds = 5 if n < n_done else int(rng.integers(1, 5))
        means = np.cumsum(rng.uniform(0.0, 1.0, folds)) / np.arange(1, folds + 1)
        curves[n] = {s: float(v) for s, v in enumerate(means)}
        state = "complete" if n < n_done else "pruned"
        trials.append(Trial(n, {"x": float(n)}, state, float(means[-1])))
    return trials, curves


def test_surrogate_view_keeps_a_study_with_enough_completed_trials(rng):
    from pyjl.bo.fidelity import pruned_ranks, surrogate_view

    trials, curves = _fold_study(rng, 6, 10)
    view, ranks = surrogate_view(trials, curves, n_min=6)
    assert view == trials and ranks == pruned_ranks(trials, curves)
    # a completed trial without a learning curve: nothing to put on one step
    del curves[0]
    view, ranks = surrogate_view(trials, curves, n_min=10)
    assert view == trials and ranks == pruned_ranks(trials, curves)


def test_surrogate_view_models_the_last_step_enough_trials_reached(rng):
    # BOHB's rule: with fewer than n_min completed trials, the largest step that n_min
    # trials reached; those read as complete at their value there, the trials stopped
    # before it are ranked among them at their own step
    from scipy.stats import percentileofscore

    from pyjl.bo.fidelity import surrogate_view

    trials, curves = _fold_study(rng, 1, 14)
    n_min = 4
    reach = sorted((max(c) for c in curves.values()), reverse=True)
    step = reach[n_min - 1]
    view, ranks = surrogate_view(trials, curves, n_min=n_min)
    cohort = [t.number for t in trials if max(curves[t.number]) >= step]
    assert len(cohort) >= n_min
    for t, seen in zip(trials, view):
        assert (seen.number, seen.params) == (t.number, t.params)
        if t.number in cohort:
            assert seen.state == TrialState.COMPLETE
            assert seen.value == _value_at(curves[t.number], step)
        else:
            assert (seen.state, seen.value) == (t.state, t.value)
    assert sorted(ranks) == sorted(set(curves) - set(cohort))
    for n, q in ranks.items():
        s = max(curves[n])
        theirs = [_value_at(curves[m], s) for m in cohort]
        assert q == pytest.approx(percentileofscore(theirs, curves[n][s], kind="mean") / 100)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bo_learns_from_pruned_trials_when_few_finish(seed):
    # one trial completes, every other one is pruned after two steps (as ASHA does after
    # a lucky first trial): the GP must learn from the pruned trials' values at a common
    # step, or the search stays on its Sobol sequence -- which, in 14 points, comes no
    # nearer than 0.02 to 0.1 to the optimum of this bowl
    space = Space({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)})
    centre = np.array([0.31, 0.62])
    opt = Optimizer(space, seed=seed, n_initial=4)
    for i in range(14):
        [(number, params)] = opt.ask_trials(1)
        floor = float(np.sum((np.array([params["a"], params["b"]]) - centre) ** 2))
        for step in range(5 if i == 0 else 2):
            opt.report(number, step, floor + 0.1 / (step + 1))
        if i == 0:
            opt.tell_trial(number, floor + 0.02)
        else:
            opt.tell_pruned(number)
    assert sum(t.state == TrialState.COMPLETE for t in opt.trials) == 1
    seen = np.array([[t.params["a"], t.params["b"]] for t in opt.trials])
    assert np.min(np.linalg.norm(seen - centre, axis=1)) < 0.01


def test_a_pruned_trial_reads_as_the_quantile_of_its_rank(rng):
    # completed trials with learning curves; one pruned at step 2 in the middle of the pack
    opt = Optimizer(SPACE, seed=0, n_initial=2, pruner=MedianPruner(1))
    xs = rng.uniform(0.0, 1.0, 6)
    for x in xs:
        n = opt.tell({"x": float(x)}, _curve(float(x), N_STEPS - 1))
        for step in range(N_STEPS):
            opt.report(n, step, _curve(float(x), step))
    [(number, params)] = opt.ask_trials(1)
    floors = sorted((float(x) - 0.3) ** 2 for x in xs)
    level = (floors[2] + floors[3]) / 2  # between the 3rd and 4th completed trial
    for step in range(3):
        opt.report(number, step, level + math.exp(-0.3 * step))
    opt.tell_pruned(number)
    trials = opt.trials
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    from pyjl.bo.fidelity import pruned_ranks

    ranks = pruned_ranks(trials, opt.intermediate_values())
    assert ranks == {number: 0.5}
    sampler = opt._sampler
    _, _, y = sampler.fit(opt.space, done, opt.seed)
    gp, _, _, _ = sampler._believe(opt.space, trials, done, opt.seed, ranks)
    u = opt.space.round(opt.space.encode(params)[None, :])
    mean = float(np.asarray(gp.predict(u)).reshape(-1)[0])
    assert mean == pytest.approx(float(np.quantile(y, 0.5)), abs=0.05 * float(np.ptp(y)))
    assert mean < float(np.max(y)) - 0.2 * float(np.ptp(y))  # not the worst value


@pytest.mark.parametrize("folder", ["run #1", "q?x", "pct%41"])
def test_a_handle_reopens_a_study_whose_path_needs_quoting(tmp_path, folder):
    # a handle sent to a process pool reopens the storage by URL: the path went in as it
    # was, so '#' read as a fragment, '?' as options and '%41' as 'A'
    import pickle

    db = tmp_path / folder / "s.db"
    db.parent.mkdir()
    opt = Optimizer(Space({"x": Real(0.0, 1.0)}), storage=str(db), seed=0)
    number, params = opt.ask_trials(1)[0]
    handle = pickle.loads(pickle.dumps(opt.handle(number, params)))
    handle.report(0, 1.5)
    assert opt.intermediate_values()[number] == {0: 1.5}
    assert sorted(p.name for p in db.parent.iterdir())[0] == "s.db"


def test_a_pickled_in_memory_handle_never_reports_into_another_study():
    # the registry that finds in-memory studies for handles pickled within one process
    # was keyed by id(storage): a later study's storage could take a collected one's id
    import gc
    import pickle

    from pyjl.bo import MedianPruner, Optimizer, Real, Space
    from pyjl.bo.storage.memory import MemoryStorage
    from pyjl.exceptions import InputError

    space = Space({"x": Real(0.0, 1.0)})
    a = Optimizer(space, seed=0, pruner=MedianPruner())
    [(number, params)] = a.ask_trials(1)
    orphan = pickle.loads(pickle.dumps(a.handle(number, params)))
    old_id = id(a.storage)
    del a
    gc.collect()
    held = []  # new storages until one lands where the collected one was
    while len(held) < 20_000 and (not held or id(held[-1]) != old_id):
        held.append(MemoryStorage())
    if id(held[-1]) != old_id:
        pytest.skip("the allocator gave no storage the collected one's address")
    b = Optimizer(space, storage=held[-1], seed=0, pruner=MedianPruner())
    [(number, params)] = b.ask_trials(1)
    pickle.dumps(b.handle(number, params))  # registers b's storage for in-process handles
    with pytest.raises(InputError, match="must be a file or a database"):
        orphan.report(0, 0.5)
    assert b.intermediate_values() == {}
