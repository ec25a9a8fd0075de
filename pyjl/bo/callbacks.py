"""Study callbacks as given: ``None``, one callable, or a list of them (scikit-optimize's
``callback=[...]``), checked once, for :func:`pyjl.bo.minimize` and ``BayesSearchCV.fit``."""

from __future__ import annotations

from typing import Any

from .. import _validate

__all__ = ["callbacks", "combined"]


def callbacks(callback: Any) -> list:
    """``callback=...`` as a list of callables: ``None``, one callable, or a list or tuple
    of them (as scikit-optimize's ``gp_minimize`` and ``BayesSearchCV.fit`` take)."""
    found = (
        []
        if callback is None
        else list(callback)
        if isinstance(callback, (list, tuple))
        else [callback]
    )
    for i, c in enumerate(found):
        if not callable(c):
            name = (
                "callback"
                if callable(callback) or not isinstance(callback, (list, tuple))
                else f"callback[{i}]"
            )
            raise _validate.error(
                name,
                "must be callable (result -> bool), a list of such callables, or None",
                _validate.describe(c),
                "pass a function of the result that returns True to stop",
            )
    return found


def combined(callback: Any) -> Any:
    """One callable that calls every callback of ``callback`` (:func:`callbacks`) in turn
    with the result and returns True when any does (as scikit-optimize stops), or None."""
    found = callbacks(callback)
    if not found:
        return None
    if len(found) == 1:
        return found[0]

    def all_of(result: Any) -> bool:
        return any([bool(c(result)) for c in found])  # every one is called, as in skopt

    return all_of
