"""The ``julia`` engine: a thin adapter over the Julia package PyJL (``julia_src/``).

Every kernel calls the Julia function of the same name through
:func:`pyjl.julia.call`, which passes arrays as views.  The orientation rule of
the bridge applies: a C-order NumPy ``(n, d)`` array is a column-major
``(d, n)`` Julia matrix, and the Julia kernels are written for that layout.
"""

from __future__ import annotations

from .. import julia as bridge

__all__ = ["JuliaEngine"]


class JuliaEngine:
    """Kernels from ``julia_src/src``; Julia starts on the first kernel call."""

    name = "julia"

    def availability(self) -> tuple[bool, str]:
        return bridge.availability()

    # --- GP kernels -------------------------------------------------------------
    # Point sets X (n, d) go as-is (Julia sees (d, n), the kernels' layout). Other
    # matrices (K, W, L, a 2-D B) go as `.T` so Julia sees NumPy's indexing (cholesky
    # then reads NumPy's lower triangle, as the native engine does). Matrix results
    # with NumPy indexing in Julia (K12, L, a 2-D solve) come back as `.T.copy()`: a
    # C-contiguous copy, as every engine's outputs are (a factor kept by a model may
    # reach the native engine later). K and dK of kernel_matrix_grad
    # and Kinv are exactly symmetric in their point axes, so their C-order views are
    # returned as they are (dK: Julia (n, n, p) -> NumPy (p, n, n)).
    def kernel_matrix(self, kind, X1, X2, lengthscale, variance, extra):
        return bridge.call("kernel_matrix", kind, X1, X2, lengthscale, float(variance),
                           extra).T.copy()

    def kernel_matrix_grad(self, kind, X, lengthscale, variance, extra):
        K, dK = bridge.call("kernel_matrix_grad", kind, X, lengthscale, float(variance), extra)
        return K, dK

    def kernel_grad_contract(self, kind, X, lengthscale, variance, extra, W):
        return bridge.call("kernel_grad_contract", kind, X, lengthscale, float(variance),
                           extra, W.T)

    def cholesky(self, K, jitter):
        return bridge.call("cholesky", K.T, float(jitter)).T.copy()

    def cho_inverse(self, L):
        return bridge.call("cho_inverse", L.T)

    def cho_solve(self, L, B):
        out = bridge.call("cho_solve", L.T, B.T if B.ndim == 2 else B)
        return out.T.copy() if B.ndim == 2 else out

    def expected_improvement(self, mu, sigma, best, xi):
        return bridge.call("expected_improvement", mu, sigma, float(best), float(xi))

    def log_expected_improvement(self, mu, sigma, best, xi):
        return bridge.call("log_expected_improvement", mu, sigma, float(best), float(xi))
    # --- end GP -----------------------------------------------------------------

    # --- HMM kernels ------------------------------------------------------------
    # julia_src/src/hmm.jl works on log_A[from, to] (K x K), log_B (K x T) and 1-based
    # states.  Under the bridge's orientation rule the (T, K) log_B arrives as K x T as it
    # is; log_A crosses transposed, so it is sent as log_A.T (a K x K copy) and the
    # K x K xi_sum is transposed back; gamma (K x T) returns as a (T, K) view; the path
    # comes back 1-based and is shifted to pyjl's 0-based states here.
    def forward_backward(self, log_pi, log_A, log_B, lengths):
        loglik, gamma, xi_sum = bridge.call("forward_backward", log_pi, log_A.T.copy(),
                                            log_B, lengths)
        return loglik, gamma, xi_sum.T.copy()

    def forward(self, log_pi, log_A, log_B, lengths):
        return bridge.call("forward", log_pi, log_A.T.copy(), log_B, lengths)

    def viterbi(self, log_pi, log_A, log_B, lengths):
        path, logprob = bridge.call("viterbi", log_pi, log_A.T.copy(), log_B, lengths)
        return (path - 1).astype("int64", copy=False), logprob

    # X (T, d), mean/var (K, d) arrive as d x T and d x K; the K x T result is (T, K) here,
    # the d x K moments are (K, d) here: no transposes needed.
    def gaussian_loglik(self, X, mean, var):
        return bridge.call("gaussian_loglik", X, mean, var)

    def weighted_moments(self, X, W, shift):
        return bridge.call("weighted_moments", X, W, shift)

    def gaussian_estep(self, log_pi, log_A, X, mean, var, shift, lengths):
        loglik, start, xi_sum, N, S1, S2 = bridge.call("gaussian_estep", log_pi,
                                                       log_A.T.copy(), X, mean, var, shift,
                                                       lengths)
        return loglik, start, xi_sum.T.copy(), N, S1, S2
    # --- end HMM ----------------------------------------------------------------

    # --- DSP kernels ------------------------------------------------------------
    def sosfilt(self, sos, x, zi):
        return bridge.call("sosfilt", sos, x, zi)

    def lfilter(self, b, a, x, zi):
        return bridge.call("lfilter", b, a, x, zi)

    def upfirdn(self, h, x, up, down):
        return bridge.call("upfirdn", h, x, int(up), int(down))

    def fftfilt(self, h, x):
        return bridge.call("fftfilt", h, x)

    def stft_frames(self, x, window, step, detrend=0):
        return bridge.call("stft_frames", x, window, int(step), int(detrend))
    # --- end DSP ----------------------------------------------------------------
