"""Pruning: tuning XGBoost on ``load_digits`` by BO with ASHA against BO without pruning.

Each trial cross-validates an ``XGBClassifier``-equivalent booster (``xgboost.cv``,
10 classes, up to 500 rounds with early stopping after 20 rounds without progress)
and reports the mean validation log loss over the folds after every round
(:class:`pyjl.bo.integrations.xgboost.XGBoostPruningCallback`); the study minimises
the best mean log loss.  BO without pruning runs ``n_calls`` trials.  BO with
``SuccessiveHalvingPruner(min_resource=40, reduction_factor=3)`` (same seed, so the same
initial points) runs trials until it has spent :data:`ROUND_BUDGET` boosting rounds --
under half of what the unpruned study spends -- since the goal is the same best loss
for at most half the rounds, and a pruned trial costs a fraction of a full one.  Per
arm: the median and range over the seeds of the best CV log loss, of the total boosting
rounds (rounds of one cross-validation, summed over the trials) and of the learning
rate ``eta`` of the best trial, and the median wall time.

The second pair prunes over folds instead of rounds: each fold (scikit-learn's
``StratifiedKFold``, shuffled, seed 0) is trained to its own early stop and the trial
reports the running mean of the folds' best log losses after each, so a slow learning
rate is not judged before it has finished; BO without pruning and BO with
``SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)`` (rungs after 2 and 4
folds) under a budget of :data:`FOLD_ROUND_BUDGET` boosting rounds summed over folds.

The third pair is the second with the pruned trials fitted as partial means
(``pruned_as="mean"``) instead of ranked.

``python -m benchmarks --only pruning [--quick]`` or ``python -m benchmarks.pruning
[--quick] [--jobs N] [--seeds N] [--arms a,b]`` (seeds in N processes; ``--arms``: the
studies of :data:`ARMS` to run, e.g. ``asha_folds_mean``; the per-seed figures go to
stderr).
"""

from __future__ import annotations

import sys
import time

import numpy as np

#: ASHA's first rung (rounds): at 10 rounds a small learning rate has barely started, and
#: ASHA (short-horizon bias) prunes the slow starters that end best; 40 measured better
MIN_RESOURCE = 40
#: the pruned study's round budget (full, quick): under half of the unpruned study's
#: median (11,700 rounds at full size, 4,600 quick)
ROUND_BUDGET = {False: 5300, True: 2000}
#: the most trials the pruned study may run before its budget is spent
MAX_TRIALS = 150
#: the fold-pruned study's budget (full, quick), in boosting rounds summed over the folds:
#: under half of the unpruned fold-wise study's (about 54,000 at full size)
FOLD_ROUND_BUDGET = {False: 26000, True: 6000}

#: the booster settings every trial shares (one thread: the seeds run in processes)
BOOSTER = {
    "objective": "multi:softprob",
    "num_class": 10,
    "eval_metric": "mlogloss",
    "tree_method": "hist",
    "nthread": 1,
}

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
        booster = {**BOOSTER, **params}
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


def _fold_objective(X, y, nfold: int, max_rounds: int, spent: dict):
    """Folds trained one by one to their own early stop; ``spent[number]``: the rounds a
    trial used, summed over its folds."""
    import xgboost as xgb
    from sklearn.model_selection import StratifiedKFold

    from pyjl.bo import TrialPruned

    folds = [
        (xgb.DMatrix(X[tr], label=y[tr]), xgb.DMatrix(X[te], label=y[te]))
        for tr, te in StratifiedKFold(nfold, shuffle=True, random_state=0).split(X, y)
    ]

    def objective(params, trial):
        booster = {**BOOSTER, **params}
        bests, used = [], 0
        for k, (train, valid) in enumerate(folds):
            b = xgb.train(
                booster,
                train,
                max_rounds,
                evals=[(valid, "valid")],
                early_stopping_rounds=20,
                verbose_eval=False,
            )
            bests.append(float(b.best_score))
            used += b.num_boosted_rounds()
            spent[trial.number] = used
            trial.report(k, float(np.mean(bests)))
            if k < len(folds) - 1 and trial.should_prune():
                raise TrialPruned(f"pruned after fold {k}")
        return float(np.mean(bests))

    return objective


