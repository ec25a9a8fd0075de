"""Checking an :class:`~pyjl.hmm.HMM`'s settings and choosing its starting parameters.

The constructor stores its arguments; every call validates them here
(:func:`check_settings`), along with the given ``startprob``/``transmat`` and emission
parameters when they are used (:func:`given`), and :func:`initial_params` picks the
parameters EM starts from (``init`` = "kmeans", "random" or "given").
"""

from __future__ import annotations

import copy
import inspect
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validate import boolean, choice, describe, error, integer, real, seed
from .._warn import warn
from ..exceptions import ConvergenceWarning, NotFittedError
from ._common import INIT_ROWS, check_prob_rows, check_values, emission_states

if TYPE_CHECKING:
    from .model import HMM

INITS = ("kmeans", "random", "given")
ALGORITHMS = ("viterbi", "map")  # hmmlearn's DECODER_ALGORITHMS
IMPLEMENTATIONS = ("log", "scaling")  # hmmlearn's; pyjl's results do not depend on it
#: the members :class:`HMM` uses (:class:`pyjl.hmm.Emission`); n_parameters may be a property
PROTOCOL = ("log_likelihood", "fit", "sample", "n_parameters", "initialize")


def missing_members(em: Any) -> list[str]:
    """The members of :data:`PROTOCOL` that ``em`` lacks: a method that is not callable,
    or no ``n_parameters`` at all (looked up on the class first, so that a property is not
    evaluated: it may need parameters ``em`` does not hold yet)."""
    return [
        m
        for m in PROTOCOL
        if not (
            hasattr(type(em), m) or hasattr(em, m)
            if m == "n_parameters"
            else callable(getattr(em, m, None))
        )
    ]


def check_random_state(value: Any, draw: bool = True) -> Any:
    """``None``, a seed in ``[0, 2**63)``, a NumPy ``Generator``/``SeedSequence``, or a
    legacy ``RandomState`` (hmmlearn's and scikit-learn's kind), which gives a seed drawn
    from it (``draw``; else itself, checked), so it advances as it would there."""
    if isinstance(value, (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)):
        return value
    if isinstance(value, np.random.RandomState):
        return int(value.randint(0, 2**63 - 1, dtype=np.int64)) if draw else value
    if value is not None and not isinstance(value, (numbers.Integral, np.integer)):
        raise error(
            "random_state",
            "must be None, an integer seed, a numpy Generator, SeedSequence or RandomState",
            describe(value),
            "pass e.g. random_state=0",
        )
    return seed(value, "random_state")


