"""hmmlearn's model classes over :class:`pyjl.hmm.HMM`: names, shapes and attributes only.

hmmlearn's test modules (run by ``conftest.py`` here) are handed these classes for
``hmmlearn.hmm.GaussianHMM`` ... and ``hmmlearn.base.BaseHMM``.  Each adapter holds one
pyjl ``HMM`` (``_pyjl``) and translates, never computes:

* settings: hmmlearn's constructor arguments are stored under their names and passed to
  pyjl as its own (``n_components`` is ``n_states``; ``covariance_type``, ``min_covar``,
  ``covars_prior``, ``covars_weight`` go to :class:`~pyjl.hmm.MvNormal`; ``random_state``
  ``None`` is NumPy's global ``RandomState``, as scikit-learn's ``check_random_state``
  makes it there, which pyjl takes as a ``RandomState``); ``implementation`` ("log" or
  "scaling") is stored and not passed: pyjl picks scaled or log-space recursions itself
  (docs/hmm.md).
* attributes: ``startprob_``, ``transmat_`` and ``monitor_`` are the pyjl model's;
  hmmlearn's emission attributes read and write the pyjl emission (``emission_``):
  ``means_``/``covars_`` (``covars_`` set in the compact layout of ``covariance_type`` and
  read as ``(n_components, d, d)`` matrices, as hmmlearn's getter gives them; ``_covars_``
  is the compact layout, pyjl's ``emission_.cov``), ``emissionprob_``, ``lambdas_``,
  ``weights_``, and GMMHMM's ``(n_components, n_mix, ...)`` stacks of the mixture's
  components.  An emission attribute that is not set raises ``AttributeError``, so
  ``hasattr`` answers as in hmmlearn.
* ``fit``: hmmlearn's ``init_params`` keeps a parameter whose letter it leaves out and
  that is set; those are handed to pyjl as given (``init="given"`` when all are, else the
  chain's as ``startprob``/``transmat`` with ``init="kmeans"``) and pyjl initialises the
  rest.  ``params`` becomes pyjl's ``"s"``, ``"t"`` and ``"e"`` (an emission is refitted
  whole: hmmlearn's ``m``, ``c``, ``w``, ``e``, ``l`` are all ``"e"``, docs/hmm.md).
  hmmlearn's private ``_init(X, lengths)`` is hmmlearn's ``fit`` without EM iterations,
  which is pyjl's public ``HMM.fit`` with ``n_iter=0``.
* scoring, decoding, sampling, ``aic``/``bic``, ``get_stationary_distribution``: pyjl's
  methods of the same names.

What pyjl cannot express is refused with ``NotImplementedError`` saying why, never
approximated: an emission kept in part (pyjl initialises an emission whole), a kept
emission with the chain to initialise (pyjl's ``init="given"`` takes all three), an update
of part of an emission, priors pyjl has no counterpart of (``means_prior``,
``emissionprob_prior``, ``lambdas_prior``, GMMHMM's ``weights_prior`` and its
``covars_prior``), and GMMHMM's ``"tied"`` (components of a state share a matrix, where
pyjl's ``Mixture(MvNormal(covariance_type="tied"))`` ties the states of a component).
hmmlearn's other private members (``_check``, ``_check_and_set_n_features``, its
``_hmmc`` kernels) are not translated: pyjl checks the parameters at every use.

A subclass of :class:`BaseHMM` that defines hmmlearn's emission hook
``_compute_log_likelihood`` (test_base's ``StubHMM``) gets a pyjl emission whose
``log_likelihood`` is that hook: pyjl's :class:`~pyjl.hmm.Emission` protocol is the public
form of that hook.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from pyjl.hmm import HMM, Categorical, ConvergenceMonitor, Mixture, Multinomial, MvNormal, Poisson

__all__ = ["BaseHMM", "GaussianHMM", "GMMHMM", "CategoricalHMM", "MultinomialHMM", "PoissonHMM"]


def _random_state(value: Any) -> Any:
    """hmmlearn's ``random_state`` for pyjl: ``None`` means NumPy's global ``RandomState``
    there (``sklearn.utils.check_random_state(None)``), which pyjl draws a seed from."""
    return np.random.mtrand._rand if value is None else value


def _refused(why: str) -> NotImplementedError:
    return NotImplementedError(f"hmmlearn adapter: {why}")


class _Hooks:
    """pyjl's emission protocol over the hooks of a :class:`BaseHMM` subclass: its
    ``_compute_log_likelihood`` is ``log_likelihood``; draws are its
    ``_generate_sample_from_state`` (BaseHMM's gives ``()``: no features)."""

    n_parameters = 0  # a stub's emission has no parameters of its own

    def __init__(self, owner: BaseHMM) -> None:
        self.owner = owner

    def log_likelihood(self, X: Any) -> np.ndarray:
        return np.asarray(self.owner._compute_log_likelihood(X), dtype=np.float64)

    def sample(self, state: int, n: int, rng: np.random.Generator) -> np.ndarray:
        draws = [self.owner._generate_sample_from_state(state, random_state=rng) for _ in range(n)]
        return np.asarray(draws).reshape(n, -1) if n and np.size(draws) else np.empty((n, 0))

    def fit(self, X: Any, weights: np.ndarray) -> Any:
        raise _refused("hmmlearn's _do_mstep hooks of a BaseHMM subclass are not translated")

    def initialize(self, X: Any, n_states: int, rng: np.random.Generator) -> Any:
        raise _refused("hmmlearn's _init hooks of a BaseHMM subclass are not translated")


class BaseHMM:
    """hmmlearn's ``BaseHMM`` (its arguments) over one :class:`pyjl.hmm.HMM`."""

    #: hmmlearn's (letter, attribute) of each emission parameter
    _emission_params: tuple[tuple[str, str], ...] = ()

    def __init__(
        self,
        n_components=1,
        startprob_prior=1.0,
        transmat_prior=1.0,
        algorithm="viterbi",
        random_state=None,
        n_iter=10,
        tol=1e-2,
        verbose=False,
        params=string.ascii_letters,
        init_params=string.ascii_letters,
        implementation="log",
    ):
        self.n_components, self.algorithm = n_components, algorithm
        self.startprob_prior, self.transmat_prior = startprob_prior, transmat_prior
        self.random_state, self.n_iter, self.tol, self.verbose = random_state, n_iter, tol, verbose
        self.params, self.init_params = params, init_params
        self.implementation = implementation  # pyjl chooses scaled or log-space passes
        self._pyjl = HMM(None, n_components)
        self._pyjl.monitor_ = ConvergenceMonitor(tol, n_iter, verbose)
        if callable(getattr(self, "_compute_log_likelihood", None)):
            self._pyjl.emission = self._pyjl.emission_ = _Hooks(self)

    # -- the pyjl model ---------------------------------------------------------------
    def _model(self) -> HMM:
        """The pyjl HMM holding the parameters, with this object's current settings."""
        m = self._pyjl
        m.n_states, m.random_state = self.n_components, _random_state(self.random_state)
        return m

    def _emission(self, **params: Any) -> Any:
        """The pyjl emission of this model with hmmlearn's ``params`` (by pyjl's names)."""
        raise _refused(f"{type(self).__name__} has no emission to initialise")

    def _em(self) -> Any:
        return getattr(self._pyjl, "emission_", None)

    def _get(self, name: str, attr: str) -> Any:
        value = getattr(self._em(), attr, None)
        if value is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return value

    def _set(self, **changes: Any) -> None:
        """Rebuild the pyjl emission with ``changes`` (pyjl's names) and the others kept."""
        self._pyjl.emission_ = self._emission(**{**self._current(), **changes})

    def _current(self) -> dict[str, Any]:
        return {}

    # -- the chain --------------------------------------------------------------------
    @property
    def startprob_(self):
        return self._pyjl.startprob_

    @startprob_.setter
    def startprob_(self, value):
        self._pyjl.startprob_ = value

    @property
    def transmat_(self):
        return self._pyjl.transmat_

    @transmat_.setter
    def transmat_(self, value):
        self._pyjl.transmat_ = value

    @property
    def monitor_(self):
        return self._pyjl.monitor_

    @monitor_.setter
    def monitor_(self, value):
        self._pyjl.monitor_ = value  # pyjl's fit makes its own, as it does for its users

    # -- fitting ----------------------------------------------------------------------
    def _pyjl_params(self) -> str:
        letters = [letter for letter, _ in self._emission_params]
        some = [letter for letter in letters if letter in self.params]
        if some and len(some) < len(letters):
            raise _refused(
                f"params={self.params!r} updates part of the emission ({''.join(some)} of "
                f"{''.join(letters)}); pyjl refits an emission whole ('e', docs/hmm.md)"
            )
        return "".join(c for c in "st" if c in self.params) + ("e" if some else "")

    def _start(self) -> tuple[str, dict[str, Any], Any, str]:
        """``(init, chain, emission, init_params)`` for pyjl: what hmmlearn's ``_init``
        keeps (a set parameter whose letter ``init_params`` leaves out) is given, the rest
        is pyjl's."""
        chain = {
            pyjl: getattr(self, name)
            for letter, name, pyjl in (
                ("s", "startprob_", "startprob"),
                ("t", "transmat_", "transmat"),
            )
            if letter not in self.init_params and hasattr(self, name)
        }
        kept = [
            name
            for letter, name in self._emission_params
            if letter not in self.init_params and hasattr(self, name)
        ]
        if self._emission_params and len(kept) == len(self._emission_params):
            if len(chain) < 2:  # pyjl's init_params without 'e': the emission as given
                return "kmeans", chain, self._em(), "st"
            return "given", chain, self._em(), "ste"
        if kept:
            raise _refused(
                f"init_params={self.init_params!r} keeps {', '.join(kept)} and initialises the "
                "emission's other parameters; pyjl initialises an emission whole"
            )
        return "kmeans", chain, self._emission(), "ste"

    def _fit(self, X: Any, lengths: Any, n_iter: int) -> BaseHMM:
        init, chain, emission, init_params = self._start()
        model = HMM(
            emission,
            self.n_components,
            n_iter=n_iter,
            tol=self.tol,
            init=init,
            random_state=_random_state(self.random_state),
            startprob_prior=self.startprob_prior,
            transmat_prior=self.transmat_prior,
            params=self._pyjl_params(),
            verbose=self.verbose,
            init_params=init_params,
            **chain,
        )
        self._pyjl = model.fit(X, lengths)
        return self

    def fit(self, X, lengths=None):
        return self._fit(X, lengths, self.n_iter)

    def _init(self, X, lengths=None):
        # hmmlearn's fit with n_iter=0 is its _init (lengths unused there): pyjl's the same
        self._fit(X, None, 0)

    # -- inference --------------------------------------------------------------------
    def score(self, X, lengths=None):
        return self._model().score(X, lengths)

    def score_samples(self, X, lengths=None):
        return self._model().score_samples(X, lengths)

    def predict_proba(self, X, lengths=None):
        return self._model().predict_proba(X, lengths)

    def decode(self, X, lengths=None, algorithm=None):
        return self._model().decode(X, lengths, algorithm=algorithm or self.algorithm)

    def predict(self, X, lengths=None):
        return self.decode(X, lengths)[1]

    def sample(self, n_samples=1, random_state=None, currstate=None):
        return self._model().sample(n_samples, random_state=random_state, currstate=currstate)

    def get_stationary_distribution(self):
        return self._model().get_stationary_distribution()

    def aic(self, X, lengths=None):
        return self._model().aic(X, lengths)

    def bic(self, X, lengths=None):
        return self._model().bic(X, lengths)

    def _generate_sample_from_state(self, state, random_state):
        return ()  # hmmlearn's BaseHMM: an emission without features


def _no_prior(model: BaseHMM, **priors: tuple[Any, Any]) -> None:
    for name, (value, none) in priors.items():
        if not np.all(np.asarray(value) == none):
            raise _refused(
                f"{type(model).__name__}({name}={value!r}): pyjl's emission has no such prior"
            )


class GaussianHMM(BaseHMM):
    """hmmlearn's ``GaussianHMM``: ``HMM(MvNormal(covariance_type=...), n_components)``."""

    _emission_params = (("m", "means_"), ("c", "covars_"))

    def __init__(
        self,
        n_components=1,
        covariance_type="diag",
        min_covar=1e-3,
        startprob_prior=1.0,
        transmat_prior=1.0,
        means_prior=0,
        means_weight=0,
        covars_prior=1e-2,
        covars_weight=1,
        algorithm="viterbi",
        random_state=None,
        n_iter=10,
        tol=1e-2,
        verbose=False,
        params="stmc",
        init_params="stmc",
        implementation="log",
    ):
        super().__init__(
            n_components,
            startprob_prior,
            transmat_prior,
            algorithm,
            random_state,
            n_iter,
            tol,
            verbose,
            params,
            init_params,
            implementation,
        )
        self.covariance_type, self.min_covar = covariance_type, min_covar
        self.means_prior, self.means_weight = means_prior, means_weight
        self.covars_prior, self.covars_weight = covars_prior, covars_weight

    def _emission(self, mean=None, cov=None):
        return MvNormal(
            mean,
            cov,
            covariance_type=self.covariance_type,
            min_covar=self.min_covar,
            covars_prior=self.covars_prior,
            covars_weight=self.covars_weight,
        )

    def _fit(self, X, lengths, n_iter):
        _no_prior(self, means_weight=(self.means_weight, 0))
        return super()._fit(X, lengths, n_iter)

    def _current(self):
        em = self._em()
        return {} if em is None else {"mean": em.mean, "cov": em.cov}

    @property
    def means_(self):
        return self._get("means_", "mean")

    @means_.setter
    def means_(self, value):
        self._set(mean=value)

    @property
    def _covars_(self):
        return self._get("_covars_", "cov")

    @_covars_.setter
    def _covars_(self, value):
        self._set(cov=value)

    @property
    def covars_(self):
        """The covariances as ``(n_components, d, d)`` matrices (hmmlearn's getter)."""
        cov = np.asarray(self._get("covars_", "cov"))
        K, d = self.n_components, self.n_features
        if self.covariance_type == "full":
            return cov
        if self.covariance_type == "tied":
            return np.broadcast_to(cov, (K, d, d)).copy()
        per_feature = cov if self.covariance_type == "diag" else np.repeat(cov[:, None], d, 1)
        return per_feature[:, :, None] * np.eye(d)

    @covars_.setter
    def covars_(self, value):
        self._set(cov=np.array(value, dtype=np.float64))

    @property
    def n_features(self):
        mean = getattr(self._em(), "mean", None)
        if mean is not None:
            return mean.shape[1]
        if "_n_features" not in self.__dict__:
            raise AttributeError("'GaussianHMM' object has no attribute 'n_features'")
        return self._n_features

    @n_features.setter
    def n_features(self, value):
        self._n_features = value


class CategoricalHMM(BaseHMM):
    """hmmlearn's ``CategoricalHMM``: ``HMM(Categorical(n_symbols=n_features), ...)``."""

    _emission_params = (("e", "emissionprob_"),)

    def __init__(
        self,
        n_components=1,
        startprob_prior=1.0,
        transmat_prior=1.0,
        *,
        emissionprob_prior=1.0,
        n_features=None,
        algorithm="viterbi",
        random_state=None,
        n_iter=10,
        tol=1e-2,
        verbose=False,
        params="ste",
        init_params="ste",
        implementation="log",
    ):
        super().__init__(
            n_components,
            startprob_prior,
            transmat_prior,
            algorithm,
            random_state,
            n_iter,
            tol,
            verbose,
            params,
            init_params,
            implementation,
        )
        self.emissionprob_prior = emissionprob_prior
        self._n_features = n_features

    def _emission(self, probs=None):
        return Categorical(probs, n_symbols=self._n_features)

    def _fit(self, X, lengths, n_iter):
        _no_prior(self, emissionprob_prior=(self.emissionprob_prior, 1.0))
        return super()._fit(X, lengths, n_iter)

    def _current(self):
        em = self._em()
        return {} if em is None else {"probs": em.probs}

    @property
    def emissionprob_(self):
        return self._get("emissionprob_", "probs")

    @emissionprob_.setter
    def emissionprob_(self, value):
        self._set(probs=value)

    @property
    def n_features(self):
        n = getattr(self._em(), "n_symbols", None)
        return self._n_features if n is None else n

    @n_features.setter
    def n_features(self, value):
        self._n_features = value
        if self._em() is not None:
            self._set()


class PoissonHMM(BaseHMM):
    """hmmlearn's ``PoissonHMM``: ``HMM(Poisson(), n_components)``."""

    _emission_params = (("l", "lambdas_"),)

    def __init__(
        self,
        n_components=1,
        startprob_prior=1.0,
        transmat_prior=1.0,
        lambdas_prior=0.0,
        lambdas_weight=0.0,
        algorithm="viterbi",
        random_state=None,
        n_iter=10,
        tol=1e-2,
        verbose=False,
        params="stl",
        init_params="stl",
        implementation="log",
    ):
        super().__init__(
            n_components,
            startprob_prior,
            transmat_prior,
            algorithm,
            random_state,
            n_iter,
            tol,
            verbose,
            params,
            init_params,
            implementation,
        )
        self.lambdas_prior, self.lambdas_weight = lambdas_prior, lambdas_weight

    def _emission(self, rate=None):
        return Poisson(rate)

    def _fit(self, X, lengths, n_iter):
        _no_prior(
            self, lambdas_prior=(self.lambdas_prior, 0), lambdas_weight=(self.lambdas_weight, 0)
        )
        return super()._fit(X, lengths, n_iter)

    def _current(self):
        em = self._em()
        return {} if em is None else {"rate": em.rate}

    @property
    def lambdas_(self):
        return self._get("lambdas_", "rate")

    @lambdas_.setter
    def lambdas_(self, value):
        self._set(rate=value)

    @property
    def n_features(self):
        return np.shape(self.lambdas_)[1]


class MultinomialHMM(BaseHMM):
    """hmmlearn's ``MultinomialHMM``: ``HMM(Multinomial(n_trials=n_trials), ...)``."""

    _emission_params = (("e", "emissionprob_"),)

    def __init__(
        self,
        n_components=1,
        n_trials=None,
        startprob_prior=1.0,
        transmat_prior=1.0,
        algorithm="viterbi",
        random_state=None,
        n_iter=10,
        tol=1e-2,
        verbose=False,
        params="ste",
        init_params="ste",
        implementation="log",
    ):
        super().__init__(
            n_components,
            startprob_prior,
            transmat_prior,
            algorithm,
            random_state,
            n_iter,
            tol,
            verbose,
            params,
            init_params,
            implementation,
        )
        self._n_trials = n_trials

    def _emission(self, probs=None):
        return Multinomial(probs, n_trials=self._n_trials)

    def _current(self):
        em = self._em()
        return {} if em is None else {"probs": em.probs}

    @property
    def emissionprob_(self):
        return self._get("emissionprob_", "probs")

    @emissionprob_.setter
    def emissionprob_(self, value):
        self._set(probs=value)

    @property
    def n_trials(self):
        return self._n_trials

    @n_trials.setter
    def n_trials(self, value):
        self._n_trials = value
        if self._em() is not None:
            self._set()

    @property
    def n_features(self):
        return np.shape(self.emissionprob_)[1]


class GMMHMM(BaseHMM):
    """hmmlearn's ``GMMHMM``: ``HMM(Mixture(MvNormal(covariance_type=...),
    n_components=n_mix), n_components)``; ``weights_``, ``means_`` and ``covars_`` are the
    mixture's weights and its components' parameters stacked along axis 1."""

    _emission_params = (("w", "weights_"), ("m", "means_"), ("c", "covars_"))

    def __init__(
        self,
        n_components=1,
        n_mix=1,
        min_covar=1e-3,
        startprob_prior=1.0,
        transmat_prior=1.0,
        weights_prior=1.0,
        means_prior=0.0,
        means_weight=0.0,
        covars_prior=None,
        covars_weight=None,
        algorithm="viterbi",
        covariance_type="diag",
        random_state=None,
        n_iter=10,
        tol=1e-2,
        verbose=False,
        params="stmcw",
        init_params="stmcw",
        implementation="log",
    ):
        super().__init__(
            n_components,
            startprob_prior,
            transmat_prior,
            algorithm,
            random_state,
            n_iter,
            tol,
            verbose,
            params,
            init_params,
            implementation,
        )
        self.n_mix, self.min_covar, self.covariance_type = n_mix, min_covar, covariance_type
        self.weights_prior, self.means_prior, self.means_weight = (
            weights_prior,
            means_prior,
            means_weight,
        )
        self.covars_prior, self.covars_weight = covars_prior, covars_weight

    def _component(self, mean=None, cov=None):
        if self.covariance_type == "tied":
            raise _refused(
                "GMMHMM's covariance_type='tied' shares one matrix among the components of "
                "a state; pyjl's Mixture(MvNormal(covariance_type='tied')) shares one among "
                "the states of a component (docs/hmm.md)"
            )
        _no_prior(
            self,
            weights_prior=(self.weights_prior, 1.0),
            means_weight=(self.means_weight, 0.0),
            covars_prior=(self.covars_prior, None),
            covars_weight=(self.covars_weight, None),
        )
        # GMMHMM's default is no prior: covars_prior=0 in pyjl (docs/hmm.md)
        return MvNormal(
            mean,
            cov,
            covariance_type=self.covariance_type,
            min_covar=self.min_covar,
            covars_prior=0.0,
        )

    def _emission(self, weights=None, means=None, covars=None):
        M = self.n_mix
        components = [
            self._component(
                None if means is None else np.asarray(means)[:, m],
                None if covars is None else np.asarray(covars, dtype=np.float64)[:, m],
            )
            for m in range(M)
        ]
        return Mixture(components, weights=weights)

    def _stacked(self, attr):
        em = self._em()
        values = [getattr(c, attr) for c in getattr(em, "components", ())]
        return None if not values or any(v is None for v in values) else np.stack(values, 1)

    def _current(self):
        em = self._em()
        if em is None:
            return {}
        return {
            "weights": em.weights,
            "means": self._stacked("mean"),
            "covars": self._stacked("cov"),
        }

    @property
    def weights_(self):
        return self._get("weights_", "weights")

    @weights_.setter
    def weights_(self, value):
        self._set(weights=value)

    @property
    def means_(self):
        value = self._stacked("mean")
        if value is None:
            raise AttributeError("'GMMHMM' object has no attribute 'means_'")
        return value

    @means_.setter
    def means_(self, value):
        self._set(means=value)

    @property
    def covars_(self):
        value = self._stacked("cov")
        if value is None:
            raise AttributeError("'GMMHMM' object has no attribute 'covars_'")
        return value

    @covars_.setter
    def covars_(self, value):
        self._set(covars=value)

    @property
    def n_features(self):
        return self.means_.shape[2]
