# The HMM kernels across sequences (lanes.jl): a block of 8, 4 or 2 sequences of one
# length runs `_forward_sequence!`, `_fb_sequence!` or `_viterbi_sequence!` side by side,
# the work arrays `W x K` per step (lane innermost) and every step's arithmetic in `@simd`
# loops over the lanes. Each lane performs the scalar kernel's operations in its order,
# with its rules for an impossible sequence (`-Inf`, zero posteriors) and for Viterbi ties,
# so log-likelihoods, posteriors, paths and log-probabilities are bit-identical to it; the
# emission factors, the scales' logs and the sums the scalar kernel leaves to `sum` run one
# lane at a time, as it runs them. Only the transition posteriors are added in another
# order: each lane sums its own steps, then the lanes are added to the task's accumulator.

"""
    _hmm_plan(lengths, nthreads) -> (starts, stops, perm, items)

Where each sequence lies (`starts[s]:stops[s]`), the sequences in order of length (`perm`)
and the work items, ranges of `perm`: blocks of 8, 4 or 2 sequences of one length for the
lanes, and the sequences that run alone (ranges of one). A run of equal lengths is split
for its share of the `nthreads` threads (`_lane_ranges!`).
"""
function _hmm_plan(lengths::AbstractVector{<:Integer}, nthreads::Int)
    len = Int.(lengths)
    stops = cumsum(len)
    starts = stops .- len .+ 1
    perm = sortperm(len)
    items = UnitRange{Int}[]
    nseq = length(len)
    i = 1
    while i <= nseq
        j = i
        while j < nseq && len[perm[j + 1]] == len[perm[i]]
            j += 1
        end
        count = j - i + 1
        _lane_ranges!(items, i, count, cld(nthreads * count, nseq))
        i = j + 1
    end
    return starts, stops, perm, items
end

# The first column of each lane's sequence (the block `perm[q]`), and their common length.
function _lane_starts(starts::Vector{Int}, stops::Vector{Int}, perm::Vector{Int},
                      q::UnitRange{Int}, ::Val{W}) where {W}
    st = Vector{Int}(undef, W)
    for l in 1:W
        st[l] = starts[perm[q[l]]]
    end
    return st, stops[perm[q[1]]] - st[1] + 1
end

# Emission factors of step t of every lane (`_factors!`, as the scalar kernels take them):
# b[l, k] = exp(log_B[k, col] - m[l]); also written to gamma's column unless `gamma` is
# `nothing` (forward-backward keeps them there).
function _lane_factors!(b::Matrix{Float64}, m::Vector{Float64}, gamma, log_B,
                        st::Vector{Int}, t::Int, ::Val{W}) where {W}
    K = size(log_B, 1)
    @inbounds for l in 1:W
        col = st[l] + t - 1
        if gamma === nothing
            m[l] = _factors!(view(b, l, :), log_B, col)
        else
            m[l] = _factors!(view(gamma, :, col), log_B, col)
            for k in 1:K
                b[l, k] = gamma[k, col]
            end
        end
    end
    return nothing
end

# a[l, j, dst] = sum_i a[l, i, src] A[i, j] (in order of i, from 0.0) times b[l, j];
# `initial` (src unused): a[l, j, dst] = p[j] b[l, j].
function _lane_step!(a::Array{Float64,3}, dst::Int, src::Int, b::Matrix{Float64},
                     p::Vector{Float64}, A::Matrix{Float64}, initial::Bool,
                     ::Val{W}) where {W}
    K = size(A, 1)
    @inbounds for j in 1:K
        if initial
            pj = p[j]
            @simd ivdep for l in 1:W
                a[l, j, dst] = pj * b[l, j]
            end
        else
            @simd ivdep for l in 1:W
                a[l, j, dst] = 0.0
            end
            for i in 1:K
                aij = A[i, j]
                @simd ivdep for l in 1:W
                    a[l, j, dst] += a[l, i, src] * aij
                end
            end
            @simd ivdep for l in 1:W
                a[l, j, dst] = a[l, j, dst] * b[l, j]
            end
        end
    end
    return nothing
