# HMM kernels against the conformance vectors tests/vectors/hmm_*.toml (brute-force
# enumeration references written by tests/hmm/make_vectors.py). The vectors store
# log_B and gamma as rows (one per time step, Python order): stacked with hcat they
# become the K x T matrices PyJL works with. States in `path` are 0-based there.

rows_to_columns(rows) = reduce(hcat, [Float64.(r) for r in rows])        # K x T
matrix_from_rows(rows) = permutedims(rows_to_columns(rows))              # rows stay rows

@testset "hmm vectors" begin
    for d in load_vectors("hmm")
        log_pi = Float64.(d["log_pi"])
        log_A = matrix_from_rows(d["log_A"])
        log_B = rows_to_columns(d["log_B"])
        lengths = Int.(d["lengths"])
        ll, gamma, xi = forward_backward(log_pi, log_A, log_B, lengths)
        @test ll ≈ Float64.(d["loglik"]) rtol = 1e-12
        @test gamma ≈ rows_to_columns(d["gamma"]) rtol = 1e-10 atol = 1e-13
        @test xi ≈ matrix_from_rows(d["xi_sum"]) rtol = 1e-10 atol = 1e-13
        path, lp = viterbi(log_pi, log_A, log_B, lengths)
        @test path .- 1 == Int.(d["path"])
        @test lp ≈ Float64.(d["logprob"]) rtol = 1e-12
    end
end

@testset "hmm published example" begin
    # Wikipedia, "Viterbi algorithm": normal, cold, dizzy -> Healthy, Healthy, Fever.
    log_pi = log.([0.6, 0.4])
    log_A = log.([0.7 0.3; 0.4 0.6])
    log_B = log.([0.5 0.4 0.1; 0.1 0.3 0.6])
    path, lp = viterbi(log_pi, log_A, log_B, [3])
    @test path == [1, 1, 2]
    @test exp(lp[1]) ≈ 0.01512
    ll, gamma, xi = forward_backward(log_pi, log_A, log_B, [3])
    @test exp(ll[1]) ≈ 0.03628
    @test all(sum(gamma; dims = 1) .≈ 1.0)
    @test sum(xi) ≈ 2.0
end

@testset "hmm viterbi ties" begin
    # every path ties: the lowest final state, then the highest predecessor (native's rule)
    K, T = 3, 6
    path, lp = viterbi(fill(-log(3.0), K), fill(-log(3.0), K, K), zeros(K, T), [T])
    @test path .- 1 == [2, 2, 2, 2, 2, 0]
    @test lp[1] ≈ -T * log(3.0)
end

@testset "hmm no underflow, in place, impossible data" begin
    T = 100_000
    col = -1.4 .+ 0.3 .* randn(T)
    log_B = vcat(col', col')                      # both states emit alike: closed form
    ll, gamma, xi = forward_backward(log.([0.3, 0.7]), log.([0.99 0.01; 0.02 0.98]), log_B, [T])
    @test ll[1] ≈ sum(col) rtol = 1e-12
    @test all(isfinite, gamma)
    loglik = zeros(1); g = zeros(2, T); x = zeros(2, 2)
    forward_backward!(loglik, g, x, log.([0.3, 0.7]), log.([0.99 0.01; 0.02 0.98]), log_B, [T])
    @test loglik ≈ ll && g ≈ gamma && x ≈ xi
    imp = [0.0 -Inf -Inf; -Inf -Inf -Inf]
    ll, gamma, _ = forward_backward(log.([0.5, 0.5]), log.([0.5 0.5; 0.5 0.5]), imp, [3])
    @test ll[1] == -Inf && !any(isnan, gamma)
    @test_throws ArgumentError forward_backward(log.([0.5, 0.5]), zeros(2, 2), zeros(2, 3), [2])
end

