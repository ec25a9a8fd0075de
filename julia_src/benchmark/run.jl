# PyJL's kernels, timed: a Markdown table of time per sample, entry or T·K² step and of the
# bytes each call allocates, for the sizes of issue #18 (and, for the SIMD lanes of #16,
# 32 channels and 100 sequences of one length), so that every run gives comparable
# numbers. Base only (time_ns, @allocated); the best of REPS calls after a warm-up call.
#
#     julia --project=julia_src julia_src/benchmark/run.jl            # one thread
#     julia --project=julia_src -t 4 julia_src/benchmark/run.jl       # four
#     julia --project=julia_src julia_src/benchmark/run.jl --no-first-call
#
# The last table times each kernel's first call in a fresh Julia process (what is left to
# compile after PyJL's precompile workload), unless --no-first-call is given.
using PyJL

const REPS = 5

"One benchmark row: `run()` calls the kernel once on prepared inputs."
struct Case
    name::String
    size::String
    unit::String
    units::Int
    run::Function
end

"Bytes of the array data in `x` (a tuple of results, an array, a number: 0)."
data_bytes(x::Tuple) = sum(data_bytes, x; init = 0)
data_bytes(x::AbstractArray) = sizeof(x)
data_bytes(x) = 0

signal(n, nch) = [sin(0.013 * t * c) + 0.1 * cos(0.7 * t) for t in 1:n, c in 1:nch]

"The product of two polynomials (coefficient vectors, lowest power first or last alike)."
polymul(p, q) = [sum(p[i] * q[k - i + 1] for i in max(1, k - length(q) + 1):min(k, length(p)))
                 for k in 1:(length(p) + length(q) - 1)]

"""
    cases(small) -> Vector{Case}

The benchmark rows at issue #18's sizes, or at tiny sizes (`small`, for the first-call
timings, where only compilation matters).
"""
function cases(small::Bool)
    n, nch = small ? (100, 2) : (100_000, 4)
    x = signal(n, nch)
    sos = repeat([0.2, 0.4, 0.2, 1.0, -0.3, 0.1], 1, 4)              # 4 sections
    b, a = [0.3, 0.2, 0.1], [1.0, -0.5, 0.1]                          # IIR, order 2
    h = [exp(-0.01 * (k - 32)^2) for k in 1:64]                       # 64 taps
    K, T = 4, small ? 100 : 100_000
    log_pi = log.(fill(0.25, K))
    log_A = log.([i == j ? 0.7 : 0.1 for i in 1:K, j in 1:K])
    log_B = [-0.5 * (sin(0.01 * t) - k / K)^2 for k in 1:K, t in 1:T]
    lengths = [T]
    d = 3
    Xh = [cos(0.02 * t + j) for j in 1:d, t in 1:T]
    mu = [0.1 * (j + k) for j in 1:d, k in 1:K]
    s2 = [1.0 + 0.1 * j * k for j in 1:d, k in 1:K]
    post = exp.(log_B)
    shift = zeros(d)
    ng, dg = small ? (50, 6) : (2_000, 6)
    Xg = [sin(0.37 * i * k) for k in 1:dg, i in 1:ng]
    ls = [0.5 + 0.1 * k for k in 1:dg]
    W = [exp(-abs(i - j) / 7) for i in 1:ng, j in 1:ng]
    nd = small ? 50 : 1_000
    # the iterative solver's products (d = 4, k probes) at 8,000 points: past the caches as
    # at 20,000, and a sixth of the time (4 s a call there, one thread)
    nm, km = small ? (50, 2) : (8_000, 11)
    Xm = [sin(0.37 * i * k) for k in 1:4, i in 1:nm]
    Vm = [cos(0.11 * i + c) for c in 1:km, i in 1:nm]
    lsm = ls[1:4]
    Xd = Xg[:, 1:nd]
    sig = "$(nch) × $(n)"
    # the lanes (blocks of 8 on one thread): 32 channels, and 100 sequences of one length
    xl = signal(small ? 100 : 100_000, 32)
    sigl = "32 × $(size(xl, 1))"
    b8 = foldl(polymul, fill([0.2, 0.4, 0.2], 4))                     # order 8: sos's product
    a8 = foldl(polymul, fill([1.0, -0.3, 0.1], 4))
    nl = small ? 10 : 1_000
    Bl = [-0.5 * (sin(0.01 * t) - k / K)^2 for k in 1:K, t in 1:(100 * nl)]
    lengthsl = fill(nl, 100)
    return [
        Case("sosfilt", "4 sections, $sig", "sample", n * nch, () -> sosfilt(sos, x, nothing)),
        Case("lfilter", "IIR order 2, $sig", "sample", n * nch, () -> lfilter(b, a, x, nothing)),
        Case("sosfilt (32 channels)", "4 sections, $sigl", "sample", length(xl),
             () -> sosfilt(sos, xl, nothing)),
        Case("lfilter (32 channels)", "IIR order 8, $sigl", "sample", length(xl),
             () -> lfilter(b8, a8, xl, nothing)),
        Case("lfilter (FIR)", "64 taps, $sig", "sample", n * nch,
             () -> lfilter(h, [1.0], x, nothing)),
        Case("upfirdn", "3/2, 64 taps, $sig", "input sample", n * nch,
             () -> upfirdn(h, x, 3, 2)),
        Case("fftfilt", "64 taps, $sig", "sample", n * nch, () -> fftfilt(h, x)),
        Case("stft_frames", "L = 64, step 32, detrend 2, $sig", "sample", n * nch,
             () -> stft_frames(x, h, 32, 2)),
        Case("forward_backward", "K = $K, T = $T", "T·K²", T * K * K,
             () -> forward_backward(log_pi, log_A, log_B, lengths)),
        Case("forward", "K = $K, T = $T", "T·K²", T * K * K,
             () -> forward(log_pi, log_A, log_B, lengths)),
        Case("forward_backward_log", "K = $K, T = $T", "T·K²", T * K * K,
             () -> forward_backward_log(log_pi, log_A, log_B, lengths)),
        Case("forward_log", "K = $K, T = $T", "T·K²", T * K * K,
             () -> forward_log(log_pi, log_A, log_B, lengths)),
        Case("viterbi", "K = $K, T = $T", "T·K²", T * K * K,
             () -> viterbi(log_pi, log_A, log_B, lengths)),
        Case("forward_backward (100 sequences)", "K = $K, 100 × $nl", "T·K²", length(Bl) * K,
             () -> forward_backward(log_pi, log_A, Bl, lengthsl)),
        Case("forward (100 sequences)", "K = $K, 100 × $nl", "T·K²", length(Bl) * K,
             () -> forward(log_pi, log_A, Bl, lengthsl)),
        Case("viterbi (100 sequences)", "K = $K, 100 × $nl", "T·K²", length(Bl) * K,
             () -> viterbi(log_pi, log_A, Bl, lengthsl)),
        Case("gaussian_loglik", "d = $d, K = $K, T = $T", "T·K·d", T * K * d,
             () -> gaussian_loglik(Xh, mu, s2)),
        Case("weighted_moments", "d = $d, K = $K, T = $T", "T·K·d", T * K * d,
             () -> weighted_moments(Xh, post, shift)),
        Case("gaussian_estep", "d = $d, K = $K, T = $T", "T·K²", T * K * K,
             () -> gaussian_estep(log_pi, log_A, Xh, mu, s2, shift, lengths)),
        Case("gaussian_forward", "d = $d, K = $K, T = $T", "T·K²", T * K * K,
             () -> gaussian_forward(log_pi, log_A, Xh, mu, s2, lengths)),
        Case("gaussian_viterbi", "d = $d, K = $K, T = $T", "T·K²", T * K * K,
             () -> gaussian_viterbi(log_pi, log_A, Xh, mu, s2, lengths)),
        Case("kernel_matrix", "Matérn-5/2, $(ng)², d = $dg", "entry", ng * ng,
             () -> kernel_matrix(Matern52(), Xg, Xg, ls, 1.5)),
        Case("kernel_matrix_grad", "Matérn-5/2, $(nd)², d = $dg", "entry", nd * nd,
             () -> kernel_matrix_grad(Matern52(), Xd, ls, 1.5)),
        Case("kernel_grad_contract", "Matérn-5/2, $(ng)², d = $dg", "entry", ng * ng,
             () -> kernel_grad_contract(Matern52(), Xg, ls, 1.5, W)),
        Case("kernel_matvec", "Matérn-5/2, $(nm)², d = 4, k = $km", "entry", nm * nm,
             () -> kernel_matvec(Matern52(), Xm, Xm, lsm, 1.5, Vm)),
        Case("kernel_grad_quad", "Matérn-5/2, $(nm)², d = 4, k = $km", "entry", nm * nm,
             () -> kernel_grad_quad(Matern52(), Xm, lsm, 1.5, Vm, Vm)),
    ]
