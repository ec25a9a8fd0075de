"""Run sweep cases in persistent worker processes and classify each outcome.

A case is one call: a public callable with one bad (or re-laid-out) input. Each runs in
a worker process, one at a time, so a segfault or an abort is recorded as a ``crash`` and
a call that outlives ``CALL_TIMEOUT_S`` is killed and recorded as a ``hang``; a fresh
worker replaces the lost one. Outcomes:

=================  ====================================================================
clean_error        an ``InputError`` whose message names the argument (ok)
other_pyjl_error   another ``PyjlError`` such as ``NotFittedError`` (ok)
result_ok          a finite result, or a non-finite one together with a pyjl warning (ok)
unnamed_error      an ``InputError`` whose message does not name the argument (bug)
refused_valid      an ``InputError`` on input that is valid, e.g. a big-endian array (bug)
wrong_result       a valid re-layout whose result differs from the plain float64 call (bug)
bare_error         any exception that is not a ``PyjlError`` (bug)
silent_nonfinite   NaN or inf in the result and no pyjl warning (bug)
accepted_bad       a case that must be refused returned normally (bug)
crash, hang        the worker died, or the call did not return in time (bug)
harness_error      the sweep itself failed to judge the call (a bug of the sweep)
=================  ====================================================================

Run ``python tests/sweep/harness.py [--out FILE] [module ...]`` for the whole table of
failing calls; the pytest module ``test_sweep.py`` asserts there are none.
"""

from __future__ import annotations

import collections
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

WORKER = Path(__file__).with_name("_worker.py")
CALL_TIMEOUT_S = float(os.environ.get("PYJL_SWEEP_TIMEOUT", "20"))
START_TIMEOUT_S = 120.0
MODULES = ("gp", "bo", "dsp", "hmm", "data")
OK = ("clean_error", "other_pyjl_error", "result_ok")
BUGS = (
    "unnamed_error",
    "refused_valid",
    "wrong_result",
    "bare_error",
    "silent_nonfinite",
    "accepted_bad",
    "crash",
    "hang",
    "harness_error",
)
OUTCOMES = OK + BUGS


def _worker_env() -> dict:
    env = dict(os.environ)
    env.update(
        PYJL_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MPLBACKEND="Agg",
        PYTHONFAULTHANDLER="1",
    )
    env.pop("PYJL_BACKEND", None)
    return env


@dataclass
class _Worker:
    """One worker process: it imports the case tables once and runs one call at a time."""

    proc: subprocess.Popen = field(init=False)
    log: object = field(init=False)
    buffer: bytes = b""
    ready: bool = False
    job: tuple | None = None
    sent_at: float = 0.0

    def __post_init__(self):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=_worker_env(),
        )
        self.started_at = time.monotonic()
        os.set_blocking(self.proc.stdout.fileno(), False)

    def send(self, job: tuple) -> None:
        self.job, self.sent_at = job, time.monotonic()
        self.proc.stdin.write((json.dumps(job) + "\n").encode())
        self.proc.stdin.flush()

    def read_lines(self) -> list[str] | None:
        """Complete lines received so far; ``None`` once the process has closed its pipe."""
        try:
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            return []
        if not chunk:
            return None
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [line.decode() for line in lines]

    def stderr_tail(self) -> str:
        self.log.seek(0)
        lines = [ln for ln in self.log.read().decode(errors="replace").splitlines() if ln.strip()]
        return lines[-1].strip() if lines else ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()

    def death(self) -> str:
        code = self.proc.wait()
        name = signal.Signals(-code).name if code < 0 else f"exit status {code}"
        return f"worker died ({name}): {self.stderr_tail()}"[:300]


