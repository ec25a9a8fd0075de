# The broadcast forms of the three covariance kernels (whole (n1, n2) matrices at a time)
# and of the matrix-free products (blocks of rows at a time): no scalar indexing, so
# CUDA.jl arrays run them as GPU kernels (ext/PyJLCUDAExt.jl calls them for CuArrays).
# Host arrays take the loops of gp_loops.jl instead; the two agree to rounding (the loops
# divide the points by their lengthscales first, as the native kernels do; the periodic
# kind is the same formula in both, bit for bit).

# (n1, n2) matrix of X1[k, i] - X2[k, j]
_gp_diff(X1::AbstractMatrix, X2::AbstractMatrix, k::Int) = X1[k, :] .- reshape(X2[k, :], 1, :)

function _gp_sqdist(X1::AbstractMatrix, X2::AbstractMatrix, ls::Vector{Float64})
    r2 = fill!(similar(X1, Float64, size(X1, 2), size(X2, 2)), 0.0)
    for k in 1:size(X1, 1)
        l = _gp_ls(ls, k)
        r2 .+= (_gp_diff(X1, X2, k) ./ l) .^ 2
    end
    return min.(r2, GP_R2_MAX)
end

# S = sum_k sin^2(pi (x_k - x'_k) / p) / l_k^2; the periodic kernel is variance exp(-2 S)
function _gp_periodic_sum(X1::AbstractMatrix, X2::AbstractMatrix, ls::Vector{Float64}, p::Real)
    S = fill!(similar(X1, Float64, size(X1, 2), size(X2, 2)), 0.0)
    for k in 1:size(X1, 1)
        l = _gp_ls(ls, k)
        s = sin.((pi / p) .* _gp_diff(X1, X2, k))
        S .+= _gp_over_l2.(s, s, l)
    end
    return min.(S, GP_R2_MAX)
end

# kinds of the form variance * kappa(kind, r2)
_broadcast_kernel_matrix(kind::StationaryKind, X1, X2, ls::Vector{Float64}, var::Float64) =
    var .* kappa.(kind, _gp_sqdist(X1, X2, ls))

function _broadcast_kernel_matrix_grad(kind::StationaryKind, X, ls::Vector{Float64},
                                       var::Float64)
    n, d, nls = size(X, 2), size(X, 1), length(ls)
    dK = fill!(similar(X, Float64, n, n, _gp_nparams(kind, nls)), 0.0)
    r2 = _gp_sqdist(X, X, ls)
    K = var .* kappa.(kind, r2)
    G = var .* gscale.(kind, r2)
    if nls == 1
        dK[:, :, 1] .= G .* r2
    else
        for k in 1:d
            dK[:, :, k] .= G .* min.((_gp_diff(X, X, k) ./ ls[k]) .^ 2, GP_R2_MAX)
        end
    end
    dK[:, :, nls + 1] .= K
    for q in 1:nextra(kind)
        dK[:, :, nls + 1 + q] .= var .* dkappa_dlogextra.(kind, r2, q)
    end
    return K, dK
end

_broadcast_kernel_grad_contract(kind::StationaryKind, X, ls::Vector{Float64}, var::Float64,
                                W::AbstractMatrix) = _broadcast_grad_block(kind, X, X, ls, var, W)

# sum_ij W[i, j] dk(X1[:, i], X2[:, j]) / dtheta_q for an (n1, n2) block W of the weights
function _broadcast_grad_block(kind::StationaryKind, X1, X2, ls::Vector{Float64},
                               var::Float64, W::AbstractMatrix)
    d, nls = size(X1, 1), length(ls)
    g = zeros(Float64, _gp_nparams(kind, nls))
    r2 = _gp_sqdist(X1, X2, ls)
    WG = W .* (var .* gscale.(kind, r2))
    if nls == 1
        g[1] = sum(WG .* r2)
    else
        for k in 1:d
            g[k] = sum(WG .* min.((_gp_diff(X1, X2, k) ./ ls[k]) .^ 2, GP_R2_MAX))
        end
    end
    g[nls + 1] = var * sum(W .* kappa.(kind, r2))
    for q in 1:nextra(kind)
        g[nls + 1 + q] = var * sum(W .* dkappa_dlogextra.(kind, r2, q))
    end
    return g
