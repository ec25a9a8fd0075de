"""The polyphase ``upfirdn`` of :mod:`pyjl.dsp.rates` (the formula is there) with
:func:`scipy.signal.upfirdn`'s extension modes beyond the signal's ends, and the
checks that the engine's kernel can run the requested rates.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validate
from ._frames import check_size
from ._kernels import upfirdn_channels

_MODES = (
    "constant",
    "wrap",
    "edge",
    "smooth",
    "symmetric",
    "reflect",
    "antisymmetric",
    "antireflect",
    "line",
)
_NP_PAD = {
    "symmetric": {"mode": "symmetric"},
    "reflect": {"mode": "reflect"},
    "wrap": {"mode": "wrap"},
    "edge": {"mode": "edge"},
    "antireflect": {"mode": "reflect", "reflect_type": "odd"},
}


def _antisymmetric(x2, npad):
    """The ``npad`` values left of each row for ``mode="antisymmetric"`` (outermost first):
    mirrored about the half-sample point with the sign flipped, period ``2 n``."""
    n = x2.shape[1]
    r = np.arange(npad - 1, -1, -1) % (2 * n)
    inside = r < n
    v = x2[:, np.where(inside, r, 2 * n - 1 - r)]
    return np.where(inside, -v, v)


def _sloped(x2, npad, mode):
    """Left extension of each row along a straight line: through the first two samples
    (``"smooth"``) or through the first and the last (``"line"``)."""
    n = x2.shape[1]
    if n == 1:
        slope = np.zeros_like(x2[:, :1])
    elif mode == "smooth":
        slope = x2[:, 1:2] - x2[:, :1]
    else:
        slope = (x2[:, -1:] - x2[:, :1]) / (n - 1)
    return x2[:, :1] + np.arange(-npad, 0) * slope


def extend(x2, npre, npost, mode, cval=0):
    """Rows of ``x2 (C, n)`` extended by ``npre`` samples before and ``npost`` after,
    as :func:`scipy.signal.upfirdn`'s ``mode`` (the ends mirror each other)."""
    if mode == "constant":
        return np.pad(x2, ((0, 0), (npre, npost)), mode="constant", constant_values=cval)
    if mode in _NP_PAD:
        return np.pad(x2, ((0, 0), (npre, npost)), **_NP_PAD[mode])
    side = _antisymmetric if mode == "antisymmetric" else (lambda v, k: _sloped(v, k, mode))
    return np.concatenate((side(x2, npre), x2, side(x2[:, ::-1], npost)[:, ::-1]), axis=1)


#: sample positions in the upsampled signal are 64-bit integers in the kernels
_MAX_POSITION = 2**62


def check_rates(n, nh, up, down, n_channels, npre=0):
    """Refuse ``up``/``down`` the kernel cannot run: sample positions of the upsampled
    signal (``(n - 1) * up + nh``) and ``down`` must stay below 2**62, and the
    polyphase taps (``up`` phases), the padded signal and the output must fit in memory."""
    if (n - 1) * up + nh >= _MAX_POSITION:
        raise _validate.error(
            "up",
            "must keep the upsampled length (n - 1) * up + len(h) "
            "below 2**62 (sample positions are 64-bit integers)",
            up,
            "pass a smaller factor",
        )
    if down >= _MAX_POSITION:
        raise _validate.error(
            "down",
            "must be below 2**62 (sample positions are 64-bit integers)",
            down,
            "pass a smaller factor (any `down` beyond "
            "the upsampled length keeps only the first sample)",
        )
    check_size(up * -(-nh // up), "up", up, itemsize=8, what="polyphase filter")
    check_size(n_channels * (n + 2 * npre), "down", down, itemsize=8, what="padded signal")
    check_size(n_channels * (((n - 1) * up + nh - 1) // down + 1), "up", up)


def upfirdn_mode(h, x2, up, down, mode="constant", cval=0):
    """:func:`~pyjl.dsp._kernels.upfirdn_channels` with the signal extended by ``mode``
    beyond its ends (SciPy's result length).  The extension covers the
    ``ceil(len(h) / up) - 1`` input samples an output can reach past each end; the
    left one is rounded up to a multiple of ``down / gcd(up, down)`` so the output
    grid is not shifted."""
    n, nh = x2.shape[1], len(h)
    if mode == "constant" and cval == 0:
        check_rates(n, nh, up, down, x2.shape[0])
        return upfirdn_channels(h, x2, up, down)
    reach = (nh - 1) // up
    step = down // math.gcd(up, down)
    npre = -(-reach // step) * step
    check_rates(n, nh, up, down, x2.shape[0], npre)
    # extend in double precision, as the kernel computes (SciPy: in the output dtype)
    padded = extend(
        x2.astype(np.result_type(x2.dtype, np.float64), copy=False), npre, reach, mode, cval
    )
    n_out = ((n - 1) * up + nh - 1) // down + 1
    start = npre * up // down
    return upfirdn_channels(h, padded, up, down)[:, start : start + n_out]
