"""scikit-learn's Gaussian-process names and arguments over :mod:`pyjl.gp`.

A thin translation for running scikit-learn's own tests (``conftest.py`` hands these to
them): names, parameter conventions and shapes only. Every number a test checks (kernel
values, gradients, likelihoods, predictions, draws) is pyjl's; nothing here falls back to
scikit-learn, which this module does not import.

Kernels keep scikit-learn's constructor arguments as attributes, as scikit-learn's do, and
build the pyjl kernel from them on each use:

==============================  ===========================================================
scikit-learn                    pyjl.gp
==============================  ===========================================================
``RBF(l)``                      ``RBF(l, variance=1, variance_bounds="fixed")``
``Matern(l, nu=0.5/1.5/2.5)``   ``Matern12/32/52(l, ...)`` (other ``nu``: none)
``RationalQuadratic(l, a)``     ``RationalQuadratic(l, a, ...)``
``ExpSineSquared(l, p)``        ``Periodic(l, p, ...)``, 1-D inputs only (docs/gp.md)
``DotProduct(s0)``              ``Linear(1, fixed) + Constant(s0 ** 2)``
``ConstantKernel(c)``           ``Constant(c)``
``WhiteKernel(s2)``             ``White(s2)``
``k1 + k2``, ``k1 * k2``        pyjl's ``+`` and ``*`` of the two translations (a number
                                is a ``ConstantKernel`` first, as in scikit-learn)
``k ** p``                      pyjl's ``k ** p`` (an ``Exponentiation``)
``PairwiseKernel``,             none: placeholders that raise :class:`NoPyjlEquivalent`
``CompoundKernel``              once used (they are built while a test module loads)
==============================  ===========================================================

``is_stationary()`` is declared per class as scikit-learn's is, and ``requires_vector_input``
is True for every kernel (pyjl's ``Constant`` and ``White`` take numeric points too).

``theta`` is the pyjl kernel's ``theta`` in scikit-learn's order (its hyperparameters
sorted by name: ``RationalQuadratic``'s alpha before its lengthscale) and scale
(``DotProduct``'s ``log sigma_0`` is half pyjl's ``log variance``); ``bounds`` and the
gradient's last axis are mapped alike (the gradient times that factor 2, the chain rule of
the reparametrisation). ``GaussianProcessRegressor`` runs
:class:`pyjl.gp.GaussianProcess` with ``alpha`` as its fixed ``noise`` (an array of them as
``fit``'s ``noise_var``), ``optimizer="fmin_l_bfgs_b"`` as ``method="ml"`` and ``None`` as
``method=None``, an integer ``random_state`` as ``np.random.RandomState(seed)`` and ``None``
as NumPy's global one (scikit-learn's ``check_random_state``; pyjl's seed would start a
``Generator``), and scikit-learn's defaults where the caller gives none (``kernel=None`` is
scikit-learn's ``ConstantKernel() * RBF()`` in ``fit`` and both fixed for the prior that
``predict`` gives before it; ``sample_y``'s seed is 0). Its fitted attributes are the pyjl
model's (``_y_train_mean`` and ``_y_train_std``, read by one test, are its ``_y_mean`` and
``_y_std``). ``GaussianProcessClassifier`` is refused: pyjl has no classifier.
"""

from __future__ import annotations

import copy
import inspect
from collections import namedtuple

import numpy as np

import pyjl.gp as pg

__all__ = [
    "NoPyjlEquivalent",
    "Hyperparameter",
    "Kernel",
    "KernelOperator",
    "Sum",
    "Product",
    "Exponentiation",
    "RBF",
    "Matern",
    "RationalQuadratic",
    "ExpSineSquared",
    "DotProduct",
    "ConstantKernel",
    "WhiteKernel",
    "PairwiseKernel",
    "CompoundKernel",
    "GaussianProcessRegressor",
    "GaussianProcessClassifier",
]


class NoPyjlEquivalent(NotImplementedError):
    """A scikit-learn kernel, option or input that :mod:`pyjl.gp` has no equivalent of."""


# -- which pyjl objects a running test reached (conftest.py sets and reads it) ---------------

reached: set[str] | None = None


def _reach(name: str) -> None:
    if reached is not None:
        reached.add(name)


# -- scikit-learn's parameter protocol ---------------------------------------------------------


