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

from ._testing_engine import _assert_same  # noqa: F401 (the Julia engine's tests use it)
from .engines.contract import GP_KINDS

__all__ = ["check_kernel", "check_emission", "check_engine", "engine_cases"]


def _fmt(values) -> str:
    """``values`` (1-D or 2-D) to 4 significant digits, for messages."""
    short = np.vectorize(lambda v: float(f"{v:.4g}"), otypes=[float])
    return str(short(np.asarray(values, float)).tolist())


def _fd_gradient(kernel, X, theta, q, h):
    """Central differences of ``kernel(X)`` in ``theta[q]`` at steps ``h`` and ``h / 2``."""
    out = []
    for step_size in (h, 0.5 * h):
        hi, lo = copy.deepcopy(kernel), copy.deepcopy(kernel)
        step = np.zeros(theta.size)
        step[q] = step_size
        hi.theta, lo.theta = theta + step, theta - step
        out.append((np.asarray(hi(X), dtype=np.float64) - np.asarray(lo(X))) / (2 * step_size))
    return out


def _gradient_error(kernel, X, dK, eps, rtol, atol, where) -> float:
    """The largest relative error of ``dK`` (``gradient(X)[1]`` at ``kernel.theta``)
    against finite differences; asserts each entry is within tolerance.

    Two estimates, each the Richardson extrapolation ``R = (4 D(h/2) - D(h)) / 3`` of
    central differences ``D`` (truncation error ``O(h^4)``): at ``h = eps``, within
    ``atol + rtol |R| + max |D(h) - D(h/2)|`` (the rounding of ``k`` over ``eps``, random
    entry to entry, so its largest), and at ``h = sqrt(eps)``, within ``atol + rtol |R| +
    |D(h) - D(h/2)|`` entry by entry (truncation, smooth; the rounding of a kernel that
    loses digits is ``sqrt(eps)`` times smaller there).  An entry passes on either.
    """
    from .gp.interface import names

    theta = np.asarray(kernel.theta, dtype=np.float64)
    name, worst = type(kernel).__name__, 0.0
    for q in range(theta.size):
        g = dK[q]
        found = []
        for h, largest in ((eps, True), (np.sqrt(eps), False)):
            d1, d2 = _fd_gradient(kernel, X, theta, q, h)
            rich = (4.0 * d2 - d1) / 3.0
            e = np.abs(rich - g)
            spread = np.abs(d1 - d2)
            spread = np.max(spread, initial=0.0) if largest else spread
            found.append((e, e <= atol + rtol * np.abs(rich) + spread, rich))
        (e1, ok1, fd), (e2, ok2, _) = found
        err, ok = np.minimum(e1, e2), ok1 | ok2
        if not np.all(ok):
            hint = ""
            linear = np.exp(theta[q])  # a derivative in theta instead of log theta
            if abs(linear - 1.0) > 1e-3 and np.allclose(
                g, fd / linear, rtol=100 * rtol, atol=10 * atol
            ):
                p = names(kernel)[q]
                hint = (
                    f" (it equals dK/d{p} in linear space: theta holds log values, so give "
                    f"dK/dlog({p}) = {p} * dK/d{p})"
                )
            raise AssertionError(
                f"{name}: gradient for {names(kernel)[q]} differs from finite differences by "
                f"{err[~ok].max():.3g} {where}{hint}"
            )
        worst = max(worst, float(np.max(err / (np.abs(fd) + atol), initial=0.0)))
    return worst


