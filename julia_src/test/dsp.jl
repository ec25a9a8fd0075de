# DSP kernels against tests/vectors/dsp_kernels.toml (answers from SciPy/NumPy).
# Vectors are in NumPy C order; `cols` turns a list of channels into the Julia
# layout (one channel per column; an (S, 6) `sos` becomes 6 x S), `arr3` a (C, A, B)
# nested list into (B, A, C).

cols(v) = hcat([Float64.(ch) for ch in v]...)
vec64(v) = Float64.(v)
function arr3(v)
    C, A, B = length(v), length(v[1]), length(v[1][1])
    out = zeros(Float64, B, A, C)
    for c in 1:C, a in 1:A, b in 1:B
        out[b, a, c] = v[c][a][b]
    end
    return out
end
close_to(got, want) = isapprox(got, want; rtol=1e-10, atol=1e-12 * max(1.0, maximum(abs, want)))

for data in load_vectors("dsp")
    for (i, case) in enumerate(data["case"])
        kernel = case["kernel"]
        @testset "$(kernel) case $(i)" begin
            x = cols(case["x"])
            if kernel == "sosfilt"
                zi = arr3(case["zi"])
                y, zf = PyJL.sosfilt(cols(case["sos"]), x, zi)
                @test close_to(y, cols(case["y"]))
                @test close_to(zf, arr3(case["zf"]))
                @test zi == arr3(case["zi"])          # the initial state is never written
                y0, zf0 = PyJL.sosfilt(cols(case["sos"]), x, nothing)
                @test y0 == PyJL.sosfilt(cols(case["sos"]), x, zero(zi))[1]
                @test size(zf0) == size(zi)
            elseif kernel == "lfilter"
                zi = cols(case["zi"])
                y, zf = PyJL.lfilter(vec64(case["b"]), vec64(case["a"]), x, zi)
                @test close_to(y, cols(case["y"]))
                @test close_to(zf, cols(case["zf"]))
                @test zi == cols(case["zi"])          # the initial state is never written
                y0, _ = PyJL.lfilter(vec64(case["b"]), vec64(case["a"]), x, nothing)
                @test y0 == PyJL.lfilter(vec64(case["b"]), vec64(case["a"]), x, zero(zi))[1]
            elseif kernel == "upfirdn"
                y = PyJL.upfirdn(vec64(case["h"]), x, case["up"], case["down"])
                @test close_to(y, cols(case["y"]))
            elseif kernel == "fftfilt"
                @test close_to(PyJL.fftfilt(vec64(case["h"]), x), cols(case["y"]))
            elseif kernel == "stft_frames"
                fr = PyJL.stft_frames(x, vec64(case["window"]), case["step"], case["detrend"])
                @test close_to(fr, arr3(case["frames"]))
            end
        end
    end
end

# Signals longer than a block of the convolution (dsp.jl's _CONV_BLOCK outputs), which the
# vectors' short signals never reach: fftfilt and the FIR path of lfilter against a direct
# sum written here, and the FIR path against lfilter's recursive path (a = [1, 0]).
@testset "long signals, several channels" begin
    n, m, nch = 5_000, 37, 3
    x = [sin(0.01 * t * c) + 0.2 * cos(1.3 * t) for t in 1:n, c in 1:nch]
    h = [1 / k for k in 1:m]
    direct = [sum(h[j] * x[t - j + 1, c] for j in max(1, t - n + 1):min(m, t); init = 0.0)
              for t in 1:(n + m - 1), c in 1:nch]
    @test isapprox(PyJL.fftfilt(h, x), direct; rtol = 1e-13)
    zi = [0.01 * j * c for j in 1:(m - 1), c in 1:nch]
    y, zf = PyJL.lfilter(h, [1.0], x, zi)
    @test isapprox(y[m:end, :], direct[m:n, :]; rtol = 1e-13)
    yr, zfr = PyJL.lfilter(h, [1.0, 0.0], x, zi)
    @test isapprox(y, yr; rtol = 1e-12) && isapprox(zf, zfr; rtol = 1e-12)
    y0, _ = PyJL.lfilter(h, [1.0], x, nothing)
    @test isapprox(y0, direct[1:n, :]; rtol = 1e-13)
    up = PyJL.upfirdn(h, x, 1, 1)                 # up = down = 1: the same convolution
    @test isapprox(up, direct; rtol = 1e-13)
end

# The IIR filters in lanes (src/dsp_lanes.jl) against the one-channel loops they mirror,
# `isequal` (bit for bit, NaN equal to NaN): through the public functions (the blocks the
# threads present get), block by block as one thread runs them, and in blocks of each
# width (2, 4, 8; a tail of another width runs one channel at a time).
using Random

"Each channel through `run_channel!(y, zf, c)` alone, one after another."
function one_at_a_time(run_channel!, n, nch, zf)
    y = Matrix{Float64}(undef, n, nch)
    for c in 1:nch
        run_channel!(y, zf, c)
    end
    return y, zf
end

"The blocks `blocks` of channels, in order, through `run_block!(y, zf, cols)`."
function block_by_block(run_block!, n, nch, zf, blocks)
    y = Matrix{Float64}(undef, n, nch)
    for cols in blocks
        run_block!(y, zf, cols)
    end
    return y, zf
end

"Blocks of `w` channels from 1 to `nch`, the last one shorter."
blocks_of(w, nch) = [c:min(c + w - 1, nch) for c in 1:w:nch]

"Stable second-order sections (poles of radius 0.5 to 0.95), random zeros, `6 x nsec`."
function random_sos(rng, nsec)
    sos = zeros(6, nsec)
    for s in 1:nsec
        r, th = 0.5 + 0.45 * rand(rng), pi * rand(rng)
        sos[:, s] = [randn(rng), randn(rng), randn(rng), 1.0, -2r * cos(th), r^2]
    end
    return sos
