// arange and linspace: one element per thread in a grid-stride loop.
//   out: n contiguous elements of T, out[i] = formula(i) (ember/range_values.h)
#include <algorithm>

#include "cuda/fill.h"
#include "cuda/launch.h"
#include "ember/range_values.h"

namespace ember::cuda {
namespace {

template <class T, class Formula>
__global__ void range_values(T* out, int64_t n, Formula f) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step)
    out[i] = f(i);
}

template <class T, class Formula>
void generate(void* out, int64_t n, const Formula& f) {
  constexpr int kThreads = 256;
  const int blocks = static_cast<int>(std::min<int64_t>((n + kThreads - 1) / kThreads, 4096));
  EMBER_LAUNCH((range_values<T, Formula>), blocks, kThreads, 0, nullptr, static_cast<T*>(out), n,
               f);
}

}  // namespace

void arange_kernel(void* out, DType dtype, int64_t n, double start, double step) {
  EMBER_DISPATCH_NUMERIC(dtype, "arange", [&] {
    generate<scalar_t>(out, n, range::Arange<scalar_t>(start, step));
  });
}

void linspace_kernel(void* out, DType dtype, int64_t n, double start, double end) {
  EMBER_DISPATCH_NUMERIC(dtype, "linspace", [&] {
    generate<scalar_t>(out, n, range::Linspace<scalar_t>(start, end, n));
  });
}

}  // namespace ember::cuda
