"""The body of :func:`pyjl.testing.check_engine` (package-private)."""

from __future__ import annotations

import numpy as np

from . import engines
from .engines import contract


def _assert_same(expected, got, where, rtol):
    """``got`` equals ``expected`` (the native result) in structure, shape and value."""
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), (
            f"{where}: expected a tuple of {len(expected)}, got {type(got).__name__}"
        )
        for i, (e, g) in enumerate(zip(expected, got)):
            _assert_same(e, g, f"{where}[{i}]", rtol)
        return
    if hasattr(got, "get") and not isinstance(got, np.ndarray):  # a device array
        got = got.get()
    expected, got = np.asarray(expected), np.asarray(got)
    assert got.shape == expected.shape, f"{where}: shape {got.shape}, expected {expected.shape}"
    if expected.dtype.kind in "iub":
        assert np.array_equal(got, expected), f"{where}: integer results differ"
        return
    finite = np.abs(expected[np.isfinite(expected)])
    scale = max(1.0, float(finite.max()) if finite.size else 1.0)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * 0.1 * scale, err_msg=where)


def _arrays(out) -> list:
    return [a for o in out for a in _arrays(o)] if isinstance(out, tuple) else [out]


def _assert_fresh(expected, got, args, earlier, where):
    """Every output array of ``got`` has the reference's dtype, is C-contiguous, writable
    and freshly allocated: it shares no memory with the arguments, with another output or
    with an output of an earlier call (``earlier``, extended with these)."""
    mine = []
    for i, (e, g) in enumerate(zip(_arrays(expected), _arrays(got))):
        at = f"{where}[{i}]" if isinstance(expected, tuple) else where
        if not isinstance(g, np.ndarray):
            assert hasattr(g, "get") and hasattr(g, "dtype"), (
                f"{at}: returned {type(g).__name__}, not an array"
            )
            assert g.dtype == np.asarray(e).dtype and g.flags.c_contiguous, (
                f"{at}: a device array must be C-contiguous {np.asarray(e).dtype}"
            )
            continue  # device memory: no sharing with the host inputs
        assert g.dtype == np.asarray(e).dtype, (
            f"{at}: dtype {g.dtype}, the contract's is {np.asarray(e).dtype}"
        )
        assert g.flags.c_contiguous, (
            f"{at}: not C-contiguous (the contract's outputs are C-contiguous; the family "
            "layer hands them to compiled code as they are)"
        )
        assert g.flags.writeable, (
            f"{at}: read-only (outputs are freshly allocated and callers change them in place)"
        )
        for j, a in enumerate(args):
            assert not (isinstance(a, np.ndarray) and np.shares_memory(g, a)), (
                f"{at}: shares memory with argument {j} (outputs are freshly allocated)"
            )
        for other in mine + earlier:
            assert not np.shares_memory(g, other), (
                f"{at}: shares memory with another output of this or an earlier call "
                "(a kept or cached buffer; outputs are freshly allocated)"
            )
        mine.append(g)
    earlier.extend(mine)


def _copies(args) -> tuple:
    return tuple(np.array(a, order="C") if isinstance(a, np.ndarray) else a for a in args)


def _in_place(name) -> bool:
    """Whether the contract says kernel ``name`` writes in place."""
    return "in place" in (getattr(contract.Engine, name).__doc__ or "")


def check_engine(engine, rtol, random_state, cases) -> int:
    """See :func:`pyjl.testing.check_engine`."""
    from .engines import get
    from .exceptions import EngineUnavailableError

    eng = get(engine) if isinstance(engine, str) else engine
    label = getattr(eng, "name", None)
    label = label if isinstance(label, str) else type(eng).__name__
    assert callable(getattr(eng, "availability", None)), (
        f"engine {label!r} lacks availability() (the contract's EngineInfo)"
    )
    ok, reason = eng.availability()
    if not ok:
        raise EngineUnavailableError(f"engine {label!r} is unavailable: {reason}")
    # the reference: a native engine of pyjl's own, never the one registered as "native"
    # (which may be the engine under test); built as the registry builds it
    ref = engines.builtin("native")
    ok, reason = ref.availability()
    if not ok:
        raise EngineUnavailableError(f"the reference engine 'native' is unavailable: {reason}")
    checked = 0
    for family, names in contract.KERNELS.items():
        for name in names:
            assert callable(getattr(eng, name, None)), (
                f"engine {label!r} lacks the {family} kernel {name!r}"
            )
            assert name in cases, f"engine_cases has no case for kernel {name!r}"
            earlier: list = []
            # every case, then the first again (a cached output buffer shows as shared)
            runs = list(enumerate(cases[name])) + [(0, cases[name][0])]
            for i, args in runs:
                where = f"{label}.{name} case {i}"
                expected = getattr(ref, name)(*_copies(args))
                mine = _copies(args)
                got = getattr(eng, name)(*mine)
                _assert_same(expected, got, where, rtol)
                _assert_fresh(expected, got, mine, earlier, where)
                if not _in_place(name):
                    for j, (a, b) in enumerate(zip(args, mine)):
                        assert not isinstance(a, np.ndarray) or np.array_equal(
                            a, b, equal_nan=True
                        ), (
                            f"{where} changed its argument {j} in place (kernels leave their "
                            "inputs alone: the family layer may pass the user's own array)"
                        )
                checked += 1
            checked -= 1  # the repeated first case
    assert isinstance(getattr(eng, "name", None), str), (
        f"engine {label!r} has no name: the contract's EngineInfo needs a `name` string"
    )
    return checked
