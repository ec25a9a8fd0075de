"""Plots render (Agg) and show what they claim: the posterior band, the acquisition and its
maximiser, best-so-far curves, one panel per parameter."""

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from pyjl.bo import (  # noqa: E402
    Categorical,
    Integer,
    Optimizer,
    Real,
    Space,
    minimize,
    plots,
    random_search,
)
from pyjl.exceptions import InputError  # noqa: E402

SPACE = Space(
    {"lr": Real(1e-3, 1.0, log=True), "k": Integer(1, 6), "c": Categorical(["a", "b", "c"])}
)


def f(p):
    return (np.log10(p["lr"]) + 1.5) ** 2 + 0.1 * (p["k"] - 3) ** 2 + (p["c"] != "b")


@pytest.fixture(scope="module")
def res():
    return minimize(f, SPACE, n_calls=14, n_initial=8, progress=False, seed=0)


def test_posterior_1d_real(res):
    fig = plots.posterior_1d(res.optimizer, "lr", n_grid=120)
    top, bottom = fig.axes
    mean_line = top.get_lines()[0]
    x, mu = mean_line.get_data()
    assert len(x) == 120 and top.get_xscale() == "log"
    # the band is mean +/- 2 sd of the surrogate along the slice through the best point
    space, opt = res.optimizer.space, res.optimizer
    base = space.encode(opt.best[0])
    U = np.repeat(base[None], 120, 0)
    U[:, space.slices["lr"].start] = np.linspace(0, 1, 120)
    m, s = opt.surrogate().predict(U, return_std=True)
    # drawn in the objective's units: the surrogate's mean through the inverse output warp
    # (the posterior median), so the forward warp of the line gives the mean back
    warp = opt.output_warp
    np.testing.assert_allclose(mu if warp is None else warp(mu), m, rtol=1e-8, atol=1e-10)
    band = top.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() <= np.min(mu) and band.max() >= np.max(mu)
    acq_x, acq_y = bottom.get_lines()[0].get_data()
    marker = [ln for ln in bottom.get_lines() if ln.get_marker() == "v"][0]
    assert marker.get_xdata()[0] == acq_x[np.argmax(acq_y)]
    assert len(top.collections[1].get_offsets()) == 14  # every observation


def test_posterior_1d_categorical_and_integer(res):
    fig = plots.posterior_1d(res.optimizer, "c")
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["a", "b", "c"]
    plots.posterior_1d(res.optimizer, "k")
    with pytest.raises(InputError, match="`name` must be a parameter of the space.*'zz'"):
        plots.posterior_1d(res.optimizer, "zz")


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda r: plots.posterior_1d(r.optimizer, "lr", n_grid=0), ["`n_grid`", ">= 1", "0"]),
        (lambda r: plots.posterior_1d(r.optimizer, "lr", n_grid=1.5), ["`n_grid`", "integer"]),
        (lambda r: plots.posterior_1d(r.optimizer, "lr", n_grid=True), ["`n_grid`", "integer"]),
        (lambda r: plots.posterior_1d(r.optimizer, "lr", n_grid=2**70), ["`n_grid`", "<= 100000"]),
        (lambda r: plots.posterior_1d(3, "lr"), ["`opt`", "Optimizer", "3"]),
        (lambda r: plots.posterior_1d(r.optimizer, None), ["`name`", "parameter", "None"]),
        (lambda r: plots.history(r, ncols=0), ["`ncols`", ">= 1"]),
        (lambda r: plots.history(r, ncols=float("inf")), ["`ncols`", "integer", "inf"]),
        (lambda r: plots.history(r, ncols=True), ["`ncols`", "integer"]),
        (lambda r: plots.history(3), ["`res`", "Result", "Optimizer"]),
        (lambda r: plots.convergence({"a": 3}), ["`results['a']`", "Result", "3"]),
        (lambda r: plots.convergence({"a": []}), ["`results['a']`", "non-empty list"]),
        (lambda r: plots.convergence({}), ["`results`", "non-empty dict"]),
        (lambda r: plots.convergence({"r": r}, optimum=float("nan")), ["`optimum`", "finite"]),
        (lambda r: plots.convergence({"r": r}, optimum="0"), ["`optimum`", "'0'"]),
        (lambda r: plots.convergence({"r": r}, optimum=1j), ["`optimum`", "1j"]),
    ],
)
def test_plot_arguments_are_checked(res, call, words):
    with pytest.raises(InputError) as err:
        call(res)
    for w in words + ["Fix:"]:
        assert w in str(err.value)


def test_posterior_1d_needs_two_completed_trials():
    from pyjl.bo import Optimizer

    opt = Optimizer(Space({"x": Real(0.0, 1.0)}), seed=0)
    opt.tell({"x": 0.5}, 1.0)
    with pytest.raises(
        InputError, match=r"`opt` must hold at least 2 completed trials .*; got 1\. Fix:"
    ):
        plots.posterior_1d(opt, "x")


def test_history_and_convergence_take_an_optimizer(res):
    opt = res.optimizer
    fig = plots.convergence({"bo": opt})
    np.testing.assert_allclose(
        fig.axes[0].get_lines()[0].get_ydata(), res.history["best_so_far"].to_numpy()
    )
    assert len([a for a in plots.history(opt, ncols=1).axes if a.get_xlabel()]) == 3


