"""``pyjl.gp``: ``GaussianProcess`` (constructor, ``fit``, ``predict``,
``log_marginal_likelihood``, ``loo_log_predictive``, ``sample_y``, ``update``) and every
kernel's constructor, each used
through a fit so that a bad value accepted at construction shows up in the result.
"""

from __future__ import annotations

import numpy as np

from pyjl import gp

from .families import Bool, Choice, Int, Real, Seed, case, data_cases, param_cases

RNG = np.random.default_rng(20261205)
X = RNG.uniform(0.0, 1.0, (8, 2))
Y = np.sin(3.0 * X[:, 0]) + X[:, 1] + 0.05 * np.random.default_rng(1).normal(size=8)
XS = RNG.uniform(0.0, 1.0, (4, 2))
NAME = "pyjl.gp."


def _model(**kw):
    return gp.GaussianProcess(**{"kernel": gp.RBF(), "noise": 1e-2, "random_state": 0, **kw})


def _fit(X=X, y=Y, model=None, **kw):
    return (model or _model()).fit(X, y, **kw)


def _fit_predict(X=X, y=Y, **kw):
    return _fit(X, y, **kw).predict(XS, return_std=True)


def regression():
    out = []
    fit = NAME + "GaussianProcess.fit"
    out += data_cases(fit, lambda v: _fit_predict(X=v), "X", X, "table", max_ndim=2)
    out.append(case(fit, "X=1-D", "either", "X", lambda: _fit_predict(X=X[:, 0])))
    out.append(case(fit, "X=rows != len(y)", "refuse", ("X", "y"), lambda: _fit_predict(X=X[:5])))
    out += data_cases(
        fit,
        lambda v: _fit_predict(y=v),
        "y",
        Y,
        "signal",
        max_ndim=1,
        real_only=True,
        tabular=True,
    )
    out += data_cases(
        fit,
        lambda v: _fit_predict(noise_var=v),
        "noise_var",
        np.full(8, 1e-2),
        "coef",
        required=False,
        max_ndim=1,
    )
    out.append(
        case(
            fit,
            "noise_var=-1",
            "refuse",
            "noise_var",
            lambda: _fit_predict(noise_var=np.full(8, -1.0)),
        )
    )
    out += param_cases(
        fit,
        lambda v: _fit_predict(method=v),
        "method",
        Choice("ml", none=True),
        extra=(("loo", "loo", "either"),),
    )
    out += param_cases(
        fit,
        lambda v: _fit_predict(n_restarts=v),
        "n_restarts",
        Int(1, low=0, none=True, huge="refuse"),
    )
    ctor = NAME + "GaussianProcess"
    out += param_cases(
        ctor, lambda v: _fit_predict(model=_model(noise=v)), "noise", Real(1e-2, low=0.0)
    )
    out += param_cases(
        ctor, lambda v: _fit_predict(model=_model(normalize_y=v)), "normalize_y", Bool(True)
    )
    out += param_cases(
        ctor,
        lambda v: _fit_predict(model=_model(n_restarts=v)),
        "n_restarts",
        Int(1, low=0, huge="refuse"),
    )
    out += param_cases(
        ctor, lambda v: _fit_predict(model=_model(warm_start=v)), "warm_start", Bool(True)
    )
    out += param_cases(
        ctor,
        lambda v: _fit_predict(model=_model(random_state=v, n_restarts=1)),
        "random_state",
        Seed(),
    )
    for label, value in (
        ("(nan, 1)", (np.nan, 1.0)),
        ("(1e-6, inf)", (1e-6, np.inf)),
        ("(1, 1e-3) reversed", (1.0, 1e-3)),
        ("(-1, 1)", (-1.0, 1.0)),
        ("(0, 1)", (0.0, 1.0)),
        ("'a'", "a"),
        ("(1,)", (1.0,)),
    ):
        out.append(
            case(
                ctor,
                f"noise_bounds={label}",
                "refuse",
                "noise_bounds",
                lambda v=value: _fit_predict(model=_model(noise_bounds=v)),
            )
        )
    for label, value in (("'rbf'", "rbf"), ("3", 3), ("RBF class", gp.RBF)):
        out.append(
            case(
                ctor,
                f"kernel={label}",
                "refuse",
                "kernel",
                lambda v=value: _fit_predict(model=_model(kernel=v)),
            )
        )
    fitted = _fit()
    predict = NAME + "GaussianProcess.predict"
    out += data_cases(
        predict, lambda v: _fit().predict(v, return_std=True), "X", XS, "table", max_ndim=2
    )
    out.append(
        case(predict, "X=3 features", "refuse", "X", lambda: _fit().predict(np.ones((2, 3))))
    )
    # scikit-learn predicts from the prior before fit; pyjl may too, or say NotFittedError
    out.append(case(predict, "before fit", "either", "X", lambda: _model().predict(XS)))
    for flag in ("return_std", "return_cov", "include_noise"):
        out += param_cases(
            predict, lambda v, flag=flag: _fit().predict(XS, **{flag: v}), flag, Bool(False)
        )
    lml = NAME + "GaussianProcess.log_marginal_likelihood"
    loo = NAME + "GaussianProcess.loo_log_predictive"
    theta = fitted.kernel_.theta if hasattr(fitted.kernel_, "theta") else None
    for name, method in ((lml, "log_marginal_likelihood"), (loo, "loo_log_predictive")):
        if theta is not None:
            out += data_cases(
                name,
                lambda v, m=method: getattr(_fit(), m)(v),
                "theta",
                np.asarray(theta, float),
                "coef",
                required=False,
                max_ndim=1,
            )
        out += param_cases(
            name,
            lambda v, m=method: getattr(_fit(), m)(eval_gradient=v),
            "eval_gradient",
            Bool(False),
        )
        out.append(
            case(name, "before fit", "either", "theta", lambda m=method: getattr(_model(), m)())
        )
    sample = NAME + "GaussianProcess.sample_y"
    out += data_cases(
        sample,
        lambda v: _fit().sample_y(v, 2, random_state=0),
        "X",
        XS,
        "table",
        max_ndim=2,
        tabular=False,
    )
    out += param_cases(
        sample,
        lambda v: _fit().sample_y(XS, v, random_state=0),
        "n_samples",
        Int(2, low=1, huge="refuse", override=(("0", "either"),)),
    )
    out += param_cases(
        sample, lambda v: _fit().sample_y(XS, 2, random_state=v), "random_state", Seed()
    )
    update = NAME + "GaussianProcess.update"
    x_new, y_new = XS[:2], np.array([0.5, 0.7])

    def _update(X_new=x_new, y_new=y_new, **kw):
        return _fit().update(X_new, y_new, **kw).predict(XS, return_std=True)

    out += data_cases(update, lambda v: _update(X_new=v), "X_new", x_new, "table", max_ndim=2)
    out += data_cases(
        update,
        lambda v: _update(y_new=v),
        "y_new",
        y_new,
        "signal",
        max_ndim=1,
        real_only=True,
        tabular=False,
    )
    out += param_cases(
        update, lambda v: _update(noise_var=v), "noise_var", Real(1e-2, low=0.0, none=True)
    )
    return out


