# Log-space forward and forward-backward (the native engine's pyjl_hmm_log.h): the
# recursions for a model with a zero (or below e^-320) transition probability, where the
# scaled ones of hmm.jl can lose a state the chain has left behind. A state whose forward
# probability falls ~745 nats below the others' is zero in a scaled step, and with no
# transition back into it nothing restores it, however much later data favour it. Here
# the forward and backward variables are kept as logarithms, so no state's share is ever
# rounded away.
#
# One step, out[i] = log sum_j exp(lM[j, i] + v[j]) (column i of M; M = A forward, the
# transpose of A backward): with m = max_j v[j] and q[j] = exp(v[j] - m),
# s[i] = sum_j M[j, i] q[j]. A term that the shift made subnormal or zero is below
# 2^-1022 and the sum loses at most K of them, so where s[i] >= 2^-960 the relative error
# is below K 2^-62 and out[i] = m + log(s[i]) (kept less m); a smaller s[i] (the mass sits in
# terms the shift rounded away: the left-behind state) is summed again in log space,
# exactly. K exponentials and K logarithms a step, and the exact sum only where needed.
# The logarithms are kept relative to each step's largest (the forward ones less a running
# offset that a compensated sum accumulates, the backward ones less their largest), and
# the posteriors and each step's transition posteriors are normalised to sum 1, so the
# rounding does not grow with the log-likelihood (the native kernels do the same).
#
# Layout as hmm.jl's: log_pi (K), log_A (K x K, log_A[from, to]), log_B (K x T, one column
# per step), lengths summing to T; gamma K x T, xi_sum[from, to].

"Below this sum of shifted terms a log-space step is summed again exactly (2^-960)."
const _LOG_EXACT_BELOW = ldexp(1.0, -960)

"Below this sum of a step's factored transition terms they are taken in log space (2^-900)."
const _LOG_XI_EXACT_BELOW = ldexp(1.0, -900)

