# Gaussian-process kernels: covariance matrices and their gradients, Cholesky algebra,
# expected improvement. The same names as pyjl's engine contract (pyjl/engines/contract.py).
#
# Layout: points are columns. `X`, `X1`, `X2` are `(d, n)` matrices (a C-order NumPy
# `(n, d)` array crosses the bridge as exactly this). `lengthscale` has `d` entries (ARD)
# or one (isotropic); `extra` is `[alpha]` for "rq", `[period]` for "periodic", else empty.
# Log-parameters are ordered: log lengthscale..., log variance, log extra...
# Everything is written with broadcasts over whole rows, so CUDA.jl arrays work too.

const GP_KINDS = ("rbf", "matern12", "matern32", "matern52", "rq", "periodic")

"""
    gp_kind_code(kind) -> Int

0 rbf, 1 matern12, 2 matern32, 3 matern52, 4 rq (rational quadratic), 5 periodic.
"""
function gp_kind_code(kind::AbstractString)
    for (i, name) in enumerate(GP_KINDS)
        kind == name && return i - 1
    end
    throw(ArgumentError("unknown kernel kind \"$kind\"; one of $(join(GP_KINDS, ", "))"))
end

# kappa(r2) = k / variance for the squared scaled distance r2 (kinds 0-4)
function _gp_kappa(code::Int, r2::Real, a::Real)
    code == 0 && return exp(-r2 / 2)
    code == 4 && return (1 + r2 / (2 * a))^(-a)
    r = sqrt(r2)
    code == 1 && return exp(-r)
    code == 2 && return (1 + sqrt(3.0) * r) * exp(-sqrt(3.0) * r)
    return (1 + sqrt(5.0) * r + 5 * r2 / 3) * exp(-sqrt(5.0) * r)
end

# -2 dkappa/d(r2): dk/dlog l_k = variance * gscale * ((x_k - x'_k) / l_k)^2
function _gp_gscale(code::Int, r2::Real, a::Real)
    code == 0 && return exp(-r2 / 2)
    code == 4 && return (1 + r2 / (2 * a))^(-a - 1)
    r = sqrt(r2)
    code == 1 && return r > 0 ? exp(-r) / r : zero(r)
    code == 2 && return 3 * exp(-sqrt(3.0) * r)
    return 5 * (1 + sqrt(5.0) * r) * exp(-sqrt(5.0) * r) / 3
end

# d kappa / d log alpha for the rational quadratic
function _gp_dlog_alpha(r2::Real, a::Real)
    u = r2 / (2 * a)
    return (1 + u)^(-a) * a * (u / (1 + u) - log1p(u))
end

_gp_host(v::AbstractVector) = Vector{Float64}(collect(v))
# A strided Float64 copy of a wrapped (e.g. PythonCall PyArray) matrix, so the triangular
# solves run in BLAS instead of the generic scalar fallback; dense arrays (Array, CuArray)
# pass through unchanged.
_gp_dense(A::DenseArray) = A
_gp_dense(A::AbstractArray) = Array{Float64}(A)
_gp_ls(ls::Vector{Float64}, k::Int) = length(ls) == 1 ? ls[1] : ls[k]
_gp_extra(ex::Vector{Float64}) = isempty(ex) ? 0.0 : ex[1]
_gp_nparams(code::Int, nls::Int) = nls + 1 + (code >= 4 ? 1 : 0)

# (n1, n2) matrix of X1[k, i] - X2[k, j]
_gp_diff(X1::AbstractMatrix, X2::AbstractMatrix, k::Int) = X1[k, :] .- reshape(X2[k, :], 1, :)

function _gp_sqdist(X1::AbstractMatrix, X2::AbstractMatrix, ls::Vector{Float64})
    r2 = fill!(similar(X1, Float64, size(X1, 2), size(X2, 2)), 0.0)
    for k in 1:size(X1, 1)
        l = _gp_ls(ls, k)
        r2 .+= (_gp_diff(X1, X2, k) ./ l) .^ 2
    end
    return r2
end

# S = sum_k sin^2(pi (x_k - x'_k) / p) / l_k^2; the periodic kernel is variance exp(-2 S)
function _gp_periodic_sum(X1::AbstractMatrix, X2::AbstractMatrix, ls::Vector{Float64}, p::Real)
    S = fill!(similar(X1, Float64, size(X1, 2), size(X2, 2)), 0.0)
    for k in 1:size(X1, 1)
        l = _gp_ls(ls, k)
        S .+= sin.((pi / p) .* _gp_diff(X1, X2, k)) .^ 2 ./ l^2
    end
    return S
