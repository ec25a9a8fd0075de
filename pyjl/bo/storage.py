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

A full disk, a read-only file and a lock held past the timeout raise
:class:`~pyjl.exceptions.StorageError` naming the storage, the operation and the
fix; a value that could not be stored is logged (logger ``pyjl.bo``, ERROR) with
its trial number and parameters and carried by the error.  A read-only file (or
``?mode=ro``) can still be read: ``pyjl study show``, ``Optimizer(...).trials``.

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
import logging
import os
import socket
import sqlite3
import threading
import time
from typing import Iterator
from urllib.parse import parse_qs, quote, unquote, urlparse

from .._validate import error as _input_error
from .._validate import describe, real
from ..exceptions import InputError, StorageError

__all__ = ["Trial", "MemoryStorage", "SQLiteStorage", "open_storage", "worker_id"]

STATES = ("pending", "complete", "failed")
ABANDONED = "abandoned: "
log = logging.getLogger("pyjl.bo")


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
    def transaction(self, operation: str | None = None) -> Iterator[None]:
        with self._lock:
            yield

    @contextlib.contextmanager
    def keeping(self, study_id: int, number: int | None, params: dict | None,
                value: float) -> Iterator[list]:
        yield [study_id, number, params, value]

    def study(self, name: str, space_json: str | None, seed: int | None,
              settings: str = "{}") -> dict:
        """Return the study ``name``, creating it when it is new and ``space_json`` is given."""
        with self._lock:
            if name not in self._studies:
                if space_json is None:
                    raise _input_error("space", f"must be given to create study {name!r} "
                                       f"(it does not exist in {self.url})", "None",
                                       "pass the search space, or the name of a stored study")
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


# SQLite's primary result codes (exc.sqlite_errorcode & 0xFF) -> StorageError.reason
_REASONS = {13: "full", 8: "read-only", 3: "read-only", 5: "locked", 6: "locked",
            14: "cannot open", 10: "i/o", 11: "damaged", 26: "damaged"}
_WHAT = {"full": "the disk is full", "read-only": "the database is read-only",
         "locked": "the database is locked by another connection",
         "cannot open": "the database file cannot be opened", "i/o": "a disk I/O error",
         "damaged": "the database file is damaged"}


