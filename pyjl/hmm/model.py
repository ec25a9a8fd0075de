"""The hidden Markov model: Baum-Welch fitting, scoring, decoding and sampling.

``z_1 ~ startprob``, ``z_t | z_{t-1} = i ~ transmat[i]``, ``x_t | z_t = k ~
emission_k``.  The emission is any object implementing
:class:`pyjl.hmm.Emission`; :class:`HMM` never looks inside it, so swapping
``Normal()`` for ``Exponential()`` (or a user's Student-t) changes nothing
here.  Forward-backward and Viterbi run on the current engine
(``pyjl.engines.current()``); conventions follow hmmlearn (``startprob_``,
``transmat_``, ``monitor_``, ``decode`` returning ``(logprob, states)``,
Dirichlet priors as concentrations, ``aic``/``bic``).  The settings checks and starting
parameters live in ``pyjl.hmm._settings``, the batched inference passes in
``pyjl.hmm._inference``, the E-step and observation sources in ``pyjl.hmm._em``, the
EM loop in ``pyjl.hmm._baum_welch``.

Reference: L. R. Rabiner, "A tutorial on hidden Markov models and selected
applications in speech recognition", Proc. IEEE 77(2), 1989.

>>> import numpy as np
>>> from pyjl.hmm import HMM, Normal
>>> m = HMM(Normal(mean=[0.0, 10.0], var=[1.0, 1.0]), n_states=2, init="given",
...         startprob=[0.5, 0.5], transmat=[[0.9, 0.1], [0.1, 0.9]])
>>> m.predict(np.array([0.1, -0.2, 9.8, 10.3])).tolist()
[0, 0, 1, 1]
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np

from .. import engines
from .._params import Params
from .._validate import check_feature_names, choice, error, feature_names, integer
from .._warn import warn
from ..exceptions import NotFittedError, NumericalWarning
from ._baum_welch import baum_welch
from ._chain import log_route
from ._common import as_obs, emission_states
from ._em import LANES, Source, fused, has_estep, log_emissions
from ._inference import forward, forward_backward, mirror, sample_path, stationary, viterbi
from ._monitor import ConvergenceMonitor
from ._settings import (
    ALGORITHMS,
    check_random_state,
    check_settings,
    fitted,
    given,
    initial_params,
)
from ._settings import transition_matrix as _transmat

__all__ = ["HMM"]

LANE_CAP = 1 << 18  # numbers in a batch's (rows, K) array that fills the SIMD lanes


class HMM(Params):
    """Hidden Markov model with a pluggable emission (see the module docstring).

    The constructor only stores its arguments; ``fit``, ``score``, ``predict``,
    ``sample``, ... validate them (and, when they are used, the given ``startprob``,
    ``transmat`` and emission parameters), raising :class:`~pyjl.exceptions.InputError`
    naming the element (``transmat[1]``, ``emission.rate[2]``).

    ``X`` may be a NumPy array, a pandas Series/DataFrame or an Arrow array/table:
    rows are time steps, columns features.  A Series, a 1-D array and a one-column Arrow
    table or file (a file cannot hold a 1-D array) are read as 1-D: the emission's
    parameters are then ``(n_states,)``; a one-column DataFrame, like a ``(T, 1)`` array,
    gives ``(n_states, 1)``, as hmmlearn's.  Outputs with a time axis take the input's
    form: ``predict`` and ``decode`` give a Series named "state" with the input's index
    (an Arrow array for Arrow input), ``predict_proba`` a DataFrame with the input's
    index and one column per state (an Arrow table); scores stay floats.

    Parameters
    ----------
    emission : Emission
        The distribution of an observation given its state, for all states at once
        (an :class:`~pyjl.hmm.Emission`: ``Normal()``, ``Poisson()``, ... or a user's
        own); ``fit`` works on a copy.
    n_states : int
        The number of hidden states ``K``, ``>= 1``.
    n_iter : int, default 100
        The most EM iterations, ``>= 0``.
    tol : float, default 1e-2
        Convergence threshold on the gain of one iteration in log-likelihood (nats),
        as hmmlearn's, or the rounding of a sum that size where that is larger (see
        :class:`~pyjl.hmm.ConvergenceMonitor`); ``-np.inf`` always runs ``n_iter``
        iterations, ``np.inf`` stops after the second (hmmlearn's readings).
    init : {"kmeans", "random", "given"}, default "kmeans"
        ``"kmeans"``: the emission's data-driven ``initialize`` and uniform start and
        transition probabilities; ``"random"``: Dirichlet start and transition
        probabilities and the emission fitted to random soft assignments;
        ``"given"``: start from the given ``startprob``, ``transmat`` and the
        emission's parameters.  The data-driven inits look at the first 100,000 rows
        (k-means itself at a random 20,000 of them).
    startprob : array-like of shape (n_states,) or None, default None
        Start probabilities (non-negative, summing to 1); a given one is kept by
        every ``init``.
    transmat : array-like of shape (n_states, n_states) or None, default None
        Transition probabilities, ``transmat[i, j] = P(z_t = j | z_{t-1} = i)`` (rows
        non-negative, summing to 1); a given one is kept by every ``init``.
    random_state : None or int or numpy.random.Generator, default None
        Seed of the initialisation and of :meth:`sample` (an integer in ``[0, 2**63)``),
        or a NumPy ``Generator``, ``BitGenerator``, ``SeedSequence`` or legacy
        ``RandomState`` (a seed is drawn from it).
    progress : bool, default False
        Show a tqdm bar of the EM iterations with the log-likelihood.
    startprob_prior : float or array-like of shape (n_states,), default 1.0
        Dirichlet concentrations of the start probabilities, ``>= 0``, hmmlearn's
        meaning: 1 is no prior.
    transmat_prior : float or array-like of shape (n_states, n_states), default 1.0
        Dirichlet concentrations of each row of the transition matrix, ``>= 0``;
        1 is no prior.
    batch_rows : int or None, default None
        Rows of whole sequences per forward-backward batch, ``>= 1``; ``None``:
        ``max(2048, 2**14 / n_states)``, ``2**16`` with a fused E-step (``estep_stats``),
        and eight sequences per thread for the SIMD lanes within ``2**18 / n_states``
        rows.  A batch holds at least one sequence per thread: the memory beyond the
        data is O(K x max(threads x longest sequence, batch rows)).
    params : str, default "ste"
        What EM updates, hmmlearn's ``params``: ``"s"`` the start probabilities, ``"t"``
        the transition probabilities, ``"e"`` the emission's parameters (an emission is
        refitted as a whole: hmmlearn's emission letters ``m``, ``c``, ``w``, ... are all
        ``"e"`` here); what is left out keeps its initial value, e.g. ``params="st"``
        with ``init="given"`` learns the chain of a fixed emission.
    verbose : bool, default False
        Print each EM iteration to ``sys.stderr`` (number, log-likelihood, gain), as
        hmmlearn's ``verbose`` does; ``progress`` draws a bar instead.
    init_params : str, default "ste"
        hmmlearn's, in the letters of ``params``: ``init="kmeans"``/``"random"`` makes
        what is not given and what this names, e.g. ``"st"`` starts EM from the
        emission's given parameters (a given ``startprob`` or ``transmat`` is kept
        whatever its letter); what it leaves out and is not given starts from the fitted
        attribute where there is one (hmmlearn's warm start: ``init_params=""`` on a
        fitted model goes on from where it ended).
    algorithm : {"viterbi", "map"}, default "viterbi"
        The decoder of :meth:`predict` and of :meth:`decode` without ``algorithm``, as
        hmmlearn's.
    implementation : {"log", "scaling"}, default "log"
        hmmlearn's choice of arithmetic, accepted so its code runs unchanged; results do
        not depend on it (pyjl's kernels scale each step and take logarithms where
        scaling underflows, whichever is given).

    Attributes
    ----------
    startprob_ : ndarray of shape (n_states,), dtype float64
        The fitted start probabilities.
    transmat_ : ndarray of shape (n_states, n_states), dtype float64
        The fitted transition probabilities; each row sums to 1.
    emission_ : Emission
        A fitted copy of ``emission``, its parameter arrays with ``n_states`` rows.
    monitor_ : ConvergenceMonitor
        The EM run: ``history`` of log-likelihoods, ``iter``, ``converged``.
    n_features_in_ : int
        The number of features (columns) of ``X`` at ``fit``; 1 for a 1-D ``X``.
    feature_names_in_ : ndarray of str, dtype object
        The column names of a DataFrame or Arrow table ``X`` at ``fit`` (all strings), as
        scikit-learn's: every method that takes ``X`` refuses a table with other columns
        or another order (columns are matched by position).  Absent when ``X`` had none
        (a refit without them removes it).

    The fitted attributes may be set by hand, as in hmmlearn: every use (``score``,
    ``predict``, ``sample``, ...) checks them first, as hmmlearn's ``_check`` does, and
    raises :class:`~pyjl.exceptions.InputError` naming the attribute (``transmat_[1]``
    must sum to 1, ``startprob_`` must have shape ``(n_states,)``, ``emission_.var``).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.hmm import HMM, Normal
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(-3, 1, 200), rng.normal(3, 1, 200)])[:, None]
    >>> model = HMM(Normal(), n_states=2, random_state=0).fit(X)
    >>> s = model.predict(X)
    >>> bool((s[:200] == s[0]).mean() > 0.95 and (s[200:] != s[0]).mean() > 0.95)
    True
    >>> np.round(np.sort(model.transmat_.diagonal()), 2)
    array([0.99, 1.  ])
    """

    monitor_: ConvergenceMonitor  # set by fit (pyjl.hmm._baum_welch)

    def __init__(
        self,
        emission: Any,
        n_states: int,
        n_iter: int = 100,
        tol: float = 1e-2,
        init: str = "kmeans",
        startprob: Any = None,
        transmat: Any = None,
        random_state: Any = None,
        progress: bool = False,
        startprob_prior: Any = 1.0,
        transmat_prior: Any = 1.0,
        batch_rows: int | None = None,
        params: str = "ste",
        verbose: bool = False,
        init_params: str = "ste",
        algorithm: str = "viterbi",
        implementation: str = "log",
    ) -> None:
        self.emission, self.n_states, self.n_iter, self.tol = emission, n_states, n_iter, tol
        self.init, self.random_state, self.progress = init, random_state, progress
        self.startprob, self.transmat = startprob, transmat
        self.startprob_prior, self.transmat_prior = startprob_prior, transmat_prior
        self.batch_rows = batch_rows
        self.params = params
        self.verbose = verbose
        self.init_params = init_params
        self.algorithm, self.implementation = algorithm, implementation

    @property
    def _K(self) -> int:
        return int(self.n_states)

    # -- parameters -------------------------------------------------------------------
    def _params(self, trusted: bool = False) -> Any:
        """``(startprob, transmat, emission)`` fitted (checked: they may have been set by
        hand; ``trusted``: as the M-step left them, inside ``fit``), or given when
        ``init='given'``."""
        if hasattr(self, "startprob_"):
            if trusted:
                return self.startprob_, self.transmat_, self.emission_
            return fitted(self)
        check_settings(self)
        if self.startprob is None or self.transmat is None:
            raise NotFittedError(
                "this HMM is not fitted: call fit(X) first, or give "
                "startprob, transmat and the emission's parameters with "
                "init='given'."
            )
        return given(self, self.emission)

    def _logs(self, trusted: bool = False) -> Any:
        pi, A, em = self._params(trusted)
        with np.errstate(divide="ignore"):
            return np.log(pi), np.ascontiguousarray(np.log(A)), em

    def _check(self, emission: Any) -> Any:
        check = getattr(emission, "check_input", None)
        return check if callable(check) else (lambda X: as_obs(X, "X"))

    def _batch_rows(self, fused: bool = False, lanes: bool = True) -> tuple[int, int, int, int]:
        """``(rows, sequences, fill, cap)`` per batch (``pyjl.hmm._em._group``): the given
        ``batch_rows``; else ``2^16`` rows when the E-step is fused (``fused``: no ``(rows,
        K)`` array) or ``max(2048, 2^14 / K)`` (128 kB per ``(rows, K)`` array for K <= 8);
        a sequence per thread, and for kernels with SIMD lanes (``lanes``; not the
        log-space ones) eight, a block of lanes each, within ``max(rows, 2^18 / K)`` rows
        (2 MB per ``(rows, K)`` array); a longer sequence is always one batch."""
        if self.batch_rows is not None:
            return int(self.batch_rows), 1, 0, 0
        K = self._K
        rows = 1 << 16 if fused else max(2048, (1 << 14) // K)
        threads = engines.get_num_threads()
        if not lanes:
            return rows, threads, 0, 0
        return rows, threads, LANES * threads, max(rows, LANE_CAP // K)

    def _source(self, X: Any, lengths: Any, emission: Any, fused: bool = False) -> Any:
        """The observations of a call after ``fit`` (a table's columns checked against
        ``feature_names_in_``, as scikit-learn's: they are matched by position)."""
        src = self._observations(X, lengths, emission, fused)
        check_feature_names(
            getattr(self, "feature_names_in_", None), src.table if src.arrow else X, "X"
        )
        return src

    def _observations(self, X: Any, lengths: Any, emission: Any, fused: bool = False) -> Any:
        return Source(X, lengths, self._check(emission), *self._batch_rows(fused))

    def _log_space(self, log_pi: np.ndarray, log_A: np.ndarray, em: Any, src: Any) -> bool:
        """Whether the passes over ``src`` run in log space (:mod:`pyjl.hmm._chain`)."""
        return log_route(log_pi, log_A, lambda: log_emissions(em, src.first_rows(), self._K))

    def _forward_backward(self, X: Any, lengths: Any) -> Any:
        log_pi, log_A, em = self._logs()
        src = self._source(X, lengths, em)
        log_space = self._log_space(log_pi, log_A, em, src)
        return forward_backward(log_pi, log_A, em, src, self._K, log_space)

    def _viterbi(self, X: Any, lengths: Any) -> Any:
        log_pi, log_A, em = self._logs()
        src = self._source(X, lengths, em, fused=fused(em, "viterbi_path") is not None)
        return viterbi(log_pi, log_A, em, src, self._K)

    @property
    def n_parameters(self) -> int:
        """Free scalars: ``(K - 1) + K (K - 1)`` plus the emission's."""
        pi, _, em = self._params()
        K = int(pi.size)
        return (K - 1) + K * (K - 1) + int(em.n_parameters)

    # -- fitting ----------------------------------------------------------------------
    def fit(self, X: Any, lengths: Any = None, client: Any = None) -> Self:
        """Baum-Welch over all sequences; returns ``self``.

        ``X``: ``(T,)``/``(T, d)`` array-like, a pyarrow Table (e.g. of a
        memory-mapped Arrow file) or the path of an Arrow file; ``lengths``:
        sequence lengths summing to ``T`` (default: one sequence).  ``client``:
        a ``dask.distributed.Client`` -- each worker holds some sequences, runs
        the E-step on them and returns summed sufficient statistics.
        """
        K = check_settings(self)
        src = self._observations(X, lengths, self.emission, fused=has_estep(self.emission))
        if src.n_rows < K:
            raise error(
                "X",
                f"must have at least n_states={K} observations",
                f"{src.n_rows}",
                "pass more data or fewer states",
            )
        rng = np.random.default_rng(check_random_state(self.random_state))
        pi, A, em = initial_params(self, src, rng)
        # a user's check_input may give (T,) rows of one feature
        shape = (src.table.num_rows, src.table.num_columns) if src.arrow else src.array.shape
        names = feature_names(src.table if src.arrow else X)
        # set up in full before the model changes: a refusal above leaves it as it was
        self.startprob_, self.transmat_, self.emission_ = pi, A, em
        self.n_features_in_ = int(shape[1]) if len(shape) > 1 else 1
        self.__dict__.pop("feature_names_in_", None)  # a refit without names drops them
        if names is not None:  # scikit-learn's attribute: later tables are checked against it
            self.feature_names_in_ = np.array(names, dtype=object)
        baum_welch(self, src, client)
        return self

    # -- inference --------------------------------------------------------------------
    def score_sequences(self, X: Any, lengths: Any = None) -> np.ndarray:
        """Log-likelihood of each sequence, ``(n_seq,)`` (forward pass only).

        A sequence of probability zero in double precision -- an observation impossible
        under every state, or one so far out that its log-density is below the double
        range (``|x - mean| / sd`` above ~1e154 for a Gaussian) -- scores ``-inf`` with a
        :class:`~pyjl.exceptions.NumericalWarning` naming the first such row."""
        log_pi, log_A, em = self._logs()
        fwd = fused(em, "forward_loglik") is not None
        src = self._source(X, lengths, em, fused=fwd)
        log_space = self._log_space(log_pi, log_A, em, src)
        grouping = self._batch_rows(fused=False, lanes=False) if log_space and fwd else None
        ll, why = forward(log_pi, log_A, em, src, self._K, log_space, grouping)
        if why is not None:
            warn(
                f"HMM.score: {int(np.isneginf(ll).sum())} sequence(s) have "
                f"log-likelihood -inf: {why}. Fix: rescale X or remove the "
                "outlier.",
                NumericalWarning,
            )
        return ll

    def score(self, X: Any, lengths: Any = None) -> float:
        """Total log-likelihood ``log p(X)`` over all sequences (``-inf``, with a
        :class:`~pyjl.exceptions.NumericalWarning`, when one has probability zero; see
        :meth:`score_sequences`)."""
        return float(self.score_sequences(X, lengths).sum())

    def score_samples(self, X: Any, lengths: Any = None) -> Any:
        """``(log p(X), posteriors (T, K))`` as hmmlearn; posteriors are undefined for
        a sequence of probability zero, which raises :class:`InputError` naming the row."""
        ll, gamma = self._forward_backward(X, lengths)
        return float(ll.sum()), mirror(gamma, X)

    def predict_proba(self, X: Any, lengths: Any = None) -> Any:
        """State posteriors ``p(z_t = k | X)``, ``(T, K)``, each row summing to 1 (a
        DataFrame with the input's index for pandas input, an Arrow table for Arrow
        input; one column per state).  A sequence of probability zero (see
        :meth:`score_sequences`) raises :class:`InputError` naming the first such row."""
        return mirror(self._forward_backward(X, lengths)[1], X)

    def decode(self, X: Any, lengths: Any = None, algorithm: str | None = None) -> Any:
        """``(log_prob, states)``: Viterbi (joint log-probability of the best path) or
        "map" (per-step argmax of the posteriors; log_prob is ``score``); ``None``: the
        model's ``algorithm``."""
        if algorithm is None:
            algorithm = self.algorithm
        choice(algorithm, "algorithm", ALGORITHMS)
        if algorithm == "viterbi":
            logprob, path = self._viterbi(X, lengths)
        else:
            ll, gamma = self._forward_backward(X, lengths)
            logprob, path = float(ll.sum()), gamma.argmax(1)
        return logprob, mirror(path, X)

    def predict(self, X: Any, lengths: Any = None) -> Any:
        """Most likely states by the model's ``algorithm`` (Viterbi's path by default),
        ``(T,)`` int64 (a Series for pandas input, an Arrow array for Arrow input)."""
        if self.algorithm == "viterbi":
            return mirror(self._viterbi(X, lengths)[1], X)
        return self.decode(X, lengths)[1]

    def sample(
        self, n_samples: int = 1, random_state: Any = None, currstate: int | None = None
    ) -> Any:
        """``(X, states)``: ``n_samples`` steps of the chain and its emissions;
        ``random_state`` ``None`` draws from the model's ``random_state``, as hmmlearn
        (so a model with an integer seed samples the same path every call)."""
        pi, A, em = self._params()
        given = self.random_state if random_state is None else random_state
        rng = np.random.default_rng(check_random_state(given))
        n = integer(n_samples, "n_samples", low=1, high=np.iinfo(np.intp).max // 16)
        if currstate is not None:
            currstate = integer(currstate, "currstate", low=0, high=pi.size - 1)
        if emission_states(em) is None:  # a user's emission: its states read off two draws
            shape = np.shape(em.log_likelihood(em.sample(0, 2, np.random.default_rng(0))))
            if len(shape) == 2 and shape[1] != pi.size:
                raise error(
                    "emission.log_likelihood(X)",
                    f"must return one column per state (n_states={pi.size}), as score reads it",
                    f"shape {shape} for two of its own draws",
                    f"pass n_states={shape[1]}, or an emission of {pi.size} state(s)",
                )
        return sample_path(pi, A, em, n, self._K, rng, currstate)

    def get_stationary_distribution(self) -> np.ndarray:
        """The chain's stationary distribution ``pi = pi transmat_``, ``(n_states,)``
        (hmmlearn's, and its choice among several); needs only ``transmat_`` or ``transmat``."""
        return stationary(_transmat(self))

    def aic(self, X: Any, lengths: Any = None) -> float:
        """Akaike information criterion ``-2 log L + 2 p``."""
        return -2.0 * self.score(X, lengths) + 2.0 * self.n_parameters

    def bic(self, X: Any, lengths: Any = None) -> float:
        """Bayesian information criterion ``-2 log L + p log T``."""
        log_T: float = np.log(self._source(X, lengths, self._params()[2]).n_rows)
        return -2.0 * self.score(X, lengths) + self.n_parameters * log_T

    def __setstate__(self, state: dict[str, Any]) -> None:
        # a model pickled before these settings existed: the defaults they came with
        since = {"params": "ste", "verbose": False, "init_params": "ste"}
        since |= {"algorithm": "viterbi", "implementation": "log"}
        self.__dict__.update({**since, **state})

    def __repr__(self) -> str:
        return (
            f"HMM(emission={self.emission!r}, n_states={self.n_states}, "
            f"n_iter={self.n_iter}, tol={self.tol}, init={self.init!r})"
        )