def _fold_arm(X, y, nfold, n_calls, seed, pruner, budget=None, pruned_as="rank") -> dict:
    from pyjl.bo import TrialState, minimize

    spent: dict[int, int] = {}
    t0 = time.perf_counter()
    res = minimize(
        _fold_objective(X, y, nfold, 500, spent),
        _space(),
        n_calls=n_calls,
        seed=seed,
        pruner=pruner,
        progress=False,
        callback=lambda r: budget is not None and sum(spent.values()) >= budget,
        pruned_as=pruned_as,
    )
    opt = res.optimizer
    return {
        "best": res.best_value,
        "rounds": sum(spent.values()),
        "wall": time.perf_counter() - t0,
        "trials": len(opt.trials),
        "pruned": sum(t.state == TrialState.PRUNED for t in opt.trials),
        "eta": res.best_params["eta"],
    }


def _rounds(opt) -> int:
    return sum(len(c) for c in opt.intermediate_values().values())


def _arm(objective, n_calls: int, seed: int, pruner, budget: int | None = None) -> dict:
    """One study: ``n_calls`` trials, or fewer once ``budget`` rounds are spent."""
    from pyjl.bo import TrialState, minimize

    def spent(res) -> bool:
        return budget is not None and _rounds(res.optimizer) >= budget

    t0 = time.perf_counter()
    res = minimize(
        objective,
        _space(),
        n_calls=n_calls,
        seed=seed,
        pruner=pruner,
        progress=False,
        callback=spent,
    )
    wall = time.perf_counter() - t0
    opt = res.optimizer
    return {
        "best": res.best_value,
        "rounds": _rounds(opt),
        "wall": wall,
        "trials": len(opt.trials),
        "pruned": sum(t.state == TrialState.PRUNED for t in opt.trials),
        "eta": res.best_params["eta"],
    }


#: the studies of one seed, by name; the fold-wise pruned one twice: pruned trials ranked
#: (the default) or fitted as partial means (``Optimizer(pruned_as="mean")``)
ARMS = ("plain", "asha", "plain_folds", "asha_folds", "asha_folds_mean")
#: the pairs of the table: (pruned arm, unpruned arm, what is pruned)
PAIRS = (("asha", "plain", "rounds"), ("asha_folds", "plain_folds", "folds"))
PAIRS += (("asha_folds_mean", "plain_folds", "folds, pruned as means"),)


def _seed(seed: int, quick: bool, arms: tuple[str, ...] = ARMS) -> dict[str, dict]:
    """The studies ``arms`` of one seed."""
    import xgboost as xgb
    from sklearn.datasets import load_digits

    from pyjl.bo import SuccessiveHalvingPruner

    X, y = load_digits(return_X_y=True)
    n_calls, nfold, max_rounds = _size(quick)
    objective = _objective(xgb.DMatrix(X, label=y), max_rounds, nfold)
    fold_pruner = SuccessiveHalvingPruner(1, reduction_factor=3)
    studies = {
        "plain": lambda: _arm(objective, n_calls, seed, None),
        "asha": lambda: _arm(
            objective,
            MAX_TRIALS,
            seed,
            SuccessiveHalvingPruner(MIN_RESOURCE, reduction_factor=3),
            ROUND_BUDGET[quick],
        ),
        "plain_folds": lambda: _fold_arm(X, y, nfold, n_calls, seed, None),
        "asha_folds": lambda: _fold_arm(
            X, y, nfold, MAX_TRIALS, seed, fold_pruner, FOLD_ROUND_BUDGET[quick]
        ),
        "asha_folds_mean": lambda: _fold_arm(
            X, y, nfold, MAX_TRIALS, seed, fold_pruner, FOLD_ROUND_BUDGET[quick], "mean"
        ),
    }
    rows = {arm: studies[arm]() for arm in arms}
    print(f"seed {seed}: {rows}", file=sys.stderr, flush=True)
    return rows


