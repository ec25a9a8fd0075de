"""Search spaces: :class:`Real`, :class:`Integer`, :class:`Categorical` and :class:`Space`.

The surrogate works in the unit cube.  Each dimension maps its values to one
unit coordinate (``Real``, ``Integer``) or to a one-hot block (``Categorical``):

* ``Real(lo, hi)``: ``u = (x - lo) / (hi - lo)`` (``log=True``: in ``log x``; ``lo == hi``:
  ``u = 0``).
* ``Integer(lo, hi)``: ``hi - lo + 1`` equal bins of ``[0, 1]``, the value ``v``
  sitting at the centre of its bin, ``u = (v - lo + 1/2) / (hi - lo + 1)``
  (``log=True``: bins equal in ``log v`` between ``log(lo - 1/2)`` and
  ``log(hi + 1/2)``), so a uniform ``u`` draws each integer with the same weight.
* ``Categorical(choices)``: one coordinate per choice; the choice is the argmax.

:meth:`Space.round` maps any point of the cube to the encoding of the value it
decodes to (integers to their bin centres, categoricals to a one-hot vector).
The Gaussian process sees only rounded points, so all points that decode to the
same parameters look the same to it and it never spends an evaluation on a point
equivalent to one already seen (Garrido-Merchán & Hernández-Lobato 2020,
"Dealing with categorical and integer-valued variables in Bayesian optimization
with Gaussian processes", Neurocomputing 380).

>>> space = Space({"lr": Real(1e-3, 1.0, log=True), "depth": Integer(2, 5),
...                "kind": Categorical(["a", "b", "c"])})
>>> len(space), space.n_encoded       # parameters, unit-cube coordinates
(3, 5)
>>> space.encode({"lr": 0.01, "depth": 3, "kind": "b"})
array([0.33333333, 0.375     , 0.        , 1.        , 0.        ])
>>> p = space.decode([0.5, 0.99, 0.2, 0.1, 0.7])    # lr: the geometric midpoint
>>> round(p["lr"], 6), p["depth"], p["kind"]
(0.031623, 5, 'c')
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _validate
from ..exceptions import SpaceExhausted
from .dimension_tables import from_table, from_tuple
from .dimensions import Categorical, Dimension, Integer, Real, jsonable, plain

__all__ = ["Dimension", "Real", "Integer", "Categorical", "Space", "SpaceExhausted"]


class Space:
    """An ordered set of named dimensions and the unit-cube encoding of their values.

    ``encode(params) -> (n_encoded,)``, ``decode(u) -> dict``, ``round(U) -> U'``
    for ``(n, n_encoded)`` arrays; ``validate(params) -> dict`` checks names and ranges.
    ``len(space)`` is the number of parameters; :attr:`n_encoded` the width of the
    unit-cube encoding (a ``Categorical`` takes one coordinate per choice).

    Examples
    --------
    >>> from pyjl.bo import Space, Real, Integer, Categorical
    >>> space = Space({"lr": Real(1e-3, 1.0, log=True), "depth": Integer(2, 5),
    ...                "kind": Categorical(["a", "b"])})
    >>> sorted(space.dimensions)
    ['depth', 'kind', 'lr']
    """

    def __init__(self, dimensions: Mapping[str, Dimension]):
        if isinstance(dimensions, Space):
            dimensions = dimensions.dimensions
        if not isinstance(dimensions, Mapping) or not dimensions:
            raise _validate.error(
                "dimensions",
                "must be a non-empty dict {name: Real(...) | Integer(...) | Categorical(...)}",
                _validate.describe(dimensions),
                "pass e.g. {'x': Real(0.0, 1.0)}",
            )
        for name in dimensions:
            if not isinstance(name, str) or not name:
                raise _validate.error(
                    "dimensions",
                    "must have non-empty strings as keys (the parameter names)",
                    f"the key {name!r}",
                    "name each parameter, e.g. {'x': Real(0.0, 1.0)}",
                )
        self.dimensions: dict[str, Dimension] = {
            name: from_tuple(dim, f"dimensions[{name!r}]") for name, dim in dimensions.items()
        }
        self.names = list(self.dimensions)
        self.slices: dict[str, slice] = {}
        start = 0
        for name, dim in self.dimensions.items():
            self.slices[name] = slice(start, start + dim.n_encoded)
            start += dim.n_encoded
        self.n_encoded = start
        #: encoded coordinates that are continuous (``Real``), the ones L-BFGS-B moves
        self.continuous = np.array(
            [
                i
                for n, d in self.dimensions.items()
                if isinstance(d, Real)
                for i in range(self.slices[n].start, self.slices[n].stop)
            ],
            dtype=np.intp,
        )

    def __repr__(self) -> str:
        return f"Space({self.dimensions!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Space) and self.to_dict() == other.to_dict()

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, name: str) -> Dimension:
        return self.dimensions[name]

    # --- (de)serialisation: JSON / TOML, never pickle ---------------------------
    def to_dict(self) -> dict:
        return {name: dim.to_dict() for name, dim in self.dimensions.items()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, spec: Mapping[str, Mapping[str, Any]], source: str = "space") -> Space:
        """Build from ``{name: {"type": "real"|"integer"|"categorical", ...}}`` (JSON/TOML);
        ``source`` names the spec in messages (``space['eta'].low``)."""
        if not isinstance(spec, Mapping) or not spec:
            raise _validate.error(
                source,
                "must hold one table per parameter",
                _validate.describe(spec),
                "give e.g. {'x': {'type': 'real', 'low': 0.0, 'high': 1.0}}",
            )
        return cls({name: from_table(d, f"{source}[{name!r}]") for name, d in spec.items()})

    @classmethod
    def from_json(cls, text: str) -> Space:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_toml(cls, path: str, *, name: str = "path") -> Space:
        """Read a SPACE.toml file: one table per parameter (see the README); ``name`` is
        how an error names the file's argument (``--space`` on the command line)."""
        import tomllib

        try:
            with open(path, "rb") as fh:
                spec = tomllib.load(fh)
        except FileNotFoundError:
            raise _validate.error(
                name,
                "must name an existing space file",
                f"{path!r}, which does not exist",
                "check the path",
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise _validate.error(
                name,
                "must be a valid TOML file",
                f"{path!r}, where the parser says: {exc}",
                "fix the syntax at that line",
            ) from None
        except UnicodeDecodeError as exc:
            raise _validate.error(
                name,
                "must be a UTF-8 TOML file",
                f"{path!r}, with a byte UTF-8 cannot read at offset {exc.start}",
                "save it as UTF-8",
            ) from None
        except IsADirectoryError:
            raise _validate.error(
                name, "must name a space file", f"{path!r}, a folder", "name the file in it"
            ) from None
        return cls.from_dict(spec, source=f"{path}:space")

    # --- values ---------------------------------------------------------------
    def _mapping(self, params: Any, what: str) -> Mapping:
        """``params`` as a mapping: a pandas Series (or another object with ``keys()`` and
        ``[name]``) as a dict, a history row's columns (every column of
        :func:`~pyjl.bo.history.param_columns` present) with ``params_NAME`` read as
        ``NAME``; anything else refused."""
        if (
            not isinstance(params, Mapping)
            and callable(getattr(params, "keys", None))
            and getattr(params, "ndim", 1) == 1  # a Series, not a DataFrame
        ):
            from .history import param_columns

            name = {col: k for k, col in param_columns(self).items()}
            try:
                keys = list(params.keys())
                if set(name) <= set(keys):  # a history row's parameter columns
                    params = {name.get(k, k): params[k] for k in keys}
                else:  # keyed by the parameters' own names
                    params = {k: params[k] for k in keys}
            except (TypeError, KeyError, IndexError, ValueError):
                pass
        if not isinstance(params, Mapping):
            raise _validate.error(
                what,
                "must be a dict {name: value} (or a pandas Series)",
                _validate.describe(params),
                f"pass e.g. {dict.fromkeys(self.names[:2], 0)}",
            )
        return params

    def _complete(self, params: Any, what: str) -> Mapping:
        """``params`` as a mapping (:meth:`_mapping`), refused unless it names every
        parameter."""
        params = self._mapping(params, what)
        missing = [k for k in self.names if k not in params]
        if missing:
            raise _validate.error(
                what,
                f"must name every parameter of the space {self.names}",
                f"no {', '.join(map(repr, missing))}",
                "add the missing values",
            )
        return params

    def validate(self, params: Mapping[str, Any], what: str = "params") -> dict:
        """Check that ``params`` (a dict, or a pandas Series such as a row of a history's
        parameter columns) names every parameter once and lies inside the space."""
        params = self._mapping(params, what)
        unknown = [k for k in params if k not in self.dimensions]
        if unknown:
            raise _validate.error(
                what,
                f"must name only parameters of the space {self.names}",
                f"also {', '.join(map(repr, unknown))}",
                "drop the unknown names or add them to the space",
            )
        self._complete(params, what)
        return {k: self.dimensions[k].validate(params[k], k, what) for k in self.names}

    def encode(self, params: Mapping[str, Any]) -> np.ndarray:
        """Unit-cube coordinates ``(n_encoded,)`` of ``params``.

        A value outside its range (to warm-start from) maps outside ``[0, 1]`` and extra
        names are ignored; a missing name, a non-finite or non-numeric value of a
        ``Real``/``Integer`` and an unknown choice are refused."""
        params = self._complete(params, "params")
        return np.concatenate(
            [self.dimensions[k].encode(params[k], f"params[{k!r}]") for k in self.names]
        )

    def decode(self, u: np.ndarray) -> dict:
        """The parameters a unit-cube point ``(n_encoded,)`` stands for (clipped to the cube)."""
        rule = f"must be a finite point of the unit cube of shape ({self.n_encoded},)"
        try:
            u = np.asarray(u, dtype=np.float64)
        except (TypeError, ValueError):
            raise _validate.error(
                "u", rule, _validate.describe(u), "pass an array of floats"
            ) from None
        if u.shape != (self.n_encoded,) or not np.isfinite(u).all():
            got = (
                f"shape {u.shape}"
                if u.shape != (self.n_encoded,)
                else f"a non-finite value at index {int(np.argmin(np.isfinite(u)))}"
            )
            raise _validate.error("u", rule, got, f"pass {self.n_encoded} finite floats in [0, 1]")
        return {k: self.dimensions[k].decode(u[self.slices[k]]) for k in self.names}

    def round(self, U: np.ndarray) -> np.ndarray:
        """Map points ``(n, n_encoded)`` to the encoding of what they decode to."""
        U = np.clip(np.atleast_2d(np.asarray(U, dtype=np.float64)), 0.0, 1.0).copy()
        for name, dim in self.dimensions.items():
            s = self.slices[name]
            if isinstance(dim, Integer):
                U[:, s.start] = dim._unit(dim._values(U[:, s.start]))
            elif isinstance(dim, Categorical):
                idx = np.argmax(U[:, s], axis=1)
                U[:, s] = 0.0
                U[np.arange(len(U)), s.start + idx] = 1.0
        return U

    def distance(self, point_a: Any, point_b: Any) -> float:
        """scikit-optimize's distance of two points (dicts, or lists in the space's order,
        as ``Result.x_iters`` holds them): ``|a - b|`` summed over the numeric parameters
        (in their own units), plus 1 for each categorical that differs; its
        ``DeltaXStopper`` reads it.

        >>> s = Space({"x": Real(0.0, 10.0), "n": Integer(1, 5), "c": Categorical(["a", "b"])})
        >>> s.distance([1.0, 2, "a"], {"x": 3.5, "n": 1, "c": "b"})
        4.5
        """
        a = self.validate(self._listed(point_a, "point_a"), "point_a")
        b = self.validate(self._listed(point_b, "point_b"), "point_b")
        total = 0.0
        for name, dim in self.dimensions.items():
            if isinstance(dim, Categorical):
                total += float(dim.index(a[name]) != dim.index(b[name]))
            else:
                total += abs(float(a[name]) - float(b[name]))
        return total

    def _listed(self, point: Any, name: str) -> Any:
        """A list or tuple of values in the space's order as a dict (else as given)."""
        if isinstance(point, (list, tuple)):
            if len(point) != len(self.names):
                raise _validate.error(
                    name,
                    f"must hold one value per parameter ({len(self.names)}, in the order "
                    f"{list(self.names)})",
                    f"{len(point)} values",
                    "pass a dict {name: value} or a full list",
                )
            return dict(zip(self.names, point, strict=True))
        return point

    def as_chosen(self, params: dict) -> dict:
        """Stored ``params`` with each categorical value as its choice: a JSON array read
        back is the tuple it was (other values, and names not in the space, as given)."""
        out = params
        for name in self._tupled:
            dim = self.dimensions[name]
            if isinstance(dim, Categorical) and isinstance(params.get(name), list):
                i = dim.index(params[name])
                if i >= 0:
                    out = out if out is not params else dict(params)
                    out[name] = dim.choices[i]
        return out

    @functools.cached_property
    def _tupled(self) -> list[str]:
        """The categoricals with a tuple choice: the only ones :meth:`as_chosen` reads
        (every read of a study's trials passes through it)."""
        return [
            n
            for n, d in self.dimensions.items()
            if isinstance(d, Categorical) and any(isinstance(c, tuple) for c in d.choices)
        ]

    def key(self, params: Mapping[str, Any]) -> str:
        """A canonical JSON text of ``params`` (used to spot duplicates); NumPy scalars
        give the key of the Python scalars they hold, extra names are ignored."""
        params = self._complete(params, "params")
        try:
            return json.dumps({k: plain(params[k]) for k in self.names}, sort_keys=False)
        except (TypeError, ValueError):
            bad = next(k for k in self.names if not jsonable(params[k]))
            raise _validate.error(
                f"params[{bad!r}]",
                "must be a value JSON can store (str, int, float, bool or None)",
                _validate.describe(params[bad]),
                "give a number or one of the parameter's choices",
            ) from None

    @staticmethod
    def _n_values(dim: Dimension) -> float:
        """How many values ``dim`` takes (``inf`` for a ``Real`` with ``lo < hi``)."""
        if isinstance(dim, Real):
            return math.inf if dim.lo < dim.hi else 1
        return dim.n_values if isinstance(dim, Integer) else dim.n_encoded

    def size(self) -> float:
        """The number of distinct points (``inf`` when a ``Real`` with ``lo < hi`` is
        present; a ``Real`` with ``lo == hi`` has one)."""
        return math.prod((self._n_values(d) for d in self.dimensions.values()), start=1.0)

    # --- the points of a finite space, numbered -------------------------------
    def radices(self) -> list[int]:
        """The number of values of each parameter of a finite space (:meth:`size`)."""
        counts = [self._n_values(d) for d in self.dimensions.values()]
        if math.inf in counts:
            raise _validate.error(
                "space",
                "must be finite (no Real with lo < hi) to number its points",
                self,
                "number the points of a space of Integer and Categorical dimensions",
            )
        return [int(c) for c in counts]

    def point(self, i: int) -> dict:
        """Point ``i`` (``0 <= i <`` :meth:`size`) of a finite space: the parameters are the
        digits of ``i`` in mixed radix, the last parameter the fastest, each value by its
        position (an ``Integer`` from ``lo`` up, a ``Categorical`` in the order of its
        choices).

        Examples
        --------
        >>> space = Space({"k": Integer(1, 3), "c": Categorical(["a", "b"])})
        >>> space.point(3), space.rank({"k": 2, "c": "b"})
        ({'k': 2, 'c': 'b'}, 3)
        """
        out = {}
        for name, radix in reversed(list(zip(self.names, self.radices()))):
            i, digit = divmod(i, radix)
            dim = self.dimensions[name]
            if isinstance(dim, Categorical):
                out[name] = dim.choices[digit]
            elif isinstance(dim, Integer):
                out[name] = int(dim.lo) + digit
            else:  # a Real of one value (a finite space has no other)
                assert isinstance(dim, Real)
                out[name] = dim.lo
        return {k: out[k] for k in self.names}

    def rank(self, params: Mapping[str, Any]) -> int:
        """The number ``i`` of ``params`` (validated) in a finite space:
        ``point(rank(p)) == validate(p)``."""
        params = self.validate(params)
        i = 0
        for (name, dim), radix in zip(self.dimensions.items(), self.radices()):
            v = params[name]
            digit = (
                v - int(dim.lo)
                if isinstance(dim, Integer)
                else dim.index(v)
                if isinstance(dim, Categorical)
                else 0
            )
            i = i * radix + digit
        return i
