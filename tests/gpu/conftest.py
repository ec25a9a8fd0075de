"""Fixtures for the CPU emulation of the cuda engine's CUDA sources (see emulate.py)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # works under --import-mode=importlib too
import emulate  # noqa: E402


@pytest.fixture(scope="session")
def emulated():
    """``emulated(module)`` -> the module's kernels compiled for the CPU (skips without g++)."""
    if emulate.compiler() is None:
        pytest.skip("no C++ compiler: the CPU emulation of the CUDA kernels needs g++")

    def build(mod):
        return emulate.compile_family(mod.NAME, mod.KERNELS)

    return build