end

"""
    _forward_lanes!(loglik, p, A, log_B, starts, stops, perm, q, Val(W))

`_forward_sequence!` of the `W` sequences `perm[q]` (one length) at once.
"""
function _forward_lanes!(loglik::Vector{Float64}, p::Vector{Float64}, A::Matrix{Float64},
                         log_B, starts::Vector{Int}, stops::Vector{Int}, perm::Vector{Int},
                         q::UnitRange{Int}, v::Val{W}) where {W}
    K = size(log_B, 1)
    st, n = _lane_starts(starts, stops, perm, q, v)
    a = Array{Float64,3}(undef, W, K, 2)      # [:, :, 1] the scalar kernel's `prev`, 2 `a`
    b = Matrix{Float64}(undef, W, K)
    m = Vector{Float64}(undef, W)
    ll = zeros(Float64, W)
    dead = zeros(Bool, W)
    @inbounds for t in 1:n
        _lane_factors!(b, m, nothing, log_B, st, t, v)
        _lane_step!(a, 2, 1, b, p, A, t == 1, v)
        for l in 1:W
            c = 0.0
            for j in 1:K             # in order, as the scalar kernel (not Base.sum's pairs)
                c += a[l, j, 2]
            end
            if !(c > 0.0)
                dead[l] = true
                c = 1.0
            end
            for j in 1:K
                a[l, j, 1] = a[l, j, 2] / c
            end
            ll[l] += log(c) + m[l]
        end
    end
    for l in 1:W
        loglik[perm[q[l]]] = dead[l] ? -Inf : ll[l]
    end
    return nothing
end

"""
    _fb_lanes!(loglik, gamma, xacc, p, A, log_B, starts, stops, perm, q, Val(W))

`_fb_sequence!` of the `W` sequences `perm[q]` (one length) at once: their
log-likelihoods into `loglik`, posteriors into their columns of `gamma`, and their
transition sums (each lane's own, then lane after lane) added into `xacc`.
"""
function _fb_lanes!(loglik::AbstractVector{Float64}, gamma::AbstractMatrix{Float64},
                    xacc::Matrix{Float64}, p::Vector{Float64}, A::Matrix{Float64}, log_B,
                    starts::Vector{Int}, stops::Vector{Int}, perm::Vector{Int},
                    q::UnitRange{Int}, v::Val{W}) where {W}
    K = size(log_B, 1)
    st, n = _lane_starts(starts, stops, perm, q, v)
    alpha = Array{Float64,3}(undef, W, K, n)
    scale = Matrix{Float64}(undef, W, n)
    b = Matrix{Float64}(undef, W, K)
    beta = Matrix{Float64}(undef, W, K)
    tmp = Matrix{Float64}(undef, W, K)
    xv = zeros(Float64, W, K, K)
    m = Vector{Float64}(undef, W)
    acc = Vector{Float64}(undef, W)
    ll = zeros(Float64, W)
    dead = zeros(Bool, W)
    @inbounds for t in 1:n
        _lane_factors!(b, m, gamma, log_B, st, t, v)
        _lane_step!(alpha, t, t - 1, b, p, A, t == 1, v)
        @simd ivdep for l in 1:W
            acc[l] = 0.0
        end
        for j in 1:K
            @simd ivdep for l in 1:W
                acc[l] += alpha[l, j, t]
            end
        end
        for l in 1:W
            c = acc[l]
            if !(c > 0.0)
                dead[l] = true
                c = 1.0
            end
            scale[l, t] = c
            for j in 1:K
                alpha[l, j, t] /= c
            end
            ll[l] += log(c) + m[l]
        end
    end
    @inbounds begin
        for l in 1:W                              # b (the factors of step n), beta = 1
            col = st[l] + n - 1
            for k in 1:K
                b[l, k] = gamma[k, col]
                beta[l, k] = 1.0
                gamma[k, col] = alpha[l, k, n]
            end
        end
        for t in (n - 1):-1:1
            for l in 1:W
                acc[l] = 1.0 / scale[l, t + 1]
            end
            for j in 1:K
                @simd ivdep for l in 1:W
                    tmp[l, j] = b[l, j] * beta[l, j] * acc[l]
                end
            end
            for l in 1:W                          # b_t, needed at step t - 1
                col = st[l] + t - 1
                for k in 1:K
                    b[l, k] = gamma[k, col]
                end
            end
            for i in 1:K
                @simd ivdep for l in 1:W
                    beta[l, i] = 0.0
                end
                for j in 1:K
                    aij = A[i, j]
                    @simd ivdep for l in 1:W
                        beta[l, i] += aij * tmp[l, j]
                    end
                end
            end
            for j in 1:K, i in 1:K
                @simd ivdep for l in 1:W
                    xv[l, i, j] += alpha[l, i, t] * tmp[l, j]
                end
            end
            @simd ivdep for l in 1:W
                acc[l] = 0.0
            end
            for i in 1:K                          # tmp now holds the unnormalised gamma
                @simd ivdep for l in 1:W
                    g = alpha[l, i, t] * beta[l, i]
                    tmp[l, i] = g
                    acc[l] += g
                end
            end
            for l in 1:W
                col = st[l] + t - 1
                c = acc[l]
                for i in 1:K
                    gamma[i, col] = c > 0.0 ? tmp[l, i] / c : tmp[l, i]
                end
            end
        end
        for l in 1:W
            loglik[perm[q[l]]] = dead[l] ? -Inf : ll[l]
            for j in 1:K, i in 1:K
                xacc[i, j] += xv[l, i, j]
            end
        end
    end
    return nothing
