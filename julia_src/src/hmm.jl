# Hidden-Markov-model kernels: scaled forward-backward and log-space Viterbi.
#
# Layout (Julia's own, column-major):
#   log_pi  :: AbstractVector, length K        log start probabilities
#   log_A   :: AbstractMatrix, K x K           log_A[i, j] = log P(z_{t+1} = j | z_t = i)
#   log_B   :: AbstractMatrix, K x T           log_B[k, t] = log p(x_t | z_t = k), column t: step t
#   lengths :: AbstractVector{<:Integer}       sequence lengths, summing to T
# States are 1-based here.

"""
    forward_backward(log_pi, log_A, log_B, lengths) -> (loglik, gamma, xi_sum)

Forward-backward over the concatenated sequences of `log_B` (`K x T`, one column per time
step). Returns the log-likelihood of each sequence (`Vector{Float64}`, one per entry of
`lengths`), the state posteriors `gamma[k, t] = P(z_t = k | x)` (`K x T`) and the
transition posteriors summed over time and sequences,
`xi_sum[i, j] = sum_t P(z_t = i, z_{t+1} = j | x)` (`K x K`).

Probabilities are rescaled at every step (Rabiner 1989, section V.A): the emission
factors are `exp(log_B[:, t] .- maximum(log_B[:, t]))` and the forward vector is
normalised, the logs of the scales being summed into the log-likelihood, so nothing
underflows for any `T`. A sequence impossible under the model gets `-Inf` and zero
posteriors (never NaN).

```julia
julia> ll, g, xi = forward_backward(log.([0.6, 0.4]), log.([0.7 0.3; 0.4 0.6]),
                                    log.([0.5 0.4 0.1; 0.1 0.3 0.6]), [3]);

julia> exp(ll[1]) ≈ 0.03628
true
```
"""
function forward_backward(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                          log_B::AbstractMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    loglik = Vector{Float64}(undef, length(lengths))
    gamma = Matrix{Float64}(undef, K, T)
    xi_sum = zeros(Float64, K, K)
    forward_backward!(loglik, gamma, xi_sum, log_pi, log_A, log_B, lengths)
    return loglik, gamma, xi_sum
end

"""
    forward_backward!(loglik, gamma, xi_sum, log_pi, log_A, log_B, lengths)

In-place [`forward_backward`](@ref): fills `loglik` (length `n_seq`), `gamma` (`K x T`)
and `xi_sum` (`K x K`, overwritten). Sequences of equal length run in blocks of SIMD
lanes (hmm_lanes.jl), the others alone; blocks and sequences are spread over
`Threads.nthreads()` tasks, each with its own transition accumulator.
"""
function forward_backward!(loglik::AbstractVector{Float64}, gamma::AbstractMatrix{Float64},
                           xi_sum::AbstractMatrix{Float64}, log_pi::AbstractVector{<:Real},
                           log_A::AbstractMatrix{<:Real}, log_B::AbstractMatrix{<:Real},
                           lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    _check_hmm_sizes(K, T, log_pi, log_A, lengths)
    _check_size("loglik", loglik, (length(lengths),))
    _check_size("gamma", gamma, (K, T))
    _check_size("xi_sum", xi_sum, (K, K))
    p = _exp_dense(log_pi)
    A = _exp_dense(log_A)
    starts, stops, perm, items = _hmm_plan(lengths, Threads.nthreads())
    alone = any(q -> length(q) == 1, items)     # alpha and scales of the sequences alone
    alpha = Matrix{Float64}(undef, K, alone ? T : 0)
    scale = Vector{Float64}(undef, alone ? T : 0)
    nchunks = max(1, min(length(items), Threads.nthreads()))
    xis = [zeros(Float64, K, K) for _ in 1:nchunks]
    _tasks(nchunks) do c
        _fb_chunk!(loglik, gamma, alpha, scale, xis[c], p, A, log_B, starts, stops, perm, items,
                   c, nchunks)
    end
    fill!(xi_sum, 0.0)
    for x in xis
        xi_sum .+= x
    end
    xi_sum .*= A
    return loglik, gamma, xi_sum
end

# One task's items of `_hmm_plan` (c, c + nchunks, ...): blocks of 8, 4 or 2 sequences in
# lanes, sequences alone with the task's work vectors; one transition accumulator.
function _fb_chunk!(loglik, gamma, alpha, scale, xacc::Matrix{Float64}, p::Vector{Float64},
                    A::Matrix{Float64}, log_B, starts::Vector{Int}, stops::Vector{Int},
                    perm::Vector{Int}, items::Vector{UnitRange{Int}}, c::Int, nchunks::Int)
    K = size(log_B, 1)
    beta = zeros(Float64, K)
    tmp = zeros(Float64, K)
    bnext = zeros(Float64, K)
    for i in c:nchunks:length(items)
        q = items[i]
        _run_block(v -> _fb_lanes!(loglik, gamma, xacc, p, A, log_B, starts, stops, perm, q, v),
                   u -> _fb_alone!(loglik, gamma, alpha, scale, xacc, p, A, log_B, starts,
                                   stops, perm[u], beta, tmp, bnext), q)
    end
    return nothing
end

# `_fb_sequence!` of sequence `s` on its columns, its log-likelihood into `loglik[s]`.
function _fb_alone!(loglik, gamma, alpha, scale, xacc, p, A, log_B, starts, stops, s::Int,
                    beta, tmp, bnext)
    r = starts[s]:stops[s]
    loglik[s] = _fb_sequence!(view(gamma, :, r), view(alpha, :, r), view(scale, r), xacc,
                              p, A, view(log_B, :, r), beta, tmp, bnext)
    return nothing
end

# Emission factors of step `col`: out[k] = exp(log_B[k, col] - m), m the column's maximum
# (0.0 where it is not finite); returns m. Every scaled recursion, in lanes or not, takes
# its factors here, so the lanes' results stay bit-identical to one sequence at a time.
@inline function _factors!(out, log_B, col::Int)
    m = -Inf
    @inbounds for k in axes(log_B, 1)
        m = max(m, Float64(log_B[k, col]))
    end
    m = isfinite(m) ? m : 0.0
    @inbounds for k in axes(log_B, 1)
        out[k] = exp(log_B[k, col] - m)
    end
    return m
end

# an output array of an in-place kernel, written under @inbounds: its size checked first
function _check_size(name::String, a::AbstractArray, dims::Tuple)
    size(a) == dims || throw(DimensionMismatch("$name is $(size(a)); expected $dims"))
    return nothing
end

# `exp.(x)` in Float64 as a dense Array, which the loops' signatures ask for: a broadcast
# over a structured or sparse array can stay one. One allocation, as the broadcast.
function _exp_dense(x::AbstractArray{<:Real,N}) where {N}
    y = Array{Float64,N}(undef, size(x))
    y .= exp.(Float64.(x))
    return y
end

function _check_hmm_sizes(K, T, log_pi, log_A, lengths)
    length(log_pi) == K ||
        throw(DimensionMismatch("log_pi has length $(length(log_pi)); log_B has K = $K rows"))
    size(log_A) == (K, K) ||
        throw(DimensionMismatch("log_A is $(size(log_A)); expected ($K, $K)"))
    sum(lengths) == T ||
        throw(ArgumentError("lengths sum to $(sum(lengths)); log_B has T = $T columns"))
    all(l -> l > 0, lengths) || throw(ArgumentError("lengths must be positive"))
    return nothing
end

# One sequence: forward pass (alpha, scales), then backward pass writing gamma over the
# emission factors kept in `gam`, and adding alpha_t[i] * (b_{t+1} .* beta_{t+1})[j] / c_{t+1}
# into `xacc` (the caller multiplies by A). Returns the log-likelihood.
function _fb_sequence!(gam, alpha, scale, xacc, p, A, logB, beta, tmp, bnext)
    K, T = size(logB)
    ll = 0.0
    dead = false
    @inbounds for t in 1:T
        m = _factors!(view(gam, :, t), logB, t)
        if t == 1
            for j in 1:K
                alpha[j, 1] = p[j] * gam[j, 1]
            end
        else
            for j in 1:K
                acc = 0.0
                for i in 1:K
                    acc += alpha[i, t - 1] * A[i, j]
                end
                alpha[j, t] = acc * gam[j, t]
            end
        end
        c = 0.0
        for j in 1:K
            c += alpha[j, t]
        end
        if !(c > 0.0)
            dead = true
            c = 1.0
        end
        scale[t] = c
        for j in 1:K
            alpha[j, t] /= c
        end
        ll += log(c) + m
    end
    @inbounds begin
        for k in 1:K
            bnext[k] = gam[k, T]
            beta[k] = 1.0
            gam[k, T] = alpha[k, T]
        end
        for t in (T - 1):-1:1
            inv = 1.0 / scale[t + 1]
            for j in 1:K
                tmp[j] = bnext[j] * beta[j] * inv
            end
            for k in 1:K
                bnext[k] = gam[k, t]          # b_t, needed at step t - 1
            end
            for i in 1:K
                acc = 0.0
                for j in 1:K
                    acc += A[i, j] * tmp[j]
                end
                beta[i] = acc
            end
            for j in 1:K, i in 1:K
                xacc[i, j] += alpha[i, t] * tmp[j]
            end
            c = 0.0
            for i in 1:K
                g = alpha[i, t] * beta[i]
                gam[i, t] = g
                c += g
            end
            if c > 0.0
                for i in 1:K
                    gam[i, t] /= c
                end
            end
        end
    end
    return dead ? -Inf : ll
end

"""
    viterbi(log_pi, log_A, log_B, lengths) -> (path, logprob)

Most likely state path of each sequence (log-space max-product). `path` is a
`Vector{Int}` of 1-based states (length `T`), `logprob` the joint log-probability of each
sequence's best path. Among equally likely paths the lowest final state and, before it,
the highest-numbered predecessor win (hmmlearn's rule).

```julia
julia> path, lp = viterbi(log.([0.6, 0.4]), log.([0.7 0.3; 0.4 0.6]),
                          log.([0.5 0.4 0.1; 0.1 0.3 0.6]), [3]);

julia> path == [1, 1, 2] && exp(lp[1]) ≈ 0.01512
true
```
"""
function viterbi(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                 log_B::AbstractMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    T = size(log_B, 2)
    path = Vector{Int}(undef, T)
    logprob = Vector{Float64}(undef, length(lengths))
    viterbi!(path, logprob, log_pi, log_A, log_B, lengths)
    return path, logprob
end

"""
    viterbi!(path, logprob, log_pi, log_A, log_B, lengths)

In-place [`viterbi`](@ref); sequences of equal length run in blocks of SIMD lanes
(hmm_lanes.jl), the others alone, spread over `Threads.nthreads()` tasks.
"""
function viterbi!(path::AbstractVector{<:Integer}, logprob::AbstractVector{Float64},
                  log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                  log_B::AbstractMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    _check_hmm_sizes(K, T, log_pi, log_A, lengths)
    _check_size("path", path, (T,))
    _check_size("logprob", logprob, (length(lengths),))
    lA = Matrix{Float64}(log_A)        # dense: a Diagonal stays one under `Float64.(...)`
    lp = Vector{Float64}(log_pi)
    psi = Matrix{Int32}(undef, K, T)
    starts, stops, perm, items = _hmm_plan(lengths, Threads.nthreads())
    nchunks = max(1, min(length(items), Threads.nthreads()))
    _tasks(nchunks) do c
        _viterbi_chunk!(path, logprob, psi, lp, lA, log_B, starts, stops, perm, items, c,
                        nchunks)
    end
    return path, logprob
end

# One task's items of `_hmm_plan` (c, c + nchunks, ...), as `_fb_chunk!`'s.
function _viterbi_chunk!(path, logprob, psi::Matrix{Int32}, lp::Vector{Float64},
                         lA::Matrix{Float64}, log_B, starts::Vector{Int}, stops::Vector{Int},
                         perm::Vector{Int}, items::Vector{UnitRange{Int}}, c::Int,
                         nchunks::Int)
    K = size(log_B, 1)
    prev = zeros(Float64, K)
    cur = zeros(Float64, K)
    for i in c:nchunks:length(items)
        q = items[i]
        _run_block(v -> _viterbi_lanes!(path, logprob, psi, lp, lA, log_B, starts, stops, perm,
                                        q, v),
                   u -> _viterbi_alone!(path, logprob, psi, lp, lA, log_B, starts, stops,
                                        perm[u], prev, cur), q)
    end
    return nothing
end

# `_viterbi_sequence!` of sequence `s` on its columns, its log-probability into `logprob[s]`.
function _viterbi_alone!(path, logprob, psi, lp, lA, log_B, starts, stops, s::Int, prev, cur)
    r = starts[s]:stops[s]
    logprob[s] = _viterbi_sequence!(view(path, r), view(psi, :, r), lp, lA, view(log_B, :, r),
                                    prev, cur)
    return nothing
end

function _viterbi_sequence!(path, psi, lp, lA, logB, prev, cur)
    K, T = size(logB)
    @inbounds begin
        for j in 1:K
            prev[j] = lp[j] + logB[j, 1]
        end
        for t in 2:T
            for j in 1:K
                best = prev[1] + lA[1, j]
                arg = 1
                for i in 2:K
                    v = prev[i] + lA[i, j]
                    if v >= best            # ties: highest predecessor
                        best = v
                        arg = i
                    end
                end
                cur[j] = best + logB[j, t]
                psi[j, t] = arg
            end
            for j in 1:K
                prev[j] = cur[j]
            end
        end
    end
    return _backtrack!(path, psi, prev)
end

# The best of the final scores `last` (ties: the lowest state) into path[end], and the path
# back to the start through the back-pointers psi (column t: the best predecessor of each
# state at step t); returns the best score.
function _backtrack!(path, psi, last)
    best = last[1]
    arg = 1
    @inbounds for j in 2:length(last)
        if last[j] > best                   # ties: lowest final state
            best = last[j]
            arg = j
        end
    end
    n = length(path)
    path[n] = arg
    @inbounds for t in n:-1:2
        path[t - 1] = psi[path[t], t]
    end
    return best
end

"""
    forward(log_pi, log_A, log_B, lengths) -> Vector{Float64}

Per-sequence log-likelihoods from the scaled forward pass alone (no posteriors, `O(K)`
working memory per task); same layout as [`forward_backward`](@ref).

```julia
julia> exp(forward(log.([0.6, 0.4]), log.([0.7 0.3; 0.4 0.6]),
                   log.([0.5 0.4 0.1; 0.1 0.3 0.6]), [3])[1]) ≈ 0.03628
true
```
"""
function forward(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                 log_B::AbstractMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    _check_hmm_sizes(K, T, log_pi, log_A, lengths)
    p = _exp_dense(log_pi)
    A = _exp_dense(log_A)
    starts, stops, perm, items = _hmm_plan(lengths, Threads.nthreads())
    loglik = Vector{Float64}(undef, length(lengths))
    nchunks = max(1, min(length(items), Threads.nthreads()))
    _tasks(c -> _forward_chunk!(loglik, p, A, log_B, starts, stops, perm, items, c, nchunks),
           nchunks)
    return loglik
end

# One task's items of `_hmm_plan` (c, c + nchunks, ...), as `_fb_chunk!`'s.
function _forward_chunk!(loglik::Vector{Float64}, p::Vector{Float64}, A::Matrix{Float64},
                         log_B, starts::Vector{Int}, stops::Vector{Int}, perm::Vector{Int},
                         items::Vector{UnitRange{Int}}, c::Int, nchunks::Int)
    K = size(log_B, 1)
    a = zeros(Float64, K)
    prev = zeros(Float64, K)
    b = zeros(Float64, K)
    for i in c:nchunks:length(items)
        q = items[i]
        _run_block(v -> _forward_lanes!(loglik, p, A, log_B, starts, stops, perm, q, v),
                   u -> _forward_alone!(loglik, a, prev, b, p, A, log_B, starts, stops, perm[u]),
                   q)
    end
    return nothing
end

# `_forward_sequence!` of sequence `s` on its columns, its log-likelihood into `loglik[s]`.
function _forward_alone!(loglik, a, prev, b, p, A, log_B, starts, stops, s::Int)
    loglik[s] = _forward_sequence!(a, prev, b, p, A, view(log_B, :, starts[s]:stops[s]))
    return nothing
end

function _forward_sequence!(a, prev, b, p, A, logB)
    K, T = size(logB)
    ll = 0.0
    @inbounds for t in 1:T
        m = _factors!(b, logB, t)
        if t == 1
            for j in 1:K
                a[j] = p[j] * b[j]
            end
        else
            for j in 1:K
                acc = 0.0
                for i in 1:K
                    acc += prev[i] * A[i, j]
                end
                a[j] = acc * b[j]
            end
        end
        c = 0.0
        for j in 1:K                 # in order, as forward_backward and the native kernel
            c += a[j]
        end
        c > 0.0 || return -Inf
        for j in 1:K
            prev[j] = a[j] / c
        end
        ll += log(c) + m
    end
    return ll
end
