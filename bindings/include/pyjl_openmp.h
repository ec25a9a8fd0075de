/* Whether the kernels were built with OpenMP, and its default thread count
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

#endif  /* PYJL_OPENMP_H */
