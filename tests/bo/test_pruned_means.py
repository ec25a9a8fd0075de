"""Pruned trials read as partial means (``pruned_as="mean"``): the fold variance and the
extra noise against their closed forms, the surrogate's posterior against a GP computed by
hand, the search with most trials pruned after one fold, and the option's checks."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.bo import Optimizer, Real, Space, SuccessiveHalvingPruner, TrialState, minimize
from pyjl.bo.fidelity import fold_variance, partial_means, residual_variance
from pyjl.bo.trial import Trial
from pyjl.exceptions import InputError

K = 5
#: what each fold adds to every trial's value (the same folds for every trial)
EFFECT = np.array([-0.05, 0.02, 0.0, 0.04, -0.01])


def _study(rng, n_done: int, n_pruned: int, shuffle: bool, s: float = 0.3):
    """Trials of ``K`` pieces each (a level per trial, fold effects, noise ``s``): the first
    ``n_done`` complete, the others pruned after 1 to ``K - 1`` pieces.  Returns the
    trials, their curves of running means, and every trial's ``K`` pieces."""
    effect = np.array([-0.4, 0.3, 0.0, 0.2, -0.1])
    trials, curves, pieces = [], {}, {}
    for n in range(n_done + n_pruned):
        v = rng.uniform(0.0, 3.0) + effect + s * rng.standard_normal(K)
        if shuffle:  # the pieces in a random order: exchangeable
            v = rng.permutation(v)
        k = K if n < n_done else int(rng.integers(1, K))
        means = np.cumsum(v[:k]) / np.arange(1, k + 1)
        curves[n] = {step: float(m) for step, m in enumerate(means)}
        trials.append(Trial(n, {}, "complete" if n < n_done else "pruned", float(means[-1])))
        pieces[n] = v
    return trials, curves, pieces


def test_partial_means_are_the_closed_forms(rng):
    trials, curves, pieces = _study(rng, 7, 9, shuffle=False)
    seen = {n: pieces[n][: len(curves[n])] for n in curves}
    # the pooled variance within trials, from the pieces themselves
    dof = sum(len(v) - 1 for v in seen.values())
    s2 = sum(np.var(v, ddof=1) * (len(v) - 1) for v in seen.values() if len(v) > 1) / dof
    assert fold_variance(list(curves.values())) == pytest.approx(s2, rel=1e-12)
    # the residual variance of the completed trials' pieces once a level per trial and an
    # offset per fold are fitted by least squares (dummy columns)
    P = np.array([pieces[n] for n in range(7)])
    A = np.hstack([np.kron(np.eye(7), np.ones((K, 1))), np.tile(np.eye(K)[:, 1:], (7, 1))])
    _, ss, rank, _ = np.linalg.lstsq(A, P.reshape(-1), rcond=None)
    assert rank == 7 + K - 1
    r2 = float(ss[0]) / (P.size - rank)
    assert residual_variance(P) == pytest.approx(r2, rel=1e-10)
    full = np.array([np.cumsum(pieces[n]) / np.arange(1, K + 1) for n in range(7)])
    offset = np.mean(full - full[:, -1:], axis=0)
    got = partial_means(trials, curves)
    assert sorted(got) == list(range(7, 16))
    for n, (value, var) in got.items():
        k = len(curves[n])
        assert value == pytest.approx(np.mean(pieces[n][:k]) - offset[k - 1], rel=1e-12)
        assert var == pytest.approx(r2 * (1 / k - 1 / K) * (1 + 1 / 7), rel=1e-10)


@pytest.mark.parametrize("shuffle", [True, False])
def test_partial_means_are_unbiased_with_the_variance_they_claim(rng, shuffle):
    # the error of a partial mean against the trial's full mean is centred and its
    # variance is s^2 (1/k - 1/K) (1 + 1/n) (a mean of k of K drawn without replacement,
    # and the fold offsets' error): the standardised errors have mean 0 and variance 1,
    # whether the pieces come in a random order or the same folds in the same order
    # (fold effects); the offsets' error is shared, so the mean is within 1/sqrt(n)
    trials, curves, pieces = _study(rng, 40, 2000, shuffle=shuffle)
    got = partial_means(trials, curves)
    z = np.array([(v - np.mean(pieces[n])) / np.sqrt(var) for n, (v, var) in got.items()])
    assert abs(np.mean(z)) < 3 / np.sqrt(40)
    assert np.var(z) == pytest.approx(1.0, abs=0.15)


