# upfirdn, stft_frames and fftfilt -- included by bindings/dsp.pyx

# ---------------------------------------------------------------------------
# upfirdn (polyphase)
# ---------------------------------------------------------------------------
def upfirdn(const double[::1] h, const double[:, ::1] x, Py_ssize_t up, Py_ssize_t down,
            int n_threads):
    """Upsample each row by ``up``, filter with ``h``, downsample by ``down``.

    Output ``(n_channels, ((n - 1) * up + len(h) - 1) // down + 1)``; outputs are
    computed polyphase, in chunks spread across threads."""
    cdef Py_ssize_t n_ch = x.shape[0], n = x.shape[1], nh = h.shape[0]
    cdef Py_ssize_t n_out = ((n - 1) * up + nh - 1) // down + 1 if n > 0 else 0
    cdef Py_ssize_t nq = (nh + up - 1) // up
    hp_arr = np.empty((up, nq), dtype=np.float64)
    cdef double[:, ::1] hp = hp_arr
    _polyphase(&h[0], nh, up, nq, &hp[0, 0])
    y_arr = np.empty((n_ch, n_out), dtype=np.float64)
    cdef double[:, ::1] y = y_arr
    if n_out == 0 or n_ch == 0:
        return y_arr
    _upfirdn_rows(&hp[0, 0], nq, up, down, &x[0, 0], n, &y[0, 0], n_ch, n_out, n_threads)
    return y_arr


cdef void _polyphase(const double *h, Py_ssize_t nh, Py_ssize_t up, Py_ssize_t nq,
                     double *hp) noexcept nogil:
    """``hp (up, nq)``: phase p holds taps p, p + up, ... (zero past the end), reversed."""
    cdef Py_ssize_t p, j, k
    for p in range(up):
        for j in range(nq):
            k = (nq - 1 - j) * up + p
            hp[p * nq + j] = h[k] if k < nh else 0.0


cdef inline void _upfirdn_item(const double *hp, Py_ssize_t nq, Py_ssize_t up,
                               Py_ssize_t down, const double *x, Py_ssize_t n, double *y,
                               Py_ssize_t n_out, Py_ssize_t n_chunks,
                               Py_ssize_t q) noexcept nogil:
    """Work item ``q``: output chunk ``q % n_chunks`` of row ``q // n_chunks``."""
    cdef Py_ssize_t c = q // n_chunks
    cdef Py_ssize_t i0 = (q - c * n_chunks) * _CHUNK
    cdef Py_ssize_t i1 = min(i0 + _CHUNK, n_out)
    if _AVX2:
        pyjl_upfirdn_avx2(hp, nq, up, down, x + c * n, n, y + c * n_out, i0, i1)
    else:
        pyjl_upfirdn_generic(hp, nq, up, down, x + c * n, n, y + c * n_out, i0, i1)


cdef void _upfirdn_rows(const double *hp, Py_ssize_t nq, Py_ssize_t up, Py_ssize_t down,
                        const double *x, Py_ssize_t n, double *y, Py_ssize_t n_ch,
                        Py_ssize_t n_out, int n_threads) noexcept nogil:
    """``upfirdn``'s loops over rows of ``x (n_ch, n)`` into ``y (n_ch, n_out)``; one
    thread runs without a parallel region (entering one costs more than a small call)."""
    cdef Py_ssize_t n_chunks = (n_out + _CHUNK - 1) // _CHUNK, q
    cdef Py_ssize_t items = n_ch * n_chunks
    cdef int nt = _threads_for(n_threads, items, n_ch * n_out * nq)
    if nt == 1:
        for q in range(items):
            _upfirdn_item(hp, nq, up, down, x, n, y, n_out, n_chunks, q)
    else:
        for q in prange(items, num_threads=nt, schedule="static"):
            _upfirdn_item(hp, nq, up, down, x, n, y, n_out, n_chunks, q)


DEF _SMALL_RATE = 1 << 20   # largest up, down and len(h) upfirdn_small takes


