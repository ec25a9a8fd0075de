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
    """Root of every error raised by pyjl.

    Examples
    --------
    >>> from pyjl.exceptions import InputError, PyjlError
    >>> issubclass(InputError, PyjlError)
    True
    """


class InputError(PyjlError, ValueError):
    """An argument is invalid: the message names it, the rule, the value and the fix.

    Examples
    --------
    >>> import pyjl
    >>> try:
    ...     pyjl.set_num_threads(0)
    ... except pyjl.InputError as err:
    ...     print(isinstance(err, ValueError))
    True
    """


class NotFittedError(PyjlError, AttributeError):
    """A fitted attribute or method was used before ``fit``.

    Examples
    --------
    >>> from pyjl.hmm import HMM, Normal
    >>> from pyjl.exceptions import NotFittedError
    >>> try:
    ...     HMM(Normal(), n_states=2).predict([0.0, 1.0])
    ... except NotFittedError as err:
    ...     print(isinstance(err, AttributeError))
    True
    """


class EngineUnavailableError(PyjlError, RuntimeError):
    """The requested engine cannot run here; the message says why and how to fix it.

    Examples
    --------
    >>> from pyjl.exceptions import EngineUnavailableError
    >>> issubclass(EngineUnavailableError, RuntimeError)
    True
    """


class JuliaBridgeError(PyjlError, RuntimeError):
    """Julia raised an exception, or the bridge to Julia failed.

    ``julia_message`` and ``julia_stacktrace`` carry what Julia reported.

    Examples
    --------
    >>> from pyjl.exceptions import JuliaBridgeError
    >>> err = JuliaBridgeError("call failed", julia_message="DomainError")
    >>> err.julia_message, str(err)
    ('DomainError', 'call failed')
    """

    def __init__(self, message: str, *, julia_message: str | None = None,
                 julia_stacktrace: str | None = None):
        super().__init__(message)
        self.julia_message = julia_message
        self.julia_stacktrace = julia_stacktrace


class PyjlWarning(UserWarning):
    """Root of every warning issued by pyjl.

    Examples
    --------
    >>> from pyjl.exceptions import NumericalWarning, PyjlWarning
    >>> issubclass(NumericalWarning, PyjlWarning)
    True
    """


class NumericalWarning(PyjlWarning, RuntimeWarning):
    """Numerical trouble was handled (jitter, variance floor, re-seeded state, ...).

    Examples
    --------
    >>> import warnings
    >>> from pyjl.exceptions import NumericalWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("added jitter 1e-8", NumericalWarning)
    >>> caught[0].category.__name__
    'NumericalWarning'
    """


class ConvergenceWarning(PyjlWarning):
    """An iterative fit stopped before meeting its tolerance.

    Examples
    --------
    >>> from pyjl.exceptions import ConvergenceWarning, PyjlWarning
    >>> issubclass(ConvergenceWarning, PyjlWarning)
    True
    """
