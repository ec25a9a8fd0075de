# Lanes: several channels (dsp_lanes.jl) or several sequences of one length (hmm_lanes.jl)
# filtered or scored side by side, their work arrays `W x ...` with the lane innermost, so
# that an `@inbounds @simd` loop over the lanes runs one vector instruction for all of them.
# A lane performs the operations of the one-channel or one-sequence kernel in the same
# order: `@simd` reorders only reductions, and no lane loop reduces anything (each
# iteration writes its own lane), so every lane's result is bit-identical to the scalar
# kernel's. The lane count of a block is 8, 4 or 2 as a type parameter (`Val(W)`): loops
# `for l in 1:W` have a constant trip count, which the vectoriser turns into whole vectors.

"The most lanes of a block (eight doubles: one AVX-512 register, two AVX2 ones)."
const _LANES = 8

"""
    _lane_ranges!(out, lo, count, nthreads) -> out

Append to `out` the blocks of the items `lo:lo + count - 1` (channels, or sequences of one
length): blocks of `w` items, `w` the largest of 8, 4, 2, 1 that still gives every one of
`nthreads` threads a block, then what is left in blocks of 4, 2 and 1 below `w`.
"""
function _lane_ranges!(out::Vector{UnitRange{Int}}, lo::Int, count::Int, nthreads::Int)
    w = _LANES
    while w > 1 && cld(count, w) < nthreads
        w = w ÷ 2
    end
    i = lo
    stop = lo + count - 1
    while i <= stop
        while w > stop - i + 1
            w = w ÷ 2
        end
        push!(out, i:(i + w - 1))
        i += w
    end
    return out
end

"""
    _run_block(lanes, alone, q)

Run one block of `_lane_ranges!` (or item of `_hmm_plan`): `lanes(Val(W))` for a block
of `W` = 8, 4 or 2 items, the lane count a type parameter; `alone(u)` for each item `u`
of any other block.
"""
@inline function _run_block(lanes::F, alone::G, q::UnitRange{Int}) where {F,G}
    w = length(q)
    if w == 8
        lanes(Val(8))
    elseif w == 4
        lanes(Val(4))
    elseif w == 2
        lanes(Val(2))
    else
        for u in q
            alone(u)
        end
    end
    return nothing
end
