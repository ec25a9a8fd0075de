"""Closed forms of the GP kernel kinds, written from the textbook and independent of pyjl.

The one reference per kind that the kernel tests of every engine share (Rasmussen &
Williams, *Gaussian Processes for Machine Learning*, 2006, eq. 4.14-4.19 and 4.31; the
periodic kernel is the contract's sum over dimensions). A new kind adds its line here.
"""

from __future__ import annotations

import numpy as np

S3, S5 = np.sqrt(3.0), np.sqrt(5.0)

#: kappa(r2, extra) = k / variance for the kinds that are functions of the scaled distance
KAPPA = {
    "rbf": lambda r2, e: np.exp(-0.5 * r2),
    "matern12": lambda r2, e: np.exp(-np.sqrt(r2)),
    "matern32": lambda r2, e: (1 + S3 * np.sqrt(r2)) * np.exp(-S3 * np.sqrt(r2)),
    "matern52": lambda r2, e: (1 + S5 * np.sqrt(r2) + 5 / 3 * r2) * np.exp(-S5 * np.sqrt(r2)),
    "rq": lambda r2, e: (1 + r2 / (2 * e[0])) ** -e[0],
}


def kernel_matrix(kind, X1, X2, ls, var, extra):
    """``K[i, j] = k(X1[i], X2[j])`` for lengthscales ``ls`` (one, or one per feature);
    complex parameters give the complex-step derivatives of :func:`kernel_matrix_grad`."""
    X1, X2, ls = np.asarray(X1, float), np.asarray(X2, float), np.asarray(ls)
    if kind == "periodic":
        D = np.pi * (X1[:, None, :] - X2[None, :, :]) / extra[0]
        return var * np.exp(-2.0 * np.sum(np.sin(D) ** 2 / ls**2, axis=-1))
    D = (X1[:, None, :] - X2[None, :, :]) / ls
    return var * KAPPA[kind](np.sum(D * D, axis=-1), extra)


def kernel_matrix_grad(kind, X, ls, var, extra, h=1e-30):
    """``dK (p, n, n)``: the derivatives of :func:`kernel_matrix` ``(X, X)`` with respect to
    ``log ls[...]``, ``log var``, ``log extra[...]``, by the complex step
    ``Im K(theta + i h e_q) / h`` (Squire & Trapp, 1998): exact to rounding, no pyjl."""
    ls, extra = np.asarray(ls, float), np.asarray(extra, float)
    theta = np.concatenate([np.log(ls), [np.log(var)], np.log(extra)])
    nls, out = len(ls), []
    for q in range(len(theta)):
        t = theta.astype(complex)
        t[q] += 1j * h
        e = np.exp(t)
        out.append(kernel_matrix(kind, X, X, e[:nls], e[nls], e[nls + 1 :]).imag / h)
    return np.array(out)
