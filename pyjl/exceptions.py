"""The pyjl exception and warning hierarchy.

One root, :class:`PyjlError`; each subclass also derives from the built-in
exception a user would naturally catch, so ``except ValueError`` keeps working
around pyjl calls.  Numerical trouble that pyjl handles (jitter added to a
matrix, a degenerate HMM state re-seeded, ...) is reported with a warning of a
:class:`PyjlWarning` subclass rather than an exception.
"""

from __future__ import annotations

import errno
import functools
import sys
from typing import Any

import numpy as np

__all__ = [
    "PyjlError",
    "InputError",
    "InputTypeError",
    "SystemKindError",
    "InputIndexError",
    "NotFittedError",
    "EngineUnavailableError",
    "JuliaBridgeError",
    "JuliaLinAlgError",
    "StorageError",
    "SpaceExhausted",
    "TrialPruned",
    "PyjlWarning",
    "NumericalWarning",
    "ConvergenceWarning",
    "UndefinedMetricWarning",
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

    #: whether the refusal is of the data at these hyperparameters only (a lengthscale so
    #: short that the scaled points overflow): a hyperparameter search steps back from it
    at_theta: bool = False


class InputTypeError(InputError, TypeError):
    """An argument has the wrong type: a string or ``None`` where a number belongs, a
    fraction where a whole number belongs, Python objects where numbers belong.

    An :class:`InputError` that is also a :class:`TypeError`, the built-in Python and
    SciPy raise for these (``range(0.5)``, ``scipy.signal.decimate(x, 0.5)``).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> try:
    ...     dsp.decimate(np.ones(64), 0.5)
    ... except TypeError as err:
    ...     print(type(err).__name__)
    InputTypeError
    """


class SystemKindError(InputTypeError, AttributeError):
    """A continuous-time system where a discrete-time one belongs, or the reverse: an
    :class:`InputTypeError` that is also the ``AttributeError`` SciPy raises for it
    (``scipy.signal.dlsim(lti(...), u)``), so ``except AttributeError`` keeps working.

    Examples
    --------
    >>> import scipy.signal as ss
    >>> from pyjl import dsp
    >>> try:
    ...     dsp.dlsim(ss.lti([1.0], [1.0, 1.0]), [1.0, 0.0])
    ... except AttributeError as err:
    ...     print(type(err).__name__)
    SystemKindError
    """


class InputIndexError(InputError, IndexError):
    """An index out of range: an :class:`InputError` that is also the ``IndexError`` a
    peer raises for it (a callable ``refit`` of a search returning no candidate's index,
    as scikit-learn; an ``axis`` beyond an array's dimensions, as NumPy's ``AxisError``,
    which is both a ``ValueError`` and an ``IndexError``), so ``except IndexError`` keeps
    working.

    Examples
    --------
    >>> from pyjl.bo._search_resume import refit_index
    >>> try:
    ...     refit_index(5, 2)
    ... except IndexError as err:
    ...     print(type(err).__name__)
    InputIndexError
    """


def _reduce_as_pyjl(self: BaseException) -> tuple[Any, ...]:
    """``__reduce__`` of an error or warning that may be raised as its scikit-learn twin
    (:func:`_also_sklearns`): pickled as pyjl's class (pickle cannot find the twin by
    name), with its arguments and attributes (notes) as they are."""
    reduced: tuple[Any, ...] = BaseException.__reduce__(self)  # type: ignore[assignment]
    return (getattr(type(self), "_pyjl_class", type(self)), *reduced[1:])


class NotFittedError(PyjlError, ValueError, AttributeError):
    """A fitted attribute or method was used before ``fit``.

    A ``ValueError`` and an ``AttributeError``, as scikit-learn's (and so hmmlearn's)
    ``NotFittedError``; once scikit-learn is imported it is also an instance of
    ``sklearn.exceptions.NotFittedError``, so code that catches that one catches pyjl's.

    Examples
    --------
    >>> from pyjl.hmm import HMM, Normal
    >>> from pyjl.exceptions import NotFittedError
    >>> try:
    ...     HMM(Normal(), n_states=2).predict([0.0, 1.0])
    ... except NotFittedError as err:
    ...     print(isinstance(err, AttributeError), isinstance(err, ValueError))
    True True
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> NotFittedError:
        theirs = sys.modules.get("sklearn.exceptions")  # pyjl never imports scikit-learn
        if theirs is not None and not issubclass(cls, theirs.NotFittedError):
            cls = _also_sklearns(cls, theirs.NotFittedError)  # type: ignore[arg-type]
        return super().__new__(cls, *args, **kwargs)

    __reduce__ = _reduce_as_pyjl


@functools.cache
def _also_sklearns(cls: type, base: type) -> type:
    """``cls`` (pyjl's :class:`NotFittedError`, :class:`ConvergenceWarning` or
    :class:`UndefinedMetricWarning`, or a subclass) that is scikit-learn's ``base`` too."""
    return type(
        cls.__name__,
        (cls, base),
        {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
            "_pyjl_class": cls,
        },
    )


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

    def __init__(
        self,
        message: str,
        *,
        julia_message: str | None = None,
        julia_stacktrace: str | None = None,
    ) -> None:
        super().__init__(message)
        self.julia_message = julia_message
        self.julia_stacktrace = julia_stacktrace


class JuliaLinAlgError(JuliaBridgeError, np.linalg.LinAlgError):
    """Julia reported a linear-algebra failure (e.g. a matrix not positive definite).

    Also a :class:`numpy.linalg.LinAlgError`, so the code that catches NumPy's failure
    (the jitter ladder of a Cholesky factorisation) catches Julia's too.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.exceptions import JuliaLinAlgError
    >>> issubclass(JuliaLinAlgError, np.linalg.LinAlgError)
    True
    """


class StorageError(PyjlError, OSError):
    """A study's storage could not be read or written: the disk is full, the file is
    read-only, or another process holds the database lock past the timeout.

    Also an :class:`OSError`: a full disk (``ENOSPC``), a read-only file (``EROFS``) and
    a busy resource (``EBUSY``) are ``OSError`` everywhere else in Python, so the
    ``except OSError`` that guards a program's file writes catches this one too;
    ``errno`` says which.  The message names the storage, the operation and the fix.
    ``storage`` (URL), ``operation`` (``"open"``, ``"ask"``, ``"tell"``,
    ``"heartbeat"``, ...) and ``reason`` (``"full"``, ``"read-only"``, ``"locked"``,
    ``"cannot open"``, ``"cannot connect"`` (a database server that cannot be reached or
    a lost connection), ``"i/o"``, ``"damaged"``) carry them; when a
    finished evaluation could not be stored, ``trial``, ``params`` and ``value`` carry
    it so that it is not lost, and ``unsaved`` lists every ``(trial, params, value)``
    evaluated but not stored.

    Examples
    --------
    >>> import errno
    >>> from pyjl.exceptions import StorageError
    >>> err = StorageError("disk full", storage="sqlite:///s.db", operation="tell",
    ...                    reason="full", trial=3, params={"x": 0.5}, value=1.25)
    >>> isinstance(err, OSError), err.errno == errno.ENOSPC, err.value, str(err)
    (True, True, 1.25, 'disk full')
    """

    _ERRNO = {
        "full": "ENOSPC",
        "read-only": "EROFS",
        "locked": "EBUSY",
        "cannot open": "ENOENT",
        "cannot connect": "ECONNREFUSED",
        "i/o": "EIO",
    }

    def __init__(
        self,
        message: str,
        *,
        storage: str | None = None,
        operation: str | None = None,
        reason: str | None = None,
        trial: int | None = None,
        params: dict[str, Any] | None = None,
        value: float | None = None,
    ) -> None:
        super().__init__(message)
        self.errno = getattr(errno, self._ERRNO.get(reason or "", ""), None)
        self.storage, self.operation, self.reason = storage, operation, reason
        self.trial, self.params, self.value = trial, params, value
        self.unsaved: list[tuple[int | None, dict[str, Any] | None, float]] = (
            [] if value is None else [(trial, params, value)]
        )


class SpaceExhausted(PyjlError, LookupError):
    """Every distinct point of a finite space has been asked for already.

    Examples
    --------
    >>> from pyjl.bo import Optimizer, Space, Categorical, SpaceExhausted
    >>> opt = Optimizer(Space({"c": Categorical(["a", "b"])}), n_initial=2, seed=0)
    >>> for _ in range(2):
    ...     _ = opt.tell(p := opt.ask(), 1.0)
    >>> try:
    ...     opt.ask()
    ... except SpaceExhausted:
    ...     print("exhausted")
    exhausted
    """


class TrialPruned(PyjlError):
    """Raised by an objective to end its trial as pruned (a signal, not an error).

    The study stores the trial with state ``pruned`` and its last reported value; see
    :class:`pyjl.bo.TrialHandle`.  Like Optuna's ``TrialPruned``, it derives from the
    root only, so an ``except ValueError`` in the objective does not swallow it.

    Examples
    --------
    >>> from pyjl.exceptions import PyjlError, TrialPruned
    >>> issubclass(TrialPruned, PyjlError), str(TrialPruned("pruned at step 3"))
    (True, 'pruned at step 3')
    """


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

    Once scikit-learn is imported it is issued as a subclass of
    ``sklearn.exceptions.ConvergenceWarning`` too (:func:`as_issued`), so
    ``warnings.filterwarnings("ignore", category=sklearn.exceptions.ConvergenceWarning)``
    and ``pytest.warns`` of scikit-learn's class catch pyjl's, as they catch
    ``GaussianProcessRegressor``'s.

    Examples
    --------
    >>> from pyjl.exceptions import ConvergenceWarning, PyjlWarning
    >>> issubclass(ConvergenceWarning, PyjlWarning)
    True
    """

    __reduce__ = _reduce_as_pyjl


class UndefinedMetricWarning(PyjlWarning):
    """A score is not defined for the data given (``R^2`` of fewer than two samples);
    the score is NaN, as scikit-learn's.

    Once scikit-learn is imported it is issued as a subclass of
    ``sklearn.exceptions.UndefinedMetricWarning`` too (:func:`as_issued`).

    Examples
    --------
    >>> from pyjl.exceptions import PyjlWarning, UndefinedMetricWarning
    >>> issubclass(UndefinedMetricWarning, PyjlWarning)
    True
    """

    __reduce__ = _reduce_as_pyjl


#: pyjl's warnings that are scikit-learn's too once it is imported: the name of the twin
#: in ``sklearn.exceptions``
_SKLEARN_TWINS = {
    ConvergenceWarning: "ConvergenceWarning",
    UndefinedMetricWarning: "UndefinedMetricWarning",
}


def as_issued(category: type[Warning]) -> type[Warning]:
    """The class a warning of ``category`` is issued as: a :class:`ConvergenceWarning` or
    :class:`UndefinedMetricWarning` (or a subclass) is also scikit-learn's warning of that
    name once scikit-learn is imported (pyjl never imports it); any other category as it
    is.

    Examples
    --------
    >>> as_issued(NumericalWarning) is NumericalWarning
    True
    """
    theirs = sys.modules.get("sklearn.exceptions")
    if theirs is None:
        return category
    for ours, name in _SKLEARN_TWINS.items():
        if issubclass(category, ours):
            base = getattr(theirs, name)
            if issubclass(category, base):
                return category
            twin: type[Warning] = _also_sklearns(category, base)  # type: ignore[arg-type]
            return twin
    return category
