"""Cases with a known outcome, one per outcome class: the sweep's own test."""

from __future__ import annotations

import os
import time
import warnings

import numpy as np

from pyjl._validate import error
from pyjl.exceptions import NotFittedError, NumericalWarning

from .families import case

NAME = "selftest"


def _warned_nan():
    warnings.warn("handled", NumericalWarning, stacklevel=2)
    return np.array([np.nan])


def _raise(exc):
    raise exc


#: (case, the outcome the sweep must report)
EXPECTED = {
    "clean": (
        "refuse",
        lambda: _raise(error("x", "must be finite", np.nan, "drop it")),
        "clean_error",
    ),
    "unnamed": (
        "refuse",
        lambda: _raise(error("y", "must be finite", np.nan, "drop it")),
        "unnamed_error",
    ),
    "not fitted": ("refuse", lambda: _raise(NotFittedError("fit first")), "other_pyjl_error"),
    "bare": ("refuse", lambda: _raise(ValueError("x is bad")), "bare_error"),
    "accepted": ("refuse", lambda: 1.0, "accepted_bad"),
    "silent nan": ("either", lambda: (1.0, np.array([1.0, np.inf])), "silent_nonfinite"),
    "warned nan": ("either", _warned_nan, "result_ok"),
    "finite": ("either", lambda: {"a": np.ones(3)}, "result_ok"),
    "valid equal": ("valid", lambda: np.arange(3.0), "result_ok"),
    "valid differs": ("valid", lambda: np.arange(3.0) + 1e-3, "wrong_result"),
    "valid refused": (
        "valid",
        lambda: _raise(error("x", "must be 1-D", 2, "ravel it")),
        "refused_valid",
    ),
    "abort": ("either", os.abort, "crash"),
    "hang": ("either", lambda: time.sleep(60), "hang"),
}


def cases():
    return [
        case(
            NAME, label, expect, "x", call, (lambda: np.arange(3.0)) if expect == "valid" else None
        )
        for label, (expect, call, _) in EXPECTED.items()
    ]
