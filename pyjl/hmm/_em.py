"""Observation sources, batches of sequences and the E-step of Baum-Welch.

A :class:`Source` holds the observations (a NumPy view, or a pyarrow Table
whose columns may be memory-mapped from an Arrow file) and the sequence
lengths, and hands out *batches*: runs of whole sequences of at most
``batch_rows`` rows (a longer sequence is a batch of its own; a batch has at least
one sequence per thread, and by default eight per thread for the SIMD lanes of the
native kernels while it stays within a cap of rows).  Only one
batch's ``(T_batch, K)`` arrays live at once, so memory beyond the mapped data
is O(K x max(longest sequence, batch_rows)) when the emission has additive
sufficient statistics (``suff_stats``/``fit_stats``); otherwise the posteriors
of every batch are kept and ``emission.fit`` is called once on all of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cached_property
from typing import Any, Self

import numpy as np

from .._validate import describe, error, row, rows_from
from .._warn import warn
from ..data import as_array, origin
from ..exceptions import InputError, NumericalWarning
from ._chain import log_route

LANES = 8  # sequences per SIMD block of the native kernels

__all__ = [
    "Source",
    "has_stats",
    "has_estep",
    "fused",
    "add_stats",
    "estep_batch",
    "Stats",
]


def has_stats(e: Any) -> bool:
    """Whether ``e`` offers the optional additive-statistics members."""
    return (
        callable(getattr(e, "suff_stats", None))
        and callable(getattr(e, "fit_stats", None))
        and getattr(e, "supports_stats", True)
    )


def fused(e: Any, name: str) -> Any:
    """The emission's optional fused pass ``name`` (``estep_stats``, ``forward_loglik``,
    ``viterbi_path``), or ``None`` where it has none or it does not apply
    (``supports_estep`` false)."""
    f = getattr(e, name, None)
    return f if callable(f) and getattr(e, "supports_estep", True) else None


def has_estep(e: Any) -> bool:
    """Whether ``e`` offers the optional fused E-step (``estep_stats``)."""
    return fused(e, "estep_stats") is not None


def add_stats(a: Any, b: Any) -> Any:
    """Element-wise sum of two (nested tuples of) statistics; ``None`` is zero."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, (tuple, list)):
        return tuple(add_stats(x, y) for x, y in zip(a, b))
    return a + b


def _is_arrow(obj: Any) -> bool:
    return (
        type(obj).__module__.partition(".")[0] == "pyarrow"
        and hasattr(obj, "slice")
        and hasattr(obj, "num_rows")
    )


