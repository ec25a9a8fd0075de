"""The one set of scalar argument checks and the one message voice.

Every refusal of pyjl reads the same way: the argument, the rule, the value
received and the fix::

    `n_restarts` must be an integer >= 0; got 1.5. Fix: pass a whole number such as 2.

:func:`error` builds that message; the checks below use it and return the
cleaned value, so a constructor stores and ``fit`` or a call validates with one
line per argument (scikit-learn's pattern).  Array checks (dtype, shape, NaN
with its position) live in :mod:`pyjl.data`, which uses the same voice.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from .exceptions import InputError, InputTypeError

__all__ = [
    "error",
    "integer",
    "real",
    "finite",
    "boolean",
    "choice",
    "seed",
    "describe",
    "column_labels",
    "feature_names",
    "check_feature_names",
]

#: the largest seed NumPy's generators take from one integer is unbounded, but
#: SQLite and JSON storage keep 64-bit integers; seeds (and trial numbers, steps) stay
#: below this
SEED_MAX = 2**63 - 1


_FIRST_ROW: ContextVar[int] = ContextVar("pyjl_first_row", default=0)
_ROW_LABELS: ContextVar[Any] = ContextVar("pyjl_row_labels", default=None)


@contextmanager
def rows_from(first: int) -> Iterator[None]:
    """Inside, the rows being checked are rows ``first, first + 1, ...`` of the user's
    data (a batch of a larger table): the positions that messages name count from there."""
    token = _FIRST_ROW.set(int(first))
    try:
        yield
    finally:
        _FIRST_ROW.reset(token)


@contextmanager
def row_labels(index: Any) -> Iterator[None]:
    """Inside, the rows being checked carry the labels ``index`` (a pandas index that is
    not ``0, 1, ...``): the positions that messages name add the row's label."""
    token = _ROW_LABELS.set(index)
    try:
        yield
    finally:
        _ROW_LABELS.reset(token)


def _label(i: int) -> str:
    """`` (label ...)`` for local row ``i`` where the rows carry labels, else ``""``."""
    index = _ROW_LABELS.get()
    if index is None or not 0 <= i < len(index):
        return ""
    label = index[i]
    label = tuple(_plain(v) for v in label) if isinstance(label, tuple) else _plain(label)
    return "" if type(label) is int and label == i else f" (label {describe(label)})"


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds (``np.int64(3)`` as ``3``)."""
    return value.item() if isinstance(value, np.generic) else value


def row(i: int) -> int:
    """Row ``i`` of the rows being checked, numbered as in the user's data (:func:`rows_from`)."""
    return _FIRST_ROW.get() + int(i)


def position(
    flat: int, shape: tuple[int, ...], labels: list[Any] | None = None, column: Any = None
) -> str:
    """Where flat index ``flat`` of an array of ``shape`` is, in words (``"row 3, column 1"``);
    with ``column`` given, ``flat`` is the row in that column."""
    if column is not None:
        return f"row {row(flat)}{_label(flat)}, column {column!r}"
    if len(shape) < 2:
        return f"index {row(flat)}{_label(flat)}"
    r, c, *rest = (int(i) for i in np.unravel_index(flat, shape))
    if rest:
        return f"index {(row(r), c, *rest)}"
    return f"row {row(r)}{_label(r)}, column {c if labels is None else repr(labels[c])}"


def describe(value: Any) -> str:
    """A short, readable rendering of a received value for a message.

    Examples
    --------
    >>> describe(1.5)
    '1.5'
    >>> describe("a" * 100)[:12]
    "'aaaaaaaaaaa"
    """
    text = repr(value)
    if isinstance(value, np.ndarray):
        text = f"an array of shape {value.shape} and dtype {value.dtype}"
    return text if len(text) <= 80 else text[:77] + "..."


