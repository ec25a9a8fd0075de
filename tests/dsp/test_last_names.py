"""find_peaks_cwt, firwin_2d and band_stop_obj: SciPy's results and dtypes, and every bad
argument refused by name."""

import numpy as np
import pytest
import scipy.signal as ss

from pyjl import dsp
from pyjl.exceptions import InputError

RNG = np.random.default_rng(7)
X = np.sin(np.arange(0, 6 * np.pi, 0.05)) + 0.05 * RNG.standard_normal(377)


@pytest.mark.parametrize(
    "widths, kw",
    [
        (np.arange(1, 10), {}),
        (1, {}),
        (np.arange(1, 20), {"gap_thresh": 2, "min_snr": 0, "min_length": None}),
        (np.arange(2, 12), {"min_length": 3, "noise_perc": 30, "window_size": 20}),
        ([2.5, 5.0, 10.0], {"max_distances": [1.0, 1.5, 2.0], "min_snr": 2}),
        (np.arange(1, 6), {"wavelet": lambda n, w: ss.windows.gaussian(n, w)}),
    ],
)
def test_find_peaks_cwt_is_scipys(widths, kw):
    ours, theirs = dsp.find_peaks_cwt(X, widths, **kw), ss.find_peaks_cwt(X, widths, **kw)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == theirs.dtype


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"vector": [1.0, np.nan, 2.0]}, "vector"),
        ({"vector": np.ones((3, 3))}, "vector"),
        ({"vector": []}, "vector"),
        ({"vector": 3.0}, "vector"),
        ({"widths": [1.0, 0.0]}, "widths"),
        ({"widths": [np.inf]}, "widths"),
        ({"widths": []}, "widths"),
        ({"wavelet": "ricker"}, "wavelet"),
        ({"max_distances": [1.0]}, "max_distances"),
        ({"max_distances": [1.0, -1.0, 1.0]}, "max_distances"),
        ({"gap_thresh": np.nan}, "gap_thresh"),
        ({"min_length": -1}, "min_length"),
        ({"min_length": 1.5}, "min_length"),
        ({"min_snr": np.inf}, "min_snr"),
        ({"noise_perc": 101}, "noise_perc"),
        ({"window_size": 0}, "window_size"),
    ],
)
def test_find_peaks_cwt_refuses(kw, name):
    args = {"vector": X, "widths": [1.0, 2.0, 3.0], **kw}
    with pytest.raises(InputError, match=f"`{name}`"):
        dsp.find_peaks_cwt(**args)


@pytest.mark.parametrize(
    "hsize, window, kw",
    [
        ((51, 51), (("kaiser", 8.0), ("kaiser", 8.0)), {"fc": 0.4}),
        ((7, 5), ("hamming", "hann"), {"fc": [0.2, 0.5]}),
        ([9, 9], ["boxcar", "hamming"], {"fc": 30.0, "fs": 100.0}),
        ((7, 5), "hamming", {"fc": 0.3, "circular": True}),
        ((4, 6), ("kaiser", 5.0), {"fc": 0.5, "circular": True}),
    ],
)
def test_firwin_2d_is_scipys(hsize, window, kw):
    ours, theirs = dsp.firwin_2d(hsize, window, **kw), ss.firwin_2d(hsize, window, **kw)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == theirs.dtype


