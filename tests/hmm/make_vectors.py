"""Write the HMM conformance vectors ``tests/vectors/hmm_*.toml`` (brute-force references).

Run ``python tests/hmm/make_vectors.py``; the files are read by
``tests/hmm/test_kernels.py`` (native engine) and ``julia_src/test/hmm.jl``.
Layout: ``log_B`` and ``gamma`` are lists of rows (one row of ``K`` per time
step, Python order); the Julia test stacks them into ``(K, T)`` columns.
States in ``path`` are 0-based.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from brute import enumerate_hmm, random_problem

OUT = Path(__file__).resolve().parents[1] / "vectors"


def _fmt(a):
    a = np.asarray(a)
    if a.ndim == 0:
        return repr(float(a)) if a.dtype.kind == "f" else str(int(a))
    if a.ndim == 1:
        return (
            "["
            + ", ".join(repr(float(v)) if a.dtype.kind == "f" else str(int(v)) for v in a)
            + "]"
        )
    return "[\n  " + ",\n  ".join(_fmt(r) for r in a) + ",\n]"


def main():
    rng = np.random.default_rng(20240607)
    cases = [("two_state", 2, [5]), ("three_state_multi", 3, [4, 1, 5]), ("four_state", 4, [3, 4])]
    for name, K, lengths in cases:
        log_pi, log_A, log_B, L = random_problem(rng, K, lengths)
        ll, gamma, xi, path, lp = enumerate_hmm(log_pi, log_A, log_B, L)
        text = [
            f"# HMM conformance vector '{name}': brute-force enumeration of all paths.",
            "# log_B and gamma: one row per time step (K columns); path: 0-based states.",
            f"K = {K}",
            f"lengths = {_fmt(L)}",
            f"log_pi = {_fmt(log_pi)}",
            f"log_A = {_fmt(log_A)}",
            f"log_B = {_fmt(log_B)}",
            f"loglik = {_fmt(ll)}",
            f"gamma = {_fmt(gamma)}",
            f"xi_sum = {_fmt(xi)}",
            f"path = {_fmt(path)}",
            f"logprob = {_fmt(lp)}",
        ]
        (OUT / f"hmm_{name}.toml").write_text("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