def _size(quick: bool) -> tuple[int, int, int]:
    """``(n_calls, nfold, max_rounds)``."""
    return (12, 3, 500) if quick else (30, 5, 500)


def run(
    quick: bool = False, seeds: int = 5, jobs: int = 1, arms: tuple[str, ...] = ARMS
) -> list[dict]:
    """The benchmark rows; ``quick``: 12 unpruned trials of 3-fold CV per study (ASHA:
    2,000 rounds; over folds 6,000), else 30 of 5-fold (5,300; 26,000).  ``jobs``: seeds
    run in that many processes at once (each booster is single-threaded; the figures are
    counts, not times, apart from the wall times).  ``arms``: the studies to run
    (:data:`ARMS`); a pair of the table needs both of its arms."""
    from concurrent.futures import ProcessPoolExecutor

    bad = [a for a in arms if a not in ARMS]
    if bad:
        raise SystemExit(f"unknown arm {bad[0]!r}; arms: {', '.join(ARMS)}")
    n_calls, nfold, max_rounds = _size(quick)
    with ProcessPoolExecutor(max(1, jobs)) as pool:
        per_seed = list(pool.map(_seed, range(seeds), [quick] * seeds, [tuple(arms)] * seeds))
    results = {k: [rows[k] for rows in per_seed] for k in per_seed[0]}

    def med(arm, key):
        return float(np.median([r[key] for r in results[arm]]))

    def span(arm, key, fmt):
        values = [r[key] for r in results[arm]]
        return f"{fmt.format(min(values))}..{fmt.format(max(values))}"

    def budget(arm: str) -> int:
        return (ROUND_BUDGET if arm == "asha" else FOLD_ROUND_BUDGET)[quick]

    def row(asha: str, plain: str, what: str) -> dict:
        ratio = med(plain, "rounds") / med(asha, "rounds")
        per_seed_best = " ".join(f"{r['best']:.4f}" for r in results[asha])
        return {
            "benchmark": (
                f"BO+ASHA over {what} ({budget(asha)} rounds) vs BO ({n_calls} trials), "
                "XGBoost load_digits"
            ),
            "size": f"{nfold}-fold CV, <= {max_rounds} rounds, {seeds} seeds",
            "pyjl_s": med(asha, "wall"),
            "peer": "BO, no pruning",
            "peer_s": med(plain, "wall"),
            "ratio": med(plain, "wall") / med(asha, "wall"),
            "note": (
                f"median best CV log loss {med(asha, 'best'):.4f} "
                f"({span(asha, 'best', '{:.4f}')}) vs {med(plain, 'best'):.4f} "
                f"({span(plain, 'best', '{:.4f}')}); median total rounds "
                f"{med(asha, 'rounds'):.0f} vs {med(plain, 'rounds'):.0f} "
                f"({ratio:.1f}x fewer); median trials {med(asha, 'trials'):.0f} "
                f"({med(asha, 'pruned'):.0f} pruned) vs {n_calls}; eta of the best trial "
                f"{span(asha, 'eta', '{:.2f}')} vs {span(plain, 'eta', '{:.2f}')}; "
                f"best per seed {per_seed_best}"
            ),
        }

    return [row(a, p, what) for a, p, what in PAIRS if a in results and p in results]


def _arg(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


if __name__ == "__main__":
    from benchmarks.__main__ import table

    chosen = tuple(a for a in _arg("--arms", ",".join(ARMS)).split(",") if a)
    rows = run(
        quick="--quick" in sys.argv,
        seeds=int(_arg("--seeds", "5")),
        jobs=int(_arg("--jobs", "1")),
        arms=chosen,
    )
    print(table(rows) if rows else "no pair of the table among the arms run")
