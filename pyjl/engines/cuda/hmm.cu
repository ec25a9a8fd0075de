// HMM kernels of the cuda engine (adapter: hmm.py, which describes the three passes):
// log-space (mode 0: log-sum-exp) and max-plus (mode 1: Viterbi) recursions; one thread
// block per chunk of a sequence, threads strided over states, messages in shared memory.

// (+) over i of p[i] + M[i*K + j]: log-sum-exp (mode 0) or max (mode 1)
PJ_DEVICE double pj_col(const double* p, const double* M, int K, int j, int mode) {
    double m = -INFINITY;
    for (int i = 0; i < K; ++i) m = fmax(m, p[i] + M[i * K + j]);
    if (mode == 1 || m == -INFINITY) return m;
    double s = 0.0;
    for (int i = 0; i < K; ++i) s += exp(p[i] + M[i * K + j] - m);
    return m + log(s);
}

// (+) over j of M[i*K + j] + q[j]
PJ_DEVICE double pj_row(const double* M, const double* q, int K, int i, int mode) {
    double m = -INFINITY;
    for (int j = 0; j < K; ++j) m = fmax(m, M[i * K + j] + q[j]);
    if (mode == 1 || m == -INFINITY) return m;
    double s = 0.0;
    for (int j = 0; j < K; ++j) s += exp(M[i * K + j] + q[j] - m);
    return m + log(s);
}

// pass 1: transfer matrix of chunk cidx[block]; the first chunk of a sequence starts
// after its first step (that step is log_pi + log_B, applied by the scan)
PJ_KERNEL void pj_transfer(const double* logA, const double* logB, int K,
                           const long long* cstart, const int* clen, const int* cfirst,
                           const int* cidx, int mode, double* Mout) {
    int c = cidx[blockIdx.x];
    long long s = cstart[c];
    int L = clen[c];
    int KK = K * K;
    PJ_SHARED(double, sh);
    double* A = sh;
    double* M = sh + KK;
    double* N = sh + 2 * KK;
    for (int p = threadIdx.x; p < KK; p += blockDim.x) {
        A[p] = logA[p];
        M[p] = (p / K == p % K) ? 0.0 : -INFINITY;
    }
    __syncthreads();
    for (int t = cfirst[c] ? 1 : 0; t < L; ++t) {
        const double* b = logB + (s + t) * K;
        for (int p = threadIdx.x; p < KK; p += blockDim.x) {
            int i = p / K, j = p % K;
            N[p] = pj_col(M + i * K, A, K, j, mode) + b[j];
        }
        __syncthreads();
        double* tmp = M; M = N; N = tmp;
    }
    for (int p = threadIdx.x; p < KK; p += blockDim.x) Mout[(long long)c * KK + p] = M[p];
}

// pass 2: boundary messages of sequence sidx[block] over its chunks c0 .. c0+nc-1
PJ_KERNEL void pj_scan(const double* logpi, const double* logB, int K,
                       const long long* sstart, const int* sc0, const int* snc,
                       const int* sidx, const double* M, int mode,
                       double* alpha_in, double* beta_out) {
    int q = sidx[blockIdx.x];
    int c0 = sc0[q], nc = snc[q];
    long long KK = (long long)K * K;
    PJ_SHARED(double, sh);
    double* a = sh;
    double* na = sh + K;
    for (int j = threadIdx.x; j < K; j += blockDim.x) a[j] = logpi[j] + logB[sstart[q] * K + j];
    __syncthreads();
    for (int c = c0; c < c0 + nc; ++c) {
        for (int j = threadIdx.x; j < K; j += blockDim.x) {
            alpha_in[(long long)c * K + j] = a[j];
            na[j] = pj_col(a, M + c * KK, K, j, mode);
        }
        __syncthreads();
        double* tmp = a; a = na; na = tmp;
    }
    if (mode != 0) return;
    double* b = sh;
    double* nb = sh + K;
    for (int j = threadIdx.x; j < K; j += blockDim.x) b[j] = 0.0;
    __syncthreads();
    for (int c = c0 + nc - 1; c > c0; --c) {
        for (int i = threadIdx.x; i < K; i += blockDim.x) {
            double v = pj_row(M + c * KK, b, K, i, mode);
            nb[i] = v;
            beta_out[(long long)(c - 1) * K + i] = v;
        }
        __syncthreads();
        double* tmp = b; b = nb; nb = tmp;
    }
}

