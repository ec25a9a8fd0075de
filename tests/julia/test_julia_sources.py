"""Static checks of the Julia sources, run everywhere (no Julia runtime needed).

* every ``.jl`` file of the repository parses with tree-sitter-julia (no ERROR or
  MISSING node) and ``fatou lint`` reports no parse error and no construct newer
  than Julia 1.10;
* parity: every kernel of the engine contract, every name the ``julia`` engine
  passes to ``bridge.call`` and every name PyJL exports has a Julia method
  definition in ``julia_src/src``.

Each checker is first shown to fail on a deliberately broken snippet.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from julia_syntax import parser, syntax_errors

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "julia_src" / "src"
SKIP_DIRS = {".git", ".venv", ".ci-venv", "build", "dist", "node_modules", "_julia",
             "__pycache__", ".pytest_cache", ".hypothesis"}
FATOU_FAILS = {"parse-error", "julia-version-compat"}


def julia_files() -> list[Path]:
    """Every .jl file of the checkout, outside virtual environments, builds and pyjl/_julia."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
        found += [Path(folder, f) for f in files if f.endswith(".jl")]
    return sorted(found)


def _callee(node):
    """The defined name of a signature node, or None (qualified or anonymous definitions)."""
    while node is not None and node.type in ("where_expression", "typed_expression"):
        node = node.children[0]
    if node is None or node.type != "call_expression":
        return None
    head = node.children[0]
    return head.text.decode() if head.type == "identifier" else None


def defined_functions(source: bytes) -> set[str]:
    """Names given a method by ``function name(...)`` or ``name(...) = ...`` outside any
    function body (a bare ``function name end`` stub declares no method)."""
    names: set[str] = set()
    stack = [parser().parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type == "function_definition":
            sig = next((c for c in node.children if c.type == "signature"), None)
            if sig is not None and sig.children and (name := _callee(sig.children[0])):
                names.add(name)
            continue
        if node.type == "assignment" and node.children:
            if name := _callee(node.children[0]):
                names.add(name)
                continue
        stack.extend(node.children)
    return names


def exported_names(source: bytes) -> set[str]:
    stack, names = [parser().parse(source).root_node], set()
    while stack:
        node = stack.pop()
        if node.type == "export_statement":
            names |= {c.text.decode() for c in node.children if c.type == "identifier"}
        else:
            stack.extend(node.children)
    return names


def _fatou() -> str:
    local = Path(sys.executable).with_name("fatou")
    exe = str(local) if local.exists() else shutil.which("fatou")
    if exe is None:
        pytest.fail("fatou is needed for the static Julia checks; pip install -e '.[test]'")
    return exe


def fatou_problems(paths: list[Path]) -> list[str]:
    """Parse errors and Julia-1.10 incompatibilities that ``fatou lint`` finds in ``paths``."""
    done = subprocess.run([_fatou(), "lint", "--no-config", "--julia-version", "1.10",
                           "--output", "json", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    try:
        report = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        pytest.fail(f"fatou lint gave no JSON (rc={done.returncode}): {done.stderr[-2000:]}")
    return [f"{d['path']}@{d['range']['start']}: {d['rule']}: {d['message']['body']}"
            for d in report if d["rule"] in FATOU_FAILS or d["severity"] == "error"]


# --- the checkers catch what they are meant to catch ------------------------------------
BROKEN = b"function f(x)\n    y = x +\nend\n"
NEWER = b"module M\npublic f\nf(x) = x\nend\n"


def test_tree_sitter_flags_a_broken_snippet():
    assert syntax_errors(BROKEN)
    assert syntax_errors(b"function f(x)\n    return x\n") != []   # missing `end`
    assert syntax_errors(b"function f(x)\n    return x\nend\n") == []


def test_fatou_flags_a_parse_error_and_a_post_1_10_keyword(tmp_path):
    (tmp_path / "broken.jl").write_bytes(BROKEN)
    (tmp_path / "newer.jl").write_bytes(NEWER)
    (tmp_path / "fine.jl").write_bytes(b"f(x::AbstractVector) = sum(x)\n")
    problems = fatou_problems(sorted(tmp_path.glob("*.jl")))
    assert any("broken.jl" in p and "parse-error" in p for p in problems)
    assert any("newer.jl" in p and "julia-version-compat" in p for p in problems)
    assert not any("fine.jl" in p for p in problems)


def test_definition_finder_on_a_snippet():
    src = b"""
    module M
    function long_form(x::AbstractMatrix{T}) where {T<:Real}
        inner(y) = y          # local: not a definition of M
        return inner(x)
    end
    short_form(x) = 2x
    typed(x)::Float64 = 1.0
    param(x::T) where {T} = x
    mutate!(x) = x
    function stub end
    Base.show(io::IO, x::Int) = nothing
    call_only(1)
    const value = 3
    end
    """
    assert defined_functions(src) == {"long_form", "short_form", "typed", "param", "mutate!"}
    assert exported_names(b"module M\nexport a, b!\nexport c\nend\n") == {"a", "b!", "c"}


# --- the repository's Julia files ---------------------------------------------------------
FILES = julia_files()


def test_the_julia_package_is_there():
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {"julia_src/src/PyJL.jl", "julia_src/test/runtests.jl",
            "julia_src/ext/PyJLCUDAExt.jl"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_parses_with_tree_sitter(path):
    assert syntax_errors(path.read_bytes()) == [], f"{path} has syntax errors"


def test_fatou_lint_finds_no_parse_or_compat_error():
    assert fatou_problems(FILES) == []


# --- parity with the engine contract -------------------------------------------------------
def julia_definitions() -> set[str]:
    names: set[str] = set()
    for path in sorted(SRC.glob("*.jl")):
        names |= defined_functions(path.read_bytes())
    return names


def bridge_calls(path: Path) -> set[str]:
    """Names passed as the first argument of ``bridge.call("<name>", ...)`` in ``path``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "call" and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "bridge" and node.args
                and isinstance(node.args[0], ast.Constant)):
            names.add(node.args[0].value)
    return names


def test_bridge_call_finder_on_a_snippet(tmp_path):
    snippet = tmp_path / "adapter.py"
    snippet.write_text("def f(x):\n    return bridge.call('viterbi', x) + other.call('no')\n")
    assert bridge_calls(snippet) == {"viterbi"}


@pytest.mark.parametrize("family", ["gp", "hmm", "dsp"])
def test_every_contract_kernel_has_a_julia_method(family):
    from pyjl.engines.contract import KERNELS

    missing = sorted(set(KERNELS[family]) - julia_definitions())
    assert not missing, f"julia_src/src defines no method for {family} kernels {missing}"


def test_the_julia_engine_calls_only_defined_functions():
    called = bridge_calls(ROOT / "pyjl" / "engines" / "julia.py")
    assert called, "pyjl/engines/julia.py calls no bridge function"
    missing = sorted(called - julia_definitions())
    assert not missing, f"pyjl/engines/julia.py calls {missing}, undefined in julia_src/src"


def test_every_export_is_defined():
    exported = exported_names((SRC / "PyJL.jl").read_bytes())
    missing = sorted(exported - julia_definitions())
    assert not missing, f"PyJL exports {missing} but julia_src/src defines no method for them"
