"""Dashboard fixtures: studies written by pyjl (``study_db``, ``big_db``), a background
process extending a study (``writer``), a running dashboard (``board``) and ``get(url)``.
Every dashboard test needs plotly (the extra ``pyjl[dashboard]``) and skips without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("plotly", reason="the dashboard needs plotly: pip install 'pyjl[dashboard]'")

from pyjl.bo import Categorical, Integer, Real, Space, random_search  # noqa: E402
from pyjl.bo.storage import SQLiteStorage  # noqa: E402

WRITER = Path(__file__).with_name("_writer.py")
SPACE = Space(
    {
        "x": Real(-2.0, 2.0),
        "lr": Real(1e-3, 1.0, log=True),
        "k": Integer(0, 4),
        "c": Categorical(["a", "b"]),
    }
)
FAILED_TEXT = "k = 4 is out of memory"


def objective(p):
    if p["k"] == 4:
        raise RuntimeError(FAILED_TEXT)
    return (p["x"] - 0.3) ** 2 + 0.1 * p["k"] + 0.2 * (p["c"] == "b")


def get(url: str) -> tuple[int, dict]:
    """``(status, JSON body)`` of ``GET url``, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture
def study_db(tmp_path) -> str:
    """An SQLite study ``demo`` of 20 random-search trials (some failed) and an empty
    study ``empty``."""
    path = str(tmp_path / "study.db")
    random_search(objective, SPACE, n_calls=20, storage=path, study="demo", seed=3, progress=False)
    SQLiteStorage(path).study("empty", SPACE.to_json(), 0)
    return path


def add_trials(path: str, study: str, n: int, rng, *, failed_every: int = 0) -> None:
    """Add ``n`` completed trials of ``SPACE`` to ``study`` in one transaction."""
    st = SQLiteStorage(path)
    sid = st.study(study, SPACE.to_json(), 0)["id"]
    with st.transaction():
        for i in range(n):
            p = {
                "x": float(rng.uniform(-2, 2)),
                "lr": float(10 ** rng.uniform(-3, 0)),
                "k": int(rng.integers(0, 4)),
                "c": str(rng.choice(["a", "b"])),
            }
            if failed_every and i % failed_every == 0:
                st.add_trial(sid, json.dumps(p), "failed", error="failed on purpose")
            else:
                st.add_trial(sid, json.dumps(p), "complete", value=objective(p))
    st.close()


@pytest.fixture
def board(study_db):
    from pyjl.bo import serve

    b = serve(study_db, port=0, block=False)
    yield b
    b.stop()


@pytest.fixture
def writer(tmp_path):
    """``writer(storage, study, n_calls, sleep)``: start the background minimize; the
    process is stopped at the end of the test."""
    procs = []

    def start(storage: str, study: str = "live", n_calls: int = 40, sleep: float = 0.3):
        env = {**os.environ, "PYJL_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        p = subprocess.Popen(
            [sys.executable, str(WRITER), storage, study, str(n_calls), str(sleep)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        procs.append(p)
        return p

    yield start
    for p in procs:
        if p.poll() is None:
            p.terminate()
        p.wait(timeout=30)


def wait_for(check, timeout: float = 60.0, every: float = 0.2):
    """Call ``check()`` until it returns a true value (returned) or ``timeout`` passes."""
    end = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > end:
            return got
        time.sleep(every)