def test_nothing_to_read_without_a_completed_curve():
    trials = [Trial(0, {}, "complete", 1.0), Trial(1, {}, "pruned", 2.0)]
    assert partial_means(trials, {1: {0: 2.0}}) == {}
    assert partial_means(trials, {0: {0: 1.0}, 1: {0: 2.0}}) == {}  # one piece: no s^2
    assert fold_variance([{0: 1.0}]) is None


def _matern52(A, B, lengthscale, variance):
    r = np.sqrt(np.sum(((A[:, None, :] - B[None, :, :]) / lengthscale) ** 2, axis=-1))
    return variance * (1 + np.sqrt(5) * r + 5 * r**2 / 3) * np.exp(-np.sqrt(5) * r)


def _yeo_johnson_slope(y, warp):
    """d t / d y of ``t = -psi(-(y - mean) / std)``, by hand: ``psi'(u) / std``."""
    u, lam = -(y - warp.mean) / warp.std, warp.lam
    return np.array([(1 + a) ** (lam - 1) if a >= 0 else (1 - a) ** (1 - lam) for a in u]) / (
        warp.std
    )


def test_warp_slope_is_the_derivative(rng):
    from pyjl.bo.surrogate import OutputWarp

    y = rng.lognormal(0.0, 1.0, 30)
    warp = OutputWarp(y)
    h = 1e-5
    numeric = (warp(y + h) - warp(y - h)) / (2 * h)
    np.testing.assert_allclose(warp.slope(y), numeric, rtol=1e-6)
    np.testing.assert_allclose(warp.slope(y), _yeo_johnson_slope(y, warp), rtol=1e-12)


@pytest.mark.parametrize("warp_y", [False, True])
def test_posterior_is_the_gp_with_the_extra_noise(rng, warp_y):
    # complete trials and pruned ones read as partial means: the GP of the sampler is the
    # posterior of the fitted kernel with noise noise_ + extra (through the warp's slope),
    # its constant mean the GLS estimate -- written out here with NumPy
    space = Space({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)})
    opt = Optimizer(space, seed=0, n_initial=2, warp_y=warp_y, pruned_as="mean")
    centre = np.array([0.3, 0.6])
    for i in range(14):
        if i < 6:
            params = {"a": float(rng.uniform()), "b": float(rng.uniform())}
        else:
            [(number, params)] = opt.ask_trials(1)
        p = np.array([params["a"], params["b"]])
        v = float(np.sum((p - centre) ** 2)) + 0.05 * rng.standard_normal(K)
        if i < 6:
            number = opt.tell(params, float(np.mean(v)))
        for step in range(K if i < 6 else 1 + i % 3):
            opt.report(number, step, float(np.mean(v[: step + 1])))
        if i >= 6:
            opt.tell_pruned(number)
    trials = opt.trials
    got = partial_means(trials, opt.intermediate_values())
    assert len(got) == 8
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    done += [
        Trial(t.number, t.params, TrialState.COMPLETE, got[t.number][0])
        for t in trials
        if t.number in got
    ]
    sampler = opt._sampler
    gp, X, y, _ = sampler._believe(space, trials, done, opt.seed, None, got)
    # the hyperparameters and the noise are those of a fit to the same values without
    # extra noise (up to the optimiser's tolerance: that fit starts from the last one)
    gp0, _, y0 = sampler.surrogate.fit(space, done, seed=opt.seed, n_initial=2)
    np.testing.assert_allclose(y, y0)
    d = X.shape[1]
    np.testing.assert_allclose(gp.kernel_.theta, gp0.kernel_.theta, atol=1e-3)
    lengthscale = np.exp(gp.kernel_.theta[:d])
    variance = float(np.exp(gp.kernel_.theta[d]))
    sd = float(np.std(y))
    noise = sampler.surrogate.fantasy_nv / sd**2  # the homoscedastic part, model units
    assert noise == pytest.approx(gp0.noise_, rel=1e-2)
    raw = np.array([t.value for t in done])
    extra = np.array([got[t.number][1] if t.number in got else 0.0 for t in done])
    if warp_y:
        warp = sampler.surrogate.warp
        assert warp is not None
        extra = extra * _yeo_johnson_slope(raw, warp) ** 2
    else:
        np.testing.assert_allclose(y, raw)
    Kxx = _matern52(X, X, lengthscale, variance) + np.diag(noise + extra / sd**2)
    yn = (y - np.mean(y)) / sd
    ones = np.ones(len(y))
    m = ones @ np.linalg.solve(Kxx, yn) / (ones @ np.linalg.solve(Kxx, ones))
    Xs = rng.uniform(0.0, 1.0, (20, d))
    ks = _matern52(Xs, X, lengthscale, variance)
    mu = np.mean(y) + sd * (m + ks @ np.linalg.solve(Kxx, yn - m))
    var = sd**2 * (variance - np.sum(ks * np.linalg.solve(Kxx, ks.T).T, axis=1))
    got_mu, got_sd = gp.predict(Xs, return_std=True)
    np.testing.assert_allclose(got_mu, mu, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got_sd**2, var, rtol=1e-5, atol=1e-10)


