"""What users of scikit-optimize and Optuna bring along: skopt's result names and
callbacks, Optuna's ``TrialPruned``, and a refusal of Optuna's pruner objects."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.bo import Categorical, Integer, MedianPruner, Real, Space, minimize, random_search
from pyjl.exceptions import InputError

skopt_callbacks = pytest.importorskip("skopt.callbacks")
optuna = pytest.importorskip("optuna")

SPACE = Space({"x": Real(-10.0, 10.0), "k": Integer(0, 3)})


def _f(p):
    return (p["x"] - 2.0) ** 2 + p["k"]


def test_skopts_names_read_the_study():
    res = random_search(_f, SPACE, n_calls=8, seed=0, progress=False)
    done = res.history[res.history["state"] == "complete"]
    assert res.x == [res.best_params["x"], res.best_params["k"]] and res.fun == res.best_value
    np.testing.assert_array_equal(res.func_vals, done["value"].to_numpy())
    assert res.x_iters == done[["x", "k"]].to_numpy(dtype=object).tolist()
    assert res.space == SPACE and res.x_iters[int(np.argmin(res.func_vals))] == res.x


def test_skopts_callbacks_stop_a_study_as_they_stop_gp_minimize():
    stopper = skopt_callbacks.DeltaYStopper(delta=1e-2, n_best=3)
    res = minimize(_f, SPACE, n_calls=60, seed=0, progress=False, callback=[stopper])
    n = len(res.func_vals)
    assert n < 60
    assert stopper(res)  # its criterion holds on the values it saw last ...
    best = np.sort(res.func_vals[:-1])
    assert not best[2] - best[0] < 1e-2  # ... and did not one trial before
    seen = []
    both = [lambda r: seen.append(len(r.func_vals)), skopt_callbacks.DeadlineStopper(600)]
    minimize(_f, SPACE, n_calls=6, seed=0, progress=False, callback=both)
    assert seen == [1, 2, 3, 4, 5, 6]  # every callback of the list is called
    with pytest.raises(InputError, match=r"`callback\[1\]` must be callable"):
        minimize(_f, SPACE, n_calls=3, progress=False, callback=[print, 3])


def test_skopts_delta_x_stopper_stops_on_skopts_distance():
    # DeltaXStopper reads result.space.distance: scikit-optimize's own Space gives the
    # reference on the same points
    import skopt.space

    theirs = skopt.space.Space(
        [
            skopt.space.Real(-10.0, 10.0),
            skopt.space.Integer(0, 3),
            skopt.space.Categorical(list("abc")),
        ]
    )
    ours = Space({"x": Real(-10.0, 10.0), "k": Integer(0, 3), "c": Categorical(list("abc"))})
    for a, b in zip(theirs.rvs(50, random_state=0), theirs.rvs(50, random_state=1), strict=True):
        assert ours.distance(a, b) == pytest.approx(theirs.distance(a, b), rel=1e-15, abs=0)
    assert ours.distance({"x": 1.0, "k": 2, "c": "a"}, [1.0, 2, "a"]) == 0.0
    with pytest.raises(InputError, match="`point_a` must hold one value per parameter"):
        ours.distance([1.0], [1.0, 2, "a"])
    stopper = skopt_callbacks.DeltaXStopper(delta=1e-3)
    res = minimize(_f, SPACE, n_calls=60, seed=0, progress=False, callback=stopper)
    assert len(res.func_vals) < 60 and stopper(res)
    assert res.space.distance(res.x_iters[-2], res.x_iters[-1]) < 1e-3


def test_optunas_trial_pruned_prunes():
    def f(p, trial):
        for step in range(5):
            trial.report(step, p["x"] ** 2 + 1.0 / (step + 1))
            if trial.should_prune():
                raise optuna.TrialPruned()
        return p["x"] ** 2

    res = minimize(
        f,
        Space({"x": Real(-3.0, 3.0)}),
        n_calls=25,
        seed=0,
        progress=False,
        pruner=MedianPruner(n_startup_trials=3),
    )
    states = res.history["state"].value_counts().to_dict()
    assert states.get("pruned", 0) > 0 and res.n_failed == 0


def test_optunas_pruners_are_refused_before_any_trial():
    with pytest.raises(InputError, match="got Optuna's MedianPruner"):
        minimize(_f, SPACE, n_calls=3, progress=False, pruner=optuna.pruners.MedianPruner())


@pytest.mark.parametrize(
    ("name", "ours"),
    [
        ("n_trials", "n_calls"),
        ("timeout", "max_time"),
        ("n_jobs", "n_workers"),
        ("random_state", "seed"),
        ("n_initial_points", "n_initial"),
        ("acq_func", "acquisition"),
        ("load_if_exists", "always resumes"),
    ],
)
def test_other_tools_argument_names_are_refused_with_pyjls(name, ours, tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    with pytest.raises(InputError, match=rf"^`{name}` is not an argument") as err:
        minimize(_f, SPACE, n_calls=3, storage=url, progress=False, **{name: 1})
    assert ours in str(err.value)
    assert not (tmp_path / "s.db").exists()  # refused before a study is created


def test_an_unknown_minimize_keyword_lists_the_settings():
    with pytest.raises(InputError, match=r"^`acqusition` must be an argument") as err:
        minimize(_f, SPACE, n_calls=3, acqusition="ei", progress=False)
    assert "'acquisition'" in str(err.value) and "'xi'" in str(err.value)
