"""The BO surrogate: the prior's gradient, MAP vs ML, and ML against scikit-learn."""

import warnings

import numpy as np
import pytest
from scipy.optimize import check_grad

from pyjl.bo import Optimizer, Real, Space
from pyjl.bo.surrogate import fit_surrogate, log_prior


def _data(rng, n=25, d=3):
    X = rng.random((n, d))
    y = np.sin(5 * X[:, 0]) + 0.5 * X[:, 1] ** 2 + 0.01 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("learn", [True, False])
def test_log_prior_gradient(learn, rng):
    d = 4
    theta = rng.normal(0.0, 0.7, d + 1 + learn)
    err = check_grad(
        lambda t: log_prior(t, d, learn)[0], lambda t: log_prior(t, d, learn)[1], theta
    )
    assert err < 1e-5


def test_prior_mode_is_unit_lengthscale():
    # -0.1 (l^2 + 1/l^2) is largest at l = 1; Gamma(2, 1) on s2 (in log space) at s2 = 1
    vals = [log_prior(np.array([np.log(l), 0.0]), 1, False)[0] for l in (0.5, 1.0, 2.0)]
    assert vals[1] > vals[0] and vals[1] > vals[2]


def test_ml_matches_or_beats_sklearn(rng):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    X, y = _data(rng)
    gp, theta = fit_surrogate(X, y, None, method="ml", prior=False, seed=0)
    sk = GaussianProcessRegressor(
        ConstantKernel(1.0, (1e-2, 1e2)) * Matern(np.ones(3), (1e-2, 1e2), nu=2.5)
        + WhiteKernel(1e-2, (1e-6, 1.0)),
        normalize_y=True,
        n_restarts_optimizer=5,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk.fit(X, y)
    assert gp.log_marginal_likelihood() >= sk.log_marginal_likelihood_value_ - 1e-2


def test_map_fit_maximises_evidence_plus_prior(rng):
    X, y = _data(rng)
    gp, theta = fit_surrogate(X, y, None, method="ml", prior=True)
    d = X.shape[1]

    def post(t):
        return gp.log_marginal_likelihood(t) + log_prior(t, d, True)[0]

    best = post(theta)
    for _ in range(20):  # no nearby point is better
        assert post(theta + rng.normal(0, 0.05, theta.size)) <= best + 1e-6
    # warm start from the optimum lands on the same optimum
    _, theta2 = fit_surrogate(X, y, None, prior=True, theta0=theta, cold_start=False)
    np.testing.assert_allclose(theta2, theta, atol=0.05)


def test_known_noise_and_loo(rng):
    X, y = _data(rng)
    nv = np.full(len(y), 1e-4)
    gp, theta = fit_surrogate(X, y, nv, method="loo")
    assert theta.size == X.shape[1] + 1 and gp.noise_ is None
    mu = gp.predict(X)
    assert np.max(np.abs(mu - y)) < 0.1


# --- the output warp ---------------------------------------------------------------------
def test_output_warp_lambda_is_the_yeo_johnson_mle_of_the_flipped_values():
    from sklearn.preprocessing import PowerTransformer

    from pyjl.bo.surrogate import OutputWarp

    rng = np.random.default_rng(3)
    for y in (
        -np.exp(rng.normal(size=40)),
        np.exp(1.5 * rng.normal(size=40)),
        rng.normal(size=40),
    ):
        w = OutputWarp(y)
        z = -(y - y.mean()) / y.std()
        ref = PowerTransformer(method="yeo-johnson", standardize=False).fit(z[:, None])
        assert w.lam == pytest.approx(float(np.clip(ref.lambdas_[0], -2, 4)), abs=2e-3)


def test_output_warp_is_increasing_and_inverts():
    from pyjl.bo.surrogate import OutputWarp

    rng = np.random.default_rng(4)
    for y in (
        -np.exp(2 * rng.normal(size=30)),
        np.exp(2 * rng.normal(size=30)),
        np.r_[np.zeros(10), -3.0, 1.0],
    ):
        w = OutputWarp(y)
        grid = np.linspace(y.min() - 1, y.max() + 1, 200)
        t = w(grid)
        assert np.all(np.diff(t) > 0)
        np.testing.assert_allclose(w.inverse(t), grid, rtol=1e-9, atol=1e-9)
    # beyond the transform's range the inverse stays finite and ordered
    w = OutputWarp(-np.exp(2 * rng.normal(size=30)))
    far = w.inverse(np.linspace(-50, 50, 11))
    assert np.all(np.isfinite(far)) and np.all(np.diff(far) >= 0)


def test_optimizer_warps_only_learned_noise_studies():
    space = Space({"x": Real(-2.0, 2.0)})
    xs = (-1.5, -0.4, 0.3, 1.1, 1.8)
    learned, known, off = (
        Optimizer(space, seed=1),
        Optimizer(space, seed=1),
        Optimizer(space, seed=1, warp_y=False),
    )
    for x in xs:
        y = float(np.exp(3 * x))  # skewed values
        learned.tell({"x": x}, y)
        known.tell({"x": x}, y, noise_var=0.1)
        off.tell({"x": x}, y)
    for opt in (learned, known, off):
        opt.surrogate()
    assert learned.output_warp is not None
    assert known.output_warp is None and off.output_warp is None
    # reported posterior means are in the objective's units
    _, v = learned.best_mean
    assert np.exp(3 * -1.5) - 1.0 < v < np.exp(3 * 1.8)


def test_optimizer_prior_mean_is_the_gls_estimate_unless_asked_otherwise():
    space = Space({"x": Real(-2.0, 2.0)})
    xs = np.r_[np.linspace(-0.1, 0.1, 6), 1.8]  # points crowding one region
    ys = np.r_[np.full(6, -3.0) + 0.01 * np.arange(6), -2.8]
    on, off = Optimizer(space, seed=1), Optimizer(space, seed=1, gls_mean=False)
    for x, y in zip(xs, ys):
        on.tell({"x": float(x)}, float(y))
        off.tell({"x": float(x)}, float(y))
    g_on, g_off = on.surrogate(), off.surrogate()
    assert g_off._y_mean == pytest.approx(np.mean(off.output_warp(ys)), rel=1e-12)
    # ordinary kriging: 1' K^-1 t / 1' K^-1 1 of the warped values t, in which the crowded
    # points count for less than their number
    K = g_on.kernel_(g_on.X_train_) + g_on.noise_ * np.eye(len(xs))
    w = np.linalg.solve(K, np.ones(len(xs)))
    assert g_on._y_mean == pytest.approx(w @ on.output_warp(ys) / w.sum(), rel=1e-8)
    assert w[-1] / w.sum() > 1 / len(xs)  # the lone point weighs more than one in seven


@pytest.mark.parametrize("lam", [-2.0, -0.5, 0.0, 1.0, 2.0, 3.0, 4.0])
def test_output_warp_domain_is_the_range_of_yeo_johnson(lam):
    # Yeo & Johnson (2000): psi is bounded above by -1/lam for lam < 0 and below by
    # 1/(lam - 2) for lam > 2; t = -psi(u) flips the two.  SciPy's transform of ever
    # larger |u| approaches the bounds and never crosses them (it meets them by rounding).
    from scipy import stats

    from pyjl.bo.surrogate import OutputWarp

    w = OutputWarp(np.array([0.1, 0.2, 0.3, 5.0, 40.0]))
    w.lam = lam
    low, high = w.domain
    u = np.array([1e3, 1e6, 1e12])
    t_good, t_bad = -stats.yeojohnson(u, lmbda=lam), -stats.yeojohnson(-u, lmbda=lam)
    if lam < 0:
        assert low == pytest.approx(1 / lam) and np.all(t_good >= low)
        assert t_good[-1] == pytest.approx(low, rel=1e-3)
    else:
        assert low == -np.inf and t_good[-1] < -(1e3 ** min(lam, 1))
    if lam > 2:
        assert high == pytest.approx(1 / (lam - 2)) and np.all(t_bad <= high)
        assert t_bad[-1] == pytest.approx(high, rel=1e-3)
    else:
        assert high == np.inf and t_bad[-1] > 1e3 ** min(2 - lam, 1)


def test_model_values_clip_only_far_outliers():
    from pyjl.bo.surrogate import BAD_SPREADS, CLIP_SPREADS, model_values

    rng = np.random.default_rng(8)
    y = rng.normal(size=40)
    same, cut = model_values(y)  # ordinary data: untouched
    assert not cut.any() and np.array_equal(same, y)
    # a heavy tail, within 1000 IQRs: not clipped, but the worst shown 10 IQRs up
    heavy = np.exp(3 * rng.normal(size=40))
    shown, cut = model_values(heavy)
    q25, q50, q75 = np.quantile(heavy, [0.25, 0.5, 0.75], method="inverted_cdf")
    np.testing.assert_array_equal(shown, np.minimum(heavy, q50 + BAD_SPREADS * (q75 - q25)))
    assert not cut.any() and (shown < heavy).any()
    z = np.r_[y, 1e308, -1e308, 5e307]
    out, cut = model_values(z)
    q25, q50, q75 = np.quantile(z, [0.25, 0.5, 0.75], method="inverted_cdf")
    limit, bad = CLIP_SPREADS * (q75 - q25), BAD_SPREADS * (q75 - q25)
    assert cut.tolist() == [False] * 40 + [True] * 3
    np.testing.assert_allclose(out[40:], [q50 + bad, q50 - limit, q50 + bad])
    assert np.array_equal(out[:40], np.minimum(y, q50 + bad)) and np.isfinite(np.std(out))
    tied = np.r_[np.zeros(30), 1.0, 2.0, 1e300]  # IQR 0, 10-90 % 0: the others' distance
    out, cut = model_values(tied)
    assert cut.tolist() == [False] * 32 + [True] and out[-1] == BAD_SPREADS * 2.0
    assert not model_values(tied * 1e-300)[1][:32].any()  # the same at any magnitude
    assert model_values(np.r_[np.zeros(30), 5e299, 1e300, 2e300])[1].sum() == 0


@pytest.mark.parametrize("scale", [1e-300, 1e-200, 1e-170, 1e150, 1e200, 1e300])
def test_the_surrogate_sees_values_of_any_magnitude_as_at_scale_one(scale):
    # the clip and the warp standardise: s * y must look like y (squares of 1e-200 and
    # 1e200 under- and overflow; values beyond 1e150 were clipped to one value)
    from pyjl.bo.surrogate import OutputWarp, model_values

    y = np.r_[np.exp(np.random.default_rng(3).normal(size=30)), 1e6]
    out, cut = model_values(y)
    big, big_cut = model_values(y * scale)
    assert np.array_equal(big_cut, cut)
    np.testing.assert_allclose(big / scale, out, rtol=1e-12)
    w, ws = OutputWarp(out), OutputWarp(big)
    # lam is SciPy's Brent search (tolerance 1.48e-8 relative): inputs equal up to rounding
    # may stop it a few tolerances apart (1.6e-8 on an AMD EPYC Zen 3)
    assert ws.lam == pytest.approx(w.lam, rel=1e-7)
    np.testing.assert_allclose(ws(big), w(out), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(ws.inverse(ws(big)) / scale, out, rtol=1e-10)


@pytest.mark.parametrize("scale", [1e-200, 1e300])
def test_a_study_at_any_magnitude_finds_what_it_finds_at_scale_one(scale):
    def run(s):
        opt = Optimizer(Space({"x": Real(0.0, 1.0), "y": Real(-1.0, 1.0)}), seed=0)
        for _ in range(12):
            p = opt.ask()
            opt.tell(p, s * ((p["x"] - 0.3) ** 2 + p["y"] ** 2 + 1.0))
        return opt.best[1] / s, opt.best_mean[1] / s

    np.testing.assert_allclose(run(scale), run(1.0), rtol=1e-6)


def test_one_enormous_failure_does_not_flatten_the_search():
    # a diverged run's huge loss says only "bad": shown 10 IQRs above the median, the
    # others keep their resolution (before, the bowl's best stayed at 0.003 to 0.09)
    for seed in range(3):
        opt = Optimizer(Space({"x": Real(0.0, 1.0), "y": Real(-1.0, 1.0)}), seed=seed, n_initial=5)
        opt.tell({"x": 0.95, "y": 0.9}, 1e12)
        for _ in range(15):
            p = opt.ask()
            opt.tell(p, (p["x"] - 0.3) ** 2 + p["y"] ** 2)
        assert opt.best[1] < 1e-3


def test_a_converged_search_does_not_warn_of_its_early_values():
    import warnings

    from pyjl.bo import minimize
    from pyjl.exceptions import NumericalWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = minimize(
            lambda p: (p["x"] - 2.0) ** 2,
            Space({"x": Real(-10.0, 10.0)}),
            n_calls=60,
            seed=0,
            progress=False,
        )
    assert res.best_value < 1e-6  # converged: its early values are 1,000 IQRs away
    assert not [w for w in caught if issubclass(w.category, NumericalWarning)]
