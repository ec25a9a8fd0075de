"""Full and tied Gaussian densities and updates when the state means are far apart
relative to the spread: the tied log-density equals hmmlearn's (computed from
differences) and the M-step equals the closed-form weighted mean and covariance,
computed about each state's own mean."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.hmm import HMM, MvNormal

hmm = pytest.importorskip("hmmlearn.hmm")
PI, A = np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.1, 0.9]])
SHAPE = np.array([[1.0, 0.3], [0.3, 1.0]])
# (separation of the means, standard deviation): 1e3 to 1e8 standard deviations apart
SEPARATED = [(1e3, 1e-2), (1e5, 1e-1), (1e6, 1e-2)]


def _data(sep, sd, n=20):
    cov = sd**2 * SHAPE
    X = np.random.default_rng(0).multivariate_normal([0.0, 0.0], cov, n)
    X[n // 2 :] += sep
    return np.array([[0.0, 0.0], [sep, sep]]), cov, X


def _theirs(covariance_type, mean, cov):
    h = hmm.GaussianHMM(2, covariance_type, init_params="")
    h.startprob_, h.transmat_, h.means_, h.covars_ = PI, A, mean, cov
    return h


@pytest.mark.parametrize("sep, sd", SEPARATED)
def test_tied_scores_equal_hmmlearn_on_separated_states(sep, sd):
    mean, cov, X = _data(sep, sd)
    ours = HMM(MvNormal(mean, cov, "tied"), 2, init="given", startprob=PI, transmat=A)
    theirs = _theirs("tied", mean, cov)
    assert ours.score(X) == pytest.approx(theirs.score(X), rel=1e-9)
    assert ours.emission.log_likelihood(X) == pytest.approx(
        theirs._compute_log_likelihood(X), rel=1e-9
    )


def _closed_form(X, weights, tied):
    """The weighted MLE, two-pass: the means, then the scatter about them."""
    N = weights.sum(0)
    mean = weights.T @ X / N[:, None]
    scatter = np.stack([(X - m).T @ ((X - m) * w[:, None]) for m, w in zip(mean, weights.T)])
    return mean, (scatter.sum(0) / N.sum() if tied else scatter / N[:, None, None])


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
@pytest.mark.parametrize("sep, sd", SEPARATED)
def test_em_step_equals_the_closed_form_on_separated_states(covariance_type, sep, sd):
    mean, cov, X = _data(sep, sd, n=200)
    cov = cov if covariance_type == "tied" else np.stack([cov, 2.0 * cov])
    # one EM iteration: hmmlearn's posteriors at the given parameters (its E-step), then
    # the weighted MLE (covars_prior=0) in closed form
    gamma = _theirs(covariance_type, mean, cov).predict_proba(X)
    want_mean, want_cov = _closed_form(X, gamma, covariance_type == "tied")
    em = MvNormal(mean, cov, covariance_type, covars_prior=0.0)
    model = HMM(em, 2, init="given", startprob=PI, transmat=A, n_iter=1, tol=-np.inf).fit(X)
    scale = np.abs(want_cov).max()
    assert np.abs(model.emission_.mean - want_mean).max() <= 1e-12 * sep
    assert np.abs(model.emission_.cov - want_cov).max() <= 1e-9 * scale
    # the emission's own weighted fit, from the same parameters
    em.fit(X, gamma)
    assert np.abs(em.cov - want_cov).max() <= 1e-9 * scale
