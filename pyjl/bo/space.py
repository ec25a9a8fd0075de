"""Search spaces: :class:`Real`, :class:`Integer`, :class:`Categorical` and :class:`Space`.

The surrogate works in the unit cube.  Each dimension maps its values to one
unit coordinate (``Real``, ``Integer``) or to a one-hot block (``Categorical``):

* ``Real(lo, hi)``: ``u = (x - lo) / (hi - lo)`` (``log=True``: in ``log x``).
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
>>> space.n_dims
5
>>> space.encode({"lr": 0.01, "depth": 3, "kind": "b"})
array([0.33333333, 0.375     , 0.        , 1.        , 0.        ])
>>> p = space.decode([0.5, 0.99, 0.2, 0.1, 0.7])    # lr: the geometric midpoint
>>> round(p["lr"], 6), p["depth"], p["kind"]
(0.031623, 5, 'c')
"""

from __future__ import annotations

import json
import math
import numbers
import re
from typing import Any, Mapping

import numpy as np

from .. import _validate
from ..exceptions import InputError, PyjlError

__all__ = ["Dimension", "Real", "Integer", "Categorical", "Space", "SpaceExhausted"]


def _bound(value: Any, name: str) -> float:
    return _validate.real(value, name, fix="pass a finite number")


def _number(value: Any, name: str) -> float:
    """``value`` as a finite float; ``name`` is how the message names it (``params['x']``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not math.isfinite(float(value)):
        raise _validate.error(name, "must be a finite real number", _validate.describe(value),
                              "give a number inside the parameter's range")
    return float(value)


def _label(name: str, what: str) -> str:
    return f"{what}[{name!r}]"


class Dimension:
    """One parameter of a :class:`Space`; ``n_encoded`` unit-cube coordinates."""

    n_encoded = 1
    name = "?"

    def encode(self, value: Any) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def decode(self, u: np.ndarray) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def validate(self, value: Any, name: str,
                 what: str = "params") -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def to_dict(self) -> dict:  # pragma: no cover - interface
        raise NotImplementedError


class _Range(Dimension):
    kind = "?"

    def __init__(self, lo: float, hi: float, log: bool = False):
        cls = type(self).__name__
        lo = _bound(lo, f"{cls}.lo")
        hi = _bound(hi, f"{cls}.hi")
        log = _validate.boolean(log, f"{cls}.log")
        if not lo < hi and not (isinstance(self, Integer) and lo == hi):
            rule = "must be >= lo (lo <= hi)" if isinstance(self, Integer) else \
                "must be above lo (lo < hi)"
            shape = "an inverted range" if lo > hi else "an empty range"
            raise _validate.error(f"{cls}.hi", rule, f"lo={lo!r}, hi={hi!r} ({shape})",
                                  "swap or widen the bounds")
        if log and lo <= 0:
            raise _validate.error(f"{cls}.lo", "must be > 0 with log=True", lo,
                                  "use log=False or a positive lower bound")
        self.lo, self.hi, self.log = lo, hi, log

    def to_dict(self) -> dict:
        return {"type": self.kind, "low": self.lo, "high": self.hi, "log": self.log}

    def __repr__(self) -> str:
        lo, hi = (int(self.lo), int(self.hi)) if isinstance(self, Integer) else (self.lo, self.hi)
        return f"{type(self).__name__}({lo!r}, {hi!r}{', log=True' if self.log else ''})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.to_dict() == other.to_dict()  # type: ignore

    def _bounds(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _fwd(self, v: np.ndarray) -> np.ndarray:
        return np.log(v) if self.log else v

    def _inv(self, t: np.ndarray) -> np.ndarray:
        return np.exp(t) if self.log else t


class Real(_Range):
    """A real parameter in ``[lo, hi]``; ``log=True`` searches ``log x`` uniformly.

    >>> Real(0.0, 2.0).decode(np.array([0.25]))
    0.5
    """

    kind = "real"

    def encode(self, value: float, name: str = "value") -> np.ndarray:
        value = _number(value, name)
        if self.log and value <= 0:
            raise _validate.error(name, "must be > 0 on a log scale", value,
                                  "give a positive value")
        a, b = self._fwd(np.array([self.lo, self.hi]))
        return np.array([(self._fwd(np.float64(value)) - a) / (b - a)])

    def decode(self, u: np.ndarray) -> float:
        a, b = self._fwd(np.array([self.lo, self.hi]))
        x = float(self._inv(a + float(np.clip(u[0], 0.0, 1.0)) * (b - a)))
        return min(max(x, self.lo), self.hi)

    def validate(self, value: Any, name: str, what: str = "params") -> float:
        label = _label(name, what)
        x = _number(value, label)
        if not self.lo <= x <= self.hi:
            raise _validate.error(label, f"must lie inside [{self.lo!r}, {self.hi!r}] ({self!r})",
                                  _validate.describe(value), "give a value inside the range")
        return x


class Integer(_Range):
    """An integer parameter in ``lo..hi`` (both included); ``log=True`` for log scale.

    >>> Integer(1, 4).decode(np.array([0.99]))
    4
    """

    kind = "integer"

    def __init__(self, lo: int, hi: int, log: bool = False):
        lo = _validate.integer(lo, "Integer.lo")
        hi = _validate.integer(hi, "Integer.hi")
        super().__init__(lo, hi, log)
        self.lo, self.hi = float(int(lo)), float(int(hi))

    def _edges(self) -> tuple[float, float]:
        return (float(self._fwd(np.float64(self.lo - 0.5))),
                float(self._fwd(np.float64(self.hi + 0.5))))

    def encode(self, value: int, name: str = "value") -> np.ndarray:
        value = _number(value, name)
        if self.log and value <= 0:
            raise _validate.error(name, "must be > 0 on a log scale", value,
                                  "give a positive value")
        a, b = self._edges()
        return np.array([(float(self._fwd(np.float64(value))) - a) / (b - a)])

    def decode(self, u: np.ndarray) -> int:
        a, b = self._edges()
        v = float(self._inv(a + float(np.clip(u[0], 0.0, 1.0)) * (b - a)))
        return int(min(max(round(v), self.lo), self.hi))

    def validate(self, value: Any, name: str, what: str = "params") -> int:
        label, got = _label(name, what), _validate.describe(value)
        x = _number(value, label)
        if x != round(x):
            raise _validate.error(label, f"must be an integer ({self!r})", got,
                                  "give a whole number")
        if not self.lo <= x <= self.hi:
            raise _validate.error(label, f"must lie inside {int(self.lo)}..{int(self.hi)} "
                                  f"({self!r})", got, "give a value inside the range")
        return int(x)

    @property
    def n_values(self) -> int:
        return int(self.hi - self.lo) + 1


class Categorical(Dimension):
    """One of a list of choices (str, int, float, bool or None: JSON values).

    >>> Categorical(["a", "b"]).decode(np.array([0.2, 0.7]))
    'b'
    """

    kind = "categorical"

    def __init__(self, choices):
        if isinstance(choices, (str, bytes, Mapping)) or not hasattr(choices, "__iter__"):
            raise _validate.error("choices", "must be a list of choices",
                                  _validate.describe(choices), "pass a list such as ['a', 'b']")
        choices = [_plain(c) for c in choices]
        if not choices:
            raise _validate.error("choices", "must hold at least one choice", "an empty list",
                                  "pass a list such as ['a', 'b']")
        for c in choices:
            if not (c is None or isinstance(c, (str, bool, int, float))):
                raise _validate.error("choices", "must be str, int, float, bool or None "
                                      "(values JSON can store)",
                                      f"{_validate.describe(c)} of type {type(c).__name__}",
                                      "map them to strings")
            if isinstance(c, float) and not math.isfinite(c):
                raise _validate.error("choices", "must not hold NaN or inf (JSON cannot "
                                      "store them and NaN equals nothing)", c,
                                      "use a string such as 'nan'")
        keys = [json.dumps(c) for c in choices]
        if len(set(choices)) != len(choices):   # Python's equality: 1 == 1.0 == True
            same = next((a, b) for i, a in enumerate(choices) for b in choices[i + 1:] if a == b)
            raise _validate.error("choices", "must be distinct values (Python treats "
                                  f"{same[0]!r} and {same[1]!r} as equal)", choices,
                                  "drop the duplicate or use strings, e.g. '1' and 'True'")
        self.choices = choices
        self._keys = keys
        self.n_encoded = len(choices)

    def __repr__(self) -> str:
        return f"Categorical({self.choices!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Categorical) and self._keys == other._keys

    def to_dict(self) -> dict:
        return {"type": self.kind, "choices": list(self.choices)}

    def index(self, value: Any) -> int:
        """The position of ``value`` among the choices, or -1."""
        try:
            return self._keys.index(json.dumps(_plain(value)))
        except (ValueError, TypeError):
            return -1

    def encode(self, value: Any, name: str = "value") -> np.ndarray:
        i = self.index(value)
        if i < 0:
            raise _validate.error(name, f"must be one of the choices {self.choices!r}",
                                  _validate.describe(value),
                                  "give one of them")
        out = np.zeros(self.n_encoded)
        out[i] = 1.0
        return out

    def decode(self, u: np.ndarray) -> Any:
        return self.choices[int(np.argmax(u))]

    def validate(self, value: Any, name: str, what: str = "params") -> Any:
        self.encode(value, _label(name, what))
        return self.choices[self.index(value)]


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python scalar it holds, so both give the same JSON."""
    return value.item() if isinstance(value, np.generic) else value


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(_plain(value))
    except (TypeError, ValueError):
        return False
    return True


