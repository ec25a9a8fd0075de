"""Matrix-free Gaussian-process algebra (the BBMM family): the ``K + noise`` operator, a
pivoted-Cholesky preconditioner, batched preconditioned conjugate gradients with the
Lanczos tridiagonals of each column, stochastic Lanczos quadrature for the log-determinant,
the likelihood and its gradient, and a Lanczos cache for predictive variances.

Reference: Gardner et al. (2018), "GPyTorch: Blackbox Matrix-Matrix Gaussian Process
Inference with GPU Acceleration"; Pleiss et al. (2018), "Constant-Time Predictive
Distributions for Gaussian Processes" (LOVE).
"""

from .cg import CGResult, mbcg
from .objective import IterativeObjective
from .operator import KernelOperator
from .pivoted_cholesky import Preconditioner, pivoted_cholesky
from .predict import VarianceCache
from .slq import logdet_slq

__all__ = [
    "CGResult",
    "IterativeObjective",
    "KernelOperator",
    "Preconditioner",
    "VarianceCache",
    "logdet_slq",
    "mbcg",
    "pivoted_cholesky",
]
