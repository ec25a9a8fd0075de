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
sections of ``native.py``, ``julia.py`` and ``cuda/engine.py``.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "EngineInfo",
    "GPKernels",
    "HMMKernels",
    "DSPKernels",
    "Engine",
    "KERNELS",
    "GPKind",
    "GP_KINDS",
    "gp_kind_code",
    "gp_args",
]

Array = np.ndarray


class GPKind(NamedTuple):
    """One stationary kernel kind of the engine contract.

    Attributes
    ----------
    name : str
        The ``kind`` string the family layer passes to the kernels.
    extra : tuple of str
        Names of the kind's own parameters, in the order of the ``extra`` array.
    example_extra : tuple of float
        Values of those parameters for conformance cases (:mod:`pyjl.testing`).
    """

    name: str
    extra: tuple[str, ...] = ()
    example_extra: tuple[float, ...] = ()


#: Every GP kernel kind, once.  The position is the integer code the compiled
#: kernels use (``bindings/include``, the ``.cu`` sources, ``julia_src``); tests
#: check that each language's list agrees with this one.
GP_KINDS: tuple[GPKind, ...] = (
    GPKind("rbf"),
    GPKind("matern12"),
    GPKind("matern32"),
    GPKind("matern52"),
    GPKind("rq", ("alpha",), (0.8,)),
    GPKind("periodic", ("period",), (1.3,)),
)


def gp_kind_code(kind: str, extra: Array | None = None) -> int:
    """The integer code of a GP kernel kind (its position in :data:`GP_KINDS`).

    Raises ``ValueError`` for an unknown kind, or for ``extra`` (where given) without
    one value per parameter of the kind (the compiled kernels would read a period or an
    alpha of 0 from an empty array; the family layer never passes either).

    Examples
    --------
    >>> gp_kind_code("matern32")
    2
    >>> gp_kind_code("periodic", [])
    Traceback (most recent call last):
    ...
    ValueError: kernel kind 'periodic' takes extra = [period]; got 0 value(s)
    """
    for code, k in enumerate(GP_KINDS):
        if k.name == kind:
            if extra is not None and len(extra) != len(k.extra):
                raise ValueError(
                    f"kernel kind {kind!r} takes extra = [{', '.join(k.extra)}]; "
                    f"got {len(extra)} value(s)"
                )
            return code
    raise ValueError(f"unknown kernel kind {kind!r}; one of {[k.name for k in GP_KINDS]}")


def gp_args(
    kind: str,
    X1: Array,
    X2: Array | None,
    lengthscale: Array,
    extra: Array,
    *,
    U: Array | None = None,
    V: Array | None = None,
    W: Array | None = None,
) -> int:
    """:func:`gp_kind_code` after the shape checks the engines' compiled loops rely on
    (they index by these shapes and would read past an array): points ``(n, d)`` (``X2``
    as wide as ``X1``; ``None``: ``X1``), one lengthscale or ``d``, and ``V`` with one row
    per point of ``X2`` (``U``, where given, ``V``'s shape), ``W`` ``(n, n)``.
    ``ValueError`` naming the array; the family layer never trips one.

    Examples
    --------
    >>> import numpy as np
    >>> gp_args("rbf", np.ones((3, 2)), None, np.ones(1), np.empty(0), V=np.ones((3, 4)))
    0
    >>> gp_args("rbf", np.ones((3, 2)), np.ones((5, 2)), np.ones(1), np.empty(0),
    ...         V=np.ones((3, 4)))
    Traceback (most recent call last):
    ...
    ValueError: V must have one row per point of X2 (5); got shape (3, 4)
    """
    code = gp_kind_code(kind, extra)
    x1 = np.shape(X1)
    if len(x1) != 2:
        raise ValueError(f"X1 must be 2-D (n, d); got shape {x1}")
    x2 = x1 if X2 is None else np.shape(X2)
    if len(x2) != 2 or x2[1] != x1[1]:
        raise ValueError(f"X2 must be 2-D with X1's {x1[1]} columns; got shape {x2}")
    nls = np.shape(lengthscale)
    if len(nls) != 1 or nls[0] not in (1, x1[1]):
        raise ValueError(f"lengthscale must have 1 or d={x1[1]} entries; got shape {nls}")
    if V is not None:
        v = np.shape(V)
        if len(v) != 2 or v[0] != x2[0]:
            raise ValueError(f"V must have one row per point of X2 ({x2[0]}); got shape {v}")
        if U is not None and np.shape(U) != v:
            raise ValueError(f"U must have V's shape {v}; got shape {np.shape(U)}")
    if W is not None and np.shape(W) != (x1[0], x1[0]):
        raise ValueError(
            f"W must be ({x1[0]}, {x1[0]}), one row and column per point of X; "
            f"got shape {np.shape(W)}"
        )
    return code


