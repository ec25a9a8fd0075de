"""Build the compiled kernels and ship the Julia package.

* every ``bindings/<name>.pyx`` becomes the extension ``pyjl._native.<name>``,
  compiled with ``-O3`` and, where the compiler supports it, OpenMP (a build
  without OpenMP is clean and single-threaded);
* ``julia_src/`` is copied into the wheel as ``pyjl/_julia/``, the path that
  ``pyjl/juliapkg.json`` points at.

``PYJL_BUILD_ONLY=gp,hmm`` restricts the build to some kernels (handy while
developing one family); ``PYJL_NO_OPENMP=1`` forces a build without OpenMP.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _compiler_has_openmp() -> bool:
    if os.environ.get("PYJL_NO_OPENMP"):
        return False
    if sys.platform == "win32":
        return True
    cc = os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "omp.c")
        src.write_text("#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n")
        try:
            done = subprocess.run([cc, "-fopenmp", str(src), "-o", str(Path(tmp, "omp"))],
                                  capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return False
        return done.returncode == 0


def _extensions() -> list[Extension]:
    only = {s.strip() for s in os.environ.get("PYJL_BUILD_ONLY", "").split(",") if s.strip()}
    openmp = _compiler_has_openmp()
    if sys.platform == "win32":
        compile_args = ["/O2"] + (["/openmp"] if openmp else [])
        link_args: list[str] = []
    else:
        compile_args = ["-O3", "-ffp-contract=off"] + (["-fopenmp"] if openmp else [])
        link_args = ["-fopenmp"] if openmp else []
    print(f"pyjl: building kernels with OpenMP {'on' if openmp else 'off'}")
    exts = []
    for pyx in sorted((ROOT / "bindings").glob("*.pyx")):
        if only and pyx.stem not in only:
            continue
        exts.append(Extension(
            f"pyjl._native.{pyx.stem}", [str(pyx.relative_to(ROOT))],
            include_dirs=[np.get_include(), str(ROOT / "bindings" / "include")],
            depends=[
                str(h.relative_to(ROOT))
                for h in [*(ROOT / "bindings" / "include").glob("*.h"),
                          *(ROOT / "bindings").glob(f"{pyx.stem}_*.pxi")]
            ],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=compile_args, extra_link_args=link_args))
    return cythonize(exts, language_level=3, quiet=True,
                     compiler_directives={"boundscheck": False, "wraparound": False,
                                          "cdivision": True, "initializedcheck": False})


class BuildPyWithJulia(build_py):
    """Copy ``julia_src/`` into the built package as ``pyjl/_julia/`` (juliapkg.json's path).

    An editable install keeps using the checkout: there the julia bridge links
    ``pyjl/_julia`` to ``julia_src`` on its first start, so nothing is copied."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = ROOT / "julia_src"
        if not (source / "Project.toml").is_file():
            raise RuntimeError(f"pyjl: {source} is missing; the wheel must ship the Julia "
                               "package PyJL (build from a full checkout or sdist)")
        target = Path(self.build_lib, "pyjl", "_julia")
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(
            "Manifest*.toml", ".*", "__pycache__"))


setup(ext_modules=_extensions(), cmdclass={"build_py": BuildPyWithJulia})
