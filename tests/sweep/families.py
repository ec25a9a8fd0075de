"""The input families, generated per argument, and the case record.

Expectations follow pyjl's documented rules (DESIGN.md, "Errors and bad input"):

* ``refuse`` -- must end in an ``InputError`` that names the argument: NaN or infinity
  anywhere in data or in a parameter (``zi``, a window, ``beta``, bounds) -- pyjl refuses
  them for its own APIs and for the ``pyjl.dsp`` twins of SciPy alike; missing values
  (pandas NaN or ``pd.NA``, Arrow nulls, ``None`` inside an object array); strings, ``None``
  or a wrong type where data or a number is required; an extra dimension; a count that
  is fractional, negative, zero where it must be positive, or beyond its upper bound; a
  seed outside ``[0, 2**63)``; an unknown option; a non-bool flag of pyjl's own APIs.
* ``valid`` -- a change of layout that keeps the numbers (big-endian, non-contiguous,
  Fortran order, read-only, a list, pandas or Arrow without missing values, integer or
  float32 data, NumPy scalars): the result must equal the plain C-contiguous float64 call
  on the same numbers (float32 to 1e-3 of the output's scale, as SciPy keeps float32).
* ``either`` -- a refusal naming the argument, or a finite result (non-finite only with a
  pyjl warning): empty input where SciPy returns empty output, values near 1e308 or 1e-300,
  object arrays of numbers, booleans, complex data where SciPy takes it, and a huge count
  where a bound is not documented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

HUGE = 2**70


@dataclass(frozen=True)
class Case:
    callable: str
    name: str
    expect: str  # refuse | valid | either
    args: tuple[str, ...]
    call: Callable[[], Any]
    reference: Callable[[], Any] | None = None
    rtol: float = 1e-9

    @property
    def id(self) -> str:
        return f"{self.callable} | {self.name}"


# ---------------------------------------------------------------- arrays


def _with(base: np.ndarray, value: float) -> np.ndarray:
    out = np.array(base, dtype=float)
    out[(out.shape[0] // 2,) + (-1,) * (out.ndim - 1)] = value
    return out


def _pandas(base: np.ndarray, nullable: bool = False):
    import pandas as pd

    dtype = "Float64" if nullable else float
    if base.ndim == 1:
        return pd.Series(base, dtype=dtype)
    return pd.DataFrame(base, columns=[f"c{j}" for j in range(base.shape[1])], dtype=dtype)


def _pandas_na(base: np.ndarray):
    import pandas as pd

    frame = _pandas(base, nullable=True)
    if base.ndim == 1:
        frame.iloc[base.shape[0] // 2] = pd.NA
    else:
        frame.iloc[base.shape[0] // 2, -1] = pd.NA
    return frame


def _arrow(base: np.ndarray, null: bool = False, chunked: bool = False):
    import pyarrow as pa

    def column(values):
        items = [float(v) for v in values]
        if null:
            items[len(items) // 2] = None
        if chunked:
            half = len(items) // 2
            return pa.chunked_array([pa.array(items[:half]), pa.array(items[half:])])
        return pa.array(items, type=pa.float64())

    if base.ndim == 1:
        return column(base)
    return pa.table({f"c{j}": column(base[:, j]) for j in range(base.shape[1])})


def _object_none(base):
    out = np.array(base, dtype=object)
    out[(base.shape[0] // 2,) + (-1,) * (base.ndim - 1)] = None
    return out


def array_variants(
    base,
    kind: str = "signal",
    *,
    required: bool = True,
    max_ndim: int | None = None,
    tabular: bool = True,
    real_only: bool | None = None,
):
    """``(label, value, expect, plain)`` for one array argument; ``plain`` is the float64
    C-contiguous equivalent the result must match (``valid`` only).

    ``kind`` is ``"signal"`` (data; every family), ``"coef"`` (filter coefficients and the
    like: fewer layouts) or ``"table"`` (``(n, d)`` data whose rows are samples).
    """
    base = np.ascontiguousarray(base, dtype=float)
    scale = float(np.max(np.abs(base))) or 1.0
    complex_expect = (
        "refuse" if (real_only if real_only is not None else kind == "table") else "either"
    )
    out = [
        ("nan", _with(base, np.nan), "refuse", None),
        ("inf", _with(base, np.inf), "refuse", None),
        ("-inf", _with(base, -np.inf), "refuse", None),
        ("1e308", base / scale * 1e308, "either", None),
        ("empty", np.empty((0,) + base.shape[1:]), "either", None),
        ("strings", np.full(base.shape, "a"), "refuse", None),
        ("text", "abc", "refuse", None),
        ("complex", base + 1j * base, complex_expect, None),
        ("bigendian", base.astype(">f8"), "valid", base),
        ("readonly", _readonly(base), "valid", base),
        ("list", base.tolist(), "valid", base),
        ("ragged", _ragged(base), "refuse", None),
    ]
    if required:
        out.append(("None", None, "refuse", None))
    if max_ndim is not None and base.ndim >= max_ndim:
        out.append(("ndim+1", base[None], "refuse", None))
    if kind == "coef":
        return out
    ints = base if np.array_equal(base, np.round(base)) else np.round(base * 3)
    out += [
        ("1e-300", base * 1e-300, "either", None),
        ("object", base.astype(object), "valid", base),
        ("object+None", _object_none(base), "refuse", None),
        ("bool", base > 0, "either", None),
        ("int64", ints.astype(np.int64), "valid", ints),
        ("float32", base.astype(np.float32), "valid", base.astype(np.float32).astype(float)),
        ("noncontiguous", np.repeat(base, 2, axis=0)[::2], "valid", base),
    ]
    if base.ndim == 2:
        out.append(("fortran", np.asfortranarray(base), "valid", base))
    if tabular:
        out += [
            ("pandas", _pandas(base), "valid", base),
            ("pandas+nan", _pandas(_with(base, np.nan)), "refuse", None),
            ("pandas+NA", _pandas_na(base), "refuse", None),
            ("arrow", _arrow(base), "valid", base),
            ("arrow+null", _arrow(base, null=True), "refuse", None),
        ]
        if base.ndim == 1:
            out.append(("arrow-chunked", _arrow(base, chunked=True), "valid", base))
    return out


def _ragged(base):
    """``base`` as nested lists whose last row is one number longer than the others."""
    rows = base.reshape(base.shape[0], -1).tolist() if base.ndim else [[float(base)]]
    rows[-1] = rows[-1] + [0.0]
    return rows


def _readonly(base):
    out = np.array(base)
    out.setflags(write=False)
    return out


def data_cases(
    callable_name: str,
    fn: Callable,
    arg: str,
    base,
    kind: str = "signal",
    *,
    names: tuple[str, ...] = (),
    **options,
) -> list[Case]:
    """One case per array variant of argument ``arg``: ``fn(value)`` makes the call."""
    cases = []
    for label, value, expect, plain in array_variants(base, kind, **options):
        reference = None if plain is None else (lambda plain=plain: fn(np.array(plain)))
        rtol = 1e-3 if label == "float32" else 1e-9
        cases.append(
            Case(
                callable_name,
                f"{arg}={label}",
                expect,
                (arg, *names),
                (lambda value=value: fn(value)),
                reference,
                rtol,
            )
        )
    return cases


# ---------------------------------------------------------------- scalars


@dataclass(frozen=True)
class Int:
    ok: int
    low: int | None = None
    high: int | None = None
    none: bool = False
    huge: str = "either"
    boolean: str = "refuse"
    override: tuple = ()


@dataclass(frozen=True)
class Real:
    ok: float
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    none: bool = False
    override: tuple = ()


@dataclass(frozen=True)
class Choice:
    ok: Any
    none: bool = False
    override: tuple = ()


@dataclass(frozen=True)
class Bool:
    ok: bool = True
    strict: bool = True
    override: tuple = ()


@dataclass(frozen=True)
class Seed:
    ok: int = 3


def scalar_variants(spec) -> list[tuple[str, Any, str]]:
    """``(label, value, expect)`` for one scalar argument; ``valid`` ones equal ``spec.ok``."""
    out = []
    if isinstance(spec, Int):
        out += [
            ("nan", np.nan, "refuse"),
            ("inf", np.inf, "refuse"),
            ("1.5", 1.5, "refuse"),
            ("str", str(spec.ok), "refuse"),
            ("True", True, spec.boolean),
            ("2**70", HUGE, "refuse" if spec.high is not None else spec.huge),
            ("np.int64", np.int64(spec.ok), "valid"),
        ]
        if spec.low is not None:
            out.append((str(spec.low - 1), spec.low - 1, "refuse"))
            if spec.low - 1 > -1:
                out.append(("-1", -1, "refuse"))
        if spec.high is not None:
            out.append((str(spec.high + 1), spec.high + 1, "refuse"))
    elif isinstance(spec, Real):
        out += [
            ("nan", np.nan, "refuse"),
            ("inf", np.inf, "refuse"),
            ("-inf", -np.inf, "refuse"),
            ("str", str(spec.ok), "refuse"),
            ("complex", 1j, "refuse"),
            ("np.float64", np.float64(spec.ok), "valid"),
        ]
        if spec.low is not None:
            below = spec.low if spec.low_open else spec.low - max(1.0, abs(spec.low))
            out.append((f"{below:g}", below, "refuse"))
        if spec.high is not None:
            above = spec.high if spec.high_open else spec.high + max(1.0, abs(spec.high))
            out.append((f"{above:g}", above, "refuse"))
        elif spec.low is None or spec.low < 1e308:
            out.append(("1e308", 1e308, "either"))
    elif isinstance(spec, Choice):
        out += [("bogus", "bogus", "refuse"), ("3", 3, "refuse")]
    elif isinstance(spec, Bool):
        strict = "refuse" if spec.strict else "either"
        out += [
            ("'yes'", "yes", strict),
            ("2", 2, strict),
            ("np.bool_", np.bool_(spec.ok), "valid"),
        ]
    elif isinstance(spec, Seed):
        out += [
            ("-1", -1, "refuse"),
            ("2**70", HUGE, "refuse"),
            ("1.5", 1.5, "refuse"),
            ("str", "a", "refuse"),
            ("nan", np.nan, "refuse"),
            ("np.int64", np.int64(spec.ok), "valid"),
        ]
    if not getattr(spec, "none", True):
        out.append(("None", None, "refuse"))
    changed = dict(getattr(spec, "override", ()))
    return [(label, value, changed.get(label, expect)) for label, value, expect in out]


def param_cases(
    callable_name: str,
    fn: Callable,
    arg: str,
    spec,
    *,
    names: tuple[str, ...] = (),
    extra: tuple = (),
) -> list[Case]:
    """One case per bad (or re-typed) value of scalar ``arg``: ``fn(value)`` makes the call.

    ``extra`` adds ``(label, value, expect)`` rows specific to this argument.
    """
    cases = []
    for label, value, expect in [*scalar_variants(spec), *extra]:
        reference = (lambda: fn(spec.ok)) if expect == "valid" else None
        cases.append(
            Case(
                callable_name,
                f"{arg}={label}",
                expect,
                (arg, *names),
                (lambda value=value: fn(value)),
                reference,
            )
        )
    return cases


def case(callable_name: str, name: str, expect: str, args, call, reference=None) -> Case:
    """A single hand-written case."""
    args = (args,) if isinstance(args, str) else tuple(args)
    return Case(callable_name, name, expect, args, call, reference)
