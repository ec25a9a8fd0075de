"""ThresholdPruner, PatientPruner, HyperbandPruner and WilcoxonPruner against Optuna's on the
same learning curves: the same prune/continue decision at every (trial, step).

As in ``test_pruners_vs_optuna.py``, each curve is fed step by step to an in-memory Optuna
study and to a pyjl study (``Optimizer.report`` / ``should_prune``: the pruner reads through
the storage, ``prune_stored``); a trial either stops is told pruned to both, the others
complete.  The Optuna study has the pyjl study's name, so Hyperband puts each trial in the
same bracket.  ``workers=2`` runs the pyjl side as two optimisers on one SQLite file, each
with its own copy of the pruner (as two processes would), taking turns to ask.
"""

from __future__ import annotations

import copy
import math
from types import SimpleNamespace

import numpy as np
import pytest

from pyjl.bo import (
    HyperbandPruner,
    MedianPruner,
    Optimizer,
    PatientPruner,
    Pruner,
    Real,
    Space,
    SuccessiveHalvingPruner,
    ThresholdPruner,
    WilcoxonPruner,
)
from pyjl.bo.curves import MappingCurves, StoredCurves
from pyjl.bo.handle import report, should_prune
from pyjl.bo.storage import open_storage
from pyjl.bo.trial import Trial
from pyjl.exceptions import InputError

from .test_pruners_vs_optuna import _curves

SPACE_JSON = '{"x": {"type": "real", "low": 0, "high": 1, "log": false}}'

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)
pytestmark = [
    pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning"),
    # both WilcoxonPruners warn of steps the best trial lacks (and leave them out)
    pytest.mark.filterwarnings("ignore:WilcoxonPruner finds steps:UserWarning"),
    pytest.mark.filterwarnings("ignore:a trial reported steps the best trial:UserWarning"),
]


def _decisions(
    curves: np.ndarray,
    ours,
    theirs,
    n_parallel: int = 1,
    every: int = 1,
    direction: str = "minimize",
    steps=None,
    final=None,
    workers: int = 1,
    tmp_path=None,
):
    """Feed ``curves`` to both; the decisions ``[(trial, step, pyjl, optuna)]``.

    ``n_parallel`` trials run at once, a step of each in turn; ``every``: a report every
    that many steps, or ``steps[row]``: the steps row ``row`` reports; ``final(row,
    values)``: the value a completed trial is told (its last value by default)."""
    storage = None if workers == 1 else f"sqlite:///{tmp_path / 'study.db'}"
    opts = [
        Optimizer(
            Space({"x": Real(0.0, 1.0)}),
            sampler="random",
            seed=0,
            pruner=copy.deepcopy(ours),
            direction=direction,
            storage=storage,
        )
        for _ in range(workers)
    ]
    study = optuna.create_study(direction=direction, pruner=theirs, study_name=opts[0].study_name)
    opt = opts[0]
    out = []
    waiting = list(range(len(curves)))
    running: list[list] = []  # [row, pyjl number, optuna trial, index of the next step]
    while waiting or running:
        while waiting and len(running) < n_parallel:
            [(number, _)] = opt.ask_trials(1)
            running.append([waiting.pop(0), number, study.ask(), 0])
        for entry in list(running):
            row, number, trial, i = entry
            todo = range(0, curves.shape[1], every) if steps is None else steps[row]
            step = int(todo[i])
            value = float(curves[row, step])
            asking = opts[len(out) % workers]
            asking.report(number, step, value)
            trial.report(value, step)
            mine, optunas = asking.should_prune(number), trial.should_prune()
            out.append((row, step, mine, optunas))
            if mine or optunas:
                opt.tell_pruned(number)
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                running.remove(entry)
            elif i + 1 >= len(todo):
                done = value if final is None else final(row, [curves[row, s] for s in todo])
                opt.tell_trial(number, done)
                study.tell(trial, done)
                running.remove(entry)
            else:
                entry[3] = i + 1
    return out


def _check(out):
    differ = [(r, s, a, b) for r, s, a, b in out if a != b]
    assert not differ, f"{len(differ)} of {len(out)} decisions differ, first {differ[:5]}"
    n_pruned = sum(a for _, _, a, _ in out)
    n_trials = len({r for r, *_ in out})
    assert 0 < n_pruned < n_trials  # the curves exercise pruning, and not every trial goes


def _scores(curves, direction):
    """The curves as the study sees them: losses, or scores that rise (``exp(-loss)``)."""
    return curves if direction == "minimize" else np.exp(-curves)


