"""What fit keeps is its own: changing the caller's arrays afterwards changes nothing (as
scikit-learn's ``copy_X_train=True``; pyjl kept a view of a float64 ``X``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pyjl.gp import RBF, GaussianProcess


def test_the_callers_arrays_can_change_after_fit():
    rng = np.random.default_rng(0)
    X, Xt = rng.uniform(size=(30, 2)), rng.uniform(size=(5, 2))
    y = np.sin(X.sum(1))
    frame = pd.DataFrame(X.copy(), columns=["a", "b"])
    for given in (X, frame):
        gp = GaussianProcess(RBF(0.5)).fit(given, y, method=None)
        before = gp.predict(Xt)
        if isinstance(given, pd.DataFrame):
            given.iloc[:, :] = 0.0
        else:
            given[:] = 0.0
        y[:] = 0.0
        np.testing.assert_array_equal(gp.predict(Xt), before)
        X[:], y[:] = rng.uniform(size=(30, 2)), 1.0
