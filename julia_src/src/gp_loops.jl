# The covariance kernels and the matrix-free products as loops over entries, for arrays in
# host memory (Array, PythonCall's PyArray, views): no temporary (n1, n2) matrix, one task
# per column, pair of columns or block of points. CuArrays take the broadcasts of
# gp_broadcast.jl instead (the CUDA extension calls them: scalar indexing of a CuArray is
# an error).
#
# The points are copied once, at the barrier, into a (d, n) Matrix{Float64} (`_gp_points`):
# a kind of the form kappa(r2) divides them by their lengthscales there, as the native
# kernels do, so r2 = sum_k (Xs[k, i] - Xs[k, j])^2; the periodic kind keeps them as they
# are. A kind hooks into the loops through `_gp_points`, `_matrix_column!`, `_grad_column!`,
# `_contract_column!`, `_contract_finish!` and `_gp_entry`; a kind of the form kappa(r2)
# needs none of its own (the `StationaryKind` methods call its `kappa`, `gscale`,
# `dkappa_dlogextra`).
#
# The loops index under @inbounds and trust the shapes (one `d` for X1 and X2, one or `d`
# lengthscales, the weights one row and column per point): the public methods of gp.jl
# check them first (`_check_gp_points`, `_check_gp_weights`, `_check_gp_columns`).

"""
    _gp_points(kind, X, ls) -> Matrix{Float64}

The points `X` (`d × n`) as the loops of `kind` read them: for a kind of the form
`kappa(r2)`, divided row by row by the lengthscales `ls` (one or `d` of them); a new array.
"""
function _gp_points(kind::StationaryKind, X::AbstractMatrix, ls::Vector{Float64})
    d, n = size(X)
    Xs = Matrix{Float64}(undef, d, n)
    @inbounds for i in 1:n, k in 1:d
        Xs[k, i] = X[k, i] / _gp_ls(ls, k)
    end
    return Xs
end

_gp_points(kind::Periodic, X::AbstractMatrix, ls::Vector{Float64}) = Matrix{Float64}(X)

# sum_k (Xs1[k, i] - Xs2[k, j])^2 over scaled points, in order of k
@inline function _gp_r2(Xs1::Matrix{Float64}, Xs2::Matrix{Float64}, i::Int, j::Int)
    r2 = 0.0
    @inbounds for k in axes(Xs1, 1)
        r2 += (Xs1[k, i] - Xs2[k, j])^2
    end
    return min(r2, GP_R2_MAX)
end

# S = sum_k sin^2(c (X1[k, i] - X2[k, j])) / l_k^2 with c = pi / period, in order of k
@inline function _gp_psum(X1::Matrix{Float64}, X2::Matrix{Float64}, ls::Vector{Float64},
                          c::Float64, i::Int, j::Int)
    S = 0.0
    @inbounds for k in axes(X1, 1)
        l = _gp_ls(ls, k)
        s = sin(c * (X1[k, i] - X2[k, j]))
        S += _gp_over_l2(s, s, l)
    end
    return min(S, GP_R2_MAX)
end

"""
    _UVWeights(U, V)

The weights `W = U' V` of [`kernel_grad_quad`](@ref) (`U`, `V` `(k, n)`), for the
contraction loops of `kernel_grad_contract`, which take them entry by entry.
"""
struct _UVWeights
    U::Matrix{Float64}
    V::Matrix{Float64}
end

const _GPWeights = Union{AbstractMatrix,_UVWeights}

# ---- kernel_matrix ------------------------------------------------------------------------

function _loop_kernel_matrix(kind::StationaryKind, X1::AbstractMatrix, X2::AbstractMatrix,
                             ls::Vector{Float64}, var::Float64)
    K = Matrix{Float64}(undef, size(X1, 2), size(X2, 2))
    _kernel_matrix!(kind, K, _gp_points(kind, X1, ls), _gp_points(kind, X2, ls), ls, var)
    return K
end

function _kernel_matrix!(kind::StationaryKind, K::Matrix{Float64}, X1::Matrix{Float64},
                         X2::Matrix{Float64}, ls::Vector{Float64}, var::Float64)
    _tasks(j -> _matrix_column!(kind, K, X1, X2, ls, var, j), size(K, 2))
    return nothing
