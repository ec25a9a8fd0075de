"""Trials in an SQLite file shared by the processes of one host.

:class:`SQLiteStorage` commits every state change as it happens, in WAL mode
(readers never block the writer), so a killed process loses nothing that it
had reported.  ``ask`` runs inside ``BEGIN IMMEDIATE`` (:meth:`~SQLiteStorage.transaction`):
one asker at a time sees every trial, pending ones included, and adds its own
before the lock is released, so two workers are never handed the same point.
No pickle: parameters, spaces and settings are stored as JSON text.

WAL needs shared memory, so all processes must run on one host; for a study
shared by several machines over a network file system, use
``sqlite:///path.db?journal_mode=DELETE`` (rollback journal and file locks).

A full disk, a read-only file and a lock held past the timeout raise
:class:`~pyjl.exceptions.StorageError` naming the storage, the operation and the
fix; a value that could not be stored is logged (logger ``pyjl.bo``, ERROR) with
its trial number and parameters and carried by the error.  A read-only file (or
``?mode=ro``) can still be read: ``pyjl study show``, ``Optimizer(...).trials``.

A file created before ``abandoned`` and ``pruned`` were trial states only accepts
``pending``, ``complete`` and ``failed``; such a trial is written there the old way,
``failed`` with its state as the prefix of the error (``"abandoned: interrupted"``),
and read back in its state (:func:`pyjl.bo.trial.decode_state`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from urllib.parse import quote

from ..._validate import describe
from ..._validate import error as _input_error
from ...exceptions import StorageError
from ..trial import TrialState
from .faults import REASONS, FaultReports
from .sql import PYJL_COLUMNS, SQLTrials, check_own_tables

__all__ = ["SQLiteStorage"]

#: the states a file created before ``abandoned`` and ``pruned`` accepts
_LEGACY_STATES = ("pending", "complete", "failed")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, space TEXT NOT NULL,
    seed INTEGER, created REAL NOT NULL, settings TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS trials (
    id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES studies(id),
    number INTEGER NOT NULL, params TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ({states})),
    value REAL, noise_var REAL, error TEXT, created REAL NOT NULL, finished REAL,
    worker TEXT, heartbeat REAL, UNIQUE (study_id, number));
CREATE TABLE IF NOT EXISTS intermediate (
    study_id INTEGER NOT NULL, number INTEGER NOT NULL, step INTEGER NOT NULL,
    value REAL NOT NULL, PRIMARY KEY (study_id, number, step));
CREATE TABLE IF NOT EXISTS attributes (
    study_id INTEGER NOT NULL, number INTEGER NOT NULL, key TEXT NOT NULL,
    value TEXT NOT NULL, PRIMARY KEY (study_id, number, key));
""".replace("{states}", ", ".join(f"'{s.value}'" for s in TrialState))
#: the tables of that schema: a file holding other tables and none of these is another
#: program's database, which pyjl leaves as it is
_OWN_TABLES = ("studies", "trials", "intermediate", "attributes")


