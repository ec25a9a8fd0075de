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
    def kernel_matrix(self, kind, X1, X2, lengthscale, variance, extra):
        return bridge.call("kernel_matrix", kind, X1, X2, lengthscale, float(variance), extra)

    def kernel_matrix_grad(self, kind, X, lengthscale, variance, extra):
        return bridge.call("kernel_matrix_grad", kind, X, lengthscale, float(variance), extra)

    def cholesky(self, K, jitter):
        return bridge.call("cholesky", K, float(jitter))

    def cho_solve(self, L, B):
        return bridge.call("cho_solve", L, B)

    def expected_improvement(self, mu, sigma, best, xi):
        return bridge.call("expected_improvement", mu, sigma, float(best), float(xi))

    def log_expected_improvement(self, mu, sigma, best, xi):
        return bridge.call("log_expected_improvement", mu, sigma, float(best), float(xi))
    # --- end GP -----------------------------------------------------------------

    # --- HMM kernels ------------------------------------------------------------
    def forward_backward(self, log_pi, log_A, log_B, lengths):
        return bridge.call("forward_backward", log_pi, log_A, log_B, lengths)

    def viterbi(self, log_pi, log_A, log_B, lengths):
        return bridge.call("viterbi", log_pi, log_A, log_B, lengths)
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

    def stft_frames(self, x, window, step):
        return bridge.call("stft_frames", x, window, int(step))
    # --- end DSP ----------------------------------------------------------------
