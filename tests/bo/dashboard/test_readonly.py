"""The dashboard only reads: the storage is opened read-only (SQLite and PostgreSQL), the
file is unchanged after every endpoint was asked, a study being written is read
consistently, and a storage that cannot be opened or read is reported, never a 500."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pyjl.bo import Optimizer, serve
from pyjl.bo.dashboard import StudyReader
from pyjl.exceptions import InputError, StorageError

from .conftest import SPACE, get, objective, wait_for


def digest(path: str) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_no_endpoint_changes_the_file(study_db):
    before = digest(study_db)
    with serve(study_db, port=0, block=False) as b:
        for path in (
            "api/studies",
            "api/studies/demo",
            "api/studies/demo/trials",
            "api/studies/demo/posterior?param=x",
            "api/studies/demo/posterior?param=c",
            "api/studies/demo/importance",
            "api/studies/empty/posterior?param=x",
            "",
            "study/demo",
        ):
            urllib_status = get(b.url + path)[0] if path.startswith("api") else None
            assert urllib_status in (None, 200, 409)
    assert digest(study_db) == before


def test_the_storage_is_opened_read_only(storage_url):
    opt = Optimizer(SPACE, storage=storage_url, study="s", seed=0)
    opt.tell({"x": 0.1, "lr": 0.01, "k": 1, "c": "a"}, 1.0)
    reader = StudyReader(storage_url)
    try:
        assert reader.storage.read_only
        assert reader.trials("s")["n_trials"] == 1
        with pytest.raises(StorageError) as err:
            sid = reader.storage.study("s", None, 0)["id"]
            reader.storage.add_trial(sid, json.dumps({"x": 0.2}), "complete", value=2.0)
        assert err.value.reason == "read-only"
    finally:
        reader.close()
    assert len(opt.trials) == 1


def test_a_study_being_written_is_read_while_it_grows(tmp_path, writer):
    db = str(tmp_path / "live.db")
    proc = writer(db, "live", n_calls=16, sleep=0.05)
    assert wait_for(lambda: _has_study(db), timeout=60), proc.stdout.read().decode()
    with serve(db, port=0, block=False) as b:
        seen = []

        def poll(_):
            status, body = get(b.url + "api/studies/live/trials")
            assert status == 200, body
            seen.append(body["n_trials"])
            return status

        with ThreadPoolExecutor(4) as pool:
            while proc.poll() is None:
                assert set(pool.map(poll, range(8))) == {200}
        assert proc.returncode == 0, proc.stdout.read().decode()
        time.sleep(0.3)  # past the reader's refresh interval
        _, body = get(b.url + "api/studies/live/trials")
    rows = _rows(db)
    assert [(t["number"], t["state"], t["value"]) for t in body["trials"]] == rows
    assert len(set(seen)) > 1  # it was read while it grew


def _has_study(db: str) -> bool:
    try:
        conn = sqlite3.connect(db)
        try:
            return conn.execute("SELECT COUNT(*) FROM trials").fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _rows(db: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT number, state, value FROM trials ORDER BY number").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda d: str(d / "missing.db"), "must name an existing file"),
        (lambda d: str(d / "no-folder" / "s.db"), "folder that exists"),
        (lambda d: _write(d / "text.db", b"not a database" * 100), "SQLite database file"),
        (lambda d: _empty_sqlite(d / "other.db"), "must hold pyjl studies"),
        (lambda d: "mysql://host/db", "must be None, 'sqlite:///file.db'"),
    ],
)
def test_a_storage_that_cannot_be_opened_is_refused_clearly(tmp_path, make, words):
    with pytest.raises(InputError, match="storage") as err:
        serve(make(tmp_path), port=0, block=False)
    assert words in str(err.value)


def _write(path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def _empty_sqlite(path) -> str:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE x (a)")
    conn.commit()
    conn.close()
    return str(path)


def test_a_storage_that_breaks_while_served_is_a_503_with_a_message(tmp_path, writer):
    db = str(tmp_path / "s.db")
    assert writer(db, "s", n_calls=5, sleep=0.0).wait(timeout=120) == 0  # closed when done
    with serve(db, port=0, block=False) as b:
        assert get(b.url + "api/studies/s/trials")[0] == 200
        for path in (db, db + "-wal"):  # the file is damaged under the server
            if os.path.exists(path):
                os.truncate(path, 0)
        time.sleep(0.3)  # past the reader's refresh interval
        status, body = get(b.url + "api/studies/s/trials")
    assert status == 503 and "damaged" in body["error"] and "Traceback" not in body["error"]


def test_cli_serves_until_interrupted_and_refuses_a_bad_url(study_db, tmp_path):
    import signal

    # Ctrl-C's handler set in the child: a test run in the background (nohup, `&`)
    # hands its children SIGINT ignored, and Python then keeps it ignored
    main = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
        " sys.argv[0] = 'pyjl'; runpy.run_module('pyjl.cli', run_name='__main__')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", main, "study", "serve", study_db, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = line.split(" at ")[1].split()[0]
        status, body = get(url + "api/studies")
        assert status == 200 and {s["name"] for s in body["studies"]} == {"demo", "empty"}
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    bad = subprocess.run(
        [sys.executable, "-m", "pyjl.cli", "study", "serve", str(tmp_path / "nope.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "must name an existing file" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_serve_without_plotly_says_how_to_install_it(study_db, monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly", None)
    with pytest.raises(InputError, match=r'pip install "pyjl\[dashboard\]"'):
        serve(study_db, port=0, block=False)


def test_objective_fixture_fails_as_documented():
    with pytest.raises(RuntimeError):
        objective({"x": 0.0, "lr": 0.1, "k": 4, "c": "a"})


def test_a_host_that_does_not_resolve_is_named_as_the_host(study_db):
    # getaddrinfo's error is about the host, not the port
    with pytest.raises(InputError, match="`host` must be an address"):
        serve(study_db, host="256.1.1.1", port=0, block=False)


def test_an_address_of_another_machine_is_named_as_the_host(study_db):
    # 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface here: bind fails with
    # EADDRNOTAVAIL, which is about the host, whatever the port
    with pytest.raises(InputError, match="`host` must be an address or name of this machine"):
        serve(study_db, host="192.0.2.1", port=0, block=False)
