"""The native engine's C sources: headers, not strings; one list of GP kinds; each formula once.

The C of ``bindings/*.pyx`` lives in ``bindings/include/*.h``.  These tests read the
sources (no compiler needed, except for the self-containment check, which skips without
``gcc``) and check the compiled GP kernels against closed forms computed here.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import numpy as np
import pytest
from kernel_references import kernel_matrix as kernel_matrix_reference

import pyjl.engines as engines
from pyjl._native import gp
from pyjl.engines.contract import GP_KINDS

ROOT = Path(__file__).resolve().parents[2]
BINDINGS = ROOT / "bindings"
INCLUDE = BINDINGS / "include"
PYX = sorted(BINDINGS.glob("*.pyx"))
# what the Cython compiler reads for each .pyx: it with its `include "x.pxi"` files inlined
INCLUDE_LINE = re.compile(r'^include\s+"([^"]+\.pxi)"\s*$', re.M)


def _source(pyx: Path) -> str:
    return INCLUDE_LINE.sub(lambda m: (BINDINGS / m.group(1)).read_text(), pyx.read_text())


HEADERS = sorted(INCLUDE.glob("*.h"))
# templates: included once per lane width by pyjl_widths.h (PYJL_WIDTH_BODY), or that
# driver itself; no include guard, by design
TEMPLATE_MARK = "no include guard: by design"
TEMPLATES = [h for h in HEADERS if TEMPLATE_MARK in h.read_text().split("*/")[0]]
GUARDED = [h for h in HEADERS if h not in TEMPLATES]
GP_H = INCLUDE / "pyjl_gp.h"

# a C or CUDA source: an #include, a CUDA qualifier, or a function definition with a body
C_SOURCE = re.compile(
    r"#\s*include\s*[<\"]|\b__(?:global|device)__\b|extern\s+\"C\"|"
    r"\b(?:void|double|float|int|long|size_t)\s+\**\w+\s*\([^()]*\)\s*\{"
)


def _extern_blocks(text: str) -> list[tuple[int, str, str]]:
    """``(line, header, first body line)`` of every ``cdef extern from`` block."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        m = re.match(r"\s*cdef\s+extern\s+from\s+(\*|\"[^\"]*\"|'[^']*')\s*:", line)
        if m:
            body = next((x.strip() for x in lines[i + 1 :] if x.strip()), "")
            out.append((i + 1, m.group(1).strip("\"'"), body))
    return out


def _strip_comments(c: str) -> str:
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", c, flags=re.S)


def _function_body(c: str, name: str) -> str:
    """The text of C function ``name``'s body (brace-matched)."""
    m = re.search(rf"\b{name}\s*\([^)]*\)\s*\{{", c)
    assert m, f"{name} is not defined in {GP_H.name}"
    depth, i = 1, m.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(c[i], 0)
        i += 1
    return c[m.end() : i - 1]


def _enum_kinds() -> list[str]:
    c = _strip_comments(GP_H.read_text())
    m = re.search(r"enum\s+pyjl_gp_kind\s*\{(.*?)\}", c, re.S)
    assert m, "pyjl_gp.h has no `enum pyjl_gp_kind`"
    entries = [e.strip() for e in m.group(1).split(",") if e.strip()]
    assert re.fullmatch(r"PYJL_\w+\s*=\s*0", entries[0]), entries[0]
    assert all("=" not in e for e in entries[1:]), "codes follow the order: no other values"
    names = [e.split("=")[0].strip() for e in entries]
    assert names[-1] == "PYJL_N_KINDS"
    return names[:-1]


# ---- sources ---------------------------------------------------------------------------


@pytest.mark.parametrize("pyx", PYX, ids=[p.name for p in PYX])
def test_no_c_source_in_cython_strings(pyx):
    text = _source(pyx)
    for line, header, body in _extern_blocks(text):
        assert header != "*", f"{pyx.name}:{line}: `cdef extern from *` (C belongs in a header)"
        assert not body.startswith(('"""', "'''", '"', "'")), (
            f"{pyx.name}:{line}: verbatim C in a string; move it into bindings/include/"
        )
        assert (INCLUDE / header).is_file(), f"{pyx.name}:{line}: no bindings/include/{header}"


