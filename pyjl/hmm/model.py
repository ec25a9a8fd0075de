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
import warnings

import numpy as np

from .. import engines
from ..exceptions import InputError, NotFittedError, NumericalWarning
from ._common import INIT_ROWS, as_obs
from ._em import Source, Stats, estep_batch, has_estep, has_stats, log_emissions
from ._monitor import ConvergenceMonitor

__all__ = ["HMM"]

_INITS = ("kmeans", "random", "given")


def _prob_vector(p, K, name, rows=False):
    a = np.array(p, dtype=np.float64)
    shape = (K, K) if rows else (K,)
    if a.shape != shape or not np.isfinite(a).all() or (a < 0).any() or \
            not np.allclose(a.sum(-1), 1.0, atol=1e-8):
        raise InputError(f"`{name}` must be {'a row-stochastic ' if rows else 'a probability '}"
                         f"{'matrix' if rows else 'vector'} of shape {shape} (non-negative, "
                         f"{'rows ' if rows else ''}summing to 1); got {np.shape(p)} with sums "
                         f"{np.round(a.sum(-1), 6) if a.size else a}. Fix: normalise it.")
    return a / a.sum(-1, keepdims=True)


def _mirror(result, X):
    """``result`` in the form of the input ``X`` (NumPy for paths and NumPy input)."""
    if isinstance(X, (str, bytes)) or hasattr(X, "__fspath__"):
        return result
    from ..data import origin, restore
    o = origin(X)
    if o.kind == "dataframe" and result.ndim == 1:
        import pandas as pd
        return pd.Series(result, index=o.index, name="state")
    return restore(result, o, columns=None if result.ndim == 1 else list(range(result.shape[1])))


