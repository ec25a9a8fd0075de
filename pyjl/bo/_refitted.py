"""The best candidate of :class:`~pyjl.bo.search.BayesSearchCV`: chosen from
``cv_results_`` and refitted (``_best``), and the methods the search hands to it
(``predict``, ``predict_proba``, ``transform``, ...), each present only where refit is on
and the estimator has it (scikit-learn's ``available_if``), as in ``GridSearchCV``."""

from __future__ import annotations

import time
from copy import deepcopy
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils.metaestimators import available_if

from .._warn import warn
from ..exceptions import NotFittedError
from . import _search_resume as resume
from ._search_routing import score_params

__all__ = ["BestEstimatorMethods"]


def _has(attr: str):
    """``available_if`` check: ``refit`` is on and the (best) estimator has ``attr``."""

    def check(self) -> bool:
        if not self.refit:
            raise AttributeError(
                f"this BayesSearchCV was built with refit=False: {attr} needs the best "
                "estimator refitted; pass refit=True"
            )
        getattr(getattr(self, "best_estimator_", self.estimator), attr)
        return True

    return check


class BestEstimatorMethods:
    """The best estimator, chosen and refitted, and its methods, for a search with
    ``refit``, ``estimator``, ``scorer_``, ``multimetric_`` and, once fitted,
    ``cv_results_`` and ``best_estimator_``."""

    refit: Any
    estimator: Any
    scorer_: Any
    multimetric_: bool
    best_estimator_: Any
    cv_results_: dict

    def _best(self, objective: str, X, y, fit_params: dict) -> None:
        """``best_index_``, ``best_params_``, ``best_score_`` (not for a callable
        ``refit``) from ``cv_results_``, then ``best_estimator_`` refitted on ``X, y`` with
        ``fit_params`` where ``refit`` is on, as ``GridSearchCV``'s."""
        key = "score" if objective == "score" else objective
        results = self.cv_results_
        if callable(self.refit):
            self.best_index_ = resume.refit_index(self.refit(results), len(results["params"]))
        else:
            self.best_index_ = int(results[f"rank_test_{key}"].argmin())
            self.best_score_ = float(results[f"mean_test_{key}"][self.best_index_])
            if np.isnan(results[f"mean_test_{key}"]).all():  # every candidate pruned
                warn(
                    f"no candidate has a mean test {key} (every one was pruned or failed): "
                    f"best_params_ is the first candidate's, not a measured best"
                    + (", and best_estimator_ is refitted with it" if self.refit else "")
                    + "; let more candidates finish (a milder pruner, more n_iter)",
                    UserWarning,
                )
        self.best_params_ = results["params"][self.best_index_]
        if not self.refit:  # as GridSearchCV: any false refit (False, "") fits nothing
            return
        est = clone(clone(self.estimator).set_params(**self.best_params_))
        t0 = time.time()
        if y is None:
            est.fit(X, **fit_params)
        else:
            est.fit(X, y, **fit_params)
        self.refit_time_ = time.time() - t0
        self.best_estimator_ = est
        if hasattr(est, "feature_names_in_"):
            self.feature_names_in_ = est.feature_names_in_

    def __sklearn_tags__(self):
        """The estimator's kind, classifier/regressor and input tags (scikit-learn's
        ``GridSearchCV`` hands on the same)."""
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = deepcopy(inner.classifier_tags)
        tags.regressor_tags = deepcopy(inner.regressor_tags)
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.array_api_support = inner.array_api_support
        return tags

    def _fitted(self, what: str):
        if not self.refit:
            raise NotFittedError(
                f"this BayesSearchCV was built with refit=False, so it has no {what}: that "
                "needs the best candidate refitted. Fix: pass refit=True, or fit "
                "clone(estimator).set_params(**search.best_params_) yourself."
            )
        if not hasattr(self, "best_estimator_"):
            raise NotFittedError(
                f"this BayesSearchCV is not fitted yet, so it has no {what}. "
                "Fix: call fit(X, y) first (with refit on)."
            )
        return self.best_estimator_

    def score(self, X, y=None, **params) -> float:
        """The optimised metric of ``best_estimator_`` on ``X, y``; ``params`` (metadata
        such as ``sample_weight``) go to the scorer as scikit-learn's metadata routing
        requests, and need it on, as ``GridSearchCV.score``'s."""
        est = self._fitted("score")
        kw = score_params(self, params)
        scorer = self.scorer_[self.refit] if self.multimetric_ else self.scorer_
        return float(scorer(est, X, **kw) if y is None else scorer(est, X, y, **kw))

    @available_if(_has("predict"))
    def predict(self, X):
        """``best_estimator_.predict(X)``."""
        return self._fitted("predict").predict(X)

    @available_if(_has("predict_proba"))
    def predict_proba(self, X):
        """``best_estimator_.predict_proba(X)``."""
        return self._fitted("predict_proba").predict_proba(X)

    @available_if(_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """``best_estimator_.predict_log_proba(X)``."""
        return self._fitted("predict_log_proba").predict_log_proba(X)

    @available_if(_has("decision_function"))
    def decision_function(self, X):
        """``best_estimator_.decision_function(X)``."""
        return self._fitted("decision_function").decision_function(X)

    @available_if(_has("score_samples"))
    def score_samples(self, X):
        """``best_estimator_.score_samples(X)``."""
        return self._fitted("score_samples").score_samples(X)

    @available_if(_has("transform"))
    def transform(self, X):
        """``best_estimator_.transform(X)``."""
        return self._fitted("transform").transform(X)

    @available_if(_has("inverse_transform"))
    def inverse_transform(self, X):
        """``best_estimator_.inverse_transform(X)``."""
        return self._fitted("inverse_transform").inverse_transform(X)

    @property
    def classes_(self):
        """``best_estimator_.classes_``."""
        return self._fitted("classes_").classes_

    @property
    def n_features_in_(self):
        """``best_estimator_.n_features_in_``."""
        return self._fitted("n_features_in_").n_features_in_
