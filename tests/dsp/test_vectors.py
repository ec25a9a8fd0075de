"""Every engine's DSP kernels reproduce tests/vectors/dsp_kernels.toml (SciPy answers).

The same file is checked by julia_src/test/dsp.jl against the Julia kernels; here the
``engine`` fixture runs each case on native, julia and cuda (the last two skip, with the
reason, where they are unavailable)."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

import pyjl.engines as engines

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "dsp_kernels.toml"
CASES = tomllib.loads(VECTORS.read_text())["case"]


def _a(v):
    return np.ascontiguousarray(np.asarray(v, dtype=np.float64))


def _run(eng, c):
    k = c["kernel"]
    if k == "sosfilt":
        return eng.sosfilt(_a(c["sos"]), _a(c["x"]), _a(c["zi"])), (c["y"], c["zf"])
    if k == "lfilter":
        return eng.lfilter(_a(c["b"]), _a(c["a"]), _a(c["x"]), _a(c["zi"])), (c["y"], c["zf"])
    if k == "upfirdn":
        return (eng.upfirdn(_a(c["h"]), _a(c["x"]), c["up"], c["down"]),), (c["y"],)
    if k == "fftfilt":
        return (eng.fftfilt(_a(c["h"]), _a(c["x"])),), (c["y"],)
    return (eng.stft_frames(_a(c["x"]), _a(c["window"]), c["step"], c["detrend"]),), (c["frames"],)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("case", CASES, ids=[f"{c['kernel']}{i}" for i, c in enumerate(CASES)])
def test_kernel_vectors(case):
    got, want = _run(engines.current(), case)
    for g, w in zip(got, want):
        w = np.asarray(w)
        assert np.asarray(g).shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(w).max()))
