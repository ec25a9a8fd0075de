"""Engines run the kernels; families ask :func:`current` for the one to use."""

from .registry import (
    available,
    builtin,
    current,
    get,
    get_backend,
    get_num_threads,
    names,
    register,
    set_backend,
    set_num_threads,
    use_backend,
)

__all__ = [
    "available",
    "builtin",
    "current",
    "get",
    "get_backend",
    "get_num_threads",
    "names",
    "register",
    "set_backend",
    "set_num_threads",
    "use_backend",
]