// max of a K-vector, 0 when it is -inf (used to shift messages to chunk-local scale)
PJ_DEVICE double pj_offset(const double* p, int K) {
    double m = -INFINITY;
    for (int j = 0; j < K; ++j) m = fmax(m, p[j]);
    return m == -INFINITY ? 0.0 : m;
}

// pass 3 (forward-backward): one chunk per block.  gamma holds log alpha after the
// forward sweep and the posteriors after the backward sweep.  Boundary messages are
// shifted by their maxima (oa, ob) so that the chunk works with numbers of the chunk's
// own magnitude (no cancellation against a log-likelihood of -1e6); Zc adds them back.
PJ_KERNEL void pj_fb_chunk(const double* logpi, const double* logA, const double* logB, int K,
                           const long long* cstart, const int* clen, const int* cfirst,
                           const double* alpha_in, const double* beta_out, int shared_mat,
                           double* gamma, double* xi_part, double* Zc) {
    int c = blockIdx.x;
    long long s = cstart[c];
    int L = clen[c], first = cfirst[c];
    long long KK = (long long)K * K;
    if (L == 0) return;
    PJ_SHARED(double, sh);
    double* u = sh;
    double* v = sh + K;
    double* w = sh + 2 * K;
    double* ain = sh + 3 * K;                   // alpha_in - oa
    const double* A = logA;
    double* xi = xi_part + c * KK;
    if (shared_mat) {
        double* As = sh + 4 * K;
        double* xs = As + KK;
        for (long long p = threadIdx.x; p < KK; p += blockDim.x) { As[p] = logA[p]; xs[p] = 0.0; }
        A = As;
        xi = xs;
    }
    const double* bout = beta_out + (long long)c * K;
    double oa = first ? 0.0 : pj_offset(alpha_in + (long long)c * K, K);
    double ob = pj_offset(bout, K);
    for (int j = threadIdx.x; j < K; j += blockDim.x) ain[j] = alpha_in[(long long)c * K + j] - oa;
    __syncthreads();
    double* pa = u;
    double* ca = v;
    for (int t = 0; t < L; ++t) {
        long long r = (s + t) * K;
        const double* prev = (t == 0) ? ain : pa;
        for (int j = threadIdx.x; j < K; j += blockDim.x) {
            double val = (t == 0 && first) ? logpi[j] + logB[r + j]
                                           : pj_col(prev, A, K, j, 0) + logB[r + j];
            ca[j] = val;
            gamma[r + j] = val;
        }
        __syncthreads();
        double* tmp = pa; pa = ca; ca = tmp;
    }
    double m = -INFINITY;
    for (int j = 0; j < K; ++j) m = fmax(m, pa[j] + (bout[j] - ob));
    double acc = 0.0;
    for (int j = 0; j < K; ++j) acc += exp(pa[j] + (bout[j] - ob) - m);
    double Z = m + log(acc);
    if (threadIdx.x == 0) Zc[c] = Z + oa + ob;
    __syncthreads();
    double* bb = u;
    double* nb = v;
    for (int j = threadIdx.x; j < K; j += blockDim.x) bb[j] = bout[j] - ob;
    __syncthreads();
    for (int t = L - 1; t >= 0; --t) {
        long long r = (s + t) * K;
        for (int j = threadIdx.x; j < K; j += blockDim.x) {
            w[j] = logB[r + j] + bb[j];
            gamma[r + j] = exp(gamma[r + j] + bb[j] - Z);
        }
        __syncthreads();
        if (t > 0 || !first) {
            const double* prev = (t > 0) ? gamma + r - K : ain;  // still log alpha
            for (int j = threadIdx.x; j < K; j += blockDim.x)
                for (int i = 0; i < K; ++i)
                    xi[i * K + j] += exp(prev[i] + A[i * K + j] + w[j] - Z);
            for (int i = threadIdx.x; i < K; i += blockDim.x) nb[i] = pj_row(A, w, K, i, 0);
            __syncthreads();
            double* tmp = bb; bb = nb; nb = tmp;
        }
    }
    if (shared_mat) {
        __syncthreads();
        for (long long p = threadIdx.x; p < KK; p += blockDim.x) xi_part[c * KK + p] = xi[p];
    }
}