class Source:
    """Observations plus sequence lengths, served batch by batch.

    ``X`` is array-like ``(T,)``/``(T, d)``, a pyarrow Table/RecordBatch or the
    path of an Arrow IPC file (opened memory-mapped).  ``check`` converts and
    validates an array of rows (the emission's ``check_input``).
    """

    def __init__(
        self,
        X: Any,
        lengths: Any,
        check: Any,
        batch_rows: int,
        min_seqs: int = 1,
        fill: int = 0,
        cap: int = 0,
    ) -> None:
        if isinstance(X, (str, os.PathLike)):
            if not os.path.isfile(X):
                raise error(
                    "X",
                    "must be observations (an array, DataFrame or Arrow table) "
                    "or the path of an existing Arrow IPC file",
                    describe(X),
                    "pass the data, or write it with pyjl.data.write_arrow first",
                )
            from ..data import read_arrow

            X = read_arrow(X)
        self.check = check
        self.arrow = _is_arrow(X)
        self.array: Any
        self.table: Any = None
        if self.arrow:
            self.table = X
            self.n_rows = X.num_rows
            self.array = None
        else:
            self.array = check(X)
            self.n_rows = self.array.shape[0]
        # a 1-D input, or a one-column Arrow table (a file cannot hold a 1-D array), is
        # shown to the emission as 1-D; a one-column DataFrame stays 2-D, as NumPy (T, 1)
        self.one_d = X.num_columns == 1 if self.arrow else np.ndim(X) == 1
        self.lengths = _lengths(lengths, self.n_rows)
        self._grouping = (int(batch_rows), int(min_seqs), fill, cap)

    # a fused pass over NumPy input takes every sequence at once: no batches, no offsets
    @cached_property
    def offsets(self) -> np.ndarray:
        """First row of each sequence, and the number of rows, ``(n_seq + 1,)``."""
        return np.concatenate([[0], np.cumsum(self.lengths)])

    @cached_property
    def batches(self) -> list[tuple[int, int]]:
        """``(first, stop)`` sequence numbers of each batch (:func:`_group`)."""
        out: list[tuple[int, int]] = _group(self.lengths, *self._grouping)
        return out

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Validated observations ``[start, stop)`` (a view for NumPy input)."""
        if not self.arrow:
            x: np.ndarray = self.array[start:stop]
            return x
        try:
            with rows_from(start):
                x = self.check(self.table.slice(start, stop - start))
        except InputError as exc:  # pyjl's own messages count from `start`; a user's may not
            exc.add_note(f"(X is checked in batches; this one holds rows {start} to {stop - 1})")
            raise
        return x

    def user_rows(self, start: int, stop: int) -> Any:
        """Rows as the emission's public methods should see them (1-D stays 1-D)."""
        x = self.rows(start, stop)
        return x[:, 0] if self.one_d and x.ndim == 2 and x.shape[1] == 1 else x

    def iter_batches(self, grouping: Any = None) -> Iterator[tuple[int, int, np.ndarray]]:
        """``(start, stop, lengths)`` of each batch of whole sequences (grouped as
        :func:`_group` with the arguments ``grouping`` where given)."""
        groups = self.batches if grouping is None else _group(self.lengths, *grouping)
        for s0, s1 in groups:
            yield int(self.offsets[s0]), int(self.offsets[s1]), self.lengths[s0:s1]

    def largest(self) -> float:
        """The largest observation (NaN for no rows), read column by column for Arrow."""
        if self.n_rows == 0:
            return float("nan")
        if not self.arrow:
            return float(np.max(self.array))
        import pyarrow.compute as pc

        return float(
            max(pc.max(self.table.column(i)).as_py() for i in range(self.table.num_columns))
        )

    def first_rows(self) -> Any:
        """The first row of every sequence, as :meth:`user_rows` gives rows."""
        idx = self.offsets[:-1]
        x = self.array[idx] if not self.arrow else self.check(self.table.take(idx))
        return x[:, 0] if self.one_d and x.ndim == 2 and x.shape[1] == 1 else x

    def head(self, n: int) -> Any:
        """The first ``n`` rows (for initialisation)."""
        return self.user_rows(0, min(n, self.n_rows))

    def all_rows(self) -> Any:
        return self.user_rows(0, self.n_rows)


def _lengths(lengths: Any, n_rows: int) -> np.ndarray:
    if lengths is None:
        return np.array([n_rows], dtype=np.int64)
    fix = "pass one positive integer length per sequence, e.g. lengths=[100, 250]"
    if origin(lengths).kind not in ("numpy", "other"):  # pandas, Arrow: nulls named
        lengths = as_array(lengths, name="lengths", allow_empty=True)
    try:
        L = np.asarray(lengths)
    except (TypeError, ValueError):
        raise error(
            "lengths", "must be a 1-D sequence of integers", describe(lengths), fix
        ) from None
    flags = isinstance(lengths, (list, tuple)) and any(
        isinstance(v, (bool, np.bool_)) for v in lengths
    )  # [True, 29] would read as [1, 29], where [True, True] is refused
    if (
        flags
        or L.ndim != 1
        or L.size == 0
        or L.dtype.kind not in "iuf"
        or (L.dtype.kind == "f" and not np.all(L == np.floor(L)))
    ):
        raise error(
            "lengths", "must be a non-empty 1-D sequence of integers", describe(lengths), fix
        )
    if (L <= 0).any():
        i = int(np.flatnonzero(L <= 0)[0])
        raise error(f"lengths[{i}]", "must be positive (> 0)", L[i].item(), "drop empty sequences")
    L = L.astype(np.int64)
    if L.sum() != n_rows:
        raise error(
            "lengths",
            f"must sum to the number of observations in X ({n_rows})",
            f"a sum of {int(L.sum())}",
            "give one length per sequence so that they add up to len(X)",
        )
    return L


def _group(lengths: Any, batch_rows: int, min_seqs: int = 1, fill: int = 0, cap: int = 0) -> Any:
    """Split sequences into consecutive runs ``(first, stop)`` of at most ``batch_rows``
    rows, except that a run holds at least ``min_seqs`` sequences (one per thread) and,
    while its rows stay within ``cap``, at least ``fill`` (enough to fill every thread's
    SIMD lanes); a run of ``LANES`` or more sequences that is cut short ends on a multiple
    of ``LANES`` (the kernels run the rest one at a time), the rest going to the next."""
    out, start, acc = [], 0, 0
    lens = lengths.tolist()
    i = 0
    while i < len(lens):
        n, k = lens[i], i - start
        if acc and acc + n > batch_rows and k >= min_seqs and not (k < fill and acc + n <= cap):
            keep = k - k % LANES
            if k > LANES and keep >= min_seqs:
                i = start + keep
            out.append((start, i))
            start, acc = i, 0
            continue
        acc += n
        i += 1
    out.append((start, len(lens)))
    return out


