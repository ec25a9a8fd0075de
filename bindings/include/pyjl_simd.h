/* Lanes: eight independent recursions (channels, time segments) side by side in one
 * vector of doubles, as GCC vector extensions.
 *
 * A lane kernel gathers a tile of PYJL_TILE samples of up to PYJL_LANES rows into an
 * interleaved buffer (tile[t][l] = row l, sample t), runs its recursion on whole
 * vectors and scatters the tile back.  Each lane performs exactly the operations of
 * the scalar code, in the same order (-ffp-contract=off: no fused multiply-adds), so
 * results are bit-identical to it and lanes never mix: a NaN stays in its own lane.
 * Rows beyond the ones in use are zeros.  The kernels are compiled for the baseline
 * ISA, AVX2 and AVX-512 and the best one the CPU has is picked at load time (GCC
 * function multiversioning); eight lanes are one zmm register or two ymm ones.
 *
 * Layout contract: a tile is PYJL_TILE vectors (64-byte aligned, as the type says);
 * rows are float64 arrays with at least t0 + m samples, nl <= PYJL_LANES of them.
 */
#ifndef PYJL_SIMD_H
#define PYJL_SIMD_H

#include <Python.h>  /* Py_ssize_t */
#include <string.h>

#define PYJL_LANES 8
#define PYJL_TILE 256
#define PYJL_PREFETCH 512  /* samples ahead a gather asks the cache for */

typedef double pyjl_v8d __attribute__((vector_size(64), aligned(64)));

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) \
    && defined(__GLIBC__) && __GNUC__ >= 8
#define PYJL_LANE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PYJL_LANE_CLONES
#endif
#define PYJL_LANE_INLINE static inline __attribute__((always_inline))

/* c in every lane (an initializer, not c + 0: keeps the sign of a zero); c is read
   eight times, so it must be a plain value */
#define pyjl_splat(c) ((pyjl_v8d){(c), (c), (c), (c), (c), (c), (c), (c)})

typedef long long pyjl_v8i __attribute__((vector_size(64)));

/* r[0..7] := its transpose (r[i][j] <-> r[j][i]), by three rounds of pair shuffles */
PYJL_LANE_INLINE void pyjl_transpose8(pyjl_v8d *r) {
    const pyjl_v8i lo1 = {0, 8, 2, 10, 4, 12, 6, 14}, hi1 = {1, 9, 3, 11, 5, 13, 7, 15};
    const pyjl_v8i lo2 = {0, 1, 8, 9, 4, 5, 12, 13}, hi2 = {2, 3, 10, 11, 6, 7, 14, 15};
    const pyjl_v8i lo4 = {0, 1, 2, 3, 8, 9, 10, 11}, hi4 = {4, 5, 6, 7, 12, 13, 14, 15};
    pyjl_v8d a[8], b[8];
    int i;
    for (i = 0; i < 8; i += 2) {
        a[i] = __builtin_shuffle(r[i], r[i + 1], lo1);
        a[i + 1] = __builtin_shuffle(r[i], r[i + 1], hi1);
    }
    for (i = 0; i < 8; i += 4) {
        b[i] = __builtin_shuffle(a[i], a[i + 2], lo2);
        b[i + 1] = __builtin_shuffle(a[i + 1], a[i + 3], lo2);
        b[i + 2] = __builtin_shuffle(a[i], a[i + 2], hi2);
        b[i + 3] = __builtin_shuffle(a[i + 1], a[i + 3], hi2);
    }
    for (i = 0; i < 4; i++) {
        r[i] = __builtin_shuffle(b[i], b[i + 4], lo4);
        r[i + 4] = __builtin_shuffle(b[i], b[i + 4], hi4);
    }
}

