"""Shared plumbing of the ``cuda`` engine: lazy CuPy, compiled CUDA modules, launches.

Every CUDA source of the engine starts with :data:`PRELUDE`, a handful of
macros (``PJ_KERNEL``, ``PJ_SHARED``, ``PJ_DEVICE``) that keep the kernels
plain CUDA C while letting the test-suite compile the very same source as C++
for the CPU (one thread per block, ``__syncthreads`` a no-op) and check the
index arithmetic against NumPy on machines without a GPU.  Kernels therefore
follow two rules: loops over threads are strided (``for (j = threadIdx.x; j <
K; j += blockDim.x)``) and every cross-thread read is separated from the write
by ``__syncthreads()``.

CuPy is imported on first use, never at import time, so ``import pyjl`` works
without it.
"""

from __future__ import annotations

import importlib
import threading
from types import SimpleNamespace
from typing import Any

import numpy as np

__all__ = ["PRELUDE", "cupy", "module", "grid_for", "THREADS"]

#: Threads per block for grid-stride element-wise kernels.
THREADS = 256

#: Macros shared by every kernel source (the CPU twin lives in the tests).
PRELUDE = r"""
#define PJ_KERNEL extern "C" __global__
#define PJ_DEVICE static __device__ __forceinline__
#define PJ_SHARED(T, name) extern __shared__ T name[]
#define PJ_GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; \
                                  i < (n); i += (long long)blockDim.x * gridDim.x)
#define PJ_ATOMIC_ADD(p, v) atomicAdd((p), (v))
#define PJ_PI 3.141592653589793238462643383279502884
#ifndef INFINITY
#define INFINITY __longlong_as_double(0x7ff0000000000000ULL)
#endif
static __device__ __forceinline__ double pj_warp_sum(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}
"""

_lock = threading.Lock()
_modules: dict[str, Any] = {}


def cupy() -> Any:
    """The ``cupy`` module (imported on first use)."""
    return importlib.import_module("cupy")


def module(name: str, source: str, kernels: tuple[str, ...]) -> SimpleNamespace:
    """Compile ``PRELUDE + source`` once per process; ``SimpleNamespace`` of kernels."""
    with _lock:
        if name not in _modules:
            cp = cupy()
            raw = cp.RawModule(code=PRELUDE + source)
            _modules[name] = SimpleNamespace(**{k: raw.get_function(k) for k in kernels})
        return _modules[name]


def grid_for(n: int, threads: int = THREADS, cap: int = 65535) -> int:
    """Blocks for a grid-stride loop over ``n`` items."""
    return int(max(1, min(cap, (int(n) + threads - 1) // threads)))


def i32(v: int) -> np.int32:
    return np.int32(v)


def i64(v: int) -> np.int64:
    return np.int64(v)


def f64(v: float) -> np.float64:
    return np.float64(v)
