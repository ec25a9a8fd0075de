"""Acquisition functions (minimisation): one class per function, one call contract.

One class per acquisition, one contract: ``acq(X) -> (n,)`` for unit-cube points
``X`` of shape ``(n, n_encoded)``; larger is better.  ``model`` is anything with
``predict(X, return_std=True) -> (mu, std)`` (a fitted :class:`pyjl.gp.GaussianProcess`).
With ``z = (best - xi - mu) / sigma``:

* :class:`ExpectedImprovement`: ``EI = sigma * (z Phi(z) + phi(z))`` (Jones et al. 1998).
* :class:`LogExpectedImprovement`: ``log EI``, accurate where EI underflows
  (Ament et al. 2023, "Unexpected improvements to expected improvement").
* :class:`ProbabilityOfImprovement`: ``PI = Phi(z)`` (Kushner 1964).
* :class:`UpperConfidenceBound`: ``-(mu - kappa * sigma)``, the lower confidence
  bound of a minimisation, negated (Srinivas et al. 2010).

:func:`pyjl.bo.optimize_acqf.maximize` finds the point where an acquisition is largest.

>>> import numpy as np
>>> class Model:                      # a toy posterior: mu = x, sigma = 1
...     def predict(self, X, return_std=False):
...         return X[:, 0], np.ones(len(X))
>>> ei = ExpectedImprovement(Model(), best=0.0)
>>> np.round(ei(np.array([[0.0], [1.0]])), 4)     # phi(0), and phi(-1) - Phi(-1)
array([0.3989, 0.0833])
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .. import _validate, engines

__all__ = [
    "Acquisition",
    "ExpectedImprovement",
    "LogExpectedImprovement",
    "ProbabilityOfImprovement",
    "UpperConfidenceBound",
    "ACQUISITIONS",
]

_SIGMA_FLOOR = 1e-12


def _xi(xi) -> float:
    """The EI/PI margin: ``xi >= 0``, as scikit-optimize and BoTorch take it."""
    return _validate.real(xi, "xi", low=0.0)


class Acquisition:
    """Base: holds the model; subclasses define ``__call__(X) -> (n,)`` (larger is better)."""

    def __init__(self, model, best: float = 0.0):
        self.model = model
        self.best = _validate.real(best, "best", fix="pass the incumbent, a finite number")

    def _posterior(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X = np.ascontiguousarray(np.atleast_2d(X), dtype=np.float64)
        mu, sd = self.model.predict(X, return_std=True)
        mu = np.ascontiguousarray(np.asarray(mu, dtype=np.float64).reshape(-1))
        sd = np.ascontiguousarray(
            np.maximum(np.asarray(sd, dtype=np.float64).reshape(-1), _SIGMA_FLOOR)
        )
        return mu, sd

    def __call__(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def objective(self, X: np.ndarray) -> np.ndarray:
        """A strictly increasing transform of ``__call__`` that is easier to optimise."""
        return self(X)


class ExpectedImprovement(Acquisition):
    """``EI(x) = E[max(best - xi - f(x), 0)]`` under the posterior; ``(n, d) -> (n,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.bo import ExpectedImprovement
    >>> class Model:                      # a toy posterior: mu = x, sigma = 1
    ...     def predict(self, X, return_std=False):
    ...         return X[:, 0], np.ones(len(X))
    >>> np.round(ExpectedImprovement(Model(), best=0.0)(np.array([[0.0], [1.0]])), 4)
    array([0.3989, 0.0833])
    """

    def __init__(self, model, best: float, xi: float = 0.0):
        super().__init__(model, best)
        self.xi = _xi(xi)

    def __call__(self, X):
        mu, sd = self._posterior(X)
        return engines.current().expected_improvement(mu, sd, self.best, self.xi)

    def objective(self, X):
        mu, sd = self._posterior(X)
        return engines.current().log_expected_improvement(mu, sd, self.best, self.xi)


class LogExpectedImprovement(ExpectedImprovement):
    """``log EI(x)``, computed without underflow far from the incumbent; ``(n, d) -> (n,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.bo import LogExpectedImprovement
    >>> class Model:                      # a toy posterior: mu = x, sigma = 1
    ...     def predict(self, X, return_std=False):
    ...         return X[:, 0], np.ones(len(X))
    >>> np.round(LogExpectedImprovement(Model(), best=0.0)(np.array([[0.0], [1.0]])), 4)
    array([-0.9189, -2.4851])
    """

    def __call__(self, X):
        return self.objective(X)


class ProbabilityOfImprovement(Acquisition):
    """``PI(x) = P(f(x) < best - xi) = Phi((best - xi - mu) / sigma)``; ``(n, d) -> (n,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.bo import ProbabilityOfImprovement
    >>> class Model:                      # a toy posterior: mu = x, sigma = 1
    ...     def predict(self, X, return_std=False):
    ...         return X[:, 0], np.ones(len(X))
    >>> np.round(ProbabilityOfImprovement(Model(), best=0.0)(np.array([[0.0], [1.0]])), 4)
    array([0.5   , 0.1587])
    """

    def __init__(self, model, best: float, xi: float = 0.0):
        super().__init__(model, best)
        self.xi = _xi(xi)

    def __call__(self, X):
        mu, sd = self._posterior(X)
        return special.ndtr((self.best - self.xi - mu) / sd)

    def objective(self, X):
        mu, sd = self._posterior(X)
        return special.log_ndtr((self.best - self.xi - mu) / sd)


class UpperConfidenceBound(Acquisition):
    """``UCB(x) = -(mu(x) - kappa * sigma(x))`` for minimisation; ``(n, d) -> (n,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.bo import UpperConfidenceBound
    >>> class Model:                      # a toy posterior: mu = x, sigma = 1
    ...     def predict(self, X, return_std=False):
    ...         return X[:, 0], np.ones(len(X))
    >>> np.round(UpperConfidenceBound(Model(), kappa=2.0)(np.array([[0.0], [1.0]])), 4)
    array([2., 1.])
    """

    def __init__(self, model, best: float = 0.0, kappa: float = 2.0):
        super().__init__(model, best)
        self.kappa = _validate.real(kappa, "kappa", low=0.0)

    def __call__(self, X):
        mu, sd = self._posterior(X)
        return -(mu - self.kappa * sd)


ACQUISITIONS = {
    "ei": ExpectedImprovement,
    "logei": LogExpectedImprovement,
    "pi": ProbabilityOfImprovement,
    "ucb": UpperConfidenceBound,
}
