"""Acquisition functions against closed forms (SciPy) and the maximiser on known argmaxes."""

import numpy as np
import pytest
from scipy import stats

from pyjl.bo import (
    Categorical,
    ExpectedImprovement,
    Integer,
    LogExpectedImprovement,
    ProbabilityOfImprovement,
    Real,
    Space,
    UpperConfidenceBound,
)
from pyjl.bo.optimize_acqf import maximize


class Posterior:
    """A fixed posterior: mean and std given as functions of x (the model input)."""

    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def predict(self, X, return_std=False):
        X = np.asarray(X)
        return (self.mean(X), self.std(X)) if return_std else self.mean(X)


def _table(rng):
    mu = rng.normal(0.0, 2.0, 200)
    sd = rng.uniform(0.05, 3.0, 200)
    model = Posterior(lambda X: mu[X[:, 0].astype(int)], lambda X: sd[X[:, 0].astype(int)])
    X = np.arange(200, dtype=float)[:, None]
    return model, X, mu, sd


def test_ei_pi_ucb_closed_forms(rng):
    model, X, mu, sd = _table(rng)
    best, xi = 0.3, 0.05
    z = (best - xi - mu) / sd
    ei_ref = (best - xi - mu) * stats.norm.cdf(z) + sd * stats.norm.pdf(z)
    np.testing.assert_allclose(
        ExpectedImprovement(model, best, xi)(X), ei_ref, rtol=1e-10, atol=1e-300
    )
    np.testing.assert_allclose(
        ProbabilityOfImprovement(model, best, xi)(X), stats.norm.cdf(z), rtol=1e-12
    )
    np.testing.assert_allclose(
        UpperConfidenceBound(model, kappa=1.5)(X), -(mu - 1.5 * sd), rtol=1e-12
    )
    ok = ei_ref > 1e-250
    np.testing.assert_allclose(
        LogExpectedImprovement(model, best, xi)(X)[ok], np.log(ei_ref[ok]), rtol=1e-9
    )


def test_log_ei_far_tail_by_quadrature():
    # EI = int_{-inf}^{best} (best - f) N(f; mu, sd) df underflows for z << 0; log EI must not
    mu, sd, best = np.array([40.0]), np.array([1.0]), 0.0
    model = Posterior(lambda X: mu, lambda X: sd)
    # log EI = log(sd) + log(phi(z) + z Phi(z)); for z = -40, by the asymptotic series
    z = -40.0
    ref = -0.5 * z * z - 0.5 * np.log(2 * np.pi) - 2 * np.log(-z) + np.log1p(-3 / z**2 + 15 / z**4)
    got = LogExpectedImprovement(model, best)(np.zeros((1, 1)))[0]
    assert got == pytest.approx(ref, rel=1e-6)
    assert ExpectedImprovement(model, best)(np.zeros((1, 1)))[0] == pytest.approx(0.0, abs=1e-300)


@pytest.mark.parametrize("z", [-5.2e7, -6e7, -7.5e7, -9.9e7, -1e6, -3e6, -1e9])
def test_log_ei_between_the_series_and_the_asymptote(z):
    # log EI = log(sd) - z^2/2 - log(2 pi)/2 - 2 log|z| + log(1 - 3/z^2 + ...): at these z
    # the last term is below one ulp of the rest (it was NaN from -1e8 to -5.1e7)
    sd = 1e-12
    model = Posterior(lambda X: np.array([-z * sd]), lambda X: np.array([sd]))
    ref = np.log(sd) - 0.5 * z * z - 0.5 * np.log(2 * np.pi) - 2 * np.log(-z)
    assert LogExpectedImprovement(model, 0.0)(np.zeros((1, 1)))[0] == pytest.approx(ref, rel=1e-15)
    assert ExpectedImprovement(model, 0.0)(np.zeros((1, 1)))[0] == 0.0


@pytest.mark.parametrize(
    "mu, sd, best, log_ref",
    [
        (-1e300, 1e-300, 1e300, np.log(2.0) + 300 * np.log(10.0)),  # z overflows
        (-1e308, 1.0, 1e308, np.log(2.0) + 308 * np.log(10.0)),  # so does the improvement
        (-5.0, 1e-3, 5.0, np.log(10.0)),  # z = 1e4: EI is the improvement
    ],
)
def test_ei_is_the_improvement_far_above_the_incumbent(mu, sd, best, log_ref):
    # z >> 0: Phi(z) = 1 and phi(z) vanishes, so EI = best - mu, finite where that is
    model = Posterior(lambda X: np.array([mu]), lambda X: np.array([sd]))
    X = np.zeros((1, 1))
    assert LogExpectedImprovement(model, best)(X)[0] == pytest.approx(log_ref, rel=1e-15)
    imp = best - mu
    assert ExpectedImprovement(model, best)(X)[0] == (
        pytest.approx(imp, rel=1e-15) if np.isfinite(imp) else np.inf
    )


