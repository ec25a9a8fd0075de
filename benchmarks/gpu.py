"""GPU benchmarks: pyjl's ``cuda`` engine side by side with the GPU peers, on one device.

``python3 benchmarks/gpu.py [--quick] [--out FILE.md] [--budget SECONDS]``

* HMM: forward-backward (and Viterbi) of ``B=1000 x T=1000 x K=16`` and of one
  sequence ``T=1,000,000, K=16`` against a PyTorch sequential log-space forward
  pass (the long PyTorch run is timed for at most ``--torch-cap`` seconds and
  extrapolated linearly per step; the note says so);
* GP: exact GP, Matérn-5/2 ARD (d=4) + Gaussian noise, ``n = 2,000`` and
  ``20,000``: 30 likelihood/gradient iterations (Adam, lr 0.1, same for both)
  and predicting mean and variance at 10,000 points, against GPyTorch
  (``ExactGP``, ``ScaleKernel(MaternKernel(nu=2.5, ard_num_dims=4))``), both
  in float64.  pyjl's side runs the engine's kernels on CuPy arrays (kernel
  matrix, cuSOLVER Cholesky, ``cho_inverse``, the fused gradient contraction);
* GP matrix-free products: ``kernel_matvec`` (1 and 11 columns) and
  ``kernel_grad_quad`` at ``n = 20,000``, against forming ``K`` and a cuBLAS product;
* DSP: ``sosfilt`` (10M samples; 64 x 1M), ``resample_poly`` (upfirdn with
  SciPy's filter) and ``welch`` against ``cupyx.scipy.signal``.

Timing: one warm-up call (kernel compilation, cuBLAS/cuSOLVER handles), then
the median of repeats, each ended by a device synchronisation.  GP training is
timed once over its 30 steps after a 2-step warm-up; GP prediction is timed
after a 16-point warm-up call (which builds GPyTorch's caches of the training
data; pyjl reuses the training Cholesky factor likewise).  ``ratio`` is
peer time over pyjl time (> 1: pyjl faster).  Results go to stdout and to
``--out`` (default ``$OUT/gpu_bench.md``, else ``gpu_bench.md``), written
again after every row so an interrupted run keeps what it measured.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.metadata as md
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import COLUMNS  # noqa: E402

KIND = "matern52"
D = 4


def _fmt(v) -> str:
    return f"{v:.3g}" if isinstance(v, float) else ("" if v is None else str(v))


def table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += [
        "| " + " | ".join(_fmt(r.get(c)).replace("|", "/") for c in COLUMNS) + " |" for r in rows
    ]
    return "\n".join(lines)


def sync() -> None:
    import cupy as cp

    cp.cuda.Device().synchronize()
    try:
        import torch

        if torch.cuda.is_available() and torch.cuda.is_initialized():
            torch.cuda.synchronize()
    except ImportError:
        pass


def timed(fn, repeats: int = 5, warmup: int = 1):
    """``(median seconds, last result)`` of ``fn()``, each call ended by a device sync."""
    out = None
    for _ in range(warmup):
        out = fn()
        sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def free() -> None:
    import cupy as cp

    cp.get_default_memory_pool().free_all_blocks()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


def header() -> str:
    import cupy as cp

    props = cp.cuda.runtime.getDeviceProperties(0)
    name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    drv, rt = cp.cuda.runtime.driverGetVersion(), cp.cuda.runtime.runtimeGetVersion()
    vers = []
    for dist in (
        "pyjl",
        "cupy-cuda13x",
        "cupy-cuda12x",
        "cupy",
        "torch",
        "gpytorch",
        "numpy",
        "scipy",
    ):
        try:
            vers.append(f"{dist} {md.version(dist)}")
        except md.PackageNotFoundError:
            pass
    return (
        f"Measured {_dt.datetime.now(_dt.UTC):%Y-%m-%d %H:%M} UTC on {name} "
        f"({props['totalGlobalMem'] / 2**30:.0f} GiB; "
        f"driver CUDA {drv // 1000}.{drv % 1000 // 10}, "
        f"runtime {rt // 1000}.{rt % 1000 // 10}), Python {platform.python_version()}; "
        f"{', '.join(vers)}. float64 throughout. ratio = peer time / pyjl time."
    )


# --- HMM ------------------------------------------------------------------------------
def hmm_case(cp, B, T, K, seed=0):
    rng = np.random.default_rng(seed)
    lp = np.log(rng.dirichlet(np.ones(K)))
    lA = np.log(rng.dirichlet(np.ones(K), size=K))
    lB = cp.asarray(rng.normal(size=(B * T, K)) * 2.0)
    return cp.asarray(lp), cp.asarray(lA), lB, np.full(B, T, dtype=np.int64)


def torch_forward(lp, lA, lB, steps=None, cap_s=None):
    """Sequential log-space forward pass over ``lB (B, T, K)``; ``(loglik, steps done)``."""
    import torch

    alpha = lp[None, :] + lB[:, 0]
    T = lB.shape[1] if steps is None else min(steps, lB.shape[1])
    t0, t = time.perf_counter(), 1
    while t < T:
        alpha = torch.logsumexp(alpha[:, :, None] + lA[None], dim=1) + lB[:, t]
        t += 1
        if cap_s is not None and t % 2000 == 0:
            torch.cuda.synchronize()
            if time.perf_counter() - t0 > cap_s:
                break
    return torch.logsumexp(alpha, dim=-1), t


def bench_hmm_batched(eng, rows, quick):
    import cupy as cp

    B, T, K = (200, 1000, 16) if quick else (1000, 1000, 16)
    lp, lA, lB, lengths = hmm_case(cp, B, T, K)
    t_fb, (ll, _, _) = timed(lambda: eng.forward_backward(lp, lA, lB, lengths))
    t_vit, _ = timed(lambda: eng.viterbi(lp, lA, lB, lengths))
    peer_s, note = None, "torch not installed"
    try:
        import torch

        tl = [torch.from_dlpack(a) for a in (lp, lA, lB.reshape(B, T, K))]
        peer_s, (tll, _) = timed(lambda: torch_forward(*tl), repeats=3)
        dll = float(cp.abs(ll - cp.from_dlpack(tll)).max())
        note = (
            f"pyjl = forward-backward + gamma + xi (Viterbi {t_vit * 1e3:.1f} ms); peer = "
            f"forward only; max abs dloglik {dll:.1e}"
        )
    except Exception as exc:  # the peer failing must not lose pyjl's row
        note = f"peer failed: {type(exc).__name__}: {exc}"[:200]
    rows.append(
        {
            "benchmark": "hmm forward-backward, batched",
            "size": f"B={B} T={T} K={K}",
            "pyjl_s": t_fb,
            "peer": "PyTorch sequential forward",
            "peer_s": peer_s,
            "ratio": peer_s / t_fb if peer_s else None,
            "note": note,
        }
    )
    lB = None  # free the device memory


def bench_hmm_long(eng, rows, quick, deadline, torch_cap):
    import cupy as cp

    K = 16
    T1 = 100_000 if quick else 1_000_000
    lp, lA, lB, lengths = hmm_case(cp, 1, T1, K, seed=1)
    t_fb, (ll, _, _) = timed(lambda: eng.forward_backward(lp, lA, lB, lengths))
    t_vit, _ = timed(lambda: eng.viterbi(lp, lA, lB, lengths))
    peer_s, note = None, "torch not installed"
    try:
        import torch

        cap = max(2.0, min(torch_cap, deadline - time.perf_counter() - 30))
        tl = [torch.from_dlpack(a) for a in (lp, lA, lB.reshape(1, T1, K))]
        torch_forward(tl[0], tl[1], tl[2][:, :200])
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        tll, done = torch_forward(*tl, cap_s=cap)
        torch.cuda.synchronize()
        el = time.perf_counter() - t0
        peer_s = el * (T1 - 1) / max(1, done - 1)
        note = f"Viterbi {t_vit * 1e3:.1f} ms; peer " + (
            f"ran {done:,} of {T1:,} steps in {el:.1f} s, extrapolated"
            if done < T1
            else f"full run, max abs dloglik {float(cp.abs(ll - cp.from_dlpack(tll)).max()):.1e}"
        )
    except Exception as exc:
        note = f"Viterbi {t_vit * 1e3:.1f} ms; peer failed: {type(exc).__name__}: {exc}"[:200]
    rows.append(
        {
            "benchmark": "hmm forward-backward, one long sequence",
            "size": f"T={T1} K={K}",
            "pyjl_s": t_fb,
            "peer": "PyTorch sequential forward",
            "peer_s": peer_s,
            "ratio": peer_s / t_fb if peer_s else None,
            "note": note,
        }
    )
    lB = None  # free the device memory
    free()


# --- GP -------------------------------------------------------------------------------
def gp_data(cp, n, m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, D))
    y = np.sin(6 * X @ np.linspace(0.5, 1.5, D)) + 0.1 * rng.normal(size=n)
    Xs = rng.uniform(0, 1, (m, D))
    return cp.asarray(X), cp.asarray(y - y.mean()), cp.asarray(Xs)


def pyjl_train(eng, X, y, iters):
    """Adam (lr 0.1) on the exact log marginal likelihood; the engine's kernels only."""
    import cupy as cp

    n = X.shape[0]
    theta = np.zeros(D + 2)  # log lengthscale (D), log variance, log noise
    m1, m2, b1, b2, lr = np.zeros_like(theta), np.zeros_like(theta), 0.9, 0.999, 0.1
    empty = np.zeros(0)
    for it in range(1, iters + 1):
        used = theta
        ls, var, noise = np.exp(theta[:D]), float(np.exp(theta[D])), float(np.exp(theta[D + 1]))
        K = eng.kernel_matrix(KIND, X, X, ls, var, empty)
        L = eng.cholesky(K, noise)
        del K
        alpha = eng.cho_solve(L, y)
        W = eng.cho_inverse(L)
        W *= -1.0
        W += cp.outer(alpha, alpha)
        g = 0.5 * eng.kernel_grad_contract(KIND, X, ls, var, empty, W)
        g_noise = 0.5 * noise * float(cp.trace(W))
        mll = float(-0.5 * y @ alpha - cp.log(cp.diagonal(L)).sum() - 0.5 * n * np.log(2 * np.pi))
        grad = np.concatenate([cp.asnumpy(g), [g_noise]])
        del W
        m1 = b1 * m1 + (1 - b1) * grad
        m2 = b2 * m2 + (1 - b2) * grad * grad
        theta = theta + lr * (m1 / (1 - b1**it)) / (np.sqrt(m2 / (1 - b2**it)) + 1e-8)
    return used, L, alpha, mll  # the parameters L, alpha and mll belong to


