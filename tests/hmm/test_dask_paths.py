"""HMM.fit over Dask worker processes tells the caller what the serial fit tells it: the
warnings raised on the workers (a worker process would only print them) and the rows of
the user's data that an error names (each worker counted from its own part's start)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pyjl.exceptions import InputError, NumericalWarning
from pyjl.hmm import HMM, Categorical, Normal

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _zero_probability_model():
    return HMM(
        Categorical(probs=np.array([[1.0, 0.0], [0.5, 0.5]])),
        2,
        init="given",
        startprob=np.array([1.0, 0.0]),
        transmat=np.eye(2),
        n_iter=2,
        params="st",
    )


@pytest.mark.slow
def test_a_workers_warning_reaches_the_caller(client):
    X = np.r_[np.zeros(50), np.ones(50)].astype(int).reshape(-1, 1)
    with warnings.catch_warnings(record=True) as serial:
        warnings.simplefilter("always")
        _zero_probability_model().fit(X, [50, 50])
    with warnings.catch_warnings(record=True) as dask:
        warnings.simplefilter("always")
        _zero_probability_model().fit(X, [50, 50], client=client)
    said = {str(w.message) for w in serial if issubclass(w.category, NumericalWarning)}
    assert any("probability zero" in m for m in said)
    assert said <= {str(w.message) for w in dask if issubclass(w.category, NumericalWarning)}


class _NaNAt(Normal):
    """Returns NaN densities for an observation of 999 (a broken emission)."""

    def log_likelihood(self, X):
        out = super().log_likelihood(X)
        out[np.asarray(X)[:, 0] == 999.0] = np.nan
        return out


@pytest.mark.slow
def test_an_error_on_a_worker_names_the_row_of_the_users_data(client):
    X = np.random.default_rng(0).standard_normal((1000, 1))
    X[905] = 999.0
    model = HMM(
        _NaNAt([[0.0], [1.0]], [[1.0], [1.0]]),
        2,
        init="given",
        startprob=[0.5, 0.5],
        transmat=[[0.9, 0.1], [0.1, 0.9]],
        n_iter=1,
        params="st",
    )
    for kw in ({}, {"client": client}):
        with pytest.raises(InputError, match="row 905"):
            model.fit(X, [100] * 10, **kw)


def test_client_must_be_a_running_dask_client():
    X = np.random.default_rng(0).standard_normal((40, 1))
    with pytest.raises(InputError, match="`client` must be a dask.distributed.Client"):
        HMM(Normal(), 2, n_iter=1).fit(X, client="tcp://127.0.0.1:1")
    closed = distributed.Client(processes=False, n_workers=1, dashboard_address=None)
    closed.close()
    with pytest.raises(InputError, match="`client` must be running"):
        HMM(Normal(), 2, n_iter=1).fit(X, client=closed)


@pytest.mark.slow
def test_a_part_lost_with_its_worker_is_a_clear_error(client):
    from pyjl.hmm._dask import DaskEStep

    X = np.random.default_rng(0).standard_normal((400, 1))
    model = HMM(Normal(), 2, n_iter=2, random_state=0).fit(X, [100] * 4)
    step = DaskEStep(client, model._observations(X, [100] * 4, model.emission_), 1000, 1000)
    client.cancel(step.parts)  # what a worker's death does to the data it held
    with pytest.raises(RuntimeError, match="worker holding some of the sequences was lost"):
        step.run(model)


@pytest.mark.slow
def test_the_workers_run_the_engine_selected_where_fit_is_called():
    # the workers ran their own default engine (native) whatever use_backend said
    import pyjl
    from pyjl import engines
    from pyjl.engines.native import NativeEngine

    calls: list[int] = []

    class Counting(NativeEngine):
        def forward_backward(self, *args, **kwargs):
            calls.append(1)
            return super().forward_backward(*args, **kwargs)

    class Unfused(Normal):
        supports_estep = False  # the E-step through forward_backward

    X = np.random.default_rng(0).normal(size=(400, 1))
    engines.register("counting", Counting)
    try:
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as threads,
            pyjl.use_backend("counting"),
        ):
            serial = HMM(Unfused(), 2, n_iter=3, random_state=0).fit(X, [100] * 4)
            n_serial, calls[:] = len(calls), []
            dask = HMM(Unfused(), 2, n_iter=3, random_state=0).fit(X, [100] * 4, client=threads)
        assert n_serial > 0 and len(calls) > 0
        np.testing.assert_allclose(dask.monitor_.history, serial.monitor_.history, rtol=1e-12)
    finally:
        engines.registry._factories.pop("counting")
        engines.registry._instances.pop("counting", None)
