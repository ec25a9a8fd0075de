/* Lanes: independent recursions (channels, time segments, sequences) side by side in
 * one vector of doubles, as GCC vector extensions.
 *
 * A lane kernel gathers a tile of PYJL_TILE samples of up to W rows into an interleaved
 * buffer (tile[t][l] = row l, sample t), runs its recursion on whole vectors and
 * scatters the tile back.  Each lane performs exactly the operations of the scalar
 * code, in the same order (-ffp-contract=off: no fused multiply-adds), so results are
 * bit-identical to it and lanes never mix: a NaN stays in its own lane.  Rows beyond
 * the ones in use are zeros.
 *
 * Widths.  A vector is one register: 8 lanes with AVX-512, 4 with AVX2, 2 elsewhere
 * (SSE2, NEON).  A vector type wider than the CPU's registers is no option: GCC keeps
 * it in memory and every operation goes through the stack (the 8-lane sosfilt ran
 * 10x slower on an AVX2 CPU than on AVX-512).  The DSP kernels are therefore written
 * once for a width W (pyjl_*_w.h templates, instantiated by pyjl_widths.h) and the
 * widest the CPU has runs (pyjl_lane_width, GCC on x86-64; other builds run W = 2).
 * The DSP and HMM kernels so written take up to PYJL_LANES rows (sequences) per call
 * and run them in groups of W.
 *
 * Layout contract: a tile is PYJL_TILE vectors (aligned as the type says); rows are
 * float64 arrays with at least t0 + m samples, nl <= W of them.
 */
#ifndef PYJL_SIMD_H
#define PYJL_SIMD_H

#include <Python.h>  /* Py_ssize_t */
#include <string.h>

#define PYJL_LANES 8   /* rows per call of a lane kernel (the widest vector's lanes) */
#define PYJL_TILE 256
#define PYJL_PREFETCH 512  /* samples ahead a gather asks the cache for */

typedef double pyjl_v8d __attribute__((vector_size(64), aligned(64)));
typedef double pyjl_v4d __attribute__((vector_size(32), aligned(32)));
typedef double pyjl_v2d __attribute__((vector_size(16), aligned(16)));
typedef long long pyjl_v8i __attribute__((vector_size(64)));
typedef long long pyjl_v4i __attribute__((vector_size(32)));
typedef long long pyjl_v2i __attribute__((vector_size(16)));

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && __GNUC__ >= 8
#define PYJL_LANE_DISPATCH 1
#else
#define PYJL_LANE_DISPATCH 0
#endif
#define PYJL_LANE_INLINE static inline __attribute__((always_inline))

/* c in every lane (an initializer, not c + 0: keeps the sign of a zero); c is read
   once per lane, so it must be a plain value */
#define pyjl_splat8(c) ((pyjl_v8d){(c), (c), (c), (c), (c), (c), (c), (c)})
#define pyjl_splat4(c) ((pyjl_v4d){(c), (c), (c), (c)})
#define pyjl_splat2(c) ((pyjl_v2d){(c), (c)})

/* 0: the widest width the CPU runs; 8, 4 or 2: that one (the tests' choice, one the
   CPU runs: pyjl_lane_width_ok) */
static int pyjl_lane_width_forced = 0;

static inline int pyjl_lane_width_ok(int w) {
#if PYJL_LANE_DISPATCH
    if (w == 8) return __builtin_cpu_supports("avx512f");
    if (w == 4) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return w == 2;
}

/* run the DSP lane kernels at width w (0: the widest); returns 0 if the CPU cannot */
static inline int pyjl_set_lane_width(int w) {
    if (w != 0 && !pyjl_lane_width_ok(w)) return 0;
    pyjl_lane_width_forced = w;
    return 1;
}

/* the lanes per vector of the DSP kernels on this CPU */
static inline int pyjl_lane_width(void) {
    if (pyjl_lane_width_forced) return pyjl_lane_width_forced;
    if (pyjl_lane_width_ok(8)) return 8;
    if (pyjl_lane_width_ok(4)) return 4;
    return 2;
}

/* Streaming (non-temporal) stores: an output far larger than the caches goes
   straight to memory instead of being read in first.  SSE2's 16-byte store is the
   one every x86-64 width has; other machines store as usual. */
#if defined(__x86_64__) && defined(__GNUC__)
#define PYJL_STREAM 1
#else
#define PYJL_STREAM 0
#endif

/* orders the streaming stores before whatever follows (another thread reading) */
PYJL_LANE_INLINE void pyjl_stream_fence(int stream) {
#if PYJL_STREAM
    if (stream) __builtin_ia32_sfence();
#else
    (void)stream;
#endif
}

/* one round of a transpose of r[0..PYJL_W) (pyjl_simd_w.h) */
#define PYJL_TRANSPOSE_ROUND(k, lo, hi)                     \
    for (i = 0; i < PYJL_W; i++)                            \
        if (!(i & (k))) {                                   \
            const PYJL_VW x_ = r[i], y_ = r[i + (k)];       \
            r[i] = __builtin_shuffle(x_, y_, lo);           \
            r[i + (k)] = __builtin_shuffle(x_, y_, hi);     \
        }

#define PYJL_WIDTH_BODY "pyjl_simd_w.h"
#include "pyjl_widths.h"

/* name##_w<w> args: the kernel of width w (8, 4 or 2; a build without run-time dispatch
   has the width 2 alone) */
#if PYJL_LANE_DISPATCH
#define PYJL_BY_WIDTH(w, name, args) \
    ((w) == 8 ? name##_w8 args : (w) == 4 ? name##_w4 args : name##_w2 args)
#else
#define PYJL_BY_WIDTH(w, name, args) name##_w2 args
#endif

#endif  /* PYJL_SIMD_H */
