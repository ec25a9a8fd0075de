"""Run the cuda engine's CUDA sources on the CPU, for tests on machines without a GPU.

The kernel sources of ``pyjl.engines.cuda`` (its ``.cu`` files) are plain CUDA
C behind a few macros (``prelude.cuh``).  Here the same files, read by the
engine's own loader (:func:`pyjl.engines.cuda.common.program`), are compiled
as C++ after a CPU prelude (``cpu_prelude.h``): every block runs with ONE thread
(``blockDim.x == 1``), ``__syncthreads()`` is a no-op and dynamic shared
memory is a static buffer.  Kernels written with strided thread loops then
compute exactly what they compute on a GPU (barring races, which a
single-thread run cannot show), so the index arithmetic, the chunking and the
recursions are checked against NumPy/SciPy references without a GPU.

``compile_family(name, kernels)`` returns an object whose attributes are
callables with CuPy's RawKernel calling convention:
``kernel(grid, block, args, shared_mem=0)``, args being NumPy arrays and NumPy
scalars (``np.int32``, ``np.int64``, ``np.float64``).
"""

from __future__ import annotations

import ctypes
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np

#: The CPU twin of ``pyjl/engines/cuda/prelude.cuh``: the same macro names for g++.
CPU_PRELUDE = (Path(__file__).parent / "cpu_prelude.h").read_text(encoding="utf-8")


def compiler() -> str | None:
    """The C++ compiler used for emulation, or ``None``."""
    return shutil.which("g++") or shutil.which("c++") or shutil.which("clang++")


def _convert(arg):
    if isinstance(arg, np.ndarray):
        assert arg.flags.c_contiguous, "kernels take C-contiguous arrays"
        return ctypes.c_void_p(arg.ctypes.data)
    if isinstance(arg, np.int32):
        return ctypes.c_int32(int(arg))
    if isinstance(arg, np.int64):
        return ctypes.c_int64(int(arg))
    if isinstance(arg, np.float64):
        return ctypes.c_double(float(arg))
    raise TypeError(f"kernel argument of type {type(arg).__name__}: pass NumPy scalars")


class _Kernel:
    def __init__(self, lib, name):
        self._lib = lib
        self._fn = getattr(lib, name)
        self._fn.restype = None

    def __call__(self, grid, block, args, shared_mem=0):
        assert shared_mem <= (1 << 22)
        cargs = [_convert(a) for a in args]
        g = int(grid[0])
        for b in range(g):
            self._lib.pj_set_block(ctypes.c_uint(b), ctypes.c_uint(g))
            self._fn(*cargs)


_cache: dict[str, SimpleNamespace] = {}


def compile_family(name: str, names: tuple[str, ...]) -> SimpleNamespace:
    """Compile the engine's ``name.cu`` (``"gp"``, ``"hmm"``, ...) for the CPU."""
    from pyjl.engines.cuda import common

    return compile_kernels(common.program(name, prelude=CPU_PRELUDE), names)


def compile_kernels(source: str, names: tuple[str, ...]) -> SimpleNamespace:
    """Compile a whole translation unit (CPU prelude included) for the CPU."""
    key = hashlib.sha256(source.encode()).hexdigest()[:16]
    if key in _cache:
        return _cache[key]
    cxx = compiler()
    if cxx is None:
        raise RuntimeError("no C++ compiler found for the CPU emulation of CUDA kernels")
    tmp = Path(tempfile.mkdtemp(prefix="pyjl_emu_"))
    src, lib = tmp / "k.cpp", tmp / "k.so"
    src.write_text(source)
    done = subprocess.run(
        [
            cxx,
            "-std=c++14",
            "-O1",
            "-shared",
            "-fPIC",
            "-Wall",
            "-Wno-unused-function",
            "-Wno-unused-variable",
            str(src),
            "-o",
            str(lib),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"CPU emulation build failed:\n{done.stderr}")
    handle = ctypes.CDLL(str(lib))
    handle.pj_set_block.restype = None
    _cache[key] = SimpleNamespace(**{n: _Kernel(handle, n) for n in names})
    return _cache[key]