def upfirdn_small(h, x, up, down):
    """``upfirdn`` (mode ``"constant"``, ``cval = 0``) of one small call in one step, its
    checks included: ``h`` a finite 1-D float64 array, ``x`` a C-contiguous float64 array
    of 1 or 2 dimensions filtered along its last axis, ``up``, ``down`` positive ints.
    Returns ``y`` (``x``'s shape, the last axis of the output length), a new array; or
    None when the call is not of this kind, has work enough for a second thread, or its
    data or result hold a value that is not finite: the caller's full path decides."""
    if not (_plain_f64(h, 1) and _plain_f64(x, 0) and type(up) is int and type(down) is int):
        return None
    if not (1 <= up <= _SMALL_RATE and 1 <= down <= _SMALL_RATE):
        return None
    cdef cnp.ndarray xa = <cnp.ndarray>x, ha = <cnp.ndarray>h
    cdef int nd = cnp.PyArray_NDIM(xa)
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(xa)
    cdef cnp.npy_intp ydims[2]
    cdef Py_ssize_t n = dims[nd - 1], n_ch = dims[0] if nd == 2 else 1
    cdef Py_ssize_t nh = cnp.PyArray_DIMS(ha)[0], pu = up, pd = down
    if n == 0 or n_ch == 0 or nh == 0 or nh > _SMALL_RATE or n_ch * n >= _par_min_work:
        return None
    cdef Py_ssize_t nq = (nh + pu - 1) // pu
    cdef Py_ssize_t n_out = ((n - 1) * pu + nh - 1) // pd + 1
    cdef const double *hv = <const double *>cnp.PyArray_DATA(ha)
    cdef const double *xp = <const double *>cnp.PyArray_DATA(xa)
    if n_ch * n_out * nq >= _par_min_work or not (_finite(hv, nh) and _finite(xp, n_ch * n)):
        return None
    ydims[0] = n_ch
    ydims[nd - 1] = n_out
    y_arr = cnp.PyArray_EMPTY(nd, ydims, cnp.NPY_FLOAT64, 0)
    cdef double *y = <double *>cnp.PyArray_DATA(<cnp.ndarray>y_arr)
    cdef double *hp = <double *>malloc(pu * nq * sizeof(double))
    if hp == NULL:
        return None
    _polyphase(hv, nh, pu, nq, hp)
    _upfirdn_rows(hp, nq, pu, pd, xp, n, y, n_ch, n_out, 1)
    free(hp)
    return y_arr if _finite(y, n_ch * n_out) else None


cdef void _frame(const double *x, const double *w, Py_ssize_t L, int detrend,
                 double *out) noexcept nogil:
    """One frame: detrend (0 none, 1 constant, 2 linear) then multiply by ``w``."""
    cdef Py_ssize_t t
    cdef double s0, s1, mean, slope, tc, c
    if detrend == 0:
        for t in range(L):
            out[t] = w[t] * x[t]
    elif detrend == 1:
        s0 = 0.0
        for t in range(L):
            s0 = s0 + x[t]
        mean = s0 / L
        for t in range(L):
            out[t] = w[t] * (x[t] - mean)
    else:
        # least-squares line a + b * (t - tc), tc the centre (orthogonal basis)
        s0 = 0.0
        s1 = 0.0
        tc = (L - 1) * 0.5
        for t in range(L):
            s0 = s0 + x[t]
        mean = s0 / L
        c = 0.0
        for t in range(L):
            s1 = s1 + (t - tc) * (x[t] - mean)
            c = c + (t - tc) * (t - tc)
        slope = s1 / c if c > 0 else 0.0
        for t in range(L):
            out[t] = w[t] * ((x[t] - mean) - slope * (t - tc))


def stft_frames(const double[:, ::1] x, const double[::1] window, Py_ssize_t step,
                int detrend, int n_threads):
    """Frames ``(n_channels, n_frames, L)``: ``detrend(x[:, k*step : k*step+L]) * window``,
    ``n_frames = (n - L) // step + 1``; ``detrend`` 0 none, 1 constant, 2 linear."""
    cdef Py_ssize_t n_ch = x.shape[0], n = x.shape[1], L = window.shape[0]
    cdef Py_ssize_t n_fr = (n - L) // step + 1 if n >= L else 0
    cdef Py_ssize_t total = n_ch * n_fr, q, c, f
    out_arr = np.empty((n_ch, n_fr, L), dtype=np.float64)
    cdef double[:, :, ::1] out = out_arr
    if total == 0 or L == 0:
        return out_arr
    cdef int nt = _threads_for(n_threads, total, 2 * total * L)
    for q in prange(total, nogil=True, num_threads=nt, schedule="static"):
        c = q // n_fr
        f = q - c * n_fr
        _frame(&x[c, f * step], &window[0], L, detrend, &out[c, f, 0])
    return out_arr


