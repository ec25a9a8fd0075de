"""The methods :class:`~pyjl.bo.search.BayesSearchCV` hands to its refitted best estimator
(``predict``, ``predict_proba``, ``transform``, ...), each present only where refit is on
and the estimator has it (scikit-learn's ``available_if``), as in ``GridSearchCV``."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from sklearn.utils.metaestimators import available_if

from ..exceptions import NotFittedError

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
    """The best estimator's methods, for a search with ``refit``, ``estimator``,
    ``scorer_``, ``multimetric_`` and, once fitted, ``best_estimator_``."""

    refit: Any
    estimator: Any
    scorer_: Any
    multimetric_: bool
    best_estimator_: Any

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

    def score(self, X, y=None) -> float:
        """The optimised metric of ``best_estimator_`` on ``X, y``."""
        est = self._fitted("score")
        scorer = self.scorer_[self.refit] if self.multimetric_ else self.scorer_
        return float(scorer(est, X) if y is None else scorer(est, X, y))

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
