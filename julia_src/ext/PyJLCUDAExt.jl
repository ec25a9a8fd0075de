"""
    PyJLCUDAExt

GPU methods of PyJL's kernels for `CUDA.CuArray` arguments. Julia loads this
extension by itself when both PyJL and CUDA.jl are loaded (`[weakdeps] CUDA`
and `[extensions] PyJLCUDAExt = "CUDA"` in PyJL's Project.toml); the core
package stays stdlib-only. No methods yet: until they land, every kernel runs
its generic `AbstractArray` method.
"""
module PyJLCUDAExt

using PyJL
using CUDA

end # module