/* tile[t][l] = rows[l][t0 + t] for t < m, l < nl; zero lanes above nl */
PYJL_LANE_INLINE void pyjl_gather(pyjl_v8d *tile, const double *const *rows, int nl,
                                  Py_ssize_t t0, Py_ssize_t m) {
    Py_ssize_t t = 0;
    int l;
    double *tp = (double *)tile;
    if (nl == PYJL_LANES) {
        pyjl_v8d r[8];
        for (; t + 8 <= m; t += 8) {
            for (l = 0; l < 8; l++) {
                __builtin_prefetch(rows[l] + t0 + t + PYJL_PREFETCH);
                memcpy(&r[l], rows[l] + t0 + t, sizeof(pyjl_v8d));
            }
            pyjl_transpose8(r);
            for (l = 0; l < 8; l++) tile[t + l] = r[l];
        }
    }
    if (t == m) return;
    for (Py_ssize_t u = t; u < m; u++) tile[u] = pyjl_splat(0.0);
    for (l = 0; l < nl; l++) {
        const double *src = rows[l] + t0;
        for (Py_ssize_t u = t; u < m; u++) tp[u * PYJL_LANES + l] = src[u];
    }
}

/* Streaming (non-temporal) stores: an output far larger than the caches goes
   straight to memory instead of being read in first.  SSE2's 16-byte store is the
   one every x86-64 clone has; other machines store as usual. */
#if defined(__x86_64__) && defined(__GNUC__)
#define PYJL_STREAM 1
typedef double pyjl_v2d __attribute__((vector_size(16)));
#else
#define PYJL_STREAM 0
#endif

/* whether streaming stores may write rows[0..nl): each starts on a cache line, so
   every line is written whole (partly written lines cost a read in memory) */
PYJL_LANE_INLINE int pyjl_can_stream(double *const *rows, int nl) {
    int l, ok = PYJL_STREAM && nl == PYJL_LANES;
    for (l = 0; l < nl; l++) ok = ok && ((size_t)rows[l] % 64 == 0);
    return ok;
}

/* orders the streaming stores before whatever follows (another thread reading) */
PYJL_LANE_INLINE void pyjl_stream_fence(int stream) {
#if PYJL_STREAM
    if (stream) __builtin_ia32_sfence();
#else
    (void)stream;
#endif
}

/* rows[l][t0 + t] = tile[t][l] for t < m, l < nl; stream: by streaming stores
   (pyjl_can_stream(rows, nl) true, t0 a multiple of 8) */
PYJL_LANE_INLINE void pyjl_scatter_to(const pyjl_v8d *tile, double *const *rows, int nl,
                                      Py_ssize_t t0, Py_ssize_t m, int stream) {
    Py_ssize_t t = 0;
    int l;
    const double *tp = (const double *)tile;
    if (nl == PYJL_LANES) {
        pyjl_v8d r[8];
        for (; t + 8 <= m; t += 8) {
            for (l = 0; l < 8; l++) r[l] = tile[t + l];
            pyjl_transpose8(r);
#if PYJL_STREAM
            if (stream) {
                for (l = 0; l < 8; l++) {
                    double *d = rows[l] + t0 + t;
                    pyjl_v2d h;
                    int q;
                    for (q = 0; q < 8; q += 2) {
                        memcpy(&h, (const double *)&r[l] + q, sizeof h);
                        __builtin_ia32_movntpd(d + q, h);
                    }
                }
                continue;
            }
#endif
            for (l = 0; l < 8; l++) memcpy(rows[l] + t0 + t, &r[l], sizeof(pyjl_v8d));
        }
    }
    for (l = 0; l < nl; l++) {
        double *dst = rows[l] + t0;
        for (Py_ssize_t u = t; u < m; u++) dst[u] = tp[u * PYJL_LANES + l];
    }
}

/* rows[l][t0 + t] = tile[t][l] for t < m, l < nl (ordinary stores) */
PYJL_LANE_INLINE void pyjl_scatter(const pyjl_v8d *tile, double *const *rows, int nl,
                                   Py_ssize_t t0, Py_ssize_t m) {
    pyjl_scatter_to(tile, rows, nl, t0, m, 0);
}

#endif  /* PYJL_SIMD_H */