class _Params:
    """``get_params``/``set_params`` over the constructor's arguments, kept as attributes."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values() if p.name != "self"]

    def get_params(self, deep=True):
        out = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and isinstance(value, Kernel):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params):
        valid = self.get_params()
        nested: dict[str, dict] = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for {type(self).__name__}")
            if sep:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub in nested.items():
            getattr(self, name).set_params(**sub)
        return self


class Hyperparameter(namedtuple("Hyperparameter", "name value_type bounds n_elements fixed")):
    """scikit-learn's record of one hyperparameter (its fields; bounds compared by value)."""

    __slots__ = ()

    def __new__(cls, name, value_type, bounds, n_elements=1, fixed=None):
        if not (isinstance(bounds, str) and bounds == "fixed"):
            bounds = np.atleast_2d(bounds)
            if n_elements > 1 and bounds.shape[0] == 1:
                bounds = np.repeat(bounds, n_elements, 0)
        if fixed is None:
            fixed = isinstance(bounds, str) and bounds == "fixed"
        return super().__new__(cls, name, value_type, bounds, n_elements, fixed)

    def __eq__(self, other):
        return (
            self.name == other.name
            and self.value_type == other.value_type
            and bool(np.all(self.bounds == other.bounds))
            and self.n_elements == other.n_elements
            and self.fixed == other.fixed
        )

    __hash__ = None


def _fixed(bounds) -> bool:
    return isinstance(bounds, str) and bounds == "fixed"


def _bounds(bounds, power=1):
    """scikit-learn's bounds of one hyperparameter as pyjl's: ``"fixed"``, or one
    ``(low, high)`` pair (scikit-learn's list of equal per-feature pairs is one pair for
    pyjl); ``power`` 2 squares them (``DotProduct``'s ``sigma_0`` to a variance)."""
    if _fixed(bounds):
        return "fixed"
    if np.ndim(bounds) == 2:
        rows = {tuple(np.asarray(row, dtype=float)) for row in bounds}
        if len(rows) != 1:
            raise NoPyjlEquivalent(
                "pyjl takes one (low, high) pair for all of a kernel's lengthscales; "
                f"scikit-learn's per-feature bounds {bounds!r} differ"
            )
        bounds = rows.pop()
    if power != 1 and np.ndim(bounds) == 1 and len(bounds) == 2:
        return (bounds[0] ** power, bounds[1] ** power)
    return bounds


# -- kernels -----------------------------------------------------------------------------------


class Kernel(_Params):
    """The translation every adapter kernel shares (see the module docstring)."""

    _stationary = True

    def _build(self):
        raise NotImplementedError

    def _pyjl(self):
        """The pyjl kernel this one translates to, built from the attributes as they stand."""
        _reach(type(self).__name__)
        return self._build()

    def _map(self) -> tuple[np.ndarray, np.ndarray]:
        """``(perm, power)``: ``theta[i] = pyjl_theta[perm[i]] / power[i]``."""
        raise NotImplementedError

    def _check(self, X) -> None:
        """Refuse inputs where the pyjl kernel is not scikit-learn's (none by default)."""

    # theta in scikit-learn's order and scale
    def _from_pyjl(self, t):
        perm, power = self._map()
        return np.asarray(t, dtype=np.float64)[perm] / power

    def _to_pyjl(self, theta):
        perm, power = self._map()
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != perm.shape:  # pyjl refuses the length, in its words
            return theta
        t = np.empty(perm.size)
        t[perm] = theta * power
        return t

    def _grad_from_pyjl(self, g):
        perm, power = self._map()
        return np.asarray(g)[..., perm] * power

    @property
    def theta(self):
        return self._from_pyjl(self._pyjl().theta)

    @theta.setter
    def theta(self, theta):
        pk = self._pyjl()
        pk.theta = self._to_pyjl(theta)  # pyjl checks the values (refusing all or none)
        self._read(pk, np.asarray(theta, dtype=np.float64))

    def _read(self, pk, theta) -> None:
        raise NotImplementedError

    @property
    def bounds(self):
        perm, power = self._map()
        return np.asarray(self._pyjl().bounds).reshape(-1, 2)[perm] / power[:, None]

    @property
    def n_dims(self):
        return self.theta.shape[0]

    def __call__(self, X, Y=None, eval_gradient=False):
        self._check(X)
        pk = self._pyjl()
        if eval_gradient:
            if Y is not None:  # pyjl's gradient is that of k(X, X)
                raise ValueError("Gradient can only be evaluated when Y is None.")
            K, dK = pk.gradient(X)
            dK = np.moveaxis(np.asarray(dK).reshape((-1, *np.shape(K))), 0, -1)
            return K, self._grad_from_pyjl(dK)
        if Y is None:
            return pk(X)
        self._check(Y)
        return pk(X, Y)

    def diag(self, X):
        self._check(X)
        return self._pyjl().diag(X)

    def is_stationary(self):
        return self._stationary

    @property
    def requires_vector_input(self):
        return True  # every pyjl kernel takes numeric points, Constant and White included

    def clone_with_theta(self, theta):
        new = copy.deepcopy(self)
        new.theta = theta
        return new

    def __eq__(self, other):
        if self is other:
            return True
        if type(self) is not type(other):
            return False
        return bool(self._pyjl() == other._pyjl())

    __hash__ = None

    def __add__(self, b):
        return Sum(self, b if isinstance(b, Kernel) else ConstantKernel(b))

    def __radd__(self, b):
        return Sum(b if isinstance(b, Kernel) else ConstantKernel(b), self)

    def __mul__(self, b):
        return Product(self, b if isinstance(b, Kernel) else ConstantKernel(b))

    def __rmul__(self, b):
        return Product(b if isinstance(b, Kernel) else ConstantKernel(b), self)

    def __pow__(self, b):
        return Exponentiation(self, b)

    def __repr__(self):
        sig = inspect.signature(type(self).__init__).parameters
        args = [
            f"{name}={value!r}"
            for name, value in ((n, getattr(self, n)) for n in self._param_names())
            if not _same(value, sig[name].default)
        ]
        return f"{type(self).__name__}({', '.join(args)})"


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except (TypeError, ValueError):
        return a is b


