"""``pyjl.bo``: search-space dimensions and ``Space``, the ``Optimizer`` (constructor, ``ask``,
``tell``, ``tell_failed``), ``minimize``/``random_search``/``grid_search`` on a tiny objective,
and the plots. Bounds and objective values of NaN are refused like NaN data; a finite
objective value as large as 1e308 is valid (it must be handled, not abort the study).
"""

from __future__ import annotations

import numpy as np

from pyjl import bo

from .families import Bool, Choice, Int, Real, Seed, case, param_cases

NAME = "pyjl.bo."


def _space():
    return bo.Space(
        {"x": bo.Real(-2.0, 2.0), "n": bo.Integer(1, 5), "c": bo.Categorical(["a", "b"])}
    )


def _objective(p):
    return (p["x"] - 0.3) ** 2 + 0.1 * p["n"] + (p["c"] == "b")


def _optimize(n_steps=3, **kw):
    opt = bo.Optimizer(_space(), **{"n_initial": 2, "seed": 0, **kw})
    for _ in range(n_steps):
        x = opt.ask()
        opt.tell(x, _objective(x))
    return opt


def _best(opt):
    params, value = opt.best
    return value, params["x"], params["n"]


def dimensions():
    out = []

    def through_space(dim):
        # one coordinate per choice: a Categorical encodes to n_encoded coordinates
        return bo.Space({"v": dim}).decode(np.full(dim.n_encoded, 0.25))

    for cls, lo, hi in ((bo.Real, -1.0, 2.0), (bo.Integer, 1, 8)):
        name = NAME + cls.__name__
        is_int = cls is bo.Integer
        spec = (lambda ok: Int(ok, huge="either")) if is_int else (lambda ok: Real(ok))
        out += param_cases(
            name, lambda v, c=cls, hi=hi: through_space(c(v, hi)), "lo", spec(lo), names=("low",)
        )
        out += param_cases(
            name, lambda v, c=cls, lo=lo: through_space(c(lo, v)), "hi", spec(hi), names=("high",)
        )
        out.append(
            case(
                name,
                "lo > hi",
                "refuse",
                ("lo", "hi", "low", "high"),
                lambda c=cls, lo=lo, hi=hi: through_space(c(hi, lo)),
            )
        )
        out.append(
            case(
                name,
                "lo == hi",
                "either",
                ("lo", "hi", "low", "high"),
                lambda c=cls, lo=lo: through_space(c(lo, lo)),
            )
        )
        out.append(
            case(
                name,
                "log with lo <= 0",
                "refuse",
                ("lo", "log", "low"),
                lambda c=cls, hi=hi, is_int=is_int: through_space(
                    c(-1 if is_int else -1.0, hi, log=True)
                ),
            )
        )
        out += param_cases(
            name,
            lambda v, c=cls, lo=lo, hi=hi: through_space(c(abs(lo) + 1, hi + 2, log=v)),
            "log",
            Bool(True),
        )
    cat = NAME + "Categorical"
    for label, value, expect in (
        ("[]", [], "refuse"),
        ("[1, True] (equal keys)", [1, True], "refuse"),
        ("['a', 'a']", ["a", "a"], "refuse"),
        ("None", None, "refuse"),
        ("3", 3, "refuse"),
        ("'ab'", "ab", "either"),
        ("[nan, 1.0]", [np.nan, 1.0], "either"),
        ("[[1], [2]]", [[1], [2]], "either"),
        ("np.array(['a', 'b'])", np.array(["a", "b"]), "valid"),
    ):
        ref = (lambda: through_space(bo.Categorical(["a", "b"]))) if expect == "valid" else None
        out.append(
            case(
                cat,
                f"choices={label}",
                expect,
                "choices",
                lambda v=value: through_space(bo.Categorical(v)),
                ref,
            )
        )
    space = NAME + "Space"
    for label, value, expect in (
        ("{}", {}, "either"),
        ("{'x': 3}", {"x": 3}, "refuse"),
        ("'abc'", "abc", "refuse"),
        ("None", None, "refuse"),
        ("{1: Real}", {1: bo.Real(0.0, 1.0)}, "either"),
    ):
        out.append(
            case(
                space,
                f"dimensions={label}",
                expect,
                ("dimensions", "space", "x"),
                lambda v=value: bo.Space(v).decode(
                    np.full(len(v), 0.5) if isinstance(v, dict) else 0.5
                ),
            )
        )
    good = {"x": 0.5, "n": 2, "c": "a"}
    bad_params = (
        ("missing key", {"x": 0.5, "n": 2}, "refuse"),
        ("extra key", {**good, "z": 1}, "refuse"),
        ("x out of bounds", {**good, "x": 3.0}, "refuse"),
        ("x=nan", {**good, "x": np.nan}, "refuse"),
        ("x=inf", {**good, "x": np.inf}, "refuse"),
        ("n=1.5", {**good, "n": 1.5}, "refuse"),
        ("c unknown", {**good, "c": "z"}, "refuse"),
        ("x='0.5'", {**good, "x": "0.5"}, "refuse"),
        ("not a mapping", [0.5, 2, "a"], "refuse"),
        ("np scalars", {"x": np.float64(0.5), "n": np.int64(2), "c": "a"}, "valid"),
    )
    # encode and key map points (also ones outside the space, e.g. to warm-start) without
    # judging them: only what they cannot map must be refused
    lenient = ("extra key", "x out of bounds", "n=1.5", "x='0.5'", "c unknown", "x=nan", "x=inf")
    for method in ("validate", "encode", "key"):
        for label, params, expect in bad_params:
            if method != "validate" and label in lenient:
                expect = (
                    "refuse"
                    if (method, label)
                    in {
                        ("encode", "x=nan"),
                        ("encode", "x=inf"),
                        ("encode", "c unknown"),
                        ("encode", "x='0.5'"),
                    }
                    else "either"
                )
            ref = (lambda m=method: getattr(_space(), m)(good)) if expect == "valid" else None
            out.append(
                case(
                    f"{space}.{method}",
                    f"params={label}",
                    expect,
                    ("params", "x", "n", "c", "z"),
                    lambda m=method, p=params: getattr(_space(), m)(p),
                    ref,
                )
            )
    # a point outside the unit cube may be clipped (either); NaN is refused. The space
    # encodes to 4 coordinates (x, n, and one per choice of c), not 3
    for label, u, expect in (
        ("nan", [np.nan, 0.5, 0.5, 0.5], "refuse"),
        ("1.5", [1.5, 0.5, 0.5, 0.5], "either"),
        ("-0.5", [-0.5, 0.5, 0.5, 0.5], "either"),
        ("wrong length", [0.5], "refuse"),
        ("2-D", [[0.5, 0.5, 0.5, 0.5]], "either"),
        ("'a'", "a", "refuse"),
        ("list", [0.5, 0.5, 0.5, 0.5], "valid"),
    ):
        ref = (
            (lambda: _space().decode(np.array([0.5, 0.5, 0.5, 0.5])))
            if expect == "valid"
            else None
        )
        out.append(
            case(f"{space}.decode", f"u={label}", expect, "u", lambda u=u: _space().decode(u), ref)
        )
    return out


