"""The machinery the built-in independent-feature emissions share.

:class:`_Independent` holds ``(K, d)`` per-state parameters (squeezed to ``(K,)`` for one
feature), checks them, turns additive sufficient statistics into parameters while keeping
(or pooling) those of states that receive no weight, and initialises by k-means.  A family
adds ``log_likelihood``, ``suff_stats``, ``fit_stats`` and ``sample``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import numpy as np

from .._params import Params
from .._validate import error
from ..exceptions import NotFittedError
from ._common import (
    INIT_ROWS,
    as_obs,
    check_values,
    empty_states,
    hard_weights,
    kmeans,
    per_state,
    warn_empty,
)


def _same_d(x: np.ndarray, params: Any) -> None:
    if x.shape[1] != params.shape[1]:
        d = params.shape[1]
        raise error(
            "X",
            f"must have {d} feature column(s) to match the emission's parameters",
            x.shape[1],
            f"pass (T, {d}) data or re-create the emission",
        )


def _c(a: Any) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


class _Independent(Params):
    """Shared machinery: ``(K, d)`` parameters, sufficient statistics, empty states."""

    _params: tuple[str, ...] = ()
    family = "emission"

    if TYPE_CHECKING:  # every subclass defines the additive statistics

        def suff_stats(self, X: Any, weights: np.ndarray) -> tuple[np.ndarray, ...]: ...
        def fit_stats(self, stats: tuple[np.ndarray, ...]) -> Self: ...

    def _set(self, **values: Any) -> None:
        # one feature given per state is kept (n_states,), as a fit stores it (_store)
        self._squeeze = all(np.ndim(v) <= 1 for v in values.values() if v is not None)
        d: int | None = None
        for name, v in values.items():
            if v is None:
                setattr(self, name, None)
                continue
            a = per_state(v, None, d, name)
            d = a.shape[1]
            self._store(name, a)

    def _get(self, name: str) -> Any:
        v = getattr(self, name)
        if v is None:
            raise NotFittedError(
                f"{type(self).__name__}.{name} is not set; pass it to the "
                f"constructor or fit the model first."
            )
        return v

    @property
    def n_states(self) -> int:
        return int(self._get(self._params[0]).shape[0])

    @property
    def n_parameters(self) -> int:
        return int(sum(self._get(p).size for p in self._params))

    #: per parameter: (element-wise test, rule, fix) checked by :meth:`check_params`
    _rules: dict[str, Any] = {}

    def check_params(self, name: str = "emission") -> Self:
        """Validate the parameters that are set (NaN, out of range, inconsistent shapes),
        raising :class:`InputError` naming the element (``emission.rate[2]``)."""
        shape = None
        for p in self._params:
            v = getattr(self, p)
            if v is None:
                continue
            ok, rule, fix = self._rules.get(p, (lambda a: np.ones(a.shape, bool), "", ""))
            v = np.asarray(v)
            if self._squeeze and v.ndim == 2 and v.shape[1] == 1:
                v = v[:, 0]  # index as the user gave it
            a = check_values(v, f"{name}.{p}", ok, rule, fix or f"pass finite {p} values")
            if shape is not None and a.shape != shape:
                first = f"{name}.{self._params[0]}"
                raise error(
                    f"{name}.{p}",
                    f"must have the shape of {first} (one entry per state and feature)",
                    f"shape {a.shape}, and {first} has shape {shape}",
                    f"give {first} and {name}.{p} the same number of states (rows) and "
                    "features: fix the one whose shape is not what you meant",
                )
            shape = a.shape
        return self

    def check_input(self, X: Any) -> np.ndarray:
        x = as_obs(X, "X")
        if getattr(self, self._params[0]) is not None:
            _same_d(x, self._arr(self._params[0]))
        return x

    def fit(self, X: Any, weights: np.ndarray) -> Any:
        """Weighted maximum likelihood (see the module docstring); returns ``self``."""
        x = self.check_input(X)
        return self.fit_stats(self.suff_stats(x, np.asarray(weights, dtype=np.float64)))

    def _store(self, name: str, value: Any) -> None:
        setattr(self, name, value[:, 0].copy() if self._squeeze and value.shape[1] == 1 else value)

    def _arr(self, name: str) -> np.ndarray:
        return np.asarray(self._get(name)).reshape(self.n_states, -1)

    def _update(
        self, N: np.ndarray, new: dict[str, np.ndarray], pooled: dict[str, np.ndarray]
    ) -> Self:
        """Store ``new`` parameters, keeping (or pooling) those of empty states."""
        mask = empty_states(N)
        fresh = getattr(self, self._params[0]) is None
        for name, value in new.items():
            value = np.array(value, dtype=np.float64)
            if mask.any():
                old = pooled[name] if fresh else self._arr(name)
                value[mask] = np.broadcast_to(old, value.shape)[mask]
            self._store(name, value)
        warn_empty(
            mask,
            type(self).__name__,
            "set to the pooled estimate" if fresh else "kept from the previous iteration",
        )
        return self

    def _sample_shape(self, draws: np.ndarray) -> Any:
        return draws[:, 0] if self._squeeze and draws.shape[1] == 1 else draws

    def initialize(self, X: Any, n_states: int, rng: np.random.Generator) -> Self:
        """k-means on (a subsample of) ``X``, then the hard-assignment MLE."""
        x = self.check_input(X)
        self._squeeze = np.ndim(X) == 1
        if x.shape[0] > INIT_ROWS:
            x = x[np.sort(rng.choice(x.shape[0], INIT_ROWS, replace=False))]
        _, labels = kmeans(x, n_states, rng)
        for p in self._params:
            setattr(self, p, None)
        self.fit_stats(self.suff_stats(x, hard_weights(labels, n_states)))
        return self

    def __repr__(self) -> str:
        args = ", ".join(
            f"{p}={np.array2string(np.asarray(getattr(self, p)), precision=4)}"
            if getattr(self, p) is not None
            else f"{p}=None"
            for p in self._params
        )
        return f"{type(self).__name__}({args})"
