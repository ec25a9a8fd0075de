"""Pruning XGBoost training: :class:`XGBoostPruningCallback`.

Like Optuna's ``XGBoostPruningCallback`` (optuna-integration): after each boosting round
it reports the last value of one evaluation metric to the trial, and raises
:class:`~pyjl.bo.TrialPruned` -- which stops training -- when the trial should be
pruned.  Works with ``xgboost.train``, ``xgboost.cv`` (the mean over the folds is
reported) and the scikit-learn interface (``XGBClassifier(callbacks=[...])``, whose
evaluation sets are named ``validation_0``, ``validation_1``, ...).
"""

from __future__ import annotations

from typing import Any

import xgboost as xgb

from ... import _validate
from ...exceptions import TrialPruned

__all__ = ["XGBoostPruningCallback"]


class XGBoostPruningCallback(xgb.callback.TrainingCallback):
    """Report ``observation_key`` (``"<evaluation set>-<metric>"``) each round; prune.

    Parameters
    ----------
    trial : TrialHandle
        The trial of the objective (``func(params, trial)``).
    observation_key : str, default "validation_0-logloss"
        The evaluation set and metric to report, joined by ``-`` (lower is better:
        pyjl minimises, so report a loss -- ``logloss``, ``mlogloss``, ``rmse`` ...).

    Examples
    --------
    >>> import numpy as np, xgboost as xgb
    >>> from pyjl.bo import Optimizer, Real, Space
    >>> opt = Optimizer(Space({"eta": Real(0.05, 0.5)}), seed=0)
    >>> [(number, params)] = opt.ask_trials(1)
    >>> X = np.random.default_rng(0).normal(size=(80, 3)); y = (X[:, 0] > 0).astype(int)
    >>> d = xgb.DMatrix(X, label=y)
    >>> cb = XGBoostPruningCallback(opt.handle(number, params), "train-logloss")
    >>> _ = xgb.train({"eta": params["eta"], "objective": "binary:logistic"}, d, 5,
    ...               evals=[(d, "train")], verbose_eval=False, callbacks=[cb])
    >>> sorted(opt.intermediate_values()[number])
    [0, 1, 2, 3, 4]
    """

    def __init__(self, trial: Any, observation_key: str = "validation_0-logloss"):
        if not (
            callable(getattr(trial, "report", None))
            and callable(getattr(trial, "should_prune", None))
        ):
            raise _validate.error(
                "trial",
                "must be a trial handle (with report and should_prune)",
                _validate.describe(trial),
                "pass the objective's second argument: def objective(params, trial)",
            )
        if not isinstance(observation_key, str) or "-" not in observation_key:
            raise _validate.error(
                "observation_key",
                "must be '<evaluation set>-<metric>'",
                _validate.describe(observation_key),
                "pass e.g. 'validation_0-logloss' or 'valid-mlogloss'",
            )
        super().__init__()
        self._trial, self.observation_key = trial, observation_key

    def after_iteration(self, model: Any, epoch: int, evals_log: dict) -> bool:
        """Report the metric of round ``epoch``; raise ``TrialPruned`` to stop training."""
        scores = {
            f"{data}-{metric}": values[-1]
            for data, metrics in evals_log.items()
            for metric, values in metrics.items()
        }
        if self.observation_key not in scores:
            raise _validate.error(
                "observation_key",
                f"must name one of the evaluation results {sorted(scores)}",
                _validate.describe(self.observation_key),
                "pass an evaluation set and metric the model reports (eval_set, eval_metric)",
            )
        score = scores[self.observation_key]
        if isinstance(score, tuple):  # xgboost.cv: (mean, std) over the folds
            score = score[0]
        self._trial.report(epoch, float(score))
        if self._trial.should_prune():
            raise TrialPruned(f"pruned at boosting round {epoch}")
        return False
