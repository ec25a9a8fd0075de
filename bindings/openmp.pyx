# cython: language_level=3, boundscheck=False, wraparound=False
"""Whether the kernels were compiled with OpenMP, and how many threads it offers;
and the multiply-add probe behind ``benchmarks/roofline.py``."""

from cython.parallel cimport prange
import numpy as np

cdef extern from "pyjl_openmp.h":
    int pyjl_openmp_enabled()
    int pyjl_openmp_max_threads()
    int PYJL_PROBE_ACC
    double pyjl_probe(long iters, int fused, int *lanes) noexcept nogil


def openmp_enabled():
    """True when this build uses OpenMP."""
    return bool(pyjl_openmp_enabled())


def max_threads():
    """OpenMP's default thread count (1 without OpenMP)."""
    return pyjl_openmp_max_threads()


def madd_probe(long iters, int n_threads, bint fused):
    """Run the peak multiply-add loop (``pyjl_openmp.h``) on ``n_threads`` threads at
    once, ``iters`` rounds each.  Returns ``(multiply_adds, checksum)``: the count
    done in all (time the call for the rate) and a value that keeps the loop live."""
    cdef int nt = n_threads if n_threads > 1 else 1, t
    cdef double[::1] sums = np.zeros(nt)
    cdef int[::1] lanes = np.ones(nt, dtype=np.intc)
    for t in prange(nt, nogil=True, num_threads=nt, schedule="static", chunksize=1):
        sums[t] = pyjl_probe(iters, fused, &lanes[t])
    return iters * PYJL_PROBE_ACC * int(np.sum(lanes)), float(np.sum(sums))


def stream_copy(const double[::1] src, double[::1] dst, int n_threads):
    """``dst[:] = src`` split across ``n_threads`` threads (the memory-bandwidth probe:
    16 bytes moved per element)."""
    cdef Py_ssize_t i, n = min(src.shape[0], dst.shape[0])
    cdef int nt = n_threads if n_threads > 1 else 1
    for i in prange(n, nogil=True, num_threads=nt, schedule="static"):
        dst[i] = src[i]
