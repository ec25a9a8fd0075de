# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""DSP kernels of the ``native`` engine: filters, resampling and framing.

Layout contract (validated by ``pyjl.dsp``, trusted here): every signal is a
float64, C-contiguous ``(n_channels, n)`` array filtered along its last axis;
coefficients are float64 and C-contiguous.  Work is split across OpenMP
threads (``n_threads``, the last argument of every kernel): channels, and for
FIR/upfirdn chunks of samples, and for one long IIR channel segments in time.

``sosfilt`` performs exactly ``scipy.signal.sosfilt``'s arithmetic, in the
same order (``-ffp-contract=off``: no fused multiply-adds), so one channel on
one thread gives bit-identical results.  It is faster because the state of a
group of four sections lives in registers (SciPy reloads it from memory every
sample) and the four sections run as a pipeline: at step ``t`` section ``s``
filters sample ``t - s``, so their recursions are independent within a step
and the CPU overlaps them.  Blocks of ``_BLOCK`` samples pass group by group
through an L1-resident buffer.

Several channels (``sosfilt``: at least ``_LANES_MIN_CH`` per thread; ``lfilter``
with a denominator: any) run in SIMD lanes (``pyjl_dsp_lanes.h``): blocks of up to
eight channels, one per lane of a vector, each lane doing exactly the scalar
arithmetic, so the results stay bit-identical.  One long ``sosfilt`` channel is
split into time segments that fill the lanes of every thread.
``_set_lanes(False)`` switches the lanes off (the tests' reference).

Outputs come from a pool (``pyjl_dsp_pool.h``) that takes back the memory of freed
outputs of the same size, so a repeated call does not fault in fresh pages, and the
lane kernels write outputs larger than the caches by streaming stores (``_STREAM_MIN``;
``_set_stream(False)`` switches them off).
"""

import numpy as np
cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy, memset
from libc.float cimport DBL_MAX
from libc.math cimport fabs, fmax, log, sqrt

cnp.import_array()

DEF _BLOCK = 512


# ---------------------------------------------------------------------------
# sosfilt
# ---------------------------------------------------------------------------
cdef inline void _sos4(const double *c, double *z, const double *src, double *dst,
                       Py_ssize_t n) noexcept nogil:
    """Four sections (``c``: 4 x 6 coefficients, ``z``: 4 x 2 state) over ``n`` samples."""
    cdef double b00 = c[0], b01 = c[1], b02 = c[2], a01 = c[4], a02 = c[5]
    cdef double b10 = c[6], b11 = c[7], b12 = c[8], a11 = c[10], a12 = c[11]
    cdef double b20 = c[12], b21 = c[13], b22 = c[14], a21 = c[16], a22 = c[17]
    cdef double b30 = c[18], b31 = c[19], b32 = c[20], a31 = c[22], a32 = c[23]
    cdef double z00 = z[0], z01 = z[1], z10 = z[2], z11 = z[3]
    cdef double z20 = z[4], z21 = z[5], z30 = z[6], z31 = z[7]
    cdef double xc, y
    cdef Py_ssize_t t
    for t in range(n):
        xc = src[t]
        y = b00 * xc + z00
        z00 = b01 * xc - a01 * y + z01
        z01 = b02 * xc - a02 * y
        xc = y
        y = b10 * xc + z10
        z10 = b11 * xc - a11 * y + z11
        z11 = b12 * xc - a12 * y
        xc = y
        y = b20 * xc + z20
        z20 = b21 * xc - a21 * y + z21
        z21 = b22 * xc - a22 * y
        xc = y
        y = b30 * xc + z30
        z30 = b31 * xc - a31 * y + z31
        z31 = b32 * xc - a32 * y
        dst[t] = y
    z[0] = z00; z[1] = z01; z[2] = z10; z[3] = z11
    z[4] = z20; z[5] = z21; z[6] = z30; z[7] = z31


cdef inline void _sos4_skewed(const double *c, double *z, const double *src, double *dst,
                              Py_ssize_t n) noexcept nogil:
    """Four sections as a pipeline: at step ``t`` section 0 filters sample ``t``,
    section 1 sample ``t - 1``, section 2 ``t - 2`` and section 3 ``t - 3``, so
    the four recursions are independent within a step.  Needs ``n >= 4``."""
    cdef double p0[3]
    cdef double p1[2]
    cdef double p2[1]
    cdef double tail[3]
    # prologue: fill the pipeline (section s runs 3 - s samples ahead)
    _sos1(c, z, src, p0, 3)
    _sos1(c + 6, z + 2, p0, p1, 2)
    _sos1(c + 12, z + 4, p1, p2, 1)
    cdef double b00 = c[0], b01 = c[1], b02 = c[2], a01 = c[4], a02 = c[5]
    cdef double b10 = c[6], b11 = c[7], b12 = c[8], a11 = c[10], a12 = c[11]
    cdef double b20 = c[12], b21 = c[13], b22 = c[14], a21 = c[16], a22 = c[17]
    cdef double b30 = c[18], b31 = c[19], b32 = c[20], a31 = c[22], a32 = c[23]
    cdef double z00 = z[0], z01 = z[1], z10 = z[2], z11 = z[3]
    cdef double z20 = z[4], z21 = z[5], z30 = z[6], z31 = z[7]
    cdef double v0 = p0[2], v1 = p1[1], v2 = p2[0]
    cdef double x0, y0, y1, y2, y3
    cdef Py_ssize_t t
    for t in range(3, n):
        x0 = src[t]
        y3 = b30 * v2 + z30
        z30 = b31 * v2 - a31 * y3 + z31
        z31 = b32 * v2 - a32 * y3
        y2 = b20 * v1 + z20
        z20 = b21 * v1 - a21 * y2 + z21
        z21 = b22 * v1 - a22 * y2
        y1 = b10 * v0 + z10
        z10 = b11 * v0 - a11 * y1 + z11
        z11 = b12 * v0 - a12 * y1
        y0 = b00 * x0 + z00
        z00 = b01 * x0 - a01 * y0 + z01
        z01 = b02 * x0 - a02 * y0
        dst[t - 3] = y3
        v2 = y2
        v1 = y1
        v0 = y0
    z[0] = z00; z[1] = z01; z[2] = z10; z[3] = z11
    z[4] = z20; z[5] = z21; z[6] = z30; z[7] = z31
    # epilogue: drain the pipeline
    tail[0] = v2
    _sos1(c + 18, z + 6, tail, dst + n - 3, 1)
    tail[0] = v1
    _sos1(c + 12, z + 4, tail, tail, 1)
    _sos1(c + 18, z + 6, tail, dst + n - 2, 1)
    tail[0] = v0
    _sos1(c + 6, z + 2, tail, tail, 1)
    _sos1(c + 12, z + 4, tail, tail, 1)
    _sos1(c + 18, z + 6, tail, dst + n - 1, 1)


cdef inline void _sos2(const double *c, double *z, const double *src, double *dst,
                       Py_ssize_t n) noexcept nogil:
    cdef double b00 = c[0], b01 = c[1], b02 = c[2], a01 = c[4], a02 = c[5]
    cdef double b10 = c[6], b11 = c[7], b12 = c[8], a11 = c[10], a12 = c[11]
    cdef double z00 = z[0], z01 = z[1], z10 = z[2], z11 = z[3]
    cdef double xc, y
    cdef Py_ssize_t t
    for t in range(n):
        xc = src[t]
        y = b00 * xc + z00
        z00 = b01 * xc - a01 * y + z01
        z01 = b02 * xc - a02 * y
        xc = y
        y = b10 * xc + z10
        z10 = b11 * xc - a11 * y + z11
        z11 = b12 * xc - a12 * y
        dst[t] = y
    z[0] = z00; z[1] = z01; z[2] = z10; z[3] = z11


cdef inline void _sos1(const double *c, double *z, const double *src, double *dst,
                       Py_ssize_t n) noexcept nogil:
    cdef double b0 = c[0], b1 = c[1], b2 = c[2], a1 = c[4], a2 = c[5]
    cdef double z0 = z[0], z1 = z[1]
    cdef double xc, y
    cdef Py_ssize_t t
    for t in range(n):
        xc = src[t]
        y = b0 * xc + z0
        z0 = b1 * xc - a1 * y + z1
        z1 = b2 * xc - a2 * y
        dst[t] = y
    z[0] = z0; z[1] = z1


cdef void _sos_channel(const double *sos, Py_ssize_t n_sections, double *z,
                       const double *x, double *y, Py_ssize_t n) noexcept nogil:
    """The whole cascade over one channel, block by block, groups of sections in turn."""
    cdef Py_ssize_t start, m, s, left
    cdef const double *src
    start = 0
    while start < n:
        m = n - start
        if m > _BLOCK:
            m = _BLOCK
        src = x + start
        s = 0
        while s < n_sections:
            left = n_sections - s
            if left >= 4 and m >= 4:
                _sos4_skewed(sos + 6 * s, z + 2 * s, src, y + start, m)
                s += 4
            elif left >= 4:
                _sos4(sos + 6 * s, z + 2 * s, src, y + start, m)
                s += 4
            elif left >= 2:
                _sos2(sos + 6 * s, z + 2 * s, src, y + start, m)
                s += 2
            else:
                _sos1(sos + 6 * s, z + 2 * s, src, y + start, m)
                s += 1
            src = y + start
        if n_sections == 0:
            memcpy(y + start, x + start, m * sizeof(double))
        start += m


cdef bint _sos_zir(const double *sos, Py_ssize_t n_sec, double *z, double *out,
                   Py_ssize_t n, Py_ssize_t *used) noexcept nogil:
    """Write to ``out[0:used]`` the zero-input response of the cascade from state ``z``.

    Runs block by block until the state has decayed below ``1e-24`` of its
    starting size (the rest of the response is then below rounding), or to
    ``n``; ``z`` ends as the propagated state (zeroed once decayed).  Returns
    whether it decayed (never for a NaN or infinite state)."""
    cdef double zeros[_BLOCK]
    cdef Py_ssize_t start = 0, m, j
    cdef double s0 = 0.0, s
    used[0] = 0
    for j in range(2 * n_sec):
        if not fabs(z[j]) <= DBL_MAX:
            return False        # NaN or inf: the serial rerun carries it on
        if z[j] > s0:
            s0 = z[j]
        elif -z[j] > s0:
            s0 = -z[j]
    if s0 == 0.0:
        return True
    memset(zeros, 0, _BLOCK * sizeof(double))
    while start < n:
        m = n - start
        if m > _BLOCK:
            m = _BLOCK
        _sos_channel(sos, n_sec, z, zeros, out + start, m)
        start += m
        used[0] = start
        s = 0.0
        for j in range(2 * n_sec):
            if z[j] > s:
                s = z[j]
            elif -z[j] > s:
                s = -z[j]
        if s <= 1e-24 * s0:
            memset(z, 0, 2 * n_sec * sizeof(double))
            return True
    return False


cdef void _sos_segments(const double *sos, Py_ssize_t n_sec, double *z, const double *x,
                        double *y, Py_ssize_t n, int nt, Py_ssize_t lead) noexcept nogil:
    """One channel on ``nt`` threads, split in time (the filter is linear): segment
    ``k`` is filtered from a zero state while segment 0 starts from ``z``; the
    thread of segment ``k`` then runs, from the state it ended in, the zero-input
    response that segment ``k + 1`` must add (it decays geometrically for a stable
    filter and is run only until it is below rounding), so one parallel region
    does everything and no thread waits for another.  The last segment is
    ``lead`` samples longer to balance that extra work.  The responses are added
    afterwards; falls back to one serial pass if one has not decayed within a
    segment."""
    cdef Py_ssize_t L, k, lo, hi, nlo, nhi, j, t, cap
    cdef Py_ssize_t ns2 = 2 * n_sec
    cdef bint ok = True
    if lead < 0 or lead * 2 >= n:
        lead = 0
    L = (n - lead) // nt
    cap = n - (nt - 1) * L          # the longest segment (the last)
    cdef double *states = <double *> malloc(nt * ns2 * sizeof(double))
    cdef double *prop = <double *> malloc(nt * ns2 * sizeof(double))
    cdef double *z0 = <double *> malloc(ns2 * sizeof(double))
    cdef double *tmp = <double *> malloc((nt - 1) * cap * sizeof(double))
    cdef Py_ssize_t *used = <Py_ssize_t *> malloc(nt * sizeof(Py_ssize_t))
    cdef int *decayed = <int *> malloc(nt * sizeof(int))
    if states == NULL or prop == NULL or z0 == NULL or tmp == NULL or used == NULL \
            or decayed == NULL or L < 1:
        free(states); free(prop); free(z0); free(tmp); free(used); free(decayed)
        _sos_channel(sos, n_sec, z, x, y, n)
        return
    memcpy(z0, z, ns2 * sizeof(double))
    decayed[0] = 1
    used[0] = 0
    for k in prange(nt, nogil=True, num_threads=nt, schedule="static", chunksize=1):
        lo = k * L
        hi = n if k == nt - 1 else lo + L
        if k == 0:
            memcpy(states, z, ns2 * sizeof(double))
        else:
            memset(states + k * ns2, 0, ns2 * sizeof(double))
        _sos_channel(sos, n_sec, states + k * ns2, x + lo, y + lo, hi - lo)
        if k < nt - 1:
            # the response segment k + 1 owes to this segment's raw final state
            nlo = hi
            nhi = n if k + 1 == nt - 1 else nlo + L
            memcpy(prop + k * ns2, states + k * ns2, ns2 * sizeof(double))
            decayed[k + 1] = _sos_zir(sos, n_sec, prop + k * ns2, tmp + k * cap,
                                      nhi - nlo, used + k + 1)
    for k in range(1, nt):
        if not decayed[k]:
            ok = False
    if ok:
        for k in range(1, nt):
            lo = k * L
            for t in range(used[k]):
                y[lo + t] = y[lo + t] + tmp[(k - 1) * cap + t]
        # the last segment's true final state: its raw state plus the propagated one
        for j in range(ns2):
            z[j] = states[(nt - 1) * ns2 + j] + prop[(nt - 2) * ns2 + j]
    else:
        memcpy(z, z0, ns2 * sizeof(double))
        _sos_channel(sos, n_sec, z, x, y, n)
    free(states); free(prop); free(z0); free(tmp); free(used); free(decayed)


DEF _SPLIT_MIN = 16384    # fewest samples per time segment of one channel
DEF _LANES_MIN_CH = 3     # fewer channels per thread: sosfilt's scalar kernel, as fast
DEF _LANE_SEG_MIN = 2048  # fewest samples per time segment of one channel in lanes
DEF _STREAM_MIN = 1 << 21  # outputs of this many samples (16 MB) bypass the caches


cdef Py_ssize_t _decay_len(const double[:, ::1] sos) noexcept nogil:
    """Samples for the cascade's zero-input response to fall by ``1e-24`` (about
    55 e-folds at the largest pole radius), doubled for the cascade; ``-1`` if a
    pole is on or outside the unit circle.  (Plain C: it runs on every call,
    e.g. every chunk of a stream.)"""
    cdef double r = 0.0, a1, a2, disc, root, rad
    cdef Py_ssize_t s
    for s in range(sos.shape[0]):
        a1 = sos[s, 4]
        a2 = sos[s, 5]
        disc = a1 * a1 - 4.0 * a2
        root = sqrt(fabs(disc))
        if disc < 0:
            rad = sqrt(fabs(a2))
        else:
            rad = fmax(fabs(-a1 + root), fabs(-a1 - root)) / 2.0
        if rad > r:
            r = rad
    if r >= 1.0:
        return -1
    if r <= 1e-300:
        return 1
    return <Py_ssize_t>(2 * 55.3 / -log(r)) + 1


def _decay_length(sos):
    """Python view of ``_decay_len`` (float64 ``(n_sections, 6)``)."""
    return _decay_len(np.ascontiguousarray(sos, dtype=np.float64))


cdef extern from "pyjl_dsp.h":   # the lane kernels, pyjl_dsp_lanes.h
    int PYJL_LANES
    int PYJL_LANE_MAX_SEC
    void pyjl_sos_lanes(const double *sos, Py_ssize_t n_sec, double *z0, Py_ssize_t zstride,
                        const double *x0, double *y0, Py_ssize_t stride, int nl,
                        Py_ssize_t n, int stream) noexcept nogil
    int pyjl_sos_lane_block(const double *sos, Py_ssize_t n_sec, double *z0,
                            const double *x0, double *y0, Py_ssize_t L, int nl, double *owed,
                            Py_ssize_t cap, int last_block, int stream) noexcept nogil
    void pyjl_iir_lanes(const double *b, const double *a, Py_ssize_t k, double *z0,
                        Py_ssize_t zstride, const double *x0, double *y0, Py_ssize_t stride,
                        int nl, Py_ssize_t n, int stream) noexcept nogil

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


cdef bint _lanes_on = True
cdef bint _stream_on = True


def _set_stream(bint on):
    """Write large lane outputs by streaming stores (``True``, the default) or by
    ordinary ones (``False``; the values are the same either way)."""
    global _stream_on
    _stream_on = on


cdef inline int _stream(Py_ssize_t samples) noexcept nogil:
    """Whether an output of ``samples`` values bypasses the caches (see pyjl_simd.h)."""
    return _stream_on and samples >= _STREAM_MIN


def _set_lanes(bint on):
    """Run the IIR kernels in lanes (``True``, the default) or one channel per
    thread with the scalar loops (``False``: the reference the tests compare with)."""
    global _lanes_on
    _lanes_on = on


cdef inline Py_ssize_t _lane_blocks(Py_ssize_t n_ch, int nt) noexcept nogil:
    """Blocks of at most eight channels, at least one per thread, as even as can be
    (block ``i`` holds channels ``i * n_ch // nb`` to ``(i + 1) * n_ch // nb``)."""
    cdef Py_ssize_t nb = (n_ch + PYJL_LANES - 1) // PYJL_LANES
    if nb < nt:
        nb = nt if nt < n_ch else n_ch
    return nb


cdef bint _sos_lane_segments(const double *sos, Py_ssize_t n_sec, double *z,
                             const double *x, double *y, Py_ssize_t n, Py_ssize_t nseg,
                             Py_ssize_t cap, int nt) noexcept nogil:
    """One channel as ``nseg`` time segments of ``L = n // nseg`` samples, filtered in
    lanes, a block of eight segments per thread: each from a zero state (segment 0
    from ``z``); then each segment's final state's zero-input response (in lanes
    too, until it is below rounding, at most ``cap`` samples) is added to the next
    segment, by the same thread straight away (one parallel region, no thread waits
    for another; a block's last response is added afterwards).  The ``n - nseg * L``
    last samples follow serially.  Returns False (nothing written to ``z``) if a
    response has not decayed within ``cap`` samples or a state is not finite; ``y``
    must then be recomputed."""
    cdef Py_ssize_t L = n // nseg, ns = 2 * n_sec, t
    cdef Py_ssize_t nb = (nseg + PYJL_LANES - 1) // PYJL_LANES, q, c
    cdef int nl, ok = 1
    if cap > L:
        cap = L
    cdef double *states = <double *> calloc(nseg * ns, sizeof(double))
    cdef double *owed = <double *> calloc(nb * cap, sizeof(double))
    cdef int *decayed = <int *> malloc(nb * sizeof(int))
    if states == NULL or owed == NULL or decayed == NULL:
        free(states); free(owed); free(decayed)
        return False
    memcpy(states, z, ns * sizeof(double))
    for q in prange(nb, nogil=True, num_threads=nt, schedule="static", chunksize=1):
        c = q * PYJL_LANES
        nl = <int>min(PYJL_LANES, nseg - c)
        decayed[q] = pyjl_sos_lane_block(sos, n_sec, states + c * ns, x + c * L, y + c * L,
                                         L, nl, owed + q * cap, cap, q == nb - 1,
                                         _stream(n))
    for q in range(nb):
        if not decayed[q]:
            ok = 0
    if ok:
        for q in range(nb - 1):
            c = (q + 1) * PYJL_LANES * L
            for t in range(cap):
                y[c + t] = y[c + t] + owed[q * cap + t]
        # the last segment's raw final state is the true one: the response it owed
        # to nothing and the one it received has decayed
        memcpy(z, states + (nseg - 1) * ns, ns * sizeof(double))
        _sos_channel(sos, n_sec, z, x + nseg * L, y + nseg * L, n - nseg * L)
    free(states); free(owed); free(decayed)
    return ok


def sosfilt(const double[:, ::1] sos, const double[:, ::1] x, zi, int n_threads):
    """Filter each row of ``x (n_channels, n)`` through ``sos (n_sections, 6)``.

    ``zi``: ``None`` or ``(n_channels, n_sections, 2)``.  Returns ``(y, zf)``.
    Channels run in lanes, blocks of up to eight (one per vector) on the threads,
    or one per thread where a thread would get fewer than ``_LANES_MIN_CH``; a
    single long channel is split in time (see ``_sos_lane_segments``)."""
    cdef Py_ssize_t n_ch = x.shape[0], n = x.shape[1], n_sec = sos.shape[0], i, c, nb
    cdef int nl
    y_arr = _empty_out(n_ch, n)
    if zi is None:
        zf_arr = np.zeros((n_ch, n_sec, 2), dtype=np.float64)
    else:
        zf_arr = _state_copy(zi)
    cdef double[:, ::1] y = y_arr
    cdef double[:, :, ::1] zf = zf_arr
    cdef int nt = n_threads if n_threads < n_ch else <int>n_ch
    cdef bint lanes = _lanes_on and 0 < n_sec <= PYJL_LANE_MAX_SEC
    if n == 0 or n_ch == 0:
        return y_arr, zf_arr
    if nt < 1:
        nt = 1
    cdef int split = n_threads
    cdef Py_ssize_t decay = 0, seg_min, nseg
    if n_ch == 1 and split >= 2 and n >= 2 * _SPLIT_MIN:
        # split in time only where each segment is much longer than the decay
        decay = _decay_len(sos)
        seg_min = max(_SPLIT_MIN, 4 * decay)
        if lanes and decay > 0 and n // seg_min >= 2:
            # lanes make a segment cheap: as many as fill the lanes of every thread,
            # each at least twice the decay (its correction then costs at most a
            # quarter of its own filtering)
            nseg = min(PYJL_LANES * split, n // max(_LANE_SEG_MIN, 2 * decay))
            if nseg >= 2:
                with nogil:
                    if not _sos_lane_segments(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0],
                                              &y[0, 0], n, nseg, decay + 2 * _BLOCK, split):
                        _sos_channel(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0], &y[0, 0], n)
                return y_arr, zf_arr
        if decay > 0 and n // seg_min < split:
            split = <int>(n // seg_min)
    if n_ch == 1 and split >= 2 and n >= 2 * _SPLIT_MIN and decay > 0:
        with nogil:
            _sos_segments(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0], &y[0, 0], n, split,
                          (3 * decay) // 4)   # about the correction's real length
        return y_arr, zf_arr
    if lanes and (n_ch + nt - 1) // nt >= _LANES_MIN_CH:
        nb = _lane_blocks(n_ch, nt)
        for i in prange(nb, nogil=True, num_threads=nt, schedule="static", chunksize=1):
            c = i * n_ch // nb
            nl = <int>((i + 1) * n_ch // nb - c)
            pyjl_sos_lanes(&sos[0, 0], n_sec, &zf[c, 0, 0], 2 * n_sec, &x[c, 0], &y[c, 0],
                           n, nl, n, _stream(n_ch * n))
        return y_arr, zf_arr
    for i in prange(n_ch, nogil=True, num_threads=nt, schedule="dynamic"):
        _sos_channel(&sos[0, 0], n_sec, &zf[i, 0, 0], &x[i, 0], &y[i, 0], n)
    return y_arr, zf_arr


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
    bb = np.zeros(k, dtype=np.float64)
    aa = np.zeros(k, dtype=np.float64)
    bb[:b.shape[0]] = b
    aa[:a.shape[0]] = a
    cdef double[::1] bp = bb
    cdef double[::1] ap = aa
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
        nt = n_threads if n_threads < items else <int>items
        if nt < 1:
            nt = 1
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
    nt = n_threads if n_threads < n_ch else <int>n_ch
    if nt < 1:
        nt = 1
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
    cdef int nt = n_threads if n_threads < n_ch else <int>n_ch
    if n_ch == 0 or n == 0:
        return y_arr, zf_arr
    if nt < 1:
        nt = 1
    for i in prange(n_ch, nogil=True, num_threads=nt, schedule="dynamic"):
        _iir_channel_c(&bp[0], &ap[0], k, &zf[i, 0], &xv[i, 0], &y[i, 0], n)
    return y_arr, zf_arr


# ---------------------------------------------------------------------------
# upfirdn (polyphase)
# ---------------------------------------------------------------------------
def upfirdn(const double[::1] h, const double[:, ::1] x, Py_ssize_t up, Py_ssize_t down,
            int n_threads):
    """Upsample each row by ``up``, filter with ``h``, downsample by ``down``.

    Output ``(n_channels, ((n - 1) * up + len(h) - 1) // down + 1)``; outputs are
    computed polyphase, in chunks spread across threads."""
    cdef Py_ssize_t n_ch = x.shape[0], n = x.shape[1], nh = h.shape[0], q, c, i0, i1
    cdef Py_ssize_t n_out = ((n - 1) * up + nh - 1) // down + 1 if n > 0 else 0
    cdef Py_ssize_t nq = (nh + up - 1) // up
    hp_arr = np.zeros((up, nq), dtype=np.float64)
    hfull = np.zeros(up * nq, dtype=np.float64)
    hfull[:nh] = h
    hp_arr[:, :] = hfull.reshape(nq, up).T[:, ::-1]   # each phase's taps reversed
    cdef double[:, ::1] hp = hp_arr
    y_arr = np.empty((n_ch, n_out), dtype=np.float64)
    cdef double[:, ::1] y = y_arr
    if n_out == 0 or n_ch == 0:
        return y_arr
    cdef Py_ssize_t n_chunks = (n_out + _CHUNK - 1) // _CHUNK
    cdef Py_ssize_t items = n_ch * n_chunks
    cdef int nt = n_threads if n_threads < items else <int>items
    if nt < 1:
        nt = 1
    for q in prange(items, nogil=True, num_threads=nt, schedule="static"):
        c = q // n_chunks
        i0 = (q - c * n_chunks) * _CHUNK
        i1 = i0 + _CHUNK
        if i1 > n_out:
            i1 = n_out
        if _AVX2:
            pyjl_upfirdn_avx2(&hp[0, 0], nq, up, down, &x[c, 0], n, &y[c, 0], i0, i1)
        else:
            pyjl_upfirdn_generic(&hp[0, 0], nq, up, down, &x[c, 0], n, &y[c, 0], i0, i1)
    return y_arr


# ---------------------------------------------------------------------------
# framing for the STFT family
# ---------------------------------------------------------------------------
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
    cdef int nt = n_threads if n_threads < total else <int>total
    if nt < 1:
        nt = 1
    for q in prange(total, nogil=True, num_threads=nt, schedule="static"):
        c = q // n_fr
        f = q - c * n_fr
        _frame(&x[c, f * step], &window[0], L, detrend, &out[c, f, 0])
    return out_arr


# ---------------------------------------------------------------------------
# FFT convolution (overlap-add, scipy.fft)
# ---------------------------------------------------------------------------
def _oa_block(Py_ssize_t m, Py_ssize_t n):
    """Block length for overlap-add of an ``m``-tap filter over ``n`` samples."""
    import scipy.fft as sfft
    if n <= 2 * m or m <= 1:
        return sfft.next_fast_len(n + m - 1, True), n
    nfft = sfft.next_fast_len(max(8 * m, 1024), True)
    while nfft - m + 1 < m:
        nfft = sfft.next_fast_len(nfft + 1, True)
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
    workers = max(1, n_threads)
    H = sfft.rfft(h_arr, nfft)
    nb = -(-n // L)
    out = np.zeros((n_ch, nb * L + nfft - L), dtype=np.float64)
    # blocks in groups that keep the working set near 32 MB
    group = max(1, (1 << 22) // max(nfft, 1) // max(n_ch, 1))
    for g0 in range(0, nb, group):
        g1 = min(nb, g0 + group)
        lo, hi = g0 * L, min(n, g1 * L)
        seg = np.zeros((n_ch, g1 - g0, L), dtype=np.float64)
        seg.reshape(n_ch, -1)[:, :hi - lo] = x_arr[:, lo:hi]
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
