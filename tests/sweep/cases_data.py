"""``pyjl.data`` (``as_array``, ``read_arrow``, ``write_arrow``) and the engine settings
(``pyjl.set_backend``, ``set_num_threads``, ``use_backend``).

``write_arrow`` stores what it is given, so NaN, infinity, nulls and strings are data it
may write (``either``); each write is read back and must equal the plain array's.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile

import numpy as np

import pyjl
from pyjl import data

from .families import Bool, Int, array_variants, case, data_cases, param_cases

RNG = np.random.default_rng(20261207)
X = RNG.standard_normal(24)
T = RNG.standard_normal((12, 2))
NAME = "pyjl.data."
_DIR = None
_COUNTER = itertools.count()


def _path(name="t.arrow"):
    """A fresh file name in this process's scratch folder (removed at exit)."""
    global _DIR
    if _DIR is None:
        _DIR = tempfile.mkdtemp(prefix="pyjl-sweep-")
        atexit.register(shutil.rmtree, _DIR, True)
    return os.path.join(_DIR, f"{next(_COUNTER)}-{name}")


def _roundtrip(value, **kw):
    return data.read_arrow(data.write_arrow(_path(), value, **kw))


def _stored(value, **kw):
    """The shape read back: the values themselves (NaN, nulls, text) are the user's data."""
    table = _roundtrip(value, **kw)
    return table.num_rows, table.num_columns


def arrays():
    out = []
    out += data_cases(
        NAME + "as_array", lambda v: data.as_array(v, name="x"), "x", X, real_only=True
    )
    out += data_cases(
        NAME + "as_array",
        lambda v: data.as_array(v, name="x", ndim=2),
        "x[2-D]",
        T,
        "table",
        max_ndim=2,
        names=("x",),
    )
    out.append(
        case(
            NAME + "as_array",
            "ndim=2 for 1-D",
            "refuse",
            "x",
            lambda: data.as_array(X, name="x", ndim=2),
        )
    )
    for label, kw, expect in (
        ("dtype='bogus'", {"dtype": "bogus"}, "refuse"),
        ("ndim='a'", {"ndim": "a"}, "refuse"),
        ("ndim=-1", {"ndim": -1}, "refuse"),
        ("copy='yes'", {"copy": "yes"}, "refuse"),
        ("finite='yes'", {"finite": "yes"}, "refuse"),
        ("name=3", {"name": 3}, "either"),
    ):
        arg = label.partition("=")[0]
        out.append(
            case(
                NAME + "as_array",
                label,
                expect,
                arg,
                lambda kw=kw: data.as_array(X, **{"name": "x", **kw}),
            )
        )
    out.append(
        case(
            NAME + "as_array",
            "copy=False on big-endian",
            "refuse",
            ("x", "copy"),
            lambda: data.as_array(X.astype(">f8"), name="x", copy=False),
        )
    )
    write = NAME + "write_arrow"
    stored = {
        "nan",
        "inf",
        "-inf",
        "1e308",
        "strings",
        "complex",
        "object+None",
        "pandas+nan",
        "pandas+NA",
        "arrow+null",
        "empty",
        "bool",
        "object",
    }
    for label, value, expect, plain in array_variants(T, "table", max_ndim=2):
        expect = "either" if label in stored else expect
        ref = None if plain is None else (lambda plain=plain: _roundtrip(np.array(plain)))
        call = (lambda v=value: _stored(v)) if label in stored else (lambda v=value: _roundtrip(v))
        out.append(case(write, f"data={label}", expect, "data", call, ref))
    out += param_cases(
        write,
        lambda v: _roundtrip(T, max_rows_per_chunk=v),
        "max_rows_per_chunk",
        Int(4, low=1, none=True, huge="either"),
    )
    for label, value in (("wrong length", ["a"]), ("not strings", [1, 2]), ("'ab'", "ab")):
        out.append(
            case(
                write, f"names={label}", "refuse", "names", lambda v=value: _roundtrip(T, names=v)
            )
        )
    for label, value in (("missing folder", "/nonexistent/dir/t.arrow"), ("3", 3), ("None", None)):
        out.append(
            case(write, f"path={label}", "refuse", "path", lambda v=value: data.write_arrow(v, T))
        )
    read = NAME + "read_arrow"

    def text_file():
        path = _path("t.txt")
        with open(path, "w") as fh:
            fh.write("not arrow\n")
        return path

    for label, make in (
        ("missing file", lambda: "/nonexistent/t.arrow"),
        ("a folder", lambda: os.path.dirname(_path())),
        ("a text file", text_file),
        ("3", lambda: 3),
        ("None", lambda: None),
    ):
        out.append(
            case(
                read, f"path={label}", "refuse", "path", lambda make=make: data.read_arrow(make())
            )
        )
    for label, value, expect in (
        ("['nope']", ["nope"], "refuse"),
        ("[5]", [5], "refuse"),
        ("3.5", 3.5, "refuse"),
        ("'0'", "0", "either"),
        ("['0']", ["0"], "valid"),
    ):
        ref = (
            (lambda: data.read_arrow(data.write_arrow(_path(), T), columns=["0"]))
            if expect == "valid"
            else None
        )
        out.append(
            case(
                read,
                f"columns={label}",
                expect,
                "columns",
                lambda v=value: data.read_arrow(data.write_arrow(_path(), T), columns=v),
                ref,
            )
        )
    return out


def settings():
    out = []
    for label, value, expect in (
        ("'bogus'", "bogus", "refuse"),
        ("3", 3, "refuse"),
        ("None", None, "either"),
        ("'julia'", "julia", "either"),
        ("'cuda'", "cuda", "either"),
        ("'NATIVE'", "NATIVE", "either"),
    ):
        out.append(
            case(
                "pyjl.set_backend",
                f"name={label}",
                expect,
                ("name", "engine"),
                lambda v=value: pyjl.set_backend(v),
            )
        )

        def use(v=value):
            with pyjl.use_backend(v):
                return pyjl.get_backend()

        out.append(case("pyjl.use_backend", f"name={label}", expect, ("name", "engine"), use))
    out += param_cases(
        "pyjl.set_num_threads",
        lambda v: pyjl.set_num_threads(v),
        "n",
        Int(1, low=1, huge="either"),
        names=("n_threads", "num_threads", "threads"),
    )
    return out


def cases():
    return [*arrays(), *settings()]


assert Bool  # imported for symmetry with the other tables
