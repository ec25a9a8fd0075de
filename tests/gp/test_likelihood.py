"""BLAS thread policy of the hyperparameter optimiser (pyjl.gp.likelihood)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import pyjl
from pyjl import _config
from pyjl.gp.likelihood import blas_threads, free_cores

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads():
    return [
        lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"
    ]


def test_free_cores_is_between_one_and_the_usable_cores():
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert 1 <= free_cores() <= cores


def test_free_cores_counts_out_the_load_this_process_made(monkeypatch):
    # two cores, both kept busy by this process for two minutes: the load average reads
    # about 1.9, all of it ours, so both cores are free for the next call; the same load
    # from other work (this process idle) leaves one
    from pyjl.gp import likelihood

    clock = {"t": 1000.0, "cpu": 50.0}
    monkeypatch.setattr(likelihood.time, "monotonic", lambda: clock["t"])
    monkeypatch.setattr(likelihood.time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(likelihood.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(likelihood.os, "getloadavg", lambda: (1.9, 1.5, 1.0))
    monkeypatch.setattr(likelihood, "_OWN", {"t": -1.0, "cpu": 0.0, "load": 1.0})
    assert free_cores() == 1  # the first call counts this process as one core
    clock["t"] += 120.0
    clock["cpu"] += 240.0
    assert free_cores() == 2
    own = likelihood._OWN["load"]
    assert own == pytest.approx(np.exp(-2.0) * 1.0 + (1 - np.exp(-2.0)) * 2.0)
    clock["t"] += 600.0  # ten idle minutes: the same load average is other work
    assert free_cores() == 1


def test_large_problems_follow_pyjl_num_threads():
    try:
        pyjl.set_num_threads(1)
        with blas_threads(5000):
            assert all(t == 1 for t in _blas_threads())
    finally:
        _config.clear("num_threads")


def test_small_problems_factorise_on_one_blas_thread_and_the_setting_comes_back(rng):
    before = _blas_threads()
    with blas_threads(100):
        assert all(t == 1 for t in _blas_threads())
        A = rng.standard_normal((50, 50))
        np.linalg.cholesky(A @ A.T + 50 * np.eye(50))
    assert _blas_threads() == before


def test_large_problems_never_raise_the_blas_threads_and_the_setting_comes_back():
    before = _blas_threads()
    with blas_threads(5000):
        assert all(t <= b for t, b in zip(_blas_threads(), before))
    assert _blas_threads() == before