@testset "hmm emission kernels" begin
    X = [0.0 1.0 -2.0; 3.0 0.5 1.0]               # d = 2, T = 3
    mean = [0.0 1.0; 1.0 -1.0]                     # d x K
    var = [1.0 2.0; 0.5 4.0]
    out = gaussian_loglik(X, mean, var)
    @test size(out) == (2, 3)
    for t in 1:3, k in 1:2
        ref = sum(-0.5 * log(2π * var[j, k]) - (X[j, t] - mean[j, k])^2 / (2 * var[j, k])
                  for j in 1:2)
        @test out[k, t] ≈ ref
    end
    W = [0.2 0.5 1.0; 0.8 0.5 0.0]                 # K x T
    N, S1, S2 = weighted_moments(X, W, [1.0, 0.0])
    @test N ≈ vec(sum(W; dims = 2))
    Xc = X .- [1.0, 0.0]
    @test S1 ≈ Xc * W'
    @test S2 ≈ (Xc .^ 2) * W'
end

@testset "hmm fused gaussian E-step" begin
    X = [0.0 1.0 -2.0 0.5 4.0; 3.0 0.5 1.0 -1.0 2.0]   # d = 2, T = 5
    mean = [0.0 1.0; 1.0 -1.0]
    var = [1.0 2.0; 0.5 4.0]
    lp, lA = log.([0.4, 0.6]), log.([0.7 0.3; 0.2 0.8])
    lengths, shift = [2, 3], [0.5, 0.0]
    ll, start, xi, N, S1, S2 = gaussian_estep(lp, lA, X, mean, var, shift, lengths)
    ll0, gamma, xi0 = forward_backward(lp, lA, gaussian_loglik(X, mean, var), lengths)
    N0, S10, S20 = weighted_moments(X, gamma, shift)
    @test ll ≈ ll0 && xi ≈ xi0 && N ≈ N0 && S1 ≈ S10 && S2 ≈ S20
    @test start ≈ gamma[:, 1] .+ gamma[:, 3]
    # groups of sequences (lanes for equal lengths), one longer than a group, the rest after
    lengths = vcat(fill(7, 20), [PyJL._ESTEP_GROUP + 100], fill(5, 9), [3])
    T = sum(lengths)
    X = [sin(0.01 * t + j) + 0.3 * cos(0.37 * t * j) for j in 1:2, t in 1:T]
    ll, start, xi, N, S1, S2 = gaussian_estep(lp, lA, X, mean, var, shift, lengths)
    ll0, gamma, xi0 = forward_backward(lp, lA, gaussian_loglik(X, mean, var), lengths)
    N0, S10, S20 = weighted_moments(X, gamma, shift)
    firsts = cumsum(lengths) .- lengths .+ 1
    @test ll ≈ ll0 && xi ≈ xi0 && N ≈ N0 && S1 ≈ S10 && S2 ≈ S20
    @test start ≈ vec(sum(gamma[:, firsts]; dims = 2))
    @test PyJL._estep_group(lengths, 1) == (20, 140) && PyJL._estep_group(lengths, 21)[1] == 21
end

@testset "hmm fused gaussian forward and viterbi" begin
    X = [0.0 1.0 -2.0 0.5 4.0; 3.0 0.5 1.0 -1.0 2.0]   # d = 2, T = 5
    mean = [0.0 1.0; 1.0 -1.0]
    var = [1.0 2.0; 0.5 4.0]
    lp, lA = log.([0.4, 0.6]), log.([0.7 0.3; 0.2 0.8])
    lengths = [2, 3]
    log_B = gaussian_loglik(X, mean, var)
    @test gaussian_forward(lp, lA, X, mean, var, lengths) == forward(lp, lA, log_B, lengths)
    @test gaussian_viterbi(lp, lA, X, mean, var, lengths) == viterbi(lp, lA, log_B, lengths)
end

