"""What a failing PostgreSQL write tells the user: the reason, the fix, the unsaved values,
and never the password.

:class:`PostgreSQLFaults` turns the server's errors (by SQLSTATE: disk full, read-only,
lock timeout, I/O, damaged data, a connection refused or lost) into a
:class:`~pyjl.exceptions.StorageError` that names the storage (its URL without the
password), the operation and the fix, and that carries (and logs, logger ``pyjl.bo``)
every evaluated value the write was storing, as :class:`~.faults.FaultReports` does for
SQLite.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, unquote_plus, urlsplit, urlunsplit

from ..._validate import error as _input_error
from ...exceptions import StorageError
from .faults import FaultReports, log

__all__ = ["PostgreSQLFaults", "passwords_of", "redact"]

# SQLSTATE (or its class, the first two characters) -> StorageError.reason
_REASONS = {
    "53": "full",
    "25006": "read-only",
    "42501": "read-only",
    "55P03": "locked",
    "57014": "locked",
    "40P01": "locked",
    "58": "i/o",
    "XX001": "damaged",
    "XX002": "damaged",
    "08": "cannot connect",
    "57P": "cannot connect",
}
_WHAT = {
    "full": "the server is out of disk space or memory",
    "read-only": "the server refuses writes (a read-only server, transaction or user)",
    "locked": "another worker holds the study's lock",
    "i/o": "the server reported an I/O error",
    "damaged": "the server reported damaged data",
    "cannot connect": "the connection to the server failed",
}


def _is_password(segment: str) -> bool:
    """Whether a ``key=value`` segment of a query sets libpq's password, its key decoded
    as :func:`pyjl.bo.storage.url.parse` decodes it for libpq (``%70assword``, ``+``)."""
    return unquote_plus(segment.partition("=")[0]).strip().lower() == "password"


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``, given in the user information or
    as libpq's ``password`` parameter.

    >>> redact("postgresql://me:s3cret@db.example:5432/studies?sslmode=require")
    'postgresql://me:***@db.example:5432/studies?sslmode=require'
    >>> redact("postgresql://db.example/studies?user=me&password=s3cret")
    'postgresql://db.example/studies?user=me&password=***'
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = "&".join("password=***" if _is_password(q) else q for q in parts.query.split("&"))
    return urlunsplit(parts._replace(netloc=netloc, query=query if parts.query else ""))


def passwords_of(url: str) -> list[str]:
    """Every password ``url`` gives (user information, ``password`` parameters), decoded
    as libpq receives them: what a message must never show."""
    parts = urlsplit(url)
    found = [unquote(parts.password)] if parts.password else []
    for q in parts.query.split("&"):
        if _is_password(q):
            found.append(unquote_plus(q.partition("=")[2]))
    return [p for p in found if p]


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise _input_error(
            "storage",
            "must be a postgresql:// URL only where psycopg 3 is installed",
            "a postgresql:// URL, but psycopg is not installed",
            "pip install 'pyjl[postgresql]' (psycopg[binary]), or use an sqlite:/// study",
        ) from None
    return psycopg


class PostgreSQLFaults(FaultReports):
    """The fault handling of :class:`~pyjl.bo.storage.PostgreSQLStorage` (a mixin: it uses
    the storage's ``url``, ``_passwords``, ``_where``, ``_timeout``, ``_pg`` (psycopg) and
    ``_local`` (this thread's connection))."""

    _passwords: list[str]
    _where: str
    _pg: Any
    _local: threading.local

    def _scrub(self, exc: BaseException) -> str:
        text = " ".join(str(exc).split())
        for secret in sorted(self._passwords, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def _state(self) -> threading.local:
        local = self._local
        if not hasattr(local, "unsaved"):
            local.op, local.labelled, local.unsaved = None, False, []
        return local

    @contextlib.contextmanager
    def _guard(self, operation: str) -> Iterator[None]:
        """Turn the server's full / read-only / locked / connection errors into a
        StorageError (the password never in it)."""
        try:
            yield
        except self._pg.Error as exc:
            code = getattr(exc, "sqlstate", None) or ""
            reason = next((r for k, r in _REASONS.items() if code.startswith(k)), None)
            if reason is None and isinstance(exc, self._pg.OperationalError) and not code:
                reason = "cannot connect"
            if reason is None:
                raise
            conn = getattr(self._local, "conn", None)
            if conn is not None and (conn.closed or conn.broken):
                self._local.conn = None
            raise self._fault(exc, reason, self._state().op or operation) from None

    def _fix(self, reason: str) -> str:
        return {
            "full": "free space (or memory) on the database server, then run again: the "
            "study resumes",
            "read-only": "connect to the primary server as a user that may write the "
            "study's tables (reading the study works as it is, or with '?mode=ro')",
            "locked": f"another worker held the study's lock longer than the timeout of "
            f"{self._timeout:g} s; wait for it or stop it, or raise the timeout with "
            "'?timeout=SECONDS' in the storage URL",
            "i/o": "check the database server's disks and its log",
            "damaged": "restore the database from a backup, or start a new study",
            "cannot connect": f"check that the server at {self._where} runs and accepts "
            "connections from this machine (`pg_isready`), and the user, password and "
            "database name of the URL; then run again: the study resumes",
        }[reason]

    def _params_of(self, study_id: int, number: int) -> dict | None:
        """Trial ``number``'s stored params, read on a fresh connection when the last one
        was lost (``None``: they cannot be read either)."""
        if getattr(self._local, "conn", None) is not None and self._local.conn.broken:
            self._local.conn = None
        try:
            row = (
                self._conn()
                .execute(
                    "SELECT params FROM trials WHERE study_id = %s AND number = %s",
                    (study_id, number),
                )
                .fetchone()
            )
        except self._pg.Error:
            return None
        return None if row is None else json.loads(row[0])

    def _fault(self, exc: Any, reason: str, operation: str) -> StorageError:
        unsaved = [
            (n, self._params_of(sid, n) if p is None and n is not None else p, v)
            for sid, n, p, v in self._kept_values()
        ]
        if reason == "cannot connect":
            head = f"cannot connect to {self._where} ({self._scrub(exc)})"
        else:
            head = f"{_WHAT[reason]} (PostgreSQL: {self._scrub(exc)})"
        text = f"storage {self.url}: {head} during {operation}."
        for number, params, value in unsaved:
            trial = "a new trial" if number is None else f"trial {number}"
            log.error(
                "could not store the value of %s in %s (%s): params %r, value %r",
                trial,
                self.url,
                _WHAT[reason],
                params,
                value,
            )
            text += (
                f" The evaluated value {value!r} of {trial} (params {params!r}) was not "
                "stored: it is in this error (.value, .params, .trial) and in the log "
                "(logger 'pyjl.bo'); once fixed, record it with Optimizer(None, "
                f"storage=..., study=...).tell(params, value)."
            )
        kept = dict(zip(("trial", "params", "value"), unsaved[0])) if unsaved else {}
        err = StorageError(
            f"{text} Fix: {self._fix(reason)}.",
            storage=self.url,
            operation=operation,
            reason=reason,
            **kept,
        )
        err.unsaved = unsaved
        return err
