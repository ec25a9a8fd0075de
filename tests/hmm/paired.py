"""pyjl's HMM and hmmlearn's GaussianHMM fitted side by side from one diagonal-Gaussian
start, for the tests that compare EM trajectories, fitted parameters and posteriors."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.hmm import HMM, MvNormal


def diag_pair(X, lengths, pi, A, mu, var, n_iter: int, implementation: str = "scaling"):
    """``(ours, theirs)`` after ``n_iter`` EM iterations (no convergence stop) from start
    probabilities ``pi``, transitions ``A``, means ``mu`` and variances ``var`` ``(K, d)``;
    hmmlearn ``implementation`` "scaling" or "log"."""
    hmm = pytest.importorskip("hmmlearn.hmm")
    K = len(pi)
    theirs = hmm.GaussianHMM(
        K, "diag", n_iter=n_iter, tol=-np.inf, init_params="", implementation=implementation
    )
    theirs.startprob_, theirs.transmat_, theirs.means_, theirs.covars_ = pi, A, mu, var
    theirs.fit(X, lengths)
    ours = HMM(
        MvNormal(mu, var, covariance_type="diag"),
        K,
        n_iter=n_iter,
        tol=-np.inf,
        init="given",
        startprob=pi,
        transmat=A,
    ).fit(X, lengths)
    return ours, theirs


def at_theirs(theirs) -> HMM:
    """pyjl's HMM at hmmlearn's fitted parameters (to compare scores and posteriors)."""
    return HMM(
        MvNormal(theirs.means_, theirs._covars_, covariance_type="diag"),
        theirs.n_components,
        init="given",
        startprob=theirs.startprob_,
        transmat=theirs.transmat_,
    )
