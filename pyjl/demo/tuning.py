"""Demo part 1: tune a gradient-boosting classifier three ways at the same budget.

The objective is the 3-fold stratified cross-validated log loss (lower is
better) of a gradient-boosted tree ensemble on the training split (75 %) of
scikit-learn's breast-cancer data set (569 samples, 30 features), as a
function of six hyperparameters with XGBoost's names and usual ranges:

========================  ==========================  ===========================
parameter                 range                       XGBoost / scikit-learn knob
========================  ==========================  ===========================
``eta``                   1e-3 .. 0.5 (log)           ``learning_rate``
``max_depth``             2 .. 10 (integer)           ``max_depth``
``min_child_weight``      0.1 .. 20 (log)             ``min_samples_leaf`` (rounded)
``subsample``             0.5 .. 1                    one row subsample per fit
``colsample_bytree``      0.3 .. 1                    ``max_features``
``gamma``                 0 .. 5                      ``l2_regularization``
========================  ==========================  ===========================

The model is ``xgboost.XGBClassifier`` when XGBoost is installed (``pip install
'pyjl[demo]'`` brings ``xgboost-cpu``), else scikit-learn's
``HistGradientBoostingClassifier``, which has no per-tree row subsample and no
minimum split loss: the right-hand column says what each axis drives there.
Bayesian optimisation (:class:`pyjl.bo.BayesSearchCV` on
:class:`~pyjl.demo.estimator.BoostingClassifier`, scoring ``neg_log_loss`` on the
same folds, with a :class:`~pyjl.bo.MedianPruner` that stops a candidate after a
fold when its running mean is worse than the median of the completed candidates
there -- so it saves the fits, and the boosting rounds, of its remaining folds),
random search (:func:`pyjl.bo.random_search`) and grid search
(:func:`pyjl.bo.grid_search` over a grid with as many points as the budget; axes
the grid cannot afford stay at XGBoost's defaults) each get the same number of
candidates.

Reference: T. Chen and C. Guestrin, "XGBoost: a scalable tree boosting
system", KDD 2016; J. Snoek, H. Larochelle and R. P. Adams, "Practical Bayesian
optimization of machine learning algorithms", NeurIPS 2012.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..bo import (
    BayesSearchCV,
    Categorical,
    Integer,
    MedianPruner,
    Real,
    Result,
    Space,
    TrialState,
    grid_search,
    random_search,
)
from ..bo.history import history_frame
from .models import N_ESTIMATORS, make_model, one_thread, resolve_model
from .tuning_outputs import write_outputs

__all__ = [
    "SPACE",
    "DEFAULTS",
    "GRID_COUNTS",
    "N_FOLDS",
    "N_INITIAL",
    "TuningResult",
    "load_data",
    "make_objective",
    "grid_space",
    "first_reach",
    "run_tuning",
]

#: the six hyperparameters, XGBoost's names
SPACE = {
    "eta": Real(1e-3, 0.5, log=True),
    "max_depth": Integer(2, 10),
    "min_child_weight": Real(0.1, 20.0, log=True),
    "subsample": Real(0.5, 1.0),
    "colsample_bytree": Real(0.3, 1.0),
    "gamma": Real(0.0, 5.0),
}
#: XGBoost's defaults, where the grid leaves an axis out
DEFAULTS = {
    "eta": 0.3,
    "max_depth": 6,
    "min_child_weight": 1.0,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "gamma": 0.0,
}
#: budget -> values per grid axis (their product is the budget)
GRID_COUNTS = {
    12: {"eta": 3, "max_depth": 2, "min_child_weight": 2},
    30: {"eta": 5, "max_depth": 3, "min_child_weight": 2},
}
N_FOLDS = 3
#: budget -> start-up points (uniform draws) before the GP proposes (the rest is BO's)
N_INITIAL = {12: 5, 30: 8}
#: completed candidates before the pruner may stop one
N_STARTUP = 3


@dataclasses.dataclass
class TuningResult:
    """What :func:`run_tuning` found.

    ``model``: ``"xgboost"`` or ``"sklearn"``; ``results``: ``{method: pyjl.bo.Result}``
    for ``"bayesian"``, ``"random"``, ``"grid"``; ``table``: one row per method
    (``method, n_evals, n_complete, n_pruned, folds_skipped, rounds_saved,
    best_cv_logloss, evals_to_best, test_accuracy, test_logloss, best_params``;
    ``rounds_saved``: the boosting rounds of the folds pruning skipped); ``figures``:
    ``{name: Path}`` of the PNG files written (a later step may add to it).
    """

    model: str
    budget: int
    n_initial: int
    results: dict[str, Result]
    table: list[dict]
    figures: dict[str, Path]
    seconds: float


def load_data(seed: int = 0):
    """The breast-cancer data set split 75/25 (stratified).

    Parameters
    ----------
    seed : int
        Seed of the split.

    Returns
    -------
    X_train, X_test, y_train, y_test : numpy.ndarray
        ``(n, 30)`` float features and 0/1 labels.

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = load_data()
    >>> X_train.shape, X_test.shape
    ((426, 30), (143, 30))
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