def pyjl_predict(eng, X, Xs, theta, L, alpha):
    import cupy as cp

    ls, var = np.exp(theta[:D]), float(np.exp(theta[D]))
    Ks = eng.kernel_matrix(KIND, Xs, X, ls, var, np.zeros(0))
    mean = Ks @ alpha
    V = eng.cho_solve(L, Ks.T)
    fvar = var - cp.einsum("ij,ji->i", Ks, V)
    return mean, cp.sqrt(cp.maximum(fvar, 0.0))


def gpytorch_model(X, y):
    import gpytorch
    import torch

    class Exact(gpytorch.models.ExactGP):
        def __init__(self):
            lik = gpytorch.likelihoods.GaussianLikelihood()
            super().__init__(X, y, lik)
            self.mean = gpytorch.means.ZeroMean()
            self.cov = gpytorch.kernels.ScaleKernel(
                gpytorch.kernels.MaternKernel(nu=2.5, ard_num_dims=D)
            )

        def forward(self, x):
            return gpytorch.distributions.MultivariateNormal(self.mean(x), self.cov(x))

    model = Exact().to(device=X.device, dtype=torch.float64)
    model.cov.base_kernel.lengthscale = 1.0  # the same start as pyjl's run: all ones
    model.cov.outputscale = 1.0
    model.likelihood.noise = 1.0
    return model


