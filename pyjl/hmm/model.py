"""The hidden Markov model: Baum-Welch fitting, scoring, decoding and sampling.

``z_1 ~ startprob``, ``z_t | z_{t-1} = i ~ transmat[i]``, ``x_t | z_t = k ~
emission_k``.  The emission is any object implementing
:class:`pyjl.hmm.Emission`; :class:`HMM` never looks inside it, so swapping
``Normal()`` for ``Exponential()`` (or a user's Student-t) changes nothing
here.  Forward-backward and Viterbi run on the current engine
(``pyjl.engines.current()``); conventions follow hmmlearn (``startprob_``,
``transmat_``, ``monitor_``, ``decode`` returning ``(logprob, states)``,
Dirichlet priors as concentrations, ``aic``/``bic``).

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

import copy
import numbers
import warnings
from typing import Any, Self

import numpy as np

from .. import engines
from .._validate import boolean, choice, describe, error, integer, real, seed
from ..exceptions import NotFittedError, NumericalWarning
from ._common import INIT_ROWS, as_obs, check_prob_rows, check_values
from ._em import Source, Stats, estep_batch, has_estep, has_stats, log_emissions
from ._monitor import ConvergenceMonitor

__all__ = ["HMM"]

_INITS = ("kmeans", "random", "given")
_PROTOCOL = ("log_likelihood", "fit", "sample", "initialize")


def _random_state(value: Any) -> Any:
    """``None``, a seed in ``[0, 2**63)`` or a NumPy ``Generator``/``SeedSequence``."""
    if isinstance(value, (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)):
        return value
    return seed(value, "random_state")


def _unit_max(counts: np.ndarray) -> Any:
    """Rows of ``counts`` divided by their maximum (so that huge Dirichlet priors do not
    overflow the row sums); all-zero rows stay zero."""
    m = counts.max(-1, keepdims=True)
    return counts / np.where(m > 0, m, 1.0)


def _emission_states(em: Any) -> Any:
    """The number of states the emission's parameters describe, or ``None``."""
    try:
        n = em.n_states
    except (NotFittedError, AttributeError, TypeError, ValueError):
        weights = getattr(em, "weights", None)
        n = np.shape(weights)[0] if weights is not None and np.ndim(weights) == 2 else None
    return n if isinstance(n, (int, np.integer)) else None


def _mirror(result: Any, X: Any) -> Any:
    """``result`` in the form of the input ``X``: a state path as a Series named "state"
    (pandas) or an Arrow array, posteriors as a DataFrame / Arrow table with one column
    per state; NumPy for NumPy input and for paths of Arrow files."""
    if isinstance(X, (str, bytes)) or hasattr(X, "__fspath__"):
        return result
    from ..data import origin, restore

    if result.ndim == 1:
        return restore(result, origin(X), name="state")
    return restore(result, origin(X), columns=list(range(result.shape[1])))


