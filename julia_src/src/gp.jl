# Gaussian-process kernels: covariance matrices and their gradients, Cholesky algebra,
# expected improvement. The same names as pyjl's engine contract (pyjl/engines/contract.py).
#
# Points are columns: `X`, `X1`, `X2` are `(d, n)` matrices. `lengthscale` has `d` entries
# (ARD) or one (isotropic). Log-parameters are ordered: log lengthscale..., log variance,
# log extra... (the kind's own parameters: its fields, in order; see gp_kinds.jl).
# The covariance kernels and the matrix-free products run as loops over entries for arrays
# in host memory (gp_loops.jl); their broadcast forms (gp_broadcast.jl) are what the CUDA
# extension calls for CuArrays. The Cholesky algebra and EI are LinearAlgebra and broadcasts.

_gp_host(v::AbstractVector) = Vector{Float64}(collect(v))
# A strided Float64 copy of a wrapped (e.g. PythonCall PyArray) matrix, so the triangular
# solves run in BLAS instead of the generic scalar fallback; dense arrays (Array, CuArray)
# pass through unchanged.
_gp_dense(A::DenseArray) = A
_gp_dense(A::AbstractArray) = Array{Float64}(A)
_gp_ls(ls::Vector{Float64}, k::Int) = length(ls) == 1 ? ls[1] : ls[k]
_gp_nparams(kind::StationaryKind, nls::Int) = nls + 1 + nextra(kind)

# ---- shape checks: the loops (gp_loops.jl) index under @inbounds, so every public method
# (and its CUDA method) checks its arguments first; a wrong shape is a DimensionMismatch
# (the messages are built only when thrown: nothing allocated otherwise)

# points `X1` `(d, n1)` and `X2` `(d, n2)` of one dimension `d`, and lengthscales for them
function _check_gp_points(X1::AbstractMatrix, X2::AbstractMatrix, ls::AbstractVector)
    size(X1, 1) == size(X2, 1) ||
        throw(DimensionMismatch("X1 is $(size(X1)) and X2 is $(size(X2)); expected " *
                                "(d, n1) and (d, n2), one point per column, with one d"))
    return _check_gp_points(X1, ls)
end

# the lengthscales of points `X` `(d, n)`: one (isotropic) or `d` (ARD)
function _check_gp_points(X::AbstractMatrix, ls::AbstractVector)
    length(ls) == 1 || length(ls) == size(X, 1) ||
        throw(DimensionMismatch("lengthscale has length $(length(ls)); expected 1 or " *
                                "d = $(size(X, 1)) (X is $(size(X)))"))
    return nothing
end

# an array `A` `(k, n)` with one column per point of `X` `(d, n)`, any number `k` of rows
# (kernel_matvec's `V` for `X2`); `_check_size` is in hmm.jl
_check_gp_columns(name::String, A::AbstractMatrix, X::AbstractMatrix) =
    _check_size(name, A, (size(A, 1), size(X, 2)))

# kernel_grad_contract's weights: `W` `(n, n)` for `X` `(d, n)`
_check_gp_weights(X::AbstractMatrix, W::AbstractMatrix) =
    _check_size("W", W, (size(X, 2), size(X, 2)))

# kernel_grad_quad's weights `W = U' V`: `U` `(k, n)` for `X` `(d, n)`, `V` the same size
function _check_gp_weights(X::AbstractMatrix, U::AbstractMatrix, V::AbstractMatrix)
    _check_gp_columns("U", U, X)
    return _check_size("V", V, size(U))
end

# ---- the three covariance kernels: the public methods (the loops are in gp_loops.jl) -----

