"""The ``pyjl`` command: ``pyjl --version``, ``pyjl info``, ``pyjl tune``, ``pyjl study show``,
``pyjl study serve``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from . import _info
from ._version import __version__

__all__ = ["main", "build_parser", "COMMANDS"]

#: subcommand name -> (help, add_arguments(parser), run(args) -> exit code)
COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {}


def command(
    name: str, help: str, add_arguments: Callable[[argparse.ArgumentParser], None] = lambda p: None
):
    """Register ``run(args) -> int`` as the subcommand ``name``."""

    def deco(run: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help, add_arguments, run)
        return run

    return deco


@command("info", "list engines (available or not, and why), versions, threads")
def _run_info(args: argparse.Namespace) -> int:
    print(_info.info())
    return 0


def _call_file_func(path: str, func_name: str, params: dict, *trial):
    """Load ``func_name`` from the Python file ``path`` (once per process) and call it:
    ``func(params, trial)`` where it takes the trial handle (to report and prune),
    as :func:`~pyjl.bo.minimize` would call it, else ``func(params)``."""
    from .bo.handle import takes_trial

    func = _load_func(path, func_name)
    return func(params, *trial) if takes_trial(func) else func(params)


_LOADED: dict[tuple[str, str], Callable] = {}


def _load_func(path: str, func_name: str) -> Callable:
    import importlib.util
    import os

    from . import _validate

    key = (os.path.abspath(path), func_name)
    if key not in _LOADED:
        if not os.path.isfile(path):
            raise _validate.error(
                "FILE.py:FUNC",
                "must name an existing Python file",
                f"{path!r}, which does not exist",
                "check the path (relative to the current directory)",
            )
        spec = importlib.util.spec_from_file_location(
            "_pyjl_objective_" + os.path.splitext(os.path.basename(path))[0], path
        )
        if spec is None or spec.loader is None:
            raise _validate.error(
                "FILE.py:FUNC",
                "must name a Python source file",
                repr(path),
                "pass a .py file that defines the objective",
            )
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:  # an error (or exit) in the user's file
            raise _validate.error(
                "FILE.py:FUNC",
                "must name a Python file that runs",
                f"{path!r}, which raised {type(exc).__name__}: {exc}",
                "fix that error in the file (run `python FILE.py` to see where)",
            ) from None
        func = getattr(module, func_name, None)
        if not callable(func):
            raise _validate.error(
                "FILE.py:FUNC",
                "must name a function defined in FILE.py",
                f"{path}:{func_name}, but {path!r} defines no function {func_name!r}",
                "define FUNC(params: dict) -> float there",
            )
        _LOADED[key] = func
    return _LOADED[key]


def _tune_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "target",
        metavar="FILE.py:FUNC",
        help="the objective: FUNC(params: dict) -> float, defined in FILE.py",
    )
    p.add_argument(
        "--space",
        required=True,
        metavar="SPACE.toml",
        help="search space: one TOML table per parameter (see docs/bo.md)",
    )
    p.add_argument(
        "--n-calls",
        type=int,
        required=True,
        metavar="N",
        help="evaluations in the study (trials already stored count)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="W",
        help="evaluations in flight, each in its own process (default 1)",
    )
    p.add_argument(
        "--storage",
        default=None,
        metavar="URL",
        help="sqlite:///study.db or a path; the study is resumed if it exists",
    )
    p.add_argument("--study", default=None, metavar="NAME", help="study name (default 'default')")
    p.add_argument(
        "--n-initial",
        type=int,
        default=None,
        metavar="K",
        help="start-up points (uniform draws) before the GP takes over",
    )
    p.add_argument("--acquisition", default="ei", choices=["ei", "logei", "pi", "ucb"])
    p.add_argument(
        "--direction",
        default=None,
        choices=["minimize", "maximize"],
        help="maximize for a score such as accuracy (default: minimize, or a stored study's own)",
    )
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _stop_workers(pool) -> None:
    """Stop a process pool now, not after its running objectives end: a second Ctrl-C (or
    a SIGINT sent to this process alone) during a waiting shutdown left the pool's threads
    hanging at exit.  Python 3.11 has no public way to end its workers."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # shutdown drops them
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()


