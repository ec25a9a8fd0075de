"""The Baum-Welch loop of :meth:`pyjl.hmm.HMM.fit`: E-steps (here, or summed over Dask
workers), M-steps, the convergence monitor and the progress bar, on a model whose
starting parameters ``fit`` has set."""

from __future__ import annotations

from typing import Any

from .. import engines
from .._progress import progress_bar
from .._validate import rows_from
from .._warn import warn
from ..exceptions import NumericalWarning
from ._em import Stats, estep_batch, fused, has_estep, has_stats
from ._inference import spans_of
from ._monitor import ConvergenceMonitor
from ._mstep import log_prior, mstep

__all__ = ["baum_welch", "estep"]


def baum_welch(model: Any, src: Any, client: Any = None) -> None:
    """Run EM on ``model`` (its ``startprob_``, ``transmat_``, ``emission_`` and
    ``n_features_in_`` set) over the observations ``src`` until its monitor converges or
    ``n_iter`` iterations; ``client``: a ``dask.distributed.Client`` whose workers each
    run the E-step on some sequences and return summed sufficient statistics."""
    model.monitor_ = ConvergenceMonitor(model.tol, int(model.n_iter), model.verbose)
    _warn_degenerate(model, src.n_rows * model.n_features_in_)
    runner = None
    if client is not None:
        from ._dask import DaskEStep

        runner = DaskEStep(
            client,
            src,
            model._batch_rows(has_estep(model.emission_))[0],
            model._batch_rows(lanes=False)[0],
        )
    bar = None
    if model.progress:
        bar = progress_bar(total=model.n_iter, desc="HMM EM", unit="iter")
    try:
        shrank = False  # whether the last M-step set a start/transition probability to 0
        for _ in range(int(model.n_iter)):
            stats = runner.run(model) if runner is not None else estep(model, src)
            if stats.n_possible == 0:
                warn(
                    "every sequence has probability zero under the current parameters "
                    "(forbidden transitions or impossible observations): nothing to learn "
                    f"from, so fit stopped after {len(model.monitor_.history)} iteration(s) "
                    "with these parameters; start from others (init='kmeans' or "
                    "'random', or given parameters that allow the data)",
                    NumericalWarning,
                )
                break
            objective = stats.loglik + log_prior(model)
            comparable = not shrank
            shrank = mstep(model, stats, src)
            model.monitor_.report(stats.loglik, objective, comparable=comparable)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loglik=f"{stats.loglik:.6g}")
            if model.monitor_.converged:
                break
    finally:
        if bar is not None:
            bar.close()
        if runner is not None:
            runner.close()


def estep(model: Any, src: Any) -> Stats:
    """The summed sufficient statistics of ``src`` under the model's current parameters,
    batch by batch on the current engine."""
    log_pi, log_A, em = model._logs(trusted=True)
    engine = engines.current()
    keep_gamma = not has_stats(em)
    total = Stats(model._K)
    log_space = model._log_space(log_pi, log_A, em, src)
    if keep_gamma:
        spans = src.iter_batches()
    elif log_space:  # (rows, K) arrays: batches of the unfused size
        spans = src.iter_batches(model._batch_rows(fused=False, lanes=False))
    else:  # a fused E-step takes NumPy input whole
        spans = spans_of(src, fused(em, "estep_stats"))
    for start, stop, lens in spans:
        x = src.user_rows(start, stop)
        with rows_from(start):
            total.add(estep_batch(engine, log_pi, log_A, em, x, lens, keep_gamma, log_space))
    return total


def _warn_degenerate(model: Any, n_values: int) -> None:
    """hmmlearn's warning when EM would fit more free scalars (of those ``params``
    updates) than the data holds values: the maximum is degenerate (a variance collapses
    onto a point, the log-likelihood grows without bound)."""
    K, letters = model._K, model.params
    n = ("s" in letters) * (K - 1) + ("t" in letters) * K * (K - 1)
    try:
        n += ("e" in letters) * int(model.emission_.n_parameters)
    except Exception:  # noqa: BLE001 - a user's emission: named where it is used (score)
        return
    if n > n_values:
        warn(
            f"Fitting a model with {n} free scalar parameters with only {n_values} data "
            "points will result in a degenerate solution.",
            NumericalWarning,
        )