def test_convergence_and_history(res):
    rnd = [random_search(f, SPACE, n_calls=14, progress=False, seed=s) for s in range(3)]
    fig = plots.convergence({"bo": res, "random": rnd}, optimum=0.0)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["bo", "random"]
    y = lines[0].get_ydata()
    assert np.all(np.diff(y) <= 0) and ax.get_yscale() == "log"
    np.testing.assert_allclose(y, np.maximum(res.history["best_so_far"].to_numpy(), 1e-12))
    med = np.median([r.history["best_so_far"].to_numpy() for r in rnd], axis=0)
    np.testing.assert_allclose(lines[1].get_ydata(), np.maximum(med, 1e-12))
    fig = plots.history(res)
    visible = [a for a in fig.axes if a.get_visible() and a.get_xlabel()]
    assert [a.get_xlabel() for a in visible] == ["lr", "k", "c"]


def test_posterior_band_stays_finite_where_the_warp_inverse_is_undefined():
    # skewed values (one bad value far above the rest, as a log loss of a diverged model)
    # fit a warp whose upper range is bounded; the +2 sd quantile leaves it along the slice
    from pyjl.bo import Optimizer

    rng = np.random.default_rng(5)
    opt = Optimizer(Space({"eta": Real(1e-3, 0.5, log=True)}), n_initial=3, seed=0)
    for x in [0.0016, 0.05, 0.2, 0.22, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]:
        opt.tell({"eta": x}, 0.08 + 0.02 * rng.random() + (0.5 if x < 0.01 else 0.0))
    fig = plots.posterior_1d(opt, "eta", n_grid=200)
    top, bottom = fig.axes
    warp = opt.output_warp
    values = np.array([t.value for t in opt.trials])
    U = np.linspace(0, 1, 200)[:, None]
    mu, sd = opt.surrogate().predict(U, return_std=True)
    assert np.max(mu + 2 * sd) >= warp.domain[1]  # the case this test is about
    verts = top.collections[0].get_paths()[0].vertices[:, 1]
    lower, upper = verts[1:201], verts[202:402][::-1]  # fill_between's outline
    span = np.ptp(values)
    for edge, q in ((lower, mu - 2 * sd), (upper, mu + 2 * sd)):
        assert np.all(np.isfinite(edge))
        assert values.min() - 3 * span <= edge.min() and edge.max() <= values.max() + 3 * span
        # where not clipped the edge is the quantile in the objective's units: the forward
        # warp (SciPy's Yeo-Johnson) gives the Gaussian quantile back
        inner = (edge > edge.min()) & (edge < edge.max())
        assert inner.sum() > 50
        np.testing.assert_allclose(warp(edge[inner]), q[inner], rtol=1e-7, atol=1e-9)
    labels = [t.get_text() for t in top.get_legend().get_texts()]
    assert any("clipped" in t for t in labels)
    nxt = [t.get_text() for t in bottom.get_legend().get_texts()][0]
    digits = nxt.split("next: ")[1].replace(".", "").lstrip("0")
    assert len(digits) <= 4 and float(nxt.split("next: ")[1]) > 0


def test_posterior_plot_of_a_study_with_extreme_values_is_finite():
    import warnings

    from pyjl.bo import Optimizer
    from pyjl.exceptions import NumericalWarning

    opt = Optimizer(Space({"x": Real(-1.0, 1.0)}), n_initial=3, seed=0)
    xs = np.linspace(-0.9, 0.9, 7)
    for x, v in zip(xs, [1.0, 0.5, 1e308, 0.2, -1e308, 0.3, 0.9]):
        opt.tell({"x": float(x)}, v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)
        fig = plots.posterior_1d(opt, "x", n_grid=60)
    top = fig.axes[0]
    band = top.collections[0].get_paths()[0].vertices[:, 1]
    dots = top.collections[1].get_offsets()[:, 1]
    assert np.all(np.isfinite(band)) and np.all(np.isfinite(dots))
    assert np.ptp(np.r_[band, dots]) < 1e6  # the ordinary values stay readable
    labels = [t.get_text() for t in top.get_legend().get_texts()]
    assert any("2 beyond" in t for t in labels)


def test_replay_proposes_as_the_study_it_copies(rng):
    """A replayed study carries every setting of the study it copies: its next point is
    the same one (n_candidates and pruned_as included)."""
    from pyjl.bo import Optimizer
    from pyjl.bo.posterior import replay

    space = Space({"x": Real(0.0, 1.0), "y": Real(-1.0, 1.0)})
    opt = Optimizer(space, seed=3, n_initial=4, n_candidates=64, pruned_as="mean")
    for _ in range(6):
        p = opt.ask()
        opt.tell(p, (p["x"] - 0.3) ** 2 + p["y"] ** 2 + 0.01 * rng.standard_normal())
    copy = replay(space, opt.seed, opt.trials, like=opt)
    assert (copy.n_candidates, copy.pruned_as) == (64, "mean")
    assert copy.ask() == opt.ask()


def test_convergence_of_studies_without_trials_or_with_only_failures_draws_quietly():
    # comparing seeds before any trial has run raised "not enough values to unpack";
    # all-failed studies leaked NumPy's "All-NaN slice" warning
    def empty():
        return Optimizer(SPACE, seed=0)

    failed = empty()
    for _ in range(3):
        failed.tell_failed(failed.ask(), "diverged")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plots.convergence({"seeds": [empty(), empty()]}).axes[0].get_lines() == []
        line = plots.convergence({"failed": [failed, failed]}).axes[0].get_lines()[0]
    assert np.isnan(line.get_ydata()).all()  # no completed trial: nothing below NaN


def test_posterior_1d_takes_a_result_as_the_other_plots_do(res):
    a = plots.posterior_1d(res, "lr", n_grid=30).axes[0].get_lines()[0].get_ydata()
    b = plots.posterior_1d(res.optimizer, "lr", n_grid=30).axes[0].get_lines()[0].get_ydata()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(InputError, match="`opt` must be an Optimizer or a Result"):
        plots.posterior_1d(3, "lr")
