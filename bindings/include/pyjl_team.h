/* A small team of worker threads for short parallel jobs (one stream chunk split in time,
 * bindings/dsp_sos_lanes.pxi; one long HMM sequence's forward and backward passes,
 * pyjl_hmm_split.h), where an OpenMP region's closing barrier makes the caller
 * wait for a worker that the OS has not yet run.
 *
 * pyjl_team_run(fn, ctx, n_tasks, nt) runs fn(ctx, k) for k < n_tasks on the calling
 * thread and up to nt - 1 workers.  Tasks are claimed one at a time (the caller too), so
 * a worker that is late finds the tasks done and the caller never waits for one that has
 * not started; it waits only for tasks a worker has claimed.  An idle worker spins for
 * PYJL_TEAM_SPIN_NS (back-to-back jobs, a stream's chunks, then start at once), then
 * sleeps on a condition variable.  A second caller while a job runs (another Python
 * thread), a platform without POSIX threads or a worker that cannot start: the caller
 * runs every task itself (same results, one thread).
 *
 * Layout contract: no arrays of its own (ctx is the caller's, and outlives the call: it
 * returns once every task has finished); fn must not take the GIL or call Python, and
 * the tasks are independent.  Workers are created on first use, live until the process
 * ends and are recreated after fork().  Each extension module that includes this header
 * has its own team.
 */
#ifndef PYJL_TEAM_H
#define PYJL_TEAM_H

#include <Python.h>  /* Py_ssize_t */

typedef void (*pyjl_task_fn)(void *ctx, Py_ssize_t task);

#if defined(__GNUC__) && (defined(__linux__) || defined(__APPLE__)) && !defined(_WIN32)
#define PYJL_TEAM 1
#include <pthread.h>
#include <time.h>

#define PYJL_TEAM_MAX 64              /* workers at most */
#define PYJL_TEAM_SPIN_NS 100000      /* an idle worker's spin before it sleeps */
#define PYJL_TEAM_GEN_SHIFT 24        /* ticket: job generation above, next task below */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv, cv_done;
    unsigned long long ticket;        /* (generation << 24) | next task to claim */
    pyjl_task_fn fn;
    void *ctx;
    Py_ssize_t n_tasks;
    Py_ssize_t done;                  /* tasks finished in this job */
    int helpers;                      /* workers 0 .. helpers - 1 take part in this job */
    int sleepers, waiting, workers, busy, atfork;
} pyjl_team = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
               0, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0};

