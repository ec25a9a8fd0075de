/* Includes the lane-width template PYJL_WIDTH_BODY once per width a build runs
 * (no include guard: by design).  Each time it defines
 *   PYJL_W          the lanes per vector: 8 (AVX-512), 4 (AVX2) or 2 (SSE2, NEON, ...)
 *   PYJL_VW         the vector type of PYJL_W doubles
 *   PYJL_VI         the vector type of PYJL_W 64-bit integers (masks, exponents)
 *   PYJL_SPLAT(c)   c in every lane
 *   PYJL_WN(name)   name_w<W>: the template's names for this width
 *   PYJL_WTARGET    the instruction set the template's kernels are compiled for
 * and undefines them afterwards, PYJL_WIDTH_BODY too.  Builds with run-time dispatch
 * (pyjl_simd.h: PYJL_LANE_DISPATCH) get all three widths, others the width 2 alone.
 * Layout contract: the template's own (it names the header whose contract it keeps).
 */
#if PYJL_LANE_DISPATCH
#define PYJL_W 8
#define PYJL_VW pyjl_v8d
#define PYJL_VI pyjl_v8i
#define PYJL_SPLAT(c) pyjl_splat8(c)
#define PYJL_WN(name) name##_w8
#define PYJL_WTARGET __attribute__((target("avx512f")))
#include PYJL_WIDTH_BODY
#undef PYJL_W
#undef PYJL_VW
#undef PYJL_VI
#undef PYJL_SPLAT
#undef PYJL_WN
#undef PYJL_WTARGET

#define PYJL_W 4
#define PYJL_VW pyjl_v4d
#define PYJL_VI pyjl_v4i
#define PYJL_SPLAT(c) pyjl_splat4(c)
#define PYJL_WN(name) name##_w4
#define PYJL_WTARGET __attribute__((target("avx2,fma")))
#include PYJL_WIDTH_BODY
#undef PYJL_W
#undef PYJL_VW
#undef PYJL_VI
#undef PYJL_SPLAT
#undef PYJL_WN
#undef PYJL_WTARGET
#endif

#define PYJL_W 2
#define PYJL_VW pyjl_v2d
#define PYJL_VI pyjl_v2i
#define PYJL_SPLAT(c) pyjl_splat2(c)
#define PYJL_WN(name) name##_w2
#define PYJL_WTARGET
#include PYJL_WIDTH_BODY
#undef PYJL_W
#undef PYJL_VW
#undef PYJL_VI
#undef PYJL_SPLAT
#undef PYJL_WN
#undef PYJL_WTARGET

#undef PYJL_WIDTH_BODY
