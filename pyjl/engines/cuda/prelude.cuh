// Macros every CUDA source of the cuda engine is compiled after
// (pyjl.engines.cuda.common.program).
//
// They keep the kernels plain CUDA C while the test suite compiles the very same .cu files
// as C++ for the CPU with its own definitions of these names (tests/gpu/cpu_prelude.h: one
// thread per block, __syncthreads a no-op).  Kernels therefore loop over threads with a
// stride (for (j = threadIdx.x; j < K; j += blockDim.x)) and separate every cross-thread
// read from the write by __syncthreads().
#define PJ_KERNEL extern "C" __global__
#define PJ_DEVICE static __device__ __forceinline__
#define PJ_SHARED(T, name) extern __shared__ T name[]
#define PJ_GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; \
                                  i < (n); i += (long long)blockDim.x * gridDim.x)
#define PJ_ATOMIC_ADD(p, v) atomicAdd((p), (v))
#define PJ_PI 3.141592653589793238462643383279502884
#ifndef INFINITY
#define INFINITY __longlong_as_double(0x7ff0000000000000ULL)
#endif
static __device__ __forceinline__ double pj_warp_sum(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}
