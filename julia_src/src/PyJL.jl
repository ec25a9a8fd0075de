"""
    PyJL

The kernels behind the Python package pyjl: Gaussian-process covariance and
acquisition kernels, hidden-Markov-model forward-backward and Viterbi, and
signal-processing filters. The same names as pyjl's engine contract.

Every kernel takes one observation, time step or sample per column; each
docstring gives its shapes. (From Python, see the orientation rule in
`pyjl/julia/bridge.py`.)
"""
module PyJL

# LinearAlgebra is imported, not `using`-ed: PyJL defines its own `cholesky(K, jitter)`
# kernel (the engine contract's name), which must not clash with LinearAlgebra.cholesky.
import LinearAlgebra
using LinearAlgebra: Hermitian, LowerTriangular, I

include("tasks.jl")
include("gp_kinds.jl")
include("gp.jl")
include("gp_loops.jl")
include("gp_broadcast.jl")
include("lanes.jl")
include("hmm.jl")
include("hmm_lanes.jl")
include("hmm_gaussian.jl")
include("hmm_log.jl")
include("dsp.jl")
include("dsp_lanes.jl")
include("precompile.jl")

# GP
# (`cholesky` stays unexported so `using LinearAlgebra, PyJL` is unambiguous: call PyJL.cholesky)
export kernel_matrix, kernel_matrix_grad, kernel_grad_contract, kernel_matvec,
       kernel_grad_quad, cho_solve, cho_inverse, expected_improvement,
       log_expected_improvement
export StationaryKind, RBF, Matern12, Matern32, Matern52, RationalQuadratic, Periodic
# HMM
export forward, forward_backward, forward_backward!, viterbi, viterbi!, gaussian_loglik,
       weighted_moments, gaussian_estep, gaussian_forward, gaussian_viterbi
export forward_log, forward_backward_log, forward_backward_log!
# DSP
export sosfilt, lfilter, upfirdn, fftfilt, stft_frames

end # module
