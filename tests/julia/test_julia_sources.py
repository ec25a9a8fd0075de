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
SKIP_DIRS = {
    ".git",
    ".venv",
    ".ci-venv",
    "build",
    "dist",
    "node_modules",
    "_julia",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
}
FATOU_FAILS = {"parse-error", "julia-version-compat"}


def julia_files() -> list[Path]:
    """Every .jl file of the checkout, outside virtual environments, builds and pyjl/_julia."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
        found += [Path(folder, f) for f in files if f.endswith(".jl")]
    return sorted(found)


def _signature_call(node):
    """The call node of a signature, or None (qualified or anonymous definitions)."""
    while node is not None and node.type in ("where_expression", "typed_expression"):
        node = node.children[0]
    if node is None or node.type != "call_expression" or node.children[0].type != "identifier":
        return None
    return node


def _first_argument_type(call) -> str | None:
    """``T`` of a first argument written ``x::T`` or ``::T`` (a plain name), else None."""
    args = next((c for c in call.children if c.type == "argument_list"), None)
    first = next((c for c in args.children if c.is_named), None) if args is not None else None
    if first is None or first.type not in ("typed_expression", "unary_typed_expression"):
        return None
    last = first.children[-1]
    return last.text.decode() if last.type == "identifier" else None


def method_definitions(source: bytes) -> set[tuple[str, str | None]]:
    """``(name, type of the first argument or None)`` of every method given by
    ``function name(...)`` or ``name(...) = ...`` outside any function body (a bare
    ``function name end`` stub declares no method)."""
    found: set[tuple[str, str | None]] = set()
    stack = [parser().parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type == "function_definition":
            sig = next((c for c in node.children if c.type == "signature"), None)
            if sig is not None and sig.children and (call := _signature_call(sig.children[0])):
                found.add((call.children[0].text.decode(), _first_argument_type(call)))
            continue
        if node.type == "assignment" and node.children:
            if call := _signature_call(node.children[0]):
                found.add((call.children[0].text.decode(), _first_argument_type(call)))
                continue
        stack.extend(node.children)
    return found


def defined_functions(source: bytes) -> set[str]:
    """Names given a method (see :func:`method_definitions`)."""
    return {name for name, _ in method_definitions(source)}


def defined_types(source: bytes) -> dict[str, tuple[str | None, list[str]]]:
    """``name -> (declared supertype or None, field names)`` of every ``struct`` and
    ``abstract type`` (plain names; a parametrised type is listed under its bare name)."""
    types: dict[str, tuple[str | None, list[str]]] = {}
    stack = [parser().parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type not in ("struct_definition", "abstract_definition"):
            stack.extend(node.children)
            continue
        head = next(c for c in node.children if c.type == "type_head").children[0]
        supertype = None
        if head.type == "binary_expression" and head.children[1].text == b"<:":
            head, supertype = head.children[0], head.children[2].text.decode()
        if head.type == "parametrized_type_expression":
            head = head.children[0]
        fields = [
            (c.children[0] if c.type == "typed_expression" else c).text.decode()
            for c in node.children
            if c.type in ("typed_expression", "identifier")
        ]
        types[head.text.decode()] = (supertype, fields)
    return types


def const_pairs(source: bytes, name: str) -> list[tuple[str, str]]:
    """The ``"key" => Value`` entries, in order, of ``const <name> = ("key" => Value, ...)``."""
    stack = [parser().parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type == "const_statement":
            assign = next((c for c in node.children if c.type == "assignment"), None)
            if assign is not None and assign.children[0].text.decode() == name:
                return [
                    (c.children[0].text.decode().strip('"'), c.children[2].text.decode())
                    for c in assign.children[2].children
                    if c.type == "binary_expression" and c.children[1].text == b"=>"
                ]
        stack.extend(node.children)
    return []


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
    done = subprocess.run(
        [
            _fatou(),
            "lint",
            "--no-config",
            "--julia-version",
            "1.10",
            "--output",
            "json",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        report = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        pytest.fail(f"fatou lint gave no JSON (rc={done.returncode}): {done.stderr[-2000:]}")
    return [
        f"{d['path']}@{d['range']['start']}: {d['rule']}: {d['message']['body']}"
        for d in report
        if d["rule"] in FATOU_FAILS or d["severity"] == "error"
    ]


# --- the checkers catch what they are meant to catch ------------------------------------
BROKEN = b"function f(x)\n    y = x +\nend\n"
NEWER = b"module M\npublic f\nf(x) = x\nend\n"


def test_tree_sitter_flags_a_broken_snippet():
    assert syntax_errors(BROKEN)
    assert syntax_errors(b"function f(x)\n    return x\n") != []  # missing `end`
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


def test_type_and_table_finders_on_a_snippet():
    src = b"""
    abstract type Kind end
    "doc"
    struct A <: Kind end
    struct B <: Kind
        alpha::Float64
        beta
    end
    mutable struct C{T}
        x::T
    end
    kappa(::A, r2::Real) = r2
    kappa(k::B, r2) = k.alpha
    function inner(kind::C, X)
        return X
    end
    untyped(x, y) = x
    const TABLE = (
        "a" => A,
        "b" => B,
    )
    const OTHER = ("c" => C,)
    """
    assert defined_types(src) == {
        "Kind": (None, []),
        "A": ("Kind", []),
        "B": ("Kind", ["alpha", "beta"]),
        "C": (None, ["x"]),
    }
    assert method_definitions(src) == {
        ("kappa", "A"),
        ("kappa", "B"),
        ("inner", "C"),
        ("untyped", None),
    }
    assert const_pairs(src, "TABLE") == [("a", "A"), ("b", "B")]
    assert const_pairs(src, "MISSING") == []


# --- the repository's Julia files ---------------------------------------------------------
FILES = julia_files()


def test_the_julia_package_is_there():
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {
        "julia_src/src/PyJL.jl",
        "julia_src/test/runtests.jl",
        "julia_src/ext/PyJLCUDAExt.jl",
    } <= names


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


def julia_types() -> dict[str, tuple[str | None, list[str]]]:
    types: dict[str, tuple[str | None, list[str]]] = {}
    for path in sorted(SRC.glob("*.jl")):
        types.update(defined_types(path.read_bytes()))
    return types


def julia_methods() -> set[tuple[str, str | None]]:
    found: set[tuple[str, str | None]] = set()
    for path in sorted(SRC.glob("*.jl")):
        found |= method_definitions(path.read_bytes())
    return found


def julia_gp_kinds() -> list[tuple[str, str]]:
    for path in sorted(SRC.glob("*.jl")):
        if pairs := const_pairs(path.read_bytes(), "GP_KINDS"):
            return pairs
    return []


def bridge_calls(path: Path) -> set[str]:
    """Names passed as the first argument of ``bridge.call("<name>", ...)`` in ``path``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "call"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "bridge"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
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
    missing = sorted(exported - julia_definitions() - set(julia_types()))
    assert not missing, f"PyJL exports {missing} but julia_src/src defines no method for them"