OPTIMIZER = {
    "acquisition": Choice("ei"),
    "n_initial": Int(2, low=1, none=True, huge="either"),
    "batch": Choice("kriging_believer"),
    "seed": Seed(),
    "liar": Choice("min"),
    "fit": Choice("ml"),
    "xi": Real(0.0, low=0.0),
    "kappa": Real(2.0, low=0.0),
    "prior": Bool(True),
    "warp_y": Bool(True),
    "gls_mean": Bool(True),
    "initial": Choice("random"),
    "sampler": Choice("gp"),
    "stale_after": Real(60.0, low=0.0, low_open=True, none=True),
    "n_candidates": Int(64, low=1, none=True, huge="refuse"),
    "direction": Choice("maximize", none=True),
}


def optimizer():
    out = []
    ctor = NAME + "Optimizer"
    for arg, spec in OPTIMIZER.items():
        out += param_cases(ctor, lambda v, arg=arg: _best(_optimize(**{arg: v})), arg, spec)
    for label, value in (("3", 3), ("'/nonexistent/dir/s.db'", "/nonexistent/dir/s.db")):
        out.append(
            case(
                ctor,
                f"storage={label}",
                "refuse",
                "storage",
                lambda v=value: _best(_optimize(storage=v)),
            )
        )
    out.append(case(ctor, "study=3", "refuse", "study", lambda: _best(_optimize(study=3))))
    out.append(case(ctor, "space=None", "refuse", "space", lambda: bo.Optimizer(None).ask()))
    ask = NAME + "Optimizer.ask"
    out += param_cases(
        ask, lambda v: _optimize(n_steps=2).ask(v), "n", Int(2, low=1, none=True, huge="refuse")
    )
    tell = NAME + "Optimizer.tell"

    def tell_then_ask(params=None, value=None, noise_var=None):
        opt = _optimize()
        x = opt.ask()
        opt.tell(
            x if params is None else params,
            _objective(x) if value is None else value,
            noise_var=noise_var,
        )
        opt.ask()
        return _best(opt)

    for label, value, expect in (
        ("nan", np.nan, "either"),
        ("inf", np.inf, "either"),
        ("1e308", 1e308, "either"),
        ("-1e308", -1e308, "either"),
        ("'a'", "a", "refuse"),
        ("None", None, "either"),
        ("complex", 1j, "refuse"),
        ("[1.0, 2.0]", [1.0, 2.0], "refuse"),
        ("np.float64", np.float64(0.25), "valid"),
    ):
        ref = (lambda: tell_then_ask(value=0.25)) if expect == "valid" else None
        out.append(
            case(
                tell,
                f"value={label}",
                expect,
                "value",
                lambda v=value: tell_then_ask(value=v),
                ref,
            )
        )
    out += param_cases(
        tell, lambda v: tell_then_ask(noise_var=v), "noise_var", Real(1e-2, low=0.0, none=True)
    )
    for label, params, expect in (
        ("missing key", {"x": 0.5, "n": 2}, "refuse"),
        ("x=nan", {"x": np.nan, "n": 2, "c": "a"}, "refuse"),
        ("x out of bounds", {"x": 9.0, "n": 2, "c": "a"}, "refuse"),
        ("never asked", {"x": 0.5, "n": 2, "c": "a"}, "either"),
        ("None", None, "refuse"),
    ):
        if params is None:
            call = lambda: _optimize().tell(None, 1.0)  # noqa: E731
        else:
            call = lambda p=params: tell_then_ask(params=p)  # noqa: E731
        out.append(case(tell, f"params={label}", expect, ("params", "x", "n", "c"), call))
    failed = NAME + "Optimizer.tell_failed"
    out.append(
        case(
            failed,
            "params=missing key",
            "refuse",
            ("params", "c"),
            lambda: _optimize().tell_failed({"x": 0.5, "n": 2}, "boom"),
        )
    )
    out.append(
        case(
            failed,
            "params=x=nan",
            "refuse",
            ("params", "x"),
            lambda: _optimize().tell_failed({"x": np.nan, "n": 2, "c": "a"}, "boom"),
        )
    )
    out.append(case(failed, "error=3", "either", "error", lambda: _best(_told_failed(3))))
    return out


