# DSP kernels: the same names and results as pyjl's engine contract (`DSPKernels`).
#
# Layout (Julia's own, column-major):
#   signal  x    (n, n_channels): one channel per column
#   sos          (6, n_sections): one section per column
#   sosfilt zi   (2, n_sections, n_channels)
#   lfilter zi   (k - 1, n_channels)
#   frames       (L, n_frames, n_channels)
# Results keep these layouts.  Arithmetic follows the native kernels
# (direct form II transposed, scipy.signal's operation order).
#
# Each public function handles its arguments (output arrays, a fresh copy of `zi`, the
# small coefficient arrays as `Vector`/`Matrix{Float64}`) and hands concrete arrays to a
# function barrier `_name!`, which runs one task per channel (`_tasks`, tasks.jl: each
# iteration a call of `_name_channel!`); the IIR filters (`sosfilt`, `lfilter` with a
# denominator) run blocks of channels in SIMD lanes instead (dsp_lanes.jl), with the same
# results. The signal `x` is read where it lies (from Python a PythonCall `PyArray` over
# NumPy's memory) and never copied.

# a fresh Float64 state of size `dims`: zeros for `nothing`, else a copy (zi is never written;
# the loops index it under @inbounds, so its shape is checked here)
_dsp_state(::Nothing, dims::Vararg{Int,N}) where {N} = zeros(Float64, dims)
function _dsp_state(zi::AbstractArray, dims::Vararg{Int,N}) where {N}
    _check_zi(zi, dims)
    return Array{Float64,N}(zi)
end

# The argument rules of the IIR filters, shared with their CUDA methods (the kernels there
# trust the shapes too). `_check_size` is in hmm.jl.
_check_zi(::Nothing, dims::Tuple) = nothing
_check_zi(zi::AbstractArray, dims::Tuple) = _check_size("zi", zi, dims)

function _check_sos(sos::AbstractMatrix)
    size(sos, 1) == 6 ||
        throw(DimensionMismatch("sos is $(size(sos)); expected (6, n_sections)"))
    return nothing
end

# `a` on the host (a CuArray is copied first: no scalar indexing of device memory)
function _check_lfilter_a(a::AbstractVector)
    isempty(a) || a[1] == 1 ||
        throw(ArgumentError("a[1] must be 1 (divide b and a by a[1]); got $(a[1])"))
    return nothing
end

"""
    sosfilt(sos, x, zi) -> (y, zf)

Filter every column of `x` (`n × n_channels`) through the cascade of second-order
sections `sos` (`6 × n_sections`, column `s` = `b0 b1 b2 1 a1 a2`), direct form II
transposed per section:

    y = b0 x + z1;  z1 = b1 x - a1 y + z2;  z2 = b2 x - a2 y

`zi` is `nothing` (zeros) or `2 × n_sections × n_channels`; `zf` has that shape.
"""
function sosfilt(sos::AbstractMatrix, x::AbstractMatrix, zi)
    _check_sos(sos)
    n, nch = size(x)
    y = Matrix{Float64}(undef, n, nch)
    zf = _dsp_state(zi, 2, size(sos, 2), nch)
    _sosfilt!(y, zf, Matrix{Float64}(sos), x)
    return y, zf
end

"""
    _sosfilt!(y, zf, sos, x)

The loop of [`sosfilt`](@ref) on concrete arrays: `zf` holds the initial state and ends
as the final one; one task per block of channels (`_lane_ranges!`), run in lanes
(dsp_lanes.jl).
"""
function _sosfilt!(y::Matrix{Float64}, zf::Array{Float64,3}, sos::Matrix{Float64},
                   x::AbstractMatrix)
    blocks = _lane_ranges!(UnitRange{Int}[], 1, size(x, 2), Threads.nthreads())
    _tasks(i -> _sosfilt_block!(y, zf, sos, x, blocks[i]), length(blocks))
    return nothing
end

function _sosfilt_channel!(y::Matrix{Float64}, zf::Array{Float64,3}, sos::Matrix{Float64},
                           x::AbstractMatrix, c::Int)
    nsec = size(sos, 2)
    @inbounds for t in axes(x, 1)
        xc = Float64(x[t, c])
        for s in 1:nsec
            b0 = sos[1, s]; b1 = sos[2, s]; b2 = sos[3, s]
            a1 = sos[5, s]; a2 = sos[6, s]
            yc = b0 * xc + zf[1, s, c]
            zf[1, s, c] = b1 * xc - a1 * yc + zf[2, s, c]
            zf[2, s, c] = b2 * xc - a2 * yc
            xc = yc
        end
        y[t, c] = xc
    end
    return nothing
