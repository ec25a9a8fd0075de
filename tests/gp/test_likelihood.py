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
