"""Storage URLs: the one place that reads ``sqlite:///file.db?options``, plain paths and
``postgresql://user@host:port/db?options``.

:func:`parse` splits a storage argument into its kind, its target and its options;
:func:`open_storage` opens what it names: :class:`~pyjl.bo.storage.SQLiteStorage` or
:class:`~pyjl.bo.storage.PostgreSQLStorage`.

>>> parse("sqlite:///runs/study.db?timeout=30")
('sqlite', 'runs/study.db', {'timeout': 30.0})
>>> parse("study.db")
('sqlite', 'study.db', {})
>>> parse("postgres://me@db.example/studies?sslmode=require&timeout=30")
('postgresql', 'postgresql://me@db.example/studies?sslmode=require', {'timeout': 30.0})
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlencode, urlparse

from ..._validate import describe, real
from ..._validate import error as _input_error
from ...exceptions import InputError
from .memory import MemoryStorage
from .postgresql import PostgreSQLStorage, redact
from .sqlite import SQLiteStorage

__all__ = ["open_storage", "parse", "sqlite_path"]

_RULE = "must be None, 'sqlite:///file.db', a file path or 'postgresql://user@host/db'"
_PG_SCHEMES = ("postgresql", "postgres")


def open_storage(
    storage, *, read_only: bool = False
) -> MemoryStorage | SQLiteStorage | PostgreSQLStorage:
    """``None`` → memory; ``"sqlite:///file.db"`` or a path → :class:`SQLiteStorage`;
    ``"postgresql://user:password@host:port/db"`` → :class:`PostgreSQLStorage`.

    Query options: ``?journal_mode=DELETE`` (SQLite on network file systems),
    ``&timeout=SECONDS`` (how long to wait for another process's write lock), ``&mode=ro``
    (read only); a PostgreSQL URL passes its other options on to libpq.

    ``read_only=True`` opens it as ``mode=ro`` would, whatever the URL says (an SQLite
    file through a ``file:...?mode=ro`` connection, PostgreSQL in read-only
    transactions); an open SQLite or PostgreSQL storage given is opened again that way,
    a :class:`MemoryStorage` is returned as it is.

    Examples
    --------
    >>> open_storage(None).url
    'memory'
    >>> open_storage("mysql://host/db")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pyjl.exceptions.InputError: `storage` must be None, 'sqlite:///file.db', a file path ...
    """
    if storage is None:
        return MemoryStorage()
    if isinstance(storage, SQLiteStorage) and read_only and not storage.read_only:
        return SQLiteStorage(
            storage.path, storage._journal, timeout=storage._timeout, read_only=True
        )
    if isinstance(storage, PostgreSQLStorage) and read_only and not storage.read_only:
        storage = storage._reopen_url
    if isinstance(storage, (MemoryStorage, SQLiteStorage, PostgreSQLStorage)):
        return storage
    kind, path, options = parse(storage)
    if kind == "sqlite" and path == ":memory:":
        # SQLite's in-memory database lives in one connection, and pyjl opens one per
        # thread and per process: the in-memory storage is what the URL means
        return MemoryStorage()
    if kind == "postgresql":
        url = os.fspath(storage)
        if read_only and not options.get("read_only"):
            url += ("&" if urlparse(url).query else "?") + "mode=ro"
        return PostgreSQLStorage(url)
    return SQLiteStorage(
        path, **{**options, "read_only": bool(read_only or options.get("read_only"))}
    )


def parse(storage: str | os.PathLike) -> tuple[str, str, dict]:
    """``(kind, target, options)`` of a storage URL or path: ``("sqlite", path, options)``
    with the keyword arguments of :class:`~pyjl.bo.storage.SQLiteStorage` as options, or
    ``("postgresql", libpq URL, options)`` with pyjl's options (``timeout``,
    ``read_only``) taken out of the URL and libpq's left in it."""
    if isinstance(storage, os.PathLike):
        storage = os.fspath(storage)
    if not isinstance(storage, str) or not storage:
        raise _input_error("storage", _RULE, describe(storage), "pass a path such as 'study.db'")
    if "://" not in storage:
        if storage.lower().startswith(("sqlite:", "postgresql:", "postgres:")):
            raise _input_error(
                "storage",
                "must be a URL with '://' after its scheme, or a plain path",
                describe(redact(storage)),
                "use 'sqlite:///study.db' (three slashes, then the path) or "
                "'postgresql://user@host/db'",
            )
        return "sqlite", storage, {}
    url = urlparse(storage)
    if url.fragment:
        raise _input_error(
            "storage",
            "must not have a #fragment",
            describe(redact(storage)),
            "drop the part from '#' on (a file name with '#' goes in as a plain path)",
        )
    if url.scheme in _PG_SCHEMES:
        return _postgresql(storage)
    if url.scheme != "sqlite":
        raise _input_error(
            "storage",
            _RULE,
            describe(redact(storage)),
            "use an sqlite:/// URL such as 'sqlite:///study.db', a plain path, or "
            "'postgresql://user:password@host:port/dbname'",
        )
    path = sqlite_path(storage)
    if url.netloc:
        raise _input_error(
            "storage",
            "must be 'sqlite:///' then the path (three slashes: an SQLite URL has no host)",
            describe(storage),
            f"use 'sqlite:///{url.netloc}{url.path}' for a path relative to the working "
            f"directory, or 'sqlite:////{url.netloc}{url.path}' for an absolute one",
        )
    if not path:
        raise _input_error(
            "storage",
            "must name a file",
            describe(storage),
            "use 'sqlite:///study.db' (three slashes, then the path)",
        )
    return "sqlite", path, _url_options(storage, url.query)


