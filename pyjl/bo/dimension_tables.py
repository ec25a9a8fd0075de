"""Dimensions read from JSON/TOML tables (``Space.from_toml``, ``Space.from_json``):
:func:`from_table`, whose refusals name the table's key (``space['eta'].low``) rather
than the constructor's argument.

>>> from_table({"type": "real", "low": 0.0, "high": 2.0}, "space['x']")
Real(0.0, 2.0)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .. import _validate
from ..exceptions import InputError
from .dimensions import Categorical, Dimension, Integer, Real

__all__ = ["from_table"]

_KINDS = {"real": Real, "integer": Integer, "categorical": Categorical}
_KEYS = {
    "real": ("type", "low", "high", "log"),
    "integer": ("type", "low", "high", "log"),
    "categorical": ("type", "choices"),
}
#: a dimension's argument -> its key in a table
_FIELDS = {"lo": "low", "hi": "high", "log": "log", "choices": "choices"}
#: the parts of a message of :func:`pyjl._validate.error`, to name the table's key instead
_VOICE = re.compile(r"`(?P<name>[^`]+)` (?P<rule>.*?); got (?P<got>.*)\. Fix: (?P<fix>.*)\.", re.S)


def from_table(d: Any, where: str) -> Dimension:
    """The dimension a JSON/TOML table describes; ``where`` names it (``space['eta']``)."""
    if not isinstance(d, Mapping):
        raise _validate.error(
            where,
            "must be a table with a 'type' key",
            _validate.describe(d),
            "give e.g. {'type': 'real', 'low': 0.0, 'high': 1.0}",
        )
    kind = d.get("type")
    kind = kind.lower() if isinstance(kind, str) else kind
    if kind not in _KINDS:
        raise _validate.error(
            f"{where}.type",
            "must be 'real', 'integer' or 'categorical'",
            _validate.describe(d.get("type")),
            "use one of these three types",
        )
    keys = _KEYS[kind]
    unknown = sorted(map(str, set(d) - set(keys)))
    missing = [k for k in keys[1:3] if k not in d]
    if unknown or missing:
        got = (
            "unknown keys " + ", ".join(map(repr, unknown))
            if unknown
            else "no " + ", ".join(map(repr, missing))
        )
        optional = " (log optional)" if kind != "categorical" else ""
        raise _validate.error(
            where,
            f"must have the keys {list(keys)} of a {kind}{optional}",
            got,
            "fix the table's keys",
        )
    try:
        if kind == "categorical":
            return Categorical(d["choices"])
        return _KINDS[kind](d["low"], d["high"], log=d.get("log", False))
    except InputError as exc:
        voiced = _VOICE.fullmatch(str(exc))
        field = _FIELDS.get(voiced["name"].rpartition(".")[2]) if voiced else None
        if field is None or voiced is None:
            raise
        raise _validate.error(
            f"{where}.{field}",
            voiced["rule"],
            voiced["got"],
            voiced["fix"],
            wrong_type=isinstance(exc, TypeError),
        ) from None
