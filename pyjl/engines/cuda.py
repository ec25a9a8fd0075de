"""The ``cuda`` engine: CuPy kernels on an NVIDIA GPU.

CuPy is imported lazily; without it (or without a device) the engine reports
why it is unavailable.  Arrays stay on the device between kernels.
"""

from __future__ import annotations

import importlib

__all__ = ["CudaEngine"]


def _cupy():
    return importlib.import_module("cupy")


class CudaEngine:
    """GPU kernels through CuPy."""

    name = "cuda"

    def availability(self) -> tuple[bool, str]:
        try:
            cp = _cupy()
        except ImportError as exc:
            return False, (f"CuPy is not installed ({exc}); install the wheel matching your "
                           "driver, e.g. `pip install cupy-cuda12x`")
        try:
            count = cp.cuda.runtime.getDeviceCount()
        except Exception as exc:  # CUDA driver/runtime errors come in many types
            return False, f"CuPy found no usable CUDA device ({type(exc).__name__}: {exc})"
        if count < 1:
            return False, "CuPy is installed but no CUDA device is visible"
        name = cp.cuda.runtime.getDeviceProperties(0)["name"]
        name = name.decode() if isinstance(name, bytes) else name
        return True, f"{count} device(s), device 0: {name}"

    def _missing(self, kernel: str):
        raise NotImplementedError(f"engine 'cuda' does not implement kernel {kernel!r} yet")

    # --- GP kernels -------------------------------------------------------------
    def kernel_matrix(self, kind, X1, X2, lengthscale, variance, extra):
        self._missing("kernel_matrix")

    def kernel_matrix_grad(self, kind, X, lengthscale, variance, extra):
        self._missing("kernel_matrix_grad")

    def cholesky(self, K, jitter):
        self._missing("cholesky")

    def cho_solve(self, L, B):
        self._missing("cho_solve")

    def expected_improvement(self, mu, sigma, best, xi):
        self._missing("expected_improvement")

    def log_expected_improvement(self, mu, sigma, best, xi):
        self._missing("log_expected_improvement")
    # --- end GP -----------------------------------------------------------------

    # --- HMM kernels ------------------------------------------------------------
    def forward_backward(self, log_pi, log_A, log_B, lengths):
        self._missing("forward_backward")

    def viterbi(self, log_pi, log_A, log_B, lengths):
        self._missing("viterbi")
    # --- end HMM ----------------------------------------------------------------

    # --- DSP kernels ------------------------------------------------------------
    def sosfilt(self, sos, x, zi):
        self._missing("sosfilt")

    def lfilter(self, b, a, x, zi):
        self._missing("lfilter")

    def upfirdn(self, h, x, up, down):
        self._missing("upfirdn")

    def fftfilt(self, h, x):
        self._missing("fftfilt")

    def stft_frames(self, x, window, step):
        self._missing("stft_frames")
    # --- end DSP ----------------------------------------------------------------