class EngineInfo(Protocol):
    """What every engine tells about itself."""

    name: str

    def availability(self) -> tuple[bool, str]:
        """``(True, detail)`` when usable, else ``(False, why and how to fix)``."""
        ...


# --- GP kernels -------------------------------------------------------------
class GPKernels(Protocol):
    """Covariance kernels, Cholesky algebra and acquisition for Gaussian processes.

    ``kind`` names a stationary kernel of :data:`GP_KINDS` (``"rbf"``,
    ``"matern12"``, ``"matern32"``, ``"matern52"``, ``"rq"``, ``"periodic"``).  ``X1`` is
    ``(n1, d)``, ``X2`` ``(n2, d)``; ``lengthscale`` is ``(d,)`` (ARD) or
    ``(1,)`` (isotropic); ``variance`` is a float; ``extra`` is a ``(m,)``
    float64 array of the kind's other parameters (``rq``: ``[alpha]``;
    ``periodic``: ``[period]``; others: empty).  The log-parameters are ordered
    ``log lengthscale[0..len-1]``, ``log variance``, ``log extra[0..m-1]``
    (``p = len(lengthscale) + 1 + m`` of them).  ``periodic`` is
    ``variance exp(-2 sum_k sin^2(pi (x_k - x'_k) / period) / l_k^2)``.
    """

    def kernel_matrix(
        self, kind: str, X1: Array, X2: Array, lengthscale: Array, variance: float, extra: Array
    ) -> Array:
        """``K[i, j] = k(X1[i], X2[j])``, shape ``(n1, n2)``."""
        ...

    def kernel_matrix_grad(
        self, kind: str, X: Array, lengthscale: Array, variance: float, extra: Array
    ) -> tuple[Array, Array]:
        """``(K, dK)``: ``K`` is ``(n, n)``; ``dK`` is ``(p, n, n)``, the
        derivatives of ``K`` with respect to ``log lengthscale[...]``,
        ``log variance`` and ``log extra[0..m-1]``, in that order."""
        ...

    def kernel_grad_contract(
        self, kind: str, X: Array, lengthscale: Array, variance: float, extra: Array, W: Array
    ) -> Array:
        """``g[q] = sum_ij W[i, j] dK[i, j] / dlog-param[q]`` for a symmetric ``W``
        ``(n, n)``; ``(p,)``.  The likelihood gradient without a ``(p, n, n)`` tensor."""
        ...

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
        """``R = K(X1, X2) @ V``, matrix-free: ``R[i, c] = sum_j k(X1[i], X2[j]) V[j, c]``.

        ``V`` is ``(n2, k)`` with ``k >= 1`` (the family layer reshapes a vector to
        ``(n2, 1)``); ``R`` is a fresh ``(n1, k)``.  Memory ``O((n1 + n2) (d + k))``
        plus per-thread tiles: the ``(n1, n2)`` matrix is never formed."""
        ...

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
        """``g[q] = sum_c U[:, c]^T (dK / dlog-param[q]) V[:, c]`` with ``K = K(X, X)``;
        ``U`` and ``V`` are ``(n, k)``, ``g`` is ``(p,)`` in the log-parameter order of
        :meth:`kernel_matrix_grad`.  The trace terms of an iterative likelihood
        gradient (``U = V``: ``y``-solves, ``U != V``: probes and their solves);
        memory ``O(n (d + k))``, no ``(p, n, n)`` tensor and no ``(n, n)`` matrix."""
        ...

    def cholesky(self, K: Array, jitter: float) -> Array:
        """Lower Cholesky factor ``L`` of ``K + jitter * I`` (``(n, n)``).

        Raises ``numpy.linalg.LinAlgError`` when the matrix is not positive
        definite; the caller owns the jitter ladder."""
        ...

    def cho_solve(self, L: Array, B: Array) -> Array:
        """``(L L^T)^{-1} B`` for ``B`` of shape ``(n,)`` or ``(n, k)``."""
        ...

    def cho_inverse(self, L: Array) -> Array:
        """``(L L^T)^{-1}``, the full symmetric ``(n, n)`` inverse from the lower factor."""
        ...

    def expected_improvement(self, mu: Array, sigma: Array, best: float, xi: float) -> Array:
        """EI for minimisation: ``E[max(best - xi - f, 0)]``, ``f ~ N(mu, sigma^2)``; ``(n,)``."""
        ...

    def log_expected_improvement(self, mu: Array, sigma: Array, best: float, xi: float) -> Array:
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

    def forward_backward(
        self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array
    ) -> tuple[Array, Array, Array]:
        """``(loglik (n_seq,), gamma (T, K), xi_sum (K, K))``: per-sequence
        log-likelihoods, state posteriors, and transition posteriors summed over
        time and sequences."""
        ...

    def forward(self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array) -> Array:
        """``loglik (n_seq,)``: per-sequence log-likelihoods from the forward pass
        alone (no posteriors; what scoring needs)."""
        ...

    def forward_backward_log(
        self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array
    ) -> tuple[Array, Array, Array]:
        """:meth:`forward_backward` with the forward and backward variables kept as
        logarithms, so that no state's share is rounded away: exact where the scaled
        recursion loses a state the chain has left behind (a zero transition probability
        back into it, and a forward probability ~745 nats below the others').  A sequence
        of probability zero gets zero posteriors and adds nothing to ``xi_sum``."""
        ...

    def forward_log(self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array) -> Array:
        """``loglik (n_seq,)`` of :meth:`forward` in log space (see
        :meth:`forward_backward_log`)."""
        ...

    def viterbi(
        self, log_pi: Array, log_A: Array, log_B: Array, lengths: Array
    ) -> tuple[Array, Array]:
        """``(path (T,) int64, logprob (n_seq,))``: the most likely state path of
        each sequence and its joint log-probability."""
        ...

    def gaussian_loglik(self, X: Array, mean: Array, var: Array) -> Array:
        """Diagonal-Gaussian log-densities ``(T, K)``: ``X (T, d)``, ``mean`` and
        ``var`` ``(K, d)``; ``out[t, k] = sum_j log N(X[t, j]; mean[k, j], var[k, j])``."""
        ...

    def weighted_moments(self, X: Array, W: Array, shift: Array) -> tuple[Array, Array, Array]:
        """``(N (K,), S1 (K, d), S2 (K, d))`` for ``X (T, d)``, weights ``W (T, K)``
        and ``shift (d,)``: ``N = W.sum(0)``, ``S1 = W.T @ (X - shift)``,
        ``S2 = W.T @ (X - shift)**2`` (the sufficient statistics of Gaussian,
        Poisson and exponential emissions)."""
        ...

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
        """The E-step of a diagonal-Gaussian HMM in one call: ``(loglik (n_seq,),
        start (K,), xi_sum (K, K), N (K,), S1 (K, d), S2 (K, d))`` where ``loglik, gamma,
        xi_sum = forward_backward(log_pi, log_A, gaussian_loglik(X, mean, var), lengths)``,
        ``start`` sums ``gamma`` over the first row of every sequence and ``N, S1, S2 =
        weighted_moments(X, gamma, shift)``.  An engine may stream sequence by sequence
        so that no ``(T, K)`` array is ever held."""
        ...

    def gaussian_forward(
        self, log_pi: Array, log_A: Array, X: Array, mean: Array, var: Array, lengths: Array
    ) -> Array:
        """``loglik (n_seq,)`` of a diagonal-Gaussian HMM: ``forward(log_pi, log_A,
        gaussian_loglik(X, mean, var), lengths)`` (``X (T, d)``, ``mean`` and ``var``
        ``(K, d)``) in one call; an engine may compute the log-densities inside the
        recursion so that no ``(T, K)`` array is held."""
        ...

    def gaussian_viterbi(
        self, log_pi: Array, log_A: Array, X: Array, mean: Array, var: Array, lengths: Array
    ) -> tuple[Array, Array]:
        """``(path (T,) int64, logprob (n_seq,))`` of a diagonal-Gaussian HMM:
        ``viterbi(log_pi, log_A, gaussian_loglik(X, mean, var), lengths)`` in one call,
        under the same terms as :meth:`gaussian_forward`."""
        ...


