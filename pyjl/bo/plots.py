"""Plots of a study (matplotlib, imported when a plot is drawn).

* :func:`posterior_1d`: in the style of MOE's figures — top, the GP posterior
  mean ± 2σ along one parameter (the others held at the best point) with the
  observations; bottom, the acquisition along the same line with its maximiser
  (the next point) marked.
* :func:`convergence`: best value so far against the number of evaluations, one
  line per result (e.g. BO vs random vs grid); with ``optimum`` the regret on a
  log scale.
* :func:`history`: the value of each completed trial against each parameter.

Each returns the matplotlib ``Figure``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import _validate
from .optimizer import Optimizer
from .space import Categorical, Integer
from .surrogate import model_values

__all__ = ["posterior_1d", "convergence", "history"]

#: the most points :func:`posterior_1d` evaluates the posterior at
N_GRID_MAX = 100_000


def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise _validate.error(
            "matplotlib",
            "must be installed to draw plots",
            f"ImportError: {exc}",
            "pip install 'pyjl[plot]'",
        ) from None
    return plt


def _fmt(value) -> str:
    """A parameter or objective value for a label: floats to 4 significant digits."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value)


def _window(values) -> tuple[float, float]:
    """The observed values' range widened by its width on both sides; values far from
    the rest (±1e308, say) count as the surrogate sees them (:func:`model_values`)."""
    seen = model_values(values)[0] if values.size else np.zeros(1)
    low, high = float(np.min(seen)), float(np.max(seen))
    width = high - low if high > low else max(abs(high), 1.0)
    return low - width, high + width


def _band(opt, mu, sd, values):
    """``((lo, mid, hi), window, cut)``: the posterior median and ± 2σ band in the
    objective's units, each clipped to ``window`` (:func:`_window`); ``cut`` says whether
    anything was clipped.

    Through the inverse output warp a Gaussian quantile outside the warp's
    :attr:`~pyjl.bo.surrogate.OutputWarp.domain` has no finite objective value (the band
    is unbounded there) and one near its edge an astronomically large one; both are drawn
    at the window's edge instead."""
    lo_t, mid_t, hi_t = mu - 2 * sd, mu, mu + 2 * sd
    window = _window(values)
    warp = opt.output_warp
    out = []
    for q in (lo_t, mid_t, hi_t):
        v = np.asarray(opt.to_objective(q), dtype=float)
        if warp is not None:
            below, above = warp.domain
            v = np.where(q <= below, -np.inf, np.where(q >= above, np.inf, v))
        out.append(v)
    cut = any(bool(np.any((v < window[0]) | (v > window[1]))) for v in out)
    return [np.clip(v, *window) for v in out], window, cut


