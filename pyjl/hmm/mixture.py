"""Per-state mixtures of any emission family, fitted by nested EM.

``p_k(x) = sum_m weights[k, m] p_{k,m}(x)``, where component ``m`` is itself an
emission (any family, built-in or user-defined) holding one distribution per
state.  Fitting treats the component as a second latent variable (the GMM-HMM
of Juang, Levinson & Sondhi 1986; Rabiner 1989, eq. 52-54): with state weights
``w[t, k]`` and component responsibilities
``r[t, k, m] = weights[k, m] p_{k,m}(x_t) / p_k(x_t)``, component ``m`` is
refitted with weights ``w[t, k] r[t, k, m]`` and
``weights[k, m] ∝ sum_t w[t, k] r[t, k, m]``.  ``n_inner`` such inner
iterations run per ``fit`` call (one is the exact Baum-Welch step of the joint
model and keeps the likelihood non-decreasing).

>>> import numpy as np
>>> from pyjl.hmm import Normal
>>> m = Mixture([Normal([0.0], [1.0]), Normal([3.0], [1.0])], weights=[[0.5, 0.5]])
>>> m.log_likelihood(np.array([0.0])).shape
(1, 1)
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any, Self

import numpy as np
from scipy.special import logsumexp

from .._params import Params
from .._validate import describe, error, integer
from .._warn import collect, quiet, warn
from ..exceptions import InputError, NotFittedError, NumericalWarning
from ._common import (
    INIT_ROWS,
    as_obs,
    check_prob_rows,
    drawn_from,
    emission_states,
    empty_states,
    kmeans,
    warn_empty,
)
from ._em import has_stats
from ._settings import PROTOCOL, missing_members

__all__ = ["Mixture"]

#: the most components one emission object is cloned into
_MAX_COMPONENTS = 1024


class Mixture(Params):
    """Mixture of ``M`` emissions per state (see the module docstring).

    Parameters
    ----------
    components : list of Emission or Emission
        The ``M`` component emissions, each holding one distribution per state, or
        one emission copied ``n_components`` times.
    weights : array-like of shape (n_states, n_components), optional
        Mixing weights, rows non-negative and summing to 1; ``None``: set by
        ``initialize``/``fit``.
    n_components : int, optional
        With a single emission as ``components``: how many copies, ``>= 1``.
    n_inner : int, default 1
        Inner EM iterations per ``fit`` call, 1 to 1000 (one is the exact Baum-Welch
        step of the joint model).  Inside :meth:`HMM.fit` each EM iteration runs them;
        with more than one, the state posteriors of all rows are kept for it (memory
        ``O(T K)``) instead of summed statistics.

    Attributes
    ----------
    components : list of Emission
        The ``M`` components (``fit`` updates them in place).
    weights : ndarray of shape (n_states, n_components), or None
        The mixing weights (float64 once checked or fitted).
    n_inner : int
        As given, checked.
    n_parameters : int
        The free scalar parameters over all states and components.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from pyjl.hmm import Mixture, Normal
    >>> e = Mixture([Normal(mean=[0.0], var=[1.0]), Normal(mean=[3.0], var=[1.0])],
    ...             weights=[[0.3, 0.7]])
    >>> x = np.array([[0.5], [2.0]])
    >>> ref = np.log(0.3 * stats.norm.pdf(x, 0.0) + 0.7 * stats.norm.pdf(x, 3.0))
    >>> bool(np.allclose(e.log_likelihood(x), ref))
    True
    """

    def __init__(
        self,
        components: Any,
        weights: Any = None,
        n_components: int | None = None,
        n_inner: int = 1,
    ) -> None:
        #: the settings as given (get_params): one emission and its count, or the list
        self._given = (components, n_components)
        if not isinstance(components, (list, tuple)):
            n = integer(
                n_components,
                "n_components",
                low=1,
                high=_MAX_COMPONENTS,
                fix="pass n_components=2 (or a list of emissions)",
            )
            components = [copy.deepcopy(components) for _ in range(n)]
        if len(components) < 1:
            raise error(
                "components",
                "must hold at least one emission",
                "an empty list",
                "pass e.g. [Normal(), Normal()]",
            )
        if n_components is not None and n_components != len(components):
            raise error(
                "n_components",
                "must be None or the list's length when components is a list",
                f"{describe(n_components)} with {len(components)} components",
                "give one emission to copy n_components times, or leave n_components out",
            )
        for m, c in enumerate(components):
            missing = PROTOCOL if isinstance(c, type) else missing_members(c)
            if missing:
                raise error(
                    f"components[{m}]",
                    f"must be an emission ({', '.join(PROTOCOL)})",
                    f"{describe(c)}, without {', '.join(missing)}",
                    "pass e.g. pyjl.hmm.Normal(), or add those to it (see pyjl.hmm.Emission)",
                )
        self.components = list(components)
        self.weights = None if weights is None else np.atleast_2d(weights)
        self.n_inner = integer(
            n_inner, "n_inner", low=1, high=1000, fix="pass a few inner iterations, e.g. 1 to 10"
        )

    def _param_value(self, name: str) -> Any:
        # one emission copied n_components times reads back as given; a list (or a
        # Mixture pickled before get_params, without _given) as the components it holds
        template, count = getattr(self, "_given", (None, None))
        if name == "components":
            return self.components if count is None else template
        return count if name == "n_components" else getattr(self, name)

    def _apply_params(self, changed: dict[str, Any]) -> None:
        if changed.keys() & {"components", "n_components"}:
            super()._apply_params(changed)  # new components: their parameters start anew
            return
        checked = self._checked(changed)
        for name in changed:  # n_inner, weights: the fitted components are kept
            setattr(self, name, getattr(checked, name))

    def check_params(self, name: str = "emission") -> Self:
        """Validate ``weights`` (finite, >= 0, rows summing to 1, one column per
        component) and each component's parameters (``emission.components[1].var[0]``)."""
        if self.weights is not None:
            shape, M = np.shape(self.weights), len(self.components)
            if len(shape) != 2 or shape[1] != M:
                raise error(
                    f"{name}.weights",
                    f"must be (n_states, {M}): one column per component",
                    f"shape {shape}",
                    "give each state one weight per component",
                )
            self.weights = check_prob_rows(self.weights, f"{name}.weights", shape)
        for m, c in enumerate(self.components):
            check = getattr(c, "check_params", None)
            if callable(check):
                check(f"{name}.components[{m}]")
        self._check_states(name)
        return self

    def _check_states(self, name: str) -> None:
        """Every component and the weights describe the same number of states, and the
        components with a mean (``(n_states, n_features)``, or ``(n_states,)``: one
        feature) the same number of features."""
        states = (emission_states(c) for c in self.components)
        counts = {m: int(n) for m, n in enumerate(states) if n is not None}
        if self.weights is not None:
            want, source = np.shape(self.weights)[0], f"{name}.weights has rows"
        elif counts:
            first = min(counts)
            want, source = counts[first], f"{name}.components[{first}] has"
        else:
            want, source = None, ""
        self._check_same(
            name, counts, want, source, "states", "and the weights one entry per state"
        )
        means: list[Any] = [getattr(c, "mean", None) for c in self.components]
        # a mean given (n_states,) is one feature per state
        features = {
            m: np.shape(v)[1] if np.ndim(v) == 2 else 1
            for m, v in enumerate(means)
            if np.ndim(v) in (1, 2)
        }
        if features:
            first = min(features)
            where = f"{name}.components[{first}] has"
            self._check_same(
                name,
                features,
                features[first],
                where,
                "features",
                "means with one column per feature of X",
            )

    @staticmethod
    def _check_same(
        name: str, counts: dict[int, int], want: Any, source: str, what: str, fix: str
    ) -> None:
        for m, n in counts.items():
            if want is not None and n != want:
                raise error(
                    f"{name}.components[{m}]",
                    f"must describe {want} {what}, as {source}",
                    f"parameters for {n} {what}",
                    f"give every component {fix}",
                )

    @property
    def supports_stats(self) -> bool:
        """True when every component has additive sufficient statistics and ``n_inner``
        is 1 (the summed statistics give the one exact step; more go through ``fit``)."""
        return self.n_inner == 1 and all(has_stats(c) for c in self.components)

    def _w(self) -> Any:
        if self.weights is None:
            raise NotFittedError("Mixture.weights is not set; pass it or fit the model first.")
        return self.weights

    @property
    def n_parameters(self) -> int:
        """Free scalar parameters over all states."""
        K, M = self._w().shape
        return int(sum(c.n_parameters for c in self.components) + K * (M - 1))

    def log_prior(self) -> float:
        """The components' priors (those with ``log_prior``), summed."""
        parts = (getattr(c, "log_prior", None) for c in self.components)
        return float(sum(f() for f in parts if callable(f)))

    def check_input(self, X: Any) -> np.ndarray:
        """Validate the observations ``X`` for this emission; returns them as ``(T, d)``.

        ``X`` must pass the check of at least one component (the first that it passes
        gives the array): a component's density is zero outside its support (an
        Exponential's at ``x < 0``), which the others may cover."""
        refused: InputError | None = None
        for c in self.components:
            check = getattr(c, "check_input", None)
            if not callable(check):
                return as_obs(X, "X")
            try:
                checked: np.ndarray = check(X)
                return checked
            except InputError as err:
                refused = refused or err
        if refused is None:  # no component: refused at construction
            return as_obs(X, "X")
        raise refused

    def _joint(self, X: Any) -> Any:
        """``(T, K, M)`` ``log weights[k, m] + log p_{k,m}(x_t)``."""
        with np.errstate(divide="ignore"):
            lw = np.log(self._w())
        return np.stack([c.log_likelihood(X) for c in self.components], axis=2) + lw[None]

    def log_likelihood(self, X: Any) -> np.ndarray:
        """``(T, K)`` log-densities (log-probabilities for discrete data) of ``X``."""
        loglik: np.ndarray = logsumexp(self._joint(X), axis=2)
        return loglik

    def _resp(self, X: Any, weights: np.ndarray) -> Any:
        J = self._joint(X)
        with np.errstate(invalid="ignore"):
            R = np.exp(J - logsumexp(J, axis=2, keepdims=True))
        R = np.nan_to_num(R, nan=1.0 / J.shape[2])
        return np.asarray(weights, float)[:, :, None] * R  # (T, K, M)

    def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """Additive sufficient statistics of ``(X, weights)`` (``weights``: ``(T, K)``)."""
        WR = self._resp(X, weights)
        return (WR.sum(0),) + tuple(
            c.suff_stats(X, WR[:, :, m]) for m, c in enumerate(self.components)
        )

    def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Self:
        """Weighted maximum-likelihood update from summed :meth:`suff_stats`."""
        self._set_weights(stats[0])
        for m, (c, s) in enumerate(zip(self.components, stats[1:])):
            with _named(m):
                c.fit_stats(s)
        return self

    def _set_weights(self, counts: np.ndarray) -> None:
        counts = np.asarray(counts, float)
        mask = empty_states(counts.sum(1))
        new = counts / np.maximum(counts.sum(1, keepdims=True), 1e-300)
        if mask.any():
            new[mask] = self.weights[mask] if self.weights is not None else 1.0 / counts.shape[1]
        self.weights = new

    def fit(self, X: Any, weights: np.ndarray) -> Self:
        """``n_inner`` nested EM iterations at fixed state weights; returns ``self``."""
        x = np.asarray(X)
        for _ in range(max(1, self.n_inner)):
            WR = self._resp(X, weights)
            self._set_weights(WR.sum(0))
            for m, c in enumerate(self.components):
                # a component sees the rows it has weight on: X outside its support
                # (covered by another component) is refused by its own fit
                rows = WR[:, :, m].sum(1) > 0
                with _named(m):
                    if rows.any():
                        c.fit(x[rows], WR[rows, :, m])
                    else:  # said as the summed-statistics path says it (n_inner == 1)
                        warn_empty(
                            np.ones(WR.shape[1], bool),
                            type(c).__name__,
                            "kept from the previous iteration",
                        )
        return self

    def initialize(self, X: Any, n_states: int, rng: np.random.Generator) -> Self:
        """k-means with ``n_states * M`` clusters, ordered along the first feature;
        consecutive runs of ``M`` clusters form a state, and component ``m`` of state
        ``k`` is fitted to cluster ``k * M + m`` (after its own ``initialize``)."""
        x = np.asarray(X)
        if x.shape[0] > INIT_ROWS:
            x = x[np.sort(rng.choice(x.shape[0], INIT_ROWS, replace=False))]
        M = len(self.components)
        n_clusters = min(n_states * M, x.shape[0])
        labels = kmeans(as_obs(x), n_clusters, rng)[1]
        for m, c in enumerate(self.components):
            try:
                c.initialize(x, n_states, rng)
            except InputError as err:
                raise error(
                    "X",
                    "must suit every component to initialise it from the data",
                    f"component {m} ({type(c).__name__}) refused it: "
                    + str(err).split(". Fix: ")[0],
                    "give that component's parameters and fit with init='given', or "
                    "pick components whose supports hold X",
                ) from err
            if n_clusters < n_states * M:
                continue
            W = np.zeros((x.shape[0], n_states))
            for k in range(n_states):
                W[labels == k * M + m, k] = 1.0
            with quiet(NumericalWarning):
                c.fit(x, W)
        self.weights = np.full((n_states, M), 1.0 / M)
        return self

    def sample(self, state: int, n: int, rng: np.random.Generator) -> Any:
        """``n`` draws from state ``state`` with generator ``rng``."""
        counts = rng.multinomial(n, drawn_from(self._w()[state]))
        parts = [
            np.asarray(c.sample(state, int(k), rng))
            for c, k in zip(self.components, counts)
            if k > 0
        ]
        out = np.concatenate(parts, axis=0)
        return out[rng.permutation(n)]

    def __repr__(self) -> str:
        return f"Mixture(components={self.components!r}, weights={self.weights!r})"


@contextlib.contextmanager
def _named(m: int) -> Iterator[None]:
    """Issue the warnings of component ``m``'s fit as that component's: its "state(s) [k]
    received no posterior weight" is about component ``m`` of state ``k``, whose share
    of the state's weight vanished, not about state ``k``."""
    kept: list[tuple[str, type[Warning]]] = []
    try:
        with collect() as kept:
            yield
    except BaseException:
        for message, category in kept:  # for the record: the component's error is raised
            try:
                warn(f"Mixture component {m}: {message}", category)
            except Exception:  # noqa: BLE001 - warnings turned into errors
                pass
        raise
    for message, category in kept:
        warn(f"Mixture component {m}: {message}", category)
