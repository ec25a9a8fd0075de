"""Hidden Markov models with pluggable emissions (see :mod:`pyjl.hmm.model`)."""

from ._monitor import ConvergenceMonitor
from .emissions import Exponential, Gamma, Normal
from .emissions_discrete import Categorical, Poisson
from .emissions_multinomial import Multinomial
from .emissions_mv import MvNormal
from .interface import Emission, EmissionStats
from .mixture import Mixture
from .model import HMM

__all__ = [
    "HMM",
    "Emission",
    "EmissionStats",
    "ConvergenceMonitor",
    "Normal",
    "MvNormal",
    "Exponential",
    "Poisson",
    "Gamma",
    "Categorical",
    "Multinomial",
    "Mixture",
]