end

# the periodic kind: a function of the sines of the scaled differences, not of r2
_broadcast_kernel_matrix(kind::Periodic, X1, X2, ls::Vector{Float64}, var::Float64) =
    var .* exp.(-2 .* _gp_periodic_sum(X1, X2, ls, kind.period))

function _broadcast_kernel_matrix_grad(kind::Periodic, X, ls::Vector{Float64}, var::Float64)
    n, d, nls, p = size(X, 2), size(X, 1), length(ls), kind.period
    dK = fill!(similar(X, Float64, n, n, _gp_nparams(kind, nls)), 0.0)
    K = var .* exp.(-2 .* _gp_periodic_sum(X, X, ls, p))
    acc = fill!(similar(K), 0.0)
    for k in 1:d
        l = _gp_ls(ls, k)
        arg = (pi / p) .* _gp_diff(X, X, k)
        s = sin.(arg)
        q = nls > 1 ? k : 1
        dK[:, :, q] .+= 4 .* K .* _gp_over_l2.(s, s, l)
        acc .+= _gp_over_l2.(arg, s, l) .* cos.(arg)
    end
    dK[:, :, nls + 1] .= K
    dK[:, :, nls + 2] .= 4 .* K .* acc
    return K, dK
end

function _broadcast_grad_block(kind::Periodic, X1, X2, ls::Vector{Float64}, var::Float64,
                               W::AbstractMatrix)
    d, nls, p = size(X1, 1), length(ls), kind.period
    g = zeros(Float64, _gp_nparams(kind, nls))
    WK = W .* (var .* exp.(-2 .* _gp_periodic_sum(X1, X2, ls, p)))
    for k in 1:d
        l = _gp_ls(ls, k)
        arg = (pi / p) .* _gp_diff(X1, X2, k)
        s = sin.(arg)
        g[nls > 1 ? k : 1] += 4 * sum(WK .* _gp_over_l2.(s, s, l))
        g[nls + 2] += 4 * sum(WK .* _gp_over_l2.(arg, s, l) .* cos.(arg))
    end
    g[nls + 1] = sum(WK)
    return g
end

# ---- the matrix-free products, by blocks of points of X1: an (nb, n2) block of K (or of the
# weights U' V) at a time, nb * n2 <= _GP_BLOCK_ENTRIES, never the whole (n1, n2) matrix
const _GP_BLOCK_ENTRIES = 1 << 22

_gp_block(n1::Int, n2::Int, entries::Int) = max(1, min(n1, entries ÷ max(n2, 1)))

function _broadcast_kernel_matvec(kind::StationaryKind, X1, X2, ls::Vector{Float64},
                                  var::Float64, V::AbstractMatrix;
                                  entries::Int = _GP_BLOCK_ENTRIES)
    n1 = size(X1, 2)
    R = fill!(similar(V, Float64, size(V, 1), n1), 0.0)
    nb = _gp_block(n1, size(X2, 2), entries)
    for i0 in 1:nb:n1
        blk = i0:min(i0 + nb - 1, n1)
        R[:, blk] .= V * transpose(_broadcast_kernel_matrix(kind, X1[:, blk], X2, ls, var))
    end
    return R
end

function _broadcast_kernel_grad_quad(kind::StationaryKind, X, ls::Vector{Float64},
                                     var::Float64, U::AbstractMatrix, V::AbstractMatrix;
                                     entries::Int = _GP_BLOCK_ENTRIES)
    n = size(X, 2)
    g = zeros(Float64, _gp_nparams(kind, length(ls)))
    nb = _gp_block(n, n, entries)
    for i0 in 1:nb:n
        blk = i0:min(i0 + nb - 1, n)
        g .+= _broadcast_grad_block(kind, X[:, blk], X, ls, var, transpose(U[:, blk]) * V)
    end
    return g
end
