"""The Multinomial emission against hmmlearn's MultinomialHMM (identical EM trajectories
from identical starting parameters, identical decoding), SciPy's multinomial, and its
refusals."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from pyjl.exceptions import InputError
from pyjl.hmm import HMM, Multinomial

hmm = pytest.importorskip("hmmlearn.hmm")


def _theirs(K, **kw):
    with warnings.catch_warnings():  # hmmlearn's notice that MultinomialHMM changed in 0.3
        warnings.simplefilter("ignore")
        return hmm.MultinomialHMM(K, init_params="", **kw)


def _problem(rng, K=3, S=4, n=6, T=400):
    pi, A = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K) * 3, size=K)
    B = rng.dirichlet(np.ones(S), size=K)
    gen = HMM(Multinomial(B, n_trials=n), K, init="given", startprob=pi, transmat=A)
    X = gen.sample(T, random_state=int(rng.integers(1 << 30)))[0]
    return pi, A, B, X


def _path_logprob(pi, A, logB, path, lengths):
    total, start = 0.0, 0
    for n in lengths:
        z = path[start : start + n]
        total += np.log(pi[z[0]]) + np.log(A[z[:-1], z[1:]]).sum()
        total += logB[np.arange(start, start + n), z].sum()
        start += n
    return total


@pytest.mark.parametrize("seed", range(4))
def test_em_trajectory_and_decoding_are_hmmleans(seed):
    rng = np.random.default_rng(seed)
    pi, A, B, X = _problem(rng, K=int(rng.integers(1, 5)), S=int(rng.integers(2, 6)))
    K = pi.size
    lengths = [150, 1, 249]
    theirs = _theirs(K, n_trials=6, n_iter=8, tol=-np.inf)
    theirs.startprob_, theirs.transmat_, theirs.emissionprob_ = pi, A, B
    ours = HMM(Multinomial(B, n_trials=6), K, init="given", startprob=pi, transmat=A)
    assert ours.score(X, lengths) == pytest.approx(theirs.score(X, lengths), rel=1e-12)
    lp, path = ours.decode(X, lengths)
    lp2, path2 = theirs.decode(X, lengths)
    assert lp == pytest.approx(lp2, rel=1e-12)
    # the same path, or one of the same probability (a tie the roundings split apart)
    logB = ours.emission.log_likelihood(X)
    assert _path_logprob(pi, A, logB, path, lengths) == pytest.approx(lp2, rel=1e-12)
    assert (path == path2).mean() > 0.9
    np.testing.assert_allclose(
        ours.predict_proba(X, lengths), theirs.predict_proba(X, lengths), atol=1e-10
    )
    assert ours.bic(X, lengths) == pytest.approx(theirs.bic(X, lengths), rel=1e-12)
    theirs.fit(X, lengths)
    ours.set_params(n_iter=8, tol=-np.inf).fit(X, lengths)
    np.testing.assert_allclose(ours.monitor_.history, list(theirs.monitor_.history), rtol=1e-11)
    np.testing.assert_allclose(ours.emission_.probs, theirs.emissionprob_, atol=1e-10)
    np.testing.assert_allclose(ours.transmat_, theirs.transmat_, atol=1e-10)


def test_rows_of_different_totals_are_each_scored_with_their_own():
    rng = np.random.default_rng(5)
    B = rng.dirichlet(np.ones(3), size=2)
    X = rng.integers(0, 5, size=(60, 3))
    X[7] = 0  # no trials: probability 1
    pi, A = np.array([0.3, 0.7]), np.array([[0.8, 0.2], [0.4, 0.6]])
    ours = HMM(Multinomial(B), 2, init="given", startprob=pi, transmat=A)
    theirs = _theirs(2)  # n_trials=None: hmmlearn takes each row's total too
    theirs.startprob_, theirs.transmat_, theirs.emissionprob_ = pi, A, B
    theirs._check_and_set_n_features(X)
    assert ours.score(X) == pytest.approx(theirs.score(X), rel=1e-12)
    want = np.array([[stats.multinomial.logpmf(x, x.sum(), p) for p in B] for x in X])
    want[7] = 0.0
    np.testing.assert_allclose(ours.emission.log_likelihood(X), want, rtol=1e-12, atol=1e-12)


def test_a_zero_probability_takes_no_count():
    e = Multinomial([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]])
    got = e.log_likelihood(np.array([[0, 2, 1], [1, 1, 1]]))
    assert got[0, 0] == pytest.approx(stats.multinomial.logpmf([0, 2, 1], 3, [0, 0.5, 0.5]))
    assert got[1, 0] == -np.inf and np.isfinite(got[:, 1]).all()
    # with n_trials, a row of another total has probability 0
    assert np.isneginf(
        Multinomial(e.probs, n_trials=4).log_likelihood(np.array([[0, 2, 1]]))
    ).all()


def test_conformance():
    from pyjl.testing import check_emission

    e = Multinomial([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], n_trials=8)
    assert check_emission(e, n=3000, random_state=1)["weights_as_counts"] < 1e-6


def test_one_category_has_no_free_parameter_and_conforms():
    # every draw is n_trials of the one category, with probability 1 (scipy's pmf)
    from pyjl.testing import check_emission

    e = Multinomial([[1.0], [1.0]], n_trials=4)
    assert e.n_parameters == 0
    x = e.sample(1, 5, np.random.default_rng(0))
    assert np.array_equal(x, np.full((5, 1), 4))
    assert np.allclose(e.log_likelihood(x), stats.multinomial.logpmf([4], 4, [1.0]))
    assert check_emission(e, n=500)["normalisation"] == 0.0


def test_fit_from_scratch_finds_the_states():
    B = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]])
    gen = HMM(
        Multinomial(B, n_trials=20),
        2,
        init="given",
        startprob=[0.5, 0.5],
        transmat=[[0.95, 0.05], [0.05, 0.95]],
    )
    X, z = gen.sample(2000, random_state=3)
    m = HMM(Multinomial(), 2, random_state=0).fit(X)
    order = np.argsort(m.emission_.probs[:, 0])[::-1]
    np.testing.assert_allclose(m.emission_.probs[order], B, atol=0.02)
    assert (m.predict(X) == order[z]).mean() > 0.99  # order[j]: the fitted state of state j
    assert m.emission_.probs.min() > 0


@pytest.mark.parametrize(
    "X, match",
    [
        ([[1, 2], [3, 1]], "rows summing to n_trials=3; got row 1 summing to 4"),
        ([[1, 2], [-1, 4]], "counts >= 0"),
        ([[1, 2], [0.5, 2.5]], "integers"),
        ([[1, 1, 1]], "2 feature column"),
        ([3, 0], "one column per category"),
    ],
)
def test_bad_counts_are_refused_by_name(X, match):
    m = HMM(
        Multinomial([[0.5, 0.5], [0.2, 0.8]], n_trials=3),
        2,
        init="given",
        startprob=[0.5, 0.5],
        transmat=[[0.5, 0.5], [0.5, 0.5]],
    )
    with pytest.raises(InputError, match="`X`") as got:
        m.score(np.array(X))
    assert match in str(got.value)


def test_sampling_needs_n_trials_and_bad_parameters_are_named():
    m = HMM(Multinomial([[0.5, 0.5]]), 1, init="given", startprob=[1.0], transmat=[[1.0]])
    with pytest.raises(InputError, match="`n_trials` must be set"):
        m.sample(3)
    m.emission.n_trials = 4
    assert (m.sample(3, random_state=0)[0].sum(1) == 4).all()
    with pytest.raises(InputError, match=r"emission.probs\[0\]"):
        HMM(Multinomial([[0.5, 0.6]]), 1, init="given", startprob=[1.0], transmat=[[1.0]]).score(
            np.array([[1, 1]])
        )
    with pytest.raises(InputError, match="n_trials"):
        HMM(Multinomial(n_trials=-1), 1).fit(np.array([[1, 1]]))