def error(
    name: str,
    rule: str,
    got: Any,
    fix: str,
    *,
    wrong_type: bool = False,
    cls: type[InputError] | None = None,
) -> InputError:
    """The :class:`~pyjl.exceptions.InputError` for argument ``name``.

    Parameters
    ----------
    name : str
        The argument as the user wrote it (``"n_restarts"``, ``"space['eta'].low"``).
    rule : str
        What the argument must be, completing "`name` must ..." (``"must be >= 0"``).
    got : str or object
        The value received, already in words (``describe(value)``, or prose such as
        ``"a DataFrame with 3 columns"``); a non-string is rendered with :func:`describe`.
    fix : str
        What to do instead, as an imperative sentence without the final period.
    wrong_type : bool, default False
        The value has the wrong type (a string for a number, a fraction for a whole
        number): the error is an :class:`~pyjl.exceptions.InputTypeError`, also a
        ``TypeError``, as Python and SciPy raise for these.
    cls : type, optional
        A subclass of :class:`~pyjl.exceptions.InputError` that is also the built-in a
        peer raises for this case (``SystemKindError``, ``InputIndexError``); it
        overrides ``wrong_type``.

    Examples
    --------
    >>> print(error("n_restarts", "must be an integer >= 0", 1.5, "pass a whole number"))
    `n_restarts` must be an integer >= 0; got 1.5. Fix: pass a whole number.
    """
    shown = got if isinstance(got, str) else describe(got)
    if cls is None:
        cls = InputTypeError if wrong_type else InputError
    return cls(f"`{name}` {rule}; got {shown}. Fix: {fix}.")


def _bounds_rule(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    def shown(v: float) -> str:
        return str(v) if isinstance(v, int) else f"{v:g}"

    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {shown(low)}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {shown(high)}")
    return " and ".join(parts)


def integer(
    value: Any,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    fix: str | None = None,
) -> int:
    """``value`` as a Python ``int`` within ``[low, high]``; bools and fractions refused.

    Examples
    --------
    >>> integer(3.0, "n_restarts", low=0)
    3
    >>> integer(1.5, "n_restarts", low=0)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    pyjl.exceptions.InputTypeError: `n_restarts` must be an integer >= 0; got 1.5.
    Fix: pass a whole number >= 0.
    """

    def refused(wrong_type: bool = False) -> InputError:  # worded only when raised
        bound = _bounds_rule(low, high, False, False)
        rule = "must be an integer" + (f" {bound}" if bound else "")
        hint = fix or f"pass a whole number{' ' + bound if bound else ''}"
        return error(name, rule, describe(value), hint, wrong_type=wrong_type)

    if type(value) is int:
        number = value
    elif isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise refused(wrong_type=True)
    elif isinstance(value, numbers.Integral):
        number = int(value)
    else:
        as_float = float(value)
        if not math.isfinite(as_float):
            raise refused()
        if not as_float.is_integer():
            raise refused(wrong_type=True)
        number = int(as_float)
    if (low is not None and number < low) or (high is not None and number > high):
        raise refused()
    return number


def jobs(value: Any, name: str, cpus: int | None = None) -> int:
    """A count of parallel workers read as joblib reads ``n_jobs``: ``n >= 1`` as it is, a
    negative one counting back from ``cpus`` (default ``os.cpu_count()``; ``-1``: all of
    them, ``-2``: all but one; at least one, so a script written for a larger machine runs
    on a smaller one).

    Examples
    --------
    >>> jobs(-2, "n_jobs", cpus=8), jobs(3, "n_jobs", cpus=8), jobs(-100, "n_jobs", cpus=8)
    (7, 3, 1)
    """
    number = integer(value, name)
    if number == 0:
        raise error(
            name,
            "must be >= 1, or negative to count back from the CPUs (-1: all, -2: all but one)",
            describe(value),
            "pass a number from 1 up, or -1 for one per CPU",
        )
    if number > 0:
        return number
    return max(1, (cpus if cpus is not None else os.cpu_count() or 1) + 1 + number)


def real(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    fix: str | None = None,
) -> float:
    """``value`` as a finite Python ``float`` within the given bounds.

    Examples
    --------
    >>> real("0.5", "xi", low=0)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    pyjl.exceptions.InputTypeError: `xi` must be a finite number >= 0; got '0.5'.
    Fix: pass a float >= 0.
    >>> real(2, "kappa", low=0, low_open=True)
    2.0
    """

    def refused(wrong_type: bool = False) -> InputError:  # worded only when raised
        bound = _bounds_rule(low, high, low_open, high_open)
        rule = "must be a finite number" + (f" {bound}" if bound else "")
        hint = fix or f"pass a float{' ' + bound if bound else ''}"
        return error(name, rule, describe(value), hint, wrong_type=wrong_type)

    if type(value) is not float and (
        isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)
    ):
        raise refused(wrong_type=True)
    number = float(value)
    if not math.isfinite(number):
        raise refused()
    if low is not None and (number < low or (low_open and number == low)):
        raise refused()
    if high is not None and (number > high or (high_open and number == high)):
        raise refused()
    return number