class Pool:
    """Persistent worker processes that run ``(module, case_id)`` jobs one call each."""

    def __init__(self, n_workers: int | None = None, timeout: float = CALL_TIMEOUT_S):
        self.timeout = timeout
        if n_workers is None:
            n_workers = int(os.environ.get("PYJL_SWEEP_WORKERS", min(4, os.cpu_count() or 1)))
        self.n_workers = max(1, n_workers)
        self.workers: list[_Worker] = []

    def __enter__(self):
        self.workers = [_Worker() for _ in range(self.n_workers)]
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for worker in self.workers:
            if worker.proc.poll() is None:
                try:
                    worker.proc.stdin.close()
                except OSError:
                    pass
                try:
                    worker.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            worker.kill()
        self.workers = []

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self.workers[self.workers.index(worker)] = _Worker()

    def run(self, jobs: list[tuple[str, str]]) -> list[dict]:
        """Run every job; one record per job (``module``, ``case``, ``outcome``, ...), in order."""
        pending = collections.deque(jobs)
        records: dict[tuple, dict] = {}
        while len(records) < len(jobs):
            for worker in self.workers:
                if worker.ready and worker.job is None and pending:
                    worker.send(pending.popleft())
            self._wait(records)
        return [records[tuple(job)] for job in jobs]

    def _wait(self, records: dict) -> None:
        selector = selectors.DefaultSelector()
        for worker in self.workers:
            selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)
        now = time.monotonic()
        deadlines = [
            w.sent_at + self.timeout if w.job else w.started_at + START_TIMEOUT_S
            for w in self.workers
            if w.job or not w.ready
        ]
        timeout = max(0.0, min(deadlines) - now) if deadlines else 1.0
        events = selector.select(timeout)
        selector.close()
        for key, _ in events:
            self._receive(key.data, records)
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.job and now - worker.sent_at > self.timeout:
                records[tuple(worker.job)] = _record(
                    worker.job, "hang", message=f"no answer in {self.timeout:g} s"
                )
                self._replace(worker)
            elif not worker.ready and now - worker.started_at > START_TIMEOUT_S:
                raise RuntimeError(f"a sweep worker did not start: {worker.stderr_tail()}")

    def _receive(self, worker: _Worker, records: dict) -> None:
        lines = worker.read_lines()
        if lines is None:
            if worker.job is None:
                raise RuntimeError(f"a sweep worker died while idle: {worker.death()}")
            records[tuple(worker.job)] = _record(worker.job, "crash", message=worker.death())
            self._replace(worker)
            return
        for line in lines:
            if line == "ready":
                worker.ready = True
                continue
            record = json.loads(line)
            records[(record["module"], record["case"])] = record
            worker.job = None


def _record(job, outcome, *, exc="", message=""):
    module, case = job
    return {"module": module, "case": case, "outcome": outcome, "exc": exc, "message": message}


def summary(records: list[dict]) -> dict:
    """Counts per outcome (all outcomes listed) and per module, for the docs."""
    counts = collections.Counter(r["outcome"] for r in records)
    per_module = {}
    for module in sorted({r["module"] for r in records}):
        mine = collections.Counter(r["outcome"] for r in records if r["module"] == module)
        per_module[module] = {"calls": sum(mine.values()), **{o: mine[o] for o in OUTCOMES}}
    refusals = [r for r in records if r["outcome"] in ("clean_error", "unnamed_error")]
    return {
        "calls": len(records),
        "outcomes": {o: counts[o] for o in OUTCOMES},
        "failures": sum(counts[o] for o in BUGS),
        "modules": per_module,
        "refusals_off_voice": sum(not r.get("voice", True) for r in refusals),
    }


def failures(records: list[dict]) -> list[dict]:
    return [r for r in records if r["outcome"] in BUGS]


def table(records: list[dict]) -> str:
    """``callable | case | outcome | message`` lines, grouped by callable."""
    rows = sorted(records, key=lambda r: (r["module"], r["case"]))
    lines = []
    for r in rows:
        callable_name, _, case = r["case"].partition(" | ")
        text = f"{r['exc']}: {r['message']}" if r["exc"] else r["message"]
        lines.append(f"{callable_name} | {case} | {r['outcome']} | {text}")
    return "\n".join(lines)


def grouped(records: list[dict]) -> str:
    """The failing calls under one heading per module and per callable, with counts."""
    bad = failures(records)
    lines = []
    for module in MODULES:
        mine = [r for r in bad if r["module"] == module]
        total = sum(r["module"] == module for r in records)
        if not total:
            continue
        lines.append(f"## {module}: {len(mine)} failing of {total} calls")
        by_callable = collections.defaultdict(list)
        for r in mine:
            by_callable[r["case"].partition(" | ")[0]].append(r)
        for name, rs in sorted(by_callable.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            kinds = collections.Counter(r["outcome"] for r in rs)
            lines.append(
                f"### {name}: {len(rs)} ({', '.join(f'{k} {v}' for k, v in kinds.items())})"
            )
            lines.append(table(rs))
        lines.append("")
    off = [r for r in records if r["outcome"] == "clean_error" and not r.get("voice", True)]
    if off:
        lines.append(
            f"## informational, not asserted: {len(off)} refusals name the argument "
            'but not in the voice "`name` must ...; got ... Fix: ..."'
        )
        lines.append(table(off))
    return "\n".join(lines)


def write_report(records: list[dict], path: str | os.PathLike) -> None:
    report = summary(records)
    report["generated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    Path(path).write_text(json.dumps(report, indent=2) + "\n")


def all_jobs(modules=MODULES) -> list[tuple[str, str]]:
    from sweep import cases

    return [(module, case.id) for module in modules for case in cases.table(module)]


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES))
    parser.add_argument("--out", help="write the failing calls here")
    parser.add_argument("--report", help="write the JSON counts here")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with Pool() as pool:
        records = pool.run(all_jobs(args.modules))
    bad = failures(records)
    text = grouped(records)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.report:
        write_report(records, args.report)
    print(text)
    print(json.dumps(summary(records), indent=1))
    print(f"{len(records)} calls in {time.monotonic() - started:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
