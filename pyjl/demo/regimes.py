"""Demo part 2: regime detection with a hidden Markov model and a pluggable emission.

A series is generated from a known three-regime Markov chain ("calm",
"rally", "sell-off": different means and volatilities, heavy-tailed Student-t
noise with 5 degrees of freedom).  Two HMMs are fitted by Baum-Welch, one with
the built-in :class:`pyjl.hmm.Normal` emission and one with :class:`Laplace`, a
user-defined emission of a dozen lines that plugs into :class:`pyjl.hmm.HMM`
through the :class:`pyjl.hmm.Emission` protocol with no change to pyjl.  The
decoded (Viterbi) regimes are compared with the truth, up to the relabelling of
states that best matches them.

Reference: L. R. Rabiner, "A tutorial on hidden Markov models and selected
applications in speech recognition", Proc. IEEE 77(2), 1989; J. D. Hamilton,
"A new approach to the economic analysis of nonstationary time series and the
business cycle", Econometrica 57(2), 1989.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import re
from pathlib import Path

import numpy as np

from ..hmm import HMM, Normal

__all__ = [
    "Laplace",
    "TRANSMAT",
    "MEANS",
    "SCALES",
    "NAMES",
    "generate",
    "agreement",
    "RegimeResult",
    "run_regimes",
]

NAMES = ("calm", "rally", "sell-off")
TRANSMAT = np.array([[0.98, 0.015, 0.005], [0.02, 0.97, 0.01], [0.01, 0.02, 0.97]])
MEANS = np.array([0.0, 1.0, -1.5])
SCALES = np.array([0.4, 0.6, 1.0])
DOF = 5.0


class Laplace:
    """Laplace emission, ``log p_k(x) = -log(2 b_k) - |x - m_k| / b_k`` (a user's own emission).

    ``fit`` is the weighted MLE: ``m_k`` the weighted median, ``b_k`` the weighted mean
    absolute deviation from it.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.hmm import HMM
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.laplace(0.0, 1.0, 300), rng.laplace(8.0, 1.0, 300)]
    >>> states = HMM(Laplace(), n_states=2, random_state=0).fit(x).predict(x)
    >>> sorted({int(states[0]), int(states[-1])})
    [0, 1]
    """

    def __init__(self, loc=None, scale=None):
        self.loc = None if loc is None else np.asarray(loc, float)
        self.scale = None if scale is None else np.asarray(scale, float)

    def log_likelihood(self, X):
        x = np.asarray(X, float).reshape(-1, 1)
        return -np.log(2 * self.scale) - np.abs(x - self.loc) / self.scale

    def fit(self, X, weights):
        x = np.asarray(X, float).ravel()
        o = np.argsort(x)
        cw = np.cumsum(weights[o], axis=0)
        self.loc = x[o][np.argmax(cw >= cw[-1] / 2, axis=0)]
        dev = (weights * np.abs(x[:, None] - self.loc)).sum(0)
        self.scale = np.maximum(dev / np.maximum(weights.sum(0), 1e-300), 1e-6)

    def sample(self, state, n, rng):
        return rng.laplace(self.loc[state], self.scale[state], size=n)

    @property
    def n_parameters(self):
        return 0 if self.loc is None else 2 * self.loc.size

    def initialize(self, X, n_states, rng):
        x = np.asarray(X, float).ravel()
        self.loc = np.quantile(x, (np.arange(n_states) + 0.5) / n_states)
        self.scale = np.full(n_states, x.std())


def generate(n: int, seed: int = 0):
    """A series from the three-regime chain (:data:`TRANSMAT`, :data:`MEANS`, :data:`SCALES`).

    ``z_0 = 0``, ``z_t | z_{t-1} ~ TRANSMAT[z_{t-1}]``, ``x_t = MEANS[z_t] + SCALES[z_t] e_t``
    with ``e_t`` Student-t (5 dof) scaled to unit variance.

    Parameters
    ----------
    n : int
        Length of the series.
    seed : int

    Returns
    -------
    x : numpy.ndarray, shape (n,)
    states : numpy.ndarray of int, shape (n,)

    Examples
    --------
    >>> x, z = generate(500, seed=1)
    >>> x.shape, sorted(set(z.tolist()))
    ((500,), [0, 1, 2])
    """
    rng = np.random.default_rng(seed)
    cum = np.cumsum(TRANSMAT, axis=1)
    u = rng.random(n)
    z = np.empty(n, dtype=np.int64)
    z[0] = 0
    for t in range(1, n):
        z[t] = min(int(np.searchsorted(cum[z[t - 1]], u[t], side="right")), len(MEANS) - 1)
    e = rng.standard_t(DOF, size=n) / np.sqrt(DOF / (DOF - 2.0))
    return MEANS[z] + SCALES[z] * e, z


def agreement(decoded, truth, n_states: int | None = None) -> tuple[float, tuple[int, ...]]:
    """Fraction of time steps where ``perm[decoded] == truth`` for the best relabelling ``perm``.

    Parameters
    ----------
    decoded, truth : array of int, shape (T,)
    n_states : int, optional
        Defaults to the largest label + 1.

    Returns
    -------
    fraction : float
    perm : tuple of int
        ``perm[k]`` is the true label of decoded state ``k``.

    Examples
    --------
    >>> agreement([1, 1, 0, 0], [0, 0, 1, 1])
    (1.0, (1, 0))
    """
    d, t = np.asarray(decoded), np.asarray(truth)
    K = int(n_states or max(d.max(), t.max()) + 1)
    best = max(itertools.permutations(range(K)), key=lambda p: np.mean(np.array(p)[d] == t))
    return float(np.mean(np.array(best)[d] == t)), tuple(int(i) for i in best)


@dataclasses.dataclass
class RegimeResult:
    """What :func:`run_regimes` found: ``rows`` (one per emission: ``emission, agreement,
    loglik, bic, n_iter, converged``), the series, truth and decodings, ``figure``."""

    x: np.ndarray
    truth: np.ndarray
    decoded: dict[str, np.ndarray]
    rows: list[dict]
    emission_source: str
    figure: Path
    seconds: float


def _plot(path: Path, x, truth, decoded, perm, title):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 5))
    ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    t = np.arange(len(x))
    labels = np.array(perm)[decoded]
    for k, name in enumerate(NAMES):
        m = labels == k
        ax1.scatter(t[m], x[m], s=4, color=f"C{k}", label=f"decoded {name}")
    ax1.set_ylabel("x")
    ax1.set_title(title)
    ax1.legend(loc="upper right", markerscale=3, fontsize="small")
    ax2.step(t, truth, where="post", color="k", lw=1.0, label="true regime")
    ax2.step(t, labels + 0.1, where="post", color="C3", lw=0.8, label="decoded (+0.1)")
    ax2.set_yticks(range(len(NAMES)), NAMES)
    ax2.set_xlabel("time step")
    ax2.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def run_regimes(
    out_dir, quick: bool = False, seed: int = 0, progress: bool = True
) -> RegimeResult:
    """Generate a regime series, fit Normal and Laplace HMMs, decode, plot.

    Writes ``regimes.png`` (the series coloured by the Laplace model's decoded
    regime, and the true and decoded regime tracks) and ``regimes.npz`` (``x``,
    ``truth``, ``decoded_normal``, ``decoded_laplace``) into ``out_dir``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        An existing directory.
    quick : bool
        1,500 steps instead of 4,000.
    seed : int
    progress : bool
        A tqdm bar per EM fit.

    Returns
    -------
    RegimeResult

    Examples
    --------
    >>> import tempfile
    >>> r = run_regimes(tempfile.mkdtemp(), quick=True, progress=False)
    >>> all(row["agreement"] > 0.9 for row in r.rows)
    True
    """
    import time

    t0 = time.perf_counter()
    out = Path(out_dir)
    x, truth = generate(1500 if quick else 4000, seed)
    rows, decoded = [], {}
    for name, emission in (("normal", Normal()), ("laplace", Laplace())):
        m = HMM(
            emission, n_states=3, n_iter=200, tol=1e-6, random_state=seed, progress=progress
        ).fit(x)
        states = m.predict(x)
        frac, perm = agreement(states, truth, 3)
        decoded[name] = states
        rows.append(
            {
                "emission": name,
                "agreement": frac,
                "loglik": float(m.score(x)),
                "bic": float(m.bic(x)),
                "n_iter": int(len(m.monitor_.history)),
                "converged": bool(m.monitor_.converged),
                "perm": list(perm),
                "transmat": np.asarray(m.transmat_)[
                    np.ix_(np.argsort(perm), np.argsort(perm))
                ].tolist(),
            }
        )
    np.savez(
        out / "regimes.npz",
        x=x,
        truth=truth,
        decoded_normal=decoded["normal"],
        decoded_laplace=decoded["laplace"],
    )
    lap = rows[1]
    figure = out / "regimes.png"
    _plot(
        figure,
        x,
        truth,
        decoded["laplace"],
        lap["perm"],
        f"HMM with a user-defined Laplace emission: {100 * lap['agreement']:.1f} % of "
        "steps decoded as the true regime",
    )
    return RegimeResult(
        x, truth, decoded, rows, _source(Laplace), figure, time.perf_counter() - t0
    )


def _source(cls) -> str:
    """The source of ``cls`` without its docstring (what a user would type)."""
    src = inspect.getsource(cls)
    doc = re.compile(r'^(class [^\n]*:\n)\s*""".*?"""\n\n?', re.S)
    return doc.sub(r"\1", src, count=1)
