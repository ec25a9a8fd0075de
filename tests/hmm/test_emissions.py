"""Built-in emissions: densities against SciPy, weighted MLE against closed forms and
SciPy fits, conformance via pyjl.testing.check_emission, robustness of empty states."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from brute import enumerate_hmm
from scipy import stats

from pyjl.exceptions import InputError, NumericalWarning
from pyjl.hmm import HMM, Categorical, Exponential, Gamma, Mixture, MvNormal, Normal, Poisson
from pyjl.testing import check_emission

CASES = {
    "normal": lambda: Normal([0.0, 3.0], [1.0, 0.5]),
    "normal_2d": lambda: Normal([[0.0, 1.0], [3.0, 2.0]], [[1.0, 2.0], [0.5, 0.3]]),
    "exponential": lambda: Exponential([1.0, 3.0]),
    "poisson": lambda: Poisson([2.0, 15.0]),
    "gamma": lambda: Gamma([2.0, 0.7], [1.0, 3.0]),
    "categorical": lambda: Categorical([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]),
    "mv_full": lambda: MvNormal([[0, 0], [3, 1]], [[[1, 0.5], [0.5, 2]], [[1, 0], [0, 1]]]),
    "mv_diag": lambda: MvNormal([[0, 0], [3, 1]], [[1, 2], [0.5, 1]], "diag"),
    "mv_spherical": lambda: MvNormal([[0, 0], [3, 1]], [1, 2], "spherical"),
    "mv_tied": lambda: MvNormal([[0, 0], [3, 1]], [[1, 0.5], [0.5, 2]], "tied"),
    "mixture": lambda: Mixture(
        [Normal([0.0, 3.0], [1.0, 0.5]), Normal([4.0, -3.0], [1.0, 0.5])],
        weights=[[0.3, 0.7], [0.5, 0.5]],
    ),
    "mixture_of_gammas": lambda: Mixture(
        Gamma([2.0, 5.0], [1.0, 1.0]), n_components=2, weights=[[0.5, 0.5], [0.2, 0.8]]
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_check_emission(name):
    e = CASES[name]()
    if name == "mixture_of_gammas":
        e.components[1].rate = np.array([0.2, 4.0])
    out = check_emission(e, n=3000, random_state=1)
    assert out["weights_as_counts"] < 1e-6


@pytest.mark.usefixtures("engine")
def test_log_likelihoods_match_scipy(rng):
    x = rng.gamma(2.0, 2.0, size=50)
    k = np.round(x).astype(float)
    np.testing.assert_allclose(
        Normal([1.0, 2.0], [0.5, 3.0]).log_likelihood(x),
        np.c_[stats.norm.logpdf(x, 1.0, np.sqrt(0.5)), stats.norm.logpdf(x, 2.0, np.sqrt(3.0))],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        Exponential([0.5, 2.0]).log_likelihood(x),
        np.c_[stats.expon.logpdf(x, scale=2.0), stats.expon.logpdf(x, scale=0.5)],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        Poisson([1.5, 7.0]).log_likelihood(k),
        np.c_[stats.poisson.logpmf(k, 1.5), stats.poisson.logpmf(k, 7.0)],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        Gamma([2.5, 0.8], [1.5, 0.3]).log_likelihood(x),
        np.c_[
            stats.gamma.logpdf(x, 2.5, scale=1 / 1.5), stats.gamma.logpdf(x, 0.8, scale=1 / 0.3)
        ],
        rtol=1e-12,
    )
    X = rng.normal(size=(40, 3)) * 5 + 1e4  # a large offset: no cancellation
    m = np.array([[1e4, 1e4, 1e4], [1e4 + 1, 1e4, 1e4 - 2]])
    C = np.array([[[2, 0.3, 0], [0.3, 1, 0.2], [0, 0.2, 1.5]], np.diag([1.0, 2.0, 3.0])])
    ref = np.c_[
        stats.multivariate_normal.logpdf(X, m[0], C[0]),
        stats.multivariate_normal.logpdf(X, m[1], C[1]),
    ]
    np.testing.assert_allclose(MvNormal(m, C).log_likelihood(X), ref, rtol=1e-10)
    np.testing.assert_allclose(
        MvNormal(m, C[:, [0, 1, 2], [0, 1, 2]], "diag").log_likelihood(X)[:, 1],
        ref[:, 1],
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        MvNormal(m, C[0], "tied").log_likelihood(X)[:, 0], ref[:, 0], rtol=1e-10
    )
    sph = stats.multivariate_normal.logpdf(X, m[1], 2.0 * np.eye(3))
    np.testing.assert_allclose(
        MvNormal(m, [1.0, 2.0], "spherical").log_likelihood(X)[:, 1], sph, rtol=1e-10
    )


@pytest.mark.usefixtures("engine")
def test_weighted_mle_closed_forms(rng):
    # covars_prior=0: without hmmlearn's default prior the M-step is the weighted MLE
    X = rng.normal(size=(500, 2)) * [1.0, 3.0] + [2.0, -1.0]
    W = rng.uniform(size=(500, 2))
    for w, k in ((W[:, 0], 0), (W[:, 1], 1)):
        mean = np.average(X, axis=0, weights=w)
        full = np.cov(X.T, aweights=w, bias=True)
        e = MvNormal(covariance_type="full", covars_prior=0.0).fit(X, W)
        np.testing.assert_allclose(e.mean[k], mean, rtol=1e-12)
        np.testing.assert_allclose(e.cov[k], full, rtol=1e-10)
        e = MvNormal(covariance_type="diag", covars_prior=0.0).fit(X, W)
        np.testing.assert_allclose(e.cov[k], np.diag(full), rtol=1e-10)
        e = MvNormal(covariance_type="spherical", covars_prior=0.0).fit(X, W)
        assert e.cov[k] == pytest.approx(np.diag(full).mean(), rel=1e-10)
        e = Normal(covars_prior=0.0).fit(X, W)
        np.testing.assert_allclose(e.var[k], np.diag(full), rtol=1e-10)
    tied = sum(W[:, k].sum() * np.cov(X.T, aweights=W[:, k], bias=True) for k in range(2))
    e = MvNormal(covariance_type="tied", covars_prior=0.0).fit(X, W)
    np.testing.assert_allclose(e.cov, tied / W.sum(), rtol=1e-10)
    x = rng.gamma(3.0, 0.5, size=2000)
    ones = np.ones((x.size, 1))
    a, _, scale = stats.gamma.fit(x, floc=0)
    g = Gamma().fit(x, ones)
    assert g.shape[0] == pytest.approx(a, rel=1e-5)
    assert g.rate[0] == pytest.approx(1 / scale, rel=1e-5)
    assert Exponential().fit(x, ones).rate[0] == pytest.approx(1 / x.mean(), rel=1e-12)
    k = rng.poisson(4.0, size=300).astype(float)
    w = rng.uniform(size=(300, 1))
    assert Poisson().fit(k, w).rate[0] == pytest.approx(np.average(k, weights=w[:, 0]))


def test_a_gamma_state_on_equal_values_warns_that_its_shape_is_capped(rng):
    x = np.r_[np.full(50, 1.0), rng.gamma(2.0, 1.0, 50)]
    W = np.c_[np.r_[np.ones(50), np.zeros(50)], np.r_[np.zeros(50), np.ones(50)]]
    with pytest.warns(NumericalWarning, match=r"Gamma: state\(s\) \[0\] collapsed"):
        g = Gamma().fit(x, W)
    a, _, scale = stats.gamma.fit(x[50:], floc=0)  # the other state is the plain MLE
    assert g.shape[1] == pytest.approx(a, rel=1e-5)
    assert g.rate[1] == pytest.approx(1 / scale, rel=1e-5)
    assert g.shape[0] > 1e11 and g.rate[0] == pytest.approx(g.shape[0], rel=1e-9)


@pytest.mark.parametrize("unit", [1e-200, 1e200])
def test_a_gamma_hmm_fit_does_not_depend_on_the_units(rng, unit):
    # the shapes are unit-free and the rates scale as 1 / unit: the k-means start must
    # not read data near 1e200 (whose std overflows) or 1e-200 (underflows) as one cluster
    x = rng.gamma(np.repeat([2.0, 9.0], 100), 1.0)
    ref = HMM(Gamma(), 2, random_state=0, n_iter=20).fit(x)
    got = HMM(Gamma(), 2, random_state=0, n_iter=20).fit(x * unit)
    np.testing.assert_allclose(got.emission_.shape, ref.emission_.shape, rtol=1e-6)
    np.testing.assert_allclose(got.emission_.rate * unit, ref.emission_.rate, rtol=1e-6)
    np.testing.assert_allclose(got.transmat_, ref.transmat_, rtol=1e-6, atol=1e-12)


def test_empty_state_is_kept_with_a_warning_and_never_nan(rng):
    X = rng.normal(size=200)
    W = np.c_[np.ones(200), np.zeros(200)]
    for e in (
        Normal([0.0, 5.0], [1.0, 2.0]),
        MvNormal([[0.0], [5.0]], [[[1.0]], [[2.0]]]),
        Poisson([1.0, 5.0]),
        Gamma([1.0, 2.0], [1.0, 1.0]),
        Exponential([1.0, 2.0]),
        Categorical([[0.5, 0.5], [0.1, 0.9]]),
    ):
        data = (
            np.abs(np.round(X))
            if isinstance(e, (Poisson, Categorical))
            else np.abs(X) + 0.1
            if isinstance(e, (Gamma, Exponential))
            else X
        )
        if isinstance(e, Categorical):
            data = np.minimum(data, 1)
        before = e.log_likelihood(data)[:, 1].copy()
        with pytest.warns(NumericalWarning, match="state\\(s\\) \\[1\\]"):
            e.fit(data, W)
        after = e.log_likelihood(data)
        assert np.isfinite(after).all()
        np.testing.assert_allclose(after[:, 1], before, rtol=1e-12)
    fresh = Normal()
    with pytest.warns(NumericalWarning):
        fresh.fit(X, W)
    assert np.isfinite(fresh.mean).all() and np.isfinite(fresh.var).all()


def test_variance_floor(rng):
    X = np.r_[np.zeros(50), rng.normal(size=50)]
    W = np.c_[np.r_[np.ones(50), np.zeros(50)], np.r_[np.zeros(50), np.ones(50)]]
    e = Normal(min_covar=1e-4).fit(X, W)
    assert e.var[0] > 0 and np.isfinite(e.log_likelihood(X)).all()
    m = MvNormal(covariance_type="full").fit(np.c_[X, X], W)  # singular covariances
    assert np.linalg.eigvalsh(m.cov).min() > 0
    assert np.isfinite(m.log_likelihood(np.c_[X, X])).all()


def test_input_checks_name_the_argument():
    with pytest.raises(InputError, match="`X`.*counts"):
        Poisson([1.0]).check_input([1.0, -2.0])
    with pytest.raises(InputError, match="`X`.*integers"):
        Poisson([1.0]).check_input([1.0, 2.5])
    with pytest.raises(InputError, match="`X`.*integers"):
        Categorical([[0.5, 0.5]]).check_input([0.0, 0.5])
    with pytest.raises(InputError, match="n_symbols"):
        Categorical([[0.5, 0.5]]).check_input([0, 2])
    with pytest.raises(InputError, match="`X`.*positive"):
        Gamma([1.0], [1.0]).check_input([1.0, 0.0])
    with pytest.raises(InputError, match="`X`"):
        Normal([0.0], [1.0]).check_input([0.0, np.nan])
    with pytest.raises(InputError, match="covariance_type"):
        MvNormal(covariance_type="banana")


def test_mixture_nested_em_recovers_components(rng):
    n = 3000
    x = np.r_[rng.normal(-3, 0.5, n), rng.normal(2, 1.0, n)]
    W = np.ones((2 * n, 1))
    mix = Mixture(Normal(), n_components=2, n_inner=200)
    mix.initialize(x, 1, rng)
    mix.fit(x, W)
    means = sorted(float(c.mean[0]) for c in mix.components)
    assert means == pytest.approx([-3.0, 2.0], abs=0.1)
    assert mix.weights[0] == pytest.approx([0.5, 0.5], abs=0.05)
    assert mix.n_parameters == 2 * 2 + 1


def test_feature_count_mismatch_is_an_input_error():
    with pytest.raises(InputError, match="2 feature"):
        Normal([[0.0, 1.0]], [[1.0, 1.0]]).log_likelihood(np.zeros((5, 3)))
    with pytest.raises(InputError, match="2 features"):
        MvNormal([[0.0, 1.0]], [[1.0, 1.0]], "diag").log_likelihood(np.zeros((5, 3)))
    with pytest.raises(InputError, match="feature"):
        Poisson([[1.0, 2.0]]).check_input(np.zeros((5, 1)))


def test_poisson_rate_zero_makes_positive_counts_impossible():
    x = np.array([0, 2, 0])
    got = Poisson([[0.0], [1.5]]).log_likelihood(x)
    np.testing.assert_allclose(got[:, 0], stats.poisson.logpmf(x, 0.0))  # 0, -inf, 0
    np.testing.assert_allclose(got[:, 1], stats.poisson.logpmf(x, 1.5), rtol=1e-12)


def test_check_emission_integrates_a_narrow_density_far_from_zero():
    # the log-x grid for positive draws was coarser than a density of sd 0.01 at 1000
    for mean in ([1000.0, 1001.0], [300.0, 301.0], [-1000.0, -1001.0]):
        assert check_emission(Normal(mean=mean, var=[1e-4, 1e-4]))["normalisation"] < 1e-3


class _ScaleBug(Normal):
    """The classic sampler bug: the variance passed where NumPy wants the scale."""

    def sample(self, state, n, rng):
        m, v = np.ravel(self.mean)[state], np.ravel(self.var)[state]
        return rng.normal(m, v, size=n)


def test_check_emission_catches_a_sampler_given_the_variance_as_scale():
    with pytest.raises(AssertionError, match="do not follow its density"):
        check_emission(_ScaleBug([0.0, 3.0], [1.5, 0.8]))


class _SwappedSpread(MvNormal):
    """A 2-D sampler with the right mean but its coordinates' spreads swapped."""

    def sample(self, state, n, rng):
        x = super().sample(state, n, rng)
        return x[:, ::-1] - x[:, ::-1].mean(0) + x.mean(0)


