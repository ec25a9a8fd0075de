"""pyjl: Gaussian processes and Bayesian optimisation, DSP and hidden Markov models,
with hot loops on compiled CPU kernels, Julia, or a CUDA GPU."""

from ._info import info
from ._version import __version__
from .engines import get_backend, get_num_threads, set_backend, set_num_threads, use_backend
from .exceptions import (
    EngineUnavailableError,
    InputError,
    InputTypeError,
    JuliaBridgeError,
    NotFittedError,
    PyjlError,
    StorageError,
)

__all__ = [
    "__version__",
    "info",
    "set_backend",
    "get_backend",
    "use_backend",
    "set_num_threads",
    "get_num_threads",
    "PyjlError",
    "InputError",
    "InputTypeError",
    "NotFittedError",
    "EngineUnavailableError",
    "JuliaBridgeError",
    "StorageError",
]
