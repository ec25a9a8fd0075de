"""What a failing SQLite write tells the user: the reason, the fix, the unsaved values.

:class:`FaultReports` turns SQLite's full / read-only / locked / I/O errors into a
:class:`~pyjl.exceptions.StorageError` that names the storage, the operation and
the fix, and that carries (and logs, logger ``pyjl.bo``) every evaluated value the
write was storing, so that no evaluation is lost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator

from ...exceptions import StorageError

__all__ = ["REASONS", "FaultReports"]

log = logging.getLogger("pyjl.bo")

# SQLite's primary result codes (exc.sqlite_errorcode & 0xFF) -> StorageError.reason
REASONS = {
    13: "full",
    8: "read-only",
    3: "read-only",
    5: "locked",
    6: "locked",
    14: "cannot open",
    10: "i/o",
    11: "damaged",
    26: "damaged",
}
_WHAT = {
    "full": "the disk is full",
    "read-only": "the database is read-only",
    "locked": "the database is locked by another connection",
    "cannot open": "the database file cannot be opened",
    "i/o": "a disk I/O error",
    "damaged": "the database file is damaged",
}


class FaultReports:
    """The fault handling of :class:`~pyjl.bo.storage.SQLiteStorage` (a mixin: it uses the
    storage's ``path``, ``url``, ``read_only``, ``_timeout``, ``_state()`` and ``_conn()``)."""

    path: str
    url: str
    read_only: bool
    _timeout: float

    def _state(self) -> threading.local:  # pragma: no cover - the storage's
        raise NotImplementedError

    def _conn(self) -> sqlite3.Connection:  # pragma: no cover - the storage's
        raise NotImplementedError

    @contextlib.contextmanager
    def _guard(self, operation: str) -> Iterator[None]:
        """Turn SQLite's full / read-only / locked / I/O errors into a StorageError."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            reason = REASONS.get(getattr(exc, "sqlite_errorcode", 0) & 0xFF)
            if reason is None:
                raise
            raise self._fault(exc, reason, self._state().op or operation) from exc

    def _fix(self, reason: str) -> str:
        folder = os.path.dirname(os.path.abspath(self.path))
        return {
            "full": f"free space on the disk that holds {folder} (`df -h {folder}`), or move "
            "the study file to a larger disk, then run again: the study resumes",
            "read-only": (
                "this storage was opened read-only ('?mode=ro'); to add trials, "
                "open it without mode=ro (the file and its folder must be writable)"
            )
            if self.read_only
            else (
                f"make {self.path} and its folder {folder} writable (permissions, owner, "
                "immutable flag, a read-write mount); reading the study (`pyjl study show`, "
                "Optimizer(None, storage=...).trials) works as it is, or with '?mode=ro'"
            ),
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
            study, trial = (
                self._study_name(sid),
                "a new trial" if number is None else f"trial {number}",
            )
            log.error(
                "could not store the value of %s of study %r in %s (%s): params %r, value %r",
                trial,
                study,
                self.url,
                _WHAT[reason],
                params,
                value,
            )
            text += (
                f" The evaluated value {value!r} of {trial} (params {params!r}) of study "
                f"{study!r} was not stored: it is in this error (.value, .params, .trial) "
                "and in the log (logger 'pyjl.bo'); once fixed, record it with "
                f"Optimizer(None, storage={self.url!r}, study={study!r}).tell(params, "
                "value)."
            )
        kept = dict(zip(("trial", "params", "value"), unsaved[0][:3])) if unsaved else {}
        err = StorageError(
            f"{text} Fix: {self._fix(reason)}.",
            storage=self.url,
            operation=operation,
            reason=reason,
            **kept,
        )
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
            twin = (
                None
                if number is not None
                else next((e for e in numbered if e[0] == sid and e[3] == value), None)
            )
            if twin is None:
                kept.append(entry)
            elif twin[2] is None:
                twin[2] = params
        return kept

    def _params_of(self, study_id: int, number: int) -> dict | None:
        try:
            row = (
                self._conn()
                .execute(
                    "SELECT params FROM trials WHERE study_id = ? AND number = ?",
                    (study_id, number),
                )
                .fetchone()
            )
            return None if row is None else json.loads(row[0])
        except sqlite3.Error:
            return None

    def _study_name(self, study_id: int) -> str | None:
        try:
            row = (
                self._conn()
                .execute("SELECT name FROM studies WHERE id = ?", (study_id,))
                .fetchone()
            )
            return None if row is None else row[0]
        except sqlite3.Error:
            return None