end

"""
    lfilter(b, a, x, zi) -> (y, zf)

Direct form II transposed filter `b(z)/a(z)` (`a[1] == 1`) down every column of
`x`; `zi` is `nothing` or `(k - 1) × n_channels` with `k = max(length(a), length(b))`.
"""
function lfilter(b::AbstractVector, a::AbstractVector, x::AbstractMatrix, zi)
    _check_lfilter_a(a)
    n, nch = size(x)
    k = max(length(a), length(b))
    bb = zeros(Float64, k)
    aa = zeros(Float64, k)
    bb[1:length(b)] .= b
    aa[1:length(a)] .= a
    zf = _dsp_state(zi, k - 1, nch)
    if length(a) == 1
        return _fir(bb, x, zf)
    end
    y = Matrix{Float64}(undef, n, nch)
    _lfilter!(y, zf, bb, aa, x)
    return y, zf
end

"""
    _lfilter!(y, zf, bb, aa, x)

The loop of [`lfilter`](@ref) for an IIR `a`; `zf`: the initial state in, the final one
out; one task per block of channels, run in lanes (dsp_lanes.jl).
"""
function _lfilter!(y::Matrix{Float64}, zf::Matrix{Float64}, bb::Vector{Float64},
                   aa::Vector{Float64}, x::AbstractMatrix)
    blocks = _lane_ranges!(UnitRange{Int}[], 1, size(x, 2), Threads.nthreads())
    _tasks(i -> _lfilter_block!(y, zf, bb, aa, x, blocks[i]), length(blocks))
    return nothing
end

function _lfilter_channel!(y::Matrix{Float64}, zf::Matrix{Float64}, bb::Vector{Float64},
                           aa::Vector{Float64}, x::AbstractMatrix, c::Int)
    k = length(bb)
    @inbounds for t in axes(x, 1)
        xn = Float64(x[t, c])
        if k > 1
            yn = zf[1, c] + bb[1] * xn
            for j in 1:(k - 2)
                zf[j, c] = zf[j + 1, c] + xn * bb[j + 1] - yn * aa[j + 1]
            end
            zf[k - 1, c] = xn * bb[k] - yn * aa[k]
        else
            yn = xn * bb[1]
        end
        y[t, c] = yn
    end
    return nothing
end

# Outputs per block of `_conv_channel!` (a block of y stays in cache while every tap passes).
const _CONV_BLOCK = 2048

# y[u, c] += sum_j h[j] x[u - j + 1, c] over the terms with 1 <= u - j + 1 <= size(x, 1),
# for u in 1:size(y, 1). The terms of each output are added in order of j, as a direct sum
# from y[u, c] would add them; the inner loop is an axpy over u (no reduction), so @simd
# changes no output's order of additions.
function _conv_channel!(y::Matrix{Float64}, h::Vector{Float64}, x::AbstractMatrix, c::Int)
    n, ny, m = size(x, 1), size(y, 1), length(h)
    for lo in 1:_CONV_BLOCK:ny
        hi = min(lo + _CONV_BLOCK - 1, ny)
        for j in 1:m
            hj = h[j]
            @inbounds @simd ivdep for u in max(lo, j):min(hi, n + j - 1)
                y[u, c] += hj * x[u - j + 1, c]
            end
        end
    end
    return nothing
end

# FIR: y = (b * x)[1:n] plus zi on the first k - 1 outputs; zf = convolution tail plus the
# rest of zi (the same final state the recursive form reaches).
function _fir(b::Vector{Float64}, x::AbstractMatrix, zi::Matrix{Float64})
    n, nch = size(x)
    y = zeros(Float64, n, nch)
    zf = zeros(Float64, length(b) - 1, nch)
    _tasks(c -> _fir_channel!(y, zf, b, x, zi, c), nch)
    return y, zf
end

function _fir_channel!(y::Matrix{Float64}, zf::Matrix{Float64}, b::Vector{Float64},
                       x::AbstractMatrix, zi::Matrix{Float64}, c::Int)
    n, m = size(x, 1), length(b)
    _conv_channel!(y, b, x, c)
    @inbounds begin
        for t in 1:min(m - 1, n)
            y[t, c] += zi[t, c]
        end
        for j in 1:(m - 1)
            acc = 0.0
            for kk in (j + 1):m
                idx = n - (kk - j) + 1
                if idx >= 1
                    acc += b[kk] * x[idx, c]
                end
            end
            zf[j, c] = acc + (j + n <= m - 1 ? zi[j + n, c] : 0.0)
        end
    end
    return nothing
end

