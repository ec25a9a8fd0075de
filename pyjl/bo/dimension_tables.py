"""Dimensions read from JSON/TOML tables (``Space.from_toml``, ``Space.from_json``):
:func:`from_table`, whose refusals name the table's key (``space['eta'].low``) rather
than the constructor's argument; and from scikit-optimize's shorthand (:func:`from_tuple`).

>>> from_table({"type": "real", "low": 0.0, "high": 2.0}, "space['x']")
Real(0.0, 2.0)
>>> from_tuple((1e-3, 1e3, "log-uniform"), "C"), from_tuple((1, 8), "d")
(Real(0.001, 1000.0, log=True), Integer(1, 8))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _validate
from ..exceptions import InputError
from .dimension_peers import from_peer
from .dimensions import Categorical, Dimension, Integer, Real

__all__ = ["from_table", "from_tuple"]

_PRIORS = ("uniform", "log-uniform")
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


def from_tuple(spec: Any, where: str) -> Dimension:
    """A dimension in scikit-optimize's shorthand, as its ``check_dimension`` documents it:
    a tuple ``(low, high)``, ``(low, high, prior)`` or ``(low, high, prior, base)`` is an
    :class:`Integer` when both bounds are integers, else a :class:`Real` (``prior``:
    ``"uniform"`` or ``"log-uniform"``; a log-uniform law does not depend on ``base``);
    any other list or tuple is a :class:`Categorical` of its items.  A list that reads as
    a range (``[3, 5]``, ``[1e-3, 1.0, "log-uniform"]``) is refused: scikit-optimize 0.10
    still reads it as the range (with a warning that it will become the two choices), so
    either reading would surprise someone.  scikit-optimize's dimension objects and
    Optuna's distributions are read as :func:`~pyjl.bo.dimension_peers.from_peer` reads
    them.  ``where`` names it in refusals."""
    if isinstance(spec, Dimension):
        return spec
    peer = from_peer(spec, where)
    if peer is not None:
        return peer
    if not isinstance(spec, (list, tuple, np.ndarray)) or len(spec) == 0:
        raise _validate.error(
            where,
            "must be Real(...), Integer(...), Categorical(...), scikit-optimize's "
            "shorthand: (low, high), (low, high, 'log-uniform') or a list of choices, or "
            "a scikit-optimize dimension or Optuna distribution",
            _validate.describe(spec),
            "pass e.g. Real(0.0, 1.0), (1, 8) or ['gini', 'entropy']",
        )
    items = list(spec)
    if not _ranged(items):
        return Categorical(items)
    if not isinstance(spec, tuple):
        raise _validate.error(
            where,
            "must say whether it is a range or a list of choices: a list of two numbers "
            "(and a prior) is a range to scikit-optimize 0.10 and choices to its later versions",
            _validate.describe(spec),
            f"pass the tuple {tuple(items[:3])!r} for a range, or Categorical({items!r}) "
            "for the choices",
        )
    whole = all(isinstance(v, (int, np.integer)) for v in items[:2])
    prior = items[2] if len(items) > 2 else "uniform"
    return (Integer if whole else Real)(*items[:2], prior=prior)


def _ranged(items: list) -> bool:
    """Whether ``items`` read as ``(low, high[, prior[, base]])``."""
    real = (int, float, np.integer, np.floating)
    number = [isinstance(v, real) and not isinstance(v, (bool, np.bool_)) for v in items]
    return (
        2 <= len(items) <= 4
        and number[0]
        and number[1]
        and (len(items) < 3 or (isinstance(items[2], str) and items[2] in _PRIORS))
        and (len(items) < 4 or (number[3] and items[3] > 0 and items[3] != 1))
    )


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
            f"must have the keys {list(keys)} of {'an' if kind[0] in 'aeiou' else 'a'} "
            f"{kind}{optional}",
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