@testset "hmm forward only" begin
    for d in load_vectors("hmm")
        ll = forward(Float64.(d["log_pi"]), matrix_from_rows(d["log_A"]),
                     rows_to_columns(d["log_B"]), Int.(d["lengths"]))
        @test ll ≈ Float64.(d["loglik"]) rtol = 1e-12
    end
end

# Many sequences (runs of equal length in lanes, src/hmm_lanes.jl) against each sequence
# alone (the scalar kernels), `isequal`: log-likelihoods, posteriors, paths and
# log-probabilities bit for bit; the transition posteriors, added in another order, to
# 1e-12. Through the public functions (the threads present) and as one thread runs them.
using Random

"`f(log_pi, log_A, its columns of log_B, [its length])` of each sequence of `lengths`."
function each_alone(f, log_pi, log_A, log_B, lengths)
    stops = cumsum(lengths)
    return [f(log_pi, log_A, log_B[:, (stops[s] - lengths[s] + 1):stops[s]], [lengths[s]])
            for s in eachindex(lengths)]
end

"forward, forward_backward and viterbi run as one thread runs them (one task, every item)."
function as_one_thread(log_pi, log_A, log_B, lengths)
    K, T = size(log_B)
    nseq = length(lengths)
    p, A = exp.(log_pi), exp.(log_A)
    starts, stops, perm, items = PyJL._hmm_plan(lengths, 1)
    ll = Vector{Float64}(undef, nseq)
    PyJL._forward_chunk!(ll, p, A, log_B, starts, stops, perm, items, 1, 1)
    llfb, gamma, xacc = Vector{Float64}(undef, nseq), Matrix{Float64}(undef, K, T), zeros(K, K)
    PyJL._fb_chunk!(llfb, gamma, Matrix{Float64}(undef, K, T), Vector{Float64}(undef, T), xacc,
                    p, A, log_B, starts, stops, perm, items, 1, 1)
    path, lp = Vector{Int}(undef, T), Vector{Float64}(undef, nseq)
    PyJL._viterbi_chunk!(path, lp, Matrix{Int32}(undef, K, T), log_pi, log_A, log_B, starts,
                         stops, perm, items, 1, 1)
    return ll, (llfb, gamma, xacc .* A), (path, lp)
end

"The many-sequence kernels equal each sequence alone (see above)."
function lanes_equal_alone(log_pi, log_A, log_B, lengths)
    fwd = reduce(vcat, each_alone(forward, log_pi, log_A, log_B, lengths))
    fb = each_alone(forward_backward, log_pi, log_A, log_B, lengths)
    vit = each_alone(viterbi, log_pi, log_A, log_B, lengths)
    ll_ref = reduce(vcat, [r[1] for r in fb])
    gamma_ref = reduce(hcat, [r[2] for r in fb])
    xi_ref = sum(r[3] for r in fb)
    path_ref = reduce(vcat, [r[1] for r in vit])
    lp_ref = reduce(vcat, [r[2] for r in vit])
    ok = true
    ll1, fb1, vit1 = as_one_thread(log_pi, log_A, log_B, lengths)
    for (ll, (llfb, gamma, xi), (path, lp)) in
        ((forward(log_pi, log_A, log_B, lengths), forward_backward(log_pi, log_A, log_B, lengths),
          viterbi(log_pi, log_A, log_B, lengths)), (ll1, fb1, vit1))
        ok &= isequal(ll, fwd) && isequal(llfb, ll_ref) && isequal(gamma, gamma_ref)
        ok &= isapprox(xi, xi_ref; rtol = 1e-12) && isequal(path, path_ref)
        ok &= isequal(lp, lp_ref)
    end
    return ok
end

"Log-probabilities of a random HMM with K states and T steps."
function random_hmm(rng, K, T)
    pi0 = rand(rng, K) .+ 0.1
    A = rand(rng, K, K) .+ 0.1
    return log.(pi0 ./ sum(pi0)), log.(A ./ sum(A; dims = 2)), 2.0 .* randn(rng, K, T)
end

