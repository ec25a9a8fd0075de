"""Storage: every change committed at once, studies resume, silent workers are reaped (on
SQLite and on a live PostgreSQL server: the ``storage_url`` fixture); SQLite's WAL mode,
JSON only, URL parsing."""

import json
import pathlib
import sqlite3

import pytest

from pyjl.bo import Categorical, Integer, Optimizer, Real, Space
from pyjl.bo.storage import MemoryStorage, SQLiteStorage, open_storage
from pyjl.exceptions import InputError, PyjlWarning

SPACE = Space({"x": Real(0.0, 1.0), "k": Integer(1, 4), "c": Categorical(["a", "b"])})


def _raw(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT number, params, state, value, noise_var, error FROM trials ORDER BY number"
        ).fetchall()
    finally:
        conn.close()


def test_url_forms(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # a relative path is the file it names from where the storage was opened
    assert open_storage("sqlite:///rel.db").path == str(tmp_path / "rel.db")
    assert open_storage("rel.db").url == f"sqlite:///{tmp_path}/rel.db"
    assert open_storage(f"sqlite:///{tmp_path}/abs.db").path == f"{tmp_path}/abs.db"
    assert open_storage(str(tmp_path / "plain.db")).path == str(tmp_path / "plain.db")
    assert open_storage(tmp_path / "p.db").path == str(tmp_path / "p.db")
    assert isinstance(open_storage(None), MemoryStorage)
    st = open_storage("sqlite:///net.db?journal_mode=DELETE")
    assert st.journal_mode == "DELETE"


@pytest.mark.parametrize(
    "url, words",
    [
        ("mysql://host/db", ["'mysql://host/db'", "sqlite:///", "postgresql://"]),
        ("mysql://me:s3cret@host/db", ["'mysql://me:***@host/db'"]),
        ("sqlite:///x.db?cache=shared", ["unknown: 'cache'", "mode="]),
        ("sqlite:///x.db?timeout=soon", ["timeout", "'?timeout=30'"]),
        ("sqlite:///x.db?timeout=-1", ["timeout"]),
        ("sqlite:///x.db?mode=rwc", ["mode=ro"]),
        ("sqlite:///x.db?journal_mode", ["key=value"]),
        ("sqlite:///", ["must name a file"]),
        (42, ["got 42"]),
        ("", ["got ''"]),
        ("sqlite:///no/such/dir/x.db", ["folder that exists", "no/such/dir"]),
        ("sqlite:", ["'://'", "three slashes"]),
        ("sqlite:/x.db", ["'://'", "three slashes"]),
        ("postgres:me@host/db", ["'://'", "postgresql://"]),
        ("sqlite://rel.db", ["no host", "'sqlite:///rel.db'", "'sqlite:////rel.db'"]),
        ("sqlite:///h.db#frag", ["#fragment"]),
        ("sqlite:///missing.db?mode=ro", ["existing file"]),
    ],
)
def test_bad_urls(url, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        open_storage(url)
    text = str(err.value)
    assert text.startswith("`storage` must") and "; got " in text and ". Fix: " in text
    for w in words:
        assert w in text
    assert "s3cret" not in text


def test_not_a_database(tmp_path):
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not an sqlite file" * 100)
    with pytest.raises(
        InputError, match=r"`storage` must be an SQLite database file; got .*junk\.db"
    ):
        SQLiteStorage(str(bad))


def test_wal_mode(tmp_path):
    path = str(tmp_path / "s.db")
    opt = Optimizer(SPACE, storage=f"sqlite:///{path}", study="s", seed=0)
    opt.ask()
    assert opt.storage.journal_mode == "WAL"  # what the new file is, as the attribute says
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    conn.close()
    assert [r[2] for r in _raw(path)] == ["pending"]


def test_every_state_change_is_committed(storage_url, raw_trials):
    opt = Optimizer(SPACE, storage=storage_url, study="s", seed=0)
    p = opt.ask()
    rows = raw_trials(storage_url)  # a separate connection sees the pending trial at once
    assert [(r[0], r[2]) for r in rows] == [(0, "pending")]
    assert json.loads(rows[0][1]) == p
    opt.tell(p, 1.25, noise_var=0.01)
    assert raw_trials(storage_url)[0][2:5] == ("complete", 1.25, 0.01)
    q = opt.ask()
    opt.tell_failed(q, "ValueError: boom")
    rows = raw_trials(storage_url)
    assert rows[1][2] == "failed" and rows[1][5] == "ValueError: boom"
    r = opt.ask()
    opt.abandon(2, "interrupted")
    opt.tell(r, 0.5)  # the abandoned trial's point, told later, completes it
    assert [x[2] for x in raw_trials(storage_url)] == ["complete", "failed", "complete"]


def test_no_pickle_anywhere():
    src = pathlib.Path(__file__).parents[2] / "pyjl" / "bo"
    for f in src.glob("*.py"):
        text = f.read_text()
        assert "import pickle" not in text and "pickle." not in text, f


def test_study_resume_and_space_check(storage_url):
    url = storage_url
    opt = Optimizer(SPACE, storage=url, study="exp", seed=3)
    pts = opt.ask(3)
    opt.tell(pts[0], 0.5)
    again = Optimizer(None, storage=url, study="exp")  # space and seed come from the file
    assert again.space == SPACE and again.seed == 3
    assert [t.state for t in again.trials] == ["complete", "pending", "pending"]
    # the message shows where the spaces differ (the whole spaces, shortened, hid it)
    with pytest.raises(
        InputError,
        match=r"was created with another space\); got a space that differs in 'x' \(the "
        r"study's Real\(0\.0, 1\.0\), given Real\(0\.0, 2\.0\)\); 'k' \(the study's "
        r"Integer\(1, 4\), not given\); 'c'",
    ):
        Optimizer(Space({"x": Real(0.0, 2.0)}), storage=url, study="exp")
    with pytest.raises(InputError, match="does not exist"):
        Optimizer(None, storage=url, study="nope")
    other = Optimizer(Space({"y": Real(0.0, 1.0)}), storage=url, study="other")
    assert other.trials == []
    names = [s["name"] for s in open_storage(url).studies()]
    assert names == ["exp", "other"]


def test_memory_storage_roundtrip():
    st = MemoryStorage()
    sid = st.study("m", SPACE.to_json(), 1)["id"]
    n = st.add_trial(sid, json.dumps({"x": 0.5, "k": 2, "c": "a"}), "pending", worker="h:1")
    st.finish(sid, n, "complete", value=3.0)
    (t,) = st.trials(sid)
    assert (t.number, t.state, t.value, t.params) == (
        0,
        "complete",
        3.0,
        {"x": 0.5, "k": 2, "c": "a"},
    )


def test_stale_after_reaps_a_silent_workers_pending_trial(storage_url):
    # another machine's worker (its pid cannot be checked from here) asked for a point and
    # went silent: after stale_after seconds without a heartbeat its trial is abandoned
    # (state abandoned) and the point can be asked again; a heartbeat keeps it alive
    import time

    url = storage_url
    space = Space({"x": Real(0.0, 1.0)})
    remote = Optimizer(space, storage=url, seed=0, n_initial=5)
    remote._worker_as = "elsewhere.example:4242"
    p = remote.ask()
    with pytest.warns(PyjlWarning, match="less than three heartbeats"):
        here = Optimizer(space, storage=url, stale_after=1.0)
    here.ask()
    assert [t.state for t in here.trials].count("pending") == 2  # still alive
    time.sleep(0.6)
    here.storage.heartbeat(here._study_id, [0])  # the remote worker beats
    time.sleep(0.6)
    here.ask()
    assert here.trials[0].state == "pending"
    time.sleep(1.2)
    here.ask()
    t0 = here.trials[0]
    assert t0.state == "abandoned" and t0.abandoned and "no heartbeat" in t0.error
    assert "elsewhere.example:4242" in t0.error
    # an abandoned trial does not count as failed; telling its point later completes it
    here.tell(p, 0.5)
    assert [t.state for t in here.trials if t.params == p] == ["complete"]


#: tables named as pyjl's, with Optuna's columns (optuna/storages/_rdb/models.py)
_OPTUNA_LIKE = [
    "CREATE TABLE studies (study_id INTEGER PRIMARY KEY, study_name VARCHAR(512) NOT NULL)",
    "CREATE TABLE trials (trial_id INTEGER PRIMARY KEY, number INTEGER, study_id INTEGER, "
    "state VARCHAR(8) NOT NULL, datetime_start TIMESTAMP, datetime_complete TIMESTAMP)",
]


def _tables(url: str) -> set[str]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///") :]) as conn:
            return {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()"
        )
        return {r[0] for r in rows}


def test_another_programs_tables_are_refused_and_left_untouched(storage_url):
    # an Optuna storage has tables named studies and trials: pyjl used to add its own
    # tables to it and then fail with "no such column"
    if storage_url.startswith("sqlite:///"):
        with sqlite3.connect(storage_url[len("sqlite:///") :]) as conn:
            for stmt in _OPTUNA_LIKE:
                conn.execute(stmt)
    else:
        import psycopg

        with psycopg.connect(storage_url, autocommit=True) as conn:
            for stmt in _OPTUNA_LIKE:
                conn.execute(stmt.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY"))
    before = _tables(storage_url)
    with pytest.raises(InputError, match=r"`trials` table is another program's|`studies` table"):
        open_storage(storage_url)
    with pytest.raises(InputError, match="nothing was written to this one"):
        Optimizer(Space({"x": Real(0.0, 1.0)}), storage=storage_url, study="s")
    assert _tables(storage_url) == before


def test_a_real_optuna_study_file_is_refused(tmp_path):
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    url = f"sqlite:///{tmp_path / 'optuna.db'}"
    optuna.create_study(storage=url).optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    before, raw = _tables(url), (tmp_path / "optuna.db").read_bytes()
    with pytest.raises(InputError, match="an Optuna study's"):
        open_storage(url)
    assert _tables(url) == before
    # not a byte changed: switching the file to WAL (its header) would be a write too
    assert (tmp_path / "optuna.db").read_bytes() == raw
    assert len(optuna.load_study(study_name=None, storage=url).trials) == 2


def test_another_programs_database_is_refused_unchanged(tmp_path):
    # a mistyped path to an application's database got pyjl's four tables and WAL mode
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER, total REAL)")
    raw = path.read_bytes()
    with pytest.raises(InputError, match=r"a database of other tables \(orders\)"):
        open_storage(f"sqlite:///{path}")
    assert path.read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]
    opt = Optimizer(SPACE, storage=f"sqlite:///{tmp_path / 'mine.db'}", seed=0)
    opt.tell(opt.ask(), 1.0)
    with sqlite3.connect(tmp_path / "mine.db") as conn:  # pyjl's, with a table added: kept
        conn.execute("CREATE TABLE notes (t TEXT)")
    again = Optimizer(SPACE, storage=f"sqlite:///{tmp_path / 'mine.db'}", seed=0)
    assert len(again.trials) == 1


@pytest.mark.parametrize("url", ["sqlite:///:memory:", ":memory:"])
def test_sqlite_memory_urls_are_the_in_memory_storage(url):
    # SQLite's :memory: lives in one connection; pyjl opens one per thread and process,
    # so each would see its own empty database: the URL is taken as storage=None
    opt = Optimizer(SPACE, storage=url, seed=0)
    assert isinstance(opt.storage, MemoryStorage)
    opt.tell(opt.ask(), 1.0)
    assert len(opt.trials) == 1
    with pytest.raises(InputError, match="storage=None"):
        SQLiteStorage(":memory:")


def test_a_study_opened_by_relative_path_survives_a_change_of_directory(tmp_path, monkeypatch):
    # a copy (pickled, or a new thread's connection) opened the path against the directory
    # of the moment: after os.chdir it saw an empty new file (Hydra changes directory)
    import pickle
    import threading

    monkeypatch.chdir(tmp_path)
    opt = Optimizer(SPACE, storage="rel.db", study="s", seed=0)
    for _ in range(3):
        opt.tell(opt.ask(), 1.0)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert len(pickle.loads(pickle.dumps(opt)).trials) == 3
    seen = []
    worker = threading.Thread(target=lambda: seen.append(len(opt.trials)))
    worker.start()
    worker.join()
    assert seen == [3]
    assert list(elsewhere.iterdir()) == []


def test_tuple_choices_come_back_as_tuples_from_storage(storage_url):
    # JSON keeps a tuple as an array: the space maps it back to the choice it was
    space = Space({"h": Categorical([(5,), (5, 5), (10,)]), "n": Integer(1, 3)})
    opt = Optimizer(space, storage=storage_url, study="tuples", seed=0)
    for _ in range(5):
        p = opt.ask()
        assert type(p["h"]) is tuple
        opt.tell(p, float(sum(p["h"])) + p["n"])
    again = Optimizer(space, storage=storage_url, study="tuples")
    assert again.best == opt.best and again.best[0]["h"] == (5,)
    assert all(type(t.params["h"]) is tuple for t in again.trials)
    assert all(type(h) is tuple for h in again.history()["h"])
    assert type(again.ask()["h"]) is tuple


def test_a_study_name_with_a_nul_is_refused(storage_url):
    # PostgreSQL's text cannot hold one; SQLite could, but no command line can pass it
    with pytest.raises(InputError, match="`study` must not hold a NUL character"):
        Optimizer({"x": Real(0.0, 1.0)}, storage=storage_url, study="a\x00b")
