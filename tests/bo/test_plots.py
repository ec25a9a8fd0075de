"""Plots render (Agg) and show what they claim: the posterior band, the acquisition and its
maximiser, best-so-far curves, one panel per parameter."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from pyjl.bo import Categorical, Integer, Real, Space, minimize, plots, random_search  # noqa: E402
from pyjl.exceptions import InputError  # noqa: E402

SPACE = Space({"lr": Real(1e-3, 1.0, log=True), "k": Integer(1, 6),
               "c": Categorical(["a", "b", "c"])})


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
    assert len(top.collections[1].get_offsets()) == 14          # every observation


def test_posterior_1d_categorical_and_integer(res):
    fig = plots.posterior_1d(res.optimizer, "c")
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["a", "b", "c"]
    plots.posterior_1d(res.optimizer, "k")
    with pytest.raises(InputError, match="'zz'"):
        plots.posterior_1d(res.optimizer, "zz")


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
