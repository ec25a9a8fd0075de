"""The notebooks in examples/: the Python ones are executed (nbclient, a kernel of this
interpreter); the IJulia one is validated (nbformat) and its code cells are parsed with
tree-sitter-julia and checked against PyJL's exports, since no Julia runs here."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from julia_syntax import syntax_errors

import pyjl.exceptions

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PYTHON_NOTEBOOKS = ("gp.ipynb", "bo.ipynb", "hmm.ipynb", "dsp.ipynb", "tune_sklearn.ipynb")
JULIA_NOTEBOOK = "pyjl_julia.ipynb"


def _read(name: str):
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    nbformat.validate(nb)
    return nb


def _kernel_manager(tmp_path: Path):
    """A kernel of *this* interpreter, whatever kernelspecs the machine has (a fresh venv
    with ipykernel installed needs no `ipykernel install` step)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kdir = tmp_path / "kernels" / "pyjl-test-python"
    kdir.mkdir(parents=True)
    (kdir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "pyjl tests",
                "language": "python",
                "env": {"MPLBACKEND": "module://matplotlib_inline.backend_inline"},
            }
        )
    )
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    return KernelManager(kernel_name="pyjl-test-python", kernel_spec_manager=ksm)


@pytest.mark.parametrize("name", PYTHON_NOTEBOOKS + (JULIA_NOTEBOOK,))
def test_notebook_is_valid_and_clean(name):
    nb = _read(name)
    language = "julia" if name == JULIA_NOTEBOOK else "python"
    assert nb.metadata.kernelspec.language == language
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) >= 4 and any(c.cell_type == "markdown" for c in nb.cells)
    for c in code:  # stored without outputs: CI executes them
        assert c.outputs == [] and c.execution_count is None
    # every cell has its own id (nbformat 4.5; a missing one is a warning now, an error later)
    ids = [c.get("id") for c in json.loads((EXAMPLES / name).read_text())["cells"]]
    assert None not in ids and len(set(ids)) == len(ids)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", PYTHON_NOTEBOOKS)
def test_python_notebook_runs(name, tmp_path):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    from nbclient import NotebookClient

    nb = _read(name)
    client = NotebookClient(
        nb,
        km=_kernel_manager(tmp_path),
        timeout=600,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    # no warning of pyjl's reaches the reader, nor tqdm's "IProgress not found" without
    # ipywidgets (pyjl's bars fall back to text there); other libraries' deprecations may
    stderr = "".join(o.text for c in code for o in c.outputs if o.get("name") == "stderr")
    ours = {"TqdmWarning"} | {
        n
        for n, v in vars(pyjl.exceptions).items()
        if isinstance(v, type) and issubclass(v, Warning)
    }
    assert not set(re.findall(r"\b(\w+Warning): ", stderr)) & ours, stderr
    images = [
        o
        for c in code
        for o in c.outputs
        if o.output_type in ("display_data", "execute_result") and "image/png" in o.data
    ]
    assert images, "every example notebook draws at least one figure"


# -- the IJulia notebook ------------------------------------------------------------------


def _julia_cells() -> list[str]:
    return [c.source for c in _read(JULIA_NOTEBOOK).cells if c.cell_type == "code"]


def test_julia_notebook_metadata():
    nb = _read(JULIA_NOTEBOOK)
    assert nb.metadata.kernelspec.name.startswith("julia")
    assert nb.metadata.language_info.name == "julia"
    assert any("using PyJL" in src for src in _julia_cells())


@pytest.mark.parametrize("index", range(len(_julia_cells())))
def test_julia_cell_parses(index):
    src = _julia_cells()[index]
    assert syntax_errors(src) == [], src


def test_tree_sitter_catches_a_broken_cell():
    assert syntax_errors("function f(x\n    x +\nend\n")


def _pyjl_exports_and_definitions() -> tuple[set[str], set[str]]:
    src_dir = ROOT / "julia_src" / "src"
    main = (src_dir / "PyJL.jl").read_text()
    exports, continued = set(), False
    for line in main.splitlines():
        code = line.split("#", 1)[0].strip()
        if code.startswith("export ") or continued:
            names = code[len("export ") :] if code.startswith("export ") else code
            exports |= {n.strip() for n in names.split(",") if n.strip()}
            continued = code.endswith(",")
    defined = set()
    for path in src_dir.glob("*.jl"):
        text = path.read_text()
        defined |= set(re.findall(r"^function\s+([A-Za-z_][A-Za-z0-9_!]*)\s*\(", text, re.M))
        defined |= set(re.findall(r"^([A-Za-z_][A-Za-z0-9_!]*)\s*\([^)]*\)\s*=", text, re.M))
    return exports, defined


def test_julia_notebook_calls_exist_in_pyjl():
    exports, defined = _pyjl_exports_and_definitions()
    assert {"kernel_matrix", "forward_backward", "viterbi", "sosfilt"} <= exports
    code = "\n".join(_julia_cells())
    qualified = set(re.findall(r"PyJL\.([A-Za-z_][A-Za-z0-9_!]*)\s*\(", code))
    assert qualified <= defined, qualified - defined
    called = set(re.findall(r"(?<![\w.])([a-z_][a-z0-9_!]*)\s*\(", code))
    kernels = {
        "kernel_matrix",
        "kernel_matrix_grad",
        "cho_solve",
        "expected_improvement",
        "forward_backward",
        "viterbi",
        "gaussian_loglik",
        "sosfilt",
        "lfilter",
        "upfirdn",
        "fftfilt",
        "stft_frames",
    }
    used = called & kernels
    assert len(used) >= 8, used
    assert used <= exports and used <= defined, used - (exports & defined)
