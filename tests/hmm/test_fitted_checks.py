"""Fitted attributes set by hand (hmmlearn's way) are checked at every use, as hmmlearn's
``_check`` does: a ``startprob_``/``transmat_`` of the wrong shape or not summing to 1,
or an emission parameter of the wrong shape, is refused with an InputError naming the
attribute -- never read out of bounds -- and the native kernels refuse such shapes too."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.exceptions import InputError
from pyjl.hmm import HMM, MvNormal, Normal

hmm = pytest.importorskip("hmmlearn.hmm")
RNG = np.random.default_rng(7)
X = np.r_[RNG.normal(0.0, 1.0, 150), RNG.normal(5.0, 1.0, 150)]
PI, A = np.array([0.6, 0.4]), np.array([[0.9, 0.1], [0.2, 0.8]])
MEAN, VAR = np.array([0.0, 5.0]), np.array([1.0, 1.0])

CALLS = {
    "score": lambda m: m.score(X),
    "score_sequences": lambda m: m.score_sequences(X),
    "score_samples": lambda m: m.score_samples(X),
    "predict": lambda m: m.predict(X),
    "predict_proba": lambda m: m.predict_proba(X),
    "decode": lambda m: m.decode(X),
    "decode_map": lambda m: m.decode(X, algorithm="map"),
    "sample": lambda m: m.sample(5, random_state=0),
    "aic": lambda m: m.aic(X),
    "bic": lambda m: m.bic(X),
}

# (attribute, value, hmmlearn's message, ours)
BAD_CHAIN = [
    ("transmat_", 2 * A, "transmat_ rows must sum to 1", r"`transmat_\[0\]` must sum to 1"),
    ("transmat_", A[:1], "transmat_ must have shape", r"`transmat_` must have shape \(2, 2\)"),
    ("startprob_", np.array([1.0]), "startprob_ must have length", r"`startprob_` must have"),
    ("startprob_", np.array([0.7, 0.7]), "startprob_ must sum to 1", r"`startprob_` must sum"),
]


def _fitted_pair():
    """The same fitted model in hmmlearn and pyjl (parameters set as ``fit`` leaves them)."""
    theirs = hmm.GaussianHMM(2, "diag", init_params="")
    theirs.startprob_, theirs.transmat_ = PI.copy(), A.copy()
    theirs.means_, theirs.covars_ = MEAN[:, None], VAR[:, None]
    ours = HMM(Normal(), 2, n_iter=0).fit(X)
    ours.startprob_, ours.transmat_ = PI.copy(), A.copy()
    ours.emission_ = Normal(MEAN.copy(), VAR.copy())
    return theirs, ours


@pytest.mark.parametrize("attr, value, theirs_msg, ours_msg", BAD_CHAIN)
def test_bad_chain_attributes_are_refused_as_hmmlearn(attr, value, theirs_msg, ours_msg):
    theirs, ours = _fitted_pair()
    assert ours.score(X) == pytest.approx(theirs.score(X[:, None]), rel=1e-12)
    setattr(theirs, attr, value.copy())
    setattr(ours, attr, value.copy())
    with pytest.raises(ValueError, match=theirs_msg):
        theirs.score(X[:, None])
    for call in CALLS.values():  # every method that uses the chain refuses it
        with pytest.raises(InputError, match=ours_msg):
            call(ours)


def test_too_small_arrays_are_refused_not_read_out_of_bounds():
    # the reviewer's case: K comes from the emission, so (1, 2) / (1,) arrays were read
    # past their end by the native kernels
    m = HMM(Normal(), 2, n_iter=3, random_state=0).fit(X)
    good = m.transmat_.copy()
    m.transmat_ = good[:1]
    with pytest.raises(InputError, match=r"`transmat_` must have shape \(2, 2\); got shape"):
        m.score(X)
    m.transmat_, m.startprob_ = good, np.array([1.0])
    with pytest.raises(InputError, match=r"`startprob_` must have shape \(2,\); got shape"):
        m.predict(X)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda e: setattr(e, "var", np.array([1.0])), r"`emission_\.var` must have the shape"),
        (lambda e: setattr(e, "var", np.array([1.0, -1.0])), r"`emission_\.var\[1\]` must be > 0"),
        (
            lambda e: (setattr(e, "mean", np.zeros(3)), setattr(e, "var", np.ones(3))),
            r"`emission_` must have parameters for n_states=2 states",
        ),
    ],
)
def test_bad_emission_attributes_name_the_attribute(edit, match):
    m = HMM(Normal(), 2, n_iter=3, random_state=0).fit(X)
    edit(m.emission_)
    for call in CALLS.values():
        with pytest.raises(InputError, match=match):
            call(m)


def test_bad_mvnormal_covariance_layout_names_the_attribute():
    Y = RNG.normal(size=(200, 2))
    m = HMM(MvNormal(), 2, n_iter=2, random_state=0).fit(Y)
    m.emission_.cov = m.emission_.cov[:1]
    with pytest.raises(InputError, match=r"`emission_\.cov` must have shape \(2, 2, 2\)"):
        m.score(Y)


@pytest.mark.parametrize("off, accepted", [(1e-6, True), (-9e-6, True), (1e-4, False)])
def test_probabilities_sum_to_one_within_hmmlearns_tolerance(off, accepted):
    # rounded or float32 parameters: hmmlearn's np.allclose takes a sum 1e-6 off, not 1e-4
    third = np.array([1 / 3, 1 / 3, 1 / 3 + off])
    ref = hmm.GaussianHMM(3, init_params="")
    ref.startprob_, ref.transmat_ = third, np.tile(third, (3, 1))
    ref.means_, ref.covars_ = np.array([[0.0], [2.0], [5.0]]), np.ones((3, 1))
    ours = HMM(
        Normal([0.0, 2.0, 5.0], [1.0, 1.0, 1.0]),
        3,
        init="given",
        startprob=third,
        transmat=np.tile(third, (3, 1)),
    )
    if accepted:  # up to the rows' excess over 1 (T * 1e-6), which the two count apart
        assert ours.score(X) == pytest.approx(ref.score(X[:, None]), rel=1e-5)
    else:
        with pytest.raises(ValueError):
            ref.score(X[:, None])
        with pytest.raises(InputError, match="`startprob` must sum to 1"):
            ours.score(X)


def test_means_set_for_other_states_are_named_with_both_shapes():
    # the reviewer's case: the means were set for 3 states, the variances left for 2;
    # the message blamed the variances alone
    m = HMM(Normal(), 2, n_iter=3, random_state=0).fit(X)
    m.emission_.mean = np.zeros((3, 1))
    with pytest.raises(InputError, match=r"shape \(2,\), and emission_\.mean has shape \(3,\)"):
        m.score(X)
    Y = RNG.normal(size=(200, 2))
    m = HMM(MvNormal(), 2, n_iter=2, random_state=0).fit(Y)
    m.emission_.mean = np.zeros((3, 2))
    with pytest.raises(InputError, match=r"3 state\(s\) of 2 feature\(s\) \(the means' shape"):
        m.score(Y)


@pytest.mark.parametrize("off", [5e-6, -9e-6])
def test_emission_tables_within_the_tolerance_are_sampled_normalised(off):
    # the reviewer's case: a six-digit or float32 table is scored as given, and sampling it
    # raised NumPy's "probabilities do not sum to 1"; draws follow the normalised row
    from pyjl.hmm import Categorical, Multinomial

    B = np.array([[0.2, 0.8 + off], [0.5, 0.5]])
    chain = {"startprob": [1.0, 0.0], "transmat": [[1.0, 0.0], [0.0, 1.0]], "init": "given"}
    cat = HMM(Categorical(B), 2, random_state=0, **chain)
    ref = hmm.CategoricalHMM(2, init_params="")
    ref.startprob_, ref.transmat_, ref.emissionprob_ = (
        np.array(chain["startprob"]),
        np.array(chain["transmat"]),
        B,
    )
    obs = np.array([[0], [1], [1]])
    assert cat.score(obs) == pytest.approx(ref.score(obs), rel=1e-12)  # used as given
    x, states = cat.sample(20_000)
    assert (states == 0).all()
    share = np.mean(x == 1)
    p = B[0, 1] / B[0].sum()
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / x.size)
    mult = HMM(Multinomial([[0.5, 0.5 + off, 0.0], [0.2, 0.3, 0.5]], n_trials=5), 2, **chain)
    counts, _ = mult.sample(4_000, random_state=1)
    assert (counts.sum(1) == 5).all() and (counts[:, 2] == 0).all()
    assert abs(counts[:, 1].mean() / 5 - (0.5 + off) / (1 + off)) < 0.02
    from pyjl.hmm import Mixture, Normal  # the reviewer's third case: mixture weights

    weights = [[0.6, 0.4 + off, 0.0], [0.5, 0.25, 0.25]]
    parts = [
        Normal([-5.0, -5.0], [1.0, 1.0]),
        Normal([5.0, 5.0], [1.0, 1.0]),
        Normal([50.0] * 2, [1.0] * 2),
    ]
    mix = HMM(Mixture(parts, weights), 2, **chain)
    x, _ = mix.sample(4_000, random_state=2)
    assert (np.abs(x) < 30).all()  # the third component has weight 0
    assert abs(np.mean(x > 0) - (0.4 + off) / (1 + off)) < 0.03
