"""pyjl's pruners against Optuna's on the same learning curves: the same prune/continue
decision at every (trial, step).

Each curve is fed step by step to an in-memory Optuna study (``study.ask()``,
``trial.report``, ``trial.should_prune()``) and to a pyjl study (``Optimizer.report``,
``Optimizer.should_prune``); a trial either pruner stops is told pruned to both, the
others complete with their last value.  Both minimise, or both maximise scores (the
curves mapped through ``exp(-loss)``, so they rise) with ``direction="maximize"``.
"""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.bo import (
    HyperbandPruner,
    MedianPruner,
    Optimizer,
    PercentilePruner,
    Real,
    Space,
    SuccessiveHalvingPruner,
)

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)


def _curves(rng, n_trials: int, n_steps: int) -> np.ndarray:
    """Decreasing noisy learning curves with different floors and speeds."""
    floor = rng.uniform(0.1, 1.0, (n_trials, 1))
    speed = rng.uniform(0.03, 0.4, (n_trials, 1))
    start = rng.uniform(1.0, 3.0, (n_trials, 1))
    t = np.arange(n_steps)[None, :]
    return floor + start * np.exp(-speed * t) + 0.02 * rng.standard_normal((n_trials, n_steps))


def _decisions(
    curves: np.ndarray,
    ours,
    theirs,
    n_parallel: int = 1,
    every: int = 1,
    direction: str = "minimize",
    storages: tuple = (None, None),
    on_prune: str = "stop",
    asks=None,
):
    """Feed ``curves`` to both; the decisions ``[(trial, step, pyjl, optuna)]``.

    ``n_parallel`` trials run at once, each step of each in turn (round robin), as
    several workers on one study would; ``every``: a report every that many steps;
    ``storages``: pyjl's and Optuna's storage URLs of a study named ``"s"``, created or
    resumed (default: in memory); ``on_prune``: a trial told to prune (by either) stops
    (``"stop"``), or goes on and completes (``"continue"``), or goes on and fails
    (``"fail"``), as an objective that does not follow the advice; ``asks[row, step]``
    False: that report is not followed by ``should_prune`` (default: every one is)."""
    # one name (Hyperband puts a trial in a bracket by its study's name and its number)
    named = {"study_name": "s", "load_if_exists": True} if storages[1] else {"study_name": "s"}
    study = optuna.create_study(direction=direction, pruner=theirs, storage=storages[1], **named)
    opt = Optimizer(
        Space({"x": Real(0.0, 1.0)}),
        sampler="random",
        seed=0,
        pruner=ours,
        direction=direction,
        storage=storages[0],
        study="s",
    )
    out = []
    waiting = list(range(len(curves)))
    running: list[list] = []  # [row, pyjl number, optuna trial, next step]
    while waiting or running:
        while waiting and len(running) < n_parallel:
            [(number, _)] = opt.ask_trials(1)
            running.append([waiting.pop(0), number, study.ask(), 0])
        for entry in list(running):
            row, number, trial, step = entry[:4]
            value = float(curves[row, step])
            opt.report(number, step, value)
            trial.report(value, step)
            if asks is None or asks[row, step]:
                mine, optunas = opt.should_prune(number), trial.should_prune()
                out.append((row, step, mine, optunas))
            else:
                mine = optunas = False
            told = len(entry) > 4 or mine or optunas
            if (mine or optunas) and on_prune == "stop":
                opt.tell_pruned(number)
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                running.remove(entry)
            elif step + every >= curves.shape[1]:
                if told and on_prune == "fail":
                    opt.fail_trial(number, "advised to stop, went on and failed")
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                else:
                    opt.tell_trial(number, value)
                    study.tell(trial, value)
                running.remove(entry)
            else:
                entry[3] = step + every
                if told and len(entry) == 4:
                    entry.append(True)
    return out


def _check(out):
    differ = [(r, s, a, b) for r, s, a, b in out if a != b]
    assert not differ, f"{len(differ)} of {len(out)} decisions differ, first {differ[:5]}"
    n_pruned = sum(a for _, _, a, _ in out)
    assert n_pruned > 0  # the curves do exercise pruning


MEDIAN = [
    {},
    {"n_startup_trials": 3, "n_warmup_steps": 5, "interval_steps": 3},
    {"n_startup_trials": 2, "n_warmup_steps": 2, "interval_steps": 1, "n_min_trials": 4},
]


@pytest.mark.parametrize("kwargs", MEDIAN)
@pytest.mark.parametrize("n_parallel", [1, 3])
def test_median_pruner_matches_optuna(rng, kwargs, n_parallel):
    curves = _curves(rng, 25, 30)
    out = _decisions(
        curves, MedianPruner(**kwargs), optuna.pruners.MedianPruner(**kwargs), n_parallel
    )
    _check(out)


def test_percentile_pruner_matches_optuna(rng):
    curves = _curves(rng, 20, 25)
    kwargs = {"n_startup_trials": 3, "n_warmup_steps": 1, "interval_steps": 2}
    out = _decisions(
        curves,
        PercentilePruner(30.0, **kwargs),
        optuna.pruners.PercentilePruner(30.0, **kwargs),
    )
    _check(out)