"""
    forward_log(log_pi, log_A, log_B, lengths) -> Vector{Float64}

Per-sequence log-likelihoods from the forward pass with the forward variables kept as
logarithms: [`forward`](@ref)'s result where the scaled pass loses nothing (to rounding),
exact where it loses a state the chain has left behind (a zero transition probability back
into it and a forward probability ~745 nats below the others'). Same layout as
[`forward_backward`](@ref); `O(K)` working memory per task. A sequence impossible under
the model gets `-Inf`.

```julia
julia> exp(forward_log(log.([0.6, 0.4]), log.([0.7 0.3; 0.4 0.6]),
                       log.([0.5 0.4 0.1; 0.1 0.3 0.6]), [3])[1]) ≈ 0.03628
true
```
"""
function forward_log(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                     log_B::AbstractMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    _check_hmm_sizes(K, T, log_pi, log_A, lengths)
    lp = Vector{Float64}(log_pi)
    lA = Matrix{Float64}(log_A)        # dense: a Diagonal stays one under `Float64.(...)`
    A = _exp_dense(lA)
    starts, stops, perm, items = _hmm_plan(lengths, Threads.nthreads())
    loglik = Vector{Float64}(undef, length(lengths))
    nchunks = max(1, min(length(items), Threads.nthreads()))
    _tasks(c -> _forward_log_chunk!(loglik, lp, A, lA, log_B, starts, stops, perm, items, c,
                                    nchunks), nchunks)
    return loglik
end

# One task's items of `_hmm_plan` (c, c + nchunks, ...), every sequence alone (no lanes),
# with the task's work vectors.
function _forward_log_chunk!(loglik::Vector{Float64}, lp::Vector{Float64}, A::Matrix{Float64},
                             lA::Matrix{Float64}, log_B, starts::Vector{Int},
                             stops::Vector{Int}, perm::Vector{Int},
                             items::Vector{UnitRange{Int}}, c::Int, nchunks::Int)
    K = size(log_B, 1)
    cur = zeros(Float64, K)
    prev = zeros(Float64, K)
    q = zeros(Float64, K)
    for i in c:nchunks:length(items)
        for u in items[i]
            s = perm[u]
            loglik[s] = _forward_log_sequence!(cur, prev, q, lp, A, lA,
                                               view(log_B, :, starts[s]:stops[s]))
        end
    end
    return nothing
end

# The forward pass of one sequence keeping two vectors (cur, prev) of log forward
# variables less a running offset, which a compensated sum accumulates; returns the
# log-likelihood.
function _forward_log_sequence!(cur, prev, q, lp, A, lA, logB)
    K, T = size(logB)
    @inbounds for k in 1:K
        cur[k] = lp[k]
    end
    s, c = _ksum(0.0, 0.0, _log_emit!(cur, logB, 1))
    @inbounds for t in 2:T
        for k in 1:K
            prev[k] = cur[k]
        end
        m = _log_matvec!(cur, A, lA, prev, q)
        m == -Inf && return -Inf
        s, c = _ksum(s, c, m)
        s, c = _ksum(s, c, _log_emit!(cur, logB, t))
    end
    e = _log_sum(cur)
    e == -Inf && return -Inf
    s, c = _ksum(s, c, e)
    return s + c
end

"""
    forward_backward_log(log_pi, log_A, log_B, lengths) -> (loglik, gamma, xi_sum)

[`forward_backward`](@ref) with the forward and backward variables kept as logarithms:
its results where the scaled recursion loses nothing (to rounding), exact where it loses
a state the chain has left behind (see [`forward_log`](@ref)). Returns the log-likelihood
of each sequence (`Vector{Float64}`), the state posteriors `gamma` (`K x T`, one column
per step) and `xi_sum[i, j] = sum_t P(z_t = i, z_{t+1} = j | x)` (`K x K`). A sequence
impossible under the model gets `-Inf`, zero posteriors, and adds nothing to `xi_sum`.

```julia
julia> ll, g, xi = forward_backward_log(log.([0.6, 0.4]), log.([0.7 0.3; 0.4 0.6]),
                                        log.([0.5 0.4 0.1; 0.1 0.3 0.6]), [3]);

julia> exp(ll[1]) ≈ 0.03628 && sum(xi) ≈ 2.0
true
```
"""
function forward_backward_log(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                              log_B::AbstractMatrix{<:Real},
                              lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    loglik = Vector{Float64}(undef, length(lengths))
    gamma = Matrix{Float64}(undef, K, T)
    xi_sum = zeros(Float64, K, K)
    forward_backward_log!(loglik, gamma, xi_sum, log_pi, log_A, log_B, lengths)
    return loglik, gamma, xi_sum
end

"""
    forward_backward_log!(loglik, gamma, xi_sum, log_pi, log_A, log_B, lengths)

In-place [`forward_backward_log`](@ref): fills `loglik` (length `n_seq`), `gamma`
(`K x T`, which holds the log forward variables until the backward pass turns them into
posteriors) and `xi_sum` (`K x K`, overwritten). The sequences are spread over
`Threads.nthreads()` tasks, each with its own transition accumulator.
"""
function forward_backward_log!(loglik::AbstractVector{Float64},
                               gamma::AbstractMatrix{Float64},
                               xi_sum::AbstractMatrix{Float64},
                               log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                               log_B::AbstractMatrix{<:Real},
                               lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    _check_hmm_sizes(K, T, log_pi, log_A, lengths)
    _check_size("loglik", loglik, (length(lengths),))
    _check_size("gamma", gamma, (K, T))
    _check_size("xi_sum", xi_sum, (K, K))
    lp = Vector{Float64}(log_pi)
    lA = Matrix{Float64}(log_A)        # dense, as in forward_log
    A = _exp_dense(lA)
    lAT = permutedims(lA)              # backward: column i of the transpose is row i of A
    AT = permutedims(A)
    starts, stops, perm, items = _hmm_plan(lengths, Threads.nthreads())
    nchunks = max(1, min(length(items), Threads.nthreads()))
    xis = [zeros(Float64, K, K) for _ in 1:nchunks]
    _tasks(nchunks) do c
        _fb_log_chunk!(loglik, gamma, xis[c], lp, A, lA, AT, lAT, log_B, starts, stops, perm,
                       items, c, nchunks)
    end
    fill!(xi_sum, 0.0)
    for x in xis
        xi_sum .+= x
    end
    return loglik, gamma, xi_sum
end

# One task's items of `_hmm_plan` (c, c + nchunks, ...), every sequence alone, with the
# task's work vectors and transition accumulator.
function _fb_log_chunk!(loglik, gamma, xacc::Matrix{Float64}, lp::Vector{Float64},
                        A::Matrix{Float64}, lA::Matrix{Float64}, AT::Matrix{Float64},
                        lAT::Matrix{Float64}, log_B, starts::Vector{Int}, stops::Vector{Int},
                        perm::Vector{Int}, items::Vector{UnitRange{Int}}, c::Int,
                        nchunks::Int)
    K = size(log_B, 1)
    q = zeros(Float64, K)
    lbeta = zeros(Float64, K)
    v = zeros(Float64, K)
    nb = zeros(Float64, K)
    F = zeros(Float64, K)
    G = zeros(Float64, K)
    w = zeros(Float64, K, K)
    for i in c:nchunks:length(items)
        for u in items[i]
            s = perm[u]
            r = starts[s]:stops[s]
            loglik[s] = _fb_log_sequence!(view(gamma, :, r), xacc, lp, A, lA, AT, lAT,
                                          view(log_B, :, r), q, lbeta, v, nb, F, G, w)
        end
    end
    return nothing
end

# One sequence: the forward pass writes the log forward variables less a running offset
# into `gam`, then the backward pass (log beta less its largest) turns column t + 1 into
# posteriors once step t no longer needs it, and adds step t's transition posteriors,
# normalised to sum 1, into `xacc`. Returns the log-likelihood; a sequence of probability
# zero (-Inf) gets zero posteriors and adds nothing.
function _fb_log_sequence!(gam, xacc, lp, A, lA, AT, lAT, logB, q, lbeta, v, nb, F, G, w)
    K, T = size(logB)
    @inbounds for k in 1:K
        gam[k, 1] = lp[k]
    end
    s, c = _ksum(0.0, 0.0, _log_emit!(view(gam, :, 1), logB, 1))
    dead = false
    @inbounds for t in 2:T
        m = _log_matvec!(view(gam, :, t), A, lA, view(gam, :, t - 1), q)
        if m == -Inf
            dead = true
            break
        end
        s, c = _ksum(s, c, m)
        s, c = _ksum(s, c, _log_emit!(view(gam, :, t), logB, t))
    end
    e = dead ? -Inf : _log_sum(view(gam, :, T))
    if e == -Inf
        fill!(gam, 0.0)
        return -Inf
    end
    s, c = _ksum(s, c, e)
    fill!(lbeta, 0.0)
    @inbounds for t in (T - 1):-1:1
        for k in 1:K
            v[k] = logB[k, t + 1] + lbeta[k]
        end
        _log_xi!(xacc, view(gam, :, t), A, lA, v, F, G, w)
        _log_posterior!(view(gam, :, t + 1), lbeta)   # column t + 1 is done with
        if _log_matvec!(nb, AT, lAT, v, q) == -Inf    # cannot be: the sequence is possible
            fill!(nb, -Inf)
        end
        for k in 1:K
            lbeta[k] = nb[k]
        end
    end
    _log_posterior!(view(gam, :, 1), lbeta)
    return s + c
end

# Neumaier's compensated sum: (s, c) plus x.
@inline function _ksum(s::Float64, c::Float64, x::Float64)
    t = s + x
    c += abs(s) >= abs(x) ? (s - t) + x : (x - t) + s
    return t, c
end

# The largest of x (-Inf for none).
@inline function _log_max(x)
    m = -Inf
    @inbounds for k in eachindex(x)
        m = x[k] > m ? Float64(x[k]) : m
    end
    return m
end

# cur .+= logB[:, t] .- (its largest); returns that largest (0.0 where the column is -Inf
# everywhere), which goes into the running offset.
@inline function _log_emit!(cur, logB, t::Int)
    K = length(cur)
    m = -Inf
    @inbounds for k in 1:K
        x = Float64(logB[k, t])
        m = x > m ? x : m
    end
    if m == -Inf
        m = 0.0
    end
    @inbounds for k in 1:K
        cur[k] += Float64(logB[k, t]) - m
    end
    return m
end

# One step's transition posteriors, normalised to sum 1, added to xacc: the terms
# w[i, j] = la[i] + lA[i, j] + v[j] as exp(w - log Z). Factored, F[i] A[i, j] G[j] / Z'
# with F = exp(la - max la), G = exp(v - max v) and Z' their sum (2 K exponentials), which
# keeps every digit of a term whose F and G are not zero; the M-step divides each row by
# its own sum, where a term the factoring would round to zero can be the row's largest, so
# a term whose F or G underflowed is taken in log space, and every term where Z' is below
# 2^-900 (the native kernel's pyjl_log_xi). F, G and w are scratch.
@inline function _log_xi!(xacc::Matrix{Float64}, la, A::Matrix{Float64}, lA::Matrix{Float64}, v,
                  F::Vector{Float64}, G::Vector{Float64}, w::Matrix{Float64})
    K = length(v)
    ma = _log_max(la)
    mv = _log_max(v)
    (ma == -Inf || mv == -Inf) && return nothing
    @inbounds for k in 1:K
        F[k] = _expn(la[k] - ma)
        G[k] = _expn(v[k] - mv)
    end
    Z = 0.0
    @inbounds for j in 1:K, i in 1:K
        Z += F[i] * A[i, j] * G[j]
    end
    all_exact = !(Z >= _LOG_XI_EXACT_BELOW)
    logZ = ma + mv + log(Z)
    if all_exact
        M = -Inf
        @inbounds for j in 1:K, i in 1:K
            x = la[i] + lA[i, j] + v[j]
            M = x > M ? x : M
        end
        M == -Inf && return nothing
        s = 0.0
        @inbounds for j in 1:K, i in 1:K
            x = la[i] + lA[i, j] + v[j]
            if x != -Inf
                s += exp(x - M)
            end
        end
        logZ = M + log(s)
    end
    c = 1.0 / Z
    @inbounds for j in 1:K, i in 1:K
        exact = all_exact || (F[i] == 0.0 && la[i] != -Inf) || (G[j] == 0.0 && v[j] != -Inf)
        if exact
            x = la[i] + lA[i, j] + v[j]
            w[i, j] = x == -Inf ? 0.0 : exp(x - logZ)
        else
            w[i, j] = F[i] * c * A[i, j] * G[j]
        end
    end
    @inbounds for j in 1:K, i in 1:K
        xacc[i, j] += w[i, j]
    end
    return nothing
end

# exp(x) for x <= 0, 0 below -708 (no subnormal: their digits are few), as pyjl_expn.
_expn(x::Float64) = x < -708.0 ? 0.0 : exp(x)

# out[i] = log sum_j exp(lM[j, i] + v[j]) - m, m = max v, returned (see the top of this
# file; -Inf: out untouched); q is scratch. `out` and `v` must not overlap.
@inline function _log_matvec!(out, M::Matrix{Float64}, lM::Matrix{Float64}, v, q)
    K = length(v)
    m = _log_max(v)
    m == -Inf && return m
    @inbounds for j in 1:K
        q[j] = exp(v[j] - m)
    end
    @inbounds for i in 1:K
        s = 0.0
        for j in 1:K
            s += M[j, i] * q[j]
        end
        out[i] = s >= _LOG_EXACT_BELOW ? log(s) : _log_dot(v, lM, i) - m
    end
    return m
end

# log sum_j exp(v[j] + lM[j, i]), exactly (the largest term factored out).
@inline function _log_dot(v, lM::Matrix{Float64}, i::Int)
    K = length(v)
    m = -Inf
    @inbounds for j in 1:K
        x = v[j] + lM[j, i]
        m = x > m ? x : m
    end
    m == -Inf && return -Inf
    s = 0.0
    @inbounds for j in 1:K
        x = v[j] + lM[j, i]
        if x != -Inf                          # a zero transition costs no exponential
            s += exp(x - m)
        end
    end
    return m + log(s)
end

# log sum_k exp(x[k]); -Inf for an all -Inf x.
@inline function _log_sum(x)
    K = length(x)
    m = -Inf
    @inbounds for k in 1:K
        m = x[k] > m ? x[k] : m
    end
    m == -Inf && return -Inf
    s = 0.0
    @inbounds for k in 1:K
        s += exp(x[k] - m)
    end
    return m + log(s)
end

# A column of posteriors from log alpha (in `g`) + log beta, in place: exp(x - max),
# summed to 1.
@inline function _log_posterior!(g, lbeta)
    K = length(g)
    m = -Inf
    @inbounds for k in 1:K
        g[k] += lbeta[k]
        m = g[k] > m ? g[k] : m
    end
    s = 0.0
    @inbounds for k in 1:K
        g[k] = exp(g[k] - m)
        s += g[k]
    end
    @inbounds for k in 1:K
        g[k] /= s
    end
    return nothing
end
