# lfilter: FIR, IIR (scalar and lanes) and complex -- included by bindings/dsp.pyx

# ---------------------------------------------------------------------------
# lfilter (direct form II transposed) and its FIR special case
# ---------------------------------------------------------------------------
cdef void _iir_channel(const double *b, const double *a, Py_ssize_t k, double *z,
                       const double *x, double *y, Py_ssize_t n) noexcept nogil:
    """DF-II transposed, ``k`` coefficients each (``a[0] == 1``), state ``z`` (k - 1)."""
    cdef Py_ssize_t t, j
    cdef double xn, yn
    for t in range(n):
        xn = x[t]
        if k > 1:
            yn = z[0] + b[0] * xn
            for j in range(k - 2):
                z[j] = z[j + 1] + xn * b[j + 1] - yn * a[j + 1]
            z[k - 2] = xn * b[k - 1] - yn * a[k - 1]
        else:
            yn = xn * b[0]
        y[t] = yn


cdef extern from "pyjl_dsp.h":
    void pyjl_upfirdn_generic(const double *hr, Py_ssize_t nq, Py_ssize_t up,
                              Py_ssize_t down, const double *x, Py_ssize_t n, double *y,
                              Py_ssize_t i0, Py_ssize_t i1) noexcept nogil
    void pyjl_upfirdn_avx2(const double *hr, Py_ssize_t nq, Py_ssize_t up,
                           Py_ssize_t down, const double *x, Py_ssize_t n, double *y,
                           Py_ssize_t i0, Py_ssize_t i1) noexcept nogil
    void pyjl_fir_generic(const double *b, Py_ssize_t m, const double *x, double *y,
                          Py_ssize_t t0, Py_ssize_t t1) noexcept nogil
    void pyjl_fir_avx2(const double *b, Py_ssize_t m, const double *x, double *y,
                       Py_ssize_t t0, Py_ssize_t t1) noexcept nogil
    int pyjl_has_avx2() noexcept nogil

cdef int _AVX2 = pyjl_has_avx2()
DEF _CHUNK = 16384   # samples per work item when one channel is split across threads


cdef void _fir_range(const double *b, Py_ssize_t m, const double *x, double *y,
                     Py_ssize_t t0, Py_ssize_t t1) noexcept nogil:
    if _AVX2:
        pyjl_fir_avx2(b, m, x, y, t0, t1)
    else:
        pyjl_fir_generic(b, m, x, y, t0, t1)


cdef void _fir_state(const double *b, Py_ssize_t m, double *z, const double *x,
                     double *y, Py_ssize_t n) noexcept nogil:
    """Add ``zi`` to the first outputs and replace it by the final state:
    ``zf[j] = sum_{k > j} b[k] x[n - 1 - (k - j - 1)] + zi[j + n]``."""
    cdef Py_ssize_t t, k, lo
    cdef double acc, zi_t
    for t in range(m - 1):
        if t < n:
            y[t] = y[t] + z[t]
    for t in range(m - 1):
        acc = 0.0
        for k in range(t + 1, m):
            lo = n - (k - t)
            if lo >= 0:
                acc = acc + b[k] * x[lo]
        if t + n < m - 1:
            zi_t = z[t + n]
        else:
            zi_t = 0.0
        z[t] = acc + zi_t


