"""The ``pyjl demo`` command as a library: tune gradient boosting by Bayesian optimisation,
detect regimes with an HMM, filter a multi-tone signal (see :func:`run_demo`)."""

from .filtering import run_filtering
from .regimes import Laplace, run_regimes
from .runner import run_demo
from .tuning import run_tuning

__all__ = ["run_demo", "run_tuning", "run_regimes", "run_filtering", "Laplace"]
