"""Random restarts of the hyperparameter fit against scikit-learn's ``test_random_starts``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor as GPR
from sklearn.gaussian_process import kernels as sk

from pyjl.gp import RBF, Constant, GaussianProcess


def _random_starts_data():
    """scikit-learn's ``test_random_starts`` (sklearn/gaussian_process/tests/test_gpr.py):
    its data, and its kernel ``C(1, (1e-2, 1e2)) * RBF([1, 1], (1e-4, 1e2)) +
    WhiteKernel(1e-5, (1e-5, 10))`` on both sides, with pyjl's hyperparameters in
    scikit-learn's order (scale, lengthscales, noise)."""
    rng = np.random.RandomState(0)
    Xr = rng.randn(25, 2) * 2 - 1
    yr = np.sin(Xr).sum(axis=1) + np.sin(3 * Xr).sum(axis=1) + rng.normal(scale=0.1, size=25)
    ref = sk.ConstantKernel(1.0, (1e-2, 1e2)) * sk.RBF(
        [1.0, 1.0], [(1e-4, 1e2)] * 2
    ) + sk.WhiteKernel(1e-5, (1e-5, 1e1))

    def ours(restarts, random_state):
        k = Constant(1.0, variance_bounds=(1e-2, 1e2)) * RBF(
            [1.0, 1.0], lengthscale_bounds=(1e-4, 1e2), variance_bounds="fixed"
        )
        return GaussianProcess(
            k, noise=1e-5, noise_bounds=(1e-5, 1e1), n_restarts=restarts, random_state=random_state
        )

    return Xr, yr, ref, ours


def test_restarts_cover_the_bounds_like_scikit_learn():
    """From the same random starts (a ``RandomState`` draws them, in the same order of
    hyperparameters and bounds) the fitted LML matches scikit-learn's.  Two L-BFGS-B runs
    from one start may part ways on a flat ridge by rounding (seed 0's third start ends at
    -34.73 here, -34.32 there), so one pair in the grid may differ, by a local optimum."""
    Xr, yr, ref, ours = _random_starts_data()
    diffs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for restarts in (1, 3):
            for seed in range(5):
                theirs = GPR(ref, n_restarts_optimizer=restarts, random_state=seed).fit(Xr, yr)
                gp = ours(restarts, np.random.RandomState(seed)).fit(Xr, yr)
                diffs.append(
                    gp.log_marginal_likelihood_value_ - theirs.log_marginal_likelihood_value_
                )
    diffs = np.array(diffs)
    assert np.sum(diffs < -1e-6) <= 1 and diffs.min() > -1.0
    assert diffs.mean() > -0.05


def test_restarts_reach_the_better_optimum_and_more_never_lose():
    """scikit-learn reaches LML -34.32 with a few restarts where the starting point alone
    gives -42.08; so do pyjl's own (seeded) restarts, and for one seed more restarts never
    give less (the starts of ``n`` restarts are the first ``n`` of ``n + 1``)."""
    Xr, yr, ref, ours = _random_starts_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = max(
            GPR(ref, n_restarts_optimizer=4, random_state=s)
            .fit(Xr, yr)
            .log_marginal_likelihood_value_
            for s in range(3)
        )
        curves = [
            [ours(r, seed).fit(Xr, yr).log_marginal_likelihood_value_ for r in range(5)]
            for seed in range(3)
        ]
    assert curves[0][0] == pytest.approx(-42.08, abs=0.01)
    assert max(c[-1] for c in curves) >= theirs - 1e-6
    for c in curves:
        assert np.all(np.diff(c) >= -1e-9)


def test_a_search_that_cannot_leave_its_start_warns():
    # the reviewer's case: a user kernel whose gradient has the wrong sign kept its start
    # values without a word (scikit-learn warns "lbfgs failed to converge ... status=2")
    from pyjl.exceptions import ConvergenceWarning
    from pyjl.gp import KernelBase

    class SignedRBF(KernelBase):
        def __init__(self, lengthscale=0.7):
            self.lengthscale = lengthscale

        theta = property(
            lambda s: np.log([s.lengthscale]),
            lambda s, t: setattr(s, "lengthscale", float(np.exp(t[0]))),
        )
        bounds = property(lambda s: np.log([[1e-2, 1e2]]))

        def __call__(self, X1, X2=None):
            X2 = X1 if X2 is None else X2
            d2 = ((X1[:, None] - X2[None]) ** 2).sum(-1)
            return np.exp(-0.5 * d2 / self.lengthscale**2)

        def diag(self, X):
            return np.ones(len(X))

        def gradient(self, X):
            K = self(X)
            d2 = ((X[:, None] - X[None]) ** 2).sum(-1)
            return K, (self.sign * K * d2 / self.lengthscale**2)[None]

    rng = np.random.default_rng(1)
    X = rng.uniform(-2, 2, (40, 2))
    y = np.sin(2 * X[:, 0]) + 0.05 * rng.standard_normal(40)
    SignedRBF.sign = -1.0
    with pytest.warns(ConvergenceWarning, match="stopped at its start"):
        GaussianProcess(SignedRBF()).fit(X, y)
    SignedRBF.sign = 1.0  # the right gradient: the search moves, and says nothing of it
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        gp = GaussianProcess(SignedRBF()).fit(X, y)
    assert gp.kernel_.lengthscale != 0.7


def test_a_refit_from_fitted_values_does_not_warn_of_a_stuck_search():
    # the reviewer's case: a warm refit starts at the optimum, whose gradient is just above
    # L-BFGS-B's tolerance; it ends without a step, and that is not a stuck search
    from pyjl.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    n, d = rng.integers(10, 60), rng.integers(1, 4)
    X = rng.uniform(0, 5, (n, d))
    y = np.sin(X.sum(1)) + 0.1 * rng.standard_normal(n)
    gp = GaussianProcess(RBF(), random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        gp.fit(X, y)
        GaussianProcess(gp.kernel_, noise=gp.noise_).fit(X, y)
