"""The ``native`` engine: compiled Cython kernels (``bindings/`` → ``pyjl._native``).

Always installed and always available once the package is built.  Each kernel
module is imported on first use; threaded kernels get the thread bound from
:mod:`pyjl._config` as their last argument.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from types import ModuleType

from .. import _config

__all__ = ["NativeEngine"]


@cache
def _module(family: str) -> ModuleType:
    # Idle OpenMP workers spin briefly, then sleep.  libgomp's default spin (300,000
    # iterations) takes the cores that BLAS/LAPACK calls between two parallel regions
    # need (a GP fit ran up to 1.6x slower on 2 cores); sleeping at once
    # (OMP_WAIT_POLICY=PASSIVE) makes short back-to-back regions pay a wake-up each
    # (two-thread HMM EM on 100 x 1,000 samples: 0.080 s passive, 0.059 s with this
    # spin, 0.076 s on one thread).  libgomp reads these once, when the first compiled
    # module loads it; a value the user set (either variable) wins.
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
    return importlib.import_module(f"pyjl._native.{family}")


def _threads() -> int:
    return _config.get("num_threads")


def openmp_enabled() -> bool:
    """Whether the compiled kernels were built with OpenMP."""
    return bool(_module("openmp").openmp_enabled())


class NativeEngine:
    """Compiled CPU kernels; the default engine."""

    name = "native"

    def availability(self) -> tuple[bool, str]:
        try:
            omp = openmp_enabled()
        except ImportError as exc:
            return False, (f"the compiled kernels are not built ({exc}); reinstall with "
                           "`pip install .` or run `python setup.py build_ext --inplace`")
        return True, f"compiled kernels, OpenMP {'on' if omp else 'off'}"

    # --- GP kernels -------------------------------------------------------------
    def kernel_matrix(self, kind, X1, X2, lengthscale, variance, extra):
        return _module("gp").kernel_matrix(kind, X1, X2, lengthscale, variance, extra,
                                           _threads())

    def kernel_matrix_grad(self, kind, X, lengthscale, variance, extra):
        return _module("gp").kernel_matrix_grad(kind, X, lengthscale, variance, extra,
                                                _threads())

    def kernel_grad_contract(self, kind, X, lengthscale, variance, extra, W):
        return _module("gp").kernel_grad_contract(kind, X, lengthscale, variance, extra, W,
                                                  _threads())

    def cholesky(self, K, jitter):
        return _module("gp").cholesky(K, jitter)

    def cho_inverse(self, L):
        return _module("gp").cho_inverse(L, _threads())

    def cho_solve(self, L, B):
        return _module("gp").cho_solve(L, B)

    def expected_improvement(self, mu, sigma, best, xi):
        return _module("gp").expected_improvement(mu, sigma, best, xi)

    def log_expected_improvement(self, mu, sigma, best, xi):
        return _module("gp").log_expected_improvement(mu, sigma, best, xi)
    # --- end GP -----------------------------------------------------------------

    # --- HMM kernels ------------------------------------------------------------
    def forward_backward(self, log_pi, log_A, log_B, lengths):
        return _module("hmm").forward_backward(log_pi, log_A, log_B, lengths, _threads())

    def forward(self, log_pi, log_A, log_B, lengths):
        return _module("hmm").forward(log_pi, log_A, log_B, lengths, _threads())

    def viterbi(self, log_pi, log_A, log_B, lengths):
        return _module("hmm").viterbi(log_pi, log_A, log_B, lengths, _threads())

    def gaussian_loglik(self, X, mean, var):
        return _module("hmm").gaussian_loglik(X, mean, var, _threads())

    def weighted_moments(self, X, W, shift):
        return _module("hmm").weighted_moments(X, W, shift, _threads())

    def gaussian_estep(self, log_pi, log_A, X, mean, var, shift, lengths):
        return _module("hmm").gaussian_estep(log_pi, log_A, X, mean, var, shift, lengths,
                                             _threads())
    # --- end HMM ----------------------------------------------------------------

    # --- DSP kernels ------------------------------------------------------------
    def sosfilt(self, sos, x, zi):
        return _module("dsp").sosfilt(sos, x, zi, _threads())

    def lfilter(self, b, a, x, zi):
        return _module("dsp").lfilter(b, a, x, zi, _threads())

    def lfilter_complex(self, b, a, x, zi):
        # native only, outside the engine contract: complex coefficients, complex128 data
        return _module("dsp").lfilter_complex(b, a, x, zi, _threads())

    def upfirdn(self, h, x, up, down):
        return _module("dsp").upfirdn(h, x, up, down, _threads())

    def fftfilt(self, h, x):
        return _module("dsp").fftfilt(h, x, _threads())

    def stft_frames(self, x, window, step, detrend=0):
        return _module("dsp").stft_frames(x, window, int(step), int(detrend), _threads())
    # --- end DSP ----------------------------------------------------------------
