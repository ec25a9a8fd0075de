"""The exception hierarchy: one root, and the built-in a user would catch."""

import ast
import builtins
from pathlib import Path

import numpy as np
import pytest

import pyjl
from pyjl import exceptions as ex


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (ex.InputError, ValueError),
        (ex.InputTypeError, TypeError),
        (ex.InputTypeError, ValueError),
        (ex.NotFittedError, AttributeError),
        (ex.NotFittedError, ValueError),
        (ex.EngineUnavailableError, RuntimeError),
        (ex.JuliaBridgeError, RuntimeError),
        (ex.StorageError, OSError),
        (ex.SpaceExhausted, LookupError),
        (ex.JuliaLinAlgError, RuntimeError),
        (ex.JuliaLinAlgError, np.linalg.LinAlgError),
    ],
)
def test_subclasses_derive_from_root_and_builtin(cls, builtin):
    assert issubclass(cls, ex.PyjlError) and issubclass(cls, builtin)
    with pytest.raises(builtin):
        raise cls("boom")


def test_julia_bridge_error_carries_julia_details():
    err = ex.JuliaBridgeError("failed", julia_message="DimensionMismatch", julia_stacktrace="at x")
    assert err.julia_message == "DimensionMismatch" and err.julia_stacktrace == "at x"


def test_julia_linalg_error_is_a_bridge_error():
    err = ex.JuliaLinAlgError("not positive definite", julia_message="PosDefException")
    assert isinstance(err, ex.JuliaBridgeError) and err.julia_message == "PosDefException"
    with pytest.raises(np.linalg.LinAlgError):
        raise err


def test_warning_classes():
    assert issubclass(ex.NumericalWarning, ex.PyjlWarning)
    assert issubclass(ex.NumericalWarning, RuntimeWarning)
    assert issubclass(ex.ConvergenceWarning, UserWarning)


def test_top_level_exports():
    assert pyjl.PyjlError is ex.PyjlError and pyjl.InputError is ex.InputError


def test_storage_error_carries_the_unsaved_evaluation():
    import errno

    err = ex.StorageError(
        "no space",
        storage="sqlite:///s.db",
        operation="tell",
        reason="full",
        trial=4,
        params={"x": 0.25},
        value=-1.5,
    )
    assert (err.storage, err.operation, err.reason) == ("sqlite:///s.db", "tell", "full")
    assert (err.trial, err.params, err.value) == (4, {"x": 0.25}, -1.5)
    assert err.unsaved == [(4, {"x": 0.25}, -1.5)]
    assert err.errno == errno.ENOSPC and str(err) == "no space"
    assert ex.StorageError("locked", reason="locked").errno == errno.EBUSY
    assert ex.StorageError("x").unsaved == [] and ex.StorageError("x").errno is None


def test_every_error_class_lives_in_exceptions():
    """DESIGN.md: PyjlError and every subclass in pyjl/exceptions.py, no error class elsewhere
    (a private control-flow signal, ``_Name``, may stay where it is used)."""
    package = Path(ex.__file__).parent
    names = set(ex.__all__) | {n for n in dir(builtins) if n.endswith(("Error", "Exception"))}
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "exceptions.py" and path.parent == package:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            if bases & names or any(b.endswith(("Error", "Warning")) for b in bases):
                found.append(f"{path.relative_to(package)}: {node.name}")
    assert found == []


@pytest.mark.parametrize(
    "module, name",
    [
        ("pyjl.bo", "SpaceExhausted"),
        ("pyjl.bo", "TrialPruned"),
        ("pyjl.julia", "JuliaLinAlgError"),
    ],
)
def test_re_exports_are_the_classes_of_exceptions(module, name):
    assert getattr(__import__(module, fromlist=[name]), name) is getattr(ex, name)


def test_not_fitted_is_scikit_learns_once_it_is_imported():
    import pickle
    import subprocess
    import sys

    sk = pytest.importorskip("sklearn.exceptions")
    err = ex.NotFittedError("fit first")
    assert isinstance(err, sk.NotFittedError) and isinstance(err, ex.NotFittedError)
    assert type(err).__name__ == "NotFittedError" and str(err) == "fit first"
    err.add_note("a note")
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, sk.NotFittedError) and again.args == ("fit first",)
    assert again.__notes__ == ["a note"]
    mine = _Mine("x")  # a subclass is scikit-learn's too, and pickles as itself
    assert isinstance(mine, sk.NotFittedError) and type(mine).__name__ == "_Mine"
    assert isinstance(pickle.loads(pickle.dumps(mine)), _Mine)
    code = (
        "import sys, pyjl.exceptions as ex; e = ex.NotFittedError('x'); "
        "print(type(e) is ex.NotFittedError, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["True", "False"]  # never imports scikit-learn itself


def test_convergence_warnings_are_scikit_learns_once_it_is_imported():
    # as GaussianProcessRegressor's bound warning: scikit-learn's filter and pytest.warns
    # of its class catch pyjl's (a GP whose lengthscale ends at its upper bound)
    import warnings

    import numpy as np

    from pyjl.gp import RBF, GaussianProcess

    sk = pytest.importorskip("sklearn.exceptions")
    X = np.linspace(0.0, 1.0, 20)[:, None]
    gp = GaussianProcess(RBF(lengthscale_bounds=(1e-5, 1e-3)), noise=1e-10, noise_bounds="fixed")
    with pytest.warns(sk.ConvergenceWarning, match="lengthscale") as caught:
        gp.fit(X, np.sin(6 * X[:, 0]))
    assert all(issubclass(w.category, ex.ConvergenceWarning) for w in caught)
    assert caught[0].category.__name__ == "ConvergenceWarning"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=sk.ConvergenceWarning)
        gp.fit(X, np.sin(6 * X[:, 0]))
    assert seen == []
    assert ex.as_issued(ex.NumericalWarning) is ex.NumericalWarning
    import pickle  # a warning turned into an error crosses a process pool as pyjl's class

    again = pickle.loads(pickle.dumps(caught[0].message))
    assert type(again) is ex.ConvergenceWarning and again.args == caught[0].message.args


class _Mine(ex.NotFittedError):
    """A user's subclass (module level: pickle finds it by name)."""
