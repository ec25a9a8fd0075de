"""The methods :class:`~pyjl.dsp.ShortTimeFFT` keeps from SciPy, their refusals relayed.

SciPy's ``ShortTimeFFT`` refuses a bad ``n``, ``p0`` or ``hop`` in these with a plain
``ValueError`` naming the parameter; pyjl raises every refusal as an
:class:`~pyjl.exceptions.InputError` (also a ``ValueError``), SciPy's words first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scipy.signal import ShortTimeFFT as _SCIPY

from ..exceptions import InputError

__all__ = ["Relayed"]


def _relay(name: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except InputError:
        raise
    except ValueError as exc:
        raise InputError(
            f"{str(exc).rstrip('.!')} (scipy.signal.ShortTimeFFT.{name}). Fix: see "
            f"scipy.signal.ShortTimeFFT.{name} for the valid arguments."
        ) from exc


class Relayed(_SCIPY):
    """SciPy's ``ShortTimeFFT`` whose own methods raise :class:`InputError`."""

    def p_num(self, n: int) -> int:
        return _relay("p_num", lambda: super(Relayed, self).p_num(n))

    def p_max(self, n: int) -> int:
        return _relay("p_max", lambda: super(Relayed, self).p_max(n))

    def k_max(self, n: int) -> int:
        return _relay("k_max", lambda: super(Relayed, self).k_max(n))

    def upper_border_begin(self, n: int) -> tuple[int, int]:
        return _relay("upper_border_begin", lambda: super(Relayed, self).upper_border_begin(n))

    def p_range(self, n: int, p0: int | None = None, p1: int | None = None) -> tuple[int, int]:
        return _relay("p_range", lambda: super(Relayed, self).p_range(n, p0, p1))

    def t(self, n: int, p0: int | None = None, p1: int | None = None, k_offset: int = 0) -> Any:
        return _relay("t", lambda: super(Relayed, self).t(n, p0, p1, k_offset))

    def extent(self, n: int, axes_seq: str = "tf", center_bins: bool = False) -> Any:
        return _relay("extent", lambda: super(Relayed, self).extent(n, axes_seq, center_bins))

    @property
    def dual_win(self) -> Any:
        return _relay("dual_win", lambda: _SCIPY.dual_win.fget(self))

    @classmethod
    def from_dual(cls, *args: Any, **kwargs: Any) -> Any:
        return _relay("from_dual", lambda: super(Relayed, cls).from_dual(*args, **kwargs))

    @classmethod
    def from_win_equals_dual(cls, *args: Any, **kwargs: Any) -> Any:
        return _relay(
            "from_win_equals_dual",
            lambda: super(Relayed, cls).from_win_equals_dual(*args, **kwargs),
        )
