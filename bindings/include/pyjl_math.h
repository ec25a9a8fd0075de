/* The branch-free exponential of the GP and HMM kernels (pyjl_gp.h, pyjl_hmm.h), and
 * libm's with a short-cut for underflow.  Scalars only: no arrays, no layout contract.
 * Loops over the branch-free one vectorise (no branch, no libm call); the arithmetic is
 * plain IEEE operations, so every clone of a loop (baseline, AVX2, AVX-512; contraction
 * off) gives the same numbers. */
#ifndef PYJL_MATH_H
#define PYJL_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define PYJL_INLINE static inline __attribute__((always_inline))

PYJL_INLINE double pyjl_asd(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
PYJL_INLINE uint64_t pyjl_asu(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

/* exp(x) for x in [-708, 0]: x = n ln2 + r (Cody-Waite, fdlibm's split of ln2),
   |r| <= ln2 / 2, Taylor polynomial of degree 13 (truncation < 5e-18), 2^n from the
   exponent bits.  Within an ulp of libm. */
PYJL_INLINE double pyjl_exp_core(double x) {
    const double shift = 0x1.8p52;  /* 1.5 * 2^52: adding it rounds to an integer */
    double kd = x * 0x1.71547652b82fep0 + shift;
    uint64_t ki = pyjl_asu(kd);
    kd -= shift;
    double r = (x - kd * 0x1.62e42feep-1) - kd * 0x1.a39ef35793c76p-33;
    double p = 1.6059043836821613e-10;
    p = p * r + 2.08767569878681e-09;
    p = p * r + 2.505210838544172e-08;
    p = p * r + 2.755731922398589e-07;
    p = p * r + 2.7557319223985893e-06;
    p = p * r + 2.48015873015873e-05;
    p = p * r + 0.0001984126984126984;
    p = p * r + 0.001388888888888889;
    p = p * r + 0.008333333333333333;
    p = p * r + 0.041666666666666664;
    p = p * r + 0.16666666666666666;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    return p * pyjl_asd((ki + 1023) << 52);
}

/* exp(x) for every x <= 0: 0 below -708. */
PYJL_INLINE double pyjl_expn(double x) {
    double e = pyjl_exp_core(x < -708.0 ? -708.0 : x);
    return x < -708.0 ? 0.0 : e;
}

/* exp(x), libm's value, without libm's slow underflow path (errno, and the SVID wrapper
   of older symbol versions) where the result is 0: below -746 */
PYJL_INLINE double pyjl_exp0(const double x) { return x < -746.0 ? 0.0 : exp(x); }

#endif  /* PYJL_MATH_H */
