"""A study file's schema as pyjl wrote it before ``abandoned`` and pruning: no
``intermediate`` table, and a CHECK that only accepts three states."""

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