def _told_failed(error):
    opt = _optimize()
    x = opt.ask()
    opt.tell_failed(x, error)
    opt.ask()
    return opt


def _minimize(fn=bo.minimize, func=_objective, **kw):
    res = fn(func, _space(), **{"n_calls": 3, "progress": False, **kw})
    return res.best_value, res.n_failed


def runners():
    out = []
    runs = {
        "minimize": (bo.minimize, {"n_initial": 2, "seed": 0}),
        "random_search": (bo.random_search, {"seed": 0}),
        "grid_search": (bo.grid_search, {}),
    }
    for name, (fn, base) in runs.items():
        call = lambda fn=fn, base=base, **kw: _minimize(fn, **{**base, **kw})  # noqa: E731
        out += param_cases(
            NAME + name,
            lambda v, c=call: c(n_calls=v),
            "n_calls",
            # a huge budget is a long study, not an error: not swept
            Int(3, low=0, none=name == "grid_search", override=(("2**70", "skip"),)),
        )
        out += param_cases(
            NAME + name,
            lambda v, c=call: c(n_workers=v),
            "n_workers",
            Int(1, low=1, override=(("-1", "accept"),)),  # -1: one per CPU, as joblib's
        )
        out += param_cases(NAME + name, lambda v, c=call: c(progress=v), "progress", Bool(False))
        out += param_cases(
            NAME + name,
            lambda v, c=call: c(max_time=v),
            "max_time",
            Real(60.0, low=0.0, low_open=True, none=True),
        )
        for label, func, expect in (
            ("not callable", 3, "refuse"),
            ("returns nan", lambda p: np.nan, "either"),
            ("returns 1e308", lambda p: 1e308 * (p["x"] > 0), "either"),
            ("returns 'a'", lambda p: "a", "either"),
            ("raises", lambda p: 1 / 0, "either"),
        ):
            out.append(
                case(
                    NAME + name, f"func={label}", expect, "func", lambda c=call, f=func: c(func=f)
                )
            )
        out.append(
            case(
                NAME + name,
                "executor='bogus'",
                "refuse",
                "executor",
                lambda c=call: c(executor="bogus"),
            )
        )
        out.append(
            case(NAME + name, "callback=3", "refuse", "callback", lambda c=call: c(callback=3))
        )
        out.append(
            case(NAME + name, "storage=3", "refuse", "storage", lambda c=call: c(storage=3))
        )
        if name != "grid_search":
            out += param_cases(NAME + name, lambda v, c=call: c(seed=v), "seed", Seed())
    out += param_cases(
        NAME + "grid_search",
        lambda v: _minimize(bo.grid_search, n_points=v),
        "n_points",
        Int(2, low=1, none=True, huge="refuse"),
    )
    out += param_cases(
        NAME + "minimize",
        lambda v: _minimize(n_initial=v, seed=0),
        "n_initial",
        Int(2, low=1, none=True, huge="either"),
    )
    out += param_cases(
        NAME + "minimize",
        lambda v: _minimize(acquisition=v, n_initial=2, seed=0),
        "acquisition",
        Choice("ei"),
    )
    return out


