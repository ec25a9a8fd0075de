"""Write tests/vectors/dsp_kernels.toml: DSP kernel cases with SciPy/NumPy answers.

Run from the repository root: ``python tests/dsp/make_vectors.py``.  Every
expected output comes from an independent reference (``scipy.signal.sosfilt``,
``lfilter``, ``upfirdn``, ``numpy.convolve``, ``scipy.signal.detrend``), never
from pyjl.  Arrays are written in NumPy (C) order: a signal is a list of
channels; Julia reads each channel as a column.
"""

from pathlib import Path

import numpy as np
import scipy.signal as ss

OUT = Path(__file__).resolve().parents[1] / "vectors" / "dsp_kernels.toml"


def _toml(v):
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    a = np.asarray(v)
    if a.ndim == 0:
        return repr(float(a))
    return "[" + ", ".join(_toml(e) for e in a) + "]"


def cases():
    rng = np.random.default_rng(7)
    out = []
    x = rng.standard_normal((2, 40))
    for sos in (
        ss.butter(4, 0.2, output="sos"),
        ss.ellip(5, 1, 40, [0.2, 0.5], "band", output="sos"),
    ):
        zi = rng.standard_normal((2, sos.shape[0], 2))
        y, zf = ss.sosfilt(sos, x, zi=np.moveaxis(zi, 1, 0))
        out.append(dict(kernel="sosfilt", sos=sos, x=x, zi=zi, y=y, zf=np.moveaxis(zf, 0, 1)))
    for b, a in (
        ss.butter(3, 0.3),
        (ss.firwin(9, 0.4), np.array([1.0])),
        (np.array([0.5, 0.2]), np.array([1.0, -0.3, 0.2, 0.1])),
    ):
        k = max(len(a), len(b))
        zi = rng.standard_normal((2, k - 1))
        y, zf = ss.lfilter(b, a, x, zi=zi)
        out.append(dict(kernel="lfilter", b=b, a=a, x=x, zi=zi, y=y, zf=zf))
    h = rng.standard_normal(7)
    for up, down in ((1, 1), (3, 2), (2, 5), (4, 1)):
        out.append(
            dict(kernel="upfirdn", h=h, x=x, up=up, down=down, y=ss.upfirdn(h, x, up, down))
        )
    out.append(dict(kernel="fftfilt", h=h, x=x, y=np.array([np.convolve(h, c) for c in x])))
    win = ss.get_window("hann", 8)
    for step, det in ((4, 0), (3, 1), (5, 2)):
        n_fr = (x.shape[1] - 8) // step + 1
        fr = np.stack(
            [np.stack([x[c, k * step : k * step + 8] for k in range(n_fr)]) for c in range(2)]
        )
        if det:
            fr = ss.detrend(fr, axis=-1, type=("constant", "linear")[det - 1])
        out.append(
            dict(kernel="stft_frames", x=x, window=win, step=step, detrend=det, frames=fr * win)
        )
    return out


def main():
    lines = [
        "# DSP kernel conformance vectors; written by tests/dsp/make_vectors.py from",
        "# SciPy/NumPy references.  Arrays in NumPy C order (signals: channel-major).",
        "",
    ]
    for case in cases():
        lines.append("[[case]]")
        lines += [f"{k} = {_toml(v)}" for k, v in case.items()]
        lines.append("")
    OUT.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