class Stats:
    """Sums over batches: log-likelihood, start and transition posteriors, emission stats."""

    def __init__(self, K: int) -> None:
        self.loglik = 0.0
        self.n_possible = 0  # sequences of non-zero probability: those that contribute
        self.start = np.zeros(K)
        self.trans = np.zeros((K, K))
        self.emission: Any = None  # additive emission statistics, or
        self.gammas: list[np.ndarray] = []  # the posteriors of every batch (fallback)
        #: ``(message, category)`` of the warnings raised where these were computed (a
        #: Dask worker), to be issued by the caller
        self.warnings: list[tuple[str, type[Warning]]] = []

    def add(self, other: Stats) -> Self:
        self.loglik += other.loglik
        self.n_possible += other.n_possible
        self.start += other.start
        self.trans += other.trans
        self.emission = add_stats(self.emission, other.emission)
        self.gammas.extend(other.gammas)
        self.warnings.extend(other.warnings)
        return self


def log_emissions(emission: Any, x: np.ndarray, K: int) -> np.ndarray:
    """``emission.log_likelihood(x)`` as a C-contiguous float64 ``(T, K)``; NaN → error."""
    lb = np.ascontiguousarray(emission.log_likelihood(x), dtype=np.float64)
    if lb.shape != (x.shape[0], K):
        raise error(
            "emission.log_likelihood(X)",
            f"must return shape ({x.shape[0]}, {K}), "
            "one row per observation and one column per state",
            f"shape {lb.shape}",
            "return one column per state",
        )
    if np.isnan(lb.max()):  # one cheap pass when clean (a maximum keeps NaN)
        t = int(np.flatnonzero(np.isnan(lb).any(1))[0])
        raise error(
            "emission.log_likelihood(X)",
            "must return no NaN",
            f"NaN at row {row(t)}",
            "check the emission's parameters (a variance of zero?) and the data there",
        )
    return lb


def _total_loglik(ll: np.ndarray) -> float:
    """Sum of per-sequence log-likelihoods; sequences of probability zero are left out,
    with a warning."""
    total = float(ll.sum())
    if not np.isfinite(total) and np.isneginf(ll).any():
        warn(
            f"{int(np.isneginf(ll).sum())} sequence(s) have probability zero under "
            "the current parameters (forbidden transitions or impossible "
            "observations); they do not contribute to this iteration.",
            NumericalWarning,
        )
        total = float(np.where(np.isneginf(ll), 0.0, ll).sum())
    return total


def estep_batch(
    engine: Any,
    log_pi: np.ndarray,
    log_A: np.ndarray,
    emission: Any,
    x: np.ndarray,
    lengths: Any,
    keep_gamma: bool,
    log_space: bool | None = None,
) -> Stats:
    """Forward-backward on one batch and its sufficient statistics (one fused kernel
    call when the emission offers ``estep_stats``; in log space where ``log_space``, or
    where :func:`pyjl.hmm._chain.log_route` says so for this batch when it is ``None``)."""
    K = log_A.shape[0]
    st = Stats(K)
    firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]])  # each sequence's first row
    if log_space is None:
        log_space = log_route(log_pi, log_A, lambda: log_emissions(emission, x[firsts], K))
    if not keep_gamma and not log_space and has_estep(emission):
        ll, st.start, st.trans, st.emission = emission.estep_stats(x, lengths, log_pi, log_A)
    else:
        lb = log_emissions(emission, x, K)
        kernel = engine.forward_backward_log if log_space else engine.forward_backward
        ll, gamma, xi = kernel(log_pi, log_A, lb, lengths)
        del lb
        st.start = gamma[0].copy() if len(lengths) == 1 else gamma[firsts].sum(0)
        st.trans = xi
        if keep_gamma:
            st.gammas.append(gamma)
        else:
            st.emission = emission.suff_stats(x, gamma)
    ll = np.array(ll, dtype=np.float64)
    st.loglik = _total_loglik(ll)
    st.n_possible = int(np.count_nonzero(ll > -np.inf))
    return st
