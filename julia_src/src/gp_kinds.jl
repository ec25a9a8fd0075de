# GP kernel kinds: one immutable struct per stationary kernel and its one-line `kappa`,
# and the one table from the engine contract's kind names to them. The matrices, their
# gradients and contractions built from a kind are in gp.jl.

"""
    StationaryKind

A stationary covariance kernel up to its variance and lengthscales. A kind is a small
immutable (isbits) struct whose fields are its own parameters, in the order of the
`extra` vector; the log-parameter derivatives list them after the variance.

A kind of the form `k(x, x') = variance * kappa(kind, r2)`, with
`r2 = sum_k ((x_k - x'_k) / l_k)^2`, defines `kappa(kind, r2)` and
`gscale(kind, r2) = -2 d kappa / d r2`; a kind with fields also defines
`dkappa_dlogextra(kind, r2, q)`. [`Periodic`](@ref) is not a function of `r2` and has
its own methods of the matrix, gradient and contraction.
"""
abstract type StationaryKind end

# A squared scaled distance (or one feature's part of it) at most this: points about 1e153
# lengthscales apart get the limits of the formulas (0), not Inf * 0 = NaN (the native
# kernels' PYJL_R2_MAX, bindings/include/pyjl_gp.h).
const GP_R2_MAX = 1e306
_gp_sq(t::Float64) = min(t * t, GP_R2_MAX)

# a * b / l^2 of the periodic kind, where l^2 may underflow (a lengthscale below 1e-154):
# then (a / l) * (b / l) within +-GP_R2_MAX, so that a point and itself give 0, not 0 / 0
_gp_over_l2(a::Float64, b::Float64, l::Float64) =
    l > 1e-150 ? a * b / l^2 : clamp((a / l) * (b / l), -GP_R2_MAX, GP_R2_MAX)

# a kind is a scalar in broadcasts (an isbits Ref, which CUDA.jl moves to the device)
Base.broadcastable(kind::StationaryKind) = Ref(kind)

"""
    nextra(kind) -> Int

The number of the kind's own parameters (its fields): 0, or 1 for `rq` and `periodic`.
"""
nextra(kind::StationaryKind) = fieldcount(typeof(kind))

"Squared exponential: `kappa = exp(-r2 / 2)`."
struct RBF <: StationaryKind end
kappa(::RBF, r2::Real) = exp(-r2 / 2)
gscale(::RBF, r2::Real) = exp(-r2 / 2)

"Matérn ν = 1/2 (exponential): `kappa = exp(-r)`, `r = sqrt(r2)`."
struct Matern12 <: StationaryKind end
kappa(::Matern12, r2::Real) = exp(-sqrt(r2))
gscale(::Matern12, r2::Real) = r2 > 0 ? exp(-sqrt(r2)) / sqrt(r2) : zero(r2)

"Matérn ν = 3/2: `kappa = (1 + sqrt(3) r) exp(-sqrt(3) r)`."
struct Matern32 <: StationaryKind end
kappa(::Matern32, r2::Real) = (1 + sqrt(3.0) * sqrt(r2)) * exp(-sqrt(3.0) * sqrt(r2))
gscale(::Matern32, r2::Real) = 3 * exp(-sqrt(3.0) * sqrt(r2))

"Matérn ν = 5/2: `kappa = (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)`."
struct Matern52 <: StationaryKind end
kappa(::Matern52, r2::Real) = (1 + sqrt(5.0) * sqrt(r2) + 5 * r2 / 3) * exp(-sqrt(5.0) * sqrt(r2))
gscale(::Matern52, r2::Real) = 5 * (1 + sqrt(5.0) * sqrt(r2)) * exp(-sqrt(5.0) * sqrt(r2)) / 3

"Rational quadratic: `kappa = (1 + r2 / (2 alpha))^(-alpha)`."
struct RationalQuadratic <: StationaryKind
    alpha::Float64
end
kappa(k::RationalQuadratic, r2::Real) = (1 + r2 / (2 * k.alpha))^(-k.alpha)
gscale(k::RationalQuadratic, r2::Real) = (1 + r2 / (2 * k.alpha))^(-k.alpha - 1)
function dkappa_dlogextra(k::RationalQuadratic, r2::Real, q::Int)   # q = 1: log alpha
    a = k.alpha
    u = r2 / (2 * a)
    k = (1 + u)^(-a)
    return k == 0 ? zero(k) : k * a * (u / (1 + u) - log1p(u))  # u overflowed: the limit
end

"Periodic: `k = variance exp(-2 sum_k sin^2(pi (x_k - x'_k) / period) / l_k^2)`."
struct Periodic <: StationaryKind
    period::Float64
end

"""
    GP_KINDS

The kernel kinds by the names of pyjl's engine contract (`pyjl.engines.contract.GP_KINDS`,
same names, same order): `name => kind type`. A kind's fields are built from `extra`.
"""
const GP_KINDS = (
    "rbf" => RBF,
    "matern12" => Matern12,
    "matern32" => Matern32,
    "matern52" => Matern52,
    "rq" => RationalQuadratic,
    "periodic" => Periodic,
)

"""
    gp_kind(name, extra) -> StationaryKind

The kind called `name` in [`GP_KINDS`](@ref), its fields taken from `extra` in order:
`gp_kind("rq", [0.8]) == RationalQuadratic(0.8)`, `gp_kind("rbf", Float64[]) == RBF()`.
"""
function gp_kind(name::AbstractString, extra::AbstractVector)
    for (kname, K) in GP_KINDS
        kname == name || continue
        length(extra) == fieldcount(K) ||
            throw(ArgumentError("kernel kind \"$name\" takes $(fieldcount(K)) extra " *
                                "parameter(s) $(fieldnames(K)), got $(length(extra))"))
        return K(extra...)
    end
    throw(ArgumentError("unknown kernel kind \"$name\"; one of $(join(first.(GP_KINDS), ", "))"))
end
