"""The methods :class:`~pyjl.dsp.ShortTimeFFT` keeps from SciPy, their refusals relayed.

SciPy's ``ShortTimeFFT`` refuses a bad ``n``, ``p0`` or ``hop`` in these with a plain
``ValueError`` naming the parameter; pyjl raises every refusal as an
:class:`~pyjl.exceptions.InputError` (also a ``ValueError``), SciPy's words first
(:func:`~pyjl.dsp._design_args.call_scipy`).
"""

from __future__ import annotations

from typing import Any

from scipy.signal import ShortTimeFFT as _SCIPY

from ._design_args import call_scipy

__all__ = ["Relayed"]


class Relayed(_SCIPY):
    """SciPy's ``ShortTimeFFT`` whose own methods raise :class:`InputError`."""

    def p_num(self, n: int) -> int:
        return call_scipy(super().p_num, n)

    def p_max(self, n: int) -> int:
        return call_scipy(super().p_max, n)

    def k_max(self, n: int) -> int:
        return call_scipy(super().k_max, n)

    def upper_border_begin(self, n: int) -> tuple[int, int]:
        return call_scipy(super().upper_border_begin, n)

    def p_range(self, n: int, p0: int | None = None, p1: int | None = None) -> tuple[int, int]:
        return call_scipy(super().p_range, n, p0, p1)

    def t(self, n: int, p0: int | None = None, p1: int | None = None, k_offset: int = 0) -> Any:
        return call_scipy(super().t, n, p0, p1, k_offset)

    def extent(self, n: int, axes_seq: str = "tf", center_bins: bool = False) -> Any:
        return call_scipy(super().extent, n, axes_seq, center_bins)

    @property
    def dual_win(self) -> Any:
        return call_scipy(_SCIPY.dual_win.fget, self)

    @classmethod
    def from_dual(cls, *args: Any, **kwargs: Any) -> Any:
        return call_scipy(super().from_dual, *args, **kwargs)

    @classmethod
    def from_win_equals_dual(cls, *args: Any, **kwargs: Any) -> Any:
        return call_scipy(super().from_win_equals_dual, *args, **kwargs)