def posterior_1d(opt, name: str, n_grid: int = 200, fig=None):
    """Posterior ± 2σ and acquisition of ``opt`` along parameter ``name``, the other
    parameters at the best point, at ``n_grid`` points (1 to 100,000) of its range; in the
    objective's units (through the inverse output warp, where the posterior mean becomes
    the posterior median).

    The curves are clipped to the observed values' range widened by its width on each
    side, and the legend says so when that happened: through a fitted output warp the
    upper (or lower) quantile can lie beyond the warp's range, where the objective
    value would be infinite, or so near its edge that it is astronomically large.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from pyjl.bo import Optimizer, Real, Space, plots
    >>> opt = Optimizer(Space({"x": Real(-2.0, 2.0)}), n_initial=3, seed=0)
    >>> for _ in range(4):
    ...     p = opt.ask()
    ...     _ = opt.tell(p, (p["x"] - 0.5) ** 2)
    >>> fig = plots.posterior_1d(opt, "x", n_grid=50)
    >>> type(fig).__name__
    'Figure'
    """
    if not isinstance(opt, Optimizer):
        raise _validate.error(
            "opt",
            "must be an Optimizer",
            _validate.describe(opt),
            "pass the Optimizer, e.g. a minimize result's .optimizer",
        )
    space = opt.space
    if not isinstance(name, str) or name not in space.dimensions:
        raise _validate.error(
            "name",
            f"must be a parameter of the space, one of {space.names}",
            _validate.describe(name),
            "pass one of the parameter names",
        )
    n_grid = _validate.integer(n_grid, "n_grid", low=1, high=N_GRID_MAX)
    done = [t for t in opt.trials if t.state == "complete"]
    if len(done) < 2:
        raise _validate.error(
            "opt",
            "must hold at least 2 completed trials (the surrogate needs them)",
            f"{len(done)}",
            "tell more values before plotting",
        )
    plt = _plt()
    gp = opt.surrogate()
    acq = opt.acquisition_function(gp)
    best_params, _ = opt.best
    assert best_params is not None  # 2 completed trials: there is a best
    base = space.round(space.encode(best_params)[None, :])[0]
    dim, s = space.dimensions[name], space.slices[name]
    if isinstance(dim, Categorical):
        labels = list(dim.choices)
        U = np.repeat(base[None, :], len(labels), axis=0)
        U[:, s] = np.eye(len(labels))
        xs = np.arange(len(labels), dtype=float)
    else:
        t = np.linspace(0.0, 1.0, n_grid)
        U = np.repeat(base[None, :], n_grid, axis=0)
        U[:, s.start] = t
        U = space.round(U)
        xs = np.array([space.decode(u)[name] for u in U], dtype=float)
    mu, sd = gp.predict(U, return_std=True)
    mu, sd = np.asarray(mu).reshape(-1), np.asarray(sd).reshape(-1)
    values = np.array([t.value for t in done], dtype=float)
    (lo, mid, hi), window, cut = _band(opt, mu, sd, values)
    centre = "posterior mean" if opt.output_warp is None else "posterior median"
    shown = f"{_fmt(window[0])} .. {_fmt(window[1])}"
    band_label = "± 2σ" + (f" (clipped to {shown})" if cut else "")
    outside = int(np.sum((values < window[0]) | (values > window[1])))
    a = np.asarray(acq(U)).reshape(-1)
    if fig is None:
        fig = plt.figure(figsize=(7, 5))
    ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    obs_x = [t.params[name] for t in done]
    if isinstance(dim, Categorical):
        obs_x = [labels.index(v) for v in obs_x]
        ax1.errorbar(
            xs,
            mid,
            yerr=[mid - lo, hi - mid],
            fmt="o",
            color="C0",
            capsize=4,
            label=f"{centre} {band_label}",
        )
        ax2.bar(xs, a, color="C2")
        ax2.set_xticks(xs, [str(c) for c in labels])
    else:
        ax1.plot(xs, mid, color="C0", label=centre)
        ax1.fill_between(xs, lo, hi, color="C0", alpha=0.2, label=band_label)
        ax2.plot(xs, a, color="C2")
        ax2.fill_between(xs, a.min(), a, color="C2", alpha=0.2)
        if getattr(dim, "log", False):
            ax1.set_xscale("log")
    ax1.scatter(
        obs_x,
        np.clip(values, *window),
        color="k",
        s=18,
        zorder=3,
        label="observations"
        + (f" ({outside} beyond {shown}, drawn at its edge)" if outside else ""),
    )
    j = int(np.argmax(a))
    ax2.axvline(xs[j], color="C3", ls="--")
    ax2.plot([xs[j]], [a[j]], "v", color="C3", label=f"next: {_fmt(space.decode(U[j])[name])}")
    ax1.set_ylabel("objective")
    ax1.set_title(f"GP posterior along {name!r} (other parameters at the best point)")
    ax1.legend(loc="best", fontsize="small")
    ax2.set_ylabel(type(acq).__name__)
    ax2.set_xlabel(name + (" (integer)" if isinstance(dim, Integer) else ""))
    ax2.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def _study(res, name: str):
    """``(history frame, space)`` of a Result or an Optimizer; ``name`` labels a refusal."""
    if isinstance(res, Optimizer):
        return res.history(), res.space
    opt = getattr(res, "optimizer", None)
    if isinstance(opt, Optimizer) and hasattr(getattr(res, "history", None), "sort_values"):
        return res.history, opt.space
    raise _validate.error(
        name,
        "must be a Result (of minimize, random_search or grid_search) or an Optimizer",
        _validate.describe(res),
        "pass what minimize returned, or the Optimizer",
    )


