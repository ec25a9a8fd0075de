"""Bad parameters and settings are refused with an InputError naming the element, the
rule, the value and the fix -- at fit/score/predict/sample time (the constructor stores)."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.exceptions import InputError
from pyjl.hmm import HMM, Categorical, Exponential, Gamma, Mixture, MvNormal, Normal, Poisson

PI, A = [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]
X = np.random.default_rng(21).poisson(3.0, size=20).astype(float)
EYE = np.eye(2)


def _given(em, pi=PI, A_=A, K=2):
    return HMM(em, K, init="given", startprob=pi, transmat=A_)


CALLS = {
    "fit": lambda m, x: m.fit(x),
    "score": lambda m, x: m.score(x),
    "predict": lambda m, x: m.predict(x),
    "predict_proba": lambda m, x: m.predict_proba(x),
    "sample": lambda m, x: m.sample(5),
}

BAD = [
    (lambda: _given(Poisson([1.0, -1.0])), X, r"`emission\.rate\[1\]` must be >= 0.*got -1\.0"),
    (lambda: _given(Exponential([0.0, 1.0])), X, r"`emission\.rate\[0\]` must be > 0"),
    (
        lambda: _given(Normal([0.0, 1.0], [1.0, -2.0])),
        X,
        r"`emission\.var\[1\]` must be > 0"
        r".*got -2\.0",
    ),
    (
        lambda: _given(Normal([0.0, np.nan], [1.0, 1.0])),
        X,
        r"`emission\.mean\[1\]` must be "
        r"finite; got nan",
    ),
    (
        lambda: _given(Normal([0.0, 1.0], [1.0, 1.0, 1.0])),
        X,
        r"`emission\.var` must have the "
        r"shape",
    ),
    (lambda: _given(Gamma([1.0, 0.0], [1.0, 1.0])), X + 1, r"`emission\.shape\[1\]` must be > 0"),
    (lambda: _given(Gamma([1.0, 2.0], [-1.0, 1.0])), X + 1, r"`emission\.rate\[0\]` must be > 0"),
    (
        lambda: _given(Categorical([[0.5, 0.5], [0.6, 0.6]])),
        X % 2,
        r"`emission\.probs\[1\]` must sum to 1; got values summing to 1\.2",
    ),
    (
        lambda: _given(Categorical([[1.5, -0.5], [0.5, 0.5]])),
        X % 2,
        r"`emission\.probs\[0, 1\]` must be >= 0",
    ),
    (
        lambda: _given(
            Mixture(
                [Normal([0.0, 1.0], [1.0, 1.0]), Normal([2.0, 3.0], [1.0, 1.0])],
                weights=[[0.5, 0.6], [0.5, 0.5]],
            )
        ),
        X,
        r"`emission\.weights\[0\]` must sum to 1",
    ),
    (
        lambda: _given(
            Mixture(
                [Normal([0.0, 1.0], [1.0, 1.0]), Normal([2.0, 3.0], [1.0, 1.0])],
                weights=[[1.5, -0.5], [0.5, 0.5]],
            )
        ),
        X,
        r"`emission\.weights\[0, 1\]` must be >= 0",
    ),
    (
        lambda: _given(
            Mixture(
                [Normal([0.0, 1.0], [1.0, 1.0]), Normal([2.0, 3.0], [0.0, 1.0])],
                weights=[[0.5, 0.5], [0.5, 0.5]],
            )
        ),
        X,
        r"`emission\.components\[1\]\.var\[0\]` must be > 0",
    ),
    (
        lambda: _given(MvNormal(np.zeros((2, 2)), np.array([[[1.0, 0.5], [0.4, 1.0]], EYE]))),
        np.c_[X, X],
        r"`emission\.cov\[0\]` must be symmetric",
    ),
    (
        lambda: _given(MvNormal(np.zeros((2, 2)), np.array([EYE, [[1.0, 2.0], [2.0, 1.0]]]))),
        np.c_[X, X],
        r"`emission\.cov\[1\]` must be positive definite; got a smallest "
        r"eigenvalue of -1\.0",
    ),
    (
        lambda: _given(MvNormal(np.zeros((2, 2)), [[1.0, 2.0], [2.0, 1.0]], "tied")),
        np.c_[X, X],
        r"`emission\.cov` must be positive definite",
    ),
    (
        lambda: _given(MvNormal(np.zeros((2, 2)), [[1.0, 1.0], [1.0, -1.0]], "diag")),
        np.c_[X, X],
        r"`emission\.cov\[1, 1\]` must be > 0",
    ),
    (
        lambda: _given(MvNormal(np.zeros((2, 2)), [1.0, np.inf], "spherical")),
        np.c_[X, X],
        r"`emission\.cov\[1\]` must be finite",
    ),
    (
        lambda: _given(Normal([0.0, 1.0], [1.0, 1.0]), pi=[0.7, 0.7]),
        X,
        r"`startprob` must sum to 1; got values summing to 1\.4",
    ),
    (
        lambda: _given(Normal([0.0, 1.0], [1.0, 1.0]), pi=[1.2, -0.2]),
        X,
        r"`startprob\[1\]` must be >= 0",
    ),
    (
        lambda: _given(Normal([0.0, 1.0], [1.0, 1.0]), A_=[[0.9, 0.1], [0.5, 0.4]]),
        X,
        r"`transmat\[1\]` must sum to 1; got values summing to 0\.9",
    ),
    (
        lambda: _given(Normal([0.0, 1.0], [1.0, 1.0]), A_=[[0.9, np.nan], [0.5, 0.5]]),
        X,
        r"`transmat\[0, 1\]` must be finite; got nan",
    ),
    (
        lambda: _given(Normal([0.0, 1.0, 2.0], [1.0, 1.0, 1.0])),
        X,
        r"`n_states` must equal the number of states of the emission's parameters \(3\)",
    ),
]


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("make,x,match", BAD)
def test_given_parameters_are_validated_at_call_time(make, x, match, call):
    model = make()  # the constructor only stores
    with pytest.raises(InputError, match=match) as info:
        CALLS[call](model, x)
    assert "Fix: " in str(info.value)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"emission": None}, r"`emission` must be an emission.*got None"),
        ({"emission": "normal"}, r"`emission` must be an emission"),
        ({"n_states": 0}, r"`n_states` must be an integer >= 1; got 0"),
        ({"n_states": 1.5}, r"`n_states` must be an integer >= 1; got 1\.5"),
        ({"n_states": "3"}, r"`n_states` must be an integer >= 1; got '3'"),
        ({"n_iter": -1}, r"`n_iter` must be an integer >= 0; got -1"),
        ({"n_iter": 2.5}, r"`n_iter` must be an integer >= 0; got 2\.5"),
        ({"tol": np.nan}, r"`tol` must be a finite number; got nan"),
        ({"tol": "small"}, r"`tol` must be a finite number; got 'small'"),
        ({"init": "spectral"}, r"`init` must be one of 'kmeans', 'random', 'given'"),
        ({"batch_rows": 0}, r"`batch_rows` must be an integer >= 1"),
        ({"transmat_prior": -1.0}, r"`transmat_prior` must be >= 0"),
        ({"startprob_prior": np.nan}, r"`startprob_prior` must be finite"),
        ({"random_state": -1}, r"`random_state` must be an integer >= 0"),
        ({"random_state": "seed"}, r"`random_state` must be None, an integer seed"),
        ({"startprob_prior": [1.0, 1.0, 1.0]}, r"`startprob_prior` must be a number or broadcast"),
        ({"transmat_prior": np.ones((3, 3))}, r"`transmat_prior` must be a number or broadcast"),
    ],
)
def test_bad_settings_are_refused_at_fit(rng, kwargs, match):
    args = {"emission": Normal(), "n_states": 2} | kwargs
    model = HMM(**args)
    with pytest.raises(InputError, match=match):
        model.fit(rng.normal(size=30))


@pytest.mark.parametrize(
    "lengths,match",
    [
        (
            [10, 5],
            r"`lengths` must sum to the number of observations in X \(20\); got a sum of 15",
        ),
        ([20, 0], r"`lengths\[1\]` must be positive \(> 0\); got 0"),
        ([25, -5], r"`lengths\[1\]` must be positive \(> 0\); got -5"),
        ([12.5, 7.5], r"`lengths` must be a non-empty 1-D sequence of integers"),
        ([], r"`lengths` must be a non-empty 1-D sequence of integers"),
        ([["a"]], r"`lengths` must be a non-empty 1-D sequence of integers"),
        ([True, 19], r"`lengths` must be a non-empty 1-D sequence of integers"),  # not [1, 19]
        ([True, True], r"`lengths` must be a non-empty 1-D sequence of integers"),
    ],
)
def test_bad_lengths(rng, lengths, match):
    x = rng.normal(size=20)
    with pytest.raises(InputError, match=match):
        HMM(Normal(), 2).fit(x, lengths)
    with pytest.raises(InputError, match=match):
        _given(Normal([0.0, 1.0], [1.0, 1.0])).score(x, lengths)
    assert np.isfinite(HMM(Normal(), 2, n_iter=2).fit(x, [12, 8]).score(x, [12.0, 8.0]))


def test_sample_arguments_are_validated():
    m = _given(Normal([0.0, 1.0], [1.0, 1.0]))
    with pytest.raises(InputError, match=r"`n_samples` must be an integer >= 1 .*; got 2\.5"):
        m.sample(2.5)
    with pytest.raises(InputError, match=r"`currstate` must be an integer >= 0 and <= 1; got 2"):
        m.sample(3, currstate=2)
    with pytest.raises(InputError, match=r"`algorithm` must be one of 'viterbi', 'map'"):
        m.decode(X, algorithm="forward")


def test_valid_given_parameters_are_used_as_given():
    pi, A_ = np.array([0.25, 0.75]), np.array([[0.9, 0.1], [0.3, 0.7]])
    m = _given(Poisson([1.0, 6.0]), pi=pi, A_=A_)
    X2, _ = m.sample(50, random_state=0)
    from scipy import stats
    from scipy.special import logsumexp

    la = np.log(pi) + stats.poisson.logpmf(X2[0], [1.0, 6.0])
    for x in X2[1:]:
        la = logsumexp(la[:, None] + np.log(A_), axis=0) + stats.poisson.logpmf(x, [1.0, 6.0])
    assert m.score(X2) == pytest.approx(logsumexp(la), rel=1e-12)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: HMM(Normal, 2).fit(X), r"`emission` must be an emission"),
        (lambda: HMM(Normal(), 2, progress="yes").fit(X), r"`progress` must be True or False"),
        (
            lambda: HMM(Normal(), 2, transmat_prior="1.0").fit(X),
            r"`transmat_prior` must be an array of numbers",
        ),
        (lambda: Normal(mean="a"), r"`mean` must be an array of numbers; got 'a'"),
        (lambda: Poisson(rate=[1.0, "x"]), r"`rate` must be an array of numbers"),
        (lambda: Mixture([3]), r"`components\[0\]` must be an emission .*; got 3"),
        (lambda: Mixture([]), r"`components` must hold at least one emission"),
        (lambda: Mixture(Normal(), n_components=2**70), r"`n_components` must be an integer >= 1"),
        (lambda: Mixture(Normal(), n_components=1.5), r"`n_components` must be an integer >= 1"),
        (
            lambda: Mixture([Normal()], n_inner=0),
            r"`n_inner` must be an integer >= 1 and <= 1000; got 0",
        ),
        (
            lambda: _given(Categorical([0.5, 0.5])).score([0, 1]),
            r"`emission\.probs` must be "
            r"\(n_states, n_symbols\)",
        ),
        (lambda: _given(Normal([0.0, 1.0], [1.0, 1.0])).sample(2**70), r"`n_samples` must be"),
        (lambda: HMM(Normal(), 2).fit("no-such-file.arrow"), r"`X` must be observations"),
    ],
)
def test_more_bad_arguments(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_a_huge_dirichlet_prior_gives_uniform_rows_not_an_overflow(rng):
    x = np.r_[rng.normal(0.0, 1.0, 50), rng.normal(6.0, 1.0, 50)]
    m = HMM(
        Normal(), 2, n_iter=3, random_state=0, startprob_prior=1e308, transmat_prior=1e308
    ).fit(x)
    np.testing.assert_allclose(m.transmat_, 0.5, rtol=1e-12)  # (a - 1 + n) / sum -> 1/K
    np.testing.assert_allclose(m.startprob_, 0.5, rtol=1e-12)
    assert np.isfinite(m.score(x))


class _BadShape(Normal):
    """A user's emission whose log_likelihood drops the last state's column."""

    def log_likelihood(self, X):
        return super().log_likelihood(X)[:, :-1]


class _NaNRow(Normal):
    """A user's emission whose log_likelihood is NaN at row 3."""

    def log_likelihood(self, X):
        out = super().log_likelihood(X)
        out[3] = np.nan
        return out


