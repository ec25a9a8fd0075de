"""``run_demo``: the three demos in a row, their plots and one report (``pyjl demo``)."""

from __future__ import annotations

import importlib.metadata
import sys
import time
from pathlib import Path

from .. import _validate
from ..engines import get_backend

__all__ = ["run_demo"]


def _need(module: str, extra: str = "demo") -> None:
    try:
        __import__(module)
    except ImportError:
        raise _validate.error(
            "pyjl demo",
            f"must find {module} installed",
            f"no module named {module!r}",
            f"pip install 'pyjl[{extra}]'",
        ) from None


def _versions(model: str) -> dict[str, str]:
    names = ["pyjl", "numpy", "scipy", "scikit-learn", "matplotlib"]
    names.append("xgboost-cpu" if model == "xgboost" else "xgboost")
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    if model == "xgboost" and not any(k.startswith("xgboost") for k in out):
        import xgboost

        out["xgboost"] = xgboost.__version__
    return out


def run_demo(
    out_dir="pyjl-demo",
    quick: bool = False,
    *,
    model: str = "auto",
    seed: int = 0,
    progress: bool = True,
    verbose: bool = True,
) -> Path:
    """Run the demo: tune gradient boosting, detect regimes with an HMM, filter a signal.

    1. :func:`pyjl.demo.tuning.run_tuning`: XGBoost (or scikit-learn's
       HistGradientBoostingClassifier) tuned by Bayesian optimisation, random search
       and grid search at the same budget; a table, the convergence plot and the
       GP posterior along eta.
    2. :func:`pyjl.demo.regimes.run_regimes`: an HMM with the built-in Normal and a
       user-defined Laplace emission decodes the regimes of a generated series.
    3. :func:`pyjl.demo.filtering.run_filtering`: elliptic design, zero-phase
       filtering, Welch spectra before/after, streaming equals one-shot.

    Everything runs on the current engine (``pyjl.get_backend()``).  Writes into
    ``out_dir``: ``report.md``, ``results.json``, ``tuning_convergence.png``,
    ``tuning_posterior_eta.png``, ``tuning_history.csv``, ``regimes.png``,
    ``regimes.npz``, ``filtering.png``, ``filtering.npz``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Created if missing (default ``./pyjl-demo``).
    quick : bool
        Smaller budgets and data (about a minute on two cores instead of two to three).
    model : {"auto", "xgboost", "sklearn"}
        The boosting implementation to tune; ``"auto"`` uses XGBoost when installed.
    seed : int
        Seeds every random choice; equal seeds give equal results.
    progress : bool
        tqdm progress bars.
    verbose : bool
        Print each part's headline and where the files are.

    Returns
    -------
    pathlib.Path
        The path of ``report.md``.

    Examples
    --------
    >>> import tempfile
    >>> report = run_demo(tempfile.mkdtemp(), quick=True, progress=False)  # doctest: +SKIP
    >>> report.name                                                           # doctest: +SKIP
    'report.md'
    """
    for module in ("matplotlib", "sklearn"):
        _need(module)
    from .filtering import run_filtering
    from .models import resolve_model
    from .regimes import run_regimes
    from .report import tuning_table, write_report, write_results
    from .tuning import run_tuning

    model = resolve_model(model)
    if isinstance(out_dir, str) and not out_dir.strip():
        # Path("") is the working directory: an unset shell variable would scatter the files there
        raise _validate.error(
            "out_dir",
            "must name a folder",
            repr(out_dir),
            "pass a folder for the report and plots, e.g. --out demo_out (--out . for here)",
        )
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise _validate.error(
            "out_dir",
            "must be a folder (or a path where one can be made)",
            f"{str(out)!r}, an existing file",
            "pass a folder for the report and plots, e.g. --out demo_out",
        )
    out.mkdir(parents=True, exist_ok=True)
    engine = get_backend()
    say = print if verbose else (lambda *a, **k: None)
    t0 = time.perf_counter()
    say(f"pyjl demo ({'quick' if quick else 'full'}, engine {engine!r}) -> {out.resolve()}")

    say(
        f"[1/3] tuning {'XGBoost' if model == 'xgboost' else 'HistGradientBoosting'}: "
        "Bayesian optimisation vs random vs grid search",
        flush=True,
    )
    tuning = run_tuning(out, quick=quick, model=model, seed=seed, progress=progress)
    say(tuning_table(tuning.table))

    say(
        "[2/3] regime detection with an HMM (Normal and a user-defined Laplace emission)",
        flush=True,
    )
    regimes = run_regimes(out, quick=quick, seed=seed, progress=progress)
    for r in regimes.rows:
        say(
            f"  {r['emission']:<8} agreement with the true regimes {100 * r['agreement']:.2f} %"
            f", log-likelihood {r['loglik']:.1f}"
        )

    say("[3/3] filtering a noisy multi-tone signal", flush=True)
    filtering = run_filtering(out, quick=quick, seed=seed, progress=progress)
    say(
        f"  order-{filtering.order} elliptic low-pass, zero phase: stop-band tones "
        + ", ".join(
            f"{f:g} Hz -{a:.1f} dB" for f, a in filtering.tone_attenuation.items() if f > 200
        )
        + f"; streaming vs one-shot max diff "
        f"{filtering.stream_max_abs_diff:.2g}"
    )

    seconds = time.perf_counter() - t0
    versions = _versions(model)
    results = {
        "engine": engine,
        "quick": quick,
        "seed": seed,
        "seconds": seconds,
        "versions": versions,
        "tuning": {
            "model": tuning.model,
            "budget": tuning.budget,
            "n_initial": tuning.n_initial,
            "seconds": tuning.seconds,
            "table": tuning.table,
            "figures": tuning.figures,
        },
        "regimes": {
            "n": len(regimes.x),
            "rows": regimes.rows,
            "seconds": regimes.seconds,
            "figure": regimes.figure,
        },
        "filtering": {
            "order": filtering.order,
            "n": filtering.n_samples,
            "tone_attenuation_db": filtering.tone_attenuation,
            "designed_attenuation_db": filtering.designed_attenuation,
            "stopband_attenuation_db": filtering.stopband_attenuation,
            "passband_change_db": filtering.passband_change,
            "stream_max_abs_diff": filtering.stream_max_abs_diff,
            "n_chunks": filtering.n_chunks,
            "seconds": filtering.seconds,
            "figure": filtering.figure,
        },
    }
    write_results(out / "results.json", results)
    report = write_report(
        out / "report.md",
        engine=engine,
        quick=quick,
        seconds=seconds,
        tuning=tuning,
        regimes=regimes,
        filtering=filtering,
        versions=versions,
    )
    say(f"done in {seconds:.1f} s. Report: {report.resolve()}")
    say("plots: " + ", ".join(str(p.name) for p in sorted(out.glob("*.png"))))
    sys.stdout.flush()
    return report
