"""Hypothesis strategies (random shapes, axes, filters) and the SciPy comparison."""

import numpy as np
import scipy.signal as ss
from hypothesis import strategies as st


@st.composite
def signals(draw, min_len=1, max_len=300, max_dims=3, dtype=np.float64):
    """``(x, axis)``: a random N-D signal and an axis with at least ``min_len`` samples."""
    ndim = draw(st.integers(1, max_dims))
    axis = draw(st.integers(-ndim, ndim - 1))
    shape = [draw(st.integers(1, 3)) for _ in range(ndim)]
    shape[axis] = draw(st.integers(min_len, max_len))
    seed = draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return x, axis


@st.composite
def sos_filters(draw):
    """A stable SOS design of a random family, order and band."""
    kind = draw(st.sampled_from(["butter", "cheby1", "cheby2", "ellip", "bessel"]))
    order = draw(st.integers(1, 10))
    btype = draw(st.sampled_from(["low", "high", "band", "stop"]))
    if btype in ("band", "stop"):
        lo = draw(st.floats(0.05, 0.6))
        wn = [lo, draw(st.floats(lo + 0.1, 0.9))]
    else:
        wn = draw(st.floats(0.05, 0.9))
    args = {"butter": (), "bessel": (), "cheby1": (1.0,), "cheby2": (40.0,), "ellip": (1.0, 40.0)}[
        kind
    ]
    return getattr(ss, kind)(order, *args, wn, btype=btype, output="sos")


@st.composite
def ba_filters(draw):
    """``(b, a)``: a stable low-order IIR or an FIR (``a == [1]``)."""
    if draw(st.booleans()):
        n = draw(st.integers(2, 300))
        return ss.firwin(n, draw(st.floats(0.05, 0.9))), np.array([1.0])
    order = draw(st.integers(1, 5))
    return ss.butter(order, draw(st.floats(0.05, 0.9)))


def assert_matches(got, want, rtol=1e-10, floor=1e-20):
    """Equal to SciPy: same shape and dtype, and values within ``rtol`` of the
    reference's scale (elementwise relative, plus ``rtol * max|want|`` so values
    crossing zero do not demand more than the arithmetic can give; ``floor`` is
    an absolute floor for results that are rounding noise around an exact 0)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if want.size:
        scale = float(np.max(np.abs(want)))
        np.testing.assert_allclose(got, want, rtol=rtol, atol=max(rtol * scale, floor))
