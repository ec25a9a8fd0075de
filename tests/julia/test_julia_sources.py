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
        fields = [(c.children[0] if c.type == "typed_expression" else c).text.decode()
                  for c in node.children if c.type in ("typed_expression", "identifier")]
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
                return [(c.children[0].text.decode().strip('"'), c.children[2].text.decode())
                        for c in assign.children[2].children
                        if c.type == "binary_expression" and c.children[1].text == b"=>"]
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
    assert defined_types(src) == {"Kind": (None, []), "A": ("Kind", []),
                                  "B": ("Kind", ["alpha", "beta"]), "C": (None, ["x"])}
    assert method_definitions(src) == {("kappa", "A"), ("kappa", "B"), ("inner", "C"),
                                       ("untyped", None)}
    assert const_pairs(src, "TABLE") == [("a", "A"), ("b", "B")]
    assert const_pairs(src, "MISSING") == []


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
    missing = sorted(exported - julia_definitions() - set(julia_types()))
    assert not missing, f"PyJL exports {missing} but julia_src/src defines no method for them"


# --- the GP kernel kinds: one Julia table, the contract's names, one struct each ---------------
# A kind that is not a function of r2 supplies both paths itself: the host loops'
# hooks (gp_loops.jl) and the broadcast forms the CUDA extension runs (gp_broadcast.jl).
OWN_KIND_METHODS = ("_gp_points", "_matrix_column!", "_grad_column!", "_contract_column!",
                    "_contract_finish!", "_broadcast_kernel_matrix",
                    "_broadcast_kernel_matrix_grad", "_broadcast_kernel_grad_contract")


def test_julia_gp_kinds_are_the_contracts():
    from pyjl.engines.contract import GP_KINDS

    julia = julia_gp_kinds()
    assert [name for name, _ in julia] == [k.name for k in GP_KINDS], \
        "julia_src/src GP_KINDS must list pyjl.engines.contract.GP_KINDS' names in order"


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
    assert radial <= methods or own <= methods, \
        f"{struct} needs kappa and gscale (and dkappa_dlogextra with fields) or its own " \
        f"methods of {', '.join(OWN_KIND_METHODS)}"


# --- #18: type-stable threaded loops, the CUDA extension's calls, the allocation tests -------
THREADS_MACRO = "@threads"
# a local bound to a type: `T = Float64`, `S = eltype(x)`, ... (a closure would capture it)
TYPE_CALLS = {"eltype", "typeof", "promote_type", "float", "Base.eltype"}
PRIMITIVE_TYPES = {"Float64", "Float32", "Float16", "Int", "Int64", "Int32", "UInt", "Bool",
                   "BigFloat", "Real", "Number", "Integer"}


def _nodes(node, kind):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == kind:
            yield n
        stack.extend(reversed(n.children))


def _is_threads_macro(node) -> bool:
    ident = next((c for c in node.children if c.type == "macro_identifier"), None)
    return ident is not None and ident.text.decode() == THREADS_MACRO


def _binds_a_type(assign) -> str | None:
    """The name of ``name = <a type>`` (a primitive type name, or eltype/typeof of ...)."""
    lhs, rhs = assign.children[0], assign.children[-1]
    if lhs.type != "identifier":
        return None
    if rhs.type == "identifier" and rhs.text.decode() in PRIMITIVE_TYPES:
        return lhs.text.decode()
    if rhs.type == "call_expression" and rhs.children[0].text.decode() in TYPE_CALLS:
        return lhs.text.decode()
    return None


