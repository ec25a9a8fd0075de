"""Consistency of the Julia package metadata, checked with tomllib (no Julia needed).

``julia_src/Project.toml`` names PyJL with the uuid that ``pyjl/juliapkg.json``
declares, bounds every dependency and weak dependency in ``[compat]``
(including ``julia`` at 1.10), and every extension has its file
``ext/<Name>.jl`` defining ``module <Name>`` and is triggered by weak
dependencies.  The root ``Project.toml`` is a dev environment pointing at it.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "julia_src"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
STDLIB_TEST = {
    "Test": "8dfed614-e22c-5e08-85e1-65c5234f0b40",
    "TOML": "fa267f1f-6049-4f14-aa54-33bafae1ed76",
}


def _module_name(path: Path) -> str | None:
    import tree_sitter
    import tree_sitter_julia

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_julia.language()))
    for node in parser.parse(path.read_bytes()).root_node.children:
        if node.type == "module_definition":
            name = next((c for c in node.children if c.type == "identifier"), None)
            return name.text.decode() if name is not None else None
    return None


def project_problems(project: dict, package_dir: Path, uuid: str) -> list[str]:
    """Everything wrong with a package Project.toml (as a dict) in ``package_dir``."""
    problems = []
    if project.get("name") != "PyJL":
        problems.append(f"name is {project.get('name')!r}, not 'PyJL'")
    if project.get("uuid") != uuid:
        problems.append(f"uuid {project.get('uuid')!r} differs from juliapkg.json's {uuid!r}")
    compat = project.get("compat", {})
    if not str(compat.get("julia", "")).startswith("1.10"):
        problems.append(f"[compat] julia is {compat.get('julia')!r}, not a 1.10 lower bound")
    deps, weak = project.get("deps", {}), project.get("weakdeps", {})
    extras = project.get("extras", {})
    for table, entries in (("deps", deps), ("weakdeps", weak), ("extras", extras)):
        for name, dep_uuid in entries.items():
            if not UUID.fullmatch(str(dep_uuid)):
                problems.append(f"[{table}] {name} has no valid uuid: {dep_uuid!r}")
    for name in [*deps, *weak]:
        if name not in compat:
            problems.append(f"{name} has no [compat] bound")
    for ext, triggers in project.get("extensions", {}).items():
        triggers = [triggers] if isinstance(triggers, str) else list(triggers)
        for trigger in triggers:
            if trigger not in weak:
                problems.append(f"extension {ext} is triggered by {trigger}, not a weakdep")
        file = package_dir / "ext" / f"{ext}.jl"
        if not file.is_file():
            problems.append(f"extension {ext} has no file ext/{ext}.jl")
        elif _module_name(file) != ext:
            problems.append(f"ext/{ext}.jl does not define `module {ext}`")
    for target, names in project.get("targets", {}).items():
        for name in names:
            if name not in project.get("extras", {}) and name not in deps:
                problems.append(f"[targets] {target} lists {name}, absent from [extras]")
    return problems


def _juliapkg() -> dict:
    return json.loads((ROOT / "pyjl" / "juliapkg.json").read_text())


def test_checker_flags_a_broken_project(tmp_path):
    (tmp_path / "ext").mkdir()
    (tmp_path / "ext" / "WrongExt.jl").write_text("module SomethingElse\nend\n")
    broken = {
        "name": "PyJL",
        "uuid": "00000000-0000-0000-0000-000000000000",
        "deps": {"LinearAlgebra": "37e2e46d-f89d-539d-b4ee-838fcccc9c8e"},
        "weakdeps": {"CUDA": "052768ef-5323-5732-b1bb-66c8b64840ba"},
        "extensions": {"WrongExt": "CUDA", "GoneExt": "Plots"},
        "compat": {"julia": "1.6"},
    }
    problems = "\n".join(
        project_problems(broken, tmp_path, "babdfaa5-e765-4a60-b589-b2ac89db1afa")
    )
    for expected in (
        "uuid",
        "[compat] julia",
        "LinearAlgebra has no [compat]",
        "CUDA has no [compat]",
        "does not define `module WrongExt`",
        "no file ext/GoneExt.jl",
        "triggered by Plots",
    ):
        assert expected in problems


def test_package_project_is_consistent():
    project = tomllib.loads((PACKAGE / "Project.toml").read_text())
    uuid = _juliapkg()["packages"]["PyJL"]["uuid"]
    assert project_problems(project, PACKAGE, uuid) == []


def test_package_is_stdlib_only_with_cuda_as_extension():
    project = tomllib.loads((PACKAGE / "Project.toml").read_text())
    assert set(project["deps"]) <= {"LinearAlgebra", "Random", "Statistics"}
    assert project["weakdeps"] == {"CUDA": "052768ef-5323-5732-b1bb-66c8b64840ba"}
    assert project["extensions"] == {"PyJLCUDAExt": "CUDA"}
    for name in ("Test", "TOML"):
        assert project["extras"][name] == STDLIB_TEST[name]
        assert name in project["targets"]["test"]


def test_juliapkg_json_declares_the_shipped_package():
    spec = _juliapkg()
    pkg = spec["packages"]["PyJL"]
    assert pkg == {"uuid": pkg["uuid"], "path": "_julia", "dev": True}
    assert spec["julia"].lstrip("^~=").startswith("1.10")


def test_root_project_is_a_dev_environment():
    root = tomllib.loads((ROOT / "Project.toml").read_text())
    uuid = _juliapkg()["packages"]["PyJL"]["uuid"]
    assert "name" not in root  # an environment, not a package
    assert root["deps"] == {"PyJL": uuid}
    path = ROOT / root["sources"]["PyJL"]["path"]
    assert (path / "Project.toml").is_file() and path.resolve() == PACKAGE.resolve()
    assert 'Pkg.develop(path="julia_src")' in (ROOT / "Project.toml").read_text()


@pytest.mark.parametrize("family", ["gp", "hmm", "dsp"])
def test_runtests_includes_each_family_file(family):
    text = (PACKAGE / "test" / "runtests.jl").read_text()
    assert f'"{family}"' in text and "include(file)" in text
    assert "using TOML" in text and "using Test" in text
