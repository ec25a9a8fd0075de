"""
    PyJLCUDAExt

GPU methods of PyJL's kernels for `CUDA.CuArray` arguments. Julia loads this
extension by itself when both PyJL and CUDA.jl are loaded (`[weakdeps] CUDA`
and `[extensions] PyJLCUDAExt = "CUDA"` in PyJL's Project.toml); the core
package stays stdlib-only.

What runs where:

- GP kernels: `kernel_matrix`, `kernel_matrix_grad`, `kernel_grad_contract`,
  `kernel_matvec` and `kernel_grad_quad` run their broadcast forms (`src/gp_broadcast.jl`;
  the last two by blocks of rows and CUBLAS products, never an `n x n` matrix; the
  generic methods are loops over entries, for host arrays), `cholesky`, `cho_solve` and
  `cho_inverse` their generic LinearAlgebra methods (CUSOLVER, CUBLAS); the methods here
  add `CUDA.synchronize()` before returning. The EI pair are broadcasts and need no method here.
- HMM `forward_backward`, `forward` and `viterbi`: one GPU thread per sequence runs
  the log-space recursion (the generic methods index scalars; Viterbi keeps the CPU's
  tie rule); `gaussian_loglik` and
  `weighted_moments` are broadcasts and CUBLAS products; `gaussian_estep` composes them
  over the whole batch.
- DSP `sosfilt` and `lfilter`: one GPU thread per channel, direct form II
  transposed, the same operation order as the generic methods.  `stft_frames`
  gathers frames on the device.  `upfirdn` and `fftfilt` copy to the host, run
  the generic method and copy back (no FFT in the core package).

Each method is strictly more specific than the generic one it replaces (`CuMatrix{<:Real}`
where the generic method asks for `AbstractMatrix{<:Real}`), so dispatch is never
ambiguous. Layouts are those of the generic methods (`log_B` is `K x T`, signals are
`n x n_channels`, states are 1-based).  Results are CuArrays (or host numbers
for `kernel_grad_contract` and `kernel_grad_quad`), complete when the method returns.
"""
module PyJLCUDAExt

using PyJL
using CUDA

# ---- GP: the broadcast forms run on CuArrays; only synchronise ---------------------------
# (the methods taking a kind name forward to these, so both entry points synchronise; the
# shapes are checked by the host methods' rules: the same DimensionMismatch as there)

function PyJL.kernel_matrix(kind::PyJL.StationaryKind, X1::CuMatrix, X2::CuMatrix,
                            lengthscale::AbstractVector, variance::Real)
    PyJL._check_gp_points(X1, X2, lengthscale)
    K = PyJL._broadcast_kernel_matrix(kind, X1, X2, PyJL._gp_host(lengthscale),
                                      Float64(variance))
    CUDA.synchronize()
    return K
end

function PyJL.kernel_matrix_grad(kind::PyJL.StationaryKind, X::CuMatrix,
                                 lengthscale::AbstractVector, variance::Real)
    PyJL._check_gp_points(X, lengthscale)
    K, dK = PyJL._broadcast_kernel_matrix_grad(kind, X, PyJL._gp_host(lengthscale),
                                               Float64(variance))
    CUDA.synchronize()
    return K, dK
end

# a host array moved to the device (the GPU methods below take host V, U, W as well)
_dev(A::CuArray{Float64}) = A
_dev(A::AbstractArray) = CuArray{Float64}(A)

function PyJL.kernel_grad_contract(kind::PyJL.StationaryKind, X::CuMatrix,
                                   lengthscale::AbstractVector, variance::Real,
                                   W::AbstractMatrix)
    PyJL._check_gp_points(X, lengthscale)
    PyJL._check_gp_weights(X, W)
    g = PyJL._broadcast_kernel_grad_contract(kind, X, PyJL._gp_host(lengthscale),
                                             Float64(variance), _dev(W))
    CUDA.synchronize()
    return g
end

function PyJL.kernel_matvec(kind::PyJL.StationaryKind, X1::CuMatrix, X2::CuMatrix,
                            lengthscale::AbstractVector, variance::Real, V::AbstractMatrix)
    PyJL._check_gp_points(X1, X2, lengthscale)
    PyJL._check_gp_columns("V", V, X2)
    R = PyJL._broadcast_kernel_matvec(kind, X1, X2, PyJL._gp_host(lengthscale),
                                      Float64(variance), _dev(V))
    CUDA.synchronize()
    return R
