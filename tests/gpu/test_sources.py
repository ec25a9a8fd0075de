"""The cuda engine's CUDA sources: shipped as package data, consistent with the Python side.

The kernels live in ``pyjl/engines/cuda/*.cu`` (after ``prelude.cuh``); the adapters
name them, the contract's :data:`~pyjl.engines.contract.GP_KINDS` numbers the GP kinds,
and the CPU emulation (``cpu_prelude.h``) defines the prelude's names for g++.  These
checks keep each list written once and its copies in step.
"""

import fnmatch
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from pyjl.engines.contract import GP_KINDS
from pyjl.engines.cuda import common, dsp, emissions, gp, hmm

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pyjl" / "engines" / "cuda"
ADAPTERS = [gp, hmm, emissions, dsp]
SOURCES = sorted(p.name for p in PACKAGE.iterdir() if p.suffix in (".cu", ".cuh"))


def test_every_family_has_its_source_file():
    assert sorted(f"{m.NAME}.cu" for m in ADAPTERS) + [common.PRELUDE] == SOURCES


@pytest.mark.parametrize("name", SOURCES)
def test_sources_are_package_data(name):
    """importlib.resources finds them, and pyproject's package-data globs ship them."""
    assert resources.files("pyjl.engines.cuda").joinpath(name).is_file()
    assert common.source(name) == (PACKAGE / name).read_text(encoding="utf-8")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["pyjl"]
    assert any(fnmatch.fnmatch(f"engines/cuda/{name}", g) for g in globs), globs


@pytest.mark.parametrize("mod", ADAPTERS, ids=lambda m: m.NAME)
def test_adapter_names_exactly_the_kernels_of_its_source(mod):
    defined = re.findall(r"PJ_KERNEL\s+void\s+(\w+)\s*\(", common.source(f"{mod.NAME}.cu"))
    assert sorted(defined) == sorted(mod.KERNELS)


def test_gp_kind_codes_are_the_positions_in_the_contract_table():
    text = common.source("gp.cu")
    body = re.search(r"enum\s+pj_gp_kind\s*\{([^}]*)\}", text).group(1)
    codes = {name: int(value) for name, value in re.findall(r"(PJ_\w+)\s*=\s*(\d+)", body)}
    assert codes == {f"PJ_{k.name.upper()}": i for i, k in enumerate(GP_KINDS)}
    assert not re.search(r"kind\s*[=!<>]=?\s*\d", text), "compare kinds with PJ_* names"


def test_gp_parameter_cap_matches_the_adapter():
    assert re.search(r"#define\s+PJ_MAXP\s+(\d+)", common.source("gp.cu")).group(1) == str(
        gp.MAX_P
    )


def test_cpu_prelude_defines_what_the_cuda_prelude_defines():
    def names(text):
        macros = re.findall(r"#define\s+(PJ_\w+)", text)
        functions = re.findall(r"\b(pj_\w+)\s*\(", text)
        return set(macros) | set(functions)

    cpu = (Path(__file__).parent / "cpu_prelude.h").read_text(encoding="utf-8")
    assert names(common.source(common.PRELUDE)) <= names(cpu)


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_cuda_source_in_python_strings(path):
    text = path.read_text(encoding="utf-8")
    for marker in ("__global__", 'extern "C"', "#define", "__device__"):
        assert marker not in text, (path.name, marker)
