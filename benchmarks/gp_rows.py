"""One row of the large-n GP benchmark (:mod:`benchmarks.gp_scale`), run in a fresh process.

``python -m benchmarks.gp_rows LIB:SOLVER:N:DEVICE:STEPS[:N_TEST[:PEER_CAP]]`` prints one line
``ROW {json}``.  ``LIB`` is ``pyjl`` (``SOLVER`` ``cg``, ``cholesky`` or ``auto``),
``gpytorch`` (``SOLVER`` ``default``) or ``agree`` (pyjl's CG against its exact Cholesky at
the same data).  A fresh process per row makes the peak resident memory
(``getrusage(RUSAGE_SELF).ru_maxrss``, which sees C, BLAS and torch allocations that
``tracemalloc`` does not) that row's alone; ``base_mb`` is the resident memory after the
imports and the data, before the model.
"""

from __future__ import annotations

import json
import math
import resource
import sys
import time
import warnings
from contextlib import contextmanager

import numpy as np

D = 4
N_TEST = 10_000
#: GPyTorch's starting hyperparameters: softplus(0) for the lengthscales, the output scale
#: and the noise (its defaults); pyjl starts from the same point
START = math.log(2.0)
NOISE_SD = 0.1
#: GPyTorch's peak memory in training, in n x n float64 matrices: measured on CPU (1.15.2) as
#: 160 MiB + 87 bytes per entry from n = 4,000 and 8,000 (the kernel's intermediates kept
#: for the backward pass); a row whose estimate passes MEMORY_SHARE of the memory is skipped
DENSE_COPIES = 11
MEMORY_SHARE = 0.8


def data(n: int, n_test: int = N_TEST, seed: int = 0):
    """``(X (n, 4), y (n,), Xs (n_test, 4), ys (n_test,), y_mean, y_std)``: a smooth
    function of ``x ~ U[0, 1]^4`` plus Gaussian noise (sd 0.1); ``y`` is standardised by
    the training mean and std, ``ys`` (noisy test targets) stays in the original units.
    The test set does not depend on ``n``."""

    def f(x):
        return np.sin(6.0 * x @ np.linspace(0.5, 1.5, D))

    rng = np.random.default_rng([seed, n])
    X = rng.uniform(0.0, 1.0, (n, D))
    y = f(X) + NOISE_SD * rng.standard_normal(n)
    test = np.random.default_rng([seed, 0])
    Xs = test.uniform(0.0, 1.0, (n_test, D))
    ys = f(Xs) + NOISE_SD * test.standard_normal(n_test)
    mean, std = float(y.mean()), float(y.std())
    return X, (y - mean) / std, Xs, ys, mean, std


