"""Validation at the public edge of :mod:`pyjl.gp` (kernels trust what passes here)."""

from __future__ import annotations

import numpy as np

from .. import _validate
from ..data import as_array
from ..exceptions import InputError

__all__ = [
    "as_float_array",
    "as_points",
    "as_targets",
    "check_target_labels",
    "positive",
    "bounds_pair",
    "check_variance",
    "log_values",
    "MAX_VARIANCE",
]

#: The largest kernel variance: a Cholesky factorisation sums squares of kernel values,
#: which overflow float64 (1.8e308) beyond about 1e154; 1e150 leaves room for n terms.
MAX_VARIANCE = 1e150


def check_target_labels(fitted, obj, name: str, *, per_target: bool = False) -> None:
    """Refuse targets ``obj`` (a table; with ``per_target``, also a Series of one value
    per target, labelled by its index) labelled otherwise than the fitted targets
    ``fitted``: they are read by position, so reordered columns would be silently wrong.
    Labels ``0, 1, ...`` on either side are positions."""
    if fitted is None:
        return
    series = hasattr(obj, "index") and not hasattr(obj, "columns") and hasattr(obj, "iloc")
    given = list(obj.index) if series and per_target else _validate.column_labels(obj)
    if given is None or given == list(fitted):
        return
    if any(labels == list(range(len(labels))) for labels in (given, list(fitted))):
        return
    raise _validate.error(
        name,
        f"must label its targets as the model's, in that order: {list(fitted)}",
        f"labels {given}",
        f"select them in that order, e.g. {name}[{list(fitted)!r}]",
    )


def as_float_array(obj, name: str, *, ndim: int | None = None) -> np.ndarray:
    """A C-contiguous float64 NumPy array (a view where possible); finite values only.

    :func:`pyjl.data.as_array` does the work (kinds, casts, NaN/inf with their position)."""
    try:
        arr = as_array(obj, name=name, dtype=np.float64, allow_empty=True)
    except InputError:
        raise
    except (TypeError, ValueError) as exc:
        raise _validate.error(
            name,
            "must be numeric array-like",
            f"{type(obj).__name__} ({exc})",
            "pass a NumPy array, list, pandas or pyarrow object",
        ) from None
    if ndim is not None and arr.ndim != ndim:
        raise _validate.error(name, f"must be {ndim}-D", f"shape {arr.shape}", "reshape it")
    return arr


def as_points(
    obj, name: str, d: int | None = None, whose: str = "the model was fitted with"
) -> np.ndarray:
    """``(n, d)`` points; a 1-D input is one feature per point (``(n, 1)``); ``whose``
    says where ``d`` comes from."""
    arr = as_float_array(obj, name)
    if arr.ndim == 1:
        if d is not None and d != 1:
            raise _validate.error(
                name,
                f"must be 2-D (n, {d})",
                f"shape {arr.shape}",
                f"use {name}.reshape(-1, {d}), or reshape(1, -1) for one point",
            )
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise _validate.error(
            name,
            "must be 2-D (n_points, n_features)",
            f"shape {arr.shape}",
            "pass a table of points, one row per point",
        )
    if arr.shape[1] == 0:
        raise _validate.error(
            name,
            "must have at least 1 feature",
            f"0 feature(s) (shape={arr.shape})",
            "pass one column per input dimension",
        )
    if d is not None and arr.shape[1] != d:
        raise _validate.error(
            name,
            f"must have {d} columns (the number of features {whose})",
            f"{arr.shape[1]} columns",
            f"pass points with {d} features",
        )
    return arr


