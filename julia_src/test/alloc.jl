# Allocation and type-stability tests (STYLE.md point 15). After a warm-up call,
# `@allocated` of each kernel is at most the bytes of its results, plus the work arrays
# its bound names, plus BASE (array headers, small copies of coefficients and parameters),
# plus SLACK for each `Threads.@threads` loop the call runs (the tasks and their closures:
# a constant plus some per thread). The sizes make one allocation per
# sample, step or entry exceed a bound many times over. These run with however many
# threads Julia has (`JULIA_NUM_THREADS=4 julia --project=julia_src -e 'using Pkg;
# Pkg.test()'` for several). Inputs are plain arrays, filled by formulas (no RNG).
using Test
using PyJL

"Bytes any call may allocate besides its results and work arrays: 4 KiB."
const BASE = 4 * 1024
"Bytes one threaded loop may allocate besides arrays: 16 KiB plus 4 KiB per thread."
const SLACK = 16 * 1024 + 4 * 1024 * Threads.nthreads()

"Bytes of the array data in `x` (a tuple of results, an array, a number: 0)."
data_bytes(x::Tuple) = sum(data_bytes, x; init = 0)
data_bytes(x::AbstractArray) = sizeof(x)
data_bytes(x) = 0

"`@allocated f(args...)` after a warm-up call (specialised on `f` and every argument)."
function allocated_after_warmup(f::F, args::Vararg{Any,N}) where {F,N}
    f(args...)
    return @allocated f(args...)
end

"""
    check_allocations(f, args...; work = 0, loops = 1)

`f(args...)` allocates at most its results' bytes + `work` + BASE + `loops * SLACK`, and its
result type is inferred (`@inferred`).
"""
function check_allocations(f, args...; work::Integer = 0, loops::Integer = 1)
    result = @inferred f(args...)
    bytes = allocated_after_warmup(f, args...)
    bound = data_bytes(result) + work + BASE + loops * SLACK
    bytes <= bound || @info "$(f): $(bytes) bytes allocated, bound $(bound)"
    return bytes <= bound
end

signal(n, nch) = [sin(0.013 * t * c) + 0.1 * cos(0.7 * t) for t in 1:n, c in 1:nch]

@testset "allocations, DSP (4 channels x 20k samples)" begin
    n, nch = 20_000, 4
    x = signal(n, nch)
    sos = repeat([0.2, 0.4, 0.2, 1.0, -0.3, 0.1], 1, 4)          # 4 sections
    @test check_allocations(sosfilt, sos, x, nothing)
    @test check_allocations(sosfilt, sos, x, zeros(2, 4, nch))
    b, a = [0.3, 0.2, 0.1], [1.0, -0.5, 0.1]                     # IIR, order 2
    @test check_allocations(lfilter, b, a, x, nothing)
    @test check_allocations(lfilter, b, a, x, zeros(2, nch))
    h = [exp(-0.01 * (k - 32)^2) for k in 1:64]                   # 64 taps
    @test check_allocations(lfilter, h, [1.0], x, nothing; work = 2 * 8 * 63 * nch)
    @test check_allocations(upfirdn, h, x, 3, 2)
    @test check_allocations(fftfilt, h, x)
    @test check_allocations(stft_frames, x, h, 32, 2)
end

@testset "allocations, HMM (K = 4, T = 5k)" begin
    K, T = 4, 5_000
    log_pi = log.(fill(0.25, K))
    log_A = log.([i == j ? 0.7 : 0.1 for i in 1:K, j in 1:K])
    log_B = [-0.5 * (sin(0.01 * t) - k / K)^2 for k in 1:K, t in 1:T]
    alpha_scale = 8 * (K + 1) * T                                   # alpha and the scales
    for lengths in ([T], [1_000, 1_500, 2_500])
        @test check_allocations(forward_backward, log_pi, log_A, log_B, lengths;
                                work = alpha_scale)
        @test check_allocations(forward, log_pi, log_A, log_B, lengths)
        @test check_allocations(viterbi, log_pi, log_A, log_B, lengths; work = 4 * K * T)
        # log space: the log forward variables live in gamma; dense copies of log_A only
        @test check_allocations(forward_backward_log, log_pi, log_A, log_B, lengths)
        @test check_allocations(forward_log, log_pi, log_A, log_B, lengths)
    end
    d = 3
    X = [cos(0.02 * t + j) for j in 1:d, t in 1:T]
    mu = [0.1 * (j + k) for j in 1:d, k in 1:K]
    s2 = [1.0 + 0.1 * j * k for j in 1:d, k in 1:K]
    @test check_allocations(gaussian_loglik, X, mu, s2)
    @test check_allocations(weighted_moments, X, exp.(log_B), zeros(d))
    # per group of sequences: its log-densities, gamma, alpha and scales; two threaded loops
    @test check_allocations(gaussian_estep, log_pi, log_A, X, mu, s2, zeros(d), [2_000, 3_000];
                            work = 8 * (3 * K + 1) * T, loops = 5)
    # the K x T log-densities, then forward / viterbi on them (a threaded loop each)
    @test check_allocations(gaussian_forward, log_pi, log_A, X, mu, s2, [2_000, 3_000];
                            work = 8 * K * T, loops = 2)
    @test check_allocations(gaussian_viterbi, log_pi, log_A, X, mu, s2, [2_000, 3_000];
                            work = 12 * K * T, loops = 2)
end

