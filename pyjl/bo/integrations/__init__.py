"""Ready-made pruning callbacks: report a model's validation loss as it trains.

* :class:`~pyjl.bo.integrations.xgboost.XGBoostPruningCallback` -- an
  ``xgboost.callback.TrainingCallback`` (``import pyjl.bo.integrations.xgboost``;
  needs xgboost).
* :func:`~pyjl.bo.integrations.sklearn.fit_with_pruning` -- fits a scikit-learn
  estimator step by step (``partial_fit``, or ``warm_start`` with a growing number of
  estimators or iterations), reporting its validation loss after each step.

Each reports to a :class:`~pyjl.bo.TrialHandle` and raises
:class:`~pyjl.bo.TrialPruned` when the study's pruner says so.
"""

__all__ = ["xgboost", "sklearn"]