def make_objective(X, y, model: str = "sklearn", seed: int = 0) -> Callable[[dict], float]:
    """``params -> mean 3-fold stratified CV log loss`` of :func:`make_model` on ``(X, y)``.

    Parameters
    ----------
    X, y : numpy.ndarray
        Training features ``(n, d)`` and labels ``(n,)``.
    model : {"xgboost", "sklearn"}
    seed : int
        Seeds the folds and the model, so equal parameters give equal values.

    Returns
    -------
    callable
        ``f(params: dict) -> float``, to minimise.

    Examples
    --------
    >>> X_train, _, y_train, _ = load_data()
    >>> f = make_objective(X_train, y_train)
    >>> 0.0 < f(DEFAULTS) < 0.69
    True
    """
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(N_FOLDS, shuffle=True, random_state=seed).split(X, y))

    def objective(params: dict) -> float:
        losses = []
        with one_thread(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for train, valid in folds:
                clf = make_model(params, model, seed).fit(X[train], y[train])
                losses.append(log_loss(y[valid], clf.predict_proba(X[valid])[:, 1], labels=[0, 1]))
        return float(np.mean(losses))

    return objective


def grid_space(budget: int) -> Space:
    """A grid of exactly ``budget`` points as a space of :class:`pyjl.bo.Categorical` axes.

    The axes of :data:`GRID_COUNTS` get evenly spaced values over their range (log-spaced
    for a log axis); the rest stay at XGBoost's defaults (:data:`DEFAULTS`).

    Parameters
    ----------
    budget : int
        A key of :data:`GRID_COUNTS` (12 or 30).

    Returns
    -------
    pyjl.bo.Space

    Examples
    --------
    >>> s = grid_space(12)
    >>> s.dimensions["eta"].choices
    [0.001, 0.02236, 0.5]
    """
    counts = GRID_COUNTS[budget]
    axes = {}
    for name, dim in SPACE.items():
        k = counts.get(name)
        if k is None:
            values = [DEFAULTS[name]]
        elif isinstance(dim, Integer):
            values = sorted({int(round(v)) for v in np.linspace(dim.lo, dim.hi, k)})
        elif dim.log:
            values = [float(f"{v:.4g}") for v in np.geomspace(dim.lo, dim.hi, k)]
        else:
            values = [float(f"{v:.4g}") for v in np.linspace(dim.lo, dim.hi, k)]
        axes[name] = Categorical(values)
    return Space(axes)


def first_reach(result: Result) -> int:
    """1-based number of the evaluation that first reached the study's best value.

    Parameters
    ----------
    result : pyjl.bo.Result
        A finished study (its ``history``, in trial order).

    Returns
    -------
    int

    Examples
    --------
    >>> from pyjl.bo import Space, Real, random_search
    >>> res = random_search(lambda p: p["x"] ** 2, Space({"x": Real(-1, 1)}), n_calls=5,
    ...                     progress=False, seed=0)
    >>> 1 <= first_reach(res) <= 5
    True
    """
    h = result.history.sort_values("number").reset_index(drop=True)
    values = h["value"].where(h["state"] == "complete").to_numpy(dtype=float)
    return int(np.flatnonzero(values == np.nanmin(values))[0]) + 1


def _bayes_search(X, y, budget: int, model: str, seed: int) -> Result:
    """:class:`~pyjl.bo.BayesSearchCV` with pruning across the folds, as a Result."""
    from sklearn.model_selection import StratifiedKFold

    from .estimator import BoostingClassifier

    search = BayesSearchCV(
        BoostingClassifier(model=model, seed=seed),
        SPACE,
        n_iter=budget,
        cv=StratifiedKFold(N_FOLDS, shuffle=True, random_state=seed),
        scoring="neg_log_loss",
        refit=False,
        random_state=seed,
        pruner=MedianPruner(n_startup_trials=N_STARTUP),
        optimizer_kwargs={"n_initial": N_INITIAL[budget]},
    ).fit(X, y)
    opt = search.study_
    params, value = opt.best
    failed = sum(t.state == TrialState.FAILED for t in opt.trials)
    return Result(
        params, value, history_frame(opt.trials, opt.space, opt.direction), failed, optimizer=opt
    )


def _pruning(res: Result) -> tuple[int, int]:
    """``(pruned candidates, folds they skipped)``: a pruned one reported once per fold."""
    opt = res.optimizer
    if opt is None:
        return 0, 0
    curves = opt.intermediate_values()
    pruned = [t.number for t in opt.trials if t.state == TrialState.PRUNED]
    return len(pruned), sum(N_FOLDS - len(curves.get(n, {})) for n in pruned)


def _holdout(params: dict, model: str, seed: int, data) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, log_loss

    X_train, X_test, y_train, y_test = data
    with one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        clf = make_model(params, model, seed).fit(X_train, y_train)
        proba = clf.predict_proba(X_test)[:, 1]
    return float(accuracy_score(y_test, proba > 0.5)), float(
        log_loss(y_test, proba, labels=[0, 1])
    )


def run_tuning(
    out_dir, quick: bool = False, model: str = "auto", seed: int = 0, progress: bool = True
) -> TuningResult:
    """Tune the boosting model by Bayesian optimisation, random search and grid search.

    Each method gets the same budget (12 candidates with ``quick``, else 30; the
    Bayesian optimisation, a pruned :class:`~pyjl.bo.BayesSearchCV`, starts with
    :data:`N_INITIAL` uniform points); writes
    ``tuning_convergence.png`` (best CV log loss so far against evaluations),
    ``tuning_posterior_eta.png`` (the BO surrogate along ``eta``) and
    ``tuning_history.csv`` (every trial of every method) into ``out_dir``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        An existing directory.
    quick : bool
        Smaller budget.
    model : {"auto", "xgboost", "sklearn"}
        See :func:`resolve_model`.
    seed : int
        Seeds the split, folds, models and the three searches.
    progress : bool
        A tqdm bar per study.

    Returns
    -------
    TuningResult

    Examples
    --------
    >>> import tempfile
    >>> r = run_tuning(tempfile.mkdtemp(), quick=True, progress=False)  # doctest: +SKIP
    >>> [row["n_evals"] for row in r.table]                              # doctest: +SKIP
    [12, 12, 12]
    """
    import time

    t0 = time.perf_counter()
    model = resolve_model(model)
    budget = 12 if quick else 30
    n_initial = N_INITIAL[budget]
    data = load_data(seed)
    objective = make_objective(data[0], data[2], model, seed)
    space = Space(SPACE)
    results = {
        "bayesian": _bayes_search(data[0], data[2], budget, model, seed),
        "random": random_search(
            objective, space, n_calls=budget, study="random", progress=progress, seed=seed
        ),
        "grid": grid_search(
            objective, grid_space(budget), n_calls=budget, study="grid", progress=progress
        ),
    }
    table = []
    for method, res in results.items():
        best = res.best_params
        nan = float("nan")
        acc, ll = (nan, nan) if best is None else _holdout(best, model, seed, data)
        complete = int((res.history["state"] == "complete").sum())
        n_pruned, skipped = _pruning(res)
        table.append(
            {
                "method": method,
                "n_evals": len(res.history),
                "n_complete": complete,
                "n_pruned": n_pruned,
                "folds_skipped": skipped,
                "rounds_saved": skipped * N_ESTIMATORS,
                "best_cv_logloss": nan if res.best_value is None else float(res.best_value),
                "evals_to_best": first_reach(res),
                "test_accuracy": acc,
                "test_logloss": ll,
                "best_params": dict(best or {}),
            }
        )
    figures = write_outputs(results, model, budget, Path(out_dir))
    return TuningResult(
        model, budget, n_initial, results, table, figures, time.perf_counter() - t0
    )
