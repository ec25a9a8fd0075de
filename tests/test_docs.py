"""The documentation: the MkDocs site builds with ``--strict`` (broken links, missing pages
and docstrings that do not render fail it), and every ```python block of ``docs/*.md`` and
``README.md`` runs, without a pyjl warning.

Blocks run page by page, in order, in one namespace per page, in a fresh interpreter whose
working directory is a temporary folder, with ``MPLBACKEND=Agg``. A block that cannot run
as-is (it needs Julia or a GPU) is preceded by a line ``<!-- skip: reason -->``; console
transcripts and shell commands use another fence (```console, ```bash, ```text).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md")) + [ROOT / "README.md"]
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w+-]*)\s*$")
SKIP = re.compile(r"^\s*<!--\s*skip:\s*(?P<reason>.*?)\s*-->\s*$")


def python_blocks(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``([(line, code), ...], [(line, skip reason), ...])`` of the page's python blocks."""
    lines = path.read_text(encoding="utf-8").splitlines()
    run, skipped = [], []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = m["indent"], m["lang"], i
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            i += 1
        code = textwrap.dedent(
            "\n".join(
                line[len(indent) :] if line.startswith(indent) else line
                for line in lines[start + 1 : i]
            )
        )
        i += 1
        if lang != "python":
            continue
        prev = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        skip = SKIP.match(prev)
        (skipped if skip else run).append((start + 1, skip["reason"] if skip else code))
    return run, skipped


_RUNNER = """
import json, sys, warnings
from pyjl.exceptions import PyjlWarning
page, blocks = json.load(sys.stdin)
ns = {"__name__": "__main__"}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", PyjlWarning)
    for line, code in blocks:
        exec(compile(code, f"{page}:{line}", "exec"), ns)
ours = [w for w in caught if issubclass(w.category, PyjlWarning)]
for w in ours:
    print(f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}", file=sys.stderr)
sys.exit(3 if ours else 0)
"""


def _page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)[0]], ids=_page_id)
def test_python_examples_run(page, tmp_path):
    blocks, _ = python_blocks(page)
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER],
        cwd=tmp_path,
        env=env,
        input=json.dumps([_page_id(page), blocks]),
        text=True,
        capture_output=True,
        timeout=300,
    )
    # an example a reader copies should not warn: one that must shows it in a console block
    assert proc.returncode != 3, f"{_page_id(page)}: an example warns\n{proc.stderr[-4000:]}"
    assert proc.returncode == 0, f"{_page_id(page)}: an example failed\n{proc.stderr[-4000:]}"


def test_skipped_blocks_say_why():
    for page in PAGES:
        for line, reason in python_blocks(page)[1]:
            assert len(reason) > 5, f"{_page_id(page)}:{line}: a skip marker needs a reason"


def test_every_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s*([\w/.-]+\.md)\s*$", nav, re.M))
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert pages == listed, f"not in the nav: {pages - listed}; missing: {listed - pages}"


def test_readme_links_resolve_and_test_command_is_marked():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?:docs/|[A-Z]+\.md)[^)#]*)", text):
        assert (ROOT / target).exists(), f"README links to a missing file: {target}"
    after = text.split("<!-- test-command -->", 1)
    assert len(after) == 2, "README.md lost its <!-- test-command --> marker (.ci/run reads it)"
    command = next(line for line in after[1].splitlines() if re.match("^[a-z]", line))
    assert "pytest" in command


@pytest.mark.slow
def test_site_builds_strictly(tmp_path):
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            pytest.skip(f"{module} is not installed: pip install -e '.[docs]' builds the site")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stderr[-4000:]}"
    assert (tmp_path / "site" / "api" / "gp" / "index.html").exists()


def test_benchmark_tables_replace_only_the_generated_block(tmp_path):
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.__main__ import END, START, write_tables
    finally:
        sys.path.remove(str(ROOT))
    page = (DOCS / "performance.md").read_text(encoding="utf-8")
    assert page.count(START) == 1 and page.count(END) == 1 and page.index(START) < page.index(END)
    target = tmp_path / "performance.md"
    target.write_text(page, encoding="utf-8")
    write_tables(str(target), "Measured today.\n\n### gp (1 s)\n\n| a |\n|---|\n| 1 |\n")
    new = target.read_text(encoding="utf-8")
    before, after = page.split(START)[0], page.split(END)[1]
    assert new.startswith(before) and new.endswith(END + after)
    old_rows = page.split(START, 1)[1].split(END, 1)[0].strip().splitlines()[1:]
    assert "Measured today." in new and not any(
        row in new for row in old_rows if row.strip() and row not in before + after
    )
    write_tables(str(tmp_path / "plain.md"), "whole")
    assert (tmp_path / "plain.md").read_text(encoding="utf-8") == "whole\n"