end

"""
    kernel_matrix(kind, X1, X2, lengthscale, variance, extra) -> K

`K[i, j] = k(X1[:, i], X2[:, j])`, an `(n1, n2)` matrix, for `X1` `(d, n1)`, `X2` `(d, n2)`.
From Python, NumPy `(n, d)` point sets arrive as these `(d, n)` matrices; the `(n1, n2)`
result reaches NumPy as its `(n2, n1)` transpose, which the `julia` engine transposes back.
"""
function kernel_matrix(kind::AbstractString, X1::AbstractMatrix, X2::AbstractMatrix,
                       lengthscale::AbstractVector, variance::Real, extra::AbstractVector)
    code = gp_kind_code(kind)
    ls, ex, var = _gp_host(lengthscale), _gp_extra(_gp_host(extra)), Float64(variance)
    if code == 5
        return var .* exp.(-2 .* _gp_periodic_sum(X1, X2, ls, ex))
    end
    r2 = _gp_sqdist(X1, X2, ls)
    return var .* _gp_kappa.(code, r2, ex)
end

"""
    kernel_matrix_grad(kind, X, lengthscale, variance, extra) -> (K, dK)

`K` is `(n, n)`; `dK` is `(n, n, p)` with `dK[:, :, q]` the derivative of `K` with respect
to the `q`-th log-parameter (log lengthscale..., log variance, log extra...). Both are
symmetric in the point axes, so through the bridge `dK` is NumPy's `(p, n, n)` as it is.
"""
function kernel_matrix_grad(kind::AbstractString, X::AbstractMatrix,
                            lengthscale::AbstractVector, variance::Real, extra::AbstractVector)
    code = gp_kind_code(kind)
    ls, ex, var = _gp_host(lengthscale), _gp_extra(_gp_host(extra)), Float64(variance)
    n, d, nls = size(X, 2), size(X, 1), length(ls)
    dK = fill!(similar(X, Float64, n, n, _gp_nparams(code, nls)), 0.0)
    if code == 5
        K = var .* exp.(-2 .* _gp_periodic_sum(X, X, ls, ex))
        acc = fill!(similar(K), 0.0)
        for k in 1:d
            l = _gp_ls(ls, k)
            arg = (pi / ex) .* _gp_diff(X, X, k)
            s = sin.(arg)
            q = nls > 1 ? k : 1
            dK[:, :, q] .+= 4 .* K .* s .^ 2 ./ l^2
            acc .+= arg .* s .* cos.(arg) ./ l^2
        end
        dK[:, :, nls + 1] .= K
        dK[:, :, nls + 2] .= 4 .* K .* acc
        return K, dK
    end
    r2 = _gp_sqdist(X, X, ls)
    K = var .* _gp_kappa.(code, r2, ex)
    G = var .* _gp_gscale.(code, r2, ex)
    if nls == 1
        dK[:, :, 1] .= G .* r2
    else
        for k in 1:d
            dK[:, :, k] .= G .* (_gp_diff(X, X, k) ./ ls[k]) .^ 2
        end
    end
    dK[:, :, nls + 1] .= K
    if code == 4
        dK[:, :, nls + 2] .= var .* _gp_dlog_alpha.(r2, ex)
    end
    return K, dK
end

