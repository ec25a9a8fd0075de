"""HMM kernels of the ``cuda`` engine: forward-backward and Viterbi on the GPU.

The kernels are CUDA C in ``hmm.cu``: log-space (log-sum-exp) and max-plus
(Viterbi) recursions, threads strided over states, messages in shared memory.
Every sequence is cut into *chunks*; one thread block runs the sequential
log-space recursion of one chunk (``K`` threads, one per state, shared memory).
Short sequences (``<= DIRECT_MAX`` steps, or ``K > CHUNK_K_MAX``) are a single
chunk, so a batch of ``B`` sequences is ``B`` blocks running side by side.
A long sequence is split into ``C`` chunks of ``L`` steps and solved in three
passes with ``O(T K^3 / C + C K^2)`` depth instead of ``O(T K^2)``:

1. ``pj_transfer`` (parallel over chunks): the chunk's ``K x K`` transfer
   matrix ``M_c[i, j] = log sum_paths prod A b`` from the state before the
   chunk to its last state (log-semiring; max-plus for Viterbi), computed by
   ``K^2`` threads;
2. ``pj_scan`` (one block per sequence): forward messages at chunk entries
   ``alpha_in[c+1] = alpha_in[c] (x) M_c`` and backward messages at chunk exits
   ``beta_out[c-1] = M_c (x) beta_out[c]`` -- ``C`` vector-matrix products;
3. ``pj_fb_chunk`` / ``pj_vit_chunk`` (parallel over chunks): the exact
   recursion inside each chunk from its boundary messages (shifted by their
   maxima, so a chunk computes with numbers of its own magnitude and posteriors
   keep full precision when the log-likelihood is -1e6), writing ``gamma``
   (or Viterbi back-pointers), per-chunk transition posteriors and the
   normaliser.  Viterbi then walks chunk boundaries back (``pj_vit_bounds``,
   using each chunk's entry state of the best path) and back-tracks all chunks
   in parallel (``pj_vit_back``).

Reference: the chunked scan is the associative-scan formulation of HMM
inference (Särkkä & García-Fernández, "Temporal parallelization of Bayesian
smoothers", IEEE TAC 2021) with a sequential scan inside chunks.

Layout (trusted): ``log_pi (K,)``, ``log_A (K, K)`` row = from-state,
``log_B (T, K)`` float64 C-contiguous device arrays; ``lengths`` a host int64
array.  Works on CuPy arrays; ``xp``/``kern`` let tests run the same source as
C++ on the CPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .common import Array, cupy, i32, module

__all__ = ["forward_backward", "viterbi", "plan", "NAME", "KERNELS", "DIRECT_MAX", "CHUNK_K_MAX"]

#: The kernel source, ``hmm.cu``, and its kernels.
NAME = "hmm"
KERNELS = ("pj_transfer", "pj_scan", "pj_fb_chunk", "pj_vit_chunk", "pj_vit_bounds", "pj_vit_back")

#: Sequences up to this length run as one chunk (one block, sequential in time).
DIRECT_MAX = 4096
#: Chunked passes keep two K x K matrices in shared memory: K up to this.
CHUNK_K_MAX = 32
#: Target number of chunks over all long sequences (enough blocks to fill a GPU).
TARGET_CHUNKS = 2048


def _kernels() -> Any:
    return module(NAME, KERNELS)


def plan(
    lengths: np.ndarray,
    K: int,
    direct_max: int = DIRECT_MAX,
    target_chunks: int = TARGET_CHUNKS,
    min_chunk: int = 256,
) -> dict[str, np.ndarray]:
    """Chunks of every sequence (host arrays).

    Sequences longer than ``direct_max`` (when ``K <= CHUNK_K_MAX``) are cut
    into chunks of ``L = max(min_chunk, ceil(total_long / target_chunks))`` steps;
    the others are one chunk.  Returns ``cstart (C,) int64``, ``clen``,
    ``cfirst``, ``seq_c0``, ``seq_nc`` (int32), ``sstart`` (int64), ``multi``
    (int32 indices of chunked sequences) and ``multi_chunks`` (their chunks).

    >>> p = plan(np.array([3, 10], dtype=np.int64), 2, direct_max=4, target_chunks=3,
    ...          min_chunk=1)
    >>> p["cstart"].tolist(), p["clen"].tolist(), p["cfirst"].tolist()
    ([0, 3, 7, 11], [3, 4, 4, 2], [1, 1, 0, 0])
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    sstart = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    long_ = (lengths > direct_max) if K <= CHUNK_K_MAX else np.zeros(len(lengths), bool)
    total_long = int(lengths[long_].sum())
    L = max(min_chunk, -(-total_long // target_chunks)) if total_long else 1
    nc = np.where(long_, -(-lengths // L), np.minimum(lengths, 1)).astype(np.int64)
    seq_c0 = (np.cumsum(nc) - nc).astype(np.int64)
    C = int(nc.sum())
    cseq = np.repeat(np.arange(len(lengths)), nc)
    k = np.arange(C, dtype=np.int64) - seq_c0[cseq]
    cstart = sstart[cseq] + k * L
    clen = np.where(long_[cseq], np.minimum(L, lengths[cseq] - k * L), lengths[cseq])
    multi = np.flatnonzero(nc > 1).astype(np.int32)
    return {
        "cstart": cstart.astype(np.int64),
        "clen": clen.astype(np.int32),
        "cfirst": (k == 0).astype(np.int32),
        "seq_c0": seq_c0.astype(np.int32),
        "seq_nc": nc.astype(np.int32),
        "sstart": sstart,
        "multi": multi,
        "multi_chunks": np.flatnonzero(nc[cseq] > 1).astype(np.int32),
    }


def _block(K: int) -> int:
    return int(min(256, max(32, -(-K // 32) * 32)))


def _boundaries(
    xp: Any,
    kern: Any,
    log_pi: Array,
    log_A: Array,
    log_B: Array,
    K: int,
    p: dict[str, np.ndarray],
    dev: dict[str, Array],
    mode: int,
) -> tuple[Array, Array]:
    """Passes 1 and 2: entry/exit messages of every chunk of the chunked sequences."""
    C = len(p["cstart"])
    alpha_in = xp.zeros((C, K))
    beta_out = xp.zeros((C, K))
    if len(p["multi"]):
        M = xp.zeros((C, K, K))
        kern.pj_transfer(
            (len(p["multi_chunks"]),),
            (min(256, K * K),),
            (
                log_A,
                log_B,
                i32(K),
                dev["cstart"],
                dev["clen"],
                dev["cfirst"],
                dev["multi_chunks"],
                i32(mode),
                M,
            ),
            shared_mem=3 * K * K * 8,
        )
        kern.pj_scan(
            (len(p["multi"]),),
            (_block(K),),
            (
                log_pi,
                log_B,
                i32(K),
                dev["sstart"],
                dev["seq_c0"],
                dev["seq_nc"],
                dev["multi"],
                M,
                i32(mode),
                alpha_in,
                beta_out,
            ),
            shared_mem=2 * K * 8,
        )
    return alpha_in, beta_out


def _setup(
    xp: Any, kern: Any, log_B: Array, lengths: np.ndarray, chunking: dict[str, int] | None
) -> tuple[Any, int, dict[str, np.ndarray], dict[str, Array]]:
    kern = kern if kern is not None else _kernels()
    K = int(log_B.shape[1])
    p = plan(np.asarray(lengths), K, **(chunking or {}))
    dev = {name: xp.asarray(v) for name, v in p.items()}
    return kern, K, p, dev


def forward_backward(
    log_pi: Array,
    log_A: Array,
    log_B: Array,
    lengths: np.ndarray,
    *,
    xp: Any = None,
    kern: Any = None,
    chunking: dict[str, int] | None = None,
) -> tuple[Array, Array, Array]:
    """``(loglik (n_seq,), gamma (T, K), xi_sum (K, K))`` on the device (see module doc)."""
    if xp is None:
        xp = cupy()
    kern, K, p, dev = _setup(xp, kern, log_B, lengths, chunking)
    T, C = int(log_B.shape[0]), len(p["cstart"])
    gamma = xp.empty((T, K))
    loglik = xp.zeros(len(p["seq_nc"]))
    xi_part = xp.zeros((C, K, K))
    if C == 0:
        return loglik, gamma, xp.zeros((K, K))
    alpha_in, beta_out = _boundaries(xp, kern, log_pi, log_A, log_B, K, p, dev, 0)
    Zc = xp.zeros(C)
    shared_mat = (2 * K * K + 4 * K) * 8 <= 48 * 1024
    shmem = (2 * K * K + 4 * K) * 8 if shared_mat else 4 * K * 8
    kern.pj_fb_chunk(
        (C,),
        (_block(K),),
        (
            log_pi,
            log_A,
            log_B,
            i32(K),
            dev["cstart"],
            dev["clen"],
            dev["cfirst"],
            alpha_in,
            beta_out,
            i32(shared_mat),
            gamma,
            xi_part,
            Zc,
        ),
        shared_mem=shmem,
    )
    nonempty = p["seq_nc"] > 0
    last = xp.asarray((p["seq_c0"] + p["seq_nc"] - 1)[nonempty])
    loglik[xp.asarray(np.flatnonzero(nonempty))] = Zc[last]
    return loglik, gamma, xi_part.sum(axis=0)


def viterbi(
    log_pi: Array,
    log_A: Array,
    log_B: Array,
    lengths: np.ndarray,
    *,
    xp: Any = None,
    kern: Any = None,
    chunking: dict[str, int] | None = None,
) -> tuple[Array, Array]:
    """``(path (T,) int64, logprob (n_seq,))`` on the device (see module doc)."""
    if xp is None:
        xp = cupy()
    kern, K, p, dev = _setup(xp, kern, log_B, lengths, chunking)
    T, C, nseq = int(log_B.shape[0]), len(p["cstart"]), len(p["seq_nc"])
    path = xp.zeros(T, dtype=np.int64)
    logprob = xp.zeros(nseq)
    if C == 0:
        return path, logprob
    delta_in, _ = _boundaries(xp, kern, log_pi, log_A, log_B, K, p, dev, 1)
    bp = xp.zeros((T, K), dtype=np.int32)
    entry = xp.zeros((C, K), dtype=np.int32)
    dend = xp.zeros(C)
    xbest = xp.zeros(C, dtype=np.int32)
    xend = xp.zeros(C, dtype=np.int32)
    kern.pj_vit_chunk(
        (C,),
        (_block(K),),
        (
            log_pi,
            log_A,
            log_B,
            i32(K),
            dev["cstart"],
            dev["clen"],
            dev["cfirst"],
            delta_in,
            bp,
            entry,
            dend,
            xbest,
        ),
        shared_mem=5 * K * 8,
    )
    kern.pj_vit_bounds(
        (max(1, min(1024, -(-nseq // 128))),),
        (128,),
        (i32(nseq), dev["seq_c0"], dev["seq_nc"], i32(K), entry, xbest, xend),
    )
    kern.pj_vit_back(
        (max(1, min(4096, -(-C // 128))),),
        (128,),
        (i32(C), dev["cstart"], dev["clen"], i32(K), bp, xend, path),
    )
    nonempty = p["seq_nc"] > 0
    last = xp.asarray((p["seq_c0"] + p["seq_nc"] - 1)[nonempty])
    logprob[xp.asarray(np.flatnonzero(nonempty))] = dend[last]
    return path, logprob
