"""The large-n GP benchmark (benchmarks/gp_scale.py) at a tiny size.

Each row runs in a fresh process, as the benchmark does; what a row reports is checked
against scikit-learn's exact log marginal likelihood at the hyperparameters the row
reports (below GPyTorch's ``max_cholesky_size`` its value is exact too), so the same data
reached both libraries and both numbers mean the same thing.  Without gpytorch the peer
rows say so and the pyjl rows still run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks import gp_rows, gp_scale  # noqa: E402

sys.path.remove(str(ROOT))

N, N_TEST = 240, 300


def exact(hyper, n):
    """scikit-learn's exact GP on the benchmark's data at ``(lengthscale_1..4, variance,
    noise)``: ``(log marginal likelihood, test RMSE in the units of y)``."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    X, y, Xs, ys, mean, std = gp_rows.data(n, N_TEST)
    h = np.asarray(hyper)
    kernel = ConstantKernel(h[4]) * Matern(h[:4], nu=2.5) + WhiteKernel(h[5])
    gpr = GaussianProcessRegressor(kernel, optimizer=None).fit(X, y)
    rmse = np.sqrt(np.mean((gpr.predict(Xs) * std + mean - ys) ** 2))
    return gpr.log_marginal_likelihood_value_, rmse


def exact_lml(hyper, n):
    return exact(hyper, n)[0]


def test_data_is_seeded_standardised_and_shares_the_test_set():
    X, y, Xs, ys, mean, std = gp_rows.data(N, N_TEST)
    X2, y2, Xs2, ys2, *_ = gp_rows.data(2 * N, N_TEST)
    assert X.shape == (N, 4) and Xs.shape == (N_TEST, 4) and ys.shape == (N_TEST,)
    assert abs(y.mean()) < 1e-12 and abs(y.std() - 1.0) < 1e-12
    assert np.array_equal(Xs, Xs2) and np.array_equal(ys, ys2)
    assert np.array_equal(gp_rows.data(N, N_TEST)[1], y)
    # the noise is the stated 0.1: residuals of the known function in the original units
    resid = y * std + mean - np.sin(6.0 * X @ np.linspace(0.5, 1.5, 4))
    assert 0.07 < resid.std() < 0.13


@pytest.mark.slow
def test_tiny_run_reports_what_each_library_computed(tmp_path):
    pytest.importorskip("gpytorch")
    out = tmp_path / "gp_scale.md"
    rows, agreements = gp_scale.measure([N], steps=15, n_test=N_TEST, echo=lambda s: None)
    ours = next(r for r in rows if r["library"] == "pyjl")
    peer = next(r for r in rows if r["library"] == "GPyTorch")
    assert "skipped" not in ours and "skipped" not in peer, rows
    assert ours["solver"] == "cg" and 1 <= ours["evaluations"] and peer["evaluations"] == 15
    assert ours["peak_mb"] >= ours["base_mb"] > 10 and peer["peak_mb"] >= peer["base_mb"] > 10
    # GPyTorch is exact below max_cholesky_size: its MLL/n is scikit-learn's at its optimum
    assert peer["mll_kind"] == "exact"
    assert peer["mll_per_point"] == pytest.approx(exact_lml(peer["hyper"], N) / N, rel=1e-6)
    # pyjl's CG value is an estimate (10 probes): near the exact one at its hyperparameters
    assert ours["mll_per_point"] == pytest.approx(exact_lml(ours["hyper"], N) / N, rel=0.05)
    # the test RMSE is that of the exact posterior mean at the row's hyperparameters
    assert peer["rmse"] == pytest.approx(exact(peer["hyper"], N)[1], rel=1e-6)
    assert ours["rmse"] == pytest.approx(exact(ours["hyper"], N)[1], rel=1e-3)
    (agree,) = agreements
    assert agree["lml_exact"] == pytest.approx(exact_lml(agree["hyper_exact"], N), rel=1e-9)
    text = gp_scale.markdown(rows, agreements, "python -m benchmarks.gp_scale --sizes 240")
    out.write_text(text)
    assert text.count("| pyjl | cg | cpu | 240 |") == 1
    assert text.count("| GPyTorch | Cholesky (default) | cpu | 240 |") == 1
    assert all(name in text for name, _, _ in gp_scale.CHECKS)


def test_without_gpytorch_the_peer_row_is_skipped_and_pyjl_still_runs(tmp_path, monkeypatch):
    shadow = tmp_path / "shadow" / "gpytorch"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no gpytorch in this test')\n")
    monkeypatch.setenv("PYTHONPATH", str(shadow.parent))
    peer = gp_scale.row(f"gpytorch:default:{N}:cpu:2:{N_TEST}", timeout=300)
    assert peer["skipped"].startswith("gpytorch not installed"), peer
    ours = gp_scale.row(f"pyjl:cholesky:{N}:cpu:2:{N_TEST}", timeout=300)
    assert "skipped" not in ours, ours
    assert ours["mll_kind"] == "exact"
    assert ours["mll_per_point"] == pytest.approx(exact_lml(ours["hyper"], N) / N, rel=1e-9)
    table = gp_scale.results_table([ours, dict(peer, n=N, device="cpu")])
    assert "skipped: gpytorch not installed" in table
    assert "| pyjl | cholesky | cpu | 240 |" in table


def test_cuda_rows_say_why_without_a_device():
    import pyjl.engines as engines

    if engines.available()["cuda"][0]:
        pytest.skip("a CUDA device is present: benchmarks/gpu_check.sh runs these rows")
    rows, agreements = gp_scale.measure([N], "cuda", steps=2, n_test=N_TEST, echo=lambda s: None)
    assert agreements == [] and [r["library"] for r in rows] == ["pyjl", "GPyTorch"]
    assert "engine 'cuda' is unavailable" in rows[0]["skipped"]
    assert rows[1]["skipped"]  # no CUDA in torch (or no gpytorch): the reason, not a crash
