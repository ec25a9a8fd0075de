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
from .contract import Array, gp_args

__all__ = ["NativeEngine"]


@cache
def _module(family: str) -> ModuleType:
    # Idle OpenMP workers spin briefly, then sleep.  libgomp's default spin (300,000
    # iterations) takes the cores that BLAS/LAPACK calls between two parallel regions
    # need; sleeping at once (OMP_WAIT_POLICY=PASSIVE) makes short back-to-back regions
    # (an HMM EM iteration) pay a wake-up each.  A short spin serves both.  libgomp reads
    # these once, when the first compiled module loads it; a value the user set (either
    # variable) wins.
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
    return importlib.import_module(f"pyjl._native.{family}")


def _threads() -> int:
    n: int = _config.get("num_threads")
    return n


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
            return False, (
                f"the compiled kernels are not built ({exc}); reinstall with "
                "`pip install .` or run `python setup.py build_ext --inplace`"
            )
        return True, f"compiled kernels, OpenMP {'on' if omp else 'off'}"

    # --- GP kernels -------------------------------------------------------------
    # the compiled GP kernels take a kind's integer code (its place in GP_KINDS)
    def kernel_matrix(
        self, kind: str, X1: Array, X2: Array, lengthscale: Array, variance: float, extra: Array
    ) -> Array:
        K: Array = _module("gp").kernel_matrix(
            gp_args(kind, X1, X2, lengthscale, extra),
            X1,
            X2,
            lengthscale,
            variance,
            extra,
            _threads(),
        )
        return K

    def kernel_matrix_grad(
        self, kind: str, X: Array, lengthscale: Array, variance: float, extra: Array
    ) -> tuple[Array, Array]:
        K: Array
        dK: Array
        K, dK = _module("gp").kernel_matrix_grad(
            gp_args(kind, X, None, lengthscale, extra),
            X,
            lengthscale,
            variance,
            extra,
            _threads(),
        )
        return K, dK

    def kernel_grad_contract(
        self, kind: str, X: Array, lengthscale: Array, variance: float, extra: Array, W: Array
    ) -> Array:
        g: Array = _module("gp").kernel_grad_contract(
            gp_args(kind, X, None, lengthscale, extra, W=W),
            X,
            lengthscale,
            variance,
            extra,
            W,
            _threads(),
        )
        return g

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
        R: Array = _module("gp").kernel_matvec(
            gp_args(kind, X1, X2, lengthscale, extra, V=V),
            X1,
            X2,
            lengthscale,
            variance,
            extra,
            V,
            _threads(),
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
        g: Array = _module("gp").kernel_grad_quad(
            gp_args(kind, X, None, lengthscale, extra, U=U, V=V),
            X,
            lengthscale,
            variance,
            extra,
            U,
            V,
            _threads(),
        )
        return g

    def cholesky(self, K: Array, jitter: float) -> Array:
        L: Array = _module("gp").cholesky(K, jitter)
        return L

    def cho_inverse(self, L: Array) -> Array:
        inv: Array = _module("gp").cho_inverse(L, _threads())
        return inv

    def cho_solve(self, L: Array, B: Array) -> Array:
        X: Array = _module("gp").cho_solve(L, B)
        return X

    def expected_improvement(self, mu: Array, sigma: Array, best: float, xi: float) -> Array:
        ei: Array = _module("gp").expected_improvement(mu, sigma, best, xi)
        return ei

    def log_expected_improvement(self, mu: Array, sigma: Array, best: float, xi: float) -> Array:
        lei: Array = _module("gp").log_expected_improvement(mu, sigma, best, xi)
        return lei

    # --- end GP -----------------------------------------------------------------

    # --- HMM kernels ------------------------------------------------------------
    def forward_backward(
        self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array
    ) -> tuple[Array, Array, Array]:
        out: tuple[Array, Array, Array] = _module("hmm").forward_backward(
            log_pi, log_A, log_B, lengths, _threads()
        )
        return out

    def forward(self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array) -> Array:
        loglik: Array = _module("hmm").forward(log_pi, log_A, log_B, lengths, _threads())
        return loglik

    def forward_backward_log(
        self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array
    ) -> tuple[Array, Array, Array]:
        out: tuple[Array, Array, Array] = _module("hmm").forward_backward_log(
            log_pi, log_A, log_B, lengths, _threads()
        )
        return out

    def forward_log(self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array) -> Array:
        loglik: Array = _module("hmm").forward_log(log_pi, log_A, log_B, lengths, _threads())
        return loglik

    def viterbi(
        self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array
    ) -> tuple[Array, Array]:
        out: tuple[Array, Array] = _module("hmm").viterbi(
            log_pi, log_A, log_B, lengths, _threads()
        )
        return out

    def gaussian_loglik(self, X: Array, mean: Array, var: Array) -> Array:
        out: Array = _module("hmm").gaussian_loglik(X, mean, var, _threads())
        return out

    def weighted_moments(self, X: Array, W: Array, shift: Array) -> tuple[Array, Array, Array]:
        out: tuple[Array, Array, Array] = _module("hmm").weighted_moments(X, W, shift, _threads())
        return out

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
        out: tuple[Array, ...] = _module("hmm").gaussian_estep(
            log_pi, log_A, X, mean, var, shift, lengths, _threads()
        )
        return out

    def gaussian_forward(
        self, log_pi: Array, log_A: Array, X: Array, mean: Array, var: Array, lengths: Array
    ) -> Array:
        loglik: Array = _module("hmm").gaussian_forward(
            log_pi, log_A, X, mean, var, lengths, _threads()
        )
        return loglik

    def gaussian_viterbi(
        self, log_pi: Array, log_A: Array, X: Array, mean: Array, var: Array, lengths: Array
    ) -> tuple[Array, Array]:
        out: tuple[Array, Array] = _module("hmm").gaussian_viterbi(
            log_pi, log_A, X, mean, var, lengths, _threads()
        )
        return out

    # --- end HMM ----------------------------------------------------------------

    # --- DSP kernels ------------------------------------------------------------
    def sosfilt(self, sos: Array, x: Array, zi: Array | None) -> tuple[Array, Array]:
        out: tuple[Array, Array] = _module("dsp").sosfilt(sos, x, zi, _threads())
        return out

    def lfilter(self, b: Array, a: Array, x: Array, zi: Array | None) -> tuple[Array, Array]:
        out: tuple[Array, Array] = _module("dsp").lfilter(b, a, x, zi, _threads())
        return out

    def lfilter_complex(
        self, b: Array, a: Array, x: Array, zi: Array | None
    ) -> tuple[Array, Array]:
        # native only, outside the engine contract: complex coefficients, complex128 data
        out: tuple[Array, Array] = _module("dsp").lfilter_complex(b, a, x, zi, _threads())
        return out

    def upfirdn(self, h: Array, x: Array, up: int, down: int) -> Array:
        y: Array = _module("dsp").upfirdn(h, x, up, down, _threads())
        return y

    # native only, outside the engine contract: a small call in one step, its checks
    # included; None sends the call down the full path (pyjl.dsp._kernels._speed_up,
    # the one place that looks them up, says why they are not contract kernels)
    def lfilter_small(self, b: Array, a: Array, x: Array, zi: Array | None) -> object:
        out: object = _module("dsp").lfilter_small(b, a, x, zi)
        return out

    def upfirdn_small(self, h: Array, x: Array, up: int, down: int) -> Array | None:
        y: Array | None = _module("dsp").upfirdn_small(h, x, up, down)
        return y

    # native only, outside the engine contract (pyjl.dsp._kernels._speed_up): work
    # memory and data movement of the filters
    def empty(self, shape: tuple[int, int]) -> Array:
        out: Array = _module("dsp").empty_out(*shape)
        return out

    def reversed_rows(self, parts: list[Array], width: int) -> Array:
        out: Array = _module("dsp").reversed_rows(parts, width, _threads())
        return out

    def fftfilt(self, h: Array, x: Array) -> Array:
        y: Array = _module("dsp").fftfilt(h, x, _threads())
        return y

    def stft_frames(self, x: Array, window: Array, step: int, detrend: int = 0) -> Array:
        frames: Array = _module("dsp").stft_frames(x, window, int(step), int(detrend), _threads())
        return frames

    # --- end DSP ----------------------------------------------------------------
