"""The ``julia`` engine: a thin adapter over the Julia package PyJL (``julia_src/``).

Every kernel calls the Julia function of the same name through
:func:`pyjl.julia.call`, which passes arrays as views (layout: see the bridge's
orientation rule, :mod:`pyjl.julia.bridge`).
"""

from __future__ import annotations

from .. import julia as bridge
from .contract import Array

__all__ = ["JuliaEngine"]


class JuliaEngine:
    """Kernels from ``julia_src/src``; Julia starts on the first kernel call."""

    name = "julia"

    def availability(self) -> tuple[bool, str]:
        return bridge.availability()

    # --- GP kernels -------------------------------------------------------------
    # Point sets X go as they are (the Julia kernels take one point per column). Other
    # matrices (K, W, L, a 2-D B) go as `.T` so Julia indexes them as NumPy does
    # (cholesky then reads NumPy's lower triangle, as the native engine does). Matrix
    # results indexed as in NumPy (K12, L, a 2-D solve) come back as `.T.copy()`: a
    # C-contiguous copy, as every engine's outputs are (a factor kept by a model may
    # reach the native engine later). K, dK and Kinv are exactly symmetric in their
    # point axes, so they are returned as they arrive.
    def kernel_matrix(
        self, kind: str, X1: Array, X2: Array, lengthscale: Array, variance: float, extra: Array
    ) -> Array:
        K: Array = bridge.call("kernel_matrix", kind, X1, X2, lengthscale, float(variance), extra)
        return K.T.copy()

    def kernel_matrix_grad(
        self, kind: str, X: Array, lengthscale: Array, variance: float, extra: Array
    ) -> tuple[Array, Array]:
        K, dK = bridge.call("kernel_matrix_grad", kind, X, lengthscale, float(variance), extra)
        return K, dK

    def kernel_grad_contract(
        self, kind: str, X: Array, lengthscale: Array, variance: float, extra: Array, W: Array
    ) -> Array:
        g: Array = bridge.call(
            "kernel_grad_contract", kind, X, lengthscale, float(variance), extra, W.T
        )
        return g

    # V, U (one row per point, NumPy (n, k)) cross as they are, Julia's (k, n) with one point
    # per column, as X does; R comes back as Julia's (k, n1), NumPy's C-contiguous (n1, k).
    def kernel_matvec(
        self,
        kind: str,
        X1: Array,
        X2: Array,
        lengthscale: Array,
        variance: float,
        extra: Array,
        V: Array,
    ) -> Array:
        R: Array = bridge.call(
            "kernel_matvec", kind, X1, X2, lengthscale, float(variance), extra, V
        )
        return R

    def kernel_grad_quad(
        self,
        kind: str,
        X: Array,
        lengthscale: Array,
        variance: float,
        extra: Array,
        U: Array,
        V: Array,
    ) -> Array:
        g: Array = bridge.call(
            "kernel_grad_quad", kind, X, lengthscale, float(variance), extra, U, V
        )
        return g

    def cholesky(self, K: Array, jitter: float) -> Array:
        L: Array = bridge.call("cholesky", K.T, float(jitter))
        return L.T.copy()

    def cho_inverse(self, L: Array) -> Array:
        Kinv: Array = bridge.call("cho_inverse", L.T)
        return Kinv

    def cho_solve(self, L: Array, B: Array) -> Array:
        out: Array = bridge.call("cho_solve", L.T, B.T if B.ndim == 2 else B)
        return out.T.copy() if B.ndim == 2 else out

    def expected_improvement(self, mu: Array, sigma: Array, best: float, xi: float) -> Array:
        ei: Array = bridge.call("expected_improvement", mu, sigma, float(best), float(xi))
        return ei

    def log_expected_improvement(self, mu: Array, sigma: Array, best: float, xi: float) -> Array:
        logei: Array = bridge.call("log_expected_improvement", mu, sigma, float(best), float(xi))
        return logei

    # --- end GP -----------------------------------------------------------------

    # --- HMM kernels ------------------------------------------------------------
    # julia_src/src/hmm.jl works on log_A[from, to], log_B one step per column and
    # 1-based states: log_B and gamma cross as they are; log_A is sent as log_A.T (a
    # K x K copy) so Julia indexes it as NumPy does, and xi_sum is transposed back; the
    # path is shifted to pyjl's 0-based states here.
    def forward_backward(
        self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array
    ) -> tuple[Array, Array, Array]:
        loglik, gamma, xi_sum = bridge.call(
            "forward_backward", log_pi, log_A.T.copy(), log_B, lengths
        )
        return loglik, gamma, xi_sum.T.copy()

    def forward(self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array) -> Array:
        loglik: Array = bridge.call("forward", log_pi, log_A.T.copy(), log_B, lengths)
        return loglik

    # the log-space recursions (julia_src/src/hmm_log.jl): arrays as forward_backward's
    def forward_backward_log(
        self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array
    ) -> tuple[Array, Array, Array]:
        loglik, gamma, xi_sum = bridge.call(
            "forward_backward_log", log_pi, log_A.T.copy(), log_B, lengths
        )
        return loglik, gamma, xi_sum.T.copy()

    def forward_log(self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array) -> Array:
        loglik: Array = bridge.call("forward_log", log_pi, log_A.T.copy(), log_B, lengths)
        return loglik

    def viterbi(
        self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array
    ) -> tuple[Array, Array]:
        path, logprob = bridge.call("viterbi", log_pi, log_A.T.copy(), log_B, lengths)
        return (path - 1).astype("int64", copy=False), logprob

    # X, mean, var and the results cross as they are (one step or state per column).
    def gaussian_loglik(self, X: Array, mean: Array, var: Array) -> Array:
        out: Array = bridge.call("gaussian_loglik", X, mean, var)
        return out

    def weighted_moments(self, X: Array, W: Array, shift: Array) -> tuple[Array, Array, Array]:
        N, S1, S2 = bridge.call("weighted_moments", X, W, shift)
        return N, S1, S2

    def gaussian_estep(
        self,
        log_pi: Array,
        log_A: Array,
        X: Array,
        mean: Array,
        var: Array,
        shift: Array,
        lengths: Array,
    ) -> tuple[Array, ...]:
        loglik, start, xi_sum, N, S1, S2 = bridge.call(
            "gaussian_estep", log_pi, log_A.T.copy(), X, mean, var, shift, lengths
        )
        return loglik, start, xi_sum.T.copy(), N, S1, S2

    def gaussian_forward(
        self, log_pi: Array, log_A: Array, X: Array, mean: Array, var: Array, lengths: Array
    ) -> Array:
        loglik: Array = bridge.call(
            "gaussian_forward", log_pi, log_A.T.copy(), X, mean, var, lengths
        )
        return loglik

    def gaussian_viterbi(
        self, log_pi: Array, log_A: Array, X: Array, mean: Array, var: Array, lengths: Array
    ) -> tuple[Array, Array]:
        path, logprob = bridge.call(
            "gaussian_viterbi", log_pi, log_A.T.copy(), X, mean, var, lengths
        )
        return (path - 1).astype("int64", copy=False), logprob

    # --- end HMM ----------------------------------------------------------------

    # --- DSP kernels ------------------------------------------------------------
    # Signals, sections, states and frames cross as they are (julia_src/src/dsp.jl).
    def sosfilt(self, sos: Array, x: Array, zi: Array | None) -> tuple[Array, Array]:
        y, zf = bridge.call("sosfilt", sos, x, zi)
        return y, zf

    def lfilter(self, b: Array, a: Array, x: Array, zi: Array | None) -> tuple[Array, Array]:
        y, zf = bridge.call("lfilter", b, a, x, zi)
        return y, zf

    def upfirdn(self, h: Array, x: Array, up: int, down: int) -> Array:
        y: Array = bridge.call("upfirdn", h, x, int(up), int(down))
        return y

    def fftfilt(self, h: Array, x: Array) -> Array:
        y: Array = bridge.call("fftfilt", h, x)
        return y

    def stft_frames(self, x: Array, window: Array, step: int, detrend: int = 0) -> Array:
        frames: Array = bridge.call("stft_frames", x, window, int(step), int(detrend))
        return frames

    # --- end DSP ----------------------------------------------------------------
