"""Storage faults, produced for real (no mock of SQLite): a full disk (a tiny tmpfs, and
SQLite's own ``max_page_count``), a read-only file or mount, and a lock held by another
connection.  Each is a StorageError naming the storage, the operation and the fix, and
every evaluation that returned is either stored or logged and carried by the error."""

import errno
import logging
import os
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

from pyjl import cli
from pyjl.bo import Optimizer, Real, Space, minimize
from pyjl.bo.storage import SQLiteStorage, open_storage
from pyjl.exceptions import PyjlError, StorageError

SPACE = Space({"x": Real(-1.0, 1.0), "y": Real(0.0, 2.0)})
SHIFT = -0.2491755418915539  # where the objective is lowest in x


def f(p):
    return (p["x"] - SHIFT) ** 2 + p["y"]


def _run_as_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _mount_tmpfs(where, size):
    if shutil.which("mount") is None or not _run_as_root():
        pytest.skip(
            "mounting a tmpfs needs root and mount(8); the max_page_count and mode=ro "
            "tests cover the same faults"
        )
    where.mkdir()
    out = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        pytest.skip(
            f"cannot mount a tmpfs in this sandbox ({out.stderr.strip()}); the "
            "max_page_count and mode=ro tests cover the same faults"
        )


@pytest.fixture
def tmpfs(tmp_path):
    mnt = tmp_path / "mnt"
    _mount_tmpfs(mnt, "384k")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill_filesystem(folder):
    """Write a ballast file until the file system says ENOSPC; returns its path."""
    ballast = os.path.join(folder, "ballast")
    with open(ballast, "wb", buffering=0) as fh:
        while True:
            try:
                fh.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    return ballast


def _fill_database(storage):
    """Cap the storage connection's database at its current size (SQLite's max_page_count)
    and grow a ballast row until not one more byte fits: the next write that needs space
    gets a genuine SQLITE_FULL."""
    conn = storage._conn()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    conn.execute(
        "INSERT INTO trials (study_id, number, params, state, created, error) "
        "VALUES (-1, 0, '{}', 'failed', 0, '')"
    )
    step = 2048
    while step:
        try:
            conn.execute("UPDATE trials SET error = error || ? WHERE study_id = -1", ("x" * step,))
        except sqlite3.OperationalError as exc:
            assert exc.sqlite_errorname == "SQLITE_FULL"
            step //= 2


def _stored(path):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            n: (state, value)
            for n, state, value in conn.execute(
                "SELECT number, state, value FROM trials WHERE study_id > 0"
            )
        }
    finally:
        conn.close()


def _assert_nothing_lost(evaluated, err, stored, caplog):
    """Every evaluation that returned is stored as complete with its value, or is in
    ``err.unsaved`` and in the ERROR log with its trial, parameters and value."""
    unsaved = {n: (p, v) for n, p, v in err.unsaved}
    assert unsaved, "the fault hit no evaluated value"
    assert (err.trial, err.params, err.value) in err.unsaved
    for params, value in evaluated:
        done = [n for n, (state, v) in stored.items() if state == "complete" and v == value]
        kept = [n for n, (p, v) in unsaved.items() if p == params and v == value]
        assert len(done) + len(kept) == 1, (params, value)
    logged = [
        r.getMessage()
        for r in caplog.records
        if r.name == "pyjl.bo" and r.levelno == logging.ERROR
    ]
    for n, (p, v) in unsaved.items():
        assert any(f"trial {n} " in m and repr(p) in m and repr(v) in m for m in logged)
        assert stored[n][0] == "pending"  # asked for, never marked complete


def _assert_names(err, url, operation, *fix_words):
    text = str(err)
    assert isinstance(err, PyjlError) and isinstance(err, OSError)
    assert err.storage == url and url in text
    assert err.operation == operation and f"during {operation}" in text
    fix = text.split("Fix: ", 1)[1]
    for w in fix_words:
        assert w in fix, (w, fix)


