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