class _Leaf(Kernel):
    """A kernel of one pyjl class: ``_names`` maps each scikit-learn hyperparameter to the
    pyjl hyperparameter it is (``"1.variance"`` reaches into a pyjl sum's part 1) and the
    power that turns the one into the other."""

    _names: dict[str, tuple[str, int]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in cls._names:
            setattr(cls, f"hyperparameter_{name}", property(_hyperparameter(name)))

    @property
    def hyperparameters(self):
        return [getattr(self, f"hyperparameter_{n}") for n in sorted(self._names)]

    def _map(self):
        pnames = [n.split("[", 1)[0] for n in self._pyjl().hyperparameter_names]
        perm: list[int] = []
        power: list[int] = []
        for name in sorted(self._names):
            if _fixed(getattr(self, f"{name}_bounds")):
                continue
            target, p = self._names[name]
            idx = [i for i, n in enumerate(pnames) if n == target]
            perm += idx
            power += [p] * len(idx)
        assert sorted(perm) == list(range(len(pnames))), (perm, pnames)
        return np.array(perm, dtype=int), np.array(power, dtype=np.float64)

    def _read(self, pk, theta):
        for name in sorted(self._names):
            if _fixed(getattr(self, f"{name}_bounds")):
                continue
            target, p = self._names[name]
            *path, last = target.split(".")
            part = pk
            for i in path:
                part = part.parts[int(i)]
            value = getattr(part, last)
            setattr(self, name, value if p == 1 else value ** (1 / p))


def _hyperparameter(name):
    def get(self):
        value = getattr(self, name)
        n = len(value) if np.iterable(value) and len(value) > 1 else 1
        return Hyperparameter(name, "numeric", getattr(self, f"{name}_bounds"), n)

    return get


_DEFAULT = (1e-5, 1e5)


class RBF(_Leaf):
    _names = {"length_scale": ("lengthscale", 1)}

    def __init__(self, length_scale=1.0, length_scale_bounds=_DEFAULT):
        self.length_scale = length_scale
        self.length_scale_bounds = length_scale_bounds

    def _build(self):
        return pg.RBF(
            self.length_scale,
            variance=1.0,
            lengthscale_bounds=_bounds(self.length_scale_bounds),
            variance_bounds="fixed",
        )


class Matern(_Leaf):
    _names = {"length_scale": ("lengthscale", 1)}
    _classes = {0.5: pg.Matern12, 1.5: pg.Matern32, 2.5: pg.Matern52}

    def __init__(self, length_scale=1.0, length_scale_bounds=_DEFAULT, nu=1.5):
        self.length_scale = length_scale
        self.length_scale_bounds = length_scale_bounds
        self.nu = nu

    def _build(self):
        cls = self._classes.get(self.nu)
        if cls is None:
            raise NoPyjlEquivalent(
                f"pyjl has Matern12, Matern32 and Matern52 (nu = 0.5, 1.5, 2.5); no Matérn "
                f"kernel of nu = {self.nu!r}"
            )
        return cls(
            self.length_scale,
            variance=1.0,
            lengthscale_bounds=_bounds(self.length_scale_bounds),
            variance_bounds="fixed",
        )


class RationalQuadratic(_Leaf):
    _names = {"length_scale": ("lengthscale", 1), "alpha": ("alpha", 1)}

    def __init__(
        self, length_scale=1.0, alpha=1.0, length_scale_bounds=_DEFAULT, alpha_bounds=_DEFAULT
    ):
        self.length_scale = length_scale
        self.alpha = alpha
        self.length_scale_bounds = length_scale_bounds
        self.alpha_bounds = alpha_bounds

    def _build(self):
        return pg.RationalQuadratic(
            self.length_scale,
            self.alpha,
            1.0,
            lengthscale_bounds=_bounds(self.length_scale_bounds),
            alpha_bounds=_bounds(self.alpha_bounds),
            variance_bounds="fixed",
        )


class ExpSineSquared(_Leaf):
    _names = {"length_scale": ("lengthscale", 1), "periodicity": ("period", 1)}

    def __init__(
        self,
        length_scale=1.0,
        periodicity=1.0,
        length_scale_bounds=_DEFAULT,
        periodicity_bounds=_DEFAULT,
    ):
        self.length_scale = length_scale
        self.periodicity = periodicity
        self.length_scale_bounds = length_scale_bounds
        self.periodicity_bounds = periodicity_bounds

    def _build(self):
        return pg.Periodic(
            self.length_scale,
            self.periodicity,
            1.0,
            lengthscale_bounds=_bounds(self.length_scale_bounds),
            period_bounds=_bounds(self.periodicity_bounds),
            variance_bounds="fixed",
        )

    def _check(self, X):
        if np.ndim(X) == 2 and np.shape(X)[1] != 1:
            raise NoPyjlEquivalent(
                "pyjl's Periodic is scikit-learn's ExpSineSquared on one feature only: on "
                f"{np.shape(X)[1]} features it is a product over the features where "
                "scikit-learn's takes the Euclidean distance (docs/gp.md, Kernels)"
            )


class DotProduct(_Leaf):
    _names = {"sigma_0": ("1.variance", 2)}
    _stationary = False

    def __init__(self, sigma_0=1.0, sigma_0_bounds=_DEFAULT):
        self.sigma_0 = sigma_0
        self.sigma_0_bounds = sigma_0_bounds

    def _build(self):
        return pg.Linear(1.0, variance_bounds="fixed") + pg.Constant(
            self.sigma_0**2, variance_bounds=_bounds(self.sigma_0_bounds, 2)
        )


class ConstantKernel(_Leaf):
    _names = {"constant_value": ("variance", 1)}

    def __init__(self, constant_value=1.0, constant_value_bounds=_DEFAULT):
        self.constant_value = constant_value
        self.constant_value_bounds = constant_value_bounds

    def _build(self):
        return pg.Constant(
            self.constant_value, variance_bounds=_bounds(self.constant_value_bounds)
        )


class WhiteKernel(_Leaf):
    _names = {"noise_level": ("variance", 1)}

    def __init__(self, noise_level=1.0, noise_level_bounds=_DEFAULT):
        self.noise_level = noise_level
        self.noise_level_bounds = noise_level_bounds

    def _build(self):
        return pg.White(self.noise_level, variance_bounds=_bounds(self.noise_level_bounds))


class _Composite(Kernel):
    """A kernel of kernels: ``theta`` and its maps are the parts' in order (pyjl's
    ``theta`` of a sum, product or power concatenates its parts' alike)."""

    def _parts(self) -> list[tuple[str, Kernel]]:
        raise NotImplementedError

    @property
    def hyperparameters(self):
        return [
            Hyperparameter(f"{prefix}__{h.name}", h.value_type, h.bounds, h.n_elements)
            for prefix, part in self._parts()
            for h in part.hyperparameters
        ]

    def _map(self):
        perms, powers, offset = [], [], 0
        for _, part in self._parts():
            perm, power = part._map()
            perms.append(perm + offset)
            powers.append(power)
            offset += perm.size
        return np.concatenate(perms).astype(int), np.concatenate(powers)

    def _read(self, pk, theta):
        i = 0
        for _, part in self._parts():
            n = part._map()[0].size
            part.theta = theta[i : i + n]
            i += n

    def _check(self, X):
        for _, part in self._parts():
            part._check(X)

    def is_stationary(self):
        return all(part.is_stationary() for _, part in self._parts())


class KernelOperator(_Composite):
    def __init__(self, k1, k2):
        self.k1 = k1
        self.k2 = k2

    def _parts(self):
        return [("k1", self.k1), ("k2", self.k2)]


class Sum(KernelOperator):
    def _build(self):
        return self.k1._pyjl() + self.k2._pyjl()

    def __repr__(self):
        return f"{self.k1!r} + {self.k2!r}"


class Product(KernelOperator):
    def _build(self):
        return self.k1._pyjl() * self.k2._pyjl()

    def __repr__(self):
        return f"{self.k1!r} * {self.k2!r}"


class Exponentiation(_Composite):
    def __init__(self, kernel, exponent):
        self.kernel = kernel
        self.exponent = exponent

    def _parts(self):
        return [("kernel", self.kernel)]

    def _build(self):
        return self.kernel._pyjl() ** self.exponent

    def __repr__(self):
        return f"{self.kernel!r} ** {self.exponent!r}"


class _Missing(Kernel):
    """A scikit-learn kernel pyjl has none of: constructed (test modules build them while
    they load) and shown, but refused with :class:`NoPyjlEquivalent` once used."""

    _stationary = False
    _why = ""

    def _refuse(self, *args, **kwargs):
        raise NoPyjlEquivalent(self._why)

    _build = _map = _read = _refuse
    get_params = _refuse

    @property
    def hyperparameters(self):
        self._refuse()

    @property
    def requires_vector_input(self):
        self._refuse()


class PairwiseKernel(_Missing):
    _why = (
        "pyjl has no PairwiseKernel (a wrapper of scikit-learn's pairwise_kernels metrics); "
        "its Linear and RBF cover the 'linear' and 'rbf' metrics as kernels of their own"
    )

    def __init__(
        self, gamma=1.0, gamma_bounds=_DEFAULT, metric="linear", pairwise_kernels_kwargs=None
    ):
        self.gamma = gamma
        self.gamma_bounds = gamma_bounds
        self.metric = metric
        self.pairwise_kernels_kwargs = pairwise_kernels_kwargs

    def __repr__(self):
        return f"PairwiseKernel(metric={self.metric!r})"  # gamma is 1.0 in every test


class CompoundKernel(_Missing):
    _why = "pyjl has no CompoundKernel (a stack of kernels for scikit-learn's GP classifier)"

    def __init__(self, kernels):
        self.kernels = kernels

    def __repr__(self):
        return f"CompoundKernel({self.kernels!r})"


def _default_kernel(fitting: bool):
    """scikit-learn's kernel for ``kernel=None``: ``ConstantKernel() * RBF()`` for ``fit``,
    both fixed for the prior that ``predict`` and ``sample_y`` give before it."""
    if fitting:
        return ConstantKernel() * RBF()
    return ConstantKernel(1.0, constant_value_bounds="fixed") * RBF(
        1.0, length_scale_bounds="fixed"
    )


def _random_state(random_state):
    """scikit-learn's ``random_state`` as its ``check_random_state`` reads it: a seed is
    ``np.random.RandomState(seed)`` (pyjl's seed would start a ``Generator``), ``None`` the
    global ``RandomState``; a ``RandomState`` or ``Generator`` is passed on as it is."""
    if random_state is None:
        return np.random.mtrand._rand
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.RandomState(random_state)
    return random_state


# -- the regressor -----------------------------------------------------------------------------


class GaussianProcessRegressor(_Params):
    """scikit-learn's regressor over :class:`pyjl.gp.GaussianProcess` (module docstring)."""

    def __init__(
        self,
        kernel=None,
        *,
        alpha=1e-10,
        optimizer="fmin_l_bfgs_b",
        n_restarts_optimizer=0,
        normalize_y=False,
        copy_X_train=True,
        n_targets=None,
        random_state=None,
    ):
        self.kernel = kernel
        self.alpha = alpha
        self.optimizer = optimizer
        self.n_restarts_optimizer = n_restarts_optimizer
        self.normalize_y = normalize_y
        self.copy_X_train = copy_X_train
        self.n_targets = n_targets
        self.random_state = random_state

    def _kernel(self, fitting=True):
        kernel = _default_kernel(fitting) if self.kernel is None else self.kernel
        if not isinstance(kernel, Kernel):
            raise NoPyjlEquivalent(
                f"pyjl.gp runs its own kernels over numeric points; {type(kernel).__name__} "
                "is scikit-learn's own kernel class (pyjl has no kernels of strings or other "
                "structured inputs)"
            )
        return kernel

    def _model(self, kernel, known_noise: bool):
        if not self.copy_X_train:
            raise NoPyjlEquivalent("pyjl's GaussianProcess always keeps a copy of X")
        if known_noise and self.normalize_y:
            raise NoPyjlEquivalent(
                "pyjl takes per-point noise (noise_var) in the units of y, where "
                "scikit-learn's array alpha is in the normalised units of normalize_y"
            )
        _reach("GaussianProcess")
        return pg.GaussianProcess(
            kernel._pyjl(),
            noise=0.0 if known_noise else self.alpha,
            normalize_y=self.normalize_y,
            noise_bounds="fixed",
            n_restarts=self.n_restarts_optimizer,
            warm_start=False,
            random_state=_random_state(self.random_state),
            solver="cholesky",
            n_targets=self.n_targets,
        )

    def _method(self):
        if self.optimizer is None:
            return None
        if isinstance(self.optimizer, str) and self.optimizer == "fmin_l_bfgs_b":
            return "ml"
        raise NoPyjlEquivalent(
            "pyjl's GaussianProcess.fit runs its own L-BFGS-B search (method='ml' or 'loo', "
            f"with a prior and max_iter); it takes no optimizer {self.optimizer!r}"
        )

    def fit(self, X, y):
        kernel = self._kernel()
        kernel._check(X)
        known = np.ndim(self.alpha) > 0
        gp = self._model(kernel, known)
        gp.fit(X, y, noise_var=self.alpha if known else None, method=self._method())
        self._gp = gp
        self.kernel_ = kernel.clone_with_theta(kernel._from_pyjl(gp.kernel_.theta))
        return self

    def _fitted(self):
        gp = self.__dict__.get("_gp")
        if gp is None:
            raise AttributeError("this GaussianProcessRegressor is not fitted")
        return gp

    # scikit-learn's fitted attributes are pyjl's (its private y moments too)
    X_train_ = property(lambda self: self._fitted().X_train_)
    y_train_ = property(lambda self: self._fitted().y_train_)
    alpha_ = property(lambda self: self._fitted().alpha_)
    L_ = property(lambda self: self._fitted().L_)
    n_features_in_ = property(lambda self: self._fitted().n_features_in_)
    log_marginal_likelihood_value_ = property(
        lambda self: self._fitted().log_marginal_likelihood_value_
    )
    _y_train_mean = property(lambda self: self._fitted()._y_mean)
    _y_train_std = property(lambda self: self._fitted()._y_std)

    def _current(self, X):
        """The fitted pyjl model, or before ``fit`` one whose prior ``predict`` gives."""
        gp = self.__dict__.get("_gp")
        if gp is not None:
            return gp
        kernel = self._kernel(fitting=False)
        kernel._check(X)
        return self._model(kernel, np.ndim(self.alpha) > 0)

    def predict(self, X, return_std=False, return_cov=False):
        return self._current(X).predict(X, return_std=return_std, return_cov=return_cov)

    def sample_y(self, X, n_samples=1, random_state=0):
        return self._current(X).sample_y(
            X, n_samples=n_samples, random_state=_random_state(random_state)
        )

    def score(self, X, y, sample_weight=None):
        return self._fitted().score(X, y, sample_weight=sample_weight)

    def log_marginal_likelihood(self, theta=None, eval_gradient=False, clone_kernel=True):
        if not clone_kernel:
            raise NoPyjlEquivalent(
                "pyjl's log_marginal_likelihood has no clone_kernel: it never changes the "
                "fitted kernel_"
            )
        gp = self._fitted()
        kernel = self.kernel_
        out = gp.log_marginal_likelihood(
            None if theta is None else kernel._to_pyjl(theta), eval_gradient=eval_gradient
        )
        if eval_gradient:
            lml, grad = out
            return lml, kernel._grad_from_pyjl(grad)
        return out


class GaussianProcessClassifier:
    """None in pyjl: refused, so that scikit-learn's classifier never runs in its place."""

    def __init__(self, *args, **kwargs):
        raise NoPyjlEquivalent("pyjl has no Gaussian-process classifier")