// pass 3 (Viterbi): max-plus recursion with back-pointers; entry[c, j] is the state
// before the chunk on the best path that ends the chunk in state j
PJ_KERNEL void pj_vit_chunk(const double* logpi, const double* logA, const double* logB, int K,
                            const long long* cstart, const int* clen, const int* cfirst,
                            const double* delta_in, int* bp, int* entry,
                            double* dend, int* xbest) {
    int c = blockIdx.x;
    long long s = cstart[c];
    int L = clen[c], first = cfirst[c];
    if (L == 0) return;
    PJ_SHARED(double, sh);
    double* pd = sh;
    double* cd = sh + K;
    double* din = sh + 2 * K;                   // delta_in - od (chunk-local scale)
    int* po = (int*)(sh + 3 * K);
    int* co = po + K;
    double od = first ? 0.0 : pj_offset(delta_in + (long long)c * K, K);
    for (int j = threadIdx.x; j < K; j += blockDim.x) din[j] = delta_in[(long long)c * K + j] - od;
    __syncthreads();
    for (int t = 0; t < L; ++t) {
        long long r = (s + t) * K;
        const double* prev = (t == 0) ? din : pd;
        for (int j = threadIdx.x; j < K; j += blockDim.x) {
            double val;
            int o;
            if (t == 0 && first) {
                val = logpi[j] + logB[r + j];
                o = -1;
            } else {
                double best = -INFINITY;
                int bi = 0;
                for (int i = 0; i < K; ++i) {
                    double x = prev[i] + logA[i * K + j];
                    if (x > best) { best = x; bi = i; }
                }
                val = best + logB[r + j];
                bp[r + j] = bi;
                o = (t == 0) ? bi : po[bi];
            }
            cd[j] = val;
            co[j] = o;
        }
        __syncthreads();
        double* td = pd; pd = cd; cd = td;
        int* to = po; po = co; co = to;
    }
    for (int j = threadIdx.x; j < K; j += blockDim.x) entry[(long long)c * K + j] = po[j];
    if (threadIdx.x == 0) {
        double best = pd[0];
        int bj = 0;
        for (int j = 1; j < K; ++j) if (pd[j] > best) { best = pd[j]; bj = j; }
        dend[c] = best + od;
        xbest[c] = bj;
    }
}

// final state of each chunk, walking a sequence's chunks backwards
PJ_KERNEL void pj_vit_bounds(int nseq, const int* sc0, const int* snc, int K,
                             const int* entry, const int* xbest, int* xend) {
    PJ_GRID_STRIDE(q, nseq) {
        int c0 = sc0[q], nc = snc[q];
        if (nc == 0) continue;
        int x = xbest[c0 + nc - 1];
        xend[c0 + nc - 1] = x;
        for (int c = c0 + nc - 1; c > c0; --c) {
            x = entry[(long long)c * K + x];
            xend[c - 1] = x;
        }
    }
}

// back-track every chunk from its final state
PJ_KERNEL void pj_vit_back(int C, const long long* cstart, const int* clen, int K,
                           const int* bp, const int* xend, long long* path) {
    PJ_GRID_STRIDE(c, C) {
        int L = clen[c];
        if (L == 0) continue;
        long long s = cstart[c];
        int x = xend[c];
        path[s + L - 1] = x;
        for (int t = L - 1; t > 0; --t) {
            x = bp[(s + t) * K + x];
            path[s + t - 1] = x;
        }
    }
}