def gpytorch_train(model, X, y, iters):
    import gpytorch
    import torch

    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    mll = gpytorch.mlls.ExactMarginalLogLikelihood(model.likelihood, model)
    for _ in range(iters):
        opt.zero_grad()
        loss = -mll(model(X), y)
        loss.backward()
        opt.step()
    return float(loss.detach())


def gpytorch_predict(model, Xs):
    import torch

    model.eval()
    with torch.no_grad():
        f = model(Xs)
        return f.mean, f.variance


def bench_gp(eng, rows, quick, deadline, n, flush=lambda: None):
    """pyjl's rows are written before GPyTorch runs, and filled in when it is done."""
    import cupy as cp

    m, iters = (2000 if quick else 10000), 30
    if time.perf_counter() > deadline:
        rows.append({"benchmark": "gp", "size": f"n={n}", "note": "skipped: time budget"})
        return
    X, y, Xs = gp_data(cp, n, m)
    pyjl_train(eng, X, y, 2)  # warm-up: compiles the kernels, creates the handles
    sync()
    t0 = time.perf_counter()
    theta, L, alpha, mll = pyjl_train(eng, X, y, iters)
    sync()
    t_train = time.perf_counter() - t0
    pyjl_predict(eng, X, Xs[:16], theta, L, alpha)
    t_pred, _ = timed(
        lambda: pyjl_predict(eng, X, Xs, theta, L, alpha), warmup=0, repeats=3 if n <= 5000 else 1
    )
    L = None  # free the device memory
    free()
    train = {
        "benchmark": f"gp train: {iters} likelihood+gradient steps",
        "size": f"n={n} d={D}",
        "pyjl_s": t_train,
        "peer": "GPyTorch",
        "note": f"GPyTorch running; pyjl final -mll/n {-mll / n:.4f}",
    }
    pred = {
        "benchmark": f"gp predict mean+var, {m:,} points",
        "size": f"n={n} d={D}",
        "pyjl_s": t_pred,
        "peer": "GPyTorch",
        "note": "exact variances, noise excluded",
    }
    rows += [train, pred]
    flush()
    try:
        import torch

        tX, ty, tXs = (torch.from_dlpack(a) for a in (X, y, Xs))
        gpytorch_train(gpytorch_model(tX, ty), tX, ty, 2)
        torch.cuda.synchronize()
        model = gpytorch_model(tX, ty)
        t0 = time.perf_counter()
        loss = gpytorch_train(model, tX, ty, iters)
        torch.cuda.synchronize()
        train["peer_s"] = peer_train = time.perf_counter() - t0
        train["ratio"] = peer_train / t_train
        train["note"] = (
            f"pyjl: exact Cholesky likelihood and gradient; GPyTorch: its "
            f"defaults (CG/Lanczos estimates above n=800); final -mll/n pyjl "
            f"{-mll / n:.4f}, GPyTorch {loss:.4f}"
        )
        flush()
        gpytorch_predict(model, tXs[:16])  # builds GPyTorch's training-data caches
        pred["peer_s"], _ = timed(
            lambda: gpytorch_predict(model, tXs), warmup=0, repeats=3 if n <= 5000 else 1
        )
        pred["ratio"] = pred["peer_s"] / t_pred
        model = None  # free the device memory
    except Exception as exc:  # the peer failing must not lose pyjl's rows
        note = f"peer failed: {type(exc).__name__}: {exc}"[:200]
        for row in (train, pred):
            if row.get("peer_s") is None:
                row["note"] = note
    free()


