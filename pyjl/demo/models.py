"""The boosting models the demo tunes: XGBoost, or scikit-learn's HistGradientBoosting.

:func:`make_model` maps XGBoost's hyperparameter names onto either implementation
(the table in :mod:`pyjl.demo.tuning`); both are imported lazily, when a model is made.
:class:`pyjl.demo.estimator.BoostingClassifier` is the same as a scikit-learn estimator
whose parameters are those names, for :class:`pyjl.bo.BayesSearchCV`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from .._threads import thread_limit

__all__ = ["N_ESTIMATORS", "resolve_model", "make_model", "one_thread"]

N_ESTIMATORS = 100


def _has_xgboost() -> bool:
    try:
        import xgboost  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_model(model: str = "auto") -> str:
    """``"xgboost"`` or ``"sklearn"``: which gradient-boosting implementation ``model`` means.

    Parameters
    ----------
    model : {"auto", "xgboost", "sklearn"}
        ``"auto"`` picks XGBoost when it is installed.

    Returns
    -------
    str

    Examples
    --------
    >>> resolve_model("sklearn")
    'sklearn'
    """
    from .. import _validate

    _validate.choice(model, "model", ("auto", "xgboost", "sklearn"))
    if model == "auto":
        return "xgboost" if _has_xgboost() else "sklearn"
    if model == "xgboost" and not _has_xgboost():
        raise _validate.error(
            "model",
            "must name an installed library",
            "'xgboost', but XGBoost is not installed",
            "pip install 'pyjl[demo]' (xgboost-cpu) or use model='sklearn'",
        )
    return model


class _RowSubsample:
    """A classifier fitted on one random ``fraction`` of its training rows."""

    def __init__(self, estimator, fraction: float, seed: int):
        self.estimator, self.fraction, self.seed = estimator, fraction, seed

    def get_params(self, deep=True):
        return {"estimator": self.estimator, "fraction": self.fraction, "seed": self.seed}

    def set_params(self, **params):
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, X, y):
        from sklearn.model_selection import train_test_split

        # a stratified split needs a held-out row per class: closer to 1 it rounds to all rows
        if len(y) - int(self.fraction * len(y)) >= len(set(y)) and self.fraction < 1.0:
            X, _, y, _ = train_test_split(
                X, y, train_size=self.fraction, stratify=y, random_state=self.seed
            )
        self.estimator.fit(X, y)
        self.classes_ = self.estimator.classes_
        return self

    def predict_proba(self, X):
        return self.estimator.predict_proba(X)

    def predict(self, X):
        return self.estimator.predict(X)


def make_model(params: dict, model: str = "sklearn", seed: int = 0):
    """A scikit-learn-compatible classifier for the hyperparameters ``params``.

    Parameters
    ----------
    params : dict
        The six keys of :data:`pyjl.demo.tuning.SPACE`.
    model : {"xgboost", "sklearn"}
        ``XGBClassifier`` (single-threaded, ``hist`` trees) or
        ``HistGradientBoostingClassifier`` with the mapping of the module docstring.
    seed : int
        ``random_state`` of the model (and of the fallback's row subsample).

    Returns
    -------
    estimator
        Unfitted; ``fit(X, y)``, ``predict_proba(X)``.

    Examples
    --------
    >>> from pyjl.demo.tuning import DEFAULTS
    >>> clf = make_model(DEFAULTS, "sklearn")
    >>> type(clf.estimator).__name__, clf.estimator.learning_rate, clf.fraction
    ('HistGradientBoostingClassifier', 0.3, 1.0)
    """
    p = dict(params)
    if model == "xgboost":
        from xgboost import XGBClassifier

        return XGBClassifier(
            n_estimators=N_ESTIMATORS,
            learning_rate=float(p["eta"]),
            max_depth=int(p["max_depth"]),
            min_child_weight=float(p["min_child_weight"]),
            subsample=float(p["subsample"]),
            colsample_bytree=float(p["colsample_bytree"]),
            gamma=float(p["gamma"]),
            tree_method="hist",
            n_jobs=1,
            random_state=seed,
            eval_metric="logloss",
        )
    from sklearn.ensemble import HistGradientBoostingClassifier

    hgb = HistGradientBoostingClassifier(
        learning_rate=float(p["eta"]),
        max_iter=N_ESTIMATORS,
        max_depth=int(p["max_depth"]),
        max_leaf_nodes=None,
        min_samples_leaf=max(1, int(round(float(p["min_child_weight"])))),
        max_features=float(p["colsample_bytree"]),
        l2_regularization=float(p["gamma"]),
        early_stopping=False,
        random_state=seed,
    )
    return _RowSubsample(hgb, float(p["subsample"]), seed)


def one_thread() -> AbstractContextManager[object]:
    """A context in which OpenMP runs one thread (:func:`pyjl._threads.thread_limit`).

    Tree learners on a few hundred rows gain nothing from threads, and on a small busy
    machine their OpenMP threads oversubscribe the cores (a fit can take 50x longer).

    Returns
    -------
    contextlib.AbstractContextManager
        Use it in a ``with`` statement.

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> with one_thread():
    ...     all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "openmp")
    True
    """
    return thread_limit(1, user_api="openmp")
