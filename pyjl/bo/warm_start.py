"""Points to start a study from: scikit-optimize's ``x0``/``y0`` and Optuna's
``enqueue_trial``.

:func:`points` reads ``x0`` as scikit-optimize writes it -- one point or a list of them,
each a list in the space's order -- or as pyjl does, dicts ``{name: value}`` (or a
DataFrame of them); :func:`start` tells the points whose values ``y0`` gives and has
the optimiser ask the others first (:meth:`~pyjl.bo.Optimizer.enqueue`).  A point the
study already holds is neither told nor asked again, so a resumed study given the same
``x0``/``y0`` adds nothing twice.

>>> from pyjl.bo import Integer, Real, Space
>>> space = Space({"x": Real(0.0, 1.0), "k": Integer(1, 3)})
>>> points([0.5, 2], space), points([{"x": 0.1, "k": 1}, [0.2, 3]], space)
([{'x': 0.5, 'k': 2}], [{'x': 0.1, 'k': 1}, {'x': 0.2, 'k': 3}])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import _validate
from ..data import as_array, origin
from .space import Space
from .trial import TrialState

__all__ = ["points", "values", "start"]


def _is_point(x: Any) -> bool:
    """Whether ``x`` is one point (a dict, or a list of scalars) rather than a list."""
    if isinstance(x, Mapping):
        return True
    return (
        isinstance(x, Sequence)
        and not isinstance(x, str)
        and all(not isinstance(v, (Mapping, list, tuple, np.ndarray)) for v in x)
    )


def points(x0: Any, space: Space, name: str = "x0") -> list[dict]:
    """``x0`` as a list of validated parameter dicts (see the module's docstring)."""
    if hasattr(x0, "to_dict") and hasattr(x0, "columns"):  # a DataFrame: one row a point
        x0 = x0.to_dict("records")
    if isinstance(x0, np.ndarray):
        x0 = x0.tolist()
    if isinstance(x0, (str, bytes)) or not isinstance(x0, (Mapping, Sequence)) or not len(x0):
        raise _validate.error(
            name,
            "must be a point or a non-empty list of points, each a dict {name: value} or "
            f"a list in the space's order {space.names}",
            _validate.describe(x0),
            f"pass e.g. [{dict.fromkeys(space.names, '...')}]",
        )
    rows = [x0] if _is_point(x0) else list(x0)
    out = []
    for i, row in enumerate(rows):
        where = name if rows[0] is x0 else f"{name}[{i}]"
        if isinstance(row, np.ndarray):
            row = row.tolist()
        if not isinstance(row, Mapping):
            if not isinstance(row, Sequence) or isinstance(row, str) or len(row) != len(space):
                raise _validate.error(
                    where,
                    f"must be a dict or a list of {len(space)} values in the space's order "
                    f"{space.names}",
                    _validate.describe(row),
                    "give one value per parameter, or a dict {name: value}",
                )
            row = dict(zip(space.names, row))
        out.append(space.validate(row, where))
    return out


def values(y0: Any, n: int) -> list[float]:
    """``y0`` as ``n`` finite floats: one per point of ``x0`` (a number for one point)."""
    if origin(y0).kind not in ("numpy", "other"):  # pandas, Arrow: nulls named as nulls
        y0 = as_array(y0, name="y0", allow_empty=True)
    got = [y0] if np.ndim(y0) == 0 else list(np.asarray(y0, dtype=object).reshape(-1))
    if len(got) != n:
        raise _validate.error(
            "y0",
            f"must give one value per point of x0 ({n})",
            f"{len(got)} values",
            "pass the objective's value at each point of x0, in order, or y0=None to "
            "have them evaluated",
        )
    fix = "drop the point (or pass y0=None to evaluate x0)"
    return [
        _validate.finite(v, "y0" if n == 1 else f"y0[{i}]", fix=fix, finite_fix=fix)
        for i, v in enumerate(got)
    ]


def start(opt, x0: Any, y0: Any, n_calls: int) -> None:
    """Tell ``opt`` the points of ``x0`` with their values ``y0``, or (``y0=None``) have
    it ask them first, within a budget of ``n_calls`` trials; points its study holds
    already are skipped (a point given ``k`` times is told until the study holds it
    ``k`` times: repeated measurements are kept, a re-run adds nothing)."""
    if x0 is None:
        if y0 is not None:
            raise _validate.error(
                "y0",
                "must come with x0, the points it gives values of",
                "x0=None",
                "pass x0 too, or y0=None",
            )
        return
    pts = points(x0, opt.space)
    kept = [t for t in opt.trials if t.state != TrialState.ABANDONED]  # what counts
    if y0 is None:
        _check_room(opt, pts, kept, n_calls)
        opt.enqueue(pts)
        return
    ys = values(y0, len(pts))
    held = Counter(opt.space.key(t.params) for t in kept)
    for p, y in zip(pts, ys):
        key = opt.space.key(p)
        if held[key] > 0:
            held[key] -= 1
        else:
            opt.tell(p, y)


def _check_room(opt, pts: list[dict], kept: list, n_calls: int) -> None:
    """Refuse an ``n_calls`` too small to evaluate every point of ``x0`` the study does
    not hold yet (each once), as scikit-optimize refuses ``n_calls < len(x0)``: the
    points past the budget would be dropped without a word."""
    held = {opt.space.key(t.params) for t in kept}
    new = {opt.space.key(p) for p in pts} - held
    # trials still pending may be a dead worker's, which the run abandons before it asks
    done = sum(t.state.is_finished() for t in kept)
    if new and done + len(new) > n_calls:
        raise _validate.error(
            "n_calls",
            f"must leave room for x0's points: the study holds {done} finished trial(s) "
            f"and x0 adds {len(new)} point(s) to evaluate, which count towards it",
            n_calls,
            f"pass n_calls >= {done + len(new)}, fewer points, or their values as y0",
        )