def bench_matrix_free(eng, rows, quick):
    """``kernel_matvec`` (k = 1 and 11 columns, what the iterative GP solver multiplies)
    and ``kernel_grad_quad``, against forming ``K`` and multiplying it by cuBLAS."""
    import cupy as cp

    n, empty = (5000 if quick else 20000), cp.zeros(0)
    X, _, _ = gp_data(cp, n, 1)
    ls, var = cp.asarray(np.linspace(0.3, 0.9, D)), 1.3
    for k in (1, 11):
        V = cp.asarray(np.random.default_rng(k).standard_normal((n, k)))
        t_mv, R = timed(lambda: eng.kernel_matvec(KIND, X, X, ls, var, empty, V), repeats=3)
        t_dense, Rd = timed(lambda: eng.kernel_matrix(KIND, X, X, ls, var, empty) @ V, repeats=3)
        rows.append(
            {
                "benchmark": f"gp kernel_matvec K V, k={k}",
                "size": f"n={n} d={D}",
                "pyjl_s": t_mv,
                "peer": "kernel_matrix + cuBLAS",
                "peer_s": t_dense,
                "ratio": t_dense / t_mv,
                "note": f"{_rel(R, Rd)}; matrix-free: no n x n matrix",
            }
        )
        R = Rd = None
        free()
        t_q, _ = timed(lambda: eng.kernel_grad_quad(KIND, X, ls, var, empty, V, V), repeats=3)
        rows.append(
            {
                "benchmark": f"gp kernel_grad_quad, k={k}",
                "size": f"n={n} d={D}",
                "pyjl_s": t_q,
                "note": f"{n * n / t_q / 1e9:.1f} G entries/s",
            }
        )