def _theta_checks(kernel, name, theta, bounds, rng) -> Any:
    """Bounds contain ``theta``; the setter works; a copy of ``kernel`` at another
    ``theta`` inside the bounds (returned; ``None`` when there are no hyperparameters)."""
    p = theta.size
    outside = (theta < bounds[:, 0]) | (theta > bounds[:, 1])
    if np.any(outside):
        hint = ""
        if p == 2 and np.all((bounds.T[:, 0] <= theta) & (theta <= bounds.T[:, 1])):
            hint = "; they look transposed: give one row [lower, upper] per hyperparameter"
        elif np.all(bounds > 0) and np.all(
            (np.log(bounds[:, 0]) <= theta) & (theta <= np.log(bounds[:, 1]))
        ):
            hint = "; they look like linear values: bounds, as theta, are log values"
        raise AssertionError(
            f"{name}.bounds {_fmt(bounds)} do not contain theta = "
            f"{_fmt(theta)} (bounds[:, 0] <= theta <= bounds[:, 1]){hint}"
        )
    other = copy.deepcopy(kernel)
    try:
        other.theta = theta.copy()
    except AttributeError as exc:
        raise AssertionError(
            f"{name}.theta cannot be set ({exc}): the Kernel protocol "
            "(pyjl.gp.interface) needs a settable theta, as fitting assigns new log values"
        ) from None
    if p == 0:
        return None
    # another theta: each coordinate moved by 0.3..0.7 inside the bounds, away from 0 where
    # possible (a derivative in l instead of log l agrees at l = 1, the usual default)
    u, sign = rng.uniform(0.3, 0.7, p), rng.choice([-1.0, 1.0], p)
    t = np.empty(p)
    for q in range(p):
        inside = [
            c
            for c in (theta[q] + sign[q] * u[q], theta[q] - sign[q] * u[q])
            if bounds[q, 0] <= c <= bounds[q, 1]
        ]
        far = [c for c in inside if abs(c) >= 0.2]
        if far or inside:
            t[q] = (far or inside)[0]
        else:  # narrow bounds
            lo, hi = max(bounds[q, 0], theta[q] - 1.0), min(bounds[q, 1], theta[q] + 1.0)
            t[q] = lo + rng.uniform(0.2, 0.8) * (hi - lo)
    other.theta = t
    got = np.asarray(other.theta, dtype=np.float64)
    assert got.shape == t.shape and np.allclose(got, t, rtol=1e-12, atol=1e-12), (
        f"{name}: the theta setter does nothing: after k.theta = {_fmt(t)}, "
        f"k.theta reads {_fmt(got)}"
    )
    return other


def _check_values(kernel, X, name, where):
    """Value checks of ``kernel`` on ``X``; returns ``(K, dK, scale)``."""
    n = X.shape[0]
    p = np.asarray(kernel.theta).size
    K = np.asarray(kernel(X), dtype=np.float64)
    assert K.shape == (n, n), f"{name}(X) must be ({n}, {n}), got {K.shape}"
    assert np.all(np.isfinite(K)), f"{name}(X) has non-finite entries {where}"
    scale = max(1.0, float(np.max(np.abs(K))))
    assert np.allclose(K, K.T, rtol=0, atol=1e-12 * scale), f"{name}(X) is not symmetric {where}"
    lam = np.linalg.eigvalsh(0.5 * (K + K.T))
    assert lam.min() >= -1e-8 * max(1.0, abs(lam).max()), (
        f"{name}(X) is not positive semi-definite (smallest eigenvalue {lam.min():.3g}) {where}"
    )
    d = np.asarray(kernel.diag(X), dtype=np.float64)
    assert d.shape == (n,), f"{name}.diag(X) must be ({n},), got {d.shape}"
    assert np.allclose(d, np.diag(K), rtol=1e-10, atol=1e-12 * scale), (
        f"{name}.diag(X) differs from the diagonal of {name}(X) {where}"
    )
    m = min(3, n)
    K2 = np.asarray(kernel(X, X[:m]))
    assert K2.shape == (n, m), f"{name}(X1, X2) must be (n1, n2) = ({n}, {m}), got {K2.shape}"
    # between distinct points (a White kernel's k(X1, X2) is 0 by definition, its k(X) not)
    h = n // 2
    X1, X2 = X[:h], X[h:]
    distinct = np.any(X1[:, None, :] != X2[None, :, :], axis=-1)
    if distinct.any():
        got = np.asarray(kernel(X1, X2), dtype=np.float64)
        assert got.shape == distinct.shape and np.allclose(
            got[distinct], K[:h, h:][distinct], rtol=1e-10, atol=1e-12 * scale
        ), (
            f"{name}(X1, X2) differs from the block of {name}(X) for the same points {where}: "
            "the cross-covariance that prediction uses is not the kernel's"
        )
    Kg, dK = kernel.gradient(X)
    Kg, dK = np.asarray(Kg), np.asarray(dK)
    assert Kg.shape == K.shape and np.allclose(Kg, K, rtol=1e-10, atol=1e-12 * scale), (
        f"{name}.gradient(X)[0] differs from {name}(X) {where}"
    )
    assert dK.shape == (p, n, n), f"{name}.gradient(X)[1] must be ({p}, {n}, {n}), got {dK.shape}"
    return K, dK, scale