"""
    upfirdn(h, x, up, down) -> y

Upsample each column of `x` by `up`, filter with `h`, keep every `down`-th sample:
`y[i] = Σ_k h[k] xu[i*down - k]` (0-based), `xu[m] = x[m ÷ up]` when `up` divides `m`.
`y` is `(fld((n - 1) * up + length(h) - 1, down) + 1) × n_channels`.
"""
function upfirdn(h::AbstractVector, x::AbstractMatrix, up::Integer, down::Integer)
    n, nch = size(x)
    nout = n == 0 ? 0 : fld((n - 1) * Int(up) + length(h) - 1, Int(down)) + 1  # floor, as native
    y = zeros(Float64, nout, nch)
    _upfirdn!(y, Vector{Float64}(h), x, Int(up), Int(down))
    return y
end

"The loop of [`upfirdn`](@ref): one task per channel."
function _upfirdn!(y::Matrix{Float64}, h::Vector{Float64}, x::AbstractMatrix, up::Int,
                   down::Int)
    _tasks(c -> _upfirdn_channel!(y, h, x, up, down, c), size(x, 2))
    return nothing
end

function _upfirdn_channel!(y::Matrix{Float64}, h::Vector{Float64}, x::AbstractMatrix,
                           up::Int, down::Int, c::Int)
    n, nh = size(x, 1), length(h)
    @inbounds for i in 0:(size(y, 1) - 1)
        mpos = i * down
        j = min(mpos ÷ up, n - 1)
        lo = mpos - nh + 1
        jlo = lo <= 0 ? 0 : cld(lo, up)
        acc = 0.0
        while j >= jlo
            acc += h[mpos - j * up + 1] * Float64(x[j + 1, c])
            j -= 1
        end
        y[i + 1, c] = acc
    end
    return nothing
end

"""
    fftfilt(h, x) -> y

Full linear convolution of each column of `x` with `h`: `(n + length(h) - 1) × n_channels`.

Despite its name (the engine contract's), this is a direct-form FIR: the core package is
stdlib-only and the stdlib has no FFT, so it sums the products, `n * length(h)` of them
per channel, where an FFT overlap-add costs `O(n log length(h))`. The result is the same
convolution (each output's terms added in order of the taps).
"""
function fftfilt(h::AbstractVector, x::AbstractMatrix)
    n, nch = size(x)
    y = zeros(Float64, max(n + length(h) - 1, 0), nch)
    hv = Vector{Float64}(h)
    _tasks(c -> _conv_channel!(y, hv, x, c), nch)
    return y
end

"""
    stft_frames(x, window, step, detrend=0) -> frames

Frames `L × n_frames × n_channels` (`L = length(window)`,
`n_frames = (n - L) ÷ step + 1`): frame `k` of channel `c` is
`detrend(x[k*step+1 : k*step+L, c]) .* window`, where `detrend` is 0 (none),
1 (subtract the mean) or 2 (subtract the least-squares line).
"""
function stft_frames(x::AbstractMatrix, window::AbstractVector, step::Integer,
                     detrend::Integer=0)
    n, nch = size(x)
    L = length(window)
    nfr = n >= L ? (n - L) ÷ Int(step) + 1 : 0
    out = zeros(Float64, L, nfr, nch)
    _stft_frames!(out, x, Vector{Float64}(window), Int(step), Int(detrend))
    return out
end

"The loop of [`stft_frames`](@ref): one task per channel."
function _stft_frames!(out::Array{Float64,3}, x::AbstractMatrix, window::Vector{Float64},
                       step::Int, detrend::Int)
    _tasks(c -> _stft_channel!(out, x, window, step, detrend, c), size(x, 2))
    return nothing
end

function _stft_channel!(out::Array{Float64,3}, x::AbstractMatrix, window::Vector{Float64},
                        step::Int, detrend::Int, c::Int)
    L = length(window)
    tc = (L - 1) / 2
    @inbounds for f in axes(out, 2)
        off = (f - 1) * step
        mean = 0.0
        slope = 0.0
        if detrend >= 1
            s0 = 0.0
            for t in 1:L
                s0 += Float64(x[off + t, c])
            end
            mean = s0 / L
        end
        if detrend == 2
            s1 = 0.0
            cc = 0.0
            for t in 1:L
                d = (t - 1) - tc
                s1 += d * (Float64(x[off + t, c]) - mean)
                cc += d * d
            end
            slope = cc > 0 ? s1 / cc : 0.0
        end
        for t in 1:L
            v = Float64(x[off + t, c]) - mean
            if detrend == 2
                v -= slope * ((t - 1) - tc)
            end
            out[t, f, c] = window[t] * v
        end
    end
    return nothing
end
