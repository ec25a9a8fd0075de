# the output pool (pyjl_dsp_pool.h) and the state copy -- included by bindings/dsp.pyx

cdef extern from "pyjl_dsp.h":   # the output pool, pyjl_dsp_pool.h
    object pyjl_pool_capsule()
    size_t pyjl_pool_release()
    size_t pyjl_pool_bytes()
    size_t PYJL_POOL_MIN
    object PyDataMem_SetHandler(object handler)

cdef object _POOL = pyjl_pool_capsule()
cdef object _F64 = np.dtype(np.float64)


cdef object _empty_out(Py_ssize_t n_ch, Py_ssize_t n):
    """``np.empty((n_ch, n))`` under the output pool (``pyjl_dsp_pool.h``): a large
    block freed by an earlier output of the same size comes back already mapped.
    Blocks the pool would not keep are NumPy's own, without switching handlers (a
    streamed chunk's output: the switch would cost more than the allocation)."""
    cdef cnp.npy_intp dims[2]
    dims[0] = n_ch
    dims[1] = n
    if <size_t>(n_ch * n) * sizeof(double) < PYJL_POOL_MIN:
        return cnp.PyArray_EMPTY(2, dims, cnp.NPY_FLOAT64, 0)
    old = PyDataMem_SetHandler(_POOL)
    try:
        return np.empty((n_ch, n), dtype=np.float64)
    finally:
        PyDataMem_SetHandler(old)


cdef object _state_copy(zi):
    """A C-contiguous float64 copy of the initial state ``zi`` (the caller's array is
    never written); a float64 array by the C API, anything else by ``np.array``."""
    if type(zi) is np.ndarray and zi.dtype is _F64:   # native byte order, as NumPy makes it
        return cnp.PyArray_NewCopy(<cnp.ndarray>zi, cnp.NPY_CORDER)
    return np.array(zi, dtype=np.float64, order="C", copy=True)


def empty_out(Py_ssize_t n_ch, Py_ssize_t n):
    """Uninitialised float64 ``(n_ch, n)`` from the output pool (work memory that is
    filtered next, such as ``sosfiltfilt``'s padded signal)."""
    return _empty_out(n_ch, n)


def _pool_release():
    """Free the output blocks the pool keeps; returns the bytes released."""
    return pyjl_pool_release()


def _pool_bytes():
    """Bytes of freed outputs the pool keeps for reuse."""
    return pyjl_pool_bytes()
