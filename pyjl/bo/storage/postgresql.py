"""Trials in a PostgreSQL database shared by workers on several machines.

:class:`PostgreSQLStorage` keeps the tables of :class:`~pyjl.bo.storage.SQLiteStorage`
(``studies``, ``trials``, ``intermediate``, ``attributes``; the same columns and states,
``REAL`` as ``DOUBLE PRECISION``) and gives the same guarantees, through psycopg 3 (the
optional extra ``pip install 'pyjl[postgresql]'``):

* every state change is committed when it happens (each connection is in autocommit
  mode; a write is one short transaction);
* one writer per study at a time: every write, and every read inside a write (``ask``
  reads the trials, pending ones included, and adds its own), first takes the
  transaction-level advisory lock ``pg_advisory_xact_lock(0x70796A6C, study_id)``.  An
  advisory lock, not ``SELECT ... FOR UPDATE`` on the study row: it is taken the same way
  by every write (``ask``, ``tell``, ``heartbeat``, ``report``), holds no row of a table
  that readers (``pyjl study show``) or other studies use, and is released by the server
  when the transaction ends or the connection of a killed worker drops.  So no two
  workers are handed the same point, and a worker that reaps a silent worker's trial
  never overwrites a value told at the same moment;
* a lock held past ``?timeout=SECONDS`` (default 120; PostgreSQL's ``lock_timeout``), a
  full disk, a read-only server or a lost connection raise
  :class:`~pyjl.exceptions.StorageError` naming the storage (its URL without the
  password), the operation and the fix, carrying the evaluated values the write was
  storing (as :class:`~pyjl.bo.storage.faults.FaultReports` does for SQLite).

The URL is libpq's: ``postgresql://user:password@host:port/dbname?sslmode=require``
(``postgres://`` too; every libpq parameter is passed on, ``connect_timeout`` defaults to
10 s), plus pyjl's ``timeout=`` and ``mode=ro`` (read only).

>>> PostgreSQLStorage("postgresql://me:s3cret@127.0.0.1:1/db")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyjl.exceptions.StorageError: storage postgresql://me:***@127.0.0.1:1/db: cannot connect to ...
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..._validate import error as _input_error
from ..trial import TrialState
from .postgresql_faults import PostgreSQLFaults, _psycopg, passwords_of, redact
from .sql import SQLTrials, check_own_tables

__all__ = ["PostgreSQLStorage", "redact"]

_NAMESPACE = 0x70796A6C  # "pyjl": the first key of every advisory lock pyjl takes
_SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, space TEXT NOT NULL,
    seed BIGINT, created DOUBLE PRECISION NOT NULL, settings TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS trials (
    id BIGSERIAL PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES studies(id),
    number INTEGER NOT NULL, params TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ({states})),
    value DOUBLE PRECISION, noise_var DOUBLE PRECISION, error TEXT,
    created DOUBLE PRECISION NOT NULL, finished DOUBLE PRECISION,
    worker TEXT, heartbeat DOUBLE PRECISION, UNIQUE (study_id, number));
CREATE TABLE IF NOT EXISTS intermediate (
    study_id INTEGER NOT NULL, number INTEGER NOT NULL, step INTEGER NOT NULL,
    value DOUBLE PRECISION NOT NULL, PRIMARY KEY (study_id, number, step));
CREATE TABLE IF NOT EXISTS attributes (
    study_id INTEGER NOT NULL, number INTEGER NOT NULL, key TEXT NOT NULL,
    value TEXT NOT NULL, PRIMARY KEY (study_id, number, key));
""".replace("{states}", ", ".join(f"'{s.value}'" for s in TrialState))


