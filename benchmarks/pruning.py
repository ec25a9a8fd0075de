"""Pruning: tuning XGBoost on ``load_digits`` by BO with ASHA against BO without pruning.

Each trial cross-validates an ``XGBClassifier``-equivalent booster (``xgboost.cv``,
10 classes, up to 500 rounds with early stopping after 20 rounds without progress)
and reports the mean validation log loss over the folds after every round
(:class:`pyjl.bo.integrations.xgboost.XGBoostPruningCallback`); the study minimises
the best mean log loss.  The same BO (same seed, so the same initial points) runs
with ``SuccessiveHalvingPruner(min_resource=40, reduction_factor=3)`` and without a
pruner; the pruned study also runs with twice the trials, since a pruned trial costs a
fraction of a full one.  Per arm: the median over the seeds of the best CV log loss and
of the total boosting rounds (rounds of one cross-validation, summed over the trials),
and the median wall time.

``python -m benchmarks --only pruning [--quick]`` or ``python -m benchmarks.pruning``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

#: ASHA's first rung (rounds): at 10 rounds a small learning rate has barely started, and
#: ASHA (short-horizon bias) prunes the slow starters that end best; 40 measured better
MIN_RESOURCE = 40

SPACE_SPEC = {
    "eta": ("real", 0.01, 0.5, True),
    "max_depth": ("int", 2, 8, False),
    "min_child_weight": ("real", 0.5, 20.0, True),
    "subsample": ("real", 0.5, 1.0, False),
    "colsample_bytree": ("real", 0.3, 1.0, False),
}


def _space():
    from pyjl.bo import Integer, Real, Space

    dims = {}
    for name, (kind, lo, hi, log) in SPACE_SPEC.items():
        dims[name] = Real(lo, hi, log=log) if kind == "real" else Integer(lo, hi)
    return Space(dims)


def _objective(data, max_rounds: int, nfold: int):
    import xgboost as xgb

    from pyjl.bo.integrations.xgboost import XGBoostPruningCallback

    def objective(params, trial):
        booster = {
            "objective": "multi:softprob",
            "num_class": 10,
            "eval_metric": "mlogloss",
            "tree_method": "hist",
            "nthread": 1,
            **params,
        }
        frame = xgb.cv(
            booster,
            data,
            num_boost_round=max_rounds,
            nfold=nfold,
            early_stopping_rounds=20,
            seed=0,
            callbacks=[XGBoostPruningCallback(trial, "test-mlogloss")],
        )
        return float(frame["test-mlogloss-mean"].min())

    return objective


def _arm(objective, n_calls: int, seed: int, pruner) -> dict:
    from pyjl.bo import TrialState, minimize

    t0 = time.perf_counter()
    res = minimize(objective, _space(), n_calls=n_calls, seed=seed, pruner=pruner, progress=False)
    wall = time.perf_counter() - t0
    opt = res.optimizer
    curves = opt.intermediate_values()
    rounds = sum(len(curves.get(t.number, {})) for t in opt.trials)
    n_pruned = sum(t.state == TrialState.PRUNED for t in opt.trials)
    return {"best": res.best_value, "rounds": rounds, "wall": wall, "pruned": n_pruned}


def run(quick: bool = False, seeds: int = 5) -> list[dict]:
    """The benchmark rows; ``quick``: 12 trials (ASHA: also 24) of 3-fold CV per study,
    else 30 (60) of 5-fold."""
    import xgboost as xgb
    from sklearn.datasets import load_digits

    from pyjl.bo import SuccessiveHalvingPruner

    X, y = load_digits(return_X_y=True)
    data = xgb.DMatrix(X, label=y)
    n_calls, nfold, max_rounds = (12, 3, 500) if quick else (30, 5, 500)
    objective = _objective(data, max_rounds, nfold)
    arms: dict[str, list[dict]] = {"asha": [], "asha2": [], "plain": []}
    for seed in range(seeds):
        for arm, calls, pruner in (
            ("asha", n_calls, SuccessiveHalvingPruner(MIN_RESOURCE, reduction_factor=3)),
            ("asha2", 2 * n_calls, SuccessiveHalvingPruner(MIN_RESOURCE, reduction_factor=3)),
            ("plain", n_calls, None),
        ):
            arms[arm].append(_arm(objective, calls, seed, pruner))
        print(f"seed {seed}: { ({k: v[-1] for k, v in arms.items()}) }", file=sys.stderr)

    def med(arm, key):
        return float(np.median([r[key] for r in arms[arm]]))

    rows = []
    for arm, calls in (("asha", n_calls), ("asha2", 2 * n_calls)):
        rows.append(
            {
                "benchmark": f"BO+ASHA ({calls} trials) vs BO ({n_calls}), XGBoost load_digits",
                "size": f"{nfold}-fold CV, <= {max_rounds} rounds, {seeds} seeds",
                "pyjl_s": med(arm, "wall"),
                "peer": "BO, no pruning",
                "peer_s": med("plain", "wall"),
                "ratio": med("plain", "wall") / med(arm, "wall"),
                "note": (
                    f"median best CV log loss {med(arm, 'best'):.4f} vs "
                    f"{med('plain', 'best'):.4f}; median total rounds {med(arm, 'rounds'):.0f} "
                    f"vs {med('plain', 'rounds'):.0f} "
                    f"({med('plain', 'rounds') / med(arm, 'rounds'):.1f}x fewer); "
                    f"median pruned {med(arm, 'pruned'):.0f} of {calls}"
                ),
            }
        )
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import table

    print(table(run(quick="--quick" in sys.argv)))
