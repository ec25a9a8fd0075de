"""Run the cuda engine's CUDA sources on the CPU, for tests on machines without a GPU.

The kernel sources of ``pyjl.engines.cuda_*`` are plain CUDA C behind a few
macros (:data:`pyjl.engines.cuda_common.PRELUDE`).  Here the same source is
compiled as C++ with a CPU prelude: every block runs with ONE thread
(``blockDim.x == 1``), ``__syncthreads()`` is a no-op and dynamic shared
memory is a static buffer.  Kernels written with strided thread loops then
compute exactly what they compute on a GPU (barring races, which a
single-thread run cannot show), so the index arithmetic, the chunking and the
recursions are checked against NumPy/SciPy references without a GPU.

``compile_kernels(source, names)`` returns an object whose attributes are
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

CPU_PRELUDE = r"""
#include <cmath>
#include <cstring>
#include <cstdio>
using std::exp; using std::log; using std::fmax; using std::sqrt; using std::sin; using std::cos;
using std::pow; using std::log1p; using std::expm1; using std::fabs;
struct pj_dim3 { unsigned x, y, z; };
static pj_dim3 blockIdx, threadIdx, blockDim, gridDim;
alignas(16) static unsigned char pj_shared_mem[1 << 22];
#define PJ_KERNEL extern "C"
#define PJ_DEVICE static inline
#define PJ_SHARED(T, name) T* name = reinterpret_cast<T*>(pj_shared_mem)
#define PJ_GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; \
                                  i < (n); i += (long long)blockDim.x * gridDim.x)
#define PJ_ATOMIC_ADD(p, v) (*(p) += (v))
#define PJ_PI 3.141592653589793238462643383279502884
#define __syncthreads() do {} while (0)
#define __restrict__
static inline double normcdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
static inline double erfcx(double x) {
    if (x < 100.0) return (double)(std::exp((long double)x * x) * std::erfc((long double)x));
    double x2 = x * x;  // asymptotic series, far below double rounding for x >= 100
    return (1.0 - 0.5 / x2 + 0.75 / (x2 * x2)) / (x * 1.7724538509055160273);
}
static inline double pj_warp_sum(double v) { return v; }
extern "C" void pj_set_block(unsigned b, unsigned g) {
    blockIdx.x = b; gridDim.x = g; threadIdx.x = 0; blockDim.x = 1;
    blockIdx.y = blockIdx.z = threadIdx.y = threadIdx.z = 0;
    blockDim.y = blockDim.z = gridDim.y = gridDim.z = 1;
}
"""


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


def compile_kernels(source: str, names: tuple[str, ...]) -> SimpleNamespace:
    """Compile a kernel source (without the GPU prelude) for the CPU."""
    key = hashlib.sha256(source.encode()).hexdigest()[:16]
    if key in _cache:
        return _cache[key]
    cxx = compiler()
    if cxx is None:
        raise RuntimeError("no C++ compiler found for the CPU emulation of CUDA kernels")
    tmp = Path(tempfile.mkdtemp(prefix="pyjl_emu_"))
    src, lib = tmp / "k.cpp", tmp / "k.so"
    src.write_text(CPU_PRELUDE + source)
    done = subprocess.run([cxx, "-std=c++14", "-O1", "-shared", "-fPIC", "-Wall",
                           "-Wno-unused-function", "-Wno-unused-variable",
                           str(src), "-o", str(lib)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"CPU emulation build failed:\n{done.stderr}")
    handle = ctypes.CDLL(str(lib))
    handle.pj_set_block.restype = None
    _cache[key] = SimpleNamespace(**{n: _Kernel(handle, n) for n in names})
    return _cache[key]
