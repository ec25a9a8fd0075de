"""Scale: memory-mapped Arrow input with bounded memory, pandas input, batches, threads,
and a Dask LocalCluster summing sufficient statistics across workers."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import pyjl
from pyjl import _config
from pyjl.data import read_arrow, write_arrow
from pyjl.hmm import HMM, MvNormal, Normal, Poisson

A3 = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8]])


def _data(n_seq, length, d=None, seed=0):
    em = (
        Normal([0.0, 3.0, 6.0], [1.0, 1.0, 1.0])
        if d is None
        else MvNormal(np.arange(3)[:, None] * np.full((3, d), 3.0), np.ones((3, d)), "diag")
    )
    truth = HMM(em, 3, init="given", startprob=[0.4, 0.3, 0.3], transmat=A3)
    return truth.sample(n_seq * length, random_state=seed)[0], [length] * n_seq


def _fit(X, lengths, **kw):
    return HMM(Normal(), 3, n_iter=8, tol=-np.inf, random_state=0, **kw).fit(X, lengths)


def test_arrow_file_matches_numpy_and_batches_do_not_matter(tmp_path):
    X, L = _data(40, 500)
    path = write_arrow(tmp_path / "x.arrow", {"x": X})
    ref = _fit(X, L)
    for src in (path, read_arrow(path)):
        m = _fit(src, L, batch_rows=1500)
        np.testing.assert_allclose(m.monitor_.history, ref.monitor_.history, rtol=1e-11)
        np.testing.assert_allclose(m.emission_.mean, ref.emission_.mean, rtol=1e-10)
        np.testing.assert_allclose(m.transmat_, ref.transmat_, rtol=1e-10)
    m = HMM(Normal(), 3, n_iter=8, tol=-np.inf, random_state=0, batch_rows=1)
    m.fit(X, L)  # one sequence per batch
    np.testing.assert_allclose(m.monitor_.history, ref.monitor_.history, rtol=1e-11)
    np.testing.assert_array_equal(ref.predict(path, L), ref.predict(X, L))
    assert ref.score(read_arrow(path), L) == pytest.approx(ref.score(X, L), rel=1e-12)


def test_memory_stays_bounded_by_the_batch(tmp_path):
    n_seq, length, K = 200, 2000, 3
    X, L = _data(n_seq, length, seed=1)
    path = write_arrow(tmp_path / "big.arrow", {"x": X})
    del X
    table = read_arrow(path)
    m = HMM(Normal(), K, n_iter=3, tol=-np.inf, random_state=0, batch_rows=10_000)
    tracemalloc.start()
    try:
        m.fit(table, L)
        m.score(table, L)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    full = n_seq * length * K * 8  # one (T, K) float64 array
    assert peak < 0.5 * full, f"peak {peak / 1e6:.1f} MB vs one (T, K) array {full / 1e6:.1f} MB"


def test_pandas_and_lists_are_accepted(rng):
    pd = pytest.importorskip("pandas")
    X, L = _data(4, 300, d=2)
    ref = HMM(MvNormal(covariance_type="diag"), 3, n_iter=5, random_state=0).fit(X, L)
    df = pd.DataFrame(X, columns=["a", "b"])
    m = HMM(MvNormal(covariance_type="diag"), 3, n_iter=5, random_state=0).fit(df, L)
    np.testing.assert_allclose(m.emission_.mean, ref.emission_.mean)
    counts = rng.poisson(3.0, size=50).tolist()
    assert np.isfinite(HMM(Poisson(), 2, n_iter=3, random_state=0).fit(counts).score(counts))


def test_threads_do_not_change_the_fit():
    X, L = _data(60, 200)
    out = []
    for n in (1, 2):
        pyjl.set_num_threads(n)
        try:
            out.append(_fit(X, L))
        finally:
            _config.clear("num_threads")  # back to the default
    np.testing.assert_allclose(out[0].monitor_.history, out[1].monitor_.history, rtol=1e-12)
    np.testing.assert_allclose(out[0].emission_.var, out[1].emission_.var, rtol=1e-12)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_many_short_sequences_need_no_more_memory_than_hmmlearn(n_threads):
    # the default batch (about 2^14 / K rows, at least one sequence per thread) keeps
    # the working set of 100 sequences of 1,000 at or below hmmlearn's
    # one-sequence-at-a-time peak, while each thread still gets its own sequence
    hmmlearn = pytest.importorskip("hmmlearn.hmm")
    if pyjl.get_backend() != "native":
        pytest.skip("measures the native engine's buffers")
    import pyjl._native.hmm as kernels

    K, d, lengths = 4, 3, [1000] * 100
    X, _ = _data(100, 1000, d=d)
    A = np.full((K, K), 0.1 / (K - 1)) + np.eye(K) * (0.9 - 0.1 / (K - 1))
    mu = np.linspace(0, 6, K)[:, None].repeat(d, 1)

    def ours():
        return HMM(
            MvNormal(mu.copy(), np.ones((K, d)), "diag"),
            K,
            n_iter=3,
            tol=-np.inf,
            init="given",
            startprob=np.full(K, 1 / K),
            transmat=A,
        )

    def peer():
        model = hmmlearn.GaussianHMM(
            K, "diag", n_iter=3, tol=-np.inf, init_params="", implementation="scaling"
        )
        model.startprob_, model.transmat_, model.means_, model.covars_ = (
            np.full(K, 1 / K),
            A,
            mu.copy(),
            np.ones((K, d)),
        )
        return model

    peaks, fitted = [], []
    pyjl.set_num_threads(n_threads)
    try:
        for make in (ours, peer):
            make().fit(X, lengths)  # warm-up: one-time imports and caches are not the peak
            vars(kernels._scratch_local).clear()  # count pyjl's reused buffers too
            model = make()
            tracemalloc.start()
            try:
                fitted.append(model.fit(X, lengths))
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
    finally:
        _config.clear("num_threads")  # back to the default
    assert peaks[0] <= peaks[1], f"peak {peaks[0] / 1e6:.2f} MB vs hmmlearn {peaks[1] / 1e6:.2f}"
    np.testing.assert_allclose(
        fitted[0].monitor_.history[-1], fitted[1].monitor_.history[-1], rtol=1e-9
    )


@pytest.mark.parametrize("n_threads", [1, 2])
def test_decoding_many_short_sequences_needs_no_more_memory_than_hmmlearn(rng, n_threads):
    # 100 sequences of 1,000 at K = 16 decode eight at a time in lanes: their scratch
    # (one-byte back-pointers, not a lattice of doubles) stays under hmmlearn's peak
    # beside the int64 path both return
    hmmlearn = pytest.importorskip("hmmlearn.hmm")
    if pyjl.get_backend() != "native":
        pytest.skip("measures the native engine's buffers")
    import pyjl._native.hmm as kernels

    K, d, lengths = 16, 3, [1000] * 100
    mu = rng.normal(size=(K, d)) * 3
    X = mu[rng.integers(0, K, size=2000).repeat(50)] + rng.normal(size=(100_000, d))
    A = np.full((K, K), 0.2 / (K - 1)) + np.eye(K) * (0.8 - 0.2 / (K - 1))
    pi = np.full(K, 1 / K)
    ours = HMM(MvNormal(mu, np.ones((K, d)), "diag"), K, init="given", startprob=pi, transmat=A)
    peer = hmmlearn.GaussianHMM(K, "diag", init_params="", implementation="scaling")
    peer.startprob_, peer.transmat_, peer.means_, peer.covars_ = pi, A, mu, np.ones((K, d))
    peaks, paths = [], []
    pyjl.set_num_threads(n_threads)
    try:
        for model in (ours, peer):
            model.predict(X, lengths)  # warm-up: one-time imports and caches
            vars(kernels._scratch_local).clear()  # count pyjl's reused buffers too
            tracemalloc.start()
            try:
                paths.append(model.predict(X, lengths))
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
    finally:
        _config.clear("num_threads")  # back to the default
    np.testing.assert_array_equal(paths[0], paths[1])
    assert peaks[0] <= peaks[1], f"peak {peaks[0] / 1e6:.2f} MB vs hmmlearn {peaks[1] / 1e6:.2f}"


class _NoStats(Normal):
    """A Normal hiding its optional statistics: the HMM must fall back to fit(X, gamma)."""

    supports_stats = False


def test_emission_without_statistics_falls_back_to_fit(tmp_path):
    X, L = _data(10, 300)
    a = HMM(Normal(), 3, n_iter=6, tol=-np.inf, random_state=0, batch_rows=700).fit(X, L)
    b = HMM(_NoStats(), 3, n_iter=6, tol=-np.inf, random_state=0, batch_rows=700).fit(X, L)
    np.testing.assert_allclose(a.monitor_.history, b.monitor_.history, rtol=1e-11)
    c = HMM(_NoStats(), 3, n_iter=6, tol=-np.inf, random_state=0, batch_rows=700)
    c.fit(write_arrow(tmp_path / "x.arrow", {"x": X}), L)
    np.testing.assert_allclose(c.monitor_.history, a.monitor_.history, rtol=1e-11)


@pytest.mark.slow
def test_dask_local_cluster_sums_statistics():
    distributed = pytest.importorskip("distributed")
    X, L = _data(12, 400, d=2, seed=3)
    ref = HMM(MvNormal(covariance_type="full"), 3, n_iter=6, tol=-np.inf, random_state=0)
    ref.fit(X, L)
    fallback_ref = HMM(_NoStats(), 3, n_iter=4, tol=-np.inf, random_state=0).fit(X[:, 0], L)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        m = HMM(MvNormal(covariance_type="full"), 3, n_iter=6, tol=-np.inf, random_state=0)
        m.fit(X, L, client=client)
        f = HMM(_NoStats(), 3, n_iter=4, tol=-np.inf, random_state=0)
        f.fit(X[:, 0], L, client=client)
    np.testing.assert_allclose(m.monitor_.history, ref.monitor_.history, rtol=1e-11)
    np.testing.assert_allclose(m.emission_.cov, ref.emission_.cov, rtol=1e-9)
    np.testing.assert_allclose(m.transmat_, ref.transmat_, rtol=1e-9)
    np.testing.assert_allclose(f.monitor_.history, fallback_ref.monitor_.history, rtol=1e-11)


def test_outputs_mirror_pandas_and_arrow_inputs():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    X, L = _data(2, 200)
    m = _fit(X, L)
    idx = pd.date_range("2024-01-01", periods=X.size, freq="h")
    s = pd.Series(X, index=idx, name="x")
    states = m.predict(s, L)
    assert isinstance(states, pd.Series) and states.index.equals(idx)
    np.testing.assert_array_equal(states.to_numpy(), m.predict(X, L))
    proba = m.predict_proba(pd.DataFrame({"x": X}, index=idx), L)
    assert isinstance(proba, pd.DataFrame) and proba.shape == (X.size, 3)
    assert proba.index.equals(idx)
    table = pa.table({"x": X})
    assert isinstance(m.predict(table, L), pa.Array)
    assert isinstance(m.predict(X, L), np.ndarray)


def test_a_bad_row_of_an_arrow_table_is_named_by_its_row_in_the_table():
    # Arrow input is checked batch by batch; the message names the row in X, not in the batch
    import pyarrow as pa

    from pyjl.exceptions import InputError

    X, L = _data(40, 1000)
    m = HMM(Normal(), 2, n_iter=2, random_state=0, batch_rows=1500).fit(X, L)
    X[30_001] = np.nan
    for call in ("predict_proba", "predict", "score"):
        for data in (X, pa.table({"x": X})):
            with pytest.raises(InputError, match=r"(row|index) 30001\b"):
                getattr(m, call)(data, L)


def test_a_bad_count_in_a_later_batch_is_named_by_its_row_and_column_in_the_table():
    # the position comes from the check itself (rows counted from the batch's first row)
    import pyarrow as pa

    from pyjl.exceptions import InputError

    rng = np.random.default_rng(0)
    X = rng.poisson([2.0, 5.0], size=(40_000, 2)).astype(float)
    L = [1000] * 40
    m = HMM(
        Poisson([[1.0, 2.0], [4.0, 6.0]]),
        2,
        init="given",
        startprob=[0.5, 0.5],
        transmat=[[0.9, 0.1], [0.1, 0.9]],
        batch_rows=1500,
    )
    X[30_001, 1] = -3.0
    for data, column in ((X, "1"), (pa.table({"a": X[:, 0], "b": X[:, 1]}), "'b'")):
        with pytest.raises(InputError, match=rf"got -3 at row 30001, column {column}"):
            m.score(data, L)


def test_an_emissions_own_refusal_in_a_later_batch_says_which_rows_were_checked():
    import pyarrow as pa

    from pyjl.exceptions import InputError

    class Picky(Normal):
        def check_input(self, X):
            x = super().check_input(X)
            if (x > 100).any():
                raise InputError("`X` must stay below 100 (Picky)")
            return x

    X, L = _data(40, 1000)
    m = HMM(
        Picky([0.0, 3.0, 6.0], [1.0, 1.0, 1.0]),
        3,
        init="given",
        startprob=[0.4, 0.3, 0.3],
        transmat=A3,
        batch_rows=1500,
    )
    X[30_001] = 500.0
    with pytest.raises(InputError) as info:
        m.score(pa.table({"x": X}), L)
    start = int(info.value.__notes__[0].split("rows ")[1].split(" ")[0])
    assert start <= 30_001 < start + 40_000 and start > 0
