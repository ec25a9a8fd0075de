// The CPU twin of pyjl/engines/cuda/prelude.cuh (tests/gpu/emulate.py): the same PJ_* names,
// defined so that g++ compiles the engine's .cu files as C++.  Every block runs with one
// thread (pj_set_block), __syncthreads() is a no-op, dynamic shared memory a static buffer.
#include <cmath>
#include <cstring>
#include <cstdio>
using std::exp; using std::log; using std::fmax; using std::sqrt; using std::sin; using std::cos;
using std::pow; using std::log1p; using std::expm1; using std::fabs;
struct pj_dim3 { unsigned x, y, z; };
static pj_dim3 blockIdx, threadIdx, blockDim, gridDim;
alignas(16) static unsigned char pj_shared_mem[1 << 22];
#define PJ_KERNEL extern "C"
#define PJ_DEVICE static inline
#define PJ_SHARED(T, name) T* name = reinterpret_cast<T*>(pj_shared_mem)
#define PJ_GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; \
                                  i < (n); i += (long long)blockDim.x * gridDim.x)
#define PJ_ATOMIC_ADD(p, v) (*(p) += (v))
#define PJ_PI 3.141592653589793238462643383279502884
#define __syncthreads() do {} while (0)
#define __restrict__
static inline double normcdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
static inline double erfcx(double x) {
    if (x < 100.0) return (double)(std::exp((long double)x * x) * std::erfc((long double)x));
    double x2 = x * x;  // asymptotic series, far below double rounding for x >= 100
    return (1.0 - 0.5 / x2 + 0.75 / (x2 * x2)) / (x * 1.7724538509055160273);
}
static inline double pj_warp_sum(double v) { return v; }
extern "C" void pj_set_block(unsigned b, unsigned g) {
    blockIdx.x = b; gridDim.x = g; threadIdx.x = 0; blockDim.x = 1;
    blockIdx.y = blockIdx.z = threadIdx.y = threadIdx.z = 0;
    blockDim.y = blockDim.z = gridDim.y = gridDim.z = 1;
}
