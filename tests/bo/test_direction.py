"""``direction="maximize"``: a study of scores, as Optuna's ``create_study(direction=...)``.

The reference is the minimisation of minus the objective, run from the same seed: a
maximised study must ask the same points, and report the same best trial with its value
(not minus it) -- checked against what the trials hold, read back by sqlite3.  Pruner
decisions for maximised scores are checked against Optuna's in test_pruners_vs_optuna.py.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from pyjl.bo import (
    Categorical,
    Integer,
    Optimizer,
    Real,
    Space,
    grid_search,
    minimize,
    plots,
    random_search,
)
from pyjl.bo.dashboard.data import StudyReader
from pyjl.bo.posterior import posterior_line
from pyjl.exceptions import InputError

SPACE = Space({"x": Real(-2.0, 2.0), "k": Integer(1, 5), "kind": Categorical(["a", "b", "c"])})


def score(p):
    """A score to maximise, its peak 3.0 at x = 0.4, k = 3, kind = 'b'."""
    return 3.0 - (p["x"] - 0.4) ** 2 - 0.2 * (p["k"] - 3) ** 2 - (p["kind"] != "b")


def _pairs(run, **kw):
    up = run(score, SPACE, direction="maximize", progress=False, **kw)
    down = run(lambda p: -score(p), SPACE, progress=False, **kw)
    return up, down


@pytest.mark.parametrize(
    ("run", "kw"),
    [
        (minimize, {"n_calls": 14, "n_initial": 5, "seed": 3}),
        (random_search, {"n_calls": 9, "seed": 3}),
        (grid_search, {"n_points": 3}),
    ],
    ids=["minimize", "random_search", "grid_search"],
)
def test_maximising_runs_as_minimising_minus_the_objective(run, kw):
    up, down = _pairs(run, **kw)
    hu, hd = up.history, down.history
    assert up.direction == "maximize" and down.direction == "minimize"
    assert hu[["x", "k", "kind"]].equals(hd[["x", "k", "kind"]])  # the same points asked
    np.testing.assert_array_equal(hu["value"], -hd["value"])
    assert up.best_params == down.best_params
    assert up.best_value == hu["value"].max() == -down.best_value
    assert up.fun == up.best_value and list(up.func_vals) == list(hu["value"])
    np.testing.assert_array_equal(hu["best_so_far"], np.maximum.accumulate(hu["value"]))
    if up.best_mean_value is not None:
        assert up.best_mean_params == down.best_mean_params
        assert up.best_mean_value == pytest.approx(-down.best_mean_value, rel=1e-12)


def test_bo_finds_the_peak_of_a_score():
    res = minimize(score, SPACE, n_calls=30, seed=0, direction="maximize", progress=False)
    assert res.best_params["kind"] == "b" and res.best_params["k"] == 3
    assert res.best_value > 2.95  # the minimum of the score would be about -2.4


def test_the_direction_is_stored_and_a_resumed_study_keeps_it(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    minimize(
        score,
        SPACE,
        n_calls=4,
        storage=url,
        study="acc",
        seed=0,
        direction="maximize",
        progress=False,
    )
    conn = sqlite3.connect(tmp_path / "s.db")
    (settings,) = conn.execute("SELECT settings FROM studies WHERE name = 'acc'").fetchone()
    values = [v for (v,) in conn.execute("SELECT value FROM trials ORDER BY number")]
    conn.close()
    assert '"maximize"' in settings
    assert all(v <= 3.0 for v in values) and max(values) > -3.0  # scores, not minus them
    opt = Optimizer(None, storage=url, study="acc")  # direction=None: the stored one
    assert opt.direction == "maximize" and opt.best[1] == max(values)
    res = minimize(score, None, n_calls=6, storage=url, study="acc", progress=False)
    assert res.direction == "maximize" and len(res.history) == 6
    with pytest.raises(InputError, match=r"^`direction` must match the study") as err:
        minimize(
            score, None, n_calls=8, storage=url, study="acc", direction="minimize", progress=False
        )
    assert "maximizes" in str(err.value)
    assert len(Optimizer(None, storage=url, study="acc").trials) == 6  # nothing changed


def test_a_study_stored_before_directions_minimises(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    opt = Optimizer(SPACE, storage=url, study="old", seed=0)
    opt.tell({"x": 0.0, "k": 1, "kind": "a"}, 2.0)
    opt.tell({"x": 1.0, "k": 2, "kind": "b"}, 1.0)
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("UPDATE studies SET settings = '{}'")  # as a study of an earlier pyjl
    conn.commit()
    conn.close()
    again = Optimizer(None, storage=url, study="old")
    assert again.direction == "minimize" and again.best[1] == 1.0


def test_postgresql_stores_the_direction(pg_url):
    Optimizer(SPACE, storage=pg_url, study="acc", seed=0, direction="maximize")
    assert Optimizer(None, storage=pg_url, study="acc").direction == "maximize"
    with pytest.raises(InputError, match="direction"):
        Optimizer(None, storage=pg_url, study="acc", direction="minimize")


@pytest.mark.parametrize("bad", ["max", "MAXIMIZE ", 1, 2.5, "maximise!"])
def test_a_bad_direction_is_an_input_error_naming_it(bad):
    with pytest.raises(InputError, match=r"^`direction`"):
        Optimizer(SPACE, direction=bad)
    with pytest.raises(InputError, match=r"^`direction`"):
        minimize(score, SPACE, n_calls=2, direction=bad, progress=False)


def test_bayes_search_refuses_a_direction_of_its_own():
    from sklearn.tree import DecisionTreeClassifier

    from pyjl.bo import BayesSearchCV

    search = BayesSearchCV(
        DecisionTreeClassifier(),
        {"max_depth": Integer(1, 3)},
        n_iter=2,
        optimizer_kwargs={"direction": "maximize"},
    )
    X, y = np.random.default_rng(0).standard_normal((30, 2)), np.arange(30) % 2
    with pytest.raises(InputError, match="optimizer_kwargs"):
        search.fit(X, y)


def test_a_pruned_handle_reports_scores_and_is_pruned_as_optuna_would():
    from pyjl.bo import MedianPruner

    opt = Optimizer(
        Space({"x": Real(0.0, 1.0)}),
        sampler="random",
        seed=0,
        pruner=MedianPruner(n_startup_trials=2),
        direction="maximize",
    )
    for final in (0.9, 0.8):  # two completed trials whose accuracy rose to 0.9 and 0.8
        [(n, p)] = opt.ask_trials(1)
        t = opt.handle(n, p)
        t.report(0, final - 0.1)
        opt.tell_trial(n, final)
    [(n, p)] = opt.ask_trials(1)
    t = opt.handle(n, p)
    t.report(0, 0.95)  # above the median of 0.8, 0.7: kept
    assert not t.should_prune()
    [(n, p)] = opt.ask_trials(1)
    t = opt.handle(n, p)
    t.report(0, 0.5)  # below it: pruned (minimising, 0.5 would be the best)
    assert t.should_prune()


def test_the_posterior_line_is_in_the_scores_units():
    up = Optimizer(SPACE, seed=0, direction="maximize")
    down = Optimizer(SPACE, seed=0)
    rng = np.random.default_rng(1)
    for _ in range(8):
        p = {"x": rng.uniform(-2, 2), "k": int(rng.integers(1, 6)), "kind": "b"}
        up.tell(p, score(p))
        down.tell(p, -score(p))
    a, b = posterior_line(up, "x", 40), posterior_line(down, "x", 40)
    np.testing.assert_allclose(a.centre, -b.centre, rtol=1e-9)
    np.testing.assert_allclose(a.upper, -b.lower, rtol=1e-9)
    assert (a.lower <= a.centre).all() and (a.centre <= a.upper).all()
    np.testing.assert_array_equal(a.values, -b.values)
    assert a.next == b.next  # the same acquisition maximiser


def test_convergence_plots_regret_below_the_optimum_of_a_score():
    import matplotlib

    matplotlib.use("Agg")
    res = random_search(score, SPACE, n_calls=6, seed=0, direction="maximize", progress=False)
    fig = plots.convergence({"r": res}, optimum=3.0)
    y = fig.axes[0].lines[0].get_ydata()
    best = res.history["best_so_far"].to_numpy()
    np.testing.assert_allclose(y, np.maximum(3.0 - best, 1e-12))


def test_the_dashboard_ranks_by_the_stored_direction(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    res = random_search(
        score,
        SPACE,
        n_calls=5,
        seed=2,
        storage=url,
        study="acc",
        direction="maximize",
        progress=False,
    )
    reader = StudyReader(url)
    try:
        (summary,) = reader.studies()
    finally:
        reader.close()
    assert summary["direction"] == "maximize"
    assert summary["best"]["value"] == res.history["value"].max()