# --- ThresholdPruner ---------------------------------------------------------------------

THRESHOLD = [
    ({"upper": 1.2, "n_warmup_steps": 6}, {"lower": math.exp(-1.2), "n_warmup_steps": 6}),
    (
        {"upper": 1.5, "n_warmup_steps": 4, "interval_steps": 3},
        {"lower": 0.25, "n_warmup_steps": 4, "interval_steps": 3},
    ),
    (
        {"lower": 0.2, "upper": 1.0, "n_warmup_steps": 8},
        {"lower": 0.35, "upper": 0.8, "n_warmup_steps": 8},
    ),
]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize("which", range(len(THRESHOLD)))
@pytest.mark.parametrize("n_parallel", [1, 3])
def test_threshold_pruner_matches_optuna(rng, direction, which, n_parallel):
    kwargs = THRESHOLD[which][direction == "maximize"]  # bounds on the study's own values
    scores = _scores(_curves(rng, 20, 25), direction)
    out = _decisions(
        scores,
        ThresholdPruner(**kwargs),
        optuna.pruners.ThresholdPruner(**kwargs),
        n_parallel,
        every=2,
        direction=direction,
    )
    _check(out)


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_threshold_pruner_prunes_nan_as_optuna(rng, direction):
    # pyjl's report refuses NaN; a pruner handed one (prune, or curves of one's own) prunes
    pruner = ThresholdPruner(lower=-10.0, upper=10.0, interval_steps=2)
    theirs = optuna.pruners.ThresholdPruner(lower=-10.0, upper=10.0, interval_steps=2)
    study = optuna.create_study(direction=direction, pruner=theirs)
    trial = study.ask()
    curve: dict[int, float] = {}
    got, want = [], []
    for step in range(12):
        value = math.nan if step in (3, 6, 9) else float(rng.normal())
        curve[step] = value
        trial.report(value, step)
        losses = {s: (v if direction == "minimize" else -v) for s, v in curve.items()}
        view = MappingCurves({0: losses}, direction=direction)
        got.append(pruner.prune_stored([Trial(0, {}, "pending")], view, 0))  # type: ignore[arg-type]
        want.append(trial.should_prune())
    assert got == want and any(got) and not all(got)
    if direction == "minimize":
        assert ThresholdPruner(upper=1.0).prune([Trial(0, {}, "pending")], {0: {0: math.nan}}, 0)


# --- PatientPruner -----------------------------------------------------------------------


class _AboveOne(Pruner):
    """A pruner of one's own (``prune`` only): the last value above 0.8."""

    def prune(self, trials, intermediate, number):
        curve = intermediate[number]
        return curve[max(curve)] > 0.8


class _AboveOneDuck:
    """The same, not derived from ``Pruner`` (no ``prune_stored``)."""

    def prune(self, trials, intermediate, number):
        curve = intermediate[number]
        return curve[max(curve)] > 0.8


PATIENT = [
    (lambda: None, lambda: None, {"patience": 2}),
    (lambda: None, lambda: None, {"patience": 4, "min_delta": 0.01}),
    (
        lambda: MedianPruner(n_startup_trials=3, n_warmup_steps=2),
        lambda: optuna.pruners.MedianPruner(3, 2),
        {"patience": 1},
    ),
    (
        lambda: MedianPruner(n_startup_trials=2),
        lambda: optuna.pruners.MedianPruner(2),
        {"patience": 0, "min_delta": 0.005},
    ),
    # Optuna's successive halving records rung values when asked: here at the steps where
    # patience ran out only (and so does pyjl's: it records when asked)
    (
        lambda: SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
        lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
        {"patience": 1},
    ),
    (
        lambda: SuccessiveHalvingPruner(),
        lambda: optuna.pruners.SuccessiveHalvingPruner(),
        {"patience": 2, "min_delta": 0.01},
    ),
    (
        lambda: HyperbandPruner(max_resource=30, reduction_factor=2),
        lambda: optuna.pruners.HyperbandPruner(max_resource=30, reduction_factor=2),
        {"patience": 1},
    ),
    (lambda: HyperbandPruner(), lambda: optuna.pruners.HyperbandPruner(), {"patience": 0}),
]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize("which", range(len(PATIENT)))
@pytest.mark.parametrize("n_parallel", [1, 3])
def test_patient_pruner_matches_optuna(rng, direction, which, n_parallel):
    ours, theirs, kwargs = PATIENT[which]
    curves = _curves(rng, 25, 30)
    if direction == "maximize":  # min_delta in score units: scores near 1 move less
        curves = np.exp(-curves)
    out = _decisions(
        curves,
        PatientPruner(ours(), **kwargs),
        optuna.pruners.PatientPruner(theirs(), **kwargs),
        n_parallel,
        direction=direction,
    )
    _check(out)


