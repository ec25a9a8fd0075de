"""EM on hmmlearn's own ``test_gaussian_hmm`` fixtures agrees with hmmlearn's
``GaussianHMM`` at its defaults (``min_covar``, ``covars_prior``) and without the
covariance prior, for all four covariance types, also on data whose variances are below
``min_covar``: a feature in small units keeps its variance, and ``min_covar`` stands in
only for a state collapsed onto equal values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pyjl.exceptions import InputError
from pyjl.hmm import HMM, MvNormal, Normal

hmm = pytest.importorskip("hmmlearn.hmm")
with np.errstate():  # hmmlearn.tests sets np.seterr(all="warn") on import
    fixtures = pytest.importorskip("hmmlearn.tests")
TYPES = ["spherical", "diag", "full", "tied"]


def _hmmlearn_test_fit_setup(covariance_type):
    """hmmlearn's ``GaussianHMMTestMixin.setup`` + ``test_fit``: parameters and data."""
    prng = np.random.RandomState(10)
    K = d = 3
    startprob = fixtures.normalized(prng.rand(K))
    transmat = fixtures.normalized(prng.rand(K, K), axis=1)
    means = prng.randint(-20, 20, (K, d))
    covars = fixtures.make_covar_matrix(covariance_type, K, d, random_state=prng)
    h = hmm.GaussianHMM(K, covariance_type)
    h.startprob_ = startprob
    h.transmat_ = fixtures.normalized(transmat + np.diag(prng.rand(K)), 1)
    h.means_ = 20 * means
    h.covars_ = covars
    lengths = [10] * 10
    X, _ = h.sample(sum(lengths), random_state=prng)
    return h, covars, X, lengths


@pytest.mark.parametrize("scale", [1.0, 0.01])
@pytest.mark.parametrize("covars_prior", [0.0, "hmmlearn's default"])
@pytest.mark.parametrize("covariance_type", TYPES)
def test_em_on_hmmlearn_fixtures_matches_hmmlearn(covariance_type, covars_prior, scale):
    # scale 0.01: variances of about 1e-4, below min_covar, which hmmlearn's M-step ignores
    h, covars, X, lengths = _hmmlearn_test_fit_setup(covariance_type)
    h.means_, covars, X = h.means_ * scale, covars * scale**2, X * scale
    K = h.n_components
    # default settings on both sides (hmmlearn: min_covar=1e-3, covars_prior=1e-2,
    # covars_weight=1), except init_params="" (start from the fixture's parameters) and
    # tol=-inf (all n_iter steps); and both without the prior (maximum likelihood)
    prior = {"covars_prior": 0.0} if covars_prior == 0.0 else {}
    theirs = hmm.GaussianHMM(K, covariance_type, init_params="", tol=-np.inf, **prior)
    theirs.startprob_, theirs.transmat_ = h.startprob_, h.transmat_
    theirs.means_, theirs.covars_ = h.means_, covars
    theirs.fit(X, lengths)
    ours = HMM(
        MvNormal(h.means_, covars, covariance_type=covariance_type, **prior),
        K,
        n_iter=theirs.n_iter,
        tol=-np.inf,
        init="given",
        startprob=h.startprob_,
        transmat=h.transmat_,
    ).fit(X, lengths)
    np.testing.assert_allclose(ours.monitor_.history, list(theirs.monitor_.history), rtol=1e-10)
    assert ours.score(X, lengths) == pytest.approx(theirs.score(X, lengths), rel=1e-10)
    np.testing.assert_allclose(ours.startprob_, theirs.startprob_, atol=1e-10)
    np.testing.assert_allclose(ours.transmat_, theirs.transmat_, atol=1e-10)
    np.testing.assert_allclose(ours.emission_.mean, theirs.means_, rtol=1e-10, atol=1e-10)
    cov = theirs._covars_[:, 0] if covariance_type == "spherical" else theirs._covars_
    np.testing.assert_allclose(ours.emission_.cov, cov, rtol=1e-8)
    if covariance_type == "diag":
        one = HMM(
            Normal(h.means_, covars, **prior),
            K,
            n_iter=theirs.n_iter,
            tol=-np.inf,
            init="given",
            startprob=h.startprob_,
            transmat=h.transmat_,
        ).fit(X, lengths)
        np.testing.assert_allclose(one.monitor_.history, list(theirs.monitor_.history), rtol=1e-10)
        np.testing.assert_allclose(one.emission_.var, theirs._covars_, rtol=1e-8)


