"""`pyjl tune` and `pyjl study show` as a user runs them (real subprocesses)."""

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

SPACE_TOML = textwrap.dedent("""
    # SPACE.toml: one table per parameter
    [x]
    type = "real"
    low = -2.0
    high = 2.0

    [k]
    type = "integer"
    low = 1
    high = 4

    [kind]
    type = "categorical"
    choices = ["a", "b"]
""")

OBJECTIVE = textwrap.dedent("""
    def f(params):
        bonus = 0.0 if params["kind"] == "b" else 1.0
        return (params["x"] - 0.5) ** 2 + 0.1 * (params["k"] - 3) ** 2 + bonus

    def broken(params):
        raise ValueError("no")

    def score(params):
        return -f(params)

    def reporting(params, trial):  # a pruning-style objective: reports, may be pruned
        for step in range(3):
            trial.report(step, f(params) + 1.0 / (step + 1))
        return f(params)
""")


def _pyjl(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "pyjl.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


@pytest.fixture
def files(tmp_path):
    (tmp_path / "space.toml").write_text(SPACE_TOML)
    (tmp_path / "obj.py").write_text(OBJECTIVE)
    return tmp_path


@pytest.mark.slow
def test_tune_then_show(files):
    db = files / "study.db"
    out = _pyjl(
        "tune",
        f"{files / 'obj.py'}:f",
        "--space",
        str(files / "space.toml"),
        "--n-calls",
        "14",
        "--workers",
        "2",
        "--storage",
        f"sqlite:///{db}",
        "--study",
        "demo",
        "--seed",
        "1",
        "--no-progress",
    )
    assert out.returncode == 0, out.stderr
    assert "best value:" in out.stdout and "trials: 14 (0 failed)" in out.stdout
    conn = sqlite3.connect(db)
    values = [r[0] for r in conn.execute("SELECT value FROM trials WHERE state = 'complete'")]
    conn.close()
    assert len(values) == 14
    show = _pyjl("study", "show", f"sqlite:///{db}")
    assert show.returncode == 0, show.stderr
    assert "study 'demo'" in show.stdout and "14 complete" in show.stdout
    assert f"best value: {min(values)!r}" in show.stdout
    # resume: the same command with a larger budget adds only the missing trials
    out = _pyjl(
        "tune",
        f"{files / 'obj.py'}:f",
        "--space",
        str(files / "space.toml"),
        "--n-calls",
        "16",
        "--storage",
        str(db),
        "--study",
        "demo",
        "--no-progress",
    )
    assert out.returncode == 0, out.stderr and "trials: 16" in out.stdout


def test_tune_maximises_a_score_with_direction(files):
    db = files / "acc.db"
    args = ["--space", str(files / "space.toml"), "--storage", str(db), "--no-progress"]
    out = _pyjl(
        "tune",
        f"{files / 'obj.py'}:score",
        "--n-calls",
        "6",
        "--direction",
        "maximize",
        "--seed",
        "0",
        *args,
    )
    assert out.returncode == 0, out.stderr
    conn = sqlite3.connect(db)
    values = [r[0] for r in conn.execute("SELECT value FROM trials WHERE state = 'complete'")]
    conn.close()
    assert len(values) == 6 and f"best value: {max(values)!r}" in out.stdout
    show = _pyjl("study", "show", str(db))
    assert "(maximizes)" in show.stdout and f"best value: {max(values)!r}" in show.stdout
    again = _pyjl(
        "tune", f"{files / 'obj.py'}:score", "--n-calls", "7", "--direction", "minimize", *args
    )
    assert again.returncode == 2
    assert "`--direction` must match the study" in again.stderr and "maximizes" in again.stderr


def test_tune_failures_are_recorded(files):
    db = files / "f.db"
    out = _pyjl(
        "tune",
        f"{files / 'obj.py'}:broken",
        "--space",
        str(files / "space.toml"),
        "--n-calls",
        "3",
        "--storage",
        str(db),
        "--no-progress",
    )
    # nothing completed: exit 1 with the first failure's message (they are all stored)
    assert out.returncode == 1 and "every trial of this run failed" in out.stderr, out.stderr
    assert "ValueError: no" in out.stderr and "trials: 3 (3 failed)" in out.stdout
    show = _pyjl("study", "show", str(db), "--study", "default")
    assert "ValueError: no" in show.stdout and "best value: none yet" in show.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["tune", "obj.py", "--space", "space.toml", "--n-calls", "3"], ["FILE.py:FUNC"]),
        (
            ["tune", "obj.py:nope", "--space", "space.toml", "--n-calls", "3"],
            ["no function 'nope'"],
        ),
        (
            ["tune", "exits.py:sys", "--space", "space.toml", "--n-calls", "3"],
            ["must name a Python file that runs", "SystemExit"],
        ),
        (
            ["tune", "consts.py:h", "--space", "space.toml", "--n-calls", "3"],
            ["defines h = 3, not a function"],
        ),
        (["tune", "missing.py:f", "--space", "space.toml", "--n-calls", "3"], ["does not exist"]),
        (
            ["tune", "obj.py:f", "--space", "none.toml", "--n-calls", "3"],
            ["`--space` must name an existing space file", "none.toml", "does not"],
        ),
        (
            ["tune", "obj.py:f", "--space", "obj.py", "--n-calls", "3"],
            ["`--space` must be a valid TOML file", "obj.py"],
        ),
        (
            ["tune", "obj.py:f", "--space", "space.toml", "--n-calls", "0"],
            ["`--n-calls` must be an integer >= 1; got 0"],
        ),
        (
            ["tune", "obj.py:f", "--space", "space.toml", "--n-calls", "3", "--n-initial", "0"],
            ["`--n-initial` must be an integer >= 1; got 0", "leave it out"],
        ),
        (
            ["tune", "obj.py:f", "--space", "space.toml", "--n-calls", "3", "--seed", "-1"],
            ["`--seed` must be an integer >= 0", "got -1", "leave it out"],
        ),
        (
            ["tune", "obj.py:f", "--space", "space.toml", "--n-calls", "3", "--seed", "9" * 20],
            ["`--seed` must be an integer >= 0 and <= 9223372036854775807", "leave it out"],
        ),
        (
            ["tune", "obj.py:f", "--space", "space.toml", "--n-calls", "3", "--workers", "0"],
            ["`--workers` must be an integer >= 1; got 0"],
        ),
        (
            ["study", "show", "nothing.db"],
            ["`URL` must point at an existing study file", "no study file"],
        ),
        (
            ["tune", "bad.py:f", "--space", "space.toml", "--n-calls", "3"],
            ["must name a Python file that runs", "SyntaxError"],
        ),
        (["demo", "--quick", "--out", "obj.py"], ["must be a folder", "--out"]),
        (["demo", "--quick", "--seed", "-1"], ["`--seed` must be an integer >= 0", "got -1"]),
        (
            ["tune", "obj.py:f", "--space", "space.toml", "--n-calls", "3", "--storage", "x://a"],
            ["`--storage` must be 'sqlite:///file.db'"],
        ),
        (["demo", "--quick", "--out", "space.toml"], ["`--out` must be a folder"]),
        (["demo", "--quick", "--out", ""], ["`--out` must name a folder; got ''", "--out ."]),
        (
            ["tune", "obj.py:f", "--space", "utf16.toml", "--n-calls", "3"],
            ["`--space` must be a UTF-8 TOML file", "save it as UTF-8"],
        ),
        (
            ["tune", "obj.py:f", "--space", ".", "--n-calls", "3"],
            ["`--space` must name a space file", "a folder"],
        ),
        (
            ["tune", "exits.py:f", "--space", "space.toml", "--n-calls", "3"],
            ["must name a Python file that runs", "SystemExit: 5"],
        ),
        (
            ["tune", "obj.py:f", "--space", "space.toml", "--n-calls", "3", "--study", ""],
            ["`--study` must be a study name (a non-blank string); got ''", "leave --study out"],
        ),
    ],
)
def test_bad_input_exit_2(files, args, words):
    (files / "bad.py").write_text("def f(params:\n")
    (files / "exits.py").write_text("import sys\nsys.exit(5)\n")
    (files / "consts.py").write_text("h = 3\n")
    (files / "utf16.toml").write_text(SPACE_TOML, encoding="utf-16")
    out = _pyjl(*args, cwd=files)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    assert "None" not in out.stderr  # a command line cannot pass it
    for w in words:
        assert w in out.stderr


