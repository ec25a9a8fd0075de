"""Where a study's trials live: in memory, or in an SQLite file shared by processes.

A *study* has a name, a space (JSON) and a seed; a *trial* has a number (0, 1,
... within its study), its parameters (JSON), a state (``pending`` →
``complete`` | ``failed``), a value and optional noise variance, an error
text, timestamps and the worker (``host:pid``) that asked for it.

:class:`SQLiteStorage` commits every state change as it happens, in WAL mode
(readers never block the writer), so a killed process loses nothing that it
had reported.  ``ask`` runs inside ``BEGIN IMMEDIATE`` (:meth:`transaction`):
one asker at a time sees every trial, pending ones included, and adds its own
before the lock is released, so two workers are never handed the same point.
No pickle: parameters, spaces and settings are stored as JSON text.

WAL needs shared memory, so all processes must run on one host; for a study
shared by several machines over a network file system, use
``sqlite:///path.db?journal_mode=DELETE`` (rollback journal and file locks).

>>> st = open_storage(None)
>>> sid = st.study("demo", '{"x": {"type": "real", "low": 0, "high": 1, "log": false}}', 7)["id"]
>>> with st.transaction():
...     n = st.add_trial(sid, '{"x": 0.5}', "pending")
>>> st.finish(sid, n, "complete", value=1.5)
>>> [(t.number, t.state, t.value) for t in st.trials(sid)]
[(0, 'complete', 1.5)]
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import socket
import sqlite3
import threading
import time
from typing import Iterator
from urllib.parse import parse_qs, unquote, urlparse

from ..exceptions import InputError

__all__ = ["Trial", "MemoryStorage", "SQLiteStorage", "open_storage", "worker_id"]

STATES = ("pending", "complete", "failed")
ABANDONED = "abandoned: "


def worker_id() -> str:
    """``host:pid`` of this process (stored with each trial it asks for)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclasses.dataclass
class Trial:
    number: int
    params: dict
    state: str
    value: float | None = None
    noise_var: float | None = None
    error: str | None = None
    created: float | None = None
    finished: float | None = None
    worker: str | None = None
    heartbeat: float | None = None

    @property
    def abandoned(self) -> bool:
        return self.state == "failed" and (self.error or "").startswith(ABANDONED)


class MemoryStorage:
    """Trials in this process's memory (the default: ``storage=None``)."""

    url = "memory"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._studies: dict[str, dict] = {}
        self._trials: dict[int, list[Trial]] = {}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            yield

    def study(self, name: str, space_json: str | None, seed: int | None,
              settings: str = "{}") -> dict:
        """Return the study ``name``, creating it when it is new and ``space_json`` is given."""
        with self._lock:
            if name not in self._studies:
                if space_json is None:
                    raise InputError(f"study={name!r} does not exist in {self.url}; give a "
                                     "space to create it")
                sid = len(self._studies) + 1
                self._studies[name] = {"id": sid, "name": name, "space": space_json,
                                       "seed": seed, "created": time.time(),
                                       "settings": settings}
                self._trials[sid] = []
            return dict(self._studies[name])

    def studies(self) -> list[dict]:
        with self._lock:
            return [dict(s, n_trials=len(self._trials[s["id"]])) for s in self._studies.values()]

    def trials(self, study_id: int) -> list[Trial]:
        with self._lock:
            return [dataclasses.replace(t, params=dict(t.params)) for t in self._trials[study_id]]

    def add_trial(self, study_id: int, params_json: str, state: str, value: float | None = None,
                  noise_var: float | None = None, error: str | None = None,
                  worker: str | None = None) -> int:
        with self._lock:
            trials = self._trials[study_id]
            now = time.time()
            t = Trial(len(trials), json.loads(params_json), state, value, noise_var, error, now,
                      None if state == "pending" else now, worker, now)
            trials.append(t)
            return t.number

    def finish(self, study_id: int, number: int, state: str, value: float | None = None,
               noise_var: float | None = None, error: str | None = None) -> None:
        with self._lock:
            t = self._trials[study_id][number]
            t.state, t.value, t.noise_var, t.error = state, value, noise_var, error
            t.finished = time.time()

    def heartbeat(self, study_id: int, numbers: list[int]) -> None:
        with self._lock:
            for n in numbers:
                self._trials[study_id][n].heartbeat = time.time()

    def close(self) -> None:
        pass


_SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, space TEXT NOT NULL,
    seed INTEGER, created REAL NOT NULL, settings TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS trials (
    id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES studies(id),
    number INTEGER NOT NULL, params TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'complete', 'failed')),
    value REAL, noise_var REAL, error TEXT, created REAL NOT NULL, finished REAL,
    worker TEXT, heartbeat REAL, UNIQUE (study_id, number));
