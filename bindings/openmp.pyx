# cython: language_level=3, boundscheck=False, wraparound=False
"""Whether the kernels were compiled with OpenMP, and how many threads it offers."""

cdef extern from "pyjl_openmp.h":
    int pyjl_openmp_enabled()
    int pyjl_openmp_max_threads()


def openmp_enabled():
    """True when this build uses OpenMP."""
    return bool(pyjl_openmp_enabled())


def max_threads():
    """OpenMP's default thread count (1 without OpenMP)."""
    return pyjl_openmp_max_threads()