class _FlippedCorrelation(MvNormal):
    """A 2-D sampler with the right mean and spreads but the correlation's sign flipped."""

    def sample(self, state, n, rng):
        x = super().sample(state, n, rng)
        m = x.mean(0)
        x = x - m
        x[:, 1] *= -1
        return x + m


@pytest.mark.parametrize("cls", [_SwappedSpread, _FlippedCorrelation])
def test_check_emission_catches_a_multivariate_sampler_with_the_wrong_spread(cls):
    # the means agree, so only the second moments can tell; the fit check would blame `fit`
    e = cls([[0, 0], [3, 1]], [[[1, 0.5], [0.5, 4]], [[1, 0], [0, 1]]])
    with pytest.raises(AssertionError, match="do not follow its density"):
        check_emission(e, n=3000)


@pytest.mark.parametrize("arrow", [False, True])
def test_categorical_counts_its_symbols_over_all_of_x(arrow):
    # hmmlearn: n_features = max(X) + 1 over the whole data; a symbol first seen after the
    # rows that initialisation reads made the M-step fail (or the sequence impossible)
    hmmlearn = pytest.importorskip("hmmlearn.hmm")
    X = np.r_[np.arange(100_000) % 3, [4]]
    data = X
    if arrow:
        import pyarrow as pa

        data = pa.table({"x": X})
    m = HMM(Categorical(), 2, random_state=0, n_iter=3, batch_rows=5000).fit(data)
    assert m.emission_.n_symbols == 5 and np.isfinite(m.score(X))
    ref = hmmlearn.CategoricalHMM(2, random_state=0, n_iter=1).fit(X[:, None])
    assert m.emission_.probs.shape == ref.emissionprob_.shape


