"""Pruning: tuning XGBoost on ``load_digits`` by BO with ASHA against BO without pruning.

Each trial cross-validates an XGBoost booster (10 classes, up to 500 rounds, early stopping
after 20 without progress); the study minimises the best mean validation log loss.  BO
without pruning runs ``n_calls`` trials; BO with pruning (same seed, so the same initial
points) runs trials until it has spent a budget of boosting rounds.  Each study records
its best so far after every trial against the rounds spent; the table gives, per pair,
the pruned study's median (over seeds) best at half the unpruned study's median rounds,
and the fewest rounds at which that median reaches the unpruned study's median best
(``ratio``: the unpruned rounds over those).

* Rounds: ``xgboost.cv`` reporting the mean log loss every round
  (:class:`pyjl.bo.integrations.xgboost.XGBoostPruningCallback`), ASHA with
  ``min_resource=40, reduction_factor=3``, :data:`ROUND_BUDGET` rounds.
* Folds: each fold (``StratifiedKFold``, shuffled, seed 0) trained to its own early stop,
  the trial reporting the running mean of the folds' best log losses after ``k`` folds as
  step ``k``, so a slow learning rate is judged on finished folds; ASHA with
  ``min_resource=1, reduction_factor=3`` (rungs after 1 and 3 folds),
  :data:`FOLD_ROUND_BUDGET` rounds summed over folds; pruned trials ranked, or fitted as
  partial means (``pruned_as="mean"``).

``python -m benchmarks --only pruning [--quick]``, or ``python -m benchmarks.pruning
[--quick] [--jobs N] [--seeds N] [--arms a,b] [--save F.json] [--load F.json,G.json]
[--plot F.png]`` (seeds in N processes; the studies of :data:`ARMS`; results saved, or
loaded and merged instead of run; the median curves of the fold arms plotted; per-seed
figures on stderr).
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
#: the fold-pruned studies stop after this many boosting rounds summed over the folds (full,
#: quick): past half of the unpruned fold-wise study's (about 54,000 at full size), so that
#: their best-so-far curves show where they reach its best
FOLD_ROUND_BUDGET = {False: 32000, True: 8000}

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
    """Folds trained one by one to their own early stop; after ``k`` folds the trial reports
    step ``k`` (the resource spent, so ``min_resource=1`` puts ASHA's first rung after one
    fold); ``spent[number]``: the rounds a trial used, summed over its folds."""
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
            trial.report(k + 1, float(np.mean(bests)))
            if k < len(folds) - 1 and trial.should_prune():
                raise TrialPruned(f"pruned after fold {k}")
        return float(np.mean(bests))

    return objective


def _fold_arm(X, y, nfold, n_calls, seed, pruner, budget=None, pruned_as="rank") -> dict:
    """One study over folds: ``n_calls`` trials, or fewer once ``budget`` rounds are spent."""
    spent: dict[int, int] = {}
    return _study(
        _fold_objective(X, y, nfold, 500, spent),
        lambda opt, t: spent.get(t.number, 0),
        budget,
        n_calls=n_calls,
        seed=seed,
        pruner=pruner,
        pruned_as=pruned_as,
    )


def _arm(objective, n_calls: int, seed: int, pruner, budget: int | None = None) -> dict:
    """One study over rounds: ``n_calls`` trials, or fewer once ``budget`` rounds are spent."""

    def rounds(opt, t) -> int:  # a round reported per round run
        return len(opt.intermediate_values().get(t.number, ()))

    return _study(objective, rounds, budget, n_calls=n_calls, seed=seed, pruner=pruner)


def _study(objective, cost, budget, **kwargs) -> dict:
    """``minimize`` until ``budget`` rounds (``cost(opt, trial)`` each) are spent: the best
    value, rounds, wall time, trials, pruned trials, the best trial's ``eta`` and
    :func:`_curve`."""
    from pyjl.bo import TrialState, minimize

    def used(opt) -> int:
        return sum(cost(opt, t) for t in opt.trials)

    t0 = time.perf_counter()
    res = minimize(
        objective,
        _space(),
        progress=False,
        callback=lambda r: budget is not None and used(r.optimizer) >= budget,
        **kwargs,
    )
    opt = res.optimizer
    return {
        "best": res.best_value,
        "rounds": used(opt),
        "wall": time.perf_counter() - t0,
        "trials": len(opt.trials),
        "pruned": sum(t.state == TrialState.PRUNED for t in opt.trials),
        "eta": res.best_params["eta"],
        "curve": _curve(opt.trials, lambda t: cost(opt, t)),
    }


def _curve(trials, cost) -> list[tuple[int, float]]:
    """``[(rounds spent, best so far), ...]`` after each trial, in the order they ran (one
    worker: their numbers); the best so far is NaN until a trial completes."""
    from pyjl.bo import TrialState

    out, spent, best = [], 0, float("nan")
    for t in sorted(trials, key=lambda t: t.number):
        spent += cost(t)
        if t.state == TrialState.COMPLETE and not t.value >= best:
            best = float(t.value)
        out.append((spent, best))
    return out


def best_at(curve, budget: float) -> float:
    """The best value of the trials that had ended when ``budget`` rounds were spent (NaN if
    none had completed).

    >>> best_at([(100, float("nan")), (300, 0.5), (450, 0.4)], 400)
    0.5
    """
    reached = [best for spent, best in curve if spent <= budget]
    return reached[-1] if reached else float("nan")


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
    2,000 rounds; over folds 8,000), else 30 of 5-fold (5,300; 32,000).  ``jobs``: seeds
    run in that many processes at once (each booster is single-threaded; the figures are
    counts, not times, apart from the wall times).  ``arms``: the studies to run
    (:data:`ARMS`); a pair of the table needs both of its arms."""
    return rows(collect(quick, seeds, jobs, arms), quick)


