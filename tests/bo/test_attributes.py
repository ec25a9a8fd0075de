"""Trial attributes (JSON values kept with a trial, as BayesSearchCV's fold records):
round trips on memory, SQLite and PostgreSQL, and study files written before the table
existed -- before pruning, or with pruning but before attributes -- get it on open,
losing nothing; opened read-only they read as none stored."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest

from pyjl.bo import Optimizer
from pyjl.bo.storage import SQLiteStorage, open_storage

from ._old_schema import write_old_study

SPACE_JSON = '{"x": {"type": "real", "low": 0, "high": 1, "log": false}}'
RECORDS = [
    {"test": {"score": 0.9}, "train": None, "fit_time": 0.01, "error": None},
    {"test": {"score": math.nan}, "train": None, "fit_time": 0.02, "error": "Traceback..."},
]


@pytest.mark.parametrize("where", ["memory", "sqlite", "postgresql"])
def test_attributes_round_trip(where, tmp_path, request):
    if where == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = None if where == "memory" else f"sqlite:///{tmp_path / 's.db'}"
    st = open_storage(url)
    sid = st.study("s", SPACE_JSON, 0)["id"]
    other = st.study("t", SPACE_JSON, 0)["id"]
    for _ in range(3):
        st.add_trial(sid, '{"x": 0.5}', "pending")
    st.add_trial(other, '{"x": 0.5}', "pending")
    assert st.attributes(sid) == {}
    st.set_attributes(sid, 2, {"folds": RECORDS, "note": "a"})
    st.set_attributes(sid, 0, {"note": "b"})
    st.set_attributes(sid, 2, {"note": "c"})  # replaces that key only
    st.set_attributes(other, 0, {"note": "other study"})
    got = st.attributes(sid)
    assert list(got) == [0, 2] and got[0] == {"note": "b"} and got[2]["note"] == "c"
    folds = got[2]["folds"]
    assert math.isnan(folds[1]["test"]["score"])  # NaN survives (json writes it as NaN)
    assert json.dumps(folds) == json.dumps(RECORDS)
    if url is not None:  # another connection reads the same
        assert open_storage(url).attributes(other) == {0: {"note": "other study"}}


def _tables(path):
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    return names


@pytest.mark.parametrize("drop", ["intermediate", "attributes"])
def test_older_files_get_the_table_on_open(tmp_path, drop):
    path = str(tmp_path / "old.db")
    # with intermediate: a file written with pruning, before attributes
    write_old_study(path, SPACE_JSON, 0, intermediate=drop == "attributes")
    ro = SQLiteStorage(path, read_only=True)
    assert ro.attributes(1) == {} and "attributes" not in _tables(path)
    ro.close()
    opt = Optimizer(None, storage=path, study="old")
    assert {"intermediate", "attributes"} <= _tables(path)
    opt.storage.set_attributes(1, 0, {"k": [1, 2]})
    assert opt.storage.attributes(1) == {0: {"k": [1, 2]}}
    assert opt.trials[0].value == 0.5  # nothing stored before is lost
    if drop == "attributes":
        assert opt.intermediate_values() == {0: {3: 0.7}}