"""
    kernel_grad_contract(kind, X, lengthscale, variance, extra, W) -> g

`g[q] = sum_ij W[i, j] * dK[i, j, q]` for a symmetric `(n, n)` `W` without forming `dK`:
the log-likelihood gradient is `kernel_grad_contract(..., (alpha alpha' - inv(K)) / 2)`.
`X` is `(d, n)`; `W` is indexed as NumPy indexes it (the `julia` engine sends `W.T`).
"""
function kernel_grad_contract(kind::AbstractString, X::AbstractMatrix,
                              lengthscale::AbstractVector, variance::Real,
                              extra::AbstractVector, W::AbstractMatrix)
    code = gp_kind_code(kind)
    ls, ex, var = _gp_host(lengthscale), _gp_extra(_gp_host(extra)), Float64(variance)
    d, nls = size(X, 1), length(ls)
    g = zeros(Float64, _gp_nparams(code, nls))
    if code == 5
        WK = W .* (var .* exp.(-2 .* _gp_periodic_sum(X, X, ls, ex)))
        for k in 1:d
            l = _gp_ls(ls, k)
            arg = (pi / ex) .* _gp_diff(X, X, k)
            s = sin.(arg)
            g[nls > 1 ? k : 1] += 4 * sum(WK .* s .^ 2) / l^2
            g[nls + 2] += 4 * sum(WK .* arg .* s .* cos.(arg)) / l^2
        end
        g[nls + 1] = sum(WK)
        return g
    end
    r2 = _gp_sqdist(X, X, ls)
    WG = W .* (var .* _gp_gscale.(code, r2, ex))
    if nls == 1
        g[1] = sum(WG .* r2)
    else
        for k in 1:d
            g[k] = sum(WG .* (_gp_diff(X, X, k) ./ ls[k]) .^ 2)
        end
    end
    g[nls + 1] = var * sum(W .* _gp_kappa.(code, r2, ex))
    if code == 4
        g[nls + 2] = var * sum(W .* _gp_dlog_alpha.(r2, ex))
    end
    return g
end

"""
    cholesky(K, jitter) -> L

Lower Cholesky factor of `K + jitter * I` as a plain matrix (only the lower triangle of
`K` is read). Throws `LinearAlgebra.PosDefException` when the matrix is not positive
definite. (Not exported: call `PyJL.cholesky`; `LinearAlgebra.cholesky` is a different
function.) Matrices here are indexed as in NumPy: the `julia` engine sends `K.T` and
transposes `L` back.
"""
function cholesky(K::AbstractMatrix, jitter::Real)
    A = K + Float64(jitter) * I
    F = LinearAlgebra.cholesky!(Hermitian(A, :L); check = false)
    LinearAlgebra.issuccess(F) || throw(LinearAlgebra.PosDefException(F.info))
    return LinearAlgebra.tril!(F.factors)
end

"""
    cho_solve(L, B) -> X

`(L L') \\ B` for the lower factor `L` and `B` of size `(n,)` or `(n, k)`, all indexed as
in NumPy (the `julia` engine sends `L.T` and `B.T` and transposes a matrix result back).
"""
function cho_solve(L::AbstractMatrix, B::AbstractVecOrMat)
    LT = LowerTriangular(_gp_dense(L))
    return LT' \ (LT \ B)
end

"""
    cho_inverse(L) -> Kinv

The full symmetric inverse `(L L')^-1` from the lower Cholesky factor `L` (indexed as in
NumPy: the `julia` engine sends `L.T`); exactly symmetric, so no transpose on the way back.
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

_gp_erfc(x::Float64) = x >= 0 ? exp(-x * x) * _gp_erfcx_pos(x) : 2 - exp(-x * x) * _gp_erfcx_pos(-x)
_gp_normcdf(z::Float64) = _gp_erfc(-z / sqrt(2.0)) / 2
_gp_normpdf(z::Float64) = exp(-z * z / 2) / sqrt(2 * pi)
_gp_h(z::Float64) = _gp_normpdf(z) + z * _gp_normcdf(z)
_gp_log1mexp(x::Float64) = x > -log(2.0) ? log(-expm1(x)) : log1p(-exp(x))

# log(phi(z) + z Phi(z)) without underflow (Ament et al. 2023, "Unexpected improvements")
function _gp_log_h(z::Float64)
    z > -1 && return log(_gp_h(z))
    c1, c2 = log(2 * pi) / 2, log(pi / 2) / 2
    if z > -1e8
        return -z * z / 2 - c1 + _gp_log1mexp(log(_gp_erfcx_pos(-z / sqrt(2.0)) * abs(z)) + c2)
    end
    return -z * z / 2 - c1 - 2 * log(abs(z))
end

function _gp_ei(mu::Real, sigma::Real, best::Float64, xi::Float64)
    imp = best - xi - Float64(mu)
    s = Float64(sigma)
    s > 0 || return max(imp, 0.0)
    z = imp / s
    return s * (z > -1 ? _gp_h(z) : exp(_gp_log_h(z)))
end

function _gp_logei(mu::Real, sigma::Real, best::Float64, xi::Float64)
    imp = best - xi - Float64(mu)
    s = Float64(sigma)
    s > 0 || return imp > 0 ? log(imp) : -Inf
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