_KINDS = {"real": Real, "integer": Integer, "categorical": Categorical}
_KEYS = {"real": ("type", "low", "high", "log"), "integer": ("type", "low", "high", "log"),
         "categorical": ("type", "choices")}
#: a dimension's argument -> its key in a table
_FIELDS = {"lo": "low", "hi": "high", "log": "log", "choices": "choices"}
#: the parts of a message of :func:`pyjl._validate.error`, to name the table's key instead
_VOICE = re.compile(r"`(?P<name>[^`]+)` (?P<rule>.*?); got (?P<got>.*)\. Fix: (?P<fix>.*)\.", re.S)


def _from_table(d: Any, where: str) -> Dimension:
    """The dimension a JSON/TOML table describes; ``where`` names it (``space['eta']``)."""
    if not isinstance(d, Mapping):
        raise _validate.error(where, "must be a table with a 'type' key", _validate.describe(d),
                              "give e.g. {'type': 'real', 'low': 0.0, 'high': 1.0}")
    kind = d.get("type")
    kind = kind.lower() if isinstance(kind, str) else kind
    if kind not in _KINDS:
        raise _validate.error(f"{where}.type", "must be 'real', 'integer' or 'categorical'",
                              _validate.describe(d.get("type")), "use one of these three types")
    keys = _KEYS[kind]
    unknown = sorted(map(str, set(d) - set(keys)))
    missing = [k for k in keys[1:3] if k not in d]
    if unknown or missing:
        got = "unknown keys " + ", ".join(map(repr, unknown)) if unknown else \
            "no " + ", ".join(map(repr, missing))
        optional = " (log optional)" if kind != "categorical" else ""
        raise _validate.error(where, f"must have the keys {list(keys)} of a {kind}{optional}",
                              got, "fix the table's keys")
    try:
        if kind == "categorical":
            return Categorical(d["choices"])
        return _KINDS[kind](d["low"], d["high"], log=d.get("log", False))
    except InputError as exc:
        voiced = _VOICE.fullmatch(str(exc))
        field = _FIELDS.get(voiced["name"].rpartition(".")[2]) if voiced else None
        if field is None:
            raise
        raise _validate.error(f"{where}.{field}", voiced["rule"], voiced["got"], voiced["fix"],
                              wrong_type=isinstance(exc, TypeError)) from None


