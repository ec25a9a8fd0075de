"""Conformance checks shipped to users: run them on your own plug-ins.

``check_kernel`` (a :class:`pyjl.gp.Kernel`), ``check_emission`` (a
:class:`pyjl.hmm.Emission`) and ``check_engine`` (an engine) raise
``AssertionError`` with a message saying what failed, and return quietly when
the object conforms.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from .engines.contract import GP_KINDS

__all__ = ["check_kernel", "check_emission", "check_engine", "engine_cases"]


def _gradient_error(kernel, X, dK, eps, rtol, atol) -> float:
    """The largest relative error of ``dK`` (``gradient(X)[1]`` at ``kernel.theta``)
    against central finite differences; asserts each is within ``atol + rtol |fd|``."""
    from .gp.interface import names

    theta = np.asarray(kernel.theta, dtype=np.float64)
    name, worst = type(kernel).__name__, 0.0
    for q in range(theta.size):
        hi, lo = copy.deepcopy(kernel), copy.deepcopy(kernel)
        step = np.zeros(theta.size)
        step[q] = eps
        hi.theta, lo.theta = theta + step, theta - step
        fd = (np.asarray(hi(X)) - np.asarray(lo(X))) / (2 * eps)
        err = np.abs(fd - dK[q])
        assert np.all(err <= atol + rtol * np.abs(fd)), (
            f"{name}: gradient for {names(kernel)[q]} differs from finite differences by "
            f"{err.max():.3g} at theta = {np.round(theta, 4).tolist()}"
        )
        worst = max(worst, float(np.max(err / (np.abs(fd) + atol))))
    return worst


def check_kernel(kernel, X=None, *, eps=1e-6, rtol=1e-5, atol=1e-7, random_state=0):
    """Check a :class:`pyjl.gp.Kernel`: shapes of ``theta``/``bounds``, a finite
    symmetric positive semi-definite ``k(X)``, ``diag(X) == diag(k(X))``, ``k(X1, X2)``
    of distinct points against the block of ``k(X)``, ``gradient`` against central
    finite differences in ``theta`` (step ``eps``; tolerance ``atol`` relative to
    ``max |k(X)|`` plus ``rtol``) at the kernel's ``theta`` and at another inside its
    bounds, and ``contract`` (when present) against the gradient tensor.

    ``X`` defaults to 12 random points in 2 dimensions (pass your own when the
    kernel needs a given number of features).  Returns the largest relative
    gradient error at the kernel's ``theta``.

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
    assert lam.min() >= -1e-8 * max(1.0, abs(lam).max()), (
        f"{name}(X) is not positive semi-definite (smallest eigenvalue {lam.min():.3g})"
    )
    d = np.asarray(kernel.diag(X), dtype=np.float64)
    assert d.shape == (n,), f"{name}.diag(X) must be ({n},), got {d.shape}"
    assert np.allclose(d, np.diag(K), rtol=1e-10, atol=1e-12 * scale), (
        f"{name}.diag(X) differs from the diagonal of {name}(X)"
    )
    K2 = np.asarray(kernel(X, X[:3]))
    assert K2.shape == (n, 3), f"{name}(X1, X2) must be (n1, n2), got {K2.shape}"
    # between distinct points (a White kernel's k(X1, X2) is 0 by definition, its k(X) not)
    assert n < 6 or np.allclose(
        np.asarray(kernel(X[:3], X[3:6])), K[:3, 3:6], rtol=1e-10, atol=1e-12 * scale
    ), (
        f"{name}(X1, X2) differs from the block of {name}(X) for the same points: the "
        "cross-covariance that prediction uses is not the kernel's"
    )
    Kg, dK = kernel.gradient(X)
    Kg, dK = np.asarray(Kg), np.asarray(dK)
    assert np.allclose(Kg, K, rtol=1e-10, atol=1e-12 * scale), (
        f"{name}.gradient(X)[0] differs from {name}(X)"
    )
    assert dK.shape == (p, n, n), f"{name}.gradient(X)[1] must be ({p}, {n}, {n}), got {dK.shape}"
    # at the kernel's theta and at another inside its bounds (a derivative in l instead of
    # log l agrees where l = 1, the default of most kernels)
    worst = _gradient_error(kernel, X, dK, eps, rtol, atol * (float(np.max(np.abs(K))) or 1.0))
    other = copy.deepcopy(kernel)
    lo_b, hi_b = np.clip(bounds[:, 0], theta - 1.0, None), np.clip(bounds[:, 1], None, theta + 1.0)
    other.theta = lo_b + rng.uniform(0.2, 0.8, p) * (hi_b - lo_b)
    dK_other = np.asarray(other.gradient(X)[1])
    scale_other = float(np.max(np.abs(np.asarray(other(X))))) or 1.0
    _gradient_error(other, X, dK_other, eps, rtol, atol * scale_other)
    assert np.allclose(np.asarray(kernel.theta), theta), f"{name}: checking changed theta"
    if hasattr(kernel, "contract"):
        W = rng.standard_normal((n, n))
        W = np.ascontiguousarray(W + W.T)
        got = np.asarray(kernel.contract(X, W))
        want = np.einsum("ij,qij->q", W, dK)
        assert np.allclose(got, want, rtol=1e-8, atol=1e-10 * scale * n * n), (
            f"{name}.contract(X, W) differs from sum(W * dK): {got} vs {want}"
        )
    tol = 1e-10 * scale * n
    if hasattr(kernel, "matvec"):
        V = rng.standard_normal((n, 3))
        assert np.allclose(kernel.matvec(X, None, V), K @ V, rtol=1e-9, atol=tol), (
            f"{name}.matvec(X, None, V) differs from {name}(X) @ V"
        )
        want_rows = np.asarray(kernel(X[:3], X)) @ V
        assert np.allclose(kernel.matvec(X[:3], X, V), want_rows, rtol=1e-9, atol=tol), (
            f"{name}.matvec(X1, X2, V) differs from {name}(X1, X2) @ V"
        )
    if hasattr(kernel, "grad_quad"):
        U, V = rng.standard_normal((n, 3)), rng.standard_normal((n, 3))
        got = np.asarray(kernel.grad_quad(X, U, V))
        want = np.einsum("ia,qij,ja->q", U, dK, V)
        assert np.allclose(got, want, rtol=1e-8, atol=tol * n), (
            f"{name}.grad_quad(X, U, V) differs from sum_i U_i^T dK V_i: {got} vs {want}"
        )
    return worst


