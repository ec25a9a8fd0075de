"""pyjl._threads.thread_limit against threadpoolctl's own report of the thread pools."""

from __future__ import annotations

import contextlib
import sys

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from pyjl import _threads


def counts(user_api: str) -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == user_api]


@pytest.mark.parametrize("user_api", ["blas", "openmp"])
def test_limits_inside_and_restores_after(user_api):
    pytest.importorskip("sklearn.ensemble")  # loads an OpenMP runtime
    if not counts(user_api):
        pytest.skip(f"no {user_api} library loaded")
    with threadpool_limits(2, user_api=user_api):  # a known starting point above 1
        before = counts(user_api)
        with _threads.thread_limit(1, user_api):
            assert counts(user_api) == [1] * len(before)
        assert counts(user_api) == before


def test_no_op_when_already_within_the_limit():
    with threadpool_limits(1, user_api="blas"):
        assert isinstance(_threads.thread_limit(1), contextlib.nullcontext)
        assert isinstance(_threads.thread_limit(4), contextlib.nullcontext)


def test_controller_is_reused_until_a_new_import(monkeypatch):
    first = _threads._controller()
    assert _threads._controller() is first
    monkeypatch.setitem(sys.modules, "pyjl_threads_test_dummy", None)
    assert _threads._controller() is not first
