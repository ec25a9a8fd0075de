"""Open or resume a study in a storage: its name, its search space, seed and direction.

A new study is created with the space, seed and direction given; an existing one
resumes, and its stored space, seed and direction win (a space or a direction that
differs from the stored one is refused; the same parameters in another order are the
same space, read in the caller's order).

>>> from pyjl.bo import Real
>>> st = open_study(None, "demo", {"x": Real(0.0, 1.0)}, 7)
>>> st.name, st.seed, st.space.names
('demo', 7, ['x'])
>>> open_study(st.storage, "demo", None, None).seed  # resumed: the stored seed
7
>>> st.direction
'minimize'
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any, NamedTuple

from .. import _validate
from .direction import check_direction, direction_of, settings_json
from .space import Space
from .storage import open_storage
from .storage.url import parse

__all__ = ["Study", "open_study"]


class Study(NamedTuple):
    """An open study: where it is stored and what it was created with."""

    storage: Any  # MemoryStorage, SQLiteStorage or PostgreSQLStorage
    name: str
    id: int
    space: Space
    seed: int
    direction: str = "minimize"


def open_study(
    storage,
    study: Any,
    space: Space | Mapping | None,
    seed: int | None,
    direction: str | None = None,
) -> Study:
    """The study ``study`` (``None``: ``"default"``) in ``storage`` (a storage or what
    :func:`~pyjl.bo.storage.open_storage` takes), created with ``space``, ``seed``
    (``None``: a random one; checked by the caller) and ``direction`` (``None``:
    ``"minimize"``) when it is new.

    Parameters
    ----------
    storage : None or str or path-like or storage
        Where the trials are kept (see :class:`~pyjl.bo.Optimizer`).
    study : str or None
        The study's name.
    space : Space or dict or None
        The search space; ``None`` loads the stored one.
    seed : int or None
        The seed of a new study.
    direction : {"minimize", "maximize"} or None
        Which way the study optimises; ``None`` resumes a stored study in its own.

    Returns
    -------
    Study
        ``(storage, name, id, space, seed, direction)``: the space, seed and direction
        are the stored ones.
    """
    direction = check_direction(direction)
    if study is not None and not (isinstance(study, str) and study.strip()):
        raise _validate.error(
            "study",
            "must be a study name (a non-blank string) or None",
            _validate.describe(study),
            "pass a name such as 'xgb-tuning', or None for 'default'",
        )
    if study is not None and "\x00" in study:  # PostgreSQL's text cannot hold it
        raise _validate.error(
            "study",
            "must not hold a NUL character",
            repr(study),
            "pass a name of printable characters",
        )
    if space is None and isinstance(storage, (str, os.PathLike)):
        kind, path, _ = parse(storage)
        if kind == "sqlite" and path != ":memory:" and not os.path.exists(path):
            raise _validate.error(  # before a new, empty file is made
                "space",
                f"must be given to create a study (there is no study file at {path!r})",
                "None",
                "pass the search space, or the storage of a stored study",
            )
    storage = open_storage(storage)
    name = "default" if study is None else study
    if space is not None and not isinstance(space, Space):
        space = Space(space)
    info = storage.study(
        name,
        None if space is None else space.to_json(),
        int(seed) if seed is not None else secrets.randbits(31),
        settings_json(direction or "minimize"),
    )
    stored = Space.from_json(info["space"])
    if space is not None and stored != space:
        raise _validate.error(
            "space",
            f"must match the study (study={name!r} in {storage.url} was created with "
            "another space)",
            f"a space that differs in {_difference(stored, space)}",
            "use the study's space (space=None loads it; with `pyjl tune`, the same --space "
            "file), or choose another study name",
        )
    stored_direction = direction_of(info["settings"])
    if direction is not None and direction != stored_direction:
        raise _validate.error(
            "direction",
            f"must match the study (study={name!r} in {storage.url} "
            f"{stored_direction[:-1]}es its objective)",
            direction,
            "pass direction=None to resume it in its own direction, or choose another study name",
        )
    # the caller's space equals the stored one up to the order of its parameters: its
    # order is the one the caller's lists (x0, res.x) are written in
    used = stored if space is None else space
    return Study(storage, name, info["id"], used, int(info["seed"]), stored_direction)


def _difference(stored: Space, given: Space) -> str:
    """Where ``given`` differs from the study's ``stored`` space, parameter by parameter:
    what a message must show (the whole spaces, shortened, hid it)."""
    a, b = stored.dimensions, given.dimensions
    parts = []
    for k in [*a, *(k for k in b if k not in a)]:
        if k not in b:
            parts.append(f"{k!r} (the study's {a[k]!r}, not given)")
        elif k not in a:
            parts.append(f"{k!r} (given {b[k]!r}, not in the study)")
        elif a[k] != b[k]:
            parts.append(f"{k!r} (the study's {a[k]!r}, given {b[k]!r})")
    return "; ".join(parts) or _validate.describe(given)
