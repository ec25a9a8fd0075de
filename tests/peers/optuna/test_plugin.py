"""The Optuna-suite plugin really hands pyjl's pruners and studies to Optuna's tests."""

import builtins
import functools
import os
import subprocess
import sys
from pathlib import Path

import optuna
import optuna.pruners
import pytest

import pyjl.bo

from . import adapters
from . import conftest as plugin

ROOT = Path(__file__).resolve().parents[3]

needs_tests = pytest.mark.skipif(
    plugin.tests_folder() is None,
    reason='Optuna\'s tests: PYJL_OPTUNA_TESTS is not set (eval "$(bash .ci/optuna_tests.sh)")',
)


def _import_in(code: str) -> dict:
    scope = {"__builtins__": {**vars(builtins), "__import__": plugin._import}}
    exec(code, scope)
    return scope


def test_every_import_form_hands_pyjls_pruners_and_the_adapters():
    scope = _import_in(
        "import optuna\nfrom optuna.study import StudyDirection, Study\n"
        "from optuna.trial import TrialState\nfrom optuna.pruners import _percentile"
    )
    names = [n for n in dir(optuna.pruners) if n.endswith("Pruner") and n != "BasePruner"]
    assert sorted(names) == sorted(plugin.PRUNER_NAMES)  # every Optuna pruner has pyjl's
    for name in names:
        assert getattr(scope["optuna"].pruners, name) is getattr(pyjl.bo, name)
    assert scope["optuna"].study.create_study is adapters.create_study
    assert scope["optuna"].TrialPruned is pyjl.bo.TrialPruned
    assert scope["Study"] is adapters.Study
    assert scope["StudyDirection"] is optuna.study.StudyDirection  # Optuna's enums stay
    assert scope["TrialState"] is optuna.trial.TrialState
    with pytest.raises(AttributeError, match="not translated"):
        scope["_percentile"]._get_best_intermediate_result_over_steps  # noqa: B018
    with pytest.raises(AttributeError, match="not translated"):
        scope["optuna"].pruners.BasePruner  # noqa: B018 - Optuna's pruning code never runs
    assert optuna.pruners.MedianPruner.__module__.startswith("optuna.")  # Optuna is untouched


def test_a_study_decides_through_pyjls_optimizer(monkeypatch):
    asked = []
    real = pyjl.bo.Optimizer.should_prune

    def spy(self, number):
        asked.append(number)
        return real(self, number)

    monkeypatch.setattr(pyjl.bo.Optimizer, "should_prune", spy)
    for name in plugin.PRUNER_NAMES:  # Optuna's own decisions would raise
        monkeypatch.setattr(
            getattr(optuna.pruners, name), "prune", lambda *a, **k: pytest.fail("Optuna ran")
        )
    study = adapters.create_study(direction="maximize", pruner=pyjl.bo.MedianPruner(0, 0))
    first = study.ask()
    first.report(0.9, 1)
    study.tell(first, 0.9)
    second = study.ask()
    second.report(0.5, 1)  # maximised: below the completed trial's 0.9
    assert second.should_prune() and asked == [second.number]
    assert isinstance(study._opt, pyjl.bo.Optimizer) and study._opt.direction == "maximize"
    assert [t.state for t in study.trials] == [
        optuna.trial.TrialState.COMPLETE,
        optuna.trial.TrialState.RUNNING,
    ]
    assert study.trials[1].intermediate_values == {1: 0.5}


def test_rung_values_are_read_from_pyjls_notes():
    study = adapters.create_study(
        pruner=pyjl.bo.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    )
    trial = study.ask()
    for step, value in enumerate([0.9, 0.8, 0.7]):
        trial.report(value, step)
        trial.should_prune()
    notes = study._opt.storage.attributes(study._study_id)[trial.number][adapters.RUNGS]
    assert notes == [0.8, 0.7]  # rungs at steps 1 and 2
    attrs = trial.storage.get_trial_system_attrs(trial.number)
    assert attrs == {"completed_rung_0": 0.8, "completed_rung_1": 0.7}


def test_an_optuna_sampler_other_than_random_is_refused():
    with pytest.raises(TypeError, match="not translated"):
        adapters.create_study(sampler=optuna.samplers.TPESampler())


def test_config_reasons_name_their_category():
    for key, reason in plugin._suite.read_config(plugin.CONFIG)["internals"].items():
        assert plugin.TALLY.category(reason) is not None, key
        assert reason.endswith("."), key  # a full sentence


@functools.cache
def _collected() -> set[str]:
    """The ids below ``optuna.toml::`` that pytest collects."""
    return plugin._suite.collected_ids(plugin.CONFIG, ROOT)


@needs_tests
def test_config_entries_name_collected_tests():
    ids = _collected()
    assert len(ids) > 90
    bases = {i.split("[", 1)[0] for i in ids}
    for key in plugin._suite.read_config(plugin.CONFIG).get("internals", {}):
        assert key in (ids if "[" in key else bases), key


@needs_tests
@pytest.mark.parametrize("where", ["another version", "a missing folder"])
def test_tests_that_cannot_run_skip_the_suite_with_the_reason(tmp_path, where):
    other = tmp_path / "optuna-0.0.1"
    if where == "another version":
        other.mkdir()
        (other / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: optuna\nVersion: 0.0.1\n")
        (other / "tests").symlink_to(plugin.tests_folder())
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"]
        + [
            str(plugin.CONFIG.relative_to(ROOT)),
            f"{__file__}::{test_an_optuna_sampler_other_than_random_is_refused.__name__}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYJL_OPTUNA_TESTS": str(other)},
    )
    assert done.returncode == 0, done.stdout[-2000:]  # the rest of the session runs on
    words = "holds Optuna 0.0.1's tests" if where == "another version" else "holds no unpacked"
    assert words in done.stdout and "1 passed, 1 skipped" in done.stdout
