# `sosfilt` and the IIR `lfilter` across channels (lanes.jl): a block of 8, 4 or 2 channels
# keeps its state as `W x n_sections` (or `W x (k - 1)`) matrices, lane innermost, gathers
# `x[t, c0:c0 + W - 1]` into a lane vector and runs each section (each state update) as
# one `@simd` loop over the lanes. Per lane, the operations of `_sosfilt_channel!` /
# `_lfilter_channel!` in their order (no `muladd`, no `@fastmath`): the same results, bit
# for bit. Threads take blocks (`_lane_ranges!`); a block of one channel runs the
# one-channel loop.

"""
    _sosfilt_block!(y, zf, sos, x, cols)

The channels `cols` of [`_sosfilt!`](@ref): 8, 4 or 2 of them in lanes, one alone.
"""
function _sosfilt_block!(y::Matrix{Float64}, zf::Array{Float64,3}, sos::Matrix{Float64},
                         x::AbstractMatrix, cols::UnitRange{Int})
    return _run_block(v -> _sosfilt_lanes!(y, zf, sos, x, first(cols), v),
                      c -> _sosfilt_channel!(y, zf, sos, x, c), cols)
end

"""
    _sosfilt_lanes!(y, zf, sos, x, c0, Val(W))

`_sosfilt_channel!` of the channels `c0:c0 + W - 1` at once, lane `l` for channel
`c0 + l - 1`; `zf` holds their initial states and ends with the final ones.
"""
function _sosfilt_lanes!(y::Matrix{Float64}, zf::Array{Float64,3}, sos::Matrix{Float64},
                         x::AbstractMatrix, c0::Int, ::Val{W}) where {W}
    nsec = size(sos, 2)
    off = c0 - 1
    z1 = Matrix{Float64}(undef, W, nsec)
    z2 = Matrix{Float64}(undef, W, nsec)
    v = Vector{Float64}(undef, W)
    @inbounds begin
        for s in 1:nsec, l in 1:W
            z1[l, s] = zf[1, s, off + l]
            z2[l, s] = zf[2, s, off + l]
        end
        for t in axes(x, 1)
            for l in 1:W
                v[l] = Float64(x[t, off + l])
            end
            for s in 1:nsec
                b0 = sos[1, s]; b1 = sos[2, s]; b2 = sos[3, s]
                a1 = sos[5, s]; a2 = sos[6, s]
                @simd ivdep for l in 1:W
                    xc = v[l]
                    yc = b0 * xc + z1[l, s]
                    z1[l, s] = b1 * xc - a1 * yc + z2[l, s]
                    z2[l, s] = b2 * xc - a2 * yc
                    v[l] = yc
                end
            end
            for l in 1:W
                y[t, off + l] = v[l]
            end
        end
        for s in 1:nsec, l in 1:W
            zf[1, s, off + l] = z1[l, s]
            zf[2, s, off + l] = z2[l, s]
        end
    end
    return nothing
end

"""
    _lfilter_block!(y, zf, bb, aa, x, cols)

The channels `cols` of [`_lfilter!`](@ref): 8, 4 or 2 of them in lanes, one alone.
"""
function _lfilter_block!(y::Matrix{Float64}, zf::Matrix{Float64}, bb::Vector{Float64},
                         aa::Vector{Float64}, x::AbstractMatrix, cols::UnitRange{Int})
    return _run_block(v -> _lfilter_lanes!(y, zf, bb, aa, x, first(cols), v),
                      c -> _lfilter_channel!(y, zf, bb, aa, x, c), cols)
end

"""
    _lfilter_lanes!(y, zf, bb, aa, x, c0, Val(W))

`_lfilter_channel!` of the channels `c0:c0 + W - 1` at once, lane `l` for channel
`c0 + l - 1`; `zf` holds their initial states and ends with the final ones.
"""
function _lfilter_lanes!(y::Matrix{Float64}, zf::Matrix{Float64}, bb::Vector{Float64},
                         aa::Vector{Float64}, x::AbstractMatrix, c0::Int,
                         ::Val{W}) where {W}
    k = length(bb)
    off = c0 - 1
    z = Matrix{Float64}(undef, W, max(k - 1, 0))
    xv = Vector{Float64}(undef, W)
    yv = Vector{Float64}(undef, W)
    @inbounds begin
        for j in 1:(k - 1), l in 1:W
            z[l, j] = zf[j, off + l]
        end
        for t in axes(x, 1)
            for l in 1:W
                xv[l] = Float64(x[t, off + l])
            end
            if k > 1
                b1 = bb[1]
                @simd ivdep for l in 1:W
                    yv[l] = z[l, 1] + b1 * xv[l]
                end
                for j in 1:(k - 2)
                    bj = bb[j + 1]; aj = aa[j + 1]
                    @simd ivdep for l in 1:W
                        z[l, j] = z[l, j + 1] + xv[l] * bj - yv[l] * aj
                    end
                end
                bk = bb[k]; ak = aa[k]
                @simd ivdep for l in 1:W
                    z[l, k - 1] = xv[l] * bk - yv[l] * ak
                end
            else
                b1 = bb[1]
                @simd ivdep for l in 1:W
                    yv[l] = xv[l] * b1
                end
            end
            for l in 1:W
                y[t, off + l] = yv[l]
            end
        end
        for j in 1:(k - 1), l in 1:W
            zf[j, off + l] = z[l, j]
        end
    end
    return nothing
end
