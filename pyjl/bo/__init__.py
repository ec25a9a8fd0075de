"""Bayesian optimisation: search spaces, an ask/tell optimiser with pluggable samplers,
study runners, persistent (SQLite, PostgreSQL) studies, pruning of hopeless trials,
a scikit-learn search estimator, plots and a live study dashboard (``serve``)."""

from ..exceptions import TrialPruned
from . import plots
from .acquisition import (
    ExpectedImprovement,
    LogExpectedImprovement,
    ProbabilityOfImprovement,
    UpperConfidenceBound,
)
from .handle import TrialHandle
from .optimizer import Optimizer
from .pruners import MedianPruner, NopPruner, PercentilePruner, Pruner, SuccessiveHalvingPruner
from .pruners_hyperband import HyperbandPruner
from .pruners_more import PatientPruner, ThresholdPruner, WilcoxonPruner
from .result import Result
from .runner import grid_search, minimize, random_search
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
    "TrialHandle",
    "TrialPruned",
    "Pruner",
    "NopPruner",
    "MedianPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "HyperbandPruner",
    "ThresholdPruner",
    "PatientPruner",
    "WilcoxonPruner",
    "BayesSearchCV",
    "serve",
]


def __getattr__(name: str):  # BayesSearchCV needs scikit-learn, serve the dashboard's
    if name == "BayesSearchCV":  # modules: imported on first use
        from .search import BayesSearchCV

        return BayesSearchCV
    if name == "serve":
        from .dashboard import serve

        return serve
    raise AttributeError(f"module 'pyjl.bo' has no attribute {name!r}")