"""
    kernel_matrix(kind, X1, X2, lengthscale, variance, extra) -> K
    kernel_matrix(kind::StationaryKind, X1, X2, lengthscale, variance) -> K

`K[i, j] = k(X1[:, i], X2[:, j])`, an `(n1, n2)` matrix, for `X1` `(d, n1)` and `X2`
`(d, n2)`. `kind` is a name of [`GP_KINDS`](@ref) with its parameters in `extra`, or a kind
itself:

```julia
julia> X = [0.0 1.0 2.0];                      # d = 1, n = 3

julia> K = kernel_matrix(Matern52(), X, X, [1.0], 2.0);

julia> K == kernel_matrix("matern52", X, X, [1.0], 2.0, Float64[])
true
```
"""
kernel_matrix(kind::AbstractString, X1::AbstractMatrix, X2::AbstractMatrix,
              lengthscale::AbstractVector, variance::Real, extra::AbstractVector) =
    kernel_matrix(gp_kind(kind, extra), X1, X2, lengthscale, variance)

function kernel_matrix(kind::StationaryKind, X1::AbstractMatrix, X2::AbstractMatrix,
                       lengthscale::AbstractVector, variance::Real)
    _check_gp_points(X1, X2, lengthscale)
    return _loop_kernel_matrix(kind, X1, X2, _gp_host(lengthscale), Float64(variance))
end

"""
    kernel_matrix_grad(kind, X, lengthscale, variance, extra) -> (K, dK)
    kernel_matrix_grad(kind::StationaryKind, X, lengthscale, variance) -> (K, dK)

`K` is `(n, n)` for `X` `(d, n)`; `dK` is `(n, n, p)` with `dK[:, :, q]` the derivative of
`K` with respect to the `q`-th log-parameter (log lengthscale..., log variance, log extra...).
"""
kernel_matrix_grad(kind::AbstractString, X::AbstractMatrix, lengthscale::AbstractVector,
                   variance::Real, extra::AbstractVector) =
    kernel_matrix_grad(gp_kind(kind, extra), X, lengthscale, variance)

function kernel_matrix_grad(kind::StationaryKind, X::AbstractMatrix,
                            lengthscale::AbstractVector, variance::Real)
    _check_gp_points(X, lengthscale)
    return _loop_kernel_matrix_grad(kind, X, _gp_host(lengthscale), Float64(variance))
end

"""
    kernel_grad_contract(kind, X, lengthscale, variance, extra, W) -> g
    kernel_grad_contract(kind::StationaryKind, X, lengthscale, variance, W) -> g

`g[q] = sum_ij W[i, j] * dK[i, j, q]` for an `(n, n)` `W` without forming `dK` (`X` is
`(d, n)`): the log-likelihood gradient is
`kernel_grad_contract(..., (alpha alpha' - inv(K)) / 2)`.
"""
kernel_grad_contract(kind::AbstractString, X::AbstractMatrix, lengthscale::AbstractVector,
                     variance::Real, extra::AbstractVector, W::AbstractMatrix) =
    kernel_grad_contract(gp_kind(kind, extra), X, lengthscale, variance, W)

function kernel_grad_contract(kind::StationaryKind, X::AbstractMatrix,
                              lengthscale::AbstractVector, variance::Real,
                              W::AbstractMatrix)
    _check_gp_points(X, lengthscale)
    _check_gp_weights(X, W)
    return _loop_kernel_grad_contract(kind, X, _gp_host(lengthscale), Float64(variance), W)
end

"""
    kernel_matvec(kind, X1, X2, lengthscale, variance, extra, V) -> R
    kernel_matvec(kind::StationaryKind, X1, X2, lengthscale, variance, V) -> R

`R[:, i] = sum_j k(X1[:, i], X2[:, j]) * V[:, j]`: a `(k, n1)` matrix for `X1` `(d, n1)`,
`X2` `(d, n2)` and `V` `(k, n2)` (one point per column, as everywhere here), that is
`V * transpose(kernel_matrix(kind, X1, X2, ...))`, computed in tiles without the `(n1, n2)`
matrix: memory `O((n1 + n2) (d + k))`.

```julia
julia> X = [0.0 1.0 2.0]; V = [1.0 2.0 3.0];       # d = 1, n = 3, k = 1

julia> K = kernel_matrix(Matern52(), X, X, [1.0], 2.0);

julia> kernel_matvec(Matern52(), X, X, [1.0], 2.0, V) ≈ V * K
true
```
"""
kernel_matvec(kind::AbstractString, X1::AbstractMatrix, X2::AbstractMatrix,
              lengthscale::AbstractVector, variance::Real, extra::AbstractVector,
              V::AbstractMatrix) =
    kernel_matvec(gp_kind(kind, extra), X1, X2, lengthscale, variance, V)

