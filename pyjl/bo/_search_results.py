"""The fold records of :class:`~pyjl.bo.search.BayesSearchCV`'s candidates as scikit-learn
reports them.

* :func:`warn_failures`: scikit-learn's warning when fits failed, its error when all did.
* :func:`cv_results`: the records in ``GridSearchCV``'s ``cv_results_`` layout (the same
  means, standard deviations and ranks, and its warning for non-finite scores).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from numpy.ma import MaskedArray
from scipy.stats import rankdata
from sklearn.exceptions import FitFailedWarning

from .._warn import warn

__all__ = ["warn_failures", "cv_results"]


def warn_failures(folds: list[list[dict] | None], error_score: Any) -> None:
    """scikit-learn's warning when fits failed, its error when all did, in its words (so
    that filters and tests written for ``GridSearchCV`` match)."""
    fits = [r for f in folds if f is not None for r in f]
    failed = [r["error"] for r in fits if r["error"]]
    if not failed:
        return
    delimiter = "-" * 80 + "\n"
    summary = "\n".join(
        f"{delimiter}{n} fits failed with the following error:\n{error}"
        for error, n in Counter(failed).items()
    )
    if len(failed) == len(fits):
        raise ValueError(
            f"\nAll the {len(fits)} fits failed.\n"
            "It is very likely that your model is misconfigured.\n"
            "You can try to debug the error by setting error_score='raise'.\n\n"
            f"Below are more details about the failures:\n{summary}"
        )
    warn(
        f"\n{len(failed)} fits failed out of a total of {len(fits)}.\n"
        "The score on these train-test partitions for these parameters will be set to "
        f"{error_score}.\nIf these failures are not expected, you can try to debug them "
        "by setting error_score='raise'.\n\n"
        f"Below are more details about the failures:\n{summary}",
        FitFailedWarning,
    )


def _masked_params(candidates: list[dict]) -> dict[str, MaskedArray]:
    """``param_<name>``: one masked array per parameter (masked where a candidate of
    another space lacks it), typed as scikit-learn types them."""
    values: dict[str, dict[int, Any]] = {}
    for i, params in enumerate(candidates):
        for name, v in params.items():
            values.setdefault(f"param_{name}", {})[i] = v
    out = {}
    for key, got in values.items():
        try:
            arr = np.array(list(got.values()))
            dtype = arr.dtype if arr.dtype.kind != "U" and arr.ndim == 1 else np.dtype(object)
        except ValueError:
            dtype = np.dtype(object)
        ma = MaskedArray(np.empty(len(candidates), dtype=dtype), mask=True)
        for i, v in got.items():
            ma[i] = v
        out[key] = ma
    return out


def _store(
    results: dict,
    key: str,
    array: np.ndarray,
    splits: bool,
    rank: bool,
    known=None,
    ran=None,
) -> None:
    """Split columns, mean, std (and rank) of ``array`` (n_candidates, n_splits), as
    ``BaseSearchCV._format_results`` computes them; ``known``: means to use where the
    folds are unknown (not NaN).  A score's non-finite mean among the candidates that
    ``ran`` (not pruned) gets scikit-learn's warning."""
    if splits:
        for k in range(array.shape[1]):
            results[f"split{k}_{key}"] = array[:, k]
    means = np.average(array, axis=1)
    if known is not None:
        means = np.where(np.isnan(known), means, known)
    results[f"mean_{key}"] = means
    if ran is not None and not np.isfinite(means[ran]).all():
        warn(
            f"One or more of the {key.split('_')[0]} scores are non-finite: {means}",
            UserWarning,
        )
    results[f"std_{key}"] = np.sqrt(np.average((array - means[:, np.newaxis]) ** 2, axis=1))
    if rank:
        if np.isnan(means).all():
            results[f"rank_{key}"] = np.ones_like(means, dtype=np.int32)
        else:
            filled = np.nan_to_num(means, nan=np.nanmin(means) - 1)
            results[f"rank_{key}"] = rankdata(-filled, method="min").astype(np.int32)


def cv_results(
    candidates: list[dict],
    folds: list[list[dict] | None],
    names: list[str],
    train: bool,
    objective: str,
    known: list[float],
    n_splits: int,
) -> dict:
    """``cv_results_`` of ``candidates`` with their fold records (``None``: a trial of an
    earlier fit, whose fold scores were not kept: NaN, but for the mean test score of
    ``objective``, ``known``; fewer than the folds: a pruned trial, NaN for the rest)."""

    def table(pick) -> np.ndarray:
        rows = [[pick(r) for r in f or []] for f in folds]  # pruned: the folds it ran
        rows = [r + [np.nan] * (n_splits - len(r)) for r in rows]
        return np.array(rows, dtype=np.float64).reshape(len(candidates), n_splits)

    results: dict[str, Any] = {}
    _store(results, "fit_time", table(lambda r: r["fit_time"]), False, False)
    _store(results, "score_time", table(lambda r: r["score_time"]), False, False)
    results.update(_masked_params(candidates))
    results["params"] = candidates
    # the candidates scored on every fold (not pruned; kept: with their fold records)
    kept = np.array([f is not None and len(f) == n_splits for f in folds], dtype=bool)
    unknown = np.array([f is None for f in folds], dtype=bool)
    for name in names:
        key = "score" if names == ["score"] else name
        mean = np.array(known, dtype=np.float64) if name == objective else None
        ran = kept | unknown if name == objective else kept
        test = table(lambda r, n=name: r["test"][n])
        _store(results, f"test_{key}", test, True, True, mean, ran)
        if train:
            scores = table(lambda r, n=name: r["train"][n])
            _store(results, f"train_{key}", scores, True, False, None, kept)
    return results