def test_categorical_refuses_a_bad_symbol_beyond_the_init_rows_of_a_table():
    import pyarrow as pa

    from pyjl.exceptions import InputError

    X = np.r_[np.arange(100_000) % 3, [np.inf]]
    with pytest.raises(InputError, match="X"):
        HMM(Categorical(), 2, random_state=0, n_iter=2, batch_rows=5000).fit(pa.table({"x": X}))


@pytest.mark.parametrize("n_inner", [1, 3])
def test_a_vanished_mixture_component_is_named_in_its_warning(rng, n_inner):
    # the component's own "state(s) [0] received no posterior weight" is about component 1
    # of state 0 (state 0 holds all 300 points): the message says which component; with
    # several inner iterations a component with no row at all went without a word
    X = rng.normal(size=(300, 1))
    mix = Mixture(
        [Normal(mean=[0.0], var=[1.0]), Normal(mean=[1e3], var=[1.0])],
        [[0.5, 0.5]],
        n_inner=n_inner,
    )
    model = HMM(mix, n_states=1, n_iter=2, init="given", startprob=[1.0], transmat=[[1.0]])
    with pytest.warns(NumericalWarning, match=r"^Mixture component 1: Normal: state\(s\) \[0\]"):
        model.fit(X)
    assert np.ravel(model.emission_.components[1].mean)[0] == 1e3  # kept, as the warning says


