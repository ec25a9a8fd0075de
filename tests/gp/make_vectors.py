"""Write the GP conformance vectors ``tests/vectors/gp_*.toml`` from independent references.

Run ``python tests/gp/make_vectors.py`` to regenerate.  References: scikit-learn's
kernels and their analytic gradients (RBF, Matérn, rational quadratic, and the
periodic kernel in one dimension); a product of one-dimensional scikit-learn
ExpSineSquared kernels, differentiated by complex step, for the ARD periodic
kernel; NumPy for Cholesky algebra; mpmath at 60 digits for EI and log-EI.  The
matrix-free products (``gp_matvec.toml``) are those matrices and derivatives times random
``V``, ``U``, ``W`` (NumPy products, never pyjl's kernels).

Layout: every matrix is stored flattened in row-major (C) order with its shape,
so Julia reads a NumPy ``(n, d)`` matrix ``A`` as ``reshape(A, d, n)`` -- the same
``(d, n)`` column-per-point layout the bridge gives its kernels.
"""

from __future__ import annotations

from pathlib import Path

import mpmath as mp
import numpy as np
from sklearn.gaussian_process import kernels as sk

OUT = Path(__file__).resolve().parents[1] / "vectors"
RNG = np.random.default_rng(1234)
RNG_MATVEC = np.random.default_rng(4321)  # its own stream: the other files stay as they were


def fmt(v) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    arr = np.asarray(v, dtype=np.float64).ravel()
    return "[" + ", ".join(repr(float(x)) for x in arr) + "]"


def table(name: str, fields: dict) -> str:
    return f"[[{name}]]\n" + "".join(f"{k} = {fmt(v)}\n" for k, v in fields.items()) + "\n"


def _periodic_ard(X1, X2, ls, var, period):
    K = np.full((len(X1), len(X2)), var, dtype=complex)
    for k in range(X1.shape[1]):
        s = np.sin(np.pi * (X1[:, k : k + 1] - X2[:, k : k + 1].T) / period)
        K = K * np.exp(-2.0 * s**2 / ls[k] ** 2)
    return K


def _check_periodic_reference(X, ls, var, period):
    """The complex-step reference agrees with scikit-learn factor by factor."""
    want = var * np.prod(
        [sk.ExpSineSquared(ls[k], period)(X[:, k : k + 1]) for k in range(X.shape[1])], axis=0
    )
    assert np.allclose(_periodic_ard(X, X, ls, var, period).real, want, rtol=1e-13)


def reference(kind, X1, X2, ls, var, extra):
    """``(K11, K12, dK11)`` from scikit-learn (complex step for the ARD periodic kernel)."""
    if kind == "periodic":
        _check_periodic_reference(X1, ls, var, extra[0])
        params = np.concatenate([ls, [var], extra])
        K11 = _periodic_ard(X1, X1, ls, var, extra[0]).real
        K12 = _periodic_ard(X1, X2, ls, var, extra[0]).real
        dK = []
        h = 1e-30
        for q in range(params.size):
            th = np.log(params).astype(complex)
            th[q] += 1j * h
            p = np.exp(th)
            nls = ls.size
            lsq = p[:nls] if nls == X1.shape[1] else np.repeat(p[0], X1.shape[1])
            dK.append(_periodic_ard(X1, X1, lsq, p[nls], p[nls + 1]).imag / h)
        dK = np.array(dK)
    else:
        base = {
            "rbf": lambda: sk.RBF(ls),
            "matern12": lambda: sk.Matern(ls, nu=0.5),
            "matern32": lambda: sk.Matern(ls, nu=1.5),
            "matern52": lambda: sk.Matern(ls, nu=2.5),
            "rq": lambda: sk.RationalQuadratic(ls[0], extra[0]),
        }[kind]()
        ref = sk.ConstantKernel(var) * base
        K11, G = ref(X1, eval_gradient=True)
        K12 = ref(X1, X2)
        G = np.moveaxis(G, 2, 0)  # [log var, (rq: alpha, ls) | ls...]
        if kind == "rq":
            dK = np.stack([G[2], G[0], G[1]])
        else:
            dK = np.concatenate([G[1:], G[:1]])
    return K11, K12, dK


def kernel_case(kind, n1, n2, d, ls, var, extra):
    X1 = RNG.uniform(-1.5, 1.5, (n1, d))
    X2 = RNG.uniform(-1.5, 1.5, (n2, d))
    ls = np.atleast_1d(np.asarray(ls, dtype=float))
    K11, K12, dK = reference(kind, X1, X2, ls, var, extra)
    W = RNG.standard_normal((n1, n1))
    W = W + W.T
    return {
        "kind": kind,
        "n1": n1,
        "n2": n2,
        "d": d,
        "X1": X1,
        "X2": X2,
        "lengthscale": ls,
        "variance": float(var),
        "extra": np.asarray(extra, float),
        "K12": K12,
        "K11": K11,
        "p": dK.shape[0],
        "dK11": dK,
        "W": W,
        "contract": np.einsum("ij,qij->q", W, dK),
    }