def test_show_needs_study_name_when_several(files):
    from pyjl.bo import Optimizer, Real, Space

    db = str(files / "two.db")
    Optimizer(Space({"x": Real(0, 1)}), storage=db, study="a").tell({"x": 0.5}, 1.0)
    Optimizer(Space({"y": Real(0, 1)}), storage=db, study="b")
    out = _pyjl("study", "show", db)
    assert out.returncode == 2 and "--study NAME" in out.stderr and "a (1 trials)" in out.stderr
    out = _pyjl("study", "show", db, "--study", "a")
    assert out.returncode == 0 and "best value: 1.0" in out.stdout
    out = _pyjl("study", "show", db, "--study", " ")
    assert out.returncode == 2 and "`--study` must name a study of" in out.stderr
    assert "a (1 trials), b (0 trials); got ' '" in out.stderr and "None" not in out.stderr


def test_show_reads_only_and_names_what_is_there(files):
    # a read-only command: a file that is not a pyjl study is refused and left as it was
    from pyjl.bo import Optimizer, Real, Space

    other = files / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE foo (x)")
    out = _pyjl("study", "show", str(other))
    assert out.returncode == 2 and "must hold pyjl studies" in out.stderr
    with sqlite3.connect(other) as con:
        tables = con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    assert tables == [("foo",)]
    db = str(files / "p.db")
    opt = Optimizer(Space({"x": Real(0, 1)}), storage=db, study="p")
    for value in (1.0, 2.0):
        opt.tell({"x": value / 4}, value)
    [(number, _)] = opt.ask_trials(1)
    opt.report(number, 0, 5.0)
    opt.tell_pruned(number)
    out = _pyjl("study", "show", db, "--study", "p")
    assert out.returncode == 0 and "3 trials, 2 complete, 1 pruned" in out.stdout
    out = _pyjl("study", "show", db, "--study", "nosuch")
    assert out.returncode == 2 and "p (3 trials)" in out.stderr and "nosuch" in out.stderr
    Optimizer(Space({"x": Real(0, 1)}), storage=db, study="empty")
    out = _pyjl("study", "show", db, "--study", "empty")
    assert out.returncode == 0 and "0 trials" in out.stdout
    assert "Empty DataFrame" not in out.stdout and "best value: none yet" in out.stdout
    optuna = files / "optuna.db"  # tables named as pyjl's, another program's columns
    with sqlite3.connect(optuna) as con:
        con.execute("CREATE TABLE studies (study_id INTEGER PRIMARY KEY, study_name TEXT)")
        con.execute("CREATE TABLE trials (trial_id INTEGER PRIMARY KEY, number INTEGER)")
    out = _pyjl("study", "show", str(optuna))
    assert out.returncode == 2 and "another program's" in out.stderr
    assert "Traceback" not in out.stderr