ASHA = [
    {},
    {"min_resource": 1, "reduction_factor": 2},
    {"min_resource": 2, "reduction_factor": 3, "min_early_stopping_rate": 1},
    {"min_resource": 1, "reduction_factor": 2, "bootstrap_count": 2},
]


@pytest.mark.parametrize("kwargs", ASHA)
@pytest.mark.parametrize("n_parallel", [1, 4])
def test_successive_halving_matches_optuna(rng, kwargs, n_parallel):
    curves = _curves(rng, 30, 40)
    out = _decisions(
        curves,
        SuccessiveHalvingPruner(**kwargs),
        optuna.pruners.SuccessiveHalvingPruner(**kwargs),
        n_parallel,
    )
    _check(out)


@pytest.mark.parametrize("kwargs", ASHA[1:])
@pytest.mark.parametrize("n_parallel", [1, 4])
def test_successive_halving_with_reports_past_several_rungs_matches_optuna(
    rng, kwargs, n_parallel
):
    # a report every 7 steps passes several rungs at once (1, 2, 4 at step 7): a trial
    # pruned at the lowest has no value at the others, in Optuna and here
    out = _decisions(
        _curves(rng, 30, 60),
        SuccessiveHalvingPruner(**kwargs),
        optuna.pruners.SuccessiveHalvingPruner(**kwargs),
        n_parallel,
        every=7,
    )
    _check(out)


@pytest.mark.parametrize("on_prune", ["continue", "fail"])
@pytest.mark.parametrize("every", [1, 7])
@pytest.mark.parametrize("n_parallel", [1, 4])
def test_successive_halving_when_the_advice_is_not_followed(rng, on_prune, every, n_parallel):
    # a trial told to prune that goes on has recorded rung values only up to that rung (a
    # report past several records the lower ones only), records the next ones when it
    # asks again, and keeps them whether it ends failed or complete, as in Optuna
    kw = {"min_resource": 1, "reduction_factor": 2}
    out = _decisions(
        _curves(rng, 25, 40),
        SuccessiveHalvingPruner(**kw),
        optuna.pruners.SuccessiveHalvingPruner(**kw),
        n_parallel,
        every=every,
        on_prune=on_prune,
    )
    _check(out)


@pytest.mark.parametrize("share", [0.2, 0.5])
@pytest.mark.parametrize("n_parallel", [1, 4])
@pytest.mark.parametrize("kind", ["asha", "hyperband"])
def test_trials_that_ask_after_some_reports_only_get_optunas_decisions(
    rng, share, n_parallel, kind
):
    # Optuna records a rung value when a trial asks, at the value it has then: a trial
    # that reports without asking has no value at the rungs it passed, and one that first
    # asks past a rung records it then (both were read off the curves before)
    curves = _curves(rng, 30, 30)
    asks = rng.random(curves.shape) < share
    if kind == "asha":
        pair = (
            SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
            optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
        )
    else:
        pair = (
            HyperbandPruner(1, 27, reduction_factor=3),
            optuna.pruners.HyperbandPruner(1, 27, reduction_factor=3),
        )
    _check(_decisions(curves, *pair, n_parallel, asks=asks))


def test_successive_halving_never_records_a_nan():
    # report() refuses NaN; a mapping given to prune() may hold one: Optuna prunes its
    # trial without recording it, so the next trial is alone at the rung and goes on
    from pyjl.bo.trial import Trial

    asha = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    curves = {0: {0: 1.0, 1: float("nan")}, 1: {0: 1.0, 1: 0.5}}
    assert asha.prune([Trial(0, {}, "pending"), Trial(1, {}, "pending")], curves, 0)
    assert not asha.prune([Trial(0, {}, "pruned"), Trial(1, {}, "pending")], curves, 1)
    fresh = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)  # never asked for 0
    assert not fresh.prune([Trial(0, {}, "pruned"), Trial(1, {}, "pending")], curves, 1)


@pytest.mark.parametrize("n_parallel", [1, 3])
@pytest.mark.parametrize("kind", ["asha", "hyperband"])
def test_auto_resources_survive_a_resume_as_in_optuna(rng, tmp_path, kind, n_parallel):
    # "auto": the resource is fixed when the pruner is first asked after a trial completed;
    # a new pruner (a new process resuming the study) must not leave out the trials that
    # ended before it, whose rung values Optuna keeps in its storage
    def pair():
        if kind == "asha":
            return (
                SuccessiveHalvingPruner(reduction_factor=2),
                optuna.pruners.SuccessiveHalvingPruner(reduction_factor=2),
            )
        return HyperbandPruner(reduction_factor=2), optuna.pruners.HyperbandPruner(
            reduction_factor=2
        )

    curves = _curves(rng, 40, 30)
    urls = (f"sqlite:///{tmp_path / 'pyjl.db'}", f"sqlite:///{tmp_path / 'optuna.db'}")
    out = []
    for part in (curves[:15], curves[15:25], curves[25:]):  # three sessions
        out += _decisions(part, *pair(), n_parallel, storages=urls)
    _check(out)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (MedianPruner(n_startup_trials=3, n_warmup_steps=2), optuna.pruners.MedianPruner(3, 2)),
        (
            PercentilePruner(30.0, n_startup_trials=3, interval_steps=2),
            optuna.pruners.PercentilePruner(30.0, n_startup_trials=3, interval_steps=2),
        ),
        (
            SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
            optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
        ),
    ],
    ids=["median", "percentile", "asha"],
)
@pytest.mark.parametrize("n_parallel", [1, 3])
def test_maximised_scores_get_optunas_decisions(rng, ours, theirs, n_parallel):
    # Optuna's pruners read study.direction: a percentile of 30 keeps the top 30 % of the
    # scores there, ASHA the highest; pyjl decides on losses, minus the scores
    scores = np.exp(-_curves(rng, 25, 30))
    out = _decisions(scores, ours, theirs, n_parallel, direction="maximize")
    _check(out)