def plots():
    out = []
    name = NAME + "plots."

    def result():
        return bo.random_search(_objective, _space(), n_calls=4, progress=False, seed=0)

    for label, value, expect in (
        ("{}", {}, "either"),
        ("{'a': 3}", {"a": 3}, "refuse"),
        ("3", 3, "refuse"),
    ):
        out.append(
            case(
                name + "convergence",
                f"results={label}",
                expect,
                "results",
                lambda v=value: bo.plots.convergence(v),
            )
        )
    out += param_cases(
        name + "convergence",
        lambda v: bo.plots.convergence({"r": result()}, optimum=v),
        "optimum",
        Real(0.0, none=True),
    )
    out += param_cases(
        name + "history", lambda v: bo.plots.history(result(), ncols=v), "ncols", Int(3, low=1)
    )
    out.append(case(name + "history", "res=3", "refuse", "res", lambda: bo.plots.history(3)))
    post = name + "posterior_1d"
    for label, value in (("'z' (not in space)", "z"), ("3", 3), ("None", None)):
        out.append(
            case(
                post,
                f"name={label}",
                "refuse",
                "name",
                lambda v=value: bo.plots.posterior_1d(_optimize(), v),
            )
        )
    out += param_cases(
        post,
        lambda v: bo.plots.posterior_1d(_optimize(), "x", n_grid=v),
        "n_grid",
        Int(50, low=1, huge="refuse"),
    )
    out.append(
        case(
            post,
            "opt=no trials",
            "either",
            "opt",
            lambda: bo.plots.posterior_1d(bo.Optimizer(_space(), seed=0), "x"),
        )
    )
    out.append(case(post, "opt=3", "refuse", "opt", lambda: bo.plots.posterior_1d(3, "x")))
    return out


def cases():
    everything = [*dimensions(), *optimizer(), *runners(), *plots()]
    return [c for c in everything if c.expect != "skip"]