def lfilter(const double[::1] b, const double[::1] a, const double[:, ::1] x, zi,
            int n_threads):
    """Filter each row of ``x`` by ``b/a`` (``a[0] == 1``); ``zi``: ``None`` or
    ``(n_channels, max(len(a), len(b)) - 1)``.  Returns ``(y, zf)``.

    ``len(a) == 1`` runs the direct-form FIR convolution, split into chunks of
    samples across threads (an FIR has no recursion)."""
    cdef Py_ssize_t n_ch = x.shape[0], n = x.shape[1]
    cdef Py_ssize_t k = max(a.shape[0], b.shape[0])
    cdef const double[::1] bp = b
    cdef const double[::1] ap = a
    if b.shape[0] < k:   # pad the shorter to k coefficients
        bb = np.zeros(k, dtype=np.float64)
        bb[:b.shape[0]] = b
        bp = bb
    if a.shape[0] < k:
        aa = np.zeros(k, dtype=np.float64)
        aa[:a.shape[0]] = a
        ap = aa
    y_arr = _empty_out(n_ch, n)
    if zi is None:
        zf_arr = np.zeros((n_ch, k - 1), dtype=np.float64)
    else:
        zf_arr = _state_copy(zi)
    cdef double[:, ::1] y = y_arr
    cdef double[:, ::1] zf = zf_arr
    if n_ch == 0 or n == 0:
        return y_arr, zf_arr
    cdef pyjl_recursion f
    if n_ch == 1 and a.shape[0] > 1 and _lanes_on and k <= PYJL_LANE_MAX_SEC:
        f.sos, f.n_sec, f.b, f.a, f.k = NULL, 0, &bp[0], &ap[0], k
        if _split_channel(&f, &zf[0, 0], &x[0, 0], &y[0, 0], n, n_threads):
            return y_arr, zf_arr
    _lfilter_rows(&bp[0], &ap[0], k, a.shape[0] == 1, &zf[0, 0] if k > 1 else NULL, &x[0, 0],
                  &y[0, 0], n_ch, n, n_threads)
    return y_arr, zf_arr


cdef inline void _fir_item(const double *bp, Py_ssize_t k, const double *x, double *y,
                           Py_ssize_t n, Py_ssize_t n_chunks, Py_ssize_t q) noexcept nogil:
    """FIR work item ``q``: chunk ``q % n_chunks`` of row ``q // n_chunks``."""
    cdef Py_ssize_t c = q // n_chunks
    cdef Py_ssize_t t0 = (q - c * n_chunks) * _CHUNK
    _fir_range(bp, k, x + c * n, y + c * n, t0, min(t0 + _CHUNK, n))