@testset "hmm lanes: bit-identical to one sequence at a time" begin
    rng = Xoshiro(5122026)
    ragged = [40, 1, 40, 7, 1, 1, 40, 7, 40, 3, 1, 40, 40, 40, 7, 40, 1, 1]
    for (K, lengths) in ((3, fill(40, 17)), (3, ragged), (1, fill(5, 9)), (4, fill(1, 11)),
                         (5, [9, 9]))
        log_pi, log_A, log_B = random_hmm(rng, K, sum(lengths))
        @test lanes_equal_alone(log_pi, log_A, log_B, lengths)
    end
    # -Inf: a start state and a transition never taken, a state no step of one sequence
    # can emit, a step no state can emit (that sequence impossible: -Inf, zero posteriors)
    lengths = fill(30, 9)
    log_pi, log_A, log_B = random_hmm(rng, 3, sum(lengths))
    log_pi[2] = -Inf
    log_A[1, 3] = -Inf
    log_B[2, 61:90] .= -Inf                       # state 2 in sequence 3
    log_B[:, 130] .= -Inf                         # step 10 of sequence 5
    @test lanes_equal_alone(log_pi, log_A, log_B, lengths)
    ll, gamma, _ = forward_backward(log_pi, log_A, log_B, lengths)
    @test ll[5] == -Inf && all(isfinite, ll[[1, 2, 3, 4, 6, 7, 8, 9]])
    @test !any(isnan, gamma) && all(iszero, gamma[:, 121:150])
    @test forward(log_pi, log_A, log_B, lengths)[5] == -Inf
    # ties in lanes: every path ties (the lowest final state, then the highest predecessor)
    path, lp = viterbi(fill(-log(3.0), 3), fill(-log(3.0), 3, 3), zeros(3, 48), fill(6, 8))
    @test path .- 1 == repeat([2, 2, 2, 2, 2, 0], 8) && all(lp .≈ -6 * log(3.0))
    @test lanes_equal_alone(fill(-log(3.0), 3), fill(-log(3.0), 3, 3), zeros(3, 48), fill(6, 8))
end

@testset "hmm plan: every sequence in one item, lane blocks of one length" begin
    for lengths in ([5], fill(3, 17), [40, 1, 40, 7, 1, 1, 40, 7, 40, 3], [2, 9, 2, 9, 2]),
        nthreads in (1, 2, 4)
        starts, stops, perm, items = PyJL._hmm_plan(lengths, nthreads)
        @test stops == cumsum(lengths) && starts == stops .- lengths .+ 1
        @test sort(reduce(vcat, [perm[q] for q in items])) == eachindex(lengths)
        @test all(q -> length(q) in (1, 2, 4, 8), items)
        @test all(q -> allequal(lengths[perm[q]]), items)
    end
end

@testset "hmm kernels refuse arrays of the wrong size" begin
    # the loops write under @inbounds: every size is checked before them
    log_pi, log_A = log.([0.5, 0.5]), log.([0.9 0.1; 0.2 0.8])
    log_B = log.([0.5 0.4 0.1; 0.1 0.3 0.6])
    @test_throws DimensionMismatch forward_backward!(zeros(1), zeros(2, 2), zeros(2, 2),
                                                     log_pi, log_A, log_B, [3])
    @test_throws DimensionMismatch forward_backward!(zeros(2), zeros(2, 3), zeros(2, 2),
                                                     log_pi, log_A, log_B, [3])
    @test_throws DimensionMismatch viterbi!(zeros(Int, 2), zeros(1), log_pi, log_A, log_B, [3])
    @test_throws ArgumentError viterbi(log_pi, log_A, log_B, [2])
    @test_throws DimensionMismatch weighted_moments(ones(2, 3), ones(2, 3), zeros(3))
end

