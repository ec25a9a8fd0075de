"""``pyjl demo``: run the real command (quick mode) and check its files and its results
against independent references (scikit-learn re-scoring the reported best parameters,
SciPy's filters, spectra and design checks, brute-force regime matching)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

from pyjl.demo import Laplace  # noqa: E402
from pyjl.demo.models import resolve_model  # noqa: E402
from pyjl.demo.regimes import TRANSMAT, generate  # noqa: E402
from pyjl.demo.tuning import GRID_COUNTS, SPACE, first_reach, grid_space  # noqa: E402

PNGS = ("tuning_convergence.png", "tuning_posterior_eta.png", "regimes.png", "filtering.png")


def _pyjl_command() -> list[str]:
    script = Path(sys.executable).with_name("pyjl")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pyjl.cli"]


def _run(args, cwd, timeout=600):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run(
        _pyjl_command() + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def _has_xgboost() -> bool:
    try:
        import xgboost  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """``pyjl demo --quick --out OUT --model sklearn`` (the fallback, always available)."""
    cwd = tmp_path_factory.mktemp("demo")
    proc = _run(["demo", "--quick", "--out", "out", "--model", "sklearn"], cwd)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = cwd / "out"
    return proc, out, json.loads((out / "results.json").read_text())


def _reference_cv_logloss(params: dict, seed: int = 0) -> float:
    """The objective recomputed with scikit-learn alone: 3-fold stratified CV log loss of
    HistGradientBoostingClassifier with the demo's documented parameter mapping."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import StratifiedKFold, train_test_split
    from threadpoolctl import threadpool_limits

    X, y = load_breast_cancer(return_X_y=True)
    X, _, y, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    with threadpool_limits(1, user_api="openmp"):  # only for speed on a busy machine
        folds = list(StratifiedKFold(3, shuffle=True, random_state=seed).split(X, y))
        return _cv(folds, X, y, params, seed)


def _cv(folds, X, y, params, seed):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import log_loss
    from sklearn.model_selection import train_test_split

    losses = []
    for tr, va in folds:
        Xt, yt = X[tr], y[tr]
        if params["subsample"] < 1.0 and len(yt) - int(params["subsample"] * len(yt)) >= 2:
            Xt, _, yt, _ = train_test_split(
                Xt, yt, train_size=params["subsample"], stratify=yt, random_state=seed
            )
        clf = HistGradientBoostingClassifier(
            learning_rate=params["eta"],
            max_iter=100,
            max_depth=int(params["max_depth"]),
            max_leaf_nodes=None,
            min_samples_leaf=max(1, round(params["min_child_weight"])),
            max_features=params["colsample_bytree"],
            l2_regularization=params["gamma"],
            early_stopping=False,
            random_state=seed,
        ).fit(Xt, yt)
        losses.append(log_loss(y[va], clf.predict_proba(X[va])[:, 1], labels=[0, 1]))
    return float(np.mean(losses))


def _best_match(decoded, truth, K=3) -> float:
    return max(
        float(np.mean(np.array(p)[decoded] == truth)) for p in itertools.permutations(range(K))
    )


# -- the command -------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_writes_plots_and_report(quick_run):
    proc, out, res = quick_run
    for name in PNGS + (
        "report.md",
        "results.json",
        "tuning_history.csv",
        "regimes.npz",
        "filtering.npz",
    ):
        assert (out / name).is_file(), name
    import matplotlib.image as mpimg

    for name in PNGS:
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, name
        img = mpimg.imread(out / name)
        assert img.ndim == 3 and min(img.shape[:2]) > 200 and img.std() > 0.01, name
    # it says where the files are
    assert str((out / "report.md").resolve()) in proc.stdout
    assert res["engine"] == "native" or os.environ.get("PYJL_BACKEND")
    report = (out / "report.md").read_text()
    for name in PNGS + ("tuning_animation_eta.gif",):
        assert f"]({name})" in report
    from PIL import Image  # the animation: one frame per trial after the second complete

    with Image.open(out / "tuning_animation_eta.gif") as gif:
        assert gif.format == "GIF" and gif.n_frames >= 2
        first = np.asarray(gif.convert("L"), dtype=float)
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("L"), dtype=float)
    assert first.std() > 1 and np.abs(first - last).mean() > 0.1  # drawn, and it moves
    for row in res["tuning"]["table"]:
        assert (
            f"| {row['n_evals']} | {row['best_cv_logloss']:.4f} | {row['evals_to_best']} |"
            in report
        )
        assert f"| {row['n_pruned']} | {row['rounds_saved']} |" in report
    bo = next(r for r in res["tuning"]["table"] if r["method"] == "bayesian")
    assert "BayesSearchCV" in report and f"{bo['rounds_saved']} boosting rounds saved" in report
    for row in res["regimes"]["rows"]:
        assert f"{100 * row['agreement']:.2f} %" in report
    assert f"{res['filtering']['stream_max_abs_diff']:.3g}" in report
    assert "class Laplace" in report and "def log_likelihood" in report


