"""Real processes on one study, on SQLite and on a live PostgreSQL server: kill -9 loses
nothing completed and the study resumes; 8 workers share a study with no lost or
duplicated trial; `pyjl study show` reads a study while it runs."""

import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from pyjl import cli
from pyjl.bo import Optimizer

WORKER = str(pathlib.Path(__file__).with_name("_study_worker.py"))


@pytest.fixture
def rows(raw_trials):
    """``rows(url)``: ``(number, params, state, value, error)`` of every trial."""
    return lambda url: [(r[0], r[1], r[2], r[3], r[5]) for r in raw_trials(url)]


def _spawn(db, study, n_calls, sleep, log):
    return subprocess.Popen(
        [sys.executable, WORKER, db, study, str(n_calls), str(sleep), log],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _log(path):
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path) if line.strip()]


def _wait_for(proc, rows, db, n_complete):
    deadline = time.monotonic() + 120
    before = []
    while time.monotonic() < deadline:
        before = [r for r in rows(db) if r[2] == "complete"]
        if len(before) >= n_complete:
            return before
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n_complete} trials completed in 120 s")


@pytest.mark.slow
def test_kill_9_loses_no_completed_trial_and_study_resumes(tmp_path, storage_url, rows):
    db, log = storage_url, str(tmp_path / "k.log")
    proc = _spawn(db, "k", 500, 0.05, log)
    before = _wait_for(proc, rows, db, 12)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = rows(db)
    if db.startswith("sqlite:///"):
        conn = sqlite3.connect(db[len("sqlite:///") :])
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    done = {r[0]: r for r in after if r[2] == "complete"}
    for r in before:  # every completed trial survived as it was
        assert done[r[0]] == r
    # every evaluation the process finished and logged was stored, except at most the one
    # in flight between returning and committing
    logged = {json.dumps(e["params"], sort_keys=True) for e in _log(log)}
    stored = {json.dumps(json.loads(r[1]), sort_keys=True) for r in done.values()}
    assert stored <= logged and len(logged - stored) <= 1
    # resume: the dead worker's pending trial is abandoned and redone; the study reaches its size
    n_total = len(done) + 4
    res = subprocess.run(
        [sys.executable, WORKER, db, "k", str(n_total), "0", log],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    final = rows(db)
    complete = [r for r in final if r[2] == "complete"]
    assert len(complete) == n_total
    assert not [r for r in final if r[2] == "failed"]  # only abandoned, none failed
    assert all(r[2] != "pending" for r in final)
    opt = Optimizer(None, storage=db, study="k")
    assert opt.best[1] == min(r[3] for r in complete)


@pytest.mark.slow
def test_eight_processes_share_one_study(tmp_path, storage_url, rows):
    db = storage_url
    n_calls = 32
    logs = [str(tmp_path / f"w{i}.log") for i in range(8)]
    procs = [_spawn(db, "shared", n_calls, 0.03, lg) for lg in logs]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    stored = rows(db)
    assert [r[0] for r in stored] == list(range(len(stored)))  # numbers unique, gapless
    complete = [r for r in stored if r[2] == "complete"]
    assert len(complete) == n_calls and len(stored) == n_calls
    evals = [e for lg in logs for e in _log(lg)]
    keys = [json.dumps(e["params"], sort_keys=True) for e in evals]
    assert len(keys) == len(set(keys)) == n_calls  # no duplicate evaluation
    stored = {json.dumps(json.loads(r[1]), sort_keys=True): r[3] for r in complete}
    assert stored == {k: e["value"] for k, e in zip(keys, evals)}  # none lost
    assert len({e["pid"] for e in evals}) >= 2  # the work was shared


@pytest.mark.slow
def test_study_show_reads_a_study_while_it_runs(tmp_path, storage_url, rows, capsys):
    db, log = storage_url, str(tmp_path / "s.log")
    proc = _spawn(db, "live", 400, 0.05, log)

    def show(*extra):
        assert cli.main(["study", "show", db, *extra]) == 0
        text = capsys.readouterr().out
        assert text.startswith("study 'live' in ") and "best value: " in text
        return text, int(text.split(" trials, ", 1)[1].split(" complete")[0])

    try:
        _wait_for(proc, rows, db, 3)
        out, n_first = show()
        _wait_for(proc, rows, db, n_first + 2)
        again, n_then = show("--study", "live")
        assert proc.poll() is None  # the worker was running all along
    finally:
        proc.kill()
        proc.wait()
    assert 3 <= n_first < n_then  # it read the trials completed so far, and then more
    if "@" in db:  # the password never shows
        password = db.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        assert password not in out + again and ":***@" in out
