"""``pyjl.hmm``: ``HMM`` (constructor, ``fit``, ``score``/``score_samples``/``score_sequences``,
``predict``, ``predict_proba``, ``decode``, ``sample``, ``aic``, ``bic``) and every emission's
constructor used through ``HMM(init="given")``. Parameters given with ``init="given"`` are
refused when they are not a valid model (probabilities that do not sum to 1, a negative
rate or variance, an asymmetric or indefinite covariance), like bad data.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

from pyjl import hmm

from .families import Bool, Choice, Int, Real, Seed, case, data_cases, param_cases

RNG = np.random.default_rng(20261206)
X1 = np.r_[RNG.normal(-1.0, 1.0, 30), RNG.normal(2.0, 1.0, 30)]
X2 = np.c_[X1, 0.5 * X1 + RNG.normal(0.0, 0.5, 60)]
LENGTHS = [30, 30]
START, TRANS = [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]
NAME = "pyjl.hmm."


def _normal(**kw):
    return hmm.Normal(**{"mean": [-1.0, 2.0], "var": [1.0, 1.0], **kw})


@functools.cache
def _fitted():
    return hmm.HMM(hmm.Normal(), 2, n_iter=5, random_state=0).fit(X1)


def _given(emission, **kw):
    return hmm.HMM(emission, 2, init="given", **{"startprob": START, "transmat": TRANS, **kw})


_NORMAL = object()  # the default emission; None is a case of its own


def _fit_score(X=X1, lengths=None, emission=_NORMAL, **kw):
    emission = hmm.Normal() if emission is _NORMAL else emission
    model = hmm.HMM(emission, 2, **{"n_iter": 5, "random_state": 0, **kw})
    model.fit(X, lengths)
    return model.score(X, lengths), model.predict_proba(X, lengths)


def _use(model, X, lengths=None):
    return model.score(X, lengths), model.predict_proba(X, lengths)


METHODS = {
    "score": lambda m, X, L=None: m.score(X, L),
    "score_samples": lambda m, X, L=None: m.score_samples(X, L),
    "score_sequences": lambda m, X, L=None: m.score_sequences(X, L),
    "predict": lambda m, X, L=None: m.predict(X, L),
    "predict_proba": lambda m, X, L=None: m.predict_proba(X, L),
    "decode": lambda m, X, L=None: m.decode(X, L, algorithm="map"),
    "aic": lambda m, X, L=None: m.aic(X, L),
    "bic": lambda m, X, L=None: m.bic(X, L),
}

BAD_LENGTHS = (
    ("[30, 20] (sum != len(X))", [30, 20], "refuse"),
    ("[70, -10]", [70, -10], "refuse"),
    ("[60, 0]", [60, 0], "either"),
    ("[30, nan]", [30, np.nan], "refuse"),
    ("[30.5, 29.5]", [30.5, 29.5], "refuse"),
    ("[[30, 30]]", [[30, 30]], "refuse"),
    ("'ab'", "ab", "refuse"),
    ("[]", [], "refuse"),
    ("np.int64 array", np.array(LENGTHS), "valid"),
    ("tuple", tuple(LENGTHS), "valid"),
)


def _lengths_cases(name, fn):
    return [
        case(
            name,
            f"lengths={label}",
            expect,
            "lengths",
            lambda v=v: fn(v),
            (lambda: fn(LENGTHS)) if expect == "valid" else None,
        )
        for label, v, expect in BAD_LENGTHS
    ]


def model():
    out = []
    fit = NAME + "HMM.fit"
    out += data_cases(fit, lambda v: _fit_score(X=v), "X", X1, "signal", real_only=True)
    out.append(case(fit, "X=(1, T, 1)", "refuse", "X", lambda: _fit_score(X=X1[None, :, None])))
    out.append(
        case(
            fit, "X=(T, 1)", "valid", "X", lambda: _fit_score(X=X1[:, None]), lambda: _fit_score()
        )
    )
    out.append(case(fit, "X=1 sample", "refuse", "X", lambda: _fit_score(X=X1[:1])))
    out.append(case(fit, "X=constant", "either", "X", lambda: _fit_score(X=np.ones(60))))
    out += _lengths_cases(fit, lambda v: _fit_score(lengths=v))
    ctor = NAME + "HMM"
    for label, value in (
        ("None", None),
        ("'normal'", "normal"),
        ("3", 3),
        ("Normal class", hmm.Normal),
    ):
        out.append(
            case(
                ctor,
                f"emission={label}",
                "refuse",
                "emission",
                lambda v=value: _fit_score(emission=v),
            )
        )
    specs = {
        "n_states": Int(2, low=1, huge="refuse"),
        "n_iter": Int(5, low=0),
        # a negative tol runs every iteration, inf stops after two: hmmlearn accepts both
        "tol": Real(1e-4, override=(("-inf", "either"), ("inf", "either"))),
        "init": Choice("kmeans"),
        "random_state": Seed(),
        "progress": Bool(False),
        "startprob_prior": Real(1.0, low=0.0),
        "transmat_prior": Real(1.0, low=0.0),
        "batch_rows": Int(1000, low=1, none=True),
    }
    for arg, spec in specs.items():
        if arg == "n_states":
            call = lambda v: _use(hmm.HMM(hmm.Normal(), v, n_iter=5, random_state=0).fit(X1), X1)  # noqa: E731
        else:
            call = lambda v, arg=arg: _fit_score(**{arg: v})  # noqa: E731
        out += param_cases(ctor, call, arg, spec)
    for label, value in (
        ("[0.5, 0.6]", [0.5, 0.6]),
        ("[nan, 1]", [np.nan, 1.0]),
        ("[-0.5, 1.5]", [-0.5, 1.5]),
        ("[0.2, 0.3, 0.5]", [0.2, 0.3, 0.5]),
        ("'a'", "a"),
    ):
        out.append(
            case(
                ctor,
                f"startprob={label}",
                "refuse",
                "startprob",
                lambda v=value: _use(_given(_normal(), startprob=v), X1),
            )
        )
    for label, value in (
        ("rows sum to 1.1", [[0.9, 0.2], [0.2, 0.8]]),
        ("nan", [[np.nan, 0.1], [0.2, 0.8]]),
        ("negative", [[1.1, -0.1], [0.2, 0.8]]),
        ("3 x 3", np.full((3, 3), 1 / 3)),
        ("1-D", [0.5, 0.5]),
    ):
        out.append(
            case(
                ctor,
                f"transmat={label}",
                "refuse",
                "transmat",
                lambda v=value: _use(_given(_normal(), transmat=v), X1),
            )
        )
    out.append(
        case(
            ctor,
            "init='given' without transmat",
            "refuse",
            ("transmat", "init"),
            lambda: _use(hmm.HMM(_normal(), 2, init="given", startprob=START), X1),
        )
    )
    for name, method in METHODS.items():
        out += data_cases(
            f"{NAME}HMM.{name}",
            lambda v, m=method: m(_fitted(), v),
            "X",
            X1,
            "signal",
            real_only=True,
        )
    for name in ("score", "predict"):
        out += _lengths_cases(f"{NAME}HMM.{name}", lambda v, m=METHODS[name]: m(_fitted(), X1, v))
    out.append(
        case(
            NAME + "HMM.score",
            "before fit",
            "refuse",
            "X",
            lambda: hmm.HMM(hmm.Normal(), 2).score(X1),
        )
    )
    out.append(
        case(
            NAME + "HMM.score",
            "X=one outlier 1e200",
            "either",
            "X",
            lambda: _use(_fitted(), np.r_[X1[:-1], 1e200]),
        )
    )
    out += param_cases(
        NAME + "HMM.decode",
        lambda v: _fitted().decode(X1, algorithm=v),
        "algorithm",
        Choice("viterbi", none=True),  # None: the model's algorithm
    )
    sample = NAME + "HMM.sample"
    out += param_cases(
        sample,
        lambda v: _fitted().sample(v, random_state=0),
        "n_samples",
        Int(5, low=0, huge="refuse"),
    )
    out += param_cases(
        sample, lambda v: _fitted().sample(5, random_state=v), "random_state", Seed()
    )
    out += param_cases(
        sample,
        lambda v: _fitted().sample(5, random_state=0, currstate=v),
        "currstate",
        Int(0, low=0, high=1, none=True),
    )
    return out


def _params(name, build, arg, values, data=X1, names=()):
    """Cases ``build(value)`` -> emission, used through a given model on ``data``; a
    parameter for 3 states in a 2-state model may be refused by naming ``n_states``."""
    return [
        case(
            name,
            f"{arg}={label}",
            expect,
            (arg, *names, *(("n_states",) if "3 states" in label else ())),
            lambda v=v: _use(_given(build(v)), data),
        )
        for label, v, expect in values
    ]


def _floor(cls) -> str:
    """The variance floor's keyword: hmmlearn's ``min_covar`` (older pyjl: ``*_floor``)."""
    names = inspect.signature(cls).parameters
    return "min_covar" if "min_covar" in names else next(n for n in names if n.endswith("_floor"))


def _positive_vector(ok, zero="refuse"):
    return (
        ("[nan, x]", [np.nan, ok], "refuse"),
        ("[inf, x]", [np.inf, ok], "refuse"),
        ("[0, x]", [0.0, ok], zero),
        ("[-1, x]", [-1.0, ok], "refuse"),
        ("3 states", [ok, ok, ok], "refuse"),
        ("'a'", "a", "refuse"),
        ("[1e-300, x]", [1e-300, ok], "either"),
    )


def emissions():
    out = []
    normal = NAME + "Normal"
    out += _params(
        normal,
        lambda v: _normal(mean=v),
        "mean",
        (
            ("[nan, 2]", [np.nan, 2.0], "refuse"),
            ("[inf, 2]", [np.inf, 2.0], "refuse"),
            ("[1e308, 2]", [1e308, 2.0], "either"),
            ("3 states", [0.0, 1.0, 2.0], "refuse"),
            ("'a'", "a", "refuse"),
        ),
    )
    out += _params(normal, lambda v: _normal(var=v), "var", _positive_vector(1.0))
    floor = _floor(hmm.Normal)
    out += param_cases(
        normal, lambda v: _fit_score(emission=hmm.Normal(**{floor: v})), floor, Real(1e-3, low=0.0)
    )
    mv = NAME + "MvNormal"
    mean2 = [[-1.0, -0.5], [2.0, 1.0]]
    full = np.array([[[1.0, 0.3], [0.3, 1.0]], [[1.0, 0.0], [0.0, 0.5]]])

    def mvn(cov=full, mean=mean2, covariance_type="full", **kw):
        return hmm.MvNormal(mean=mean, cov=cov, covariance_type=covariance_type, **kw)

    asym, indefinite, nan_cov = full.copy(), full.copy(), full.copy()
    asym[0, 0, 1] = 0.9
    indefinite[0] = [[1.0, 2.0], [2.0, 1.0]]
    nan_cov[1, 1, 1] = np.nan
    out += _params(
        mv,
        lambda v: mvn(cov=v),
        "cov",
        (
            ("asymmetric", asym, "refuse"),
            ("indefinite", indefinite, "refuse"),
            ("nan", nan_cov, "refuse"),
            ("(2, 3, 3)", np.tile(np.eye(3), (2, 1, 1)), "refuse"),
            ("diag shape for full", [[1.0, 1.0], [1.0, 1.0]], "refuse"),
        ),
        X2,
    )
    for ctype, cov in (
        ("diag", [[1.0, -1.0], [1.0, 1.0]]),
        ("spherical", [1.0, -1.0]),
        ("tied", [[1.0, 0.9], [0.1, 1.0]]),
    ):
        out.append(
            case(
                mv,
                f"cov=invalid {ctype}",
                "refuse",
                "cov",
                lambda c=cov, t=ctype: _use(_given(mvn(cov=c, covariance_type=t)), X2),
            )
        )
    out += _params(
        mv,
        lambda v: mvn(mean=v),
        "mean",
        (
            ("nan", [[np.nan, 0.0], [2.0, 1.0]], "refuse"),
            ("3 features", [[0.0] * 3] * 2, "refuse"),
        ),
        X2,
        ("cov",),
    )
    out += param_cases(
        mv, lambda v: _use(_given(mvn(covariance_type=v)), X2), "covariance_type", Choice("full")
    )
    floor = _floor(hmm.MvNormal)
    out += param_cases(
        mv,
        lambda v: _fit_score(X=X2, emission=hmm.MvNormal(**{floor: v})),
        floor,
        Real(1e-3, low=0.0),
    )
    out += data_cases(
        NAME + "HMM.score[MvNormal]",
        lambda v: _use(_given(mvn()), v),
        "X",
        X2,
        "table",
        max_ndim=2,
    )
    out.append(
        case(
            NAME + "HMM.score[MvNormal]",
            "X=3 features",
            "refuse",
            "X",
            lambda: _use(_given(mvn()), np.ones((5, 3))),
        )
    )
    counts = RNG.poisson(2.0, 40).astype(float)
    positive = RNG.exponential(1.0, 40)
    for cls, arg, ok, data, bad_data in (
        (hmm.Exponential, "rate", 1.0, positive, (("negative", -1.0, "refuse"),)),
        (hmm.Poisson, "rate", 2.0, counts, (("negative", -1.0, "refuse"), ("1.5", 1.5, "refuse"))),
    ):
        name = NAME + cls.__name__
        # a Poisson rate of 0 is a state that only emits zeros: hmmlearn's M-step and ours
        # produce it from data, so it is a legal parameter
        zero = "either" if cls is hmm.Poisson else "refuse"
        out += _params(
            name, lambda v, c=cls, a=arg: c(**{a: v}), arg, _positive_vector(ok, zero), data
        )
        base = cls(**{arg: [ok, 2 * ok]})
        out += data_cases(
            f"{NAME}HMM.score[{cls.__name__}]",
            lambda v, b=base: _use(_given(b), v),
            "X",
            data,
            "signal",
            real_only=True,
            tabular=False,
        )
        for label, value, expect in bad_data:
            out.append(
                case(
                    f"{NAME}HMM.score[{cls.__name__}]",
                    f"X has {label}",
                    expect,
                    "X",
                    lambda value=value, b=base, d=data: _use(_given(b), np.r_[d[:-1], value]),
                )
            )
    gamma = NAME + "Gamma"
    out += _params(
        gamma,
        lambda v: hmm.Gamma(shape=v, rate=[1.0, 2.0]),
        "shape",
        _positive_vector(2.0),
        positive,
    )
    out += _params(
        gamma,
        lambda v: hmm.Gamma(shape=[2.0, 3.0], rate=v),
        "rate",
        _positive_vector(1.0),
        positive,
    )
    g = hmm.Gamma(shape=[2.0, 3.0], rate=[1.0, 2.0])
    for label, value, expect in (("0", 0.0, "either"), ("negative", -1.0, "refuse")):
        out.append(
            case(
                NAME + "HMM.score[Gamma]",
                f"X has {label}",
                expect,
                "X",
                lambda value=value: _use(_given(g), np.r_[positive[:-1], value]),
            )
        )
    cat = NAME + "Categorical"
    probs = [[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]
    symbols = RNG.integers(0, 3, 40).astype(float)
    out += _params(
        cat,
        lambda v: hmm.Categorical(probs=v),
        "probs",
        (
            ("rows sum to 1.1", [[0.6, 0.3, 0.2], [0.1, 0.1, 0.8]], "refuse"),
            ("negative", [[1.1, -0.3, 0.2], [0.1, 0.1, 0.8]], "refuse"),
            ("nan", [[np.nan, 0.3, 0.2], [0.1, 0.1, 0.8]], "refuse"),
            ("1-D", [0.5, 0.3, 0.2], "refuse"),
            ("3 states", probs + probs[:1], "refuse"),
        ),
        symbols,
    )
    out += param_cases(
        cat,
        lambda v: _use(_given(hmm.Categorical(probs=probs, n_symbols=v)), symbols),
        "n_symbols",
        Int(3, low=3, none=True),
        names=("probs",),
    )
    cat_model = hmm.Categorical(probs=probs)
    for label, value in (("symbol 3 (out of range)", 3.0), ("-1", -1.0), ("1.5", 1.5)):
        out.append(
            case(
                NAME + "HMM.score[Categorical]",
                f"X has {label}",
                "refuse",
                "X",
                lambda value=value: _use(_given(cat_model), np.r_[symbols[:-1], value]),
            )
        )
    out += data_cases(
        NAME + "HMM.score[Categorical]",
        lambda v: _use(_given(cat_model), v),
        "X",
        symbols,
        "signal",
        real_only=True,
        tabular=False,
    )
    mix = NAME + "Mixture"

    def mixture(components=None, weights=((0.5, 0.5), (0.3, 0.7)), **kw):
        components = (
            components
            if components is not None
            else [
                hmm.Normal(mean=[-1.0, 2.0], var=[1.0, 1.0]),
                hmm.Normal(mean=[0.0, 3.0], var=[1.0, 1.0]),
            ]
        )
        return hmm.Mixture(
            components, weights=None if weights is None else np.array(weights), **kw
        )

    out += _params(
        mix,
        lambda v: mixture(weights=v),
        "weights",
        (
            ("rows sum to 1.1", [[0.6, 0.5], [0.3, 0.7]], "refuse"),
            ("negative", [[1.5, -0.5], [0.3, 0.7]], "refuse"),
            ("nan", [[np.nan, 0.5], [0.3, 0.7]], "refuse"),
            ("3 components", [[0.2, 0.3, 0.5]] * 2, "refuse"),
        ),
    )
    out += _params(
        mix,
        lambda v: mixture(components=v),
        "components",
        (("[]", [], "refuse"), ("[3]", [3], "refuse"), ("None", None, "either")),
    )
    out += param_cases(
        mix,
        lambda v: _fit_score(emission=hmm.Mixture([hmm.Normal(), hmm.Normal()], n_inner=v)),
        "n_inner",
        Int(1, low=1, huge="either"),
    )
    out += param_cases(
        mix,
        lambda v: _fit_score(emission=hmm.Mixture(hmm.Normal(), n_components=v)),
        "n_components",
        Int(2, low=1, none=True, huge="refuse"),
    )
    return out


def cases():
    return [*model(), *emissions()]
