"""Classify the outcome of one sweep call (runs inside a worker process)."""

from __future__ import annotations

import numbers
import re
import warnings

import numpy as np

from pyjl.exceptions import InputError, PyjlError, PyjlWarning

_VOICE = re.compile(r"`[^`]+` .*; got .*\. Fix: ", re.S)


def names_argument(message: str, names: tuple[str, ...]) -> bool:
    """Whether ``message`` names one of ``names`` as a word (``x``, `` `x[0]` ``, ``x:``)."""
    return any(
        re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", message) for n in names
    )


def arrays(obj, depth: int = 0) -> list[np.ndarray]:
    """The numeric arrays inside a result (tuples, dicts, pandas, Arrow), in order."""
    if depth > 6 or obj is None or isinstance(obj, (str, bytes, bool, np.bool_)):
        return []
    if isinstance(obj, numbers.Number):
        return [np.asarray(obj)]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fciub":
            return [obj]
        if obj.dtype.kind == "O":
            return [a for item in obj.ravel()[:1000] for a in arrays(item, depth + 1)]
        return []
    module = type(obj).__module__
    if module.startswith("pandas"):
        if hasattr(obj, "select_dtypes"):
            obj = obj.select_dtypes("number")
        values = obj.to_numpy()
        if values.dtype.kind not in "fciub":
            try:
                values = obj.to_numpy(dtype=float, na_value=np.nan)
            except (TypeError, ValueError):
                return []
        return [values]
    if module.startswith("pyarrow"):
        if hasattr(obj, "columns"):  # a table is one (rows, columns) array, like a DataFrame
            import pyarrow.types as pat

            columns = [
                np.asarray(c.to_pandas().to_numpy(dtype=float, na_value=np.nan))
                for c in obj.columns
                if pat.is_integer(c.type) or pat.is_floating(c.type)
            ]
            return [np.column_stack(columns)] if columns else []
        return arrays(obj.to_numpy(zero_copy_only=False), depth + 1)
    if isinstance(obj, dict):
        return [a for v in obj.values() for a in arrays(v, depth + 1)]
    if isinstance(obj, (tuple, list)):
        return [a for v in obj for a in arrays(v, depth + 1)]
    return []


def nonfinite(result) -> bool:
    return any(a.dtype.kind in "fc" and not np.all(np.isfinite(a)) for a in arrays(result))


def same(result, reference, rtol: float) -> str:
    """Empty when ``result`` matches ``reference``, else what differs."""
    got, want = arrays(result), arrays(reference)
    if len(got) != len(want):
        return f"{len(got)} arrays in the result, {len(want)} in the reference"
    for i, (a, b) in enumerate(zip(got, want)):
        if a.shape != b.shape:
            return f"output {i}: shape {a.shape}, reference {b.shape}"
        scale = float(np.max(np.abs(b[np.isfinite(b)]), initial=0.0)) if b.size else 0.0
        if not np.allclose(a, b, rtol=rtol, atol=rtol * scale, equal_nan=True):
            err = np.nanmax(np.abs(np.asarray(a, complex) - b)) if a.size else 0.0
            return f"output {i}: max abs difference {err:.3g} (scale {scale:.3g})"
    return ""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else "")[:300]


def run(case) -> dict:
    """Run ``case`` and classify it; the record the worker sends back."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = case.call()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - every exception is an outcome here
            return _refusal(case, exc)
    warned = any(issubclass(w.category, PyjlWarning) for w in caught)
    if case.expect == "refuse":
        return _out("accepted_bad", message=f"returned {_describe(result)}")
    if case.expect == "valid":
        return _compare(case, result, warned)
    if nonfinite(result) and not warned:
        return _out("silent_nonfinite", message=f"returned {_describe(result)}")
    return _out("result_ok")


def _refusal(case, exc: BaseException) -> dict:
    kind, text = type(exc).__name__, _first_line(exc)
    if not isinstance(exc, PyjlError):
        return _out("bare_error", kind, text)
    if not isinstance(exc, InputError):
        return _out("other_pyjl_error", kind, text)
    if case.expect == "valid":
        return _out("refused_valid", kind, text)
    named = names_argument(str(exc), case.args)
    return _out(
        "clean_error" if named else "unnamed_error",
        kind,
        text,
        voice=bool(_VOICE.search(str(exc))),
    )


def _compare(case, result, warned: bool) -> dict:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = case.reference()
    except BaseException as exc:  # noqa: BLE001
        return _out(
            "bare_error",
            type(exc).__name__,
            "the plain float64 call failed too: " + _first_line(exc),
        )
    diff = same(result, reference, case.rtol)
    if diff:
        return _out("wrong_result", message=f"differs from the plain float64 call: {diff}")
    if nonfinite(result) and not warned:
        return _out("silent_nonfinite", message=f"returned {_describe(result)}")
    return _out("result_ok")


def _describe(result) -> str:
    found = arrays(result)
    if not found:
        return type(result).__name__
    bad = [a for a in found if a.dtype.kind in "fc" and not np.all(np.isfinite(a))]
    shown = bad[0] if bad else found[0]
    flat = np.ravel(shown)[:4]
    return f"{type(result).__name__} {np.array2string(flat, precision=3)}"[:200]


def _out(outcome, exc="", message="", **extra) -> dict:
    return {"outcome": outcome, "exc": exc, "message": message, **extra}
