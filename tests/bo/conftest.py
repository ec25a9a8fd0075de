"""Storage fixtures: ``storage_url`` runs a test on SQLite (a file) and on PostgreSQL (a
fresh schema of the live server that ``PYJL_TEST_POSTGRESQL`` names; ``.ci/postgres.sh
start`` runs one), ``pg_url`` on PostgreSQL only, ``raw_trials`` reads a study's rows
without pyjl.  Without the variable, psycopg or a server that answers, the PostgreSQL
runs skip with the reason."""

from __future__ import annotations

import functools
import os
import sqlite3
import uuid

import pytest

PG_ENV = "PYJL_TEST_POSTGRESQL"
_COLUMNS = "number, params, state, value, noise_var, error"


@functools.cache
def _pg_unavailable() -> str | None:
    """Why the PostgreSQL runs skip, or None when the server answers."""
    url = os.environ.get(PG_ENV)
    if not url:
        return f"{PG_ENV} is not set (bash .ci/postgres.sh start prints it)"
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'pyjl[postgresql]')"
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as exc:
        why = " ".join(str(exc).split())
        password = psycopg.conninfo.conninfo_to_dict(url).get("password")
        why = why.replace(password, "***") if password else why
        return f"the server of {PG_ENV} does not answer: {why}"
    return None


def _with_option(url: str, key: str, value: str) -> str:
    return url + ("&" if "?" in url else "?") + f"{key}={value}"


@pytest.fixture
def pg_url(request):
    """A PostgreSQL URL whose tables go into a fresh schema, dropped after the test."""
    reason = _pg_unavailable()
    if reason is not None:
        pytest.skip(f"PostgreSQL: {reason}")
    import psycopg

    base = os.environ[PG_ENV]
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield _with_option(base, "options", f"-csearch_path%3D{schema}")
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            # end the connections a killed worker left behind before dropping its tables
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                "AND state = 'idle in transaction'"
            )
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_url(request, tmp_path):
    """The URL of an empty study storage: an SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'study.db'}"
    return request.getfixturevalue("pg_url")


def _raw(url: str) -> list[tuple]:
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if not os.path.exists(path):
            return []
        conn = sqlite3.connect(path, timeout=30)
        try:
            return conn.execute(f"SELECT {_COLUMNS} FROM trials ORDER BY number").fetchall()
        except sqlite3.OperationalError:  # the schema is not created yet
            return []
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('trials')").fetchone()[0] is None:
            return []
        return conn.execute(f"SELECT {_COLUMNS} FROM trials ORDER BY study_id, number").fetchall()


@pytest.fixture
def raw_trials():
    """``raw_trials(url)``: the rows ``(number, params, state, value, noise_var, error)`` of
    every trial, read with sqlite3 or psycopg (not pyjl); ``[]`` before the tables exist."""
    return _raw