end

function _matrix_column!(kind::StationaryKind, K::Matrix{Float64}, Xs1::Matrix{Float64},
                         Xs2::Matrix{Float64}, ls::Vector{Float64}, var::Float64, j::Int)
    @inbounds for i in axes(K, 1)
        K[i, j] = var * kappa(kind, _gp_r2(Xs1, Xs2, i, j))
    end
    return nothing
end

function _matrix_column!(kind::Periodic, K::Matrix{Float64}, X1::Matrix{Float64},
                         X2::Matrix{Float64}, ls::Vector{Float64}, var::Float64, j::Int)
    c = pi / kind.period
    @inbounds for i in axes(K, 1)
        K[i, j] = var * exp(-2 * _gp_psum(X1, X2, ls, c, i, j))
    end
    return nothing
end

# ---- kernel_matrix_grad -------------------------------------------------------------------

function _loop_kernel_matrix_grad(kind::StationaryKind, X::AbstractMatrix,
                                  ls::Vector{Float64}, var::Float64)
    n = size(X, 2)
    K = Matrix{Float64}(undef, n, n)
    dK = zeros(Float64, n, n, _gp_nparams(kind, length(ls)))
    _kernel_matrix_grad!(kind, K, dK, _gp_points(kind, X, ls), ls, var)
    return K, dK
end

function _kernel_matrix_grad!(kind::StationaryKind, K::Matrix{Float64}, dK::Array{Float64,3},
                              Xp::Matrix{Float64}, ls::Vector{Float64}, var::Float64)
    _tasks(j -> _grad_column!(kind, K, dK, Xp, ls, var, j), size(K, 2))
    return nothing
end

function _grad_column!(kind::StationaryKind, K::Matrix{Float64}, dK::Array{Float64,3},
                       Xs::Matrix{Float64}, ls::Vector{Float64}, var::Float64, j::Int)
    d, nls = size(Xs, 1), length(ls)
    @inbounds for i in axes(K, 1)
        r2 = _gp_r2(Xs, Xs, i, j)
        kij = var * kappa(kind, r2)
        g = var * gscale(kind, r2)
        K[i, j] = kij
        if nls == 1
            dK[i, j, 1] = g * r2
        else
            for q in 1:d
                dK[i, j, q] = g * _gp_sq(Xs[q, i] - Xs[q, j])
            end
        end
        dK[i, j, nls + 1] = kij
        for q in 1:nextra(kind)
            dK[i, j, nls + 1 + q] = var * dkappa_dlogextra(kind, r2, q)
        end
    end
    return nothing
end

function _grad_column!(kind::Periodic, K::Matrix{Float64}, dK::Array{Float64,3},
                       X::Matrix{Float64}, ls::Vector{Float64}, var::Float64, j::Int)
    d, nls = size(X, 1), length(ls)
    c = pi / kind.period
    @inbounds for i in axes(K, 1)
        kij = var * exp(-2 * _gp_psum(X, X, ls, c, i, j))
        acc = 0.0
        for k in 1:d
            l = _gp_ls(ls, k)
            arg = c * (X[k, i] - X[k, j])
            s = sin(arg)
            q = nls > 1 ? k : 1
            dK[i, j, q] += 4 * kij * _gp_over_l2(s, s, l)
            acc += _gp_over_l2(arg, s, l) * cos(arg)
        end
        K[i, j] = kij
        dK[i, j, nls + 1] = kij
        dK[i, j, nls + 2] = 4 * kij * acc
    end
    return nothing
end

# ---- kernel_grad_contract -----------------------------------------------------------------
# dK[i, j, q] is symmetric in (i, j), so sum_ij W[i, j] dK[i, j, q] is the sum over i >= j of
# (W[i, j] + W[j, i]) dK[i, j, q] (W[j, j] on the diagonal): each entry is computed once.
# Task `jj` takes columns jj and n + 1 - jj (n + 1 entries in all, so the tasks are even)
# into its own column of `part`; the columns of `part` are summed in order afterwards, so
# the result does not depend on the number of threads.

