"""Starting points: scikit-optimize's ``x0``/``y0`` and Optuna's ``enqueue_trial``.

scikit-optimize's ``gp_minimize`` is the reference for what ``x0`` and ``y0`` mean: the
points of ``x0`` are evaluated first, in order (or, with ``y0``, taken as evaluated), and
count as evaluations of the run.
"""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.bo import Categorical, Integer, Optimizer, Real, Space, minimize, random_search
from pyjl.exceptions import InputError

SPACE = Space({"x": Real(-2.0, 2.0), "k": Integer(1, 5), "kind": Categorical(["a", "b"])})
X0 = [[0.5, 2, "a"], [-1.0, 5, "b"], [1.5, 1, "b"]]


def f(p):
    return (p["x"] - 0.3) ** 2 + 0.1 * (p["k"] - 3) ** 2 + (p["kind"] == "a")


def _rows(history):
    return history[["x", "k", "kind"]].values.tolist()


def test_x0_is_evaluated_first_in_order_as_scikit_optimize_does():
    skopt = pytest.importorskip("skopt")
    dims = [(-2.0, 2.0), (1, 5), ["a", "b"]]
    ref = skopt.gp_minimize(
        lambda v: f(dict(zip(SPACE.names, v))),
        dims,
        x0=X0,
        n_calls=6,
        n_initial_points=2,
        random_state=0,
    )
    ours = minimize(f, SPACE, n_calls=6, x0=X0, seed=0, progress=False)
    assert [list(r) for r in ref.x_iters[:3]] == X0  # the reference's reading of x0
    assert _rows(ours.history)[:3] == X0
    assert len(ours.history) == len(ref.x_iters) == 6  # x0 counts towards n_calls
    assert list(ours.func_vals[:3]) == [f(dict(zip(SPACE.names, x))) for x in X0]


def test_x0_with_y0_is_told_not_evaluated():
    skopt = pytest.importorskip("skopt")
    calls = []

    def counted(p):
        calls.append(p)
        return f(p)

    y0 = [10.0, 20.0, 30.0]  # not f's values: they must be taken as given
    ref = skopt.gp_minimize(
        lambda v: f(dict(zip(SPACE.names, v))),
        [(-2.0, 2.0), (1, 5), ["a", "b"]],
        x0=X0,
        y0=y0,
        n_calls=3,
        n_initial_points=1,
        random_state=0,
    )
    assert list(ref.func_vals[:3]) == y0  # scikit-optimize keeps them as the first values
    res = minimize(counted, SPACE, n_calls=5, x0=X0, y0=y0, seed=0, progress=False)
    assert _rows(res.history)[:3] == X0 and list(res.func_vals[:3]) == y0
    assert len(calls) == 2 and all([p["x"], p["k"], p["kind"]] not in X0 for p in calls)


def test_a_resumed_study_adds_no_start_point_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    kw = dict(storage=url, study="s", seed=1, progress=False)
    minimize(f, SPACE, n_calls=4, x0=X0, **kw)
    again = minimize(f, SPACE, n_calls=6, x0=X0, **kw)
    rows = _rows(again.history)
    assert len(rows) == 6 and rows[:3] == X0 and all(r not in X0 for r in rows[3:])

    def told(n_calls):
        return random_search(
            f, SPACE, n_calls, x0=X0, y0=[1.0, 2.0, 3.0], **{**kw, "study": "t", "seed": 0}
        )

    first, again = told(4), told(6)
    assert len(again.history) == 6 and _rows(again.history)[:3] == X0
    assert again.history["value"].tolist()[:4] == first.history["value"].tolist()
    assert sum(r in X0 for r in _rows(again.history)) == 3  # none told twice


def test_x0_past_the_budget_of_a_resumed_study_is_refused(tmp_path):
    # scikit-optimize refuses n_calls < len(x0); a resumed study's trials count too, and a
    # point x0 repeats or the study holds is evaluated once (the queue skips it)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    kw = dict(storage=url, study="s", seed=0, progress=False)
    random_search(f, SPACE, n_calls=4, **kw)
    new = [[0.11, 1, "a"], [0.22, 1, "a"], [0.33, 1, "a"]]
    with pytest.raises(InputError, match=r"`n_calls` must leave room.*holds 4 .*adds 3"):
        random_search(f, SPACE, n_calls=6, x0=new, **kw)
    assert len(Optimizer(None, storage=url, study="s").trials) == 4  # nothing asked
    res = random_search(f, SPACE, n_calls=7, x0=new + new[:1], **kw)
    assert sorted(_rows(res.history)[4:]) == new
    again = random_search(f, SPACE, n_calls=2, x0=new, **kw)  # nothing new: nothing refused
    assert len(again.history) == 7


def test_a_point_given_twice_with_two_values_keeps_both_once():
    # repeated measurements of one point are both told, as scikit-optimize tells them
    # (the second was dropped without a word); a re-run still adds neither again
    skopt = pytest.importorskip("skopt")
    x0, y0 = [X0[0], X0[0], X0[1]], [1.0, 2.0, 3.0]
    opt = skopt.Optimizer([(-2.0, 2.0), (1, 5), ["a", "b"]], random_state=0)
    opt.tell(x0, y0)
    storage = Optimizer(SPACE, seed=0).storage
    for _ in range(2):
        res = random_search(
            f, SPACE, n_calls=3, x0=x0, y0=y0, storage=storage, seed=0, progress=False
        )
        assert res.history["value"].tolist() == list(opt.yi) == y0
        assert _rows(res.history) == x0


