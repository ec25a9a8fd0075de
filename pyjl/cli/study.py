"""``pyjl study show URL`` (a stored study's trials and best) and ``pyjl study serve URL``
(the live dashboard)."""

from __future__ import annotations

import argparse

__all__ = ["HELP", "add_arguments", "run"]

HELP = "inspect stored studies (study show URL [--study NAME]; study serve URL)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The parsers of ``pyjl study show`` and ``pyjl study serve``."""
    sub = p.add_subparsers(dest="study_command", metavar="ACTION", required=True)
    show = sub.add_parser(
        "show",
        help="print a study's trials and its best",
        description="print a study's trials and its best",
    )
    show.add_argument(
        "url", metavar="URL", help="sqlite:///study.db, a path, or postgresql://user@host/db"
    )
    show.add_argument(
        "--study",
        default=None,
        metavar="NAME",
        help="which study (needed when the file holds several)",
    )
    serve = sub.add_parser(
        "serve",
        help="watch studies live in the browser (read-only; needs pyjl[dashboard])",
        description="serve a live, read-only dashboard of the studies in URL "
        '(pip install "pyjl[dashboard]"); Ctrl-C stops it',
    )
    serve.add_argument(
        "url", metavar="URL", help="sqlite:///study.db, a path, or postgresql://user@host/db"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, default=8080, help="TCP port (default 8080; 0: any free one)"
    )
    serve.add_argument("--study", default=None, metavar="NAME", help="the study page to open")
    serve.add_argument(
        "--open", action="store_true", help="open the page in the default web browser"
    )


def run(args: argparse.Namespace) -> int:
    """Show the study, or serve the dashboard until Ctrl-C."""
    if args.study_command == "serve":
        from ..bo.dashboard import serve

        serve(args.url, args.host, args.port, study=args.study, open_browser=args.open)
        return 0
    return _run_study_show(args)


def _run_study_show(args: argparse.Namespace) -> int:
    import os

    import pandas as pd

    from .. import _validate
    from ..bo import Optimizer, TrialState
    from ..bo.history import param_columns
    from ..bo.storage import open_storage
    from ..bo.storage.url import parse

    kind, path, _ = parse(args.url)
    if kind == "sqlite" and not os.path.isfile(path):
        raise _validate.error(
            "URL",
            "must point at an existing study file",
            f"{args.url!r}, but there is no study file there",
            "pass the --storage URL or path that `pyjl tune` wrote to",
        )
    storage = open_storage(args.url, read_only=True)  # showing writes nothing, anywhere
    studies = storage.studies()
    name = args.study
    listing = ", ".join(f"{s['name']} ({s['n_trials']} trials)" for s in studies)
    if name is None and len(studies) != 1:
        raise _validate.error(
            "--study",
            f"must name the study to show: {args.url} holds "
            f"{len(studies)} studies ({listing or 'none'})",
            "no --study",
            "choose one with --study NAME",
        )
    if name is not None and name not in {s["name"] for s in studies}:
        raise _validate.error(
            "--study",
            f"must name a study of {args.url}: it holds {listing or 'none'}",
            repr(name),
            "choose one of those with --study NAME",
        )
    name = studies[0]["name"] if name is None else name
    opt = Optimizer(None, storage=storage, study=name)
    h = opt.history()
    shown = list(param_columns(opt.space).values())
    cols = ["number", "state", "value"] + shown + ["duration_s", "error"]
    table = h[cols].copy()
    errors = table["error"].fillna("").astype(str)
    table["error"] = errors.where(errors.str.len() <= 40, errors.str.slice(0, 37) + "...")
    print(
        f"study {name!r} in {storage.url} ({opt.direction}s): {len(h)} trials, "
        + ", ".join(
            f"{(h['state'] == s).sum()} {s}"
            for s in (
                TrialState.COMPLETE,
                TrialState.PRUNED,
                TrialState.FAILED,
                TrialState.ABANDONED,
                TrialState.RUNNING,
            )
        )
    )
    if len(table):  # no "Empty DataFrame" for a study of no trials yet
        with pd.option_context("display.max_rows", None, "display.width", 200):
            print(table.to_string(index=False))
    params, value = opt.best
    print(f"best value: {value!r}" if value is not None else "best value: none yet")
    if params is not None:
        print(f"best params: {params!r}")
    return 0
