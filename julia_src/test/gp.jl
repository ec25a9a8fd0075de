# GP kernels against the conformance vectors in tests/vectors/gp_*.toml (written from
# scikit-learn, NumPy and mpmath by tests/gp/make_vectors.py). Matrices there are flattened
# row-major (NumPy C order): a NumPy (n, d) point set reads as reshape(v, d, n), the
# (d, n) column-per-point layout the kernels take.
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
            end
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
                @test gp_close(cho_solve(L, B[:, 1]), gp_matrix(c["solve"], n, k)[:, 1]; rtol = 1e-9)
                @test gp_close(PyJL.cho_inverse(L), gp_matrix(c["inverse"], n, n); rtol = 1e-9)
                L2 = PyJL.cholesky(K, 0.5)
                @test gp_close(L2 * L2', K + 0.5 * I; rtol = 1e-12)
                Kup = copy(K)
                Kup[1, n] = 1e6                       # only the lower triangle is read
                @test PyJL.cholesky(Kup, 0.0) == L
                Lw = transpose(permutedims(L))        # a wrapped, non-dense factor (like a PyArray)
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