@pytest.mark.parametrize(
    "hsize, window, kw, name",
    [
        ((50,), ("hamming", "hamming"), {"fc": 0.4}, "hsize"),
        (50, ("hamming", "hamming"), {"fc": 0.4}, "hsize"),
        ((0, 5), ("hamming", "hamming"), {"fc": 0.4}, "hsize[0]"),
        ((5, 2.5), ("hamming", "hamming"), {"fc": 0.4}, "hsize[1]"),
        ((5, 5), ("hamming",), {"fc": 0.4}, "window"),
        ((5, 5), "hamming", {"fc": 0.4}, "window"),
        ((5, 5), ("hamming", "bogus"), {"fc": 0.4}, "window"),
        ((5, 5), ("hamming", ("kaiser", np.nan)), {"fc": 0.4}, "window[1]"),
        ((5, 5), ("hamming", "hamming"), {}, "fc"),
        ((5, 5), ("hamming", "hamming"), {"fc": 1.0}, "fc"),
        ((5, 5), ("hamming", "hamming"), {"fc": np.nan}, "fc"),
        ((5, 5), ("hamming", "hamming"), {"fc": [0.5, 0.2]}, "fc"),
        ((5, 5), ("hamming", "hamming"), {"fc": 0.4, "fs": 0}, "fs"),
        ((5, 5), ("hamming", "hamming"), {"fc": 0.4, "circular": "yes"}, "circular"),
        ((5, 5), "bogus", {"fc": 0.4, "circular": True}, "window"),
    ],
)
def test_firwin_2d_refuses(hsize, window, kw, name):
    with pytest.raises(InputError, match=f"`?{name.replace('[', '.').replace(']', '.')}`?"):
        dsp.firwin_2d(hsize, window, **kw)


@pytest.mark.parametrize("ftype", ["butter", "cheby", "ellip"])
@pytest.mark.parametrize(
    "wp, ind, passb, stopb, gpass, gstop",
    [
        (1.5, 0, np.array([1.0, 4.0]), np.array([2.0, 3.0]), 1, 40),
        (3.5, 1, np.array([1.0, 4.0]), np.array([2.0, 3.0]), 3, 60),
        (0.2, 0, np.array([0.1, 0.9]), np.array([0.3, 0.5]), 0.5, 20),
        (6, 1, np.array([1, 5]), np.array([2.5, 3]), 3, 3),
    ],
)
def test_band_stop_obj_is_scipys(wp, ind, passb, stopb, gpass, gstop, ftype):
    args = (wp, ind, passb, stopb, gpass, gstop, ftype)
    ours, theirs = dsp.band_stop_obj(*args), ss.band_stop_obj(*args)
    assert ours == theirs and type(ours) is type(theirs)


def test_band_stop_obj_scipys_example():
    args = (2, 1, np.array([1, 3]), np.array([0.5, 4]), 3, 30, "butter")
    assert dsp.band_stop_obj(*args) == ss.band_stop_obj(*args)
    assert dsp.band_stop_obj(2, 1, [1, 3], [0.5, 4], 3, 30, "butter") == ss.band_stop_obj(*args)


@pytest.mark.parametrize(
    "change, name",
    [
        ({"wp": np.nan}, "wp"),
        ({"wp": -1.0}, "wp"),
        ({"wp": 2.5, "passb": np.array([1, 4])}, "wp"),
        ({"ind": 2}, "ind"),
        ({"ind": 0.5}, "ind"),
        ({"passb": [1.0, 4.0, 5.0]}, "passb"),
        ({"passb": [1.0, np.inf]}, "passb"),
        ({"stopb": [0.0, 3.0]}, "stopb"),
        ({"stopb": [[2.0, 3.0]]}, "stopb"),
        ({"gpass": 0}, "gpass"),
        ({"gstop": np.inf}, "gstop"),
        ({"gpass": 50, "gstop": 40}, "gpass"),
        ({"type": "bogus"}, "type"),
        ({"type": "cheby", "stopb": [0.5, 5.0]}, "wp"),
    ],
)
def test_band_stop_obj_refuses(change, name):
    args = {
        "wp": 1.5,
        "ind": 0,
        "passb": np.array([1.0, 4.0]),
        "stopb": np.array([2.0, 3.0]),
        "gpass": 1,
        "gstop": 40,
        "type": "butter",
        **change,
    }
    with pytest.raises(InputError, match=f"`{name}`"):
        dsp.band_stop_obj(**args)
