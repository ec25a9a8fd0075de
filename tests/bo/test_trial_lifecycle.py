"""A trial's life: only a pending (or abandoned) trial can be ended, the study's loop
leaves nothing pending when it is interrupted or its pool breaks, it beats for the trials
it evaluates, and a copy of an optimiser in another process asks under that process."""

from __future__ import annotations

import concurrent.futures as cf
import os
import pickle
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from pyjl.bo import (
    Categorical,
    Integer,
    Optimizer,
    Real,
    Space,
    grid_search,
    minimize,
    random_search,
)
from pyjl.bo import executors as bo_executors
from pyjl.bo.runner import grid_points
from pyjl.bo.storage import MemoryStorage
from pyjl.exceptions import InputError, PyjlWarning

SPACE = Space({"x": Real(0.0, 1.0)})


@pytest.fixture(params=["memory", "sqlite"])
def storage(request, tmp_path):
    return MemoryStorage() if request.param == "memory" else f"sqlite:///{tmp_path / 'study.db'}"


def _states(opt):
    return [t.state.value for t in opt.trials]


def _study(storage):
    return Optimizer(None, storage=storage, study="default")


def test_an_ended_trial_cannot_be_changed(storage):
    # Optuna: "Trial#0 has already finished and can not be updated"
    opt = Optimizer(SPACE, storage=storage, sampler="random", seed=0)
    [(n, _)] = opt.ask_trials(1)
    opt.tell_trial(n, 1.0)
    for change in (
        lambda: opt.tell_trial(n, 2.0),
        lambda: opt.fail_trial(n, "boom"),
        lambda: opt.tell_pruned(n),
    ):
        with pytest.raises(InputError, match=r"trial 0, which is complete"):
            change()
    assert _states(opt) == ["complete"] and opt.trials[0].value == 1.0
    assert opt.abandon(n, "late") is False and _states(opt) == ["complete"]


@pytest.mark.parametrize("number", [99, -1, 1.5])
def test_a_trial_the_study_does_not_hold_is_refused(storage, number):
    opt = Optimizer(SPACE, storage=storage, sampler="random", seed=0)
    [(n, _)] = opt.ask_trials(1)
    opt.tell_trial(n, 1.0)
    with pytest.raises(InputError, match="`number`"):
        opt.tell_trial(number, 3.0)
    with pytest.raises(InputError, match="`number`"):
        opt.report(number, 0, 3.0)
    with pytest.raises(InputError, match="`number`"):
        opt.should_prune(number)  # it said False
    assert _states(opt) == ["complete"] and opt.trials[0].value == 1.0


def test_a_pruned_or_failed_trial_takes_no_more_reports(storage):
    # Optuna's UpdateFinishedTrialError: a pruned trial's value is its last report, so a
    # report after it ended would change its curve under its value
    opt = Optimizer(SPACE, storage=storage, sampler="random", seed=0)
    ends = {"pruned": lambda n: opt.tell_pruned(n), "failed": lambda n: opt.fail_trial(n, "x")}
    for state, end in ends.items():
        [(n, _)] = opt.ask_trials(1)
        opt.report(n, 0, 0.9)
        end(n)
        with pytest.raises(
            InputError,
            match=rf"`number` must be a trial that is running, complete or abandoned.*{state}",
        ):
            opt.report(n, 1, 0.1)
        assert opt.intermediate_values()[n] == {0: 0.9}
    # a told trial may be given its curve (past runs brought in with their curves), and an
    # abandoned one keeps what its worker, alive after all, reports
    number = opt.tell({"x": 0.5}, 0.5)
    [(n, _)] = opt.ask_trials(1)
    opt.abandon(n, "reaped")
    for k in (number, n):
        opt.report(k, 0, 0.3)
        assert opt.intermediate_values()[k] == {0: 0.3}


def test_an_abandoned_trial_told_late_keeps_its_value(storage):
    # a worker reaped as silent that finishes after all: its evaluation is not lost
    opt = Optimizer(SPACE, storage=storage, sampler="random", seed=0)
    [(n, _)] = opt.ask_trials(1)
    assert opt.abandon(n, "silent") is True
    opt.tell_trial(n, 0.25)
    assert _states(opt) == ["complete"] and opt.trials[0].value == 0.25


def _interrupt(params):
    raise KeyboardInterrupt


def test_an_interrupt_from_a_pool_worker_abandons_its_trial(storage):
    with pytest.raises(KeyboardInterrupt):
        minimize(_interrupt, SPACE, n_calls=4, n_workers=2, storage=storage, progress=False)
    states = _states(_study(storage))
    assert states and set(states) == {"abandoned"}