def finite(value: Any, name: str, *, fix: str, finite_fix: str) -> float:
    """``value`` as a finite ``float``: a number, a NumPy scalar or anything ``float()``
    takes (a 0-d array, a one-element tensor), but not a string or a bool -- what an
    objective may return. ``fix`` answers a value of the wrong type, ``finite_fix`` a NaN
    or an infinity.

    Examples
    --------
    >>> finite(np.float32(0.25), "value", fix="return a float", finite_fix="return a loss")
    0.25
    >>> finite("1", "value", fix="return a float", finite_fix="return a loss")
    ... # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    pyjl.exceptions.InputError: `value` must be a finite real number; got '1' of type str.
    Fix: return a float.
    """
    rule = "must be a finite real number"
    try:
        if isinstance(value, (str, bytes, bool, np.bool_, complex)) or np.iscomplexobj(value):
            raise TypeError
        if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind not in "iuf":
            raise TypeError  # np.array("0.5"): float() would parse the string
        number = float(value)
    except (TypeError, ValueError):
        raise error(name, rule, f"{describe(value)} of type {type(value).__name__}", fix) from None
    except OverflowError:  # an int beyond the double range
        number = math.inf
    if not math.isfinite(number):
        raise error(name, rule, describe(value), finite_fix)
    return number


def boolean(value: Any, name: str) -> bool:
    """``value`` as a ``bool``; only ``True``/``False`` (and NumPy's) are accepted.

    Examples
    --------
    >>> boolean(np.True_, "normalize_y")
    True
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise error(
        name,
        "must be True or False",
        describe(value),
        f"pass {name}=True or {name}=False",
        wrong_type=True,
    )


def choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    """``value`` if it is one of ``options`` (compared with ``==`` between values of one
    type, so ``True`` is not ``1``; a ``str`` subclass such as NumPy's ``np.str_``, read
    from an array or a table, is its plain string).

    Examples
    --------
    >>> choice("ml", "method", ("ml", "loo", None))
    'ml'
    >>> import numpy as np
    >>> choice(np.str_("loo"), "method", ("ml", "loo", None))
    'loo'
    """
    allowed = tuple(options)
    for option in allowed:
        if type(option) is type(value) and option == value or option is value:
            return value
        if type(option) is str and isinstance(value, str) and option == value:
            return option
    listed = ", ".join(repr(o) for o in allowed)
    raise error(name, f"must be one of {listed}", describe(value), f"pass one of {listed}")


def seed(value: Any, name: str = "seed") -> int | None:
    """A random seed: ``None`` or an integer in ``[0, 2**63 - 1]`` (storable as SQLite INTEGER).

    Examples
    --------
    >>> seed(None) is None
    True
    >>> seed(7)
    7
    """
    if value is None:
        return None
    return integer(
        value, name, low=0, high=SEED_MAX, fix="pass None or a non-negative integer below 2**63"
    )


def row_index(obj: Any) -> Any:
    """The row labels of a pandas object whose index is not ``0, 1, ...`` (for
    :func:`row_labels`), else None."""
    pandas = type(obj).__module__.split(".")[0] == "pandas"  # (Dask's frames are lazy)
    index = getattr(obj, "index", None) if pandas and hasattr(obj, "iloc") else None
    if index is None or (
        type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1
    ):
        return None
    return index


def column_labels(obj: Any) -> list[Any] | None:
    """The column labels of a table (DataFrame, Arrow table or batch), of any type (a
    DataFrame's default labels are 0, 1, ...); else None."""
    cols = getattr(obj, "columns", None) if hasattr(obj, "iloc") else None
    if cols is None and hasattr(obj, "schema") and hasattr(obj, "column_names"):
        cols = obj.column_names
    return None if cols is None else list(cols)


def feature_names(obj: Any) -> list[str] | None:
    """The column names of a table (DataFrame, Arrow table or batch) when all are strings,
    as scikit-learn's ``feature_names_in_``; else None."""
    names = column_labels(obj)
    return names if names and all(isinstance(c, str) for c in names) else None


def check_feature_names(
    fitted: Any,
    obj: Any,
    name: str,
    *,
    seen: str = "the model was fitted with",
    fix: str = "",
    labels: bool = False,
) -> None:
    """Refuse a table whose column names differ from those ``fitted`` (the names seen
    first: at ``fit``, or a stream's first chunk) -- columns are matched by position, so a
    reordered table would be silently wrong.  ``labels``: compare labels of any type
    (:func:`column_labels`), not only string names."""
    given = column_labels(obj) if labels else feature_names(obj)
    if fitted is None or given is None or given == list(fitted):
        return
    raise error(
        name,
        f"must have the columns {seen}, in that order: {list(fitted)}",
        f"columns {given}",
        fix or f"select them in that order, e.g. {name}[model.feature_names_in_]",
    )