end

function PyJL.kernel_grad_quad(kind::PyJL.StationaryKind, X::CuMatrix,
                               lengthscale::AbstractVector, variance::Real,
                               U::AbstractMatrix, V::AbstractMatrix)
    PyJL._check_gp_points(X, lengthscale)
    PyJL._check_gp_weights(X, U, V)
    g = PyJL._broadcast_kernel_grad_quad(kind, X, PyJL._gp_host(lengthscale),
                                         Float64(variance), _dev(U), _dev(V))
    CUDA.synchronize()
    return g
end

function PyJL.cholesky(K::CuMatrix, jitter::Real)
    L = invoke(PyJL.cholesky, Tuple{AbstractMatrix, Real}, K, jitter)
    CUDA.synchronize()
    return L
end

function PyJL.cho_solve(L::CuMatrix, B::CuVecOrMat)
    X = invoke(PyJL.cho_solve, Tuple{AbstractMatrix, AbstractVecOrMat}, L, B)
    CUDA.synchronize()
    return X
end

function PyJL.cho_inverse(L::CuMatrix)
    Kinv = invoke(PyJL.cho_inverse, Tuple{AbstractMatrix}, L)
    CUDA.synchronize()
    return Kinv
end

# ---- HMM: one thread per sequence, log space ---------------------------------------------

# log(sum_i exp(M[i, c] + A[i, j]))
@inline function _lse_col(M, c::Int, A, j::Int, K::Int)
    m = -Inf
    for i in 1:K
        m = max(m, M[i, c] + A[i, j])
    end
    m == -Inf && return m
    acc = 0.0
    for i in 1:K
        acc += exp(M[i, c] + A[i, j] - m)
    end
    return m + log(acc)
end

# log(sum_j exp(A[i, j] + w[j, s]))
@inline function _lse_row(A, i::Int, w, s::Int, K::Int)
    m = -Inf
    for j in 1:K
        m = max(m, A[i, j] + w[j, s])
    end
    m == -Inf && return m
    acc = 0.0
    for j in 1:K
        acc += exp(A[i, j] + w[j, s] - m)
    end
    return m + log(acc)
end

function _fb_kernel!(gamma, xi, loglik, bcur, bnext, w, log_pi, log_A, log_B, starts, stops)
    s = (blockIdx().x - 1) * blockDim().x + threadIdx().x
    s > length(starts) && return nothing
    K = size(log_B, 1)
    t0 = starts[s]
    t1 = stops[s]
    @inbounds begin
        for j in 1:K                                  # forward: log alpha into gamma
            gamma[j, t0] = log_pi[j] + log_B[j, t0]
        end
        for t in (t0 + 1):t1
            for j in 1:K
                gamma[j, t] = _lse_col(gamma, t - 1, log_A, j, K) + log_B[j, t]
            end
        end
        m = -Inf
        for j in 1:K
            m = max(m, gamma[j, t1])
        end
        if m == -Inf                                  # impossible sequence: zero posteriors
            loglik[s] = -Inf
            for t in t0:t1, j in 1:K
                gamma[j, t] = 0.0
            end
            return nothing
        end
        acc = 0.0
        for j in 1:K
            acc += exp(gamma[j, t1] - m)
        end
        Z = m + log(acc)
        loglik[s] = Z
        for j in 1:K
            bcur[j, s] = 0.0
        end
        for t in t1:-1:t0                             # backward: gamma, xi, beta
            for j in 1:K
                w[j, s] = log_B[j, t] + bcur[j, s]
                gamma[j, t] = exp(gamma[j, t] + bcur[j, s] - Z)
            end
            if t > t0                                 # column t - 1 still holds log alpha
                for j in 1:K, i in 1:K
                    xi[i, j, s] += exp(gamma[i, t - 1] + log_A[i, j] + w[j, s] - Z)
                end
                for i in 1:K
                    bnext[i, s] = _lse_row(log_A, i, w, s, K)
                end
                for i in 1:K
                    bcur[i, s] = bnext[i, s]
                end
            end
        end
    end
    return nothing
