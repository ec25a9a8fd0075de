"""The demo's boosting model as a scikit-learn classifier, for :class:`pyjl.bo.BayesSearchCV`.

Imported when the tuning runs (it needs scikit-learn, which ``pyjl demo`` checks first).
"""

from __future__ import annotations

import warnings

from sklearn.base import BaseEstimator, ClassifierMixin

from .models import make_model, one_thread

__all__ = ["BoostingClassifier"]


class BoostingClassifier(ClassifierMixin, BaseEstimator):
    """:func:`make_model` as a scikit-learn classifier with XGBoost's parameter names.

    ``fit`` runs single-threaded (:func:`one_thread`) with scikit-learn's
    ``UserWarning`` silenced; ``predict_proba``, ``predict`` and ``classes_`` are the
    fitted model's.

    Parameters
    ----------
    eta, max_depth, min_child_weight, subsample, colsample_bytree, gamma
        The hyperparameters (XGBoost's defaults).
    model : {"xgboost", "sklearn"}
        The implementation (:func:`resolve_model`).
    seed : int
        ``random_state`` of the model.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = BoostingClassifier(max_depth=3).fit(X[:200], y[:200])
    >>> clf.predict_proba(X[200:203]).shape, clf.get_params()["max_depth"]
    ((3, 2), 3)
    """

    def __init__(
        self,
        eta=0.3,
        max_depth=6,
        min_child_weight=1.0,
        subsample=1.0,
        colsample_bytree=1.0,
        gamma=0.0,
        model="sklearn",
        seed=0,
    ):
        self.eta, self.max_depth, self.min_child_weight = eta, max_depth, min_child_weight
        self.subsample, self.colsample_bytree, self.gamma = subsample, colsample_bytree, gamma
        self.model, self.seed = model, seed

    def fit(self, X, y):
        params = self.get_params()
        model, seed = params.pop("model"), params.pop("seed")
        with one_thread(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.model_ = make_model(params, model, seed).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