def test_every_pxi_is_included_by_its_pyx():
    # bindings/<name>_<part>.pxi is part of bindings/<name>.pyx (and checked with it)
    for pxi in BINDINGS.glob("*.pxi"):
        owner = BINDINGS / (pxi.stem.split("_")[0] + ".pyx")
        assert INCLUDE_LINE.search(owner.read_text()), owner.name
        assert f'include "{pxi.name}"' in owner.read_text(), (owner.name, pxi.name)


def test_each_pyx_takes_its_c_from_its_own_header():
    for pyx in PYX:
        headers = {h for _, h, _ in _extern_blocks(_source(pyx))}
        assert headers == {f"pyjl_{pyx.stem}.h"}, (pyx.name, headers)


def test_one_exponential_for_all_kernels():
    for header in HEADERS:
        c = _strip_comments(header.read_text())
        assert "0x1.71547652b82fep0" not in c or header.name == "pyjl_math.h", header.name
    assert '#include "pyjl_math.h"' in GP_H.read_text()
    assert '#include "pyjl_math.h"' in (INCLUDE / "pyjl_hmm.h").read_text()


def test_expn_is_exp(rng):
    x = np.concatenate([-np.logspace(-12, np.log10(708), 400), -rng.uniform(0, 708, 400)])
    got = np.array([gp._expn(v) for v in x])
    np.testing.assert_allclose(got, np.exp(x), rtol=4e-16, atol=0)
    assert gp._expn(0.0) == 1.0 and gp._expn(-708.5) == 0.0 and gp._expn(-np.inf) == 0.0


def test_the_detector_sees_c():
    assert C_SOURCE.search("static inline double f(double x) { return x; }")
    assert C_SOURCE.search('#include "pyjl_gp.h"')
    assert C_SOURCE.search('extern "C" __global__ void k(const double *x) {}')
    assert not C_SOURCE.search("Returns the kernel matrix K (n, n); see pyjl_gp.h.")


def test_no_c_source_in_python_strings():
    hits = []
    for path in sorted((ROOT / "pyjl").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and C_SOURCE.search(node.value)
            ):
                hits.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not hits, f"C/CUDA source in Python strings (move it to a .h/.cu file): {hits}"


@pytest.mark.parametrize("header", GUARDED, ids=[h.name for h in GUARDED])
def test_header_has_guard_and_layout_contract(header):
    text = header.read_text()
    guard = f"PYJL_{header.stem.removeprefix('pyjl_').upper()}_H"
    assert f"#ifndef {guard}\n#define {guard}\n" in text
    assert text.rstrip().endswith(f"#endif  /* {guard} */")
    assert text.startswith("/*")
    if header.stem not in ("pyjl_openmp", "pyjl_math"):  # these take no arrays
        assert "Layout contract" in text.split("*/")[0]


