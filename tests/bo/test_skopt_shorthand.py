"""scikit-optimize's dimension shorthand (``(1e-3, 1e3, "log-uniform")``, ``(1, 8)``,
``["a", "b"]``) read as scikit-optimize's own ``check_dimension`` reads it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pyjl.bo import BayesSearchCV, Categorical, Integer, Real, Space
from pyjl.exceptions import InputError

skopt_space = pytest.importorskip("skopt.space")


def _theirs(spec):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dim = skopt_space.check_dimension(spec)
    return dim, [str(w.message) for w in caught]


@pytest.mark.parametrize(
    "spec",
    [
        (1e-3, 1e3, "log-uniform"),
        (1, 8),
        (1, 8.0),
        (0.5, 2),
        (1, 100.0, "log-uniform"),
        (1, 2, "uniform"),
        (2, 64, "log-uniform"),
        (1e-3, 1.0, "log-uniform", 2),
        (np.int64(3), np.int64(9)),
        ["gini", "entropy"],
        [True, False],
        ("x",),
        [1, 2, 3, 4],
        (1, 2, "normal"),
        ["a", 1.5, None],
    ],
)
def test_a_shorthand_reads_as_scikit_optimizes(spec):
    theirs, _ = _theirs(spec)
    ours = Space({"p": spec}).dimensions["p"]
    if isinstance(theirs, skopt_space.Categorical):
        assert isinstance(ours, Categorical)
        assert list(ours.choices) == list(theirs.categories)
    else:
        kind = Integer if isinstance(theirs, skopt_space.Integer) else Real
        assert type(ours) is kind
        assert (ours.lo, ours.hi) == (theirs.low, theirs.high)
        assert ours.log == (theirs.prior == "log-uniform")


@pytest.mark.parametrize("spec", [[3, 5], [1e-3, 1.0, "log-uniform"], [0.0, 1.0]])
def test_a_list_scikit_optimize_will_read_otherwise_is_refused(spec):
    from sklearn.svm import SVC

    _, warned = _theirs(spec)
    assert any("upcoming versions" in w for w in warned)  # its reading is changing
    with pytest.raises(InputError, match=r"search_spaces\['C'\].*range or a list of choices"):
        BayesSearchCV(SVC(), {"C": spec}, n_iter=2).fit([[0.0], [1.0]] * 5, [0, 1] * 5)
    assert isinstance(Space({"C": tuple(spec)}).dimensions["C"], (Integer, Real))


def test_prior_is_log_as_in_scikit_optimize():
    assert Real(1e-3, 1.0, "log-uniform") == Real(1e-3, 1.0, log=True)
    assert Integer(1, 100, prior="log-uniform") == Integer(1, 100, log=True)
    assert Real(0.0, 1.0, prior="uniform") == Real(0.0, 1.0)
    with pytest.raises(InputError, match="prior"):
        Real(1.0, 2.0, log=True, prior="uniform")
    with pytest.raises(InputError, match="`Real.prior` must be one of"):
        Real(1.0, 2.0, prior="normal")


def test_scikit_optimizes_search_example_runs_as_written():
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC

    X, y = load_iris(return_X_y=True)
    spaces = {
        "C": (1e-6, 1e6, "log-uniform"),
        "gamma": (1e-6, 1e1, "log-uniform"),
        "degree": (1, 8),
        "kernel": ["linear", "poly", "rbf"],
    }
    search = BayesSearchCV(SVC(), spaces, n_iter=6, cv=3, random_state=0).fit(X, y)
    best = search.best_params_
    assert 1e-6 <= best["C"] <= 1e6 and isinstance(best["degree"], int)
    assert best["kernel"] in ("linear", "poly", "rbf") and search.best_score_ > 0.9


@pytest.mark.parametrize(
    "make",
    [
        lambda: skopt_space.Real(1e-3, 1.0, prior="log-uniform"),
        lambda: skopt_space.Real(-2.0, 3.5),
        lambda: skopt_space.Integer(1, 8),
        lambda: skopt_space.Integer(2, 64, prior="log-uniform"),
        lambda: skopt_space.Categorical(["gini", "entropy", None]),
        lambda: skopt_space.Categorical([1, 2], prior=[0.5, 0.5]),
    ],
)
def test_scikit_optimizes_dimension_objects_read_as_their_shorthand(make):
    # a BayesSearchCV search space migrated with `from skopt.space import Real` keeps it
    theirs = make()
    ours = Space({"p": theirs}).dimensions["p"]
    if isinstance(theirs, skopt_space.Categorical):
        assert isinstance(ours, Categorical) and ours.choices == list(theirs.categories)
    else:
        assert type(ours) is (Integer if isinstance(theirs, skopt_space.Integer) else Real)
        assert (ours.lo, ours.hi, ours.log) == (
            theirs.low,
            theirs.high,
            theirs.prior == "log-uniform",
        )


def test_optunas_distributions_read_as_their_ranges_and_choices():
    d = pytest.importorskip("optuna.distributions")
    space = Space(
        {
            "lr": d.FloatDistribution(1e-4, 1.0, log=True),
            "depth": d.IntDistribution(2, 12),
            "kind": d.CategoricalDistribution(["a", None, 3]),
        }
    )
    assert space == Space(
        {
            "lr": Real(1e-4, 1.0, log=True),
            "depth": Integer(2, 12),
            "kind": Categorical(["a", None, 3]),
        }
    )
    with pytest.raises(InputError, match=r"`dimensions\['x'\]` must be a range without a step"):
        Space({"x": d.FloatDistribution(0.0, 1.0, step=0.25)})
    with pytest.raises(InputError, match="without a step"):
        Space({"x": d.IntDistribution(0, 10, step=2)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # Optuna deprecates these
        old = {
            "u": d.UniformDistribution(0.0, 1.0),
            "lu": d.LogUniformDistribution(1e-3, 1.0),
            "iu": d.IntUniformDistribution(1, 5),
            "ilu": d.IntLogUniformDistribution(1, 64),
        }
        stepped = d.DiscreteUniformDistribution(0.0, 1.0, 0.25)
    assert Space(old) == Space(
        {
            "u": Real(0.0, 1.0),
            "lu": Real(1e-3, 1.0, log=True),
            "iu": Integer(1, 5),
            "ilu": Integer(1, 64, log=True),
        }
    )
    with pytest.raises(InputError, match=r"DiscreteUniformDistribution\(low=0.0"):
        Space({"x": stepped})


def test_a_categorical_prior_is_refused_not_dropped():
    with pytest.raises(InputError, match=r"must draw its choices uniformly.*prior=\[0.9, 0.1\]"):
        Space({"c": skopt_space.Categorical(["a", "b"], prior=[0.9, 0.1])})
