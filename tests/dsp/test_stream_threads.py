"""A stream shared by threads filters their chunks one at a time, each from the state
the previous chunk left (it used to let two chunks start from the same state: one
chunk's memory was lost, and a Resampler's output had the wrong length)."""

from __future__ import annotations

import copy
import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp

# y[t] = x[t] + x[t-1]: a chunk's first output less its first input is the last sample of
# the chunk filtered before it, so every chunk must see a different one
STREAMS = {
    "SosFilter": lambda: dsp.SosFilter([[1.0, 1.0, 0.0, 1.0, 0.0, 0.0]]),
    "FirFilter": lambda: dsp.FirFilter([1.0, 1.0]),
}


@pytest.mark.parametrize("name", STREAMS)
def test_every_chunk_starts_from_the_state_another_left(name):
    for _ in range(5):
        stream = STREAMS[name]()
        chunks = [np.full(1000, float(k + 1)) for k in range(64)]
        with ThreadPoolExecutor(8) as pool:
            outs = list(pool.map(stream.process, chunks))
        before = [o[0] - c[0] for o, c in zip(outs, chunks)]
        assert len(set(before)) == 64  # 0.0 for the first, then 63 distinct chunk values


def test_a_shared_resampler_gives_the_one_shot_length():
    for _ in range(5):
        rs = dsp.Resampler(3, 2)
        with ThreadPoolExecutor(8) as pool:
            outs = list(pool.map(rs.process, [np.full(1000, 1.0)] * 64))
        total = sum(len(o) for o in outs) + len(rs.flush())
        assert total == len(ss.resample_poly(np.ones(64_000), 3, 2))


def test_a_stream_pickles_and_copies_with_its_own_lock():
    sos = ss.butter(4, 0.1, output="sos")
    x = np.random.default_rng(0).standard_normal(300)
    f = dsp.SosFilter(sos)
    f.process(x[:100])
    for twin in (pickle.loads(pickle.dumps(f)), copy.deepcopy(f)):
        assert twin._lock is not f._lock
        np.testing.assert_array_equal(twin.process(x[100:]), ss.sosfilt(sos, x)[100:])


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs setitimer")
def test_a_signal_handler_may_checkpoint_a_stream_inside_process():
    # a handler runs on the thread it interrupts: with a plain lock, pickling the stream
    # (or reading zi_) from inside process() waited for itself for ever
    import subprocess
    import sys

    code = (
        "import pickle, signal, numpy as np, scipy.signal as ss, pyjl.dsp as dsp\n"
        "f = dsp.SosFilter(ss.butter(4, 0.1, output='sos')); saved = []\n"
        "def h(*_):\n"
        "    saved.append(pickle.dumps(f)); f.zi_\n"
        "    if len(saved) < 200:\n"  # bounded: on a loaded machine a handler slower than
        "        signal.setitimer(signal.ITIMER_REAL, 2e-4)\n"  # the period starves the loop
        "signal.signal(signal.SIGALRM, h); signal.setitimer(signal.ITIMER_REAL, 2e-4)\n"
        "x = np.random.default_rng(0).standard_normal((4, 2000))\n"
        "for _ in range(2000): f.process(x)\n"
        "signal.setitimer(signal.ITIMER_REAL, 0); print(len(saved) > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "True", out.stderr[-2000:]
