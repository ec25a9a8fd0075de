"""Static checks of the Julia kernels' shape for speed (#18), run everywhere (no Julia needed).

* every ``Threads.@threads`` body is one call, in a function that binds no type to a
  local (a captured type makes every conversion in the loop a dynamic call);
* every ``invoke`` and ``PyJL.x`` of the CUDA extension names a method of ``src/``;
* ``julia_src/test/alloc.jl`` is included by ``runtests.jl`` and checks every kernel; the
  precompile workload calls every kernel; the benchmark times every loop kernel.

Each checker is first shown to fail on a deliberately broken snippet.
"""

from __future__ import annotations

import pytest
from julia_syntax import parser, syntax_errors
from test_julia_sources import ROOT, SRC, _signature_call, julia_definitions, julia_types

# --- #18: type-stable threaded loops, the CUDA extension's calls, the allocation tests -------
THREADS_MACRO = "@threads"
# a local bound to a type: `T = Float64`, `S = eltype(x)`, ... (a closure would capture it)
TYPE_CALLS = {"eltype", "typeof", "promote_type", "float", "Base.eltype"}
PRIMITIVE_TYPES = {
    "Float64",
    "Float32",
    "Float16",
    "Int",
    "Int64",
    "Int32",
    "UInt",
    "Bool",
    "BigFloat",
    "Real",
    "Number",
    "Integer",
}


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
                problems.append(
                    f"{name}: binds the type `{assign.text.decode()}` to local "
                    f"{bound!r} in a function with a threaded loop"
                )
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
    eltype_bound = (
        b"function k(x)\n    S = eltype(x)\n    @threads for i in 1:2\n"
        b"        f(S, i)\n    end\nend\n"
    )
    assert threaded_loop_problems(eltype_bound) != []


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "julia_src").glob("*/*.jl")),
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
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
    calls = [
        next((c for c in n.children if c.type == "signature"), None)
        for n in _nodes(root, "function_definition")
    ]
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
        found.append(
            (target.removeprefix("PyJL."), [c.text.decode() for c in curly.children if c.is_named])
        )
    return found


def pyjl_references(source: bytes) -> set[str]:
    """Names used as ``PyJL.<name>``."""
    return {
        n.children[-1].text.decode()
        for n in _nodes(parser().parse(source).root_node, "field_expression")
        if n.children[0].text == b"PyJL"
    }


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
        assert types in sigs.get(name, []), (
            f"invoke of PyJL.{name} with Tuple{{{', '.join(types)}}}: no such method in src/"
        )


def test_the_cuda_extension_uses_only_names_src_defines():
    defined = julia_definitions() | set(julia_types()) | {"GP_KINDS"}
    missing = sorted(pyjl_references(EXT.read_bytes()) - defined)
    assert not missing, f"ext/PyJLCUDAExt.jl uses PyJL.{missing}, undefined in julia_src/src"


def called_names(source: bytes) -> set[str]:
    """Plain and ``PyJL.``-qualified names of every function called in ``source``."""
    return {
        _call_name(c).removeprefix("PyJL.")
        for c in _nodes(parser().parse(source).root_node, "call_expression")
    }


def checked_for_allocations(source: bytes) -> set[str]:
    """First arguments of ``check_allocations(...)`` calls (plain or ``PyJL.`` names)."""
    return {
        _arguments(c)[0].text.decode().removeprefix("PyJL.")
        for c in _nodes(parser().parse(source).root_node, "call_expression")
        if _call_name(c) == "check_allocations" and _arguments(c)
    }


def test_alloc_jl_is_included_by_runtests_and_checks_every_kernel():
    from pyjl.engines.contract import KERNELS

    tests = ROOT / "julia_src" / "test"
    included = {
        _arguments(c)[0].text.decode().strip('"')
        for c in _nodes(
            parser().parse((tests / "runtests.jl").read_bytes()).root_node, "call_expression"
        )
        if _call_name(c) == "include" and _arguments(c)
    }
    assert "alloc.jl" in included, 'julia_src/test/runtests.jl must include("alloc.jl")'
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
    loops = (
        set(KERNELS["dsp"])
        | set(KERNELS["hmm"])
        | {"kernel_matrix", "kernel_matrix_grad", "kernel_grad_contract"}
    )
    missing = sorted(loops - called_names(bench.read_bytes()))
    assert not missing, f"julia_src/benchmark/run.jl does not time {missing}"