@pytest.mark.parametrize(
    "call,name,says",
    [
        (
            lambda: HMM(Normal([0.0, 1.0], [1.0, 1.0]), 2, init="given").fit(X),
            "startprob",
            r"must be given with init='given', as must `transmat`; got None",
        ),
        (
            lambda: HMM(Normal([0.0, 1.0], [1.0, 1.0]), 2, init="given", startprob=PI).fit(X),
            "transmat",
            r"must be given with init='given', as must `startprob`; got None",
        ),
        (
            lambda: _given(Normal()).fit(X),
            "emission",
            r"must hold its parameters with "
            r"init='given'; got Normal without them",
        ),
        (
            lambda: HMM(Normal(), 5).fit(np.zeros(3)),
            "X",
            r"must have at least n_states=5 observations; got 3",
        ),
        (
            lambda: _given(_BadShape([0.0, 1.0], [1.0, 1.0])).score(X),
            r"emission\.log_likelihood\(X\)",
            r"must return shape \(20, 2\).*; got shape \(20, 1\)",
        ),
        (
            lambda: _given(_NaNRow([0.0, 1.0], [1.0, 1.0])).score(X),
            r"emission\.log_likelihood\(X\)",
            r"must return no NaN; got NaN at row 3",
        ),
        (lambda: MvNormal(covariance_type="banana"), "covariance_type", r"must be one of 'full'"),
        (
            lambda: MvNormal(np.zeros((2, 2)), [1.0, 1.0], "spherical").check_input(
                np.zeros((4, 3))
            ),
            "X",
            r"must have 2 features \(columns\) to match the emission; got 3",
        ),
        (
            lambda: Normal([[0.0, 1.0]], [[1.0, 1.0]]).check_input(np.zeros((4, 3))),
            "X",
            r"must have 2 feature column\(s\) to match the emission's parameters; got 3",
        ),
        (
            lambda: Exponential([1.0]).check_input([1.0, -2.0]),
            "X",
            r"must be non-negative for this emission; got -2\.0 at index 1",
        ),
        (
            lambda: Gamma([1.0], [1.0]).check_input([1.0, 0.0]),
            "X",
            r"must be positive for a Gamma emission; got 0\.0 at index 1",
        ),
        (
            lambda: Categorical([[0.5, 0.5]]).check_input(np.zeros((4, 2))),
            "X",
            r"must be \(T,\) or \(T, 1\) symbols for Categorical; got shape \(4, 2\)",
        ),
        (
            lambda: Poisson([1.0]).check_input([1.0, -2.0]),
            "X",
            r"must hold counts >= 0; got -2 at index 1",
        ),
        (
            lambda: Poisson([1.0]).check_input([1.0, 2.5]),
            "X",
            r"must hold integers \(counts\); got 2\.5 at index 1",
        ),
        (
            lambda: Categorical([[0.5, 0.5]]).check_input([0, 2]),
            "X",
            r"must hold symbols in \[0, 2\); got 2 at index 1",
        ),
        (
            lambda: Normal(mean=np.zeros((2, 2, 2))),
            "mean",
            r"must be \(n_states,\) or \(n_states, n_features\); got shape \(2, 2, 2\)",
        ),
        (  # a 1-D mean reads as one state; the message blamed cov
            lambda: MvNormal(mean=[0.0, 5.0], cov=[1.0, 1.0], covariance_type="spherical"),
            "mean",
            r"must be \(n_states, n_features\) where `cov` does not fit one state of 2 "
            r"features; got shape \(2,\), with `cov` of shape \(2,\)",
        ),
        (  # a cov that fits neither reading: cov's own message
            lambda: MvNormal(mean=[0.0, 5.0], cov=np.eye(3), covariance_type="tied"),
            "cov",
            r"must have shape \(2, 2\) for covariance_type='tied' and 1 state\(s\) of 2 "
            r"feature\(s\) \(the means' shape \(1, 2\)\); got shape \(3, 3\)",
        ),
    ],
)
def test_refusals_speak_in_the_one_voice(call, name, says):
    with pytest.raises(InputError, match=rf"^`{name}` {says}.*\. Fix: [^.].*\.$"):
        call()


