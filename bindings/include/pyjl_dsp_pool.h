/* Reused memory for the filters' large outputs: a NumPy memory handler (NEP 49).
 *
 * A filter's output is written once, sample by sample; on Linux a fresh block of
 * that size comes from the kernel as untouched pages, and zeroing them on first
 * touch costs about as much as the filter itself.  Outputs allocated under this
 * handler return their memory here when the array is freed, and the next output
 * of the same size takes it back, already mapped.  At most PYJL_POOL_SLOTS blocks
 * and PYJL_POOL_CAP bytes wait here; smaller blocks, calloc and realloc go
 * straight to the C library.  Every block comes from malloc or posix_memalign
 * (large blocks, 64-byte aligned), so whatever the handler frees is valid for free().
 *
 * Contract: the handler is installed only around an np.empty of an output
 * (pyjl_pool_install / PyDataMem_SetHandler with the old one after); the
 * functions run with the GIL held (array allocation and deallocation do) and a
 * spin lock guards the slots where threads could still meet.
 *
 * Layout contract: the handler hands out plain byte blocks (no array layout of its
 * own); blocks of PYJL_POOL_MIN bytes or more start on a 64-byte line, so the rows
 * of a C-contiguous float64 output whose row length is a multiple of 8 do too.
 */
#ifndef PYJL_DSP_POOL_H
#define PYJL_DSP_POOL_H

#ifndef NPY_NO_DEPRECATED_API
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#endif
#include <Python.h>
#include <stdlib.h>
#include <string.h>
#include <numpy/arrayobject.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#define PYJL_POOL_MIN (4u << 20)      /* smaller blocks are not kept */
#define PYJL_POOL_CAP (512u << 20)    /* bytes kept at most */
#define PYJL_POOL_SLOTS 4

static void *pyjl_pool_ptr[PYJL_POOL_SLOTS];
static size_t pyjl_pool_size[PYJL_POOL_SLOTS];
static size_t pyjl_pool_held = 0;
static unsigned long pyjl_pool_clock = 0, pyjl_pool_age[PYJL_POOL_SLOTS];
static volatile int pyjl_pool_busy = 0;

#if defined(__GNUC__)
static inline void pyjl_pool_lock(void) {
    while (__sync_lock_test_and_set(&pyjl_pool_busy, 1)) {}
}
static inline void pyjl_pool_unlock(void) { __sync_lock_release(&pyjl_pool_busy); }
#else
static inline void pyjl_pool_lock(void) {}
static inline void pyjl_pool_unlock(void) {}
#endif

static void *pyjl_pool_malloc(void *ctx, size_t size) {
    void *p = NULL;
    int i;
    (void)ctx;
    if (size >= PYJL_POOL_MIN) {
        pyjl_pool_lock();
        for (i = 0; i < PYJL_POOL_SLOTS; i++)
            if (pyjl_pool_ptr[i] != NULL && pyjl_pool_size[i] == size) {
                p = pyjl_pool_ptr[i];
                pyjl_pool_ptr[i] = NULL;
                pyjl_pool_held -= size;
                break;
            }
        pyjl_pool_unlock();
        if (p != NULL) return p;
    }
#ifdef _WIN32
    p = malloc(size ? size : 1);
#else   /* cache-line aligned: the lane kernels' rows start on a line */
    if (size < PYJL_POOL_MIN) p = malloc(size ? size : 1);
    else if (posix_memalign(&p, 64, size) != 0) p = NULL;
#endif
#ifdef __linux__
    if (p != NULL && size >= PYJL_POOL_MIN) {   /* huge pages, as NumPy asks for */
        size_t lo = ((size_t)p + 4095) & ~(size_t)4095;
        size_t hi = ((size_t)p + size) & ~(size_t)4095;
        if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    }
#endif
    return p;
}

static void *pyjl_pool_calloc(void *ctx, size_t n, size_t size) {
    (void)ctx;
    return calloc(n, size);
}

static void *pyjl_pool_realloc(void *ctx, void *p, size_t size) {
    (void)ctx;
    return realloc(p, size ? size : 1);
}

/* keep a large block (evicting the oldest while over the cap), free the rest */
static void pyjl_pool_free(void *ctx, void *p, size_t size) {
    void *out[PYJL_POOL_SLOTS + 1];
    int i, n_out = 0, slot = -1, old;
    (void)ctx;
    if (p == NULL) return;
    if (size < PYJL_POOL_MIN || size > PYJL_POOL_CAP) { free(p); return; }
    pyjl_pool_lock();
    for (i = 0; i < PYJL_POOL_SLOTS; i++)
        if (pyjl_pool_ptr[i] == NULL) { slot = i; break; }
    while (slot < 0 || pyjl_pool_held + size > PYJL_POOL_CAP) {
        old = -1;
        for (i = 0; i < PYJL_POOL_SLOTS; i++)
            if (pyjl_pool_ptr[i] != NULL && (old < 0 || pyjl_pool_age[i] < pyjl_pool_age[old]))
                old = i;
        if (old < 0) break;
        out[n_out++] = pyjl_pool_ptr[old];
        pyjl_pool_held -= pyjl_pool_size[old];
        pyjl_pool_ptr[old] = NULL;
        if (slot < 0) slot = old;
    }
    pyjl_pool_ptr[slot] = p;
    pyjl_pool_size[slot] = size;
    pyjl_pool_age[slot] = ++pyjl_pool_clock;
    pyjl_pool_held += size;
    pyjl_pool_unlock();
    for (i = 0; i < n_out; i++) free(out[i]);
}

/* free every kept block; returns the bytes released */
static size_t pyjl_pool_release(void) {
    void *out[PYJL_POOL_SLOTS];
    size_t held;
    int i;
    pyjl_pool_lock();
    held = pyjl_pool_held;
    for (i = 0; i < PYJL_POOL_SLOTS; i++) { out[i] = pyjl_pool_ptr[i]; pyjl_pool_ptr[i] = NULL; }
    pyjl_pool_held = 0;
    pyjl_pool_unlock();
    for (i = 0; i < PYJL_POOL_SLOTS; i++) free(out[i]);
    return held;
}

static size_t pyjl_pool_bytes(void) { return pyjl_pool_held; }

static PyDataMem_Handler pyjl_pool_handler = {
    "pyjl_dsp_pool",
    1,
    {NULL, pyjl_pool_malloc, pyjl_pool_calloc, pyjl_pool_realloc, pyjl_pool_free},
};

/* A capsule holding the handler, for PyDataMem_SetHandler (new reference). */
static PyObject *pyjl_pool_capsule(void) {
    return PyCapsule_New(&pyjl_pool_handler, "mem_handler", NULL);
}

#endif  /* PYJL_DSP_POOL_H */
