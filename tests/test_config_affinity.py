"""The default thread bound follows the calling thread's CPU affinity (os.sched_setaffinity).

The count is kept per thread for ``_config.AFFINITY_TTL`` seconds; a change is seen
once that has passed, or at once after ``clear("num_threads")`` (``pyjl.set_num_threads``
is undone that way).  Each check runs in a thread of its own: the affinity set there
is that thread's, and ends with it.
"""

import os
import threading
import time

import pytest

from pyjl import _config
from pyjl.engines import native

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs CPU affinity and at least 2 usable cores",
)


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    monkeypatch.delenv("PYJL_NUM_THREADS", raising=False)
    _config.clear("num_threads")
    yield
    _config.clear("num_threads")


def in_thread(work):
    """Run ``work()`` in a new thread; return its result or raise its error."""
    out = {}

    def run():
        try:
            out["value"] = work()
        except BaseException as exc:  # handed to the caller
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def wait_past_ttl():
    time.sleep(2 * _config.AFFINITY_TTL)


def test_a_narrower_affinity_is_seen_once_the_ttl_passed():
    cores = sorted(os.sched_getaffinity(0))

    def work():
        before = _config.get("num_threads")
        os.sched_setaffinity(0, cores[:1])
        wait_past_ttl()
        after = native._threads()
        os.sched_setaffinity(0, cores)
        wait_past_ttl()
        return before, after, native._threads()

    assert in_thread(work) == (len(cores), 1, len(cores))


def test_clear_reads_the_affinity_again_at_once():
    cores = sorted(os.sched_getaffinity(0))

    def work():
        _config.get("num_threads")
        os.sched_setaffinity(0, cores[:1])
        _config.set_value("num_threads", 3)
        during = _config.get("num_threads")
        _config.clear("num_threads")
        return during, _config.get("num_threads")

    assert in_thread(work) == (3, 1)


def test_each_thread_sees_its_own_affinity():
    cores = sorted(os.sched_getaffinity(0))
    assert _config.get("num_threads") == len(cores)  # kept for this thread

    def work():
        os.sched_setaffinity(0, cores[:1])
        wait_past_ttl()
        return _config.get("num_threads")

    assert in_thread(work) == 1
    assert _config.get("num_threads") == len(cores) == len(os.sched_getaffinity(0))


def test_an_environment_bound_does_not_read_the_affinity(monkeypatch):
    cores = sorted(os.sched_getaffinity(0))
    monkeypatch.setenv("PYJL_NUM_THREADS", "5")

    def work():
        os.sched_setaffinity(0, cores[:1])
        wait_past_ttl()
        return native._threads()

    assert in_thread(work) == 5