def test_maximize_finds_continuous_argmax():
    # mean lowest at (0.3, 0.8), unit std: EI is maximised there
    target = np.array([0.3, 0.8])
    model = Posterior(lambda X: ((X - target) ** 2).sum(1), lambda X: np.full(len(X), 0.1))
    space = Space({"a": Real(0, 1), "b": Real(0, 1)})
    for acq in (
        ExpectedImprovement(model, 0.0),
        ProbabilityOfImprovement(model, 0.0),
        UpperConfidenceBound(model),
        LogExpectedImprovement(model, 0.0),
    ):
        u, val = maximize(acq, space, np.random.default_rng(0))
        np.testing.assert_allclose(u, target, atol=1e-3)
        assert val == pytest.approx(float(acq(target[None])[0]), rel=1e-5)


def test_maximize_respects_integer_and_categorical_structure():
    space = Space({"x": Real(-1, 1), "n": Integer(0, 20), "c": Categorical(["a", "b", "c"])})
    # objective minimised at x = 0.25, n = 13, c = "c" (all encoded in the unit cube)
    enc = space.encode({"x": 0.25, "n": 13, "c": "c"})

    def mean(X):
        return 5 * (X[:, 0] - enc[0]) ** 2 + 10 * (X[:, 1] - enc[1]) ** 2 + (1 - X[:, 4])

    model = Posterior(mean, lambda X: np.full(len(X), 0.05))
    u, _ = maximize(ExpectedImprovement(model, 0.0), space, np.random.default_rng(1))
    p = space.decode(u)
    assert p["n"] == 13 and p["c"] == "c" and abs(p["x"] - 0.25) < 2e-3
    np.testing.assert_array_equal(space.round(u[None])[0], u)  # rounded point
    # excluded points are never returned: the next best integer is chosen
    u2, _ = maximize(
        ExpectedImprovement(model, 0.0), space, np.random.default_rng(1), exclude={space.key(p)}
    )
    assert space.key(space.decode(u2)) != space.key(p)


def test_maximize_converges_on_anisotropic_argmax():
    # a narrow, badly scaled 4-D bowl (lengthscales 0.02 .. 1): every coordinate of the
    # argmax must come out to 1e-4, which needs each local search converged on its own
    target = np.array([0.137, 0.62, 0.41, 0.93])
    ls = np.array([0.02, 0.5, 1.0, 0.1])

    class Kernel:
        lengthscale = ls

    model = Posterior(lambda X: (((X - target) / ls) ** 2).sum(1), lambda X: np.full(len(X), 0.1))
    model.kernel_ = Kernel()
    space = Space({f"x{i}": Real(0, 1) for i in range(4)})
    u, _ = maximize(ExpectedImprovement(model, 0.0), space, np.random.default_rng(3))
    assert np.all(np.abs(u - target) < 1e-4 * np.maximum(ls / 0.02, 1)), (u, target)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda m: ExpectedImprovement(m, 0.0, xi=-0.1), ["`xi`", ">= 0", "-0.1"]),
        (lambda m: ProbabilityOfImprovement(m, 0.0, xi=float("nan")), ["`xi`", "finite", "nan"]),
        (lambda m: LogExpectedImprovement(m, 0.0, xi="0.1"), ["`xi`", "'0.1'"]),
        (lambda m: UpperConfidenceBound(m, kappa=-1.0), ["`kappa`", ">= 0"]),
        (lambda m: ExpectedImprovement(m, float("nan")), ["`best`", "finite", "nan"]),
        (lambda m: LogExpectedImprovement(m, float("inf")), ["`best`", "finite", "inf"]),
        (
            lambda m: maximize(
                ExpectedImprovement(m, 0.0),
                Space({"x": Real(0.0, 1.0)}),
                np.random.default_rng(0),
                n_candidates=2**70,
            ),
            ["`n_candidates`", "<= 1048576"],
        ),
    ],
)
def test_acquisition_arguments_are_checked(make, words):
    # xi >= 0 and kappa >= 0, the ranges scikit-optimize and BoTorch document
    from pyjl.exceptions import InputError

    model = Posterior(lambda X: X[:, 0], lambda X: np.ones(len(X)))
    with pytest.raises(InputError) as err:
        make(model)
    for w in words + ["Fix:"]:
        assert w in str(err.value)