"""


class SQLiteStorage:
    """Trials in an SQLite file (WAL mode, each change committed when it happens)."""

    def __init__(self, path: str, journal_mode: str = "WAL", timeout: float = 120.0):
        self.path = path
        self.url = f"sqlite:///{path}"
        self._journal = journal_mode.upper()
        if self._journal not in ("WAL", "DELETE", "TRUNCATE", "PERSIST"):
            raise InputError(f"storage journal_mode={journal_mode!r} is not supported; use WAL "
                             "(one host) or DELETE (network file systems)")
        self._timeout = timeout
        self._lock = threading.RLock()
        self._local = threading.local()
        self._depth = 0
        conn = self._conn()
        with self._lock:
            # creating the schema is idempotent; serialise it against other processes
            conn.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            directory = os.path.dirname(os.path.abspath(self.path))
            if not os.path.isdir(directory):
                raise InputError(f"storage {self.url!r}: the folder {directory!r} does not exist; "
                                 "create it first")
            try:
                conn = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None,
                                       check_same_thread=False)
                conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
                mode = conn.execute(f"PRAGMA journal_mode = {self._journal}").fetchone()[0]
                conn.execute("PRAGMA synchronous = FULL")
            except sqlite3.DatabaseError as exc:
                raise InputError(f"storage {self.url!r} cannot be opened as an SQLite database: "
                                 f"{exc}") from None
            self.journal_mode = str(mode).upper()
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One writer at a time across processes (``BEGIN IMMEDIATE`` ... ``COMMIT``)."""
        with self._lock:
            conn = self._conn()
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                conn.execute("ROLLBACK")
                raise
            self._depth = 0
            conn.execute("COMMIT")

    def _write(self, sql: str, args: tuple) -> sqlite3.Cursor:
        with self.transaction():
            return self._conn().execute(sql, args)

    def study(self, name: str, space_json: str | None, seed: int | None,
              settings: str = "{}") -> dict:
        with self.transaction():
            conn = self._conn()
            row = conn.execute("SELECT id, name, space, seed, created, settings FROM studies "
                               "WHERE name = ?", (name,)).fetchone()
            if row is None:
                if space_json is None:
                    names = [r[0] for r in conn.execute("SELECT name FROM studies")]
                    raise InputError(f"study={name!r} does not exist in {self.url}; the studies "
                                     f"there are {names}; give a space to create it")
                conn.execute("INSERT INTO studies (name, space, seed, created, settings) "
                             "VALUES (?, ?, ?, ?, ?)", (name, space_json, seed, time.time(),
                                                        settings))
                row = conn.execute("SELECT id, name, space, seed, created, settings FROM "
                                   "studies WHERE name = ?", (name,)).fetchone()
        return dict(zip(("id", "name", "space", "seed", "created", "settings"), row))

    def studies(self) -> list[dict]:
        rows = self._conn().execute(
            "SELECT s.id, s.name, s.space, s.seed, s.created, s.settings, COUNT(t.id) FROM "
            "studies s LEFT JOIN trials t ON t.study_id = s.id GROUP BY s.id ORDER BY s.id")
        keys = ("id", "name", "space", "seed", "created", "settings", "n_trials")
        return [dict(zip(keys, r)) for r in rows]

    def trials(self, study_id: int) -> list[Trial]:
        rows = self._conn().execute(
            "SELECT number, params, state, value, noise_var, error, created, finished, worker, "
            "heartbeat FROM trials WHERE study_id = ? ORDER BY number", (study_id,))
        return [Trial(r[0], json.loads(r[1]), *r[2:]) for r in rows]

    def add_trial(self, study_id: int, params_json: str, state: str, value: float | None = None,
                  noise_var: float | None = None, error: str | None = None,
                  worker: str | None = None) -> int:
        with self.transaction():
            conn = self._conn()
            number = conn.execute("SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE "
                                  "study_id = ?", (study_id,)).fetchone()[0]
            now = time.time()
            conn.execute("INSERT INTO trials (study_id, number, params, state, value, noise_var, "
                         "error, created, finished, worker, heartbeat) VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (study_id, number, params_json, state, value, noise_var, error, now,
                          None if state == "pending" else now, worker, now))
        return int(number)

    def finish(self, study_id: int, number: int, state: str, value: float | None = None,
               noise_var: float | None = None, error: str | None = None) -> None:
        self._write("UPDATE trials SET state = ?, value = ?, noise_var = ?, error = ?, "
                    "finished = ? WHERE study_id = ? AND number = ?",
                    (state, value, noise_var, error, time.time(), study_id, number))

    def heartbeat(self, study_id: int, numbers: list[int]) -> None:
        if numbers:
            now = time.time()
            with self.transaction():
                self._conn().executemany(
                    "UPDATE trials SET heartbeat = ? WHERE study_id = ? AND number = ?",
                    [(now, study_id, n) for n in numbers])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def open_storage(storage) -> MemoryStorage | SQLiteStorage:
    """``None`` → memory; ``"sqlite:///file.db"`` or a path → :class:`SQLiteStorage`.

    Query options: ``?journal_mode=DELETE`` (network file systems), ``&timeout=SECONDS``.
    """
    if storage is None:
        return MemoryStorage()
    if isinstance(storage, (MemoryStorage, SQLiteStorage)):
        return storage
    if isinstance(storage, os.PathLike):
        storage = os.fspath(storage)
    if not isinstance(storage, str) or not storage:
        raise InputError(f"storage must be None, 'sqlite:///file.db' or a file path; got "
                         f"{storage!r}")
    options: dict = {}
    if "://" in storage:
        url = urlparse(storage)
        if url.scheme != "sqlite":
            raise InputError(f"storage={storage!r}: only sqlite:/// URLs are supported; use "
                             "'sqlite:///study.db' or a plain path")
        path = unquote(storage.split("://", 1)[1].split("?", 1)[0])
        path = path[1:] if path.startswith("/") else path   # sqlite:///rel.db, sqlite:////abs.db
        if not path:
            raise InputError(f"storage={storage!r} names no file; use 'sqlite:///study.db'")
        for key, vals in parse_qs(url.query).items():
            if key == "journal_mode":
                options["journal_mode"] = vals[-1]
            elif key == "timeout":
                options["timeout"] = float(vals[-1])
            else:
                raise InputError(f"storage={storage!r}: unknown option {key!r}; use "
                                 "journal_mode= or timeout=")
    else:
        path = storage
    return SQLiteStorage(path, **options)