@pytest.mark.parametrize("wrapped", [_AboveOne, _AboveOneDuck])
@pytest.mark.parametrize("n_parallel", [1, 3])
def test_patient_pruner_wraps_a_pruner_of_ones_own(rng, wrapped, n_parallel):
    out = _decisions(
        _curves(rng, 20, 30),
        PatientPruner(wrapped(), patience=2),
        optuna.pruners.PatientPruner(optuna.pruners.ThresholdPruner(upper=0.8), patience=2),
        n_parallel,
    )
    _check(out)


# --- HyperbandPruner ---------------------------------------------------------------------

HYPERBAND = [
    {},
    {"min_resource": 1, "max_resource": 30, "reduction_factor": 2},
    {"min_resource": 2, "max_resource": 40, "reduction_factor": 3, "bootstrap_count": 1},
    {"min_resource": 1, "max_resource": "auto", "reduction_factor": 2},
]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize("kwargs", HYPERBAND)
@pytest.mark.parametrize("n_parallel", [1, 4])
def test_hyperband_matches_optuna(rng, direction, kwargs, n_parallel):
    scores = _scores(_curves(rng, 40, 40), direction)
    out = _decisions(
        scores,
        HyperbandPruner(**kwargs),
        optuna.pruners.HyperbandPruner(**kwargs),
        n_parallel,
        direction=direction,
    )
    _check(out)


@pytest.mark.parametrize("kwargs", HYPERBAND[1:])
@pytest.mark.parametrize("n_parallel", [1, 4])
def test_hyperband_with_reports_past_several_rungs_matches_optuna(rng, kwargs, n_parallel):
    out = _decisions(
        _curves(rng, 40, 50),
        HyperbandPruner(**kwargs),
        optuna.pruners.HyperbandPruner(**kwargs),
        n_parallel,
        every=5,
    )
    _check(out)


@pytest.mark.parametrize("name", ["default", "xgb-tuning", "étude 7"])
@pytest.mark.parametrize("kwargs", HYPERBAND[1:3])
def test_hyperband_brackets_are_optunas(name, kwargs):
    ours, theirs = HyperbandPruner(**kwargs), optuna.pruners.HyperbandPruner(**kwargs)
    study = SimpleNamespace(study_name=name)
    theirs._try_initialization(study)
    got = [ours.bracket(name, n) for n in range(200)]
    want = [theirs._get_bracket_id(study, SimpleNamespace(number=n)) for n in range(200)]
    assert got == want and ours.n_brackets == theirs._n_brackets
    assert set(got) == set(range(ours.n_brackets))


def test_hyperband_reads_the_stored_study_name(tmp_path):
    opt = Optimizer(
        Space({"x": Real(0.0, 1.0)}),
        storage=str(tmp_path / "s.db"),
        study="named",
        pruner=HyperbandPruner(max_resource=9),
    )
    curves = StoredCurves(opt.storage, opt._study_id)
    assert curves.study_name == "named"
    assert MappingCurves({}).study_name == "default"


# --- WilcoxonPruner ----------------------------------------------------------------------


def _instances(rng, n_trials: int, n_steps: int) -> np.ndarray:
    """Each trial's loss on each instance: the trial's quality + the instance's difficulty +
    noise (the steps are instances, as in Optuna's example)."""
    quality = rng.uniform(0.0, 0.6, (n_trials, 1))
    difficulty = rng.uniform(0.0, 2.0, (1, n_steps))
    return quality + difficulty + 0.15 * rng.standard_normal((n_trials, n_steps))


def _some_steps(rng, n_trials: int, n_steps: int) -> list[list[int]]:
    """A random subset of the instances per trial (so the trials share some steps only)."""
    return [sorted(rng.choice(n_steps, size=n_steps - 4, replace=False)) for _ in range(n_trials)]