end

"Best time (ns) of REPS calls after a warm-up, bytes allocated by one call, result bytes."
function measure(f::F) where {F}
    result = f()
    best = typemax(UInt64)
    for _ in 1:REPS
        t0 = time_ns()
        f()
        best = min(best, time_ns() - t0)
    end
    bytes = @allocated f()
    return Int(best), bytes, data_bytes(result)
end

fmt(x::Real) = x >= 100 ? string(round(Int, x)) : string(round(x; sigdigits = 3))

function timing_table(io::IO)
    println(io, "| kernel | size | Julia ns / unit | unit | bytes / call | ",
            "bytes beyond results / unit |")
    println(io, "|---|---|---|---|---|---|")
    for c in cases(false)
        ns, bytes, out = measure(c.run)
        println(io, "| `$(c.name)` | $(c.size) | $(fmt(ns / c.units)) | $(c.unit) | $(bytes) | ",
                "$(fmt(max(bytes - out, 0) / c.units)) |")
    end
end

# In the child process: the first call of each kernel, one line "name<TAB>ns" each.
function first_calls(io::IO)
    for c in cases(true)
        t0 = time_ns()
        c.run()
        println(io, c.name, '\t', time_ns() - t0)
    end
end

function first_call_table(io::IO)
    project = dirname(@__DIR__)
    nt = Threads.nthreads()
    cmd = `$(Base.julia_cmd()) --project=$project -t $nt $(@__FILE__) --first-calls-child`
    lines = split(strip(read(cmd, String)), '\n')
    println(io, "| kernel | first call in a fresh process (s) |")
    println(io, "|---|---|")
    for line in lines
        name, ns = split(line, '\t')
        println(io, "| `$(name)` | $(fmt(parse(Int, ns) / 1e9)) |")
    end
end

function main(args)
    if "--first-calls-child" in args
        first_calls(stdout)
        return
    end
    println("PyJL kernels: Julia $(VERSION), $(Threads.nthreads()) thread(s), ",
            "$(Sys.cpu_info()[1].model), best of $(REPS) calls\n")
    timing_table(stdout)
    if !("--no-first-call" in args)
        println()
        first_call_table(stdout)
    end
end

main(ARGS)