class SQLiteStorage(FaultReports, SQLTrials):
    """Trials in an SQLite file (WAL mode, each change committed when it happens).

    ``read_only=True`` (URL ``?mode=ro``) opens it for reading only; a file that this
    process cannot write is opened read-only by itself.
    """

    _UPSERT_INTERMEDIATE = (
        "INSERT OR REPLACE INTO intermediate (study_id, number, step, value) VALUES (?, ?, ?, ?)"
    )
    _UPSERT_ATTRIBUTE = (
        "INSERT OR REPLACE INTO attributes (study_id, number, key, value) VALUES (?, ?, ?, ?)"
    )

    def __reduce__(self):
        """Pickled as where it is (with an ``Optimizer`` sent to another process): the
        copy opens the same file, with the same options."""
        return (type(self), (self.path, self._journal, self._timeout, self.read_only))

    def __init__(
        self, path: str, journal_mode: str = "WAL", timeout: float = 120.0, read_only: bool = False
    ):
        if path in ("", ":memory:"):
            raise _input_error(
                "path",
                "must name a file: an SQLite in-memory database lives in one connection, "
                "and pyjl opens one per thread and per process",
                describe(path),
                "pass storage=None (or MemoryStorage()) for an in-memory study",
            )
        # absolute now: a copy in another thread, process or directory opens this file
        self.path = path = os.path.abspath(path)
        self._journal = journal_mode.upper()
        options = (
            [f"journal_mode={self._journal}"] * (self._journal != "WAL")
            + [f"timeout={timeout:g}"] * (timeout != 120.0)
            + ["mode=ro"] * bool(read_only)
        )
        query = "?" + "&".join(options) if options else ""
        self.url = f"sqlite:///{path}" + query
        #: the URL another process reopens it by (a TrialHandle sent to a pool): the path
        #: quoted, so that a '#', '?' or '%' in it reads back as itself
        self._reopen_url = f"sqlite:///{quote(path, safe='/')}" + query
        if self._journal not in ("WAL", "DELETE", "TRUNCATE", "PERSIST"):
            raise _input_error(
                "journal_mode",
                "must be WAL, DELETE, TRUNCATE or PERSIST",
                describe(journal_mode),
                "use WAL (one host) or DELETE (network file systems)",
            )
        self._timeout = timeout
        self.read_only = bool(read_only)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._depth = 0
        self._journal_set = False  # set once the file is known to be pyjl's (or new)
        with self._guard("open"):
            conn = self._conn()
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            columns = {  # table names are pyjl's own literals here, not input
                t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")}
                for t in PYJL_COLUMNS
                if t in tables
            }
        check_own_tables(columns, describe(self.url))
        others = sorted(t for t in tables - set(_OWN_TABLES) if not t.startswith("sqlite_"))
        if others and not {"studies", "trials"} & tables and not self.read_only:
            raise _input_error(  # another program's database: pyjl adds nothing to it
                "storage",
                "must be a new file or one that holds pyjl studies",
                f"{describe(self.url)}, a database of other tables ({', '.join(others[:5])}"
                f"{', ...' if len(others) > 5 else ''})",
                "give pyjl a file of its own; nothing was written to this one",
            )
        if getattr(self._local, "writable", False):
            # only now: switching another program's file to WAL rewrites its header
            with self._guard("open"):
                mode = conn.execute(f"PRAGMA journal_mode = {self._journal}").fetchone()[0]
            self.journal_mode = str(mode).upper()
            self._journal_set = True
        if not {"studies", "trials"} <= tables:
            if self.read_only:
                raise _input_error(
                    "storage",
                    "must hold pyjl studies when opened with mode=ro",
                    describe(self.url),
                    "pass the storage URL that `pyjl tune` or minimize(storage=...) wrote to",
                )
            # creating the schema is idempotent; serialise it against other processes
            with self.transaction("open"):
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
        elif not {"intermediate", "attributes"} <= tables and not self.read_only:
            # a file written before pruning (or before trial attributes): add the tables
            try:
                with self.transaction("open"):
                    for stmt in _SCHEMA.split(";")[2:4]:
                        conn.execute(stmt)
            except StorageError as exc:
                if exc.reason != "read-only":
                    raise
        with self._guard("open"):
            #: whether the file has the tables of intermediate values and of trial
            #: attributes (a read-only older file may lack them: it reads as none stored)
            found = {
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE name IN ('intermediate', 'attributes')"
                )
            }
            self._intermediate, self._attributes = "intermediate" in found, "attributes" in found
        with self._guard("open"):
            schema = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'trials'"
            ).fetchone()
        #: whether the file predates the states beyond pending / complete / failed
        self.legacy_states = schema is not None and "'abandoned'" not in schema[0]

    def _encode(self, state: str, error: str | None) -> tuple[str, str | None]:
        """``(state, error)`` as this file keeps them (see the module docstring)."""
        state = TrialState(state).value
        if self.legacy_states and state not in _LEGACY_STATES:
            return TrialState.FAILED.value, f"{state}: {error or ''}"
        return state, error

    def _connect(self, mode: str | None) -> sqlite3.Connection:
        target, uri = self.path, False
        if mode is not None:
            target, uri = f"file:{quote(os.path.abspath(self.path))}?{mode}", True
        conn = sqlite3.connect(
            target, timeout=self._timeout, isolation_level=None, check_same_thread=False, uri=uri
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
        return conn

    def _open(self) -> sqlite3.Connection:
        """A connection, read-write if possible; read-only when the file or its folder is."""
        modes: list[str | None] = ["mode=ro", "mode=ro&immutable=1"] if self.read_only else [None]
        if (
            not self.read_only
            and os.path.isfile(self.path)
            and not (
                os.access(self.path, os.W_OK)
                and os.access(os.path.dirname(os.path.abspath(self.path)), os.W_OK)
            )
        ):
            modes += ["mode=ro", "mode=ro&immutable=1"]
        for i, mode in enumerate(modes):
            conn = None
            try:
                conn = self._connect(mode)
                if mode is None:
                    if self._journal_set:
                        conn.execute(f"PRAGMA journal_mode = {self._journal}")
                    conn.execute("PRAGMA synchronous = FULL")
                self._local.writable = mode is None
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as exc:
                if conn is not None:
                    conn.close()
                if i == len(modes) - 1 or (exc.sqlite_errorcode & 0xFF) not in (8, 14):
                    raise
        raise AssertionError("unreachable")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            directory = os.path.dirname(os.path.abspath(self.path))
            if not os.path.isdir(directory):
                raise _input_error(
                    "storage",
                    "must be a file in a folder that exists",
                    describe(self.url),
                    f"create the folder {directory} first",
                )
            if self.read_only and not os.path.isfile(self.path):
                raise _input_error(
                    "storage",
                    "must name an existing file when opened with mode=ro",
                    describe(self.url),
                    "check the path",
                )
            try:
                conn = self._open()
            except sqlite3.DatabaseError as exc:
                if REASONS.get(getattr(exc, "sqlite_errorcode", 0) & 0xFF) == "damaged":
                    raise _input_error(
                        "storage",
                        "must be an SQLite database file",
                        f"{self.url!r} ({exc})",
                        "point it at a study file that pyjl wrote, or at a new path",
                    ) from None
                raise
            self.journal_mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).upper()
            self._local.conn = conn
        return conn

    def _state(self) -> threading.local:
        """This thread's open write: ``op`` (its operation), ``labelled`` (named by its
        outermost caller), ``unsaved`` (values being stored: [study, number, params, value])."""
        local = self._local
        if not hasattr(local, "unsaved"):
            local.op, local.labelled, local.unsaved = None, False, []
        return local

    def _rollback(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                conn.execute("ROLLBACK")

    # --- transactions and records ------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, operation: str | None = None) -> Iterator[None]:
        """One writer at a time across processes (``BEGIN IMMEDIATE`` ... ``COMMIT``);
        ``operation`` (``"ask"``, ``"tell"``, ...) names it in a :class:`StorageError`."""
        with self._lock:
            state = self._state()
            if self._depth:
                if operation is not None and not state.labelled:
                    state.op = operation  # the last labelled step names the whole write
                self._depth += 1
                try:
                    with self._guard("write"):  # here, while the values are kept
                        yield
                finally:
                    self._depth -= 1
                return
            state.op, state.labelled = operation, operation is not None
            try:
                with self._guard("write"):
                    conn = self._conn()
                    conn.execute("BEGIN IMMEDIATE")
                    self._depth = 1
                    try:
                        yield
                    except BaseException:
                        self._rollback(conn)
                        raise
                    finally:
                        self._depth = 0
                    try:
                        conn.execute("COMMIT")
                    except BaseException:
                        self._rollback(conn)
                        raise
            finally:
                state.op = None