# --- the GP kernel kinds: one Julia table, the contract's names, one struct each ---------------
# A kind that is not a function of r2 supplies both paths itself: the host loops'
# hooks (gp_loops.jl) and the broadcast forms the CUDA extension runs (gp_broadcast.jl).
OWN_KIND_METHODS = (
    "_gp_points",
    "_matrix_column!",
    "_grad_column!",
    "_contract_column!",
    "_contract_finish!",
    "_gp_entry",
    "_broadcast_kernel_matrix",
    "_broadcast_kernel_matrix_grad",
    "_broadcast_grad_block",
)


def test_julia_gp_kinds_are_the_contracts():
    from pyjl.engines.contract import GP_KINDS

    julia = julia_gp_kinds()
    assert [name for name, _ in julia] == [k.name for k in GP_KINDS], (
        "julia_src/src GP_KINDS must list pyjl.engines.contract.GP_KINDS' names in order"
    )


@pytest.mark.parametrize("name, struct", julia_gp_kinds(), ids=[n for n, _ in julia_gp_kinds()])
def test_each_julia_gp_kind_is_a_struct_with_its_formula(name, struct):
    from pyjl.engines.contract import GP_KINDS

    supertype, fields = julia_types().get(struct, (None, None))
    assert supertype == "StationaryKind", f"{struct} is not a `struct {struct} <: StationaryKind`"
    extra = next(k.extra for k in GP_KINDS if k.name == name)
    assert tuple(fields) == extra, f"{struct}'s fields {fields} are not {name}'s extra {extra}"
    methods = julia_methods()
    own = {(name, struct) for name in OWN_KIND_METHODS}
    radial = {("kappa", struct), ("gscale", struct)}
    if fields:
        radial.add(("dkappa_dlogextra", struct))
    assert radial <= methods or own <= methods, (
        f"{struct} needs kappa and gscale (and dkappa_dlogextra with fields) or its own "
        f"methods of {', '.join(OWN_KIND_METHODS)}"
    )