@testset "hmm kernels take log_pi and log_A of any array type" begin
    # the loops take dense Float64 copies of them: a range, a view or a transpose gives
    # the results of the plain arrays
    lp = -1.0:0.5:-0.5                          # a range (log_pi need not be normalised)
    log_A = log.([0.7 0.3; 0.4 0.6])
    log_B = log.([0.5 0.4 0.1 0.3; 0.1 0.3 0.6 0.2])
    lengths = [3, 1]
    for A in (view(log_A, :, :), transpose(permutedims(log_A)))
        @test viterbi(lp, A, log_B, lengths) == viterbi(collect(lp), log_A, log_B, lengths)
        @test forward(lp, A, log_B, lengths) == forward(collect(lp), log_A, log_B, lengths)
        @test forward_backward(lp, A, log_B, lengths) ==
              forward_backward(collect(lp), log_A, log_B, lengths)
    end
    path, logprob = zeros(Int, 4), zeros(2)
    viterbi!(path, logprob, lp, view(log_A, :, :), log_B, lengths)
    @test (path, logprob) == viterbi(collect(lp), log_A, log_B, lengths)
end

# Log-space forward and forward-backward (src/hmm_log.jl): the scaled kernels' results on
# ergodic models, exact where the scaled recursion loses a state the chain has left behind.

"log sum exp(x), written plainly: the maximum factored out, every term exponentiated."
function plain_logsumexp(x)
    m = maximum(x)
    m == -Inf && return -Inf
    return m + log(sum(exp.(x .- m)))
end

"""
Log-space forward-backward of one sequence by the textbook recursions over all K^2 terms
(no scaling, no shortcut): (loglik, gamma, xi_sum).
"""
function log_space_reference(log_pi, log_A, log_B)
    K, T = size(log_B)
    la = zeros(K, T)
    lb = zeros(K, T)
    la[:, 1] = log_pi .+ log_B[:, 1]
    for t in 2:T, j in 1:K
        la[j, t] = plain_logsumexp([la[i, t - 1] + log_A[i, j] for i in 1:K]) + log_B[j, t]
    end
    for t in (T - 1):-1:1, i in 1:K
        lb[i, t] = plain_logsumexp([log_A[i, j] + log_B[j, t + 1] + lb[j, t + 1] for j in 1:K])
    end
    ll = plain_logsumexp(la[:, T])
    gamma = exp.(la .+ lb .- ll)
    xi = zeros(K, K)
    for t in 1:(T - 1), i in 1:K, j in 1:K
        xi[i, j] += exp(la[i, t] + log_A[i, j] + log_B[j, t + 1] + lb[j, t + 1] - ll)
    end
    return ll, gamma, xi
end

# The log-space kernels against the scaled ones, where nothing is left behind; returns
# forward_backward_log's results.
function log_against_scaled(log_pi, log_A, log_B, lengths)
    @test forward_log(log_pi, log_A, log_B, lengths) ≈
          forward(log_pi, log_A, log_B, lengths) rtol = 1e-10
    ll, gamma, xi = forward_backward_log(log_pi, log_A, log_B, lengths)
    ll0, gamma0, xi0 = forward_backward(log_pi, log_A, log_B, lengths)
    @test ll ≈ ll0 rtol = 1e-10
    @test maximum(abs.(gamma .- gamma0)) < 1e-10
    @test xi ≈ xi0 rtol = 1e-10
    return ll, gamma, xi
end

