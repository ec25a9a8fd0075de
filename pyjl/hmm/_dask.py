"""Baum-Welch across Dask workers by summing sufficient statistics (AllReduce).

The sequences are split into contiguous parts that are scattered to the
workers once.  Every EM iteration broadcasts the current parameters (the
emission object is small), each worker runs forward-backward on its part and
returns a :class:`~pyjl.hmm._em.Stats` (log-likelihood, start and transition
posteriors, the emission's additive statistics), and the statistics are summed
on the cluster before one result comes back to the M-step.  An emission
without ``suff_stats``/``fit_stats`` gets its posteriors back instead and is
fitted once on the client.  ``dask.distributed`` is imported only here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import error, rows_from
from .._warn import collect, warn
from ._chain import log_route
from ._em import Stats, _group, estep_batch, has_stats, log_emissions

__all__ = ["DaskEStep"]


def _part_estep(
    x: np.ndarray,
    first: int,
    lengths: Any,
    log_pi: np.ndarray,
    log_A: np.ndarray,
    emission: Any,
    keep_gamma: bool,
    batch_rows: int,
    log_rows: int,
    backend: str = "native",
) -> Any:
    """The statistics of one part (rows ``first ...`` of the user's data, as messages
    number them), with the pyjl warnings raised on the way: in batches of ``batch_rows``
    rows, or of ``log_rows`` where the part runs in log space (those batches hold
    ``(rows, K)`` arrays); on the engine ``backend``, the one selected where ``fit`` was
    called."""
    from .. import engines

    K = log_A.shape[0]
    total = Stats(K)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    log_space = log_route(log_pi, log_A, lambda: log_emissions(emission, x[offsets[:-1]], K))
    with collect() as kept, engines.use_backend(backend) as engine:
        for s0, s1 in _group(lengths, log_rows if log_space else batch_rows):
            a, b = int(offsets[s0]), int(offsets[s1])
            with rows_from(first + a):
                part = estep_batch(
                    engine,
                    log_pi,
                    log_A,
                    emission,
                    x[a:b],
                    lengths[s0:s1],
                    keep_gamma,
                    log_space,
                )
            total.add(part)
    total.warnings = kept  # each batch's, as the serial E-step issues them
    return total


#: what Dask raises when a worker, and the part of the data it held, is gone
_LOST = ("KilledWorker", "FutureCancelledError", "CancelledError")


def _reduce(*parts: Any) -> Any:
    total = Stats(parts[0].trans.shape[0])
    for p in parts:
        total.add(p)
    return total


class DaskEStep:
    """E-step of an :class:`~pyjl.hmm.HMM` over a ``dask.distributed.Client``."""

    def __init__(self, client: Any, src: Any, batch_rows: int, log_rows: int) -> None:
        if not all(hasattr(client, m) for m in ("scatter", "submit", "scheduler_info")):
            raise error(
                "client",
                "must be a dask.distributed.Client",
                f"{client!r} of type {type(client).__name__}",
                "pass Client(...) (or Client('tcp://host:port') for a running scheduler)",
            )
        if getattr(client, "status", None) in ("closing", "closed"):
            raise error("client", "must be running", "a closed Client", "start a new Client")
        self.client = client
        self.batch_rows, self.log_rows = int(batch_rows), int(log_rows)
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        n_parts = max(1, min(src.lengths.size, 2 * n_workers))
        target = src.n_rows / n_parts
        bounds, acc = [0], 0
        for i, n in enumerate(src.lengths.tolist()):
            acc += n
            if acc >= target * len(bounds) and i + 1 < src.lengths.size:
                bounds.append(i + 1)
        bounds.append(src.lengths.size)
        bounds = sorted(set(bounds))
        self.lengths = [src.lengths[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        rows = [
            (int(src.offsets[a]), int(src.offsets[b])) for a, b in zip(bounds[:-1], bounds[1:])
        ]
        self.firsts = [a for a, _ in rows]
        self.parts = client.scatter([np.ascontiguousarray(src.user_rows(a, b)) for a, b in rows])

    def run(self, model: Any) -> Stats:
        from .. import engines

        backend = engines.get_backend()  # the workers run the E-step on it too
        log_pi, log_A, em = model._logs(trusted=True)
        keep_gamma = not has_stats(em)
        futures = [
            self.client.submit(
                _part_estep,
                x,
                first,
                L,
                log_pi,
                log_A,
                em,
                keep_gamma,
                self.batch_rows,
                self.log_rows,
                backend,
                pure=False,
            )
            for x, first, L in zip(self.parts, self.firsts, self.lengths)
        ]
        try:
            stats: Stats = self.client.submit(_reduce, *futures, pure=False).result()
        except Exception as exc:
            if type(exc).__name__ not in _LOST:
                raise
            raise RuntimeError(
                "HMM.fit: a Dask worker holding some of the sequences was lost during EM "
                f"iteration {len(model.monitor_.history) + 1} ({type(exc).__name__}), and "
                "the sequences it held with it; the model keeps the parameters of the last "
                "finished iteration. Fit again (the data is scattered anew)."
            ) from exc
        for message, category in stats.warnings:  # a worker process would only print them
            warn(message, category)
        return stats

    def close(self) -> None:
        self.parts = []
