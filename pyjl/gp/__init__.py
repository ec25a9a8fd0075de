"""Gaussian processes: kernels, composition, and regression (see DESIGN.md ``pyjl.gp``)."""

from .combinators import Product, Scaled, Sum
from .interface import Kernel, KernelBase
from .kernels import (
    RBF,
    Constant,
    Linear,
    Matern12,
    Matern32,
    Matern52,
    Periodic,
    RationalQuadratic,
    White,
)
from .regression import GaussianProcess

__all__ = [
    "GaussianProcess",
    "Kernel",
    "KernelBase",
    "RBF",
    "Matern12",
    "Matern32",
    "Matern52",
    "RationalQuadratic",
    "Periodic",
    "Linear",
    "White",
    "Constant",
    "Sum",
    "Product",
    "Scaled",
]