def _minimize_until_fault(url, fault_at, fault, **kw):
    evaluated = []

    def objective(p):
        v = f(p)
        evaluated.append((p, v))
        if len(evaluated) == fault_at:
            fault()
        return v

    with pytest.raises(StorageError) as info:
        minimize(
            objective, SPACE, n_calls=8, n_initial=4, storage=url, progress=False, seed=2, **kw
        )
    return info.value, evaluated


# --- a full disk ---------------------------------------------------------------------


def test_full_tmpfs_keeps_the_value_in_flight_and_resumes(tmpfs, caplog):
    path = str(tmpfs / "study.db")
    url = f"sqlite:///{path}"
    ballast = []
    err, evaluated = _minimize_until_fault(url, 3, lambda: ballast.append(_fill_filesystem(tmpfs)))
    assert err.reason == "full" and err.errno == errno.ENOSPC
    _assert_names(err, url, "tell", "free space", str(tmpfs))
    assert f"value {err.value!r}" in str(err) and ".value" in str(err)
    assert len(evaluated) == 3
    with pytest.raises(StorageError) as other:  # a new study file on the full disk
        open_storage(str(tmpfs / "other.db"))
    assert other.value.reason == "full" and other.value.operation == "open"
    os.remove(ballast[0])
    stored = _stored(path)
    _assert_nothing_lost(evaluated, err, stored, caplog)
    # with space again, the kept value is told and the study finishes
    Optimizer(None, storage=url).tell(err.params, err.value)
    res = minimize(f, SPACE, n_calls=8, storage=url, progress=False)
    assert (res.history["state"] == "complete").sum() == 8
    assert err.value in res.history["value"].tolist()


def test_full_database_max_page_count(tmp_path, caplog):
    path = str(tmp_path / "capped.db")
    storage = SQLiteStorage(path)
    url = storage.url
    err, evaluated = _minimize_until_fault(storage, 3, lambda: _fill_database(storage))
    assert err.reason == "full"
    _assert_names(err, url, "tell", "free space")
    _assert_nothing_lost(evaluated, err, _stored(path), caplog)
    assert "pyjl.bo" in str(err) and repr(err.params) in str(err)


def test_tell_on_a_full_database_carries_the_value(tmp_path, caplog):
    storage = SQLiteStorage(str(tmp_path / "tell.db"))
    opt = Optimizer(SPACE, storage=storage, seed=0)
    opt.tell({"x": 0.1, "y": 0.2}, 1.5)
    _fill_database(storage)
    point = {"x": -0.25, "y": 1.0}
    with pytest.raises(StorageError) as info:
        opt.tell(point, f(point))
    err = info.value
    assert (err.reason, err.operation, err.trial, err.params) == ("full", "tell", 1, point)
    assert err.value == f(point)
    assert any(repr(point) in r.getMessage() for r in caplog.records if r.name == "pyjl.bo")
    assert [t.value for t in opt.trials] == [1.5]  # the rolled-back write left no trace


# --- a read-only file ------------------------------------------------------------------


def _study_with_trials(url, n=3):
    opt = Optimizer(SPACE, storage=url, seed=4)
    for p in opt.ask(n):
        opt.tell(p, f(p))
    opt.storage.close()
    return opt


def _check_read_only(url, read_url, caplog, capsys):
    # reading works: the studies, the trials, `pyjl study show`
    assert [s["n_trials"] for s in open_storage(read_url).studies()] == [3]
    opt = Optimizer(None, storage=read_url)
    assert [t.state for t in opt.trials] == ["complete"] * 3
    assert len(opt.history()) == 3
    assert cli.main(["study", "show", read_url]) == 0
    assert "3 complete" in capsys.readouterr().out
    # writing says what happened
    err, evaluated = _minimize_until_fault(read_url, 99, lambda: None)
    assert err.reason == "read-only" and evaluated == []
    _assert_names(err, read_url, "ask", "writable", "mode=ro")
    point = {"x": 0.5, "y": 0.5}
    with pytest.raises(StorageError) as info:
        Optimizer(None, storage=read_url).tell(point, f(point))
    assert (info.value.operation, info.value.params, info.value.value) == ("tell", point, f(point))
    assert any(repr(point) in r.getMessage() for r in caplog.records if r.name == "pyjl.bo")
    with pytest.raises(StorageError) as info:
        opt.storage.heartbeat(opt._study_id, [0])
    assert info.value.operation == "heartbeat" and info.value.unsaved == []


