"""PostgreSQL storage against a live server (``pg_url``; skipped with the reason without
one): the schema is SQLite's, intermediate values round-trip, and a lock held too long, a
read-only session, a dropped connection or a server that cannot be reached are each a
StorageError that names the storage without its password and loses no value."""

import json
import sqlite3
import subprocess
import sys

import pytest

from pyjl.bo import Optimizer, Real, Space
from pyjl.bo.storage import PostgreSQLStorage, SQLiteStorage, open_storage
from pyjl.bo.storage.postgresql import redact
from pyjl.exceptions import InputError, StorageError

SPACE = Space({"x": Real(0.0, 1.0), "y": Real(-1.0, 1.0)})
NAMESPACE = 0x70796A6C


def _psycopg():
    return pytest.importorskip("psycopg")


def _password(url):
    return url.split("://", 1)[1].split("@", 1)[0].partition(":")[2]


def test_same_tables_and_columns_as_sqlite(pg_url, tmp_path):
    PostgreSQLStorage(pg_url)
    SQLiteStorage(str(tmp_path / "s.db"))
    lite = sqlite3.connect(tmp_path / "s.db")
    psycopg = _psycopg()
    with psycopg.connect(pg_url) as conn:
        for table in ("studies", "trials", "intermediate", "attributes"):
            pg_cols = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND table_schema = current_schema() ORDER BY ordinal_position",
                    (table,),
                )
            ]
            lite_cols = [r[1] for r in lite.execute(f"PRAGMA table_info({table})")]
            assert pg_cols == lite_cols, table
    lite.close()


def test_url_forms_and_the_password_never_shows(pg_url):
    st = open_storage(pg_url.replace("postgresql://", "postgres://"))
    assert isinstance(st, PostgreSQLStorage)
    pw = _password(pg_url)
    assert pw and pw not in st.url and pw not in repr(st) and ":***@" in st.url
    assert redact("postgresql://me@h/db") == "postgresql://me@h/db"
    opt = Optimizer(SPACE, storage=pg_url + "&timeout=30", study="forms", seed=1)
    assert opt.storage._timeout == 30.0
    with pytest.raises(InputError, match="was created with another space") as err:
        Optimizer(Space({"x": Real(0.0, 2.0)}), storage=pg_url, study="forms")
    assert pw not in str(err.value)


@pytest.mark.parametrize(
    "url, words",
    [
        ("postgresql://me:s3cret@127.0.0.1:1/db", ["127.0.0.1:1", "refused"]),
        ("postgresql://me:s3cret@no-such-host.invalid/db", ["no-such-host.invalid"]),
    ],
)
def test_a_server_that_cannot_be_reached(url, words):
    _psycopg()
    with pytest.raises(StorageError) as err:
        open_storage(url)
    text = str(err.value)
    assert err.value.reason == "cannot connect" and err.value.operation == "open"
    assert "s3cret" not in text and "me:***@" in text and "Fix: " in text
    for w in words:
        assert w in text


def test_wrong_password_and_unknown_option(pg_url):
    pw = _password(pg_url)
    bad = pg_url.replace(f":{pw}@", ":not-the-password@")
    with pytest.raises(StorageError, match="password authentication failed") as err:
        open_storage(bad)
    assert "not-the-password" not in str(err.value)
    with pytest.raises(InputError, match="libpq") as err:
        open_storage(pg_url + "&no_such_option=1")
    assert pw not in str(err.value)
    with pytest.raises(InputError, match="mode=ro"):
        open_storage(pg_url + "&mode=rwc")


def test_a_password_given_as_a_parameter_never_shows(pg_url):
    from urllib.parse import urlsplit

    parts, pw = urlsplit(pg_url), _password(pg_url)
    query = f"{parts.query}&" if parts.query else ""
    as_param = (
        f"postgresql://{parts.hostname}:{parts.port}{parts.path}?{query}"
        f"user={parts.username}&password={pw}"
    )
    for spelling in (as_param, as_param.replace("password=", "pass%77ord=")):
        st = open_storage(spelling)
        assert pw not in st.url and pw not in repr(st) and "password=***" in st.url
    Optimizer(SPACE, storage=as_param, study="param-password", seed=0).ask()
    with pytest.raises(StorageError, match="password authentication failed") as err:
        open_storage(as_param.replace(f"password={pw}", "password=SECRETq"))
    assert "SECRETq" not in str(err.value) and "password=***" in str(err.value)


def test_every_spelling_of_a_password_is_masked():
    # libpq receives the keys and values as the URL parser decodes them
    from pyjl.bo.storage.postgresql_faults import passwords_of

    url = "postgresql://me:a1@h/db?pass%77ord=b+2&sslmode=require&password=c%263"
    assert redact(url) == "postgresql://me:***@h/db?password=***&sslmode=require&password=***"
    assert passwords_of(url) == ["a1", "b 2", "c&3"]
    assert redact("postgresql://h/db?user=me") == "postgresql://h/db?user=me"


def test_an_unencoded_at_in_the_password_is_refused_unread():
    _psycopg()
    with pytest.raises(InputError, match="percent-encode an '@'") as err:
        open_storage("postgresql://me:p@ssSECRET@127.0.0.1:1/db")
    assert "SECRET" not in str(err.value) and "me:***@" in str(err.value)


