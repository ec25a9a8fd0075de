"""The native HMM kernels check the shapes of their layout contract (O(1), a ValueError)
at every entry point: inconsistent ``log_pi``/``log_A``/``lengths``/Gaussian parameters
are refused before any array is read out of bounds, whoever the caller."""

from __future__ import annotations

import numpy as np
import pytest

native = pytest.importorskip("pyjl._native.hmm", reason="the native HMM kernels are not built")
K, T = 2, 12
LP, LA = np.log(np.full(K, 0.5)), np.log(np.full((K, K), 0.5))
LB = np.zeros((T, K))
ONE = np.array([T], dtype=np.int64)
XS, M, V, SH = np.zeros((T, 1)), np.zeros((K, 1)), np.ones((K, 1)), np.zeros(1)
KERNELS = {
    "forward_backward pi": lambda: native.forward_backward(LP[:1], LA, LB, ONE),
    "forward_backward A": lambda: native.forward_backward(LP, LA[:1].copy(), LB, ONE),
    "forward_backward lengths": lambda: native.forward_backward(
        LP, LA, LB, np.array([T + 4], np.int64)
    ),
    "forward_backward negative": lambda: native.forward_backward(
        LP, LA, LB, np.array([-4, T + 4], np.int64)
    ),
    "forward pi": lambda: native.forward(LP[:1], LA, LB, ONE),
    "forward lengths": lambda: native.forward(LP, LA, LB, np.array([T, 1], np.int64)),
    "viterbi A": lambda: native.viterbi(LP, LA[:, :1].copy(), LB, ONE),
    "viterbi lengths": lambda: native.viterbi(LP, LA, LB, np.array([T + 1], np.int64)),
    "gaussian_forward var": lambda: native.gaussian_forward(LP, LA, XS, M, V[:1].copy(), ONE),
    "gaussian_viterbi pi": lambda: native.gaussian_viterbi(LP[:1], LA, XS, M, V, ONE),
    "gaussian_estep shift": lambda: native.gaussian_estep(LP, LA, XS, M, V, np.zeros(2), ONE),
    "gaussian_estep lengths": lambda: native.gaussian_estep(
        LP, LA, XS, M, V, SH, np.array([T + 1], np.int64)
    ),
    "gaussian_loglik d": lambda: native.gaussian_loglik(np.zeros((T, 2)), M, V),
    "weighted_moments rows": lambda: native.weighted_moments(XS, np.zeros((T - 1, K)), SH),
}


@pytest.mark.parametrize("kernel", list(KERNELS))
def test_native_kernels_refuse_inconsistent_shapes(kernel):
    with pytest.raises(ValueError, match="must"):
        KERNELS[kernel]()
