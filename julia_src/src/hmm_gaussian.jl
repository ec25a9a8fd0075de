# Diagonal-Gaussian emissions for the HMM kernels of hmm.jl: log-densities, weighted
# moments, and the whole E-step in one call. Observations are columns: `X` is `d x T`,
# `mean` and `var` are `d x K`.

"""
    gaussian_loglik(X, mean, var) -> Matrix{Float64}

Diagonal-Gaussian log-densities of every observation under every state: `X` is `d x T`
(one observation per column), `mean` and `var` are `d x K`; returns the `K x T` matrix
`out[k, t] = sum_j log N(X[j, t]; mean[j, k], var[j, k])`, ready for
[`forward_backward`](@ref). Differences are taken before squaring (no cancellation for
data far from zero).

```julia
julia> gaussian_loglik(zeros(1, 1), zeros(1, 1), ones(1, 1))[1] ≈ -0.5 * log(2π)
true
```
"""
function gaussian_loglik(X::AbstractMatrix{<:Real}, mean::AbstractMatrix{<:Real},
                         var::AbstractMatrix{<:Real})
    d, T = size(X)
    K = size(mean, 2)
    size(mean, 1) == d && size(var) == size(mean) ||
        throw(DimensionMismatch("mean and var must be $d x K; got $(size(mean)) and $(size(var))"))
    siv = Matrix{Float64}(undef, size(var))  # dense, as the loop asks, whatever var's type
    siv .= 1.0 ./ sqrt.(Float64.(var))     # scale before squaring: finite where representable
    cst = Float64[-0.5 * (d * log(2π) + sum(log, view(var, :, k))) for k in 1:K]
    out = Matrix{Float64}(undef, K, T)
    _tasks(t -> _gaussian_loglik_step!(out, X, mean, siv, cst, t), T)
    return out
end

function _gaussian_loglik_step!(out::Matrix{Float64}, X::AbstractMatrix, mean::AbstractMatrix,
                                siv::Matrix{Float64}, cst::Vector{Float64}, t::Int)
    @inbounds for k in axes(out, 1)
        acc = 0.0
        for j in axes(X, 1)
            z = (X[j, t] - mean[j, k]) * siv[j, k]
            acc += z * z
        end
        out[k, t] = cst[k] - 0.5 * acc
    end
    return nothing
end

"""
    weighted_moments(X, W, shift) -> (N, S1, S2)

Weighted sufficient statistics of Gaussian (and Poisson, exponential) emissions: `X` is
`d x T`, `W` is `K x T` (state posteriors, one column per step), `shift` a length-`d`
vector subtracted first. Returns `N[k] = sum_t W[k, t]`,
`S1[j, k] = sum_t W[k, t] (X[j, t] - shift[j])` and
`S2[j, k] = sum_t W[k, t] (X[j, t] - shift[j])^2` (`S1`, `S2` are `d x K`).

```julia
julia> N, S1, S2 = weighted_moments([1.0 3.0], [1.0 1.0], [0.0]);

julia> (N[1], S1[1], S2[1]) == (2.0, 4.0, 10.0)
true
```
"""
function weighted_moments(X::AbstractMatrix{<:Real}, W::AbstractMatrix{<:Real},
                          shift::AbstractVector{<:Real})
    d, T = size(X)
    K = size(W, 1)
    size(W, 2) == T || throw(DimensionMismatch("W has $(size(W, 2)) columns; X has $T"))
    length(shift) == d ||
        throw(DimensionMismatch("shift has length $(length(shift)); X has d = $d"))
    N = zeros(Float64, K)
    S1 = zeros(Float64, d, K)
    S2 = zeros(Float64, d, K)
    @inbounds for t in 1:T
        for k in 1:K
            w = Float64(W[k, t])
            N[k] += w
            for j in 1:d
                xc = X[j, t] - shift[j]
                S1[j, k] += w * xc
                S2[j, k] += w * xc * xc
            end
        end
    end
    return N, S1, S2
end