def _broadcasts(shape: tuple[int, ...], to: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` broadcasts to ``to`` (no array is made)."""
    return len(shape) <= len(to) and all(
        a in (1, b) for a, b in zip(shape[::-1], to[::-1], strict=False)
    )


def check_settings(model: HMM) -> int:
    """Validate the constructor's arguments; returns ``n_states`` as an int."""
    em = model.emission
    missing = PROTOCOL if isinstance(em, type) else missing_members(em)
    if missing:
        some = 0 < len(missing) < len(PROTOCOL) and not isinstance(em, type)
        raise error(
            "emission",
            f"must be an emission (an object with {', '.join(PROTOCOL[:-1])} and {PROTOCOL[-1]})",
            f"{type(em).__name__} without {' or '.join(missing)}" if some else describe(em),
            f"add {' and '.join(missing)} to {type(em).__name__} (see pyjl.hmm.Emission)"
            if some
            else "pass e.g. pyjl.hmm.Normal() or an object following pyjl.hmm.Emission",
        )
    K = integer(
        model.n_states,
        "n_states",
        low=1,
        fix="pass a whole number of states >= 1, e.g. n_states=3",
    )
    choice(model.init, "init", INITS)
    choice(model.algorithm, "algorithm", ALGORITHMS)
    choice(model.implementation, "implementation", IMPLEMENTATIONS)
    integer(model.n_iter, "n_iter", low=0)
    if not (isinstance(model.tol, numbers.Real) and np.isinf(model.tol)):  # as hmmlearn
        real(
            model.tol,
            "tol",
            fix="pass a small number such as 1e-2 (or -np.inf to always run n_iter iterations)",
        )
    if model.batch_rows is not None:
        integer(model.batch_rows, "batch_rows", low=1)
    _letters(model.params, "params", "'st' to keep the emission as initialised", "refitted")
    _letters(
        getattr(model, "init_params", "ste"),
        "init_params",
        "'st' to start EM from the emission's given parameters",
        "initialised",
    )
    check_random_state(model.random_state, draw=False)
    boolean(model.progress, "progress")
    for name, shape in (("startprob_prior", (K,)), ("transmat_prior", (K, K))):
        check_values(
            getattr(model, name),
            name,
            lambda a: a >= 0,
            "must be >= 0 (Dirichlet concentrations; 1 is no prior)",
            f"pass {name}=1.0 for no prior, or larger values",
        )
        if not _broadcasts(np.shape(getattr(model, name)), shape):
            raise error(
                name,
                f"must be a number or broadcast to {shape} for {K} states",
                f"shape {np.shape(getattr(model, name))}",
                "pass one concentration, or one per state (per transition)",
            )
    return K


def _letters(value: Any, name: str, example: str, done: str) -> None:
    """Refuse ``params``/``init_params`` that are not a string of the letters s, t, e
    (``done``: what happens to an emission as a whole, which hmmlearn splits)."""
    if not isinstance(value, str) or not set(value) <= set("ste"):
        raise error(
            name,
            "must be a string of the letters s (startprob), t (transmat) and e (the "
            "emission's parameters)",
            describe(value),
            f"pass e.g. {example}; hmmlearn's emission letters (m, c, w, ...) are all 'e' "
            f"here, since an emission is {done} whole",
        )


def given_chain(model: HMM, K: int) -> Any:
    """The given ``startprob``/``transmat`` validated (``None`` where not given)."""
    pi = A = None
    # as given, bit for bit, as hmmlearn takes them (rows within its tolerance of 1, a
    # float32 or six-digit table, are not renormalised: the fitted attributes set by
    # hand are not either, and a rounding-level change can turn which stationary
    # distribution of a reducible chain the eigensolver returns)
    if model.startprob is not None:
        pi = check_prob_rows(model.startprob, "startprob", (K,))
    if model.transmat is not None:
        A = check_prob_rows(model.transmat, "transmat", (K, K))
    return pi, A


def given(model: HMM, em: Any) -> Any:
    """Validated ``(startprob, transmat, emission)`` for ``init='given'``."""
    K = check_settings(model)
    pi, A = given_chain(model, K)
    if pi is None or A is None:
        name, other = ("startprob", "transmat") if pi is None else ("transmat", "startprob")
        raise error(
            name,
            f"must be given with init='given', as must `{other}`",
            describe(getattr(model, name)),
            "pass both, or use init='kmeans'",
        )
    return pi, A, check_emission(em, "emission", K)


def check_emission(
    em: Any,
    name: str,
    K: int,
    when: str = "with init='given'",
    instead: str = "use init='kmeans'",
) -> Any:
    """``em`` with its parameters checked (``check_params``), set, and for ``K`` states:
    the given ``emission`` (``name="emission"``, of ``init='given'``, or ``when`` EM
    starts from it otherwise; ``instead``: the fix that initialises it) or the fitted
    ``emission_``, which the messages name."""
    check = getattr(em, "check_params", None)
    if callable(check):
        check(name)
    given, cls = name == "emission", type(em).__name__
    try:
        _ = em.n_parameters
    except NotFittedError as exc:  # a built-in emission's parameter is not set
        raise error(
            name,
            "must hold its parameters" + (f" {when}" if given else ""),
            f"{cls} without them ({str(exc).rstrip('.')})",
            f"construct the emission with its parameters, or {instead}"
            if given
            else "refit the model, or set the parameters of all its states",
        ) from None
    except Exception as exc:  # a user's emission: parameters not set, or a bug in it
        raise error(
            f"{name}.n_parameters",
            "must give the number of free parameters"
            + (f" {when}" if given else " of the fitted emission"),
            f"{type(exc).__name__} raised by {cls}.n_parameters ({str(exc).rstrip('.')})",
            f"construct the emission with its parameters, {instead}, or fix {cls}.n_parameters"
            if given
            else f"fix {cls}.n_parameters (the traceback above shows where it failed)",
        ) from exc
    counted(em, name)
    n = emission_states(em)
    if n is not None and n != K:
        if given:
            raise error(
                "n_states",
                f"must equal the number of states of the emission's parameters ({n})",
                K,
                f"pass n_states={n} or parameters for {K} states"
                if n >= 1
                else f"give the emission's parameters one row per state ({K} rows)",
            )
        raise error(
            name,
            f"must have parameters for n_states={K} states",
            f"parameters for {n} states",
            f"refit the model, or give {name} parameters for {K} states",
        )
    return em


def fitted(model: HMM) -> Any:
    """The fitted ``(startprob_, transmat_, emission_)``, checked at every use as hmmlearn's
    ``_check`` does (they may have been set by hand): the shapes for ``n_states``, the
    probabilities (finite, >= 0, rows summing to 1) and the emission's parameters."""
    K = integer(model.n_states, "n_states", low=1, fix="pass n_states=len(startprob_)")
    pi = check_prob_rows(model.startprob_, "startprob_", (K,))
    A = check_prob_rows(model.transmat_, "transmat_", (K, K))
    em = model.emission_
    # the emission's check (a Cholesky factor per state for full covariances) is the costly
    # part: it is repeated only when the emission's parameters may have changed
    key = (K, _fingerprint(em))
    if model.__dict__.get("_checked_emission") != key:
        check_emission(em, "emission_", K)
        model.__dict__["_checked_emission"] = key
    return pi, A, em


def transition_matrix(model: HMM) -> np.ndarray:
    """The transition matrix alone, checked: ``transmat_`` (fitted or set by hand), else the
    given ``transmat`` (what :meth:`HMM.get_stationary_distribution` needs, as hmmlearn's)."""
    K = integer(model.n_states, "n_states", low=1, fix="pass n_states=len(transmat_)")
    if hasattr(model, "transmat_"):
        return check_prob_rows(model.transmat_, "transmat_", (K, K))
    A = given_chain(model, check_settings(model))[1]
    if A is None:
        raise NotFittedError(
            "this HMM has no transition matrix: call fit(X) first, or give transmat."
        )
    return np.asarray(A)


def _counts(em: Any) -> bool:
    """Whether ``em`` says how many free parameters it holds: a user's emission that
    exposes no state count has its parameters set where ``n_parameters`` answers."""
    try:
        _ = em.n_parameters
    except Exception:  # noqa: BLE001 - unset parameters, whatever the emission raises
        return False
    return True


def _fingerprint(em: Any) -> tuple[Any, ...]:
    """What changes when an emission's parameters are set or edited in place: the object,
    each array attribute's identity, shape and sum (and the same of its components')."""
    parts: list[Any] = [id(em)]
    for name, value in sorted(vars(em).items()) if hasattr(em, "__dict__") else ():
        if isinstance(value, np.ndarray):
            total = float(np.sum(value)) if value.dtype.kind in "fiub" else 0.0
            parts.append((name, id(value), value.shape, total))
        elif isinstance(value, (list, tuple)) and value and hasattr(value[0], "__dict__"):
            parts.append((name, tuple(_fingerprint(c) for c in value)))
        else:
            parts.append((name, id(value)))
    return tuple(parts)


def _warm_start(model: HMM, K: int, letters: str, em: Any) -> tuple[Any, Any, Any, bool]:
    """``(startprob, transmat, emission, warm)``: the given ones, and, as hmmlearn's warm start,
    for a letter ``init_params`` leaves out, the fitted attribute (set by hand or left by
    an earlier fit) where none is given -- the emission only where the fitted one is of
    the given emission's class and settings (:func:`_same_settings`: a new emission set
    since is initialised), and then for ``K`` states (else refused, naming ``emission_``).
    A parameter still ``None`` is made by the init; ``warm``: the emission is the fitted
    one."""
    given_pi, given_A = given_chain(model, K)
    if given_pi is None and "s" not in letters and hasattr(model, "startprob_"):
        given_pi = check_prob_rows(model.startprob_, "startprob_", (K,))
    if given_A is None and "t" not in letters and hasattr(model, "transmat_"):
        given_A = check_prob_rows(model.transmat_, "transmat_", (K, K))
    fitted = getattr(model, "emission_", None)
    if (
        "e" not in letters
        and emission_states(em) is None
        and not _counts(em)
        and _same_settings(model.emission, fitted)
    ):
        n = emission_states(fitted)
        if n is not None and n != K:
            raise error(
                "emission_",
                f"must have parameters for n_states={K} states to start EM from it "
                "(init_params leaves out 'e')",
                f"parameters for {n} states",
                "add 'e' to init_params to initialise the emission anew, or del model.emission_",
            )
        return given_pi, given_A, copy.deepcopy(fitted), True
    return given_pi, given_A, em, False


#: the kinds of value compared as settings (objects besides emissions -- a frozen SciPy
#: distribution, a generator -- compare by identity, and the fitted emission is a copy)
_PLAIN = (str, bytes, bool, int, float, complex, np.number, np.bool_, np.ndarray, tuple)


def _same_settings(given: Any, fitted: Any) -> bool:
    """Whether ``fitted`` is of ``given``'s class and has its settings: every public
    attribute ``given`` sets (not ``None``) to a plain value (a number, string, tuple or
    array) equal in ``fitted``, emissions within (a mixture's components) compared alike;
    an emission without ``__dict__`` by its class alone."""
    if type(given) is not type(fitted):
        return False
    for name, mine in vars(given).items() if hasattr(given, "__dict__") else ():
        if mine is None or name.startswith("_"):
            continue
        theirs = getattr(fitted, name, None)
        if isinstance(mine, (list, tuple)) and mine and hasattr(mine[0], "__dict__"):
            if not (
                isinstance(theirs, (list, tuple))
                and len(theirs) == len(mine)
                and all(_same_settings(a, b) for a, b in zip(mine, theirs, strict=True))
            ):
                return False
            continue
        if not isinstance(mine, _PLAIN):
            continue
        try:
            if not np.array_equal(np.asarray(mine), np.asarray(theirs)):
                return False
        except (TypeError, ValueError):
            return False
    return True


def counted(em: Any, name: str) -> None:
    """Refuse an emission whose ``n_parameters`` is written as a method (``aic`` and
    ``bic`` read it as a number), without evaluating it."""
    if callable(inspect.getattr_static(em, "n_parameters", None)):
        raise error(
            f"{name}.n_parameters",
            "must be a number (an attribute or a property), not a method",
            f"the method {type(em).__name__}.n_parameters",
            "decorate it with @property",
            wrong_type=True,
        )


def _copies(em: Any, x0: Any, K: int) -> list[int]:
    """The states the emission starts with as copies of earlier ones (equal log-densities
    at the rows it started from: data with fewer distinct rows than states, where
    scikit-learn's k-means warns), which EM updates alike where the chain is uniform too."""
    L = np.asarray(em.log_likelihood(x0[:256]))
    first = np.unique(L.T, axis=0, return_index=True)[1]  # each distinct column's first state
    return sorted(set(range(K)) - {int(k) for k in first})


def _random_chain(rng: np.random.Generator, K: int) -> tuple[np.ndarray, np.ndarray]:
    """``(startprob, transmat)`` drawn from flat Dirichlet distributions, as hmmlearn
    starts its chain."""
    return rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K), size=K)


def random_weights(x0: Any, K: int, rng: np.random.Generator) -> np.ndarray:
    """The soft weights ``(n, K)`` ``init="random"`` fits the emission to: ``K`` rows drawn
    as centres (Forgy's start), each row weighted 0.9 to the state of its nearest centre
    and 0.1 spread by Dirichlet noise (no state empty).  Weights drawn without regard to
    the rows would give every state nearly the mean of all of them, a start EM seldom
    leaves."""
    x = np.asarray(x0, dtype=np.float64).reshape(np.shape(x0)[0], -1)
    n = x.shape[0]
    centres = x[rng.choice(n, K, replace=n < K)]
    d2 = (centres**2).sum(1)[None, :] - 2.0 * (x @ centres.T)  # |x - c|^2 less |x|^2
    W = 0.1 * rng.dirichlet(np.full(K, 0.3), size=n)
    W[np.arange(n), np.argmin(d2, axis=1)] += 0.9
    return W


def initial_params(model: HMM, src: Any, rng: np.random.Generator) -> Any:
    """``(startprob, transmat, emission)`` that EM starts from; the emission is a copy.

    ``init='given'`` takes all three as given; otherwise ``init`` makes those that are
    not given, and the emission's given parameters too unless ``init_params`` leaves out
    ``"e"`` (a given ``startprob`` or ``transmat`` is always kept).  A parameter whose
    letter ``init_params`` leaves out and that is not given starts from its fitted
    attribute where there is one (set by hand, or left by an earlier fit: hmmlearn's warm
    start)."""
    K = check_settings(model)
    em = copy.deepcopy(model.emission)
    if model.init == "given":
        return given(model, em)
    letters = getattr(model, "init_params", "ste")
    given_pi, given_A, em, warm = _warm_start(model, K, letters, em)
    # as hmmlearn's _needs_init: a parameter is made where its letter is in init_params or
    # it is not given (a given startprob or transmat is kept whatever its letter)
    kept = "e" not in letters
    has_params = emission_states(model.emission) is not None or (kept and _counts(em))
    if kept and has_params:  # EM starts from the emission's given (or fitted) parameters
        em = check_emission(
            em,
            "emission_" if warm else "emission",
            K,
            "with init_params without 'e'",
            "add 'e' to init_params",
        )
    elif has_params:  # hmmlearn warns alike
        warn(
            f"the emission's parameters are given, but init={model.init!r} estimates them "
            "anew from X; pass init='given' (or init_params without 'e') to start EM "
            "from them",
            UserWarning,
        )
    x0 = src.head(INIT_ROWS * 5)
    if getattr(em, "n_symbols", False) is None:  # as hmmlearn: max(X) + 1 over all of X
        top = src.largest()
        if np.isfinite(top) and 0 <= top < 2**31:  # else a batch's check names the value
            em.n_symbols = int(top) + 1
    make = not (kept and has_params)
    if model.init == "kmeans":
        pi, A = np.full(K, 1.0 / K), np.full((K, K), 1.0 / K)
        if make:
            em.initialize(x0, K, rng)
    else:
        pi, A = _random_chain(rng, K)
        if make:
            em.initialize(x0, K, rng)
            em.fit(x0, random_weights(x0, K, rng))
    if make:
        counted(em, "emission")  # refused before fit, not by every call after it
        same = _copies(em, x0, K) if K > 1 else []
        if same:
            warn(
                f"the emission starts with state(s) {same} equal to another (X holds fewer "
                f"distinct rows than n_states={K}?): the chain starts from a random draw, "
                "as hmmlearn's does, so that EM may tell them apart by their transitions. "
                "Fix: use fewer states, or give distinct starting parameters "
                "(init='given').",
                ConvergenceWarning,
            )
            if model.init == "kmeans":  # a uniform chain would keep the copies equal
                pi, A = _random_chain(rng, K)
    pi = given_pi if given_pi is not None else pi
    A = given_A if given_A is not None else A
    return pi, A, em