def collect(quick: bool, seeds: int, jobs: int, arms: tuple[str, ...]) -> dict:
    """``{arm: [result of seed 0, seed 1, ...]}`` (:func:`_fold_arm`, :func:`_arm`)."""
    from concurrent.futures import ProcessPoolExecutor

    bad = [a for a in arms if a not in ARMS]
    if bad:
        raise SystemExit(f"unknown arm {bad[0]!r}; arms: {', '.join(ARMS)}")
    with ProcessPoolExecutor(max(1, jobs)) as pool:
        per_seed = list(pool.map(_seed, range(seeds), [quick] * seeds, [tuple(arms)] * seeds))
    return {k: [r[k] for r in per_seed] for k in per_seed[0]}


def reach(curves, target: float) -> float:
    """The fewest rounds after which the median over seeds of the best so far is at most
    ``target`` (``inf`` if it never is).

    >>> reach([[(10, 0.5), (20, 0.3)], [(15, 0.4), (30, 0.2)]], 0.35)
    20
    """
    for budget in sorted({spent for curve in curves for spent, _ in curve}):
        at = [best_at(curve, budget) for curve in curves]
        if np.median(np.nan_to_num(at, nan=np.inf)) <= target:
            return budget
    return float("inf")


def rows(results: dict, quick: bool) -> list[dict]:
    """The table: per pair of :data:`PAIRS`, the pruned study's median best so far at half
    the unpruned study's median rounds, and the rounds at which it reaches the unpruned
    study's median best (``ratio``: the unpruned study's rounds over those)."""
    n_calls, nfold, max_rounds = _size(quick)

    def med(arm, key):
        return float(np.median([r[key] for r in results[arm]]))

    def span(values, fmt="{:.4f}"):
        return f"{fmt.format(min(values))}..{fmt.format(max(values))}"

    def row(asha: str, plain: str, what: str) -> dict:
        target, spent = med(plain, "best"), med(plain, "rounds")
        curves = [r["curve"] for r in results[asha]]
        half = [best_at(c, spent / 2) for c in curves]
        needed = reach(curves, target)
        seeds = len(curves)
        return {
            "benchmark": (
                f"BO+ASHA over {what} vs BO ({n_calls} trials), XGBoost load_digits; "
                "ratio: boosting rounds to the same median best CV log loss"
            ),
            "size": f"{nfold}-fold CV, <= {max_rounds} rounds, {seeds} seeds",
            "pyjl_s": med(asha, "wall"),
            "peer": "BO, no pruning",
            "peer_s": med(plain, "wall"),
            "ratio": spent / needed,
            "note": (
                f"unpruned: median best {target:.4f} "
                f"({span([r['best'] for r in results[plain]])}) after {spent:.0f} rounds; "
                f"pruned, at {spent / 2:.0f} rounds: median best {np.median(half):.4f} "
                f"({span(half)}), reaches {target:.4f} at {needed:.0f} rounds "
                f"({spent / needed:.2f}x fewer); median trials by the end "
                f"{med(asha, 'trials'):.0f} ({med(asha, 'pruned'):.0f} pruned); eta of the "
                f"best trial {span([r['eta'] for r in results[asha]], '{:.2f}')} vs "
                f"{span([r['eta'] for r in results[plain]], '{:.2f}')}; seconds: median wall "
                "of the whole studies"
            ),
        }

    return [row(a, p, what) for a, p, what in PAIRS if a in results and p in results]


def plot(results: dict, path: str) -> None:
    """The median over seeds of the best CV log loss so far against the rounds spent, per
    arm of each fold pair, with the unpruned study's final median and half its rounds, into
    ``path`` (PNG)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 4.2))
    ax = fig.subplots()
    names = {
        "plain_folds": "BO, no pruning",
        "asha_folds": "BO + ASHA over folds, pruned ranked",
        "asha_folds_mean": "BO + ASHA over folds, pruned as partial means",
    }
    for arm, label in names.items():
        if arm not in results:
            continue
        curves = [r["curve"] for r in results[arm]]
        grid = np.linspace(0, max(c[-1][0] for c in curves), 400)
        med = [np.median(np.nan_to_num([best_at(c, b) for c in curves], nan=np.inf)) for b in grid]
        ax.step(grid, med, where="post", label=label)
    if "plain_folds" in results:
        plain = results["plain_folds"]
        final = np.median([r["best"] for r in plain])
        ax.axhline(final, ls=":", c="gray", label="no pruning: final median best")
        half = np.median([r["rounds"] for r in plain]) / 2
        ax.axvline(half, ls="--", c="gray", label="no pruning: half its median rounds")
    ax.set_title(f"XGBoost on load_digits, 5-fold CV, {len(curves)} seeds")
    ax.set_xlabel("boosting rounds spent (summed over folds)")
    ax.set_ylabel("best CV log loss so far, median over seeds")
    ax.set_ylim(0.068, 0.085)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _arg(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


if __name__ == "__main__":
    import json

    from benchmarks.__main__ import table

    quick = "--quick" in sys.argv
    if "--load" in sys.argv:
        results: dict = {}
        for name in _arg("--load", "").split(","):
            with open(name) as f:
                results.update(json.load(f))
    else:
        chosen = tuple(a for a in _arg("--arms", ",".join(ARMS)).split(",") if a)
        seeds, jobs = int(_arg("--seeds", "5")), int(_arg("--jobs", "1"))
        results = collect(quick, seeds, jobs, chosen)
    if "--save" in sys.argv:
        with open(_arg("--save", ""), "w") as f:
            json.dump(results, f)
    if "--plot" in sys.argv:
        plot(results, _arg("--plot", ""))
    found = rows(results, quick)
    print(table(found) if found else "no pair of the table among the arms run")