def threaded_loop_problems(source: bytes) -> list[str]:
    """Every ``Threads.@threads for`` loop's body is one function call, and the function
    that runs it binds no type to a local (a ``@threads`` closure would capture it as a
    ``DataType`` and every conversion in the loop would be a dynamic call)."""
    problems = []
    root = parser().parse(source).root_node
    for fn in _nodes(root, "function_definition"):
        loops = [m for m in _nodes(fn, "macrocall_expression") if _is_threads_macro(m)]
        if not loops:
            continue
        name = fn.children[1].text.decode().split("(")[0]
        for assign in _nodes(fn, "assignment"):
            if bound := _binds_a_type(assign):
                problems.append(f"{name}: binds the type `{assign.text.decode()}` to local "
                                f"{bound!r} in a function with a threaded loop")
        for loop in loops:
            args = next(c for c in loop.children if c.type == "macro_argument_list")
            body_of = next((c for c in args.children if c.type == "for_statement"), None)
            if body_of is None:
                problems.append(f"{name}: @threads without a for loop")
                continue
            body = [c for c in body_of.children if c.is_named and c.type != "for_binding"]
            if len(body) != 1 or body[0].type != "call_expression":
                problems.append(f"{name}: the @threads loop body is not one function call")
    return problems


def test_threaded_loop_checker_on_snippets():
    good = b"""
    function f!(y, x)
        Threads.@threads for c in 1:size(x, 2)
            _f_channel!(y, x, c)
        end
        return y
    end
    """
    captured_type = b"""
    function g(x)
        T = Float64
        y = similar(x, T)
        Threads.@threads for c in 1:size(x, 2)
            _g!(y, x, T, c)
        end
    end
    """
    inline_body = b"""
    function h(x)
        Threads.@threads for c in 1:size(x, 2)
            buf = zeros(3)
            _h!(buf, x, c)
        end
    end
    """
    assert threaded_loop_problems(good) == []
    assert any("binds the type" in p for p in threaded_loop_problems(captured_type))
    assert any("not one function call" in p for p in threaded_loop_problems(inline_body))
    eltype_bound = b"function k(x)\n    S = eltype(x)\n    @threads for i in 1:2\n" \
                   b"        f(S, i)\n    end\nend\n"
    assert threaded_loop_problems(eltype_bound) != []


