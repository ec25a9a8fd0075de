"""A study's history as a table: one row per trial (:attr:`pyjl.bo.Result.history`,
:meth:`pyjl.bo.Optimizer.history`)."""

from __future__ import annotations

from .space import Categorical, Integer, Space
from .trial import Trial, TrialState

__all__ = ["history_frame", "param_columns"]

_BOOKKEEPING = (
    "number", "state", "value", "noise_var", "error", "created", "finished", "worker",
    "duration_s", "best_so_far",
)  # fmt: skip


def param_columns(space: Space) -> dict[str, str]:
    """``{parameter: its column in a history frame}``: the name, or ``params_NAME`` for a
    parameter named like a bookkeeping column (Optuna's name for it), and a parameter
    named like such a column in turn is prefixed again (``params_params_value``)."""
    taken, out = set(_BOOKKEEPING), {}
    renamed = [k for k in space.names if k in _BOOKKEEPING]  # first: they get Optuna's name
    for k in renamed + [k for k in space.names if k not in _BOOKKEEPING]:
        col = f"params_{k}" if k in _BOOKKEEPING else k
        while col in taken:
            col = f"params_{col}"
        out[k] = col
        taken.add(col)
    return {k: out[k] for k in space.names}


def _holds_none(dim) -> bool:
    """Whether ``dim`` is a :class:`Categorical` with ``None`` among its choices."""
    return isinstance(dim, Categorical) and any(c is None for c in dim.choices)


def history_frame(trials: list[Trial], space: Space, direction: str = "minimize"):
    """One row per trial, as :attr:`Result.history` (a pandas DataFrame): the trial's
    number, state, value and noise variance, one column per parameter (``params_NAME``
    for a parameter named like one of the other columns), then its error, times, worker,
    duration and the best value so far (the highest so far where ``direction`` is
    ``"maximize"``)."""
    import pandas as pd

    shown = param_columns(space)
    rows = []
    for t in trials:
        row = {
            "number": t.number,
            "state": t.state.value,
            "value": t.value,
            "noise_var": t.noise_var,
        }
        row.update({shown[k]: t.params.get(k) for k in space.names})
        row.update(error=t.error, created=t.created, finished=t.finished, worker=t.worker)
        rows.append(row)
    cols = (
        ["number", "state", "value", "noise_var"]
        + list(shown.values())
        + ["error", "created", "finished", "worker"]
    )
    df = pd.DataFrame(rows, columns=cols)
    for k, col in shown.items():
        dim = space.dimensions[k]
        if _holds_none(dim):  # kept as None, not read as a missing string (pandas 3)
            df[col] = pd.Series([t.params.get(k) for t in trials], index=df.index, dtype=object)
    text = pd.Series(["a"]).dtype  # pandas' text dtype (str under pandas 3, else object)
    # text whether or not a trial failed yet (None alone would make the column object)
    df["error"] = df["error"].astype(text)
    df["value"] = df["value"].astype(float)
    df["noise_var"] = df["noise_var"].astype(float)
    df["duration_s"] = df["finished"].astype(float) - df["created"].astype(float)
    for c in ("created", "finished"):
        df[c] = pd.to_datetime(df[c].astype(float), unit="s", utc=True).astype(
            "datetime64[ns, UTC]"
        )
    if df.empty:  # the dtypes a first row would give
        df = df.astype({"number": "int64", "state": text, "worker": text})
        for k, col in shown.items():
            dim = space.dimensions[k]
            if isinstance(dim, Categorical):
                kind = object if _holds_none(dim) else pd.Series(list(dim.choices)).dtype
                df[col] = df[col].astype(kind)
            else:
                df[col] = df[col].astype("int64" if isinstance(dim, Integer) else "float64")
    done = df["value"].where(df["state"] == TrialState.COMPLETE.value)
    best = done.cummax() if direction == "maximize" else done.cummin()
    df["best_so_far"] = best.ffill()  # failed and pruned rows keep the best
    return df