def sqlite_path(storage: str) -> str:
    """The file an ``sqlite:///`` URL (or a plain path) names: ``sqlite:///rel.db`` is
    ``rel.db``, ``sqlite:////abs.db`` is ``/abs.db``; the query is dropped.

    >>> sqlite_path("sqlite:////tmp/a.db?mode=ro"), sqlite_path("b.db")
    ('/tmp/a.db', 'b.db')
    """
    if "://" not in storage:
        return storage
    path = unquote(storage.split("://", 1)[1].split("?", 1)[0])
    return path[1:] if path.startswith("/") else path


def _postgresql(storage: str) -> tuple[str, str, dict]:
    """``("postgresql", the URL for libpq, pyjl's options)``: ``timeout`` and ``mode`` are
    pyjl's (as for SQLite); every other option is libpq's and stays in the URL."""
    url = urlparse(storage)
    try:
        pairs = parse_qsl(url.query, keep_blank_values=True, strict_parsing=bool(url.query))
    except ValueError:
        raise _input_error(
            "storage",
            "must have options of the form key=value",
            describe(redact(storage)),
            "use e.g. '?sslmode=require&timeout=30'",
        ) from None
    ours = [(k, v) for k, v in pairs if k in ("timeout", "mode")]
    theirs = [(k, v) for k, v in pairs if k not in ("timeout", "mode")]
    options = _url_options(redact(storage), urlencode(ours), "timeout= or mode= (and libpq's)")
    query = urlencode(theirs, quote_via=quote)
    return (
        "postgresql",
        f"postgresql://{url.netloc}{url.path}" + "?" * bool(query) + query,
        options,
    )


def _url_options(
    storage: str, query: str, known: str = "journal_mode=, timeout= or mode="
) -> dict:
    options: dict = {}
    try:
        pairs = parse_qs(query, strict_parsing=bool(query))
    except ValueError:
        raise _input_error(
            "storage",
            "must have options of the form key=value",
            describe(storage),
            "use '?journal_mode=DELETE&timeout=30&mode=ro'",
        ) from None
    for key, vals in pairs.items():
        val = vals[-1]
        if key == "journal_mode":
            options["journal_mode"] = val
        elif key == "timeout":
            try:
                options["timeout"] = real(float(val), "timeout", low=0)
            except (ValueError, InputError):
                raise _input_error(
                    "storage",
                    "must have a timeout that is a number of seconds >= 0",
                    describe(storage),
                    "use e.g. '?timeout=30'",
                ) from None
        elif key == "mode":
            if val not in ("ro", "rw"):
                raise _input_error(
                    "storage",
                    "must have mode=ro or mode=rw",
                    describe(storage),
                    "use '?mode=ro' to only read the study",
                ) from None
            options["read_only"] = val == "ro"
        else:
            raise _input_error(
                "storage",
                f"must have only known options (unknown: {key!r})",
                describe(storage),
                f"use {known}",
            )
    return options
