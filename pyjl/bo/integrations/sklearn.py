"""Pruning scikit-learn estimators that learn step by step: :func:`fit_with_pruning`.

An estimator with ``partial_fit`` (``SGDClassifier``, ``MLPClassifier``, ...) takes one
``partial_fit`` on the training data per step; one with ``warm_start`` and a growing
resource (``n_estimators`` of the forests and gradient boosting, ``max_iter`` of
``HistGradientBoosting*`` and ``MLP*``) is refitted with the resource raised step by step
to its full value, keeping what it learnt.  After each step the validation loss is
reported to the trial, and :class:`~pyjl.bo.TrialPruned` is raised when the study's
pruner says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import _validate
from ...exceptions import TrialPruned

__all__ = ["fit_with_pruning", "RESOURCES"]

#: the warm-start parameters that grow with the steps, in the order they are looked for
RESOURCES = ("n_estimators", "max_iter")


def _loss(scoring: Any):
    """``loss(estimator, X, y)``: minus the scorer (scikit-learn scores: higher is better)."""
    from sklearn.metrics import get_scorer, get_scorer_names

    if scoring is None:
        return lambda est, X, y: -float(est.score(X, y))
    if isinstance(scoring, str):
        if scoring not in get_scorer_names():
            raise _validate.error(
                "scoring",
                "must be a scorer name scikit-learn knows, a callable or None",
                _validate.describe(scoring),
                "pass e.g. 'neg_log_loss' or 'accuracy' (sklearn.metrics.get_scorer_names())",
            )
        scorer = get_scorer(scoring)
    elif callable(scoring):
        scorer = scoring
    else:
        raise _validate.error(
            "scoring",
            "must be a scorer name, a callable (estimator, X, y) -> score, or None",
            _validate.describe(scoring),
            "pass e.g. 'neg_log_loss'",
        )
    return lambda est, X, y: -float(scorer(est, X, y))


def fit_with_pruning(
    estimator: Any,
    X: Any,
    y: Any,
    X_val: Any,
    y_val: Any,
    trial: Any,
    steps: int = 10,
    scoring: Any = None,
    *,
    classes: Any = None,
) -> float:
    """Fit ``estimator`` in ``steps`` steps, reporting its validation loss after each.

    After ``k`` steps the trial reports step ``k`` (1 .. ``steps``: the resource spent, as
    :class:`~pyjl.bo.BayesSearchCV` reports folds), so ``SuccessiveHalvingPruner(1)`` has a
    rung after the first step.

    Parameters
    ----------
    estimator : scikit-learn estimator
        With ``partial_fit``, or with ``warm_start`` and ``n_estimators`` or ``max_iter``
        (whose value set is the full resource, reached at the last step).
    X, y : array-like
        Training data.
    X_val, y_val : array-like
        Validation data the loss is measured on.
    trial : TrialHandle
        The objective's trial (``func(params, trial)``).
    steps : int, default 10
        Steps, ``>= 1``; with ``warm_start`` at most the full resource.
    scoring : str or callable or None, default None
        A scikit-learn scorer name (``"neg_log_loss"``, ``"accuracy"``, ...) or a
        callable ``(estimator, X, y) -> score``; the loss reported is minus the score.
        ``None``: minus ``estimator.score``.
    classes : array-like or None, default None
        For a classifier's ``partial_fit``: every class (default: those of ``y``).

    Returns
    -------
    float
        The validation loss after the last step (also the last value reported).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from pyjl.bo import Optimizer, Real, Space
    >>> X, y = load_iris(return_X_y=True)
    >>> opt = Optimizer(Space({"alpha": Real(1e-4, 1e-1, log=True)}), seed=0)
    >>> [(number, params)] = opt.ask_trials(1)
    >>> loss = fit_with_pruning(SGDClassifier(alpha=params["alpha"], random_state=0),
    ...                         X[::2], y[::2], X[1::2], y[1::2], opt.handle(number, params),
    ...                         steps=4, scoring="accuracy")
    >>> sorted(opt.intermediate_values()[number]), -1.0 <= loss <= 0.0
    ([1, 2, 3, 4], True)
    """
    steps = _validate.integer(steps, "steps", low=1, fix="pass a whole number >= 1")
    loss = _loss(scoring)
    if hasattr(estimator, "partial_fit"):
        from sklearn.base import is_classifier

        extra = {}
        if is_classifier(estimator):
            extra["classes"] = np.unique(y) if classes is None else classes

        def fit_step(k: int) -> None:
            estimator.partial_fit(X, y, **extra)

    else:
        params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
        resource = next((r for r in RESOURCES if r in params), None)
        if "warm_start" not in params or resource is None:
            raise _validate.error(
                "estimator",
                "must have partial_fit, or warm_start with n_estimators or max_iter",
                type(estimator).__name__,
                "use e.g. SGDClassifier, RandomForestClassifier or "
                "HistGradientBoostingClassifier (or prune inside your own loop)",
            )
        full = _validate.integer(params[resource], resource, low=1)
        steps = _validate.integer(
            steps, "steps", low=1, high=full, fix=f"pass at most {resource}={full} steps"
        )
        estimator.set_params(warm_start=True)

        def fit_step(k: int) -> None:
            estimator.set_params(**{resource: math.ceil(full * k / steps)})
            estimator.fit(X, y)

    value = math.nan
    for k in range(1, steps + 1):
        fit_step(k)
        value = loss(estimator, X_val, y_val)
        trial.report(k, value)
        if trial.should_prune():
            raise TrialPruned(f"pruned at step {k}")
    return value