def _bowl_study(seed: int, pruned_as: str) -> np.ndarray:
    """Five trials complete; every later one is pruned after one of five folds.  Returns
    the points asked."""
    space = Space({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)})
    centre = np.array([0.31, 0.62])
    noise = np.random.default_rng(seed)
    opt = Optimizer(space, seed=seed, n_initial=5, pruned_as=pruned_as)
    for i in range(22):
        [(number, params)] = opt.ask_trials(1)
        x = np.array([params["a"], params["b"]])
        v = 10 * float(np.sum((x - centre) ** 2)) + EFFECT + 0.002 * noise.standard_normal(K)
        for step in range(K if i < 5 else 1):
            opt.report(number, step, float(np.mean(v[: step + 1])))
        if i < 5:
            opt.tell_trial(number, float(np.mean(v)))
        else:
            opt.tell_pruned(number)
    return np.array([[t.params["a"], t.params["b"]] for t in opt.trials])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bo_finds_the_bowl_when_most_trials_stop_after_one_fold(seed):
    # ranked, a pruned trial better than every completed one reads as the best completed
    # value: the GP sees a plateau where the bowl's bottom is (seeds 0-5 come no nearer
    # than 0.023 to 0.084).  Read as a partial mean -- its fold's offset removed -- it is
    # an observation (noise 0.8 s^2) and the search closes in on the optimum
    centre = np.array([0.31, 0.62])
    seen = _bowl_study(seed, "mean")
    assert np.min(np.linalg.norm(seen - centre, axis=1)) < 0.015  # ranked: 0.023 to 0.084


def test_pruned_as_is_checked():
    space = Space({"x": Real(0.0, 1.0)})
    with pytest.raises(InputError, match="pruned_as"):
        Optimizer(space, pruned_as="folds")
    assert Optimizer(space).pruned_as == "rank"


def test_a_stored_study_resumes_in_either_mode(tmp_path):
    # the mode is not stored: a study pruned with ranks goes on with partial means
    def objective(params, trial):
        v = abs(params["x"] - 0.3) + 0.01 * np.arange(K)
        for step in range(K):
            trial.report(step, float(np.mean(v[: step + 1])))
            if step < K - 1 and trial.should_prune():
                from pyjl.bo import TrialPruned

                raise TrialPruned()
        return float(np.mean(v))

    url = f"sqlite:///{tmp_path / 'study.db'}"
    space = Space({"x": Real(0.0, 1.0)})
    pruner = SuccessiveHalvingPruner(1, reduction_factor=3)
    kw = dict(storage=url, study="s", seed=0, progress=False, pruner=pruner)
    minimize(objective, space, n_calls=10, n_initial=3, **kw)
    res = minimize(objective, space, n_calls=20, n_initial=3, pruned_as="mean", **kw)
    states = [t.state for t in res.optimizer.trials]
    assert len(states) == 20 and TrialState.PRUNED in states
    assert abs(res.best_params["x"] - 0.3) < 0.05


def test_bayes_search_cv_reads_pruned_candidates_as_fold_means():
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    from pyjl.bo import BayesSearchCV, Integer, MedianPruner

    X, y = load_iris(return_X_y=True)
    kw = dict(n_iter=10, cv=3, random_state=0, pruner=MedianPruner(1))
    space = {"max_depth": Integer(1, 6), "min_samples_leaf": Integer(1, 30)}
    kw["optimizer_kwargs"] = {"n_initial": 3}
    search = BayesSearchCV(DecisionTreeClassifier(random_state=0), space, **kw).fit(X, y)
    trials = search.study_.trials
    assert search.study_.pruned_as == "mean" and len(trials) == 10
    assert TrialState.PRUNED in [t.state for t in trials[:-1]]  # the GP saw pruned trials
    kw["optimizer_kwargs"] = {"pruned_as": "rank"}
    search = BayesSearchCV(DecisionTreeClassifier(random_state=0), space, **kw).fit(X, y)
    assert search.study_.pruned_as == "rank"
    with pytest.raises(InputError, match="pruned_as"):
        kw["optimizer_kwargs"] = {"pruned_as": "median"}
        BayesSearchCV(DecisionTreeClassifier(random_state=0), space, **kw).fit(X, y)