# --- DSP ------------------------------------------------------------------------------
def _rel(a, b) -> str:
    import cupy as cp

    return f"max rel diff {float(cp.abs(a - b).max() / cp.abs(b).max()):.1e}"


def _resample_filter(up, down):
    from math import gcd

    import scipy.signal as ss

    g = gcd(up, down)
    up, down = up // g, down // g
    max_rate = max(up, down)
    half_len = 10 * max_rate
    h = ss.firwin(2 * half_len + 1, 1.0 / max_rate, window=("kaiser", 5.0)) * up
    n_pre_pad = down - half_len % down
    h = np.concatenate([np.zeros(n_pre_pad), h])
    return h, (half_len + n_pre_pad) // down, up, down


def bench_sosfilt(eng, rows, quick):
    import cupy as cp
    import cupyx.scipy.signal as cusig
    import scipy.signal as ss

    rng = np.random.default_rng(3)
    sos = ss.butter(8, 0.05, output="sos")
    sos_d = cp.asarray(sos)
    n1, (c2, n2) = (1_000_000, (16, 1_000_000)) if quick else (10_000_000, (64, 1_000_000))
    for C, n in ((1, n1), (c2, n2)):
        x = cp.asarray(rng.normal(size=(C, n)))
        t_ours, (y, _) = timed(lambda: eng.sosfilt(sos_d, x, None))
        t_peer, yp = timed(lambda: cusig.sosfilt(sos_d, x, axis=-1))
        rows.append(
            {
                "benchmark": "sosfilt, butter order 8 (4 sections)",
                "size": f"{C}x{n:,}",
                "pyjl_s": t_ours,
                "peer": "cupyx.scipy.signal",
                "peer_s": t_peer,
                "ratio": t_peer / t_ours,
                "note": _rel(y, yp),
            }
        )
        if C > 1:
            os.environ["PYJL_CUDA_SOSFILT"] = "own"
            try:
                t_own, (yo, _) = timed(lambda: eng.sosfilt(sos_d, x, None), repeats=3)
            finally:
                os.environ.pop("PYJL_CUDA_SOSFILT", None)
            rows.append(
                {
                    "benchmark": "sosfilt, own kernel (one thread/channel)",
                    "size": f"{C}x{n:,}",
                    "pyjl_s": t_own,
                    "peer": "cupyx.scipy.signal",
                    "peer_s": t_peer,
                    "ratio": t_peer / t_own,
                    "note": _rel(yo, yp),
                }
            )
        x = None  # free the device memory
        free()


