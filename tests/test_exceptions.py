"""The exception hierarchy: one root, and the built-in a user would catch."""

import pytest

import pyjl
from pyjl import exceptions as ex


@pytest.mark.parametrize("cls, builtin", [
    (ex.InputError, ValueError),
    (ex.InputTypeError, TypeError),
    (ex.InputTypeError, ValueError),
    (ex.NotFittedError, AttributeError),
    (ex.EngineUnavailableError, RuntimeError),
    (ex.JuliaBridgeError, RuntimeError),
    (ex.StorageError, OSError),
])
def test_subclasses_derive_from_root_and_builtin(cls, builtin):
    assert issubclass(cls, ex.PyjlError) and issubclass(cls, builtin)
    with pytest.raises(builtin):
        raise cls("boom")


def test_julia_bridge_error_carries_julia_details():
    err = ex.JuliaBridgeError("failed", julia_message="DimensionMismatch", julia_stacktrace="at x")
    assert err.julia_message == "DimensionMismatch" and err.julia_stacktrace == "at x"


def test_warning_classes():
    assert issubclass(ex.NumericalWarning, ex.PyjlWarning)
    assert issubclass(ex.NumericalWarning, RuntimeWarning)
    assert issubclass(ex.ConvergenceWarning, UserWarning)


def test_top_level_exports():
    assert pyjl.PyjlError is ex.PyjlError and pyjl.InputError is ex.InputError


def test_storage_error_carries_the_unsaved_evaluation():
    import errno
    err = ex.StorageError("no space", storage="sqlite:///s.db", operation="tell", reason="full",
                          trial=4, params={"x": 0.25}, value=-1.5)
    assert (err.storage, err.operation, err.reason) == ("sqlite:///s.db", "tell", "full")
    assert (err.trial, err.params, err.value) == (4, {"x": 0.25}, -1.5)
    assert err.unsaved == [(4, {"x": 0.25}, -1.5)]
    assert err.errno == errno.ENOSPC and str(err) == "no space"
    assert ex.StorageError("locked", reason="locked").errno == errno.EBUSY
    assert ex.StorageError("x").unsaved == [] and ex.StorageError("x").errno is None