@pytest.mark.slow
def test_tuning_same_budget_and_scores_reproduce(quick_run):
    _, out, res = quick_run
    tuning = res["tuning"]
    assert tuning["model"] == "sklearn" and tuning["budget"] == 12
    hist = pd.read_csv(out / "tuning_history.csv")
    table = {r["method"]: r for r in tuning["table"]}
    assert set(table) == {"bayesian", "random", "grid"}
    # the Bayesian optimisation is BayesSearchCV with a pruner: some candidates pruned
    assert table["bayesian"]["n_pruned"] > 0 and table["random"]["n_pruned"] == 0
    for method, row in table.items():
        h = hist[hist["method"] == method].sort_values("number")
        # the same budget, all of it evaluated (BayesSearchCV's pruned candidates included)
        assert row["n_evals"] == len(h) == 12, method
        assert row["n_complete"] == (h["state"] == "complete").sum()
        assert row["n_pruned"] == (h["state"] == "pruned").sum()
        assert row["n_complete"] + row["n_pruned"] == 12
        assert row["rounds_saved"] == 100 * row["folds_skipped"]
        # a pruned candidate stopped after fold 1 or 2 of 3: it skipped 2 or 1 folds
        assert row["n_pruned"] <= row["folds_skipped"] <= 2 * row["n_pruned"]
        done = h[h["state"] == "complete"]
        assert row["best_cv_logloss"] == pytest.approx(done["value"].min(), rel=0, abs=1e-12)
        values = h["value"].where(h["state"] == "complete").to_numpy()
        assert row["evals_to_best"] == int(np.nanargmin(values)) + 1
        # scikit-learn alone gives the reported score for the reported parameters
        assert _reference_cv_logloss(row["best_params"]) == pytest.approx(
            row["best_cv_logloss"], rel=1e-9, abs=1e-12
        ), method
        assert 0.8 < row["test_accuracy"] <= 1.0
        for name, dim in SPACE.items():
            v = row["best_params"][name]
            assert dim.lo <= v <= dim.hi, (method, name, v)
    # random and BO never repeat a point; grid points lie on the grid
    grid = grid_space(12)
    g = hist[hist["method"] == "grid"]
    for name, dim in grid.dimensions.items():
        assert set(g[name]).issubset(set(dim.choices)), name
    assert len(g.drop_duplicates(subset=list(SPACE))) == 12
    for method in ("bayesian", "random"):
        h = hist[hist["method"] == method]
        assert len(h.drop_duplicates(subset=list(SPACE))) == 12


@pytest.mark.slow
def test_regimes_match_the_generated_truth(quick_run):
    _, out, res = quick_run
    d = np.load(out / "regimes.npz")
    x, truth = d["x"], d["truth"]
    # the series is the documented generator's (regenerated here, same seed)
    x2, truth2 = generate(len(x), seed=0)
    np.testing.assert_array_equal(truth, truth2)
    np.testing.assert_array_equal(x, x2)
    rows = {r["emission"]: r for r in res["regimes"]["rows"]}
    for name in ("normal", "laplace"):
        frac = _best_match(d[f"decoded_{name}"], truth)
        assert frac > 0.9, (name, frac)
        assert frac == pytest.approx(rows[name]["agreement"], abs=1e-12)
        assert rows[name]["converged"]


@pytest.mark.slow
def test_filtering_against_scipy(quick_run):
    import scipy.signal as ss

    _, out, res = quick_run
    d = np.load(out / "filtering.npz")
    x, y, y_stream, sos = d["x"], d["y"], d["y_stream"], d["sos"]
    fr = res["filtering"]
    # the design meets its specification (SciPy's frequency response)
    w, h = ss.sosfreqz(sos, worN=8192, fs=1000.0)
    gain_db = 20 * np.log10(np.maximum(np.abs(h), 1e-300))
    assert gain_db[w <= 150.0].min() >= -0.5 - 1e-6
    assert gain_db[w >= 200.0].max() <= -60.0 + 1e-6
    # zero-phase output and streaming output equal SciPy's one-shot results
    np.testing.assert_allclose(y, ss.sosfiltfilt(sos, x), rtol=0, atol=1e-10)
    np.testing.assert_allclose(y_stream, ss.sosfilt(sos, x), rtol=0, atol=1e-12)
    assert fr["stream_max_abs_diff"] <= 1e-12
    assert fr["n_chunks"] > 1
    # Welch spectra (SciPy's): the stop-band tones drop by the designed amount, at least
    # 2 x 60 dB forward-backward; the pass-band tones pass
    f, Pxx = ss.welch(x, fs=1000.0, nperseg=1024)
    _, Pyy = ss.welch(y, fs=1000.0, nperseg=1024)
    _, hf = ss.sosfreqz(sos, worN=f, fs=1000.0)
    for freq in (50.0, 120.0, 300.0, 420.0):
        i = int(np.argmin(np.abs(f - freq)))
        measured = 10 * np.log10(Pxx[i] / Pyy[i])
        designed = -40 * np.log10(abs(hf[i]))
        assert measured == pytest.approx(fr["tone_attenuation_db"][f"{freq}"], abs=1e-6)
        assert measured == pytest.approx(designed, abs=0.5), freq
        if freq > 200:
            assert measured >= 2 * 60.0 - 0.5
        else:
            assert abs(measured) < 0.5


