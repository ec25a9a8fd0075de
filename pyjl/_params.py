"""scikit-learn's parameter protocol for pyjl's models, without importing scikit-learn.

:class:`Params` gives a class whose constructor arguments are its settings
``get_params``, ``set_params``, ``__sklearn_clone__`` and ``__sklearn_tags__``, so that
``sklearn.base.clone``, ``GridSearchCV``, ``cross_val_score`` and ``Pipeline`` take it
as they take scikit-learn's own estimators.  Unlike ``BaseEstimator``, ``set_params``
checks the new values as the constructor does (an ``InputError`` naming the argument),
and the constructors may store checked values: cloning builds a new object from
``get_params(deep=False)`` rather than comparing identities.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, ClassVar

from ._validate import describe, error


class Params:
    """Mixin: settings are the constructor's keyword arguments, read back as attributes.

    A subclass may override :meth:`_param_value` (how a setting is read back) and
    :meth:`_apply_params` (how checked settings are stored; default: the constructor
    runs again on the merged settings, so every rule it checks applies).
    ``_estimator_type``: ``"regressor"``, ``"classifier"`` or ``None``;
    ``_requires_fit``: False where the unfitted object already predicts (a GP's prior).
    """

    _estimator_type: ClassVar[str | None] = None
    _requires_fit: ClassVar[bool] = True

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        return sorted(
            p.name for p in sig.parameters.values() if p.name != "self" and p.kind in kinds
        )

    def _param_value(self, name: str) -> Any:
        return getattr(self, name)

    def _held(self) -> dict[str, Any] | None:
        """Every setting as held, or None where one is not kept under its name (a user's
        subclass that stores its arguments otherwise: it has no readable settings, and
        is cloned as a copy)."""
        try:
            return {name: self._param_value(name) for name in self._param_names()}
        except AttributeError:
            return None

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments as this object holds them.

        Parameters
        ----------
        deep : bool, default True
            Also list the settings of arguments that have settings of their own (a
            kernel's, an emission's) as ``name__setting``, and those of the items of a
            list argument (a sum's kernels, a mixture's components) as
            ``name__index__setting``.

        Returns
        -------
        dict
            Setting name -> value.
        """
        out: dict[str, Any] = {}
        for name, value in (self._held() or {}).items():
            if deep:
                for prefix, inner in _inner(name, value):
                    out.update(
                        (f"{prefix}__{k}", v) for k, v in inner.get_params(deep=True).items()
                    )
            out[name] = value
        return out

    def set_params(self, **params: Any) -> Any:
        """Change settings (``name=value``, or ``name__setting=value`` inside one);
        checked as the constructor checks them.  Fitted attributes are kept until the
        next ``fit``.

        Returns
        -------
        self
        """
        if not params:
            return self
        valid = list(self._held() or {})
        own: dict[str, Any] = {}
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if name not in valid:
                cls = type(self).__name__
                raise error(
                    "set_params",
                    f"takes the settings of {cls}: {', '.join(valid)}"
                    if valid
                    else f"needs {cls} to keep each constructor argument as an attribute of "
                    "the same name (as scikit-learn's estimators do)",
                    describe(key),
                    "use a name get_params() lists" if valid else f"store them in {cls}.__init__",
                )
            if sep:
                nested.setdefault(name, {})[sub] = value
            else:
                own[name] = value
        for name, inner_params in nested.items():
            inner = own.get(name, self._param_value(name))
            if isinstance(inner, (list, tuple)) and not hasattr(inner, "set_params"):
                own[name] = _set_items(name, inner, inner_params)
                continue
            if not hasattr(inner, "set_params"):
                raise error(
                    "set_params",
                    f"reaches inside {name} only where it has settings (set_params)",
                    f"{name}__{next(iter(inner_params))} with {name}={describe(inner)}",
                    f"set {name} itself",
                )
            if name not in own:  # a copy: the object may be shared with other models
                inner = copy.deepcopy(inner)
            own[name] = inner.set_params(**inner_params)
        self._apply_params(own)
        return self

    def _apply_params(self, changed: dict[str, Any]) -> None:
        vars(self).update(vars(self._checked(changed)))  # fitted attributes stay

    def _checked(self, changed: dict[str, Any]) -> Any:
        """A new object of this class with the settings ``changed``, built (so checked) as
        a whole before ``self`` changes."""
        return type(self)(**{n: self._param_value(n) for n in self._param_names()} | changed)

    def __sklearn_clone__(self) -> Any:
        """A new, unfitted object with the same settings (cloned, in turn); a copy where
        the settings cannot be read (see :meth:`_held`)."""
        held = self._held()
        if held is None:
            return copy.deepcopy(self)
        return type(self)(**{k: _clone(v) for k, v in held.items()})

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import RegressorTags, Tags, TargetTags

        regressor = self._estimator_type == "regressor"
        return Tags(
            estimator_type=self._estimator_type,
            target_tags=TargetTags(required=regressor),
            regressor_tags=RegressorTags() if regressor else None,
            requires_fit=self._requires_fit,
        )


def _clone(value: Any) -> Any:
    clone = getattr(value, "__sklearn_clone__", None)
    if callable(clone) and not isinstance(value, type):
        return clone()
    if _settable(value):
        from sklearn.base import clone as sk_clone

        return sk_clone(value)
    return copy.deepcopy(value)


def _settable(value: Any) -> bool:
    return hasattr(value, "get_params") and not isinstance(value, type)


def _inner(name: str, value: Any) -> list[tuple[str, Any]]:
    """``(prefix, object)`` for ``value`` and, in a list, its items that have settings."""
    if _settable(value):
        return [(name, value)]
    if isinstance(value, (list, tuple)):
        return [(f"{name}__{i}", v) for i, v in enumerate(value) if _settable(v)]
    return []


def _set_items(name: str, items: Any, params: dict[str, Any]) -> list[Any]:
    """A copy of the list ``items`` whose items ``params`` name (``"0__lengthscale"``) are
    copies with those settings changed."""
    out = list(items)
    by_item: dict[int, dict[str, Any]] = {}
    for key, value in params.items():
        index, _, rest = key.partition("__")
        if not (index.isdigit() and int(index) < len(out) and rest and _settable(out[int(index)])):
            raise error(
                "set_params",
                f"reaches an item of the list {name} as {name}__<index>__<setting>, "
                f"index 0 to {len(out) - 1}",
                describe(f"{name}__{key}"),
                f"use a name get_params() lists, e.g. {name}__0__...",
            )
        by_item.setdefault(int(index), {})[rest] = value
    for i, item_params in by_item.items():
        out[i] = copy.deepcopy(out[i]).set_params(**item_params)
    return out