def test_a_failing_component_fit_raises_its_own_error_under_warnings_as_errors(rng):
    # its collected warnings are issued for the record only: they do not replace the error
    import warnings

    class Boom(Normal):
        def fit(self, X, weights):
            from pyjl._warn import warn

            warn("a note on the way", NumericalWarning)
            raise ValueError("the component's own failure")

    mix = Mixture([Normal(mean=[0.0], var=[1.0]), Boom(mean=[1.0], var=[1.0])], [[0.5, 0.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="the component's own failure"):
            mix.fit(rng.normal(size=(20, 1)), np.ones((20, 1)))


@pytest.mark.parametrize(
    "emission",
    [
        lambda: Normal(mean=[0.0, 5.0], var=[1.0, 2.0]),
        lambda: Poisson(rate=[1.0, 5.0]),
        lambda: Gamma(shape=[1.0, 2.0], rate=[1.0, 0.5]),
        lambda: Exponential(rate=[1.0, 0.2]),
    ],
    ids=["normal", "poisson", "gamma", "exponential"],
)
@pytest.mark.parametrize("n_iter", [0, 1])
def test_one_feature_given_per_state_keeps_its_layout(emission, n_iter):
    # a (n_states,) parameter was stored (n_states, 1) until an M-step squeezed it: a
    # fit of 1-D data with n_iter=0 returned (2, 1), with n_iter=1 (2,)
    X = np.r_[np.ones(5), np.full(5, 5.0)]
    em = emission()
    given = {name: np.asarray(getattr(em, name)).copy() for name in em._params}
    assert all(v.shape == (2,) for v in given.values())
    m = HMM(
        em, 2, init="given", startprob=[0.5, 0.5], transmat=[[0.9, 0.1], [0.1, 0.9]],
        n_iter=n_iter,
    ).fit(X)  # fmt: skip
    for name, value in given.items():
        got = getattr(m.emission_, name)
        assert got.shape == (2,)
        if n_iter == 0:
            np.testing.assert_array_equal(got, value)
    wide = Normal(mean=[[0.0], [5.0]], var=[[1.0], [2.0]])  # given (n_states, 1): kept so
    assert wide.mean.shape == (2, 1)


def test_a_mixture_counts_a_one_feature_mean_as_one_feature():
    # a (n_states,) mean kept as given fell out of the mixture's feature check: a
    # one-feature component next to a two-feature one passed, and sample() failed later
    one = Normal(mean=[0.0, 5.0], var=[1.0, 1.0])
    two = Normal(mean=[[0.0, 0.0], [5.0, 5.0]], var=[[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(InputError, match=r"components\[1\]` must describe 1 features"):
        Mixture([one, two], weights=[[0.5, 0.5], [0.5, 0.5]]).check_params()
    same = Normal(mean=[1.0, 4.0], var=[1.0, 1.0])
    Mixture([one, same], weights=[[0.5, 0.5], [0.5, 0.5]]).check_params()


@pytest.mark.parametrize("normal_first", [True, False])
def test_a_mixture_takes_data_that_one_of_its_components_supports(normal_first):
    # the same density in either order: an Exponential's is 0 at x < 0, the Normal's not
    normal = Normal(mean=[0.0, 1.0], var=[1.0, 2.0])
    expo = Exponential(rate=[1.0, 2.0])
    parts = [normal, expo] if normal_first else [expo, normal]
    w = np.array([[0.3, 0.7], [0.6, 0.4]]) if normal_first else np.array([[0.7, 0.3], [0.4, 0.6]])
    pi, A = np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.2, 0.8]])
    x = np.array([0.5, -1.0, 2.0, 0.3, -0.4])
    m = HMM(Mixture(parts, weights=w), 2, init="given", startprob=pi, transmat=A)
    dens = 0.3 * stats.norm.pdf(x[:, None], [0.0, 1.0], np.sqrt([1.0, 2.0]))
    dens[:, 1] = 0.6 * stats.norm.pdf(x, 1.0, np.sqrt(2.0))
    dens[:, 0] = 0.3 * stats.norm.pdf(x, 0.0, 1.0) + 0.7 * stats.expon.pdf(x, scale=1.0)
    dens[:, 1] += 0.4 * stats.expon.pdf(x, scale=0.5)
    want = enumerate_hmm(np.log(pi), np.log(A), np.log(dens), [len(x)])[0][0]
    assert m.score(x) == pytest.approx(want, rel=1e-12)
    with pytest.raises(InputError, match=r"component \d \(Exponential\) refused it"):
        HMM(Mixture(parts), 2, random_state=0).fit(x)
    with pytest.raises(InputError, match="must be non-negative"):  # no component takes it
        HMM(
            Mixture([expo, Exponential(rate=[3.0, 1.0])], weights=w),
            2,
            init="given",
            startprob=pi,
            transmat=A,
        ).score(x)


def test_an_exponential_state_on_zeros_warns_that_its_rate_is_capped(rng):
    # the rate's MLE at a point mass is unbounded: capped (finite score), with a warning
    x = np.r_[np.zeros(50), rng.exponential(2.0, 50)]
    W = np.c_[np.r_[np.ones(50), np.zeros(50)], np.r_[np.zeros(50), np.ones(50)]]
    with pytest.warns(NumericalWarning, match=r"Exponential: state\(s\) \[0\] collapsed"):
        e = Exponential().fit(x, W)
    assert e.rate[1] == pytest.approx(50 / x[50:].sum(), rel=1e-14)  # the plain MLE
    assert e.rate[0] == pytest.approx(1e30 / x.mean(), rel=1e-12)
    # states far apart in scale (1e-9 s against 1e4 s) are no collapse: their MLEs
    y = np.r_[rng.exponential(1e-9, 100), rng.exponential(1e4, 100)]
    V = np.c_[np.r_[np.ones(100), np.zeros(100)], np.r_[np.zeros(100), np.ones(100)]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        far = Exponential().fit(y, V)
    np.testing.assert_allclose(far.rate, [100 / y[:100].sum(), 100 / y[100:].sum()], rtol=1e-14)
    check_emission(Exponential(rate=[1.0, 1e13]))
    with pytest.warns(NumericalWarning, match="collapsed"):  # counts that overflowed
        big = Exponential(rate=[1.0, 1.0]).fit(
            np.r_[0.0, 0.0, 1.0], np.array([[1e9, 1], [1e9, 1], [0, 1]])
        )
    assert np.all(np.isfinite(big.rate)) and np.all(np.isfinite(big.log_likelihood(np.zeros(1))))


def test_a_mixture_fits_each_component_on_the_rows_of_its_support(rng):
    # Gamma's log x at x <= 0 (weight 0 there) was 0 * -inf = nan; a component's own fit
    # (n_inner > 1) refused the rows another component covers
    x = np.r_[rng.normal(-2.0, 1.0, 60), rng.gamma(2.0, 1.0, 60)]
    W = rng.uniform(0.1, 1.0, (120, 2))
    gamma = Gamma(shape=[2.0, 3.0], rate=[1.0, 2.0])
    s = gamma.suff_stats(x[:, None], W * (x > 0)[:, None])
    pos = x > 0
    want = gamma.suff_stats(x[pos, None], W[pos])
    for got, ref in zip(s, want, strict=True):
        np.testing.assert_allclose(got, ref, rtol=1e-13)
    for n_inner in (1, 3):
        mix = Mixture(
            [Normal(mean=[-2.0, 0.0], var=[1.0, 1.0]), Exponential(rate=[1.0, 1.0])],
            weights=[[0.5, 0.5], [0.5, 0.5]],
            n_inner=n_inner,
        )
        m = HMM(
            mix, 2, init="given", startprob=[0.5, 0.5], transmat=[[0.9, 0.1], [0.1, 0.9]], n_iter=4
        )
        m.fit(x)
        assert np.all(np.diff(m.monitor_.history) > -1e-9)  # EM never loses likelihood
        assert np.all(np.isfinite(m.emission_.components[1].rate))
    one = Mixture(
        [Normal(mean=[-2.0, 0.0], var=[1.0, 1.0]), Exponential(rate=[1.0, 2.0])],
        weights=[[0.5, 0.5], [0.5, 0.5]],
    )
    R = one._resp(x[:, None], W)  # the responsibilities the fit uses, then its M-step
    one.fit(x[:, None], W)
    np.testing.assert_allclose(
        one.components[1].rate, R[:, :, 1].sum(0) / (R[:, :, 1] * x[:, None]).sum(0), rtol=1e-12
    )


class _GammaScaleOff(Gamma):
    """A Gamma sampler whose draws are 5 % too large (the rate read 5 % low)."""

    def sample(self, state, n, rng):
        return 1.05 * np.asarray(super().sample(state, n, rng))


@pytest.mark.parametrize("shape", [0.05, 0.1, 0.5])
def test_check_emission_takes_a_density_unbounded_at_zero(shape):
    # a Gamma of shape < 1 grows without bound at 0: the reference integrates in log x
    # (scipy's gamma is the reference of the draws themselves)
    e = Gamma(shape=[shape, 4.0], rate=[1.0, 0.2])
    rng = np.random.default_rng(0)
    x = np.asarray(e.sample(0, 20_000, rng))
    assert stats.kstest(x.ravel(), stats.gamma(shape, scale=1.0).cdf).pvalue > 1e-3
    check_emission(e)
    with pytest.raises(AssertionError, match="do not follow its density"):
        check_emission(_GammaScaleOff(shape=[shape, 4.0], rate=[1.0, 0.2]))


def test_text_symbols_are_refused_as_symbols_with_how_to_code_them():
    import pandas as pd

    from pyjl.exceptions import InputTypeError

    for X in (np.array(["a", "b", "a"]), pd.Series(["a", "b", "a"], dtype="category")):
        with pytest.raises(InputTypeError, match=r"`X` must hold integer symbols.*factorize"):
            HMM(Categorical(), 2, random_state=0).fit(X)
    with pytest.raises(InputTypeError, match=r"`X` must hold integer counts.*to_numeric"):
        HMM(Poisson(), 2, random_state=0).fit(np.array(["1", "2"]))
    import scipy.sparse

    with pytest.raises(InputTypeError, match=r"must be a dense array.*toarray"):  # not text
        HMM(Categorical(), 2, random_state=0).fit(scipy.sparse.csr_matrix(np.ones((3, 1))))


def test_an_exponential_state_without_weight_warns_only_its_own_warning():
    # 0 / 0 in the kept state's rate leaked NumPy's "invalid value encountered in divide"
    import warnings

    from pyjl.hmm import Exponential

    e = Exponential([1.0, 2.0])
    x = np.random.default_rng(0).exponential(1.0, 10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e.fit_stats(e.suff_stats(x, np.c_[np.ones(10), np.zeros(10)]))
    assert [w.category for w in caught] == [NumericalWarning]
    assert e.rate[1] == 2.0 and e.rate[0] == pytest.approx(1.0 / x.mean())
