"""The import arrows of DESIGN.md / STYLE.md section 14, checked by parsing every module.

    cli -> families (bo -> gp; dsp; hmm) -> engines -> (bindings pyjl._native | julia bridge
    pyjl.julia) -> data -> _config -> _validate -> exceptions

``pyjl._threads`` (native thread pools) sits beside them and imports nothing of pyjl.

A module may import its own layer and the layers its row of ``MAY_IMPORT`` lists,
lazily or not (imports inside functions count).  Families, the CLI and
``pyjl.testing`` reach engines only through ``pyjl.engines`` (the registry) and
the contract, never ``pyjl.engines.native/julia/cuda``.  ``__init__.py`` files
hold only a docstring, imports and ``__all__``; ``bindings/*.pyx`` never import
pyjl; optional bridges and GPU libraries are never imported at module level.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pyjl"

#: module prefix -> layer (the longest matching prefix wins)
LAYERS = {
    "pyjl": "top",
    "pyjl.cli": "cli",
    "pyjl.__main__": "cli",  # python -m pyjl: the command
    "pyjl.testing": "testing",
    "pyjl._testing_engine": "testing",
    "pyjl._info": "info",
    "pyjl.bo": "bo",
    "pyjl.gp": "gp",
    "pyjl.dsp": "dsp",
    "pyjl.hmm": "hmm",
    "pyjl.demo": "demo",
    "pyjl.engines": "engines",
    "pyjl._native": "bindings",
    "pyjl.julia": "julia",
    "pyjl.data": "data",
    "pyjl._config": "config",
    "pyjl._threads": "threads",
    "pyjl._validate": "validate",
    "pyjl._params": "validate",
    "pyjl._atomic": "validate",
    "pyjl.exceptions": "exceptions",
    "pyjl._warn": "exceptions",
    "pyjl._progress": "exceptions",
    "pyjl._version": "version",
}
BASE = {"data", "config", "threads", "validate", "exceptions", "version"}
FAMILIES = {"bo", "gp", "dsp", "hmm"}
#: layer -> the other layers it may import (its own layer is always allowed)
MAY_IMPORT = {
    "top": set(LAYERS.values()),
    "cli": FAMILIES | {"info", "testing", "engines", "demo"} | BASE,
    "demo": FAMILIES | {"engines"} | BASE,
    "testing": FAMILIES | {"engines"} | BASE,
    "info": {"engines", "julia"} | BASE,
    "bo": {"gp", "engines"} | BASE,
    "gp": {"engines"} | BASE,
    "dsp": {"engines"} | BASE,
    "hmm": {"engines"} | BASE,
    "engines": {"bindings", "julia"} | BASE,
    "julia": BASE,
    "bindings": set(),
    "data": {"config", "validate", "exceptions", "version"},
    "validate": {"exceptions"},
    "config": {"validate", "exceptions", "version"},
    "threads": set(),
    "exceptions": set(),
    "version": set(),
}
#: the only engine modules that families, the CLI and pyjl.testing may import
ENGINE_ENTRY = {"pyjl.engines", "pyjl.engines.registry", "pyjl.engines.contract"}
RESTRICTED = FAMILIES | {"cli", "testing", "demo"}
#: never imported at module level (lazy, where used): they start runtimes or need hardware
LAZY_ONLY = {"juliacall", "julia", "juliapkg", "cupy", "cupyx"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str | None:
    if module == "pyjl":
        return "top"
    for cut in range(module.count(".") + 1, 1, -1):
        prefix = ".".join(module.split(".")[:cut])
        if prefix in LAYERS:
            return LAYERS[prefix]
    return None


def _is_module(name: str, root: Path) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def pyjl_imports(module: str, source: str, is_package: bool, root: Path = ROOT):
    """``(target module, lineno, top_level)`` for every import of a pyjl module."""
    tree = ast.parse(source)
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                parent = ".".join(base + ([node.module] if node.module else []))
            else:
                parent = node.module or ""
            names = [
                f"{parent}.{a.name}" if _is_module(f"{parent}.{a.name}", root) else parent
                for a in node.names
            ]
        else:
            continue
        found += [(n, node.lineno, id(node) in top) for n in names]
    return found


def violations(module: str, source: str, is_package: bool = False, root: Path = ROOT) -> list[str]:
    """Every broken arrow in ``source`` (the module ``module``)."""
    own = layer(module)
    if own is None:
        return [f"{module}: no layer; add it to LAYERS in tests/test_architecture.py"]
    problems = []
    for target, line, top_level in pyjl_imports(module, source, is_package, root):
        head = target.split(".")[0]
        if head in LAZY_ONLY and top_level:
            problems.append(
                f"{module}:{line} imports {target} at module level (import it "
                "lazily where it is used)"
            )
        if head != "pyjl":
            continue
        theirs = layer(target)
        if theirs != own and theirs not in MAY_IMPORT[own]:
            problems.append(f"{module}:{line} ({own}) imports {target} ({theirs})")
        elif own in RESTRICTED and theirs == "engines" and target not in ENGINE_ENTRY:
            problems.append(f"{module}:{line} imports {target}; use pyjl.engines.current()")
    if is_package:
        problems += init_violations(module, source)
    return problems


def init_violations(module: str, source: str) -> list[str]:
    problems = []
    for i, node in enumerate(ast.parse(source).body):
        docstring = (
            i == 0
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
        dunder_all = isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and all(
            isinstance(t, ast.Name) and t.id == "__all__"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
        # PEP 562: a module __getattr__ may import a name whose optional dependency
        # should not load with the package (it only imports and returns)
        lazy = isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
        if not (docstring or dunder_all or lazy or isinstance(node, (ast.Import, ast.ImportFrom))):
            problems.append(
                f"{module}/__init__.py:{node.lineno} has a "
                f"{type(node).__name__}; only imports, __all__, a lazy __getattr__ and a "
                "docstring"
            )
    return problems


def pyx_violations(source: str) -> list[str]:
    pattern = re.compile(r"^\s*(from\s+(pyjl\b|\.)|c?import\s+pyjl\b)")
    return [
        f"line {i}: {line.strip()}"
        for i, line in enumerate(source.splitlines(), 1)
        if pattern.match(line)
    ]


# --- the checker catches what it is meant to catch --------------------------------------
@pytest.mark.parametrize(
    "module, source, is_package, expected",
    [
        (
            "pyjl.gp.regression",
            "from ..engines import native\n",
            False,
            "use pyjl.engines.current",
        ),
        (
            "pyjl.hmm.model",
            "def f():\n    from pyjl.engines.julia import JuliaEngine\n",
            False,
            "use pyjl.engines.current",
        ),
        ("pyjl.dsp.filtering", "from .. import julia\n", False, "(julia)"),
        ("pyjl.gp.kernels", "from ..bo import Space\n", False, "(bo)"),
        ("pyjl.engines.native", "from ..gp import GaussianProcess\n", False, "(gp)"),
        ("pyjl.julia.bridge", "from ..engines import current\n", False, "(engines)"),
        ("pyjl.data", "from . import engines\n", False, "(engines)"),
        ("pyjl.exceptions", "from ._config import get\n", False, "(config)"),
        ("pyjl._config", "from .data import as_array\n", False, "(data)"),
        ("pyjl._threads", "from ._config import get\n", False, "(config)"),
        ("pyjl.julia.bridge", "import juliacall\n", False, "at module level"),
        ("pyjl.gp", '"""Doc."""\nfrom .kernels import RBF\nRBF.x = 1\n', True, "only imports"),
        ("pyjl.newthing", "import os\n", False, "no layer"),
    ],
)
def test_checker_flags_wrong_arrows(module, source, is_package, expected):
    problems = violations(module, source, is_package)
    assert any(expected in p for p in problems), problems


def test_checker_accepts_the_allowed_arrows():
    assert (
        violations(
            "pyjl.bo.optimizer",
            "from .. import engines\nfrom ..gp import RBF\n"
            "from ..engines.contract import Engine\nfrom ..exceptions import "
            "InputError\nimport numpy\n",
        )
        == []
    )
    assert (
        violations("pyjl.julia.bridge", "def f():\n    import juliacall\nfrom .. import _config\n")
        == []
    )
    assert (
        violations("pyjl.gp", '"""Doc."""\nfrom .kernels import RBF\n__all__ = ["RBF"]\n', True)
        == []
    )


def test_pyx_checker():
    assert pyx_violations("import numpy as np\ncimport numpy as cnp\n") == []
    assert pyx_violations("from pyjl.exceptions import InputError\n")
    assert pyx_violations("cimport pyjl._native.gp\n")
    assert pyx_violations("    import pyjl\n")


# --- the repository ------------------------------------------------------------------------
MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_keeps_the_arrows(path):
    problems = violations(module_name(path), path.read_text(), path.name == "__init__.py")
    assert problems == []


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "bindings").glob("*.pyx"), *(ROOT / "bindings").glob("*.pxi")]),
    ids=lambda p: p.name,
)
def test_bindings_never_import_pyjl(path):
    assert pyx_violations(path.read_text()) == []