@pytest.mark.parametrize("percentile", [50.0, 30.0, 70.0])
def test_a_maximised_best_equal_to_the_percentile_is_decided_as_optuna_decides(percentile):
    # Optuna takes the (100 - p)th percentile of the scores; minus the p-th of minus the
    # scores is the same number but for NumPy's interpolation, which decides exact ties
    # (with 2.2 and 0.6 done, Optuna's median is 1.4000000000000001: a 1.4 is pruned)
    rng = np.random.default_rng(7)
    cases = [[2.2, 0.6]] + [
        list(np.round(rng.uniform(0, 3, rng.integers(2, 7)), 1)) for _ in range(60)
    ]
    for done in cases:
        tie = float(np.percentile(done, 100.0 - percentile))
        opt = Optimizer(
            Space({"x": Real(0.0, 1.0)}),
            sampler="random",
            seed=0,
            pruner=PercentilePruner(percentile, n_startup_trials=len(done)),
            direction="maximize",
        )
        study = optuna.create_study(
            direction="maximize",
            pruner=optuna.pruners.PercentilePruner(percentile, n_startup_trials=len(done)),
        )
        for v in done:
            [(n, _)] = opt.ask_trials(1)
            opt.report(n, 0, v)
            opt.tell_trial(n, v)
            t = study.ask()
            t.report(v, 0)
            study.tell(t, v)
        [(n, _)] = opt.ask_trials(1)
        opt.report(n, 0, tie)
        t = study.ask()
        t.report(tie, 0)
        assert opt.should_prune(n) == t.should_prune(), (done, tie)


@pytest.mark.parametrize(
    "make",
    [
        lambda: MedianPruner(n_startup_trials=-1),
        lambda: MedianPruner(interval_steps=0),
        lambda: MedianPruner(n_min_trials=0),
        lambda: PercentilePruner(101.0),
        lambda: SuccessiveHalvingPruner(min_resource=0),
        lambda: SuccessiveHalvingPruner(min_resource="half"),
        lambda: SuccessiveHalvingPruner(reduction_factor=1),
        lambda: SuccessiveHalvingPruner(min_early_stopping_rate=-1),
        lambda: SuccessiveHalvingPruner(bootstrap_count=1),  # with min_resource="auto"
    ],
)
def test_bad_arguments_are_input_errors_as_optuna_rejects_them(make):
    from pyjl.exceptions import InputError

    with pytest.raises(InputError):
        make()


@pytest.mark.parametrize("kind", ["asha", "hyperband"])
def test_a_trial_that_reported_before_auto_was_fixed_and_asks_after(kind):
    # the "auto" resource is fixed by trial 2's question; trial 1 had reported the same
    # step just before, and asks after: Optuna records its value then (and prunes it)
    if kind == "asha":
        ours, theirs = (
            SuccessiveHalvingPruner(reduction_factor=2),
            optuna.pruners.SuccessiveHalvingPruner(reduction_factor=2),
        )
    else:
        ours, theirs = (
            HyperbandPruner(min_resource=1, reduction_factor=2),
            optuna.pruners.HyperbandPruner(min_resource=1, reduction_factor=2),
        )
    opt = Optimizer(Space({"x": Real(0.0, 1.0)}), sampler="random", seed=0, pruner=ours, study="s")
    study = optuna.create_study(study_name="s", pruner=theirs)
    trials = {}
    for _ in range(3):
        [(n, _)] = opt.ask_trials(1)
        trials[n] = study.ask()

    def report(n, step, value):
        opt.report(n, step, value)
        trials[n].report(value, step)

    def ask(n):
        return opt.should_prune(n), trials[n].should_prune()

    decisions = []
    for step in range(3):
        for n in range(3):
            report(n, step, 1.0)
            decisions.append(ask(n))
    report(0, 3, 1.0)
    decisions.append(ask(0))
    opt.tell_trial(0, 1.0)
    study.tell(trials[0], 1.0)
    report(1, 3, 10.0)  # reported, not yet asked
    report(2, 3, 0.1)
    decisions += [ask(2), ask(1)]
    assert [a for a, _ in decisions] == [b for _, b in decisions]
    assert decisions[-1] == (True, True)
