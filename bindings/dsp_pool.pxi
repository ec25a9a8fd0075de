# the output pool (pyjl_dsp_pool.h), the state copy and reversed rows -- included by
# bindings/dsp.pyx

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


cdef extern from "pyjl_dsp.h":
    void pyjl_reverse(const double *src, double *dst, Py_ssize_t n) noexcept nogil

DEF _REVERSE_BLOCK = 1 << 16   # samples per task of a reversal


def reversed_rows(parts, Py_ssize_t width, int n_threads):
    """The rows of ``parts`` (C-contiguous float64 ``(n_ch, n_k)`` arrays) joined and
    reversed, ``np.concatenate(parts, axis=1)[:, ::-1]``, then zeros up to ``width``
    samples, in a new ``(n_ch, width)`` array from the output pool: the input of
    ``sosfiltfilt``'s backward pass.  Blocks of samples run on up to ``n_threads``
    threads (one per 2^19 samples)."""
    cdef list blocks = [np.ascontiguousarray(p, dtype=np.float64) for p in parts]
    cdef Py_ssize_t n_ch = blocks[0].shape[0] if blocks and blocks[0].ndim == 2 else 0
    cdef Py_ssize_t n = 0, end, m, nb, k, c, t0, mk
    for b in blocks:
        if b.ndim != 2 or b.shape[0] != n_ch:
            raise ValueError(f"parts must be 2-D with {n_ch} rows each")
        n += b.shape[1]
    if width < n:
        raise ValueError(f"width {width} < {n} joined samples")
    out_arr = _empty_out(n_ch, width)
    cdef double[:, ::1] out = out_arr
    cdef const double[:, ::1] src
    cdef int nt
    end = n
    for b in blocks:   # part k ends, reversed, where the parts after it begin
        src = b
        m = src.shape[1]
        end -= m
        if m == 0 or n_ch == 0:
            continue
        nb = (m + _REVERSE_BLOCK - 1) // _REVERSE_BLOCK
        nt = _threads_for(n_threads, n_ch * nb, n_ch * m)
        for k in prange(n_ch * nb, nogil=True, num_threads=nt, schedule="static"):
            c = k // nb
            t0 = (k % nb) * _REVERSE_BLOCK
            mk = min(_REVERSE_BLOCK, m - t0)
            pyjl_reverse(&src[c, m - t0 - mk], &out[c, end + t0], mk)
    if width > n and n_ch > 0:
        out_arr[:, n:] = 0.0
    return out_arr


def _pool_release():
    """Free the output blocks the pool keeps; returns the bytes released."""
    return pyjl_pool_release()


def _pool_bytes():
    """Bytes of freed outputs the pool keeps for reuse."""
    return pyjl_pool_bytes()