KERNELS = {
    "RBF": ("lengthscale", "variance"),
    "Matern12": ("lengthscale", "variance"),
    "Matern32": ("lengthscale", "variance"),
    "Matern52": ("lengthscale", "variance"),
    "RationalQuadratic": ("lengthscale", "alpha", "variance"),
    "Periodic": ("lengthscale", "period", "variance"),
    "Linear": ("variance",),
    "White": ("variance",),
    "Constant": ("variance",),
}


def kernels():
    out = []
    for name, params in KERNELS.items():
        cls = getattr(gp, name)

        def through_fit(cls=cls, **kw):
            kernel = cls(**kw) + gp.White(1e-2) if cls is gp.Linear else cls(**kw)
            return _fit_predict(model=_model(kernel=kernel), method=None)

        for p in params:
            out += param_cases(
                NAME + name,
                lambda v, p=p, f=through_fit: f(**{p: v}),
                p,
                Real(1.0, low=0.0, low_open=True),
            )
            if p == "lengthscale":
                for label, value, expect in (
                    ("[1, nan]", [1.0, np.nan], "refuse"),
                    ("[]", [], "refuse"),
                    ("[[1, 1]]", [[1.0, 1.0]], "refuse"),
                    ("[1, 2, 3] for 2 features", [1.0, 2.0, 3.0], "refuse"),
                    ("[0.5, 2]", [0.5, 2.0], "valid"),
                ):
                    ref = (
                        (lambda f=through_fit: f(lengthscale=np.array([0.5, 2.0])))
                        if expect == "valid"
                        else None
                    )
                    out.append(
                        case(
                            NAME + name,
                            f"lengthscale={label}",
                            expect,
                            "lengthscale",
                            lambda v=value, f=through_fit: f(lengthscale=v),
                            ref,
                        )
                    )
            for label, value in (
                ("(nan, 1)", (np.nan, 1.0)),
                ("(1, 1e-3) reversed", (1.0, 1e-3)),
                ("(0, 1)", (0.0, 1.0)),
                ("'a'", "a"),
            ):
                out.append(
                    case(
                        NAME + name,
                        f"{p}_bounds={label}",
                        "refuse",
                        f"{p}_bounds",
                        lambda v=value, p=p, cls=cls: _fit_predict(
                            model=_model(kernel=cls(**{f"{p}_bounds": v}))
                        ),
                    )
                )
    scaled = NAME + "Scaled"
    out += param_cases(
        scaled,
        lambda v: _fit_predict(model=_model(kernel=gp.Scaled(gp.RBF(), v)), method=None),
        "scale",
        Real(2.0, low=0.0, low_open=True),
    )
    out.append(
        case(
            scaled,
            "kernel='rbf'",
            "refuse",
            "kernel",
            lambda: _fit_predict(model=_model(kernel=gp.Scaled("rbf", 2.0))),
        )
    )
    out.append(
        case(
            NAME + "Kernel.__rmul__",
            "nan * RBF()",
            "refuse",
            ("scale", "scalar"),
            lambda: _fit_predict(model=_model(kernel=np.nan * gp.RBF()), method=None),
        )
    )
    out.append(
        case(
            NAME + "Kernel.__rmul__",
            "-1 * RBF()",
            "refuse",
            ("scale", "scalar"),
            lambda: _fit_predict(model=_model(kernel=-1.0 * gp.RBF()), method=None),
        )
    )
    out.append(
        case(
            NAME + "Sum",
            "parts=[RBF(), 'a']",
            "refuse",
            ("parts", "part"),
            lambda: _fit_predict(model=_model(kernel=gp.Sum([gp.RBF(), "a"]))),
        )
    )
    out.append(
        case(
            NAME + "Product",
            "parts=[]",
            "refuse",
            ("parts", "part"),
            lambda: _fit_predict(model=_model(kernel=gp.Product([]))),
        )
    )
    return out


def cases():
    return [*regression(), *kernels()]
