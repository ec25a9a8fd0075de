# cython: language_level=3, boundscheck=False, wraparound=False
"""Whether the kernels were compiled with OpenMP, and how many threads it offers."""

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int pyjl_openmp_enabled(void) { return 1; }
    static int pyjl_openmp_max_threads(void) { return omp_get_max_threads(); }
    #else
    static int pyjl_openmp_enabled(void) { return 0; }
    static int pyjl_openmp_max_threads(void) { return 1; }
    #endif
    """
    int pyjl_openmp_enabled()
    int pyjl_openmp_max_threads()


def openmp_enabled():
    """True when this build uses OpenMP."""
    return bool(pyjl_openmp_enabled())


def max_threads():
    """OpenMP's default thread count (1 without OpenMP)."""
    return pyjl_openmp_max_threads()
