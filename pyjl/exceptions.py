"""The pyjl exception and warning hierarchy.

One root, :class:`PyjlError`; each subclass also derives from the built-in
exception a user would naturally catch, so ``except ValueError`` keeps working
around pyjl calls.  Numerical trouble that pyjl handles (jitter added to a
matrix, a degenerate HMM state re-seeded, ...) is reported with a warning of a
:class:`PyjlWarning` subclass rather than an exception.
"""

from __future__ import annotations

__all__ = [
    "PyjlError",
    "InputError",
    "NotFittedError",
    "EngineUnavailableError",
    "JuliaBridgeError",
    "PyjlWarning",
    "NumericalWarning",
    "ConvergenceWarning",
]


class PyjlError(Exception):
    """Root of every error raised by pyjl."""


class InputError(PyjlError, ValueError):
    """An argument is invalid: the message names it, the rule, the value and the fix."""


class NotFittedError(PyjlError, AttributeError):
    """A fitted attribute or method was used before ``fit``."""


class EngineUnavailableError(PyjlError, RuntimeError):
    """The requested engine cannot run here; the message says why and how to fix it."""


class JuliaBridgeError(PyjlError, RuntimeError):
    """Julia raised an exception, or the bridge to Julia failed.

    ``julia_message`` and ``julia_stacktrace`` carry what Julia reported.
    """

    def __init__(self, message: str, *, julia_message: str | None = None,
                 julia_stacktrace: str | None = None):
        super().__init__(message)
        self.julia_message = julia_message
        self.julia_stacktrace = julia_stacktrace


class PyjlWarning(UserWarning):
    """Root of every warning issued by pyjl."""


class NumericalWarning(PyjlWarning, RuntimeWarning):
    """Numerical trouble was handled (jitter, variance floor, re-seeded state, ...)."""


class ConvergenceWarning(PyjlWarning):
    """An iterative fit stopped before meeting its tolerance."""