def _runs(res, name: str) -> list:
    """The history frames of one entry of :func:`convergence`'s ``results``."""
    runs = list(res) if isinstance(res, (list, tuple)) else [res]
    if not runs:
        raise _validate.error(
            name,
            "must be a Result or a non-empty list of them",
            "[]",
            "drop the entry or give it results",
        )
    return [_study(r, name)[0] for r in runs]


def convergence(results: Mapping[str, object], optimum: float | None = None, ax=None):
    """Best-so-far against evaluations for ``{label: Result (or Optimizer) | [Result, ...]}``;
    a list is drawn as its median with the 25–75 % band.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from pyjl.bo import Real, Space, plots, random_search
    >>> res = random_search(lambda p: p["x"] ** 2, Space({"x": Real(-1.0, 1.0)}), n_calls=5,
    ...                     seed=0, progress=False)
    >>> fig = plots.convergence({"random": res}, optimum=0.0)
    >>> type(fig).__name__
    'Figure'
    """
    if not isinstance(results, Mapping) or not results:
        raise _validate.error(
            "results",
            "must be a non-empty dict {label: Result}",
            _validate.describe(results),
            "pass e.g. {'bo': result}",
        )
    if optimum is not None:
        optimum = _validate.real(optimum, "optimum", fix="pass the known optimal value, or None")
    frames = {label: _runs(res, f"results[{label!r}]") for label, res in results.items()}
    plt = _plt()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
    for i, (label, runs) in enumerate(frames.items()):
        curves = []
        for h in runs:
            h = h.sort_values("number")
            curves.append(h["best_so_far"].ffill().to_numpy(dtype=float))
        n = max(len(c) for c in curves)
        M = np.full((len(curves), n), np.nan)
        for k, c in enumerate(curves):
            M[k, : len(c)] = c
            M[k, len(c) :] = c[-1] if len(c) else np.nan
        if optimum is not None:
            M = np.maximum(M - optimum, 1e-12)
        x = np.arange(1, n + 1)
        with np.errstate(all="ignore"):
            med = np.nanmedian(M, axis=0)
        ax.plot(x, med, color=f"C{i}", label=label)
        if len(curves) > 1:
            lo, hi = np.nanpercentile(M, [25, 75], axis=0)
            ax.fill_between(x, lo, hi, color=f"C{i}", alpha=0.2)
    if optimum is not None:
        ax.set_yscale("log")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("regret (best so far − optimum)" if optimum is not None else "best so far")
    ax.legend(loc="best")
    return fig if fig is not None else ax.figure


def history(res, ncols: int = 3):
    """Scatter of value against each parameter for a Result or Optimizer.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from pyjl.bo import Real, Space, plots, random_search
    >>> res = random_search(lambda p: p["x"] ** 2, Space({"x": Real(-1.0, 1.0)}), n_calls=5,
    ...                     seed=0, progress=False)
    >>> type(plots.history(res)).__name__
    'Figure'
    """
    h, space = _study(res, "res")
    ncols = _validate.integer(ncols, "ncols", low=1)
    plt = _plt()
    h = h[h["state"] == "complete"]
    k = len(space.names)
    ncols = min(ncols, k)
    nrows = -(-k // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.8 * nrows), squeeze=False)
    for ax, name in zip(axes.ravel(), space.names):
        dim = space.dimensions[name]
        x = h[name]
        if isinstance(dim, Categorical):
            labels = [str(c) for c in dim.choices]
            x = x.map({c: i for i, c in enumerate(dim.choices)})
            ax.set_xticks(range(len(labels)), labels)
        sc = ax.scatter(x, h["value"], c=h["number"], cmap="viridis", s=16)
        if getattr(dim, "log", False):
            ax.set_xscale("log")
        ax.set_xlabel(name)
        ax.set_ylabel("value")
    for ax in axes.ravel()[k:]:
        ax.set_visible(False)
    fig.colorbar(sc, ax=axes.ravel().tolist(), label="trial number")
    return fig