def test_an_interrupt_while_a_value_is_stored_abandons_the_trial(storage, monkeypatch):
    def interrupted(*args, **kwargs):  # Ctrl-C while waiting for the storage's lock
        raise KeyboardInterrupt

    monkeypatch.setattr(Optimizer, "tell_trial", interrupted)
    with pytest.raises(KeyboardInterrupt):
        minimize(lambda p: p["x"], SPACE, n_calls=3, storage=storage, progress=False)
    assert _states(_study(storage)) == ["abandoned"]
    monkeypatch.undo()
    res = minimize(lambda p: p["x"], SPACE, n_calls=3, storage=storage, progress=False)
    assert list(res.history["state"]) == ["abandoned"] + ["complete"] * 3  # resumed


def _exit_hard(params):
    if params["x"] < 2.0:
        os._exit(3)
    return 0.0


def test_a_broken_process_pool_leaves_no_trial_pending(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.db'}"
    with cf.ProcessPoolExecutor(2) as pool, pytest.raises(cf.BrokenExecutor):
        random_search(
            _exit_hard, SPACE, n_calls=6, executor=pool, n_workers=2, storage=url, progress=False
        )
    opt = _study(url)
    states = _states(opt)
    assert states and set(states) == {"abandoned"}
    assert all("broke" in t.error or "interrupted" in t.error for t in opt.trials)


def test_the_loop_beats_for_the_trial_it_evaluates_inline(tmp_path, monkeypatch):
    # stale_after elsewhere reaps a trial whose heartbeat is older: the loop must beat
    monkeypatch.setattr(bo_executors, "HEARTBEAT_S", 0.1)
    url = f"sqlite:///{tmp_path / 'h.db'}"
    seen = []

    def slow(params):
        time.sleep(0.6)
        t = Optimizer(None, storage=url).trials[-1]
        seen.append(t.heartbeat - t.created)
        return params["x"]

    random_search(slow, SPACE, n_calls=2, storage=url, progress=False)
    assert len(seen) == 2 and min(seen) > 0.3


def test_a_copy_in_another_process_asks_under_that_process(tmp_path):
    opt = Optimizer(SPACE, storage=f"sqlite:///{tmp_path / 'w.db'}", sampler="random", seed=0)
    blob = tmp_path / "opt.pkl"
    blob.write_bytes(pickle.dumps(opt))
    code = (
        "import os, pickle, sys; opt = pickle.load(open(sys.argv[1], 'rb')); "
        "opt.ask(); print(os.getpid())"
    )
    pid = subprocess.run(
        [sys.executable, "-c", code, str(blob)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert opt.trials[0].worker.endswith(f":{pid}")
    # the child is gone: its pending trial is abandoned by the next ask here
    opt.ask()
    assert _states(opt) == ["abandoned", "pending"]


@pytest.mark.slow
def test_a_stop_on_dask_waits_for_running_trials():
    distributed = pytest.importorskip("distributed")

    def slow(params):
        time.sleep(0.5)
        return params["x"]

    with distributed.Client(
        n_workers=1, threads_per_worker=3, processes=False, dashboard_address=None
    ) as client:
        res = random_search(
            slow,
            SPACE,
            n_calls=9,
            executor=client,
            n_workers=3,
            progress=False,
            seed=0,
            callback=lambda r: True,
        )
    # the thread and process pools record what is running when told to stop; so does Dask
    assert list(res.history["state"]) == ["complete"] * 3


def test_parameters_named_like_history_columns_get_their_own_columns():
    # Optuna prefixes every parameter column with params_; pyjl does it where names clash
    space = Space({
        "value": Real(0.0, 1.0),
        "number": Integer(10, 20),
        "error": Categorical(["a", "b"]),
        "x": Real(0.0, 1.0),
    })  # fmt: skip
    res = random_search(lambda p: p["value"] + p["x"], space, n_calls=4, seed=0, progress=False)
    h = res.history
    assert list(h["number"]) == [0, 1, 2, 3]
    assert h["error"].isna().all() and (h["state"] == "complete").all()
    assert h["params_number"].between(10, 20).all() and set(h["params_error"]) <= {"a", "b"}
    np.testing.assert_allclose(h["value"], h["params_value"] + h["x"])
    # a row of the parameter columns tells back (as the docs promise)
    opt = res.optimizer
    row = h.iloc[0][["params_value", "params_number", "params_error", "x"]]
    number = opt.tell(row, 5.0)
    assert opt.trials[number].params == {
        k: h.iloc[0][c] for k, c in zip(space.names, row.index, strict=True)
    }


def test_a_parameter_named_like_a_renamed_one_moves_as_in_optunas_frame():
    # "value" is shown as params_value (Optuna's column for it), so a parameter that is
    # itself named params_value moves to params_params_value, as in trials_dataframe
    optuna = pytest.importorskip("optuna")
    space = Space({"value": Real(0.0, 1.0), "params_value": Integer(5, 6)})
    opt = Optimizer(space, sampler="random", seed=0)
    opt.tell({"value": 0.25, "params_value": 5}, 1.0)
    study = optuna.create_study()
    study.enqueue_trial({"value": 0.25, "params_value": 5})
    study.optimize(
        lambda t: t.suggest_float("value", 0, 1) + t.suggest_int("params_value", 5, 6), 1
    )
    cols = ["params_value", "params_params_value"]
    assert opt.history()[cols].to_dict("records") == study.trials_dataframe()[cols].to_dict(
        "records"
    )
    number = opt.tell(opt.history().iloc[0][cols], 2.0)  # a row tells back
    assert opt.trials[number].params == {"value": 0.25, "params_value": 5}
    # and a Series keyed by the parameters' own names (params_value read as value, then
    # value lost, was refused as missing params_value)
    import pandas as pd

    number = opt.tell(pd.Series({"value": 0.35, "params_value": 6}, dtype=object), 3.0)
    assert opt.trials[number].params == {"value": 0.35, "params_value": 6}


def test_an_empty_history_has_the_dtypes_of_a_full_one():
    space = Space({"r": Real(0.0, 1.0), "i": Integer(1, 5), "c": Categorical(["a", "b"])})
    opt = Optimizer(space, sampler="random", seed=0)
    empty = opt.history()
    opt.tell(opt.ask(), 1.0)
    assert empty.empty and dict(empty.dtypes) == dict(opt.history().dtypes)
    # the error column too, once a trial has failed (it was object until then)
    opt.tell_failed(opt.ask(), "boom")
    assert dict(empty.dtypes) == dict(opt.history().dtypes)


@pytest.mark.parametrize(
    "value",
    [10**400, -(10**400), np.complex128(1 + 2j), np.array(1 + 0j), np.array("0.5"), np.str_("1")],
)
def test_a_value_beyond_the_double_range_complex_or_text_is_refused(value):
    # a string in a 0-d array is text as "0.5" is (float() would parse it)
    opt = Optimizer(SPACE, sampler="random", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning, no OverflowError
        with pytest.raises(InputError, match="`value` must be a finite real number"):
            opt.tell(opt.ask(), value)


def test_grid_search_on_a_study_with_a_coarser_grid_evaluates_the_whole_new_grid():
    storage = MemoryStorage()
    space = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
    first = grid_search(lambda p: p["x"], space, n_points=3, storage=storage, progress=False)
    assert len(first.history) == 9
    res = grid_search(lambda p: p["x"], space, n_points=4, storage=storage, progress=False)
    keys = {space.key(p) for p in grid_points(space, 4)}
    done = {space.key(r) for r in res.history[["x", "y"]].to_dict("records")}
    assert keys <= done  # the corners, shared by both grids, are not evaluated twice
    assert len(res.history) == 9 + 16 - 4


def test_random_and_grid_search_take_stale_after():
    with pytest.warns(PyjlWarning, match="heartbeats"):
        random_search(lambda p: p["x"], SPACE, n_calls=2, progress=False, stale_after=1.0)
    res = grid_search(lambda p: p["x"], SPACE, n_points=3, progress=False, stale_after=60.0)
    assert res.optimizer.stale_after == 60.0


@pytest.mark.slow
def test_an_in_memory_study_reports_from_dask_threads_in_this_process():
    # Dask pickles a task's arguments even with processes=False: the trial handle of an
    # in-memory study finds its storage again in this process (every trial failed before)
    distributed = pytest.importorskip("distributed")
    from pyjl.bo import MedianPruner, TrialPruned

    def objective(params, trial):
        for step in range(4):
            trial.report(step, params["x"] + 1.0 / (step + 1))
            if trial.should_prune():
                raise TrialPruned
        return params["x"]

    with distributed.Client(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as client:
        res = minimize(
            objective,
            SPACE,
            n_calls=8,
            executor=client,
            n_workers=2,
            progress=False,
            seed=0,
            pruner=MedianPruner(n_startup_trials=2),
        )
    h = res.history
    assert set(h["state"]) <= {"complete", "pruned"} and (h["state"] == "complete").sum() >= 2
    curves = res.optimizer.intermediate_values()
    assert all(len(curves[n]) >= 1 for n in h["number"])


def test_loading_a_study_from_a_missing_file_makes_no_file(tmp_path):
    path = tmp_path / "new.db"
    for storage in (str(path), f"sqlite:///{path}", path):
        with pytest.raises(InputError, match="`space` must be given.*no study file"):
            Optimizer(None, storage=storage, study="x")
    assert not path.exists()


def _raises_broken(params):
    raise cf.BrokenExecutor("a worker of the objective's own pool died")  # e.g. loky's


def test_an_objectives_own_broken_executor_fails_its_trial():
    # only a pool that is itself broken abandons its trials; this one ran on forever
    with cf.ThreadPoolExecutor(2) as pool:
        res = random_search(
            _raises_broken, SPACE, n_calls=4, executor=pool, n_workers=2, progress=False
        )
    assert list(res.history["state"]) == ["failed"] * 4
    assert "BrokenExecutor" in res.history["error"].iloc[0]


def _other_worker(opt):
    """An optimiser on the same study under another machine's worker id."""
    other = Optimizer(None, storage=opt.storage, study=opt.study_name)
    other._worker_as = "elsewhere.example:4242"
    return other


def test_tell_by_point_never_ends_another_workers_pending_trial(storage):
    # skopt's tell adds an evaluation; a worker evaluating the same point keeps its trial
    opt = Optimizer(Space({"k": Integer(0, 3)}), storage=storage, seed=0, sampler="random")
    ((number, params),) = opt.ask_trials(1)
    other = _other_worker(opt)
    mine = other.tell(params, 5.0)
    assert mine != number
    opt.tell_trial(number, 1.0)  # its own evaluation, told by number: no conflict
    states = {t.number: (t.state, t.value) for t in opt.trials}
    assert states == {number: ("complete", 1.0), mine: ("complete", 5.0)}
    # a tell by point from the process that asked ends its own pending trial
    (again, params) = opt.ask_trials(1)[0]
    other.tell(params, 7.0)
    assert opt.tell(params, 2.0) == again


def test_a_late_tell_after_being_reaped_ends_its_own_abandoned_trial(storage):
    opt = Optimizer(
        Space({"c": Categorical(["a", "b"])}), storage=storage, seed=0, sampler="random"
    )
    ((number, params),) = opt.ask_trials(1)
    opt.abandon(number, "no heartbeat")  # reaped as silent
    other = _other_worker(opt)
    ((theirs, same),) = other.ask_trials(1)
    assert same == params  # the point is asked again, by the other worker
    assert opt.tell(params, 1.0) == number  # its own abandoned trial, not theirs
    other.tell_trial(theirs, 2.0)
    assert {t.number: t.value for t in opt.trials} == {number: 1.0, theirs: 2.0}


def test_the_loop_keeps_an_evaluation_whose_trial_someone_else_ended(storage):
    # the loop's worker was reaped and its point told meanwhile by another worker, which
    # completes the abandoned trial: the loop's own value is kept as a trial of its own
    other = Optimizer(SPACE, storage=storage, study="s", seed=0)
    other._worker_as = "elsewhere.example:4242"

    def objective(p):
        number = next(t.number for t in other.trials if t.state == "pending")
        other.abandon(number, "no heartbeat")
        other.tell(p, 9.0)
        return 1.0

    res = random_search(objective, SPACE, n_calls=1, storage=storage, study="s", progress=False)
    assert sorted(res.history["value"]) == [1.0, 9.0]
    assert set(res.history["state"]) == {"complete"}


def test_a_run_that_ends_short_of_its_budget_on_an_untold_ask_says_so(storage):
    # an ask never told (an interrupted notebook cell) is pending under this process: it
    # counts towards n_calls, and no heartbeat check ends it while the process lives
    opt = Optimizer(SPACE, storage=storage, study="s", seed=0, sampler="random")
    opt.ask()
    with pytest.warns(PyjlWarning, match=r"trial\(s\) \[0\] of this process are still pending"):
        res = random_search(
            lambda p: p["x"], SPACE, n_calls=3, storage=opt.storage, study="s", progress=False
        )
    assert list(res.history["state"]) == ["pending", "complete", "complete"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a run that reaches its budget alone: no warning
        random_search(lambda p: p["x"], SPACE, n_calls=3, study="t", progress=False)


def test_a_none_choice_stays_none_in_the_history_and_tells_back():
    # pandas 3 reads None among strings as a missing string (NaN), which tell refused
    space = Space({"c": Categorical(["a", "b", None]), "x": Real(0.0, 1.0)})
    opt = Optimizer(space, seed=0, sampler="random")
    assert opt.history()["c"].dtype == object
    for c in ("a", None, "b"):
        opt.tell({"c": c, "x": 0.5}, 1.0)
    h = opt.history()
    assert h["c"].tolist() == ["a", None, "b"]
    number = opt.tell(h.loc[1, ["c", "x"]], 2.0)
    assert opt.trials[number].params["c"] is None
