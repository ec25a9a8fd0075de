"""The dashboard's JSON API (read only, ``GET``): what the pages fetch, and what a script
or notebook can fetch too.

========================================================  =================================
``/api/studies``                                           every study: trials by state,
                                                           best, last activity
``/api/studies/{name}``                                    one study, with its space
``/api/studies/{name}/trials?since=R&epoch=E``             the trials changed after
                                                           revision ``R`` (all: ``R=0``)
``/api/studies/{name}/posterior?param=P&n_grid=200``       the GP posterior ± 2σ and the
                                                           acquisition along ``P``
``/api/studies/{name}/importance``                         inverse ARD lengthscales
========================================================  =================================

Errors answer a JSON object ``{"error": message, "status": code}``: 404 for a study or
path that does not exist, 400 for a bad query (an unknown parameter, ``since`` not a
whole number), 409 for a posterior that needs more completed trials, 503 when the
storage cannot be read at the moment (the message says why); never a stack trace.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from urllib.parse import parse_qs, unquote

from ...exceptions import PyjlError, StorageError
from ..posterior import N_GRID_MAX
from .data import StudyReader, _NotFound, _Unavailable

__all__ = ["answer"]

log = logging.getLogger("pyjl.bo.dashboard")


class _BadQuery(ValueError):
    """A query parameter that cannot be read (HTTP 400)."""


def _int(query: dict, key: str, default: int, low: int, high: int | None = None) -> int:
    raw = query.get(key, [None])[-1]
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _BadQuery(f"`{key}` must be a whole number; got {raw!r}") from None
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in {low}..{high}"
        raise _BadQuery(f"`{key}` must be {bound}; got {value}")
    return value


def _route(reader: StudyReader, parts: list[str], query: dict):
    if parts == ["studies"]:
        return {"storage": reader.url, "studies": reader.studies()}
    if len(parts) < 2 or parts[0] != "studies":
        raise _NotFound("no such API path; see /api/studies")
    name = parts[1]
    rest = parts[2:]
    if not rest:
        return reader.detail(name)
    if rest == ["trials"]:
        since = _int(query, "since", 0, 0)
        epoch = query.get("epoch", [None])[-1]
        return reader.trials(name, since, epoch)
    if rest == ["posterior"]:
        param = query.get("param", [None])[-1]
        if not param:
            reader.study(name)  # an unknown study is a 404 before a missing param
            raise _BadQuery("`param` must name a parameter; got none (add ?param=NAME)")
        return reader.posterior(name, param, _int(query, "n_grid", 200, 2, N_GRID_MAX))
    if rest == ["importance"]:
        return reader.importance(name)
    raise _NotFound(f"no such API path /{'/'.join(parts)}; see /api/studies")


def answer(reader: StudyReader, path: str, query_string: str) -> tuple[int, bytes]:
    """``(status, JSON body)`` for ``GET /api/<path>?<query_string>``."""
    parts = [unquote(p) for p in path.strip("/").split("/") if p]
    try:
        status, body = 200, _route(reader, parts, parse_qs(query_string))
    except _NotFound as exc:
        status, body = exc.status, {"error": str(exc)}
    except _BadQuery as exc:
        status, body = 400, {"error": str(exc)}
    except _Unavailable as exc:
        status, body = 409, {"error": str(exc)}
    except (StorageError, sqlite3.Error) as exc:
        status, body = 503, {"error": f"the storage cannot be read now: {exc}"}
    except PyjlError as exc:
        status, body = 400, {"error": str(exc)}
    except Exception as exc:  # a bug: say so, log it, never send the stack
        log.exception("dashboard: GET /api/%s failed", path)
        status, body = 500, {"error": f"internal error ({type(exc).__name__}); see the log"}
    if status != 200:
        body["status"] = status
    return status, json.dumps(body, allow_nan=False).encode()