class Space:
    """An ordered set of named dimensions and the unit-cube encoding of their values.

    ``encode(params) -> (n_dims,)``, ``decode(u) -> dict``, ``round(U) -> U'``
    for ``(n, n_dims)`` arrays; ``validate(params) -> dict`` checks names and ranges.

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
            raise _validate.error("dimensions", "must be a non-empty dict {name: Real(...) | "
                                  "Integer(...) | Categorical(...)}",
                                  _validate.describe(dimensions), "pass e.g. {'x': Real(0.0, 1.0)}")
        for name, dim in dimensions.items():
            if not isinstance(name, str) or not name:
                raise _validate.error("dimensions", "must have non-empty strings as keys "
                                      "(the parameter names)", f"the key {name!r}",
                                      "name each parameter, e.g. {'x': Real(0.0, 1.0)}")
            if not isinstance(dim, Dimension):
                raise _validate.error(f"dimensions[{name!r}]", "must be Real(...), Integer(...) "
                                      "or Categorical(...)", _validate.describe(dim),
                                      f"pass e.g. {{{name!r}: Real(0.0, 1.0)}}")
        self.dimensions: dict[str, Dimension] = dict(dimensions)
        self.names = list(self.dimensions)
        self.slices: dict[str, slice] = {}
        start = 0
        for name, dim in self.dimensions.items():
            self.slices[name] = slice(start, start + dim.n_encoded)
            start += dim.n_encoded
        self.n_dims = start
        #: encoded coordinates that are continuous (``Real``), the ones L-BFGS-B moves
        self.continuous = np.array([i for n, d in self.dimensions.items() if isinstance(d, Real)
                                    for i in range(self.slices[n].start, self.slices[n].stop)],
                                   dtype=np.intp)

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
    def from_dict(cls, spec: Mapping[str, Mapping[str, Any]], source: str = "space") -> "Space":
        """Build from ``{name: {"type": "real"|"integer"|"categorical", ...}}`` (JSON/TOML);
        ``source`` names the spec in messages (``space['eta'].low``)."""
        if not isinstance(spec, Mapping) or not spec:
            raise _validate.error(source, "must hold one table per parameter",
                                  _validate.describe(spec), "give e.g. {'x': {'type': 'real', "
                                  "'low': 0.0, 'high': 1.0}}")
        return cls({name: _from_table(d, f"{source}[{name!r}]") for name, d in spec.items()})

    @classmethod
    def from_json(cls, text: str) -> "Space":
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_toml(cls, path: str) -> "Space":
        """Read a SPACE.toml file: one table per parameter (see the README)."""
        import tomllib
        try:
            with open(path, "rb") as fh:
                spec = tomllib.load(fh)
        except FileNotFoundError:
            raise _validate.error("path", "must name an existing space file",
                                  f"{path!r}, which does not exist", "check the path") from None
        except tomllib.TOMLDecodeError as exc:
            raise _validate.error("path", "must be a valid TOML file",
                                  f"{path!r}, where the parser says: {exc}",
                                  "fix the syntax at that line") from None
        return cls.from_dict(spec, source=f"{path}:space")

    # --- values ---------------------------------------------------------------
    def _complete(self, params: Any, what: str) -> None:
        """Refuse ``params`` unless it is a mapping that names every parameter."""
        if not isinstance(params, Mapping):
            raise _validate.error(what, "must be a dict {name: value}", _validate.describe(params),
                                  f"pass e.g. {dict.fromkeys(self.names[:2], 0)}")
        missing = [k for k in self.names if k not in params]
        if missing:
            raise _validate.error(what, f"must name every parameter of the space {self.names}",
                                  f"no {', '.join(map(repr, missing))}", "add the missing values")

    def validate(self, params: Mapping[str, Any], what: str = "params") -> dict:
        """Check that ``params`` names every parameter once and lies inside the space."""
        if isinstance(params, Mapping):
            unknown = [k for k in params if k not in self.dimensions]
            if unknown:
                raise _validate.error(what, f"must name only parameters of the space {self.names}",
                                      f"also {', '.join(map(repr, unknown))}",
                                      "drop the unknown names or add them to the space")
        self._complete(params, what)
        return {k: self.dimensions[k].validate(params[k], k, what) for k in self.names}

    def encode(self, params: Mapping[str, Any]) -> np.ndarray:
        """Unit-cube coordinates ``(n_dims,)`` of ``params``.

        A value outside its range (to warm-start from) maps outside ``[0, 1]`` and extra
        names are ignored; a missing name, a non-finite or non-numeric value of a
        ``Real``/``Integer`` and an unknown choice are refused."""
        self._complete(params, "params")
        return np.concatenate([self.dimensions[k].encode(params[k], f"params[{k!r}]")
                               for k in self.names])

    def decode(self, u: np.ndarray) -> dict:
        """The parameters a unit-cube point ``(n_dims,)`` stands for (clipped to the cube)."""
        rule = f"must be a finite point of the unit cube of shape ({self.n_dims},)"
        try:
            u = np.asarray(u, dtype=np.float64)
        except (TypeError, ValueError):
            raise _validate.error("u", rule, _validate.describe(u),
                                  "pass an array of floats") from None
        if u.shape != (self.n_dims,) or not np.isfinite(u).all():
            got = (f"shape {u.shape}" if u.shape != (self.n_dims,)
                   else f"a non-finite value at index {int(np.argmin(np.isfinite(u)))}")
            raise _validate.error("u", rule, got, f"pass {self.n_dims} finite floats in [0, 1]")
        return {k: self.dimensions[k].decode(u[self.slices[k]]) for k in self.names}

    def round(self, U: np.ndarray) -> np.ndarray:
        """Map points ``(n, n_dims)`` to the encoding of what they decode to."""
        U = np.clip(np.atleast_2d(np.asarray(U, dtype=np.float64)), 0.0, 1.0).copy()
        for name, dim in self.dimensions.items():
            s = self.slices[name]
            if isinstance(dim, Integer):
                a, b = dim._edges()
                t = a + U[:, s.start] * (b - a)
                v = np.clip(np.round(dim._inv(t)), dim.lo, dim.hi)
                U[:, s.start] = (dim._fwd(v) - a) / (b - a)
            elif isinstance(dim, Categorical):
                idx = np.argmax(U[:, s], axis=1)
                U[:, s] = 0.0
                U[np.arange(len(U)), s.start + idx] = 1.0
        return U

    def key(self, params: Mapping[str, Any]) -> str:
        """A canonical JSON text of ``params`` (used to spot duplicates); NumPy scalars
        give the key of the Python scalars they hold, extra names are ignored."""
        self._complete(params, "params")
        try:
            return json.dumps({k: _plain(params[k]) for k in self.names}, sort_keys=False)
        except (TypeError, ValueError):
            bad = next(k for k in self.names if not _jsonable(params[k]))
            raise _validate.error(f"params[{bad!r}]", "must be a value JSON can store (str, "
                                  "int, float, bool or None)", _validate.describe(params[bad]),
                                  "give a number or one of the parameter's choices") from None

    def size(self) -> float:
        """The number of distinct points (``inf`` when a ``Real`` is present)."""
        n = 1.0
        for dim in self.dimensions.values():
            if isinstance(dim, Real):
                return math.inf
            n *= dim.n_values if isinstance(dim, Integer) else dim.n_encoded
        return n


class SpaceExhausted(PyjlError, LookupError):
    """Every distinct point of a finite space has been asked for already.

    Examples
    --------
    >>> from pyjl.bo import Optimizer, Space, Categorical, SpaceExhausted
    >>> opt = Optimizer(Space({"c": Categorical(["a", "b"])}), n_initial=2, seed=0)
    >>> for _ in range(2):
    ...     _ = opt.tell(p := opt.ask(), 1.0)
    >>> try:
    ...     opt.ask()
    ... except SpaceExhausted:
    ...     print("exhausted")
    exhausted
    """