@pytest.mark.slow
@pytest.mark.skipif(not _has_xgboost(), reason="XGBoost is not installed (pyjl[demo])")
def test_demo_with_xgboost(tmp_path):
    proc = _run(["demo", "--quick", "--out", "x", "--model", "xgboost", "--no-progress"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads((tmp_path / "x" / "results.json").read_text())
    assert res["tuning"]["model"] == "xgboost"
    assert [r["n_evals"] for r in res["tuning"]["table"]] == [12, 12, 12]


def _without_xgboost(tmp_path) -> dict:
    """An environment in which ``import xgboost`` fails, as where it is not installed."""
    shadow = tmp_path / "no_xgboost" / "xgboost"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('xgboost hidden by the test')\n")
    path = os.pathsep.join(filter(None, [str(shadow.parent), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path}


def test_without_xgboost_auto_falls_back_and_xgboost_asks_for_the_extra(tmp_path):
    env = dict(os.environ, **_without_xgboost(tmp_path))
    code = "from pyjl.demo.models import resolve_model; print(resolve_model('auto'))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.stdout.strip() == "sklearn", proc.stderr
    proc = subprocess.run(
        _pyjl_command() + ["demo", "--quick", "--out", "x", "--model", "xgboost"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "pyjl[demo]" in proc.stderr
    assert not (tmp_path / "x").exists()


def test_cli_imports_the_demo_lazily():
    code = (
        "import sys, pyjl.cli as c; c.build_parser(); "
        "print(any(m.startswith(('pyjl.demo', 'sklearn', 'matplotlib')) "
        "for m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.strip() == "False", proc.stderr


def test_demo_help_lists_the_options(tmp_path):
    proc = _run(["demo", "--help"], tmp_path, timeout=120)
    assert proc.returncode == 0
    for opt in ("--out", "--quick", "--model"):
        assert opt in proc.stdout


# -- the pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize("budget", sorted(GRID_COUNTS))
def test_grid_has_exactly_the_budget(budget):
    from pyjl.bo.runner import grid_points

    space = grid_space(budget)
    points = grid_points(space, 2)
    assert len(points) == budget
    assert len({tuple(sorted(p.items())) for p in points}) == budget
    for p in points:
        for name, dim in SPACE.items():
            assert dim.lo <= p[name] <= dim.hi


def test_first_reach_counts_from_one(rng):
    from pyjl.bo import Real, Space, random_search

    res = random_search(
        lambda p: p["x"] ** 2,
        Space({"x": Real(-1.0, 1.0)}),
        n_calls=8,
        progress=False,
        seed=int(rng.integers(1 << 30)),
    )
    values = res.history.sort_values("number")["value"].to_numpy()
    assert first_reach(res) == int(np.argmin(values)) + 1


def test_resolve_model():
    assert resolve_model("sklearn") == "sklearn"
    assert resolve_model("auto") == ("xgboost" if _has_xgboost() else "sklearn")
    from pyjl.exceptions import InputError

    with pytest.raises(InputError, match="`model` must be one of"):
        resolve_model("lightgbm")


def test_laplace_emission_passes_the_conformance_check(rng):
    from pyjl.testing import check_emission

    loc = np.sort(rng.uniform(-3, 3, size=3)) + np.array([0.0, 2.0, 4.0])
    scale = rng.uniform(0.3, 1.5, size=3)
    out = check_emission(Laplace(loc, scale), random_state=int(rng.integers(1 << 30)))
    assert out["normalisation"] < 1e-3
    assert out["fit"] < 0.05


def test_laplace_fit_is_the_weighted_mle(rng):
    # brute force: the weighted MLE of a Laplace location minimises sum w |x - m| over m;
    # the scale is then the weighted mean absolute deviation
    x = rng.standard_normal(301) * 2.0
    w = rng.uniform(0, 1, size=(301, 2))
    em = Laplace()
    em.fit(x, w)
    grid = np.linspace(x.min(), x.max(), 20001)
    for k in range(2):
        cost = np.abs(x[:, None] - grid[None, :]).T @ w[:, k]
        assert np.sum(w[:, k] * np.abs(x - em.loc[k])) <= cost.min() + 1e-9
        b = np.sum(w[:, k] * np.abs(x - em.loc[k])) / w[:, k].sum()
        assert em.scale[k] == pytest.approx(b, rel=1e-12)


def test_generated_chain_follows_its_transition_matrix(rng):
    _, z = generate(20000, seed=int(rng.integers(1 << 30)))
    counts = np.zeros((3, 3))
    np.add.at(counts, (z[:-1], z[1:]), 1)
    freq = counts / counts.sum(1, keepdims=True)
    np.testing.assert_allclose(freq, TRANSMAT, atol=0.02)


def test_console_script_is_installed():
    assert shutil.which("pyjl") or Path(sys.executable).with_name("pyjl").is_file()
