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
from .direction import sign
from .history import param_columns
from .optimizer import Optimizer
from .posterior import N_GRID_MAX, PosteriorLine, _window, check_name, posterior_line, replay
from .space import Categorical
from .trial import TrialState

__all__ = ["posterior_1d", "animate", "convergence", "history", "N_GRID_MAX"]


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


def posterior_1d(opt, name: str, n_grid: int = 200, fig=None):
    """Posterior ± 2σ and acquisition of ``opt`` (an Optimizer, or a Result of
    :func:`~pyjl.bo.minimize`, as the other plots take) along parameter ``name``, the other
    parameters at the best point, at ``n_grid`` points (1 to 100,000) of its range; in the
    objective's units (through the inverse output warp, where the posterior mean becomes
    the posterior median). The numbers are :func:`pyjl.bo.posterior.posterior_line`'s.

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
    line = posterior_line(_optimizer(opt, "opt"), name, n_grid)
    plt = _plt()
    if fig is None:
        fig = plt.figure(figsize=(7, 5))
    ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    _draw(ax1, ax2, line)
    fig.tight_layout()
    return fig


def _draw(ax1, ax2, line: PosteriorLine, title: str | None = None) -> None:
    """Draw ``line``: the posterior and observations on ``ax1``, the acquisition on ``ax2``."""
    lo, mid, hi, xs, a = line.lower, line.centre, line.upper, line.x, line.acquisition
    shown = f"{_fmt(line.window[0])} .. {_fmt(line.window[1])}"
    band_label = "± 2σ" + (f" (clipped to {shown})" if line.clipped else "")
    if line.labels is not None:
        ax1.errorbar(
            xs,
            mid,
            yerr=[mid - lo, hi - mid],
            fmt="o",
            color="C0",
            capsize=4,
            label=f"{line.centre_name} {band_label}",
        )
        ax2.bar(xs, a, color="C2")
        ax2.set_xticks(xs, line.labels)
    else:
        ax1.plot(xs, mid, color="C0", label=line.centre_name)
        ax1.fill_between(xs, lo, hi, color="C0", alpha=0.2, label=band_label)
        ax2.plot(xs, a, color="C2")
        ax2.fill_between(xs, a.min(), a, color="C2", alpha=0.2)
        if line.log:
            ax1.set_xscale("log")
    outside = line.n_outside
    ax1.scatter(
        line.obs_x,
        line.obs_y,
        color="k",
        s=18,
        zorder=3,
        label="observations"
        + (f" ({outside} beyond {shown}, drawn at its edge)" if outside else ""),
    )
    j = line.next_index
    ax2.axvline(xs[j], color="C3", ls="--")
    ax2.plot([xs[j]], [a[j]], "v", color="C3", label=f"next: {_fmt(line.next)}")
    ax1.set_ylabel("objective")
    ax1.set_title(
        title or f"GP posterior along {line.name!r} (other parameters at the best point)"
    )
    ax1.legend(loc="best", fontsize="small")
    ax2.set_ylabel(line.acquisition_name)
    ax2.set_xlabel(line.name + (" (integer)" if line.kind == "integer" else ""))
    ax2.legend(loc="best", fontsize="small")


def _optimizer(obj, name: str) -> Optimizer:
    """The Optimizer of ``obj`` (an Optimizer, or a Result's); ``name`` labels a refusal."""
    opt = obj if isinstance(obj, Optimizer) else getattr(obj, "optimizer", None)
    if not isinstance(opt, Optimizer):
        raise _validate.error(
            name,
            "must be an Optimizer or a Result (of minimize, random_search or grid_search)",
            _validate.describe(obj),
            "pass what minimize returned, or the Optimizer",
        )
    return opt


def animate(opt_or_result, name: str, path, *, fps: int = 2, n_grid: int = 200):
    """Write an animation of the search along parameter ``name``, in the style of MOE:
    one frame per trial, from the first trial after which 2 trials are complete (so
    ``n_trials - k + 1`` frames when the ``k``-th trial is the second completed one).

    Frame ``k`` shows the study after trial ``k``: the posterior (median) ± 2σ along
    ``name`` with the other parameters at the best point so far, the completed trials,
    the acquisition with its maximiser on the line, and the trial asked next (a red
    line). The surrogate is refitted on the trials up to ``k`` with the optimizer's
    settings (:func:`pyjl.bo.posterior.replay`; the study's storage is only read); the
    objective axis is the same in every frame.

    Parameters
    ----------
    opt_or_result : Optimizer or Result
        The study (a Result of :func:`~pyjl.bo.minimize` and co., or its optimizer).
    name : str
        The parameter along which to draw.
    path : str or path-like
        Where to write: ``.gif`` (Pillow, which matplotlib brings) or ``.mp4`` (needs
        ``ffmpeg`` on ``PATH``).
    fps : int, default 2
        Frames per second, 1 to 60.
    n_grid : int, default 200
        Points along the parameter's range (1 to 100,000).

    Returns
    -------
    int
        The number of frames written.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from pyjl.bo import Real, Space, minimize, plots
    >>> res = minimize(lambda p: (p["x"] - 0.5) ** 2, Space({"x": Real(-2.0, 2.0)}),
    ...                n_calls=5, n_initial=3, seed=0, progress=False)
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "search.gif")
    >>> plots.animate(res, "x", path, n_grid=30)
    4
    """
    import os
    import shutil

    opt = _optimizer(opt_or_result, "opt_or_result")
    check_name(opt.space, name)
    fps = _validate.integer(fps, "fps", low=1, high=60)
    n_grid = _validate.integer(n_grid, "n_grid", low=1, high=N_GRID_MAX)
    if not isinstance(path, (str, os.PathLike)):
        raise _validate.error(
            "path", "must be a file path", _validate.describe(path), "pass e.g. 'search.gif'"
        )
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in (".gif", ".mp4"):
        raise _validate.error(
            "path",
            "must end in .gif or .mp4",
            repr(path),
            "name the file e.g. 'search.gif'",
        )
    if suffix == ".mp4" and shutil.which("ffmpeg") is None:
        raise _validate.error(
            "path",
            "must end in .gif where ffmpeg is not on PATH (an .mp4 needs it)",
            repr(path),
            "install ffmpeg, or write a .gif",
        )
    trials = sorted(opt.trials, key=lambda t: t.number)
    complete = np.cumsum([t.state == TrialState.COMPLETE for t in trials])
    frames = [k for k in range(len(trials)) if complete[k] >= 2]
    if not frames:
        raise _validate.error(
            "opt_or_result",
            "must hold at least 2 completed trials (the surrogate needs them)",
            f"{int(complete[-1]) if trials else 0}",
            "animate a study with more completed trials",
        )
    plt = _plt()
    from matplotlib import animation

    writer = (
        animation.PillowWriter(fps=fps) if suffix == ".gif" else animation.FFMpegWriter(fps=fps)
    )
    ylim = _window(np.array([t.value for t in trials if t.state == TrialState.COMPLETE]))
    fig = plt.figure(figsize=(7, 5))
    try:
        with writer.saving(fig, path, dpi=80):
            for k in frames:
                fig.clear()
                ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
                snapshot = replay(opt.space, opt.seed, trials[: k + 1], like=opt)
                line = posterior_line(snapshot, name, n_grid)
                _draw(ax1, ax2, line, f"{name!r} after trial {k} ({complete[k]} completed)")
                if k + 1 < len(trials):
                    x_next = trials[k + 1].params[name]
                    dim = opt.space.dimensions[name]
                    if isinstance(dim, Categorical):  # the choice's position, not its text
                        x_next = dim.index(x_next)
                    ax1.axvline(x_next, color="C3", lw=1.5, label=f"trial {k + 1} (asked next)")
                    ax1.legend(loc="best", fontsize="small")
                ax1.set_ylim(*ylim)
                fig.tight_layout()
                writer.grab_frame()
    finally:
        plt.close(fig)
    return len(frames)


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
    """``(history frame, sign)`` of each study of one entry of :func:`convergence`'s
    ``results`` (sign: :func:`~pyjl.bo.direction.sign` of the study's direction)."""
    runs = list(res) if isinstance(res, (list, tuple)) else [res]
    if not runs:
        raise _validate.error(
            name,
            "must be a Result or a non-empty list of them",
            "[]",
            "drop the entry or give it results",
        )
    return [(_study(r, name)[0], sign(r.direction)) for r in runs]


def convergence(results: Mapping[str, object], optimum: float | None = None, ax=None):
    """Best-so-far against evaluations for ``{label: Result (or Optimizer) | [Result, ...]}``;
    a list is drawn as its median with the 25–75 % band.  With ``optimum``, the regret:
    best so far minus the optimum (the optimum minus the best so far for a study with
    ``direction="maximize"``).

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
        for h, s in runs:
            h = h.sort_values("number")
            c = h["best_so_far"].to_numpy(dtype=float)
            curves.append(c if optimum is None else s * (c - optimum))
        n = max(len(c) for c in curves)
        if n == 0:  # no trial yet in any of them: nothing to draw
            continue
        M = np.full((len(curves), n), np.nan)
        for k, c in enumerate(curves):
            M[k, : len(c)] = c
            M[k, len(c) :] = c[-1] if len(c) else np.nan
        if optimum is not None:
            M = np.maximum(M, 1e-12)
        x = np.arange(1, n + 1)
        med, lo, hi = np.full((3, n), np.nan)  # NaN before a first completed trial
        ok = np.isfinite(M).any(axis=0)
        if ok.any():
            med[ok] = np.nanmedian(M[:, ok], axis=0)
            lo[ok], hi[ok] = np.nanpercentile(M[:, ok], [25, 75], axis=0)
        ax.plot(x, med, color=f"C{i}", label=label)
        if len(curves) > 1:
            ax.fill_between(x, lo, hi, color=f"C{i}", alpha=0.2)
    if optimum is not None:
        ax.set_yscale("log")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("regret (gap of the best so far to the optimum)" if optimum else "best so far")
    if ax.get_legend_handles_labels()[0]:  # empty studies draw no line
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
    columns = param_columns(space)
    for ax, name in zip(axes.ravel(), space.names):
        dim = space.dimensions[name]
        x = h[columns[name]]
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
