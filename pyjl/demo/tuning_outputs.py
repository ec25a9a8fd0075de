"""What demo part 1 writes: every trial as CSV, the convergence plot, the surrogate along
``eta`` and its animation.
"""

from __future__ import annotations

from pathlib import Path

from ..bo import Result, plots

__all__ = ["write_outputs"]


def write_outputs(results: dict[str, Result], model: str, budget: int, out: Path) -> dict:
    """Write ``tuning_history.csv``, ``tuning_convergence.png``,
    ``tuning_posterior_eta.png`` and ``tuning_animation_eta.gif`` into ``out``.

    Parameters
    ----------
    results : dict
        ``{"bayesian": Result, "random": Result, "grid": Result}``; the Bayesian one
        carries its optimizer (the surrogate plots read it).
    model : {"xgboost", "sklearn"}
        Names the model in the convergence plot's title.
    budget : int
        Evaluations per method, for the title.
    out : pathlib.Path
        An existing directory.

    Returns
    -------
    dict
        ``{name: Path}`` of the figures written (``convergence``, ``posterior_eta``,
        ``animation_eta``).
    """
    import pandas as pd
    from matplotlib.figure import Figure

    frames = []
    for method, res in results.items():
        h = res.history.copy()
        h.insert(0, "method", method)
        frames.append(h)
    pd.concat(frames, ignore_index=True).to_csv(out / "tuning_history.csv", index=False)
    figures = {}
    fig = Figure(figsize=(6.5, 4.2))
    ax = fig.subplots()
    plots.convergence(
        {
            "Bayesian optimisation": results["bayesian"],
            "random search": results["random"],
            "grid search": results["grid"],
        },
        ax=ax,
    )
    ax.set_yscale("log")
    ax.set_ylabel("best CV log loss so far (log scale)")
    ax.set_title(
        f"{'XGBoost' if model == 'xgboost' else 'HistGradientBoosting'} on "
        f"breast cancer: {budget} evaluations each"
    )
    fig.tight_layout()
    figures["convergence"] = out / "tuning_convergence.png"
    fig.savefig(figures["convergence"], dpi=110)
    fig = Figure(figsize=(7, 5))
    plots.posterior_1d(results["bayesian"].optimizer, "eta", fig=fig)
    figures["posterior_eta"] = out / "tuning_posterior_eta.png"
    fig.savefig(figures["posterior_eta"], dpi=110)
    figures["animation_eta"] = out / "tuning_animation_eta.gif"
    plots.animate(results["bayesian"].optimizer, "eta", figures["animation_eta"], fps=2)
    return figures
