"""What a stored candidate of :class:`~pyjl.bo.BayesSearchCV` was scored with, so that a
resumed search refuses a study whose candidates another setup scored; and the check of a
callable ``refit``'s answer."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np

from .. import _validate
from ..exceptions import InputIndexError

__all__ = ["SETUP", "setup_of", "check_same", "stable_repr", "refit_index"]

#: the trial attribute that holds the setup of its fold records
SETUP = "cv_setup"


def setup_of(search: Any, objective: str, splits: list) -> dict:
    """What a stored candidate's fold records depend on: the estimator, the metrics,
    the folds (a digest of their indices) and whether train scores are kept."""
    digest = hashlib.sha1()
    for train, test in splits:
        digest.update(np.asarray(train, dtype=np.int64).tobytes() + b"|")
        digest.update(np.asarray(test, dtype=np.int64).tobytes() + b"/")
    scorers = search.scorer_ if search.multimetric_ else {"score": search.scorer_}
    return {
        "estimator": stable_repr(search.estimator),
        "metrics": {k: stable_repr(v) for k, v in scorers.items()},
        "objective": objective,
        "n_splits": len(splits),
        "folds": f"sha1 {digest.hexdigest()}",
        "train_scores": bool(search.return_train_score),
    }


def check_same(stored: dict, records, setup: dict, study: str) -> None:
    """Refuse to reuse a stored candidate whose fold records another setup made (other
    metrics, folds, estimator or train scores): their scores would be mixed with these."""
    theirs = stored.get(SETUP)
    if theirs is None:  # stored before setups were (or by another tool): its records
        if records is None or _records_fit(records, setup):
            return
        theirs = {"records": "of other metrics, folds or train scores"}
    if theirs == setup:
        return
    differ = [k for k in setup if theirs.get(k) != setup[k]] or list(theirs)
    raise _validate.error(
        "study",
        "must hold candidates of this same search to be resumed (the same estimator, "
        "scoring, folds and return_train_score)",
        f"{study!r}, whose stored candidates differ in {', '.join(differ)}",
        "pass another study name (or storage) for a new search",
    )


def _records_fit(records: list[dict], setup: dict) -> bool:
    """Whether fold records stored without their setup have this setup's metrics and
    train scores, and no more folds (a pruned candidate has fewer)."""
    metrics = sorted(records[0]["test"]) if records else sorted(setup["metrics"])
    train = any(r.get("train") is not None for r in records)
    return (
        metrics == sorted(setup["metrics"])
        and train == setup["train_scores"]
        and len(records) <= setup["n_splits"]
    )


def stable_repr(obj) -> str:
    """``repr(obj)`` without memory addresses (a function's ``at 0x7f...``), which
    differ from one process to the next."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(obj))


def refit_index(value, n: int) -> int:
    """A callable ``refit``'s return value checked as scikit-learn checks it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise _validate.error(
            "refit",
            "must return the index of the best candidate (an integer)",
            _validate.describe(value),
            "return an int, e.g. int(np.argmax(cv_results['mean_test_score']))",
            wrong_type=True,
        )
    if not 0 <= int(value) < n:
        raise _validate.error(
            "refit",
            f"must return the index of a candidate, 0 to {n - 1}",
            int(value),
            "return an index into cv_results_['params']",
            cls=InputIndexError,  # scikit-learn's IndexError
        )
    return int(value)