end

"""
    _viterbi_lanes!(path, logprob, psi, lp, lA, log_B, starts, stops, perm, q, Val(W))

`_viterbi_sequence!` of the `W` sequences `perm[q]` (one length) at once: the recursion in
lanes (its tie rule, `>=`, as a select), the best predecessors into their columns of `psi`,
then each lane's final state and backtrack as the scalar kernel takes them.
"""
function _viterbi_lanes!(path::AbstractVector{<:Integer}, logprob::AbstractVector{Float64},
                         psi::Matrix{Int32}, lp::Vector{Float64}, lA::Matrix{Float64}, log_B,
                         starts::Vector{Int}, stops::Vector{Int}, perm::Vector{Int},
                         q::UnitRange{Int}, v::Val{W}) where {W}
    K = size(log_B, 1)
    st, n = _lane_starts(starts, stops, perm, q, v)
    prev = Matrix{Float64}(undef, W, K)
    cur = Matrix{Float64}(undef, W, K)
    best = Vector{Float64}(undef, W)
    arg = Vector{Int}(undef, W)
    @inbounds begin
        for l in 1:W
            col = st[l]
            for j in 1:K
                prev[l, j] = lp[j] + log_B[j, col]
            end
        end
        for t in 2:n
            for j in 1:K
                a1 = lA[1, j]
                @simd ivdep for l in 1:W
                    best[l] = prev[l, 1] + a1
                    arg[l] = 1
                end
                for i in 2:K
                    aij = lA[i, j]
                    @simd ivdep for l in 1:W
                        u = prev[l, i] + aij
                        ge = u >= best[l]            # ties: highest predecessor
                        best[l] = ifelse(ge, u, best[l])
                        arg[l] = ifelse(ge, i, arg[l])
                    end
                end
                for l in 1:W
                    col = st[l] + t - 1
                    cur[l, j] = best[l] + log_B[j, col]
                    psi[j, col] = arg[l]
                end
            end
            prev, cur = cur, prev
        end
        for l in 1:W
            r = st[l]:(st[l] + n - 1)
            logprob[perm[q[l]]] = _backtrack!(view(path, r), view(psi, :, r), view(prev, l, :))
        end
    end
    return nothing
end