# --- end HMM ----------------------------------------------------------------


# --- DSP kernels ------------------------------------------------------------
class DSPKernels(Protocol):
    """Filtering, resampling and framing along the last axis of ``(n_channels, n)``.

    The family layer (``pyjl.dsp``) moves the requested axis last, folds the
    other axes into channels, splits complex data into real and imaginary
    parts and casts to float64, so every kernel sees C-contiguous float64
    arrays: ``x`` is ``(n_channels, n)`` with ``n >= 0``; coefficient vectors
    are 1-D.  Results are freshly allocated float64 (float32 outputs are cast
    back by the family layer).  Channels are independent (engines may run
    them in parallel).  Julia receives ``x`` as an ``(n, n_channels)`` matrix
    (one channel per column) and returns results in the same orientation.
    """

    def sosfilt(self, sos: Array, x: Array, zi: Array | None) -> tuple[Array, Array]:
        """Cascade of second-order sections ``sos (n_sections, 6)`` (rows
        ``b0 b1 b2 1 a1 a2``, stable) over ``x (n_channels, n)``, direct form II
        transposed per section; ``zi`` (``None`` = zeros) and the returned ``zf``
        are ``(n_channels, n_sections, 2)``.  Returns ``(y (n_channels, n), zf)``."""
        ...

    def lfilter(self, b: Array, a: Array, x: Array, zi: Array | None) -> tuple[Array, Array]:
        """Direct-form II transposed filter ``b(z)/a(z)`` with ``a[0] == 1``
        (the caller normalises); ``len(a) == 1`` is an FIR convolution.  ``zi``
        (``None`` = zeros) and ``zf`` are ``(n_channels, max(len(a), len(b)) - 1)``.
        Returns ``(y (n_channels, n), zf)``."""
        ...

    def upfirdn(self, h: Array, x: Array, up: int, down: int) -> Array:
        """Upsample by ``up``, FIR filter with ``h``, downsample by ``down``:
        ``y[i] = sum_k h[k] xu[i*down - k]`` with ``xu[m] = x[m/up]`` when
        ``up | m``; output ``(n_channels, ((n - 1) * up + len(h) - 1) // down + 1)``
        (``n >= 1``)."""
        ...

    def fftfilt(self, h: Array, x: Array) -> Array:
        """Full linear convolution of each channel with ``h`` (overlap-add FFT where
        the engine has an FFT); ``(n_channels, n + len(h) - 1)``."""
        ...

    def stft_frames(self, x: Array, window: Array, step: int, detrend: int = 0) -> Array:
        """Windowed frames ``(n_channels, n_frames, L)``, ``L = len(window)``,
        ``n_frames = (n - L) // step + 1`` (0 if ``n < L``): frame ``k`` is
        ``detrend(x[:, k*step : k*step + L]) * window`` where ``detrend`` is 0
        (none), 1 (subtract the frame mean) or 2 (subtract the least-squares line)."""
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
