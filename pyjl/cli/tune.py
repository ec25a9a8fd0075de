"""``pyjl tune FILE.py:FUNC --space SPACE.toml --n-calls N``: a study of the function in
a user's file (:func:`pyjl.bo.minimize`), its evaluations in worker processes with
``--workers``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

__all__ = ["HELP", "add_arguments", "run"]

HELP = (
    "minimise (or --direction maximize) FUNC(params) or FUNC(params, trial) from FILE.py by "
    "Bayesian optimisation"
)


def _call_file_func(path: str, func_name: str, params: dict, *trial):
    """Load ``func_name`` from the Python file ``path`` (once per process) and call it:
    ``func(params, trial)`` where it takes the trial handle (to report and prune),
    as :func:`~pyjl.bo.minimize` would call it, else ``func(params)``."""
    from ..bo.handle import takes_trial

    func = _load_func(path, func_name)
    return func(params, *trial) if takes_trial(func) else func(params)


_LOADED: dict[tuple[str, str], Callable] = {}


def _load_func(path: str, func_name: str) -> Callable:
    import importlib.util
    import os

    from .. import _validate

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
            found = (
                f"defines {func_name} = {_validate.describe(func)}, not a function"
                if hasattr(module, func_name)
                else f"defines no function {func_name!r}"
            )
            raise _validate.error(
                "FILE.py:FUNC",
                "must name a function defined in FILE.py",
                f"{path}:{func_name}, but {path!r} {found}",
                "define FUNC(params: dict) -> float there",
            )
        _LOADED[key] = func
    return _LOADED[key]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The parser of ``pyjl tune``."""
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
        help="sqlite:///study.db, a path, or postgresql://user@host/db (workers on several "
        "machines); the study is resumed if it exists",
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


def _check_signature(func, name: str) -> None:
    """Refuse a FUNC that cannot be called as ``FUNC(params)`` or ``FUNC(params, trial)``
    (every trial would fail with the same TypeError, the budget spent)."""
    import inspect

    from .. import _validate

    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # a builtin without a signature: let it run
        return
    for args in ((None,), (None, None)):
        try:
            sig.bind(*args)
            return
        except TypeError:
            continue
    raise _validate.error(
        "FILE.py:FUNC",
        "must name a function taking (params) or (params, trial)",
        f"{name}{sig}",
        "define it as def FUNC(params): ... (a dict of parameters in, a float out)",
    )


def _in_memory(storage) -> bool:
    """Whether ``--storage`` keeps the study in this process's memory (none given, or
    SQLite's ``:memory:``)."""
    if not storage:
        return True
    from ..bo.storage.url import parse

    try:
        kind, path, _ = parse(storage)
    except Exception:  # noqa: BLE001 - a bad URL is refused, by name, where it is opened
        return False
    return kind == "sqlite" and path == ":memory:"


def _warn_many(workers: int) -> None:
    """Warn of far more worker processes than CPUs (each is a Python process: memory)."""
    import os

    from .._warn import warn
    from ..exceptions import PyjlWarning

    cpus = os.cpu_count() or 1
    if workers > 4 * cpus:
        warn(
            f"--workers {workers} starts {workers} processes on {cpus} CPUs (each holds a "
            "Python interpreter and your objective's imports): pass about the number of "
            "CPUs, unless the objective waits on something else",
            PyjlWarning,
        )


def _start_workers(pool) -> None:
    """Start ``pool``'s workers with SIGTERM held while they fork: delivered during a fork,
    the SIGTERM handler's exception was lost in a fork hook (the run went on, exit 0) or
    left a child holding a lock (a hang).  A SIGTERM that came meanwhile is delivered once
    they run, to the caller, which stops them (the workers unblock it themselves:
    :func:`pyjl.cli.main._default_in_child`)."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        pool.submit(int).result()  # forks the workers (Python 3.11: all at the first task)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def run(args: argparse.Namespace) -> int:
    """Run the study; the exit status: 0, or 1 when every trial failed."""
    import functools
    import time
    from concurrent.futures import ProcessPoolExecutor

    import pandas as pd

    from .. import _validate
    from ..bo import Space, minimize

    path, sep, func_name = args.target.rpartition(":")
    if not sep or not path or not func_name:
        raise _validate.error(
            "FILE.py:FUNC",
            "must be a Python file and a function name joined by ':'",
            repr(args.target),
            "pass e.g. objective.py:loss",
        )
    from ..bo.handle import takes_trial

    objective = _load_func(path, func_name)
    _check_signature(objective, func_name)
    if takes_trial(objective) and args.workers > 1 and _in_memory(args.storage):
        raise _validate.error(  # the workers' reports reach the study through its storage
            "--storage",
            "must be a file or a database for FUNC(params, trial) with --workers > 1",
            "none" if not args.storage else repr(args.storage),
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
    workers = min(args.workers, args.n_calls)  # no more processes than evaluations
    _warn_many(workers)
    pool = None
    started = time.time()  # this run's trials: a resumed study holds earlier ones
    try:
        pool = ProcessPoolExecutor(workers) if workers > 1 else None
        if pool is not None:
            _start_workers(pool)
        res = minimize(
            func,
            space,
            n_calls=args.n_calls,
            n_initial=args.n_initial,
            executor=pool,
            n_workers=workers,
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
    ran = res.history[res.history["created"] >= pd.Timestamp(started, unit="s", tz="UTC")]
    if len(ran) and (ran["state"] == "failed").all():  # this run's every evaluation: say why
        first = ran["error"].iloc[0]
        print(
            f"pyjl tune: error: every trial of this run failed ({len(ran)}); the first with: "
            f"{first}",
            file=sys.stderr,
        )
        return 1
    return 0