def kernel_vectors() -> str:
    cases = [
        ("rbf", 6, 4, 3, [0.5, 1.0, 2.0], 1.7, []),
        ("rbf", 5, 3, 2, 0.8, 1.0, []),
        ("matern12", 6, 4, 3, [0.5, 1.0, 2.0], 0.6, []),
        ("matern32", 5, 4, 2, 0.7, 2.0, []),
        ("matern32", 6, 3, 3, [0.4, 0.9, 1.6], 1.3, []),
        ("matern52", 7, 4, 3, [0.3, 0.7, 1.5], 2.0, []),
        ("matern52", 5, 2, 1, 0.6, 0.9, []),
        ("rq", 6, 4, 2, 0.8, 1.1, [0.7]),
        ("periodic", 6, 3, 1, 0.9, 1.4, [1.3]),
        ("periodic", 6, 4, 2, [0.7, 1.2], 0.8, [1.9]),
    ]
    return "".join(table("kernel", kernel_case(*c)) for c in cases)


def matvec_case(kind, n1, n2, d, ls, var, extra, k):
    """``R = K12 @ V`` and ``quad[q] = sum_c U[:, c]^T dK11_q W[:, c]`` from the references."""
    X1 = RNG_MATVEC.uniform(-1.5, 1.5, (n1, d))
    X2 = RNG_MATVEC.uniform(-1.5, 1.5, (n2, d))
    ls = np.atleast_1d(np.asarray(ls, dtype=float))
    V = RNG_MATVEC.standard_normal((n2, k))
    U, W = RNG_MATVEC.standard_normal((n1, k)), RNG_MATVEC.standard_normal((n1, k))
    _, K12, dK = reference(kind, X1, X2, ls, var, extra)
    return {
        "kind": kind,
        "n1": n1,
        "n2": n2,
        "d": d,
        "k": k,
        "X1": X1,
        "X2": X2,
        "lengthscale": ls,
        "variance": float(var),
        "extra": np.asarray(extra, float),
        "p": dK.shape[0],
        "V": V,
        "R": K12 @ V,
        "U": U,
        "W": W,
        "quad": np.einsum("ac,qab,bc->q", U, dK, W),
    }


def matvec_vectors() -> str:
    cases = [
        ("rbf", 5, 3, 2, [0.5, 1.3], 1.7, [], 1),
        ("rbf", 1, 1, 2, 0.8, 1.0, [], 2),
        ("matern12", 6, 4, 3, 0.7, 0.6, [], 3),
        ("matern32", 5, 7, 2, [0.4, 0.9], 1.3, [], 2),
        ("matern52", 7, 4, 3, [0.3, 0.7, 1.5], 2.0, [], 3),
        ("matern52", 4, 6, 1, 0.6, 0.9, [], 1),
        ("rq", 6, 4, 2, 0.8, 1.1, [0.7], 2),
        ("periodic", 6, 3, 1, 0.9, 1.4, [1.3], 2),
        ("periodic", 5, 4, 2, [0.7, 1.2], 0.8, [1.9], 1),
    ]
    return "".join(table("matvec", matvec_case(*c)) for c in cases)


def linalg_vectors() -> str:
    out = []
    for n, k in ((5, 1), (8, 3)):
        A = RNG.standard_normal((n, n))
        K = A @ A.T + n * np.eye(n)
        B = RNG.standard_normal((n, k))
        L = np.linalg.cholesky(K)
        out.append(
            table(
                "linalg",
                {
                    "n": n,
                    "k": k,
                    "K": K,
                    "B": B,
                    "L": L,
                    "solve": np.linalg.solve(K, B),
                    "inverse": np.linalg.inv(K),
                    "jitter": 0.0,
                },
            )
        )
    return "".join(out)


def ei_reference(mu, sigma, best, xi):
    mp.mp.dps = 60
    imp = mp.mpf(best) - mp.mpf(xi) - mp.mpf(mu)
    if sigma == 0:
        return float(max(imp, 0)), (float(mp.log(imp)) if imp > 0 else -np.inf)
    z = imp / mp.mpf(sigma)
    ei = mp.mpf(sigma) * (z * mp.ncdf(z) + mp.npdf(z))
    return float(ei), float(mp.log(ei))


def acquisition_vectors() -> str:
    mu = np.concatenate([RNG.normal(0, 1, 12), [0.0, 5.0, 10.0, 40.0, 200.0, -3.0, 1.0, 0.3]])
    sigma = np.concatenate([RNG.uniform(0.05, 2.0, 12), [1.0, 1.0, 0.5, 1.0, 2.0, 0.0, 0.0, 1e-3]])
    best, xi = 0.2, 0.01
    ei, logei = zip(*(ei_reference(m, s, best, xi) for m, s in zip(mu, sigma)))
    return table(
        "acquisition",
        {
            "n": len(mu),
            "mu": mu,
            "sigma": sigma,
            "best": best,
            "xi": xi,
            "ei": np.array(ei),
            "logei": np.array(logei),
        },
    )


HEADER = (
    "# GP conformance vectors, written by tests/gp/make_vectors.py from independent\n"
    "# references (scikit-learn, NumPy, mpmath). Matrices are flattened row-major "
    "(C order).\n\n"
)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / "gp_kernels.toml").write_text(HEADER + kernel_vectors())
    (OUT / "gp_linalg.toml").write_text(HEADER + linalg_vectors())
    (OUT / "gp_acquisition.toml").write_text(HEADER + acquisition_vectors())
    (OUT / "gp_matvec.toml").write_text(HEADER + matvec_vectors())


if __name__ == "__main__":
    main()
