"""Several targets in one GaussianProcess, against scikit-learn's GaussianProcessRegressor
(which shares the kernel across the columns of y) and against one model per column."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF as SkRBF
from sklearn.gaussian_process.kernels import ConstantKernel, WhiteKernel
from sklearn.metrics import r2_score

from pyjl.exceptions import InputError
from pyjl.gp import RBF, GaussianProcess

RNG = np.random.default_rng(20261207)
X = RNG.uniform(0, 1, (35, 2))
Y = np.c_[np.sin(6 * X[:, 0]), 3 * np.cos(4 * X[:, 1]) + 5, 10 * X[:, 0] * X[:, 1]]
Y += 0.05 * RNG.standard_normal(Y.shape)
XS = RNG.uniform(0, 1, (9, 2))
LENGTHS, VARIANCE, NOISE = np.array([0.4, 0.6]), 1.7, 1e-2


def _pair(normalize_y):
    """pyjl and scikit-learn at the same fixed hyperparameters."""
    ours = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE, normalize_y=normalize_y)
    theirs = GaussianProcessRegressor(
        ConstantKernel(VARIANCE) * SkRBF(LENGTHS),
        alpha=NOISE,
        normalize_y=normalize_y,
        optimizer=None,
    )
    return ours.fit(X, Y, method=None), theirs.fit(X, Y)


@pytest.mark.parametrize("normalize_y", [False, True])
def test_moments_equal_scikit_learns(normalize_y):
    ours, theirs = _pair(normalize_y)
    for kw in ({}, {"return_std": True}, {"return_cov": True}):
        got, want = ours.predict(XS, **kw), theirs.predict(XS, **kw)
        for g, w in zip(got if kw else [got], want if kw else [want]):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("normalize_y", [False, True])
def test_likelihood_and_gradient_equal_scikit_learns(normalize_y):
    ours, theirs = _pair(normalize_y)
    theta = ours.kernel_.theta  # lengthscales, then the variance
    value, grad = ours.log_marginal_likelihood(theta, eval_gradient=True)
    sk_value, sk_grad = theirs.log_marginal_likelihood(theirs.kernel_.theta, eval_gradient=True)
    np.testing.assert_allclose(value, sk_value, rtol=1e-10)
    np.testing.assert_allclose(grad, np.r_[sk_grad[1:], sk_grad[0]], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours.log_marginal_likelihood(), sk_value, rtol=1e-10)


def test_fit_reaches_scikit_learns_optimum_with_learned_noise():
    ours = GaussianProcess(1.0 * RBF([0.5, 0.5]), noise=0.01, n_restarts=2, random_state=0)
    theirs = GaussianProcessRegressor(
        ConstantKernel(1.0) * SkRBF([0.5, 0.5]) + WhiteKernel(0.01),
        alpha=1e-10,
        n_restarts_optimizer=2,
        random_state=0,
    )
    ours.fit(X, Y)
    theirs.fit(X, Y)
    assert ours.log_marginal_likelihood_value_ >= theirs.log_marginal_likelihood_value_ - 1e-6
    assert ours.log_marginal_likelihood_value_ == pytest.approx(
        theirs.log_marginal_likelihood_value_, abs=1e-4
    )
    assert ours.noise_ == pytest.approx(theirs.kernel_.k2.noise_level, rel=1e-3)


@pytest.mark.parametrize("method", ["ml", "loo"])
def test_objectives_are_the_sums_over_one_model_per_column(method):
    # at shared hyperparameters the columns are independent GPs with one kernel
    joint = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE).fit(X, Y, method=None)
    theta = np.r_[joint.kernel_.theta, np.log(NOISE)]
    call = "log_marginal_likelihood" if method == "ml" else "loo_log_predictive"
    value, grad = getattr(joint, call)(theta, eval_gradient=True)
    parts = [
        getattr(
            GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE).fit(X, Y[:, j], method=None),
            call,
        )(theta, eval_gradient=True)
        for j in range(Y.shape[1])
    ]
    np.testing.assert_allclose(value, sum(p[0] for p in parts), rtol=1e-11)
    np.testing.assert_allclose(grad, sum(p[1] for p in parts), rtol=1e-8, atol=1e-10)


def test_loo_gradient_matches_finite_differences():
    gp = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE).fit(X, Y, method=None)
    theta = np.r_[gp.kernel_.theta, np.log(NOISE)]
    _, grad = gp.loo_log_predictive(theta, eval_gradient=True)
    h = 1e-6
    fd = [
        (gp.loo_log_predictive(theta + h * e) - gp.loo_log_predictive(theta - h * e)) / (2 * h)
        for e in np.eye(theta.size)
    ]
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)


def test_loo_fit_improves_the_summed_loo_objective():
    start = GaussianProcess(1.0 * RBF([0.5, 0.5]), noise=0.01).fit(X, Y, method=None)
    fitted = GaussianProcess(1.0 * RBF([0.5, 0.5]), noise=0.01).fit(X, Y, method="loo")
    assert fitted.loo_log_predictive() > start.loo_log_predictive() + 1.0


def test_update_equals_a_refit_at_the_same_hyperparameters():
    kernel = VARIANCE * RBF(LENGTHS)
    gp = GaussianProcess(kernel, noise=NOISE).fit(X[:25], Y[:25], method=None)
    gp.update(X[25:], Y[25:])
    refit = GaussianProcess(kernel, noise=NOISE).fit(X, Y, method=None)
    np.testing.assert_allclose(gp.alpha_, refit.alpha_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        gp.log_marginal_likelihood(), refit.log_marginal_likelihood(), rtol=1e-12
    )
    for a, b in zip(gp.predict(XS, return_std=True), refit.predict(XS, return_std=True)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_recentre_is_each_columns_own():
    kernel = VARIANCE * RBF(LENGTHS)
    joint = GaussianProcess(kernel, noise=NOISE, normalize_y=True).fit(X, Y, method=None)
    singles = [
        GaussianProcess(kernel, noise=NOISE, normalize_y=True).fit(X, Y[:, j], method=None)
        for j in range(Y.shape[1])
    ]
    far = np.array([[40.0, -40.0]])
    np.testing.assert_allclose(
        joint.recentre().predict(far)[0], [s.recentre().predict(far)[0] for s in singles]
    )
    np.testing.assert_allclose(joint.recentre([1.0, -2.0, 3.0]).predict(far)[0], [1, -2, 3])
    np.testing.assert_allclose(joint.recentre(0.5).predict(far)[0], [0.5] * 3)


def test_score_is_scikit_learns_uniform_average():
    ours, _ = _pair(True)
    y = ours.predict(XS) + 0.3 * RNG.standard_normal((len(XS), Y.shape[1]))
    w = RNG.uniform(0.1, 2.0, len(XS))
    mu = ours.predict(XS)
    assert ours.score(XS, y) == pytest.approx(r2_score(y, mu), rel=1e-12)
    assert ours.score(XS, y, w) == pytest.approx(r2_score(y, mu, sample_weight=w), rel=1e-12)


def test_draws_have_the_predicted_moments_per_target():
    ours, _ = _pair(True)
    pts = XS[:3]
    draws = ours.sample_y(pts, 40_000, random_state=np.random.default_rng(5))
    assert draws.shape == (3, Y.shape[1], 40_000)
    mean, cov = ours.predict(pts, return_cov=True)
    for j in range(Y.shape[1]):
        d = draws[:, j, :]
        sd = np.sqrt(np.diag(cov[:, :, j]))
        np.testing.assert_allclose(d.mean(axis=1), mean[:, j], atol=0.03 * sd.max())
        np.testing.assert_allclose(np.cov(d), cov[:, :, j], atol=0.05 * sd.max() ** 2)


def test_one_column_is_one_target_as_in_scikit_learn():
    gp = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE).fit(X, Y[:, :1], method=None)
    mean, std = gp.predict(XS, return_std=True)
    assert mean.shape == std.shape == (len(XS),)
    assert gp.sample_y(XS, 2).shape == (len(XS), 2)


def test_tables_come_back_with_a_column_per_target():
    frame = pd.DataFrame(X, columns=["a", "b"], index=[f"p{i}" for i in range(len(X))])
    targets = pd.DataFrame(Y, columns=["u", "v", "w"])
    gp = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE).fit(frame, targets, method=None)
    mean, std = gp.predict(frame.iloc[:4], return_std=True)
    for out in (mean, std):
        assert isinstance(out, pd.DataFrame)
        assert list(out.columns) == ["u", "v", "w"]
        assert list(out.index) == list(frame.index[:4])
    np.testing.assert_allclose(mean.to_numpy(), gp.predict(X[:4]))
    _, cov = gp.predict(frame.iloc[:4], return_cov=True)
    assert isinstance(cov, np.ndarray) and cov.shape == (4, 4, 3)
    table = gp.predict(pa.table({"a": X[:4, 0], "b": X[:4, 1]}))
    assert isinstance(table, pa.Table) and table.column_names == ["u", "v", "w"]
    np.testing.assert_allclose(table.to_pandas().to_numpy(), gp.predict(X[:4]))


def test_named_targets_are_matched_by_name_or_refused():
    """update, recentre and score read targets by position: a table or Series labelled in
    another order is refused, not silently read; one in the fitted order equals a refit."""
    names = ["u", "v", "w"]
    gp = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE)
    gp.fit(X[:30], pd.DataFrame(Y[:30], columns=names), method=None)
    swapped = pd.DataFrame(Y[30:], columns=names)[["v", "u", "w"]]
    for call in (
        lambda: gp.update(X[30:], swapped),
        lambda: gp.update(X[30:], pa.table({"w": Y[30:, 2], "u": Y[30:, 0], "v": Y[30:, 1]})),
        lambda: gp.recentre(pd.Series({"v": 1.0, "u": 0.0, "w": 2.0})),
        lambda: gp.score(XS, pd.DataFrame(gp.predict(XS), columns=names)[["w", "v", "u"]]),
    ):
        with pytest.raises(InputError, match=r"in that order: \['u', 'v', 'w'\]"):
            call()
    gp.update(X[30:], swapped[names])
    refit = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE).fit(X, Y, method=None)
    np.testing.assert_allclose(gp.predict(XS), refit.predict(XS), rtol=1e-9, atol=1e-12)
    assert gp.score(XS, pd.DataFrame(refit.predict(XS), columns=names)) == pytest.approx(1.0)
    gp.recentre(pd.Series({"u": 0.0, "v": 1.0, "w": 2.0}))
    refit.recentre(np.array([0.0, 1.0, 2.0]))
    np.testing.assert_allclose(gp.predict(XS), refit.predict(XS), rtol=1e-9, atol=1e-12)
    gp.update(X[:1] + 0.5, pd.DataFrame(Y[:1]))  # labels 0, 1, ...: positions, as NumPy
    rows = pd.Series(Y[:2, 0], index=[30, 31])  # one target's rows: its index is not targets
    with pytest.raises(InputError, match=r"`y_new` must be \(n, 3\)"):
        gp.update(X[:2] + 0.5, rows)


def _cg_data():
    rng = np.random.default_rng(11)
    X = rng.uniform(0, 1, (400, 2))
    Y = np.c_[np.sin(6 * X[:, 0]), 3 * np.cos(4 * X[:, 1]) + 5]
    return X, Y + 0.05 * rng.standard_normal(Y.shape), rng.uniform(0, 1, (15, 2))


@pytest.mark.parametrize("normalize_y", [False, True])
def test_the_iterative_solver_agrees_with_cholesky(normalize_y):
    X, Y, Xs = _cg_data()
    kw = {"noise": 0.01, "normalize_y": normalize_y, "random_state": 0}
    exact = GaussianProcess(1.0 * RBF([0.5, 0.5]), solver="cholesky", **kw).fit(X, Y, method=None)
    cg = GaussianProcess(1.0 * RBF([0.5, 0.5]), solver="cg", **kw).fit(X, Y, method=None)
    np.testing.assert_allclose(
        cg.log_marginal_likelihood_value_, exact.log_marginal_likelihood_value_, rtol=1e-6
    )
    (m1, s1), (m2, s2) = exact.predict(Xs, return_std=True), cg.predict(Xs, return_std=True)
    assert m2.shape == s2.shape == (len(Xs), 2)
    np.testing.assert_allclose(m2, m1, rtol=1e-6, atol=1e-6 * np.abs(m1).max())
    np.testing.assert_allclose(s2, s1, rtol=1e-2)
    assert cg.predict(Xs, return_cov=True)[1].shape == (len(Xs), len(Xs), 2)
    assert cg.sample_y(Xs, 3, random_state=0).shape == (len(Xs), 2, 3)


def test_the_iterative_objective_is_the_sum_over_one_model_per_column():
    # the same probes (random_state) give every column the same log-determinant estimate
    X, Y, _ = _cg_data()
    kw = {"noise": 0.01, "solver": "cg", "random_state": 0}
    joint = GaussianProcess(1.0 * RBF([0.5, 0.5]), **kw).fit(X, Y, method=None)
    theta = np.r_[joint.kernel_.theta, np.log(0.01)]
    value, grad = joint.log_marginal_likelihood(theta, eval_gradient=True)
    parts = [
        GaussianProcess(1.0 * RBF([0.5, 0.5]), **kw)
        .fit(X, Y[:, j], method=None)
        .log_marginal_likelihood(theta, eval_gradient=True)
        for j in range(Y.shape[1])
    ]
    np.testing.assert_allclose(value, sum(p[0] for p in parts), rtol=1e-9)
    np.testing.assert_allclose(grad, sum(p[1] for p in parts), rtol=1e-6, atol=1e-6)


def test_the_iterative_update_and_recentre_agree_with_cholesky():
    X, Y, Xs = _cg_data()
    kernel = 1.0 * RBF([0.5, 0.5])
    cg = GaussianProcess(kernel, noise=0.01, solver="cg", random_state=0)
    cg.fit(X[:350], Y[:350], method=None).update(X[350:], Y[350:])
    exact = GaussianProcess(kernel, noise=0.01, solver="cholesky").fit(X, Y, method=None)
    np.testing.assert_allclose(cg.predict(Xs), exact.predict(Xs), atol=1e-5)
    far = np.array([[30.0, 30.0]])
    np.testing.assert_allclose(
        cg.recentre().predict(far), exact.recentre().predict(far), atol=1e-5
    )


@pytest.mark.parametrize("n_targets", [1, 3])
def test_the_prior_of_n_targets_is_scikit_learns(n_targets):
    # scikit-learn's n_targets: the prior's mean, std, covariance and draws per target
    ours = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE, n_targets=n_targets)
    theirs = GaussianProcessRegressor(
        ConstantKernel(VARIANCE) * SkRBF(LENGTHS), alpha=NOISE, n_targets=n_targets
    )
    for kw in ({}, {"return_std": True}, {"return_cov": True}):
        got, want = ours.predict(XS, **kw), theirs.predict(XS, **kw)
        for g, w in zip(got if kw else [got], want if kw else [want], strict=True):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)
    draws = ours.sample_y(XS, 4000, random_state=0)
    assert draws.shape == theirs.sample_y(XS, 4000).shape
    cov = theirs.predict(XS, return_cov=True)[1].reshape(len(XS), len(XS), -1)[:, :, 0]
    flat = draws.reshape(len(XS), -1)  # the targets share the prior: pooled draws
    np.testing.assert_allclose(np.cov(flat), cov, atol=0.15)


def test_n_targets_refuses_another_y_and_is_a_setting():
    from sklearn.base import clone

    gp = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE, n_targets=3)
    with pytest.raises(Exception, match=r"`y` must have n_targets=3 target\(s\).*got 2"):
        gp.fit(X, Y[:, :2])  # scikit-learn: "The number of targets seen in `y` is different"
    with pytest.raises(ValueError):
        GaussianProcessRegressor(n_targets=3).fit(X, Y[:, :2])
    assert gp.fit(X, Y, method=None).predict(XS).shape == (9, 3)
    assert clone(gp).get_params()["n_targets"] == 3
    with pytest.raises(Exception, match="`n_targets`"):
        GaussianProcess(n_targets=0)


def test_a_model_pickled_before_n_targets_loads_with_one_target():
    import pickle

    gp = GaussianProcess(VARIANCE * RBF(LENGTHS), noise=NOISE).fit(X, Y[:, 0], method=None)
    del gp.__dict__["n_targets"]  # as a model pickled by a pyjl without it
    again = pickle.loads(pickle.dumps(gp))
    assert again.get_params()["n_targets"] is None
    np.testing.assert_array_equal(again.predict(XS), gp.predict(XS))