class HMM:
    """Hidden Markov model with a pluggable emission (see the module docstring).

    Parameters: ``emission`` (an :class:`~pyjl.hmm.Emission`), ``n_states``,
    ``n_iter`` (max EM iterations), ``tol`` (relative convergence threshold,
    see :class:`ConvergenceMonitor`), ``init`` ("kmeans": the emission's
    data-driven ``initialize`` and uniform start/transition probabilities;
    "random": Dirichlet start/transition probabilities and the emission fitted to
    random soft assignments; "given": start from the given parameters -- a
    given ``startprob``/``transmat`` is kept by every init), ``startprob_prior``
    and ``transmat_prior`` (Dirichlet concentrations, hmmlearn's meaning: 1 is
    no prior), ``batch_rows`` (rows of whole sequences per forward-backward
    batch; default ``max(2048, 2**14 / n_states)``, or ``2**16`` when the emission has a
    fused E-step (``estep_stats``: diagonal Gaussians), which holds no ``(rows, K)``
    array; at least one sequence per thread: memory beyond the data is
    O(K x max(threads x longest sequence, batch_rows))),
    ``progress`` (a tqdm bar showing
    the log-likelihood).

    Data-driven initialisation ("kmeans", "random") looks at the first 100,000
    rows (k-means itself on a random 20,000 of them).

    Fitted attributes: ``startprob_ (K,)``, ``transmat_ (K, K)``, ``emission_``
    (a fitted copy of ``emission``), ``monitor_``.

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

    def __init__(self, emission, n_states, n_iter=100, tol=1e-4, init="kmeans",
                 startprob=None, transmat=None, random_state=None, progress=False,
                 startprob_prior=1.0, transmat_prior=1.0, batch_rows=None):
        if not isinstance(n_states, (int, np.integer)) or isinstance(n_states, bool) \
                or n_states < 1:
            raise InputError(f"`n_states` must be a positive integer; got {n_states!r}. "
                             "Fix: pass e.g. n_states=3.")
        if init not in _INITS:
            raise InputError(f"`init` must be one of {_INITS}; got {init!r}.")
        if not (isinstance(n_iter, (int, np.integer)) and n_iter >= 0):
            raise InputError(f"`n_iter` must be a non-negative integer; got {n_iter!r}.")
        self.emission, self.n_states, self.n_iter, self.tol = emission, int(n_states), n_iter, tol
        self.init, self.random_state, self.progress = init, random_state, progress
        K = self.n_states
        self.startprob = None if startprob is None else _prob_vector(startprob, K, "startprob")
        self.transmat = None if transmat is None else _prob_vector(transmat, K, "transmat", True)
        self.startprob_prior, self.transmat_prior = startprob_prior, transmat_prior
        if batch_rows is not None and int(batch_rows) < 1:
            raise InputError(f"`batch_rows` must be a positive integer or None; got "
                             f"{batch_rows!r}.")
        self.batch_rows = batch_rows

    # -- parameters -------------------------------------------------------------------
    def _params(self):
        """``(startprob, transmat, emission)`` fitted, or given when ``init='given'``."""
        if hasattr(self, "startprob_"):
            return self.startprob_, self.transmat_, self.emission_
        if self.startprob is None or self.transmat is None:
            raise NotFittedError("this HMM is not fitted: call fit(X) first, or give "
                                 "startprob, transmat and the emission's parameters with "
                                 "init='given'.")
        return self.startprob, self.transmat, self.emission

    def _logs(self):
        pi, A, em = self._params()
        with np.errstate(divide="ignore"):
            return np.log(pi), np.ascontiguousarray(np.log(A)), em

    def _check(self, emission):
        check = getattr(emission, "check_input", None)
        return check if callable(check) else (lambda X: as_obs(X, "X"))

    def _batch_rows(self, fused=False) -> tuple[int, int]:
        """``(rows, sequences)`` per batch: given rows; else ``2^16`` rows when the
        E-step is fused (``fused``: it holds no ``(rows, K)`` array, only per-thread
        buffers of one sequence), or ``max(2048, 2^14 / K)`` rows (at most 128 kB per
        ``(rows, K)`` array for K <= 8, which stays in cache, and a working set no larger
        than hmmlearn's one-sequence-at-a-time); at least one sequence per thread so that
        every thread has its own; a longer sequence is always one batch."""
        if self.batch_rows is not None:
            return int(self.batch_rows), 1
        rows = 1 << 16 if fused else max(2048, (1 << 14) // self.n_states)
        return rows, engines.get_num_threads()

    def _source(self, X, lengths, emission, fused=False):
        return Source(X, lengths, self._check(emission), *self._batch_rows(fused))

    @property
    def n_parameters(self) -> int:
        """Free scalars: ``(K - 1) + K (K - 1)`` plus the emission's."""
        K = self.n_states
        return (K - 1) + K * (K - 1) + int(self._params()[2].n_parameters)

    # -- fitting ----------------------------------------------------------------------
    def _initialize(self, src, rng):
        K = self.n_states
        em = copy.deepcopy(self.emission)
        if self.init == "given":
            if self.startprob is None or self.transmat is None:
                raise InputError("init='given' needs `startprob` and `transmat`; got "
                                 f"startprob={self.startprob!r}, transmat={self.transmat!r}. "
                                 "Fix: pass both, or use init='kmeans'.")
            try:
                em.n_parameters
            except (NotFittedError, AttributeError, TypeError) as exc:
                raise InputError(f"init='given' needs the emission's parameters; {exc}. "
                                 "Fix: construct the emission with its parameters, or use "
                                 "init='kmeans'.") from None
            return self.startprob.copy(), self.transmat.copy(), em
        x0 = src.head(INIT_ROWS * 5)
        if self.init == "kmeans":
            pi, A = np.full(K, 1.0 / K), np.full((K, K), 1.0 / K)
            em.initialize(x0, K, rng)
        else:
            pi, A = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K), size=K)
            em.initialize(x0, K, rng)
            em.fit(x0, rng.dirichlet(np.full(K, 0.3), size=np.shape(x0)[0]))
        pi = self.startprob.copy() if self.startprob is not None else pi
        A = self.transmat.copy() if self.transmat is not None else A
        return pi, A, em

    def fit(self, X, lengths=None, client=None):
        """Baum-Welch over all sequences; returns ``self``.

        ``X``: ``(T,)``/``(T, d)`` array-like, a pyarrow Table (e.g. of a
        memory-mapped Arrow file) or the path of an Arrow file; ``lengths``:
        sequence lengths summing to ``T`` (default: one sequence).  ``client``:
        a ``dask.distributed.Client`` -- each worker holds some sequences, runs
        the E-step on them and returns summed sufficient statistics.
        """
        src = self._source(X, lengths, self.emission, fused=has_estep(self.emission))
        K = self.n_states
        if src.n_rows < K:
            raise InputError(f"`X` must have at least n_states={K} observations; got "
                             f"{src.n_rows}. Fix: pass more data or fewer states.")
        rng = np.random.default_rng(self.random_state)
        pi, A, em = self._initialize(src, rng)
        self.startprob_, self.transmat_, self.emission_ = pi, A, em
        self.monitor_ = ConvergenceMonitor(self.tol, self.n_iter)
        runner = None
        if client is not None:
            from ._dask import DaskEStep
            runner = DaskEStep(client, src, self._batch_rows(has_estep(em))[0])
        bar = None
        if self.progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=self.n_iter, desc="HMM EM", unit="iter")
        try:
            for _ in range(self.n_iter):
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

    def _estep(self, src) -> Stats:
        log_pi, log_A, em = self._logs()
        engine = engines.current()
        keep_gamma = not has_stats(em)
        total = Stats(self.n_states)
        for start, stop, lens in src.iter_batches():
            total.add(estep_batch(engine, log_pi, log_A, em, src.user_rows(start, stop),
                                  lens, keep_gamma))
        return total

    def _log_prior(self) -> float:
        """Dirichlet log-density (up to a constant) of the current start/transition rows."""
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = [(np.asarray(self.startprob_prior) - 1.0) * np.log(self.startprob_),
                     (np.asarray(self.transmat_prior) - 1.0) * np.log(self.transmat_)]
        return float(sum(np.nansum(np.where(np.isfinite(t), t, 0.0)) for t in terms))

    def _mstep(self, stats: Stats, src) -> None:
        pi = np.maximum(self.startprob_prior - 1.0 + stats.start, 0.0)
        pi = np.where(self.startprob_ == 0, 0.0, pi)
        if pi.sum() > 0:
            self.startprob_ = pi / pi.sum()
        T = np.maximum(self.transmat_prior - 1.0 + stats.trans, 0.0)
        T = np.where(self.transmat_ == 0, 0.0, T)
        rows = T.sum(1)
        dead = ~(rows > 0)
        if dead.any():
            warnings.warn(f"HMM: no transition out of state(s) {np.flatnonzero(dead).tolist()} "
                          "was observed; their transition rows were kept.", NumericalWarning,
                          stacklevel=3)
        self.transmat_ = np.where(dead[:, None], self.transmat_,
                                  T / np.where(dead, 1.0, rows)[:, None])
        if stats.gammas:
            self.emission_.fit(src.all_rows(), np.concatenate(stats.gammas))
        else:
            self.emission_.fit_stats(stats.emission)

    # -- inference --------------------------------------------------------------------
    def _forward_backward(self, X, lengths):
        log_pi, log_A, em = self._logs()
        src = self._source(X, lengths, em)
        engine = engines.current()
        ll = np.empty(src.lengths.size)
        gamma = np.empty((src.n_rows, self.n_states))
        s = 0
        for start, stop, lens in src.iter_batches():
            lb = log_emissions(em, src.user_rows(start, stop), self.n_states)
            l, g, _ = engine.forward_backward(log_pi, log_A, lb, lens)
            ll[s:s + lens.size] = l
            s += lens.size
            gamma[start:stop] = g
        return ll, gamma

    def score_sequences(self, X, lengths=None) -> np.ndarray:
        """Log-likelihood of each sequence, ``(n_seq,)`` (forward pass only)."""
        log_pi, log_A, em = self._logs()
        src = self._source(X, lengths, em)
        engine = engines.current()
        ll = np.empty(src.lengths.size)
        s = 0
        for start, stop, lens in src.iter_batches():
            lb = log_emissions(em, src.user_rows(start, stop), self.n_states)
            ll[s:s + lens.size] = engine.forward(log_pi, log_A, lb, lens)
            s += lens.size
        return ll

    def score(self, X, lengths=None) -> float:
        """Total log-likelihood ``log p(X)`` over all sequences."""
        return float(self.score_sequences(X, lengths).sum())

    def score_samples(self, X, lengths=None):
        """``(log p(X), posteriors (T, K))`` as hmmlearn."""
        ll, gamma = self._forward_backward(X, lengths)
        return float(ll.sum()), gamma

    def predict_proba(self, X, lengths=None) -> np.ndarray:
        """State posteriors ``p(z_t = k | X)``, ``(T, K)`` (a DataFrame for a DataFrame,
        an Arrow table for Arrow input, with the input's index)."""
        return _mirror(self._forward_backward(X, lengths)[1], X)

    def _viterbi(self, X, lengths):
        log_pi, log_A, em = self._logs()
        src = self._source(X, lengths, em)
        engine = engines.current()
        path = np.empty(src.n_rows, dtype=np.int64)
        logprob = 0.0
        for start, stop, lens in src.iter_batches():
            lb = log_emissions(em, src.user_rows(start, stop), self.n_states)
            p, lp = engine.viterbi(log_pi, log_A, lb, lens)
            path[start:stop] = p
            logprob += float(np.sum(lp))
        return logprob, path

    def decode(self, X, lengths=None, algorithm="viterbi"):
        """``(log_prob, states)``: Viterbi (joint log-probability of the best path) or
        "map" (per-step argmax of the posteriors; log_prob is ``score``)."""
        if algorithm == "viterbi":
            return self._viterbi(X, lengths)
        if algorithm == "map":
            ll, gamma = self._forward_backward(X, lengths)
            return float(ll.sum()), gamma.argmax(1)
        raise InputError(f"`algorithm` must be 'viterbi' or 'map'; got {algorithm!r}.")

    def predict(self, X, lengths=None) -> np.ndarray:
        """Most likely state path (Viterbi), ``(T,)`` int64 (a Series for pandas input,
        an Arrow array for Arrow input)."""
        return _mirror(self._viterbi(X, lengths)[1], X)

    def sample(self, n_samples=1, random_state=None, currstate=None):
        """``(X, states)``: ``n_samples`` steps of the chain and its emissions."""
        pi, A, em = self._params()
        rng = np.random.default_rng(random_state)
        n = int(n_samples)
        states = np.empty(n, dtype=np.int64)
        u = rng.random(n)
        cdf_pi, cdf_A = np.cumsum(pi), np.cumsum(A, axis=1)
        s = int(currstate) if currstate is not None else \
            min(int(np.searchsorted(cdf_pi, u[0], side="right")), self.n_states - 1)
        for t in range(n):
            if t > 0:
                s = min(int(np.searchsorted(cdf_A[s], u[t], side="right")), self.n_states - 1)
            states[t] = s
        out = None
        for k in np.unique(states):
            idx = np.flatnonzero(states == k)
            draws = np.asarray(em.sample(int(k), idx.size, rng))
            if out is None:
                out = np.empty((n,) + draws.shape[1:], dtype=draws.dtype)
            out[idx] = draws
        return out, states

    def aic(self, X, lengths=None) -> float:
        """Akaike information criterion ``-2 log L + 2 p``."""
        return -2.0 * self.score(X, lengths) + 2.0 * self.n_parameters

    def bic(self, X, lengths=None) -> float:
        """Bayesian information criterion ``-2 log L + p log T``."""
        T = self._source(X, lengths, self._params()[2]).n_rows
        return -2.0 * self.score(X, lengths) + self.n_parameters * np.log(T)

    def __repr__(self):
        return (f"HMM(emission={self.emission!r}, n_states={self.n_states}, "
                f"n_iter={self.n_iter}, tol={self.tol}, init={self.init!r})")