def test_points_as_dicts_a_frame_an_array_and_one_point():
    pd = pytest.importorskip("pandas")
    dicts = [dict(zip(SPACE.names, x)) for x in X0]
    for x0 in (dicts, pd.DataFrame(dicts), np.array(X0, dtype=object)):
        res = random_search(f, SPACE, n_calls=3, x0=x0, seed=0, progress=False)
        assert _rows(res.history) == X0
    res = random_search(f, SPACE, n_calls=2, x0=X0[1], y0=7.0, seed=0, progress=False)
    assert _rows(res.history)[0] == X0[1] and res.history["value"][0] == 7.0


def test_enqueue_is_asked_first_and_a_batch_completes_with_proposals():
    opt = Optimizer(SPACE, seed=0, n_initial=2)
    opt.enqueue({"x": 0.25, "k": 3, "kind": "b"})
    assert opt.ask() == {"x": 0.25, "k": 3, "kind": "b"}
    opt.enqueue([dict(zip(SPACE.names, x)) for x in X0[:2]])
    batch = opt.ask(5)
    assert [[p["x"], p["k"], p["kind"]] for p in batch[:2]] == X0[:2]
    keys = {SPACE.key(p) for p in batch} | {SPACE.key({"x": 0.25, "k": 3, "kind": "b"})}
    assert len(batch) == 5 and len(keys) == 6  # distinct, none asked before


def test_a_queued_point_the_study_holds_by_then_is_skipped():
    opt = Optimizer(SPACE, seed=0)
    p = dict(zip(SPACE.names, X0[0]))
    opt.tell(p, 1.0)
    opt.enqueue([p, dict(zip(SPACE.names, X0[1]))])
    assert opt.ask() == dict(zip(SPACE.names, X0[1]))


def test_two_workers_with_the_same_queue_never_ask_a_point_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    a = Optimizer(SPACE, storage=url, study="w", seed=0)
    b = Optimizer(None, storage=url, study="w")
    pts = [dict(zip(SPACE.names, x)) for x in X0]
    a.enqueue(pts)
    b.enqueue(pts)
    asked = [a.ask(), b.ask(), b.ask(), a.ask()]
    assert len({SPACE.key(p) for p in asked}) == 4
    assert sorted(map(SPACE.key, asked[:3])) == sorted(map(SPACE.key, pts))


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"x0": []}, "x0"),
        ({"x0": "abc"}, "x0"),
        ({"x0": [[0.5, 2]]}, r"x0\[0\]"),  # one value short
        ({"x0": [[0.5, 2, "a"], [9.0, 2, "a"]]}, r"x0\[1\]"),  # outside the space
        ({"x0": [{"x": 0.5, "k": 2, "kind": "z"}]}, r"x0\[0\]"),
        ({"x0": X0, "y0": [1.0, 2.0]}, "y0"),
        ({"x0": X0, "y0": [1.0, float("nan"), 2.0]}, r"y0\[1\]"),
        ({"x0": X0, "y0": [1.0, "a", 2.0]}, r"y0\[1\]"),
        ({"y0": [1.0]}, "y0"),
        ({"x0": X0 + [[0.0, 3, "a"], [0.1, 3, "a"]]}, "n_calls"),  # 5 points, n_calls=4
    ],
)
def test_bad_start_points_are_input_errors_naming_them(kw, name, tmp_path):
    url = f"sqlite:///{tmp_path / 'b.db'}"
    with pytest.raises(InputError, match=rf"^`{name}[`\[]"):
        minimize(f, SPACE, n_calls=4, storage=url, study="b", progress=False, **kw)
    assert Optimizer(None, storage=url, study="b").trials == []  # nothing told


def test_enqueue_refuses_a_point_outside_the_space():
    opt = Optimizer(SPACE, seed=0)
    with pytest.raises(InputError, match=r"^`params\[1\]\[.k.\]`"):
        opt.enqueue([dict(zip(SPACE.names, X0[0])), {"x": 0.0, "k": 9, "kind": "a"}])


def _bowl(p):
    return (p["x"] - 0.3) ** 2


def test_y0_as_pandas_or_arrow_and_its_nulls_named_as_nulls():
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    space = {"x": Real(-1.0, 1.0)}
    x0 = [[1.0], [0.3], [0.0]]
    for y0 in (pd.Series([0.49, 0.0, 0.09]), pa.array([0.49, 0.0, 0.09])):
        opt = minimize(_bowl, space, x0=x0, y0=y0, n_calls=3, seed=0, progress=False).optimizer
        assert [t.value for t in opt.trials] == [0.49, 0.0, 0.09]
    with pytest.raises(InputError, match="`y0` must not hold nulls.*index 1"):
        minimize(_bowl, space, x0=x0, y0=pa.array([0.49, None, 0.09]), n_calls=3, progress=False)
