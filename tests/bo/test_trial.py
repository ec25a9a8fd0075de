"""Trial states: the enum, the stored strings, and studies written before ``abandoned``."""

import json
import sqlite3

import pytest

from pyjl.bo import Optimizer, Real, Space, TrialState
from pyjl.bo.storage import SQLiteStorage
from pyjl.bo.trial import Trial, decode_state

from ._old_schema import OLD_SCHEMA

SPACE = Space({"x": Real(0.0, 1.0)})


def _old_study(path):
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    conn.execute(
        "INSERT INTO studies (name, space, seed, created) VALUES ('old', ?, 3, 0)",
        (SPACE.to_json(),),
    )
    rows = [
        (0, 0.2, "complete", 1.0, None),
        (1, 0.4, "failed", None, "ValueError: boom"),
        (2, 0.6, "failed", None, "abandoned: worker h:1 no longer exists"),
        (3, 0.8, "pending", None, None),
    ]
    for number, x, state, value, error in rows:
        conn.execute(
            "INSERT INTO trials (study_id, number, params, state, value, error, "
            "created, finished, worker, heartbeat) VALUES (1, ?, ?, ?, ?, ?, 0, 1, "
            "'elsewhere:1', 0)",
            (number, json.dumps({"x": x}), state, value, error),
        )
    conn.commit()
    conn.close()


def _raw(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT number, state, error FROM trials ORDER BY number").fetchall()
    finally:
        conn.close()


def test_states_are_the_stored_strings():
    assert [s.value for s in TrialState] == [
        "pending",
        "complete",
        "failed",
        "abandoned",
        "pruned",
    ]
    assert TrialState.RUNNING == "pending" and f"{TrialState.COMPLETE}" == "complete"
    assert TrialState("abandoned") is TrialState.ABANDONED
    assert [s.is_finished() for s in TrialState] == [False, True, True, True, True]


def test_decode_state_reads_the_old_abandoned_marking():
    assert decode_state("failed", "abandoned: cancelled") == (TrialState.ABANDONED, "cancelled")
    assert decode_state("failed", "ValueError: x") == (TrialState.FAILED, "ValueError: x")
    assert decode_state("complete", None) == (TrialState.COMPLETE, None)
    t = Trial(4, {"x": 0.5}, "failed", error="abandoned: interrupted")
    assert t.state is TrialState.ABANDONED and t.abandoned and t.error == "interrupted"
    with pytest.raises(ValueError):
        TrialState("done")


def test_old_study_reads_abandoned_and_counts_as_before(tmp_path):
    path = str(tmp_path / "old.db")
    _old_study(path)
    opt = Optimizer(None, storage=path, study="old")
    states = [t.state for t in opt.trials]
    assert states == ["complete", "failed", "abandoned", "pending"]
    assert opt.trials[2].error == "worker h:1 no longer exists" and opt.trials[2].abandoned
    h = opt.history()
    assert h["state"].tolist() == ["complete", "failed", "abandoned", "pending"]
    assert h["error"].tolist()[1:3] == ["ValueError: boom", "worker h:1 no longer exists"]
    # the abandoned point is free again: telling it completes that trial
    assert opt.tell({"x": 0.6}, 2.0) == 2
    assert _raw(path)[2] == (2, "complete", None)


def test_old_file_keeps_abandoned_the_old_way(tmp_path):
    # the old CHECK constraint refuses 'abandoned': it is written as before, read as abandoned
    path = str(tmp_path / "old.db")
    _old_study(path)
    st = SQLiteStorage(path)
    assert st.legacy_states
    opt = Optimizer(None, storage=st, study="old")
    opt.abandon(3, "cancelled")
    assert _raw(path)[3] == (3, "failed", "abandoned: cancelled")
    assert (opt.trials[3].state, opt.trials[3].error) == (TrialState.ABANDONED, "cancelled")


def test_new_file_stores_abandoned_as_a_state(tmp_path):
    path = str(tmp_path / "new.db")
    opt = Optimizer(SPACE, storage=path, seed=0)
    assert not opt.storage.legacy_states
    ((number, params),) = opt.ask_trials(1)
    opt.abandon(number, "interrupted")
    assert _raw(path) == [(0, "abandoned", "interrupted")]
    # an abandoned trial does not count towards a budget, and its point may come back
    assert len(opt.ask_trials(5, budget=1)) == 1
    assert [t.state for t in opt.trials] == ["abandoned", "pending"]


def test_public_trial_methods_record_each_state():
    opt = Optimizer(SPACE, seed=1, n_initial=5)
    got = opt.ask_trials(4)
    assert [n for n, _ in got] == [0, 1, 2, 3]
    opt.tell_trial(0, 0.5, params=got[0][1])
    opt.fail_trial(1, "RuntimeError: no")
    opt.abandon(2, "cancelled")
    before = opt.trials[3].heartbeat
    opt.heartbeat([3])
    trials = opt.trials
    assert [t.state for t in trials] == ["complete", "failed", "abandoned", "pending"]
    assert (trials[0].value, trials[1].error, trials[2].error) == (
        0.5,
        "RuntimeError: no",
        "cancelled",
    )
    assert trials[3].heartbeat >= before
    assert len(opt.ask_trials(3, budget=4)) == 1  # 3 trials count, the abandoned one not
    assert opt.ask_trials(3, budget=4) == []