function kernel_matvec(kind::StationaryKind, X1::AbstractMatrix, X2::AbstractMatrix,
                       lengthscale::AbstractVector, variance::Real, V::AbstractMatrix)
    _check_gp_points(X1, X2, lengthscale)
    _check_gp_columns("V", V, X2)
    return _loop_kernel_matvec(kind, X1, X2, _gp_host(lengthscale), Float64(variance), V)
end

"""
    kernel_grad_quad(kind, X, lengthscale, variance, extra, U, V) -> g
    kernel_grad_quad(kind::StationaryKind, X, lengthscale, variance, U, V) -> g

`g[q] = sum_c U[c, :]' * dK[:, :, q] * V[c, :]` for `X` `(d, n)` and `U`, `V` `(k, n)`
(one point per column), `dK` the derivatives of [`kernel_matrix_grad`](@ref) in the same
log-parameter order: the trace terms of an iterative likelihood gradient, without `K` or
`dK` (memory `O(n (d + k))`).
"""
kernel_grad_quad(kind::AbstractString, X::AbstractMatrix, lengthscale::AbstractVector,
                 variance::Real, extra::AbstractVector, U::AbstractMatrix,
                 V::AbstractMatrix) =
    kernel_grad_quad(gp_kind(kind, extra), X, lengthscale, variance, U, V)

function kernel_grad_quad(kind::StationaryKind, X::AbstractMatrix,
                          lengthscale::AbstractVector, variance::Real, U::AbstractMatrix,
                          V::AbstractMatrix)
    _check_gp_points(X, lengthscale)
    _check_gp_weights(X, U, V)
    return _loop_kernel_grad_quad(kind, X, _gp_host(lengthscale), Float64(variance), U, V)
end

"""
    cholesky(K, jitter) -> L

Lower Cholesky factor of `K + jitter * I` as a plain matrix (only the lower triangle of
`K` is read). Throws `LinearAlgebra.PosDefException` when the matrix is not positive
definite. (Not exported: call `PyJL.cholesky`; `LinearAlgebra.cholesky` is a different
function.)
"""
function cholesky(K::AbstractMatrix, jitter::Real)
    A = K + Float64(jitter) * I
    F = LinearAlgebra.cholesky!(Hermitian(A, :L); check = false)
    LinearAlgebra.issuccess(F) || throw(LinearAlgebra.PosDefException(F.info))
    return LinearAlgebra.tril!(F.factors)
end

"""
    cho_solve(L, B) -> X

`(L L') \\ B` for the lower `(n, n)` factor `L` and `B` of size `(n,)` or `(n, k)`.
"""
function cho_solve(L::AbstractMatrix, B::AbstractVecOrMat)
    LT = LowerTriangular(_gp_dense(L))
    return LT' \ (LT \ B)
end