def _complete_trials(db):
    """Complete trials in `db` so far; 0 before the tune has created the file or its tables."""
    if not db.exists():
        return 0
    with sqlite3.connect(db) as con:
        try:
            return con.execute("SELECT COUNT(*) FROM trials WHERE state='complete'").fetchone()[0]
        except sqlite3.OperationalError:  # the file exists, its schema is being written
            return 0


@pytest.mark.parametrize(
    ("workers", "stop"), [(1, "SIGINT"), (2, "SIGINT"), (1, "SIGTERM"), (2, "SIGTERM")]
)
def test_an_interrupted_tune_says_so_in_a_line_and_resumes(files, workers, stop):
    # SIGINT to the pyjl process alone, twice (a job supervisor's `kill -INT`): it used to
    # print a traceback, and with worker processes hang at exit; SIGTERM (a scheduler,
    # `docker stop`) exited 143 silently and left the trial in flight `pending`
    import signal
    import time

    (files / "obj.py").write_text(
        OBJECTIVE + "\nimport time\n\ndef slow(params):\n    time.sleep(0.3)\n"
        "    return f(params)\n"
    )
    db = files / "s.db"
    args = ["tune", "obj.py:slow", "--space", "space.toml", "--n-calls", "40", "--seed", "0"]
    args += ["--storage", str(db), "--workers", str(workers), "--no-progress"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyjl.cli", *args],
        cwd=files,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until a few trials are stored
        time.sleep(0.5)
        if _complete_trials(db) >= 3:
            break
    sig = getattr(signal, stop)
    proc.send_signal(sig)
    if stop == "SIGINT":  # a second Ctrl-C while leaving is ignored
        time.sleep(0.02)
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert "Traceback" not in err
    how = "interrupted" if stop == "SIGINT" else "terminated"
    assert err.strip().splitlines()[-1].startswith(f"pyjl tune: {how} (the trials finished")
    with sqlite3.connect(db) as con:
        states = dict(con.execute("SELECT state, COUNT(*) FROM trials GROUP BY state"))
    assert states.get("complete", 0) >= 3 and "pending" not in states
    args[5] = str(states["complete"] + 2)  # --n-calls: resumed, two more trials
    again = _pyjl(*args, cwd=files)
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(db) as con:
        done = con.execute("SELECT COUNT(*) FROM trials WHERE state='complete'").fetchone()[0]
    assert done == states["complete"] + 2


@pytest.mark.parametrize("engine", ["bogus", "unavailable"])
def test_an_engine_that_cannot_run_is_refused_before_any_trial(files, engine):
    # the GP's first fit found it, after the initial design had run 8 evaluations (lost
    # without --storage), and with --n-calls 2 the run "succeeded"
    import os

    import pyjl

    if engine == "unavailable":
        missing = [n for n, (ok, _) in pyjl.info().engines.items() if not ok]
        if not missing:
            pytest.skip("every engine is available on this machine")
        engine = missing[0]
    (files / "count.py").write_text(
        "def f(params):\n    open('called', 'a').write('x')\n    return params['x'] ** 2\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "pyjl.cli", "tune", "count.py:f", "--space", "space.toml"]
        + ["--n-calls", "2", "--storage", "s.db", "--no-progress"],
        capture_output=True, text=True, timeout=300, cwd=files,
        env=dict(os.environ, PYJL_BACKEND=engine),
    )  # fmt: skip
    assert out.returncode == 2 and "PYJL_BACKEND" in out.stderr and "Traceback" not in out.stderr
    assert not (files / "called").exists() and not (files / "s.db").exists()


def test_show_marks_a_shortened_error(files):
    from pyjl.bo import Optimizer, Real, Space

    db = str(files / "e.db")
    opt = Optimizer(Space({"x": Real(0, 1)}), storage=db, study="e")
    opt.tell_failed({"x": 0.5}, "ValueError: " + "x" * 60)
    opt.tell_failed({"x": 0.25}, "short")
    out = _pyjl("study", "show", db)
    assert out.returncode == 0
    assert "ValueError: " + "x" * 25 + "..." in out.stdout and "short" in out.stdout


def _tune_reporting(files, *options):
    common = ("--space", "space.toml", "--no-progress")
    return _pyjl("tune", "obj.py:reporting", *common, *options, cwd=files)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_tune_hands_a_trial_to_an_objective_that_takes_one(files, workers):
    # minimize(f) calls f(params, trial) where f takes two arguments: the command too
    db = files / "study.db"
    out = _tune_reporting(files, "--n-calls", "4", "--storage", str(db), "--workers", workers)
    assert out.returncode == 0, out.stderr
    assert "trials: 4 (0 failed)" in out.stdout
    with sqlite3.connect(db) as con:
        steps = con.execute("SELECT COUNT(*) FROM intermediate").fetchone()[0]
    assert steps == 12  # 3 reports of each of the 4 trials


@pytest.mark.parametrize("storage", [None, ":memory:", "sqlite:///:memory:"])
def test_a_trial_taking_objective_on_workers_needs_a_storage(files, storage):
    # with --storage ':memory:' every trial failed at its first report instead
    more = () if storage is None else ("--storage", storage)
    out = _tune_reporting(files, "--n-calls", "2", "--workers", "2", *more)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "`--storage` must be a file or a database for FUNC(params, trial)" in out.stderr


@pytest.mark.parametrize("definition", ["def f():", "def f(a, b, c):", "def f(**p):"])
def test_a_function_that_cannot_take_the_params_is_refused_before_any_trial(files, definition):
    # every trial failed with the same TypeError, stored and counted towards --n-calls
    (files / "sig.py").write_text(definition + "\n    return 0.0\n")
    out = _pyjl("tune", "sig.py:f", "--space", "space.toml", "--n-calls", "2", "--storage",
                "s.db", "--no-progress", cwd=files)  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "must name a function taking (params) or (params, trial)" in out.stderr
    assert not (files / "s.db").exists()


@pytest.mark.parametrize("delay", [0.8, 1.3, 1.8])
def test_sigterm_while_many_workers_start_ends_the_run_as_ever(files, delay):
    # delivered while the workers forked, SIGTERM was lost in a fork hook (the run went on
    # and exited 0, with a traceback) or hung the command; workers are also no more than
    # --n-calls (--workers 100000 --n-calls 1 forked until memory ran out)
    import signal
    import time

    (files / "obj.py").write_text(
        OBJECTIVE + "\nimport time\n\ndef slow(params):\n    time.sleep(2)\n    return f(params)\n"
    )
    args = ["tune", "obj.py:slow", "--space", "space.toml", "--n-calls", "24", "--workers"]
    args += ["100000", "--storage", "s.db", "--no-progress"]
    proc = subprocess.Popen([sys.executable, "-m", "pyjl.cli", *args], cwd=files,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(delay)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err


def test_a_worker_process_that_dies_ends_the_run_in_one_line(files):
    # a killed evaluation process (os._exit here) breaks the pool: one line, exit 1, the
    # trials in flight abandoned, no more asked, and the study resumes
    (files / "dies.py").write_text(
        "import os\n\ndef f(params):\n    if params['x'] > 1.0:\n        os._exit(3)\n"
        "    return params['x'] ** 2\n"
    )
    db = f"sqlite:///{files / 'd.db'}"
    args = ["tune", "dies.py:f", "--space", "space.toml", "--n-calls", "12", "--workers", "2"]
    out = _pyjl(*args, "--storage", db, "--study", "d", "--seed", "3", cwd=files)
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    assert "a worker process died" in out.stderr and "run the same command again" in out.stderr
    from pyjl.bo import Optimizer

    trials = Optimizer(None, storage=db, study="d").trials
    abandoned = [t for t in trials if t.state == "abandoned"]
    assert 1 <= len(abandoned) <= 2  # what was in flight, nothing asked after
    assert all("broke" in (t.error or "") for t in abandoned)


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:  # the field after the state: the parent's pid
                out.append(int(d))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_workers_end_when_the_command_is_killed(files):
    # a kill -9 of pyjl tune left its evaluation processes running, orphaned
    import signal
    import time

    (files / "slow.py").write_text(
        "import time\n\ndef f(params):\n    time.sleep(60)\n    return 1.0\n"
    )
    db = f"sqlite:///{files / 's.db'}"
    args = ["tune", "slow.py:f", "--space", "space.toml", "--n-calls", "4", "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyjl.cli", *args, "--storage", db],
        cwd=files,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(os.path.exists(f"/proc/{w}") for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = [w for w in workers if os.path.exists(f"/proc/{w}")]
    for w in alive:  # leave nothing behind, whatever the outcome
        os.kill(w, signal.SIGKILL)
    assert not alive
