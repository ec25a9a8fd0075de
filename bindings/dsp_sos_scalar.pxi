# sosfilt's scalar kernels: pipelined sections, time segments, decay length -- included by bindings/dsp.pyx

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





cdef Py_ssize_t _decay_len(const double *sos, Py_ssize_t n_sec) noexcept nogil:
    """Samples for the cascade's zero-input response to fall by ``1e-24`` (about
    55 e-folds at the largest pole radius), doubled for the cascade; ``-1`` if a
    pole is on or outside the unit circle.  (Plain C: it runs on every call,
    e.g. every chunk of a stream.)"""
    cdef double r = 0.0, a1, a2, disc, root, rad
    cdef Py_ssize_t s
    for s in range(n_sec):
        a1 = sos[6 * s + 4]
        a2 = sos[6 * s + 5]
        disc = a1 * a1 - 4.0 * a2
        root = sqrt(fabs(disc))
        if disc < 0:
            rad = sqrt(fabs(a2))
        else:
            rad = fmax(fabs(-a1 + root), fabs(-a1 - root)) / 2.0
        if rad > r:
            r = rad
    return _decay_of_radius(r)


cdef inline Py_ssize_t _decay_of_radius(double r) noexcept nogil:
    """``_decay_len`` of a filter whose largest pole radius is ``r``."""
    if r >= 1.0:
        return -1
    if r <= 1e-300:
        return 1
    return <Py_ssize_t>(2 * 55.3 / -log(r)) + 1


def _decay_length(sos):
    """Python view of ``_decay_len`` (float64 ``(n_sections, 6)``)."""
    cdef const double[:, ::1] s = np.ascontiguousarray(sos, dtype=np.float64)
    return _decay_len(&s[0, 0], s.shape[0])