"""
    cho_inverse(L) -> Kinv

The full `(n, n)` inverse `(L L')^-1` from the lower Cholesky factor `L`, exactly symmetric.
"""
function cho_inverse(L::AbstractMatrix)
    Ld = _gp_dense(L)
    E = fill!(similar(Ld, Float64), 0.0) + I
    Y = LowerTriangular(Ld) \ E
    Kinv = Y' * Y
    return (Kinv .+ Kinv') ./ 2
end

# ---- expected improvement (minimisation: improvement = best - xi - f) -----------------------

# erfcx(x) = exp(x^2) erfc(x) for x >= 0: a positive-term series below 2, a continued
# fraction (Lentz) above; relative error below 1e-13.
function _gp_erfcx_pos(x::Float64)
    if x < 2.0
        t, s = x, x
        for n in 0:400
            t *= 2 * x * x / (2 * n + 3)
            s += t
            t < 1e-17 * s && break
        end
        return exp(x * x) - 2 / sqrt(pi) * s
    end
    tiny = 1e-300
    f, C, D = x, x, 0.0
    for k in 1:1000
        a = k / 2
        D = x + a * D
        D = D == 0 ? tiny : D
        D = 1 / D
        C = x + a / C
        C = C == 0 ? tiny : C
        delta = C * D
        f *= delta
        abs(delta - 1) < 3e-16 && break           # within an ulp of 1 (1e-16 needs delta == 1)
    end
    return 1 / (sqrt(pi) * f)
end

_gp_erfc(x::Float64) =
    x >= 0 ? exp(-x * x) * _gp_erfcx_pos(x) : 2 - exp(-x * x) * _gp_erfcx_pos(-x)
_gp_normcdf(z::Float64) = _gp_erfc(-z / sqrt(2.0)) / 2
_gp_normpdf(z::Float64) = exp(-z * z / 2) / sqrt(2 * pi)
_gp_h(z::Float64) = _gp_normpdf(z) + z * _gp_normcdf(z)
_gp_log1mexp(x::Float64) = x > -log(2.0) ? log(-expm1(x)) : log1p(-exp(x))

const _GP_Z_TAIL = -1e6  # below, the asymptotic form (BoTorch's Float64 bound)
const _GP_Z_SURE = 40.0  # above, Phi(z) == 1 and phi(z) < 1e-347: EI is the improvement

# log(phi(z) + z Phi(z)) without underflow (Ament et al. 2023, "Unexpected improvements")
function _gp_log_h(z::Float64)
    z > -1 && return log(_gp_h(z))
    c1, c2 = log(2 * pi) / 2, log(pi / 2) / 2
    if z > _GP_Z_TAIL
        return -z * z / 2 - c1 + _gp_log1mexp(log(_gp_erfcx_pos(-z / sqrt(2.0)) * abs(z)) + c2)
    end
    return -z * z / 2 - c1 - 2 * log(abs(z))
end

function _gp_ei(mu::Real, sigma::Real, best::Float64, xi::Float64)
    imp = best - xi - Float64(mu)
    s = Float64(sigma)
    s > 0 || return max(imp, 0.0)
    z = imp / s  # Inf when imp / s overflows: then EI is imp
    z > _GP_Z_SURE && return imp
    return s * (z > -1 ? _gp_h(z) : exp(_gp_log_h(z)))
end

function _gp_logei(mu::Real, sigma::Real, best::Float64, xi::Float64)
    imp = best - xi - Float64(mu)
    s = Float64(sigma)
    s > 0 || return imp > 0 ? log(imp) : -Inf
    # log(imp), halved first so that an improvement beyond 1.8e308 has its log
    imp / s > _GP_Z_SURE && return log(best / 2 - xi / 2 - Float64(mu) / 2) + log(2.0)
    return log(s) + _gp_log_h(imp / s)
end

"""
    expected_improvement(mu, sigma, best, xi) -> ei

`E[max(best - xi - f, 0)]` for `f ~ N(mu, sigma^2)`, elementwise (minimisation).
"""
expected_improvement(mu::AbstractVector, sigma::AbstractVector, best::Real, xi::Real) =
    _gp_ei.(mu, sigma, Float64(best), Float64(xi))

"""
    log_expected_improvement(mu, sigma, best, xi) -> logei

`log` of [`expected_improvement`](@ref), accurate far in the tail where EI underflows.
"""
log_expected_improvement(mu::AbstractVector, sigma::AbstractVector, best::Real, xi::Real) =
    _gp_logei.(mu, sigma, Float64(best), Float64(xi))