static inline void pyjl_team_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static inline long long pyjl_team_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* claim and run tasks of job generation gen until none is left; 0 if it was not current */
static int pyjl_team_work(unsigned long long gen) {
    unsigned long long t = __atomic_load_n(&pyjl_team.ticket, __ATOMIC_ACQUIRE);
    for (;;) {
        pyjl_task_fn fn;
        void *ctx;
        Py_ssize_t k = (Py_ssize_t)(t & ((1ULL << PYJL_TEAM_GEN_SHIFT) - 1)), n;
        if ((t >> PYJL_TEAM_GEN_SHIFT) != gen) return 0;
        fn = __atomic_load_n(&pyjl_team.fn, __ATOMIC_RELAXED);
        ctx = __atomic_load_n(&pyjl_team.ctx, __ATOMIC_RELAXED);
        n = __atomic_load_n(&pyjl_team.n_tasks, __ATOMIC_RELAXED);
        if (k >= n) return 1;
        /* the claim succeeds only while the ticket is unchanged: fn, ctx, n are then this
           job's (the next job rewrites them only after this one's tasks are all done) */
        if (!__atomic_compare_exchange_n(&pyjl_team.ticket, &t, t + 1, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            continue;
        fn(ctx, k);
        if (__atomic_add_fetch(&pyjl_team.done, 1, __ATOMIC_SEQ_CST) == n
                && __atomic_load_n(&pyjl_team.waiting, __ATOMIC_SEQ_CST)) {
            pthread_mutex_lock(&pyjl_team.mu);   /* the caller sleeps: wake it */
            pthread_cond_signal(&pyjl_team.cv_done);
            pthread_mutex_unlock(&pyjl_team.mu);
        }
        t = __atomic_load_n(&pyjl_team.ticket, __ATOMIC_ACQUIRE);
    }
}

/* worker `arg` (its index): spins, then sleeps, until a job starts; takes part in it if
   the job asks for that many helpers */
static void *pyjl_team_worker(void *arg) {
    const int me = (int)(size_t)arg;
    unsigned long long seen, gen;
    long long t0;
    int i, spin = 0;
    seen = __atomic_load_n(&pyjl_team.ticket, __ATOMIC_ACQUIRE) >> PYJL_TEAM_GEN_SHIFT;
    for (;;) {
        t0 = pyjl_team_ns();
        gen = seen;
        while (spin) {
            gen = __atomic_load_n(&pyjl_team.ticket, __ATOMIC_ACQUIRE) >> PYJL_TEAM_GEN_SHIFT;
            if (gen != seen) break;
            for (i = 0; i < 8; i++) pyjl_team_relax();
            if (pyjl_team_ns() - t0 > PYJL_TEAM_SPIN_NS) break;
        }
        if (gen == seen) {
            pthread_mutex_lock(&pyjl_team.mu);
            __atomic_add_fetch(&pyjl_team.sleepers, 1, __ATOMIC_SEQ_CST);
            while ((gen = __atomic_load_n(&pyjl_team.ticket, __ATOMIC_SEQ_CST)
                          >> PYJL_TEAM_GEN_SHIFT) == seen)
                pthread_cond_wait(&pyjl_team.cv, &pyjl_team.mu);
            __atomic_sub_fetch(&pyjl_team.sleepers, 1, __ATOMIC_SEQ_CST);
            pthread_mutex_unlock(&pyjl_team.mu);
        }
        seen = gen;
        spin = me < __atomic_load_n(&pyjl_team.helpers, __ATOMIC_ACQUIRE);
        if (spin) pyjl_team_work(gen);
    }
    return NULL;
}

/* the child of a fork has no workers: start afresh */
static void pyjl_team_child(void) {
    pthread_mutex_init(&pyjl_team.mu, NULL);
    pthread_cond_init(&pyjl_team.cv, NULL);
    pthread_cond_init(&pyjl_team.cv_done, NULL);
    pyjl_team.workers = pyjl_team.sleepers = pyjl_team.waiting = pyjl_team.busy = 0;
}

/* at least n workers running (called by the one caller holding busy); 0 if none could */
static int pyjl_team_grow(int n) {
    pthread_attr_t attr;
    pthread_t th;
    if (n > PYJL_TEAM_MAX) n = PYJL_TEAM_MAX;
    if (!pyjl_team.atfork) pyjl_team.atfork = pthread_atfork(NULL, NULL, pyjl_team_child) == 0;
    if (!pyjl_team.atfork) return 0;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1 << 20);
    while (pyjl_team.workers < n
           && pthread_create(&th, &attr, pyjl_team_worker,
                             (void *)(size_t)pyjl_team.workers) == 0)
        pyjl_team.workers++;
    pthread_attr_destroy(&attr);
    return pyjl_team.workers > 0;
}

static void pyjl_team_run(pyjl_task_fn fn, void *ctx, Py_ssize_t n_tasks, int nt) {
    unsigned long long gen;
    Py_ssize_t k;
    long long t0;
    if (nt < 2 || n_tasks < 2 || n_tasks >= (1 << PYJL_TEAM_GEN_SHIFT)
            || __atomic_exchange_n(&pyjl_team.busy, 1, __ATOMIC_ACQUIRE)) {
        for (k = 0; k < n_tasks; k++) fn(ctx, k);
        return;
    }
    if (nt > n_tasks) nt = (int)n_tasks;
    if (!pyjl_team_grow(nt - 1)) {
        __atomic_store_n(&pyjl_team.busy, 0, __ATOMIC_RELEASE);
        for (k = 0; k < n_tasks; k++) fn(ctx, k);
        return;
    }
    gen = (__atomic_load_n(&pyjl_team.ticket, __ATOMIC_RELAXED) >> PYJL_TEAM_GEN_SHIFT) + 1;
    gen &= (1ULL << (64 - PYJL_TEAM_GEN_SHIFT)) - 1;
    /* atomic, as a late worker of the last job may read them until its claim fails */
    __atomic_store_n(&pyjl_team.fn, fn, __ATOMIC_RELAXED);
    __atomic_store_n(&pyjl_team.ctx, ctx, __ATOMIC_RELAXED);
    __atomic_store_n(&pyjl_team.n_tasks, n_tasks, __ATOMIC_RELAXED);
    __atomic_store_n(&pyjl_team.helpers, nt - 1, __ATOMIC_RELAXED);
    __atomic_store_n(&pyjl_team.done, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pyjl_team.ticket, gen << PYJL_TEAM_GEN_SHIFT, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&pyjl_team.sleepers, __ATOMIC_SEQ_CST)) {
        pthread_mutex_lock(&pyjl_team.mu);
        pthread_cond_broadcast(&pyjl_team.cv);
        pthread_mutex_unlock(&pyjl_team.mu);
    }
    pyjl_team_work(gen);
    /* only tasks a worker has claimed are left: wait for them, spinning, then asleep
       (a worker the OS has not run for a while then gets this core) */
    t0 = pyjl_team_ns();
    while (__atomic_load_n(&pyjl_team.done, __ATOMIC_ACQUIRE) < n_tasks
           && pyjl_team_ns() - t0 < PYJL_TEAM_SPIN_NS)
        pyjl_team_relax();
    if (__atomic_load_n(&pyjl_team.done, __ATOMIC_ACQUIRE) < n_tasks) {
        pthread_mutex_lock(&pyjl_team.mu);
        __atomic_store_n(&pyjl_team.waiting, 1, __ATOMIC_SEQ_CST);
        while (__atomic_load_n(&pyjl_team.done, __ATOMIC_SEQ_CST) < n_tasks)
            pthread_cond_wait(&pyjl_team.cv_done, &pyjl_team.mu);
        __atomic_store_n(&pyjl_team.waiting, 0, __ATOMIC_RELAXED);
        pthread_mutex_unlock(&pyjl_team.mu);
    }
    __atomic_store_n(&pyjl_team.busy, 0, __ATOMIC_RELEASE);
}

#else  /* no POSIX threads: the caller runs every task (callers use OpenMP instead) */
#define PYJL_TEAM 0
static void pyjl_team_run(pyjl_task_fn fn, void *ctx, Py_ssize_t n_tasks, int nt) {
    Py_ssize_t k;
    (void)nt;
    for (k = 0; k < n_tasks; k++) fn(ctx, k);
}
#endif

#endif  /* PYJL_TEAM_H */
