// DSP kernels of the cuda engine (adapter: dsp.py): IIR filters in SciPy's direct form II
// transposed, one thread per channel, the same arithmetic as scipy.signal.
// Layout: x, y (C, n) float64 C-contiguous; sos (S, 6) with a0 = 1; a[0] == 1 for lfilter.

// one thread per channel; z (C, S, 2) holds zi on entry and zf on exit
PJ_KERNEL void pj_sosfilt(long long C, long long n, int S, const double* sos, const double* x,
                          double* y, double* z) {
    PJ_GRID_STRIDE(c, C) {
        double* zc = z + c * S * 2;
        const double* xc = x + c * n;
        double* yc = y + c * n;
        for (long long t = 0; t < n; ++t) {
            double v = xc[t];
            for (int s = 0; s < S; ++s) {
                const double* q = sos + 6 * s;
                double xin = v;
                v = q[0] * xin + zc[2 * s];
                zc[2 * s] = q[1] * xin - q[4] * v + zc[2 * s + 1];
                zc[2 * s + 1] = q[2] * xin - q[5] * v;
            }
            yc[t] = v;
        }
    }
}

// direct form II transposed, b and a padded to N + 1; z (C, N) holds zi / zf
PJ_KERNEL void pj_lfilter(long long C, long long n, int N, const double* b, const double* a,
                          const double* x, double* y, double* z) {
    PJ_GRID_STRIDE(c, C) {
        double* zc = z + c * N;
        const double* xc = x + c * n;
        double* yc = y + c * n;
        for (long long t = 0; t < n; ++t) {
            double xin = xc[t];
            double v = (N > 0) ? b[0] * xin + zc[0] : b[0] * xin;
            for (int k = 0; k + 1 < N; ++k) zc[k] = zc[k + 1] + xin * b[k + 1] - v * a[k + 1];
            if (N > 0) zc[N - 1] = xin * b[N] - v * a[N];
            yc[t] = v;
        }
    }
}
