"""Samplers: proposals lie in the space, are distinct and unseen; the grid is covered; the
Optimizer only delegates to them; the runner drives the Optimizer through public methods."""

import ast
import itertools
from pathlib import Path

import numpy as np
import pytest

from pyjl.bo import (
    Categorical,
    GPSampler,
    GridSampler,
    Integer,
    Optimizer,
    RandomSampler,
    Real,
    Sampler,
    Space,
    SpaceExhausted,
)
from pyjl.bo.trial import Trial

MIXED = Space({"x": Real(-1.0, 2.0), "k": Integer(1, 6), "c": Categorical(["a", "b", "c"])})
SMALL = Space({"k": Integer(0, 2), "c": Categorical(["a", "b"])})  # 6 points


def _keys(space, points):
    return [space.key(p) for p in points]


def test_random_proposals_lie_in_the_space_and_are_distinct(rng):
    seed = int(rng.integers(2**31))
    taken = [
        Trial(i, p, "complete", 1.0)
        for i, p in enumerate(RandomSampler().propose(MIXED, [], 5, seed))
    ]
    points = RandomSampler().propose(MIXED, taken, 40, seed)
    assert [MIXED.validate(p) for p in points] == points  # inside, and complete
    keys = _keys(MIXED, points)
    assert len(set(keys)) == 40 and not set(keys) & set(_keys(MIXED, [t.params for t in taken]))
    # the draws of trial k depend on (seed, k) only: the same study replays them
    assert RandomSampler().propose(MIXED, taken, 40, seed) == points


def test_random_sampler_exhausts_a_finite_space():
    points = RandomSampler().propose(SMALL, [], 6, seed=0)
    assert sorted(_keys(SMALL, points)) == sorted(
        SMALL.key({"k": k, "c": c}) for k, c in itertools.product(range(3), "ab")
    )
    taken = [Trial(i, p, "complete", 0.0) for i, p in enumerate(points)]
    with pytest.raises(SpaceExhausted):
        RandomSampler().propose(SMALL, taken, 1, seed=0)
    # an abandoned trial's point may be proposed again
    taken[2] = Trial(2, points[2], "abandoned", error="cancelled")
    assert RandomSampler().propose(SMALL, taken, 1, seed=0) == [points[2]]


def test_grid_sampler_covers_the_grid_in_order_then_stops():
    grid = [{"k": k, "c": c} for k, c in itertools.product(range(3), "ab")]
    g = GridSampler(iter(grid))
    g.check(SMALL)
    first = g.propose(SMALL, [], 4, seed=0)
    taken = [Trial(i, p, "pending") for i, p in enumerate(first)]
    rest = g.propose(SMALL, taken, 2, seed=0)
    assert first + rest == grid
    with pytest.raises(SpaceExhausted, match="all 6 grid points"):
        g.propose(
            SMALL,
            taken + [Trial(4 + i, p, "complete", 0.0) for i, p in enumerate(rest)],
            1,
            seed=0,
        )


def test_grid_sampler_checks_its_points_against_the_space():
    from pyjl.exceptions import InputError

    with pytest.raises(InputError, match=r"`sampler\[1\]` must be a parameter dict"):
        GridSampler([{"k": 0, "c": "a"}, 3])
    with pytest.raises(InputError, match=r"`sampler\[0\]\['k'\]`"):
        GridSampler([{"k": 9, "c": "a"}]).check(SMALL)


def test_gp_sampler_is_the_default_strategy():
    # Optimizer(...) and Optimizer(sampler=GPSampler(...)) ask the same points
    def run(**kw):
        opt = Optimizer(MIXED, seed=4, **kw)
        for _ in range(9):
            p = opt.ask()
            opt.tell(p, (p["x"] - 0.3) ** 2 + 0.1 * p["k"] + (p["c"] != "b"))
        return [t.params for t in opt.trials], opt.sampler

    assert run(n_initial=5) == (run(sampler=GPSampler(n_initial=5))[0], "gp")


def test_gp_sampler_defaults_n_initial_from_the_encoded_width():
    g = GPSampler()
    g.check(MIXED)  # 1 + 1 + 3 unit-cube coordinates
    assert g.n_initial == max(5, min(10, MIXED.n_encoded + 4)) == 9
    assert Optimizer(MIXED, seed=0).n_initial == 9


def test_a_sampler_of_ones_own_plugs_in():
    class Lowest(Sampler):
        name = "lowest-k"

        def propose(self, space, trials, n, seed):
            seen = {space.key(t.params) for t in trials}
            free = [
                {"k": k, "c": c}
                for k in range(3)
                for c in "ab"
                if space.key({"k": k, "c": c}) not in seen
            ]
            if len(free) < n:
                raise SpaceExhausted("no more")
            return free[:n]

    opt = Optimizer(SMALL, sampler=Lowest(), seed=0)
    assert opt.sampler == "lowest-k"
    assert opt.ask(3) == [{"k": 0, "c": "a"}, {"k": 0, "c": "b"}, {"k": 1, "c": "a"}]
    assert len(opt.ask(4)) == 3  # a batch larger than what is left gets what is left
    with pytest.raises(SpaceExhausted):
        opt.ask(1)


def test_optimizer_has_no_strategy_branches():
    # the Optimizer delegates proposing: it never tests which sampler it has
    src = (Path(__file__).resolve().parents[2] / "pyjl" / "bo" / "optimizer.py").read_text()
    tree = ast.parse(src)
    compared = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and any(
            isinstance(c, ast.Constant) and c.value in ("gp", "random", "grid")
            for c in node.comparators
        )
    ]
    assert compared == []


def test_runner_uses_public_optimizer_methods_only():
    # no `opt._x` or `self.opt._x`: private attributes are reached only on the runner's self
    src = (Path(__file__).resolve().parents[2] / "pyjl" / "bo" / "runner.py").read_text()
    private = [
        f"line {node.lineno}: .{node.attr}"
        for node in ast.walk(ast.parse(src))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
    ]
    assert private == []


def test_random_search_uniform_in_each_coordinate(rng):
    # RandomSampler draws the unit cube uniformly: each Real coordinate's encoding is U(0, 1)
    from scipy import stats

    from pyjl.bo import random_search

    space = Space({"a": Real(0.0, 1.0), "b": Real(1e-3, 1.0, log=True)})
    res = random_search(
        lambda p: 0.0, space, n_calls=300, seed=int(rng.integers(2**31)), progress=False
    )
    U = np.array([space.encode(p) for p in res.history[["a", "b"]].to_dict("records")])
    for j in range(2):
        assert stats.kstest(U[:, j], "uniform").pvalue > 1e-3


def test_a_plain_object_with_propose_is_a_sampler():
    # the protocol is one method; check() and name are optional
    class Fixed:
        def propose(self, space, trials, n, seed):
            return [{"k": 2, "c": "b"}][:n]

    opt = Optimizer(SMALL, sampler=Fixed(), seed=0)
    assert opt.sampler == "Fixed" and opt.ask() == {"k": 2, "c": "b"}