WILCOXON = [
    {},
    {"p_threshold": 0.05, "n_startup_steps": 5},
    {"p_threshold": 0.3, "n_startup_steps": 0},
]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize("kwargs", WILCOXON)
@pytest.mark.parametrize("n_parallel", [1, 3])
def test_wilcoxon_pruner_matches_optuna(rng, direction, kwargs, n_parallel):
    values = _instances(rng, 20, 20)
    if direction == "maximize":
        values = -values
    out = _decisions(
        values,
        WilcoxonPruner(**kwargs),
        optuna.pruners.WilcoxonPruner(**kwargs),
        n_parallel,
        direction=direction,
        steps=_some_steps(rng, 20, 20),
        final=lambda row, seen: float(np.mean(seen)),
    )
    _check(out)


def test_wilcoxon_pruner_skips_non_finite_values_with_a_warning():
    trials = [Trial(0, {}, "complete", 1.0), Trial(1, {}, "pending")]
    curves = {0: {s: 1.0 for s in range(6)}, 1: {s: 5.0 for s in range(6)}}
    assert WilcoxonPruner().prune(trials, curves, 1)
    curves[1][3] = math.inf
    with pytest.warns(UserWarning, match="infinity or NaN"):
        assert not WilcoxonPruner().prune(trials, curves, 1)
    curves[1][3], curves[0][2] = 5.0, math.nan
    with pytest.warns(UserWarning, match="infinity or NaN"):
        assert not WilcoxonPruner().prune(trials, curves, 1)


def test_wilcoxon_pruner_warns_of_steps_the_best_lacks_as_optuna():
    # Optuna's WilcoxonPruner warns that it leaves such steps out; pyjl's did so silently
    best = {s: 1.0 for s in range(6)}
    mine = {s: 5.0 for s in range(8)}  # steps 6 and 7: the best trial has no value there
    trials = [Trial(0, {}, "complete", 1.0), Trial(1, {}, "pending")]
    with pytest.warns(UserWarning, match="reported steps the best trial did not"):
        ours = WilcoxonPruner().prune(trials, {0: best, 1: mine}, 1)
    study = optuna.create_study(pruner=optuna.pruners.WilcoxonPruner())
    study.add_trial(
        optuna.trial.create_trial(value=1.0, params={}, distributions={}, intermediate_values=best)
    )
    trial = study.ask()
    for step, value in mine.items():
        trial.report(value, step)
    with pytest.warns(UserWarning, match="WilcoxonPruner finds steps"):
        theirs = trial.should_prune()
    assert ours is theirs is True


def test_threshold_pruner_without_a_bound_is_a_type_error_as_in_optuna():
    with pytest.raises(TypeError):
        optuna.pruners.ThresholdPruner()
    with pytest.raises(TypeError, match="`lower` or `upper` must be given"):
        ThresholdPruner()


# --- several workers on one stored study ---------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "theirs", "kind"),
    [
        (
            lambda: ThresholdPruner(upper=1.2, n_warmup_steps=6),
            lambda: optuna.pruners.ThresholdPruner(upper=1.2, n_warmup_steps=6),
            "curves",
        ),
        (
            lambda: PatientPruner(MedianPruner(n_startup_trials=2), patience=1),
            lambda: optuna.pruners.PatientPruner(optuna.pruners.MedianPruner(2), patience=1),
            "curves",
        ),
        (
            lambda: HyperbandPruner(max_resource=30, reduction_factor=2),
            lambda: optuna.pruners.HyperbandPruner(max_resource=30, reduction_factor=2),
            "curves",
        ),
        (
            lambda: PatientPruner(SuccessiveHalvingPruner(1, 2), patience=1),
            lambda: optuna.pruners.PatientPruner(
                optuna.pruners.SuccessiveHalvingPruner(1, 2), patience=1
            ),
            "curves",
        ),
        (lambda: WilcoxonPruner(), lambda: optuna.pruners.WilcoxonPruner(), "instances"),
    ],
    ids=["threshold", "patient", "hyperband", "patient-asha", "wilcoxon"],
)
def test_two_workers_on_a_stored_study_get_optunas_decisions(rng, tmp_path, ours, theirs, kind):
    if kind == "curves":
        values, final = _curves(rng, 25, 30), None
    else:
        values, final = _instances(rng, 20, 16), (lambda row, seen: float(np.mean(seen)))
    out = _decisions(values, ours(), theirs(), 3, final=final, workers=2, tmp_path=tmp_path)
    _check(out)


