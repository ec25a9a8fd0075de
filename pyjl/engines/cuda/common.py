"""Shared plumbing of the ``cuda`` engine: lazy CuPy, the CUDA sources, compiled modules.

The kernels are CUDA C in the ``.cu`` files beside this module (package data).
:func:`program` reads one of them after ``prelude.cuh``, a handful of macros
(``PJ_KERNEL``, ``PJ_SHARED``, ``PJ_DEVICE``) that keep the kernels plain CUDA
C while letting the test suite compile the very same file as C++ for the CPU
(``tests/gpu/cpu_prelude.h``: one thread per block, ``__syncthreads`` a no-op)
and check the index arithmetic against NumPy on machines without a GPU.

CuPy is imported on first use, never at import time, so ``import pyjl`` works
without it.
"""

from __future__ import annotations

import importlib
import threading
from importlib import resources
from types import SimpleNamespace
from typing import Any

import numpy as np

__all__ = [
    "Array",
    "PRELUDE",
    "THREADS",
    "cupy",
    "source",
    "program",
    "module",
    "grid_for",
    "i32",
    "i64",
    "f64",
]

#: A float64 array on the device (CuPy), or on the host in the CPU emulation (NumPy).
Array = Any

#: Threads per block for grid-stride element-wise kernels.
THREADS = 256

#: The file of macros every kernel source is compiled after.
PRELUDE = "prelude.cuh"

_lock = threading.Lock()
_modules: dict[str, Any] = {}


def cupy() -> Any:
    """The ``cupy`` module (imported on first use)."""
    return importlib.import_module("cupy")


def source(filename: str) -> str:
    """The text of a CUDA file shipped with this package.

    Parameters
    ----------
    filename : str
        A file beside this module, e.g. ``"gp.cu"`` or ``"prelude.cuh"``.

    Returns
    -------
    str
        The file's text.

    Examples
    --------
    >>> "PJ_KERNEL" in source("prelude.cuh")
    True
    """
    return resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")


def program(name: str, prelude: str | None = None) -> str:
    """The compilable source of kernel family ``name``: a prelude, then ``name.cu``.

    Parameters
    ----------
    name : str
        ``"gp"``, ``"dsp"``, ``"hmm"`` or ``"emissions"``.
    prelude : str, optional
        Text that defines the ``PJ_*`` macros; default ``prelude.cuh`` (CUDA).  The
        CPU emulation of the tests passes its own.

    Returns
    -------
    str
        One translation unit.

    Examples
    --------
    >>> "pj_sosfilt" in program("dsp", prelude="")
    True
    """
    head = source(PRELUDE) if prelude is None else prelude
    return head + "\n" + source(f"{name}.cu")


def module(name: str, kernels: tuple[str, ...]) -> SimpleNamespace:
    """Compile :func:`program` ``(name)`` once per process; a namespace of its kernels."""
    with _lock:
        if name not in _modules:
            raw = cupy().RawModule(code=program(name))
            _modules[name] = SimpleNamespace(**{k: raw.get_function(k) for k in kernels})
        kernels_of_name: SimpleNamespace = _modules[name]
        return kernels_of_name


def grid_for(n: int, threads: int = THREADS, cap: int = 65535) -> int:
    """Blocks for a grid-stride loop over ``n`` items.

    >>> grid_for(1000), grid_for(0), grid_for(10**9)
    (4, 1, 65535)
    """
    return int(max(1, min(cap, (int(n) + threads - 1) // threads)))


def i32(v: int) -> np.int32:
    """A kernel argument of C type ``int``."""
    return np.int32(v)


def i64(v: int) -> np.int64:
    """A kernel argument of C type ``long long``."""
    return np.int64(v)


def f64(v: float) -> np.float64:
    """A kernel argument of C type ``double``."""
    return np.float64(v)
