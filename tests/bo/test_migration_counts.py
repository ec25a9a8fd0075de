"""What users of scikit-learn and Optuna pass along and pyjl once refused or mishandled:
joblib's negative ``n_jobs``, storable steps and trial numbers, and categorical choices
given as a set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold

from pyjl import _validate
from pyjl.bo import BayesSearchCV, Categorical, Optimizer, Real, Space, minimize
from pyjl.exceptions import InputError


def test_negative_n_jobs_count_back_from_the_cpus_as_joblibs():
    # joblib's rule: below 0, n_cpus + 1 + n_jobs are used, and at least one
    from joblib import effective_n_jobs

    assert [_validate.jobs(n, "n_jobs", 8) for n in (-1, -2, -8, -9, 1, 3)] == [8, 7, 1, 1, 1, 3]
    cpus = effective_n_jobs(-1)
    for n in (-1, -2, -cpus, -cpus - 5, 2):
        assert _validate.jobs(n, "n_jobs", cpus) == effective_n_jobs(n)
    with pytest.raises(InputError, match=r"`n_jobs` must be >= 1, or negative to count back"):
        _validate.jobs(0, "n_jobs", 8)


def test_search_with_all_cpus_but_one_scores_as_grid_search():
    # GridSearchCV takes n_jobs=-2 (all CPUs but one); BayesSearchCV refused it
    X, y = make_classification(80, 4, random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    grid = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=cv, n_jobs=-2).fit(X, y)
    search = BayesSearchCV(
        LogisticRegression(), {"C": Categorical([0.1, 1.0])}, n_iter=2, cv=cv, n_jobs=-2
    ).fit(X, y)
    want = dict(
        zip([p["C"] for p in grid.cv_results_["params"]], grid.cv_results_["mean_test_score"])
    )
    for p, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        assert score == pytest.approx(want[p["C"]], rel=1e-12)


def test_minimize_takes_n_workers_minus_one_as_one_per_cpu():
    res = minimize(
        lambda p: (p["x"] - 0.3) ** 2,
        Space({"x": Real(0, 1)}),
        n_calls=6,
        n_workers=-1,
        seed=0,
        progress=False,
    )
    assert len(res.history) == 6


@pytest.mark.parametrize("storage", [None, "sqlite"])
def test_steps_and_numbers_past_int64_are_refused_by_name_on_every_storage(tmp_path, storage):
    # SQLite raised its own OverflowError ("Python int too large to convert to SQLite
    # INTEGER"); in memory the step was stored
    url = None if storage is None else f"sqlite:///{tmp_path / 'big.db'}"
    opt = Optimizer(Space({"x": Real(0, 1)}), storage=url, study="b", seed=0)
    n, _ = opt.ask_trials(1)[0]
    calls = {
        "step": lambda: opt.report(n, 2**63, 1.0),
        "number": lambda: opt.tell_trial(2**63, 1.0),
    }
    for name, call in calls.items():
        with pytest.raises(
            InputError, match=rf"^`{name}` must be an integer >= 0 and <= {2**63 - 1}"
        ):
            call()
    with pytest.raises(InputError, match=r"^`number` must be an integer"):
        opt.should_prune(2**64)
    opt.report(n, 2**63 - 1, 0.5)  # the largest storable step is kept exactly
    assert opt.intermediate_values()[n] == {2**63 - 1: 0.5}


def test_a_set_of_choices_is_refused_for_its_order():
    # a set of strings iterates in a per-process order: the same seed asked other points
    # in each process, and a stored study refused its own space on resume
    with pytest.raises(
        InputError, match=r"^`choices` must be ordered.*Fix: pass a list, e\.g\. \['a', 'b'\]"
    ):
        Categorical({"b", "a"})
    with pytest.raises(InputError, match=r"^`choices` must be ordered"):
        Categorical(frozenset({1, 2}))
    code = (
        "from pyjl.bo import Categorical, Optimizer, Space;"
        "o = Optimizer(Space({'c': Categorical(['alpha', 'beta', 'gamma', 'delta'])}), seed=0);"
        "print([p['c'] for p in o.ask(4)])"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": h},
        ).stdout
        for h in ("1", "2")
    }
    assert len(runs) == 1  # a list asks the same points whatever the hash seed