def check_emission(emission, *, n=4000, random_state=0, rtol=0.05):
    """Check a :class:`pyjl.hmm.Emission` whose parameters are set (the truth): it has
    every member :class:`~pyjl.hmm.HMM` uses, ``log_likelihood`` shapes, each state's
    density integrates to 1 over the range its draws cover (so a density on a bounded or
    periodic range, such as a von Mises on ``[-pi, pi]``, need not be cut off outside
    it), ``sample`` draws follow the density (their CDFs agree at 15 quantiles, in d-D
    for each coordinate and each pair's sum and difference, within a critical value a
    correct emission exceeds with probability 1e-6; a scale off by 10 % fails; these
    two checks use ``max(n, 50_000)`` draws per state), ``initialize`` sets parameters
    for every state, a weighted ``fit`` recovers the parameters (held-out log-likelihood
    within ``rtol`` nats/observation, ``n`` draws per state), and integer weights act as
    repeated rows.  Returns the measured discrepancies (a dict).

    >>> from pyjl.hmm import Normal
    >>> bool(check_emission(Normal(mean=[0.0, 3.0], var=[1.0, 0.5]))["normalisation"] < 1e-3)
    True
    """
    from .hmm._check import check_emission as _check

    return _check(emission, n=n, random_state=random_state, rtol=rtol)


