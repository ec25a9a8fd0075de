# GP kernels against the conformance vectors in tests/vectors/gp_*.toml (written from
# scikit-learn, NumPy and mpmath by tests/gp/make_vectors.py), and the kinds' own formulas
# against finite differences. The vectors hold matrices flattened row by row, so `n` points
# in `d` dimensions read as reshape(v, d, n), one point per column.
using Test
using TOML
using LinearAlgebra
using PyJL

# runtests.jl defines VECTOR_DIR; standalone runs find the vectors from this file's place
GP_VECTORS = isdefined(@__MODULE__, :VECTOR_DIR) ? VECTOR_DIR :
             normpath(joinpath(realpath(@__DIR__), "..", "..", "tests", "vectors"))

gp_f64(v) = Float64.(v)
gp_points(v, n, d) = reshape(gp_f64(v), Int(d), Int(n))
gp_matrix(v, rows, cols) = permutedims(reshape(gp_f64(v), Int(cols), Int(rows)))
gp_close(a, b; rtol = 1e-10, atol = 1e-13) = all(isapprox.(a, b; rtol = rtol, atol = atol))

function gp_vectors(name)
    path = joinpath(GP_VECTORS, "gp_$(name).toml")
    return isfile(path) ? TOML.parsefile(path) : nothing
end