@pytest.mark.parametrize("path", sorted((ROOT / "julia_src").glob("*/*.jl")),
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_threaded_loops_call_a_function_and_capture_no_type(path):
    assert threaded_loop_problems(path.read_bytes()) == [], path


def _call_name(call) -> str:
    return call.children[0].text.decode()


def _arguments(call) -> list:
    args = next((c for c in call.children if c.type == "argument_list"), None)
    return [c for c in args.children if c.is_named] if args is not None else []


def method_signatures(source: bytes) -> dict[str, list[list[str]]]:
    """``name -> [[type of each positional argument ("Any" if untyped)], ...]`` of every
    long- or short-form method definition (keyword arguments left out)."""
    sigs: dict[str, list[list[str]]] = {}
    root = parser().parse(source).root_node
    calls = [next((c for c in n.children if c.type == "signature"), None)
             for n in _nodes(root, "function_definition")]
    calls = [_signature_call(s.children[0]) for s in calls if s is not None and s.children]
    calls += [_signature_call(a.children[0]) for a in _nodes(root, "assignment")]
    for call in filter(None, calls):
        types = []
        for arg in _arguments(call):
            if arg.type in ("typed_expression", "unary_typed_expression"):
                types.append(arg.children[-1].text.decode())
            elif arg.type == "identifier":
                types.append("Any")
        sigs.setdefault(_call_name(call), []).append(types)
    return sigs


def invoke_calls(source: bytes) -> list[tuple[str, list[str]]]:
    """``(name, [types])`` of every ``invoke(PyJL.name, Tuple{types...}, ...)``."""
    found = []
    for call in _nodes(parser().parse(source).root_node, "call_expression"):
        args = _arguments(call)
        if _call_name(call) != "invoke" or len(args) < 2:
            continue
        target, tup = args[0].text.decode(), args[1]
        curly = next(c for c in tup.children if c.type == "curly_expression")
        found.append((target.removeprefix("PyJL."),
                      [c.text.decode() for c in curly.children if c.is_named]))
    return found


def pyjl_references(source: bytes) -> set[str]:
    """Names used as ``PyJL.<name>``."""
    return {n.children[-1].text.decode()
            for n in _nodes(parser().parse(source).root_node, "field_expression")
            if n.children[0].text == b"PyJL"}


def test_invoke_and_reference_finders_on_a_snippet():
    src = b"""
    f(x::AbstractMatrix, y::Real; k = 1) = x
    function g(x, y::AbstractVector) end
    h() = invoke(PyJL.f, Tuple{AbstractMatrix, Real}, 1, 2) + PyJL._inner(3)
    """
    assert method_signatures(src)["f"] == [["AbstractMatrix", "Real"]]
    assert method_signatures(src)["g"] == [["Any", "AbstractVector"]]
    assert invoke_calls(src) == [("f", ["AbstractMatrix", "Real"])]
    assert pyjl_references(src) == {"f", "_inner"}


EXT = ROOT / "julia_src" / "ext" / "PyJLCUDAExt.jl"


def test_every_invoke_in_the_cuda_extension_names_a_method():
    sigs: dict[str, list[list[str]]] = {}
    for path in sorted(SRC.glob("*.jl")):
        for name, found in method_signatures(path.read_bytes()).items():
            sigs.setdefault(name, []).extend(found)
    for name, types in invoke_calls(EXT.read_bytes()):
        assert types in sigs.get(name, []), \
            f"invoke of PyJL.{name} with Tuple{{{', '.join(types)}}}: no such method in src/"


def test_the_cuda_extension_uses_only_names_src_defines():
    defined = julia_definitions() | set(julia_types()) | {"GP_KINDS"}
    missing = sorted(pyjl_references(EXT.read_bytes()) - defined)
    assert not missing, f"ext/PyJLCUDAExt.jl uses PyJL.{missing}, undefined in julia_src/src"


def called_names(source: bytes) -> set[str]:
    """Plain and ``PyJL.``-qualified names of every function called in ``source``."""
    return {_call_name(c).removeprefix("PyJL.")
            for c in _nodes(parser().parse(source).root_node, "call_expression")}


def checked_for_allocations(source: bytes) -> set[str]:
    """First arguments of ``check_allocations(...)`` calls (plain or ``PyJL.`` names)."""
    return {_arguments(c)[0].text.decode().removeprefix("PyJL.")
            for c in _nodes(parser().parse(source).root_node, "call_expression")
            if _call_name(c) == "check_allocations" and _arguments(c)}


def test_alloc_jl_is_included_by_runtests_and_checks_every_kernel():
    from pyjl.engines.contract import KERNELS

    tests = ROOT / "julia_src" / "test"
    included = {_arguments(c)[0].text.decode().strip('"')
                for c in _nodes(parser().parse((tests / "runtests.jl").read_bytes()).root_node,
                                "call_expression")
                if _call_name(c) == "include" and _arguments(c)}
    assert "alloc.jl" in included, "julia_src/test/runtests.jl must include(\"alloc.jl\")"
    every = {k for names in KERNELS.values() for k in names}
    missing = sorted(every - checked_for_allocations((tests / "alloc.jl").read_bytes()))
    assert not missing, f"julia_src/test/alloc.jl has no check_allocations of {missing}"


def test_the_precompile_workload_calls_every_kernel():
    from pyjl.engines.contract import KERNELS

    every = {k for names in KERNELS.values() for k in names}
    missing = sorted(every - called_names((SRC / "precompile.jl").read_bytes()))
    assert not missing, f"julia_src/src/precompile.jl does not call {missing}"


def test_the_benchmark_times_every_loop_kernel():
    from pyjl.engines.contract import KERNELS

    bench = ROOT / "julia_src" / "benchmark" / "run.jl"
    assert syntax_errors(bench.read_bytes()) == []
    loops = set(KERNELS["dsp"]) | set(KERNELS["hmm"]) | {
        "kernel_matrix", "kernel_matrix_grad", "kernel_grad_contract"}
    missing = sorted(loops - called_names(bench.read_bytes()))
    assert not missing, f"julia_src/benchmark/run.jl does not time {missing}"
