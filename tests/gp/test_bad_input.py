"""GaussianProcess's refusals of bad arguments and its handling of numerical trouble.

References: scikit-learn's ``GaussianProcessRegressor`` (the likelihood at given
hyperparameters, per-point ``alpha``, ``-inf`` and a zero gradient where ``K`` does
not factorise) and NumPy's ``Generator`` (what a seed means).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor as GPR
from sklearn.gaussian_process import kernels as sk

from pyjl.exceptions import InputError, NumericalWarning
from pyjl.gp import (
    RBF,
    Constant,
    GaussianProcess,
    Linear,
    Matern52,
    Periodic,
    Product,
    RationalQuadratic,
    Scaled,
    Sum,
    White,
)

# constant data at import: the table of refusals below refers to it
RNG = np.random.default_rng(12)
N, D = 25, 2
X = RNG.uniform(0, 1, (N, D))
Y = np.sin(4 * X[:, 0]) + X[:, 1] + 0.05 * RNG.standard_normal(N)
XS = RNG.uniform(0, 1, (6, D))


def _fitted(**kw):
    return GaussianProcess(RBF([0.5, 0.8]), noise=1e-2, **kw).fit(X, Y)


def _set_theta(kernel, theta):
    kernel.theta = theta
    return kernel


def _huge_y(solver):
    # finite targets whose K^-1 y overflows (scikit-learn predicts NaN without a word)
    gp = GaussianProcess(RBF([0.5, 0.8], 2.0), noise=1e-3, noise_bounds="fixed", solver=solver)
    return gp.fit(X, np.r_[Y[:-1], 1e308], method=None)


@pytest.mark.parametrize(
    "call,words",
    [
        (lambda: GaussianProcess(normalize_y="yes"), ["`normalize_y`", "True or False", "'yes'"]),
        (lambda: GaussianProcess(warm_start=2), ["`warm_start`", "True or False", "2"]),
        (lambda: GaussianProcess(n_restarts=2**70), ["`n_restarts`", "<= 10000"]),
        (lambda: GaussianProcess(kernel=RBF), ["`kernel`", "instance", "RBF()"]),
        (lambda: GaussianProcess(kernel="rbf"), ["`kernel`", "Kernel", "'rbf'"]),
        (lambda: GaussianProcess().fit(X, Y, n_restarts=10_001), ["`n_restarts`", "<= 10000"]),
        (lambda: _fitted().predict(XS, return_std="yes"), ["`return_std`", "True or False"]),
        (lambda: _fitted().predict(XS, return_cov=2), ["`return_cov`", "True or False"]),
        (lambda: _fitted().predict(XS, include_noise="no"), ["`include_noise`", "True or False"]),
        (
            lambda: _fitted().predict(XS, return_std=True, return_cov=True),
            ["`return_std`", "exclusive"],
        ),
        (
            lambda: _fitted().log_marginal_likelihood(eval_gradient=2),
            ["`eval_gradient`", "True or False"],
        ),
        (
            lambda: _fitted().loo_log_predictive(eval_gradient="yes"),
            ["`eval_gradient`", "True or False"],
        ),
        (lambda: _fitted().log_marginal_likelihood([0.0]), ["`theta`", "4 (with log noise"]),
        (lambda: _fitted().loo_log_predictive([]), ["`theta`", "3 values", "0 values"]),
        (lambda: _fitted().log_marginal_likelihood([[0.0, 0.0]]), ["`theta`", "1-D"]),
        (lambda: _fitted().log_marginal_likelihood([0.0, np.nan]), ["`theta`", "finite"]),
        (lambda: _fitted().loo_log_predictive([0.0, -np.inf]), ["`theta`", "finite"]),
        (lambda: _fitted().log_marginal_likelihood("abc"), ["`theta`", "strings"]),
        (lambda: _fitted().log_marginal_likelihood([0.0, 0.0, 1e308]), ["`theta`", "709.8"]),
        (lambda: _fitted().sample_y(XS, 1.5), ["`n_samples`", "integer", "1.5"]),
        (lambda: _fitted().sample_y(XS, -1), ["`n_samples`", ">= 0"]),
        (lambda: _fitted().score(XS[:0], []), ["`X`", "at least one row", "0 rows"]),
        (lambda: _fitted().sample_y(XS, None), ["`n_samples`", "None"]),
        (lambda: _fitted().sample_y(XS, True), ["`n_samples`", "True"]),
        (lambda: _fitted().sample_y(XS, 2**70), ["`n_samples`", "batches"]),
        (lambda: _fitted().sample_y(XS, 2, random_state=-1), ["`random_state`", ">= 0"]),
        (lambda: _fitted().sample_y(XS, 2, random_state=1.5), ["`random_state`", "1.5"]),
        (lambda: _fitted().sample_y(XS, 2, random_state=2**70), ["`random_state`", "2**63"]),
        (lambda: _fitted().update(XS[:0], [0.5, 0.7]), ["`X_new`", "y_new (2)", "0 points"]),
        (lambda: _fitted().update(XS[:2], [0.5, 0.7], noise_var=-1.0), ["`noise_var`", ">= 0"]),
        (
            lambda: _fitted().update(XS[:2], [0.5, 0.7], noise_var=np.inf),
            ["`noise_var`", "finite"],
        ),
        (
            lambda: _fitted().update(XS[:2], [0.5, 0.7], noise_var="0.1"),
            ["`noise_var`", "strings"],
        ),
        (lambda: _fitted().update(XS[:2], [0.5, 0.7], noise_var=1j), ["`noise_var`", "complex"]),
        (
            lambda: _fitted().update(XS[:2], [0.5, 0.7], noise_var=[0.1, 0.1, 0.1]),
            ["`noise_var`", "one value per point"],
        ),
        (lambda: _fitted().update(XS[:2], [1e308, 1e308]), ["`y_new`", "finite", "1e+308"]),
        (lambda: _huge_y("cholesky"), ["`y`", "finite", "1e+308", "normalize_y=True"]),
        (lambda: _huge_y("cg"), ["`y`", "finite", "1e+308", "normalize_y=True"]),
        (lambda: _fitted(solver="cg").update(XS[:2], [1e308, 1.0]), ["`y_new`", "1e+308"]),
        (lambda: Constant(variance=1e308), ["`Constant.variance`", "<= 1e+150"]),
        (lambda: Matern52(variance=1e200), ["`Matern52.variance`", "<= 1e+150"]),
        (lambda: 1e200 * Linear(), ["scalar", "variance <= 1e+150", "Linear.variance = 1e+200"]),
        (lambda: 1e200 * (RBF() + RBF()), ["`c (the scalar", "<= 1e+150", "1e+200"]),
        (lambda: 1e100 * (1e100 * (RBF() + RBF())), ["scalar", "<= 1e+150", "1e+200"]),
        (lambda: Scaled(RBF(), 1e300), ["`Scaled.scale`", "<= 1e+150"]),
        (lambda: Scaled(RBF(), scale_bounds=(1, 1e200)), ["`Scaled.scale_bounds[1]`"]),
        (lambda: RBF(variance_bounds=(1e-5, 1e200)), ["`RBF.variance_bounds[1]`", "1e+200"]),
        (lambda: _set_theta(RBF(), [np.nan, 0.0]), ["`RBF.theta`", "finite", "nan at index 0"]),
        (lambda: _set_theta(RBF() + White(), [0.0, np.inf, 0.0]), ["`RBF.theta`", "inf"]),
        (lambda: _set_theta(Matern52(), [-800.0, 0.0]), ["`Matern52.theta`", "-800.0"]),
        (lambda: _set_theta(Linear(), [710.0]), ["`Linear.theta`", "710.0"]),
        (lambda: _set_theta(Scaled(RBF(), 2.0), [np.nan, 0, 0]), ["`Scaled.theta`", "nan"]),
        (lambda: RBF().clone_with_theta([np.inf, 0.0]), ["`RBF.theta`", "inf at index 0"]),
        (lambda: Product([]), ["`parts`", "at least one kernel"]),
        (lambda: Sum([]), ["`parts`", "at least one kernel"]),
        (lambda: Sum([RBF(), "a"]), ["`parts`", "Kernel protocol", "index 1"]),
        (lambda: Product([RBF(), RBF]), ["`parts`", "Kernel protocol", "index 1"]),
        (lambda: Sum(3), ["`parts`", "list of kernels"]),
        # the prior (unfitted) refuses points that do not match the lengthscales, alike
        (
            lambda: GaussianProcess(RBF([1.0, 1.0])).predict(np.ones((3, 5)), return_std=True),
            ["`RBF.lengthscale`", "2 lengthscales for 5 features"],
        ),
        (
            lambda: GaussianProcess(RBF([1.0, 1.0])).predict(np.ones((3, 5)), return_cov=True),
            ["`RBF.lengthscale`", "2 lengthscales for 5 features"],
        ),
        (
            lambda: GaussianProcess(RBF([1.0, 1.0])).sample_y(np.ones((3, 5))),
            ["`RBF.lengthscale`", "2 lengthscales for 5 features"],
        ),
        (lambda: RBF([1.0, 1.0]).diag(np.ones((3, 5))), ["`RBF.lengthscale`", "5 features"]),
    ],
)
def test_bad_arguments_name_argument_rule_and_fix(call, words):
    with pytest.raises(InputError) as err:
        call()
    for w in words:
        assert w in str(err.value)
    assert "Fix:" in str(err.value)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: GaussianProcess().fit(X, np.zeros((N, 2, 2))), ["`y`", "(n, n_targets)"]),
        (lambda: GaussianProcess().fit(X, np.zeros((N, 0))), ["`y`", "at least one column"]),
        (
            lambda: GaussianProcess(normalize_y=True).fit(
                X, np.c_[Y, 2 * Y], noise_var=np.full(N, 0.1)
            ),
            ["`noise_var`", "normalize_y=True", "own units"],
        ),
        (
            lambda: GaussianProcess().fit(X, np.c_[Y, Y]).update(XS[:2], np.zeros(2)),
            ["`y_new`", "(n, 2)"],
        ),
        (
            lambda: GaussianProcess().fit(X, np.c_[Y, Y]).recentre([1.0, 2.0, 3.0]),
            ["`mean`", "one per target (2)"],
        ),
        (
            lambda: GaussianProcess().fit(X, np.c_[Y, Y]).score(XS, np.zeros(len(XS))),
            ["`y`", "(n, 2)"],
        ),
    ],
)
def test_several_targets_refusals_name_argument_and_fix(call, words):
    with pytest.raises(InputError) as err:
        call()
    msg = str(err.value)
    assert all(w in msg for w in words), msg
    assert "Fix:" in msg


def test_y_new_refusal_leaves_the_model_unchanged():
    gp = _fitted()
    before = gp.predict(XS)
    with pytest.raises(InputError):
        gp.update(XS[:2], [1e308, 1e308])
    assert len(gp.L_) == N
    np.testing.assert_array_equal(gp.predict(XS), before)


@pytest.mark.parametrize("solver", ["cholesky", "cg"])
@pytest.mark.filterwarnings("ignore::pyjl.exceptions.PyjlWarning")
def test_refused_fit_and_update_keep_the_model_fitted_before(solver):
    # the overflow check runs after the factorisation: the refusal must not leave the
    # new targets behind (the model predicted NaN after it until 2026-12-07)
    gp = GaussianProcess(RBF([0.5, 0.8], 2.0), noise=1e-3, noise_bounds="fixed", solver=solver)
    gp.fit(X, Y, method=None)
    before = gp.predict(XS, return_std=True)
    with pytest.raises(InputError, match="`y`"):
        gp.fit(X, np.r_[Y[:-1], 1e308], method=None)
    with pytest.raises(InputError, match="`y_new`"):
        gp.update(X[:1] + 1e-12, [1e308])  # a near-duplicate: the refactorising path
    assert gp.X_train_.shape == (N, D)
    np.testing.assert_array_equal(gp.y_train_, Y)
    for got, want in zip(gp.predict(XS, return_std=True), before, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "kernel,ref",
    [
        (1.3 * Matern52([0.4, 0.9]), sk.ConstantKernel(1.3) * sk.Matern([0.4, 0.9], nu=2.5)),
        (Periodic(0.8, period=1.7), sk.ExpSineSquared(0.8, 1.7)),
    ],
)
@pytest.mark.usefixtures("engine")
def test_fit_on_read_only_points_matches_scikit_learn(kernel, ref):
    Xro, Yro = (X[:, :1] if isinstance(kernel, Periodic) else X).copy(), Y.copy()
    Xro.setflags(write=False)
    Yro.setflags(write=False)
    gp = GaussianProcess(kernel, noise=1e-2).fit(Xro, Yro)  # the ML fit uses the gradient
    fitted = GPR(ref, alpha=gp.noise_, optimizer=None).fit(Xro, Yro)
    theta = fitted.kernel_.theta
    sk_theta = (
        np.r_[np.log(gp.kernel_.variance), np.log(gp.kernel_.lengthscale)]
        if not isinstance(kernel, Periodic)
        else np.log([gp.kernel_.lengthscale, gp.kernel_.period])
    )
    assert theta.size == sk_theta.size
    ref_lml = fitted.log_marginal_likelihood(sk_theta)
    if isinstance(kernel, Periodic):  # scikit-learn's ExpSineSquared has no variance
        ref_lml = (
            GPR(
                gp.kernel_.variance * sk.ExpSineSquared(*np.exp(sk_theta)),
                alpha=gp.noise_,
                optimizer=None,
            )
            .fit(Xro, Yro)
            .log_marginal_likelihood_value_
        )
    assert gp.log_marginal_likelihood() == pytest.approx(ref_lml, rel=1e-8)
    assert not Xro.flags.writeable


@pytest.mark.usefixtures("engine")
def test_kernel_only_theta_keeps_the_fitted_noise_as_scikit_learn_alpha():
    gp = _fitted()
    theta = np.log([0.3, 1.2, 2.0])  # lengthscales, variance
    ref = GPR(sk.ConstantKernel(2.0) * sk.RBF([0.3, 1.2]), alpha=gp.noise_, optimizer=None).fit(
        X, Y
    )
    value, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    sval, sgrad = ref.log_marginal_likelihood(ref.kernel_.theta, eval_gradient=True)
    assert value == pytest.approx(sval, rel=1e-10)
    np.testing.assert_allclose(grad, sgrad[[1, 2, 0]], rtol=1e-7, atol=1e-9)


def test_overflowing_likelihood_warns_and_returns_minus_inf_as_scikit_learn(rng):
    Xb = rng.uniform(1, 3, (10, 1))
    yb = np.sin(Xb[:, 0])
    gp = GaussianProcess(Linear() + White(1e-2), noise=1e-2).fit(Xb, yb, method=None)
    theta = [709.0, np.log(1e-2), np.log(1e-2)]  # variance e^709: K holds inf
    with pytest.warns(NumericalWarning, match="overflows"):
        value, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    assert value == -np.inf and np.array_equal(grad, np.zeros(3))
    with pytest.warns(NumericalWarning, match="overflows"):
        assert gp.loo_log_predictive(theta) == -np.inf


@pytest.mark.usefixtures("engine")
def test_update_with_noise_var_equals_scikit_learn_per_point_alpha():
    gp = _fitted()
    Xn, yn = XS[:3], np.array([0.2, -0.1, 0.4])
    gp.update(Xn, yn, noise_var=0.3)
    ls, var = gp.kernel_.lengthscale, gp.kernel_.variance
    alpha = np.r_[np.full(N, gp.noise_), np.full(3, 0.3)]
    ref = GPR(sk.ConstantKernel(var) * sk.RBF(ls), alpha=alpha, optimizer=None).fit(
        np.vstack([X, Xn]), np.r_[Y, yn]
    )
    mu, std = gp.predict(XS, return_std=True)
    smu, sstd = ref.predict(XS, return_std=True)
    np.testing.assert_allclose(mu, smu, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(std, sstd, rtol=1e-6, atol=1e-9)
    assert gp.log_marginal_likelihood() == pytest.approx(
        ref.log_marginal_likelihood_value_, rel=1e-8
    )


def test_update_with_no_points_is_a_no_op():
    gp = _fitted()
    before = gp.predict(XS, return_std=True)
    gp.update(np.empty((0, D)), [])
    assert len(gp.L_) == N
    np.testing.assert_array_equal(gp.predict(XS, return_std=True), before)


def test_sample_y_random_state_means_what_numpy_means():
    gp = _fitted()
    mu, cov = gp.predict(XS, return_cov=True)
    a = gp.sample_y(XS, 4, random_state=np.int64(9))
    b = gp.sample_y(XS, 4, random_state=np.random.default_rng(9))
    np.testing.assert_array_equal(a, b)
    # draws are mean + L z with z from the seed's Generator: solving back gives z
    z = np.random.default_rng(9).standard_normal((len(mu), 4))
    L = np.linalg.cholesky(cov + 1e-10 * np.eye(len(mu)))
    np.testing.assert_allclose(a, mu[:, None] + L @ z, atol=1e-4)


@pytest.mark.parametrize(
    "make,words",
    [
        (lambda: GaussianProcess(n_restarts=1.5), ["`n_restarts`", "1.5"]),
        (lambda: GaussianProcess(random_state=2**70), ["`random_state`", "2**63"]),
        (lambda: GaussianProcess(random_state="a"), ["`random_state`", "'a'"]),
        (lambda: GaussianProcess(noise=np.nan), ["`noise`", "nan"]),
        (lambda: GaussianProcess(noise_bounds=(2.0, 1.0)), ["`noise_bounds[1]`", ">= 2"]),
        (lambda: RBF(variance="a"), ["`RBF.variance`", "'a'"]),
        (lambda: RBF(lengthscale=np.nan), ["`RBF.lengthscale`", "nan"]),
        (lambda: Matern52([1.0, np.inf]), ["`Matern52.lengthscale`", "inf"]),
        (lambda: RBF(lengthscale=-1.0), ["`RBF.lengthscale`", "> 0"]),
        (lambda: RBF(variance=[1.0, 2.0]), ["`RBF.variance`", "[1.0, 2.0]"]),
        (lambda: RBF(lengthscale=[[1.0]]), ["`RBF.lengthscale`", "1-D"]),
        (lambda: RBF(lengthscale_bounds=(1e-5, np.inf)), ["`RBF.lengthscale_bounds[1]`", "inf"]),
        (lambda: RBF(lengthscale_bounds=(np.nan, 1.0)), ["`RBF.lengthscale_bounds[0]`", "nan"]),
        (lambda: RBF(variance_bounds=(-1.0, 2.0)), ["`RBF.variance_bounds[0]`", "> 0"]),
        (lambda: RBF(variance_bounds=(1.0, 2.0, 3.0)), ["`RBF.variance_bounds`", "pair"]),
        (lambda: RationalQuadratic(alpha=0.0), ["`RationalQuadratic.alpha`", "> 0"]),
    ],
)
def test_bad_hyperparameters_name_argument_rule_value_and_fix(make, words):
    with pytest.raises(InputError) as err:
        make()
    for w in words:
        assert w in str(err.value)
    assert "Fix:" in str(err.value)


def test_a_kernel_missing_members_is_told_which():
    class Partial:  # a hand-written kernel without diag and gradient
        theta = np.zeros(1)
        bounds = np.array([[-5.0, 5.0]])

        def __call__(self, X, Y=None):
            return np.eye(len(X))

    with pytest.raises(InputError, match=r"which lacks diag, gradient\. Fix: .*give yours"):
        GaussianProcess(Partial()).fit(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(InputError, match=r"of type str\. Fix"):  # not a kernel at all
        GaussianProcess("rbf").fit(np.zeros((3, 1)), np.zeros(3))


def test_huge_but_representable_targets_still_fit_as_scikit_learns():
    # K^-1 y fits in float64 (the LML overflows alone): predictions as scikit-learn's
    y = Y * 1e200
    ours = GaussianProcess(RBF([0.5, 0.8]), noise=1e-2, noise_bounds="fixed").fit(
        X, y, method=None
    )
    theirs = GPR(sk.RBF([0.5, 0.8]), alpha=1e-2, optimizer=None).fit(X, y)
    np.testing.assert_allclose(ours.predict(XS), theirs.predict(XS), rtol=1e-9)
    # y^T K^-1 y overflows: the LML is -inf, the fitted value as at the same theta
    # (scikit-learn's dot product gives inf - inf = nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no NumPy overflow on the way
        assert ours.log_marginal_likelihood() == -np.inf
    with pytest.warns(NumericalWarning, match="overflows"):
        assert ours.log_marginal_likelihood(ours.kernel_.theta) == -np.inf


@pytest.mark.parametrize(
    "kernel,theta",
    [
        (RBF([0.5, 0.8]) + White(0.1), [0.1, 0.2, 0.3, np.inf]),
        (Scaled(RBF(0.5) * Linear(), 2.0), [0.1, 0.2, 0.3, -800.0]),
    ],
)
def test_refused_theta_leaves_every_part_as_it_was(kernel, theta):
    before = kernel.theta.copy()
    with pytest.raises(InputError):
        kernel.theta = theta
    np.testing.assert_array_equal(kernel.theta, before)


@pytest.mark.parametrize("kernel", [RBF() + White(), RBF() * White(), Scaled(RBF() + White())])
def test_composite_gradient_of_no_points_is_empty_per_hyperparameter(kernel):
    # as each part's: K (0, 0) and dK (p, 0, 0) (scikit-learn's Sum raises a bare
    # ValueError here)
    K, dK = kernel.gradient(np.zeros((0, 2)))
    assert K.shape == RBF().gradient(np.zeros((0, 2)))[0].shape == (0, 0)
    assert dK.shape == (kernel.theta.size, 0, 0)


def _linear_fit(offset):
    # 20 points at offset + U(0, 100), y ~ 1e-9 x + noise: the posterior mean of a Linear
    # kernel (variance 1, noise 0.01) at x0 is x0 sum(x y) / (sum(x^2) + 0.01), exact in
    # rational arithmetic (the weight-space form, Rasmussen & Williams eq. 2.9)
    from fractions import Fraction

    rng = np.random.default_rng(0)
    x = offset + np.sort(rng.uniform(0, 100, 20))
    y = 1e-9 * x + 0.1 * rng.standard_normal(20)
    gp = GaussianProcess(Linear(1.0), noise=0.01).fit(x[:, None], y, method=None)
    sxy = sum(Fraction(a) * Fraction(b) for a, b in zip(x, y, strict=True))
    sxx = sum(Fraction(a) ** 2 for a in x)
    exact = float(Fraction(x[0]) * sxy / (sxx + Fraction(1, 100)))
    return abs(gp.predict(x[:1, None])[0] - exact) / abs(exact)


def test_ill_conditioned_matrix_warns_where_rounding_moves_the_prediction():
    with pytest.warns(NumericalWarning, match="ill-conditioned.*Linear kernel"):
        err = _linear_fit(1e6)
    assert err > 1e-2  # the warning is not a false alarm: the mean is that far off
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        assert _linear_fit(1e3) < 1e-4  # well-conditioned: no warning, and right


def test_duplicate_points_whose_pivots_look_fine_still_warn():
    # two repeated points with different targets and noise 1e-12: no single L_ii shows
    # the small eigenvalue (max K_ii / min L_ii^2 read 5e11); numpy's condition number
    # is 8.6e12, and the mean is 7e-4 off the exact one, so the warning is due
    rng = np.random.default_rng(24)
    X = rng.uniform(0, 1, (10, 1))
    y = np.sin(6 * X[:, 0])
    Xa, ya = np.r_[X, X[:2]], np.r_[y, y[:2] + 0.01]
    with pytest.warns(NumericalWarning, match="ill-conditioned") as caught:
        gp = GaussianProcess(RBF(0.3), noise=1e-12).fit(Xa, ya, method=None)
    K = gp.kernel_(Xa) + 1e-12 * np.eye(12)
    bound = float(str(caught[0].message).split(">= ")[1].split(")")[0])
    assert 1e12 < bound <= np.linalg.cond(K) * (1 + 1e-6)


def test_condition_bound_is_a_lower_bound_close_to_numpys():
    from pyjl.gp.likelihood import condition_bound

    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 40, 200):
        X = rng.uniform(0, 1, (n, 2))
        for noise in (1e-2, 1e-6, 1e-10):
            K = RBF(0.4)(X) + noise * np.eye(n)
            cond, got = np.linalg.cond(K), condition_bound(K, np.linalg.cholesky(K))
            assert got <= cond * (1 + 1e-9) and got >= cond / 3, (n, noise, got, cond)


@pytest.mark.parametrize(
    "seed", [0, np.random.RandomState(0), np.random.default_rng(0)], ids=["int", "legacy", "gen"]
)
@pytest.mark.filterwarnings("ignore::pyjl.exceptions.PyjlWarning")
def test_a_refused_cg_update_leaves_the_next_update_as_it_would_have_been(seed):
    # update under solver="cg" draws probes for the new points: a refusal puts the
    # generator back (a legacy RandomState's too), so the model after it equals a twin
    # that was never refused
    import copy

    gp = GaussianProcess(RBF([0.5, 0.8], 2.0), noise=1e-2, solver="cg", random_state=seed)
    gp.fit(X, Y, method=None)
    twin = copy.deepcopy(gp)
    with pytest.raises(InputError, match="`y_new`"):
        gp.update(XS[:2], [1e308, 1e308])
    gp.update(XS[:3], [0.1, 0.2, 0.3])
    twin.update(XS[:3], [0.1, 0.2, 0.3])
    assert gp.log_marginal_likelihood_value_ == twin.log_marginal_likelihood_value_
    np.testing.assert_array_equal(
        gp.predict(XS, return_std=True)[1], twin.predict(XS, return_std=True)[1]
    )