def as_targets(obj, name: str, n: int, *, targets: int | None = 1) -> np.ndarray:
    """``(n,)`` values, one per point (``(n, 1)`` is accepted), or ``(n, targets)`` for
    ``targets`` > 1 (``None``: either, with any number of columns, as ``fit``'s ``y``)."""
    arr = as_float_array(obj, name)
    if arr.ndim == 2 and arr.shape[1] == 1 and targets in (1, None):
        arr = arr[:, 0]
    if targets not in (1, None) and (arr.ndim != 2 or arr.shape[1] != targets):
        raise _validate.error(
            name,
            f"must be (n, {targets}), one column per target the model was fitted with",
            f"shape {arr.shape}",
            f"pass a 2-D array of {targets} columns",
        )
    if arr.ndim == 2 and targets is None and arr.shape[1] == 0:
        raise _validate.error(
            name,
            "must have at least one column (target)",
            f"shape {arr.shape}",
            f"pass one value per point, or {name} of shape (n, n_targets)",
        )
    if arr.ndim != 1 and not (arr.ndim == 2 and targets != 1):
        rule = "must be 1-D (n,)" if targets == 1 else "must be (n,) or (n, n_targets)"
        raise _validate.error(
            name,
            rule,
            f"shape {arr.shape}",
            f"pass one value per point, e.g. {name}.ravel()",
        )
    if arr.shape[0] != n:
        raise _validate.error(
            name,
            f"must have one value per point of X ({n})",
            f"{arr.shape[0]} values",
            f"pass X and {name} of the same length",
        )
    return np.ascontiguousarray(arr)


def positive(value, name: str, *, allow_zero: bool = False) -> float:
    """A finite float > 0 (or >= 0)."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    return _validate.real(value, name, low=0.0, low_open=not allow_zero)


def bounds_pair(value, name: str):
    """``"fixed"`` or a ``(low, high)`` pair with ``0 < low <= high < inf``."""
    fix = "pass 'fixed' or two numbers such as (1e-5, 1e5)"
    if isinstance(value, str):
        if value == "fixed":
            return "fixed"
        raise _validate.error(
            name, "must be 'fixed' or a (low, high) pair", _validate.describe(value), fix
        )
    try:
        pair = tuple(value)
    except TypeError:
        raise _validate.error(name, "must be 'fixed' or a (low, high) pair", value, fix) from None
    if len(pair) != 2:
        raise _validate.error(name, "must be 'fixed' or a (low, high) pair", value, fix)
    lo = _validate.real(pair[0], f"{name}[0]", low=0.0, low_open=True)
    hi = _validate.real(
        pair[1], f"{name}[1]", low=lo, fix=f"pass a finite upper bound >= the lower bound {lo:g}"
    )
    if type(value) is tuple and pair == (lo, hi) and all(type(v) is float for v in pair):
        return value  # already checked: the same object, as scikit-learn's set_params expects
    return (lo, hi)


def check_finite_fit(alpha, lml, y, y_mean, y_std, name: str = "y") -> None:
    """Refuse targets ``y`` (model units; ``name`` in the user's) that make ``alpha =
    K^-1 y`` overflow float64 (every prediction NaN), or, where ``lml`` is given, the log
    marginal likelihood."""
    if not (np.all(np.isfinite(alpha)) and (lml is None or np.isfinite(lml))):
        big = float(np.max(np.abs(np.asarray(y) * y_std + y_mean)))
        raise _validate.error(
            name,
            "must be on a scale where K^-1 y stays finite (float64)",
            f"max |{name}| = {big:.3g}",
            "rescale y (fit on data in sensible units, or with normalize_y=True)",
        )


def check_variance(
    value: float,
    label: str,
    *,
    got: str | None = None,
    fix: str = "rescale y, e.g. fit with normalize_y=True",
) -> None:
    """Refuse a kernel variance (or scale) above :data:`MAX_VARIANCE`; ``got`` words the
    value received where it is not ``value`` itself (a scalar that gives it)."""
    if value > MAX_VARIANCE:
        raise _validate.error(
            label,
            f"must keep the kernel's variance <= {MAX_VARIANCE:g} (larger kernel values "
            "overflow float64 in the Cholesky factorisation)",
            _validate.describe(value) if got is None else got,
            fix,
        )


def log_values(theta: np.ndarray, label: str) -> np.ndarray:
    """``exp(theta)`` of log hyperparameters, refusing any that is not finite or whose
    ``exp`` is not a positive finite float64 (``|theta|`` beyond about 708)."""
    with np.errstate(over="ignore", under="ignore"):
        values = np.exp(theta)
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise _validate.error(
            label,
            "must hold finite log hyperparameters whose exp is a positive float64 "
            "(between about -708 and 709)",
            f"{float(theta[j])!r} at index {j}",
            "assign log values, e.g. within the kernel's bounds",
        )
    return values