function _loop_kernel_grad_contract(kind::StationaryKind, X::AbstractMatrix,
                                    ls::Vector{Float64}, var::Float64, W::_GPWeights)
    n, nls = size(X, 2), length(ls)
    p = _gp_nparams(kind, nls)
    part = zeros(Float64, p, cld(n, 2))
    _kernel_grad_contract!(kind, part, _gp_points(kind, X, ls), ls, var, W)
    g = zeros(Float64, p)
    @inbounds for jj in axes(part, 2), q in 1:p
        g[q] += part[q, jj]
    end
    _contract_finish!(kind, g, nls, var)
    return g
end

function _kernel_grad_contract!(kind::StationaryKind, part::Matrix{Float64},
                                Xp::Matrix{Float64}, ls::Vector{Float64}, var::Float64,
                                W::_GPWeights)
    _tasks(jj -> _contract_pair!(kind, part, Xp, ls, var, W, jj), size(part, 2))
    return nothing
end

function _contract_pair!(kind::StationaryKind, part::Matrix{Float64}, Xp::Matrix{Float64},
                         ls::Vector{Float64}, var::Float64, W::_GPWeights, jj::Int)
    _contract_column!(kind, part, Xp, ls, var, W, jj, jj)
    other = size(Xp, 2) + 1 - jj
    if other != jj
        _contract_column!(kind, part, Xp, ls, var, W, other, jj)
    end
    return nothing
end

# the weight of entry (i, j), i >= j, in the sum over the lower triangle
@inline function _contract_weight(W::AbstractMatrix, i::Int, j::Int)
    if i == j
        return @inbounds Float64(W[j, j])
    end
    return @inbounds Float64(W[i, j]) + Float64(W[j, i])
end

# the same for W = U' V (kernel_grad_quad), entry by entry: never an (n, n) matrix
@inline function _contract_weight(W::_UVWeights, i::Int, j::Int)
    U, V = W.U, W.V
    s = 0.0
    if i == j
        @inbounds for c in axes(U, 1)
            s += U[c, j] * V[c, j]
        end
    else
        @inbounds for c in axes(U, 1)
            s += U[c, i] * V[c, j] + U[c, j] * V[c, i]
        end
    end
    return s
end

# part[:, slot] += the terms of column j, rows i >= j (before the factors of _contract_finish!)
function _contract_column!(kind::StationaryKind, part::Matrix{Float64}, Xs::Matrix{Float64},
                           ls::Vector{Float64}, var::Float64, W::_GPWeights, j::Int,
                           slot::Int)
    d, nls = size(Xs, 1), length(ls)
    @inbounds for i in j:size(Xs, 2)
        w = _contract_weight(W, i, j)
        r2 = _gp_r2(Xs, Xs, i, j)
        wg = w * (var * gscale(kind, r2))
        if nls == 1
            part[1, slot] += wg * r2
        else
            for q in 1:d
                part[q, slot] += wg * _gp_sq(Xs[q, i] - Xs[q, j])
            end
        end
        part[nls + 1, slot] += w * kappa(kind, r2)
        for q in 1:nextra(kind)
            part[nls + 1 + q, slot] += w * dkappa_dlogextra(kind, r2, q)
        end
    end
    return nothing
end

# the factors the column sums leave out: the variance of the kappa and extra terms
function _contract_finish!(kind::StationaryKind, g::Vector{Float64}, nls::Int, var::Float64)
    for q in (nls + 1):length(g)
        g[q] *= var
    end
    return nothing
end

function _contract_column!(kind::Periodic, part::Matrix{Float64}, X::Matrix{Float64},
                           ls::Vector{Float64}, var::Float64, W::_GPWeights, j::Int,
                           slot::Int)
    d, nls = size(X, 1), length(ls)
    c = pi / kind.period
    @inbounds for i in j:size(X, 2)
        wk = _contract_weight(W, i, j) * (var * exp(-2 * _gp_psum(X, X, ls, c, i, j)))
        for k in 1:d
            l = _gp_ls(ls, k)
            arg = c * (X[k, i] - X[k, j])
            s = sin(arg)
            part[nls > 1 ? k : 1, slot] += wk * _gp_over_l2(s, s, l)
            part[nls + 2, slot] += wk * _gp_over_l2(arg, s, l) * cos(arg)
        end
        part[nls + 1, slot] += wk
    end
    return nothing
