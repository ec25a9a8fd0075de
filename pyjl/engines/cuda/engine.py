"""The ``cuda`` engine: CuPy kernels on an NVIDIA GPU.

CuPy is an optional dependency, imported on first use; without it (or without
a device, or with a driver older than CuPy's CUDA) :meth:`CudaEngine.availability`
says why, and ``pyjl info`` prints it.  The adapters ``gp``, ``hmm``,
``emissions`` and ``dsp`` of this package run the kernels (CUDA C in the ``.cu``
files beside them through ``cupy.RawModule``, cuSOLVER and cuBLAS through
CuPy, ``cupyx.scipy.signal`` where it already does the job); all work in float64.

Array rule (one rule, every kernel):

* every array argument is moved to the device once: a CuPy array is used as
  it is, an object that speaks DLPack from a CUDA device (PyTorch or JAX GPU
  tensors) is wrapped by ``cupy.from_dlpack`` without a copy, anything else
  (NumPy, and what the family layer hands over from pandas/Arrow) is copied to
  the device with ``cupy.asarray``;
* if **any** array argument was already on the device, results are returned
  as CuPy arrays and stay there for the next kernel; if **all** were host
  arrays, results are copied back once and returned as NumPy arrays.

So the NumPy-based families (``pyjl.gp``, ``pyjl.hmm``, ``pyjl.dsp``) work
unchanged on this engine, and code that keeps its data in CuPy (or PyTorch)
never pays a host round trip.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np

from . import dsp as _dsp
from . import emissions as _emissions
from . import gp as _gp
from . import hmm as _hmm
from .common import cupy as _cupy

__all__ = ["CudaEngine", "is_device_array", "returns_device"]

#: DLPack device types that live on a CUDA GPU (kDLCUDA, kDLCUDAHost, kDLCUDAManaged).
_DLPACK_CUDA = (2, 3, 13)


def is_device_array(obj: Any) -> bool:
    """Whether ``obj`` already lives on a CUDA device (CuPy, or DLPack from CUDA).

    >>> is_device_array(np.zeros(3))
    False
    """
    if obj is None or isinstance(obj, (np.ndarray, np.generic, int, float, str)):
        return False
    if type(obj).__module__.split(".")[0] == "cupy":
        return True
    dev = getattr(obj, "__dlpack_device__", None)
    if dev is None:
        return False
    try:
        return int(dev()[0]) in _DLPACK_CUDA
    except Exception:  # an exotic array whose device query fails is treated as host
        return False


def returns_device(*args: Any) -> bool:
    """The output rule: CuPy out when any argument is a device array, else NumPy.

    >>> returns_device(np.zeros(2), None, 1.5)
    False
    """
    return any(is_device_array(a) for a in args)


class _IO:
    """Moves arguments to the device once and results back by the array rule."""

    def __init__(self, *args: Any) -> None:
        self.device = returns_device(*args)
        self.cp = _cupy()

    def __call__(self, obj: Any, dtype: Any = np.float64) -> Any:
        if obj is None:
            return None
        cp = self.cp
        if isinstance(obj, cp.ndarray):
            return cp.ascontiguousarray(obj, dtype=dtype)
        if is_device_array(obj):
            return cp.ascontiguousarray(cp.from_dlpack(obj), dtype=dtype)
        return cp.asarray(np.ascontiguousarray(obj, dtype=dtype))

    @overload
    def out(self, result: tuple[Any, ...]) -> tuple[Any, ...]: ...

    @overload
    def out(self, result: Any) -> Any: ...

    def out(self, result: Any) -> Any:
        """``result`` (an array or a tuple of arrays) on the side the array rule says."""
        if isinstance(result, tuple):
            return tuple(self.out(r) for r in result)
        if self.device or not isinstance(result, self.cp.ndarray):
            return result
        return self.cp.asnumpy(result)


def _host_int(obj: Any) -> np.ndarray:
    if type(obj).__module__.split(".")[0] == "cupy":
        obj = obj.get()
    elif is_device_array(obj):
        obj = _cupy().asnumpy(_cupy().from_dlpack(obj))
    return np.ascontiguousarray(obj, dtype=np.int64)


class CudaEngine:
    """GPU kernels through CuPy (see the module docstring for the array rule)."""

    name = "cuda"
    _ready: tuple[bool, str] | None = None  # a positive answer is kept (devices stay)

    def availability(self) -> tuple[bool, str]:
        if self._ready is not None:
            return self._ready
        try:
            cp = _cupy()
        except ImportError as exc:
            return False, (
                f"CuPy is not installed ({exc}); install the wheel matching your "
                "driver's CUDA version, e.g. `pip install cupy-cuda12x` "
                "(`nvidia-smi` shows it)"
            )
        except Exception as exc:  # a broken CuPy install raises more than ImportError
            return False, f"CuPy failed to import ({type(exc).__name__}: {exc})"
        try:
            count = cp.cuda.runtime.getDeviceCount()
        except Exception as exc:  # CUDA driver/runtime errors come in many types
            return False, (
                f"CuPy {cp.__version__} found no usable CUDA device "
                f"({type(exc).__name__}: {exc}); check `nvidia-smi` and that the "
                "CuPy wheel's CUDA major version is not newer than the driver's"
            )
        if count < 1:
            return False, "CuPy is installed but no CUDA device is visible"
        try:
            name = cp.cuda.runtime.getDeviceProperties(0)["name"]
            name = name.decode() if isinstance(name, bytes) else name
            drv = cp.cuda.runtime.driverGetVersion()
            rt = cp.cuda.runtime.runtimeGetVersion()
        except Exception as exc:
            return False, f"CuPy cannot query device 0 ({type(exc).__name__}: {exc})"
        self._ready = (
            True,
            f"{count} device(s), device 0: {name}; CuPy {cp.__version__}, "
            f"CUDA runtime {rt // 1000}.{rt % 1000 // 10}, "
            f"driver {drv // 1000}.{drv % 1000 // 10}",
        )
        return self._ready

    def synchronize(self) -> None:
        """Wait for every kernel queued on the current device (for timing)."""
        _cupy().cuda.Device().synchronize()

    # --- GP kernels -------------------------------------------------------------
    def kernel_matrix(
        self, kind: str, X1: Any, X2: Any, lengthscale: Any, variance: float, extra: Any
    ) -> Any:
        io = _IO(X1, X2, lengthscale, extra)
        A = io(X1)
        B = A if X2 is X1 or X2 is None else io(X2)
        return io.out(_gp.kernel_matrix(kind, A, B, io(lengthscale), float(variance), io(extra)))

    def kernel_matrix_grad(
        self, kind: str, X: Any, lengthscale: Any, variance: float, extra: Any
    ) -> tuple[Any, Any]:
        io = _IO(X, lengthscale, extra)
        return io.out(
            _gp.kernel_matrix_grad(kind, io(X), io(lengthscale), float(variance), io(extra))
        )

    def kernel_grad_contract(
        self, kind: str, X: Any, lengthscale: Any, variance: float, extra: Any, W: Any
    ) -> Any:
        io = _IO(X, lengthscale, extra, W)
        return io.out(
            _gp.kernel_grad_contract(
                kind, io(X), io(lengthscale), float(variance), io(extra), io(W)
            )
        )

    def kernel_matvec(
        self, kind: str, X1: Any, X2: Any, lengthscale: Any, variance: float, extra: Any, V: Any
    ) -> Any:
        io = _IO(X1, X2, lengthscale, extra, V)
        A = io(X1)
        B = A if X2 is X1 or X2 is None else io(X2)
        return io.out(
            _gp.kernel_matvec(kind, A, B, io(lengthscale), float(variance), io(extra), io(V))
        )

    def kernel_grad_quad(
        self, kind: str, X: Any, lengthscale: Any, variance: float, extra: Any, U: Any, V: Any
    ) -> Any:
        io = _IO(X, lengthscale, extra, U, V)
        return io.out(
            _gp.kernel_grad_quad(
                kind, io(X), io(lengthscale), float(variance), io(extra), io(U), io(V)
            )
        )

    def cholesky(self, K: Any, jitter: float) -> Any:
        io = _IO(K)
        return io.out(_gp.cholesky(io(K), float(jitter)))

    def cho_inverse(self, L: Any) -> Any:
        io = _IO(L)
        return io.out(_gp.cho_inverse(io(L)))

    def cho_solve(self, L: Any, B: Any) -> Any:
        io = _IO(L, B)
        return io.out(_gp.cho_solve(io(L), io(B)))

    def expected_improvement(self, mu: Any, sigma: Any, best: float, xi: float) -> Any:
        io = _IO(mu, sigma)
        return io.out(_gp.expected_improvement(io(mu), io(sigma), float(best), float(xi)))

    def log_expected_improvement(self, mu: Any, sigma: Any, best: float, xi: float) -> Any:
        io = _IO(mu, sigma)
        return io.out(_gp.log_expected_improvement(io(mu), io(sigma), float(best), float(xi)))

    # --- end GP -----------------------------------------------------------------

    # --- HMM kernels ------------------------------------------------------------
    def forward_backward(
        self, log_pi: Any, log_A: Any, log_B: Any, lengths: Any
    ) -> tuple[Any, Any, Any]:
        io = _IO(log_pi, log_A, log_B)
        return io.out(_hmm.forward_backward(io(log_pi), io(log_A), io(log_B), _host_int(lengths)))

    def forward(self, log_pi: Any, log_A: Any, log_B: Any, lengths: Any) -> Any:
        # the log-likelihoods of forward-backward (a forward-only CuPy kernel may replace it)
        return self.forward_backward(log_pi, log_A, log_B, lengths)[0]

    def forward_backward_log(
        self, log_pi: Any, log_A: Any, log_B: Any, lengths: Any
    ) -> tuple[Any, Any, Any]:
        # the recursions here are in log space already (hmm.cu); the contract's zero
        # posteriors for a sequence of probability zero, and xi_sum without it
        ll, gamma, xi = self.forward_backward(log_pi, log_A, log_B, lengths)
        cp = _cupy()
        dead = np.isneginf(cp.asnumpy(ll))
        if not dead.any():
            return ll, gamma, xi
        lens = _host_int(lengths)
        rows = np.repeat(dead, lens)
        gamma[cp.get_array_module(gamma).asarray(rows)] = 0.0
        if dead.all():
            return ll, gamma, xi * 0.0
        io = _IO(log_pi, log_A, log_B)
        lb = io(log_B)[cp.asarray(~rows)]
        kept = self.forward_backward(io(log_pi), io(log_A), lb, lens[~dead])[2]
        return ll, gamma, io.out(kept)

    def forward_log(self, log_pi: Any, log_A: Any, log_B: Any, lengths: Any) -> Any:
        return self.forward(log_pi, log_A, log_B, lengths)

    def viterbi(self, log_pi: Any, log_A: Any, log_B: Any, lengths: Any) -> tuple[Any, Any]:
        io = _IO(log_pi, log_A, log_B)
        return io.out(_hmm.viterbi(io(log_pi), io(log_A), io(log_B), _host_int(lengths)))

    def gaussian_loglik(self, X: Any, mean: Any, var: Any) -> Any:
        io = _IO(X, mean, var)
        return io.out(_emissions.gaussian_loglik(io(X), io(mean), io(var)))

    def weighted_moments(self, X: Any, W: Any, shift: Any) -> tuple[Any, Any, Any]:
        io = _IO(X, W, shift)
        return io.out(_emissions.weighted_moments(io(X), io(W), io(shift)))

    def gaussian_estep(
        self, log_pi: Any, log_A: Any, X: Any, mean: Any, var: Any, shift: Any, lengths: Any
    ) -> tuple[Any, ...]:
        # whole-batch composition: device memory, not host memory, holds the (T, K) arrays
        io = _IO(log_pi, log_A, X, mean, var, shift)
        lens, Xd = _host_int(lengths), io(X)
        log_B = _emissions.gaussian_loglik(Xd, io(mean), io(var))
        loglik, gamma, xi = _hmm.forward_backward(io(log_pi), io(log_A), log_B, lens)
        first = np.concatenate([[0], np.cumsum(lens)[:-1]])
        start = gamma[io(first, np.int64)].sum(axis=0)
        moments = _emissions.weighted_moments(Xd, gamma, io(shift))
        return io.out((loglik, start, xi) + tuple(moments))

    def gaussian_forward(
        self, log_pi: Any, log_A: Any, X: Any, mean: Any, var: Any, lengths: Any
    ) -> Any:
        # composed: the (T, K) log-densities live in device memory
        io = _IO(log_pi, log_A, X, mean, var)
        log_B = _emissions.gaussian_loglik(io(X), io(mean), io(var))
        loglik = _hmm.forward_backward(io(log_pi), io(log_A), log_B, _host_int(lengths))[0]
        return io.out(loglik)

    def gaussian_viterbi(
        self, log_pi: Any, log_A: Any, X: Any, mean: Any, var: Any, lengths: Any
    ) -> tuple[Any, Any]:
        io = _IO(log_pi, log_A, X, mean, var)
        log_B = _emissions.gaussian_loglik(io(X), io(mean), io(var))
        return io.out(_hmm.viterbi(io(log_pi), io(log_A), log_B, _host_int(lengths)))

    # --- end HMM ----------------------------------------------------------------

    # --- DSP kernels ------------------------------------------------------------
    def sosfilt(self, sos: Any, x: Any, zi: Any) -> tuple[Any, Any]:
        io = _IO(sos, x, zi)
        return io.out(_dsp.sosfilt(io(sos), io(x), io(zi)))

    def lfilter(self, b: Any, a: Any, x: Any, zi: Any) -> tuple[Any, Any]:
        io = _IO(b, a, x, zi)
        return io.out(_dsp.lfilter(io(b), io(a), io(x), io(zi)))

    def upfirdn(self, h: Any, x: Any, up: int, down: int) -> Any:
        io = _IO(h, x)
        return io.out(_dsp.upfirdn(io(h), io(x), int(up), int(down)))

    def fftfilt(self, h: Any, x: Any) -> Any:
        io = _IO(h, x)
        return io.out(_dsp.fftfilt(io(h), io(x)))

    def stft_frames(self, x: Any, window: Any, step: int, detrend: int = 0) -> Any:
        io = _IO(x, window)
        return io.out(_dsp.stft_frames(io(x), io(window), int(step), int(detrend)))

    # --- end DSP ----------------------------------------------------------------