def _check_products(kernel, X, K, dK, scale, name, where, rng):
    """``contract``, ``matvec`` and ``grad_quad`` (where present) against ``K`` and ``dK``."""
    n = X.shape[0]
    if hasattr(kernel, "contract"):
        W = rng.standard_normal((n, n))
        W = np.ascontiguousarray(W + W.T)
        got = np.asarray(kernel.contract(X, W))
        want = np.einsum("ij,qij->q", W, dK)
        assert np.allclose(got, want, rtol=1e-8, atol=1e-10 * scale * n * n), (
            f"{name}.contract(X, W) differs from sum(W * dK) {where}: {got} vs {want}"
        )
    tol = 1e-10 * scale * n
    if hasattr(kernel, "matvec"):
        V = rng.standard_normal((n, 3))
        assert np.allclose(kernel.matvec(X, None, V), K @ V, rtol=1e-9, atol=tol), (
            f"{name}.matvec(X, None, V) differs from {name}(X) @ V {where}"
        )
        m = min(3, n)
        want_rows = np.asarray(kernel(X[:m], X)) @ V
        assert np.allclose(kernel.matvec(X[:m], X, V), want_rows, rtol=1e-9, atol=tol), (
            f"{name}.matvec(X1, X2, V) differs from {name}(X1, X2) @ V {where}"
        )
    if hasattr(kernel, "grad_quad"):
        U, V = rng.standard_normal((n, 3)), rng.standard_normal((n, 3))
        got = np.asarray(kernel.grad_quad(X, U, V))
        want = np.einsum("ia,qij,ja->q", U, dK, V)
        assert np.allclose(got, want, rtol=1e-8, atol=tol * n), (
            f"{name}.grad_quad(X, U, V) differs from sum_i U_i^T dK V_i {where}: {got} vs {want}"
        )


def check_kernel(kernel, X=None, *, eps=1e-6, rtol=1e-5, atol=1e-7, random_state=0):
    """Check a :class:`pyjl.gp.Kernel` against its protocol (:mod:`pyjl.gp.interface`).

    Checked: ``theta`` is 1-D and settable (assigning reads back and changes ``k(X)``),
    ``bounds`` is ``(p, 2)`` and contains ``theta``; then at the kernel's ``theta`` and
    at another inside its bounds (each log value moved by 0.3 to 0.7): a finite,
    symmetric, positive semi-definite ``k(X)``, ``diag(X) == diag(k(X))``, ``k(X, X[:3])``
    of shape ``(n, 3)``, ``k(X1, X2)`` of distinct points against the block of ``k(X)``,
    ``gradient(X)[0] == k(X)``, ``gradient(X)[1]`` against finite differences in
    ``theta``, and ``contract``, ``matvec`` and ``grad_quad`` (when present) against
    ``k(X)`` and the gradient tensor.

    The finite differences are central, at steps ``eps`` and ``eps / 2``, and their
    Richardson extrapolation; an entry passes when the nearest of the three is within
    ``atol * max |k(X)| + rtol |fd|`` plus what the two steps disagree by (at most over
    the matrix: the truncation and rounding error of a steep or inexact kernel).

    Parameters
    ----------
    kernel : Kernel
        The kernel; it is not changed (the checks run on copies).
    X : array_like of shape (n, d) or (n,), optional
        Points (1-D: one feature each); 12 random points in 2 dimensions when omitted
        (pass your own when the kernel needs a given number of features, and a grid for
        a kernel whose positive semi-definiteness is in doubt).  Any ``n >= 1``.
    eps, rtol, atol : float
        Finite-difference step and tolerances of the gradient check.
    random_state : int
        Seed of the default ``X``, the other ``theta`` and the product checks.

    Returns
    -------
    float
        The largest relative gradient error at the kernel's ``theta``.

    Raises
    ------
    AssertionError
        Saying what failed (and where a hint applies, the likely cause).

    Examples
    --------
    >>> from pyjl.gp import Matern52, Periodic
    >>> err = check_kernel(2.0 * Matern52([0.5, 1.5]) * Periodic(1.0, period=3.0))
    >>> err < 1e-5
    True
    """
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-1.0, 1.0, (12, 2)) if X is None else np.ascontiguousarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X  # 1-D: one feature per point, as GaussianProcess
    name = type(kernel).__name__
    theta = np.asarray(kernel.theta, dtype=np.float64)
    bounds = np.asarray(kernel.bounds, dtype=np.float64)
    p = theta.size
    assert theta.ndim == 1, f"{name}.theta must be 1-D, got shape {theta.shape}"
    assert bounds.shape == (p, 2), f"{name}.bounds must be ({p}, 2), got {bounds.shape}"
    assert np.all(bounds[:, 0] <= bounds[:, 1]), f"{name}.bounds: a lower bound exceeds its upper"
    other = _theta_checks(kernel, name, theta, bounds, rng)
    here = f"at theta = {_fmt(theta)}"
    K, dK, scale = _check_values(kernel, X, name, here)
    if other is not None:
        there = f"at theta = {_fmt(other.theta)}"
        K_o, dK_o, scale_o = _check_values(other, X, name, there)
        assert not np.array_equal(K_o, K), (
            f"{name}(X) did not change when theta was set from {_fmt(theta)} to "
            f"{_fmt(other.theta)}: __call__ ignores theta (or the setter does not reach "
            "the attributes __call__ uses)"
        )
    atol_k = atol * (float(np.max(np.abs(K))) or 1.0)
    worst = _gradient_error(kernel, X, dK, eps, rtol, atol_k, here)
    _check_products(kernel, X, K, dK, scale, name, here, rng)
    if other is not None:
        atol_o = atol * (float(np.max(np.abs(K_o))) or 1.0)
        _gradient_error(other, X, dK_o, eps, rtol, atol_o, there)
        _check_products(other, X, K_o, dK_o, scale_o, name, there, rng)
    assert np.allclose(np.asarray(kernel.theta), theta), f"{name}: checking changed theta"
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
        "forward_backward_log": [hmm(), hmm(T=10, lengths=(10,)), _left_behind()],
        "forward_log": [hmm(), hmm(T=10, lengths=(10,)), _left_behind()],
    }
    return {
        name: [
            tuple(np.ascontiguousarray(v) if isinstance(v, np.ndarray) else v for v in args)
            for args in arg_list
        ]
        for name, arg_list in cases.items()
    }