def engine_cases(random_state=0) -> dict[str, list[tuple]]:
    """Seeded arguments for every kernel of the engine contract, shaped as
    :mod:`pyjl.engines.contract` states (C-contiguous float64, int64 lengths).

    Returns ``{kernel name: [args, ...]}``; used by :func:`check_engine`.

    Examples
    --------
    >>> cases = engine_cases()
    >>> sorted(cases)[:3]
    ['cho_inverse', 'cho_solve', 'cholesky']
    """
    from scipy import linalg, signal

    rng = np.random.default_rng(random_state)

    def spd(n):
        a = rng.standard_normal((n, n))
        return a @ a.T + n * np.eye(n)

    def hmm(T=30, K=3, lengths=(12, 18)):
        pi = rng.dirichlet(np.ones(K))
        A = rng.dirichlet(np.ones(K), size=K)
        return (
            np.log(pi),
            np.log(A),
            rng.standard_normal((T, K)) * 2.0,
            np.asarray(lengths, dtype=np.int64),
        )

    X1, X2, X = rng.random((7, 3)), rng.random((5, 3)), rng.random((6, 3))
    ls, iso = np.array([0.4, 0.9, 1.7]), np.array([0.6])
    W = rng.standard_normal((6, 6))
    W = W + W.T
    mv = [(ls, rng.standard_normal((5, 1))), (iso, rng.standard_normal((5, 3)))]
    U, Vq = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    L = linalg.cholesky(spd(6), lower=True)
    mu, sigma = rng.standard_normal(20), rng.random(20) + 0.05
    sos = signal.butter(4, 0.2, output="sos")
    b, a = signal.butter(3, 0.3)
    x = rng.standard_normal((3, 200))
    Xh = rng.standard_normal((30, 2))

    kinds = [(k.name, np.array(k.example_extra, dtype=float)) for k in GP_KINDS]
    gauss = hmm(K=3)[:2] + (  # diagonal Gaussian: X, mean, var, lengths
        Xh,
        rng.standard_normal((3, 2)),
        rng.random((3, 2)) + 0.5,
        np.array([12, 1, 17], dtype=np.int64),
    )
    cases: dict[str, list[tuple[Any, ...]]] = {
        "kernel_matrix": [(k, X1, X2, l, 1.7, e) for k, e in kinds for l in (ls, iso)],
        "kernel_matrix_grad": [(k, X, l, 1.7, e) for k, e in kinds for l in (ls, iso)],
        "kernel_grad_contract": [(k, X, ls, 1.7, e, W) for k, e in kinds],
        "kernel_matvec": [(k, X1, X2, l, 1.7, e, Vk) for k, e in kinds for l, Vk in mv],
        "kernel_grad_quad": [(k, X, l, 1.7, e, U, Vq) for k, e in kinds for l in (ls, iso)],
        "cholesky": [(spd(6), 0.0), (spd(5), 1e-6)],
        "cho_solve": [(L, rng.standard_normal(6)), (L, rng.standard_normal((6, 2)))],
        "cho_inverse": [(L,)],
        "expected_improvement": [(mu, sigma, 0.1, 0.01), (mu - 30.0, sigma, 0.0, 0.0)],
        "log_expected_improvement": [(mu, sigma, 0.1, 0.01), (mu + 30.0, sigma, 0.0, 0.0)],
        "forward_backward": [hmm(), hmm(T=10, lengths=(10,))],
        "forward": [hmm(), hmm(T=10, lengths=(10,))],
        "viterbi": [hmm(), hmm(T=10, lengths=(10,))],
        "gaussian_loglik": [(Xh, rng.standard_normal((3, 2)), rng.random((3, 2)) + 0.1)],
        "weighted_moments": [(Xh, rng.dirichlet(np.ones(3), size=30), Xh.mean(axis=0))],
        "gaussian_estep": [
            hmm(K=3)[:2]
            + (
                Xh,
                rng.standard_normal((3, 2)),
                rng.random((3, 2)) + 0.5,
                Xh.mean(axis=0),
                np.array([12, 1, 17], dtype=np.int64),
            )
        ],
        "gaussian_forward": [gauss],
        "gaussian_viterbi": [gauss],
        "sosfilt": [(sos, x, None), (sos, x, rng.standard_normal((3, sos.shape[0], 2)))],
        "lfilter": [(b, a, x, None), (b, a, x, rng.standard_normal((3, len(a) - 1)))],
        "upfirdn": [(signal.firwin(15, 0.3), x, 3, 2), (np.ones(4) / 4, x, 1, 1)],
        "fftfilt": [(signal.firwin(31, 0.2), x)],
        "stft_frames": [(x, signal.get_window("hann", 32), 8, d) for d in (0, 1, 2)],
    }
    return {
        name: [
            tuple(np.ascontiguousarray(v) if isinstance(v, np.ndarray) else v for v in args)
            for args in arg_list
        ]
        for name, arg_list in cases.items()
    }


def _assert_same(expected, got, where, rtol):
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), (
            f"{where}: expected a tuple of {len(expected)}, got {type(got).__name__}"
        )
        for i, (e, g) in enumerate(zip(expected, got)):
            _assert_same(e, g, f"{where}[{i}]", rtol)
        return
    if hasattr(got, "get") and not isinstance(got, np.ndarray):  # a device array
        got = got.get()
    expected, got = np.asarray(expected), np.asarray(got)
    assert got.shape == expected.shape, f"{where}: shape {got.shape}, expected {expected.shape}"
    if expected.dtype.kind in "iub":
        assert np.array_equal(got, expected), f"{where}: integer results differ"
        return
    finite = np.abs(expected[np.isfinite(expected)])
    scale = max(1.0, float(finite.max()) if finite.size else 1.0)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * 0.1 * scale, err_msg=where)


def check_engine(engine, *, rtol=1e-9, random_state=0) -> int:
    """Check an engine against the engine contract and the ``native`` engine.

    ``engine`` is a registered name or an engine object.  Every kernel named in
    :data:`pyjl.engines.contract.KERNELS` must exist, and on the seeded inputs of
    :func:`engine_cases` return what the native engine returns (same structure
    and shapes, floats to ``rtol``, integer outputs exactly; device arrays are
    fetched with ``.get()``).  Returns the number of kernel calls checked.

    Raises :class:`~pyjl.exceptions.EngineUnavailableError` with the reason when the
    engine cannot run here (nothing was checked), and ``AssertionError`` naming the
    kernel and the case at the first disagreement.

    >>> check_engine("native") > 0
    True
    """
    from .engines import contract, get
    from .exceptions import EngineUnavailableError

    eng = get(engine) if isinstance(engine, str) else engine
    ok, reason = eng.availability()
    if not ok:
        raise EngineUnavailableError(
            f"engine {getattr(eng, 'name', eng)!r} is unavailable: {reason}"
        )
    ref = get("native")
    cases = engine_cases(random_state)
    checked = 0
    for family, names in contract.KERNELS.items():
        for name in names:
            assert callable(getattr(eng, name, None)), (
                f"engine {eng.name!r} lacks the {family} kernel {name!r}"
            )
            assert name in cases, f"engine_cases has no case for kernel {name!r}"
            for i, args in enumerate(cases[name]):
                _assert_same(
                    getattr(ref, name)(*args),
                    getattr(eng, name)(*args),
                    f"{eng.name}.{name} case {i}",
                    rtol,
                )
                checked += 1
    return checked