class HMM:
    """Hidden Markov model with a pluggable emission (see the module docstring).

    The constructor only stores its arguments; ``fit``, ``score``, ``predict``,
    ``sample``, ... validate them (and, when they are used, the given ``startprob``,
    ``transmat`` and emission parameters), raising :class:`~pyjl.exceptions.InputError`
    naming the element (``transmat[1]``, ``emission.rate[2]``).

    ``X`` may be a NumPy array, a pandas Series/DataFrame or an Arrow array/table:
    rows are time steps, columns features (a Series or one-column table is
    univariate).  Outputs with a time axis take the input's form: ``predict`` and
    ``decode`` give a Series named "state" with the input's index (an Arrow array for
    Arrow input), ``predict_proba`` a DataFrame with the input's index and one column
    per state (an Arrow table); scores stay floats.

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
    tol : float, default 1e-4
        Convergence threshold on the gain of one iteration, relative to
        ``max(1, |log L|)`` (see :class:`~pyjl.hmm.ConvergenceMonitor`);
        ``-np.inf`` always runs ``n_iter`` iterations.
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
    random_state : None or int or numpy.random.Generator or numpy.random.SeedSequence, default None
        Seed of the initialisation (an integer in ``[0, 2**63)``), or a NumPy
        ``Generator``, ``BitGenerator`` or ``SeedSequence``.
    progress : bool, default False
        Show a tqdm bar of the EM iterations with the log-likelihood.
    startprob_prior : float or array-like of shape (n_states,), default 1.0
        Dirichlet concentrations of the start probabilities, ``>= 0``, hmmlearn's
        meaning: 1 is no prior.
    transmat_prior : float or array-like of shape (n_states, n_states), default 1.0
        Dirichlet concentrations of each row of the transition matrix, ``>= 0``;
        1 is no prior.
    batch_rows : int or None, default None
        Rows of whole sequences per forward-backward batch, ``>= 1``; ``None`` means
        ``max(2048, 2**14 / n_states)``, or ``2**16`` when the emission has a fused
        E-step (``estep_stats``: diagonal Gaussians), which holds no ``(rows, K)``
        array.  A batch holds at least one sequence per thread, so the memory beyond
        the data is O(K x max(threads x longest sequence, batch_rows)).

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

    def __init__(
        self,
        emission: Any,
        n_states: int,
        n_iter: int = 100,
        tol: float = 1e-4,
        init: str = "kmeans",
        startprob: Any = None,
        transmat: Any = None,
        random_state: Any = None,
        progress: bool = False,
        startprob_prior: Any = 1.0,
        transmat_prior: Any = 1.0,
        batch_rows: int | None = None,
    ) -> None:
        self.emission, self.n_states, self.n_iter, self.tol = emission, n_states, n_iter, tol
        self.init, self.random_state, self.progress = init, random_state, progress
        self.startprob, self.transmat = startprob, transmat
        self.startprob_prior, self.transmat_prior = startprob_prior, transmat_prior
        self.batch_rows = batch_rows

    # -- validation (the constructor stores; every call validates) ---------------------
    def _check_settings(self) -> int:
        """Validate the constructor's arguments; returns ``n_states`` as an int."""
        em = self.emission
        if isinstance(em, type) or not all(callable(getattr(em, m, None)) for m in _PROTOCOL):
            raise error(
                "emission",
                f"must be an emission (an object with {', '.join(_PROTOCOL)} and n_parameters)",
                describe(em),
                "pass e.g. pyjl.hmm.Normal() or an object following pyjl.hmm.Emission",
            )
        K = integer(
            self.n_states,
            "n_states",
            low=1,
            fix="pass a whole number of states >= 1, e.g. n_states=3",
        )
        choice(self.init, "init", _INITS)
        integer(self.n_iter, "n_iter", low=0)
        if not (isinstance(self.tol, numbers.Real) and self.tol == -np.inf):
            real(
                self.tol,
                "tol",
                fix="pass a small number such as 1e-4 (or -np.inf to "
                "always run n_iter iterations)",
            )
        if self.batch_rows is not None:
            integer(self.batch_rows, "batch_rows", low=1)
        _random_state(self.random_state)
        boolean(self.progress, "progress")
        for name in ("startprob_prior", "transmat_prior"):
            check_values(
                getattr(self, name),
                name,
                lambda a: a >= 0,
                "must be >= 0 (Dirichlet concentrations; 1 is no prior)",
                f"pass {name}=1.0 for no prior, or larger values",
            )
        return K

    @property
    def _K(self) -> int:
        return int(self.n_states)

    def _given_chain(self, K: int) -> Any:
        """The given ``startprob``/``transmat`` validated (``None`` where not given)."""
        pi = A = None
        if self.startprob is not None:
            pi = check_prob_rows(self.startprob, "startprob", (K,))
            pi = pi / pi.sum()
        if self.transmat is not None:
            A = check_prob_rows(self.transmat, "transmat", (K, K))
            A = A / A.sum(1, keepdims=True)
        return pi, A

    def _given(self, em: Any) -> Any:
        """Validated ``(startprob, transmat, emission)`` for ``init='given'``."""
        K = self._check_settings()
        pi, A = self._given_chain(K)
        if pi is None or A is None:
            name, other = ("startprob", "transmat") if pi is None else ("transmat", "startprob")
            raise error(
                name,
                f"must be given with init='given', as must `{other}`",
                describe(getattr(self, name)),
                "pass both, or use init='kmeans'",
            )
        check = getattr(em, "check_params", None)
        if callable(check):
            check("emission")
        try:
            _ = em.n_parameters
        except (NotFittedError, AttributeError, TypeError) as exc:
            raise error(
                "emission",
                "must hold its parameters with init='given'",
                f"{type(em).__name__} without them ({str(exc).rstrip('.')})",
                "construct the emission with its parameters, or use init='kmeans'",
            ) from None
        n = _emission_states(em)
        if n is not None and n != K:
            raise error(
                "n_states",
                f"must equal the number of states of the emission's parameters ({n})",
                K,
                f"pass n_states={n} or parameters for {K} states",
            )
        return pi, A, em

    # -- parameters -------------------------------------------------------------------
    def _params(self) -> Any:
        """``(startprob, transmat, emission)`` fitted, or given when ``init='given'``."""
        if hasattr(self, "startprob_"):
            return self.startprob_, self.transmat_, self.emission_
        self._check_settings()
        if self.startprob is None or self.transmat is None:
            raise NotFittedError(
                "this HMM is not fitted: call fit(X) first, or give "
                "startprob, transmat and the emission's parameters with "
                "init='given'."
            )
        return self._given(self.emission)

    def _logs(self) -> Any:
        pi, A, em = self._params()
        with np.errstate(divide="ignore"):
            return np.log(pi), np.ascontiguousarray(np.log(A)), em

    def _check(self, emission: Any) -> Any:
        check = getattr(emission, "check_input", None)
        return check if callable(check) else (lambda X: as_obs(X, "X"))

    def _batch_rows(self, fused: bool = False) -> tuple[int, int]:
        """``(rows, sequences)`` per batch: given rows; else ``2^16`` rows when the
        E-step is fused (``fused``: it holds no ``(rows, K)`` array, only per-thread
        buffers of one sequence), or ``max(2048, 2^14 / K)`` rows (at most 128 kB per
        ``(rows, K)`` array for K <= 8, which stays in cache, and a working set no larger
        than hmmlearn's one-sequence-at-a-time); at least one sequence per thread so that
        every thread has its own; a longer sequence is always one batch."""
        if self.batch_rows is not None:
            return int(self.batch_rows), 1
        rows = 1 << 16 if fused else max(2048, (1 << 14) // self._K)
        return rows, engines.get_num_threads()

    def _source(self, X: Any, lengths: Any, emission: Any, fused: bool = False) -> Any:
        return Source(X, lengths, self._check(emission), *self._batch_rows(fused))

    @property
    def n_parameters(self) -> int:
        """Free scalars: ``(K - 1) + K (K - 1)`` plus the emission's."""
        pi, _, em = self._params()
        K = int(pi.size)
        return (K - 1) + K * (K - 1) + int(em.n_parameters)

    # -- fitting ----------------------------------------------------------------------
    def _initialize(self, src: Any, rng: np.random.Generator) -> Any:
        K = self._check_settings()
        em = copy.deepcopy(self.emission)
        if self.init == "given":
            return self._given(em)
        given_pi, given_A = self._given_chain(K)
        x0 = src.head(INIT_ROWS * 5)
        if self.init == "kmeans":
            pi, A = np.full(K, 1.0 / K), np.full((K, K), 1.0 / K)
            em.initialize(x0, K, rng)
        else:
            pi, A = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K), size=K)
            em.initialize(x0, K, rng)
            em.fit(x0, rng.dirichlet(np.full(K, 0.3), size=np.shape(x0)[0]))
        pi = given_pi if given_pi is not None else pi
        A = given_A if given_A is not None else A
        return pi, A, em

    def fit(self, X: Any, lengths: Any = None, client: Any = None) -> Self:
        """Baum-Welch over all sequences; returns ``self``.

        ``X``: ``(T,)``/``(T, d)`` array-like, a pyarrow Table (e.g. of a
        memory-mapped Arrow file) or the path of an Arrow file; ``lengths``:
        sequence lengths summing to ``T`` (default: one sequence).  ``client``:
        a ``dask.distributed.Client`` -- each worker holds some sequences, runs
        the E-step on them and returns summed sufficient statistics.
        """
        K = self._check_settings()
        src = self._source(X, lengths, self.emission, fused=has_estep(self.emission))
        if src.n_rows < K:
            raise error(
                "X",
                f"must have at least n_states={K} observations",
                f"{src.n_rows}",
                "pass more data or fewer states",
            )
        rng = np.random.default_rng(self.random_state)
        pi, A, em = self._initialize(src, rng)
        self.startprob_, self.transmat_, self.emission_ = pi, A, em
        self.monitor_ = ConvergenceMonitor(self.tol, int(self.n_iter))
        runner = None
        if client is not None:
            from ._dask import DaskEStep

            runner = DaskEStep(client, src, self._batch_rows(has_estep(em))[0])
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=self.n_iter, desc="HMM EM", unit="iter")
        try:
            for _ in range(int(self.n_iter)):
                stats = runner.run(self) if runner is not None else self._estep(src)
                objective = stats.loglik + self._log_prior()
                self._mstep(stats, src)
                self.monitor_.report(stats.loglik, objective)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loglik=f"{stats.loglik:.6g}")
                if self.monitor_.converged:
                    break
        finally:
            if bar is not None:
                bar.close()
            if runner is not None:
                runner.close()
        return self

    def _estep(self, src: Any) -> Stats:
        log_pi, log_A, em = self._logs()
        engine = engines.current()
        keep_gamma = not has_stats(em)
        total = Stats(self._K)
        for start, stop, lens in src.iter_batches():
            total.add(
                estep_batch(
                    engine, log_pi, log_A, em, src.user_rows(start, stop), lens, keep_gamma
                )
            )
        return total

    def _log_prior(self) -> float:
        """Dirichlet log-density (up to a constant) of the current start/transition rows."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            terms = [
                (np.asarray(self.startprob_prior, float) - 1.0) * np.log(self.startprob_),
                (np.asarray(self.transmat_prior, float) - 1.0) * np.log(self.transmat_),
            ]
            return float(sum(np.nansum(np.where(np.isfinite(t), t, 0.0)) for t in terms))

    def _mstep(self, stats: Stats, src: Any) -> None:
        pi = np.maximum(np.asarray(self.startprob_prior, float) - 1.0 + stats.start, 0.0)
        pi = _unit_max(np.where(self.startprob_ == 0, 0.0, pi))
        if pi.sum() > 0:
            self.startprob_ = pi / pi.sum()
        T = np.maximum(np.asarray(self.transmat_prior, float) - 1.0 + stats.trans, 0.0)
        T = _unit_max(np.where(self.transmat_ == 0, 0.0, T))
        rows = T.sum(1)
        dead = ~(rows > 0)
        if dead.any():
            warnings.warn(
                f"HMM: no transition out of state(s) {np.flatnonzero(dead).tolist()} "
                "was observed; their transition rows were kept.",
                NumericalWarning,
                stacklevel=3,
            )
        self.transmat_ = np.where(
            dead[:, None], self.transmat_, T / np.where(dead, 1.0, rows)[:, None]
        )
        if stats.gammas:
            self.emission_.fit(src.all_rows(), np.concatenate(stats.gammas))
        else:
            self.emission_.fit_stats(stats.emission)

    # -- inference --------------------------------------------------------------------
    def _batches(self, src: Any, em: Any, zero: Any) -> Any:
        """``(start, stop, lens, log_b)`` per batch; ``zero["row"]`` receives the first row
        whose observation has log-density -inf in every state (``None`` if none)."""
        for start, stop, lens in src.iter_batches():
            lb = log_emissions(em, src.user_rows(start, stop), self._K)
            if zero.get("row") is None:
                dead = np.flatnonzero(~(lb.max(1) > -np.inf))
                zero["row"] = start + int(dead[0]) if dead.size else None
            yield start, stop, lens, lb

    @staticmethod
    def _zero_probability(src: Any, ll: np.ndarray, zero: Any) -> str | None:
        """Why some sequence has probability zero (``ll == -inf``), in words, or ``None``."""
        seqs = np.flatnonzero(np.isneginf(ll))
        if not seqs.size:
            return None
        row = zero.get("row")
        if row is not None:
            value = src.rows(row, row + 1)[0]
            return (
                f"row {row} (value {np.array2string(value, precision=6)}), whose "
                "log-density is -inf in every state (impossible under the model, or "
                "below the double range: a Gaussian's |x - mean| / sd above ~1e154)"
            )
        return (
            f"sequence {int(seqs[0])} of log-likelihood -inf (every state path goes "
            "through a zero start/transition probability, or its log-densities sum "
            "below the double range)"
        )

    def _refuse_zero(self, src: Any, ll: np.ndarray, zero: Any, what: str) -> None:
        why = self._zero_probability(src, ll, zero)
        if why is not None:
            raise error(
                "X",
                f"must have non-zero probability under the model for {what}",
                why,
                "rescale X (e.g. standardise each feature) or remove the outlier "
                "and check the parameters; score() returns -inf with a warning",
            )

    def _forward_backward(self, X: Any, lengths: Any) -> Any:
        log_pi, log_A, em = self._logs()
        src = self._source(X, lengths, em)
        engine = engines.current()
        ll = np.empty(src.lengths.size)
        gamma = np.empty((src.n_rows, self._K))
        s = 0
        zero: dict[str, Any] = {}
        for start, stop, lens, lb in self._batches(src, em, zero):
            l, g, _ = engine.forward_backward(log_pi, log_A, lb, lens)
            ll[s : s + lens.size] = l
            s += lens.size
            gamma[start:stop] = g
        self._refuse_zero(src, ll, zero, "state posteriors (they are undefined otherwise)")
        return ll, gamma

    def score_sequences(self, X: Any, lengths: Any = None) -> np.ndarray:
        """Log-likelihood of each sequence, ``(n_seq,)`` (forward pass only).

        A sequence of probability zero in double precision -- an observation impossible
        under every state, or one so far out that its log-density is below the double
        range (``|x - mean| / sd`` above ~1e154 for a Gaussian) -- scores ``-inf`` with a
        :class:`~pyjl.exceptions.NumericalWarning` naming the first such row."""
        log_pi, log_A, em = self._logs()
        src = self._source(X, lengths, em)
        engine = engines.current()
        ll = np.empty(src.lengths.size)
        s = 0
        zero: dict[str, Any] = {}
        for _start, _stop, lens, lb in self._batches(src, em, zero):
            ll[s : s + lens.size] = engine.forward(log_pi, log_A, lb, lens)
            s += lens.size
        why = self._zero_probability(src, ll, zero)
        if why is not None:
            warnings.warn(
                f"HMM.score: {int(np.isneginf(ll).sum())} sequence(s) have "
                f"log-likelihood -inf: {why}. Fix: rescale X or remove the "
                "outlier.",
                NumericalWarning,
                stacklevel=2,
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
        return float(ll.sum()), _mirror(gamma, X)

    def predict_proba(self, X: Any, lengths: Any = None) -> Any:
        """State posteriors ``p(z_t = k | X)``, ``(T, K)``, each row summing to 1 (a
        DataFrame with the input's index for pandas input, an Arrow table for Arrow
        input; one column per state).  A sequence of probability zero (see
        :meth:`score_sequences`) raises :class:`InputError` naming the first such row."""
        return _mirror(self._forward_backward(X, lengths)[1], X)

    def _viterbi(self, X: Any, lengths: Any) -> Any:
        log_pi, log_A, em = self._logs()
        src = self._source(X, lengths, em)
        engine = engines.current()
        path = np.empty(src.n_rows, dtype=np.int64)
        lps: list[np.ndarray] = []
        zero: dict[str, Any] = {}
        for start, stop, lens, lb in self._batches(src, em, zero):
            p, lp = engine.viterbi(log_pi, log_A, lb, lens)
            path[start:stop] = p
            lps.append(np.atleast_1d(np.asarray(lp, dtype=np.float64)))
        lp = np.concatenate(lps)
        self._refuse_zero(
            src, lp, zero, "a most likely state path (every path has probability zero otherwise)"
        )
        return float(lp.sum()), path

    def decode(self, X: Any, lengths: Any = None, algorithm: str = "viterbi") -> Any:
        """``(log_prob, states)``: Viterbi (joint log-probability of the best path) or
        "map" (per-step argmax of the posteriors; log_prob is ``score``)."""
        choice(algorithm, "algorithm", ("viterbi", "map"))
        if algorithm == "viterbi":
            logprob, path = self._viterbi(X, lengths)
        else:
            ll, gamma = self._forward_backward(X, lengths)
            logprob, path = float(ll.sum()), gamma.argmax(1)
        return logprob, _mirror(path, X)

    def predict(self, X: Any, lengths: Any = None) -> Any:
        """Most likely state path (Viterbi), ``(T,)`` int64 (a Series for pandas input,
        an Arrow array for Arrow input)."""
        return _mirror(self._viterbi(X, lengths)[1], X)

    def sample(
        self, n_samples: int = 1, random_state: Any = None, currstate: int | None = None
    ) -> Any:
        """``(X, states)``: ``n_samples`` steps of the chain and its emissions."""
        pi, A, em = self._params()
        rng = np.random.default_rng(_random_state(random_state))
        n = integer(n_samples, "n_samples", low=1, high=np.iinfo(np.intp).max // 16)
        if currstate is not None:
            currstate = integer(currstate, "currstate", low=0, high=pi.size - 1)
        states = np.empty(n, dtype=np.int64)
        u = rng.random(n)
        cdf_pi, cdf_A = np.cumsum(pi), np.cumsum(A, axis=1)
        s = (
            currstate
            if currstate is not None
            else min(int(np.searchsorted(cdf_pi, u[0], side="right")), self._K - 1)
        )
        for t in range(n):
            if t > 0:
                s = min(int(np.searchsorted(cdf_A[s], u[t], side="right")), self._K - 1)
            states[t] = s
        out = None
        for k in np.unique(states):
            idx = np.flatnonzero(states == k)
            draws = np.asarray(em.sample(int(k), idx.size, rng))
            if out is None:
                out = np.empty((n,) + draws.shape[1:], dtype=draws.dtype)
            out[idx] = draws
        return out, states

    def aic(self, X: Any, lengths: Any = None) -> float:
        """Akaike information criterion ``-2 log L + 2 p``."""
        return -2.0 * self.score(X, lengths) + 2.0 * self.n_parameters

    def bic(self, X: Any, lengths: Any = None) -> float:
        """Bayesian information criterion ``-2 log L + p log T``."""
        log_T: float = np.log(self._source(X, lengths, self._params()[2]).n_rows)
        return -2.0 * self.score(X, lengths) + self.n_parameters * log_T

    def __repr__(self) -> str:
        return (
            f"HMM(emission={self.emission!r}, n_states={self.n_states}, "
            f"n_iter={self.n_iter}, tol={self.tol}, init={self.init!r})"
        )