def test_a_nul_byte_in_an_error_is_stored_escaped_and_the_run_goes_on(pg_url):
    # the server's text cannot hold NUL: an objective's message may (binary output)
    from pyjl.bo import minimize

    def f(p):
        if p["x"] > 0.5:
            raise ValueError("bad\x00thing")
        return p["x"]

    res = minimize(f, SPACE, n_calls=6, storage=pg_url, study="nul", seed=0, progress=False)
    h = res.history
    assert len(h) == 6 and set(h["state"]) <= {"complete", "failed"}
    assert (h["state"] == "failed").any()
    assert set(h.loc[h["state"] == "failed", "error"]) == {"ValueError: bad\\x00thing"}


def test_without_psycopg_the_error_names_the_extra():
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from pyjl.bo.storage import open_storage\n"
        "try:\n    open_storage('postgresql://me:s3cret@127.0.0.1:1/db')\n"
        "except Exception as e:\n    print(type(e).__name__, e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.startswith("InputError `storage` must")
    assert "pyjl[postgresql]" in out.stdout and "s3cret" not in out.stdout


def test_report_and_intermediate_values_round_trip(pg_url):
    st = PostgreSQLStorage(pg_url)
    a = st.study("a", SPACE.to_json(), 1)["id"]
    b = st.study("b", SPACE.to_json(), 2)["id"]
    with st.transaction("ask"):
        n0 = st.add_trial(a, json.dumps({"x": 0.1, "y": 0.0}), "pending")
        n1 = st.add_trial(a, json.dumps({"x": 0.2, "y": 0.0}), "pending")
    for step, v in [(0, 0.9), (1, 0.7), (2, 0.5)]:
        st.report(a, n0, step, v)
    st.report(a, n1, 0, 0.95)
    st.report(a, n0, 1, 0.65)  # a step reported again replaces its value
    st.report(b, 0, 3, 1.5)
    st.finish(a, n0, "pruned", value=0.5)
    expected = {n0: {0: 0.9, 1: 0.65, 2: 0.5}, n1: {0: 0.95}}
    assert st.intermediate_values(a) == expected
    assert st.intermediate_values(b) == {0: {3: 1.5}}
    # another connection (another worker) sees them at once, with full float precision
    other = PostgreSQLStorage(pg_url)
    assert other.intermediate_values(a) == expected
    st.report(a, n1, 1, 1 / 3)
    assert other.intermediate_values(a)[n1][1] == 1 / 3
    assert [(t.state, t.value) for t in other.trials(a)] == [("pruned", 0.5), ("pending", None)]


def test_a_lock_held_too_long_keeps_the_value(pg_url):
    psycopg = _psycopg()
    opt = Optimizer(SPACE, storage=pg_url + "&timeout=0.3", study="lock", seed=0)
    p = opt.ask()
    holder = psycopg.connect(pg_url)  # another worker, stuck inside its write
    holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", (NAMESPACE, opt._study_id))
    try:
        with pytest.raises(StorageError) as err:
            opt.tell(p, 0.25)
        e = err.value
        assert e.reason == "locked" and e.operation == "tell"
        assert e.value == 0.25 and e.params == p and "timeout" in str(e)
        assert _password(pg_url) not in str(e)
    finally:
        holder.rollback()
        holder.close()
    opt.tell(e.params, e.value)  # the value carried by the error, stored once the lock is free
    assert [(t.state, t.value) for t in opt.trials] == [("complete", 0.25)]


def test_read_only_reads_and_refuses_writes(pg_url):
    with pytest.raises(InputError, match="holds pyjl studies"):
        open_storage(pg_url + "&mode=ro")  # nothing there yet
    opt = Optimizer(SPACE, storage=pg_url, study="ro", seed=0)
    opt.tell(opt.ask(), 0.5)
    ro = Optimizer(None, storage=pg_url + "&mode=ro", study="ro")
    assert ro.best[1] == 0.5 and ro.space == SPACE
    with pytest.raises(StorageError) as err:
        ro.tell({"x": 0.3, "y": 0.1}, 0.1)
    assert err.value.reason == "read-only" and err.value.value == 0.1
    assert [t.value for t in opt.trials] == [0.5]


def test_a_dropped_connection_is_reported_then_reopened(pg_url):
    psycopg = _psycopg()
    opt = Optimizer(SPACE, storage=pg_url, study="drop", seed=0)
    p = opt.ask()
    pid = opt.storage._conn().info.backend_pid
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(StorageError) as err:
        opt.tell(p, 0.75)
    assert err.value.reason == "cannot connect" and err.value.value == 0.75
    opt.tell(err.value.params, err.value.value)  # a new connection: the study goes on
    assert [(t.state, t.value) for t in opt.trials] == [("complete", 0.75)]


def test_after_a_dropped_connection_the_params_are_read_back(pg_url):
    # tell_trial knows only the trial's number: the params in the error are read back on
    # a new connection, and a handle reopened by URL in another process reports again
    import pickle

    psycopg = _psycopg()
    opt = Optimizer(SPACE, storage=pg_url, study="readback", seed=0)
    [(number, params)] = opt.ask_trials(1)
    pid = opt.storage._conn().info.backend_pid
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(StorageError) as err:
        opt.tell_trial(number, 0.25)
    assert err.value.reason == "cannot connect"
    assert (err.value.trial, err.value.params, err.value.value) == (number, params, 0.25)
    handle = pickle.loads(pickle.dumps(opt.handle(number, params)))
    handle.report(0, 0.5)
    opt.tell_trial(err.value.trial, err.value.value)
    assert [(t.state, t.value) for t in opt.trials] == [("complete", 0.25)]
    assert opt.intermediate_values() == {number: {0: 0.5}}
