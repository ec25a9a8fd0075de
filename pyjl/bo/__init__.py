"""Bayesian optimisation: search spaces, an ask/tell optimiser with pluggable samplers,
study runners, persistent (SQLite) studies and plots."""

from . import plots
from .acquisition import (
    ExpectedImprovement,
    LogExpectedImprovement,
    ProbabilityOfImprovement,
    UpperConfidenceBound,
)
from .optimizer import Optimizer
from .runner import Result, grid_search, minimize, random_search
from .samplers import GPSampler, GridSampler, RandomSampler, Sampler
from .space import Categorical, Integer, Real, Space, SpaceExhausted
from .trial import Trial, TrialState

__all__ = [
    "Space",
    "Real",
    "Integer",
    "Categorical",
    "SpaceExhausted",
    "Optimizer",
    "minimize",
    "random_search",
    "grid_search",
    "Result",
    "plots",
    "ExpectedImprovement",
    "LogExpectedImprovement",
    "ProbabilityOfImprovement",
    "UpperConfidenceBound",
    "Sampler",
    "RandomSampler",
    "GridSampler",
    "GPSampler",
    "Trial",
    "TrialState",
]
