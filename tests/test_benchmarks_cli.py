"""``python -m benchmarks``: the command line the docs give runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_roofline_flag_runs_alone():
    # the docs' `python -m benchmarks --roofline` (no family: only the roofline table)
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", ",", "--roofline", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert "### roofline" in out.stdout and "fraction of bound" in out.stdout