def _more_pruners():
    return [
        ThresholdPruner(lower=0.3, upper=1.5, n_warmup_steps=2, interval_steps=2),
        PatientPruner(MedianPruner(n_startup_trials=2), patience=1),
        PatientPruner(SuccessiveHalvingPruner(1, 2), patience=1),
        HyperbandPruner(max_resource=14, reduction_factor=2),
        HyperbandPruner(),
        WilcoxonPruner(p_threshold=0.3),
    ]


@pytest.mark.parametrize("where", ["memory", "sqlite"])
def test_stored_reads_decide_as_the_whole_study(rng, where, tmp_path):
    # prune_stored (through the storage) and prune (every curve, as a mapping: a minimised
    # study named "default") give the same decisions, trials interleaved at random; each
    # pruner has a study of its own (the notes it keeps with the trials are its own)
    stored, full = _more_pruners(), _more_pruners()
    storages = [
        open_storage(None if where == "memory" else f"sqlite:///{tmp_path / f's{i}.db'}")
        for i in range(len(stored))
    ]
    sids = [st.study("default", SPACE_JSON, 0)["id"] for st in storages]
    n_trials, n_steps = 12, 14
    floors, rates = rng.uniform(0.1, 1.0, n_trials), rng.uniform(0.1, 0.6, n_trials)
    for st, sid in zip(storages, sids):
        for _ in range(n_trials):
            st.add_trial(sid, '{"x": 0.5}', "pending")
    step_of = [0] * n_trials
    got, want = [], []
    live = list(range(n_trials))
    while live:
        n = int(rng.choice(live))
        value = floors[n] + np.exp(-rates[n] * step_of[n]) + 0.05 * rng.normal()
        for st, sid in zip(storages, sids):
            report(st, sid, n, step_of[n], value)
        trials, curves = storages[0].trials(sids[0]), storages[0].intermediate_values(sids[0])
        got.append([should_prune(st, i, n, p) for st, i, p in zip(storages, sids, stored)])
        want.append([p.prune(trials, curves, n) for p in full])
        step_of[n] += int(rng.integers(1, 3))
        if step_of[n] >= n_steps:
            for st, sid in zip(storages, sids):
                st.finish(sid, n, "complete", float(value))
            live.remove(n)
    assert got == want
    for column in zip(*got):  # each pruner prunes somewhere, and not everywhere
        assert any(column) and not all(column)


# --- arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: ThresholdPruner(),  # no bound (a TypeError in Optuna)
        lambda: ThresholdPruner(lower=2.0, upper=1.0),
        lambda: ThresholdPruner(upper="1.0"),
        lambda: ThresholdPruner(upper=1.0, n_warmup_steps=-1),
        lambda: ThresholdPruner(upper=1.0, interval_steps=0),
        lambda: PatientPruner(None, patience=-1),
        lambda: PatientPruner(None, patience=1, min_delta=-0.1),
        lambda: PatientPruner(optuna.pruners.MedianPruner(), patience=1),
        lambda: PatientPruner("median", patience=1),
        lambda: HyperbandPruner(max_resource="max"),
        lambda: HyperbandPruner(max_resource=2.5),
        lambda: HyperbandPruner(bootstrap_count=1),  # with max_resource="auto"
        lambda: HyperbandPruner(min_resource=0, max_resource=9),  # Optuna: at the first prune
        lambda: HyperbandPruner(reduction_factor=1, max_resource=9),  # the same
        lambda: HyperbandPruner(min_resource=5, max_resource=4),  # Optuna: never prunes
        lambda: WilcoxonPruner(p_threshold=1.5),
        lambda: WilcoxonPruner(p_threshold=-0.1),
        lambda: WilcoxonPruner(n_startup_steps=-1),
    ],
)
def test_bad_arguments_are_input_errors(make):
    with pytest.raises(InputError):
        make()


def test_wilcoxon_arguments_are_keyword_only_as_in_optuna():
    with pytest.raises(TypeError):
        WilcoxonPruner(0.05)  # type: ignore[misc]
    with pytest.raises(TypeError):
        optuna.pruners.WilcoxonPruner(0.05)


def test_every_pruner_imports_from_bo_and_its_module():
    import pyjl.bo
    from pyjl.bo import pruners_hyperband, pruners_more

    for module, name in [
        (pruners_more, "ThresholdPruner"),
        (pruners_more, "PatientPruner"),
        (pruners_hyperband, "HyperbandPruner"),
        (pruners_more, "WilcoxonPruner"),
    ]:
        assert getattr(module, name) is getattr(pyjl.bo, name)
        assert name in pyjl.bo.__all__ and name in module.__all__
