"""GP regression, pyjl vs scikit-learn, side by side in one run.

Same model on both sides: Matérn-5/2 with one lengthscale per feature (d = 6), a
variance, and learned homoscedastic noise (scikit-learn: ``ConstantKernel *
Matern(nu=2.5) + WhiteKernel``), ``normalize_y=True``, no optimiser restarts, the
same starting hyperparameters.  Timed: ``fit`` (maximising the log marginal
likelihood; pyjl, scikit-learn, pyjl again, and pyjl's mean is reported) and
``predict`` of the mean, and of mean and std, at 10,000 points (medians of
interleaved pyjl/scikit-learn pairs).  ``ratio`` is scikit-learn's time over
pyjl's (> 1: pyjl is faster); the note gives both fitted log marginal likelihoods.

``python -m benchmarks.gp [--quick]`` prints the rows.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np

D = 6
N_PREDICT = 10_000
REPEATS = 5  # interleaved (pyjl, scikit-learn) predict pairs; the medians are reported


def _data(n, rng):
    X = rng.uniform(0.0, 1.0, (n, D))
    f = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 - 0.5 * X[:, 2] * X[:, 3] + 0.3 * np.cos(4 * X[:, 4])
    return X, f + 0.1 * rng.standard_normal(n)


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def run(quick: bool = False) -> list[dict]:
    from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    from pyjl.gp import GaussianProcess, Matern52

    rng = np.random.default_rng(0)
    Xs = rng.uniform(0.0, 1.0, (N_PREDICT, D))
    rows = []

    def fresh():  # a new model each time: a refit would warm-start from the optimum
        return GaussianProcess(
            Matern52(lengthscale=np.ones(D)), noise=1e-2, normalize_y=True, n_restarts=0
        )

    for n in (200, 1000) if quick else (200, 1000, 2000):
        X, y = _data(n, rng)
        ours = fresh()
        peer = GaussianProcessRegressor(
            ConstantKernel(1.0) * Matern(length_scale=np.ones(D), nu=2.5) + WhiteKernel(1e-2),
            normalize_y=True,
            n_restarts_optimizer=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkConvergenceWarning)
            # pyjl, scikit-learn, pyjl again: load drifting during the run hits both sides
            t_ours1, _ = _timed(lambda: ours.fit(X, y))
            t_peer, _ = _timed(lambda: peer.fit(X, y))
            t_ours2, _ = _timed(lambda: fresh().fit(X, y))
        t_ours = 0.5 * (t_ours1 + t_ours2)
        lml_ours = ours.log_marginal_likelihood()
        lml_peer = peer.log_marginal_likelihood_value_
        rows.append(
            {
                "benchmark": "gp fit Matern52-ARD+noise (d=6)",
                "size": f"n={n}",
                "pyjl_s": t_ours,
                "peer": "scikit-learn",
                "peer_s": t_peer,
                "ratio": t_peer / t_ours,
                "note": f"LML pyjl {lml_ours:.3f} vs {lml_peer:.3f}",
            }
        )
        m_ours, m_peer, _, _ = _pairs(lambda: ours.predict(Xs), lambda: peer.predict(Xs))
        rows.append(
            {
                "benchmark": "gp predict mean, 10k points",
                "size": f"n={n}",
                "pyjl_s": m_ours,
                "peer": "scikit-learn",
                "peer_s": m_peer,
                "ratio": m_peer / m_ours,
                "note": f"median of {REPEATS} pairs",
            }
        )
        p_ours, p_peer, (mu, _), (mu2, _) = _pairs(
            lambda: ours.predict(Xs, return_std=True), lambda: peer.predict(Xs, return_std=True)
        )
        rows.append(
            {
                "benchmark": "gp predict mean+std, 10k points",
                "size": f"n={n}",
                "pyjl_s": p_ours,
                "peer": "scikit-learn",
                "peer_s": p_peer,
                "ratio": p_peer / p_ours,
                "note": f"own fits; max |mean diff| {np.max(np.abs(mu - mu2)):.1e}",
            }
        )
    return rows


def _pairs(ours, peer, repeats=None):
    """Median times of ``repeats`` interleaved (pyjl, peer) calls, and the last outputs."""
    t_o, t_p = [], []
    for _ in range(repeats or REPEATS):
        t, out_o = _timed(ours)
        t_o.append(t)
        t, out_p = _timed(peer)
        t_p.append(t)
    return float(np.median(t_o)), float(np.median(t_p)), out_o, out_p


def profile(sizes=(1000, 2000)) -> None:
    """Per-component timings of one likelihood evaluation and of predict (best of 5)."""
    import pyjl.engines as engines
    from pyjl.gp import GaussianProcess, Matern52
    from pyjl.gp.likelihood import Objective

    def best(fn, r=5):
        return min(_timed(fn)[0] for _ in range(r)) * 1e3

    rng = np.random.default_rng(0)
    e = engines.current()
    for n in sizes:
        X, y = _data(n, rng)
        y = (y - y.mean()) / y.std()
        k = Matern52(lengthscale=np.ones(D))
        obj = Objective(k, X, y, method="ml", learn_noise=True, noise_diag=None, engine=e)
        th = np.append(k.theta, np.log(1e-2))
        K, _ = obj.covariance(th)
        L = e.cholesky(K, 0.0)
        Ki = e.cho_inverse(L)
        ls, ex = np.ones(D), np.empty(0)
        parts = {
            "objective": lambda: obj(th),
            "cholesky": lambda: e.cholesky(K, 0.0),
            "cho_inverse": lambda: e.cho_inverse(L),
            "cho_solve": lambda: e.cho_solve(L, y),
        }
        for nt in (1, 2):
            engines.set_num_threads(nt)
            parts[f"kernel_matrix t{nt}"] = lambda: e.kernel_matrix("matern52", X, X, ls, 1.0, ex)
            parts[f"contract t{nt}"] = lambda: e.kernel_grad_contract(
                "matern52", X, ls, 1.0, ex, Ki
            )
            print(
                n,
                f"kernel_matrix t{nt}",
                round(best(parts.pop(f"kernel_matrix t{nt}")), 2),
                f"contract t{nt}",
                round(best(parts.pop(f"contract t{nt}")), 2),
            )
        engines.set_num_threads(2)
        for name, fn in parts.items():
            print(n, name, round(best(fn), 2), "ms")
        calls = []
        obj2 = GaussianProcess(Matern52(lengthscale=np.ones(D)), noise=1e-2, normalize_y=True)
        orig = Objective.__call__
        Objective.__call__ = lambda self, t: (calls.append(1), orig(self, t))[1]
        try:
            t_fit, _ = _timed(lambda: obj2.fit(X, y))
        finally:
            Objective.__call__ = orig
        print(n, "fit", round(t_fit, 3), "s,", len(calls), "evaluations")
        Xs = rng.uniform(0.0, 1.0, (N_PREDICT, D))
        print(
            n,
            "predict kernel",
            round(best(lambda: obj2.kernel_(Xs, X), 3), 2),
            "ms;",
            "mean",
            round(best(lambda: obj2.predict(Xs), 3), 2),
            "ms;",
            "mean+std",
            round(best(lambda: obj2.predict(Xs, return_std=True), 3), 2),
            "ms",
        )


def pyjl_only(sizes=(1000, 2000)) -> None:
    """pyjl's fit alone (for comparing thread settings without re-running the peer)."""
    from pyjl.gp import GaussianProcess, Matern52

    rng = np.random.default_rng(0)
    rng.uniform(0.0, 1.0, (N_PREDICT, D))  # the same data as run()
    for n in (200,) + tuple(sizes):
        X, y = _data(n, rng)
        if n not in sizes:
            continue
        gp = GaussianProcess(Matern52(lengthscale=np.ones(D)), noise=1e-2, normalize_y=True)
        t, _ = _timed(lambda: gp.fit(X, y))
        print(f"pyjl fit n={n}: {t:.3f}s, LML {gp.log_marginal_likelihood():.3f}")


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if "--profile" in argv:
        profile()
        return
    if "--pyjl-only" in argv:
        pyjl_only()
        return
    quick = "--quick" in argv
    for row in run(quick):
        print(
            f"{row['benchmark']:<36} {row['size']:<7} pyjl {row['pyjl_s']:8.3f}s  "
            f"{row['peer']} {row['peer_s']:8.3f}s  x{row['ratio']:.2f}  {row['note']}"
        )


if __name__ == "__main__":
    main()