end

function _viterbi_kernel!(path, logprob, delta, psi, log_pi, log_A, log_B, starts, stops)
    s = (blockIdx().x - 1) * blockDim().x + threadIdx().x
    s > length(starts) && return nothing
    K = size(log_B, 1)
    t0 = starts[s]
    t1 = stops[s]
    @inbounds begin
        for j in 1:K
            delta[j, t0] = log_pi[j] + log_B[j, t0]
        end
        for t in (t0 + 1):t1, j in 1:K
            best = delta[1, t - 1] + log_A[1, j]
            bi = Int32(1)
            for i in 2:K
                v = delta[i, t - 1] + log_A[i, j]
                if v >= best                          # ties: highest predecessor (as on the CPU)
                    best = v
                    bi = Int32(i)
                end
            end
            delta[j, t] = best + log_B[j, t]
            psi[j, t] = bi
        end
        best = delta[1, t1]
        x = 1
        for j in 2:K
            if delta[j, t1] > best                    # ties: lowest final state
                best = delta[j, t1]
                x = j
            end
        end
        logprob[s] = best
        path[t1] = x
        for t in t1:-1:(t0 + 1)
            x = Int(psi[x, t])
            path[t - 1] = x
        end
    end
    return nothing
end

# forward pass only: log alpha of sequence s in prev[:, s] (cur[:, s] is the next column)
function _fwd_kernel!(loglik, prev, cur, log_pi, log_A, log_B, starts, stops)
    s = (blockIdx().x - 1) * blockDim().x + threadIdx().x
    s > length(starts) && return nothing
    K = size(log_B, 1)
    t0 = starts[s]
    t1 = stops[s]
    @inbounds begin
        for j in 1:K
            prev[j, s] = log_pi[j] + log_B[j, t0]
        end
        for t in (t0 + 1):t1
            for j in 1:K
                cur[j, s] = _lse_col(prev, s, log_A, j, K) + log_B[j, t]
            end
            for j in 1:K
                prev[j, s] = cur[j, s]
            end
        end
        m = -Inf
        for j in 1:K
            m = max(m, prev[j, s])
        end
        if m == -Inf                                  # impossible sequence
            loglik[s] = -Inf
        else
            acc = 0.0
            for j in 1:K
                acc += exp(prev[j, s] - m)
            end
            loglik[s] = m + log(acc)
        end
    end
    return nothing
end

function _bounds(lengths::AbstractVector{<:Integer})
    len = Int.(collect(lengths))
    stops = cumsum(len)
    starts = stops .- len .+ 1
    return CuArray(starts), CuArray(stops), length(len)
end

_threads_blocks(n::Int) = (128, max(1, cld(n, 128)))