def rss_mb() -> float:
    """The process's peak resident memory so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _rmse(mean, ys, y_mean, y_std) -> float:
    return float(np.sqrt(np.mean((np.asarray(mean) * y_std + y_mean - ys) ** 2)))


@contextmanager
def counted():
    """Count the likelihood+gradient evaluations and iterations of pyjl's searches: the
    ``nfev`` and ``nit`` of each result of a fit's L-BFGS-B (``scipy.optimize.minimize``,
    the Cholesky solver) and trust-radius BFGS (``minimize_within``, the CG solver) runs."""
    from pyjl.gp import _fit

    seen = {"nfev": 0, "nit": 0}
    originals = {name: getattr(_fit, name) for name in ("minimize", "minimize_within")}

    def wrap(original):
        def run(*args, **kwargs):
            res = original(*args, **kwargs)
            seen["nfev"] += int(res.nfev)
            seen["nit"] += int(res.nit)
            return res

        return run

    for name, original in originals.items():
        setattr(_fit, name, wrap(original))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(_fit, name, original)


def _sync(device: str) -> None:
    if device == "cuda":
        import cupy as cp

        cp.cuda.Device().synchronize()


def _device_mb(device: str):
    if device != "cuda":
        return None
    import cupy as cp

    # CuPy's pool keeps freed blocks: its size is the high-water mark of pyjl's device memory
    return cp.get_default_memory_pool().total_bytes() / 2**20


def pyjl_gp(solver: str, noise: float = START, kernel=None):
    """An unfitted GP with the benchmark's model: Matérn-5/2 ARD times a variance, learned
    noise, zero mean (``y`` comes standardised), seeded probes."""
    from pyjl.gp import GaussianProcess, Matern52

    kernel = kernel if kernel is not None else Matern52(np.full(D, START), variance=START)
    return GaussianProcess(kernel, noise=noise, solver=solver, random_state=0)


def pyjl_row(solver: str, n: int, device: str, steps: int, n_test: int) -> dict:
    import pyjl

    X, y, Xs, ys, y_mean, y_std = data(n, n_test)
    base = rss_mb()
    with pyjl.use_backend("native" if device == "cpu" else "cuda"):
        gp = pyjl_gp(solver)
        with counted() as seen, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t0 = time.perf_counter()
            gp.fit(X, y, max_iter=steps)
            _sync(device)
            fit_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            mean, _ = gp.predict(Xs, return_std=True)
            _sync(device)
            predict_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            gp.predict(Xs, return_std=True)
            _sync(device)
            warm_s = time.perf_counter() - t0
    info = getattr(gp, "solver_info_", None)
    notes = sorted({f"{type(w.message).__name__}: {w.message}"[:160] for w in caught})
    return {
        "library": "pyjl",
        "solver": solver,
        "evaluations": seen["nfev"],
        "iterations": seen["nit"],
        "fit_s": fit_s,
        "step_s": fit_s / max(1, seen["nfev"]),
        "base_mb": base,
        "peak_mb": rss_mb(),
        "device_mb": _device_mb(device),
        "mll_per_point": float(gp.log_marginal_likelihood()) / n,
        "mll_kind": "exact" if solver == "cholesky" else "estimate",
        "rmse": _rmse(mean, ys, y_mean, y_std),
        "predict_s": predict_s,
        "predict_warm_s": warm_s,
        "solver_info": {k: _plain(v) for k, v in (info or {}).items()},
        "hyper": hyper(gp).tolist(),
        "note": "; ".join(notes),
    }


def hyper(gp) -> np.ndarray:
    """A fitted pyjl GP's ``(lengthscale_1..4, variance, noise)``."""
    return np.exp(np.append(gp.kernel_.theta, np.log(gp.noise_)))


def _plain(value):
    value = np.asarray(value)
    return value.item() if value.size == 1 else value.tolist()


def _dense_fits(n: int, device: str) -> tuple[bool, str]:
    """Whether GPyTorch's dense n x n float64 matrices (:data:`DENSE_COPIES`) fit."""
    need = DENSE_COPIES * 8 * n * n
    if device == "cuda":
        import torch

        have = torch.cuda.get_device_properties(0).total_memory
    else:
        with open("/proc/meminfo") as fh:
            info = dict(line.split(":", 1) for line in fh)
        have = int(info["MemAvailable"].split()[0]) * 1024
        have = min(have, 24 * 2**30)
    ok = need < MEMORY_SHARE * have
    what = f"{DENSE_COPIES} dense n x n float64 matrices"
    return ok, f"needs ~{need / 2**30:.0f} GiB ({what}); {have / 2**30:.0f} GiB available"


