"""The passes of inference over batches of sequences, and what goes back to the user.

Forward (scores), forward-backward (posteriors) and Viterbi (paths) run batch by batch
on the current engine; a sequence of probability zero is diagnosed in words (the first
row impossible in every state, or the sequence itself); results with a time axis take
the input's form (:func:`mirror`); :func:`sample_path` draws a chain and its emissions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import engines
from .._validate import error, rows_from
from ._em import fused, log_emissions


def mirror(result: Any, X: Any) -> Any:
    """``result`` in the form of the input ``X``: a state path as a Series named "state"
    (pandas) or an Arrow array, posteriors as a DataFrame / Arrow table with one column
    per state; NumPy for NumPy input and for paths of Arrow files."""
    if isinstance(X, (str, bytes)) or hasattr(X, "__fspath__"):
        return result
    from ..data import origin, restore

    if result.ndim == 1:
        return restore(result, origin(X), name="state")
    return restore(result, origin(X), columns=list(range(result.shape[1])))


def batches(src: Any, em: Any, K: int) -> Iterator[Any]:
    """``(start, stop, lens, log_b)`` per batch of whole sequences."""
    for start, stop, lens in src.iter_batches():
        with rows_from(start):
            log_b = log_emissions(em, src.user_rows(start, stop), K)
        yield start, stop, lens, log_b


class ZeroRow:
    """The first row whose observation has log-density -inf in every state, found only
    when a sequence turns out to have probability zero (the search costs a pass)."""

    def __init__(self, src: Any, em: Any, K: int) -> None:
        self.src, self.em, self.K = src, em, K

    def find(self) -> int | None:
        for start, _stop, _lens, lb in batches(self.src, self.em, self.K):
            dead = np.flatnonzero(~(lb.max(1) > -np.inf))
            if dead.size:
                return int(start) + int(dead[0])
        return None


def zero_probability(src: Any, ll: np.ndarray, zero: ZeroRow) -> str | None:
    """Why some sequence has probability zero (``ll == -inf``), in words, or ``None``."""
    seqs = np.flatnonzero(np.isneginf(ll))
    if not seqs.size:
        return None
    row = zero.find()
    if row is not None:
        value = src.rows(row, row + 1)[0]
        return (
            f"row {row} (value {np.array2string(value, precision=6)}), whose "
            "log-density is -inf in every state (impossible under the model, or "
            "below the double range: a Gaussian's |x - mean| / sd above ~1e154)"
        )
    return (
        f"sequence {int(seqs[0])} of log-likelihood -inf (every state path goes "
        "through a zero start or transition probability, or through a state in which "
        "that step's observation has probability zero, or its log-densities sum below "
        "the double range)"
    )


def refuse_zero(src: Any, ll: np.ndarray, zero: ZeroRow, what: str) -> None:
    """Raise :class:`InputError` when some sequence has probability zero."""
    why = zero_probability(src, ll, zero)
    if why is not None:
        raise error(
            "X",
            f"must have non-zero probability under the model for {what}",
            why,
            "rescale X (e.g. standardise each feature) or remove the outlier "
            "and check the parameters; score() returns -inf with a warning",
        )


def spans_of(src: Any, fused_pass: Any) -> Any:
    """``(start, stop, lengths)`` of each batch; a fused pass on NumPy input takes every
    sequence in one call (it holds no ``(rows, K)`` array, and the rows are a view)."""
    if fused_pass is not None and not src.arrow:
        return [(0, src.n_rows, src.lengths)]
    return src.iter_batches()


def forward(
    log_pi: np.ndarray,
    log_A: np.ndarray,
    em: Any,
    src: Any,
    K: int,
    log_space: bool = False,
    grouping: Any = None,
) -> tuple[np.ndarray, str | None]:
    """``(loglik (n_seq,), why)``: the forward pass (the emission's fused one where it has
    it; in log space where ``log_space``, :mod:`pyjl.hmm._chain`, in batches of
    ``grouping`` where given), and why a sequence has probability zero (``None`` when
    none has)."""
    engine = engines.current()
    ll = np.empty(src.lengths.size)
    s = 0
    zero = ZeroRow(src, em, K)
    fwd = None if log_space else fused(em, "forward_loglik")
    kernel = engine.forward_log if log_space else engine.forward
    spans = src.iter_batches(grouping) if log_space else spans_of(src, fwd)
    for start, stop, lens in spans:
        x = src.user_rows(start, stop)
        if fwd is not None:
            ll[s : s + lens.size] = fwd(x, lens, log_pi, log_A)
        else:  # the log-densities go once the batch is done (the next may reuse them)
            with rows_from(start):
                log_b = log_emissions(em, x, K)
            ll[s : s + lens.size] = kernel(log_pi, log_A, log_b, lens)
        s += lens.size
    return ll, zero_probability(src, ll, zero)


def forward_backward(
    log_pi: np.ndarray, log_A: np.ndarray, em: Any, src: Any, K: int, log_space: bool = False
) -> Any:
    """``(loglik (n_seq,), posteriors (T, K))`` (in log space where ``log_space``); a
    sequence of probability zero raises."""
    engine = engines.current()
    ll = np.empty(src.lengths.size)
    gamma = np.empty((src.n_rows, K))
    s = 0
    zero = ZeroRow(src, em, K)
    kernel = engine.forward_backward_log if log_space else engine.forward_backward
    for start, stop, lens, lb in batches(src, em, K):
        l, g, _ = kernel(log_pi, log_A, lb, lens)
        ll[s : s + lens.size] = l
        s += lens.size
        gamma[start:stop] = g
        del lb, g
    refuse_zero(src, ll, zero, "state posteriors (they are undefined otherwise)")
    return ll, gamma


def viterbi(log_pi: np.ndarray, log_A: np.ndarray, em: Any, src: Any, K: int) -> Any:
    """``(log_prob, path (T,))``: the best path's joint log-probability summed over the
    sequences, and the path (the emission's fused Viterbi where it has it); a sequence of
    probability zero raises."""
    engine = engines.current()
    lps: list[np.ndarray] = []
    zero = ZeroRow(src, em, K)
    vit = fused(em, "viterbi_path")
    spans = list(spans_of(src, vit))
    # one batch: the kernel's path is the result; several: each batch's goes into place
    path = None if len(spans) == 1 else np.empty(src.n_rows, dtype=np.int64)
    for start, stop, lens in spans:
        x = src.user_rows(start, stop)
        if vit is not None:
            p, lp = vit(x, lens, log_pi, log_A)
        else:
            with rows_from(start):
                log_b = log_emissions(em, x, K)
            p, lp = engine.viterbi(log_pi, log_A, log_b, lens)
        if path is None:
            path = np.asarray(p, dtype=np.int64)
        else:
            path[start:stop] = p
        lps.append(np.atleast_1d(np.asarray(lp, dtype=np.float64)))
        del p
    lp = np.concatenate(lps)
    refuse_zero(
        src, lp, zero, "a most likely state path (every path has probability zero otherwise)"
    )
    return float(lp.sum()), path


def sample_path(
    pi: np.ndarray,
    A: np.ndarray,
    em: Any,
    n: int,
    K: int,
    rng: np.random.Generator,
    currstate: int | None,
) -> Any:
    """``(X, states)``: ``n`` steps of a ``K``-state chain (from ``currstate`` if given)
    and one emission draw per step, all from ``rng``."""
    states = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    # normalised: rows set by hand may sum to 1 only within hmmlearn's tolerance, and a
    # draw above a row's sum must not land on a last state of probability zero
    cdf_pi, cdf_A = np.cumsum(pi), np.cumsum(A, axis=1)
    cdf_pi, cdf_A = cdf_pi / cdf_pi[-1], cdf_A / cdf_A[:, -1:]
    s = (
        currstate
        if currstate is not None
        else min(int(np.searchsorted(cdf_pi, u[0], side="right")), K - 1)
    )
    for t in range(n):
        if t > 0:
            s = min(int(np.searchsorted(cdf_A[s], u[t], side="right")), K - 1)
        states[t] = s
    parts = []
    for k in np.unique(states):
        idx = np.flatnonzero(states == k)
        parts.append((idx, np.asarray(em.sample(int(k), idx.size, rng))))
    # one dtype for all states' draws (a mixture of counts and reals is real)
    out = np.empty((n,) + parts[0][1].shape[1:], dtype=np.result_type(*(d for _, d in parts)))
    for idx, draws in parts:
        out[idx] = draws
    return out, states


def stationary(A: np.ndarray) -> np.ndarray:
    """The stationary distribution ``pi = pi A`` of the row-stochastic ``A`` (``(K, K)``):
    the left eigenvector of the largest eigenvalue (1), scaled to sum to 1 -- hmmlearn's
    choice, by the same LAPACK routine, where the chain has several.

    >>> stationary(np.array([[0.9, 0.1], [0.2, 0.8]])).round(6).tolist()
    [0.666667, 0.333333]
    """
    from scipy import linalg

    values, vectors = linalg.eig(A.T)
    v = vectors[:, np.argmax(values)]
    return np.asarray(np.real(v / v.sum()))
