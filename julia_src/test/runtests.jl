# PyJL's tests: `julia --project=julia_src -e 'using Pkg; Pkg.test()'`.
#
# Each family's tests live in test/<family>.jl (gp.jl, hmm.jl, dsp.jl) and check the
# kernels against the conformance vectors shared with the Python tests,
# tests/vectors/<family>_*.toml at the root of the source checkout; alloc.jl bounds what
# every kernel allocates and checks that its result type is inferred. An installed copy
# (pyjl/_julia inside a Python environment) has no vectors: `vector_files` then
# returns nothing and says so, and the family files skip those checks.
using PyJL
using Test
using TOML

"Directory of the shared conformance vectors (present in a source checkout only).
`realpath` first: pyjl may reach this file through the link `pyjl/_julia -> julia_src`."
const VECTOR_DIR = normpath(joinpath(realpath(@__DIR__), "..", "..", "tests", "vectors"))

"""
    vector_files(family) -> Vector{String}

Paths of `tests/vectors/<family>_*.toml`, sorted; empty, with a message, when the
vectors are not there (the installed copy of PyJL).
"""
function vector_files(family::AbstractString)
    if !isdir(VECTOR_DIR)
        @info("no conformance vectors at $(VECTOR_DIR) (installed copy?); " *
              "skipping $(family) vectors")
        return String[]
    end
    names = filter(f -> startswith(f, family * "_") && endswith(f, ".toml"), readdir(VECTOR_DIR))
    isempty(names) && @info "no $(family)_*.toml vectors in $(VECTOR_DIR)"
    return [joinpath(VECTOR_DIR, f) for f in sort(names)]
end

"""
    load_vectors(family) -> Vector{Dict{String,Any}}

Every vector file of `family`, parsed with the stdlib TOML (one `Dict` per file).
"""
load_vectors(family::AbstractString) = [TOML.parsefile(f) for f in vector_files(family)]

@testset "PyJL" begin
    for family in ("gp", "hmm", "dsp")
        file = joinpath(@__DIR__, family * ".jl")
        if isfile(file)
            @testset "$(family)" begin
                include(file)
            end
        else
            @info "test/$(family).jl not written yet; skipping $(family)"
        end
    end
    # every kernel type-stable, allocating only its results and stated work arrays
    @testset "allocations" begin
        include("alloc.jl")
    end
end