def _two_units(rng, n=400):
    """Two well-separated states; feature 0 in large units, feature 1 in small units."""
    z = np.repeat([0, 1], n // 2)
    X = np.c_[
        rng.normal(np.where(z == 0, -3e3, 3e3), 1e3), rng.normal(np.where(z == 0, 0.0, 0.5), 0.05)
    ]
    return X, np.eye(2)[z]


def _variances(e):
    """Each state's variance of each feature, ``(K, d)``."""
    if isinstance(e, Normal):
        return e.var
    if e.covariance_type == "tied":
        return np.diag(e.cov)[None].repeat(2, 0)
    return np.diagonal(e.cov, axis1=1, axis2=2) if e.cov.ndim == 3 else e.cov


@pytest.mark.parametrize(
    "make",
    [
        lambda: Normal(covars_prior=0.0),
        lambda: MvNormal(covariance_type="diag", covars_prior=0.0),
        lambda: MvNormal(covariance_type="full", covars_prior=0.0),
        lambda: MvNormal(covariance_type="tied", covars_prior=0.0),
    ],
)
def test_small_unit_feature_keeps_its_own_variance(rng, make):
    # without the prior the M-step is the closed-form MLE, floored only by min_covar
    X, W = _two_units(rng)
    e = make().fit(X, W)
    want = np.array([X[W[:, k] == 1].var(axis=0) for k in range(2)])  # closed-form MLE
    if getattr(e, "covariance_type", None) == "tied":  # pooled within
        want = want.mean(0)[None].repeat(2, 0)
    var = _variances(e)
    np.testing.assert_allclose(var, want, rtol=1e-6)
    assert var[:, 1].max() < 0.01  # ~2.5e-3, far from a pooled floor


def test_min_covar_stands_in_only_for_a_collapsed_state(rng):
    X, W = _two_units(rng)
    X[:200, 1] = 0.25  # a constant feature in state 0: its ML variance is zero
    e = Normal(min_covar=1e-3, covars_prior=0.0).fit(X, W)
    assert e.var[0, 1] == 1e-3
    assert e.var[1, 1] == pytest.approx(X[200:, 1].var(), rel=1e-6)
    m = MvNormal(covariance_type="full", min_covar=1e-3, covars_prior=0.0).fit(X, W)
    assert np.linalg.eigvalsh(m.cov[0]).min() == pytest.approx(1e-3, rel=1e-6)
    np.testing.assert_allclose(m.cov[1], np.cov(X[200:].T, bias=True), rtol=1e-6)
    # far above every variance, it still leaves a state that has not collapsed alone
    X, W = _two_units(rng)
    s = MvNormal(covariance_type="spherical", min_covar=1e7, covars_prior=0.0).fit(X, W)
    want = [X[W[:, k] == 1].var(axis=0).mean() for k in range(2)]
    np.testing.assert_allclose(s.cov, want, rtol=1e-9)


def test_initialisation_adds_min_covar_like_hmmlearn(rng):
    X, _ = _two_units(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = MvNormal(covariance_type="full").initialize(X, 2, np.random.default_rng(0))
        n = Normal().initialize(X, 2, np.random.default_rng(0))
    want = np.cov(X.T) + 1e-3 * np.eye(2)
    np.testing.assert_allclose(e.cov, [want, want], rtol=1e-12)
    np.testing.assert_allclose(n.var, np.diag(want)[None].repeat(2, 0), rtol=1e-12)


def test_covars_prior_is_hmmlearns_map_update(rng):
    X, W = _two_units(rng)
    N = W.sum(0)
    mle = np.array([X[W[:, k] == 1].var(axis=0) for k in range(2)])
    e = Normal(covars_prior=0.5, covars_weight=3.0).fit(X, W)  # (p + N v) / (w - 1 + N)
    np.testing.assert_allclose(e.var, (0.5 + N[:, None] * mle) / (2.0 + N[:, None]), rtol=1e-9)
    with pytest.raises(InputError, match=r"`covars_prior` must be >= 0; got -1\.0"):
        Normal(covars_prior=-1.0).fit(X, W)


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
def test_a_matrix_prior_with_negative_entries_is_hmmlearns_map_update(covariance_type):
    # an inverse-Wishart scale may correlate the features negatively: hmmlearn takes it
    # (it was refused, entry by entry, as a variance prior is)
    h, covars, X, lengths = _hmmlearn_test_fit_setup(covariance_type)
    K, d = h.n_components, X.shape[1]
    psi = 0.5 * np.eye(d) - 0.2 * (np.ones((d, d)) - np.eye(d))  # eigenvalues 0.1, 0.7
    psi = np.broadcast_to(psi, (K, d, d)) if covariance_type == "full" else psi
    kw = dict(covars_prior=psi, covars_weight=d + 3.0)
    theirs = hmm.GaussianHMM(K, covariance_type, init_params="", tol=-np.inf, n_iter=5, **kw)
    theirs.startprob_, theirs.transmat_ = h.startprob_, h.transmat_
    theirs.means_, theirs.covars_ = h.means_, covars
    theirs.fit(X, lengths)
    ours = HMM(
        MvNormal(h.means_, covars, covariance_type=covariance_type, **kw),
        K,
        n_iter=5,
        tol=-np.inf,
        init="given",
        startprob=h.startprob_,
        transmat=h.transmat_,
    ).fit(X, lengths)
    np.testing.assert_allclose(ours.emission_.cov, theirs._covars_, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.emission_.mean, theirs.means_, rtol=1e-9, atol=1e-9)
    with pytest.raises(InputError, match="`covars_prior` must hold symmetric positive"):
        bad = np.full((d, d), 0.9) - 0.4 * np.eye(d)  # eigenvalue -0.4
        HMM(MvNormal(covariance_type=covariance_type, covars_prior=bad), K).fit(X, lengths)