def gpytorch_row(n: int, device: str, steps: int, n_test: int, cap_s: float) -> dict:
    """GPyTorch with its defaults: Adam (lr 0.1), ``steps`` loss+backward steps, then
    ``fast_pred_var`` predictions.  Past ``cap_s`` seconds of training it stops and the
    per-step time is extrapolated (the note says so)."""
    try:
        import gpytorch
        import torch
    except ImportError as exc:
        return {"library": "GPyTorch", "skipped": f"gpytorch not installed ({exc})"}
    ok, why = _dense_fits(n, device)
    if not ok:
        return {"library": "GPyTorch", "skipped": f"does not fit: {why}"}
    torch.set_default_dtype(torch.float64)
    dev = torch.device(device)
    X, y, Xs, ys, y_mean, y_std = data(n, n_test)
    tX, ty, tXs = (torch.as_tensor(a, device=dev) for a in (X, y, Xs))
    base = rss_mb()

    class Exact(gpytorch.models.ExactGP):
        def __init__(self):
            super().__init__(tX, ty, gpytorch.likelihoods.GaussianLikelihood())
            self.mean = gpytorch.means.ZeroMean()
            self.cov = gpytorch.kernels.ScaleKernel(
                gpytorch.kernels.MaternKernel(nu=2.5, ard_num_dims=D)
            )

        def forward(self, x):
            return gpytorch.distributions.MultivariateNormal(self.mean(x), self.cov(x))

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    model = Exact().to(dev)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    mll = gpytorch.mlls.ExactMarginalLogLikelihood(model.likelihood, model)
    done, t0 = 0, time.perf_counter()
    while done < steps and (done == 0 or time.perf_counter() - t0 < cap_s):
        opt.zero_grad()
        loss = -mll(model(tX), ty)
        loss.backward()
        opt.step()
        done += 1
    sync()
    fit_s = time.perf_counter() - t0
    with torch.no_grad():  # the estimate at the final hyperparameters, as pyjl reports it
        final = float(mll(model(tX), ty))
    model.eval()
    times = []
    for _ in range(2):
        t1 = time.perf_counter()
        with torch.no_grad(), gpytorch.settings.fast_pred_var():
            f = model(tXs)
            mean, _ = f.mean, f.variance
        sync()
        times.append(time.perf_counter() - t1)
    exact = n <= gpytorch.settings.max_cholesky_size.value()
    return {
        "library": "GPyTorch",
        "solver": "Cholesky (default)" if exact else "CG/Lanczos (default)",
        "evaluations": done,
        "fit_s": fit_s * steps / done,
        "step_s": fit_s / done,
        "base_mb": base,
        "peak_mb": rss_mb(),
        "device_mb": torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None,
        "mll_per_point": final,
        "mll_kind": "exact" if exact else "estimate",
        "rmse": _rmse(mean.cpu().numpy(), ys, y_mean, y_std),
        "hyper": [
            *model.cov.base_kernel.lengthscale.detach().cpu().numpy().ravel().tolist(),
            float(model.cov.outputscale),
            float(model.likelihood.noise),
        ],
        "predict_s": times[0],
        "predict_warm_s": times[1],
        "note": ""
        if done == steps
        else f"ran {done} of {steps} steps in {fit_s:.0f} s, fit time extrapolated",
    }


def agreement_row(n: int, steps: int | None, n_test: int) -> dict:
    """pyjl's CG against its exact Cholesky on the same data: each fitted from the same
    start (``steps`` optimiser iterations, ``None``: to convergence), then both at the exact
    fit's hyperparameters (``fit(..., method=None)``): LML, predictive mean and variance."""
    X, y, Xs, _, _, _ = data(n, n_test)
    with counted() as seen_ex:
        ex = pyjl_gp("cholesky").fit(X, y, max_iter=steps)
    with counted() as seen_cg:
        cg = pyjl_gp("cg").fit(X, y, max_iter=steps)
    h_ex, h_cg = hyper(ex), hyper(cg)
    same = pyjl_gp("cg", noise=ex.noise_, kernel=ex.kernel_).fit(X, y, method=None)
    lml_ex, lml_cg = ex.log_marginal_likelihood(), same.log_marginal_likelihood()
    mu_ex, sd_ex = ex.predict(Xs, return_std=True)
    mu_cg, sd_cg = same.predict(Xs, return_std=True)
    return {
        "library": "agree",
        "n": n,
        "lml_exact": float(lml_ex),
        "lml_cg": float(lml_cg),
        "lml_rel": abs(lml_cg - lml_ex) / abs(lml_ex),
        "hyper_rel": float(np.max(np.abs(h_cg / h_ex - 1.0))),
        "mean_rel": float(np.max(np.abs(mu_cg - mu_ex)) / np.max(np.abs(mu_ex))),
        "var_rel": float(np.max(np.abs(sd_cg**2 / sd_ex**2 - 1.0))),
        "var_rel_median": float(np.median(np.abs(sd_cg**2 / sd_ex**2 - 1.0))),
        "evaluations_exact": seen_ex["nfev"],
        "iterations_exact": seen_ex["nit"],
        "evaluations_cg": seen_cg["nfev"],
        "iterations_cg": seen_cg["nit"],
        "hyper_exact": h_ex.tolist(),
        "hyper_cg": h_cg.tolist(),
    }


def main(argv: list[str] | None = None) -> int:
    spec = (sys.argv[1:] if argv is None else argv)[0].split(":")
    lib, solver, n, device, steps = spec[0], spec[1], int(spec[2]), spec[3], int(spec[4])
    n_test = int(spec[5]) if len(spec) > 5 else N_TEST
    cap = float(spec[6]) if len(spec) > 6 else math.inf
    if lib == "pyjl":
        row = pyjl_row(solver, n, device, steps, n_test)
    elif lib == "gpytorch":
        row = gpytorch_row(n, device, steps, n_test, cap)
    else:
        row = agreement_row(n, steps or None, n_test)
    row.update(n=n, device=device)
    print("ROW " + json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