def bench_resample(eng, rows, quick):
    import cupy as cp
    import cupyx.scipy.signal as cusig

    rng = np.random.default_rng(4)
    n1 = 1_000_000 if quick else 10_000_000
    x = cp.asarray(rng.normal(size=(1, n1)))
    h, start, up, down = _resample_filter(3, 2)
    n_out = -(-n1 * up // down)
    h_d = cp.asarray(h)
    t_ours, y = timed(lambda: eng.upfirdn(h_d, x, up, down)[:, start : start + n_out])
    t_peer, yp = timed(lambda: cusig.resample_poly(x, 3, 2, axis=-1))
    rows.append(
        {
            "benchmark": "resample_poly 3/2 (upfirdn + trim)",
            "size": f"1x{n1:,}",
            "pyjl_s": t_ours,
            "peer": "cupyx.scipy.signal",
            "peer_s": t_peer,
            "ratio": t_peer / t_ours,
            "note": _rel(y, yp),
        }
    )


def bench_welch(eng, rows, quick):
    import cupy as cp
    import cupyx.scipy.signal as cusig
    import scipy.signal as ss

    rng = np.random.default_rng(5)
    c2, n2 = (16, 1_000_000) if quick else (64, 1_000_000)
    x = cp.asarray(rng.normal(size=(c2, n2)))
    win = cp.asarray(ss.get_window("hann", 1024))
    scale = 1.0 / float((win * win).sum())

    def welch_ours():  # frames with the mean removed (detrend=1), windowed, on the device
        fr = eng.stft_frames(x, win, 512, 1)
        P = cp.abs(cp.fft.rfft(fr, axis=-1)) ** 2 * scale
        P[..., 1:-1] *= 2.0
        return P.mean(axis=1)

    t_ours, P = timed(welch_ours)
    t_peer, (_, Pp) = timed(lambda: cusig.welch(x, nperseg=1024, axis=-1))
    rows.append(
        {
            "benchmark": "welch, hann 1024, 50% overlap",
            "size": f"{c2}x{n2:,}",
            "pyjl_s": t_ours,
            "peer": "cupyx.scipy.signal",
            "peer_s": t_peer,
            "ratio": t_peer / t_ours,
            "note": "stft_frames + cuFFT; " + _rel(P, Pp),
        }
    )
    x = None  # free the device memory
    free()


# --- driver ---------------------------------------------------------------------------
def run(
    quick: bool, budget: float = 270.0, torch_cap: float = 20.0, out: str | None = None, echo=print
) -> list[dict]:
    """Rows of the GPU table; ``[]`` (with the reason on stderr) without a usable GPU."""
    import pyjl.engines as engines

    ok, reason = engines.available()["cuda"]
    if not ok:
        print(f"gpu benchmarks skipped: cuda engine unavailable: {reason}", file=sys.stderr)
        return []
    eng = engines.get("cuda")
    head = header()
    echo(head)
    rows: list[dict] = []
    deadline = time.perf_counter() + budget

    def flush():
        if out:
            Path(out).write_text(f"### GPU\n\n{head}\n\n{table(rows)}\n")

    n_small, n_big = (2000, 5000) if quick else (2000, 20000)
    stages = [
        ("hmm batched", lambda: bench_hmm_batched(eng, rows, quick)),
        ("hmm long", lambda: bench_hmm_long(eng, rows, quick, deadline, torch_cap)),
        (f"gp n={n_small}", lambda: bench_gp(eng, rows, quick, deadline, n_small, flush)),
        ("gp matrix-free", lambda: bench_matrix_free(eng, rows, quick)),
        ("dsp sosfilt", lambda: bench_sosfilt(eng, rows, quick)),
        ("dsp resample_poly", lambda: bench_resample(eng, rows, quick)),
        ("dsp welch", lambda: bench_welch(eng, rows, quick)),
        (f"gp n={n_big}", lambda: bench_gp(eng, rows, quick, deadline, n_big, flush)),
    ]
    for name, stage in stages:
        t0 = time.perf_counter()
        n_before = len(rows)
        try:
            stage()
        except Exception as exc:  # one failing stage must not lose the others
            rows.append({"benchmark": name, "note": f"FAILED: {type(exc).__name__}: {exc}"[:300]})
        free()
        for row in rows[n_before:]:
            echo(" | ".join(f"{c}={_fmt(row.get(c))}" for c in COLUMNS if row.get(c) is not None))
        echo(f"[{name}: {time.perf_counter() - t0:.1f} s]")
        flush()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 benchmarks/gpu.py")
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument(
        "--budget",
        type=float,
        default=270.0,
        help="seconds before GP n=20k and the long PyTorch run are cut short (default 270)",
    )
    parser.add_argument(
        "--torch-cap",
        type=float,
        default=20.0,
        help="seconds the long sequential PyTorch run may take (extrapolated)",
    )
    default_out = (
        Path(os.environ["OUT"], "gpu_bench.md") if os.environ.get("OUT") else Path("gpu_bench.md")
    )
    parser.add_argument("--out", default=str(default_out))
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows = run(
        args.quick, args.budget, args.torch_cap, args.out, echo=lambda s: print(s, flush=True)
    )
    if not rows:
        return 1
    print("\n" + table(rows), flush=True)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s; written to {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