function PyJL.forward_backward(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                               log_B::CuMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    PyJL._check_hmm_sizes(K, T, log_pi, log_A, lengths)  # the kernels trust them
    starts, stops, nseq = _bounds(lengths)
    lp = CuArray{Float64}(log_pi)
    lA = CuArray{Float64}(log_A)
    lB = CuArray{Float64}(log_B)
    gamma = CUDA.zeros(Float64, K, T)
    xi = CUDA.zeros(Float64, K, K, nseq)
    loglik = CUDA.zeros(Float64, nseq)
    bcur = CUDA.zeros(Float64, K, nseq)
    bnext = CUDA.zeros(Float64, K, nseq)
    w = CUDA.zeros(Float64, K, nseq)
    nt, nb = _threads_blocks(nseq)
    @cuda threads=nt blocks=nb _fb_kernel!(gamma, xi, loglik, bcur, bnext, w, lp, lA, lB,
                                           starts, stops)
    xi_sum = dropdims(sum(xi; dims=3); dims=3)
    CUDA.synchronize()
    return loglik, gamma, xi_sum
end

function PyJL.forward(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                      log_B::CuMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    PyJL._check_hmm_sizes(K, T, log_pi, log_A, lengths)  # the kernels trust them
    starts, stops, nseq = _bounds(lengths)
    loglik = CUDA.zeros(Float64, nseq)
    prev = CUDA.zeros(Float64, K, nseq)
    cur = CUDA.zeros(Float64, K, nseq)
    nt, nb = _threads_blocks(nseq)
    @cuda threads=nt blocks=nb _fwd_kernel!(loglik, prev, cur, CuArray{Float64}(log_pi),
                                            CuArray{Float64}(log_A), CuArray{Float64}(log_B),
                                            starts, stops)
    CUDA.synchronize()
    return loglik
end

function PyJL.viterbi(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                      log_B::CuMatrix{<:Real}, lengths::AbstractVector{<:Integer})
    K, T = size(log_B)
    PyJL._check_hmm_sizes(K, T, log_pi, log_A, lengths)  # the kernels trust them
    starts, stops, nseq = _bounds(lengths)
    lp = CuArray{Float64}(log_pi)
    lA = CuArray{Float64}(log_A)
    lB = CuArray{Float64}(log_B)
    path = CUDA.zeros(Int, T)
    logprob = CUDA.zeros(Float64, nseq)
    delta = CUDA.zeros(Float64, K, T)
    psi = CUDA.zeros(Int32, K, T)
    nt, nb = _threads_blocks(nseq)
    @cuda threads=nt blocks=nb _viterbi_kernel!(path, logprob, delta, psi, lp, lA, lB,
                                                starts, stops)
    CUDA.synchronize()
    return path, logprob
end

# Emissions: broadcasting and CUBLAS products (the generic methods loop over scalars).
# out[k, t] = cst[k] - 0.5 sum_j (X[j, t] - mean[j, k])^2 / var[j, k]; X is d x T.
function PyJL.gaussian_loglik(X::CuMatrix{<:Real}, mean::AbstractMatrix{<:Real},
                              var::AbstractMatrix{<:Real})
    d, T = size(X)
    K = size(mean, 2)
    Xd = CuArray{Float64}(X)
    m = reshape(CuArray{Float64}(mean), d, K, 1)
    iv = reshape(1.0 ./ CuArray{Float64}(var), d, K, 1)
    cst = -0.5 .* (d * log(2π) .+ vec(sum(log.(CuArray{Float64}(var)); dims=1)))
    sq = sum((reshape(Xd, d, 1, T) .- m) .^ 2 .* iv; dims=1)    # 1 x K x T, differences first
    out = cst .- 0.5 .* reshape(sq, K, T)
    CUDA.synchronize()
    return out
end

function PyJL.weighted_moments(X::CuMatrix{<:Real}, W::AbstractMatrix{<:Real},
                               shift::AbstractVector{<:Real})
    Xc = CuArray{Float64}(X) .- CuArray{Float64}(shift)
    Wd = CuArray{Float64}(W)                                   # K x T
    N = vec(sum(Wd; dims=2))
    S1 = Xc * transpose(Wd)                                   # d x K
    S2 = (Xc .^ 2) * transpose(Wd)
    CUDA.synchronize()
    return N, S1, S2
end

# the whole batch at once on the device (device memory holds the K x T arrays)
function PyJL.gaussian_estep(log_pi::AbstractVector{<:Real}, log_A::AbstractMatrix{<:Real},
                             X::CuMatrix{<:Real}, mean::AbstractMatrix{<:Real},
                             var::AbstractMatrix{<:Real}, shift::AbstractVector{<:Real},
                             lengths::AbstractVector{<:Integer})
    loglik, gamma, xi_sum = PyJL.forward_backward(log_pi, log_A,
                                                  PyJL.gaussian_loglik(X, mean, var), lengths)
    first = cumsum(Int.(collect(lengths))) .- Int.(collect(lengths)) .+ 1
    start = vec(sum(gamma[:, CuArray(first)]; dims=2))
    N, S1, S2 = PyJL.weighted_moments(X, gamma, shift)
    return loglik, start, xi_sum, N, S1, S2
end

# ---- DSP: one thread per channel ---------------------------------------------------------

function _sosfilt_kernel!(y, zf, sos, x)
    c = (blockIdx().x - 1) * blockDim().x + threadIdx().x
    n = size(x, 1)
    c > size(x, 2) && return nothing
    nsec = size(sos, 2)
    @inbounds for t in 1:n
        xc = x[t, c]
        for s in 1:nsec
            yc = sos[1, s] * xc + zf[1, s, c]
            zf[1, s, c] = sos[2, s] * xc - sos[5, s] * yc + zf[2, s, c]
            zf[2, s, c] = sos[3, s] * xc - sos[6, s] * yc
            xc = yc
        end
        y[t, c] = xc
    end
    return nothing
end

function _lfilter_kernel!(y, zf, bb, aa, x)
    c = (blockIdx().x - 1) * blockDim().x + threadIdx().x
    n = size(x, 1)
    c > size(x, 2) && return nothing
    k = length(bb)
    @inbounds for t in 1:n
        xn = x[t, c]
        if k > 1
            yn = zf[1, c] + bb[1] * xn
            for j in 1:(k - 2)
                zf[j, c] = zf[j + 1, c] + xn * bb[j + 1] - yn * aa[j + 1]
            end
            zf[k - 1, c] = xn * bb[k] - yn * aa[k]
        else
            yn = xn * bb[1]
        end
        y[t, c] = yn
    end
    return nothing
end

# a device copy of an initial state that the kernels may overwrite (never the caller's zi)
_fresh(zi::CuArray{Float64}) = copy(zi)
_fresh(zi::AbstractArray) = CuArray{Float64}(zi)

function PyJL.sosfilt(sos::AbstractMatrix, x::CuMatrix, zi)
    PyJL._check_sos(sos)                             # the kernel trusts the shapes
    n, nch = size(x)
    nsec = size(sos, 2)
    PyJL._check_zi(zi, (2, nsec, nch))
    xs = CuArray{Float64}(x)
    zf = zi === nothing ? CUDA.zeros(Float64, 2, nsec, nch) : _fresh(zi)
    y = CUDA.zeros(Float64, n, nch)
    nt, nb = _threads_blocks(nch)
    @cuda threads=nt blocks=nb _sosfilt_kernel!(y, zf, CuArray{Float64}(sos), xs)
    CUDA.synchronize()
    return y, zf
end

function PyJL.lfilter(b::AbstractVector, a::AbstractVector, x::CuMatrix, zi)
    ah = Array(a)                                    # on the host (a may be a CuArray)
    PyJL._check_lfilter_a(ah)
    n, nch = size(x)
    k = max(length(a), length(b))
    PyJL._check_zi(zi, (k - 1, nch))                 # the kernel trusts the shape
    bb = zeros(Float64, k)
    aa = zeros(Float64, k)
    bb[1:length(b)] .= Array(b)
    aa[1:length(a)] .= ah
    zf = zi === nothing ? CUDA.zeros(Float64, k - 1, nch) : _fresh(zi)
    y = CUDA.zeros(Float64, n, nch)
    nt, nb = _threads_blocks(nch)
    @cuda threads=nt blocks=nb _lfilter_kernel!(y, zf, CuArray(bb), CuArray(aa),
                                                CuArray{Float64}(x))
    CUDA.synchronize()
    return y, zf
end

function PyJL.stft_frames(x::CuMatrix, window::AbstractVector, step::Integer,
                          detrend::Integer=0)
    n, nch = size(x)
    L = length(window)
    nfr = n >= L ? (n - L) ÷ step + 1 : 0
    nfr == 0 && return CUDA.zeros(Float64, L, 0, nch)
    idx = vec((1:L) .+ step .* transpose(0:(nfr - 1)))     # L * nfr row indices, frame-major
    fr = reshape(CuArray{Float64}(x)[CuArray(idx), :], L, nfr, nch)
    if detrend >= 1
        fr = fr .- sum(fr; dims=1) ./ L
    end
    if detrend == 2
        tc = CuArray(collect(0.0:(L - 1)) .- (L - 1) / 2)
        cc = sum(abs2, tc)
        if cc > 0
            fr = fr .- (sum(fr .* tc; dims=1) ./ cc) .* tc
        end
    end
    out = fr .* CuArray{Float64}(window)
    CUDA.synchronize()
    return out
end

# host round trip: the generic methods run on the copies (Array arguments dispatch there)
PyJL.upfirdn(h::AbstractVector, x::CuMatrix, up::Integer, down::Integer) =
    CuArray(PyJL.upfirdn(Array(h), Array(x), up, down))

PyJL.fftfilt(h::AbstractVector, x::CuMatrix) = CuArray(PyJL.fftfilt(Array(h), Array(x)))

end # module
