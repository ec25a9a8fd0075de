"""Demo reporting: the Markdown report, the JSON results and the console table."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np

from .models import N_ESTIMATORS
from .tuning import N_FOLDS

__all__ = ["tuning_table", "write_report", "write_results"]

_LABELS = {"bayesian": "Bayesian optimisation", "random": "random search", "grid": "grid search"}


def tuning_table(rows: list[dict]) -> str:
    """A Markdown table of the tuning methods (also fine as console text).

    Parameters
    ----------
    rows : list of dict
        ``TuningResult.table`` rows (``method, n_evals, best_cv_logloss, evals_to_best,
        test_accuracy, test_logloss``, and ``n_pruned, rounds_saved`` where pruned).

    Returns
    -------
    str

    Examples
    --------
    >>> table = tuning_table([{"method": "random", "n_evals": 12, "best_cv_logloss": 0.1234567,
    ...                        "evals_to_best": 7, "test_accuracy": 0.958, "test_logloss": 0.11}])
    >>> print(table.splitlines()[-1])
    | random search | 12 | 0.1235 | 7 | 0.958 | 0.1100 | 0 | 0 |
    """
    lines = [
        "| method | evaluations | best CV log loss | evaluations to reach it | "
        "test accuracy | test log loss | pruned | boosting rounds saved |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {_LABELS.get(r['method'], r['method'])} | {r['n_evals']} | "
            f"{r['best_cv_logloss']:.4f} | {r['evals_to_best']} | "
            f"{r['test_accuracy']:.3f} | {r['test_logloss']:.4f} | "
            f"{r.get('n_pruned', 0)} | {r.get('rounds_saved', 0)} |"
        )
    return "\n".join(lines)


def _params(p: dict) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in p.items())


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, Path):
        return obj.name
    return obj


def write_results(path, payload: dict) -> Path:
    """Write ``payload`` as JSON (NumPy scalars and paths converted).

    Examples
    --------
    >>> import tempfile, os, numpy as np
    >>> p = write_results(os.path.join(tempfile.mkdtemp(), "r.json"), {"a": np.float64(1.5)})
    >>> p.read_text()
    '{\\n  "a": 1.5\\n}'
    """
    path = Path(path)
    path.write_text(json.dumps(_jsonable(payload), indent=2))
    return path


def write_report(
    path,
    *,
    engine: str,
    quick: bool,
    seconds: float,
    tuning,
    regimes,
    filtering,
    versions: dict[str, str],
) -> Path:
    """Write the demo's ``report.md`` (numbers, tables, the user's emission, the plots).

    Parameters
    ----------
    path : str or pathlib.Path
    engine : str
        The engine the kernels ran on.
    quick : bool
    seconds : float
        Wall time of the whole demo.
    tuning, regimes, filtering
        :class:`~pyjl.demo.tuning.TuningResult`, :class:`~pyjl.demo.regimes.RegimeResult`,
        :class:`~pyjl.demo.filtering.FilterResult`.
    versions : dict
        Package -> version, for the header.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> # written by pyjl.demo.run_demo; see its example
    """
    path = Path(path)
    model = (
        "XGBoost (`xgboost.XGBClassifier`)"
        if tuning.model == "xgboost"
        else "scikit-learn `HistGradientBoostingClassifier` (XGBoost is not installed)"
    )
    bo = next(r for r in tuning.table if r["method"] == "bayesian")
    lines = [
        "# pyjl demo report",
        "",
        f"Engine: **{engine}**; mode: {'quick' if quick else 'full'}; total time "
        f"{seconds:.1f} s; Python {platform.python_version()} on {platform.machine()}; "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + ".",
        "",
        "## 1. Tuning gradient boosting: Bayesian optimisation vs random vs grid search",
        "",
        f"Model: {model}, {N_ESTIMATORS} trees. Objective: 3-fold stratified cross-validated log "
        "loss (lower is better) on 75 % of scikit-learn's breast-cancer data; the other "
        "25 % is held out for the test columns. Six hyperparameters: eta (log), max_depth, "
        "min_child_weight (log), subsample, colsample_bytree, gamma. Each method had "
        f"**{tuning.budget} evaluations** ({tuning.seconds:.1f} s for all three); the "
        f"Bayesian optimisation began with {tuning.n_initial} random points, then a GP "
        "(Matérn 5/2) and expected improvement chose the rest.",
        "",
        "The Bayesian optimisation is `pyjl.bo.BayesSearchCV` (scoring `neg_log_loss`, the "
        "same folds) with a `MedianPruner`: after each fold a candidate reports its running "
        "mean log loss and stops when that is worse than the median of the completed "
        f"candidates after the same fold. Of its {bo['n_evals']} candidates, "
        f"{bo['n_complete']} ran every fold and {bo.get('n_pruned', 0)} were pruned, "
        f"skipping {bo.get('folds_skipped', 0)} of {bo['n_evals'] * N_FOLDS} fold fits: "
        f"{bo.get('rounds_saved', 0)} boosting rounds saved ({N_ESTIMATORS} per fit). A "
        "pruned candidate never counts as the best.",
        "",
        tuning_table(tuning.table),
        "",
        f"Best by Bayesian optimisation: {_params(bo['best_params'])}.",
        "",
        "![convergence](tuning_convergence.png)",
        "",
        "The GP surrogate of the Bayesian optimisation along eta (other parameters at the "
        "best point) and the expected improvement:",
        "",
        "![posterior along eta](tuning_posterior_eta.png)",
        "",
        "The same, trial by trial as the search learned (one frame per trial):",
        "",
        "![the search along eta, trial by trial](tuning_animation_eta.gif)",
        "",
        "Every trial: `tuning_history.csv`.",
        "",
        "## 2. Regime detection with an HMM and a user-defined emission",
        "",
        f"A {len(regimes.x)}-step series from a known 3-regime Markov chain "
        "(calm / rally / sell-off, Student-t noise). Two 3-state HMMs fitted by Baum-Welch; "
        f"regimes decoded by Viterbi ({regimes.seconds:.1f} s).",
        "",
        "| emission | agreement with the true regimes | log-likelihood | BIC | EM iterations |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in regimes.rows:
        lines.append(
            f"| {r['emission']} | {100 * r['agreement']:.2f} % | {r['loglik']:.1f} | "
            f"{r['bic']:.1f} | {r['n_iter']} |"
        )
    lines += [
        "",
        "The Laplace emission is the user's own: it implements the `Emission` "
        "protocol and plugs into `HMM` unchanged:",
        "",
        "```python",
        regimes.emission_source.rstrip(),
        "```",
        "",
        "![regimes](regimes.png)",
        "",
        "## 3. Filtering a noisy multi-tone signal",
        "",
    ]
    fr = filtering
    lines += [
        f"{fr.n_samples} samples at 1 kHz: tones at 50 and 120 Hz (kept) and 300 and 420 Hz "
        "(removed) in white noise. Elliptic low-pass designed for ≤ 0.5 dB ripple to 150 Hz "
        f"and ≥ 60 dB attenuation from 200 Hz (order {fr.order}), applied forward-backward "
        f"(`sosfiltfilt`, zero phase, ≥ 120 dB in the stop band) ({fr.seconds:.1f} s).",
        "",
        "| tone (Hz) | measured attenuation (Welch, dB) | designed (dB) |",
        "|---:|---:|---:|",
    ]
    for freq, att in fr.tone_attenuation.items():
        lines.append(f"| {freq:g} | {att:.2f} | {fr.designed_attenuation[freq]:.2f} |")
    lines += [
        "",
        f"Whole stop band (≥ 200 Hz) power attenuation: {fr.stopband_attenuation:.1f} dB; "
        f"largest change at a pass-band tone: {fr.passband_change:.3f} dB.",
        "",
        f"Streaming: the one-pass filter run as `SosFilter.process` over {fr.n_chunks} uneven "
        f"chunks differs from one-shot `sosfilt` by at most {fr.stream_max_abs_diff:.3g}.",
        "",
        "![filtering](filtering.png)",
        "",
    ]
    path.write_text("\n".join(lines))
    return path
