"""The dimensions of a search space: :class:`Real`, :class:`Integer`, :class:`Categorical`.

Each maps its values to unit-cube coordinates (``encode``/``decode``), checks a
value (``validate``) and describes itself as a JSON/TOML table (``to_dict``;
:func:`pyjl.bo.dimension_tables.from_table` reads such a table back).
:mod:`pyjl.bo.space` documents the encodings and gathers dimensions into a
:class:`~pyjl.bo.Space`.

>>> Integer(2, 5).encode(3)
array([0.375])
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _validate

__all__ = ["Dimension", "Real", "Integer", "Categorical", "plain", "jsonable"]


def _bound(value: Any, name: str) -> float:
    return _validate.real(value, name, fix="pass a finite number")


def _number(value: Any, name: str) -> float:
    """``value`` (a 0-d array: the scalar it holds) as a finite float; ``name`` is how the
    message names it (``params['x']``).  An int beyond the double range is not finite."""
    x = plain(value)
    try:
        ok = not isinstance(x, bool) and isinstance(x, numbers.Real) and math.isfinite(float(x))
    except OverflowError:
        ok = False
    if not ok:
        raise _validate.error(
            name,
            "must be a finite real number" + (", not a bool" if isinstance(x, bool) else ""),
            _validate.describe(value),
            "give a number inside the parameter's range",
        )
    return float(x)


def _label(name: str, what: str) -> str:
    return f"{what}[{name!r}]"


class Dimension:
    """One parameter of a :class:`Space`; ``n_encoded`` unit-cube coordinates."""

    n_encoded = 1
    name = "?"

    def encode(
        self, value: Any, name: str = "value"
    ) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def decode(self, u: np.ndarray) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def validate(
        self, value: Any, name: str, what: str = "params"
    ) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def to_dict(self) -> dict:  # pragma: no cover - interface
        raise NotImplementedError


#: the narrowest log-scale ``Real`` (lo < hi): ``hi >= lo * (1 + LOG_REAL_MIN_RATIO)``
LOG_REAL_MIN_RATIO = 1e-6


def _log_scale(log: Any, prior: Any, cls: str) -> bool:
    """``log``, or scikit-optimize's ``prior`` (``"uniform"`` / ``"log-uniform"``, also
    accepted in ``log``'s place, as ``Real(1e-3, 1.0, "log-uniform")`` passes it)."""
    if isinstance(log, str) and log in _PRIORS and prior is None:
        log, prior = False, log
    log = _validate.boolean(log, f"{cls}.log")
    if prior is None:
        return log
    prior = _validate.choice(prior, f"{cls}.prior", _PRIORS)
    if log and prior != "log-uniform":
        raise _validate.error(
            f"{cls}.prior",
            "must agree with log (log=True is prior='log-uniform')",
            f"log=True, prior={prior!r}",
            "pass one of them",
        )
    return prior == "log-uniform"


#: scikit-optimize's names for the two scales
_PRIORS = ("uniform", "log-uniform")