def test_mode_ro_url_reads_and_refuses_writes(tmp_path, caplog, capsys):
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    _study_with_trials(url)
    _check_read_only(url, url + "?mode=ro", caplog, capsys)


def test_read_only_file(tmp_path, caplog, capsys):
    path = tmp_path / "locked_down.db"
    url = f"sqlite:///{path}"
    _study_with_trials(url)
    if _run_as_root():  # root ignores permission bits; the immutable flag binds root too
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: no way to make a file read-only")
        out = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if out.returncode:
            pytest.skip(f"chattr +i is not supported here ({out.stderr.strip()})")
        undo = ["chattr", "-i", str(path)]
    else:
        path.chmod(0o444)
        undo = None
    try:
        _check_read_only(url, url, caplog, capsys)
    finally:
        if undo:
            subprocess.run(undo, check=True)


def test_read_only_mount(tmp_path, caplog, capsys):
    mnt = tmp_path / "ro"
    _mount_tmpfs(mnt, "1m")
    url = f"sqlite:///{mnt / 'study.db'}"
    try:
        _study_with_trials(url)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        _check_read_only(url, url, caplog, capsys)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


# --- a lock held past the timeout -----------------------------------------------------------


class _Holder:
    """Another connection holding the write lock (an exclusive transaction)."""

    def __init__(self, path):
        self.path, self.conn = path, None

    def take(self):
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self):
        if self.conn is not None:
            self.conn.execute("ROLLBACK")
            self.conn.close()


@pytest.mark.parametrize("n_workers", [1, 2])
def test_locked_database_keeps_every_evaluated_value(tmp_path, caplog, n_workers):
    path = str(tmp_path / "busy.db")
    url = f"sqlite:///{path}?timeout=0.3"
    holder = _Holder(path)
    t0 = time.monotonic()
    try:
        if n_workers == 1:
            err, evaluated = _minimize_until_fault(url, 2, holder.take)
        else:
            # evaluations 3 and 4 run together; 3 takes the lock, 4 finishes after the fault
            evaluated, count, guard = [], [0], threading.Lock()
            both = threading.Barrier(2, timeout=10)

            def objective(p):
                with guard:
                    count[0] += 1
                    i = count[0]
                v = f(p)
                if i in (3, 4):
                    both.wait()
                    holder.take() if i == 3 else time.sleep(0.5)
                evaluated.append((p, v))
                return v

            with pytest.raises(StorageError) as info:
                minimize(
                    objective,
                    SPACE,
                    n_calls=8,
                    n_initial=4,
                    storage=url,
                    progress=False,
                    seed=2,
                    n_workers=2,
                )
            err = info.value
        elapsed = time.monotonic() - t0
        assert err.reason == "locked" and err.errno == errno.EBUSY
        _assert_names(err, url, "tell", "another process", "timeout")
        _assert_nothing_lost(evaluated, err, _stored(path), caplog)
        assert len(err.unsaved) == n_workers
        assert elapsed < 20
    finally:
        holder.release()


def test_locked_database_when_creating_a_study(tmp_path):
    path = str(tmp_path / "busy2.db")
    SQLiteStorage(path).close()
    holder = _Holder(path)
    holder.take()
    try:
        with pytest.raises(StorageError) as info:
            Optimizer(SPACE, storage=f"sqlite:///{path}?timeout=0.1", study="new")
        assert info.value.reason == "locked" and info.value.operation == "open study"
        assert "timeout" in str(info.value).split("Fix: ")[1]
    finally:
        holder.release()
