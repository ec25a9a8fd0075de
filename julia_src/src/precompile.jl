# A warm-up workload run while PyJL precompiles (`jl_generating_output`), never when it is
# loaded: every kernel once on tiny Float64 arrays, so the compiled code is cached with the
# package and a first call does not wait for the compiler. No output, no global state (no
# RNG), nothing kept. Calls from Python pass PythonCall `PyArray`s, whose own methods still
# compile on first use; what they call with plain arrays (the GP loops, on copied points;
# the LinearAlgebra paths) comes from this cache.

"""
    _precompile_workload()

Call every kernel of the engine contract on tiny `Float64` arrays (see precompile.jl).
"""
function _precompile_workload()
    X = [0.0 0.5 1.3; 0.2 -0.4 0.9]                       # d = 2, n = 3
    W = [1.0 0.2 0.0; 0.2 1.0 0.1; 0.0 0.1 1.0]
    for (name, kind) in GP_KINDS
        extra = ones(Float64, fieldcount(kind))
        for ls in ([0.7], [0.7, 1.1])
            kernel_matrix(name, X, X[:, 1:2], ls, 1.5, extra)
            kernel_matrix_grad(name, X, ls, 1.5, extra)
            kernel_grad_contract(name, X, ls, 1.5, extra, W)
            kernel_matvec(name, X, X[:, 1:2], ls, 1.5, extra, [1.0 0.5; 0.2 -1.0])
            kernel_grad_quad(name, X, ls, 1.5, extra, W[1:2, :], X)
        end
    end
    L = cholesky(kernel_matrix("rbf", X, X, [0.7], 1.0, Float64[]), 1e-6)
    cho_solve(L, [1.0, 2.0, 3.0])
    cho_solve(L, [1.0 0.0; 2.0 1.0; 3.0 0.5])
    cho_inverse(L)
    expected_improvement([0.1, 0.4], [0.2, 0.0], 0.3, 0.01)
    log_expected_improvement([0.1, 40.0], [0.2, 0.3], 0.3, 0.01)

    log_pi = log.([0.6, 0.4])
    log_A = log.([0.7 0.3; 0.4 0.6])
    log_B = log.([0.5 0.4 0.1; 0.1 0.3 0.6])
    lengths = [2, 1]
    forward_backward(log_pi, log_A, log_B, lengths)
    forward(log_pi, log_A, log_B, lengths)
    forward_backward_log(log_pi, log_A, log_B, lengths)
    forward_log(log_pi, log_A, log_B, lengths)
    viterbi(log_pi, log_A, log_B, lengths)
    mu = [0.0 1.0; 1.0 -1.0]                             # d x K means and variances
    s2 = [1.0 2.0; 0.5 4.0]
    gaussian_loglik(X, mu, s2)
    weighted_moments(X, exp.(log_B), [0.1, 0.0])
    gaussian_estep(log_pi, log_A, X, mu, s2, [0.1, 0.0], lengths)
    gaussian_forward(log_pi, log_A, X, mu, s2, lengths)
    gaussian_viterbi(log_pi, log_A, X, mu, s2, lengths)
    B15 = repeat(log_B[:, 1:2], 1, 15)                   # 15 sequences of length 2: lanes
    forward_backward(log_pi, log_A, B15, fill(2, 15))
    forward(log_pi, log_A, B15, fill(2, 15))
    viterbi(log_pi, log_A, B15, fill(2, 15))

    x = [1.0 0.0; 0.5 1.0; -0.2 0.3; 0.7 -1.0; 0.1 0.2]  # 5 samples, 2 channels
    sos = [0.2 1.0; 0.4 -0.5; 0.2 0.1; 1.0 1.0; -0.3 0.2; 0.1 0.05]
    sosfilt(sos, x, nothing)
    sosfilt(sos, x, zeros(2, 2, 2))
    for a in ([1.0, -0.5, 0.1], [1.0])
        lfilter([0.3, 0.2, 0.1], a, x, nothing)
        lfilter([0.3, 0.2, 0.1], a, x, zeros(2, 2))
    end
    x15 = repeat(x, 1, 8)[:, 1:15]                        # 15 channels: lanes
    sosfilt(sos, x15, nothing)
    lfilter([0.3, 0.2, 0.1], [1.0, -0.5, 0.1], x15, nothing)
    upfirdn([0.5, 1.0, 0.5], x, 3, 2)
    fftfilt([0.5, 1.0, 0.5], x)
    for detrend in 0:2
        stft_frames(x, [0.5, 1.0, 0.5], 1, detrend)
    end
    return nothing
end

# A failing workload must not make the package unloadable: the tests report the kernel.
if ccall(:jl_generating_output, Cint, ()) == 1
    try
        _precompile_workload()
    catch err
        @warn "PyJL's precompile workload failed; first calls will compile" exception = err
    end
end
