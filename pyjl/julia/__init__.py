"""The bridge to Julia (placeholder until the bridge lands)."""

from __future__ import annotations

__all__ = ["availability", "call", "julia_version", "bridge_summary"]


def availability() -> tuple[bool, str]:
    return False, "no Julia executable found; set PYJL_JULIA or install juliacall"


def julia_version() -> str | None:
    return None


def bridge_summary() -> str:
    return "juliacall (default)"


def call(name, *args):
    raise NotImplementedError(name)
