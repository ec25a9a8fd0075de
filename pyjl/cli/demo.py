"""``pyjl demo``: tune boosting by BO, detect HMM regimes, filter a signal (:mod:`pyjl.demo`)."""

from __future__ import annotations

import argparse

__all__ = ["HELP", "add_arguments", "run"]

HELP = "tune boosting by BO, detect HMM regimes, filter a signal; plots + report"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The parser of ``pyjl demo``."""
    p.add_argument(
        "--out",
        default="pyjl-demo",
        metavar="DIR",
        help="where the plots and report.md go (default ./pyjl-demo)",
    )
    p.add_argument(
        "--quick", action="store_true", help="smaller budgets (about 20 seconds on 2 cores)"
    )
    p.add_argument(
        "--model",
        default="auto",
        choices=["auto", "xgboost", "sklearn"],
        help="boosting model to tune (auto: XGBoost if installed)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    """Run the demo into ``--out``."""
    import os

    os.environ.setdefault("MPLBACKEND", "Agg")
    from .. import _validate
    from ..demo import run_demo

    _validate.integer(args.seed, "--seed", low=0, high=2**32 - 1, fix="pass 0 <= N < 2**32")
    run_demo(
        args.out, quick=args.quick, model=args.model, seed=args.seed, progress=not args.no_progress
    )
    return 0