# ---------------------------------------------------------------------------
# FFT convolution (overlap-add, scipy.fft)
# ---------------------------------------------------------------------------
def _oa_block(Py_ssize_t m, Py_ssize_t n):
    """``(nfft, L)``: transform and block lengths for overlap-add of an ``m``-tap filter
    over ``n`` samples; one block of the whole signal where blocks would not be shorter."""
    import scipy.fft as sfft
    full = sfft.next_fast_len(n + m - 1, True)
    if n <= 2 * m or m <= 1:
        return full, n
    nfft = sfft.next_fast_len(max(8 * m, 1024), True)
    while nfft - m + 1 < m:
        nfft = sfft.next_fast_len(nfft + 1, True)
    if nfft >= full:
        return full, n
    return nfft, nfft - m + 1


def fftfilt(const double[::1] h, const double[:, ::1] x, int n_threads):
    """Full convolution of each row of ``x`` with ``h`` by overlap-add FFTs.

    Returns ``(n_channels, n + len(h) - 1)``; FFTs by ``scipy.fft`` with
    ``workers=n_threads``."""
    import scipy.fft as sfft
    h_arr = np.asarray(h)
    x_arr = np.asarray(x)
    cdef Py_ssize_t n_ch = x.shape[0], n = x.shape[1], m = h.shape[0]
    if n == 0 or m == 0:
        return np.zeros((n_ch, max(n + m - 1, 0)), dtype=np.float64)
    nfft, L = _oa_block(m, n)
    nb = -(-n // L)
    if nb == 1:
        # one block: the rows and the taps zero-padded together, transformed by one call
        # (rows are transformed independently: the values of separate calls)
        both = np.zeros((n_ch + 1, nfft), dtype=np.float64)
        both[:n_ch, :n] = x_arr
        both[n_ch, :m] = h_arr
        workers = _threads_for(n_threads, n_ch + 1,
                               2 * (n_ch + 1) * nfft * (<object>nfft).bit_length())
        spec = sfft.rfft(both, axis=-1, workers=workers)
        out = sfft.irfft(spec[:n_ch] * spec[n_ch], nfft, axis=-1, workers=workers)
        return np.ascontiguousarray(out[:, :n + m - 1])
    H = sfft.rfft(h_arr, nfft)
    out = np.zeros((n_ch, nb * L + nfft - L), dtype=np.float64)
    # blocks in groups that keep the working set near 32 MB
    group = max(1, (1 << 22) // max(nfft, 1) // max(n_ch, 1))
    for g0 in range(0, nb, group):
        g1 = min(nb, g0 + group)
        lo, hi = g0 * L, min(n, g1 * L)
        seg = np.zeros((n_ch, g1 - g0, L), dtype=np.float64)
        seg.reshape(n_ch, -1)[:, :hi - lo] = x_arr[:, lo:hi]
        rows = n_ch * (g1 - g0)
        workers = _threads_for(n_threads, rows, 2 * rows * nfft * (<object>nfft).bit_length())
        Y = sfft.rfft(seg, nfft, axis=-1, workers=workers)
        Y *= H
        blocks = sfft.irfft(Y, nfft, axis=-1, workers=workers)
        # overlap-add: block b lands at (g0 + b) * L; chunks of length <= L never collide
        for j in range(0, nfft, L):
            w = min(L, nfft - j)
            base = out[:, lo + j:]
            view = np.lib.stride_tricks.as_strided(
                base, shape=(n_ch, g1 - g0, w),
                strides=(base.strides[0], L * 8, 8), writeable=True)
            view += blocks[:, :, j:j + w]
    return np.ascontiguousarray(out[:, :n + m - 1])