@testset "gp" begin
    kernels = gp_vectors("kernels")
    if kernels === nothing
        @warn "GP conformance vectors not found under $GP_VECTORS; kernel cases skipped"
    else
        for c in kernels["kernel"]
            @testset "kernel $(c["kind"]) d=$(c["d"]) nls=$(length(c["lengthscale"]))" begin
                n1, n2, d, p = Int(c["n1"]), Int(c["n2"]), Int(c["d"]), Int(c["p"])
                X1, X2 = gp_points(c["X1"], n1, d), gp_points(c["X2"], n2, d)
                ls, ex, var = gp_f64(c["lengthscale"]), gp_f64(c["extra"]), Float64(c["variance"])
                K12 = kernel_matrix(c["kind"], X1, X2, ls, var, ex)
                @test size(K12) == (n1, n2)
                @test gp_close(K12, gp_matrix(c["K12"], n1, n2); rtol = 1e-11, atol = 1e-14)
                K, dK = kernel_matrix_grad(c["kind"], X1, ls, var, ex)
                @test gp_close(K, gp_matrix(c["K11"], n1, n1); rtol = 1e-11, atol = 1e-14)
                want = permutedims(reshape(gp_f64(c["dK11"]), n1, n1, p), (2, 1, 3))
                @test size(dK) == (n1, n1, p)
                @test gp_close(dK, want; rtol = 1e-9, atol = 1e-12)
                W = gp_matrix(c["W"], n1, n1)
                g = kernel_grad_contract(c["kind"], X1, ls, var, ex, W)
                @test gp_close(g, gp_f64(c["contract"]); rtol = 1e-9, atol = 1e-11)
                kind = PyJL.gp_kind(c["kind"], ex)        # the same kernel, as a type
                @test kernel_matrix(kind, X1, X2, ls, var) == K12
                @test kernel_matrix_grad(kind, X1, ls, var) == (K, dK)
                @test kernel_grad_contract(kind, X1, ls, var, W) == g
            end
        end
    end

    @testset "kinds" begin
        @test allunique(first.(PyJL.GP_KINDS))            # the names: tests/julia checks them
        @test all(isbitstype, last.(PyJL.GP_KINDS))
        @test PyJL.gp_kind("rbf", Float64[]) === RBF()
        @test PyJL.gp_kind("rq", [0.8]) === RationalQuadratic(0.8)
        @test PyJL.gp_kind("periodic", [1.3]) === Periodic(1.3)
        @test_throws ArgumentError PyJL.gp_kind("cosine", Float64[])
        @test_throws ArgumentError PyJL.gp_kind("rq", Float64[])
        @test_throws ArgumentError PyJL.gp_kind("rbf", [1.0])
        @test PyJL.nextra(Matern32()) == 0
        @test PyJL.nextra(RationalQuadratic(2.0)) == 1
        @test PyJL.nextra(Periodic(1.0)) == 1

        # closed forms at r2 = 0 and 1, d = 1, unit lengthscale, variance 2
        X = [0.0 1.0]
        x0 = X[:, 1:1]
        @test vec(kernel_matrix(RBF(), X, x0, [1.0], 2.0)) ≈ [2.0, 2 * exp(-0.5)]
        @test vec(kernel_matrix(Matern12(), X, x0, [1.0], 2.0)) ≈ [2.0, 2 * exp(-1.0)]
        @test vec(kernel_matrix(Periodic(4.0), X, x0, [1.0], 2.0)) ≈
              [2.0, 2 * exp(-2 * sin(pi / 4)^2)]

        # every kind of the form kappa(r2): gscale = -2 dkappa/dr2 and the derivatives by
        # its log parameters against central differences (every parameter 0.7)
        h = 1e-6
        for (_, K) in PyJL.GP_KINDS
            hasmethod(PyJL.kappa, Tuple{K, Float64}) || continue    # periodic: own methods
            p = fill(0.7, fieldcount(K))
            kind = K(p...)
            for r2 in (0.05, 0.6, 2.5)
                fd = -2 * (PyJL.kappa(kind, r2 + h) - PyJL.kappa(kind, r2 - h)) / (2h)
                @test isapprox(PyJL.gscale(kind, r2), fd; rtol = 1e-7)
                for q in 1:fieldcount(K)
                    up, down = copy(p), copy(p)
                    up[q] *= exp(h)
                    down[q] *= exp(-h)
                    fd = (PyJL.kappa(K(up...), r2) - PyJL.kappa(K(down...), r2)) / (2h)
                    @test isapprox(PyJL.dkappa_dlogextra(kind, r2, q), fd; rtol = 1e-7)
                end
            end
        end
    end

    # Host arrays take loops over entries (gp_loops.jl); CuArrays the broadcast forms
    # (gp_broadcast.jl). Both on plain arrays: equal to rounding (the loops scale the points
    # first), for odd and even n (the contraction pairs columns) and a non-symmetric W.
    for n in (1, 4, 7), (name, Kind) in PyJL.GP_KINDS
        @testset "loops against broadcasts, $(name) n=$(n)" begin
            kind = Kind(fill(0.9, fieldcount(Kind))...)
            d = 3
            X1 = [sin(1.3 * i + 0.7 * k) for k in 1:d, i in 1:n]
            X2 = [cos(0.9 * i - 0.4 * k) for k in 1:d, i in 1:(n + 2)]
            W = [1 / (1 + i + 2j) for i in 1:n, j in 1:n]
            for ls in ([0.8], [0.6, 1.1, 1.7])
                @test gp_close(kernel_matrix(kind, X1, X2, ls, 1.3),
                               PyJL._broadcast_kernel_matrix(kind, X1, X2, ls, 1.3);
                               rtol = 1e-12, atol = 0.0)
                K0, dK0 = PyJL._broadcast_kernel_matrix_grad(kind, X1, ls, 1.3)
                K1, dK1 = kernel_matrix_grad(kind, X1, ls, 1.3)
                @test gp_close(K1, K0; rtol = 1e-12, atol = 0.0)
                @test size(dK1) == size(dK0) && gp_close(dK1, dK0; rtol = 1e-11, atol = 1e-14)
                @test gp_close(kernel_grad_contract(kind, X1, ls, 1.3, W),
                               PyJL._broadcast_kernel_grad_contract(kind, X1, ls, 1.3, W);
                               rtol = 1e-10, atol = 1e-12)
            end
        end
    end

    # the matrix-free products: V, U, W and R are one point per column (k x n), the
    # transpose-free reading of NumPy's row-major (n, k)
    matvec = gp_vectors("matvec")
    if matvec !== nothing
        for c in matvec["matvec"]
            @testset "matvec $(c["kind"]) $(c["n1"])x$(c["n2"]) k=$(c["k"])" begin
                n1, n2, d, k = Int(c["n1"]), Int(c["n2"]), Int(c["d"]), Int(c["k"])
                X1, X2 = gp_points(c["X1"], n1, d), gp_points(c["X2"], n2, d)
                ls, ex, var = gp_f64(c["lengthscale"]), gp_f64(c["extra"]), Float64(c["variance"])
                V, R = gp_points(c["V"], n2, k), gp_points(c["R"], n1, k)
                U, W = gp_points(c["U"], n1, k), gp_points(c["W"], n1, k)
                @test gp_close(kernel_matvec(c["kind"], X1, X2, ls, var, ex, V), R;
                               rtol = 1e-11, atol = 1e-13)
                @test gp_close(kernel_grad_quad(c["kind"], X1, ls, var, ex, U, W),
                               gp_f64(c["quad"]); rtol = 1e-9, atol = 1e-11)
                kind = PyJL.gp_kind(c["kind"], ex)
                @test gp_close(PyJL._broadcast_kernel_matvec(kind, X1, X2, ls, var, V), R;
                               rtol = 1e-11, atol = 1e-13)
                @test gp_close(PyJL._broadcast_kernel_grad_quad(kind, X1, ls, var, U, W),
                               gp_f64(c["quad"]); rtol = 1e-9, atol = 1e-11)
            end
        end
    end

    # more points than a block and a tile of the loops (32, 256), and several blocks of the
    # broadcasts (at most 1000 entries each): the products against the dense matrices
    @testset "matrix-free products against dense, $(name)" for (name, Kind) in PyJL.GP_KINDS
        kind = Kind(fill(0.9, fieldcount(Kind))...)
        n1, n2, d, k = 45, 300, 2, 3
        X1 = [sin(1.3 * i + 0.7 * q) for q in 1:d, i in 1:n1]
        X2 = [cos(0.9 * i - 0.4 * q) for q in 1:d, i in 1:n2]
        V = [sin(0.05 * i * c) for c in 1:k, i in 1:n2]
        U = [cos(0.3 * i + c) for c in 1:k, i in 1:n1]
        U2 = [sin(0.7 * i - c) for c in 1:k, i in 1:n1]
        for ls in ([0.8], [0.6, 1.1])
            want = V * transpose(kernel_matrix(kind, X1, X2, ls, 1.3))
            @test gp_close(kernel_matvec(kind, X1, X2, ls, 1.3, V), want;
                           rtol = 1e-11, atol = 1e-12)
            @test gp_close(PyJL._broadcast_kernel_matvec(kind, X1, X2, ls, 1.3, V;
                                                         entries = 1000), want;
                           rtol = 1e-11, atol = 1e-12)
            _, dK = kernel_matrix_grad(kind, X1, ls, 1.3)
            g = [sum(U[c, a] * dK[a, b, q] * U2[c, b] for c in 1:k, a in 1:n1, b in 1:n1)
                 for q in axes(dK, 3)]
            @test gp_close(kernel_grad_quad(kind, X1, ls, 1.3, U, U2), g;
                           rtol = 1e-10, atol = 1e-11)
            @test gp_close(PyJL._broadcast_kernel_grad_quad(kind, X1, ls, 1.3, U, U2;
                                                            entries = 1000), g;
                           rtol = 1e-10, atol = 1e-11)
        end
    end

    linalg = gp_vectors("linalg")
    if linalg !== nothing
        for c in linalg["linalg"]
            @testset "linalg n=$(c["n"])" begin
                n, k = Int(c["n"]), Int(c["k"])
                K, B = gp_matrix(c["K"], n, n), gp_matrix(c["B"], n, k)
                L = PyJL.cholesky(K, 0.0)
                @test gp_close(L, gp_matrix(c["L"], n, n))
                @test gp_close(cho_solve(L, B), gp_matrix(c["solve"], n, k); rtol = 1e-9)
                @test gp_close(cho_solve(L, B[:, 1]), gp_matrix(c["solve"], n, k)[:, 1];
                               rtol = 1e-9)
                @test gp_close(PyJL.cho_inverse(L), gp_matrix(c["inverse"], n, n); rtol = 1e-9)
                L2 = PyJL.cholesky(K, 0.5)
                @test gp_close(L2 * L2', K + 0.5 * I; rtol = 1e-12)
                Kup = copy(K)
                Kup[1, n] = 1e6                       # only the lower triangle is read
                @test PyJL.cholesky(Kup, 0.0) == L
                Lw = transpose(permutedims(L))        # a wrapped, non-dense factor (a PyArray)
                @test gp_close(cho_solve(Lw, B), cho_solve(L, B); rtol = 1e-13)
                @test gp_close(PyJL.cho_inverse(Lw), PyJL.cho_inverse(L); rtol = 1e-13)
            end
        end
        @test_throws LinearAlgebra.PosDefException PyJL.cholesky([1.0 2.0; 2.0 1.0], 0.0)
    end

    acq = gp_vectors("acquisition")
    if acq !== nothing
        @testset "expected improvement" begin
            c = acq["acquisition"][1]
            mu, sigma = gp_f64(c["mu"]), gp_f64(c["sigma"])
            best, xi = Float64(c["best"]), Float64(c["xi"])
            @test gp_close(expected_improvement(mu, sigma, best, xi), gp_f64(c["ei"]);
                           rtol = 1e-10, atol = 0.0)
            @test gp_close(log_expected_improvement(mu, sigma, best, xi), gp_f64(c["logei"]);
                           rtol = 1e-10, atol = 0.0)
        end
    end
end

@testset "gp kernels refuse arguments of the wrong shape" begin
    # the loops index under @inbounds: every shape is checked before them
    X = [sin(1.3 * i + 0.7 * k) for k in 1:3, i in 1:4]           # d = 3, n = 4
    X2 = [cos(0.9 * i - 0.4 * k) for k in 1:3, i in 1:5]          # d = 3, n2 = 5
    ls = [0.6, 1.1, 1.7]
    W = [1 / (1 + i + 2j) for i in 1:4, j in 1:4]
    U, V = ones(2, 4), ones(2, 5)                                  # k = 2
    for kind in (RBF(), RationalQuadratic(0.9), Periodic(0.9))
        # the right shapes run
        @test size(kernel_matrix(kind, X, X2, ls, 1.3)) == (4, 5)
        p = 3 + 1 + PyJL.nextra(kind)                              # log-parameters
        @test size(kernel_matrix_grad(kind, X, ls, 1.3)[2]) == (4, 4, p)
        @test length(kernel_grad_contract(kind, X, ls, 1.3, W)) == p
        @test size(kernel_matvec(kind, X, X2, ls, 1.3, V)) == (2, 4)
        @test length(kernel_grad_quad(kind, X, ls, 1.3, U, U)) == p
        # X1 and X2 of different dimensions d
        @test_throws DimensionMismatch kernel_matrix(kind, X, X2[1:2, :], ls, 1.3)
        @test_throws DimensionMismatch kernel_matvec(kind, X, X2[1:2, :], ls, 1.3, V)
        # lengthscales neither one nor d (2 < d: dK's third dimension would be too short)
        for bad in ([0.6, 1.1], [0.6, 1.1, 1.7, 2.0], Float64[])
            @test_throws DimensionMismatch kernel_matrix(kind, X, X2, bad, 1.3)
            @test_throws DimensionMismatch kernel_matrix_grad(kind, X, bad, 1.3)
            @test_throws DimensionMismatch kernel_grad_contract(kind, X, bad, 1.3, W)
            @test_throws DimensionMismatch kernel_matvec(kind, X, X2, bad, 1.3, V)
            @test_throws DimensionMismatch kernel_grad_quad(kind, X, bad, 1.3, U, U)
        end
        # W (n, n); V of kernel_matvec one column per point of X2; U (k, n), V its size
        @test_throws DimensionMismatch kernel_grad_contract(kind, X, ls, 1.3, W[:, 1:3])
        @test_throws DimensionMismatch kernel_grad_contract(kind, X, ls, 1.3, ones(5, 5))
        @test_throws DimensionMismatch kernel_matvec(kind, X, X2, ls, 1.3, ones(2, 4))
        @test_throws DimensionMismatch kernel_grad_quad(kind, X, ls, 1.3, U, ones(2, 5))
        @test_throws DimensionMismatch kernel_grad_quad(kind, X, ls, 1.3, U, ones(3, 4))
        @test_throws DimensionMismatch kernel_grad_quad(kind, X, ls, 1.3, ones(2, 5),
                                                        ones(2, 5))
    end
    # the methods taking a kind name check the same
    @test_throws DimensionMismatch kernel_matrix("rbf", X, X2, [0.6, 1.1], 1.3, Float64[])
    @test_throws DimensionMismatch kernel_grad_contract("rq", X, ls, 1.3, [0.9], ones(3, 3))
    @test_throws DimensionMismatch kernel_grad_quad("periodic", X, ls, 1.3, [0.9], U, V)
end

@testset "points 1e160 lengthscales apart: the formulas' limits, never NaN" begin
    # the squared scaled distance overflows; the kinds of the form kappa(r2) take it as
    # GP_R2_MAX, where every value and gradient term is its limit (the native kernels'
    # PYJL_R2_MAX); the loops and the broadcasts alike
    X = [0.0 1.0 1e160; 0.5 0.2 0.1]                               # d = 2, n = 3
    W = [1.0 0.5 0.25; 0.5 1.0 0.5; 0.25 0.5 1.0]
    for (name, Kind) in PyJL.GP_KINDS
        Kind === Periodic && continue                              # not a function of r2
        kind = Kind(fill(0.9, fieldcount(Kind))...)
        for ls in ([0.8], [0.6, 1.1])
            K, dK = kernel_matrix_grad(kind, X, ls, 1.3)
            @test all(isfinite, K) && all(isfinite, dK)
            @test K[1, 3] == K[3, 1] == 0.0 || Kind === RationalQuadratic
            Kb, dKb = PyJL._broadcast_kernel_matrix_grad(kind, X, ls, 1.3)
            @test all(isfinite, Kb) && all(isfinite, dKb)
            g = kernel_grad_contract(kind, X, ls, 1.3, W)
            @test all(isfinite, g)
            @test gp_close(g, [sum(W .* dK[:, :, q]) for q in axes(dK, 3)];
                           rtol = 1e-12, atol = 1e-300)
            @test all(isfinite, kernel_matvec(kind, X, X, ls, 1.3, ones(2, 3)))
        end
    end
    # the periodic kind at a lengthscale whose square underflows: a point and itself
    # still give the variance, the others 0, every gradient term finite
    Y = [0.1 0.3 0.45; 0.2 0.25 0.9]
    for ls in ([1e-200], [1e-200, 1e-170])
        K, dK = kernel_matrix_grad(Periodic(0.9), Y, ls, 1.3)
        @test K == [1.3 0 0; 0 1.3 0; 0 0 1.3]
        @test all(isfinite, dK)
        Kb, dKb = PyJL._broadcast_kernel_matrix_grad(Periodic(0.9), Y, ls, 1.3)
        @test Kb == K && all(isfinite, dKb)
        @test all(isfinite, kernel_grad_contract(Periodic(0.9), Y, ls, 1.3, W))
    end
end