@testset "hmm log space: the scaled kernels' results on ergodic models" begin
    rng = Xoshiro(20260513)
    ragged = [40, 1, 40, 7, 1, 1, 40, 7, 40, 3]
    for (K, lengths) in ((3, fill(40, 9)), (3, ragged), (1, fill(5, 3)), (5, [9, 30]),
                         (2, [1]))
        log_pi, log_A, log_B = random_hmm(rng, K, sum(lengths))
        ll, gamma, xi = log_against_scaled(log_pi, log_A, log_B, lengths)
        @test ll == forward_log(log_pi, log_A, log_B, lengths)
        @test all(sum(gamma; dims = 1) .≈ 1.0) && sum(xi) ≈ sum(lengths) - length(lengths)
    end
    # a start state and a transition never taken (zero probabilities, nothing left behind)
    lengths = [30, 12, 30]
    log_pi, log_A, log_B = random_hmm(rng, 3, sum(lengths))
    log_pi[2] = -Inf
    log_A[1, 3] = -Inf
    ll, gamma, xi = log_against_scaled(log_pi, log_A, log_B, lengths)
    @test xi[1, 3] == 0.0
    # the conformance vectors (brute-force enumeration), as forward_backward's
    for d in load_vectors("hmm")
        args = (Float64.(d["log_pi"]), matrix_from_rows(d["log_A"]), rows_to_columns(d["log_B"]),
                Int.(d["lengths"]))
        ll, gamma, xi = forward_backward_log(args...)
        @test ll ≈ Float64.(d["loglik"]) rtol = 1e-12
        @test gamma ≈ rows_to_columns(d["gamma"]) rtol = 1e-10 atol = 1e-13
        @test xi ≈ matrix_from_rows(d["xi_sum"]) rtol = 1e-10 atol = 1e-13
        @test forward_log(args...) ≈ Float64.(d["loglik"]) rtol = 1e-12
    end
    # the published example
    ll, g, xi = forward_backward_log(log.([0.6, 0.4]), log.([0.7 0.3; 0.4 0.6]),
                                     log.([0.5 0.4 0.1; 0.1 0.3 0.6]), [3])
    @test exp(ll[1]) ≈ 0.03628 && sum(xi) ≈ 2.0
end

@testset "hmm log space: a state left behind is not lost" begin
    # left-right, closed: nothing returns to state 1 once left. 300 steps at 4.0 put its
    # forward probability ~2400 nats below state 2's (the scaled pass rounds it to zero);
    # the last 400 steps at 0.0 favour it again, and the path staying there all along wins
    log_pi = log.([1.0, 0.0, 0.0])
    log_A = log.([0.9 0.1 0.0; 0.0 0.9 0.1; 0.0 0.0 1.0])
    x = vcat(fill(0.0, 20), fill(4.0, 300), fill(0.0, 400))
    mu = [0.0, 4.0, 8.0]
    log_B = [-0.5 * log(2π) - 0.5 * (x[t] - mu[k])^2 for k in 1:3, t in eachindex(x)]
    T = length(x)
    ll_ref, gamma_ref, xi_ref = log_space_reference(log_pi, log_A, log_B)
    ll = forward_log(log_pi, log_A, log_B, [T])
    @test ll[1] ≈ ll_ref rtol = 1e-9
    @test forward(log_pi, log_A, log_B, [T])[1] < ll_ref - 100   # the scaled pass lost it
    llfb, gamma, xi = forward_backward_log(log_pi, log_A, log_B, [T])
    @test llfb[1] ≈ ll_ref rtol = 1e-9
    @test maximum(abs.(gamma .- gamma_ref)) < 1e-8
    @test xi ≈ xi_ref rtol = 1e-9
    @test gamma[1, T] > 0.99 && all(sum(gamma; dims = 1) .≈ 1.0)
    @test xi[2, 1] == 0.0 && xi[3, 1] == 0.0 && xi[3, 2] == 0.0
    # the same sequence twice, a short one between
    lengths = [T, 5, T]
    B = hcat(log_B, log_B[:, 1:5], log_B)
    ll3, gamma3, xi3 = forward_backward_log(log_pi, log_A, B, lengths)
    @test ll3[1] == ll3[3] == llfb[1] && ll3 == forward_log(log_pi, log_A, B, lengths)
    @test gamma3[:, 1:T] == gamma && gamma3[:, (T + 6):end] == gamma
    @test xi3 ≈ 2 .* xi .+ forward_backward_log(log_pi, log_A, log_B[:, 1:5], [5])[3]
