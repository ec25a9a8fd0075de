"""The linters run by the test suite: ruff (lint and format) and mypy (pyproject.toml).

Each test runs the tool as a subprocess from the repository root and fails with its output.
The same tools and versions run in pre-commit (.pre-commit-config.yaml).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["pyjl", "tests", "benchmarks"]


def run(*command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}{done.stderr}"


def needs(tool: str) -> None:
    found = subprocess.run([sys.executable, "-m", tool, "--version"], capture_output=True)
    if found.returncode != 0:
        pytest.fail(f"{tool} is not installed: pip install -e '.[test]'")


def test_ruff_check():
    needs("ruff")
    run("ruff", "check", *PATHS)


def test_ruff_format():
    needs("ruff")
    run("ruff", "format", "--check", *PATHS)


@pytest.mark.slow
def test_mypy():
    needs("mypy")
    run("mypy")