@command(
    "tune",
    "minimise (or --direction maximize) FUNC(params) or FUNC(params, trial) from FILE.py by "
    "Bayesian optimisation",
    _tune_arguments,
)
def _run_tune(args: argparse.Namespace) -> int:
    import functools
    from concurrent.futures import ProcessPoolExecutor

    from . import _validate
    from .bo import Space, minimize

    path, sep, func_name = args.target.rpartition(":")
    if not sep or not path or not func_name:
        raise _validate.error(
            "FILE.py:FUNC",
            "must be a Python file and a function name joined by ':'",
            repr(args.target),
            "pass e.g. objective.py:loss",
        )
    from .bo.handle import takes_trial

    if takes_trial(_load_func(path, func_name)) and args.workers > 1 and not args.storage:
        raise _validate.error(  # the workers' reports reach the study through its storage
            "--storage",
            "must be given for FUNC(params, trial) with --workers > 1",
            "none",
            "pass --storage study.db (a file or a database URL)",
        )
    space = Space.from_toml(args.space, name="--space")
    _validate.integer(args.n_calls, "--n-calls", low=1)
    _validate.integer(args.workers, "--workers", low=1)
    if args.n_initial is not None:
        _validate.integer(args.n_initial, "--n-initial", low=1, fix="pass N >= 1, or leave it out")
    if args.seed is not None:
        _validate.integer(
            args.seed, "--seed", low=0, high=2**63 - 1, fix="pass N >= 0, or leave it out"
        )
    func = functools.partial(_call_file_func, path, func_name)
    pool = ProcessPoolExecutor(args.workers) if args.workers > 1 else None
    try:
        res = minimize(
            func,
            space,
            n_calls=args.n_calls,
            n_initial=args.n_initial,
            executor=pool,
            n_workers=args.workers,
            storage=args.storage,
            study=args.study,
            progress=not args.no_progress,
            seed=args.seed,
            acquisition=args.acquisition,
            direction=args.direction,
        )
    except BaseException:  # an interrupt: the trials in flight are abandoned (redone later)
        if pool is not None:
            _stop_workers(pool)
        raise
    if pool is not None:
        pool.shutdown()
    print(f"trials: {len(res.history)} ({res.n_failed} failed)")
    print(f"best value: {res.best_value!r}")
    print(f"best params: {res.best_params!r}")
    if res.best_value is None and res.n_failed:  # nothing completed: say why, and fail
        first = res.history.loc[res.history["state"] == "failed", "error"].iloc[0]
        print(f"pyjl tune: error: every trial failed; the first with: {first}", file=sys.stderr)
        return 1
    return 0


def _study_arguments(p: argparse.ArgumentParser) -> None:
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


@command(
    "study",
    "inspect stored studies (study show URL [--study NAME]; study serve URL)",
    _study_arguments,
)
def _run_study(args: argparse.Namespace) -> int:
    if args.study_command == "serve":
        from .bo.dashboard import serve

        serve(args.url, args.host, args.port, study=args.study, open_browser=args.open)
        return 0
    return _run_study_show(args)


def _run_study_show(args: argparse.Namespace) -> int:
    import os

    import pandas as pd

    from . import _validate
    from .bo import Optimizer, TrialState
    from .bo.history import param_columns
    from .bo.storage import open_storage
    from .bo.storage.url import parse

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


def _demo_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out",
        default="pyjl-demo",
        metavar="DIR",
        help="where the plots and report.md go (default ./pyjl-demo)",
    )
    p.add_argument("--quick", action="store_true", help="smaller budgets (about a minute)")
    p.add_argument(
        "--model",
        default="auto",
        choices=["auto", "xgboost", "sklearn"],
        help="boosting model to tune (auto: XGBoost if installed)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


@command(
    "demo",
    "tune boosting by BO, detect HMM regimes, filter a signal; plots + report",
    _demo_arguments,
)
def _run_demo(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("MPLBACKEND", "Agg")
    from . import _validate
    from .demo import run_demo

    _validate.integer(args.seed, "--seed", low=0, high=2**32 - 1, fix="pass 0 <= N < 2**32")
    run_demo(
        args.out, quick=args.quick, model=args.model, seed=args.seed, progress=not args.no_progress
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyjl",
        description="Gaussian processes and Bayesian optimisation, DSP and "
        "hidden Markov models on compiled, Julia or GPU kernels.",
    )
    parser.add_argument("--version", action="version", version=f"pyjl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments, _) in COMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


#: the library's argument -> the command line's name for it, per command
_FLAGS = {
    "tune": {"storage": "--storage", "study": "--study", "direction": "--direction"},
    "study": {"storage": "URL", "study": "--study", "port": "--port", "host": "--host"},
    "demo": {"out_dir": "--out"},
}


def _as_flags(message: str, command: str) -> str:
    """``message`` naming what the user typed: "`--port` must ..." for "`port` must ..."."""
    for arg, flag in _FLAGS.get(command, {}).items():
        if message.startswith(f"`{arg}` "):
            return f"`{flag}`" + message[len(arg) + 2 :]
    return message


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .exceptions import PyjlError

    try:
        return COMMANDS[args.command][2](args)
    except PyjlError as exc:
        print(f"pyjl {args.command}: error: {_as_flags(str(exc), args.command)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: already leaving
        stored = args.command == "tune" and args.storage is not None
        kept = " (the trials finished so far are stored: run it again to resume)"
        print(f"pyjl {args.command}: interrupted{kept if stored else ''}", file=sys.stderr)
        return 130
    except OSError as exc:  # an output folder that cannot be made, a closed pipe (| head)
        if isinstance(exc, BrokenPipeError):
            sys.stderr.close()  # nothing more can be written; exit quietly, as `head` expects
            return 0
        print(f"pyjl {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
