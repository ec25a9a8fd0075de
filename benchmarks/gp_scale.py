"""Large-n GP regression: pyjl's iterative solver against GPyTorch, on the same data.

``python -m benchmarks.gp_scale [--sizes 2000,20000] [--device cpu|cuda] [--out FILE.md]``
(or ``python -m benchmarks --only gp_scale``).

Data (:func:`benchmarks.gp_rows.data`): ``x ~ U[0, 1]^4``, ``y = sin(6 x . w) + 0.1 e``,
``y`` standardised by its training mean and std before either library sees it (GPyTorch
has no ``normalize_y``; pyjl gets the same standardised array with ``normalize_y=False``),
a fixed test set of 10,000 points; float64 on both sides.  Model on both sides:
Matérn-5/2 with 4 ARD lengthscales times a variance, learned Gaussian noise, zero mean,
all starting at GPyTorch's defaults (softplus(0) = ln 2).

* pyjl: ``GaussianProcess(..., solver="cg")``, ``fit(X, y, max_iter=steps)`` (the bounded
  BFGS of :mod:`pyjl.gp._trust`, L-BFGS-B for ``solver="cholesky"``; the row reports its
  likelihood+gradient *evaluations* and its iterations, which evaluations can exceed),
  ``log_marginal_likelihood()`` (the solver's estimate), ``predict(Xs, return_std=True)``.
* GPyTorch: its defaults -- ``ExactGP``, ``ScaleKernel(MaternKernel(nu=2.5,
  ard_num_dims=4))``, ``GaussianLikelihood``, Adam (lr 0.1), ``steps`` loss+backward steps
  (above ``max_cholesky_size`` = 800 points its loss and gradient are CG/Lanczos
  estimates, with the n x n kernel matrix held dense), then eval mode and
  ``fast_pred_var()``.

Per row, in a fresh process (:mod:`benchmarks.gp_rows`): fit time, peak resident memory
of the process, the log marginal likelihood per point at the final hyperparameters,
test RMSE (original units, noisy targets), and the first prediction of mean and
variance at 10,000 points (caches included; ``warm`` is a second call).  Sizes of at most
:data:`AGREE_MAX` also get the agreement table: CG against exact Cholesky (LML at the same
hyperparameters 1e-3 relative, fitted hyperparameters 5 %, predictive mean 1e-4 relative
to its largest value, variances 1 % pointwise).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.gp_rows import N_TEST  # noqa: E402

STEPS = 30
#: from this size on pyjl runs LARGE_STEPS optimiser iterations (time per step is reported)
LARGE = 100_000
LARGE_STEPS = 2
AGREE_MAX = 5_000
#: (name, the figure, the bound) of the agreement table
CHECKS = (
    ("log marginal likelihood, same hyperparameters", "lml_rel", 1e-3),
    ("fitted hyperparameters (max relative)", "hyper_rel", 0.05),
    ("predictive mean (largest difference / largest mean)", "mean_rel", 1e-4),
    ("predictive variance (max relative)", "var_rel", 0.01),
)
CPU_SIZES = (2000, 20000, 100_000)
GPU_SIZES = (20000, 100_000, 500_000)


def row(spec: str, timeout: float) -> dict:
    """One row (:mod:`benchmarks.gp_rows`) in a fresh process; a failure is a row saying so."""
    cmd = [sys.executable, "-m", "benchmarks.gp_rows", spec]
    lib = {"gpytorch": "GPyTorch"}.get(spec.split(":", 1)[0], spec.split(":", 1)[0])
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"library": lib, "skipped": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("ROW "):
            return json.loads(line[4:])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"library": lib, "skipped": f"failed (exit {proc.returncode}): {tail}"[:300]}


def _f(value, fmt: str = ".3g") -> str:
    return "" if value is None else format(value, fmt)


def results_table(rows: list[dict]) -> str:
    head = (
        "| library | solver | device | n | evaluations | fit s | s / evaluation | peak RSS MiB "
        "(after data) | device MiB | MLL / n | test RMSE | predict 10k s (warm) | note |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        if r.get("library") == "agree":
            continue
        if "skipped" in r:
            lines.append(
                f"| {r['library']} | | {r.get('device', '')} | {_f(r.get('n'), ',')} |"
                + " |" * 8
                + f" skipped: {r['skipped']} |"
            )
            continue
        info = r.get("solver_info") or {}
        extra = ", ".join(
            f"{k} {_f(v) if isinstance(v, float) else v}" for k, v in info.items() if k != "solver"
        )
        note = "; ".join(s for s in (extra, r.get("note", "")) if s)
        lines.append(
            f"| {r['library']} | {r['solver']} | {r['device']} | {r['n']:,} | "
            f"{r['evaluations']} | {_f(r['fit_s'])} | {_f(r['step_s'])} | "
            f"{r['peak_mb']:.0f} ({r['base_mb']:.0f}) | {_f(r.get('device_mb'), '.0f')} | "
            f"{r['mll_per_point']:.4f} ({r['mll_kind']}) | {r['rmse']:.4f} | "
            f"{_f(r['predict_s'])} ({_f(r['predict_warm_s'])}) | {note.replace('|', '/')} |"
        )
    return "\n".join(lines)


def agreement_table(r: dict) -> str:
    if "skipped" in r:
        return f"Agreement at n = {r.get('n')}: {r['skipped']}"
    lines = [
        f'Agreement at n = {r["n"]:,}: pyjl `solver="cg"` against `solver="cholesky"` '
        f"(exact LML {r['lml_exact']:.3f}, CG estimate {r['lml_cg']:.3f}; median relative "
        f"variance difference {r['var_rel_median']:.1e}; the CG fit "
        f"{r.get('evaluations_cg')} evaluations in {r.get('iterations_cg')} iterations, the "
        f"exact one {r.get('evaluations_exact')} in {r.get('iterations_exact')}).",
        "",
        "| quantity | CG vs exact | bound | pass |",
        "|---|---|---|---|",
    ]
    for name, key, bound in CHECKS:
        ok = "pass" if r[key] <= bound else "FAIL"
        lines.append(f"| {name} | {r[key]:.2e} | {bound:g} | {ok} |")
    return "\n".join(lines)


def measure(
    sizes,
    device: str = "cpu",
    steps: int = STEPS,
    n_test: int = N_TEST,
    peer: bool = True,
    peer_cap: float = 900.0,
    timeout: float = 3600.0,
    agree_steps: int = 0,
    large_steps: int = LARGE_STEPS,
    echo=print,
) -> tuple[list[dict], list[dict]]:
    """``(rows, agreements)`` for ``sizes``: pyjl (CG) and GPyTorch per size, and the
    CG-vs-Cholesky agreement for sizes up to :data:`AGREE_MAX` (CPU only;
    ``agree_steps`` 0: both fits to convergence)."""
    rows, agreements = [], []
    for n in sizes:
        k = steps if n < LARGE else min(steps, large_steps)
        specs = [f"pyjl:cg:{n}:{device}:{k}:{n_test}"]
        if peer:
            specs.append(f"gpytorch:default:{n}:{device}:{steps}:{n_test}:{peer_cap}")
        for spec in specs:
            r = row(spec, timeout)
            r.setdefault("n", n)
            r.setdefault("device", device)
            rows.append(r)
            echo(results_table([r]).splitlines()[-1])
        if n <= AGREE_MAX and device == "cpu":
            agreements.append(row(f"agree:cg:{n}:cpu:{agree_steps}:{n_test}", timeout))
            echo(agreement_table(agreements[-1]))
    return rows, agreements


def markdown(rows: list[dict], agreements: list[dict], command: str) -> str:
    import importlib.metadata as md

    from benchmarks.__main__ import header

    head = header()
    try:
        head = head.rstrip(".") + f", gpytorch {md.version('gpytorch')}."
    except md.PackageNotFoundError:
        pass
    text = [head, "", f"Command: `{command}`", "", results_table(rows), ""]
    for a in agreements:
        text += [agreement_table(a), ""]
    return "\n".join(text)


def run(quick: bool = False) -> list[dict]:
    """Rows of :data:`benchmarks.COLUMNS` for ``python -m benchmarks --only gp_scale``."""
    rows, agreements = measure((1000,) if quick else (2000, 20000), steps=10 if quick else STEPS)
    out = []
    by_n: dict[int, dict[str, dict]] = {}
    for r in rows:
        by_n.setdefault(r["n"], {})[r["library"]] = r
    for n, pair in by_n.items():
        ours, peer = pair.get("pyjl", {}), pair.get("GPyTorch", {})
        for what, key in (("fit", "fit_s"), ("predict mean+var 10k", "predict_s")):
            a, b = ours.get(key), peer.get(key)
            note = (
                f"MLL/n {ours.get('mll_per_point', float('nan')):.4f} vs "
                f"{peer.get('mll_per_point', float('nan')):.4f}; RMSE "
                f"{ours.get('rmse', float('nan')):.4f} vs {peer.get('rmse', float('nan')):.4f}"
                if key == "fit_s"
                else peer.get("skipped", "")
            )
            out.append(
                {
                    "benchmark": f"gp {what} (cg vs GPyTorch, d=4)",
                    "size": f"n={n}",
                    "pyjl_s": a,
                    "peer": "GPyTorch",
                    "peer_s": b,
                    "ratio": b / a if a and b else None,
                    "note": note,
                }
            )
    for a in agreements:
        fails = [name for name, key, bound in CHECKS if a.get(key, 1e9) > bound]
        out.append(
            {
                "benchmark": "gp cg vs cholesky agreement",
                "size": f"n={a.get('n')}",
                "note": a.get("skipped") or ("pass" if not fails else "FAIL: " + ", ".join(fails)),
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gp_scale")
    parser.add_argument("--sizes", default=None, help="comma-separated n (default per device)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--steps", type=int, default=STEPS, help="optimiser steps per fit")
    parser.add_argument("--n-test", type=int, default=N_TEST, help="prediction points")
    parser.add_argument("--no-peer", action="store_true", help="pyjl rows only")
    parser.add_argument(
        "--peer-cap", type=float, default=900.0, help="seconds of GPyTorch training per row"
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per row")
    parser.add_argument(
        "--large-steps", type=int, default=LARGE_STEPS, help=f"pyjl's steps from n={LARGE:,}"
    )
    parser.add_argument("--out", default=None, help="write the markdown tables here")
    args = parser.parse_args(argv)
    default = CPU_SIZES if args.device == "cpu" else GPU_SIZES
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(default)
    rows, agreements = measure(
        sizes,
        args.device,
        args.steps,
        args.n_test,
        not args.no_peer,
        args.peer_cap,
        args.timeout,
        large_steps=args.large_steps,
        echo=lambda s: print(s, flush=True),
    )
    command = "python -m benchmarks.gp_scale " + " ".join(sys.argv[1:] if argv is None else argv)
    text = markdown(rows, agreements, command.strip())
    print("\n" + text, flush=True)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    failed = sum(1 for a in agreements for _, k, b in CHECKS if a.get(k, 1e9) > b)
    return 1 if failed or any("skipped" in r and r["library"] == "pyjl" for r in rows) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