def _left_behind() -> tuple[np.ndarray, ...]:
    """A left-right model whose first state the chain leaves behind (its forward
    probability underflows in a scaled recursion) and that the last rows favour again:
    20 rows near 0, 300 near 4, 400 near 0 under unit Gaussians at 0, 4 and 8."""
    x = np.repeat([0.0, 4.0, 0.0], [20, 300, 400]) + np.sin(np.arange(720.0)) * 0.3
    with np.errstate(divide="ignore"):
        log_pi = np.log([1.0, 0.0, 0.0])
        log_A = np.log([[0.9, 0.1, 0.0], [0.0, 0.9, 0.1], [0.0, 0.0, 1.0]])
    log_B = -0.5 * (x[:, None] - np.array([0.0, 4.0, 8.0])) ** 2 - 0.5 * np.log(2 * np.pi)
    return log_pi, log_A, log_B, np.array([720], dtype=np.int64)


def check_engine(engine, *, rtol=1e-9, random_state=0) -> int:
    """Check an engine against the engine contract and pyjl's own ``native`` engine.

    ``engine`` is a registered name or an engine object.  Every kernel named in
    :data:`pyjl.engines.contract.KERNELS` must exist, and on the seeded inputs of
    :func:`engine_cases` return what a fresh native engine returns (same structure
    and shapes, floats to ``rtol``, integer outputs exactly; device arrays are
    fetched with ``.get()``).  The reference is always pyjl's built-in engine, also
    when ``engine`` is registered under the name ``"native"``.  Each output array must
    have the reference's dtype (float64; int64 for paths), be C-contiguous, writable and
    freshly allocated (no memory shared with the arguments, another output, or an
    output of an earlier call: the first case runs twice), and the engine's copies of
    the arguments must be unchanged afterwards (no kernel of the contract writes in
    place).  Returns the number of kernel calls checked (one per case).

    Raises :class:`~pyjl.exceptions.EngineUnavailableError` with the reason when the
    engine cannot run here (nothing was checked), and ``AssertionError`` naming the
    kernel and the case at the first disagreement.

    >>> check_engine("native") > 0
    True
    """
    from ._testing_engine import check_engine as _check

    return _check(engine, rtol, random_state, engine_cases(random_state))
