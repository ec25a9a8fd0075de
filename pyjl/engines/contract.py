"""The engine contract: every kernel an engine provides, as Protocols.

An engine (``native``, ``julia``, ``cuda``) implements all of :class:`Engine`.
A kernel an engine lacks raises ``NotImplementedError`` naming the engine and
the kernel -- never a silent fallback to another engine.

Kernels trust their input: the family layer (``pyjl.gp``, ``pyjl.hmm``,
``pyjl.dsp``) validates at the public edge and hands kernels float64,
C-contiguous arrays of the shapes stated here (the ``cuda`` engine receives
and returns CuPy arrays of the same shapes).  Outputs are freshly allocated
unless a docstring says "in place".

Sections are per family; each family owns its section here and the matching
sections of ``native.py``, ``julia.py`` and ``cuda.py``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["EngineInfo", "GPKernels", "HMMKernels", "DSPKernels", "Engine", "KERNELS"]

Array = np.ndarray


class EngineInfo(Protocol):
    """What every engine tells about itself."""

    name: str

    def availability(self) -> tuple[bool, str]:
        """``(True, detail)`` when usable, else ``(False, why and how to fix)``."""
        ...


# --- GP kernels -------------------------------------------------------------
class GPKernels(Protocol):
    """Covariance kernels, Cholesky algebra and acquisition for Gaussian processes.

    ``kind`` names a stationary or dot-product kernel: ``"rbf"``, ``"matern12"``,
    ``"matern32"``, ``"matern52"``, ``"rq"``, ``"periodic"``.  ``X1`` is
    ``(n1, d)``, ``X2`` ``(n2, d)``; ``lengthscale`` is ``(d,)`` (a scalar
    lengthscale is broadcast by the caller); ``variance`` is a float;
    ``extra`` is a ``(m,)`` float64 array of the kind's other parameters
    (``rq``: ``[alpha]``; ``periodic``: ``[period]``; others: empty).
    """

    def kernel_matrix(self, kind: str, X1: Array, X2: Array, lengthscale: Array,
                      variance: float, extra: Array) -> Array:
        """``K[i, j] = k(X1[i], X2[j])``, shape ``(n1, n2)``."""
        ...

    def kernel_matrix_grad(self, kind: str, X: Array, lengthscale: Array,
                           variance: float, extra: Array) -> tuple[Array, Array]:
        """``(K, dK)``: ``K`` is ``(n, n)``; ``dK`` is ``(d + 1 + m, n, n)``, the
        derivatives of ``K`` with respect to ``log lengthscale[0..d-1]``,
        ``log variance`` and ``log extra[0..m-1]``, in that order."""
        ...

    def cholesky(self, K: Array, jitter: float) -> Array:
        """Lower Cholesky factor ``L`` of ``K + jitter * I`` (``(n, n)``).

        Raises ``numpy.linalg.LinAlgError`` when the matrix is not positive
        definite; the caller owns the jitter ladder."""
        ...

    def cho_solve(self, L: Array, B: Array) -> Array:
        """``(L L^T)^{-1} B`` for ``B`` of shape ``(n,)`` or ``(n, k)``."""
        ...

    def expected_improvement(self, mu: Array, sigma: Array, best: float, xi: float) -> Array:
        """EI for minimisation: ``E[max(best - xi - f, 0)]``, ``f ~ N(mu, sigma^2)``; ``(n,)``."""
        ...

    def log_expected_improvement(self, mu: Array, sigma: Array, best: float,
                                 xi: float) -> Array:
        """``log EI`` computed without underflow far from the incumbent; ``(n,)``."""
        ...
# --- end GP -----------------------------------------------------------------


# --- HMM kernels ------------------------------------------------------------
class HMMKernels(Protocol):
    """Forward-backward and Viterbi over one or many concatenated sequences.

    ``log_pi`` is ``(K,)``, ``log_A`` ``(K, K)`` (row = from-state),
    ``log_B`` ``(T, K)`` the emission log-likelihoods, ``lengths`` an int64
    ``(n_seq,)`` array summing to ``T``.
    """

    def forward_backward(self, log_pi: Array, log_A: Array, log_B: Array,
                         lengths: Array) -> tuple[Array, Array, Array]:
        """``(loglik (n_seq,), gamma (T, K), xi_sum (K, K))``: per-sequence
        log-likelihoods, state posteriors, and transition posteriors summed over
        time and sequences."""
        ...

    def viterbi(self, log_pi: Array, log_A: Array, log_B: Array,
                lengths: Array) -> tuple[Array, Array]:
        """``(path (T,) int64, logprob (n_seq,))``: the most likely state path of
        each sequence and its joint log-probability."""
        ...
# --- end HMM ----------------------------------------------------------------


# --- DSP kernels ------------------------------------------------------------
class DSPKernels(Protocol):
    """Filtering, resampling and framing along the last axis of ``(n_channels, n)``.

    The family layer moves the requested axis last and flattens the rest into
    channels, so every kernel sees a C-contiguous float64 (or float32 where
    stated) 2-D array.
    """

    def sosfilt(self, sos: Array, x: Array, zi: Array | None) -> tuple[Array, Array]:
        """Cascade of second-order sections ``sos (n_sections, 6)`` over
        ``x (n_channels, n)``; ``zi``/``zf`` are ``(n_channels, n_sections, 2)``."""
        ...

    def lfilter(self, b: Array, a: Array, x: Array, zi: Array | None) -> tuple[Array, Array]:
        """Direct-form II transposed filter; ``zi``/``zf`` are
        ``(n_channels, max(len(a), len(b)) - 1)``; ``a[0] == 1``."""
        ...

    def upfirdn(self, h: Array, x: Array, up: int, down: int) -> Array:
        """Upsample by ``up``, FIR filter with ``h``, downsample by ``down``;
        output ``(n_channels, ((n - 1) * up + len(h) - 1) // down + 1)``."""
        ...

    def fftfilt(self, h: Array, x: Array) -> Array:
        """Full linear convolution of each channel with ``h`` by overlap-add FFT;
        ``(n_channels, n + len(h) - 1)``."""
        ...

    def stft_frames(self, x: Array, window: Array, step: int) -> Array:
        """Windowed frames ``(n_channels, n_frames, len(window))`` with
        ``n_frames = (n - len(window)) // step + 1``; frame ``k`` is
        ``x[:, k*step : k*step + len(window)] * window``."""
        ...
# --- end DSP ----------------------------------------------------------------


@runtime_checkable
class Engine(EngineInfo, GPKernels, HMMKernels, DSPKernels, Protocol):
    """Everything an engine provides."""


def _kernel_names(*protocols: Any) -> tuple[str, ...]:
    names: list[str] = []
    for proto in protocols:
        for name, value in vars(proto).items():
            if callable(value) and not name.startswith("_"):
                names.append(name)
    return tuple(names)


#: The names of every kernel, family by family (used by parity checks).
KERNELS: dict[str, tuple[str, ...]] = {
    "gp": _kernel_names(GPKernels),
    "hmm": _kernel_names(HMMKernels),
    "dsp": _kernel_names(DSPKernels),
}
