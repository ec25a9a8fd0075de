"""Bayesian optimisation: search spaces, a GP-based ask/tell optimiser, study runners,
persistent (SQLite) studies and plots."""

from . import plots
from .acquisition import (ExpectedImprovement, LogExpectedImprovement, ProbabilityOfImprovement,
                          UpperConfidenceBound)
from .minimize import Result, grid_search, minimize, random_search
from .optimizer import Optimizer
from .space import Categorical, Integer, Real, Space, SpaceExhausted

__all__ = ["Space", "Real", "Integer", "Categorical", "SpaceExhausted", "Optimizer", "minimize",
           "random_search", "grid_search", "Result", "plots", "ExpectedImprovement",
           "LogExpectedImprovement", "ProbabilityOfImprovement", "UpperConfidenceBound"]
