"""Storage URLs: the one place that reads ``sqlite:///file.db?options`` and plain paths.

:func:`parse` splits a storage argument into its kind, its target and its options;
:func:`open_storage` opens what it names.  A new kind of storage (``postgresql://``)
adds its scheme to :func:`parse` and its class to :func:`open_storage`, beside
:class:`~pyjl.bo.storage.SQLiteStorage`.

>>> parse("sqlite:///runs/study.db?timeout=30")
('sqlite', 'runs/study.db', {'timeout': 30.0})
>>> parse("study.db")
('sqlite', 'study.db', {})
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse

from ..._validate import describe, real
from ..._validate import error as _input_error
from ...exceptions import InputError
from .memory import MemoryStorage
from .sqlite import SQLiteStorage

__all__ = ["open_storage", "parse", "sqlite_path"]

_RULE = "must be None, 'sqlite:///file.db' or a file path"


def open_storage(storage) -> MemoryStorage | SQLiteStorage:
    """``None`` → memory; ``"sqlite:///file.db"`` or a path → :class:`SQLiteStorage`.

    Query options: ``?journal_mode=DELETE`` (network file systems), ``&timeout=SECONDS``
    (how long to wait for another process's write lock), ``&mode=ro`` (read only).

    Examples
    --------
    >>> open_storage(None).url
    'memory'
    >>> open_storage("mysql://host/db")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pyjl.exceptions.InputError: `storage` must be None, 'sqlite:///file.db' or a file path; ...
    """
    if storage is None:
        return MemoryStorage()
    if isinstance(storage, (MemoryStorage, SQLiteStorage)):
        return storage
    _, path, options = parse(storage)
    return SQLiteStorage(path, **options)


def parse(storage: str | os.PathLike) -> tuple[str, str, dict]:
    """``(kind, target, options)`` of a storage URL or path: ``("sqlite", path, options)``
    with the keyword arguments of :class:`~pyjl.bo.storage.SQLiteStorage` as options."""
    if isinstance(storage, os.PathLike):
        storage = os.fspath(storage)
    if not isinstance(storage, str) or not storage:
        raise _input_error("storage", _RULE, describe(storage), "pass a path such as 'study.db'")
    if "://" not in storage:
        return "sqlite", storage, {}
    url = urlparse(storage)
    if url.scheme != "sqlite":
        raise _input_error(
            "storage",
            _RULE,
            describe(storage),
            "use an sqlite:/// URL such as 'sqlite:///study.db', or a plain path",
        )
    path = sqlite_path(storage)
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


def _url_options(storage: str, query: str) -> dict:
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
                "use journal_mode=, timeout= or mode=",
            )
    return options