def test_templates_are_width_bodies_with_a_contract():
    assert {h.name for h in TEMPLATES} >= {"pyjl_widths.h", "pyjl_simd_w.h"}
    guarded = "".join(h.read_text() for h in GUARDED)
    for header in TEMPLATES:
        text = header.read_text()
        assert "#ifndef" not in text and "#pragma once" not in text, header.name
        assert "Layout contract" in text.split("*/")[0], header.name
        if header.name != "pyjl_widths.h":  # instantiated by a guarded header
            assert f'#define PYJL_WIDTH_BODY "{header.name}"' in guarded, header.name


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc on PATH")
@pytest.mark.parametrize("header", GUARDED, ids=[h.name for h in GUARDED])
def test_header_compiles_on_its_own(header, tmp_path):
    # (a template compiles in the header that instantiates it)
    src = tmp_path / "one.c"
    src.write_text(f'#include "{header.name}"\n#include "{header.name}"\n')
    cmd = [
        "gcc",
        "-std=gnu11",
        "-fsyntax-only",
        "-Wall",
        "-Werror",
        "-Wno-unused-function",
        f"-I{INCLUDE}",
        f"-I{sysconfig.get_paths()['include']}",
        f"-I{np.get_include()}",  # pyjl_dsp_pool.h is a NumPy memory handler
        str(src),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


# ---- one list of kinds, each formula once ------------------------------------------------


def test_enum_is_gp_kinds_in_order():
    assert _enum_kinds() == [f"PYJL_{k.name.upper()}" for k in GP_KINDS]


def test_no_second_kind_table_in_the_bindings():
    text = (BINDINGS / "gp.pyx").read_text()
    for k in GP_KINDS:
        assert f'"{k.name}"' not in text and f"'{k.name}'" not in text, k.name


def test_every_stationary_kind_has_its_formulas_and_cases():
    c = _strip_comments(GP_H.read_text())
    rows = ["pyjl_kappa_row", "pyjl_grad_row", "pyjl_contract_row"]
    stationary = [k for k in GP_KINDS if re.search(rf"\bpyjl_{k.name}_kappa\s*\(", c)]
    assert {k.name for k in GP_KINDS} - {k.name for k in stationary} == {"periodic"}
    for k in stationary:
        for part in ("kappa", "gscale") + (("dextra",) if k.extra else ()):
            _function_body(c, f"pyjl_{k.name}_{part}")
        for fn in rows:
            body = _function_body(c, fn)
            case = re.search(
                rf"case\s+PYJL_{k.name.upper()}\s*:(.*?)(?:\bcase\b|default\s*:)", body, re.S
            )
            assert case, f"{fn} has no case for PYJL_{k.name.upper()}"
            uses = set(re.findall(rf"\bpyjl_{k.name}_(\w+)", case.group(1)))
            want = (
                {"kappa"}
                if fn == "pyjl_kappa_row"
                else {"kappa", "gscale"} | ({"dextra"} if k.extra else set())
            )
            assert uses == want, (fn, k.name, uses)


def test_formulas_are_not_repeated_in_cython():
    text = (BINDINGS / "gp.pyx").read_text()
    for name in ("_kappa", "_gscale", "_dlog_alpha", "_periodic", "_pair_grad"):
        assert not re.search(rf"cdef[^\n]*\b{name}\s*\(", text), name
    assert "SQRT5" not in text and "SQRT3" not in text


# ---- behaviour: the compiled kernels against closed forms ---------------------------------


KIND_CASES = [(k.name, np.array(k.example_extra, float)) for k in GP_KINDS]


@pytest.mark.parametrize("ard", [False, True], ids=["iso", "ard"])
@pytest.mark.parametrize("kind, extra", KIND_CASES, ids=[k for k, _ in KIND_CASES])
def test_native_kernels_match_closed_forms(kind, extra, ard, rng):
    e = engines.get("native")
    X1, X2 = rng.normal(size=(37, 3)), rng.normal(size=(23, 3))
    X1[5] = X1[4]  # r = 0 off the diagonal
    ls = rng.uniform(0.4, 1.5, size=3 if ard else 1)
    want = kernel_matrix_reference(kind, X1, X2, ls, 1.7, extra)
    np.testing.assert_allclose(
        e.kernel_matrix(kind, X1, X2, ls, 1.7, extra), want, rtol=1e-13, atol=1e-300
    )
    K = e.kernel_matrix(kind, X1, X1, ls, 1.7, extra)
    np.testing.assert_allclose(
        K, kernel_matrix_reference(kind, X1, X1, ls, 1.7, extra), rtol=1e-13, atol=1e-300
    )
    Kg, dK = e.kernel_matrix_grad(kind, X1, ls, 1.7, extra)
    # one formula: the matrix and the matrix beside its gradient are the same numbers
    np.testing.assert_array_equal(Kg, K)
    W = rng.normal(size=(37, 37))
    W = W + W.T
    np.testing.assert_allclose(
        e.kernel_grad_contract(kind, X1, ls, 1.7, extra, W),
        np.einsum("ij,qij->q", W, dK),
        rtol=1e-11,
        atol=1e-11,
    )


def test_far_points_give_zero_not_nan():
    e = engines.get("native")
    X = np.array([[0.0], [40.0], [1e6]])
    for kind, extra in KIND_CASES:
        if kind == "periodic":
            continue
        K = e.kernel_matrix(kind, X, X, np.array([1.0]), 1.0, extra)
        assert np.all(np.isfinite(K)) and K[2, 0] == K[0, 2], kind
        assert 0.0 <= K[0, 2] <= K[0, 1] < 1.0, kind
        np.testing.assert_allclose(
            K, kernel_matrix_reference(kind, X, X, np.ones(1), 1.0, extra), rtol=1e-13, atol=1e-300
        )


def test_unknown_kind_is_refused():
    e = engines.get("native")
    X = np.zeros((2, 1))
    with pytest.raises(ValueError, match="unknown kernel kind"):
        e.kernel_matrix("cosine", X, X, np.ones(1), 1.0, np.empty(0))
    with pytest.raises(ValueError, match=f"unknown kernel kind code {len(GP_KINDS)}"):
        gp.kernel_matrix(len(GP_KINDS), X, X, np.ones(1), 1.0, np.empty(0), 1)
