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


def _all_points(space):
    """Every point of a finite space, listed without the space's own numbering."""
    axes = [
        range(int(d.lo), int(d.hi) + 1)
        if isinstance(d, Integer)
        else d.choices
        if isinstance(d, Categorical)
        else [d.lo]
        for d in space.dimensions.values()
    ]
    return [dict(zip(space.names, combo)) for combo in itertools.product(*axes)]


@pytest.mark.parametrize(
    "make, free",
    [
        (lambda: Space({"k": Integer(1, 5000)}), [{"k": 17}, {"k": 4321}]),
        # a log scale gives the top values thin bins: uniform draws seldom land there
        (lambda: Space({"k": Integer(1, 5000, log=True)}), [{"k": 4999}, {"k": 5000}]),
        (
            lambda: Space(
                {"k": Integer(0, 999), "x": Real(2.0, 2.0), "c": Categorical(["a", "b"])}
            ),
            [{"k": 5, "x": 2.0, "c": "b"}, {"k": 998, "x": 2.0, "c": "a"}],
        ),
    ],
)
def test_random_unseen_finds_the_last_unseen_points(make, free):
    from pyjl.bo.samplers import random_unseen

    space = make()
    every = _all_points(space)
    free_keys = set(_keys(space, free))
    seen = set(_keys(space, every)) - free_keys
    got = [space.key(random_unseen(space, np.random.default_rng(s), seen)) for s in range(20)]
    assert set(got) == free_keys  # each time an unseen point, and both of them in turn
    # the sampler ends the space: both free points, then SpaceExhausted
    taken = [Trial(i, p, "complete", 0.0) for i, p in enumerate(every) if p not in free]
    points = RandomSampler().propose(space, taken, 2, seed=0)
    assert set(_keys(space, points)) == free_keys
    taken += [Trial(len(every) + i, p, "complete", 0.0) for i, p in enumerate(points)]
    with pytest.raises(SpaceExhausted, match=f"every point .*{len(every)} points"):
        RandomSampler().propose(space, taken, 1, seed=0)


def test_unseen_points_are_drawn_uniformly(rng):
    # with 2 of 2000 points unseen, each is the draw half of the time (binomial test)
    from scipy import stats

    from pyjl.bo.samplers import random_unseen

    space = Space({"k": Integer(0, 1999)})
    seen = {space.key({"k": k}) for k in range(2000) if k not in (7, 1500)}
    seeds = rng.integers(2**32, size=100)
    got = [random_unseen(space, np.random.default_rng(s), seen)["k"] for s in seeds]
    assert set(got) == {7, 1500}
    assert stats.binomtest(got.count(7), len(got)).pvalue > 1e-3


def test_acquisition_optimiser_finds_the_last_unseen_point():
    # every candidate it scores may be taken: its last resort is random_unseen's rule
    from pyjl.bo.optimize_acqf import maximize

    class Flat:  # an acquisition equal everywhere
        model = None

        def objective(self, X):
            return np.zeros(len(X))

        def __call__(self, X):
            return np.zeros(len(X))

    space = Space({"k": Integer(1, 20000)})
    exclude = {space.key({"k": k}) for k in range(1, 20001) if k != 12345}
    for seed in range(3):
        u, _ = maximize(Flat(), space, np.random.default_rng(seed), exclude=exclude)
        assert space.decode(u) == {"k": 12345}
        np.testing.assert_array_equal(u, space.round(u[None, :])[0])


def test_grid_sampler_refuses_an_empty_grid_and_asks_each_point_once():
    from pyjl.exceptions import InputError

    space = Space({"k": Integer(0, 3)})
    for empty in ([], iter(())):
        with pytest.raises(InputError) as err:
            Optimizer(space, sampler=empty)
        assert all(w in str(err.value) for w in ["`sampler`", "at least one", "Fix:"])
    # 1 and 1.0 are the same point of an Integer once validated: kept once, first place
    opt = Optimizer(space, sampler=[{"k": 1}, {"k": 1.0}, {"k": 2}, {"k": np.int64(1)}])
    assert opt.ask(3) == [{"k": 1}, {"k": 2}]
    with pytest.raises(SpaceExhausted, match="all 2 grid points"):
        opt.ask()


class _Fixed:
    """A sampler of one's own that returns what it is told to, whatever is asked."""

    def __init__(self, points):
        self.points = points

    def propose(self, space, trials, n, seed):
        return [dict(p) for p in self.points]


@pytest.mark.parametrize(
    "points, words",
    [
        ([{"x": 2.0, "k": 1}], ["_Fixed.propose's point 0", "x"]),  # outside the space
        ([{"x": 0.5, "k": 7}], ["_Fixed.propose's point 0", "k"]),
        ([{"x": 0.5, "k": 1}, {"x": 0.5, "k": 1}], ["point 1", "not repeated"]),
        ([], ["_Fixed.propose", "must return 1 to 1 points", "raise SpaceExhausted"]),
        ([{"x": 0.1, "k": 1}, {"x": 0.2, "k": 1}], ["must return 1 to 1 points", "got 2"]),
    ],
)
def test_a_samplers_points_are_held_to_the_protocol(points, words):
    # docs/bo.md: values outside the space are rejected naming the parameter, and no point
    # is evaluated twice -- a sampler of one's own too (it used to put x=2.0 into the study)
    from pyjl.bo import minimize
    from pyjl.exceptions import InputError

    space = Space({"x": Real(0.0, 1.0), "k": Integer(1, 4)})
    n = 2 if "not repeated" in words else 1
    with pytest.raises(InputError) as err:
        minimize(
            lambda p: p["x"], space, n_calls=3, n_workers=n, sampler=_Fixed(points), progress=False
        )
    for w in words:
        assert w in str(err.value)


def test_a_seen_point_from_a_sampler_is_refused():
    from pyjl.exceptions import InputError

    space = Space({"x": Real(0.0, 1.0)})
    opt = Optimizer(space, sampler=_Fixed([{"x": 0.5}]))
    opt.tell({"x": 0.5}, 1.0)
    with pytest.raises(InputError, match="no trial of the study has"):
        opt.ask()


def test_one_sampler_object_serves_several_studies_as_its_own():
    # each study keeps a copy: n_initial follows each space (max(5, min(10, d + 4)))
    from pyjl.bo import GPSampler, SuccessiveHalvingPruner

    shared, asha = GPSampler(), SuccessiveHalvingPruner()
    one = Optimizer(Space({"a": Real(0.0, 1.0)}), sampler=shared, pruner=asha)
    five = Optimizer(Space({f"a{i}": Real(0.0, 1.0) for i in range(5)}), sampler=shared)
    assert (one.n_initial, five.n_initial) == (5, 9)
    assert shared.n_initial is None and one.pruner is not asha
