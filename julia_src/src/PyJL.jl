"""
    PyJL

The kernels behind the Python package pyjl: Gaussian-process covariance and
acquisition kernels, hidden-Markov-model forward-backward and Viterbi, and
signal-processing filters. The same names as pyjl's engine contract.

Layout rule (shared with the Python bridge): a C-order NumPy `(n, d)` array
arrives as a column-major `(d, n)` Julia matrix; every kernel here is written
for that layout (one observation, time step or sample per column).
"""
module PyJL

using LinearAlgebra
using Random
using Statistics

include("gp.jl")
include("hmm.jl")
include("dsp.jl")

# GP
export kernel_matrix, kernel_matrix_grad, cholesky, cho_solve,
       expected_improvement, log_expected_improvement
# HMM
export forward_backward, forward_backward!, viterbi
# DSP
export sosfilt, lfilter, upfirdn, fftfilt, stft_frames

end # module
