"""The covariance priors' log-density: the M-step (hmmlearn's, ``covars_map``) is the
mode of log-likelihood plus prior, so EM increases that sum and the convergence monitor
checks it, not the log-likelihood alone, for decreases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pyjl.exceptions import NumericalWarning
from pyjl.hmm import HMM, Mixture, MvNormal
from pyjl.hmm._common import covars_log_prior, covars_map

rng = np.random.default_rng(7)
K, d = 3, 2


def _gauss_expected(cov, N, scatter, kind):
    """Expected complete-data Gaussian log-likelihood in the covariances (constants and
    the means' part dropped): sum_k -N_k/2 log|S_k| - tr(scatter_k S_k^-1) / 2."""
    if kind in ("full", "tied"):
        S = np.broadcast_to(cov, (K, d, d))
        inv = np.linalg.inv(S)
        return float(
            np.sum(
                -0.5 * N * np.linalg.slogdet(S)[1] - 0.5 * np.einsum("kij,kji->k", scatter, inv)
            )
        )
    v = np.broadcast_to(np.reshape(cov, (K, -1)), (K, d))
    return float(np.sum(-0.5 * N[:, None] * np.log(v) - 0.5 * scatter / v))


@pytest.mark.parametrize("kind", ["diag", "spherical", "full", "tied"])
@pytest.mark.parametrize("prior, weight", [(1e-2, 1.0), (0.3, 4.0), (0.0, 5.0)])
def test_the_m_step_is_the_mode_of_likelihood_plus_prior(kind, prior, weight):
    N = rng.uniform(2.0, 30.0, K)
    A = rng.standard_normal((K, d, d))
    scatter = np.einsum("kij,klj->kil", A, A) + 0.1 * np.eye(d)  # sum_t w (x - m)(x - m)^T
    if kind in ("full", "tied"):
        if kind == "full":
            best = covars_map(
                scatter / N[:, None, None], N[:, None, None], prior, weight, d, (K, d, d)
            )
        else:
            best = covars_map(scatter.sum(0) / N.sum(), N.sum(), prior, weight, d, (d, d))
        S_diag = scatter
    else:
        S_diag = np.diagonal(scatter, axis1=1, axis2=2)  # per-feature scatter (K, d)
        v = covars_map(S_diag / N[:, None], N[:, None], prior, weight, 1, (K, d))
        best = v if kind == "diag" else v.mean(1)

    def objective(cov):
        return _gauss_expected(cov, N, S_diag, kind) + covars_log_prior(
            cov, prior, weight, kind, d
        )

    top = objective(best)
    for _ in range(30):
        if kind in ("full", "tied"):
            B = rng.standard_normal(np.shape(best)) * 1e-3
            step = best + (B + np.swapaxes(B, -1, -2)) / 2 * np.abs(best).max()
        else:
            step = best * np.exp(rng.standard_normal(np.shape(best)) * 1e-3)
        assert objective(step) <= top + 1e-12 * abs(top)


def test_a_map_fit_is_not_reported_as_decreasing_when_only_its_likelihood_dips():
    # small-scale data (hmmlearn's issue 410): with the default covars_prior the
    # log-likelihood alone dips while EM increases log-likelihood plus prior
    with np.errstate():  # hmmlearn.tests sets np.seterr(all="warn") for the process
        hmmlearn_tests = pytest.importorskip("hmmlearn.tests.test_gmm_hmm_multisequence")
    seqs = hmmlearn_tests.EXAMPLE_SEQUENCES_ISSUE_410_PRUNED
    X, lengths = np.concatenate(seqs), [len(s) for s in seqs]
    for kind in ("diag", "spherical"):
        em = Mixture(MvNormal(covariance_type=kind), n_components=2)
        with warnings.catch_warnings():
            warnings.simplefilter("error", NumericalWarning)
            m = HMM(em, 2, n_iter=100, tol=1e-6, random_state=0).fit(X, lengths)
        history = np.array(m.monitor_.history)
        assert np.any(np.diff(history) < -1e-3)  # the log-likelihood did dip ...
        assert m.monitor_.converged and m.monitor_.iter > np.argmin(np.diff(history)) + 3
        # ... and EM went on past the dip, to where log-likelihood plus prior stopped rising


def test_a_sparse_dirichlet_prior_zeroing_a_transition_does_not_stop_em():
    # transmat_prior < 1: the M-step (hmmlearn's max(a - 1 + n, 0)) sets a rare transition
    # to 0, where that prior's density is infinite and its term is left out; the objective
    # then looked lower, warned and "converged" after 7 iterations, 30 nats short
    hmm = pytest.importorskip("hmmlearn.hmm")
    r = np.random.default_rng(0)
    z = np.repeat(r.integers(0, 3, 7), 50)[:300]
    X = r.normal(np.arange(3)[z] * 1.5, 1.0)[:, None]
    s = np.random.default_rng(0)
    pi, A = s.dirichlet(np.ones(3)), s.dirichlet(np.ones(3) * 3, size=3)
    means = s.normal(0, 1, (3, 1)) + np.arange(3)[:, None]
    covs = np.random.default_rng(2).uniform(0.5, 2, (3, 1))
    ref = hmm.GaussianHMM(3, "diag", init_params="", transmat_prior=0.5, n_iter=100)
    ref.startprob_, ref.transmat_, ref.means_, ref.covars_ = pi, A, means, covs
    ref.fit(X)
    em = MvNormal(means, covs, covariance_type="diag")
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumericalWarning)
        m = HMM(em, 3, init="given", startprob=pi, transmat=A, transmat_prior=0.5).fit(X)
    assert (m.transmat_ == 0).any()  # the case: a transition set to 0 on the way
    assert m.score(X) == pytest.approx(ref.score(X), abs=1e-3)


def test_a_dirichlet_prior_that_takes_away_every_count_says_so():
    # one sequence: one expected first state, and 0.19 expected transitions out of state 1,
    # which a prior of 0 (alpha - 1 = -1) removes; the rows are kept and the warning says
    # the prior did it, not that nothing was observed
    from pyjl.hmm import Poisson

    pi, A = np.array([0.3, 0.7]), np.array([[0.6, 0.4], [0.2, 0.8]])
    X = np.array([0, 0, 1, 0, 6])

    def fit(**prior):
        m = HMM(Poisson(rate=[1.0, 4.0]), 2, init="given", startprob=pi, transmat=A, n_iter=1)
        return m.set_params(tol=-np.inf, **prior).fit(X)

    posterior = HMM(Poisson(rate=[1.0, 4.0]), 2, init="given", startprob=pi, transmat=A)
    seen = posterior.predict_proba(X)[:-1, 1].sum()
    assert 0 < seen < 1
    with pytest.warns(NumericalWarning, match=rf"transmat_prior took away .*\[1\] \(\[{seen:.4f}"):
        m = fit(transmat_prior=0.0)
    np.testing.assert_array_equal(m.transmat_[1], A[1])
    took = r"startprob_prior took away every expected first state \(1 in all"
    with pytest.warns(NumericalWarning, match=took):
        m = fit(startprob_prior=0.0)
    np.testing.assert_array_equal(m.startprob_, pi)
