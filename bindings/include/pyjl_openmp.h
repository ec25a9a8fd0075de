/* Whether the kernels were built with OpenMP, and its default thread count; and the
 * multiply-add probe that benchmarks/roofline.py times for the machine's peak
 * (bindings/openmp.pyx).  No arrays: no layout contract. */
#ifndef PYJL_OPENMP_H
#define PYJL_OPENMP_H

#ifdef _OPENMP
#include <omp.h>
static int pyjl_openmp_enabled(void) { return 1; }
static int pyjl_openmp_max_threads(void) { return omp_get_max_threads(); }
#else
static int pyjl_openmp_enabled(void) { return 0; }
static int pyjl_openmp_max_threads(void) { return 1; }
#endif

/* The peak probe: PYJL_PROBE_ACC independent vector accumulators, `iters` rounds.
   fused: a = a * m + c as one fused multiply-add; otherwise a multiply on one
   accumulator and an add on another per step (the unfused pair the DSP kernels
   issue, -ffp-contract=off).  Picks AVX-512, AVX2 + FMA or plain doubles; *lanes is
   the doubles per accumulator, so a call does iters * PYJL_PROBE_ACC * *lanes
   multiply-adds.  Returns a sum of the accumulators (so the loop is not removed). */
#define PYJL_PROBE_ACC 12
#define PYJL_PROBE_M 0.9999999999
#define PYJL_PROBE_C 1e-10
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx512f")))
static double pyjl_probe_avx512(long iters, int fused) {
    __m512d a[PYJL_PROBE_ACC], b[PYJL_PROBE_ACC];
    const __m512d m = _mm512_set1_pd(PYJL_PROBE_M), c = _mm512_set1_pd(PYJL_PROBE_C);
    double out[8], s = 0.0;
    long it;
    int i;
    for (i = 0; i < PYJL_PROBE_ACC; i++) a[i] = b[i] = _mm512_set1_pd(1.0 + i);
    if (fused) {
        for (it = 0; it < iters; it++)
            for (i = 0; i < PYJL_PROBE_ACC; i++) a[i] = _mm512_fmadd_pd(a[i], m, c);
    } else {
        for (it = 0; it < iters; it++)
            for (i = 0; i < PYJL_PROBE_ACC; i++) {
                a[i] = _mm512_mul_pd(a[i], m);
                b[i] = _mm512_add_pd(b[i], c);
            }
    }
    for (i = 0; i < PYJL_PROBE_ACC; i++) {
        _mm512_storeu_pd(out, _mm512_add_pd(a[i], b[i]));
        s += out[0] + out[7];
    }
    return s;
}
__attribute__((target("avx2,fma")))
static double pyjl_probe_avx2(long iters, int fused) {
    __m256d a[PYJL_PROBE_ACC], b[PYJL_PROBE_ACC];
    const __m256d m = _mm256_set1_pd(PYJL_PROBE_M), c = _mm256_set1_pd(PYJL_PROBE_C);
    double out[4], s = 0.0;
    long it;
    int i;
    for (i = 0; i < PYJL_PROBE_ACC; i++) a[i] = b[i] = _mm256_set1_pd(1.0 + i);
    if (fused) {
        for (it = 0; it < iters; it++)
            for (i = 0; i < PYJL_PROBE_ACC; i++) a[i] = _mm256_fmadd_pd(a[i], m, c);
    } else {
        for (it = 0; it < iters; it++)
            for (i = 0; i < PYJL_PROBE_ACC; i++) {
                a[i] = _mm256_mul_pd(a[i], m);
                b[i] = _mm256_add_pd(b[i], c);
            }
    }
    for (i = 0; i < PYJL_PROBE_ACC; i++) {
        _mm256_storeu_pd(out, _mm256_add_pd(a[i], b[i]));
        s += out[0] + out[3];
    }
    return s;
}
#endif
static double pyjl_probe_plain(long iters, int fused) {
    double a[PYJL_PROBE_ACC], b[PYJL_PROBE_ACC], s = 0.0;
    long it;
    int i;
    for (i = 0; i < PYJL_PROBE_ACC; i++) a[i] = b[i] = 1.0 + i;
    for (it = 0; it < iters; it++)
        for (i = 0; i < PYJL_PROBE_ACC; i++) {
            a[i] = a[i] * PYJL_PROBE_M;
            if (fused) a[i] = a[i] + PYJL_PROBE_C; else b[i] = b[i] + PYJL_PROBE_C;
        }
    for (i = 0; i < PYJL_PROBE_ACC; i++) s += a[i] + b[i];
    return s;
}
static double pyjl_probe(long iters, int fused, int *lanes) {
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) { *lanes = 8; return pyjl_probe_avx512(iters, fused); }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *lanes = 4;
        return pyjl_probe_avx2(iters, fused);
    }
#endif
    *lanes = 1;
    return pyjl_probe_plain(iters, fused);
}

#endif  /* PYJL_OPENMP_H */
