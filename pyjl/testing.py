"""Conformance checks shipped to users: run them on your own plug-ins.

``check_kernel`` (a :class:`pyjl.gp.Kernel`), ``check_emission`` (a
:class:`pyjl.hmm.Emission`) and ``check_engine`` (an engine) raise
``AssertionError`` with a message saying what failed, and return quietly when
the object conforms.
"""

from __future__ import annotations

import copy

import numpy as np

__all__ = ["check_kernel", "check_emission"]


def check_kernel(kernel, X=None, *, eps=1e-6, rtol=1e-5, atol=1e-7, random_state=0):
    """Check a :class:`pyjl.gp.Kernel`: shapes of ``theta``/``bounds``, a finite
    symmetric positive semi-definite ``k(X)``, ``diag(X) == diag(k(X))``,
    ``gradient`` against central finite differences in ``theta`` (step ``eps``),
    and ``contract`` (when present) against the gradient tensor.

    ``X`` defaults to 12 random points in 2 dimensions (pass your own when the
    kernel needs a given number of features).  Returns the largest relative
    gradient error.

    >>> from pyjl.gp import Matern52, Periodic
    >>> err = check_kernel(2.0 * Matern52([0.5, 1.5]) * Periodic(1.0, period=3.0))
    >>> err < 1e-5
    True
    """
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-1.0, 1.0, (12, 2)) if X is None else np.ascontiguousarray(X, dtype=float)
    n = X.shape[0]
    name = type(kernel).__name__
    theta = np.asarray(kernel.theta, dtype=np.float64)
    bounds = np.asarray(kernel.bounds, dtype=np.float64)
    p = theta.size
    assert theta.ndim == 1, f"{name}.theta must be 1-D, got shape {theta.shape}"
    assert bounds.shape == (p, 2), f"{name}.bounds must be ({p}, 2), got {bounds.shape}"
    assert np.all(bounds[:, 0] <= bounds[:, 1]), f"{name}.bounds: a lower bound exceeds its upper"
    K = np.asarray(kernel(X), dtype=np.float64)
    assert K.shape == (n, n), f"{name}(X) must be ({n}, {n}), got {K.shape}"
    assert np.all(np.isfinite(K)), f"{name}(X) has non-finite entries"
    scale = max(1.0, float(np.max(np.abs(K))))
    assert np.allclose(K, K.T, rtol=0, atol=1e-12 * scale), f"{name}(X) is not symmetric"
    lam = np.linalg.eigvalsh(0.5 * (K + K.T))
    assert lam.min() >= -1e-8 * max(1.0, abs(lam).max()), \
        f"{name}(X) is not positive semi-definite (smallest eigenvalue {lam.min():.3g})"
    d = np.asarray(kernel.diag(X), dtype=np.float64)
    assert d.shape == (n,), f"{name}.diag(X) must be ({n},), got {d.shape}"
    assert np.allclose(d, np.diag(K), rtol=1e-10, atol=1e-12 * scale), \
        f"{name}.diag(X) differs from the diagonal of {name}(X)"
    K2 = np.asarray(kernel(X, X[:3]))
    assert K2.shape == (n, 3), f"{name}(X1, X2) must be (n1, n2), got {K2.shape}"
    Kg, dK = kernel.gradient(X)
    Kg, dK = np.asarray(Kg), np.asarray(dK)
    assert np.allclose(Kg, K, rtol=1e-10, atol=1e-12 * scale), \
        f"{name}.gradient(X)[0] differs from {name}(X)"
    assert dK.shape == (p, n, n), f"{name}.gradient(X)[1] must be ({p}, {n}, {n}), got {dK.shape}"
    worst = 0.0
    for q in range(p):
        hi, lo = copy.deepcopy(kernel), copy.deepcopy(kernel)
        step = np.zeros(p)
        step[q] = eps
        hi.theta, lo.theta = theta + step, theta - step
        fd = (np.asarray(hi(X)) - np.asarray(lo(X))) / (2 * eps)
        err = np.abs(fd - dK[q])
        tol = atol + rtol * np.abs(fd)
        names = getattr(kernel, "hyperparameter_names", None)
        label = names[q] if names else f"theta[{q}]"
        assert np.all(err <= tol), (f"{name}: gradient for {label} differs from finite "
                                    f"differences by {err.max():.3g}")
        worst = max(worst, float(np.max(err / (np.abs(fd) + atol))))
    assert np.allclose(np.asarray(kernel.theta), theta), f"{name}: checking changed theta"
    if hasattr(kernel, "contract"):
        W = rng.standard_normal((n, n))
        W = np.ascontiguousarray(W + W.T)
        got = np.asarray(kernel.contract(X, W))
        want = np.einsum("ij,qij->q", W, dK)
        assert np.allclose(got, want, rtol=1e-8, atol=1e-10 * scale * n * n), \
            f"{name}.contract(X, W) differs from sum(W * dK): {got} vs {want}"
    return worst


def check_emission(emission, *, n=4000, random_state=0, rtol=0.05):
    """Check a :class:`pyjl.hmm.Emission` whose parameters are set (the truth):
    ``log_likelihood`` shapes, each state's density normalises, ``sample`` draws
    follow the density, a weighted ``fit`` recovers the parameters (held-out
    log-likelihood within ``rtol`` nats/observation), and integer weights act
    as repeated rows.  Returns the measured discrepancies (a dict).

    >>> from pyjl.hmm import Normal
    >>> bool(check_emission(Normal(mean=[0.0, 3.0], var=[1.0, 0.5]))["normalisation"] < 1e-3)
    True
    """
    from .hmm._check import check_emission as _check
    return _check(emission, n=n, random_state=random_state, rtol=rtol)
