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

"""
    sosfilt(sos, x, zi) -> (y, zf)

Filter every column of `x` (`n × n_channels`) through the cascade of second-order
sections `sos` (`6 × n_sections`, column `s` = `b0 b1 b2 1 a1 a2`), direct form II
transposed per section:

    y = b0 x + z1;  z1 = b1 x - a1 y + z2;  z2 = b2 x - a2 y

`zi` is `nothing` (zeros) or `2 × n_sections × n_channels`; `zf` has that shape.
"""
function sosfilt(sos::AbstractMatrix, x::AbstractMatrix, zi)
    n, nch = size(x)
    nsec = size(sos, 2)
    T = Float64
    y = Matrix{T}(undef, n, nch)
    # a new array: zi is never written
    zf = zi === nothing ? zeros(T, 2, nsec, nch) : Array{T}(zi)
    Threads.@threads for c in 1:nch
        @inbounds for t in 1:n
            xc = T(x[t, c])
            for s in 1:nsec
                b0 = T(sos[1, s]); b1 = T(sos[2, s]); b2 = T(sos[3, s])
                a1 = T(sos[5, s]); a2 = T(sos[6, s])
                yc = b0 * xc + zf[1, s, c]
                zf[1, s, c] = b1 * xc - a1 * yc + zf[2, s, c]
                zf[2, s, c] = b2 * xc - a2 * yc
                xc = yc
            end
            y[t, c] = xc
        end
    end
    return y, zf
end

"""
    lfilter(b, a, x, zi) -> (y, zf)

Direct form II transposed filter `b(z)/a(z)` (`a[1] == 1`) down every column of
`x`; `zi` is `nothing` or `(k - 1) × n_channels` with `k = max(length(a), length(b))`.
"""
function lfilter(b::AbstractVector, a::AbstractVector, x::AbstractMatrix, zi)
    n, nch = size(x)
    T = Float64
    k = max(length(a), length(b))
    bb = zeros(T, k); aa = zeros(T, k)
    bb[1:length(b)] .= b
    aa[1:length(a)] .= a
    y = Matrix{T}(undef, n, nch)
    # a new array: zi is never written
    zf = zi === nothing ? zeros(T, k - 1, nch) : Matrix{T}(zi)
    if length(a) == 1
        return _fir(bb, x, zf)
    end
    Threads.@threads for c in 1:nch
        @inbounds for t in 1:n
            xn = T(x[t, c])
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
    end
    return y, zf
end

# FIR: y = (b * x)[1:n] plus zi on the first k - 1 outputs; zf = convolution tail plus the
# rest of zi (the same final state the recursive form reaches).
function _fir(b::Vector{Float64}, x::AbstractMatrix, zi::Matrix{Float64})
    n, nch = size(x)
    m = length(b)
    y = zeros(Float64, n, nch)
    zf = zeros(Float64, m - 1, nch)
    Threads.@threads for c in 1:nch
        @inbounds begin
            for t in 1:n
                acc = 0.0
                for j in 1:min(m, t)
                    acc += b[j] * x[t - j + 1, c]
                end
                y[t, c] = acc
            end
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
    end
    return y, zf
end

"""
    upfirdn(h, x, up, down) -> y

Upsample each column of `x` by `up`, filter with `h`, keep every `down`-th sample:
`y[i] = Σ_k h[k] xu[i*down - k]` (0-based), `xu[m] = x[m ÷ up]` when `up` divides `m`.
`y` is `(((n - 1) * up + length(h) - 1) ÷ down + 1) × n_channels`.
"""
function upfirdn(h::AbstractVector, x::AbstractMatrix, up::Integer, down::Integer)
    n, nch = size(x)
    nh = length(h)
    nout = n == 0 ? 0 : ((n - 1) * up + nh - 1) ÷ down + 1
    y = zeros(Float64, nout, nch)
    Threads.@threads for c in 1:nch
        @inbounds for i in 0:(nout - 1)
            mpos = i * down
            j = min(mpos ÷ up, n - 1)
            lo = mpos - nh + 1
            jlo = lo <= 0 ? 0 : cld(lo, up)
            acc = 0.0
            while j >= jlo
                acc += Float64(h[mpos - j * up + 1]) * Float64(x[j + 1, c])
                j -= 1
            end
            y[i + 1, c] = acc
        end
    end
    return y
end

"""
    fftfilt(h, x) -> y

Full linear convolution of each column of `x` with `h`: `(n + length(h) - 1) × n_channels`.
(The stdlib has no FFT, so this sums directly; the result is the same convolution.)
"""
function fftfilt(h::AbstractVector, x::AbstractMatrix)
    n, nch = size(x)
    m = length(h)
    nout = max(n + m - 1, 0)
    y = zeros(Float64, nout, nch)
    Threads.@threads for c in 1:nch
        @inbounds for t in 1:nout
            acc = 0.0
            for j in max(1, t - n + 1):min(m, t)
                acc += Float64(h[j]) * Float64(x[t - j + 1, c])
            end
            y[t, c] = acc
        end
    end
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
    nfr = n >= L ? (n - L) ÷ step + 1 : 0
    out = zeros(Float64, L, nfr, nch)
    tc = (L - 1) / 2
    Threads.@threads for c in 1:nch
        @inbounds for f in 1:nfr
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
                out[t, f, c] = Float64(window[t]) * v
            end
        end
    end
    return out
end
