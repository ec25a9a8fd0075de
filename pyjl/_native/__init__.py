"""Compiled kernels, built by ``setup.py`` from ``bindings/*.pyx``: one module per family."""
