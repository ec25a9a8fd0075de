"""Gaussian processes: kernels, composition, and regression (see DESIGN.md ``pyjl.gp``)."""

from . import kernels
from .combinators import Product, Scaled, Sum
from .exponentiation import Exponentiation
from .interface import Kernel, KernelBase
from .kernels import *  # noqa: F403  every built-in kernel, as kernels.__all__ lists them
from .regression import GaussianProcess

__all__ = [
    "GaussianProcess",
    "Kernel",
    "KernelBase",
    *kernels.__all__,
    "Sum",
    "Product",
    "Scaled",
    "Exponentiation",
]