class SQLiteStorage:
    """Trials in an SQLite file (WAL mode, each change committed when it happens).

    ``read_only=True`` (URL ``?mode=ro``) opens it for reading only; a file that this
    process cannot write is opened read-only by itself.
    """

    def __init__(self, path: str, journal_mode: str = "WAL", timeout: float = 120.0,
                 read_only: bool = False):
        self.path = path
        self._journal = journal_mode.upper()
        options = [f"journal_mode={self._journal}"] * (self._journal != "WAL") + \
            [f"timeout={timeout:g}"] * (timeout != 120.0) + ["mode=ro"] * bool(read_only)
        self.url = f"sqlite:///{path}" + ("?" + "&".join(options) if options else "")
        if self._journal not in ("WAL", "DELETE", "TRUNCATE", "PERSIST"):
            raise _input_error("journal_mode", "must be WAL, DELETE, TRUNCATE or PERSIST",
                               describe(journal_mode), "use WAL (one host) or DELETE "
                               "(network file systems)")
        self._timeout = timeout
        self.read_only = bool(read_only)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._depth = 0
        with self._guard("open"):
            conn = self._conn()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE "
                                                 "type = 'table'")}
        if not {"studies", "trials"} <= tables:
            # creating the schema is idempotent; serialise it against other processes
            with self.transaction("open"):
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)

    def _connect(self, mode: str | None) -> sqlite3.Connection:
        target, uri = self.path, False
        if mode is not None:
            target, uri = f"file:{quote(os.path.abspath(self.path))}?{mode}", True
        conn = sqlite3.connect(target, timeout=self._timeout, isolation_level=None,
                               check_same_thread=False, uri=uri)
        conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
        return conn

    def _open(self) -> sqlite3.Connection:
        """A connection, read-write if possible; read-only when the file or its folder is."""
        modes = ["mode=ro", "mode=ro&immutable=1"] if self.read_only else [None]
        if not self.read_only and os.path.isfile(self.path) and not (
                os.access(self.path, os.W_OK) and os.access(os.path.dirname(
                    os.path.abspath(self.path)), os.W_OK)):
            modes += ["mode=ro", "mode=ro&immutable=1"]
        for i, mode in enumerate(modes):
            conn = None
            try:
                conn = self._connect(mode)
                if mode is None:
                    conn.execute(f"PRAGMA journal_mode = {self._journal}")
                    conn.execute("PRAGMA synchronous = FULL")
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
                raise _input_error("storage", "must be a file in a folder that exists",
                                   describe(self.url), f"create the folder {directory} first")
            if self.read_only and not os.path.isfile(self.path):
                raise _input_error("storage", "must name an existing file when opened with "
                                   "mode=ro", describe(self.url), "check the path")
            try:
                conn = self._open()
            except sqlite3.DatabaseError as exc:
                if _REASONS.get(getattr(exc, "sqlite_errorcode", 0) & 0xFF) == "damaged":
                    raise _input_error("storage", "must be an SQLite database file",
                                       f"{self.url!r} ({exc})", "point it at a study file "
                                       "that pyjl wrote, or at a new path") from None
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

    # --- faults ------------------------------------------------------------------
    @contextlib.contextmanager
    def _guard(self, operation: str) -> Iterator[None]:
        """Turn SQLite's full / read-only / locked / I/O errors into a StorageError."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            reason = _REASONS.get(getattr(exc, "sqlite_errorcode", 0) & 0xFF)
            if reason is None:
                raise
            raise self._fault(exc, reason, self._state().op or operation) from exc

    def _fix(self, reason: str) -> str:
        folder = os.path.dirname(os.path.abspath(self.path))
        return {
            "full": f"free space on the disk that holds {folder} (`df -h {folder}`), or move "
                    "the study file to a larger disk, then run again: the study resumes",
            "read-only": ("this storage was opened read-only ('?mode=ro'); to add trials, "
                          "open it without mode=ro (the file and its folder must be writable)")
            if self.read_only else
            (f"make {self.path} and its folder {folder} writable (permissions, owner, "
             "immutable flag, a read-write mount); reading the study (`pyjl study show`, "
             "Optimizer(None, storage=...).trials) works as it is, or with '?mode=ro'"),
            "locked": f"another process or connection holds the write lock on {self.path} "
                      f"longer than the timeout of {self._timeout:g} s; wait for it or stop "
                      "it, or raise the timeout with '?timeout=SECONDS' in the storage URL",
            "cannot open": f"check that {self.path} and its folder {folder} exist and are "
                           "readable (and writable, to add trials)",
            "i/o": f"check the disk and the file system that hold {folder}",
            "damaged": f"restore {self.path} from a copy, or start a new study file",
        }[reason]

    def _fault(self, exc: sqlite3.Error, reason: str, operation: str) -> StorageError:
        unsaved, seen = [], set()
        for sid, number, params, value in self._kept_values():
            key = (sid, number) if number is not None else (sid, repr(params), value)
            if key not in seen:
                seen.add(key)
                if params is None:
                    params = self._params_of(sid, number)
                unsaved.append((number, params, value, sid))
        text = f"storage {self.url}: {_WHAT[reason]} (SQLite: {exc}) during {operation}."
        for number, params, value, sid in unsaved:
            study, trial = self._study_name(sid), "a new trial" if number is None else \
                f"trial {number}"
            log.error("could not store the value of %s of study %r in %s (%s): params %r, "
                      "value %r", trial, study, self.url, _WHAT[reason], params, value)
            text += (f" The evaluated value {value!r} of {trial} (params {params!r}) of study "
                     f"{study!r} was not stored: it is in this error (.value, .params, .trial) "
                     "and in the log (logger 'pyjl.bo'); once fixed, record it with "
                     f"Optimizer(None, storage={self.url!r}, study={study!r}).tell(params, "
                     "value).")
        kept = dict(zip(("trial", "params", "value"), unsaved[0][:3])) if unsaved else {}
        err = StorageError(f"{text} Fix: {self._fix(reason)}.", storage=self.url,
                           operation=operation, reason=reason, **kept)
        err.unsaved = [u[:3] for u in unsaved]
        return err

    def _kept_values(self) -> list[list]:
        """The values kept in flight, outermost first; a value kept twice (once by ``tell``
        without its trial number, once by the write that knows it) is one entry."""
        entries = [list(e) for e in self._state().unsaved]
        numbered = [e for e in entries if e[1] is not None]
        kept = []
        for entry in entries:
            sid, number, params, value = entry
            twin = None if number is not None else next(
                (e for e in numbered if e[0] == sid and e[3] == value), None)
            if twin is None:
                kept.append(entry)
            elif twin[2] is None:
                twin[2] = params
        return kept

    def _params_of(self, study_id: int, number: int) -> dict | None:
        try:
            row = self._conn().execute("SELECT params FROM trials WHERE study_id = ? AND "
                                       "number = ?", (study_id, number)).fetchone()
            return None if row is None else json.loads(row[0])
        except sqlite3.Error:
            return None

    def _study_name(self, study_id: int) -> str | None:
        try:
            row = self._conn().execute("SELECT name FROM studies WHERE id = ?",
                                       (study_id,)).fetchone()
            return None if row is None else row[0]
        except sqlite3.Error:
            return None

    def _rollback(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):   # SQLite may have rolled back already
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
                    state.op = operation       # the last labelled step names the whole write
                self._depth += 1
                try:
                    with self._guard("write"):     # here, while the values are kept
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

    @contextlib.contextmanager
    def keeping(self, study_id: int, number: int | None, params: dict | None,
                value: float) -> Iterator[list]:
        """Within it, a :class:`StorageError` logs ``value`` (of trial ``number``, with
        ``params``; ``None``: read from the storage) and carries it, so that the
        evaluation is not lost when it cannot be stored."""
        entry, unsaved = [study_id, number, params, value], self._state().unsaved
        unsaved.append(entry)
        try:
            yield entry
        finally:
            unsaved.remove(entry)

    def study(self, name: str, space_json: str | None, seed: int | None,
              settings: str = "{}") -> dict:
        query = "SELECT id, name, space, seed, created, settings FROM studies WHERE name = ?"
        with self._guard("open study"):
            row = self._conn().execute(query, (name,)).fetchone()
        if row is None:
            with self.transaction("open study"):
                conn = self._conn()
                row = conn.execute(query, (name,)).fetchone()
                if row is None:
                    if space_json is None:
                        names = [r[0] for r in conn.execute("SELECT name FROM studies")]
                        raise _input_error(
                            "space", f"must be given to create study {name!r} (it does not "
                            f"exist in {self.url}; the studies there are {names})", "None",
                            "pass the search space, or the name of a stored study")
                    conn.execute("INSERT INTO studies (name, space, seed, created, settings) "
                                 "VALUES (?, ?, ?, ?, ?)", (name, space_json, seed, time.time(),
                                                            settings))
                    row = conn.execute(query, (name,)).fetchone()
        return dict(zip(("id", "name", "space", "seed", "created", "settings"), row))

    def studies(self) -> list[dict]:
        with self._guard("read"):
            rows = self._conn().execute(
                "SELECT s.id, s.name, s.space, s.seed, s.created, s.settings, COUNT(t.id) FROM "
                "studies s LEFT JOIN trials t ON t.study_id = s.id GROUP BY s.id ORDER BY s.id"
            ).fetchall()
        keys = ("id", "name", "space", "seed", "created", "settings", "n_trials")
        return [dict(zip(keys, r)) for r in rows]

    def trials(self, study_id: int) -> list[Trial]:
        with self._guard("read"):
            rows = self._conn().execute(
                "SELECT number, params, state, value, noise_var, error, created, finished, "
                "worker, heartbeat FROM trials WHERE study_id = ? ORDER BY number",
                (study_id,)).fetchall()
        return [Trial(r[0], json.loads(r[1]), *r[2:]) for r in rows]

    def add_trial(self, study_id: int, params_json: str, state: str, value: float | None = None,
                  noise_var: float | None = None, error: str | None = None,
                  worker: str | None = None) -> int:
        keep = contextlib.nullcontext([None] * 4) if value is None else \
            self.keeping(study_id, None, json.loads(params_json), value)
        with keep as entry, self.transaction("ask" if state == "pending" else "tell"):
            conn = self._conn()
            number = conn.execute("SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE "
                                  "study_id = ?", (study_id,)).fetchone()[0]
            entry[1] = int(number)
            now = time.time()
            conn.execute("INSERT INTO trials (study_id, number, params, state, value, noise_var, "
                         "error, created, finished, worker, heartbeat) VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (study_id, number, params_json, state, value, noise_var, error, now,
                          None if state == "pending" else now, worker, now))
        return int(number)

    def finish(self, study_id: int, number: int, state: str, value: float | None = None,
               noise_var: float | None = None, error: str | None = None) -> None:
        keep = contextlib.nullcontext() if value is None else \
            self.keeping(study_id, number, None, value)
        with keep, self.transaction("tell"):
            self._conn().execute(
                "UPDATE trials SET state = ?, value = ?, noise_var = ?, error = ?, finished = ? "
                "WHERE study_id = ? AND number = ?",
                (state, value, noise_var, error, time.time(), study_id, number))

    def heartbeat(self, study_id: int, numbers: list[int]) -> None:
        if numbers:
            now = time.time()
            with self.transaction("heartbeat"):
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

    Query options: ``?journal_mode=DELETE`` (network file systems), ``&timeout=SECONDS``
    (how long to wait for another process's write lock), ``&mode=ro`` (read only).

    Examples
    --------
    >>> open_storage(None).url
    'memory'
    >>> open_storage("mysql://host/db")
    Traceback (most recent call last):
    ...
    pyjl.exceptions.InputError: `storage` must be None, 'sqlite:///file.db' or a file path; got 'mysql://host/db'. Fix: use an sqlite:/// URL such as 'sqlite:///study.db', or a plain path.
    """
    if storage is None:
        return MemoryStorage()
    if isinstance(storage, (MemoryStorage, SQLiteStorage)):
        return storage
    if isinstance(storage, os.PathLike):
        storage = os.fspath(storage)
    rule = "must be None, 'sqlite:///file.db' or a file path"
    if not isinstance(storage, str) or not storage:
        raise _input_error("storage", rule, describe(storage), "pass a path such as 'study.db'")
    if "://" not in storage:
        return SQLiteStorage(storage)
    url = urlparse(storage)
    if url.scheme != "sqlite":
        raise _input_error("storage", rule, describe(storage), "use an sqlite:/// URL such as "
                           "'sqlite:///study.db', or a plain path")
    path = unquote(storage.split("://", 1)[1].split("?", 1)[0])
    path = path[1:] if path.startswith("/") else path   # sqlite:///rel.db, sqlite:////abs.db
    if not path:
        raise _input_error("storage", "must name a file", describe(storage),
                           "use 'sqlite:///study.db' (three slashes, then the path)")
    return SQLiteStorage(path, **_url_options(storage, url.query))


def _url_options(storage: str, query: str) -> dict:
    options: dict = {}
    try:
        pairs = parse_qs(query, strict_parsing=bool(query))
    except ValueError:
        raise _input_error("storage", "must have options of the form key=value", describe(storage),
                           "use '?journal_mode=DELETE&timeout=30&mode=ro'") from None
    for key, vals in pairs.items():
        val = vals[-1]
        if key == "journal_mode":
            options["journal_mode"] = val
        elif key == "timeout":
            try:
                options["timeout"] = real(float(val), "timeout", low=0)
            except (ValueError, InputError):
                raise _input_error("storage", "must have a timeout that is a number of seconds "
                                   ">= 0", describe(storage), "use e.g. '?timeout=30'") from None
        elif key == "mode":
            if val not in ("ro", "rw"):
                raise _input_error("storage", "must have mode=ro or mode=rw", describe(storage),
                                   "use '?mode=ro' to only read the study") from None
            options["read_only"] = val == "ro"
        else:
            raise _input_error("storage", f"must have only known options (unknown: {key!r})",
                               describe(storage), "use journal_mode=, timeout= or mode=")
    return options
