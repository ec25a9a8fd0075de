"""Extreme data: log-densities stay finite wherever the true value is representable;
an observation whose log-density is -inf in every state makes ``score`` -inf with a
NumericalWarning and posteriors/paths a refusal naming the row; fitting refuses data
whose Gaussian moments overflow.  Never a silent non-finite number or a posterior row
that does not sum to 1."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from pyjl.exceptions import InputError, NumericalWarning
from pyjl.hmm import HMM, Categorical, MvNormal, Normal

PI, A = np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.2, 0.8]])


def _model(em):
    return HMM(em, 2, init="given", startprob=PI, transmat=A)


def _forward(logb):
    """log p(X) by the forward recursion in log space (SciPy's logsumexp)."""
    la = np.log(PI) + logb[0]
    for lb in logb[1:]:
        la = logsumexp(la[:, None] + np.log(A), axis=0) + lb
    return logsumexp(la)


@pytest.mark.parametrize("x", [1e100, 1e200, 1e300, -1e300])
def test_gaussian_log_density_is_finite_where_representable(x):
    mean, sd = np.array([0.0, 1e149]), np.array([1e150, 3e150])
    want = stats.norm.logpdf(x, mean, sd)  # ((x - mu) / sd)^2: finite
    assert np.isfinite(want).all()
    got = Normal(mean, sd**2).log_likelihood(np.array([x]))[0]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = MvNormal(mean[:, None], (sd**2)[:, None], "diag").log_likelihood([[x]])[0]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = MvNormal(mean[:, None], (sd**2)[:, None, None]).log_likelihood([[x]])[0]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_far_but_representable_outlier_scores_like_the_forward_recursion(rng):
    X = np.r_[rng.normal(size=30), 1e150, rng.normal(5.0, 1.0, size=30)]
    mean, var = np.array([0.0, 5.0]), np.array([1.0, 2.0])
    m = _model(Normal(mean, var))
    logb = stats.norm.logpdf(X[:, None], mean, np.sqrt(var))
    assert np.isfinite(logb).all()
    assert m.score(X) == pytest.approx(_forward(logb), rel=1e-12)
    P = m.predict_proba(X)
    assert np.isfinite(P).all()
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-12)


CASES = {
    "one outlier 1e160": (np.r_[0.1, -0.3, 1e160, 4.0], 2),
    "one outlier -1e200": (np.r_[0.1, -1e200, 4.0], 1),
    "all 1e308": (np.full(5, 1e308), 0),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("family", ["Normal", "diag", "full"])
def test_impossible_row_warns_in_score_and_refuses_posteriors(case, family):
    X, row = CASES[case]
    mean, var = np.array([0.0, 5.0]), np.array([1.0, 2.0])
    em = {
        "Normal": lambda: Normal(mean, var),
        "diag": lambda: MvNormal(mean[:, None], var[:, None], "diag"),
        "full": lambda: MvNormal(mean[:, None], var[:, None, None]),
    }[family]()
    x = X if family == "Normal" else X[:, None]
    m = _model(em)
    with pytest.warns(NumericalWarning, match=f"row {row} .*-inf in every state"):
        assert m.score(x) == -np.inf  # log p(X) below the double range
    for call in (
        m.predict_proba,
        m.predict,
        m.decode,
        m.score_samples,
        lambda v: m.decode(v, algorithm="map"),
    ):
        with pytest.raises(
            InputError,
            match=f"`X` must have non-zero probability.*row {row} "
            r".*Fix: rescale X",
        ):
            call(x)


def test_impossible_observation_of_a_discrete_emission_is_reported_the_same_way():
    m = _model(Categorical([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]]))  # symbol 2 is impossible
    with pytest.warns(NumericalWarning, match="row 2 "):
        assert m.score([0, 1, 2, 1]) == -np.inf
    with pytest.raises(InputError, match="row 2 "):
        m.predict_proba([0, 1, 2, 1])
    np.testing.assert_allclose(m.predict_proba([0, 1, 1]).sum(1), 1.0)


def test_zero_probability_from_transitions_names_the_sequence():
    m = HMM(
        Normal([0.0, 5.0], [1.0, 1.0]),
        2,
        init="given",
        startprob=[1.0, 0.0],
        transmat=[[1.0, 0.0], [0.0, 1.0]],
    )
    with pytest.raises(InputError, match="sequence 0 of log-likelihood -inf"):
        m.predict_proba(np.array([0.0, 1.0]) + np.array([0.0, 1e3]))


@pytest.mark.parametrize("magnitude", [1.0, 1e50, 1e100, 1e150])
def test_posteriors_sum_to_one_at_any_representable_scale(rng, magnitude):
    z = np.repeat([0, 1, 0], 20)
    X = (np.where(z == 0, -1.0, 1.0) + 0.3 * rng.normal(size=z.size)) * magnitude
    m = _model(Normal([-magnitude, magnitude], [(0.3 * magnitude) ** 2] * 2))
    P = m.predict_proba(X)
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(m.predict(X), z)
    assert np.isfinite(m.score(X))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Normal(),
        lambda: MvNormal(covariance_type="full"),
        lambda: MvNormal(covariance_type="diag"),
    ],
)
def test_fit_refuses_data_whose_moments_overflow(rng, make):
    X = rng.normal(size=(200, 1))
    X[57] = 1e200
    with pytest.raises(InputError, match=r"`X` must stay below .* got row 57 .*Fix: rescale"):
        HMM(make(), 2, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same data, rescaled: clean
        m = HMM(make(), 2, n_iter=5, random_state=0).fit(X / 1e190)
    assert np.isfinite(m.score(X / 1e190))