# The lanes (src/dsp_lanes.jl, src/hmm_lanes.jl): each block of W <= 8 channels or
# sequences allocates its own W x ... work arrays, a constant per block (LANE_BLOCK bytes;
# blocks of one sequence alone allocate nothing), and forward_backward's blocks their
# alpha and scales (8 (K + 1) bytes per step, as the sequences alone share the K x T ones).
# The plan of a many-sequence call (the sequences sorted, the blocks) is 8 bytes per
# sequence a few times over.
"Bytes of one block's lane work arrays besides forward_backward's alpha (W <= 8, K <= 4)."
const LANE_BLOCK = 4 * 1024

@testset "allocations, lanes (17 channels; K = 4, 10 sequences of 500 steps)" begin
    x = signal(5_000, 17)
    sos = repeat([0.2, 0.4, 0.2, 1.0, -0.3, 0.1], 1, 4)          # 4 sections
    @test check_allocations(sosfilt, sos, x, nothing; work = 17 * LANE_BLOCK)
    @test check_allocations(lfilter, [0.3, 0.2, 0.1], [1.0, -0.5, 0.1], x, nothing;
                            work = 17 * LANE_BLOCK)
    K, nseq = 4, 10
    lengths = fill(500, nseq)
    T = sum(lengths)
    log_pi = log.(fill(0.25, K))
    log_A = log.([i == j ? 0.7 : 0.1 for i in 1:K, j in 1:K])
    log_B = [-0.5 * (sin(0.01 * t) - k / K)^2 for k in 1:K, t in 1:T]
    lanes = cld(nseq, 2) * LANE_BLOCK + 1024 + 64 * nseq           # blocks and the plan
    alpha_scale = 8 * (K + 1) * T
    @test check_allocations(forward_backward, log_pi, log_A, log_B, lengths;
                            work = 2 * alpha_scale + lanes)
    @test check_allocations(forward, log_pi, log_A, log_B, lengths; work = lanes)
    @test check_allocations(viterbi, log_pi, log_A, log_B, lengths; work = 4 * K * T + lanes)
    # the log-space kernels run every sequence alone (no lane blocks): the plan only
    @test check_allocations(forward_backward_log, log_pi, log_A, log_B, lengths;
                            work = 1024 + 64 * nseq)
    @test check_allocations(forward_log, log_pi, log_A, log_B, lengths; work = 1024 + 64 * nseq)
    d = 3
    X = [cos(0.02 * t + j) for j in 1:d, t in 1:T]
    mu = [0.1 * (j + k) for j in 1:d, k in 1:K]
    s2 = [1.0 + 0.1 * j * k for j in 1:d, k in 1:K]
    @test check_allocations(gaussian_forward, log_pi, log_A, X, mu, s2, lengths;
                            work = 8 * K * T + lanes, loops = 2)
    @test check_allocations(gaussian_viterbi, log_pi, log_A, X, mu, s2, lengths;
                            work = 12 * K * T + lanes, loops = 2)
end

@testset "allocations, GP (n = 400, d = 6)" begin
    n, d = 400, 6
    X = [sin(0.37 * i * k) for k in 1:d, i in 1:n]
    X2 = X[:, 1:300]
    ls = [0.5 + 0.1 * k for k in 1:d]
    W = [exp(-abs(i - j) / 7) for i in 1:n, j in 1:n]
    points = 8 * d * n                                              # the copied points
    V = [cos(0.3 * i + c) for c in 1:3, i in 1:300]                 # k = 3 columns per point
    U = [sin(0.2 * i - c) for c in 1:3, i in 1:n]
    for kind in (RBF(), Matern12(), Matern32(), Matern52(), RationalQuadratic(0.8),
                 Periodic(1.3))
        for l in (ls, [0.7])
            @test check_allocations(kernel_matrix, kind, X, X2, l, 1.5; work = 8 * d * 700)
            @test check_allocations(kernel_matrix_grad, kind, X, l, 1.5; work = points)
            part = 8 * (d + 2) * cld(n, 2)                          # one column per task
            @test check_allocations(kernel_grad_contract, kind, X, l, 1.5, W;
                                    work = points + part)
            # the points of X1 and X2 and a dense copy of V (3 x 300): O(n (d + k))
            @test check_allocations(kernel_matvec, kind, X, X2, l, 1.5, V;
                                    work = 8 * d * 700 + 8 * 3 * 300)
            # the points, dense copies of U and V (3 x 400) and the task columns
            @test check_allocations(kernel_grad_quad, kind, X, l, 1.5, U, U[:, end:-1:1];
                                    work = points + part + 2 * 8 * 3 * n)
        end
    end
    K = kernel_matrix(Matern52(), X, X, ls, 1.0)
    @test check_allocations(PyJL.cholesky, K, 1e-6; loops = 0)
    L = PyJL.cholesky(K, 1e-6)
    B = X[1:2, :]'[:, :]                                            # n x 2
    @test check_allocations(cho_solve, L, B; work = 2 * 8 * 2 * n, loops = 0)
    @test check_allocations(PyJL.cho_inverse, L; work = 5 * 8 * n * n, loops = 0)
    mu, sigma = X[1, :], abs.(X[2, :])
    @test check_allocations(expected_improvement, mu, sigma, 0.1, 0.01; loops = 0)
    @test check_allocations(log_expected_improvement, mu, sigma, 0.1, 0.01; loops = 0)
end

# precompile.jl swallows a failure of its workload (a warning) so that PyJL still loads;
# here it must run through.
@testset "the precompile workload runs" begin
    @test PyJL._precompile_workload() === nothing
end
