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