end

# the periodic terms of the lengthscales and the period carry a factor 4
function _contract_finish!(kind::Periodic, g::Vector{Float64}, nls::Int, var::Float64)
    for q in 1:nls
        g[q] *= 4
    end
    g[nls + 2] *= 4
    return nothing
end

# ---- kernel_matvec ------------------------------------------------------------------------
# R[:, i] = sum_j k(X1[:, i], X2[:, j]) V[:, j]. One task per block of _GP_ROWS points of X1
# (its own columns of R: no shared writes, the result does not depend on the number of
# threads); inside a block the points of X2 go by tiles of _GP_TILE, so the tile of X2 and V
# stays in cache while every point of the block meets it. No (n1, n2) matrix, and nothing
# allocated inside the loops.
const _GP_ROWS = 32
const _GP_TILE = 256

function _loop_kernel_matvec(kind::StationaryKind, X1::AbstractMatrix, X2::AbstractMatrix,
                             ls::Vector{Float64}, var::Float64, V::AbstractMatrix)
    R = zeros(Float64, size(V, 1), size(X1, 2))
    _kernel_matvec!(kind, R, _gp_points(kind, X1, ls), _gp_points(kind, X2, ls), ls, var,
                    Matrix{Float64}(V))
    return R
end

function _kernel_matvec!(kind::StationaryKind, R::Matrix{Float64}, X1::Matrix{Float64},
                         X2::Matrix{Float64}, ls::Vector{Float64}, var::Float64,
                         V::Matrix{Float64})
    _tasks(b -> _matvec_block!(kind, R, X1, X2, ls, var, V, b), cld(size(R, 2), _GP_ROWS))
    return nothing
end

function _matvec_block!(kind::StationaryKind, R::Matrix{Float64}, X1::Matrix{Float64},
                        X2::Matrix{Float64}, ls::Vector{Float64}, var::Float64,
                        V::Matrix{Float64}, b::Int)
    n2 = size(X2, 2)
    rows = ((b - 1) * _GP_ROWS + 1):min(b * _GP_ROWS, size(R, 2))
    @inbounds for t0 in 1:_GP_TILE:n2, i in rows
        for j in t0:min(t0 + _GP_TILE - 1, n2)
            kij = _gp_entry(kind, X1, X2, ls, var, i, j)
            for c in axes(R, 1)
                R[c, i] += kij * V[c, j]
            end
        end
    end
    return nothing
end

# k(X1[:, i], X2[:, j]) from the points as _gp_points left them
@inline _gp_entry(kind::StationaryKind, Xs1::Matrix{Float64}, Xs2::Matrix{Float64},
                  ls::Vector{Float64}, var::Float64, i::Int, j::Int) =
    var * kappa(kind, _gp_r2(Xs1, Xs2, i, j))

@inline _gp_entry(kind::Periodic, X1::Matrix{Float64}, X2::Matrix{Float64},
                  ls::Vector{Float64}, var::Float64, i::Int, j::Int) =
    var * exp(-2 * _gp_psum(X1, X2, ls, pi / kind.period, i, j))

# ---- kernel_grad_quad ---------------------------------------------------------------------
# sum_c U[c, :]' dK_q V[c, :] = sum_ij W[i, j] dK[i, j, q] with W = U' V: the contraction
# loops of kernel_grad_contract (column tasks, per-task partial sums added in order), the
# weights taken entry by entry from U and V (_UVWeights).

_loop_kernel_grad_quad(kind::StationaryKind, X::AbstractMatrix, ls::Vector{Float64},
                       var::Float64, U::AbstractMatrix, V::AbstractMatrix) =
    _loop_kernel_grad_contract(kind, X, ls, var,
                               _UVWeights(Matrix{Float64}(U), Matrix{Float64}(V)))