cdef inline void _iir_block(const double *bp, const double *ap, Py_ssize_t k, double *zf,
                            const double *x, double *y, Py_ssize_t n_ch, Py_ssize_t n,
                            Py_ssize_t nb, Py_ssize_t i) noexcept nogil:
    """IIR lane block ``i`` of ``nb``: its rows in lanes (``pyjl_dsp_lanes.h``)."""
    cdef Py_ssize_t c = i * n_ch // nb
    pyjl_iir_lanes(bp, ap, k, zf + c * (k - 1), k - 1, x + c * n, y + c * n, n,
                   <int>((i + 1) * n_ch // nb - c), n, _stream(n_ch * n))


cdef void _lfilter_rows(const double *bp, const double *ap, Py_ssize_t k, bint fir, double *zf,
                        const double *x, double *y, Py_ssize_t n_ch, Py_ssize_t n,
                        int n_threads) noexcept nogil:
    """``lfilter``'s loops: ``k`` coefficients each in ``bp``, ``ap`` (padded), states
    ``zf (n_ch, k - 1)`` updated in place, rows of ``x`` into ``y (n_ch, n)``.  One
    thread runs without a parallel region (entering one costs more than a small filter)."""
    cdef Py_ssize_t n_chunks = (n + _CHUNK - 1) // _CHUNK, i, q, nb
    cdef Py_ssize_t items = n_ch * n_chunks
    cdef int nt
    if fir:
        nt = _threads_for(n_threads, items, n_ch * n * k)
        if nt == 1:
            for q in range(items):
                _fir_item(bp, k, x, y, n, n_chunks, q)
        else:
            for q in prange(items, num_threads=nt, schedule="static"):
                _fir_item(bp, k, x, y, n, n_chunks, q)
        if k > 1:
            for i in range(n_ch):
                _fir_state(bp, k, zf + i * (k - 1), x + i * n, y + i * n, n)
        return
    nt = _threads_for(n_threads, n_ch, n_ch * n * k)
    if _lanes_on and k <= PYJL_LANE_MAX_SEC:
        nb = _lane_blocks(n_ch, nt)
        if nt == 1:
            for i in range(nb):
                _iir_block(bp, ap, k, zf, x, y, n_ch, n, nb, i)
        else:
            for i in prange(nb, num_threads=nt, schedule="static", chunksize=1):
                _iir_block(bp, ap, k, zf, x, y, n_ch, n, nb, i)
        return
    if nt == 1:
        for i in range(n_ch):
            _iir_channel(bp, ap, k, zf + i * (k - 1), x + i * n, y + i * n, n)
    else:
        for i in prange(n_ch, num_threads=nt, schedule="dynamic"):
            _iir_channel(bp, ap, k, zf + i * (k - 1), x + i * n, y + i * n, n)


DEF _SMALL_K = 64   # most coefficients lfilter_small takes (its padded copies are on the stack)


cdef inline bint _plain_f64(object v, int ndim) noexcept:
    """Whether ``v`` is a C-contiguous float64 ndarray of ``ndim`` dimensions (0: 1 or 2)."""
    if type(v) is not np.ndarray:
        return False
    cdef cnp.ndarray arr = <cnp.ndarray>v
    cdef int nd = cnp.PyArray_NDIM(arr)
    return (cnp.PyArray_TYPE(arr) == cnp.NPY_FLOAT64 and cnp.PyArray_ISCARRAY_RO(arr)
            and cnp.PyArray_ISNOTSWAPPED(arr)
            and (nd == ndim if ndim > 0 else (nd == 1 or nd == 2)))


cdef inline bint _finite(const double *v, Py_ssize_t m) noexcept nogil:
    """Whether ``v[0:m]`` holds only finite values (a sum of ``0 * v`` is 0 only then)."""
    cdef Py_ssize_t i
    cdef double s = 0.0
    for i in range(m):
        s = s + 0.0 * v[i]
    return s == 0.0


def lfilter_small(b, a, x, zi):
    """``lfilter`` of one small call in one step, its checks included: ``b``, ``a``
    normalised 1-D float64 (``a[0] == 1``), ``x`` a C-contiguous float64 array of 1 or 2
    dimensions filtered along its last axis, ``zi`` None or a C-contiguous float64 array
    of shape ``x.shape[:-1] + (K - 1,)``, ``K = max(len(a), len(b))``.  Returns ``y``
    (``x``'s shape), or ``(y, zf)`` with ``zi``, both new arrays; or None when the call is
    not of this kind, has work enough for a second thread or an FFT, is one channel of an
    IIR filter long enough to split in time, is empty, or its data, state or results hold a
    value that is not finite: the caller's full path decides."""
    if not (_plain_f64(b, 1) and _plain_f64(a, 1) and _plain_f64(x, 0)):
        return None
    cdef cnp.ndarray xa = <cnp.ndarray>x, ba = <cnp.ndarray>b, aa = <cnp.ndarray>a, za
    cdef int nd = cnp.PyArray_NDIM(xa)
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(xa)
    cdef cnp.npy_intp zdims[2]
    cdef Py_ssize_t n = dims[nd - 1], n_ch = dims[0] if nd == 2 else 1
    cdef Py_ssize_t nbk = cnp.PyArray_DIMS(ba)[0], nak = cnp.PyArray_DIMS(aa)[0]
    cdef Py_ssize_t k = max(nbk, nak), m = n_ch * n
    cdef double bp[_SMALL_K]
    cdef double ap[_SMALL_K]
    if n == 0 or n_ch == 0 or k > _SMALL_K or nak == 0 or nbk == 0 or m * k >= _par_min_work:
        return None
    if n_ch == 1 and nak > 1 and _may_split(n) and _lanes_on:
        return None   # long enough for lfilter's split in time (_split_channel) to decide
    zdims[0] = n_ch
    zdims[nd - 1] = k - 1
    if zi is None:
        za = cnp.PyArray_ZEROS(nd, zdims, cnp.NPY_FLOAT64, 0)
    else:
        if not _plain_f64(zi, nd):
            return None
        if cnp.PyArray_DIMS(<cnp.ndarray>zi)[nd - 1] != k - 1 or (
            nd == 2 and cnp.PyArray_DIMS(<cnp.ndarray>zi)[0] != n_ch
        ):
            return None
        za = cnp.PyArray_NewCopy(<cnp.ndarray>zi, cnp.NPY_CORDER)
    cdef double *z = <double *>cnp.PyArray_DATA(za)
    cdef const double *xp = <const double *>cnp.PyArray_DATA(xa)
    if not (_finite(xp, m) and _finite(z, n_ch * (k - 1))):
        return None
    memset(bp, 0, sizeof(bp))
    memset(ap, 0, sizeof(ap))
    memcpy(bp, cnp.PyArray_DATA(ba), nbk * sizeof(double))
    memcpy(ap, cnp.PyArray_DATA(aa), nak * sizeof(double))
    y_arr = cnp.PyArray_EMPTY(nd, dims, cnp.NPY_FLOAT64, 0)
    cdef double *y = <double *>cnp.PyArray_DATA(<cnp.ndarray>y_arr)
    _lfilter_rows(bp, ap, k, nak == 1, z, xp, y, n_ch, n, 1)
    if not (_finite(y, m) and _finite(z, n_ch * (k - 1))):
        return None
    return y_arr if zi is None else (y_arr, za)


cdef void _iir_channel_c(const double *b, const double *a, Py_ssize_t k, double *z,
                         const double *x, double *y, Py_ssize_t n) noexcept nogil:
    """``_iir_channel`` for complex data and coefficients, each stored as interleaved
    (re, im) pairs; the products are written out as SciPy's complex lfilter does."""
    cdef Py_ssize_t t, j
    cdef double xr, xi, yr, yi, br, bi, ar, ai
    for t in range(n):
        xr = x[2 * t]
        xi = x[2 * t + 1]
        yr = b[0] * xr - b[1] * xi
        yi = b[0] * xi + b[1] * xr
        if k > 1:
            yr = z[0] + yr
            yi = z[1] + yi
            for j in range(1, k):
                br = b[2 * j]
                bi = b[2 * j + 1]
                ar = a[2 * j]
                ai = a[2 * j + 1]
                if j < k - 1:       # z[j - 1] = z[j] + b[j] x - a[j] y
                    z[2 * j - 2] = z[2 * j] + (br * xr - bi * xi) - (ar * yr - ai * yi)
                    z[2 * j - 1] = z[2 * j + 1] + (br * xi + bi * xr) - (ar * yi + ai * yr)
                else:
                    z[2 * j - 2] = (br * xr - bi * xi) - (ar * yr - ai * yi)
                    z[2 * j - 1] = (br * xi + bi * xr) - (ar * yi + ai * yr)
        y[2 * t] = yr
        y[2 * t + 1] = yi


def lfilter_complex(b, a, x, zi, int n_threads):
    """``lfilter`` with complex coefficients: ``b``, ``a`` (``a[0] == 1``) 1-D and
    ``x (n_channels, n)`` complex128, ``zi``: ``None`` or ``(n_channels, K - 1)``
    complex128, ``K = max(len(a), len(b))``.  Returns complex128 ``(y, zf)``;
    channels run in parallel."""
    cdef Py_ssize_t k = max(a.shape[0], b.shape[0]), i
    bb = np.zeros(k, dtype=np.complex128)
    aa = np.zeros(k, dtype=np.complex128)
    bb[:b.shape[0]] = b
    aa[:a.shape[0]] = a
    xc = np.ascontiguousarray(x, dtype=np.complex128)
    cdef Py_ssize_t n_ch = xc.shape[0], n = xc.shape[1]
    y_arr = np.empty((n_ch, n), dtype=np.complex128)
    if zi is None:
        zf_arr = np.zeros((n_ch, k - 1), dtype=np.complex128)
    else:
        zf_arr = np.array(zi, dtype=np.complex128, order="C", copy=True)
    cdef double[::1] bp = bb.view(np.float64)
    cdef double[::1] ap = aa.view(np.float64)
    cdef double[:, ::1] xv = xc.view(np.float64)
    cdef double[:, ::1] y = y_arr.view(np.float64)
    cdef double[:, ::1] zf = zf_arr.view(np.float64) if k > 1 else np.zeros((n_ch, 2))
    cdef int nt = _threads_for(n_threads, n_ch, 4 * n_ch * n * k)
    if n_ch == 0 or n == 0:
        return y_arr, zf_arr
    for i in prange(n_ch, nogil=True, num_threads=nt, schedule="dynamic"):
        _iir_channel_c(&bp[0], &ap[0], k, &zf[i, 0], &xv[i, 0], &y[i, 0], n)
    return y_arr, zf_arr
