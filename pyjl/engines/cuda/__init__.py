"""The ``cuda`` engine: CuPy kernels on an NVIDIA GPU (see :mod:`pyjl.engines.cuda.engine`).

``engine`` holds :class:`CudaEngine` and the array rule; ``gp``, ``hmm``,
``emissions`` and ``dsp`` are the adapters that launch the CUDA C of the ``.cu``
files beside them; ``common`` reads and compiles those files.
"""

from .engine import CudaEngine, is_device_array, returns_device

__all__ = ["CudaEngine", "is_device_array", "returns_device"]