end

@testset "hmm log space: impossible data, several sequences, in place, sizes" begin
    rng = Xoshiro(7)
    lengths = [30, 30, 17, 30, 1]
    log_pi, log_A, log_B = random_hmm(rng, 3, sum(lengths))
    log_B[:, 40] .= -Inf                          # step 10 of sequence 2: no state emits it
    ll, gamma, xi = forward_backward_log(log_pi, log_A, log_B, lengths)
    @test ll[2] == -Inf && all(isfinite, ll[[1, 3, 4, 5]])
    @test forward_log(log_pi, log_A, log_B, lengths)[2] == -Inf
    @test !any(isnan, gamma) && all(iszero, gamma[:, 31:60]) && all(isfinite, xi)
    others = [1:30; 61:sum(lengths)]
    _, gamma_o, xi_o = forward_backward_log(log_pi, log_A, log_B[:, others], [30, 17, 30, 1])
    @test gamma[:, others] == gamma_o
    @test xi ≈ xi_o rtol = 1e-12                  # sequence 2 adds nothing
    # many sequences: each one's results are those of it alone, bit for bit (the transition
    # posteriors, added in another order, to 1e-12)
    lengths = [40, 1, 40, 7, 1, 1, 40, 7, 40, 3, 40, 40, 40, 7]
    log_pi, log_A, log_B = random_hmm(rng, 4, sum(lengths))
    fwd = reduce(vcat, each_alone(forward_log, log_pi, log_A, log_B, lengths))
    fb = each_alone(forward_backward_log, log_pi, log_A, log_B, lengths)
    @test isequal(forward_log(log_pi, log_A, log_B, lengths), fwd)
    ll, gamma, xi = forward_backward_log(log_pi, log_A, log_B, lengths)
    @test isequal(ll, reduce(vcat, [r[1] for r in fb]))
    @test isequal(gamma, reduce(hcat, [r[2] for r in fb]))
    @test xi ≈ sum(r[3] for r in fb) rtol = 1e-12
    # in place, over arrays holding old values
    loglik, g, x = fill(NaN, length(lengths)), fill(NaN, size(log_B)), fill(NaN, 4, 4)
    forward_backward_log!(loglik, g, x, log_pi, log_A, log_B, lengths)
    @test isequal((loglik, g), (ll, gamma))
    @test x ≈ xi rtol = 1e-12
    # any array type for log_pi and log_A (dense Float64 copies)
    lp = -1.0:0.5:-0.5
    lA = log.([0.7 0.3; 0.4 0.6])
    lB = log.([0.5 0.4 0.1 0.3; 0.1 0.3 0.6 0.2])
    for A in (view(lA, :, :), transpose(permutedims(lA)))
        @test forward_log(lp, A, lB, [3, 1]) == forward_log(collect(lp), lA, lB, [3, 1])
        @test forward_backward_log(lp, A, lB, [3, 1]) ==
              forward_backward_log(collect(lp), lA, lB, [3, 1])
    end
    # sizes checked before the loops
    lp, lA = log.([0.5, 0.5]), log.([0.9 0.1; 0.2 0.8])
    @test_throws DimensionMismatch forward_backward_log!(zeros(1), zeros(2, 2), zeros(2, 2),
                                                         lp, lA, lB, [3, 1])
    @test_throws DimensionMismatch forward_backward_log!(zeros(2), zeros(2, 4), zeros(3, 3),
                                                         lp, lA, lB, [3, 1])
    @test_throws DimensionMismatch forward_log(log.([0.5, 0.3, 0.2]), lA, lB, [4])
    @test_throws DimensionMismatch forward_backward_log(lp, zeros(3, 3), lB, [4])
    @test_throws ArgumentError forward_log(lp, lA, lB, [3])
    @test_throws ArgumentError forward_backward_log(lp, lA, lB, [4, 0])
end
