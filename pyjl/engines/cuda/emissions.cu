// HMM emission kernels of the cuda engine (adapter: emissions.py).
// Layout: X (T, d), mean and siv (K, d), cst (K,), out (T, K), float64 C-contiguous.

// out[t, k] = cst[k] - 0.5 sum_j ((X[t, j] - mean[k, j]) siv[k, j])^2, siv = 1 / sd:
// scaling before squaring keeps it finite wherever it is representable
PJ_KERNEL void pj_gauss_ll(long long T, int K, int d, const double* X, const double* mean,
                           const double* siv, const double* cst, double* out) {
    PJ_GRID_STRIDE(idx, T * K) {
        long long t = idx / K;
        int k = (int)(idx % K);
        double acc = 0.0;
        for (int j = 0; j < d; ++j) {
            double z = (X[t * d + j] - mean[k * d + j]) * siv[k * d + j];
            acc = acc + z * z;
        }
        out[idx] = cst[k] - 0.5 * acc;
    }
}
