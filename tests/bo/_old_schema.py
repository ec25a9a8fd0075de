"""A study file's schema as pyjl wrote it before ``abandoned`` and pruning: no
``intermediate`` table, and a CHECK that only accepts three states."""

import json
import sqlite3

OLD_SCHEMA = """
CREATE TABLE studies (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, space TEXT NOT NULL,
    seed INTEGER, created REAL NOT NULL, settings TEXT NOT NULL DEFAULT '{}');
CREATE TABLE trials (
    id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES studies(id),
    number INTEGER NOT NULL, params TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'complete', 'failed')),
    value REAL, noise_var REAL, error TEXT, created REAL NOT NULL, finished REAL,
    worker TEXT, heartbeat REAL, UNIQUE (study_id, number));
"""


def write_old_study(path: str, space_json: str, seed: int, *, intermediate: bool = False):
    """Write ``path`` in :data:`OLD_SCHEMA` with study ``'old'`` (id 1) holding one
    complete trial (``x = 0.5``, value 0.5).  ``intermediate``: as pyjl wrote it with
    pruning but before trial attributes -- the ``intermediate`` table, holding 0.7 at
    step 3 of trial 0."""
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    if intermediate:
        conn.execute(
            "CREATE TABLE intermediate (study_id INTEGER NOT NULL, number INTEGER NOT NULL, "
            "step INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (study_id, number, step))"
        )
        conn.execute("INSERT INTO intermediate VALUES (1, 0, 3, 0.7)")
    conn.execute(
        "INSERT INTO studies (name, space, seed, created) VALUES ('old', ?, ?, 0)",
        (space_json, seed),
    )
    conn.execute(
        "INSERT INTO trials (study_id, number, params, state, value, created, finished) "
        "VALUES (1, 0, ?, 'complete', 0.5, 0, 1)",
        (json.dumps({"x": 0.5}),),
    )
    conn.commit()
    conn.close()