class PostgreSQLStorage(PostgreSQLFaults, SQLTrials):
    """Trials in a PostgreSQL database (each change committed when it happens).

    Parameters
    ----------
    url : str
        ``postgresql://user:password@host:port/dbname?params`` (libpq's URL; pyjl's own
        ``timeout=SECONDS`` and ``mode=ro`` too).  ``url`` (the attribute) is it without
        the password.
    """

    _UPSERT_INTERMEDIATE = (
        "INSERT INTO intermediate (study_id, number, step, value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (study_id, number, step) DO UPDATE SET value = EXCLUDED.value"
    )
    _UPSERT_ATTRIBUTE = (
        "INSERT INTO attributes (study_id, number, key, value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (study_id, number, key) DO UPDATE SET value = EXCLUDED.value"
    )

    def _sql(self, query: str) -> str:
        return query.replace("?", "%s")

    def _encode(self, state: str, error: str | None) -> tuple[str, str | None]:
        """``(state, error)`` as the server keeps them: its text cannot hold a NUL byte,
        which an objective's message may (decoded binary output), so it is written
        ``\\x00``."""
        state, error = super()._encode(state, error)
        return state, None if error is None else error.replace("\x00", "\\x00")

    def __reduce__(self):
        """Pickled as where it is (with an ``Optimizer`` sent to another process): the
        copy connects to the same database (the URL travels whole, as a trial handle's)."""
        return (type(self), (self._reopen_url,))

    def __init__(self, url: str):
        from .url import parse

        self._pg = _psycopg()
        _, conninfo, options = parse(url)
        self._timeout = float(options.get("timeout", 120.0))
        self.read_only = bool(options.get("read_only", False))
        self.url = redact(url)
        if urlsplit(url).netloc.count("@") > 1:  # libpq would read part of it as the host
            raise _input_error(
                "storage",
                "must percent-encode an '@' in its user name or password",
                repr(self.url),
                "write each @ in the password as %40",
            )
        self._reopen_url = url  # for a trial handle sent to a worker process; never shown
        self.path = self.url
        self._passwords = passwords_of(url)
        try:
            params = self._pg.conninfo.conninfo_to_dict(conninfo)
        except self._pg.ProgrammingError as exc:
            raise _input_error(
                "storage",
                "must be a PostgreSQL URL that libpq reads",
                f"{self.url!r} ({self._scrub(exc)})",
                "use postgresql://user:password@host:port/dbname with libpq's parameters",
            ) from None
        self._where = f"{params.get('host') or 'the local socket'}:{params.get('port') or 5432}"
        self._conninfo = conninfo
        self._connect_args = {} if "connect_timeout" in params else {"connect_timeout": 10}
        self._lock = threading.RLock()
        self._local = threading.local()
        self._depth = 0
        self._held: set[int] = set()  # the studies locked by the open transaction
        self._owner = 0  # the thread of the open transaction
        with self._guard("open"):
            conn = self._conn()
            found = conn.execute(
                "SELECT to_regclass('intermediate'), to_regclass('attributes')"
            ).fetchone()
            columns: dict[str, set[str]] = {}
            for table, column in conn.execute(  # in the schemas of the search path
                "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c "
                "ON a.attrelid = c.oid WHERE c.oid IN (to_regclass('studies'), "
                "to_regclass('trials')) AND a.attnum > 0 AND NOT a.attisdropped"
            ):
                columns.setdefault(table, set()).add(column)
        check_own_tables(columns, repr(self.url))
        if found[0] is None and self.read_only:
            raise _input_error(
                "storage",
                "must name a database that holds pyjl studies when opened with mode=ro",
                repr(self.url),
                "check the database name and the schema (search_path) of the URL",
            )
        if found[0] is None or (found[1] is None and not self.read_only):
            with self.transaction("open"):
                conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_NAMESPACE,))
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
        #: a read-only database written before trial attributes reads as none stored
        self._attributes = found[1] is not None or not self.read_only

    # --- connections ---------------------------------------------------------------
    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is not None and (conn.closed or self._local.pid != os.getpid()):
            conn = None  # lost, or inherited from the parent of a forked worker
        if conn is None:
            conn = self._pg.connect(self._conninfo, autocommit=True, **self._connect_args)
            conn.execute(f"SET lock_timeout = {int(self._timeout * 1000)}")
            if self.read_only:
                conn.execute("SET default_transaction_read_only = on")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    # --- transactions and records ------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, operation: str | None = None) -> Iterator[None]:
        """One transaction (``BEGIN`` ... ``COMMIT``); the studies it touches are locked
        for its length.  ``operation`` names it in a :class:`StorageError`."""
        with self._lock:
            state = self._state()
            if self._depth:
                if operation is not None and not state.labelled:
                    state.op = operation
                self._depth += 1
                try:
                    with self._guard("write"):
                        yield
                finally:
                    self._depth -= 1
                return
            state.op, state.labelled = operation, operation is not None
            try:
                with self._guard("write"):
                    with self._conn().transaction():
                        self._depth, self._held = 1, set()
                        self._owner = threading.get_ident()
                        try:
                            yield
                        finally:
                            self._depth, self._held = 0, set()
            finally:
                state.op = None

    def _for_study(self, study_id: int) -> Any:
        """This thread's connection, holding study ``study_id``'s lock when in a write."""
        conn = self._conn()
        if self._depth and self._owner == threading.get_ident() and study_id not in self._held:
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_NAMESPACE, study_id))
            self._held.add(study_id)
        return conn

    def __repr__(self) -> str:
        return f"PostgreSQLStorage({self.url!r})"
