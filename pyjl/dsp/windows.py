"""Window functions: :mod:`scipy.signal.windows`, re-exported (``pyjl.dsp.windows.hann``, ...).

>>> from pyjl.dsp import windows
>>> windows.hann(4, sym=False).tolist()
[0.0, 0.5, 1.0, 0.5]
"""

from scipy.signal.windows import *  # noqa: F401,F403
from scipy.signal.windows import __all__ as _scipy_all
from scipy.signal import get_window  # noqa: F401

__all__ = list(_scipy_all) + ["get_window"]