end

@testset "sosfilt and lfilter in lanes: bit-identical to one channel at a time" begin
    rng = Xoshiro(20261205)
    n = 300
    sos = random_sos(rng, 5)
    b = randn(rng, 6)
    a = [1.0, -0.9, 0.34, -0.09, 0.1]          # (1 - 1.2z + 0.5z^2)(1 + 0.3z + 0.2z^2): stable
    bb, aa = b, vcat(a, 0.0)                    # lfilter's padding to k = 6
    for nch in (1, 7, 8, 9, 17)
        x = randn(rng, n, nch)
        x[n ÷ 2, cld(nch, 2)] = NaN                # a NaN in one channel stays there
        zi = randn(rng, 2, size(sos, 2), nch)
        sos_channel! = (y, zf, c) -> PyJL._sosfilt_channel!(y, zf, sos, x, c)
        sos_block! = (y, zf, cols) -> PyJL._sosfilt_block!(y, zf, sos, x, cols)
        ref = one_at_a_time(sos_channel!, n, nch, copy(zi))
        @test isequal(PyJL.sosfilt(sos, x, zi), ref)
        one_thread = PyJL._lane_ranges!(UnitRange{Int}[], 1, nch, 1)
        @test isequal(block_by_block(sos_block!, n, nch, copy(zi), one_thread), ref)
        for w in (2, 4, 8)
            @test isequal(block_by_block(sos_block!, n, nch, copy(zi), blocks_of(w, nch)), ref)
        end
        y = ref[1]
        @test all(isnan, y[(n ÷ 2):end, cld(nch, 2)])
        @test all(isfinite, y[:, setdiff(1:nch, cld(nch, 2))])
        @test all(isfinite, y[1:(n ÷ 2 - 1), :])

        zl = randn(rng, 5, nch)
        lf_channel! = (y, zf, c) -> PyJL._lfilter_channel!(y, zf, bb, aa, x, c)
        lf_block! = (y, zf, cols) -> PyJL._lfilter_block!(y, zf, bb, aa, x, cols)
        ref = one_at_a_time(lf_channel!, n, nch, copy(zl))
        @test isequal(PyJL.lfilter(b, a, x, zl), ref)
        @test isequal(block_by_block(lf_block!, n, nch, copy(zl), one_thread), ref)
        for w in (2, 4, 8)
            @test isequal(block_by_block(lf_block!, n, nch, copy(zl), blocks_of(w, nch)), ref)
        end
        @test all(isfinite, ref[1][:, setdiff(1:nch, cld(nch, 2))])
    end
    # one sample, and no samples: the states pass through the lanes unchanged in shape
    for n1 in (0, 1)
        x = randn(rng, n1, 9)
        zi = randn(rng, 2, size(sos, 2), 9)
        by_channel! = (y, zf, c) -> PyJL._sosfilt_channel!(y, zf, sos, x, c)
        @test isequal(PyJL.sosfilt(sos, x, zi), one_at_a_time(by_channel!, n1, 9, copy(zi)))
    end
end

@testset "lane blocks cover every channel once" begin
    for nch in 0:40, nthreads in (1, 2, 3, 4, 16)
        blocks = PyJL._lane_ranges!(UnitRange{Int}[], 1, nch, nthreads)
        @test reduce(vcat, collect.(blocks); init = Int[]) == 1:nch
        @test all(q -> length(q) in (1, 2, 4, 8), blocks)
    end
    @test PyJL._lane_ranges!(UnitRange{Int}[], 1, 17, 1) == [1:8, 9:16, 17:17]
    @test PyJL._lane_ranges!(UnitRange{Int}[], 1, 7, 1) == [1:4, 5:6, 7:7]
    @test PyJL._lane_ranges!(UnitRange{Int}[], 1, 8, 2) == [1:4, 5:8]
end

@testset "filters refuse states and coefficients of the wrong shape" begin
    x = ones(10, 2)
    sos = [1.0 0.5 0.0 1.0 -0.2 0.0]'          # one section, as a 6 x 1 column
    @test size(PyJL.sosfilt(sos, x, zeros(2, 1, 2))[2]) == (2, 1, 2)
    @test_throws DimensionMismatch PyJL.sosfilt(sos, x, zeros(2, 1))
    @test_throws DimensionMismatch PyJL.sosfilt(sos, x, zeros(2, 2, 2))
    @test_throws DimensionMismatch PyJL.sosfilt(permutedims(sos), x, nothing)
    @test_throws DimensionMismatch PyJL.lfilter([1.0, 0.5], [1.0, -0.2], x, zeros(1))
    @test_throws ArgumentError PyJL.lfilter([1.0, 0.5], [2.0, -0.2], x, nothing)
end

@testset "the filters' argument rules (the CUDA methods call them too)" begin
    @test PyJL._check_zi(nothing, (2, 1, 2)) === nothing
    @test PyJL._check_zi(zeros(2, 1, 2), (2, 1, 2)) === nothing
    @test_throws DimensionMismatch PyJL._check_zi(zeros(2, 2), (2, 1, 2))
    @test PyJL._check_sos(zeros(6, 3)) === nothing
    @test_throws DimensionMismatch PyJL._check_sos(zeros(3, 6))
    @test PyJL._check_lfilter_a([1.0, -0.5]) === nothing
    @test PyJL._check_lfilter_a(Float64[]) === nothing
    @test_throws ArgumentError PyJL._check_lfilter_a([2.0, -0.5])
end