class _Range(Dimension):
    kind = "?"

    def __init__(self, lo: float, hi: float, log: bool = False, *, prior: Any = None):
        cls = type(self).__name__
        given = lo
        lo = _bound(lo, f"{cls}.lo")
        hi = _bound(hi, f"{cls}.hi")
        log = _log_scale(log, prior, cls)
        if lo > hi:  # lo == hi is one value, as Optuna's FloatDistribution(1.0, 1.0)
            raise _validate.error(
                f"{cls}.hi",
                "must be >= lo (lo <= hi)",
                f"lo={lo!r}, hi={hi!r} (an inverted range)",
                "swap the bounds",
            )
        if log and lo <= 0:
            raise _validate.error(
                f"{cls}.lo",
                "must be > 0 with log=True",
                _validate.describe(given),
                "use log=False or a positive lower bound",
            )
        if not math.isfinite(hi - lo):  # the encoding divides by the width
            raise _validate.error(
                f"{cls}.hi",
                "must lie within the largest double (1.8e308) of lo (hi - lo finite)",
                f"lo={lo!r}, hi={hi!r}",
                "rescale the parameter, e.g. search x / 1e300",
            )
        if log and isinstance(self, Real) and lo < hi and hi / lo < 1 + LOG_REAL_MIN_RATIO:
            raise _validate.error(
                f"{cls}.log",
                f"must be False when hi < lo * (1 + {LOG_REAL_MIN_RATIO:g}) (so narrow a "
                "range is linear to that precision, and log(hi) - log(lo) loses its digits)",
                f"lo={lo!r}, hi={hi!r}, log=True",
                "use log=False",
            )
        self.lo, self.hi, self.log = lo, hi, log

    def to_dict(self) -> dict:
        return {"type": self.kind, "low": self.lo, "high": self.hi, "log": self.log}

    def __repr__(self) -> str:
        lo, hi = (int(self.lo), int(self.hi)) if isinstance(self, Integer) else (self.lo, self.hi)
        return f"{type(self).__name__}({lo!r}, {hi!r}{', log=True' if self.log else ''})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Range)
            and type(self) is type(other)
            and self.to_dict() == other.to_dict()
        )

    def _bounds(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _fwd(self, v: Any) -> Any:
        return np.log(v) if self.log else v

    def _inv(self, t: Any) -> Any:
        return np.exp(t) if self.log else t


class Real(_Range):
    """A real parameter in ``[lo, hi]``; ``log=True`` searches ``log x`` uniformly
    (scikit-optimize's ``prior="log-uniform"``, also accepted, positionally too).

    ``lo == hi`` is a parameter of one value (encoded as 0).  A linear range must be
    narrower than the largest double; a log range (``lo > 0``) must have ``hi = lo``
    or ``hi >= lo * (1 + 1e-6)``.

    >>> Real(0.0, 2.0).decode(np.array([0.25]))
    0.5
    """

    kind = "real"

    def encode(self, value: float, name: str = "value") -> np.ndarray:
        value = _number(value, name)
        if self.log and value <= 0:
            raise _validate.error(
                name, "must be > 0 on a log scale", value, "give a positive value"
            )
        if self.lo == self.hi:
            return np.zeros(1)
        a, b = self._fwd(np.array([self.lo, self.hi]))
        return np.array([(self._fwd(np.float64(value)) - a) / (b - a)])

    def decode(self, u: np.ndarray) -> float:
        u0 = float(np.clip(u[0], 0.0, 1.0))
        if u0 in (0.0, 1.0) or self.lo == self.hi:  # the bounds themselves, not off by an ulp
            return self.hi if u0 == 1.0 else self.lo
        a, b = self._fwd(np.array([self.lo, self.hi]))
        x = float(self._inv(a + u0 * (b - a)))
        return min(max(x, self.lo), self.hi)

    def validate(self, value: Any, name: str, what: str = "params") -> float:
        label = _label(name, what)
        x = _number(value, label)
        if not self.lo <= x <= self.hi:
            raise _validate.error(
                label,
                f"must lie inside [{self.lo!r}, {self.hi!r}] ({self!r})",
                _validate.describe(value),
                "give a value inside the range",
            )
        return x + 0.0  # -0.0 is the point 0.0: one key, one trial per point


#: the largest ``|lo|``, ``|hi|`` of an ``Integer``: its ``hi - lo + 1 <= 2**50`` bins of
#: ``[0, 1]`` then round-trip exactly through a double (``u * n`` is off by < 1/4)
INT_MAX = 2**49
#: the largest ``hi`` of an ``Integer(log=True)``: ``log v`` is then known to ~1e-14, so
#: ``round(exp(log v))`` is off by < 0.03 and every value round-trips exactly
LOG_INT_MAX = 2**40


class Integer(_Range):
    """An integer parameter in ``lo..hi`` (both included); ``log=True`` for log scale
    (``prior="log-uniform"``, as scikit-optimize's).

    ``|lo|, |hi| <= 2**49`` (``hi <= 2**40`` with ``log=True``): within these every
    value's encoding decodes to it exactly.

    >>> Integer(1, 4).decode(np.array([0.99]))
    4
    """

    kind = "integer"

    def __init__(self, lo: int, hi: int, log: bool = False, *, prior: Any = None):
        log = _log_scale(log, prior, "Integer")
        lo = _validate.integer(lo, "Integer.lo")
        hi = _validate.integer(hi, "Integer.hi")
        for v, name in ((lo, "Integer.lo"), (hi, "Integer.hi")):
            if abs(v) > INT_MAX:
                raise _validate.error(
                    name,
                    "must lie within +-2**49 (where the unit-cube encoding, a double, keeps "
                    "every integer apart)",
                    v,
                    "rescale the parameter, or use a Categorical of the values",
                )
        super().__init__(lo, hi, log)
        if log and hi > LOG_INT_MAX:
            raise _validate.error(
                "Integer.hi",
                "must be <= 2**40 with log=True (where the log-scale encoding keeps every "
                "integer apart)",
                hi,
                "use Real(lo, hi, log=True) and round it in the objective, or log=False",
            )
        self.lo, self.hi = float(lo), float(hi)

    def _edges(self) -> tuple[float, float]:
        """The log-scale bins' outer edges ``log(lo - 1/2)``, ``log(hi + 1/2)``."""
        return (float(np.log(self.lo - 0.5)), float(np.log(self.hi + 0.5)))

    def _unit(self, v: np.ndarray) -> np.ndarray:
        """The unit coordinates of values ``v`` (floats): their bins' centres."""
        if self.log:
            a, b = self._edges()
            return (np.log(v) - a) / (b - a)
        return (v - self.lo + 0.5) / self.n_values  # v - lo and + 1/2 are exact

    def _values(self, u: np.ndarray) -> np.ndarray:
        """The values (floats) whose bins hold ``u``, clipped to ``[0, 1]``: ``u = 0`` is
        ``lo``, ``u = 1`` is ``hi``."""
        u = np.clip(u, 0.0, 1.0)
        if self.log:
            a, b = self._edges()
            v = np.round(np.exp(a + u * (b - a)))
        else:
            v = self.lo + np.floor(u * self.n_values)
        return np.clip(v, self.lo, self.hi)

    def encode(self, value: float, name: str = "value") -> np.ndarray:
        value = _number(value, name)
        if self.log and value <= 0:
            raise _validate.error(
                name, "must be > 0 on a log scale", value, "give a positive value"
            )
        return np.array([float(self._unit(np.array(value, dtype=np.float64)))])

    def decode(self, u: np.ndarray) -> int:
        return int(self._values(np.array(u[0], dtype=np.float64)))

    def validate(self, value: Any, name: str, what: str = "params") -> int:
        label, got = _label(name, what), _validate.describe(value)
        x = plain(value)
        if isinstance(x, numbers.Integral) and not isinstance(x, bool):
            k = int(x)  # compared exactly, not as a double
        elif isinstance(x, bool):
            raise _validate.error(
                label, f"must be an integer ({self!r}), not a bool", got, "give a whole number"
            )
        else:
            f = _number(value, label)
            if not f.is_integer():
                raise _validate.error(
                    label, f"must be an integer ({self!r})", got, "give a whole number"
                )
            k = int(f)
        if not int(self.lo) <= k <= int(self.hi):
            raise _validate.error(
                label,
                f"must lie inside {int(self.lo)}..{int(self.hi)} ({self!r})",
                got,
                "give a value inside the range",
            )
        return k

    @property
    def n_values(self) -> int:
        return int(self.hi - self.lo) + 1


class Categorical(Dimension):
    """One of a list of choices: str, int, float, bool or None (JSON values), or tuples
    of them such as scikit-learn's ``hidden_layer_sizes=(64, 32)`` or
    ``ngram_range=(1, 2)`` (a list choice is kept as a tuple; storage keeps them as JSON
    arrays and gives back the tuple).

    >>> Categorical(["a", "b"]).decode(np.array([0.2, 0.7]))
    'b'
    >>> Categorical([(64,), [64, 32]]).choices
    [(64,), (64, 32)]
    """

    kind = "categorical"

    def __init__(self, choices):
        if isinstance(choices, (str, bytes, Mapping)) or not hasattr(choices, "__iter__"):
            raise _validate.error(
                "choices",
                "must be a list of choices",
                _validate.describe(choices),
                "pass a list such as ['a', 'b']",
            )
        if isinstance(choices, (set, frozenset)):
            raise _validate.error(
                "choices",
                "must be ordered (a list or tuple): a set's order changes from one Python "
                "process to the next, so a seed would ask other points and a stored study "
                "would not match its space on resume",
                _validate.describe(choices),
                f"pass a list, e.g. {sorted(choices, key=repr)!r}",
            )
        choices = [_choice(c) for c in choices]
        if not choices:
            raise _validate.error(
                "choices",
                "must hold at least one choice",
                "an empty list",
                "pass a list such as ['a', 'b']",
            )
        for choice in choices:
            for c in _scalars(choice):
                if not (c is None or isinstance(c, (str, bool, int, float))):
                    raise _validate.error(
                        "choices",
                        "must be str, int, float, bool, None or tuples of them (values JSON "
                        "can store)",
                        f"{_validate.describe(c)} of type {type(c).__name__}",
                        "map them to strings (and back in the objective)",
                    )
                if isinstance(c, float) and not math.isfinite(c):
                    raise _validate.error(
                        "choices",
                        "must not hold NaN or inf (JSON cannot store them and NaN equals nothing)",
                        choice,
                        "use a string such as 'nan'",
                    )
        keys = [json.dumps(c) for c in choices]
        if len(set(choices)) != len(choices):  # Python's equality: 1 == 1.0 == True
            same = next((a, b) for i, a in enumerate(choices) for b in choices[i + 1 :] if a == b)
            raise _validate.error(
                "choices",
                f"must be distinct values (Python treats {same[0]!r} and {same[1]!r} as equal)",
                choices,
                "drop the duplicate, or use strings the objective maps back, e.g. '1' and 'True'",
            )
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
        """The position of ``value`` among the choices, or -1.

        The choice with the same JSON text, else a number equal (Python's ``==``, as
        Optuna's ``CategoricalDistribution``) to a numeric choice: ``1.0`` (a float64
        column of a history) finds ``1``, ``-0.0`` finds ``0.0``.  Bools and numbers stay
        apart: ``True`` does not find ``1``."""
        x = _choice(value)
        try:
            return self._keys.index(json.dumps(x))
        except (ValueError, TypeError):
            pass
        if isinstance(x, numbers.Real) and not isinstance(x, bool):
            for i, c in enumerate(self.choices):  # distinct under ==: at most one matches
                if isinstance(c, (int, float)) and not isinstance(c, bool) and c == x:
                    return i
        return -1

    def encode(self, value: Any, name: str = "value") -> np.ndarray:
        i = self.index(value)
        if i < 0:
            raise _validate.error(
                name,
                f"must be one of the choices {self.choices!r}",
                _validate.describe(value),
                "give one of them",
            )
        out = np.zeros(self.n_encoded)
        out[i] = 1.0
        return out

    def decode(self, u: np.ndarray) -> Any:
        return self.choices[int(np.argmax(u))]

    def validate(self, value: Any, name: str, what: str = "params") -> Any:
        self.encode(value, _label(name, what))
        return self.choices[self.index(value)]


def plain(value: Any) -> Any:
    """A NumPy scalar or 0-d array as the Python scalar it holds, so both give the same
    JSON."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    return value


def _choice(value: Any) -> Any:
    """A categorical choice as kept: :func:`plain`, a list or tuple (a JSON array read
    back) as a tuple of such."""
    value = plain(value)
    if isinstance(value, (list, tuple)):
        return tuple(_choice(v) for v in value)
    return value


def _scalars(choice: Any) -> list:
    """The scalars of a choice, through its tuples."""
    if isinstance(choice, tuple):
        return [s for v in choice for s in _scalars(v)]
    return [choice]


def jsonable(value: Any) -> bool:
    try:
        json.dumps(plain(value))
    except (TypeError, ValueError):
        return False
    return True
