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
    cdef Py_ssize_t n_ch = x.shape[0], n = x.shape[1], i, q, c, t0, t1, nb
    cdef Py_ssize_t k = max(a.shape[0], b.shape[0])
    cdef int nl
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
    cdef bint fir = a.shape[0] == 1
    y_arr = _empty_out(n_ch, n)
    if zi is None:
        zf_arr = np.zeros((n_ch, k - 1), dtype=np.float64)
    else:
        zf_arr = _state_copy(zi)
    cdef double[:, ::1] y = y_arr
    cdef double[:, ::1] zf = zf_arr
    cdef Py_ssize_t n_chunks = (n + _CHUNK - 1) // _CHUNK
    cdef Py_ssize_t items = n_ch * n_chunks
    cdef int nt
    if n_ch == 0 or n == 0:
        return y_arr, zf_arr
    if fir:
        nt = _threads_for(n_threads, items, n_ch * n * k)
        for q in prange(items, nogil=True, num_threads=nt, schedule="static"):
            c = q // n_chunks
            t0 = (q - c * n_chunks) * _CHUNK
            t1 = t0 + _CHUNK
            if t1 > n:
                t1 = n
            _fir_range(&bp[0], k, &x[c, 0], &y[c, 0], t0, t1)
        if k > 1:
            for i in range(n_ch):
                _fir_state(&bp[0], k, &zf[i, 0], &x[i, 0], &y[i, 0], n)
        return y_arr, zf_arr
    nt = _threads_for(n_threads, n_ch, n_ch * n * k)
    if _lanes_on and k <= PYJL_LANE_MAX_SEC:
        nb = _lane_blocks(n_ch, nt)
        for i in prange(nb, nogil=True, num_threads=nt, schedule="static", chunksize=1):
            c = i * n_ch // nb
            nl = <int>((i + 1) * n_ch // nb - c)
            pyjl_iir_lanes(&bp[0], &ap[0], k, &zf[c, 0], k - 1, &x[c, 0], &y[c, 0], n, nl, n,
                           _stream(n_ch * n))
        return y_arr, zf_arr
    for i in prange(n_ch, nogil=True, num_threads=nt, schedule="dynamic"):
        _iir_channel(&bp[0], &ap[0], k, &zf[i, 0], &x[i, 0], &y[i, 0], n)
    return y_arr, zf_arr


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