"""
    gaussian_estep(log_pi, log_A, X, mean, var, shift, lengths)
        -> (loglik, start, xi_sum, N, S1, S2)

The E-step of a diagonal-Gaussian HMM over consecutive groups of sequences of up to
`_ESTEP_GROUP` steps (a longer sequence alone): for each group the `K x steps`
log-densities [`gaussian_loglik`](@ref), [`forward_backward`](@ref) on them (so sequences
of one length run in SIMD lanes and threads), and [`weighted_moments`](@ref) of the
posteriors, summed over groups.  `start[k]` sums `gamma[k, first step]` over sequences.
Layouts as in those functions (`X` is `d x T`, `mean`/`var`/`S1`/`S2` are `d x K`,
`xi_sum[from, to]`); memory beyond the data is `O(K x max(longest sequence,
_ESTEP_GROUP))`.

```julia
julia> ll, start, xi, N, S1, S2 = gaussian_estep([0.0], zeros(1, 1), [1.0 3.0], zeros(1, 1),
                                                 ones(1, 1), [0.0], [2]);

julia> all((start[1], xi[1], N[1], S1[1], S2[1]) .≈ (1.0, 1.0, 2.0, 4.0, 10.0))
true
```
"""
function gaussian_estep(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                        X::AbstractMatrix{<:Real}, mean::AbstractMatrix{<:Real},
                        var::AbstractMatrix{<:Real}, shift::AbstractVector{<:Real},
                        lengths::AbstractVector{<:Integer})
    d, T = size(X)
    K = size(mean, 2)
    sum(lengths) == T ||
        throw(ArgumentError("lengths sum to $(sum(lengths)); X has T = $T columns"))
    loglik = Vector{Float64}(undef, length(lengths))
    start = zeros(Float64, K)
    xi_sum = zeros(Float64, K, K)
    N = zeros(Float64, K)
    S1 = zeros(Float64, d, K)
    S2 = zeros(Float64, d, K)
    nseq = length(lengths)
    stop = 0
    s = 1
    while s <= nseq
        e, steps = _estep_group(lengths, s)
        x = view(X, :, (stop + 1):(stop + steps))
        lens = lengths[s:e]
        ll, gamma, xi = forward_backward(log_pi, log_A, gaussian_loglik(x, mean, var), lens)
        n_s, s1, s2 = weighted_moments(x, gamma, shift)
        loglik[s:e] .= ll
        first = 1
        for n in lens
            start .+= view(gamma, :, first)
            first += Int(n)
        end
        xi_sum .+= xi
        N .+= n_s
        S1 .+= s1
        S2 .+= s2
        stop += steps
        s = e + 1
    end
    return loglik, start, xi_sum, N, S1, S2
end

"Steps of a group of sequences in [`gaussian_estep`](@ref) (a longer sequence is alone)."
const _ESTEP_GROUP = 1 << 15

# `(e, steps)`: the group of sequences `s:e` from `s` on, as many as fit `_ESTEP_GROUP`
# steps (at least sequence `s`), and its steps.
function _estep_group(lengths::AbstractVector{<:Integer}, s::Int)
    e = s
    steps = Int(lengths[s])
    while e < length(lengths) && steps + Int(lengths[e + 1]) <= _ESTEP_GROUP
        e += 1
        steps += Int(lengths[e])
    end
    return e, steps
end

"""
    gaussian_forward(log_pi, log_A, X, mean, var, lengths) -> Vector{Float64}

Per-sequence log-likelihoods of a diagonal-Gaussian HMM: [`forward`](@ref) on the
[`gaussian_loglik`](@ref) of `X` (`d x T`, one observation per column; `mean` and `var`
are `d x K`, `log_A[from, to]`).  Equal to `forward(log_pi, log_A,
gaussian_loglik(X, mean, var), lengths)`; the native engine computes the log-densities
inside the recursion instead of holding them.

```julia
julia> gaussian_forward([0.0], zeros(1, 1), [0.0 0.0], zeros(1, 1), ones(1, 1), [2])[1] ≈
           -log(2π)
true
```
"""
function gaussian_forward(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                          X::AbstractMatrix{<:Real}, mean::AbstractMatrix{<:Real},
                          var::AbstractMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    return forward(log_pi, log_A, gaussian_loglik(X, mean, var), lengths)
end

"""
    gaussian_viterbi(log_pi, log_A, X, mean, var, lengths) -> (path, logprob)

The most likely state path of each sequence of a diagonal-Gaussian HMM and its joint
log-probability: [`viterbi`](@ref) on the [`gaussian_loglik`](@ref) of `X` (layouts as in
[`gaussian_forward`](@ref); `path` holds 1-based states).

```julia
julia> path, lp = gaussian_viterbi(log.([0.5, 0.5]), log.([0.9 0.1; 0.1 0.9]),
                                   [0.1 -0.2 9.8], [0.0 10.0], [1.0 1.0], [3]);

julia> path == [1, 1, 2]
true
```
"""
function gaussian_viterbi(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                          X::AbstractMatrix{<:Real}, mean::AbstractMatrix{<:Real},
                          var::AbstractMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    return viterbi(log_pi, log_A, gaussian_loglik(X, mean, var), lengths)
end