def test_a_covariance_type_set_by_hand_is_checked_where_it_is_used():
    # hmmlearn's _check raises ValueError for it; pyjl raised a bare KeyError
    m = HMM(
        MvNormal(mean=[[0.0], [5.0]], cov=[1.0, 1.0], covariance_type="spherical"),
        2,
        init="given",
        startprob=[0.5, 0.5],
        transmat=[[0.5, 0.5], [0.5, 0.5]],
    )
    m.emission.covariance_type = "bad"
    for call in (lambda: m.score(np.zeros((3, 1))), lambda: m.sample(3, random_state=0)):
        with pytest.raises(InputError, match=r"`emission.covariance_type` must be one of"):
            call()
    fresh = MvNormal()
    fresh.covariance_type = "bad"
    with pytest.raises(InputError, match=r"`emission.covariance_type` must be one of"):
        HMM(fresh, 2, random_state=0).fit(np.random.default_rng(0).normal(size=(50, 2)))
    with pytest.raises(InputError, match=r"e\.g\. cov\.reshape\(2\)"):
        MvNormal(mean=[[0.0], [5.0]], cov=[[1.0], [1.0]], covariance_type="spherical")


def test_bad_counts_name_the_row_label_as_nan_messages_do():
    # "got -1 at row 2, column 0" for a Series: no label, and a column it does not have
    import pandas as pd

    from pyjl.exceptions import InputError

    s = pd.Series([1, 2, -1, 3], index=list("abcd"))
    with pytest.raises(InputError, match=r"counts >= 0; got -1 at index 2 \(label 'c'\)\."):
        Poisson([1.0]).check_input(s)
    frame = pd.DataFrame({"n": s})
    with pytest.raises(InputError, match=r"got -1 at row 2 \(label 'c'\), column 'n'"):
        Poisson([1.0]).check_input(frame)
